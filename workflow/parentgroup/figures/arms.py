"""The controlled design's figure: each outcome's mean before and after in both arms (95%
intervals of the means), with the between-arm effect (Morris d_ppc2) in each panel's title.

Drawn from the aggregate tables only (``paired_tests_by_arm``, ``controlled``): no parent is
shown, so the figure discloses nothing a table does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from scipy import stats

from parentgroup.figures.pooled import FIGURE_COLUMNS
from parentgroup.figures.style import (
    DEFAULT_DPI,
    DOUBLE_COLUMN,
    OKABE_ITO,
    FigureRecord,
    figure_style,
    fmt,
    message_panel,
    outcome_label,
    save_figure,
)
from parentgroup.outputs import FIGURE_FORMATS

#: Arm -> (legend label, colour, marker).
ARM_STYLE = {
    "intervention": ("Intervention", OKABE_ITO["blue"], "o"),
    "comparison": ("Comparison", OKABE_ITO["orange"], "s"),
}
ARMS_FIGURE = "arms"


def mean_interval(mean: float, sd: float, n: float, confidence: float = 0.95
                  ) -> tuple[float, float]:
    """The t interval of a mean from its summary: mean +- t_{1-a/2, n-1} sd / sqrt(n).

    >>> [round(x, 3) for x in mean_interval(10, 2, 4)]
    [6.818, 13.182]
    """
    if not n or n < 2 or not math.isfinite(sd):
        return math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


def arms_figure(*, outcome_meta: Mapping[str, Mapping], controlled: pd.DataFrame,
                by_arm: pd.DataFrame) -> tuple[plt.Figure, FigureRecord]:
    """One panel per outcome (config order): mean before and after per arm with 95% CIs."""
    outcomes = list(outcome_meta)
    title = "Before and after in the intervention and comparison arms"
    columns = min(3, max(1, len(outcomes)))
    rows_n = max(1, math.ceil(len(outcomes) / columns))
    fig, axes = plt.subplots(rows_n, columns, figsize=(DOUBLE_COLUMN, 2.3 * rows_n + 0.6),
                             squeeze=False)
    fig.suptitle(title, x=0.01, ha="left")
    effects = controlled.set_index("outcome") if not controlled.empty else pd.DataFrame()
    alt = []
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        meta = outcome_meta[outcome]
        label = outcome_label(meta)
        panel = by_arm[by_arm["outcome"] == outcome] if not by_arm.empty else by_arm
        if panel.empty or pd.to_numeric(panel["n_pairs"]).max() < 2:
            message_panel(ax, "Too few paired scores")
            ax.set_title(label, fontsize=8, loc="left")
            continue
        for offset, (arm, (name, colour, marker)) in zip((-0.04, 0.04), ARM_STYLE.items(),
                                                           strict=True):
            row = panel[panel["arm"] == arm]
            if row.empty:
                continue
            row = row.iloc[0]
            n = float(row["n_pairs"])
            means = [float(row["mean_pre"]), float(row["mean_post"])]
            lows, highs = zip(mean_interval(means[0], float(row["sd_pre"]), n),
                              mean_interval(means[1], float(row["sd_post"]), n), strict=True)
            x = np.array([0, 1]) + offset
            ax.errorbar(x, means, yerr=[np.subtract(means, lows), np.subtract(highs, means)],
                        color=colour, marker=marker, ms=4, capsize=2, lw=1.2,
                        label=f"{name} (n = {int(n)})")
            alt.append(f"{label}, {name.lower()} arm (n = {int(n)}): mean {fmt(means[0])} "
                       f"before, {fmt(means[1])} after")
        ax.set_xticks([0, 1], ["Before", "After"])
        ax.set_xlim(-0.3, 1.3)
        effect = ""
        if outcome in effects.index and pd.notna(effects.loc[outcome, "d_ppc2"]):
            e = effects.loc[outcome]
            effect = (f"\n$d_{{\\mathrm{{ppc2}}}}$ = {fmt(e['d_ppc2'])} "
                      f"[{fmt(e['d_ppc2_ci_low'])}, {fmt(e['d_ppc2_ci_high'])}]")
            alt.append(f"{label}: d_ppc2 {fmt(e['d_ppc2'])}, 95% CI {fmt(e['d_ppc2_ci_low'])} "
                       f"to {fmt(e['d_ppc2_ci_high'])}")
        ax.set_title(label + effect, fontsize=8, loc="left")
        ax.legend(fontsize=6.5, frameon=False, loc="best")
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.tight_layout()
    caption = ("Mean score before and after the group in each arm, with 95% confidence "
               "intervals of the means (parents with both scores). The panel title gives the "
               "between-arm effect size d_ppc2 (Morris 2008) with its 95% CI: the difference in "
               "mean change between the arms over the pooled pre-test SD.")
    return fig, FigureRecord(ARMS_FIGURE, title, caption, "; ".join(alt) + ".")


def draw_arms_figure(*, controlled: pd.DataFrame, by_arm: pd.DataFrame,
                     outcome_meta: Mapping[str, Mapping], out_dir: Path,
                     dpi: int = DEFAULT_DPI, formats=FIGURE_FORMATS) -> pd.DataFrame:
    """Draw ``arms`` into ``out_dir`` (PNG, and SVG/PDF as ``formats`` says) and write its
    ``figures.csv`` row (name, title, caption, alt_text)."""
    out_dir = Path(out_dir)
    with figure_style():
        fig, record = arms_figure(outcome_meta=outcome_meta, controlled=controlled,
                                  by_arm=by_arm)
        save_figure(fig, out_dir, record.name, dpi=dpi, formats=formats)
    table = pd.DataFrame([record.__dict__], columns=FIGURE_COLUMNS)
    table.to_csv(out_dir / "figures.csv", index=False, lineterminator="\n")
    return table
