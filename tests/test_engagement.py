"""Dose-response, completer sensitivity, response shift, engagement with suppression, power."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from parentgroup.analysis.engagement import (
    ENGAGEMENT_COLUMNS,
    completer_sensitivity,
    dose_response,
    engagement_summary,
    response_shift,
    sensitivity_power,
)
from parentgroup.disclosure import small_count

OUTCOME = {"id": "psoc_total", "instrument": "psoc", "scale": "total", "scoring": "sum"}
CONFIG = {"outcomes": [OUTCOME], "analysis": {"min_cell_size": 3}, "completer_min_sessions": 6}
PRE = [50, 55, 60, 52, 58, 61, 49, 57]
POST = [58, 60, 61, 60, 66, 62, 50, 57]
BASELINE = [52, 54, 63, 50, 60, 60, 51, 59]
SESSIONS = [10, 8, 6, 9, 7, 3, 2, 4]
COMPLETER = [True] * 5 + [False] * 3


def scores(times=("then", "now"), baseline=False) -> pd.DataFrame:
    series = [(times[0], PRE), (times[1], POST)] + ([("pre", BASELINE)] if baseline else [])
    return pd.DataFrame([
        {"pseudonym": f"P{i + 1:02d}", "instrument": "psoc", "scale": "total", "scoring": "sum",
         "time": t, "score": v} for t, values in series for i, v in enumerate(values)])


PARTICIPANTS = pd.DataFrame({
    "pseudonym": [f"P{i:02d}" for i in range(1, 9)], "sessions_attended": SESSIONS,
    "completer": COMPLETER, "left_early": [not c for c in COMPLETER],
    "reason_left_category": ["", "", "", "", "", "work", "work", "health"]})


def test_dose_response_includes_early_leavers():
    table = dose_response(scores(), PARTICIPANTS, config=CONFIG, design="retrospective")
    change = np.subtract(POST, PRE)
    ref = stats.spearmanr(SESSIONS, change)
    row = table.iloc[0]
    assert row.n == 8 and row.includes_early_leavers
    assert row.spearman_rho == pytest.approx(ref.statistic) and row.p == pytest.approx(ref.pvalue)


def test_dose_response_ranks_true_ties_of_mean_scores():
    """Changes of item means equal as fractions but not as floats (29/6 - 25/6 and 4 - 10/3)
    share a rank: rho as scipy gives it on the exact changes (in sixths, integers), .565, not
    the .407 of the raw floats."""
    then_sixths = [25, 20, 24, 30, 18, 27, 22, 26]
    now_sixths = [29, 24, 26, 33, 21, 31, 22, 27]
    frame = pd.DataFrame([
        {"pseudonym": f"P{i + 1:02d}", "instrument": "psoc", "scale": "total", "scoring": "sum",
         "time": t, "score": v / 6} for t, values in (("then", then_sixths), ("now", now_sixths))
        for i, v in enumerate(values)])
    change = np.subtract(now_sixths, then_sixths)
    floats = np.array(now_sixths) / 6 - np.array(then_sixths) / 6
    assert np.unique(floats).size > np.unique(change).size  # the floats split a true tie
    ref = stats.spearmanr(SESSIONS, change)
    row = dose_response(frame, PARTICIPANTS, config=CONFIG, design="retrospective").iloc[0]
    assert row.spearman_rho == pytest.approx(ref.statistic, abs=1e-12)
    assert row.p == pytest.approx(ref.pvalue, rel=1e-9)


def test_completers_against_all_with_data():
    table = completer_sensitivity(scores(), PARTICIPANTS, config=CONFIG, design="retrospective",
                                  directions={"psoc_total": "higher_better"}).set_index("sample")
    change = np.subtract(POST, PRE)
    assert table.loc["completers", "n_pairs"] == 5
    assert table.loc["completers", "mean_change"] == pytest.approx(change[:5].mean())
    assert table.loc["all_with_data", "d_z"] == pytest.approx(change.mean() / change.std(ddof=1))
    assert table.loc["all_with_data", "p"] == pytest.approx(
        stats.ttest_rel(POST, PRE).pvalue)


def test_response_shift_only_in_three_timepoint_designs():
    table = response_shift(scores(("then", "post"), baseline=True), PARTICIPANTS, config=CONFIG,
                           design="three_timepoint")
    shift = np.subtract(PRE, BASELINE)[:5]
    row = table.iloc[0]
    assert row.n_pairs == 5 and row.mean_shift == pytest.approx(shift.mean())
    ref = stats.ttest_rel(PRE[:5], BASELINE[:5])
    assert (row.t, row.p) == pytest.approx((ref.statistic, ref.pvalue))
    assert row.d_z == pytest.approx(shift.mean() / shift.std(ddof=1))
    assert response_shift(scores(), PARTICIPANTS, config=CONFIG, design="retrospective").empty


def test_engagement_suppresses_small_cells():
    attendance = pd.DataFrame([
        {"pseudonym": f"P{i:02d}", "session": s, "attended": int(s <= SESSIONS[i - 1])}
        for i in range(1, 9) for s in range(1, 11)])
    table = engagement_summary(scores(), PARTICIPANTS, attendance, config=CONFIG,
                               design="retrospective")
    assert list(table.columns) == ENGAGEMENT_COLUMNS
    get = {(r.measure, r.group): r.value for r in table.itertuples()}
    assert get[("participants", "enrolled")] == 8 and get[("participants", "early_leavers")] == 3
    assert get[("attending_session", "session_1")] == 8
    assert get[("attending_session", "session_10")] == "<3"      # one parent
    assert get[("attending_session", "session_5")] == 5
    assert get[("reason_left", "work")] == "<3" and get[("reason_left", "health")] == "<3"
    assert get[("baseline_mean:psoc_total", "completers")] == pytest.approx(np.mean(PRE[:5]))
    assert get[("baseline_mean:psoc_total", "early_leavers")] == pytest.approx(np.mean(PRE[5:]))
    strict = engagement_summary(scores(), PARTICIPANTS, attendance, design="retrospective",
                                config={**CONFIG, "analysis": {"min_cell_size": 4}})
    get = {(r.measure, r.group): r.value for r in strict.itertuples()}
    # the mean of 3 early leavers is withheld ("[c]", not "<4", which would read as a mean
    # below 4) and so is the completers' mean beside it; the group's n is a flow count, exact
    assert get[("baseline_mean:psoc_total", "early_leavers")] == "[c]"
    assert get[("baseline_mean:psoc_total", "completers")] == "[c]"   # other cell small
    assert get[("participants", "early_leavers")] == 3
    detail = {(r.measure, r.group): r.detail for r in strict.itertuples()}
    assert detail[("baseline_mean:psoc_total", "early_leavers")].startswith("n = 3;")
    # 3 early leavers are fewer than 4: their reasons are withheld whole
    assert get[("reason_left", "withheld")] == "[c]" and ("reason_left", "work") not in get
    assert small_count(0, 3) == 0 and small_count(2, 3) == "<3"


def test_power_table():
    paired = pd.DataFrame({"outcome": ["a", "b"], "n_pairs": [12, 2]})
    table = sensitivity_power(paired)
    assert len(table) == 6
    a80 = table[(table.outcome == "a") & (table.power == 0.8)].iloc[0]
    # independent check: power of the two-sided paired t from the noncentral t by hand
    d, n = a80.min_detectable_d_z, 12
    crit = stats.t.ppf(0.975, n - 1)
    ncp = d * math.sqrt(n)
    power = stats.nct.sf(crit, n - 1, ncp) + stats.nct.cdf(-crit, n - 1, ncp)
    assert power == pytest.approx(0.8, abs=1e-6)
    assert table[table.outcome == "b"].min_detectable_d_z.isna().all()


@pytest.mark.parametrize(("leavers_with_data", "allowed", "withheld"),
                         [(1, False, True), (2, False, True), (3, False, False),
                          (1, True, False)])
def test_a_sensitivity_row_that_isolates_few_early_leavers_is_withheld(
        leavers_with_data, allowed, withheld):
    """Differencing: with the completers' row beside it, a row over one or two more parents
    gives their own changes (13 x m13 - 12 x m12); withheld unless the config allows it."""
    keep = {f"P{i:02d}" for i in range(1, 6 + leavers_with_data)}
    data = scores()
    data = data[data["pseudonym"].isin(keep)]
    config = {**CONFIG, "analysis": {"min_cell_size": 3, "early_leavers_in_tables": allowed}}
    table = completer_sensitivity(data, PARTICIPANTS, config=config, design="retrospective",
                                  directions={"psoc_total": "higher_better"}).set_index("sample")
    row = table.loc["all_with_data"]
    assert row.n_pairs == 5 + leavers_with_data
    assert table.loc["completers", ["mean_change", "d_z", "p"]].notna().all()
    assert bool(row[["mean_change", "d_z", "p"]].isna().all()) == withheld
    if not withheld:
        change = np.subtract(POST, PRE)[: 5 + leavers_with_data]
        assert row.mean_change == pytest.approx(change.mean())
