"""Secondary analyses of a controlled design: reliable change in each arm with the difference in
proportions (Newcombe 1998), and attendance per arm; checked against Newcombe's published worked
example, the formula on independently computed Wilson intervals, and hand-computed counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_controlled import CONFIG, DIRECTIONS, LABELS, site_frames

from parentgroup.analysis import analyse_site
from parentgroup.analysis.controlled_secondary import (
    ATTENDANCE_BY_ARM_COLUMNS,
    NOTE_NO_SESSIONS,
    RELIABLE_CHANGE_BY_ARM_COLUMNS,
    attendance_by_arm,
    difference_of_proportions,
    reliable_change_by_arm,
)
from parentgroup.formatting import format_ci, typeset


def wilson(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's (1927) score interval, written out (independent of statsmodels)."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe_by_hand(x1, n1, x2, n2):
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


@pytest.mark.parametrize(("counts", "published"), [
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (4 decimals)
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
])
def test_difference_of_proportions_reproduces_newcombes_published_intervals(counts, published):
    got = difference_of_proportions(*counts)
    assert (round(got["ci_low"], 4), round(got["ci_high"], 4)) == published


@pytest.mark.parametrize("counts", [(7, 11, 1, 12), (0, 11, 0, 12), (11, 11, 0, 12),
                                    (3, 5, 4, 5), (1, 20, 9, 13)])
def test_difference_of_proportions_equals_the_formula_on_wilson_intervals(counts):
    got = difference_of_proportions(*counts)
    low, high = newcombe_by_hand(*counts)
    assert got["difference"] == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert got["ci_low"] == pytest.approx(low, abs=1e-12)
    assert got["ci_high"] == pytest.approx(high, abs=1e-12)
    assert -1 <= got["ci_low"] <= got["difference"] <= got["ci_high"] <= 1


def test_difference_of_proportions_of_an_empty_arm_is_missing_not_an_error():
    assert math.isnan(difference_of_proportions(0, 0, 3, 10)["ci_low"])


def _hand_site():
    """Two intervention completers (+ one early leaver), three comparison parents; PSOC total
    with sample alpha .75 at pre: SD_pre of the completers' pre scores (50, 54) = sqrt(8), so
    S_diff = sqrt(2 * 8 * 0.25) = 2 and the criterion is |change| > 1.96 * 2 = 3.92."""
    people = pd.DataFrame({
        "pseudonym": ["A", "B", "X", "C1", "C2", "C3"],
        "arm": ["intervention"] * 3 + ["comparison"] * 3,
        "completer": [True, True, False, False, False, False],
        "sessions_attended": [9, 7, 2, 0, 0, 0],
    })
    pre = {"A": 50, "B": 54, "X": 52, "C1": 50, "C2": 60, "C3": 55}
    post = {"A": 58, "B": 56, "X": 40, "C1": 54, "C2": 55, "C3": 55.5}
    rows = [{"pseudonym": p, "instrument": "psoc", "scale": "total", "scoring": "sum",
             "time": time, "score": values[p], "items_answered": 17, "items_expected": 17,
             "prorated": False}
            for p in pre for time, values in (("pre", pre), ("post", post))]
    reliability = pd.DataFrame({"instrument": ["psoc"], "scale": ["total"], "time": ["pre"],
                                "n": [6], "k_items": [17], "alpha": [0.75], "note": [""]})
    config = {"outcomes": [{"id": "psoc_total", "instrument": "psoc", "scale": "total",
                            "scoring": "sum"}], "completer_min_sessions": 6}
    return pd.DataFrame(rows), people, reliability, config


def test_reliable_change_by_arm_by_hand():
    scores, people, reliability, config = _hand_site()
    table = reliable_change_by_arm(scores, people, reliability, config=config,
                                   design="prospective",
                                   directions={"psoc_total": "higher_better"},
                                   labels={"psoc_total": "PSOC total"})
    assert list(table.columns) == RELIABLE_CHANGE_BY_ARM_COLUMNS
    # changes: A +8 (RCI 4, improved), B +2 (1, none); X left early (not analysed);
    # C1 +4 (2.0 > 1.96, improved), C2 -5 (-2.5, deteriorated), C3 +0.5 (none)
    got = table.set_index("category")
    assert got["n_intervention"].to_dict() == {"improved": 1, "no reliable change": 1,
                                               "deteriorated": 0}
    assert got["n_comparison"].to_dict() == {"improved": 1, "no reliable change": 1,
                                             "deteriorated": 1}
    assert set(table["n_outcome_intervention"]) == {2} and set(table["n_outcome_comparison"]) == {3}
    assert table["sd_pre"].iloc[0] == pytest.approx(math.sqrt(8))
    assert table["reliability"].iloc[0] == 0.75
    improved = got.loc["improved"]
    assert improved["difference"] == pytest.approx(1 / 2 - 1 / 3)
    assert (improved["difference_ci_low"], improved["difference_ci_high"]) == pytest.approx(
        newcombe_by_hand(1, 2, 1, 3))


def test_reliable_change_by_arm_uses_the_main_tables_criterion_and_counts():
    scores, participants = site_frames(n_per_arm=12, seed=11)
    reliability = pd.DataFrame({"instrument": ["psoc", "prfq"],
                                "scale": ["total", "pre_mentalizing"], "time": ["then"] * 2,
                                "n": [24, 24], "k_items": [17, 6], "alpha": [0.85, 0.7],
                                "note": ["", ""]})
    exclusions = pd.DataFrame(columns=["stage", "file", "row", "column", "reason", "pseudonym"])
    attendance = pd.DataFrame(columns=["pseudonym", "session", "attended"])
    main = analyse_site(scores=scores, participants=participants, attendance=attendance,
                        reliability=reliability, exclusions=exclusions, config=CONFIG,
                        design="retrospective", directions=DIRECTIONS,
                        labels=LABELS)["reliable_change_summary"]
    by_arm = reliable_change_by_arm(scores, participants, reliability, config=CONFIG,
                                    design="retrospective", directions=DIRECTIONS,
                                    labels=LABELS)
    assert by_arm[["outcome", "category"]].values.tolist() == main[
        ["outcome", "category"]].values.tolist()
    assert by_arm["n_intervention"].tolist() == main["n_parents"].tolist()
    for _, rows in by_arm.groupby("outcome"):
        assert rows["n_comparison"].sum() == rows["n_outcome_comparison"].iloc[0] == 12
        assert rows["n_intervention"].sum() == rows["n_outcome_intervention"].iloc[0] == 11
    # the comparison arm is classified with the intervention's criterion: recompute by hand
    psoc = scores[(scores["instrument"] == "psoc")].pivot(index="pseudonym", columns="time",
                                                          values="score")
    completers = participants.loc[participants["completer"], "pseudonym"]
    sd = psoc.loc[completers, "then"].std(ddof=1)
    s_diff = math.sqrt(2 * (sd * math.sqrt(1 - 0.85)) ** 2)
    comparison = participants.loc[participants["arm"] == "comparison", "pseudonym"]
    rci = (psoc.loc[comparison, "now"] - psoc.loc[comparison, "then"]) / s_diff
    row = by_arm[(by_arm["outcome"] == "psoc_total") & (by_arm["category"] == "improved")]
    assert int(row["n_comparison"].iloc[0]) == int((rci > 1.96).sum())


def test_an_uncomputable_index_is_a_not_computed_row_without_a_difference():
    scores, people, reliability, config = _hand_site()
    table = reliable_change_by_arm(scores, people, reliability.iloc[0:0], config=config,
                                   design="prospective",
                                   directions={"psoc_total": "higher_better"}, labels={})
    last = table.iloc[-1]
    assert last["category"] == "not computed"
    assert (last["n_intervention"], last["n_comparison"]) == (2, 3)
    assert np.isnan(last["difference"]) and last["ci_method"] == ""


def test_attendance_by_arm_says_a_waitlist_attends_nothing_instead_of_zeros():
    _, people, _, _ = _hand_site()
    table = attendance_by_arm(people, sessions=10)
    assert list(table.columns) == ATTENDANCE_BY_ARM_COLUMNS
    intervention, comparison = table.iloc[0], table.iloc[1]
    assert bool(intervention["applies"]) and intervention["n_parents"] == 3
    assert intervention["sessions_mean"] == pytest.approx(6.0)
    assert intervention["sessions_sd"] == pytest.approx(np.std([9, 7, 2], ddof=1))
    assert intervention["n_completers"] == 2 and intervention["n_attended_any"] == 3
    assert not bool(comparison["applies"]) and comparison["note"] == NOTE_NO_SESSIONS
    assert comparison["n_parents"] == 3 and pd.isna(comparison["sessions_mean"])
    # usual support that attends sessions too is summarised like the intervention arm
    people.loc[people["arm"] == "comparison", "sessions_attended"] = [3, 0, 5]
    usual = attendance_by_arm(people).iloc[1]
    assert bool(usual["applies"]) and usual["n_attended_any"] == 2


def test_report_shows_both_arms_withholds_small_counts_and_says_a_waitlist_attends_nothing():
    from parentgroup.report.controlled import secondary_html

    scores, people, reliability, config = _hand_site()
    table = reliable_change_by_arm(scores, people, reliability, config=config,
                                   design="prospective",
                                   directions={"psoc_total": "higher_better"},
                                   labels={"psoc_total": "PSOC total"})
    html_ = secondary_html(table, attendance_by_arm(people, sessions=10), min_cell_size=3)
    # 1 of 2 improved against 1 of 3: both counts are small, so no percentage, no difference
    assert "&lt;3 of 2 (–)" in html_ and "&lt;3 of 3 (–)" in html_
    assert f"{1 / 2 - 1 / 3:.2f}" not in html_
    assert "0 of 2 (0%)" in html_  # a zero is shown
    assert "Newcombe, 1998" in html_ and "Jacobson &amp; Truax, 1991" in html_
    assert "attendance does not apply" in html_ and "mean of 6.0 sessions" in html_
    # with a threshold of 1 nothing is withheld and the difference is shown with its interval
    shown = secondary_html(table, attendance_by_arm(people), min_cell_size=1)
    low, high = newcombe_by_hand(1, 2, 1, 3)
    # a difference of proportions cannot exceed 1: no leading zero, and a true minus sign
    assert f".17 {typeset(format_ci(low, high, bounded=True))}" in shown
    assert f".17 [{low:.2f}, {high:.2f}]".replace("0.", ".").replace("-", "\u2212") in shown
    assert "1 of 2 (50%)" in shown
