"""Stage 6, report: the integration notebook (jupytext) executed by papermill and rendered to a
self-contained HTML report without code (and the same report as a PDF), with its provenance and
the config that shaped it.

Modules: ``runner`` (papermill, nbconvert, byte-stable output), ``provenance`` (package
versions, commit, input checksums, the config dump), ``sections`` (the contract tables turned
into the report's HTML), ``summary`` (key findings, numbering, interpretation), ``templating``
(the fixed prose in ``templates/``) and ``formats`` (the PDF and the Word manuscript tables).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from parentgroup.report.provenance import dump_config, write_provenance
from parentgroup.report.runner import (
    execute_integration_notebook,
    pooled_notebook_parameters,
    site_notebook_parameters,
)

log = logging.getLogger(__name__)

__all__ = ["write_manuscript_tables", "write_pooled_report", "write_report_pdf",
           "write_site_report"]


def write_site_report(
    *,
    site: str,
    study: Mapping[str, Any],
    notebook: Path,
    inputs: Iterable[Path],
    results_dir: Path,
    processed_dir: Path,
    out_ipynb: Path,
    out_html: Path,
    config_dump: Path,
    provenance: Path,
    log_dir: Path,
    out_pdf: Path | None = None,
) -> None:
    """The report stage of one site: the config dump and provenance record first (the notebook
    reads both), then the executed notebook and its HTML, and with ``out_pdf`` the HTML drawn as
    a PDF (:func:`write_report_pdf`). ``study`` is the site's study config
    (:func:`parentgroup.config.site_study`); ``inputs`` are the files the report depends on, whose
    checksums the provenance lists.

    The PDF is drawn in the same job: a job of its own paid another interpreter start and the
    imports of the report package after the HTML. (Importing WeasyPrint in a thread while the
    kernel ran was tried: the thread and papermill's own imports of jupyter_client collided,
    "partially initialized module", so the imports stay in this thread.)"""
    dump_config(study, Path(config_dump))
    write_provenance(Path(provenance), [Path(p) for p in inputs], study)
    report = study["report"]
    execute_integration_notebook(
        notebook_py=Path(notebook),
        parameters=site_notebook_parameters(
            site=site, results_dir=str(results_dir), processed_dir=str(processed_dir),
            config_path=str(config_dump), synthetic=study["sites"][site]["synthetic"],
            provenance_path=str(provenance),
        ),
        out_ipynb=Path(out_ipynb), out_html=Path(out_html), title=report["title"],
        start_timeout=int(report["start_timeout"]),
        execution_timeout=int(report["execution_timeout"]), log_dir=Path(log_dir),
    )
    log.info("report: %s", out_html)
    if out_pdf is not None:
        write_report_pdf(html=Path(out_html), pdf=Path(out_pdf))
    else:
        remove_stale_pdf(Path(out_html))


def remove_stale_pdf(html: Path) -> None:
    """Without a PDF this run (config ``report.pdf: false``, or no Pango), remove the report's
    PDF of an earlier run beside ``html``: it would sit in the shared folder looking current
    while it shows older results (as the figures drop a format left out of figures.formats)."""
    stale = Path(html).with_suffix(".pdf")
    if stale.is_file():
        stale.unlink()
        log.info("removed %s of an earlier run: this run draws no PDF (report.pdf is off or "
                 "Pango is missing)", stale)


def write_pooled_report(
    *,
    sites: list[str],
    study: Mapping[str, Any],
    synthetic: bool,
    notebook: Path,
    results_root: Path,
    out_ipynb: Path,
    out_html: Path,
    log_dir: Path,
) -> None:
    """The pooled report over ``sites`` (their paired tests and the meta-analysis under
    ``results_root``). ``study`` holds the study-level settings the pooled notebook shows."""
    report = study["report"]
    execute_integration_notebook(
        notebook_py=Path(notebook),
        parameters=pooled_notebook_parameters(
            sites=sites, results_root=str(results_root), config=study, synthetic=synthetic
        ),
        out_ipynb=Path(out_ipynb), out_html=Path(out_html),
        title=report["title"] + " - pooled across sites",
        start_timeout=int(report["start_timeout"]),
        execution_timeout=int(report["execution_timeout"]), log_dir=Path(log_dir),
    )
    log.info("pooled report: %s", out_html)


def write_report_pdf(*, html: Path, pdf: Path) -> None:
    """The site's HTML report drawn as an A4 PDF with its print stylesheet
    (:func:`parentgroup.report.formats.write_pdf`)."""
    from parentgroup.report.formats import write_pdf

    write_pdf(Path(html), Path(pdf))


def write_manuscript_tables(*, paired_tests: Path, reliability: Path,
                            joint_display_outcomes: Path, out_docx: Path, title: str,
                            synthetic: bool, confidence_level: float = 0.95) -> None:
    """The manuscript tables (paired tests, reliability, joint display) as an APA-style Word
    document (:func:`parentgroup.report.formats.write_manuscript_docx`)."""
    import pandas as pd

    from parentgroup.report.formats import write_manuscript_docx

    def read(path: Path) -> pd.DataFrame:
        frame = pd.read_csv(path) if Path(path).is_file() else pd.DataFrame()
        text = [c for c in frame.columns if frame[c].dtype == object]
        frame[text] = frame[text].fillna("")
        return frame

    from parentgroup.formatting import scale_label

    paired, joint = read(paired_tests), read(joint_display_outcomes)
    if not paired.empty:  # one label style, as in the report and the figures
        names = {r["outcome"]: scale_label(r["instrument"], r["label"])
                 for r in paired.to_dict("records")}
        for frame in (paired, joint):
            if {"outcome", "label"} <= set(frame.columns):
                frame["label"] = [names.get(o, lab) for o, lab in zip(
                    frame["outcome"], frame["label"], strict=True)]
    write_manuscript_docx(
        Path(out_docx), title=title, paired=paired, reliability=read(reliability),
        joint=joint, confidence_level=confidence_level,
        synthetic=synthetic,
    )
