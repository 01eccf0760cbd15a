"""Reliable change (Jacobson & Truax 1991): formula, classification by direction, sources."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from parentgroup.analysis.reliable_change import (
    RELIABLE_CHANGE_COLUMNS,
    classify_reliable_change,
    reliable_change_index,
    reliable_change_table,
)

OUTCOMES = [
    {"id": "prfq_pm", "instrument": "prfq", "scale": "pre_mentalizing", "scoring": "mean"},
    {"id": "prfq_cms", "instrument": "prfq", "scale": "certainty", "scoring": "mean"},
    {"id": "psoc_total", "instrument": "psoc", "scale": "total", "scoring": "sum"},
]
DIRECTIONS = {"prfq_pm": "lower_better", "prfq_cms": "mid_optimal", "psoc_total": "higher_better"}
PRE = [4.0, 5.0, 3.0, 6.0, 4.0]
POST = [1.0, 5.5, 5.9, 2.0, 4.0]


def scores_frame() -> pd.DataFrame:
    rows = []
    for o in OUTCOMES:
        for time, values in (("then", PRE), ("now", POST)):
            for i, v in enumerate(values):
                rows.append({"pseudonym": f"P{i + 1:02d}", "instrument": o["instrument"],
                             "scale": o["scale"], "scoring": o["scoring"], "time": time,
                             "score": v})
    return pd.DataFrame(rows)


PARTICIPANTS = pd.DataFrame({"pseudonym": [f"P{i:02d}" for i in range(1, 6)],
                             "completer": ["True", "True", "True", "True", "False"]})
RELIABILITY = pd.DataFrame([
    {"instrument": "prfq", "scale": "pre_mentalizing", "time": "then", "n": 5, "alpha": 0.75},
    {"instrument": "prfq", "scale": "pre_mentalizing", "time": "now", "n": 5, "alpha": 0.10},
    {"instrument": "prfq", "scale": "certainty", "time": "then", "n": 5, "alpha": 0.75},
])


def test_rci_by_hand():
    # SE = 4 * sqrt(0.25) = 2; S_diff = sqrt(2 * 4) = 2.828...; RCI = 4 / 2.828 = 1.4142
    assert float(reliable_change_index(10, 14, 4.0, 0.75)) == pytest.approx(math.sqrt(2))
    # MDMA::rci form: (x2 - x1) / sqrt(2 * sd^2 * (1 - rxx))
    x1, x2 = np.array([3.0, 5.0]), np.array([6.0, 4.0])
    assert reliable_change_index(x1, x2, 1.3, 0.6) == pytest.approx(
        (x2 - x1) / np.sqrt(2 * 1.3**2 * 0.4))
    assert np.isnan(reliable_change_index(1, 2, 1.0, 1.0)) and np.isnan(
        reliable_change_index(1, 2, 0.0, 0.5))


@pytest.mark.parametrize(
    ("rci", "direction", "expected"),
    [(-2.0, "lower_better", "improved"), (2.0, "lower_better", "deteriorated"),
     (2.0, "higher_better", "improved"), (-1.96, "higher_better", "no reliable change"),
     (-2.0, "mid_optimal", "reliable decrease"), (1.0, "mid_optimal", "no reliable change"),
     (math.nan, "higher_better", "not computed")],
)
def test_classification_follows_direction(rci, direction, expected):
    assert classify_reliable_change(rci, direction) == expected


def test_sample_alpha_table():
    config = {"outcomes": OUTCOMES, "analysis": {}}
    table = reliable_change_table(scores_frame(), PARTICIPANTS, RELIABILITY, config=config,
                                  design="retrospective", directions=DIRECTIONS)
    assert list(table.columns) == RELIABLE_CHANGE_COLUMNS
    assert list(table["pseudonym"]) == sorted(table["pseudonym"])
    pm = table[table.outcome == "prfq_pm"].set_index("pseudonym")
    assert list(pm.index) == ["P01", "P02", "P03", "P04"]  # P05 is not a completer
    sd = np.std(PRE[:4], ddof=1)
    assert (pm["sd_pre"] == sd).all() and (pm["reliability"] == 0.75).all()
    expected = (np.array(POST[:4]) - PRE[:4]) / math.sqrt(2 * (sd * math.sqrt(0.25)) ** 2)
    assert pm["rci"].to_numpy() == pytest.approx(expected)
    assert list(pm["category"]) == ["improved", "no reliable change", "deteriorated", "improved"]
    assert pm["reliability_source"].iloc[0].startswith("sample alpha at then")
    cms = table[table.outcome == "prfq_cms"].set_index("pseudonym")
    assert cms.loc["P03", "category"] == "reliable increase"
    psoc = table[table.outcome == "psoc_total"]
    assert (psoc["category"] == "not computed").all()
    assert "not available" in psoc["reliability_source"].iloc[0]


def test_published_source():
    config = {"outcomes": OUTCOMES, "analysis": {"reliable_change": {
        "reliability_source": "published",
        "published": {"psoc_total": {"reliability": 0.8, "sd": 2.0, "source": "Norms 2001"}}}}}
    table = reliable_change_table(scores_frame(), PARTICIPANTS, RELIABILITY, config=config,
                                  design="retrospective", directions=DIRECTIONS)
    psoc = table[table.outcome == "psoc_total"].set_index("pseudonym")
    assert psoc.loc["P01", "rci"] == pytest.approx(-3 / math.sqrt(2 * 4 * 0.2))
    assert (psoc["reliability_source"] == "published: Norms 2001").all()
    assert (psoc["sd_pre"] == 2.0).all()
    pm = table[table.outcome == "prfq_pm"]
    assert (pm["category"] == "not computed").all()
    assert (pm["reliability_source"] == "published: not configured").all()


def test_one_item_outcome_says_why_there_is_no_sample_alpha():
    outcomes = [{"id": "goal", "instrument": "goal", "scale": "goal", "scoring": "mean"}]
    scores = scores_frame().replace({"instrument": {"prfq": "goal"},
                                     "scale": {"pre_mentalizing": "goal"}})
    reliability = pd.DataFrame([{"instrument": "goal", "scale": "goal", "time": "then", "n": 5,
                                 "alpha": float("nan"), "note": "not applicable (one item)"}])
    table = reliable_change_table(scores, PARTICIPANTS, reliability,
                                  config={"outcomes": outcomes, "analysis": {}},
                                  design="retrospective", directions={"goal": "higher_better"})
    assert (table["category"] == "not computed").all()
    assert table["reliability_source"].iloc[0] == (
        "sample alpha at then: not applicable (one item); give a published reliability "
        "(analysis.reliable_change.published)")


def test_sample_alpha_and_sd_pre_come_from_the_same_analysed_pairs():
    """r_xx and SD_pre from one sample, the analysed pairs: alpha of the completers' items at
    then (pingouin, on exactly those rows), not reliability.csv's alpha of every respondent
    (here with an early leaver whose answers pull alpha up), and the SD of the same pairs' pre
    scores; the n of each is in the table and the source says it."""
    import pingouin

    from parentgroup.instruments import load_instruments
    from parentgroup.scoring.reliability import reliability_table
    from parentgroup.scoring.scales import score_items

    instruments = load_instruments(["prfq"])
    pm = [1, 4, 7, 10, 13, 16]
    then = {"P01": [4, 5, 4, 3, 5, 4], "P02": [3, 3, 4, 2, 3, 3], "P03": [5, 6, 4, 5, 6, 5],
            "P04": [2, 3, 3, 4, 2, 3], "P05": [6, 4, 5, 6, 4, 6], "P06": [1, 1, 1, 1, 1, 1]}
    now = {"P01": [2, 3, 2, 2, 3, 2], "P02": [3, 2, 3, 2, 2, 3], "P03": [3, 4, 3, 3, 4, 3],
           "P04": [2, 2, 3, 3, 2, 2], "P05": [2, 3, 2, 3, 2, 3], "P06": [1, 2, 1, 1, 2, 1]}
    items = pd.DataFrame([
        {"pseudonym": p, "instrument": "prfq", "item": item, "time": time, "value": v}
        for time, answers in (("then", then), ("now", now)) for p, values in answers.items()
        for item, v in zip(pm, values, strict=True)])
    scores = score_items(items, instruments)
    people = pd.DataFrame({"pseudonym": list(then), "completer": [True] * 5 + [False]})
    everyone, _ = reliability_table(items, instruments)  # what reliability.csv holds
    outcome = [{"id": "prfq_pm", "instrument": "prfq", "scale": "pre_mentalizing",
                "scoring": "mean"}]
    table = reliable_change_table(scores, people, everyone, config={"outcomes": outcome,
                                  "analysis": {}}, design="retrospective",
                                  directions={"prfq_pm": "lower_better"}, items=items,
                                  instruments=instruments)
    completers = [f"P0{i}" for i in range(1, 6)]
    alpha = pingouin.cronbach_alpha(pd.DataFrame([then[p] for p in completers]))[0]
    all_alpha = everyone.set_index(["scale", "time"]).loc[("pre_mentalizing", "then"), "alpha"]
    assert abs(all_alpha - alpha) > 0.01  # the early leaver changes alpha: the test can tell
    sd = np.std([np.mean(then[p]) for p in completers], ddof=1)
    assert list(table.columns) == RELIABLE_CHANGE_COLUMNS and len(table) == 5
    assert table["reliability"].to_numpy() == pytest.approx(alpha, abs=1e-12)
    assert table["sd_pre"].to_numpy() == pytest.approx(sd, rel=1e-12)
    assert (table["reliability_n"] == 5).all() and (table["sd_pre_n"] == 5).all()
    change = np.array([np.mean(now[p]) - np.mean(then[p]) for p in completers])
    assert table["rci"].to_numpy() == pytest.approx(
        change / math.sqrt(2 * sd**2 * (1 - alpha)), rel=1e-12)
    assert table["reliability_source"].iloc[0] == (
        "sample alpha at then and SD_pre, both of the 5 analysed pairs (alpha: the 5 who "
        "answered every item)")
    # a missing item: that pair stays in SD_pre (a prorated score) but not in alpha
    gap = items[~((items["pseudonym"] == "P02") & (items["item"] == 4)
                  & (items["time"] == "then"))]
    table = reliable_change_table(score_items(gap, instruments), people, everyone,
                                  config={"outcomes": outcome, "analysis": {}},
                                  design="retrospective", directions={"prfq_pm": "lower_better"},
                                  items=gap, instruments=instruments)
    assert (table["reliability_n"] == 4).all() and (table["sd_pre_n"] == 5).all()
    assert table["reliability"].iloc[0] == pytest.approx(pingouin.cronbach_alpha(
        pd.DataFrame([then[p] for p in completers if p != "P02"]))[0], abs=1e-12)
    assert "the 4 who answered every item" in table["reliability_source"].iloc[0]


def test_without_items_the_source_and_the_two_ns_say_where_each_value_came_from():
    config = {"outcomes": OUTCOMES, "analysis": {}}
    table = reliable_change_table(scores_frame(), PARTICIPANTS, RELIABILITY, config=config,
                                  design="retrospective", directions=DIRECTIONS)
    pm = table[table.outcome == "prfq_pm"]
    assert (pm["reliability_n"] == 5).all() and (pm["sd_pre_n"] == 4).all()
    assert pm["reliability_source"].iloc[0] == (
        "sample alpha at then (reliability.csv, n = 5); SD_pre of the 4 analysed pairs")
    published = reliable_change_table(scores_frame(), PARTICIPANTS, RELIABILITY, config={
        "outcomes": OUTCOMES, "analysis": {"reliable_change": {
            "reliability_source": "published", "published": {
                "psoc_total": {"reliability": 0.8, "sd": 2.0, "source": "Norms 2001"}}}}},
        design="retrospective", directions=DIRECTIONS)
    assert published["reliability_n"].isna().all() and published["sd_pre_n"].isna().all()


def test_report_method_says_which_reliability_and_sd_the_index_used():
    """The methods paragraph names, per outcome, the r_xx and SD_pre of reliable_change.csv with
    their n (sample) or their source (published)."""
    from parentgroup.report.summary import Numbering, quantitative_methods_html

    paired = pd.DataFrame({"outcome": ["prfq_pm", "psoc_total"],
                           "label": ["PRFQ pre-mentalizing", "PSOC total"],
                           "instrument": ["prfq", "psoc"], "scale": ["pre_mentalizing", "total"]})
    pairs = "sample alpha at then and SD_pre, both of the 12 analysed pairs (alpha: the 11 ...)"
    changes = pd.DataFrame({
        "outcome": ["prfq_pm", "psoc_total"], "reliability": [0.9015, 0.8928],
        "reliability_n": [11, 12], "sd_pre": [0.9441, 8.6075], "sd_pre_n": [12, 12],
        "reliability_source": [pairs, pairs]})
    text = quantitative_methods_html({"analysis": {}}, paired=paired, scores=pd.DataFrame(),
                                     numbering=Numbering(), min_cell_size=3,
                                     reliable_change=changes)
    assert "both come from each outcome's analysed parents" in text
    assert ("PRFQ pre-mentalizing, α = .90 (n = 11), SD = 0.94 (n = 12); "
            "PSOC total, α = .89 (n = 12), SD = 8.61 (n = 12).") in " ".join(text.split())
    published = changes.assign(reliability=[0.8, 0.85], sd_pre=[1.1, 9.0], reliability_n=None,
                               sd_pre_n=None, reliability_source="published: Norms 2001")
    text = quantitative_methods_html({"analysis": {}}, paired=paired, scores=pd.DataFrame(),
                                     numbering=Numbering(), min_cell_size=3,
                                     reliable_change=published)
    assert ("are published values: PRFQ pre-mentalizing, r = .80, SD = 1.10 (published: Norms "
            "2001)") in " ".join(text.split())
