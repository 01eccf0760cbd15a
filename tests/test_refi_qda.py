"""REFI-QDA reader against fixtures imitating NVivo, ATLAS.ti, MAXQDA and QualCoder exports.

The fixtures are built by tests/fixtures/qda/make_fixtures.py; every expected offset below is
where the quote sits in the LF transcript (computed independently with ``str.index``).
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

from parentgroup.inputs.refi_qda import (
    CRLF_AS_ONE,
    CRLF_AS_TWO,
    crlf_two_to_one,
    on_word_boundaries,
    read_qdc,
    read_qdpx,
)
from parentgroup.problems import ERROR, InputError

FIXTURES = Path(__file__).parent / "fixtures" / "qda"
_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


def span(quote: str, text: str = fx.TRANSCRIPT) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def test_nvivo_capital_sources_bom_crlf_and_merged_codings():
    project = read_qdpx(FIXTURES / "nvivo.qdpx")
    assert project.problems == []
    (source,) = project.sources
    assert source.text == fx.TRANSCRIPT  # BOM stripped, CRLF normalised
    assert [(s.start, s.end, s.text) for s in project.selections] == [
        (*span(fx.WONDER), fx.WONDER),
        (*span(fx.SAFE), fx.SAFE),
    ]
    safe = project.selections[1]
    assert safe.code_guids == (fx.guid(2), fx.guid(4))  # two codings, one span
    assert len(safe.guids) == 2
    assert {s.convention for s in project.selections} == {CRLF_AS_TWO}
    assert [c.path for c in project.codes] == [
        ("Themes",),
        ("Themes", "Relational safety"),
        ("Themes", "Enhanced mentalizing capacity"),
        ("Misc",),
    ]


def test_atlas_any_qde_name_crlf_as_one_and_case():
    project = read_qdpx(FIXTURES / "atlas.qdpx")
    assert project.problems == []
    assert [(s.start, s.end, s.text) for s in project.selections] == [
        (*span(fx.WONDER), fx.WONDER),
        (*span(fx.CALM), fx.CALM),
    ]
    assert {s.convention for s in project.selections} == {CRLF_AS_ONE}
    assert project.sources[0].case == "R02"


def test_maxqda_codable_category_keeps_its_path():
    project = read_qdpx(FIXTURES / "maxqda.qdpx")
    assert project.problems == []
    parent, child = project.codes
    assert parent.is_codable and parent.description.startswith("Category")
    assert child.path == ("Reduced parental stress", "relief")
    assert child.parent_guid == parent.guid
    assert project.sources[0].case == ""  # a nameless case is ignored
    (selection,) = project.selections
    assert (selection.start, selection.end, selection.text) == (*span(fx.SAFE), fx.SAFE)


def test_qualcoder_utf8_sig_and_inline_content():
    project = read_qdpx(FIXTURES / "qualcoder.qdpx")
    assert project.problems == []
    texts = {s.name: s.text for s in project.sources}
    assert texts["R04.txt"] == fx.TRANSCRIPT
    assert texts["R01b"] == "Parent: We play together now instead of shouting."
    assert [s.text for s in project.selections] == ["I used to just react.", "We play together now"]
    assert [(s.start, s.end) for s in project.selections] == [(43, 64), (8, 28)]


def test_mismatching_selections_are_reported_not_used():
    project = read_qdpx(FIXTURES / "mismatch.qdpx")
    assert [s.guid for s in project.selections] == [fx.guid(241)]
    columns = sorted(p.column for p in project.problems)
    assert columns == [
        f"selection {fx.guid(242)}",
        f"selection {fx.guid(243)}",
        f"text source {fx.guid(141)}",
    ]
    assert all(p.severity == ERROR for p in project.problems)
    for problem in project.problems:
        assert fx.SAFE[:20] not in problem.format()  # excerpt text is never echoed
        assert "missing/R02" not in problem.format()
    assert "relative://" in [p for p in project.problems if "source" in p.column][0].expected


def test_relative_source_resolved_against_base_path(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "R01.txt").write_text(fx.TRANSCRIPT, encoding="utf-8")
    start, end = span(fx.CALM)
    xml = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p" basePath="texts">'
        f'<CodeBook><Codes><Code guid="{fx.guid(1)}" name="c" isCodable="true"/></Codes>'
        f'</CodeBook><Sources><TextSource guid="{fx.guid(2)}" name="R01" '
        'plainTextPath="relative://R01.txt">'
        f'<PlainTextSelection guid="{fx.guid(3)}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{fx.guid(4)}"><CodeRef targetGUID="{fx.guid(1)}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as archive:
        archive.writestr("project.qde", xml)
    project = read_qdpx(tmp_path / "p.qdpx")
    assert project.problems == []
    assert [s.text for s in project.selections] == [fx.CALM]


def test_not_a_zip_and_no_qde(tmp_path):
    (tmp_path / "bad.qdpx").write_bytes(b"nope")
    assert "ZIP" in read_qdpx(tmp_path / "bad.qdpx").problems[0].expected
    with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as archive:
        archive.writestr("readme.txt", "x")
    assert ".qde" in read_qdpx(tmp_path / "empty.qdpx").problems[0].expected


def test_read_qdc(tmp_path):
    codes = read_qdc(FIXTURES / "codebook.qdc")
    assert [(c.path_text, c.is_codable, c.description) for c in codes] == [
        ("Themes", False, ""),
        ("Themes/Relational safety", True, "Feeling accepted in the group."),
    ]
    (tmp_path / "x.qdc").write_text("<CodeBook", encoding="utf-8")
    with pytest.raises(InputError):
        read_qdc(tmp_path / "x.qdc")


def test_offset_helpers():
    raw = "a\r\nb\r\nc"
    crs = [1, 4]
    assert [crlf_two_to_one(p, crs) for p in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]
    assert raw.replace("\r\n", "\n")[crlf_two_to_one(6, crs)] == raw[6] == "c"
    assert on_word_boundaries("I stop and wonder", 2, 6)
    assert not on_word_boundaries("I stop and wonder", 3, 6)


def test_fixtures_are_reproducible(tmp_path, monkeypatch):
    monkeypatch.setattr(fx, "HERE", tmp_path)
    fx.main()
    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), path.name
