"""A warm worker for local runs: one process imports the heavy libraries once and forks a copy of
itself for each rule script, so that a job no longer pays for its imports.

Every Snakemake job is a fresh Python process. Before any work, a job of this workflow imported
pandas (0.6-0.9 s), often scipy.stats (1-1.8 s), statsmodels (about 1.8 s) or matplotlib and
seaborn (about 1.3 s): about half of a site's 31 s of job time in a local run
(benchmarks/README.md, "Process start-up and imports"). The forked copy starts with those modules
already imported.

How it works:

- When a local run starts (``onstart`` in workflow/rules/common.smk), :func:`start` launches
  ``python -m parentgroup.warm_worker`` as a child of Snakemake. The worker listens at once on
  a Unix socket in a new private (0700) temporary folder, whose path Snakemake's jobs inherit in
  :data:`SOCKET_VARIABLE`, and imports :data:`PRELOAD` one module at a time while no job waits.
- Each rule script starts with ``_workflow.start(snakemake)``, which calls :func:`delegate`.
  When a worker is listening, the job process sends the path of its script (the one Snakemake
  generated, with its pickled ``snakemake`` object), its working folder, environment, umask and
  its standard input, output and error (as file descriptors) to the worker, which forks. The
  fork takes over the three descriptors, runs the script as ``python script`` would and exits
  with the script's exit status, which the job process then exits with. The rule's log, its
  messages and its exit status are the same as in a job that ran the script itself.
- When no worker is listening (a remote executor, ``warm_worker: false``, or a worker that has
  gone), or the job's Python is not the worker's (``--sdm conda``, a container), the job runs the
  script itself as before.
- The worker never runs a job itself and a fork runs one job only, so each job starts from the
  state of a fresh process that has imported some modules, nothing else; what was not yet
  imported when the job came, the fork imports itself. If the job process ends early (Snakemake
  cancels it), its fork is killed with its process group. The worker exits when Snakemake stops
  it (``onsuccess``, ``onerror``, at exit) or, failing that, when its parent process has gone.

The worker writes nothing but the lines of its own log (how long the imports took and how many
jobs it forked), nothing from the data. Outputs are byte-identical with and without it (tested in
tests/test_workflow.py). Two things differ: Snakemake's ``benchmark:`` files record the wall
time of such a job correctly but the CPU time and memory of the small job process only, and a
job's process is not the one that does the work.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import importlib.machinery
import json
import logging
import os
import selectors
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import types
from pathlib import Path

#: Environment variable that carries the worker's socket path to the jobs.
SOCKET_VARIABLE = "PARENTGROUP_WARM_WORKER"
#: Set inside a fork, so that the script it runs does not delegate again.
FORK_VARIABLE = "PARENTGROUP_IN_WARM_WORKER"

#: What the worker imports, in the order the stages run: the package modules that the rule
#: scripts import (workflow/scripts/*.py) and the libraries those import when called. A module
#: that fails to import is skipped (the job that needs it imports it and reports the failure).
PRELOAD = (
    "snakemake.script",
    "pandas",
    "parentgroup.inputs.validation",
    "parentgroup.inputs.site",
    "parentgroup.anonymisation",
    "parentgroup.scoring",
    "parentgroup.reliability",
    "parentgroup.spss_export",
    "parentgroup.participant_flow",
    "parentgroup.qualitative",
    "parentgroup.paired_analysis",
    "parentgroup.engagement",
    "parentgroup.reliable_change",
    "parentgroup.joint_display",
    "parentgroup.figures",
    "parentgroup.report",
    "jupytext",
    "nbformat",
    "papermill",
    "nbconvert",
    "parentgroup.leak_check",
    "parentgroup.meta_analysis",
)

_log = logging.getLogger(__name__)

_STARTED = b"S"
_STATUS = struct.Struct("!i")
_LENGTH = struct.Struct("!I")


# --------------------------------------------------------------------------------------------
# The job's side


def delegate() -> None:
    """Run this rule script in the warm worker if one is listening, and exit with its status.

    Returns (and the script goes on in this process) when there is no worker, when this process
    is already a fork of the worker, or when the worker refused the job before starting it.
    """
    path = os.environ.get(SOCKET_VARIABLE)
    if not path or os.environ.get(FORK_VARIABLE):
        return
    script = getattr(sys.modules.get("__main__"), "__real_file__", None) or sys.argv[0]
    if not script or not os.path.isfile(script) or not _owned_private_socket(path):
        return
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return
    umask = os.umask(0)
    os.umask(umask)
    request = json.dumps({
        "script": os.path.abspath(script),
        "argv": sys.argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
        "interpreter": _interpreter(),
    }).encode()
    try:
        socket.send_fds(connection, [_LENGTH.pack(len(request))], [0, 1, 2])
        connection.sendall(request)
        started = _receive(connection, 1)
    except OSError:
        started = b""
    if started != _STARTED:  # the worker did not fork: run the script here
        connection.close()
        return
    try:
        status = _STATUS.unpack(_receive(connection, _STATUS.size))[0]
    except (OSError, struct.error):
        _log.error("the warm worker ended before this job's process reported its exit status")
        status = 1
    if status < 0:  # the fork was killed by a signal
        _log.error("the job's process in the warm worker was killed by signal %d", -status)
        status = 128 - status
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _interpreter() -> list[str]:
    """Which Python this is: a job meant for another environment (``--sdm conda``, a module
    system) must not run in the worker's."""
    return [os.path.realpath(sys.executable), sys.prefix, sys.version]


def _owned_private_socket(path: str) -> bool:
    """Only a socket of this user, in a folder no one else can enter, is trusted with a job."""
    try:
        folder = os.stat(os.path.dirname(path))
        entry = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISSOCK(entry.st_mode) and entry.st_uid == os.getuid()
        and folder.st_uid == os.getuid() and stat.S_IMODE(folder.st_mode) & 0o077 == 0
    )


def _receive(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


# --------------------------------------------------------------------------------------------
# Snakemake's side: start and stop


class Handle:
    """The running worker, as Snakemake's main process sees it."""

    def __init__(self, process: subprocess.Popen, folder: str):
        self.process = process
        self.folder = folder

    def stop(self) -> None:
        """Stop the worker (it kills any fork still running) and remove its folder."""
        os.environ.pop(SOCKET_VARIABLE, None)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start(log: str | os.PathLike) -> Handle | None:
    """Launch the worker as a child of this process (so its forks' CPU time counts in this
    process's children) and publish its socket to the jobs this process starts. None, with a
    warning, when it cannot be started: the jobs then run as fresh processes."""
    try:
        folder = tempfile.mkdtemp(prefix="parentgroup-worker-")  # mode 0700
    except OSError as error:
        _log.warning("warm worker not started (%s); every job starts a fresh process", error)
        return None
    path = os.path.join(folder, "socket")
    try:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as stream:
            process = subprocess.Popen(
                [sys.executable, "-m", "parentgroup.warm_worker", path, str(os.getpid())],
                stdin=subprocess.DEVNULL, stdout=stream, stderr=stream,
                env={**os.environ, "PYTHONPATH": _package_path()},
            )
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        _log.warning("warm worker not started (%s); every job starts a fresh process", error)
        return None
    os.environ[SOCKET_VARIABLE] = path
    handle = Handle(process, folder)
    atexit.register(handle.stop)
    return handle


def _package_path() -> str:
    """PYTHONPATH with the folder that holds this package first (it may not be installed)."""
    here = str(Path(__file__).resolve().parents[1])
    rest = os.environ.get("PYTHONPATH")
    return here if not rest else os.pathsep.join([here, rest])


# --------------------------------------------------------------------------------------------
# The worker


def serve(path: str, parent: int) -> None:
    """Fork one child per job until stopped or orphaned, importing :data:`PRELOAD` in between.

    The worker listens at once and imports one module of :data:`PRELOAD` at a time whenever no
    job is waiting, so the first jobs of a run are not held up behind the imports: a fork gets
    the modules imported so far and imports the others itself, as a fresh process would.
    """
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    began = time.monotonic()
    pending = list(PRELOAD)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    stopping = []
    for name in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(name, lambda *_: stopping.append(True))

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    running: dict[int, socket.socket] = {}
    forked = 0
    while not stopping and os.getppid() == parent:
        events = selector.select(timeout=0 if pending else 1.0)
        if not events and pending:
            _preload(pending.pop(0))
            if not pending:
                _log.info("imports done in %.1f s", time.monotonic() - began)
        for key, _ in events:
            if key.data == "accept":
                connection, _ = listener.accept()
                # the fork keeps none of the worker's sockets: not the other jobs' either, so
                # that each job process sees its connection end when its own fork or the
                # worker goes
                pid = _fork_job(connection, [listener, selector, wake_read, wake_write,
                                             *running.values()])
                if pid is None:
                    connection.close()
                    continue
                forked += 1
                running[pid] = connection
                selector.register(connection, selectors.EVENT_READ, pid)
            elif key.data == "wake":
                try:
                    os.read(wake_read, 4096)
                except BlockingIOError:
                    pass
            else:  # the job's process has closed its end: Snakemake cancelled the job
                selector.unregister(key.fileobj)
                _kill(key.data)
        _reap(running, selector)
    for pid in list(running):
        _kill(pid)
    for pid in list(running):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    listener.close()
    # the socket and its private folder go with the worker, also when it was orphaned
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    _log.info("stopped after %d jobs", forked)


def _preload(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception as error:  # noqa: BLE001 - the job that needs it will report it
        _log.info("not preloaded: %s (%s)", name, type(error).__name__)


def _reap(running: dict[int, socket.socket], selector: selectors.BaseSelector) -> None:
    """Send each finished fork's exit status to its job process."""
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = running.pop(pid, None)
        if connection is None:
            continue
        try:
            selector.unregister(connection)
        except KeyError:  # already unregistered when the job's process went
            pass
        try:
            connection.sendall(_STATUS.pack(os.waitstatus_to_exitcode(status)))
        except OSError:
            pass
        connection.close()


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _fork_job(connection: socket.socket, close_in_child: list) -> int | None:
    """Receive one job and fork a child that runs it; the child's pid, or None."""
    connection.settimeout(10)
    fds: list[int] = []
    request = None
    try:
        message, fds, _, _ = socket.recv_fds(connection, _LENGTH.size, 3)
        if len(fds) == 3 and len(message) == _LENGTH.size:
            request = json.loads(_receive(connection, _LENGTH.unpack(message)[0]))
    except (OSError, ValueError):
        request = None
    # refused (the job then runs itself): a broken request, or a job meant for another Python
    if not isinstance(request, dict) or request.get("interpreter") != _interpreter():
        for fd in fds:
            os.close(fd)
        return None
    # what the worker holds (the imported modules) moves out of the collector's sight: a fork's
    # collections then scan the job's own objects only, and do not touch, and so copy, every
    # page of the worker's (gc.freeze, made for pre-fork servers); a full collection in a fork
    # took 0.2 s before
    gc.freeze()
    worker = os.getpid()
    pid = os.fork()
    if pid:
        try:  # here as well as in the fork, so that a kill right away reaches the group
            os.setpgid(pid, pid)
        except OSError:  # the fork has already done it
            pass
        for fd in fds:
            os.close(fd)
        connection.settimeout(None)
        try:
            connection.sendall(_STARTED)
        except OSError:
            _kill(pid)
        return pid
    # the fork: it never returns from here
    code = 1
    try:
        os.setpgid(0, 0)  # its own group, so that a cancel also reaches what the job starts
        _die_with_parent(worker)
        signal.set_wakeup_fd(-1)
        for name in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(name, signal.SIG_DFL)
        for item in close_in_child:
            item.close() if hasattr(item, "close") else os.close(item)
        connection.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        code = _run_job(request)
    except BaseException:  # noqa: BLE001 - reported on the job's stderr, then exit 1
        traceback.print_exc()
    finally:
        os._exit(code)


def _die_with_parent(worker: int) -> None:
    """Linux: the fork is killed if the worker dies first, so that no job goes on unwatched
    after its job process has been told it failed."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the job process still reports the failure
        pass
    if os.getppid() != worker:  # the worker went before the request above took effect
        os._exit(1)


def _run_job(request: dict) -> int:
    """Run the job's script as ``python script`` would, exit included; its exit status."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ[FORK_VARIABLE] = "1"
    os.umask(request["umask"])
    script = request["script"]
    sys.argv = list(request["argv"])
    sys.path[0] = os.path.dirname(script)  # as for `python script`: the script's folder first
    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__cached__ = None
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", script)
    sys.modules["__main__"] = main
    try:
        with open(script, "rb") as source:
            code = compile(source.read(), script, "exec")
        exec(code, main.__dict__)  # noqa: S102 - the job's own script, as Snakemake wrote it
        status = 0
    except SystemExit as exit_:
        status = _exit_code(exit_.code)
    except BaseException:  # noqa: BLE001 - as the interpreter does with an uncaught exception
        sys.excepthook(*sys.exc_info())
        status = 1
    _finalize(main.__dict__)
    return status


def _finalize(namespace: dict) -> None:
    """What the interpreter does at exit, before the fork's os._exit skips it: the exit
    functions run, then the script's globals are released (names with an underscore first, as
    CPython does), so a file the script left open is flushed and closed the usual way rather
    than by the garbage collector, which can lose a text file's buffer when a reference cycle
    holds it (CPython bpo-17852); then the standard streams are flushed."""
    try:
        atexit._run_exitfuncs()
    finally:
        for first in (True, False):
            for name in [key for key in namespace if key.startswith("_") == first]:
                if name != "__builtins__":
                    namespace[name] = None
        namespace.clear()
        gc.collect()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")  # as the interpreter does with sys.exit("message")
    return 1


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
