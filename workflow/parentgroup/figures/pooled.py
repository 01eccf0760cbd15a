"""Pooled forest plot: every site's d_z with its CI, the random-effects pooled estimate (diamond)
and its prediction interval, one block per outcome."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from parentgroup.figures.style import (
    DEFAULT_DPI,
    DOUBLE_COLUMN,
    GREY,
    MEAN_COLOUR,
    OKABE_ITO,
    SMALL_FONT_PT,
    FigureRecord,
    figure_style,
    figure_x_data_y,
    fmt,
    fmt_plain,
    mark_synthetic,
    message_panel,
    outcome_label,
    save_figure,
)
from parentgroup.outputs import FIGURE_FORMATS

#: Figure-fraction x of the CI column (left edge) and the n / I2 column (right edge).
CI_X, N_X = 0.72, 0.985
FIGURE_COLUMNS = ["name", "title", "caption", "alt_text"]


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


#: tau^2 estimator drawn when meta_analysis.csv holds several (dl, pm, reml), in preference order.
PREFERRED_METHODS = ("reml", "pm", "dl")


def one_method(meta: pd.DataFrame, method: str | None = None) -> pd.DataFrame:
    """The rows of one tau^2 estimator: ``method`` if given, else REML, PM, DL, else the first
    row per outcome (meta_analysis.csv has one row per outcome and method)."""
    if meta.empty or "method" not in meta:
        return meta.drop_duplicates("outcome") if not meta.empty else meta
    available = list(dict.fromkeys(meta["method"].astype(str)))
    chosen = method if method in available else next(
        (m for m in PREFERRED_METHODS if m in available), available[0])
    return meta.loc[meta["method"].astype(str) == chosen].drop_duplicates("outcome")


def _k_text(value) -> str:
    k = _num(value)
    return str(int(k)) if k == k else "n/a"


def pooled_forest_figure(
    *,
    site_tables: Mapping[str, pd.DataFrame],
    meta: pd.DataFrame,
    outcome_meta: Mapping[str, Mapping] | None = None,
    method: str | None = None,
) -> tuple[plt.Figure, FigureRecord]:
    """Forest plot per outcome: sites (square sized by n_pairs), pooled diamond, PI line."""
    title = "Pooled effect sizes across sites (random-effects meta-analysis)"
    outcome_meta = dict(outcome_meta or {})
    outcomes = list(outcome_meta) or ([str(o) for o in meta["outcome"]] if not meta.empty
                                      else [])
    for table in site_tables.values():
        if not table.empty:
            outcomes += [str(o) for o in table["outcome"] if str(o) not in outcomes]
    sites = sorted(site_tables)
    meta = one_method(meta, method)
    meta_rows = meta.set_index("outcome") if not meta.empty else pd.DataFrame()
    rows: list[tuple[str, object]] = []  # (kind, payload) top to bottom
    for outcome in outcomes:
        rows.append(("header", outcome))
        for site in sites:
            rows.append(("site", (outcome, site)))
        rows.append(("pooled", outcome))
    height = 0.19 * len(rows) + 1.3
    fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN, height))
    if not outcomes or not sites:
        message_panel(ax, "No site results to pool")
        text = "No site results to pool."
        return fig, FigureRecord("pooled_forest", title, text, text)

    def label_of(outcome: str) -> str:
        if outcome in outcome_meta:
            return outcome_label(outcome_meta[outcome])
        for table in site_tables.values():
            hit = table.loc[table["outcome"] == outcome] if not table.empty else table
            if len(hit) and "label" in hit:
                return str(hit["label"].iloc[0])
        return outcome

    values = []
    for table in site_tables.values():
        if not table.empty:
            values += list(pd.to_numeric(table.get("d_z_ci_low"), errors="coerce"))
            values += list(pd.to_numeric(table.get("d_z_ci_high"), errors="coerce"))
    if not meta.empty:
        for column in ("pi_low", "pi_high", "ci_low", "ci_high"):
            values += list(pd.to_numeric(meta.get(column), errors="coerce"))
    finite = [v for v in values if v == v and np.isfinite(v)]
    limit = max(1.0, max(abs(v) for v in finite) * 1.08) if finite else 1.0
    max_n = max([_num(t["n_pairs"].max()) for t in site_tables.values()
                 if not t.empty and "n_pairs" in t] + [1.0])
    ax.axvline(0, color=MEAN_COLOUR, lw=0.8, zorder=1)
    y_ticks, y_labels, alt_parts = [], [], []
    columns = figure_x_data_y(fig, ax)
    for index, (kind, payload) in enumerate(rows):
        y = len(rows) - 1 - index
        if kind == "header":
            ax.text(0.01, y, label_of(payload), transform=columns, ha="left", va="center",
                    fontweight="bold", fontsize=8)  # header in data-axis coords
            continue
        if kind == "site":
            outcome, site = payload
            table = site_tables[site]
            hit = table.loc[table["outcome"] == outcome] if not table.empty else table
            y_ticks.append(y)
            y_labels.append(site)
            if not len(hit) or _num(hit["d_z"].iloc[0]) != _num(hit["d_z"].iloc[0]):
                ax.text(0, y, "no estimate", ha="center", va="center", color=GREY,
                        fontsize=SMALL_FONT_PT)
                continue
            d, low, high = (_num(hit[c].iloc[0]) for c in ("d_z", "d_z_ci_low", "d_z_ci_high"))
            n = _num(hit["n_pairs"].iloc[0]) if "n_pairs" in hit else math.nan
            ax.plot([low, high], [y, y], color=MEAN_COLOUR, lw=1.0, zorder=2,
                    solid_capstyle="butt")
            size = 3.0 + 3.0 * math.sqrt((n if n == n else 1) / max_n)
            ax.plot([d], [y], marker="s", ms=size, color=OKABE_ITO["blue"], zorder=3)
            ax.text(CI_X, y, f"{fmt(d)} [{fmt(low)}, {fmt(high)}]", transform=columns,
                    ha="left", va="center", fontsize=SMALL_FONT_PT)
            ax.text(N_X, y, f"{int(n)}" if n == n else "", transform=columns, ha="right",
                    va="center", fontsize=SMALL_FONT_PT)
            continue
        outcome = payload
        y_ticks.append(y)
        y_labels.append("Pooled (RE)")
        if outcome not in meta_rows.index:
            ax.text(0, y, "not pooled", ha="center", va="center", color=GREY,
                    fontsize=SMALL_FONT_PT)
            alt_parts.append(f"{label_of(outcome)}: not pooled")
            continue
        m = meta_rows.loc[outcome]
        est, low, high = _num(m.get("estimate")), _num(m.get("ci_low")), _num(m.get("ci_high"))
        pi_low, pi_high = _num(m.get("pi_low")), _num(m.get("pi_high"))
        if pi_low == pi_low and pi_high == pi_high:
            ax.plot([pi_low, pi_high], [y, y], color=OKABE_ITO["vermillion"], lw=1.2, zorder=2,
                    solid_capstyle="butt")
            ax.plot([pi_low, pi_high], [y, y], marker="|", ms=6, ls="none",
                    color=OKABE_ITO["vermillion"], zorder=2)
        if est == est:
            ax.add_patch(Polygon([(low, y), (est, y + 0.38), (high, y), (est, y - 0.38)],
                                 closed=True, facecolor=MEAN_COLOUR, edgecolor=MEAN_COLOUR,
                                 zorder=4))
        i2 = _num(m.get("i2"))
        i2_text = f"{i2:.0f}%" if i2 == i2 else "n/a"  # meta_analysis.csv: I2 in percent
        ax.text(CI_X, y, f"{fmt(est)} [{fmt(low)}, {fmt(high)}]", transform=columns, ha="left",
                va="center", fontsize=SMALL_FONT_PT, fontweight="bold")
        ax.text(N_X, y, f"I\u00b2 {i2_text}", transform=columns, ha="right", va="center",
                fontsize=SMALL_FONT_PT)
        alt_parts.append(
            f"{label_of(outcome)}: pooled {fmt_plain(est)} (95% CI {fmt_plain(low)} to "
            f"{fmt_plain(high)}; prediction interval {fmt_plain(pi_low)} to "
            f"{fmt_plain(pi_high)}; k = {_k_text(m.get('k_sites'))}; "
            f"I2 = {i2_text})"
        )
    ax.set_yticks(y_ticks, y_labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("Effect size $d_{\\mathrm{z}}$ (post \u2212 pre) with 95% CI")
    ax.text(CI_X, len(rows) - 0.4, "$d_{\\mathrm{z}}$ [95% CI]", transform=columns, ha="left",
            va="bottom", fontweight="bold", fontsize=SMALL_FONT_PT)
    ax.text(N_X, len(rows) - 0.4, "n / I\u00b2", transform=columns, ha="right", va="bottom",
            fontweight="bold", fontsize=SMALL_FONT_PT)
    handles = [
        Line2D([], [], marker="s", color=OKABE_ITO["blue"], ls="-", ms=5,
               label="site (size ~ n)"),
        Polygon([(0, 0)], closed=True, color=MEAN_COLOUR, label="pooled estimate, 95% CI"),
        Line2D([], [], color=OKABE_ITO["vermillion"], lw=1.2, marker="|",
               label="95% prediction interval"),
    ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3,
               frameon=False)
    fig.subplots_adjust(left=0.30, right=0.70, top=1 - 0.5 / height, bottom=0.8 / height)
    method = (str(meta["method"].iloc[0]).upper() if not meta.empty and "method" in meta
              else "random effects")
    caption = (
        f"Effect size d_z (post minus pre) with 95% CI at each of {len(sites)} sites (squares, "
        f"sized by the number of pairs), the pooled random-effects estimate ({method}; diamond, "
        "its width the 95% CI) and the 95% prediction interval for a new site (line under the "
        "diamond). I2 is the share of variability due to between-site heterogeneity."
    )
    alt = (f"Forest plot of {len(outcomes)} outcomes across {len(sites)} sites "
           f"({', '.join(sites)}). " + "; ".join(alt_parts) + ".")
    return fig, FigureRecord("pooled_forest", title, caption, alt)


def draw_pooled_figures(
    site_tables: dict[str, pd.DataFrame],
    meta: pd.DataFrame,
    out_dir: Path,
    *,
    outcome_meta: Mapping[str, Mapping] | None = None,
    method: str | None = None,
    dpi: int = DEFAULT_DPI,
    formats=FIGURE_FORMATS,
    synthetic: bool = False,
) -> pd.DataFrame:
    """Draw the pooled figures (``pooled_forest``) into ``out_dir`` as PNG, and SVG and PDF
    unless ``formats`` leaves them out; with ``synthetic`` (any site synthetic) marked
    "Synthetic data" in a corner.

    ``site_tables`` maps a site key to its ``paired_tests.csv`` (site, outcome, d_z, d_z_ci_low,
    d_z_ci_high, n_pairs); ``meta`` is ``meta_analysis.csv`` (one row per outcome and tau^2
    method; ``method`` picks one, default REML when present). Returns the ``figures.csv`` rows
    (name, title, caption, alt_text), also written to ``out_dir/figures.csv``.
    """
    out_dir = Path(out_dir)
    with figure_style():
        fig, record = pooled_forest_figure(site_tables=site_tables, meta=meta,
                                           outcome_meta=outcome_meta, method=method)
        if synthetic:
            mark_synthetic(fig)
        save_figure(fig, out_dir, record.name, dpi=dpi, formats=formats)
    table = pd.DataFrame([record.__dict__], columns=FIGURE_COLUMNS)
    table.to_csv(out_dir / "figures.csv", index=False, lineterminator="\n")
    return table
