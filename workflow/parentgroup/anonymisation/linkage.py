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
import re
import secrets
from pathlib import Path

import pandas as pd

from parentgroup.problems import InputError, InputProblem, UserFacingError, raise_if_errors

log = logging.getLogger(__name__)
SHARED_FOLDERS = ("data/processed", "results")


class KeyPathError(UserFacingError, ValueError):
    """The linkage key would be stored where shared outputs live."""


def _inside_shared_folder(path: Path, shared_dirs: list[Path] | None = None) -> str | None:
    """The shared folder ``path`` lies in (data/processed/ or results/ under the working
    directory, anywhere a ``data/processed`` pair of folders appears in the path, or one of
    ``shared_dirs``), or None."""
    resolved = Path(os.path.abspath(path))
    cwd = Path(os.path.abspath(Path.cwd()))
    candidates = [cwd / folder for folder in SHARED_FOLDERS]
    candidates += [Path(os.path.abspath(d)) for d in shared_dirs or []]
    for folder in candidates:
        if resolved == folder or folder in resolved.parents:
            return str(folder.relative_to(cwd)) if folder.is_relative_to(cwd) else str(folder)
    parts = resolved.parts
    if any(parts[i:i + 2] == ("data", "processed") for i in range(len(parts) - 1)):
        return "data/processed"
    return None


def read_linkage_key(path: Path) -> dict[str, str]:
    """An existing key, checked: columns record_id and pseudonym, pseudonyms ``P<digits>``,
    neither column repeated. Problems never echo a record_id."""
    name = f"{Path(path).name} (secure folder)"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError([InputProblem(name, None, None, None,
                                       f"a readable linkage key CSV ({type(error).__name__})")],
                         "linkage key") from None
    problems = [InputProblem(name, 1, c, None, "a column of the linkage key")
                for c in ("record_id", "pseudonym") if c not in frame.columns]
    if problems:
        raise InputError(problems, "linkage key")
    for index, row in frame.iterrows():
        if not re.fullmatch(r"P\d{2,}", row["pseudonym"]):
            problems.append(InputProblem(name, int(index) + 2, "pseudonym", row["pseudonym"],
                                         "a pseudonym like P01"))
    for column in ("record_id", "pseudonym"):
        repeated = frame[column].duplicated(keep="first")
        for index in frame.index[repeated]:
            problems.append(InputProblem(name, int(index) + 2, column, None,
                                         f"each {column} once in the key", sensitive=True))
    raise_if_errors(problems, "linkage key")
    return dict(zip(frame["record_id"], frame["pseudonym"], strict=True))


def pseudonym_width(n: int) -> int:
    """Digits in a pseudonym: two (P01) up to 99 parents, more beyond."""
    return max(2, len(str(n)))


def ensure_linkage_key(path: Path, record_ids: list[str],
                       shared_dirs: list[Path] | None = None) -> dict[str, str]:
    """Read (or create) the key and give every record_id a pseudonym; returns
    ``{record_id: pseudonym}`` for every record_id in the key.

    Existing assignments never change; record_ids new to the key get the next free numbers in a
    random order (``secrets.SystemRandom``). The folder is created 0o700 and the file written
    0o600. Raises :class:`KeyPathError` when ``path`` is inside data/processed/, results/ or
    one of ``shared_dirs``, and :class:`InputError` when an existing key is malformed.
    """
    path = Path(path)
    shared = _inside_shared_folder(path, shared_dirs)
    if shared is not None:
        raise KeyPathError(
            f"the linkage key path {path} is inside {shared}/, which is shared; expected a "
            "secure folder outside data/processed/ and results/ (config secure_dir)"
        )
    key = read_linkage_key(path) if path.exists() else {}
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
    frame = pd.DataFrame(sorted(key.items(), key=lambda kv: (int(kv[1][1:]), kv[1])),
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
