"""Quarantine: the files a failing leak check flagged leave the shared folders.

A failing check moves every file it found an identifier in out of ``results/``,
``data/processed/`` and ``logs/`` into the secure folder (the site's
``<secure_dir>/<site>/quarantine/``; the pooled check's ``<secure_dir>/pooled/quarantine/``), under
its own path (``results/demo/report.html`` -> ``quarantine/results/demo/report.html``): nothing
identifying stays beside the outputs looking finished, and the team can read what leaked where
only identifiers belong. A file inside a Snakemake directory output (the figures folder, the
redacted transcripts: Snakemake marks them with ``.snakemake_timestamp``) moves with its whole
directory, as Snakemake rebuilds a directory output that is missing but not one missing file in
it. The next run rebuilds what moved: a missing output makes Snakemake rerun its job, and the
jobs after it (the leak check included). A file quarantined by an earlier failure is replaced.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from parentgroup.leak_check.scanning import LeakHit

#: The marker Snakemake writes into every ``directory()`` output.
DIRECTORY_OUTPUT_MARKER = ".snakemake_timestamp"


def _directory_output(path: Path, roots: Sequence[Path]) -> Path | None:
    """The outermost directory output holding ``path`` below one of the scanned roots."""
    found = None
    for root in roots:
        if root == path or root not in path.parents:
            continue
        for folder in path.parents:
            if folder == root:
                break
            if (folder / DIRECTORY_OUTPUT_MARKER).is_file():
                found = folder
    return found


def _destination(path: Path, folder: Path, base: Path) -> Path:
    try:
        relative = path.relative_to(base)
    except ValueError:
        relative = Path(*path.parts[1:])  # outside the working directory: its absolute path
    return folder / relative


def _make_owner_only_folders(folder: Path) -> None:
    """``folder`` and its missing parents, created owner-only (``mkdir(parents=True)`` would
    create the parents with the default permissions)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700)
        os.chmod(made, 0o700)


def _owner_only(path: Path) -> None:
    if path.is_dir():
        for inner, _folders, files in os.walk(path):
            os.chmod(inner, 0o700)
            for name in files:
                os.chmod(Path(inner) / name, 0o600)
    else:
        os.chmod(path, 0o600)


def quarantine(hits: Iterable[LeakHit], folder: Path, *, roots: Sequence[Path],
               base: Path | None = None) -> list[str]:
    """Move every file of ``hits`` (or its directory output) into ``folder``, owner-only
    (0o700 folders, 0o600 files). Returns what moved as the hits show it (paths relative to
    ``base`` with any part that holds an identifier withheld; a directory ends with ``/``)."""
    base = Path(base or Path.cwd()).resolve()
    roots = [Path(root).resolve() for root in roots]
    folder = Path(folder)
    moves: dict[Path, str] = {}  # source -> shown
    for hit in hits:
        if not hit.path:
            continue
        path = Path(hit.path)
        directory = _directory_output(path, roots)
        if directory is None:
            moves.setdefault(path, hit.file)
            continue
        depth = len(path.relative_to(directory).parts)
        moves.setdefault(directory, "/".join(hit.file.split("/")[:-depth]) + "/")
    moved = []
    for source, shown in sorted(moves.items(), key=lambda item: item[1]):
        if not source.exists():
            continue
        target = _destination(source, folder, base)
        _make_owner_only_folders(target.parent)
        for inner in (target.parent, *target.parent.parents):  # up to the quarantine folder
            os.chmod(inner, 0o700)
            if inner == folder:
                break
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        shutil.move(str(source), str(target))
        _owner_only(target)
        moved.append(shown)
    return moved
