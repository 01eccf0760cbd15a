"""The SDQ scoring key (child outcome; parent and teacher forms) scores through the ordinary
pipeline scoring, no code: reverse keys, subscales, total difficulties, impact, proration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parentgroup.instruments import load_instruments
from parentgroup.scoring.scales import score_items

REVERSED = {7, 11, 14, 21, 25}
KEY = {"emotional": [3, 8, 13, 16, 24], "conduct": [5, 7, 12, 18, 22],
       "hyperactivity": [2, 10, 15, 21, 25], "peer": [6, 11, 14, 19, 23],
       "prosocial": [1, 4, 9, 17, 20]}


def by_hand(answers: dict[int, float], impact: list[int]) -> dict[str, float]:
    """The published key written out again: reverse 2 - x, subscale = mean of answered x 5."""
    scored = {i: (2 - v if i in REVERSED else v) for i, v in answers.items()}
    out = {}
    for scale, items in KEY.items():
        present = [scored[i] for i in items if not np.isnan(scored[i])]
        out[scale] = np.mean(present) * 5 if len(items) - len(present) <= 2 else np.nan
    difficulty = [i for s in ("emotional", "conduct", "hyperactivity", "peer") for i in KEY[s]]
    present = [scored[i] for i in difficulty if not np.isnan(scored[i])]
    out["total_difficulties"] = np.mean(present) * 20 if len(difficulty) - len(present) <= 2 \
        else np.nan
    out["impact"] = sum(scored[i] for i in impact)
    return out


@pytest.mark.parametrize("form, impact", [("sdq_parent", [26, 27, 28, 29, 30]),
                                          ("sdq_teacher", [26, 27, 28])])
def test_sdq_forms_score_as_the_published_key(form, impact):
    instrument = load_instruments([form])
    rng = np.random.default_rng(11)
    rows, expected = [], {}
    for child in range(6):
        answers = {i: float(rng.integers(0, 3)) for i in range(1, 26)}
        answers.update({i: float(rng.integers(0, 3)) for i in impact})
        if child == 1:
            answers[3] = np.nan  # one missing emotional item: prorated
        if child == 2:
            answers[5] = answers[7] = answers[12] = np.nan  # three missing: conduct not scored
        expected[f"P{child + 1:02d}"] = by_hand(answers, impact)
        rows += [{"pseudonym": f"P{child + 1:02d}", "instrument": form, "item": item,
                  "time": "pre", "value": value} for item, value in answers.items()]
    scores = score_items(pd.DataFrame(rows), instrument)
    for pseudonym, values in expected.items():
        for scale, value in values.items():
            got = scores[(scores["pseudonym"] == pseudonym) & (scores["scale"] == scale)
                         & (scores["scoring"] == "sum")]["score"].iloc[0]
            if np.isnan(value):
                assert np.isnan(got), (pseudonym, scale)
            else:
                assert got == pytest.approx(value), (pseudonym, scale)


def test_item_wording_is_not_shipped():
    for form in ("sdq_parent", "sdq_teacher"):
        items = load_instruments([form])[form].items
        assert all("not shipped" in text for text in items.values())
