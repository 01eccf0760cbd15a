"""The synthetic demo site: rebuilt byte for byte, shaped like the study, calibrated.

The calibration checks score the committed questionnaire independently of the generator (pandas
here, the generator uses numpy) and take t and p from scipy.stats.ttest_rel, with
d_z = t / sqrt(n) (Lakens 2013, eq. 7), against the published values (Chelouche-Dwek & Fonagy
2026): pre-mentalizing -1.34, interest and curiosity +1.83, certainty -0.63 (p = .053), PSOC
total +1.61.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO
from scipy import stats

from parentgroup.demo import build_demo_site

DEMO = REPO / "data/raw/demo"
NS = {"q": "urn:QDA-XML:project:1.0"}
# The themes as the study's config names them: the generator's codes must map onto these.
THEME_NAMES = {t["id"]: t["name"] for t in
               yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))["themes"]}
SCALES = {  # name: (instrument, items, reversed items, top of the scale, sum?)
    "pre_mentalizing": ("prfq", [1, 4, 7, 10, 13, 16], (), 7, False),
    "certainty": ("prfq", [2, 5, 8, 11, 14, 17], (11,), 7, False),
    "interest_curiosity": ("prfq", [3, 6, 9, 12, 15, 18], (18,), 7, False),
    "psoc_total": ("psoc", list(range(1, 18)), (2, 3, 4, 5, 8, 9, 12, 14, 16), 6, True),
    "psoc_satisfaction": ("psoc", [2, 3, 4, 5, 8, 9, 12, 14, 16], (2, 3, 4, 5, 8, 9, 12, 14, 16),
                          6, True),
    "psoc_efficacy": ("psoc", [1, 6, 7, 10, 11, 13, 15], (), 6, True),
}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / name, dtype=str, keep_default_na=False)


def _texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in (DEMO / "transcripts").glob("*.txt")}


def test_generator_rebuilds_the_committed_site_byte_for_byte(tmp_path):
    written = build_demo_site(tmp_path / "demo")
    relative = sorted(str(p.relative_to(tmp_path / "demo")) for p in written)
    committed = sorted(
        str(p.relative_to(DEMO)) for p in DEMO.rglob("*")
        if p.is_file() and p.name != "review_decisions.csv"
    )
    assert relative == committed  # nothing generated is missing, nothing committed is stale
    assert len(relative) == 23  # with referrals.csv, goals.csv, baseline_form.csv (issue 20)
    for name in relative:
        assert (tmp_path / "demo" / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_another_seed_gives_another_site(tmp_path):
    build_demo_site(tmp_path / "other", seed=7)
    assert (tmp_path / "other/attendance.csv").read_bytes() != (
        DEMO / "attendance.csv").read_bytes()


def test_roster_attendance_and_flow():
    roster = _read("roster.csv")
    assert list(roster.columns) == [
        "record_id", "parent_name", "parent_nicknames", "child_name", "child_nicknames",
        "partner_name", "sibling_names", "email", "phone", "postcode", "child_dob",
        "child_gender", "child_diagnosis", "relationship", "group", "consent_quotes",
        "reason_left", "data_source",
    ]
    assert len(roster) == 14 and roster["record_id"].is_unique
    assert (roster["group"] == "Group A").all()
    assert (roster["data_source"] == "SYNTHETIC DEMO DATA - fictional people").all()
    assert roster["consent_quotes"].value_counts().to_dict() in ({"yes": 10, "no": 4},
                                                                 {"yes": 11, "no": 3})
    age = (pd.Timestamp("2025-07-01") - pd.to_datetime(roster["child_dob"])).dt.days / 365.25
    assert age.between(5, 16).all()
    attendance = pd.read_csv(DEMO / "attendance.csv", dtype={"record_id": str})
    assert sorted(attendance["session"].unique()) == list(range(1, 11))
    assert len(attendance) == 14 * 10
    sessions = attendance.groupby("record_id")["attended"].sum()
    completers = sessions[sessions >= 6]
    leavers = sessions[sessions < 6]
    assert len(completers) == 12 and completers.between(6, 10).all()
    assert len(leavers) == 2 and leavers.between(2, 4).all()
    for record_id in leavers.index:  # attended the first weeks, then stopped
        weeks = attendance[attendance["record_id"] == record_id].sort_values("session")
        assert weeks["attended"].tolist() == [1] * leavers[record_id] + [0] * (
            10 - leavers[record_id])
    reasons = roster.set_index("record_id")["reason_left"]
    assert (reasons[leavers.index] != "").all() and (reasons[completers.index] == "").all()
    questionnaire = _read("questionnaire.csv")
    assert len(questionnaire) == 13
    assert set(completers.index) <= set(questionnaire["record_id"])
    assert len(set(leavers.index) & set(questionnaire["record_id"])) == 1


def test_roster_has_the_hard_cases():
    roster = _read("roster.csv")
    text = roster.to_csv(index=False)
    for hard in ("O'Neil", "D'Souza", "Mary-Jane", "Smith-Jones", "Zoë", "Chloé", "José",
                 "Lizzie", "Alf", "Will", "May ", "Hope ", "Rose ", ".sch.uk", "gmail.co.uk",
                 "07700 900123", "+44 7700 900456", "020 7946 0958", "(01632) 960 001"):
        assert hard in text, hard
    assert (roster["sibling_names"].str.contains(";")).any()
    assert set(roster["relationship"]) >= {"mother", "father", "grandparent", "carer"}


def _scale(frame, time, instrument, items, reverse, top, use_sum):
    block = frame[[f"{instrument}_{i:02d}_{time}" for i in items]].replace("", np.nan)
    block = block.astype(float)
    for i in reverse:
        column = f"{instrument}_{i:02d}_{time}"
        block[column] = top + 1 - block[column]
    score = block.mean(axis=1) * (len(items) if use_sum else 1)
    return score.where(block.isna().sum(axis=1) <= 1)


def _completers() -> pd.DataFrame:
    questionnaire = _read("questionnaire.csv")
    attendance = pd.read_csv(DEMO / "attendance.csv", dtype={"record_id": str})
    sessions = attendance.groupby("record_id")["attended"].sum()
    return questionnaire[questionnaire["record_id"].map(sessions) >= 6]


@pytest.mark.parametrize(
    ("scale", "target"),
    [("pre_mentalizing", -1.34), ("interest_curiosity", 1.83), ("certainty", -0.63),
     ("psoc_total", 1.61)],
)
def test_questionnaires_reproduce_the_published_effects(scale, target):
    completers = _completers()
    then = _scale(completers, "then", *SCALES[scale])
    now = _scale(completers, "now", *SCALES[scale])
    assert len(completers) == 12 and then.notna().all() and now.notna().all()
    t, p = stats.ttest_rel(now, then)
    assert t / np.sqrt(12) == pytest.approx(target, abs=0.02)
    if scale == "certainty":
        assert 0.045 <= p <= 0.060


def test_unpublished_scales_and_levels_are_plausible():
    completers = _completers()
    for scale in ("psoc_satisfaction", "psoc_efficacy"):
        t, _ = stats.ttest_rel(_scale(completers, "now", *SCALES[scale]),
                               _scale(completers, "then", *SCALES[scale]))
        assert 1.0 <= t / np.sqrt(12) <= 1.7, scale
    assert 3.5 <= _scale(completers, "then", *SCALES["pre_mentalizing"]).mean() <= 4.5
    assert 4.0 <= _scale(completers, "then", *SCALES["interest_curiosity"]).mean() <= 5.0
    assert 50 <= _scale(completers, "then", *SCALES["psoc_total"]).mean() <= 60


def test_missing_answers_are_few_and_at_most_one_per_scale():
    questionnaire = _read("questionnaire.csv")
    items = questionnaire.drop(columns=["record_id", "data_source"])
    assert 3 <= (items == "").sum().sum() <= 4
    values = items[items != ""].stack().astype(int)
    assert values.filter(like="prfq").between(1, 7).all()
    assert values.filter(like="psoc").between(1, 6).all()
    for name in ("pre_mentalizing", "certainty", "interest_curiosity", "psoc_satisfaction",
                 "psoc_efficacy"):
        instrument, scale_items, *_ = SCALES[name]
        for time in ("then", "now"):
            block = questionnaire[[f"{instrument}_{i:02d}_{time}" for i in scale_items]]
            assert ((block == "").sum(axis=1) <= 1).all(), (name, time)


def test_transcripts_are_interviews_with_identifiers_and_decoys():
    texts = _texts()
    assert len(texts) == 12
    roster = _read("roster.csv").set_index("record_id")
    for record_id, text in texts.items():
        assert text.startswith("[SYNTHETIC DEMO TRANSCRIPT - fictional people and places]\n\n")
        assert 800 <= len(text.split()) <= 1500, record_id
        turns = text.rstrip("\n").split("\n\n")[1:]
        assert all(t.startswith(("Interviewer: ", "Parent: ")) for t in turns), record_id
        assert max(len(line) for line in text.splitlines()) <= 88
        flat = text.replace("\n", " ")
        child = roster.at[record_id, "child_name"].split()[0]
        assert child in flat and roster.at[record_id, "partner_name"].split()[0] in flat
        assert "Riverside" in flat and "Ashbourne Vale" in flat
    everything = "\n".join(texts[k] for k in sorted(texts))
    for needed in ("grace period", "Will you", " may ", " hope", " rose", "’s", "Chris'",
                   "@riverside.sch.uk", "https://", "14th March", "03/02/2025"):
        assert needed in everything.replace("\n", " "), needed
    assert "Ashbourne\nVale" in everything or any(
        n.replace(" ", "\n") in everything for n in ("Grace Okafor", "Sam Haddad"))


def test_excerpts_are_verbatim_and_cover_the_themes():
    excerpts = pd.read_csv(DEMO / "coded_excerpts.csv", dtype={"record_id": str},
                           keep_default_na=False)
    assert list(excerpts.columns) == ["record_id", "theme", "code", "excerpt", "start", "end",
                                      "data_source"]
    texts = _texts()
    for row in excerpts.itertuples():
        assert texts[row.record_id][row.start : row.end] == row.excerpt
    assert set(excerpts["theme"]) == set(THEME_NAMES)
    assert excerpts.groupby("theme")["record_id"].nunique().min() >= 6
    assert excerpts.groupby("record_id").size().between(3, 6).all()
    assert excerpts["record_id"].nunique() == 12


def test_qdpx_holds_the_same_coding():
    excerpts = pd.read_csv(DEMO / "coded_excerpts.csv", dtype={"record_id": str},
                           keep_default_na=False)
    expected = sorted(zip(excerpts["record_id"], excerpts["start"], excerpts["end"],
                          excerpts["excerpt"], excerpts["theme"], strict=True))
    with zipfile.ZipFile(DEMO / "coding.qdpx") as archive:
        project = ET.fromstring(archive.read("project.qde"))
        assert project.tag == "{urn:QDA-XML:project:1.0}Project"
        assert "SYNTHETIC" in project.find("q:Description", NS).text
        root = project.find("q:CodeBook/q:Codes/q:Code", NS)
        assert root.get("name") == "Themes" and root.get("isCodable") == "false"
        theme_of = {}
        themes = root.findall("q:Code", NS)
        assert [t.get("name") for t in themes] == list(THEME_NAMES.values())
        for theme_id, theme in zip(THEME_NAMES, themes, strict=True):
            theme_of[theme.get("guid")] = theme_id
            for code in theme.iter("{urn:QDA-XML:project:1.0}Code"):
                theme_of[code.get("guid")] = theme_id
        cases = {c.find("q:SourceRef", NS).get("targetGUID"): c.get("name")
                 for c in project.iterfind("q:Cases/q:Case", NS)}
        assert len(cases) == 12
        found = []
        for source in project.iterfind("q:Sources/q:TextSource", NS):
            guid = source.get("guid")
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            text = archive.read(f"sources/{guid}.txt").decode("utf-8")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start = int(selection.get("startPosition"))
                end = int(selection.get("endPosition"))
                target = selection.find("q:Coding/q:CodeRef", NS).get("targetGUID")
                found.append((cases[guid], start, end, text[start:end], theme_of[target]))
    assert sorted(found) == expected
    codebook = ET.parse(DEMO / "codebook.qdc").getroot()
    assert codebook.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
