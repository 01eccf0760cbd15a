"""The warm worker (parentgroup.warm_worker) runs a job's script in a fork with the job's
descriptors, folder and environment, returns its exit status, cleans up after a cancelled job
and after its parent, and is skipped when it cannot be trusted or reached. That the demo's
outputs are byte-identical with and without it is checked in tests/test_workflow.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from parentgroup import warm_worker

PACKAGE_ROOT = Path(warm_worker.__file__).resolve().parents[1]

JOB = """
import json, os, sys, time
sys.path.insert(0, {root!r})
from parentgroup.warm_worker import delegate, FORK_VARIABLE
delegate()
print("to stdout")
print("to stderr", file=sys.stderr)
report = {{"pid": os.getpid(), "in_fork": FORK_VARIABLE in os.environ,
           "cwd": os.getcwd(), "marker": os.environ.get("JOB_MARKER"), "argv": sys.argv[1:]}}
open("report.json", "w").write(json.dumps(report))
{tail}
"""


def write_job(folder: Path, tail: str = "sys.exit(3)") -> Path:
    script = folder / "job.py"
    script.write_text(JOB.format(root=str(PACKAGE_ROOT), tail=textwrap.dedent(tail)))
    return script


@pytest.fixture
def worker(tmp_path):
    handle = warm_worker.start(tmp_path / "worker.log")
    path = os.environ[warm_worker.SOCKET_VARIABLE]
    deadline = time.monotonic() + 30
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield handle
    handle.stop()


def run_job(script: Path, cwd: Path, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "JOB_MARKER": "from the job's environment"}
    return subprocess.run([sys.executable, str(script), "an-argument"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, **popen)


def report(cwd: Path) -> dict:
    import json

    return json.loads((cwd / "report.json").read_text())


def test_job_runs_in_a_fork_with_its_folder_environment_streams_and_status(worker, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = run_job(write_job(tmp_path), work)
    assert result.returncode == 3
    assert result.stdout == "to stdout\n"
    assert result.stderr == "to stderr\n"
    seen = report(work)
    assert seen["in_fork"] is True
    assert seen["cwd"] == str(work)
    assert seen["marker"] == "from the job's environment"
    assert seen["argv"] == ["an-argument"]


def test_a_file_the_script_left_open_is_flushed(worker, tmp_path):
    tail = """
    kept = open("kept-open.txt", "w")
    kept.write("written, never closed")
    def holds_the_globals():  # a reference cycle: only the garbage collector frees them
        return kept
    """
    result = run_job(write_job(tmp_path, tail), tmp_path)
    assert result.returncode == 0, result.stderr
    assert report(tmp_path)["in_fork"] is True
    assert (tmp_path / "kept-open.txt").read_text() == "written, never closed"


def test_uncaught_exception_gives_status_1_and_its_traceback(worker, tmp_path):
    result = run_job(write_job(tmp_path, "raise ValueError('bad value in row 3')"), tmp_path)
    assert result.returncode == 1
    assert "ValueError: bad value in row 3" in result.stderr
    assert report(tmp_path)["in_fork"] is True


def test_without_a_worker_the_job_runs_itself(tmp_path, monkeypatch):
    monkeypatch.setenv(warm_worker.SOCKET_VARIABLE, str(tmp_path / "nobody" / "socket"))
    result = run_job(write_job(tmp_path, "sys.exit(0)"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert report(tmp_path)["in_fork"] is False


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="needs a venv and its base Python")
def test_a_job_for_another_python_runs_itself(worker, tmp_path):
    """As with --sdm conda: the job's interpreter is not the worker's, so it keeps the job."""
    other = subprocess.run(
        [sys._base_executable, "-c", "import sys; print(sys.prefix)"],
        capture_output=True, text=True, check=True,
    )
    assert other.stdout.strip() != sys.prefix
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    result = subprocess.run([sys._base_executable, str(write_job(tmp_path, "sys.exit(0)"))],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert report(tmp_path)["in_fork"] is False


def test_a_socket_others_can_reach_is_not_trusted(tmp_path):
    import socket

    folder = tmp_path / "shared"
    folder.mkdir()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(folder / "socket"))
    try:
        folder.chmod(0o700)
        assert warm_worker._owned_private_socket(str(folder / "socket"))
        folder.chmod(0o755)
        assert not warm_worker._owned_private_socket(str(folder / "socket"))
    finally:
        listener.close()
    assert not warm_worker._owned_private_socket(str(tmp_path / "no-such-socket"))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_cancelled_job_takes_its_fork_with_it(worker, tmp_path):
    script = write_job(tmp_path, "time.sleep(60)")
    job = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_until(lambda: (tmp_path / "report.json").exists())
        fork = report(tmp_path)["pid"]
        assert fork != job.pid and _alive(fork)
        job.send_signal(signal.SIGTERM)  # what Snakemake does to a cancelled job
        job.wait(timeout=30)
        assert _wait_until(lambda: not _alive(fork))
    finally:
        job.kill()
        job.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_worker_exits_when_its_parent_has_gone(tmp_path):
    parent = subprocess.run(
        [sys.executable, "-c",
         "import os, sys\n"
         f"sys.path.insert(0, {str(PACKAGE_ROOT)!r})\n"
         "from parentgroup import warm_worker\n"
         f"handle = warm_worker.start({str(tmp_path / 'worker.log')!r})\n"
         "print(handle.process.pid, handle.folder, flush=True)\n"
         "os._exit(0)  # no stop, no atexit: as if Snakemake were killed\n"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    worker_pid, folder = parent.stdout.split()
    assert _wait_until(lambda: not _alive(int(worker_pid)), seconds=30)
    assert _wait_until(lambda: not Path(folder).exists())  # it took its socket folder along


def test_stop_removes_the_socket_folder_and_the_variable(tmp_path):
    handle = warm_worker.start(tmp_path / "worker.log")
    folder = Path(handle.folder)
    assert folder.is_dir() and (folder.stat().st_mode & 0o077) == 0
    handle.stop()
    assert not folder.exists()
    assert warm_worker.SOCKET_VARIABLE not in os.environ
    assert handle.process.returncode is not None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_if_the_worker_dies_the_job_fails_and_its_fork_goes(worker, tmp_path):
    script = write_job(tmp_path, "time.sleep(60)")
    job = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_until(lambda: (tmp_path / "report.json").exists())
        fork = report(tmp_path)["pid"]
        worker.process.kill()
        _, stderr = job.communicate(timeout=30)
        assert job.returncode == 1
        assert "the warm worker ended before this job's process reported" in stderr
        assert _wait_until(lambda: not _alive(fork))
    finally:
        job.kill()
        job.wait()


def test_a_worker_that_cannot_start_leaves_the_jobs_to_themselves(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "no-such-folder"))
    with caplog.at_level("WARNING"):
        assert warm_worker.start(tmp_path / "worker.log") is None
    assert "warm worker not started" in caplog.text
    assert warm_worker.SOCKET_VARIABLE not in os.environ
