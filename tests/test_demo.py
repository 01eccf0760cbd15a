"""The synthetic demo site: rebuilt byte for byte, shaped like the study, calibrated."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from scipy import stats

from parentgroup.demo import build_demo_site

DEMO = REPO / "data/raw/demo"
NS = {"q": "urn:QDA-XML:project:1.0"}


def test_generator_rebuilds_the_committed_site_byte_for_byte(tmp_path):
    written = build_demo_site(tmp_path / "demo")
    assert len(written) >= 19
    for path in written:
        relative = path.relative_to(tmp_path / "demo")
        assert path.read_bytes() == (DEMO / relative).read_bytes(), relative


def test_site_shape():
    roster = pd.read_csv(DEMO / "roster.csv", dtype=str, keep_default_na=False)
    attendance = pd.read_csv(DEMO / "attendance.csv")
    assert len(roster) == 14
    sessions = attendance.groupby("record_id")["attended"].sum()
    assert (sessions >= 6).sum() == 12 and (sessions < 6).sum() == 2
    assert set(attendance["session"]) == set(range(1, 11))
    assert (roster["data_source"] == "SYNTHETIC DEMO DATA - fictional people").all()
    assert len(list((DEMO / "transcripts").glob("*.txt"))) == 12
    for path in (DEMO / "transcripts").glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("[SYNTHETIC DEMO TRANSCRIPT")
        assert 800 <= len(text.split()) <= 1500


def _scale(frame, instrument, items, time, reverse=(), top=7, use_sum=False):
    block = frame[[f"{instrument}_{i:02d}_{time}" for i in items]].astype(float).copy()
    for i in reverse:
        block[f"{instrument}_{i:02d}_{time}"] = top + 1 - block[f"{instrument}_{i:02d}_{time}"]
    score = block.mean(axis=1) * (len(items) if use_sum else 1)
    return score.where(block.isna().sum(axis=1) <= 1)


@pytest.mark.parametrize(
    ("name", "instrument", "items", "reverse", "top", "use_sum", "target"),
    [
        ("pre_mentalizing", "prfq", [1, 4, 7, 10, 13, 16], (), 7, False, -1.34),
        ("interest_curiosity", "prfq", [3, 6, 9, 12, 15, 18], (18,), 7, False, 1.83),
        ("certainty", "prfq", [2, 5, 8, 11, 14, 17], (11,), 7, False, -0.63),
        ("psoc_total", "psoc", list(range(1, 18)), (2, 3, 4, 5, 8, 9, 12, 14, 16), 6, True, 1.61),
    ],
)
def test_questionnaires_are_calibrated_to_the_published_effects(
    name, instrument, items, reverse, top, use_sum, target
):
    questionnaire = pd.read_csv(DEMO / "questionnaire.csv", dtype={"record_id": str})
    attendance = pd.read_csv(DEMO / "attendance.csv")
    sessions = attendance.groupby("record_id")["attended"].sum()
    completers = questionnaire[questionnaire["record_id"].map(sessions) >= 6]
    then = _scale(completers, instrument, items, "then", reverse, top, use_sum)
    now = _scale(completers, instrument, items, "now", reverse, top, use_sum)
    t, p = stats.ttest_rel(now, then)
    assert len(completers) == 12
    assert t / np.sqrt(12) == pytest.approx(target, abs=0.02)
    if name == "certainty":
        assert 0.045 <= p <= 0.060


def test_excerpts_are_verbatim_and_the_qdpx_holds_the_same_coding():
    excerpts = pd.read_csv(DEMO / "coded_excerpts.csv", dtype={"record_id": str})
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (DEMO / "transcripts").glob("*.txt")}
    for row in excerpts.itertuples():
        assert texts[row.record_id][row.start : row.end] == row.excerpt
    assert excerpts.groupby("theme")["record_id"].nunique().min() >= 6
    with zipfile.ZipFile(DEMO / "coding.qdpx") as archive:
        project = ET.fromstring(archive.read("project.qde"))
        selections = 0
        for source in project.iterfind(".//q:TextSource", NS):
            guid = source.get("guid")
            text = archive.read(f"sources/{guid}.txt").decode("utf-8")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert text[start:end] == selection.get("name")
                selections += 1
    assert selections == len(excerpts)
