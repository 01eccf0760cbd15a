"""The linkage key: random pseudonyms (P01, P02, ...) kept in the secure directory.

Pseudonyms are assigned in a random order (``secrets.SystemRandom``), not in roster or
alphabetical order, so a pseudonym says nothing about who it is (ICO pseudonymisation guidance;
ENISA "tokenisation" by lookup table). No hash of an identifier is ever computed: with a dozen
parents any plain hash could be reversed by trying each name. The key is the only link between
pseudonyms and people; it lives outside the shared folders with owner-only permissions, is
reused on every run (same key -> same pseudonyms) and grows when new parents join.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path, PurePosixPath

import pandas as pd

log = logging.getLogger(__name__)
SHARED_FOLDERS = ("data/processed", "results")


class KeyPathError(ValueError):
    """The linkage key would be stored where shared outputs live."""

    user_facing = True


def _inside_shared_folder(path: Path) -> str | None:
    resolved = Path(os.path.abspath(path))
    cwd = Path(os.path.abspath(Path.cwd()))
    try:
        relative = PurePosixPath(resolved.relative_to(cwd).as_posix())
    except ValueError:
        return None
    for folder in SHARED_FOLDERS:
        shared = PurePosixPath(folder)
        if relative == shared or shared in relative.parents:
            return folder
    return None


def pseudonym_width(n: int) -> int:
    """Digits in a pseudonym: two (P01) up to 99 parents, more beyond."""
    return max(2, len(str(n)))


def ensure_linkage_key(path: Path, record_ids: list[str]) -> dict[str, str]:
    """Read (or create) the key and give every record_id a pseudonym.

    Existing assignments never change; record_ids new to the key get the next free numbers in a
    random order. The folder is created 0o700 and the file written 0o600.
    """
    path = Path(path)
    shared = _inside_shared_folder(path)
    if shared is not None:
        raise KeyPathError(
            f"the linkage key path {path} is inside {shared}/, which is shared; expected a "
            "secure folder outside data/processed/ and results/ (config secure_dir)"
        )
    key: dict[str, str] = {}
    if path.exists():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        key = dict(zip(frame["record_id"], frame["pseudonym"], strict=True))
    new = [r for r in record_ids if r not in key]
    if not new:
        return key
    total = len(key) + len(new)
    width = max([pseudonym_width(total)] + [len(p) - 1 for p in key.values()])
    used = {int(p[1:]) for p in key.values()}
    free = [n for n in range(1, total + len(used) + 1) if n not in used][: len(new)]
    secrets.SystemRandom().shuffle(free)
    for record_id, number in zip(sorted(new), free, strict=True):
        key[record_id] = f"P{number:0{width}d}"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    frame = pd.DataFrame(sorted(key.items(), key=lambda kv: kv[1]),
                         columns=["record_id", "pseudonym"])
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(frame.to_csv(index=False, lineterminator="\n"))
    os.chmod(path, 0o600)
    if len(new) == total:
        log.warning(
            "created a new linkage key for %d parents in the secure folder (%s). Keep it safe and "
            "never share it: it is the only link between pseudonyms and people, and a new key "
            "gives new pseudonyms.", total, path.parent,
        )
    else:
        log.warning("added %d new parents to the linkage key", len(new))
    return key
