"""Shared fixtures: a throw-away copy of the repository and a helper to run Snakemake in it."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# The property tests draw the same examples on every run (a fresh clone's `make test` once drew a
# surname "So" against a sentence containing "so": a red CI from the test's own text, not the
# code). `HYPOTHESIS_PROFILE=explore make test` draws new random examples, to look for more.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
# the scripts that rebuild the fixtures are not test modules (--doctest-modules would import them)
collect_ignore_glob = ["fixtures/*", "gold/*", "slurm/*"]
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "results", "processed", "secure", "logs", ".snakemake", "__pycache__",
    ".pytest_cache", ".hypothesis", ".ruff_cache", "*.egg-info", "benchmarks",
)


# The modules that run Snakemake, slowest first: moved to the front of the collection so that,
# under pytest-xdist (pyproject addopts: one worker per core, a module stays on one worker), they
# start at once and the many quick unit-test modules fill the other worker around them, instead
# of one worker running a long end-to-end module alone at the end. Order only: nothing is skipped.
SLOW_MODULES_FIRST = (
    "test_workflow.py",          # builds the shared demo run, then the determinism rebuild
    "test_controlled_demo.py",   # the controlled demo site, a full run of its own
    "test_multisite.py",         # a second site, a broken site, a tables-only consortium
    "test_reruns.py",
    "test_new_site.py",
    "test_input_validation.py",
    "test_workflow_report_route.py",  # two sites through make report
    "test_leak_check_rerun.py",
    "test_report.py",            # notebooks executed by papermill
    "test_report_formats.py",
    "test_report_browser.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: keeps test order


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


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """Hold an exclusive lock on ``lock_path`` (a file) for the block: one process at a time."""
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _session_folder(tmp_path_factory) -> Path:
    """A folder of this test session that every pytest-xdist worker sees (each worker has its
    own base temp folder inside the session's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One complete run of the demo pipeline in a copy of the repository, shared by the e2e tests.

    Built once per test session even under pytest-xdist: the first worker that asks builds it
    under a file lock, the others wait and read the recorded result. Tests must treat the folder
    as read-only: a test that changes files or reruns jobs works in ``finished_demo``, its own
    copy."""
    shared = _session_folder(tmp_path_factory) / "demo_run"
    shared.mkdir(exist_ok=True)
    workdir, record = shared / "repo", shared / "result.json"
    with _exclusive(shared / "lock"):
        if not record.exists():
            if workdir.exists():  # a build that an earlier worker did not finish
                shutil.rmtree(workdir)
            copy_repository(workdir)
            done = run_snakemake(workdir, "--cores", "2")
            record.write_text(json.dumps({"args": done.args, "returncode": done.returncode,
                                          "stdout": done.stdout, "stderr": done.stderr}),
                              encoding="utf-8")
        result = subprocess.CompletedProcess(**json.loads(record.read_text(encoding="utf-8")))
    return workdir, result


def copy_finished_run(workdir: Path, destination: Path) -> Path:
    """Copy a finished run (outputs, .snakemake metadata, modification times) to
    ``destination``, without Snakemake's lock files, so that Snakemake there finds the jobs
    done and reruns only what a change asks for."""
    shutil.copytree(workdir, destination, symlinks=True,
                    ignore=shutil.ignore_patterns("locks", "__pycache__"))
    return destination


@pytest.fixture
def finished_demo(demo_run, tmp_path) -> Path:
    """This test's own copy of the finished demo run, to change and rerun."""
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    return copy_finished_run(workdir, tmp_path / "repo")
