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
