"""Indirect identifiers in quotes (the child's gender, a rare diagnosis, a club or team, a
faith group, an event, a place): planted, each one is a review item of its kind; removed, the
quote passes. One item per quote and kind; decided items count as reviewed."""

from __future__ import annotations

import pytest

from parentgroup.anonymisation.quote_risks import KINDS, QuoteRisks

RISKS = QuoteRisks({"autism": "neurodevelopmental", "odd": "conduct", "adhd":
                    "neurodevelopmental"}, {"neurodevelopmental": 8, "conduct": 2}, k=3,
                   unmapped_diagnoses=["hypermobility syndrome"])
PLAIN = "The group helped me stop and think before I reacted."


@pytest.mark.parametrize(("planted", "kind", "token"), [
    ("[Child of P03] said she was tired.", "child gender", "she"),
    ("My son could not settle.", "child gender", "son"),
    ("When he kicks off I breathe.", "child gender", "he"),
    ("The Tourette's diagnosis came last year.", "diagnosis", "Tourette's"),
    ("His ODD made school hard.", "diagnosis", "ODD"),  # a category fewer than k children have
    ("The hypermobility syndrome clinic helped.", "diagnosis", "hypermobility syndrome"),
    ("We go to the boxing club on Fridays.", "club or team", "boxing"),
    ("The Brownies leader was kind.", "club or team", "Brownies"),
    ("People at church noticed.", "faith group", "church"),
    ("After the funeral things got worse.", "event", "funeral"),
    ("We met at the leisure centre.", "place", "leisure centre"),
    ("We swam at [Place] every week.", "place", "[Place]"),
])
def test_each_kind_planted_is_caught_and_removed_passes(planted, kind, token):
    items = RISKS.items(f"{PLAIN} {planted}", "coded_excerpts.csv row 2")
    mine = [i for i in items if i["kind"] == kind]
    assert len(mine) == 1 and mine[0]["token"] == token
    assert mine[0]["status"] == "unreviewed" and token in mine[0]["context"]
    assert RISKS.items(PLAIN, "coded_excerpts.csv row 2") == []


def test_one_item_per_quote_and_kind_listing_every_term():
    items = RISKS.items("She told him her brother's team won; his team lost.", "row 5")
    assert [i["kind"] for i in items] == ["child gender", "club or team"]
    assert "terms: her, him, his, she" in items[0]["context"]


def test_a_common_diagnosis_is_not_flagged_and_an_adults_pronouns_are_not():
    assert RISKS.items("Autism is part of who we are.", "r") == []
    assert RISKS.items("[Teacher] shared her own mistakes.", "r") == []
    assert RISKS.items("[Teacher] asked how my daughter was.", "r")[0]["kind"] == "child gender"


def test_every_kind_has_a_lexicon():
    assert set(KINDS) == {"child gender", "diagnosis", "club or team", "faith group", "event",
                          "place", "uniqueness"}
    for kind in KINDS:
        assert RISKS.patterns[kind] is not None


@pytest.mark.parametrize(("quote", "phrase"), [
    ("[Child of P03] is the only one in Year 4 at [School] with a one-to-one.",
     "the only one in Year 4"),
    ("[Child of P03] is the only autistic girl in Reception at [School].",
     "the only autistic girl in Reception"),
    ("[Sibling of P03] said [Child of P03] was the only girl with SEMH in her class.",
     "the only girl with SEMH in her class"),
    ("she is the only girl at [School] with it", "the only girl at [School]"),
    ("He's one of only two boys in the whole school who needs that.",
     "one of only two boys in the whole school"),
    ("They were the only family from the estate.", "the only family from the estate"),
])
def test_a_quote_that_singles_a_child_out_in_a_small_group_is_a_review_item(quote, phrase):
    """"the only one / girl / autistic ... in her class / year / at [School]" names nobody and
    no rare diagnosis, yet everyone in that class knows who it is."""
    items = [i for i in RISKS.items(quote, "coded_excerpts.csv row 9") if i["kind"] == "uniqueness"]
    assert [i["token"] for i in items] == [phrase]
    assert items[0]["status"] == "unreviewed" and f"terms: {phrase.casefold()}" in items[0][
        "context"]


@pytest.mark.parametrize("quote", [
    "The only thing that helped was the breathing.",
    "I only see him at weekends now.",
    "We only went once, in the summer.",
    PLAIN,
])
def test_only_without_a_small_group_is_not_a_uniqueness_item(quote):
    assert [i for i in RISKS.items(quote, "r") if i["kind"] == "uniqueness"] == []
