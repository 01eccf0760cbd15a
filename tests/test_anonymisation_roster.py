"""Roster checks that protect the people it describes: unknown identifier-like columns are
refused (their names would be neither redacted nor searched), other unknown columns warned
about, impossible child dates of birth located without printing them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import REPO

from parentgroup.inputs.roster import (
    column_looks_like_identifier,
    date_of_birth_problems,
    read_roster,
)
from parentgroup.problems import ERROR, WARNING

DEMO = REPO / "data/raw/demo/roster.csv"
CONFIG = {"roster": {"direct_identifiers": ["parent_name", "child_name", "email", "phone"],
                     "quasi_identifiers": ["child_gender"]}}


def roster_with(tmp_path, **columns) -> pd.DataFrame:
    frame = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    for name, value in columns.items():
        frame[name] = value
    path = tmp_path / "roster.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_demo_roster_has_no_problem():
    _, problems = read_roster(DEMO, CONFIG, "2025-07-01")
    assert [p for p in problems if p.severity == ERROR] == []
    assert not any("contract" in p.expected for p in problems)


@pytest.mark.parametrize("column", ["school", "staff_names", "town", "address", "street",
                                    "nhs_number", "dob", "mobile", "Home Address",
                                    "teacher", "gp_practice", "date_of_birth", "surname"])
def test_an_unknown_identifier_column_is_an_error_naming_it_and_never_its_values(tmp_path,
                                                                                column):
    path = roster_with(tmp_path, **{column: "Canary Value 4417"})
    _, problems = read_roster(path, CONFIG, "2025-07-01")
    found = [p for p in problems if p.column == column]
    assert len(found) == 1 and found[0].severity == ERROR and found[0].row == 1
    message = found[0].format()
    assert "roster.direct_identifiers" in message and "identifiers.yaml" in message
    assert all("Canary" not in p.format() and "4417" not in p.format() for p in problems)


@pytest.mark.parametrize("column", ["notes", "ethnicity", "year_group", "referral_route"])
def test_an_other_unknown_column_is_a_warning(tmp_path, column):
    path = roster_with(tmp_path, **{column: "Canary"})
    _, problems = read_roster(path, CONFIG, "2025-07-01")
    found = [p for p in problems if p.column == column]
    assert [p.severity for p in found] == [WARNING]
    assert "Canary" not in found[0].format()


def test_a_column_listed_as_a_direct_identifier_is_accepted(tmp_path):
    path = roster_with(tmp_path, school="Canary School", staff_names="Canary Person")
    config = {"roster": {"direct_identifiers": ["school", "staff_names"]}}
    _, problems = read_roster(path, config, "2025-07-01")
    assert not [p for p in problems if p.column in {"school", "staff_names"}]


def test_column_names_are_judged_on_their_words():
    assert column_looks_like_identifier("Partner Name")
    assert column_looks_like_identifier("post-code")
    assert not column_looks_like_identifier("consent_quotes")
    assert not column_looks_like_identifier("group")


@pytest.mark.parametrize(("value", "expected"), [
    ("2031-01-01", "in the past"), ("2025-07-02", "reference_date"),
    ("2014-02-30", "a date that exists")])
def test_an_impossible_date_of_birth_is_located_and_hidden(tmp_path, value, expected):
    frame = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    frame.loc[3, "child_dob"] = value
    path = tmp_path / "roster.csv"
    frame.to_csv(path, index=False)
    _, problems = read_roster(path, CONFIG, "2025-07-01")
    found = [p for p in problems if p.column == "child_dob"]
    assert len(found) == 1 and found[0].row == 5 and found[0].severity == ERROR
    assert expected in found[0].expected
    message = found[0].format()
    assert "roster.csv, row 5, column 'child_dob'" in message and value not in message


def test_a_date_of_birth_on_the_reference_date_is_accepted():
    frame = pd.DataFrame({"child_dob": ["2025-07-01", "2010-01-01", ""]})
    assert date_of_birth_problems(frame, "r", "2025-07-01", today=dt.date(2026, 1, 1)) == []


# -- other_names: the names of other people a family mentions -----------------------------------
def test_other_names_is_a_roster_column_of_the_contract(tmp_path):
    path = roster_with(tmp_path, other_names="")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "other_names"] = "Gosia; Babcia Ela"
    frame.to_csv(path, index=False)
    configured = {"roster": {"direct_identifiers": ["parent_name", "other_names"]}}
    read, problems = read_roster(path, configured, "2025-07-01")
    assert [p for p in problems if p.column == "other_names"] == []
    assert read.loc[0, "other_names"] == "Gosia; Babcia Ela"
    # a config that lists the identifier columns itself and forgets other_names: the leak check
    # would not search them, so the reader says so (never the names)
    _, problems = read_roster(path, CONFIG, "2025-07-01")
    found = [p for p in problems if p.column == "other_names"]
    assert [p.severity for p in found] == [WARNING]
    assert "Gosia" not in found[0].format()
    # a roster from before the column: no warning about it
    read, problems = read_roster(DEMO, {"roster": {"direct_identifiers": ["other_names"]}},
                                 "2025-07-01")
    assert not [p for p in problems if p.column == "other_names"]
    assert set(read["other_names"]) == {""}


def test_other_names_are_redacted_and_searched_by_the_leak_check():
    import yaml

    from parentgroup.anonymisation.journey import redact_own_family
    from parentgroup.anonymisation.redaction import Redactor
    from parentgroup.leak_check.needles import build_needles

    roster = pd.DataFrame([{"record_id": "R1", "parent_name": "Łukasz Wróbel",
                            "child_name": "Zuzanna Wróbel", "partner_name": "Małgorzata Wróbel",
                            "other_names": "Gosia; Małgosia; Babcia Ela Nowak"}])
    out, _ = Redactor(roster, {}, {"R1": "P11"}).redact(
        "Parent: My wife Małgosia, Gosia, does mornings; Babcia Ela Nowak and Mrs Nowak help.",
        "R1", "t")
    assert out == ("Parent: My wife [Person known to P11], [Person known to P11], does mornings; "
                   "[Person known to P11] and Mrs [Family of P11] help.")
    assert redact_own_family("Gosia does bedtime", roster.iloc[0].to_dict(), "P11") == (
        "[Person known to P11] does bedtime", 1)
    default = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    direct = default["roster"]["direct_identifiers"]
    assert "other_names" in direct
    needles = build_needles(roster, {}, direct, None)
    assert {n.text for n in needles if n.field == "other_names"} >= {"gosia", "malgosia", "ela"}
