"""The leak check, tested the way de-identification scanners are: a clean set of outputs passes;
an identifier planted in a table, a figure (SVG text, PNG and PDF metadata), the HTML (as an
entity, split by a tag), a phone with other spacing, a postcode without its space, a name split
across a line break, or a file name makes it fail; removed again, it passes. The message never
contains the identifier."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from parentgroup.leak_check import (  # noqa: E402
    LeakFound,
    build_needles,
    check_site_outputs,
    scan_paths,
)

ROSTER = pd.DataFrame(
    {
        "record_id": ["T-01", "T-02", "T-03"],
        "parent_name": ["Siobhan O'Neil", "Will Fairbrother", "Zoë Smith-Jones"],
        "parent_nicknames": ["Shiv", "", ""],
        "child_name": ["Grace O'Neil", "Tobias Fairbrother", "Maisie Smith-Jones"],
        "child_nicknames": ["", "Toby", ""],
        "partner_name": ["", "May Fairbrother", ""],
        "sibling_names": ["", "", "Rufus Smith-Jones"],
        "email": ["shiv.oneil@example.org", "will.f@school.sch.uk", "zoe@example.net"],
        "phone": ["07700 900111", "020 7946 0222", "+44 7700 900333"],
        "postcode": ["ZZ99 1AA", "SW1A 1AA", "ZZ99 3CC"],
        "child_dob": ["2014-03-09", "2013-11-21", "2015-06-30"],
    }
)
CONFIG = {
    "roster": {"direct_identifiers": [
        "parent_name", "parent_nicknames", "child_name", "child_nicknames", "partner_name",
        "sibling_names", "email", "phone", "postcode", "child_dob"]},
    "anonymisation": {"leak_allow_list": []},
}
SITE = {"identifiers": {"staff": {"Priya Ramaswamy": "Teacher"}, "school": ["Hillcrest Academy"],
                        "town": ["Little Brampton"]}}
KEY = pd.DataFrame({"record_id": ["T-01", "T-02", "T-03"], "pseudonym": ["P02", "P03", "P01"]})
IDENTIFIERS = ["O'Neil", "Fairbrother", "Smith-Jones", "Tobias", "Maisie", "Rufus", "Siobhan",
               "07700 900111", "Ramaswamy", "Hillcrest Academy", "2014-03-09"]


def _clean_outputs(root):
    (root / "processed").mkdir(parents=True)
    pd.DataFrame({"pseudonym": ["P01", "P02"], "score": [3.5, 4.0]}).to_csv(
        root / "processed" / "scores.csv", index=False)
    figure, axis = plt.subplots()
    axis.plot([1, 2], [3, 4], label="P01")
    axis.set_title("Change in pre-mentalizing")
    axis.legend()
    for ext in ("png", "svg", "pdf"):
        figure.savefig(root / f"figure.{ext}")
    plt.close(figure)
    (root / "report.html").write_text(
        "<html><body><h1>Report</h1><p>P01 said: “it was a grace period”. Will you come? "
        "It may rain.</p></body></html>", encoding="utf-8")
    (root / "report.ipynb").write_text(json.dumps(
        {"cells": [{"source": ["P01 and P02"], "outputs": []}]}), encoding="utf-8")
    (root / "run.log").write_text("INFO scored 12 parents\n", encoding="utf-8")


def _scan(root):
    needles = build_needles(ROSTER, SITE, CONFIG, KEY)
    hits, _ = scan_paths([root], needles, base=root)
    return hits


def test_clean_outputs_pass_and_decoys_are_not_hits(tmp_path):
    _clean_outputs(tmp_path)
    assert _scan(tmp_path) == []


@pytest.mark.parametrize(
    ("plant", "participant", "field"),
    [
        (lambda r: (r / "processed/scores.csv").write_text(
            "pseudonym,score\nP01,3.5\nTobias Fairbrother,4\n"), "P03", "child_name"),
        (lambda r: _figure(r, "svg", title="Maisie at home"), "P01", "child_name"),
        (lambda r: _figure(r, "png", metadata={"Title": "Rufus Smith-Jones"}), "P01",
         "sibling_names"),
        (lambda r: _figure(r, "pdf", metadata={"Author": "Siobhan O'Neil"}), "P02",
         "parent_name"),
        (lambda r: (r / "report.html").write_text(
            "<p>Thanks to Mrs O&#39;<b>Neil</b></p>"), "P02", "parent_name"),
        (lambda r: (r / "report.html").write_text("<p>ring 0770 090 0111</p>"), "P02", "phone"),
        (lambda r: (r / "report.html").write_text("<p>lives at sw1a1aa</p>"), "P03", "postcode"),
        (lambda r: (r / "run.log").write_text("spoke to Siobhan\nO'Neil today"), "P02",
         "parent_name"),
        (lambda r: (r / "processed" / "Maisie-notes.txt").write_text("ok"), "P01", "child_name"),
        (lambda r: (r / "run.log").write_text("born 09/03/2014"), "P02", "child_dob"),
        (lambda r: (r / "run.log").write_text("met Ms Ramaswamy"), "site", "staff"),
        (lambda r: (r / "report.ipynb").write_text(json.dumps(
            {"cells": [{"source": ["Toby was calmer"]}]})), "P03", "child_nicknames"),
    ],
)
def test_a_planted_identifier_fails_the_check_without_being_named(
    tmp_path, plant, participant, field
):
    _clean_outputs(tmp_path)
    roster_path = tmp_path.parent / f"{tmp_path.name}-roster.csv"
    ROSTER.to_csv(roster_path, index=False)
    key_path = tmp_path.parent / f"{tmp_path.name}-key.csv"
    KEY.to_csv(key_path, index=False)
    summary = tmp_path.parent / f"{tmp_path.name}-summary.txt"
    check = dict(roster_path=roster_path, key_path=key_path, site_cfg=SITE, config=CONFIG,
                 roots=[tmp_path], summary_path=summary)
    assert check_site_outputs(**check) > 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    plant(tmp_path)
    with pytest.raises(LeakFound) as error:
        check_site_outputs(**check)
    message = str(error.value)
    assert f"{participant}, field {field}" in message
    for identifier in IDENTIFIERS:
        assert identifier.casefold() not in message.casefold()
        assert identifier.casefold() not in summary.read_text(encoding="utf-8").casefold()
    for path in [p for p in tmp_path.rglob("*") if p.is_file()]:
        if path in before:
            path.write_bytes(before[path])
        else:
            path.unlink()
    assert check_site_outputs(**check) > 0


def _figure(root, ext, *, title="P01", metadata=None):
    figure, axis = plt.subplots()
    axis.set_title(title)
    figure.savefig(root / f"figure.{ext}", metadata=metadata)
    plt.close(figure)
