"""The paired (pre/post) analysis of each outcome: t test, Wilcoxon signed-rank test, effect sizes
with intervals, bootstrap intervals, multiplicity adjustment and an APA-style sentence.

Change is always ``post - pre``. Time labels map onto roles by design (docs/data-contracts.md):
retrospective then->pre, now->post; prospective pre->pre, post->post; three_timepoint then->pre,
post->post, pre->baseline. The main analysis uses completers only.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from parentgroup.analysis.effect_sizes import (
    LEAD_EFFECT_SIZES,
    bca_intervals,
    hedges_correction,
    matched_pairs_rank_biserial,
    paired_effect_sizes,
    rank_ready_differences,
)
from parentgroup.formatting import p_relation as apa_p  # the package's one p formatter
from parentgroup.problems import InputProblem, data_row, raise_if_errors
from parentgroup.tables import as_bool

log = logging.getLogger(__name__)

#: Time label -> analysis role, per design.
TIME_ROLES: dict[str, dict[str, str]] = {
    "retrospective": {"then": "pre", "now": "post"},
    "prospective": {"pre": "pre", "post": "post"},
    "three_timepoint": {"then": "pre", "post": "post", "pre": "baseline"},
}

#: Direction of improvement -> sign of an improving change (post - pre).
DIRECTION_SIGN = {"lower_better": -1, "higher_better": 1, "mid_optimal": 0}

PAIRED_TESTS_COLUMNS = [
    "outcome", "label", "instrument", "scale", "scoring", "direction", "n_pairs", "n_dropped",
    "mean_pre", "sd_pre", "mean_post", "sd_post", "r_pre_post", "mean_change", "change_ci_low",
    "change_ci_high", "t", "df", "p", "p_adjusted", "p_adjust_method", "alternative", "d_z",
    "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low", "d_av_ci_high", "d_rm", "g_av", "cles",
    "wilcoxon_w", "wilcoxon_p", "wilcoxon_method", "rank_biserial", "shapiro_w", "shapiro_p",
    "boot_change_ci_low", "boot_change_ci_high", "boot_d_z_ci_low", "boot_d_z_ci_high",
    "lead_effect_size", "lead_es", "lead_es_ci_low", "lead_es_ci_high", "power_min_d_z_80",
    "improved_direction_sign", "note", "apa",
]

P_ADJUST_NAMES = {
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "fdr_bh": "Benjamini-Hochberg",
    "none": "unadjusted",
}

NOTE_FEWER_THAN_3 = "fewer than 3 pairs"
NOTE_ALL_EQUAL = "all differences equal"
NOTE_NO_DATA = "no data for this outcome"
NOTE_MID_ONE_SIDED = (
    "one-sided test not defined for a mid-range optimal scale; two-sided test reported"
)
NOTE_MID_OPTIMAL = "mid-range optimal: a change in either direction is not in itself improvement"


# --------------------------------------------------------------------------------------------
# Data shaping
# --------------------------------------------------------------------------------------------


def analysis_settings(config: Mapping) -> dict:
    """The config's ``analysis`` block with the schema defaults filled in."""
    analysis = dict(config.get("analysis") or {})
    boot = dict(analysis.get("bootstrap") or {})
    rc = dict(analysis.get("reliable_change") or {})
    return {
        "confidence_level": float(analysis.get("confidence_level", 0.95)),
        "alternative": analysis.get("alternative", "two-sided"),
        "lead_effect_size": analysis.get("lead_effect_size", "d_z"),
        "p_adjust": analysis.get("p_adjust", "holm"),
        "n_resamples": int(boot.get("n_resamples", 5000)),
        "seed": int(boot.get("seed", 20260321)),
        "reliability_source": rc.get("reliability_source", "sample_alpha"),
        "published": dict(rc.get("published") or {}),
        "min_cell_size": int(analysis.get("min_cell_size", 3)),
        "early_leavers_in_tables": bool(analysis.get("early_leavers_in_tables", False)),
    }


def outcome_scores(
    scores: pd.DataFrame, outcome: Mapping, design: str, file: str = "scores.csv"
) -> pd.DataFrame:
    """One row per pseudonym with the outcome's score in each role (pre, post[, baseline]).

    Rows of other instruments/scales/scorings, or of time labels the design does not use, are
    ignored. Two scores for one pseudonym, time and scale are an :class:`InputError`.
    """
    roles = TIME_ROLES[design]
    scoring = outcome.get("scoring", "mean")
    rows = scores[
        (scores["instrument"].astype(str) == str(outcome["instrument"]))
        & (scores["scale"].astype(str) == str(outcome["scale"]))
        & (scores["scoring"].astype(str) == str(scoring))
    ]
    rows = rows[rows["time"].astype(str).isin(roles)]
    duplicated = rows.duplicated(["pseudonym", "time"], keep="first")
    if duplicated.any():
        raise_if_errors(
            [
                InputProblem(
                    file, data_row(i), "time", rows.loc[i, "time"],
                    f"one {outcome['instrument']} {outcome['scale']} score per pseudonym and time",
                )
                for i in rows.index[duplicated]
            ],
            context="scores",
        )
    columns = [r for r in ("pre", "post", "baseline") if r in roles.values()]
    if rows.empty:
        return pd.DataFrame(columns=["pseudonym", *columns]).astype({"pseudonym": str})
    wide = (
        rows.assign(
            role=rows["time"].astype(str).map(roles),
            score=pd.to_numeric(rows["score"], errors="coerce"),
        )
        .pivot(index="pseudonym", columns="role", values="score")
        .reindex(columns=columns)
        .reset_index()
    )
    wide.columns.name = None
    wide["pseudonym"] = wide["pseudonym"].astype(str)
    return wide.sort_values("pseudonym", ignore_index=True)


def completer_pseudonyms(participants: pd.DataFrame) -> list[str]:
    """Sorted pseudonyms of completers (``participants.completer`` true)."""
    mask = as_bool(participants["completer"])
    return sorted(participants.loc[mask, "pseudonym"].astype(str))


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def alternative_for_direction(requested: str, direction: str) -> tuple[str, str]:
    """The scipy ``alternative`` of one outcome and a note.

    ``requested`` is config analysis.alternative: "greater"/"less" name the direction of the
    change for scales that improve upward, so for a lower_better scale they are mirrored; a
    mid_optimal scale has no direction of improvement and is tested two-sided.

    >>> alternative_for_direction("greater", "lower_better")
    ('less', '')
    """
    if requested == "two-sided":
        return "two-sided", ""
    if direction == "mid_optimal":
        return "two-sided", NOTE_MID_ONE_SIDED
    if direction == "lower_better":
        return {"greater": "less", "less": "greater"}[requested], ""
    return requested, ""


#: Largest number of pairs whose Wilcoxon p is exact (every sign pattern counted); above it the
#: normal approximation. The count takes O(n^3) steps, a millisecond at n = 50.
WILCOXON_EXACT_MAX_N = 50


def signed_rank_null_counts(ranks: np.ndarray) -> np.ndarray:
    """The exact sign-flip null distribution of R+ for these (mid-)ranks.

    Under H0 every one of the 2^n patterns of signs on the ranks is equally likely, ties and all
    (the permutation distribution of the signed-rank statistic, counted by the shift algorithm
    of Streitberg & Röhmel 1986). Mid-ranks are multiples of 1/2, so the distribution is counted on
    2 x R+: element j of the result is the number of sign patterns with R+ = j / 2, by the
    generating function prod_i (1 + x^(2 r_i)) built one rank at a time. Integer counts, so the
    p values are exact ratios count / 2^n, the same on every run.

    >>> signed_rank_null_counts(np.array([1.0, 2.0])).tolist()  # R+ = 0, 1, 2, 3: one way each
    [1, 0, 1, 0, 1, 0, 1]
    """
    doubled = np.rint(2 * np.asarray(ranks, dtype=float)).astype(np.int64)
    counts = np.zeros(int(doubled.sum()) + 1, dtype=np.int64)
    counts[0] = 1
    for r in doubled:
        shifted = counts.copy()
        shifted[r:] += counts[: counts.size - r]
        counts = shifted
    return counts


def wilcoxon_signed_rank(
    diff: np.ndarray, *, alternative: str = "two-sided", zero_method: str = "wilcox"
) -> tuple[float, float, str]:
    """Wilcoxon signed-rank test of the differences: (W, p, description of the method).

    The differences are first rounded to 9 decimals
    (:func:`~parentgroup.analysis.effect_sizes.rank_ready_differences`): scale scores are
    ratios of small integers, and without the rounding floating-point noise splits true ties
    (4.1667 - 3.5 against 29/6 - 25/6) and changes the ranks, W and p.

    Zero differences are dropped (``zero_method="wilcox"``) or ranked then dropped (``"pratt"``,
    Pratt 1959); ``"zsplit"`` gives half of each zero's rank to R+ and half to R-. Tied |D| share
    their mid-rank. For a two-sided test W = min(R+, R-); for a one-sided test W = R+ (scipy's
    convention).

    p: with n <= :data:`WILCOXON_EXACT_MAX_N` (50) pairs, exact, from the sign-flip distribution
    of R+ over all 2^n' sign patterns of the n' non-zero differences with their (mid-)ranks
    (:func:`signed_rank_null_counts`), so ties and zeros are handled exactly, not by the normal
    approximation (at n = 12 with ties, W = 0 has exact p = 2/4096 = .00049; the normal
    approximation gives .0022). Two-sided p = 2 min(P(R+ <= obs), P(R+ >= obs)), at most 1 (the
    distribution is symmetric). Without ties and zeros this is scipy's exact distribution. Above
    50 pairs: the normal approximation with the tie- and zero-corrected variance and no
    continuity correction (``scipy.stats.wilcoxon(method="asymptotic")``).

    >>> wilcoxon_signed_rank(np.array([1.0, 2, 3, 4, 5, 6]))[1]
    0.03125
    >>> w, p, _ = wilcoxon_signed_rank(np.array([-1.0] * 6 + [-2.0] * 6))
    >>> w, p == 2 / 4096
    (0.0, True)
    """
    if zero_method not in ("wilcox", "pratt", "zsplit"):
        raise ValueError(f"zero_method must be wilcox, pratt or zsplit, not {zero_method!r}")
    diff = rank_ready_differences(diff)
    n = diff.size
    zero = diff == 0
    n_zero = int(zero.sum())
    if n == 0 or n_zero == n:
        return math.nan, math.nan, "not computed (no non-zero differences)"
    ties = np.unique(np.abs(diff[~zero])).size < n - n_zero
    # scipy.stats and statsmodels on first use (here and below): the report's notebook imports
    # this module for its settings and never tests anything (1.5 s of its kernel's start)
    from scipy import stats

    why = []
    if n_zero:
        why.append(f"{n_zero} zero difference(s)")
    if ties:
        why.append("tied differences")
    if n > WILCOXON_EXACT_MAX_N:
        res = stats.wilcoxon(diff, zero_method=zero_method, alternative=alternative,
                             method="asymptotic")
        why.insert(0, f"n > {WILCOXON_EXACT_MAX_N}")
        text = (
            f"normal approximation, tie-corrected, no continuity correction "
            f"(zero_method={zero_method}; {', '.join(why)})"
        )
        return float(res.statistic), float(res.pvalue), text
    if zero_method == "wilcox":
        ranks = stats.rankdata(np.abs(diff[~zero]))
        signs = diff[~zero]
        offset = 0.0
    else:
        all_ranks = stats.rankdata(np.abs(diff))
        ranks, signs = all_ranks[~zero], diff[~zero]
        offset = float(all_ranks[zero].sum()) / 2 if zero_method == "zsplit" else 0.0
    r_plus = float(ranks[signs > 0].sum()) + offset
    r_minus = float(ranks[signs < 0].sum()) + offset
    counts = signed_rank_null_counts(ranks)
    patterns = 2 ** int(ranks.size)
    observed = int(round(2 * (r_plus - offset)))
    p_low = int(counts[: observed + 1].sum()) / patterns    # P(R+ <= observed)
    p_high = int(counts[observed:].sum()) / patterns        # P(R+ >= observed)
    if alternative == "two-sided":
        w, p = min(r_plus, r_minus), min(1.0, 2.0 * min(p_low, p_high))
    elif alternative == "greater":
        w, p = r_plus, p_high
    elif alternative == "less":
        w, p = r_plus, p_low
    else:
        raise ValueError(f"alternative must be two-sided, greater or less, not {alternative!r}")
    text = f"exact (zero_method={zero_method})"
    if why:
        text = (f"exact, sign-flip distribution over all 2^{ranks.size} sign patterns with "
                f"mid-ranks (zero_method={zero_method}; {', '.join(why)})")
    return float(w), float(p), text


def adjust_p_values(p_values: list[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Multiplicity-adjusted p values across the outcome family.

    ``statsmodels.stats.multitest.multipletests`` with holm (Holm 1979), bonferroni or fdr_bh
    (Benjamini & Hochberg 1995); ``none`` returns the raw p. Missing p values stay missing and do
    not count towards the family.

    >>> adjust_p_values([0.01, 0.04, np.nan, 0.03]).round(2).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if method == "none" or not ok.any():
        out[ok] = p[ok]
        return out
    from statsmodels.stats.multitest import multipletests

    out[ok] = multipletests(p[ok], method=method)[1]
    return out


def minimum_detectable_d_z(n: int, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest d_z a two-sided paired t test with ``n`` pairs detects with ``power``.

    ``statsmodels.stats.power.TTestPower().solve_power`` (noncentral t, df = n - 1). NaN for
    n < 3.

    >>> round(minimum_detectable_d_z(12), 2)
    0.89
    """
    if n < 3:
        return math.nan
    from statsmodels.stats.power import TTestPower

    return float(
        TTestPower().solve_power(
            effect_size=None, nobs=n, alpha=alpha, power=power, alternative="two-sided"
        )
    )


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def apa_number(x: float, decimals: int = 2) -> str:
    """A number rounded for prose ("-0.00" becomes "0.00")."""
    text = f"{x:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def apa_sentence(row: Mapping, confidence: float = 0.95) -> str:
    """One APA-style sentence reporting an outcome's paired test from its row of numbers."""
    label = row["label"]
    n = int(row["n_pairs"])
    if n == 0:
        return f"{label}: no pairs of scores; not tested."
    if n < 3:
        return f"{label}: fewer than 3 pairs (n = {n}); not tested."
    pre = f"M = {apa_number(row['mean_pre'])} (SD = {apa_number(row['sd_pre'])})"
    post = f"M = {apa_number(row['mean_post'])} (SD = {apa_number(row['sd_post'])})"
    change = row["mean_change"]
    verb = "increased" if change > 0 else "decreased" if change < 0 else "did not change"
    if NOTE_ALL_EQUAL in str(row["note"]):
        return (
            f"{label} {verb} from {pre} to {post}; every participant changed by "
            f"{apa_number(change)}, so the t test is undefined (n = {n})."
        )
    sided = "" if row["alternative"] == "two-sided" else "one-sided "
    text = (
        f"{label} {verb} from {pre} to {post}, t({int(row['df'])}) = {apa_number(row['t'])}, "
        f"{sided}p {apa_p(row['p'])}"
    )
    if row["p_adjust_method"] != "none" and math.isfinite(row["p_adjusted"]):
        name = P_ADJUST_NAMES.get(row["p_adjust_method"], row["p_adjust_method"])
        text += f" ({name}-adjusted p {apa_p(row['p_adjusted'])})"
    lead = row["lead_effect_size"]
    text += f", {lead} = {apa_number(row['lead_es'])}"
    if math.isfinite(row["lead_es_ci_low"]):
        text += (
            f", {round(confidence * 100):d}% CI [{apa_number(row['lead_es_ci_low'])}, "
            f"{apa_number(row['lead_es_ci_high'])}]"
        )
    if row["direction"] == "mid_optimal":
        text += "; the scale is mid-range optimal, so neither direction is in itself improvement"
    return text + "."


# --------------------------------------------------------------------------------------------
# One outcome and the family
# --------------------------------------------------------------------------------------------


def paired_outcome_row(
    pre: np.ndarray,
    post: np.ndarray,
    *,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    lead_effect_size: str = "d_z",
    n_resamples: int = 5000,
    seed: int = 20260321,
    zero_method: str = "wilcox",
) -> dict:
    """Every statistic of one pre/post comparison (complete pairs only), as a dict of columns.

    - mean change (post - pre) with its t interval M +/- t_{n-1, 1-alpha/2} SD_diff / sqrt(n);
    - paired t = M_diff / (SD_diff / sqrt(n)), df = n - 1, p from ``scipy.stats.ttest_rel``;
    - effect sizes from :func:`parentgroup.analysis.effect_sizes.paired_effect_sizes`;
    - Wilcoxon signed-rank test (:func:`wilcoxon_signed_rank`) and the matched-pairs
      rank-biserial correlation (Kerby 2014);
    - Shapiro-Wilk on the differences (n >= 3);
    - BCa bootstrap intervals of the mean change and d_z;
    - the smallest d_z detectable at 80% power (two-sided alpha .05).

    Intervals are two-sided at ``confidence`` even when the test is one-sided. The CI of g_av is
    the d_av interval times the same correction; d_rm has no interval here.
    The p adjustment, labels and the sentence are added by :func:`paired_tests`.
    """
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    n = pre.size
    nan = math.nan
    es = paired_effect_sizes(pre, post, confidence)
    diff = post - pre
    notes: list[str] = []
    row = {
        "n_pairs": n,
        "mean_pre": es.mean_pre, "sd_pre": es.sd_pre, "mean_post": es.mean_post,
        "sd_post": es.sd_post, "r_pre_post": es.r_pre_post, "mean_change": es.mean_change,
    }
    blank = dict.fromkeys(
        [c for c in PAIRED_TESTS_COLUMNS if c not in row and c not in ("note", "apa")], nan
    )
    blank.update(alternative=alternative, wilcoxon_method="", lead_effect_size=lead_effect_size)
    if n < 3:
        notes.append(NOTE_NO_DATA if n == 0 else NOTE_FEWER_THAN_3)
        return {**blank, **row, "df": float(n - 1) if n else nan, "note": "; ".join(notes)}
    if es.sd_pre == 0 or es.sd_post == 0:
        notes.append("no variation at pre or post; r undefined")
    row.update(
        d_av=es.d_av, d_av_ci_low=es.d_av_ci_low, d_av_ci_high=es.d_av_ci_high, d_rm=es.d_rm,
        g_av=es.g_av, df=es.df,
    )
    if es.sd_change == 0:
        notes.append(NOTE_ALL_EQUAL)
        row.update(change_ci_low=es.mean_change, change_ci_high=es.mean_change)
    else:
        from scipy import stats

        crit = stats.t.ppf(1 - (1 - confidence) / 2, n - 1)
        half = crit * es.sd_change / math.sqrt(n)
        test = stats.ttest_rel(post, pre, alternative=alternative)
        row.update(
            change_ci_low=es.mean_change - half, change_ci_high=es.mean_change + half,
            t=float(test.statistic), p=float(test.pvalue), d_z=es.d_z,
            d_z_ci_low=es.d_z_ci_low, d_z_ci_high=es.d_z_ci_high, cles=es.cles,
        )
        sw = stats.shapiro(diff)
        row.update(shapiro_w=float(sw.statistic), shapiro_p=float(sw.pvalue))
    w, wp, wmethod = wilcoxon_signed_rank(diff, alternative=alternative, zero_method=zero_method)
    row.update(
        wilcoxon_w=w, wilcoxon_p=wp, wilcoxon_method=wmethod,
        rank_biserial=matched_pairs_rank_biserial(diff),
    )
    boot = bca_intervals(diff, n_resamples=n_resamples, seed=seed, confidence=confidence)
    row.update(
        boot_change_ci_low=boot["mean_change"][0], boot_change_ci_high=boot["mean_change"][1],
        boot_d_z_ci_low=boot["d_z"][0], boot_d_z_ci_high=boot["d_z"][1],
    )
    row["power_min_d_z_80"] = minimum_detectable_d_z(n)
    full = {**blank, **row}
    lead = lead_effect_size
    full["lead_es"] = full[lead]
    if lead in ("d_z", "d_av"):
        full["lead_es_ci_low"], full["lead_es_ci_high"] = full[f"{lead}_ci_low"], full[
            f"{lead}_ci_high"
        ]
    elif lead == "g_av":
        j = hedges_correction(2 * n)
        full["lead_es_ci_low"] = full["d_av_ci_low"] * j
        full["lead_es_ci_high"] = full["d_av_ci_high"] * j
    full["note"] = "; ".join(notes)
    return full


def paired_tests(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    config: Mapping,
    design: str,
    directions: Mapping[str, str],
    labels: Mapping[str, str],
    sample: str = "completers",
) -> pd.DataFrame:
    """The paired_tests table: one row per outcome of ``config["outcomes"]``, in config order,
    with exactly the columns of docs/data-contracts.md section 3.

    ``sample`` "completers" (the main analysis) uses completers only; "all_with_data" everyone
    with both scores. ``n_dropped`` counts the people in the sample without a complete pair.
    The p adjustment runs across the outcomes that have a p value.
    """
    settings = analysis_settings(config)
    if settings["lead_effect_size"] not in LEAD_EFFECT_SIZES:
        raise ValueError(f"analysis.lead_effect_size must be one of {LEAD_EFFECT_SIZES}")
    completers = completer_pseudonyms(participants)
    rows = []
    for outcome in config["outcomes"]:
        oid = outcome["id"]
        direction = directions.get(oid)
        if direction not in DIRECTION_SIGN:
            raise ValueError(
                f"outcome {oid!r}: direction {direction!r} is not one of {sorted(DIRECTION_SIGN)}"
            )
        wide = outcome_scores(scores, outcome, design)
        if sample == "completers":
            people = completers
        else:
            people = sorted(set(wide["pseudonym"]))
        wide = wide[wide["pseudonym"].isin(people)]
        pairs = wide.dropna(subset=["pre", "post"])
        alternative, alt_note = alternative_for_direction(settings["alternative"], direction)
        row = paired_outcome_row(
            pairs["pre"].to_numpy(), pairs["post"].to_numpy(),
            alternative=alternative, confidence=settings["confidence_level"],
            lead_effect_size=settings["lead_effect_size"],
            n_resamples=settings["n_resamples"], seed=settings["seed"],
        )
        notes = [x for x in (row["note"], alt_note) if x]
        if direction == "mid_optimal":
            notes.append(NOTE_MID_OPTIMAL)
        row.update(
            outcome=oid, label=labels.get(oid) or outcome.get("label") or oid,
            instrument=outcome["instrument"], scale=outcome["scale"],
            scoring=outcome.get("scoring", "mean"), direction=direction,
            n_dropped=len(people) - len(pairs),
            improved_direction_sign=DIRECTION_SIGN[direction], note="; ".join(dict.fromkeys(notes)),
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    table["p_adjust_method"] = settings["p_adjust"]
    table["p_adjusted"] = adjust_p_values(table["p"].to_numpy(), settings["p_adjust"])
    table["apa"] = [apa_sentence(r, settings["confidence_level"]) for r in table.to_dict("records")]
    table = table[PAIRED_TESTS_COLUMNS]
    for column in ("n_pairs", "n_dropped", "improved_direction_sign"):
        table[column] = table[column].astype(int)
    return table
