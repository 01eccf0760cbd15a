"""The general scoring rules an instrument file may declare (not SDQ code): items on their own
response scale with a many-to-one recode, rounding, gated scales, scales of scales, and the
errors a wrong declaration gives (file and key named)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from parentgroup.instruments import load_instruments, read_instruments
from parentgroup.scoring.reliability import reliability_table
from parentgroup.scoring.scales import round_half_away_from_zero, score_items


def invented() -> dict:
    """An invented 8-item checklist: items 1-6 on 0-3 in two subscales of 3, item 7 a yes/no
    screening question (0 = no), item 8 a 1-5 burden rating scored 0, 0, 1, 1, 2."""
    return {
        "name": "checklist", "title": "Invented checklist", "citation": "Invented for a test.",
        "informant": "observer",
        "items": [{"number": i, "text": f"Statement {i}."} for i in range(1, 9)],
        "response": {"min": 0, "max": 3, "anchor_direction": "disagree_to_agree",
                     "labels": [{"value": 0, "label": "Never"}, {"value": 3, "label": "Often"}]},
        "item_responses": [
            {"items": [7], "min": 0, "max": 1,
             "labels": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]},
            {"items": [8], "min": 1, "max": 5, "scored_as": [0, 0, 1, 1, 2],
             "labels": [{"value": 5, "label": "Severe"}]},
        ],
        "missing": {"max_missing": 1},
        "scales": [
            {"id": "a", "label": "A", "items": [1, 2, 3], "scorings": ["sum"],
             "direction": "lower_better", "rounding": "half_away_from_zero"},
            {"id": "b", "label": "B", "items": [4, 5, 6], "scorings": ["sum", "mean"],
             "direction": "lower_better"},
            {"id": "total", "label": "Total", "of_scales": ["a", "b"], "scorings": ["sum"],
             "direction": "lower_better"},
            {"id": "burden", "label": "Burden", "items": [8], "scorings": ["sum"],
             "direction": "lower_better", "max_missing": 0,
             "gate": {"item": 7, "values": [0], "score": 0}},
        ],
    }


def load(tmp_path: Path, definition: dict):
    (tmp_path / "checklist.yaml").write_text(yaml.safe_dump(definition), encoding="utf-8")
    return load_instruments(["checklist"], [tmp_path])


def score(instruments, answers: dict[int, float]) -> pd.DataFrame:
    rows = [{"pseudonym": "P01", "instrument": "checklist", "item": i, "time": "pre",
             "value": answers.get(i, np.nan)} for i in range(1, 9)]
    return score_items(pd.DataFrame(rows), instruments)


def test_declared_rules_score_an_instrument_the_package_has_never_seen(tmp_path):
    instruments = load(tmp_path, invented())
    checklist = instruments["checklist"]
    assert checklist.informant == "observer"
    assert checklist.score_range("burden", "sum") == (0.0, 2.0)
    assert checklist.score_range("total", "sum") == (0.0, 18.0)
    table = score(instruments, {1: 1, 2: 2, 4: 3, 5: 3, 6: 2, 7: 1, 8: 4})
    got = {(r["scale"], r["scoring"]): r for r in table.to_dict("records")}
    # a: items 1, 2 answered (1 missing): mean 1.5 x 3 = 4.5 -> 5 (halves away from zero)
    assert got[("a", "sum")]["score"] == 5 and got[("a", "sum")]["prorated"]
    assert got[("b", "sum")]["score"] == 8 and got[("b", "mean")]["score"] == pytest.approx(8 / 3)
    total = got[("total", "sum")]
    assert (total["score"], total["items_answered"], total["items_expected"]) == (13, 5, 6)
    assert total["prorated"]
    assert got[("burden", "sum")]["score"] == 1  # presented 4 -> scored 1
    assert score(instruments, {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 5}).set_index(
        "scale").loc["burden", "score"] == 0  # gated: "no" on the screening question
    missing = score(instruments, {1: 1, 4: 1, 5: 1, 6: 1, 7: 1})  # a: 2 of 3 missing
    by_scale = missing[missing["scoring"] == "sum"].set_index("scale")["score"]
    assert math.isnan(by_scale["a"]) and math.isnan(by_scale["total"])
    assert math.isnan(by_scale["burden"])  # not gated, its one item missing
    assert not missing.set_index("scale").loc["total", "prorated"]


def test_reliability_of_a_scale_of_scales_uses_all_its_items(tmp_path):
    instruments = load(tmp_path, invented())
    rng = np.random.default_rng(3)
    rows = [{"pseudonym": f"P{p:02d}", "instrument": "checklist", "item": i, "time": "pre",
             "value": float(rng.integers(0, 4) if i <= 6 else rng.integers(0, 2) if i == 7
                            else rng.integers(1, 6))}
            for p in range(30) for i in range(1, 9)]
    reliability, _ = reliability_table(pd.DataFrame(rows), instruments)
    assert reliability.set_index("scale").loc["total", "k_items"] == 6


def test_round_half_away_from_zero_is_not_bankers_rounding():
    assert round_half_away_from_zero(np.array([0.5, 1.5, 2.5])).tolist() == [1, 2, 3]
    assert np.round([0.5, 1.5, 2.5]).tolist() == [0, 2, 2]


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda d: d["scales"][2].update(items=[1]), "scales.2", "either items or of_scales"),
        (lambda d: d["scales"][2].update(of_scales=["a", "nosuch"]), "scales.2.of_scales",
         "ids of other scales"),
        (lambda d: d["scales"][2].update(scorings=["mean"]), "scales.2.scorings", "[sum]"),
        (lambda d: d["item_responses"][1].update(scored_as=[0, 1]),
         "item_responses.1.scored_as", "5 scores"),
        (lambda d: d["item_responses"][1].update(items=[7, 8]), "item_responses.1.items",
         "at most one item_responses entry"),
        (lambda d: d["scales"][3]["gate"].update(item=12), "scales.3.gate.item",
         "an item number from 1 to 8"),
        (lambda d: d.update(informant="grandparent"), "informant", "parent, teacher, observer"),
        (lambda d: d["scales"][0].update(rounding="up"), "scales.0.rounding",
         "half_away_from_zero"),
    ],
)
def test_wrong_declarations_name_the_file_and_the_key(tmp_path, change, key, words):
    definition = invented()
    change(definition)
    (tmp_path / "checklist.yaml").write_text(yaml.safe_dump(definition), encoding="utf-8")
    instruments, problems = read_instruments(["checklist"], [tmp_path])
    assert instruments == {}
    hit = [p for p in problems if p.column == key]
    assert hit, [p.format() for p in problems]
    assert words in hit[0].format() and hit[0].file == "checklist.yaml"
