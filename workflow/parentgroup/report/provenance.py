"""Provenance of a report: package versions, the git commit, input checksums, and the config as
it applied to the site (identifiers never among them: they live in the site's identifiers file,
not in the config).

No timestamps, host names or absolute paths are recorded, so the same inputs give the same files.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

#: The stack whose versions the reproducibility appendix lists.
STACK_PACKAGES = (
    "parentgroup", "snakemake", "pandas", "numpy", "scipy", "statsmodels", "matplotlib",
    "seaborn", "pyreadstat", "openpyxl", "python-docx", "jsonschema", "pyyaml", "jupytext",
    "papermill", "nbconvert", "nbformat", "ipykernel", "pygments", "jinja2",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def _transcript_folders(config: Mapping[str, Any], root: Path) -> set[Path]:
    folders = set()
    for site in config.get("sites", {}).values():
        name = site.get("transcripts", "transcripts")
        if name and site.get("data_dir"):
            folders.add((root / site["data_dir"] / name).resolve())
    return folders


def package_versions(packages: Iterable[str] = STACK_PACKAGES) -> dict[str, str]:
    """Installed version of each package (``"not installed"`` when absent), sorted by name."""
    versions = {}
    for name in sorted(packages):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(root: Path | None = None) -> str:
    """``git rev-parse HEAD`` of the project, or ``"unknown"`` outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root or Path.cwd(), capture_output=True,
            text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else "unknown"


def input_checksums(inputs: Iterable[Path], config: Mapping[str, Any],
                    root: Path | None = None) -> dict[str, str]:
    """SHA-256 of each input, keyed by its path relative to ``root`` (the project directory).

    Transcript files are named by the site's record ids, which may identify someone, so each
    transcript folder is summarised as ONE checksum: the SHA-256 of the sorted hex digests of
    its files, keyed ``<folder>/ (<n> files)``. File names in that folder never appear.
    """
    root = Path(root or Path.cwd())
    transcript_dirs = _transcript_folders(config, root)
    checksums: dict[str, str] = {}
    grouped: dict[Path, list[str]] = {}
    for path in sorted({Path(p) for p in inputs}, key=lambda p: p.as_posix()):
        parent = path.resolve().parent
        if parent in transcript_dirs or parent.name == "transcripts":
            grouped.setdefault(parent, []).append(_sha256(path))
        else:
            checksums[_relative(path, root)] = _sha256(path)
    for folder, digests in grouped.items():
        combined = hashlib.sha256("\n".join(sorted(digests)).encode("ascii")).hexdigest()
        checksums[f"{_relative(folder, root)}/ ({len(digests)} files)"] = combined
    return dict(sorted(checksums.items()))


def write_provenance(path: Path, inputs: list[Path], config: dict,
                     root: Path | None = None) -> dict[str, Any]:
    """Write (and return) the provenance record: package versions, git commit, input checksums.

    No timestamps, host names or absolute paths, so the same inputs give the same file.
    """
    root = Path(root or Path.cwd())
    record = {
        "git_commit": git_commit(root),
        "python": platform.python_version(),
        "packages": package_versions(),
        "inputs": input_checksums(inputs, config, root),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return record


def dump_config(study: Mapping[str, Any], path: Path) -> None:
    """Write the settings that shaped this site's results as YAML (sorted keys): the site's
    study config (:func:`parentgroup.config.site_study`). Names of people and places are not in
    it: they live in the site's identifiers file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(
        dict(study), sort_keys=True, allow_unicode=True, width=100, default_flow_style=False,
    )
    path.write_text(text, encoding="utf-8")
