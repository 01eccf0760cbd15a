"""Case-level joint display: the themes present in each parent's interview beside their change
scores and reliable-change category (Fetters, Curry & Creswell 2013; Guetterman et al. 2015)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.colors import to_hex
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from parentgroup.disclosure import MIN_CELL_SIZE, shown_categories, small_count
from parentgroup.figures.style import (
    CATEGORY_ORDER,
    CATEGORY_STYLE,
    DOUBLE_COLUMN,
    GREY,
    LIGHT_GREY,
    MANY_PARENTS,
    MEAN_COLOUR,
    MINUS,
    SMALL_FONT_PT,
    TEXT_GREY,
    THEME_PRESENT_COLOUR,
    FigureRecord,
    check_pseudonyms,
    message_panel,
    outcome_label,
    text_colour_on,
    wrap,
)
from parentgroup.tables import as_bool

NO_INTERVIEWS = "No interview data at this site"



def _lighter(hex_colour: str, amount: float = 0.55) -> tuple[float, float, float]:
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return tuple(rgb + (1 - rgb) * amount)


def _cell_colour(category: str) -> tuple[float, float, float]:
    """The fill of a case-level cell: the category colour, "no reliable change" lightened."""
    colour = CATEGORY_STYLE.get(category, CATEGORY_STYLE["not classified"])["color"]
    return _lighter(colour, 0.0 if category != "no reliable change" else 0.65)


def _change_text(value: float, scoring: str) -> str:
    if value != value:
        return "\u2013"
    digits = 2 if scoring == "mean" else 0
    text = f"{value:+.{digits}f}"
    return text.replace("-", MINUS) if float(text) != 0 else f"{0:.{digits}f}"


def theme_matrix(
    theme_presence: pd.DataFrame, themes: pd.DataFrame, pseudonyms: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Present (1) / absent (0) / not interviewed (NaN) per participant and theme, and the
    theme names in ``themes.csv`` order."""
    theme_ids: list[str] = []
    names: list[str] = []
    if not themes.empty and "theme_id" in themes:
        theme_ids = [str(t) for t in themes["theme_id"]]
        names = [str(n) for n in themes.get("name", themes["theme_id"])]
    if not theme_presence.empty:
        for theme in sorted(set(theme_presence["theme_id"].astype(str)) - set(theme_ids)):
            theme_ids.append(theme)
            names.append(theme)
    matrix = pd.DataFrame(np.nan, index=pseudonyms, columns=theme_ids)
    if not theme_presence.empty:
        presence = theme_presence.assign(
            pseudonym=theme_presence["pseudonym"].astype(str),
            theme_id=theme_presence["theme_id"].astype(str),
            present=as_bool(theme_presence["present"]).astype(float),
        )
        pivot = presence.pivot_table(index="pseudonym", columns="theme_id", values="present",
                                     aggfunc="max")
        interviewed = [p for p in pseudonyms if p in pivot.index]
        matrix.loc[interviewed] = pivot.reindex(index=interviewed, columns=theme_ids).fillna(0)
    return matrix, names


def joint_display_figure(
    *,
    outcome_meta: Mapping[str, Mapping],
    joint_cases: pd.DataFrame,
    theme_presence: pd.DataFrame,
    themes: pd.DataFrame,
    min_cell_size: int = MIN_CELL_SIZE,
) -> tuple[plt.Figure, FigureRecord]:
    """Participants by themes (dots) beside participants by outcomes (change, category);
    counts in the text under :func:`parentgroup.disclosure.small_count`."""
    title = "Joint display: themes in each parent's interview beside their change"
    outcomes = list(outcome_meta)
    ids = set()
    for table in (joint_cases, theme_presence):
        if not table.empty and "pseudonym" in table:
            ids |= set(table["pseudonym"].astype(str))
    pseudonyms = sorted(ids)
    if not joint_cases.empty and "group" in joint_cases:  # grouped as the table (improved first)
        listed = [str(p) for p in joint_cases["pseudonym"]]
        pseudonyms = listed + [p for p in pseudonyms if p not in set(listed)]
    check_pseudonyms(pseudonyms, "joint_display_cases.csv / theme_presence.csv")
    if not pseudonyms:
        fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN, 2.4))
        message_panel(ax, NO_INTERVIEWS + " and no change scores to display")
        text = NO_INTERVIEWS + "; no case-level joint display could be drawn."
        return fig, FigureRecord("joint_display_cases", title, text, text)

    if len(pseudonyms) > MANY_PARENTS:  # one row per parent stops being readable (or drawable)
        message = (f"{len(pseudonyms)} parents: too many rows for a case-level display; every "
                   "row is in joint_display_cases.csv")
        fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN, 2.4))
        message_panel(ax, message, width=60)
        text = (f"The case-level joint display has {len(pseudonyms)} rows, more than the "
                f"{MANY_PARENTS} a figure can show legibly; the table joint_display_cases.csv "
                "holds every parent's change scores, reliable-change categories and themes.")
        return fig, FigureRecord("joint_display_cases", title, text, text)

    matrix, theme_names = theme_matrix(theme_presence, themes, pseudonyms)
    cases = (joint_cases.assign(pseudonym=joint_cases["pseudonym"].astype(str))
             .set_index("pseudonym").reindex(pseudonyms)
             if not joint_cases.empty else pd.DataFrame(index=pseudonyms))
    n = len(pseudonyms)
    n_themes = max(len(theme_names), 1)
    no_interviews = matrix.isna().all().all() or matrix.shape[1] == 0
    if no_interviews:
        n_themes = max(n_themes, 3)
    height = 0.2 * n + 2.6
    fig, (ax_t, ax_o) = plt.subplots(
        1, 2, figsize=(DOUBLE_COLUMN, height), sharey=True,
        gridspec_kw={"width_ratios": [n_themes, len(outcomes) * 1.25], "wspace": 0.06},
    )

    # Left: themes.
    if no_interviews:
        ax_t.set_xlim(0, n_themes)
        ax_t.set_ylim(n, 0)
        ax_t.text(n_themes / 2, n / 2, wrap(NO_INTERVIEWS, 16), ha="center", va="center",
                  fontsize=8, bbox={"boxstyle": "round,pad=0.8", "facecolor": LIGHT_GREY,
                                    "edgecolor": GREY})
        ax_t.set_xticks([])
    else:
        for row, pseudonym in enumerate(pseudonyms):
            for col, theme in enumerate(matrix.columns):
                value = matrix.at[pseudonym, theme]
                if value != value:
                    ax_t.add_patch(Rectangle((col, row), 1, 1, facecolor="white",
                                             edgecolor=LIGHT_GREY, hatch="////", lw=0))
                elif value > 0:
                    ax_t.scatter(col + 0.5, row + 0.5, s=38, color=THEME_PRESENT_COLOUR,
                                 zorder=3)
                else:
                    ax_t.scatter(col + 0.5, row + 0.5, s=6, color=LIGHT_GREY, zorder=3)
        ax_t.set_xlim(0, n_themes)
        ax_t.set_ylim(n, 0)
        ax_t.set_xticks(np.arange(len(theme_names)) + 0.5, [wrap(t, 24) for t in theme_names],
                        rotation=90, ha="left", va="center", rotation_mode="anchor",
                        fontsize=SMALL_FONT_PT)
    ax_t.xaxis.tick_top()
    ax_t.set_yticks(np.arange(n) + 0.5, pseudonyms)
    ax_t.tick_params(length=0)
    for spine in ax_t.spines.values():
        spine.set_visible(False)
    for y in range(n + 1):
        ax_t.axhline(y, color=LIGHT_GREY, lw=0.4, zorder=0)
    ax_t.set_ylabel("Parent (pseudonym)")
    ax_t.set_xlabel("Themes in the interview", labelpad=6)

    # Right: change and category per outcome.
    categories_seen: list[str] = []
    for col, outcome in enumerate(outcomes):
        scoring = str(outcome_meta[outcome].get("scoring", "mean"))
        change_col, cat_col = f"{outcome}_change", f"{outcome}_category"
        for row, pseudonym in enumerate(pseudonyms):
            value = (pd.to_numeric(pd.Series([cases.at[pseudonym, change_col]]),
                                   errors="coerce").iloc[0]
                     if change_col in cases else np.nan)
            category = cases.at[pseudonym, cat_col] if cat_col in cases else np.nan
            marker = None
            if isinstance(category, str) and category:
                face = _cell_colour(category)
                marker = CATEGORY_STYLE.get(category, CATEGORY_STYLE["not classified"])["marker"]
                if category not in categories_seen:
                    categories_seen.append(category)
                text_colour = text_colour_on(face)
            else:
                face, text_colour = "white", TEXT_GREY
            ax_o.add_patch(Rectangle((col, row), 1, 1, facecolor=face, edgecolor="white",
                                     lw=1.0))
            if marker:  # the category's marker: a second cue beside the colour
                ax_o.scatter(col + 0.15, row + 0.5, marker=marker, s=16, color=text_colour,
                             linewidths=0, zorder=3)
            ax_o.text(col + 0.58, row + 0.5, _change_text(value, scoring), ha="center",
                      va="center", fontsize=SMALL_FONT_PT, color=text_colour,
                      gid=f"on-background {to_hex(face)}")
    ax_o.set_xlim(0, len(outcomes))
    ax_o.set_xticks(np.arange(len(outcomes)) + 0.5,
                    [wrap(outcome_label(outcome_meta[o]), 24) for o in outcomes],
                    rotation=90, ha="left", va="center", rotation_mode="anchor",
                    fontsize=SMALL_FONT_PT)
    ax_o.xaxis.tick_top()
    ax_o.tick_params(length=0)
    for spine in ax_o.spines.values():
        spine.set_visible(False)
    ax_o.set_xlabel(f"Change (post {MINUS} pre) and reliable-change category", labelpad=6)
    order = [c for c in CATEGORY_ORDER if c in categories_seen]
    order += sorted(c for c in categories_seen if c not in CATEGORY_STYLE)
    handles = [(Patch(facecolor=_cell_colour(c)),
                Line2D([], [], marker=CATEGORY_STYLE.get(c, CATEGORY_STYLE["not classified"])
                       ["marker"], ls="none", ms=3.5, mew=0,
                       color=text_colour_on(_cell_colour(c))))
               for c in order]
    labels = list(order)
    if not no_interviews:
        handles = [Line2D([], [], marker="o", ls="none", color=THEME_PRESENT_COLOUR, ms=6),
                   Line2D([], [], marker="o", ls="none", color=LIGHT_GREY, ms=2.5)] + handles
        labels = ["theme present", "theme absent"] + labels
        if matrix.isna().any().any():
            handles.insert(2, Patch(facecolor="white", edgecolor=GREY, hatch="////"))
            labels.insert(2, "not interviewed")
    fig.legend(handles=handles, labels=labels, loc="lower center", ncol=min(len(handles), 4),
               frameon=False, bbox_to_anchor=(0.5, 0.0),
               handler_map={tuple: HandlerTuple(ndivide=None, pad=0)})
    if "group" in cases:  # a rule between parents who reliably improved and the others
        groups = [cases.at[p, "group"] if p in cases.index else None for p in pseudonyms]
        for row in range(1, n):
            if groups[row] != groups[row - 1]:
                for ax in (ax_t, ax_o):
                    ax.axhline(row, color=MEAN_COLOUR, lw=1.2, zorder=4)
    fig.subplots_adjust(left=0.09, right=0.99, top=1 - 1.3 / height, bottom=0.75 / height)

    # Text.
    interviewed = [] if no_interviews else [p for p in pseudonyms if matrix.loc[p].notna().any()]
    theme_counts = ([] if no_interviews else
                    [f"{name} {small_count(matrix[t].sum(), min_cell_size)}"
                     for t, name in zip(matrix.columns,
                                                                         theme_names,
                                                                         strict=True)])
    improved_counts = []
    for outcome in outcomes:
        cat_col = f"{outcome}_category"
        if cat_col in cases:
            # the same shown count as reliable_change_summary.csv: the categories partition
            # the outcome's n, so the differencing rule applies here too
            categories = cases[cat_col].dropna().astype(str)
            shown = shown_categories(len(categories), {
                "improved": int((categories == "improved").sum()),
                **{c: int(n) for c, n in categories[categories != "improved"]
                   .value_counts().items()}}, min_cell_size=min_cell_size)
            improved_counts.append(
                f"{outcome_label(outcome_meta[outcome])} {shown['improved']}")
    caption = (
        "Case-level joint display. Left: the themes coded in each parent's interview (large dot "
        "present, small grey dot absent"
        + ("; hatched rows were not interviewed" if matrix.isna().any().any() and not no_interviews
           else "")
        + "). Right: each parent's change on each outcome (post minus pre, printed in the cell) "
        "coloured by reliable-change category. Reading across a row links what a parent said to "
        "how their scores moved."
    )
    alt = (
        f"Grid of {n} parents. "
        + (NO_INTERVIEWS + ". " if no_interviews else
           f"{len(interviewed)} were interviewed; number of parents per theme: "
           + "; ".join(theme_counts) + ". ")
        + ("Parents with reliable improvement per outcome: " + "; ".join(improved_counts) + "."
           if improved_counts else "No change scores available.")
    )
    return fig, FigureRecord("joint_display_cases", title, caption, alt)
