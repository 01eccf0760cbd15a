"""Anonymisation: the linkage key, disclosure control, redaction on the gold set, consent."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
from conftest import REPO

from parentgroup.anonymisation.disclosure import generalise, k_and_l
from parentgroup.anonymisation.evaluation import evaluate_gold_set, parse_gold
from parentgroup.anonymisation.linkage import KeyPathError, ensure_linkage_key
from parentgroup.anonymisation.redaction import Redactor
from parentgroup.anonymisation.review import apply_decisions, review_items

GOLD = REPO / "tests/gold"


def test_gold_set_recall_is_complete_and_decoys_are_left_alone():
    table = evaluate_gold_set(GOLD).set_index("category")
    for category, row in table.iterrows():
        if " " not in category:
            assert row["recall"] == 1.0, category
    assert table.at["decoys left alone", "recall"] == 1.0
    assert table.at["ALL (span precision)", "recall"] >= 0.95


def test_linkage_key_is_random_stable_private_and_grows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "secure" / "site" / "linkage_key.csv"
    ids = [f"R{i:02d}" for i in range(12)]
    first = ensure_linkage_key(path, ids)
    assert sorted(first.values()) == [f"P{i:02d}" for i in range(1, 13)]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert ensure_linkage_key(path, ids) == first
    grown = ensure_linkage_key(path, [*ids, "R99"])
    assert {k: grown[k] for k in ids} == first and grown["R99"] == "P13"
    orders = {tuple(ensure_linkage_key(tmp_path / f"k{i}.csv", ids)[r] for r in ids)
              for i in range(5)}
    assert len(orders) > 1, "pseudonyms are assigned in a random order"
    assert "R00" not in path.read_text().split("\n")[0]


@pytest.mark.parametrize("folder", ["data/processed/site", "results/site"])
def test_key_inside_a_shared_folder_is_refused(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyPathError, match="shared"):
        ensure_linkage_key(tmp_path / folder / "linkage_key.csv", ["R1"])


def test_k_anonymity_and_l_diversity_hold_after_generalisation():
    roster = pd.DataFrame({
        "child_dob": ["2014-01-01", "2013-05-05", "2010-02-02", "2016-03-03", "2012-07-07",
                      "2011-08-08"],
        "child_gender": ["girl", "boy", "boy", "girl", "boy", "girl"],
        "relationship": ["mother", "father", "mother", "grandparent", "mother", "carer"],
        "child_diagnosis": ["autism", "ADHD", "ODD", "autism", "SEMH", "anxiety"],
    })
    exact = roster.assign(child_age_band=roster["child_dob"], diagnosis_category="x")
    assert exact.groupby(["child_dob", "child_gender", "relationship"]).size().min() == 1
    released, steps = generalise(
        roster, reference_date="2025-07-01", age_bands=[[0, 7], [8, 11], [12, 18]],
        diagnosis_categories={"autism": "neurodevelopmental", "adhd": "neurodevelopmental",
                              "odd": "conduct", "semh": "semh", "anxiety": "semh"},
        k=3, l_div=2,
    )
    k, l_div = k_and_l(released)
    assert k >= 3 and l_div >= 2
    assert steps.iloc[-1]["action"] == "check"
    assert len(steps) > 2, "generalisation steps are recorded"


def test_excerpts_and_transcripts_share_one_mapping():
    roster = pd.read_csv(GOLD / "roster.csv", dtype=str, keep_default_na=False)
    redactor = Redactor(roster, {"staff": {"Priya Raman": "Teacher"}}, {"G-01": "P07",
                        "G-02": "P02", "G-03": "P03", "G-04": "P04"})
    text, _, _ = parse_gold((GOLD / "G-01.txt").read_text(encoding="utf-8"))
    whole, _ = redactor.redact(text, "G-01", "t")
    excerpt = "Gracie has always been a handful. Grace's dad, Ciarán, works"
    part, _ = redactor.redact(excerpt, "G-01", "e")
    assert part == "[Child of P07] has always been a handful. [Child of P07]'s dad, " \
        "[Partner of P07], works"
    assert part.split(" works")[0] in whole.replace("\n", " ")


def test_review_list_flags_leftover_names_and_release_requires_decisions():
    text = "Parent: We went to Brightwater Leisure on Saturday with 15 others."
    items = review_items(text, "t", allow={"saturday"})
    tokens = [i["token"] for i in items]
    assert "Brightwater" in tokens and "15" in tokens and "Saturday" not in tokens
    frame, problems = apply_decisions(items, {}, release=True)
    assert problems and problems[0].severity == "error"
    decided = {t: {"decision": "keep", "replacement": ""} for t in tokens}
    frame, problems = apply_decisions(items, decided, release=True)
    assert problems == [] and (frame["status"] == "reviewed: keep").all()
