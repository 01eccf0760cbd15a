"""Forest plot of the lead effect size across outcomes, each marked with its direction of
improvement (PRFQ pre-mentalizing improves downward; certainty about mental states is
mid-range optimal)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.lines import Line2D

from parentgroup.figures.style import (
    DOUBLE_COLUMN,
    GREY,
    MEAN_COLOUR,
    MID_OPTIMAL_TEXT,
    OKABE_ITO,
    SMALL_FONT_PT,
    FigureRecord,
    direction_text,
    figure_x_data_y,
    fmt,
    fmt_p,
    fmt_plain,
    improvement_marker,
    message_panel,
    outcome_label,
)

#: Figure-fraction x of the label column (right edge), the CI column and the p column.
LABEL_X, CI_X, P_X = 0.34, 0.72, 0.985

#: Filled marker when the (adjusted) p value is below this.
ALPHA = 0.05


def es_symbol(name: str) -> str:
    """Mathtext of an effect-size name: d_z -> $d_{\\mathrm{z}}$."""
    head, _, tail = name.partition("_")
    return f"${head}_{{\\mathrm{{{tail}}}}}$" if tail else f"${head}$"


def effect_size_figure(
    *, outcome_meta: Mapping[str, Mapping], paired_tests: pd.DataFrame
) -> tuple[plt.Figure, FigureRecord]:
    """Forest plot of ``lead_es`` with ``lead_es_ci_low/high`` per outcome, in config order."""
    outcomes = list(outcome_meta)
    rows = (
        paired_tests.set_index("outcome").reindex(outcomes)
        if not paired_tests.empty and "outcome" in paired_tests
        else pd.DataFrame(index=outcomes)
    )
    es_name = "d_z"
    if "lead_effect_size" in rows and rows["lead_effect_size"].notna().any():
        es_name = str(rows["lead_effect_size"].dropna().iloc[0])
    title = f"Effect sizes ({es_name}) of the change on each outcome"
    height = 0.42 * len(outcomes) + 1.35
    fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN, height))
    if "lead_es" not in rows or rows["lead_es"].isna().all():
        message_panel(ax, "No effect sizes at this site (no paired scores)")
        fig.tight_layout()
        text = "No effect sizes could be computed at this site (no paired scores)."
        return fig, FigureRecord("effect_sizes", title, text, text)

    y = np.arange(len(outcomes))[::-1]
    lows = pd.to_numeric(rows.get("lead_es_ci_low"), errors="coerce")
    highs = pd.to_numeric(rows.get("lead_es_ci_high"), errors="coerce")
    es = pd.to_numeric(rows["lead_es"], errors="coerce")
    p_col = "p_adjusted" if "p_adjusted" in rows and rows["p_adjusted"].notna().any() else "p"
    pvals = pd.to_numeric(rows.get(p_col), errors="coerce")
    finite = pd.concat([lows, highs, es]).dropna()
    limit = max(1.0, float(np.abs(finite).max()) * 1.1) if len(finite) else 1.0
    ax.axvspan(-0.2, 0.2, color="#F2F2F2", zorder=0, lw=0)
    ax.axvline(0, color=MEAN_COLOUR, lw=0.9, zorder=1)
    for ref in (-0.8, -0.5, 0.5, 0.8):
        if abs(ref) < limit:
            ax.axvline(ref, color=GREY, lw=0.5, ls=":", zorder=1)
    alt_parts = []
    for yi, outcome in zip(y, outcomes, strict=True):
        meta = outcome_meta[outcome]
        value, low, high, p = es[outcome], lows[outcome], highs[outcome], pvals[outcome]
        direction = str(meta.get("direction", ""))
        label = outcome_label(meta)
        if value != value:
            ax.text(0, yi, "not estimable", ha="center", va="center", fontsize=SMALL_FONT_PT,
                    color=GREY)
            alt_parts.append(f"{label}: not estimable")
            continue
        significant = p == p and p < ALPHA
        ax.plot([low, high], [yi, yi], color=MEAN_COLOUR, lw=1.6, zorder=2,
                solid_capstyle="butt")
        ax.plot([value], [yi], marker="D", ms=6.5, zorder=3, color=MEAN_COLOUR,
                mfc=MEAN_COLOUR if significant else "white", mew=1.4)
        columns = figure_x_data_y(fig, ax)
        ax.text(LABEL_X, yi + 0.13, label, transform=columns, ha="right", va="center")
        marker = improvement_marker(direction)
        # both pass WCAG AA on white (5.2:1 and 5.6:1); Okabe-Ito purple itself is 2.9:1
        colour = OKABE_ITO["blue"] if direction != "mid_optimal" else MID_OPTIMAL_TEXT
        ax.text(LABEL_X, yi - 0.22, marker, transform=columns, ha="right", va="center",
                fontsize=SMALL_FONT_PT, color=colour, style="italic")
        ax.text(CI_X, yi, f"{fmt(value)} [{fmt(low)}, {fmt(high)}]", transform=columns,
                ha="left", va="center", fontsize=SMALL_FONT_PT + 0.5)
        ax.text(P_X, yi, fmt_p(p).replace("p ", "", 1).replace("= ", ""), transform=columns,
                ha="right", va="center", fontsize=SMALL_FONT_PT + 0.5)
        alt_parts.append(
            f"{label} {es_name} = {fmt_plain(value)} (95% CI {fmt_plain(low)} to "
            f"{fmt_plain(high)}, {'adjusted ' if p_col == 'p_adjusted' else ''}{fmt_p(p)}; "
            f"{direction_text(direction)})"
        )
    columns = figure_x_data_y(fig, ax)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.6, len(outcomes) - 0.3)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel(f"Effect size {es_symbol(es_name)} (post {chr(0x2212)} pre) with 95% CI")
    ax.text(CI_X, len(outcomes) - 0.45, f"{es_symbol(es_name)} [95% CI]", transform=columns,
            ha="left", va="bottom", fontsize=SMALL_FONT_PT + 0.5, fontweight="bold")
    ax.text(P_X, len(outcomes) - 0.45, "p (adj.)" if p_col == "p_adjusted" else "p",
            transform=columns, ha="right", va="bottom", fontsize=SMALL_FONT_PT + 0.5,
            fontweight="bold")
    handles = [
        Line2D([], [], marker="D", color=MEAN_COLOUR, ls="none", ms=5,
               label=f"{'adjusted ' if p_col == 'p_adjusted' else ''}p < .05"),
        Line2D([], [], marker="D", color=MEAN_COLOUR, mfc="white", ls="none", ms=5,
               label=f"{'adjusted ' if p_col == 'p_adjusted' else ''}p \u2265 .05"),
        plt.Rectangle((0, 0), 1, 1, color="#F2F2F2", label="|effect| < 0.2 (negligible)"),
        Line2D([], [], color=GREY, ls=":", lw=0.8, label="\u00b10.5, \u00b10.8"),
    ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=4,
               frameon=False, columnspacing=1.2)
    fig.subplots_adjust(left=0.36, right=0.70, top=1 - 0.55 / height, bottom=0.95 / height)
    method = (rows["p_adjust_method"].dropna().astype(str) if "p_adjust_method" in rows
              else pd.Series(dtype=str))
    adjusted_word = ""
    if p_col == "p_adjusted":
        adjusted_word = f"{method.iloc[0]}-adjusted " if len(method) else "adjusted "
    caption = (
        f"Standardised mean change ({es_name}, post minus pre) with its 95% confidence interval "
        "for each outcome. Under each outcome name, the arrow shows which direction along the x "
        "axis is an improvement on that scale (certainty about mental states is mid-range "
        f"optimal, so neither direction is an improvement). Filled diamonds: "
        f"{adjusted_word}p < .05. The shaded band marks "
        "negligible effects (|effect| < 0.2); dotted lines mark 0.5 and 0.8."
    )
    alt = f"Forest plot of {es_name} for {len(outcomes)} outcomes. " + "; ".join(alt_parts) + "."
    return fig, FigureRecord("effect_sizes", title, caption, alt)
