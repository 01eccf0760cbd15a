"""Retention by session: the survival curve of attendance (share of enrolled parents still
coming) with the completer threshold, and the share of attended sessions with lateness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt

from parentgroup.disclosure import is_suppressed
from parentgroup.figures.style import (
    ATTENDED_COLOUR,
    DOUBLE_COLUMN,
    GREY,
    MEAN_COLOUR,
    SMALL_FONT_PT,
    FigureRecord,
    figure_style,
    mark_synthetic,
    save_figure,
)
from parentgroup.outputs import FIGURE_FORMATS

NAME = "retention"


def retention_figure(retention: pd.DataFrame, *, completer_min_sessions: int):
    """Left: the share of enrolled parents retained at each session as a step curve, with a
    dashed vertical line at the completer threshold. Right: the share of attended sessions
    with the parent arriving late, where lateness was recorded. Sessions whose count is
    suppressed by the disclosure rule are not drawn (the table shows "<3")."""
    sessions = retention["session"].to_numpy(dtype=int)
    share = pd.to_numeric(retention["share_retained"], errors="coerce").to_numpy()
    late = pd.to_numeric(retention["share_late"], errors="coerce").to_numpy()
    with figure_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(DOUBLE_COLUMN, 2.6))
        shown = np.isfinite(share)
        left.step(np.r_[0, sessions[shown]], np.r_[1.0, share[shown]], where="post",
                  color=ATTENDED_COLOUR, linewidth=1.6, label="still attending")
        left.axvline(completer_min_sessions, color=MEAN_COLOUR, linestyle="--", linewidth=1,
                     label=f"completer threshold ({completer_min_sessions} sessions)")
        left.set_ylim(0, 1.05)
        left.set_xlim(0, max(sessions.max(initial=1), completer_min_sessions) + 0.5)
        left.set_xlabel("Session")
        left.set_ylabel("Share of enrolled parents")
        left.set_title("Retention by session", loc="left")
        left.legend(frameon=False, fontsize=SMALL_FONT_PT, loc="lower left")
        ok = np.isfinite(late)
        right.bar(sessions[ok], late[ok], color=GREY, width=0.7)
        hidden = retention["late"].map(is_suppressed).to_numpy(dtype=bool)
        for session in sessions[hidden & ~ok]:
            right.text(session, 0.02, str(retention["late"].iloc[int(session) - 1]),
                       ha="center", va="bottom", fontsize=SMALL_FONT_PT, color=GREY)
        right.set_xticks(sessions)
        right.set_xlim(0.4, sessions.max(initial=1) + 0.6)
        right.set_ylim(0, 1.0)
        right.set_xlabel("Session")
        right.set_ylabel("Share of attended sessions late")
        right.set_title("Lateness", loc="left")
        if not ok.any():
            right.text(0.5, 0.5, "lateness not recorded", ha="center", va="center",
                       transform=right.transAxes, fontsize=SMALL_FONT_PT)
        fig.tight_layout()
    retained_last = share[shown][-1] if shown.any() else float("nan")
    record = FigureRecord(
        NAME, "Retention and lateness by session",
        "Left: share of enrolled parents who attended the session or a later one (a survival "
        "curve of attendance); dashed line: the completer threshold. Right: share of attended "
        "sessions at which the parent arrived late, where lateness was recorded; a session "
        "with fewer late parents than the disclosure threshold shows the suppressed count "
        "(\"<3\") instead of a bar.",
        f"Step curve of retention falling from 100% to {retained_last:.0%} by the last "
        "session, with a dashed line at the completer threshold; bars of the share of "
        "late arrivals per session.",
    )
    return fig, record


def draw_retention(retention: pd.DataFrame, out_dir: Path, *, completer_min_sessions: int,
                   formats=FIGURE_FORMATS, synthetic: bool = False) -> FigureRecord:
    """Draw and save the retention figure (``retention.png`` and the other formats); a
    synthetic site's figure says so in a corner."""
    fig, record = retention_figure(retention, completer_min_sessions=completer_min_sessions)
    if synthetic:
        mark_synthetic(fig)
    save_figure(fig, out_dir, NAME, formats=formats)
    return record
