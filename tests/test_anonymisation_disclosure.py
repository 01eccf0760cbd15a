"""Disclosure control: age bands, diagnosis categories, k-anonymity and l-diversity after
generalisation and suppression, checked against a separate counting implementation."""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd
import pytest

from parentgroup.anonymisation.disclosure import (
    QUASI_IDENTIFIERS,
    SENSITIVE,
    age_band,
    age_in_years,
    diagnosis_category,
    generalise,
    k_and_l,
)

BANDS = [[0, 7], [8, 11], [12, 18]]
CATEGORIES = {"autism": "neurodevelopmental", "ADHD": "neurodevelopmental", "odd": "conduct",
              "semh": "semh", "anxiety": "semh"}


def independent_k_l(frame: pd.DataFrame) -> tuple[int, int]:
    """k and distinct l by plain counting (no pandas groupby)."""
    size: Counter = Counter()
    values: dict = defaultdict(set)
    for row in frame.to_dict("records"):
        key = tuple(row[q] for q in QUASI_IDENTIFIERS)
        size[key] += 1
        values[key].add(row[SENSITIVE])
    return min(size.values()), min(len(v) for v in values.values())


def roster(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["child_dob", "child_gender", "relationship",
                                       "child_diagnosis"])


TWELVE = roster([
    ("2019-01-01", "girl", "mother", "autism"), ("2018-05-05", "boy", "father", "ADHD"),
    ("2015-02-02", "boy", "mother", "ODD"), ("2016-03-03", "girl", "grandparent", "Autism"),
    ("2013-07-07", "boy", "mother", "SEMH"), ("2012-08-08", "girl", "carer", "anxiety"),
    ("2014-09-09", "boy", "mother", "autism"), ("2017-10-10", "girl", "mother", "ODD"),
    ("2011-11-11", "boy", "father", "dyslexia"), ("2016-12-12", "girl", "mother", "ADHD"),
    ("2010-06-06", "boy", "mother", "autism"), ("2014-04-04", "girl", "mother", "SEMH"),
])


def test_age_is_in_completed_years_and_bands_are_inclusive():
    assert age_in_years("2014-07-01", "2025-07-01") == 11
    assert age_in_years("2014-07-02", "2025-07-01") == 10
    assert age_in_years("2016-02-29", "2025-02-28") == 8
    assert age_in_years("not a date", "2025-07-01") is None
    assert [age_band(a, BANDS) for a in (0, 7, 8, 11, 12, 18, 19, None)] == [
        "0-7", "0-7", "8-11", "8-11", "12-18", "12-18", "*", "*"]


def test_diagnosis_categories_are_case_insensitive_and_unmapped_is_other():
    assert diagnosis_category("ADHD", CATEGORIES) == "neurodevelopmental"
    assert diagnosis_category("  Autism ", CATEGORIES) == "neurodevelopmental"
    assert diagnosis_category("adhd", CATEGORIES) == "neurodevelopmental"
    assert diagnosis_category("dyslexia", CATEGORIES) == "other"
    assert diagnosis_category("", CATEGORIES) == "*"


def test_k_and_l_hand_worked():
    frame = pd.DataFrame({"child_age_band": ["0-7", "0-7", "0-7", "8-11"],
                          "child_gender": ["girl", "girl", "girl", "boy"],
                          "relationship": ["mother"] * 4,
                          SENSITIVE: ["a", "b", "a", "a"]})
    assert k_and_l(frame) == (1, 1) == independent_k_l(frame)
    assert k_and_l(frame.iloc[:3]) == (3, 2) == independent_k_l(frame.iloc[:3])


def test_k_anonymity_and_l_diversity_hold_after_generalisation():
    exact = TWELVE.assign(age=[age_in_years(d, "2025-07-01") for d in TWELVE["child_dob"]])
    assert exact.groupby(["age", "child_gender", "child_diagnosis"]).size().min() == 1
    released, steps = generalise(TWELVE, reference_date="2025-07-01", age_bands=BANDS,
                                 diagnosis_categories=CATEGORIES, k=3, l_div=2)
    k, l_div = independent_k_l(released)
    assert k >= 3 and l_div >= 2
    assert (k, l_div) == k_and_l(released)
    assert list(steps.columns) == ["step", "variable", "action", "detail", "k_achieved",
                                   "l_achieved"]
    assert steps["step"].tolist() == list(range(1, len(steps) + 1))
    assert steps.iloc[0]["k_achieved"] == 1, "exact bands fail before generalisation"
    assert steps.iloc[-1]["action"] == "check" and "met" in steps.iloc[-1]["detail"]
    assert (steps.iloc[-1]["k_achieved"], steps.iloc[-1]["l_achieved"]) == (k, l_div)
    assert {"generalise"} <= set(steps["action"])
    # the categories themselves are released unchanged
    assert sorted(released[SENSITIVE].unique()) == ["conduct", "neurodevelopmental", "other",
                                                    "semh"]


def test_generalisation_is_deterministic():
    a = generalise(TWELVE, reference_date="2025-07-01", age_bands=BANDS,
                   diagnosis_categories=CATEGORIES, k=3, l_div=2)
    b = generalise(TWELVE.copy(), reference_date="2025-07-01", age_bands=BANDS,
                   diagnosis_categories=CATEGORIES, k=3, l_div=2)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_a_single_unusual_parent_is_suppressed_locally_not_everyone():
    rows = [("2014-01-01", "boy", "mother", "autism"), ("2014-02-01", "boy", "mother", "ODD"),
            ("2014-03-01", "boy", "mother", "SEMH")] * 3
    rows.append(("2014-04-01", "girl", "grandparent", "autism"))
    released, steps = generalise(roster(rows), reference_date="2025-07-01", age_bands=BANDS,
                                 diagnosis_categories=CATEGORIES, k=3, l_div=2)
    assert independent_k_l(released)[0] >= 3
    assert (released["child_gender"] == "*").sum() >= 1
    assert (released["child_gender"] == "boy").sum() >= 6, "the other parents keep their values"
    assert "suppress" in set(steps["action"])


@pytest.mark.parametrize(("rows", "why"), [
    ([("2014-01-01", "boy", "mother", "autism")] * 2, "fewer than k"),
    ([("2014-01-01", "boy", "mother", "autism")] * 5, "fewer than l"),
])
def test_unreachable_targets_withhold_and_say_why(rows, why):
    released, steps = generalise(roster(rows), reference_date="2025-07-01", age_bands=BANDS,
                                 diagnosis_categories=CATEGORIES, k=3, l_div=2)
    assert steps["detail"].str.contains(why).any()
    if why == "fewer than k":
        assert (released[QUASI_IDENTIFIERS] == "*").all().all()
    else:
        assert (released[SENSITIVE] == "*").all()
