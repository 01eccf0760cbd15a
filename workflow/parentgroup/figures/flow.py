"""Participant flow (enrolled -> completers -> questionnaires -> interviews -> quotes, with the
losses beside) and the attendance grid (participants by sessions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle

from parentgroup.disclosure import MIN_CELL_SIZE, flow_count
from parentgroup.figures.style import (
    ABSENT_COLOUR,
    ATTENDED_COLOUR,
    DOUBLE_COLUMN,
    GREY,
    LIGHT_GREY,
    MANY_PARENTS,
    MEAN_COLOUR,
    SINGLE_COLUMN,
    SMALL_FONT_PT,
    FigureRecord,
    check_pseudonyms,
    message_panel,
    wrap,
)

#: The main chain of the participant-flow table, with the box text.
FLOW_STEPS: list[tuple[str, str]] = [
    ("enrolled", "Enrolled"),
    ("attended_min_sessions", "Attended the minimum number of sessions (completers)"),
    ("questionnaires_complete", "Questionnaires complete at both times (analysed)"),
    # then, where an outcome's own n differs, analysed_for_<outcome> rows (the caption lists them)
    ("interviewed", "Interviewed"),
    ("quotes_consented", "Consented to be quoted"),
]


def _count(flow: pd.DataFrame, step: str) -> int | None:
    rows = flow.loc[flow["step"] == step, "n"] if "step" in flow else pd.Series(dtype=int)
    return int(rows.iloc[0]) if len(rows) and pd.notna(rows.iloc[0]) else None


def _detail(flow: pd.DataFrame, step: str) -> str:
    if "detail" not in flow:
        return ""
    rows = flow.loc[flow["step"] == step, "detail"]
    return str(rows.iloc[0]) if len(rows) and pd.notna(rows.iloc[0]) else ""


def participant_flow_figure(*, participant_flow: pd.DataFrame,
                            min_cell_size: int = MIN_CELL_SIZE) -> tuple[plt.Figure, FigureRecord]:
    """Boxes with n for the main chain, arrows between them, losses and exclusions beside.
    Every n is a flow count, shown exactly as in the participant-flow table beside it (the one
    disclosure rule, :mod:`parentgroup.disclosure`; ``min_cell_size`` is accepted for a uniform
    call)."""
    def shown(n: int | None) -> int | str:
        return flow_count(n) if n is not None else "not recorded"

    title = "Participant flow"
    fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN, 4.4))
    if participant_flow.empty or "step" not in participant_flow:
        message_panel(ax, "No participant-flow data at this site")
        text = "No participant-flow data at this site."
        return fig, FigureRecord("participant_flow", title, text, text)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.1, 9.3)
    counts = {step: _count(participant_flow, step) for step, _ in FLOW_STEPS}
    box_x, box_w, box_h = 0.3, 4.6, 1.25
    ys = np.linspace(8.55, 0.55, len(FLOW_STEPS))
    for (step, text), y in zip(FLOW_STEPS, ys, strict=True):
        n = counts[step]
        ax.add_patch(FancyBboxPatch((box_x, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02,rounding_size=0.15",
                                    facecolor="white", edgecolor=MEAN_COLOUR, lw=1.0))
        ax.text(box_x + box_w / 2, y + 0.18, wrap(text, 44), ha="center", va="center",
                fontsize=SMALL_FONT_PT + 0.5)
        ax.text(box_x + box_w / 2, y - 0.36, f"n = {shown(n)}",
                ha="center", va="center", fontsize=9, fontweight="bold")
    for y0, y1 in zip(ys[:-1], ys[1:], strict=True):
        ax.add_patch(FancyArrowPatch((box_x + box_w / 2, y0 - box_h / 2),
                                     (box_x + box_w / 2, y1 + box_h / 2),
                                     arrowstyle="-|>", mutation_scale=9, color=MEAN_COLOUR,
                                     lw=1.0))

    # Losses between consecutive steps (side notes with a connector).
    def side_note(y: float, text: str) -> None:
        ax.annotate(wrap(text, 40), xy=(box_x + box_w / 2, y), xytext=(5.45, y), ha="left",
                    va="center", fontsize=SMALL_FONT_PT + 0.5,
                    bbox={"boxstyle": "round,pad=0.35", "facecolor": LIGHT_GREY,
                          "edgecolor": GREY, "lw": 0.6},
                    arrowprops={"arrowstyle": "-", "color": GREY, "lw": 0.8})

    notes = []
    enrolled, completers = counts["enrolled"], counts["attended_min_sessions"]
    complete, interviewed = counts["questionnaires_complete"], counts["interviewed"]
    consented = counts["quotes_consented"]
    left_early = _count(participant_flow, "left_early")
    if enrolled is not None and completers is not None:
        lost = left_early if left_early is not None else enrolled - completers
        notes.append((0, f"Left early or attended too few sessions: n = {shown(lost)}"))
    if completers is not None and complete is not None:
        notes.append((1, f"Completers without every outcome scored at both times: "
                         f"n = {shown(completers - complete)}"))
    if interviewed is not None and consented is not None:
        notes.append(
            (3, f"Interviewed but did not consent to quotes: n = {shown(interviewed - consented)}")
        )
    for index, text in notes:
        side_note((ys[index] + ys[index + 1]) / 2, text)

    excluded = participant_flow.loc[participant_flow["step"] == "excluded"]
    if len(excluded):
        lines = [f"{wrap(str(d), 46)}: n = {shown(int(n))}"
                 for d, n in zip(excluded["detail"], excluded["n"], strict=True)]
        block = "Recorded exclusions\n" + "\n".join(lines)
    else:
        block = "Recorded exclusions: none"
    ax.text(5.45, (ys[2] + ys[3]) / 2, block, ha="left", va="center", fontsize=SMALL_FONT_PT,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": GREY,
                  "lw": 0.6, "linestyle": "--"})
    fig.tight_layout()
    chain = "; ".join(
        f"{text.split(' (')[0].lower()}: "
        f"{flow_count(counts[step]) if counts[step] is not None else 'n/a'}"
        for step, text in FLOW_STEPS
    )
    per_outcome = participant_flow[participant_flow["step"].astype(str).str.startswith(
        "analysed_for_")]
    analysed = ("only completers with every outcome scored at both times enter the paired "
                "analysis")
    # available cases: an outcome's test has its own n (the row's detail is "label: ...")
    own_n = "; ".join(f"{str(d).split(':')[0]}: n = {shown(int(n))}"
                      for d, n in zip(per_outcome["detail"], per_outcome["n"], strict=True))
    if own_n:
        analysed = (
            "each outcome's paired test uses every completer with both scores on that outcome, "
            "so a parent missing one outcome is analysed on the others; the box counts those "
            f"with every outcome, and the outcomes analysed with another n are {own_n}")
    caption = (
        "Flow of parents through the evaluation. Each box gives the number of parents at that "
        "step; the shaded notes give the parents lost between steps and the dashed box the "
        "exclusions recorded while reading the input files and, per outcome, the completers "
        "whose score is missing (too many items unanswered). Completers attended at least the "
        f"configured minimum number of sessions; {analysed}. Completers: "
        f"{_detail(participant_flow, 'attended_min_sessions')}."
    )
    alt = (f"Participant-flow diagram. {chain}. "
           + " ".join(text + "." for _, text in notes)
           + (f" Analysed per outcome where it differs: {own_n}." if own_n else "")
           + f" {len(excluded)} recorded exclusion reason(s)"
           + (": " + "; ".join(f"{d} (n = {shown(int(n))})" for d, n in
                               zip(excluded["detail"], excluded["n"], strict=True))
              if len(excluded) else "")
           + ".")
    return fig, FigureRecord("participant_flow", title, caption, alt)


def attendance_matrix(attendance: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Participants (rows, sorted) by sessions (columns): 1 attended, 0 absent, NaN no record."""
    ids = set()
    if not participants.empty and "pseudonym" in participants:
        ids |= set(participants["pseudonym"].astype(str))
    if not attendance.empty:
        ids |= set(attendance["pseudonym"].astype(str))
    pseudonyms = sorted(ids)
    check_pseudonyms(pseudonyms, "attendance.csv / participants.csv")
    if attendance.empty:
        return pd.DataFrame(index=pseudonyms)
    table = attendance.assign(
        pseudonym=attendance["pseudonym"].astype(str),
        session=pd.to_numeric(attendance["session"], errors="coerce"),
        attended=pd.to_numeric(attendance["attended"], errors="coerce"),
    ).dropna(subset=["session"])
    matrix = table.pivot_table(index="pseudonym", columns="session", values="attended",
                               aggfunc="max")
    sessions = range(1, int(table["session"].max()) + 1) if len(table) else []
    return matrix.reindex(index=pseudonyms, columns=list(sessions))


def anonymous_rows(matrix: pd.DataFrame) -> pd.DataFrame:
    """The attendance matrix without its codes: rows sorted by sessions attended (most first),
    then by the pattern itself (attended sessions first), numbered 1..n.

    >>> m = pd.DataFrame([[0, 1], [1, 1], [1, 0]], index=["P01", "P02", "P03"], columns=[1, 2])
    >>> anonymous_rows(m).values.tolist(), list(anonymous_rows(m).index)
    ([[1, 1], [1, 0], [0, 1]], [1, 2, 3])
    """
    if matrix.empty:
        return matrix.reset_index(drop=True)
    filled = matrix.fillna(-1)
    order = sorted(range(len(matrix)), key=lambda i: (
        -float(np.nansum(matrix.iloc[i].to_numpy(dtype=float))),
        [-v for v in filled.iloc[i].tolist()]))
    result = matrix.iloc[order].reset_index(drop=True)
    result.index = range(1, len(result) + 1)
    return result


def attendance_figure(
    *, attendance: pd.DataFrame, participants: pd.DataFrame
) -> tuple[plt.Figure, FigureRecord]:
    """Heatmap of attended/absent per participant and session, with each parent's total.

    The rows carry no codes and are sorted by sessions attended (then by the pattern), not by
    pseudonym: facilitators know who came when, so a row labelled with the pseudonym that also
    labels the case-level displays would let them read a named parent's scores (the
    motivated-intruder test). The grid shows attendance only; nothing links a row to any
    other display."""
    title = "Attendance by session"
    matrix = anonymous_rows(attendance_matrix(attendance, participants))
    n_rows = max(len(matrix), 1)
    height = min(max(0.17 * n_rows + 1.5, 2.4), 9.5)
    if matrix.shape[1] == 0 or matrix.notna().sum().sum() == 0:
        fig, ax = plt.subplots(figsize=(SINGLE_COLUMN, 2.4))
        message_panel(ax, "No attendance data at this site")
        text = "No attendance data at this site."
        return fig, FigureRecord("attendance", title, text, text)
    fig, ax = plt.subplots(figsize=(SINGLE_COLUMN, height))
    values = matrix.to_numpy(dtype=float)
    codes = np.where(np.isnan(values), 2, values)  # 0 absent, 1 attended, 2 no record
    cmap = ListedColormap([ABSENT_COLOUR, ATTENDED_COLOUR, "white"])
    many = len(matrix) > MANY_PARENTS  # one image row per parent, no per-row labels
    if many:
        ax.imshow(codes, cmap=cmap, vmin=-0.5, vmax=2.5, aspect="auto", interpolation="nearest",
                  extent=(0, matrix.shape[1], len(matrix), 0))
    else:
        ax.pcolormesh(codes, cmap=cmap, vmin=-0.5, vmax=2.5, edgecolors="white", linewidth=0.8)
        # a second cue beside the colour: absent cells are hatched
        for yy, xx in zip(*np.nonzero(codes == 0), strict=True):
            ax.add_patch(Rectangle((xx + 0.04, yy + 0.04), 0.92, 0.92, facecolor="none",
                                   edgecolor=GREY, hatch="////", lw=0))
        if (codes == 2).any():
            ys, xs = np.nonzero(codes == 2)
            ax.scatter(xs + 0.5, ys + 0.5, marker="x", s=8, color=GREY, lw=0.6)
    ax.set_xticks(np.arange(matrix.shape[1]) + 0.5, [f"{int(s)}" for s in matrix.columns])
    ax.set_yticks([])  # no codes: see the docstring
    if not many:
        ax.invert_yaxis()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Session")
    ax.set_ylabel(f"Parents (n = {len(matrix)}), most sessions first")
    totals = np.nansum(values, axis=1).astype(int)
    n_sessions = matrix.shape[1]
    if not many:
        for row, total in enumerate(totals):
            ax.text(n_sessions + 0.25, row + 0.5, f"{total}/{n_sessions}", va="center",
                    ha="left", fontsize=SMALL_FONT_PT)
        ax.text(n_sessions + 0.25, -0.3, "total", va="bottom", ha="left",
                fontsize=SMALL_FONT_PT, fontweight="bold")
    handles = [Patch(color=ATTENDED_COLOUR, label="attended"),
               Patch(facecolor=ABSENT_COLOUR, edgecolor=GREY, hatch="" if many else "////",
                     lw=0, label="absent")]
    if (codes == 2).any():
        handles.append(Patch(facecolor="white", edgecolor=GREY, label="no record") if many else
                       plt.Line2D([], [], marker="x", color=GREY, ls="none", label="no record"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
               ncol=len(handles), frameon=False, handlelength=1.2, columnspacing=1.0)
    fig.subplots_adjust(left=0.2, right=0.84, top=1 - 0.55 / height, bottom=0.75 / height)
    per_session = np.nanmean(values, axis=0)
    if many:
        caption = (
            f"Attendance of each of the {len(matrix)} parents (one row each, most sessions "
            "first, without codes) at each group session (columns): filled cells attended, grey "
            "cells absent"
            + ("; white cells have no attendance record" if (codes == 2).any() else "") + "."
        )
    else:
        caption = (
            "Attendance of each parent (one row each, most sessions first) at each group "
            "session (columns): filled cells attended, grey hatched cells absent"
            + ("; crosses mark sessions with no attendance record" if (codes == 2).any() else "")
            + ". The right-hand column gives each parent's number of sessions attended. Rows "
            "carry no pseudonyms, so that those who know who came when cannot link a row to "
            "a parent's scores or quotes."
        )
    alt = (
        f"Attendance grid of {len(matrix)} parents by {n_sessions} sessions. Sessions attended "
        f"per parent: median {np.median(totals):g}, range {totals.min()} to {totals.max()}. "
        f"Proportion attending each session ranged from {np.nanmin(per_session):.0%} to "
        f"{np.nanmax(per_session):.0%}."
    )
    return fig, FigureRecord("attendance", title, caption, alt)
