"""Per-outcome change figures: a slopegraph of every parent's pre-to-post change with the mean
and its 95% CI, beside the distribution of the differences; and the reliable-change small
multiples (pre against post with the no-change band)."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from scipy import special

from parentgroup.disclosure import MIN_CELL_SIZE, shown_categories
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
    FigureRecord,
    axis_label,
    check_pseudonyms,
    direction_text,
    fmt,
    fmt_p,
    fmt_plain,
    message_figure,
    message_panel,
    outcome_label,
    time_labels,
    time_words,
    wrap,
)


def _import_seaborn():
    """seaborn, imported without its optional use of ``scipy.stats``.

    seaborn imports ``scipy.stats`` (about 1.2 s, twice seaborn's own import) only for
    ``gaussian_kde``, and falls back to its bundled copy of that class when ``scipy.stats``
    cannot be imported: seaborn supports running without scipy. These figures draw no density
    estimate, so the files are the same either way (``tests/test_figures.py`` checks their bytes
    against a run with ``scipy.stats`` imported first). Where ``scipy.stats`` is already imported
    (a notebook, the test session) seaborn takes it as usual. Saves the import in every figures
    job; the t quantile in :func:`mean_ci` comes from ``scipy.special`` for the same reason.
    """
    if "seaborn" not in sys.modules and "scipy.stats" not in sys.modules:
        sys.modules["scipy.stats"] = None  # makes `from scipy.stats import ...` an ImportError
        try:
            import seaborn
        finally:
            del sys.modules["scipy.stats"]
    import seaborn

    return seaborn


sns = _import_seaborn()

NO_PAIRS = "No paired scores for this outcome at this site"



def outcome_pairs(reliable_change: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The analysed pairs of one outcome: ``pseudonym, pre, post, change, category``, sorted."""
    columns = ["pseudonym", "pre", "post", "change", "category"]
    if reliable_change.empty or "outcome" not in reliable_change:
        return pd.DataFrame(columns=columns)
    rows = reliable_change.loc[reliable_change["outcome"] == outcome].copy()
    rows = rows.dropna(subset=["pre", "post"])
    if "change" not in rows or rows["change"].isna().any():
        rows["change"] = rows["post"] - rows["pre"]
    if "category" not in rows:
        rows["category"] = "not classified"
    rows["category"] = rows["category"].fillna("not classified").astype(str)
    rows["pseudonym"] = check_pseudonyms(rows["pseudonym"], "reliable_change.csv")
    return rows[columns].sort_values("pseudonym", kind="mergesort").reset_index(drop=True)


def tie_counts(values, decimals: int = 9) -> dict[float, int]:
    """Scores shared by more than one parent and how many share each (rounded to ``decimals``
    so that 2.3333333 from two item means counts as one score).

    >>> tie_counts([2.0, 2.0, 3.5, 2.0, 1.0])
    {2.0: 3}
    """
    rounded = pd.Series(np.round(np.asarray(values, dtype=float), decimals)).dropna()
    counts = rounded.value_counts()
    return {float(v): int(k) for v, k in sorted(counts.items()) if k > 1}


def tie_dodge(values, step: float = 0.045, span: float = 0.12, decimals: int = 9
              ) -> np.ndarray:
    """Horizontal offsets (x units) that set tied scores side by side: each group of k equal
    values gets offsets 0, d, ..., (k - 1) d in row order, d = min(step, span / (k - 1)) so a
    group never spreads wider than ``span`` (the means sit beyond it); untied values 0.

    >>> tie_dodge([2.0, 3.0, 2.0, 2.0]).round(3).tolist()
    [0.0, 0.0, 0.045, 0.09]
    >>> float(tie_dodge([1.0] * 7).max())
    0.12
    """
    rounded = np.round(np.asarray(values, dtype=float), decimals)
    sizes = pd.Series(rounded).value_counts().to_dict()
    offsets = np.zeros(len(rounded))
    seen: dict[float, int] = {}
    for i, value in enumerate(rounded):
        k = seen.get(value, 0)
        size = sizes.get(value, 1)
        offsets[i] = k * (min(step, span / (size - 1)) if size > 1 else 0.0)
        seen[value] = k + 1
    return offsets


def swarm_offsets(values, ax, fig, diameter_pt: float = 5.0) -> np.ndarray:
    """Horizontal offsets (data units) of a deterministic beeswarm: points in value order, each
    at the free position closest to the centre (0, then +/- one diameter, ...) at which it
    overlaps no placed point, so tied values lie side by side. Uses the axes' current limits
    and size to convert a point diameter to data units."""
    values = np.asarray(values, dtype=float)
    bbox = ax.get_position()
    width_pt = bbox.width * fig.get_figwidth() * 72
    height_pt = bbox.height * fig.get_figheight() * 72
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    dx = diameter_pt * (x1 - x0) / width_pt
    dy = diameter_pt * (y1 - y0) / height_pt
    placed: list[tuple[float, float]] = []
    offsets = np.zeros(len(values))
    for index in np.argsort(values, kind="stable"):
        y = values[index]
        for step in range(len(values) + 1):
            candidates = [0.0] if step == 0 else [step * dx, -step * dx]
            free = [c for c in candidates
                    if all(((c - px) / dx) ** 2 + ((y - py) / dy) ** 2 >= 0.999
                           for px, py in placed)]
            if free:
                offsets[index] = free[0]
                placed.append((free[0], y))
                break
    return offsets


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t-based confidence interval, ``mean +/- t(1-a/2, n-1) * sd / sqrt(n)``."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan
    # special.stdtrit is the t quantile that scipy.stats.t.ppf calls (see _import_seaborn)
    half = special.stdtrit(n - 1, 0.5 + level / 2) * values.std(ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def _category_counts(categories: pd.Series) -> dict[str, int]:
    counts = categories.value_counts()
    order = [c for c in CATEGORY_ORDER if c in counts.index]
    order += sorted(c for c in counts.index if c not in CATEGORY_STYLE)
    return {c: int(counts[c]) for c in order}


def _style(category: str) -> dict[str, str]:
    return CATEGORY_STYLE.get(category, CATEGORY_STYLE["not classified"])


def _test_row(paired_tests: pd.DataFrame, outcome: str) -> pd.Series | None:
    if paired_tests.empty or "outcome" not in paired_tests:
        return None
    rows = paired_tests.loc[paired_tests["outcome"] == outcome]
    return rows.iloc[0] if len(rows) else None


def _es_name(row: pd.Series | None) -> str:
    if row is None:
        return "d_z"
    return str(row.get("lead_effect_size", "d_z") or "d_z")


def _es_math(name: str) -> str:
    head, _, tail = name.partition("_")
    return f"${head}_{{\\mathrm{{{tail}}}}}$" if tail else f"${head}$"


def change_figure(
    *,
    outcome: str,
    meta: Mapping,
    reliable_change: pd.DataFrame,
    paired_tests: pd.DataFrame,
    design: str,
    min_cell_size: int = MIN_CELL_SIZE,
) -> tuple[plt.Figure, FigureRecord]:
    """Slopegraph (left) and distribution of the differences (right) for one outcome. Counts
    of parents in the legend and the text follow the one disclosure rule
    (:func:`parentgroup.disclosure.shown_categories`)."""
    pairs = outcome_pairs(reliable_change, outcome)
    test = _test_row(paired_tests, outcome)
    label = outcome_label(meta)
    pre_label, post_label = time_labels(design)
    pre_word, post_word = time_words(design)
    direction = str(meta.get("direction", ""))
    fig, (ax, ax_diff) = plt.subplots(
        1, 2, figsize=(DOUBLE_COLUMN, 3.6), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    pre_short, post_short = pre_word.split(" ")[0], post_word.split(" ")[0]
    title = f"{label}: each parent's change from {pre_short} to {post_short}"
    name = f"change_{outcome}"
    if pairs.empty:
        message_panel(ax, NO_PAIRS)
        message_panel(ax_diff, "No differences to show")
        fig.tight_layout()
        text = f"{NO_PAIRS} ({label})."
        return fig, FigureRecord(name, title, text, text)

    n = len(pairs)
    # Left: slopegraph, one line collection and one marker set per category (thousands of
    # parents at a large site stay a few artists; lines fade as they multiply).
    alpha = 0.85 if n <= MANY_PARENTS else max(0.85 * MANY_PARENTS / n, 0.04)
    # tied scores side by side (a deterministic dodge), so that every parent's point shows
    dodge = n <= MANY_PARENTS
    x_pre = -tie_dodge(pairs["pre"]) if dodge else np.zeros(n)
    x_post = 1 + tie_dodge(pairs["post"]) if dodge else np.ones(n)
    for category, group in pairs.groupby("category", sort=True, dropna=False):
        style = _style(category)
        rows = pairs.index.get_indexer(group.index)
        segments = np.stack([np.column_stack([x_pre[rows], group["pre"]]),
                             np.column_stack([x_post[rows], group["post"]])], axis=1)
        # thousands of lines go into SVG/PDF as one image (300 dpi), not thousands of paths
        ax.add_collection(LineCollection(segments, colors=style["color"], linewidths=0.9,
                                         alpha=alpha, zorder=2, rasterized=n > MANY_PARENTS))
        if n <= MANY_PARENTS:
            ax.plot(np.r_[x_pre[rows], x_post[rows]],
                    np.r_[group["pre"], group["post"]], linestyle="none",
                    marker=style["marker"], ms=3.5, color=style["color"], zorder=3,
                    gid="slope-points")
    ax.autoscale_view()
    pre_mean, pre_low, pre_high = mean_ci(pairs["pre"].to_numpy())
    post_mean, post_low, post_high = mean_ci(pairs["post"].to_numpy())
    offset = 0.2  # the means sit outside the parents' points and their tie counts
    ax.plot([-offset, 1 + offset], [pre_mean, post_mean], color=MEAN_COLOUR, lw=2.6, zorder=5)
    ax.errorbar([-offset, 1 + offset], [pre_mean, post_mean],
                yerr=[[pre_mean - pre_low, post_mean - post_low],
                      [pre_high - pre_mean, post_high - post_mean]],
                fmt="s", color=MEAN_COLOUR, ms=6, lw=2.2, capsize=4, capthick=2.2, zorder=6,
                mfc="white", mew=2.0)
    ax.set_xticks([0, 1], [pre_label, post_label])
    ax.set_xlim(-0.45, 1.45)
    low, high = meta.get("range_min"), meta.get("range_max")
    if low is not None and high is not None and low == low and high == high:
        pad = (high - low) * 0.04
        ax.set_ylim(low - pad, high + pad)
    ax.set_ylabel(axis_label(meta, wrap_at=38))
    ax.set_title(f"{n} parents ({direction_text(direction)})", loc="left", fontsize=8,
                 fontweight="normal")

    counts = _category_counts(pairs["category"])
    # the categories partition the n parents shown exactly: the differencing rule too
    shown = shown_categories(len(pairs), counts, min_cell_size=min_cell_size)
    handles = [
        Line2D([], [], color=_style(c)["color"], marker=_style(c)["marker"], ms=4, lw=1,
               label=f"{c} (n = {shown[c]})")
        for c in counts
    ]
    handles.append(Line2D([], [], color=MEAN_COLOUR, marker="s", mfc="white", mew=1.5, ms=5,
                          lw=2.2, label="mean with 95% CI"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.02, -0.12), ncol=2,
              frameon=False, handlelength=1.6, columnspacing=1.0, borderaxespad=0)

    # Right: distribution of the differences.
    order = [c for c in counts]
    palette = {c: _style(c)["color"] for c in order}
    ax_diff.boxplot([pairs["change"].to_numpy()], positions=[0], widths=0.45,
                    orientation="vertical", showfliers=False, patch_artist=True,
                    boxprops={"facecolor": LIGHT_GREY, "edgecolor": GREY, "linewidth": 0.9},
                    medianprops={"color": GREY, "linewidth": 1.2},
                    whiskerprops={"color": GREY, "linewidth": 0.9},
                    capprops={"color": GREY, "linewidth": 0.9}, zorder=1)
    if n <= MANY_PARENTS:  # a beeswarm: tied differences side by side, marker by category
        ax_diff.set_xlim(-0.6, 0.75)
        spread0 = max(abs(pairs["change"]).max(), 1e-9) * 1.25
        ax_diff.set_ylim(-spread0, spread0)
        offsets = swarm_offsets(pairs["change"].to_numpy(), ax_diff, fig, diameter_pt=5.0)
        for category in order:
            mine = (pairs["category"] == category).to_numpy()
            style = _style(category)
            ax_diff.scatter(offsets[mine], pairs["change"].to_numpy()[mine], s=20,
                            marker=style["marker"], color=style["color"], zorder=3,
                            edgecolors="white", linewidths=0.3)
    else:  # a swarm cannot place thousands of dots: a seeded jitter keeps the figure stable
        jitter = np.random.default_rng(20260).uniform(-0.2, 0.2, n)
        ax_diff.scatter(jitter, pairs["change"], s=4, c=[palette[c] for c in pairs["category"]],
                        alpha=max(0.85 * MANY_PARENTS / n, 0.08), linewidths=0, zorder=3,
                        rasterized=True)
    ax_diff.axhline(0, color=MEAN_COLOUR, lw=0.9, ls="--", zorder=0)
    mean_change, low_c, high_c = mean_ci(pairs["change"].to_numpy())
    if test is not None and pd.notna(test.get("change_ci_low")):
        mean_change = float(test.get("mean_change", mean_change))
        low_c, high_c = float(test["change_ci_low"]), float(test["change_ci_high"])
    ax_diff.errorbar([0.42], [mean_change], yerr=[[mean_change - low_c], [high_c - mean_change]],
                     fmt="s", color=MEAN_COLOUR, mfc="white", mew=1.8, ms=5, lw=2, capsize=3,
                     zorder=4)
    ax_diff.set_xlim(-0.6, 0.75)
    ax_diff.set_xticks([])
    ax_diff.set_xlabel("")
    ax_diff.set_ylabel(f"Change ({post_word.split(' ')[0]} {MINUS} {pre_word.split(' ')[0]})")
    spread = max(abs(pairs["change"]).max(), abs(low_c), abs(high_c), 1e-9)
    ax_diff.set_ylim(-spread * 1.25, spread * 1.25)
    ax_diff.text(-0.58, 0, "no change", fontsize=SMALL_FONT_PT, va="bottom", ha="left",
                 color=MEAN_COLOUR)
    ax_diff.set_title("Differences", loc="left", fontsize=8, fontweight="normal")
    es_name = _es_name(test)
    if test is not None:
        es, es_low, es_high = (test.get("lead_es"), test.get("lead_es_ci_low"),
                               test.get("lead_es_ci_high"))
        p = test.get("p_adjusted", test.get("p"))
        summary = (f"mean change {fmt(mean_change)}\n95% CI [{fmt(low_c)}, {fmt(high_c)}]\n"
                   f"{_es_math(es_name)} = {fmt(es)} [{fmt(es_low)}, {fmt(es_high)}]\n"
                   f"{fmt_p(p)}{adjusted_note(test)}")
    else:
        es = es_low = es_high = p = math.nan
        summary = f"mean change {fmt(mean_change)}\n95% CI [{fmt(low_c)}, {fmt(high_c)}]"
    ax_diff.text(0.0, -0.06, summary, transform=ax_diff.transAxes, va="top", ha="left",
                 fontsize=SMALL_FONT_PT + 0.5, linespacing=1.4)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.3, wspace=0.35)

    count_text = ", ".join(f"{shown[c]} {c}" for c in counts)
    moved = shown_categories(len(pairs), {
        "fell": int((pairs["change"] < 0).sum()), "same": int((pairs["change"] == 0).sum()),
        "rose": int((pairs["change"] > 0).sum())}, min_cell_size=min_cell_size)
    caption = (
        f"{label} ({axis_label(meta).split('(', 1)[-1].rstrip(')')}; {direction_text(direction)}). "
        f"Left: each line is one parent's score {pre_word} and {post_word}, coloured by "
        f"reliable-change category (Jacobson-Truax RCI, |RCI| > 1.96); the bold black squares are "
        f"the means with their 95% CIs; parents with the same score are set side by side. "
        f"Right: the {n} differences ({post_word.split(' ')[0]} "
        f"minus {pre_word.split(' ')[0]}; equal differences side by side, markers and colours "
        f"by reliable-change category) with a box plot (median, quartiles) and the mean change "
        f"with its 95% CI; the dashed line marks no change."
    )
    alt = (
        f"Slopegraph of {n} parents' {label} scores from {pre_word} to {post_word}. "
        f"The mean moved from {fmt_plain(pre_mean)} (95% CI {fmt_plain(pre_low)} to "
        f"{fmt_plain(pre_high)}) to {fmt_plain(post_mean)} (95% CI {fmt_plain(post_low)} to "
        f"{fmt_plain(post_high)}); mean change {fmt_plain(mean_change)} "
        f"(95% CI {fmt_plain(low_c)} to {fmt_plain(high_c)})"
        + (f", {es_name} = {fmt_plain(es)} (95% CI {fmt_plain(es_low)} to {fmt_plain(es_high)}), "
           f"{fmt_p(p)}{adjusted_note(test)}" if test is not None else "")
        + f". Reliable change: {count_text}. "
        f"The differences range from {fmt_plain(pairs['change'].min())} to "
        f"{fmt_plain(pairs['change'].max())}, median {fmt_plain(pairs['change'].median())}; "
        f"{moved['fell']} fell, {moved['same']} did not change and {moved['rose']} rose "
        f"({direction_text(direction)})."
    )
    return fig, FigureRecord(name, title, caption, alt)


def adjusted_note(test: pd.Series) -> str:
    """' (holm-adjusted)' when the p value shown is the adjusted one."""
    if pd.isna(test.get("p_adjusted")):
        return ""
    method = test.get("p_adjust_method")
    return f" ({method}-adjusted)" if isinstance(method, str) and method else " (adjusted)"


def reliable_change_band(sd_pre: float, reliability: float, z: float = 1.96) -> float:
    """Half-width of the no-reliable-change band around the identity line, ``z * S_diff``.

    ``SEM = sd_pre * sqrt(1 - r_xx)``, ``S_diff = sqrt(2) * SEM`` (Jacobson & Truax 1991, J
    Consult Clin Psychol 59:12-19). Example: sd_pre = 1, r_xx = 0.8 gives SEM = 0.447,
    S_diff = 0.632 and a band of +/- 1.240.
    """
    if sd_pre != sd_pre or reliability != reliability or reliability >= 1 or reliability < 0:
        return math.nan
    return z * math.sqrt(2.0) * sd_pre * math.sqrt(1.0 - reliability)


def _first(values: pd.Series) -> float:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.iloc[0]) if len(values) else math.nan


def reliable_change_figure(
    *,
    outcome_meta: Mapping[str, Mapping],
    reliable_change: pd.DataFrame,
    design: str,
    min_cell_size: int = MIN_CELL_SIZE,
) -> tuple[plt.Figure, FigureRecord]:
    """Pre against post per outcome (small multiples) with identity line and no-change band
    (counts in the text under :func:`parentgroup.disclosure.shown_categories`)."""
    outcomes = list(outcome_meta)
    title = "Reliable change: pre against post score for each parent"
    if not any(len(outcome_pairs(reliable_change, o)) for o in outcomes):
        fig = message_figure("No paired scores at this site: reliable change cannot be shown",
                             title)
        text = "No paired scores at this site; reliable change could not be shown."
        return fig, FigureRecord("reliable_change", title, text, text)
    ncols = 3 if len(outcomes) > 4 else max(1, min(2, len(outcomes)))
    nrows = max(1, math.ceil(len(outcomes) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(DOUBLE_COLUMN, 2.75 * nrows + 0.7),
                             squeeze=False)
    pre_label, post_label = time_labels(design)
    pre_word, post_word = time_words(design)
    summaries, seen = [], {}
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        meta = outcome_meta[outcome]
        pairs = outcome_pairs(reliable_change, outcome)
        ax.set_title(wrap(outcome_label(meta), 30), loc="left", fontsize=8)
        if pairs.empty:
            message_panel(ax, "No paired scores at this site", width=16)
            ax.set_title(wrap(outcome_label(meta), 30), loc="left", fontsize=8)
            summaries.append(f"{outcome_label(meta)}: no paired scores")
            continue
        rows = reliable_change.loc[reliable_change["outcome"] == outcome]
        band = reliable_change_band(_first(rows.get("sd_pre", pd.Series(dtype=float))),
                                    _first(rows.get("reliability", pd.Series(dtype=float))))
        values = np.concatenate([pairs["pre"].to_numpy(), pairs["post"].to_numpy()])
        span = max(values.max() - values.min(), 1e-9)
        pad = max(span * 0.12, 0 if band != band else band * 0.3)
        lo, hi = values.min() - pad, values.max() + pad
        rmin, rmax = meta.get("range_min"), meta.get("range_max")
        if rmin is not None and rmin == rmin:
            lo = max(lo, rmin - (rmax - rmin) * 0.02)
        if rmax is not None and rmax == rmax:
            hi = min(hi, rmax + (rmax - rmin) * 0.02)
        grid = np.array([lo, hi])
        if band == band:
            ax.fill_between(grid, grid - band, grid + band, color=LIGHT_GREY, zorder=0, lw=0)
        ax.plot(grid, grid, color=MEAN_COLOUR, lw=0.8, ls="--", zorder=1)
        many = len(pairs) > MANY_PARENTS
        for category, group in pairs.groupby("category", sort=True, dropna=False):
            style = _style(category)
            ax.scatter(group["pre"], group["post"], color=style["color"], marker=style["marker"],
                       s=6 if many else 16, zorder=3, linewidth=0 if many else 0.3,
                       edgecolor="none" if many else "white", rasterized=many)
            seen[category] = True
        if not many:  # parents with the same pre and post score share a point: say how many
            same = pairs.assign(pre_r=pairs["pre"].round(9), post_r=pairs["post"].round(9))
            for (x, y), k in same.groupby(["pre_r", "post_r"]).size().items():
                if k > 1:
                    ax.annotate(f"\u00d7{k}", (x, y), xytext=(3, 3), textcoords="offset points",
                                fontsize=SMALL_FONT_PT, color=MEAN_COLOUR, gid="tie-count")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal", adjustable="box")
        scale = axis_label(meta).split("(", 1)[-1].rstrip(")")
        ax.set_xlabel(f"{pre_label.split(' ')[0]} ({scale})")
        ax.set_ylabel(f"{post_label.split(' ')[0]} ({scale})")
        ax.locator_params(nbins=4)
        counts = _category_counts(pairs["category"])
        band_text = f"+/- {fmt_plain(band)}" if band == band else "not available"
        summaries.append(
            f"{outcome_label(meta)}: band {band_text}; "
            + ", ".join(f"{k} {c}" for c, k in shown_categories(
                len(pairs), counts, min_cell_size=min_cell_size).items())
        )
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_axis_off()
    order = [c for c in CATEGORY_ORDER if c in seen] + sorted(c for c in seen
                                                              if c not in CATEGORY_STYLE)
    handles = [
        Line2D([], [], color=_style(c)["color"], marker=_style(c)["marker"], ls="none", ms=4.5,
               label=c)
        for c in order
    ]
    handles += [
        Line2D([], [], color=MEAN_COLOUR, ls="--", lw=0.8, label="no change (post = pre)"),
        plt.Rectangle((0, 0), 1, 1, color=LIGHT_GREY,
                      label=f"change not reliable (within {MINUS}/+1.96 S$_{{diff}}$)"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.07 if nrows > 1 else 0.12, 1, 1), h_pad=1.5)
    caption = (
        f"Each point is one parent: x = score {pre_word}, y = score {post_word}. Points on the "
        "dashed identity line did not change; points outside the grey band changed by more than "
        "1.96 standard errors of the difference (S_diff = sqrt(2) x SD_pre x sqrt(1 - "
        "reliability); Jacobson & Truax 1991) and count as reliable change. Colours and markers "
        "give the reliable-change category; \u00d7k beside a point: k parents share it."
    )
    alt = ("Small-multiple scatter plots of pre against post scores per outcome with the "
           "identity line and the band of no reliable change. " + "; ".join(summaries) + ".")
    return fig, FigureRecord("reliable_change", title, caption, alt)
