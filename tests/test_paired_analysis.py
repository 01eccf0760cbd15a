"""The paired analysis table: contract columns, reference values, scipy/pingouin agreement,
multiplicity adjustment, one-sided tests and edge cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestPower

from parentgroup.analysis import analyse_site
from parentgroup.analysis.paired_tests import (
    PAIRED_TESTS_COLUMNS,
    adjust_p_values,
    alternative_for_direction,
    apa_p,
    minimum_detectable_d_z,
    paired_outcome_row,
    paired_tests,
    wilcoxon_signed_rank,
)
from parentgroup.problems import InputError

MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9.0]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7.0]

OUTCOMES = [
    {"id": "prfq_pm", "instrument": "prfq", "scale": "pre_mentalizing", "scoring": "mean"},
    {"id": "prfq_cms", "instrument": "prfq", "scale": "certainty", "scoring": "mean"},
    {"id": "psoc_total", "instrument": "psoc", "scale": "total", "scoring": "sum"},
]
DIRECTIONS = {"prfq_pm": "lower_better", "prfq_cms": "mid_optimal", "psoc_total": "higher_better"}
LABELS = {"prfq_pm": "Pre-mentalizing", "prfq_cms": "Certainty", "psoc_total": "PSOC total"}
TIMES = {"retrospective": ("then", "now"), "prospective": ("pre", "post"),
         "three_timepoint": ("then", "post")}


def make_config(**analysis) -> dict:
    base = {"bootstrap": {"n_resamples": 200, "seed": 1}, "min_cell_size": 3}
    base.update(analysis)
    return {"outcomes": OUTCOMES, "analysis": base, "completer_min_sessions": 6}


def no_exclusions() -> pd.DataFrame:
    return pd.DataFrame(columns=["stage", "file", "row", "column", "reason", "pseudonym"])


def make_scores(values: dict[str, tuple[list, list]], design: str = "retrospective",
                baseline: dict[str, list] | None = None) -> pd.DataFrame:
    """values: outcome id -> (pre scores, post scores); pseudonyms P01.. by position."""
    t_pre, t_post = TIMES[design]
    spec = {o["id"]: o for o in OUTCOMES}
    rows = []
    for oid, (pre, post) in values.items():
        o = spec[oid]
        series = [(t_pre, pre), (t_post, post)]
        if baseline and oid in baseline:
            series.append(("pre", baseline[oid]))
        for time, scores in series:
            for i, score in enumerate(scores):
                rows.append({"pseudonym": f"P{i + 1:02d}", "instrument": o["instrument"],
                             "scale": o["scale"], "scoring": o["scoring"], "time": time,
                             "score": score, "items_answered": 6, "items_expected": 6,
                             "prorated": False})
    return pd.DataFrame(rows)


def make_participants(n: int, completers: int | None = None) -> pd.DataFrame:
    completers = n if completers is None else completers
    return pd.DataFrame({
        "pseudonym": [f"P{i + 1:02d}" for i in range(n)],
        "sessions_attended": [8 if i < completers else 3 for i in range(n)],
        "completer": [i < completers for i in range(n)],
        "left_early": [i >= completers for i in range(n)],
        "reason_left_category": ["" if i < completers else "work" for i in range(n)],
        "interviewed": [i < completers for i in range(n)],
        "consent_quotes": ["yes"] * n,
    })


def run(values, participants=None, config=None, design="retrospective"):
    n = max(len(v[0]) for v in values.values()) if values else 3
    return paired_tests(
        make_scores(values, design), participants if participants is not None
        else make_participants(n), config=config or make_config(), design=design,
        directions=DIRECTIONS, labels=LABELS,
    ).set_index("outcome", drop=False)


def test_contract_columns_and_config_order():
    rng = np.random.default_rng(0)
    values = {o["id"]: (list(rng.normal(4, 1, 12)), list(rng.normal(4.5, 1, 12)))
              for o in OUTCOMES}
    table = run(values)
    assert list(table.columns) == PAIRED_TESTS_COLUMNS
    assert list(table["outcome"]) == ["prfq_pm", "prfq_cms", "psoc_total"]
    assert list(table["improved_direction_sign"]) == [-1, 0, 1]
    assert (table["n_pairs"] == 12).all() and (table["n_dropped"] == 0).all()


def test_lakens_movie_through_the_table():
    row = run({"psoc_total": (MOVIE_2, MOVIE_1)}).loc["psoc_total"]
    assert (row.n_pairs, row.df) == (10, 9)
    assert round(row.t, 2) == 4.74 and round(row.p, 3) == 0.001
    assert round(row.d_z, 2) == 1.50 and round(row.d_av, 2) == 1.13 and round(row.g_av, 2) == 1.08
    assert round(row.r_pre_post, 3) == 0.726 and round(row.cles, 2) == 0.93
    assert (row.d_z_ci_low, row.d_z_ci_high) == pytest.approx((0.5605, 2.4034), abs=5e-5)
    assert (row.d_av_ci_low, row.d_av_ci_high) == pytest.approx((0.4207, 1.8040), abs=5e-5)
    ref = pingouin.ttest(np.array(MOVIE_1), np.array(MOVIE_2), paired=True)
    assert [row.change_ci_low, row.change_ci_high] == pytest.approx(
        list(ref["CI95"].iloc[0]), abs=0.005)  # pingouin rounds its CI to 2 decimals
    crit = stats.t.ppf(0.975, 9) * np.std(np.subtract(MOVIE_1, MOVIE_2), ddof=1) / math.sqrt(10)
    assert (row.change_ci_low, row.change_ci_high) == pytest.approx((1 - crit, 1 + crit))
    assert row.lead_effect_size == "d_z" and row.lead_es == row.d_z
    assert row.lead_es_ci_low == row.d_z_ci_low
    # the only outcome with data: Holm over a family of one leaves p unchanged
    assert row.p_adjusted == pytest.approx(row.p)
    assert "t(9) = 4.74, p = .001" in row.apa and "d_z = 1.50, 95% CI [0.56, 2.40]" in row.apa
    assert row.apa.startswith("PSOC total increased from M = 7.70 (SD = 0.95) to M = 8.70")
    assert row.power_min_d_z_80 == pytest.approx(
        TTestPower().solve_power(nobs=10, alpha=0.05, power=0.8))


def test_holm_against_statsmodels_and_apa_sentence():
    rng = np.random.default_rng(5)
    values = {o["id"]: (list(rng.normal(4, 1, 12)), list(rng.normal(4 + s, 1, 12)))
              for o, s in zip(OUTCOMES, (-0.9, 0.2, 0.6), strict=True)}
    table = run(values)
    expected = multipletests(table["p"], method="holm")[1]
    assert table["p_adjusted"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert (table["p_adjust_method"] == "holm").all()
    pm = table.loc["prfq_pm"]
    assert pm.apa.startswith("Pre-mentalizing decreased from M = ")
    assert f"(Holm-adjusted p {apa_p(pm.p_adjusted)})" in pm.apa
    assert "mid-range optimal" in table.loc["prfq_cms"].apa
    bh = run(values, config=make_config(p_adjust="fdr_bh"))
    assert bh["p_adjusted"].to_numpy() == pytest.approx(
        multipletests(bh["p"], method="fdr_bh")[1])
    none = run(values, config=make_config(p_adjust="none"))
    assert none["p_adjusted"].to_numpy() == pytest.approx(none["p"].to_numpy())
    assert "adjusted" not in none.loc["prfq_pm"].apa


def test_adjust_ignores_missing_p():
    got = adjust_p_values([0.01, np.nan, 0.04], "bonferroni")
    assert got[0] == pytest.approx(0.02) and math.isnan(got[1]) and got[2] == pytest.approx(0.08)


def test_one_sided_in_the_direction_of_improvement():
    rng = np.random.default_rng(11)
    pre = rng.normal(4, 1, 12)
    post = pre - 0.5 + rng.normal(0, 0.5, 12)
    values = {oid: (list(pre), list(post)) for oid in DIRECTIONS}
    table = run(values, config=make_config(alternative="greater"))
    assert table.loc["prfq_pm", "alternative"] == "less"
    assert table.loc["prfq_pm", "p"] == pytest.approx(
        stats.ttest_rel(post, pre, alternative="less").pvalue)
    assert table.loc["psoc_total", "alternative"] == "greater"
    assert table.loc["psoc_total", "p"] == pytest.approx(
        stats.ttest_rel(post, pre, alternative="greater").pvalue)
    cms = table.loc["prfq_cms"]
    assert cms.alternative == "two-sided" and "one-sided test not defined" in cms.note
    assert cms.p == pytest.approx(stats.ttest_rel(post, pre).pvalue)
    assert "one-sided p" in table.loc["prfq_pm", "apa"]
    assert alternative_for_direction("two-sided", "lower_better") == ("two-sided", "")


def test_edge_cases_give_rows_with_notes():
    values = {
        "prfq_pm": ([3.0, 4.0], [2.0, 3.5]),                         # fewer than 3 pairs
        "prfq_cms": ([3.0, 4.0, 5.0, 4.5], [4.0, 5.0, 6.0, 5.5]),     # all differences equal
    }
    participants = make_participants(4)
    table = run(values, participants=participants)
    pm = table.loc["prfq_pm"]
    assert pm.n_pairs == 2 and pm.n_dropped == 2 and pm.note == "fewer than 3 pairs"
    assert math.isnan(pm.t) and math.isnan(pm.p) and math.isnan(pm.d_z)
    assert pm.mean_change == pytest.approx(-0.75) and "fewer than 3 pairs" in pm.apa
    cms = table.loc["prfq_cms"]
    assert "all differences equal" in cms.note
    assert math.isnan(cms.t) and math.isnan(cms.d_z) and math.isnan(cms.p)
    assert cms.mean_change == 1.0 and cms.d_av == pytest.approx(1 / np.std([3, 4, 5, 4.5], ddof=1))
    assert math.isnan(cms.p_adjusted) and "undefined" in cms.apa
    none = table.loc["psoc_total"]
    assert none.n_pairs == 0 and none.n_dropped == 4 and "no data" in none.note


def test_missing_values_drop_pairs_and_non_completers_are_excluded():
    pre = [3.0, 4.0, 5.0, np.nan, 4.5, 3.5]
    post = [2.0, 3.5, 4.0, 3.0, np.nan, 2.0]
    participants = make_participants(6, completers=5)
    row = run({"prfq_pm": (pre, post)}, participants=participants).loc["prfq_pm"]
    # P04 and P05 miss a score, P06 is not a completer
    assert row.n_pairs == 3 and row.n_dropped == 2
    assert row.mean_change == pytest.approx(np.mean([-1.0, -0.5, -1.0]))


def test_designs_map_time_labels():
    for design in TIMES:
        row = run({"psoc_total": (MOVIE_2, MOVIE_1)}, design=design).loc["psoc_total"]
        assert row.n_pairs == 10 and round(row.t, 2) == 4.74


def test_duplicate_scores_are_an_input_error():
    scores = make_scores({"psoc_total": (MOVIE_2, MOVIE_1)})
    scores = pd.concat([scores, scores.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="one psoc total score per pseudonym and time"):
        paired_tests(scores, make_participants(10), config=make_config(),
                     design="retrospective", directions=DIRECTIONS, labels=LABELS)


def sign_flip_p(diff, alternative="two-sided", zero_method="wilcox"):
    """An independent exact Wilcoxon p: every one of the 2^n sign patterns of the non-zero
    differences, enumerated (itertools), with mid-ranks as exact fractions."""
    import itertools
    from fractions import Fraction

    values = [Fraction(x).limit_denominator(10**6) for x in diff]
    ranked = values if zero_method == "pratt" else [v for v in values if v != 0]
    magnitudes = sorted(abs(v) for v in ranked)
    rank = {m: Fraction(sum(i + 1 for i, a in enumerate(magnitudes) if a == m),
                        magnitudes.count(m)) for m in set(magnitudes)}
    nonzero = [v for v in values if v != 0]
    doubled = np.array([int(2 * rank[abs(v)]) for v in nonzero])  # mid-ranks are halves
    observed = int(sum(d for d, v in zip(doubled, nonzero, strict=True) if v > 0))
    signs = np.array(list(itertools.product((0, 1), repeat=len(doubled))))
    sums = signs @ doubled
    low = Fraction(int(np.sum(sums <= observed)), len(sums))
    high = Fraction(int(np.sum(sums >= observed)), len(sums))
    if alternative == "greater":
        return float(high)
    if alternative == "less":
        return float(low)
    return float(min(Fraction(1), 2 * min(low, high)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-6, 6), min_size=3, max_size=13),
       st.sampled_from(["two-sided", "greater", "less"]),
       st.sampled_from(["wilcox", "pratt"]))
def test_wilcoxon_exact_p_with_ties_and_zeros_is_the_sign_flip_p(values, alternative, zeros):
    """n <= 50: the p of every sign pattern counted, ties and zeros included, as an independent
    enumeration (and scipy's PermutationMethod with every pattern) gives it; never the normal
    approximation, which at n = 12 is 4.5 times too large for W = 0 (below)."""
    diff = np.array(values, dtype=float) / 3  # thirds: true ties the floats keep
    if not np.any(diff != 0):
        assert math.isnan(wilcoxon_signed_rank(diff, zero_method=zeros)[0])
        return
    w, p, method = wilcoxon_signed_rank(diff, alternative=alternative, zero_method=zeros)
    assert method.startswith("exact") and "normal" not in method
    assert p == pytest.approx(sign_flip_p(diff, alternative, zeros), rel=1e-12)
    if diff.size <= 9:  # scipy enumerates too, slowly (0.7 s at 2^13)
        ref = stats.wilcoxon(diff, alternative=alternative, zero_method=zeros,
                             method=stats.PermutationMethod(n_resamples=np.inf))
        assert (w, p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-12)


def test_wilcoxon_n12_all_negative_with_ties_is_exact():
    """W = 0 at n = 12 with tied differences: exact p = 2 / 4096 = .00049 (only the all-minus
    and all-plus patterns are as extreme); the normal approximation said .0022."""
    diff = -np.array([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]) / 6
    w, p, method = wilcoxon_signed_rank(diff)
    assert (w, p) == (0.0, 2 / 4096)
    assert "2^12 sign patterns" in method and "tied differences" in method
    assert stats.wilcoxon(diff, method="asymptotic").pvalue == pytest.approx(0.0022, abs=1e-4)


def test_wilcoxon_of_the_demo_certainty_changes():
    """The demo's PRFQ certainty (then -> now, 12 completers; item sums / 6 as the scoring stage
    computes the means): with exact fractions T+ = 16, T- = 62, so W = 16 and r_rb = -46/78 =
    -.590; the exact two-sided p is 302/4096 = .0737 (the tie-corrected normal approximation on
    the correct ranks: .069). Before the fix the floats split tied differences: W = 15.5,
    p = .064 (normal approximation), r_rb = -.603."""
    then = np.array([28, 27, 29, 26, 34, 25, 27, 30, 26, 28, 28, 30]) / 6
    now = np.array([26, 24, 26, 30, 32, 19, 21, 32, 22, 22, 31, 27]) / 6
    row = paired_outcome_row(then, now, n_resamples=200, seed=1)
    assert row["wilcoxon_w"] == 16.0
    assert row["wilcoxon_p"] == sign_flip_p([(b - a) / 6 for a, b in zip(
        [28, 27, 29, 26, 34, 25, 27, 30, 26, 28, 28, 30],
        [26, 24, 26, 30, 32, 19, 21, 32, 22, 22, 31, 27], strict=True)]) == 302 / 4096
    assert row["rank_biserial"] == pytest.approx(-46 / 78, abs=1e-15)
    assert row["wilcoxon_method"].startswith("exact")
    assert round(row["wilcoxon_p"], 3) == 0.074 and round(row["rank_biserial"], 2) == -0.59


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=3, max_size=60))
def test_wilcoxon_agrees_with_scipy_and_pingouin(values):
    """Without ties and zeros (n <= 50) scipy's and pingouin's exact p; above 50 pairs their
    normal approximation."""
    diff = np.array(values, dtype=float) / 4
    nonzero = diff[diff != 0]
    if nonzero.size == 0:
        assert math.isnan(wilcoxon_signed_rank(diff)[0])
        return
    w, p, method = wilcoxon_signed_rank(diff)
    plain = nonzero.size == diff.size and np.unique(np.abs(nonzero)).size == nonzero.size
    assert method.startswith("exact") == (diff.size <= 50)
    if diff.size <= 50 and not plain:
        return  # ties or zeros: the sign-flip tests above
    scipy_method = "exact" if diff.size <= 50 else "asymptotic"
    ref = stats.wilcoxon(diff, method=scipy_method)
    assert (w, p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-10, abs=1e-12)
    pg = pingouin.wilcoxon(diff, method=scipy_method, correction=False)
    assert p == pytest.approx(pg["p_val"].iloc[0], rel=1e-10, abs=1e-12)


def test_wilcoxon_pratt_and_method_text():
    diff = np.array([0.0, 1, 2, 3, -1.5, 4, 5, 2.5])
    w, p, method = wilcoxon_signed_rank(diff, zero_method="pratt")
    assert (w, p) == (3.0, sign_flip_p(diff, zero_method="pratt"))
    assert "exact" in method and "pratt" in method and "1 zero" in method
    big = np.concatenate([diff, np.arange(1.0, 50.0)])
    w, p, method = wilcoxon_signed_rank(big, zero_method="pratt")
    ref = stats.wilcoxon(big, zero_method="pratt", method="asymptotic")
    assert (w, p) == pytest.approx((ref.statistic, ref.pvalue))
    assert "normal approximation" in method and "n > 50" in method and "1 zero" in method


def test_apa_p_and_power():
    assert apa_p(0.0004) == "< .001" and apa_p(0.053) == "= .053" and apa_p(0.5) == "= .500"
    d = minimum_detectable_d_z(12)
    assert TTestPower().power(effect_size=d, nobs=12, alpha=0.05) == pytest.approx(0.8)
    assert math.isnan(minimum_detectable_d_z(2))


def test_analyse_site_returns_every_table():
    rng = np.random.default_rng(3)
    pre = rng.normal(4, 1, 8)
    shift = np.array([0.1, -0.1, 0.2, -0.2, 0.05, -0.05, 0.0, 0.0])
    values = {o["id"]: (list(pre), list(pre + rng.normal(0.5, 0.5, 8))) for o in OUTCOMES}
    scores = make_scores(values, "three_timepoint",
                         baseline={o["id"]: list(pre + 0.3 + shift) for o in OUTCOMES})
    participants = make_participants(8, completers=6)
    attendance = pd.DataFrame([{"pseudonym": p, "session": s, "attended": int(s <= 3 or i < 6)}
                               for i, p in enumerate(participants.pseudonym)
                               for s in range(1, 11)])
    reliability = pd.DataFrame([{"instrument": o["instrument"], "scale": o["scale"],
                                 "time": "then", "n": 8, "k_items": 6, "alpha": 0.8}
                                for o in OUTCOMES])
    tables = analyse_site(scores=scores, participants=participants, attendance=attendance,
                          reliability=reliability, exclusions=no_exclusions(),
                          config=make_config(), design="three_timepoint",
                          directions=DIRECTIONS, labels=LABELS)
    assert list(tables) == ["participant_flow", "paired_tests", "reliable_change",
                            "reliable_change_summary", "dose_response", "sensitivity",
                            "response_shift", "engagement", "power"]
    assert (tables["paired_tests"]["n_pairs"] == 6).all()
    assert len(tables["reliable_change"]) == 18
    shift_mean = float(np.mean(shift[:6]))
    shift = tables["response_shift"].set_index("outcome")
    assert shift.loc["prfq_pm", "mean_shift"] == pytest.approx(-0.3 - shift_mean)
    assert set(tables["sensitivity"]["sample"]) == {"completers", "all_with_data"}


def test_flow_gives_each_outcomes_analysed_n_where_it_differs():
    """The flow's "questionnaires complete" counts completers with every outcome at both times
    (here 5 of 6: P06 has no certainty score now), but each paired test analyses the available
    cases of its own outcome (6 on the others). Every n of the paired tests must be in the
    flow: one analysed_for_<outcome> row per outcome whose n differs (the generated site
    "large23": flow 18, five of six tests 19)."""
    rng = np.random.default_rng(4)
    pre = rng.normal(4, 1, 6)
    values = {o["id"]: (list(pre), list(pre + rng.normal(0.5, 0.5, 6))) for o in OUTCOMES}
    values["prfq_cms"][1][5] = np.nan
    participants = make_participants(7, completers=6)
    tables = analyse_site(
        scores=make_scores(values), participants=participants,
        attendance=pd.DataFrame(columns=["pseudonym", "session", "attended"]),
        reliability=pd.DataFrame(columns=["instrument", "scale", "time", "n", "alpha"]),
        exclusions=no_exclusions(), config=make_config(), design="retrospective",
        directions=DIRECTIONS, labels=LABELS)
    flow = tables["participant_flow"].set_index("step")
    paired = tables["paired_tests"].set_index("outcome")
    assert flow.loc["questionnaires_complete", "n"] == 5
    assert "analysed on every outcome" in flow.loc["questionnaires_complete", "detail"]
    assert paired["n_pairs"].to_dict() == {"prfq_pm": 6, "prfq_cms": 5, "psoc_total": 6}
    per_outcome = {s.removeprefix("analysed_for_"): n for s, n in flow["n"].items()
                   if s.startswith("analysed_for_")}
    assert per_outcome == {"prfq_pm": 6, "psoc_total": 6}
    for oid, n in paired["n_pairs"].items():  # every test's n is in the flow
        assert per_outcome.get(oid, flow.loc["questionnaires_complete", "n"]) == n
    assert flow.loc["analysed_for_psoc_total", "detail"].startswith("PSOC total: completers")
    steps = list(flow.index)
    assert steps[steps.index("questionnaires_complete") + 1].startswith("analysed_for_")
    # with every outcome complete, no extra rows and the detail as before
    values["prfq_cms"][1][5] = 4.0
    same = analyse_site(
        scores=make_scores(values), participants=participants,
        attendance=pd.DataFrame(columns=["pseudonym", "session", "attended"]),
        reliability=pd.DataFrame(columns=["instrument", "scale", "time", "n", "alpha"]),
        exclusions=no_exclusions(), config=make_config(), design="retrospective",
        directions=DIRECTIONS, labels=LABELS)["participant_flow"]
    assert not same["step"].str.startswith("analysed_for_").any()
    assert same.set_index("step").loc["questionnaires_complete", "detail"] == (
        "completers with every outcome scored at both times (analysed)")


def test_rule_scripts_write_every_output(tmp_path, monkeypatch):
    """workflow/scripts/analyse.py and pool.py run with a stand-in `snakemake` object."""
    import runpy
    import sys
    from pathlib import Path
    from types import SimpleNamespace as NS

    scripts = Path(__file__).resolve().parents[1] / "workflow" / "scripts"
    monkeypatch.syspath_prepend(str(scripts))
    import logging

    # start() redirects stderr, the excepthook and the root logger: put them back afterwards
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    rng = np.random.default_rng(8)
    pre = rng.normal(4, 1, 6)
    values = {o["id"]: (list(pre), list(pre + rng.normal(0.5, 0.5, 6))) for o in OUTCOMES}
    inputs = {
        "scores": make_scores(values),
        "participants": make_participants(6),
        "exclusions": no_exclusions(),
        "attendance": pd.DataFrame({"pseudonym": ["P01"], "session": [1], "attended": [1]}),
        "reliability": pd.DataFrame({"instrument": ["prfq"], "scale": ["pre_mentalizing"],
                                     "time": ["then"], "n": [6], "alpha": [0.7]}),
        # reliable change takes its sample alpha from the analysed pairs' items
        "questionnaire_items": pd.DataFrame(
            [{"pseudonym": f"P{i:02d}", "instrument": "prfq", "item": item, "time": time,
              "value": int(rng.integers(1, 8))}
             for i in range(1, 7) for item in range(1, 19) for time in ("then", "now")]),
    }
    # the parents' journey's inputs (the analyse job writes its tables too), empty here
    from parentgroup.anonymisation.journey import (
        BASELINE_COLUMNS,
        GOAL_COLUMNS,
        INVITATION_COLUMNS,
        LATENESS_COLUMNS,
    )
    from parentgroup.anonymisation.site import EXCERPT_COLUMNS
    inputs.update(goals=pd.DataFrame(columns=GOAL_COLUMNS),
                  invitations=pd.DataFrame(columns=INVITATION_COLUMNS),
                  lateness=pd.DataFrame(columns=LATENESS_COLUMNS),
                  baseline_form=pd.DataFrame(columns=BASELINE_COLUMNS),
                  excerpts=pd.DataFrame(columns=EXCERPT_COLUMNS))
    for name, frame in inputs.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    keys = ["participant_flow", "paired_tests", "reliable_change", "reliable_change_summary",
            "dose_response",
            "sensitivity", "response_shift", "engagement", "power",
            "goal_outcomes", "goal_progress", "goal_summary", "invitation_flow", "retention",
            "joint_display_goals", "decline_barriers", "baseline_summary"]
    outcomes = {o: {"direction": DIRECTIONS[o], "label": LABELS[o]} for o in DIRECTIONS}
    snakemake = NS(
        input=NS(**{k: str(tmp_path / f"{k}.csv") for k in inputs}),
        params=NS(study=make_config(), design="retrospective", outcomes=outcomes, sessions=10,
                  instruments=["prfq", "psoc"], instrument_dir=str(tmp_path)),
        output=NS(**{k: str(tmp_path / f"out_{k}.csv") for k in keys}),
        log=[str(tmp_path / "analyse.log")], rule="analyse",
    )
    runpy.run_path(str(scripts / "analyse.py"), init_globals={"snakemake": snakemake})
    written = pd.read_csv(tmp_path / "out_paired_tests.csv")
    assert list(written.columns) == PAIRED_TESTS_COLUMNS and len(written) == 3
    changes = pd.read_csv(tmp_path / "out_reliable_change.csv")
    pm = changes[changes["outcome"] == "prfq_pm"]
    assert (pm["reliability_n"] == 6).all() and (pm["sd_pre_n"] == 6).all()
    assert pm["reliability_source"].iloc[0].startswith("sample alpha at then and SD_pre")
    assert all((tmp_path / f"out_{k}.csv").exists() for k in keys)
    assert len(pd.read_csv(tmp_path / "out_retention.csv")) == 10  # one row per session
    snakemake = NS(
        input=NS(paired_tests=[str(tmp_path / "out_paired_tests.csv")] * 2),
        params=NS(sites=["a", "b"], outcomes=[o["id"] for o in OUTCOMES],
                  confidence_level=0.95),
        output=NS(meta_analysis=str(tmp_path / "meta.csv")),
        log=[str(tmp_path / "pool.log")], rule="pool",
    )
    runpy.run_path(str(scripts / "pool.py"), init_globals={"snakemake": snakemake})
    meta = pd.read_csv(tmp_path / "meta.csv")
    assert set(meta["k_sites"]) == {2} and len(meta) == 9


def test_a_completer_dropped_by_the_missing_item_rule_is_a_recorded_exclusion():
    """A parent whose subscale score is empty because too many items are missing drops out of
    the paired test (n_dropped) and out of questionnaires_complete: the flow says why."""
    from parentgroup.analysis.participant_flow import participant_flow

    rng = np.random.default_rng(3)
    values = {o["id"]: (list(rng.normal(4, 1, 6)), list(rng.normal(4.5, 1, 6)))
              for o in OUTCOMES}
    scores = make_scores(values)
    pm = (scores["scale"] == "pre_mentalizing") & (scores["time"] == "now")
    scores.loc[pm & (scores["pseudonym"] == "P02"), ["score", "items_answered"]] = (np.nan, 4)
    scores.loc[pm & (scores["pseudonym"] == "P05"), ["score", "items_answered"]] = (np.nan, 0)
    # an early leaver's empty score is no loss among the completers
    scores.loc[pm & (scores["pseudonym"] == "P06"), ["score", "items_answered"]] = (np.nan, 2)
    participants = make_participants(6, completers=5)
    tests = paired_tests(scores, participants, config=make_config(), design="retrospective",
                         directions=DIRECTIONS, labels=LABELS).set_index("outcome")
    assert tests.loc["prfq_pm", "n_dropped"] == 2
    flow = participant_flow(participants=participants, exclusions=no_exclusions(),
                            scores=scores, outcomes=OUTCOMES, completer_min_sessions=6,
                            design="retrospective")
    counts = flow.set_index("step")["n"]
    assert counts["attended_min_sessions"] == 5 and counts["questionnaires_complete"] == 3
    excluded = flow[flow["step"] == "excluded"]
    assert excluded[["n", "detail"]].to_dict("records") == [
        {"n": 1, "detail": "prfq_pm: too many items missing, score left empty by the "
                           "missing-item rule (scores.csv)"},
        {"n": 1, "detail": "prfq_pm: no answers, score left empty (scores.csv)"},
    ]
    # every completer lost between the two steps has a reason
    assert excluded["n"].sum() == counts["attended_min_sessions"] - counts[
        "questionnaires_complete"]
