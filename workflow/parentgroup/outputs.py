"""The names (and file formats) of the figures a site and a pooled run produce, and the site
size above which they summarise instead of drawing one mark per parent.

Kept apart from :mod:`parentgroup.figures` (which imports matplotlib and seaborn) because the
Snakefile needs the names to declare outputs: importing the drawing code there cost every
`snakemake` start-up, a no-op rerun included, about two seconds.
"""

from __future__ import annotations

#: Figures every site gets after its ``change_<outcome>`` figures, in drawing order.
SITE_FIGURES = ["effect_sizes", "reliable_change", "participant_flow", "attendance",
                "joint_display_cases"]
#: Above this many parents a site's figures draw aggregates (faded lines, jittered dots, an
#: attendance image without row labels) and the report stops listing parents row by row.
MANY_PARENTS = 150
#: Figures of the pooled (multi-site) report.
POOLED_NAMES = ["pooled_forest"]
#: The file formats a figure can be written in, in writing order (config ``figures.formats``;
#: PNG is always written, because the reports embed it).
FIGURE_FORMATS = ("png", "svg", "pdf")


def figure_formats(formats=FIGURE_FORMATS) -> tuple[str, ...]:
    """The formats to write, in :data:`FIGURE_FORMATS` order; PNG must be among them.

    >>> figure_formats(["pdf", "png"])
    ('png', 'pdf')
    """
    chosen = set(formats)
    if chosen - set(FIGURE_FORMATS) or "png" not in chosen:
        raise ValueError(f"figure formats {sorted(chosen)}: expected png plus any of svg, pdf")
    return tuple(ext for ext in FIGURE_FORMATS if ext in chosen)


def figure_names(outcome_ids: list[str]) -> list[str]:
    """The site's figure names, in drawing order: ``change_<id>`` per outcome (config order),
    then effect_sizes, reliable_change, participant_flow, attendance, joint_display_cases.

    >>> figure_names(["prfq_pm", "psoc_total"])[:3]
    ['change_prfq_pm', 'change_psoc_total', 'effect_sizes']
    """
    return [f"change_{outcome}" for outcome in outcome_ids] + SITE_FIGURES


#: What to install when the PDF report cannot be drawn (WeasyPrint needs Pango from the system).
PANGO_HINT = ("install the Pango library (Debian/Ubuntu: apt-get install libpango-1.0-0 "
              "libpangoft2-1.0-0; macOS: brew install pango; conda: conda install -c "
              "conda-forge pango)")


def pdf_support() -> tuple[bool, str]:
    """Whether the PDF report can be drawn here: ``(True, "")`` or ``(False, why)``.

    Cheap (no WeasyPrint or pandas import), so the Snakefile can decide its default targets:
    WeasyPrint installed from the lock, and the Pango shared libraries it loads found by the
    system's loader."""
    import ctypes.util
    import importlib.util

    if importlib.util.find_spec("weasyprint") is None:
        return False, "the PDF report needs WeasyPrint (pip install -r requirements.lock)"
    missing = [lib for lib in ("pango-1.0", "pangoft2-1.0")
               if ctypes.util.find_library(lib) is None]
    if missing:
        return False, (f"the PDF report needs the Pango library ({', '.join(missing)}): "
                       + PANGO_HINT)
    return True, ""


#: A site's documents, built only with config ``site_outputs: full``: paths under
#: ``results/<site>/`` (then ``data/processed/<site>/``: the family sheets' manifest).
FULL_RUN_DOCUMENTS = ("figures", "journey", "arms", "report", "report.html", "report.pdf",
                      "staff_summary.html", "manuscript_tables.docx")
FULL_RUN_PROCESSED = ("family_sheets.csv",)


def remove_full_run_documents(results_dir, processed_dir) -> list[str]:
    """With ``site_outputs: tables``, remove the documents an earlier ``full`` run of the site
    left (:data:`FULL_RUN_DOCUMENTS`, :data:`FULL_RUN_PROCESSED`): no rule of a tables run
    rewrites them, so they would sit beside the new tables showing older results. Returns the
    paths removed; switching back to ``full`` builds them again.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "r" / "figures").mkdir(parents=True)
    >>> for name in ("report.html", "scores.csv"):
    ...     _ = (root / "r" / name).write_text("older results")
    >>> remove_full_run_documents(root / "r", root / "p")
    ['figures', 'report.html']
    >>> sorted(p.name for p in (root / "r").iterdir())
    ['scores.csv']
    """
    import shutil
    from pathlib import Path

    removed = []
    for folder, names in ((Path(results_dir), FULL_RUN_DOCUMENTS),
                          (Path(processed_dir), FULL_RUN_PROCESSED)):
        for name in names:
            path = folder / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            else:
                continue
            removed.append(name)
    return removed
