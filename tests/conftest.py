"""Shared fixtures: a throw-away copy of the repository and a helper to run Snakemake in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the scripts that rebuild the fixtures are not test modules (--doctest-modules would import them)
collect_ignore_glob = ["fixtures/*", "gold/*", "slurm/*"]
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "results", "processed", "secure", "logs", ".snakemake", "__pycache__",
    ".pytest_cache", ".hypothesis", ".ruff_cache", "*.egg-info", "benchmarks",
)


def copy_repository(destination: Path) -> Path:
    """Copy the working tree (without outputs, secrets or the environment) to ``destination``."""
    shutil.copytree(REPO, destination, ignore=IGNORED)
    return destination


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m snakemake`` in ``workdir`` the way a user would, capturing its output."""
    env = dict(os.environ)
    env.pop("SNAKEMAKE_PROFILE", None)
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One complete run of the demo pipeline in a copy of the repository (shared by e2e tests)."""
    workdir = copy_repository(tmp_path_factory.mktemp("e2e") / "repo")
    result = run_snakemake(workdir, "--cores", "2")
    return workdir, result
