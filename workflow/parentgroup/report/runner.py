"""Executing the integration notebook and rendering it to a byte-stable HTML report.

The recipe (papermill + jupytext + nbconvert, one step so cell ids can be normalised in memory):

1. ``jupytext.read`` the percent-format ``.py``; set a portable ``python3`` kernelspec and
   ``language_info`` (a header kernelspec would raise ``NoSuchKernel`` elsewhere);
2. give cells stable ids ``cell-0``, ``cell-1``, ... (jupytext draws random nbformat-4.5 ids,
   which nbconvert renders into the HTML);
3. ``papermill.execute_notebook`` with the parameters as a dict of strings (no ``-p`` type
   guessing: ``"001"`` stays ``"001"``), its own ``IPYTHONDIR`` so concurrent jobs do not share
   state, explicit start and execution timeouts, and the kernel's channels encrypted
   (:func:`kernel_config`);
4. drop papermill's run metadata (clock times, temporary paths, a copy of the input) and the
   random id of its injected cell from the executed notebook (:func:`drop_run_metadata`);
5. ``nbconvert.HTMLExporter`` without inputs or prompts, removing the ``parameters`` and
   papermill's ``injected-parameters`` cells, with a fixed title, through the package's own
   template (``templates/nbconvert/report``): JupyterLab's page without require.js, MathJax or
   Mermaid from a CDN and with the report's stylesheet inlined, so the HTML makes no network
   request at all.

Both the executed ``.ipynb`` and the HTML are byte-stable.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from parentgroup.problems import UserFacingError
from parentgroup.report.templating import NBCONVERT_TEMPLATE, NBCONVERT_TEMPLATES, stylesheet

log = logging.getLogger(__name__)

KERNELSPEC = {"name": "python3", "language": "python", "display_name": "Python 3"}
LANGUAGE_INFO = {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"}
REMOVED_CELL_TAGS = {"injected-parameters", "parameters"}


class ReportError(UserFacingError, RuntimeError):
    """The report could not be produced; the message says where the failing notebook is."""


# --------------------------------------------------------------------------- notebook


def prepare_notebook(notebook_py: Path):
    """Read a jupytext percent file into an nbformat notebook ready for papermill."""
    import jupytext

    notebook = jupytext.read(str(notebook_py))
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = dict(LANGUAGE_INFO)
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    return notebook


def render_notebook_html(notebook, title: str) -> str:
    """Render an executed notebook to HTML without code, prompts or parameter cells.

    Cell ids are normalised again (papermill's injected cell has a random id; it is removed,
    and the remaining ids are renumbered so the HTML never depends on it).
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from parentgroup.report.sections import keep_numbers_whole

    notebook = copy.deepcopy(notebook)
    notebook.cells = [
        cell for cell in notebook.cells
        if not REMOVED_CELL_TAGS & set(cell.get("metadata", {}).get("tags", []))
    ]
    for cell in notebook.cells:  # ".053" never split after its point (the PDF's line breaks)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                page = data["text/html"]
                page = "".join(page) if isinstance(page, list) else page
                data["text/html"] = keep_numbers_whole(page)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_CELL_TAGS)
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config, exclude_input=True, exclude_input_prompt=True,
        exclude_output_prompt=True, extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
        template_name=NBCONVERT_TEMPLATE,
    )
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": title}, "report_css": stylesheet()}
    )
    return body


def execute_integration_notebook(
    *,
    notebook_py: Path,
    parameters: dict[str, str],
    out_ipynb: Path,
    out_html: Path,
    title: str,
    start_timeout: int = 180,
    execution_timeout: int = 600,
    log_dir: Path | None = None,
) -> None:
    """Execute ``notebook_py`` with string ``parameters`` and write the notebook and the HTML.

    On failure the partially executed notebook (error cell marked by papermill) is kept as
    ``log_dir/<stem>-failed.ipynb`` (or next to ``out_ipynb`` when ``log_dir`` is None) and a
    :class:`ReportError` names it and the failing cell's error.
    """
    import nbformat
    import papermill

    bad = {k: type(v).__name__ for k, v in parameters.items() if not isinstance(v, str)}
    if bad:
        raise TypeError(f"notebook parameters must be strings; got {bad}")
    out_ipynb, out_html = Path(out_ipynb), Path(out_html)
    out_ipynb.parent.mkdir(parents=True, exist_ok=True)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    notebook = prepare_notebook(Path(notebook_py))
    failed_path = (Path(log_dir) if log_dir else out_ipynb.parent) / (
        f"{Path(notebook_py).stem}-failed.ipynb"
    )
    with tempfile.TemporaryDirectory(prefix="ipython-") as ipython_dir:
        previous = os.environ.get("IPYTHONDIR")
        os.environ["IPYTHONDIR"] = ipython_dir
        work_path = Path(ipython_dir) / "executing.ipynb"
        try:
            with _kernel_stderr_to_log(), _quiet_papermill():
                # Saved once at the end, and by papermill on a cell error (with the error
                # marked): saving after every cell rewrote the notebook with its embedded
                # figures 39 times, 1.4 s of the job. A timeout or a dead kernel leaves none.
                executed = papermill.execute_notebook(
                    notebook, str(work_path), parameters=dict(parameters),
                    kernel_name="python3", language="python", progress_bar=False,
                    log_output=False, start_timeout=start_timeout,
                    execution_timeout=execution_timeout, cwd=None,
                    request_save_on_cell_execute=False, record_timing=False,
                    config=kernel_config(),
                )
        except Exception as error:  # papermill raises PapermillExecutionError, timeouts, ...
            failed_path.parent.mkdir(parents=True, exist_ok=True)
            if work_path.is_file():
                shutil.copyfile(work_path, failed_path)
                where = f"the partially executed notebook is at {failed_path}"
            else:
                where = ("the notebook stopped before papermill saved it (it did not start, "
                         "timed out or its kernel died), so no partial notebook was kept")
            summary = _error_summary(error)
            raise ReportError(
                f"the integration notebook {notebook_py} failed: {summary}; {where}"
            ) from error
        finally:
            if previous is None:
                os.environ.pop("IPYTHONDIR", None)
            else:
                os.environ["IPYTHONDIR"] = previous
    if failed_path.is_file():  # a failure of an earlier run, now fixed
        failed_path.unlink()
    drop_run_metadata(executed)
    out_ipynb.write_text(nbformat.writes(executed) + "\n", encoding="utf-8")
    html_text = render_notebook_html(executed, title)
    out_html.write_bytes(html_text.encode("utf-8"))
    log.info("report written: %s (%d bytes)", out_html, len(html_text.encode("utf-8")))


def kernel_config():
    """The notebook kernel's traitlets config: its ZeroMQ channels encrypted with CurveZMQ.

    Over plain TCP on the loopback interface every cell's code and output (the site's tables)
    would travel unencrypted, and ipykernel says so with a warning in every report log. With
    ``transport_encryption = "required"`` (jupyter_client 8.10+) the kernel manager provisions
    CurveZMQ keys through the private connection file, and the kernel refuses to start rather
    than fall back to plain text. A pyzmq built without libsodium has no CurveZMQ: the kernel
    then runs as before, and the log says why.
    """
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "required"
    else:  # pragma: no cover - the locked pyzmq wheels have CurveZMQ
        log.warning("this pyzmq has no CurveZMQ (libsodium): the notebook kernel's channels on "
                    "the loopback interface are not encrypted")
    return config


#: What papermill records about one run rather than about the notebook: clock times, durations,
#: the temporary output path and a second copy of the whole input notebook.
RUN_METADATA = ("start_time", "end_time", "duration", "input_path", "output_path")


def drop_run_metadata(notebook) -> None:
    """Remove papermill's per-run metadata and random cell id from an executed notebook (in
    place).

    The shared notebook is then byte-identical across runs like the HTML, and holds no clock
    digits: a microsecond field is a random six-digit number, and one that happens to spell a
    participant's date of birth as ddmmyy would rightly stop the run at the leak check. The
    parameters, papermill's version and each cell's status and exception stay. The cell papermill
    injects has a random id, so the cells are numbered again (``cell-0``, ``cell-1``, ...)."""
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    for metadata in [notebook.metadata, *(cell.metadata for cell in notebook.cells)]:
        record = metadata.get("papermill", {})
        for key in RUN_METADATA:
            record.pop(key, None)
        metadata.pop("execution", None)  # nbclient's timing, should a version record it anyway


@contextlib.contextmanager
def _quiet_papermill():
    """Keep papermill's INFO lines out of the rule log: they name the temporary (randomly named)
    working notebook, a random string in a scanned file; its warnings and errors still show."""
    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        papermill_log.setLevel(level)


@contextlib.contextmanager
def _kernel_stderr_to_log():
    """Point file descriptor 2 at ``sys.stderr`` while the kernel runs.

    A rule script replaces ``sys.stderr`` with its log file, but the kernel subprocess inherits
    descriptor 2, so its messages (e.g. ipykernel's "running over TCP" warning) would reach the
    terminal instead of the rule's log.
    """
    try:
        target = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        target = None
    if target is None or target == 2:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _error_summary(error: BaseException) -> str:
    name = getattr(error, "ename", None)
    value = getattr(error, "evalue", None)
    if name:
        return f"{name}: {value}"
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[-1] if first else ''}"


def site_notebook_parameters(*, site: str, results_dir: str, processed_dir: str,
                             config_path: str, synthetic: bool | str,
                             provenance_path: str) -> dict[str, str]:
    """The integration notebook's parameters, all as strings (``synthetic`` as "true"/"false")."""
    if isinstance(synthetic, str):
        from parentgroup.tables import is_true  # here: the report job's own process needs no pandas

        flag = is_true(synthetic)
    else:
        flag = bool(synthetic)
    return {
        "site": str(site), "results_dir": str(results_dir), "processed_dir": str(processed_dir),
        "config_path": str(config_path), "synthetic": "true" if flag else "false",
        "provenance_path": str(provenance_path),
    }


def pooled_notebook_parameters(*, sites: Iterable[str], results_root: str,
                               config: Mapping[str, Any], synthetic: bool) -> dict[str, str]:
    """The pooled notebook's parameters as strings: comma-separated sites, the config as YAML
    text with identifiers withheld (parameters are copied into the notebook's metadata)."""
    return {
        "sites": ",".join(sorted(sites)),
        "results_root": str(results_root),
        "config_yaml": yaml.safe_dump(dict(config), sort_keys=True,
                                      allow_unicode=True, width=100),
        "synthetic": "true" if synthetic else "false",
    }
