"""The SDQ scoring keys (child outcome; parent and teacher forms) score as the official rules,
through the ordinary pipeline scoring and no SDQ-specific code.

The official rules (sdqinfo.org, "Generating scores" in SPSS/SAS/STATA/R): items coded 0, 1, 2;
items 7, 11, 14, 21, 25 reversed; a subscale is scored when at least 3 of its 5 items are
answered, as RND(mean x 5) (halves up); total difficulties = emotional + conduct + hyperactivity
+ peer, missing when any is missing; impact answers 0-3 recoded 0, 0, 1, 2 and summed over the
form's impact items (parent: distress + 4 areas; teacher: distress + 2 areas), missing when one
is unanswered, and 0 when the screening question ("overall, difficulties?") is answered 0 (no).

Where these rules come from: sdqinfo.org's scoring pages (c1-c3: the variable list and coding
were readable here, not the computing statements) and public copies of the official syntax
(R: ``floor(0.5 + rowMeans(...) * 5)`` when fewer than 3 items are missing, impact recode
``0:1=0; 2=1; 3=2`` and ``ifelse(ebddiff == 0, 0, impact)``; Stata: ``round(rmean * 5)`` if more
than 2 answered, ``gen ebdtot = emotion + conduct + hyper + peer``). The instrument files' notes
list what could not be verified against the official text.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from parentgroup.instruments import load_instruments
from parentgroup.scoring.scales import score_items

FORMS = load_instruments(["sdq_parent", "sdq_teacher"])
IMPACT = {"sdq_parent": [27, 28, 29, 30, 31], "sdq_teacher": [27, 28, 29]}
SCREENING = 26


def scores_of(form: str, answers: dict[int, float]) -> dict[str, float]:
    """Score one respondent's answers (item -> presented value, NaN = missing) through the
    pipeline; unlisted items are missing."""
    rows = [{"pseudonym": "P01", "instrument": form, "item": item, "time": "pre",
             "value": answers.get(item, np.nan)} for item in FORMS[form].item_numbers]
    table = score_items(pd.DataFrame(rows), {form: FORMS[form]})
    return dict(zip(table["scale"], table["score"], strict=True))


def nan_equal(got: float, expected: float) -> bool:
    return (math.isnan(got) and math.isnan(expected)) or got == expected


# --------------------------------------------------------------------------------------------
# Hand-worked cases from the official rules


BASE = {i: 1.0 for i in range(1, 26)}  # every item "somewhat true": each subscale 5


def test_complete_answers_with_reversed_items():
    answers = dict(BASE)
    answers.update({3: 2, 8: 2, 13: 0, 16: 1, 24: 2})  # emotional 2 + 2 + 0 + 1 + 2 = 7
    answers.update({5: 2, 7: 0, 12: 0, 18: 0, 22: 0})  # conduct 2 + (2 - 0) + 0 + 0 + 0 = 4
    got = scores_of("sdq_parent", answers)
    assert got["emotional"] == 7 and got["conduct"] == 4
    assert got["hyperactivity"] == 5 and got["peer"] == 5 and got["prosocial"] == 5
    assert got["total_difficulties"] == 7 + 4 + 5 + 5  # prosocial is not in the total
    assert got["externalising"] == 4 + 5 and got["internalising"] == 7 + 5


def test_two_missing_items_are_prorated_and_rounded_as_the_official_syntax():
    # emotional: items 3, 8 missing; 13, 16, 24 = 2, 1, 2 -> mean 5/3 x 5 = 8.33 -> 8
    # conduct: item 5 missing; 7, 12, 18, 22 = 2 (reversed: 0), 1, 1, 0 -> 2/4 x 5 = 2.5 -> 3
    #   (halves up, as SPSS RND and R floor(x + 0.5); numpy's round would give 2)
    # peer: items 6, 11 missing; 14, 19, 23 = 0 (reversed: 2), 1, 1 -> 4/3 x 5 = 6.67 -> 7
    answers = dict(BASE)
    answers.update({3: np.nan, 8: np.nan, 13: 2, 16: 1, 24: 2})
    answers.update({5: np.nan, 7: 2, 12: 1, 18: 1, 22: 0})
    answers.update({6: np.nan, 11: np.nan, 14: 0, 19: 1, 23: 1})
    got = scores_of("sdq_parent", answers)
    assert (got["emotional"], got["conduct"], got["peer"]) == (8, 3, 7)
    assert got["total_difficulties"] == 8 + 3 + 5 + 7  # the sum of the rounded subscales


def test_three_missing_items_leave_the_subscale_and_the_total_missing():
    answers = dict(BASE)
    answers.update({2: np.nan, 10: np.nan, 15: np.nan})  # hyperactivity: 2 of 5 answered
    got = scores_of("sdq_teacher", answers)
    assert math.isnan(got["hyperactivity"])
    assert math.isnan(got["total_difficulties"]) and math.isnan(got["externalising"])
    assert got["internalising"] == 10 and got["emotional"] == 5  # the others still scored


@pytest.mark.parametrize("form", ["sdq_parent", "sdq_teacher"])
def test_impact_recodes_sums_and_is_gated_by_the_screening_question(form):
    impact = IMPACT[form]
    answers = dict(BASE)
    # "a great deal" = 3 -> 2, "quite a lot" = 2 -> 1, "only a little" = 1 -> 0, "not at all" 0
    presented = [3, 2, 1, 0, 3][: len(impact)]
    answers.update(dict(zip(impact, presented, strict=True)))
    expected = sum({0: 0, 1: 0, 2: 1, 3: 2}[v] for v in presented)
    assert scores_of(form, {**answers, SCREENING: 2})["impact"] == expected
    # the screening question answered "no": impact 0 whatever the impact items say
    assert scores_of(form, {**answers, SCREENING: 0})["impact"] == 0
    # one impact item unanswered: missing, unless the screening answer is "no"
    gap = {**answers, impact[1]: np.nan}
    assert math.isnan(scores_of(form, {**gap, SCREENING: 1})["impact"])
    assert math.isnan(scores_of(form, {**gap, SCREENING: np.nan})["impact"])
    assert scores_of(form, {**gap, SCREENING: 0})["impact"] == 0


def test_impact_answers_are_read_on_their_own_four_point_scale():
    assert FORMS["sdq_parent"].score_range("impact", "sum") == (0.0, 10.0)
    assert FORMS["sdq_teacher"].score_range("impact", "sum") == (0.0, 6.0)
    assert FORMS["sdq_parent"].score_range("total_difficulties", "sum") == (0.0, 40.0)
    assert FORMS["sdq_parent"].informant == "parent"
    assert FORMS["sdq_teacher"].informant == "teacher"


# --------------------------------------------------------------------------------------------
# Against an independent implementation of the official syntax, written out here


REVERSED = {7, 11, 14, 21, 25}
SUBSCALES = {"emotional": [3, 8, 13, 16, 24], "conduct": [5, 7, 12, 18, 22],
             "hyperactivity": [2, 10, 15, 21, 25], "peer": [6, 11, 14, 19, 23],
             "prosocial": [1, 4, 9, 17, 20]}


def official(answers: dict[int, float], impact_items: list[int]) -> dict[str, float]:
    """The official syntax, one respondent at a time, in plain Python (Decimal rounding)."""
    def value(item):
        v = answers[item]
        if v != v:  # NaN
            return None
        return 2 - v if item in REVERSED else v

    out = {}
    for scale, items in SUBSCALES.items():
        present = [value(i) for i in items if value(i) is not None]
        if len(present) >= 3:  # MEAN.3
            mean5 = Decimal(sum(present)) / Decimal(len(present)) * 5
            out[scale] = float(mean5.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # RND
        else:
            out[scale] = math.nan
    parts = [out[s] for s in ("emotional", "conduct", "hyperactivity", "peer")]
    out["total_difficulties"] = math.nan if any(p != p for p in parts) else sum(parts)
    recoded = [{0: 0, 1: 0, 2: 1, 3: 2}.get(answers[i]) for i in impact_items]
    out["impact"] = math.nan if None in recoded else float(sum(recoded))
    if answers[SCREENING] == 0:
        out["impact"] = 0.0
    return out


@pytest.mark.parametrize("form", ["sdq_parent", "sdq_teacher"])
def test_scores_equal_an_independent_implementation_of_the_official_syntax(form):
    rng = np.random.default_rng(20261207)
    impact = IMPACT[form]
    rows, expected = [], {}
    for child in range(300):
        answers = {i: float(rng.integers(0, 3)) for i in range(1, 26)}
        answers[SCREENING] = float(rng.integers(0, 4))
        answers.update({i: float(rng.integers(0, 4)) for i in impact})
        for item in answers:  # about 12 % missing: many subscales with 1-3 items missing
            if rng.random() < 0.12:
                answers[item] = np.nan
        pseudonym = f"P{child:03d}"
        expected[pseudonym] = official(answers, impact)
        rows += [{"pseudonym": pseudonym, "instrument": form, "item": item, "time": "pre",
                  "value": value} for item, value in answers.items()]
    table = score_items(pd.DataFrame(rows), {form: FORMS[form]})
    got = table.set_index(["pseudonym", "scale"])["score"]
    compared = 0
    for pseudonym, values in expected.items():
        for scale, value in values.items():
            assert nan_equal(got[(pseudonym, scale)], value), (pseudonym, scale, value)
            compared += 1
    assert compared == 300 * 7
    # the sample exercised every rule
    assert table["prorated"].any() and table["score"].isna().any()
    assert sum(math.isnan(v["total_difficulties"]) for v in expected.values()) > 10


def test_item_wording_is_not_shipped():
    for form in FORMS.values():
        assert all("not shipped" in text for text in form.items.values())
