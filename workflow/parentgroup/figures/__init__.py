"""Publication figures of a site (and the pooled forest plot), all drawn through one style.

:func:`draw_site_figures` draws every figure named by :func:`figure_names` as PNG (300 dpi), SVG
and PDF (config ``figures.formats`` may leave out SVG and PDF), byte-identical across runs, and
writes ``figures.csv`` (name, title, caption, alt_text) beside them. A site without interviews or
attendance still gets every declared figure, showing a message panel instead of a plot.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from parentgroup.disclosure import MIN_CELL_SIZE
from parentgroup.figures.effects import effect_size_figure
from parentgroup.figures.flow import attendance_figure, participant_flow_figure
from parentgroup.figures.joint import joint_display_figure
from parentgroup.figures.outcomes import change_figure, reliable_change_figure
from parentgroup.figures.pooled import FIGURE_COLUMNS, draw_pooled_figures
from parentgroup.figures.retention import retention_figure
from parentgroup.figures.style import (
    DEFAULT_DPI,
    FigureRecord,
    check_pseudonyms,
    figure_style,
    mark_synthetic,
    save_figure,
)
from parentgroup.outputs import (
    FIGURE_FORMATS,
    POOLED_NAMES,
    SITE_FIGURES,
    figure_formats,
    figure_names,
)
from parentgroup.problems import InputError
from parentgroup.workers import forked_map

__all__ = [
    "FIGURE_COLUMNS",
    "POOLED_NAMES",
    "SITE_FIGURES",
    "figure_names",
    "draw_pooled_figures",
    "draw_site_figures",
]

log = logging.getLogger(__name__)

def _frame(table: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if table is None else table


def _check_all_pseudonyms(tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse to draw anything when a participant label is not a pseudonym (every problem in
    every table at once; values are never echoed)."""
    problems = []
    for file, table in tables.items():
        if table.empty or "pseudonym" not in table:
            continue
        try:
            check_pseudonyms(table["pseudonym"], file)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems, context="figure inputs")


_DRAWERS: list = []  # the figures of the current call, inherited by forked workers


def _draw_and_save(index: int, out_dir: Path, dpi: int, formats: tuple[str, ...],
                   synthetic: bool = False) -> FigureRecord:
    drawer = _DRAWERS[index]
    if isinstance(drawer, tuple):  # (drawer, its own folder)
        drawer, out_dir = drawer
    with figure_style():
        fig, record = drawer()
        if synthetic:
            mark_synthetic(fig)
        save_figure(fig, out_dir, record.name, dpi=dpi, formats=formats)
    return record


def _draw_all(drawers: list, out_dir: Path, dpi: int, processes: int,
              formats: tuple[str, ...], synthetic: bool = False) -> list[FigureRecord]:
    """Draw and save every figure, in order, serially or with forked workers (the drawers are
    closures over the site's tables: a forked worker inherits them without pickling). A
    drawer given as ``(drawer, folder)`` saves into its own folder instead of ``out_dir``."""
    _DRAWERS[:] = drawers
    try:
        draw = functools.partial(_draw_and_save, out_dir=out_dir, dpi=dpi, formats=formats,
                                 synthetic=synthetic)
        return forked_map(draw, range(len(drawers)), processes)
    finally:
        _DRAWERS.clear()


def draw_site_figures(
    *,
    scores: pd.DataFrame,
    paired_tests: pd.DataFrame,
    reliable_change: pd.DataFrame,
    participant_flow: pd.DataFrame,
    attendance: pd.DataFrame,
    participants: pd.DataFrame,
    joint_cases: pd.DataFrame,
    theme_presence: pd.DataFrame,
    themes: pd.DataFrame,
    outcome_meta: Mapping[str, Mapping],
    design: str,
    out_dir: Path,
    dpi: int = DEFAULT_DPI,
    processes: int = 1,
    formats=FIGURE_FORMATS,
    synthetic: bool = False,
    min_cell_size: int = MIN_CELL_SIZE,
    retention: pd.DataFrame | None = None,
    journey_dir: Path | None = None,
    completer_min_sessions: int = 6,
) -> pd.DataFrame:
    """Draw every figure of :func:`figure_names` into ``out_dir`` (png, and svg and pdf unless
    ``formats`` leaves them out). With ``synthetic`` every figure says "Synthetic data" in its
    top right corner. No figure has its title drawn in: ``figures.csv`` carries the title and the
    caption, as journals ask.

    With ``processes`` > 1 (the rule's ``threads``) the figures are drawn by that many forked
    worker processes; each figure is drawn and saved by one worker exactly as it would be
    serially, so the files are byte-identical either way.

    ``outcome_meta`` maps outcome id (in config order) to ``label, instrument, scale, scoring,
    direction, range_min, range_max``. The paired pre/post values come from
    ``reliable_change`` (the analysed pairs); ``scores`` is accepted for the contract but the
    figures need nothing from it beyond those pairs. Returns the ``figures.csv`` rows (name,
    title, caption, alt_text) in :func:`figure_names` order, also written to
    ``out_dir/figures.csv``. Counts of parents in the figures and their text follow the one
    disclosure rule with ``min_cell_size`` (config ``analysis.min_cell_size``).

    With ``retention`` (the journey's retention.csv) and ``journey_dir`` the parents' journey
    figure is drawn too, by the same workers, into ``journey_dir``
    (:func:`parentgroup.figures.retention.retention_figure`, dashed line at
    ``completer_min_sessions``); it has its own caption and is not a row of ``figures.csv``.
    One job draws both: a job of its own paid 2-3 s of imports for one figure.
    """
    del scores  # the analysed pairs (reliable_change.csv) carry every value drawn
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paired_tests, reliable_change = _frame(paired_tests), _frame(reliable_change)
    _check_all_pseudonyms({
        "reliable_change.csv": reliable_change, "attendance.csv": _frame(attendance),
        "participants.csv": _frame(participants), "joint_display_cases.csv": _frame(joint_cases),
        "theme_presence.csv": _frame(theme_presence),
    })
    records: list[FigureRecord] = []
    drawers = [
        *(
            (lambda o=outcome: change_figure(outcome=o, meta=outcome_meta[o],
                                             reliable_change=reliable_change,
                                             paired_tests=paired_tests, design=design,
                                             min_cell_size=min_cell_size))
            for outcome in outcome_meta
        ),
        lambda: effect_size_figure(outcome_meta=outcome_meta, paired_tests=paired_tests),
        lambda: reliable_change_figure(outcome_meta=outcome_meta,
                                       reliable_change=reliable_change, design=design,
                                       min_cell_size=min_cell_size),
        lambda: participant_flow_figure(participant_flow=_frame(participant_flow),
                                        min_cell_size=min_cell_size),
        lambda: attendance_figure(attendance=_frame(attendance),
                                  participants=_frame(participants)),
        lambda: joint_display_figure(outcome_meta=outcome_meta, joint_cases=_frame(joint_cases),
                                     theme_presence=_frame(theme_presence),
                                     themes=_frame(themes), min_cell_size=min_cell_size),
    ]
    if retention is not None and journey_dir is not None:
        drawers.append((lambda: retention_figure(
            retention, completer_min_sessions=int(completer_min_sessions)), Path(journey_dir)))
    records = _draw_all(drawers, out_dir, dpi, processes, figure_formats(formats), synthetic)
    if retention is not None and journey_dir is not None:
        journey = records.pop()
        log.info("figure %s written to %s", journey.name, journey_dir)
    names = [r.name for r in records]
    expected = figure_names(list(outcome_meta))
    if names != expected:  # a programming error, not bad input
        raise RuntimeError(f"figures drawn {names} differ from the declared {expected}")
    table = pd.DataFrame([r.__dict__ for r in records], columns=FIGURE_COLUMNS)
    table.to_csv(out_dir / "figures.csv", index=False, lineterminator="\n")
    log.info("%d figures written to %s", len(table), out_dir)
    return table
