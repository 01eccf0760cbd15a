"""REFI-QDA reader against fixtures imitating NVivo, ATLAS.ti, MAXQDA and QualCoder exports.

The fixtures are built by tests/fixtures/qda/make_fixtures.py; every expected offset below is
where the quote sits in the LF transcript (computed independently with ``str.index``).
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from parentgroup.inputs.refi_qda import (
    AMBIGUOUS,
    CODE_POINTS,
    CRLF_AS_ONE,
    CRLF_AS_TWO,
    CUTS_WORD,
    MIN_NAME_PREFIX,
    PAST_END,
    REVERSED,
    TEXT_DIFFERS,
    UNKNOWN_CODE,
    UTF16_UNITS,
    OffsetConvention,
    RefusedSelection,
    crlf_two_to_one,
    declared_unit,
    offset_table,
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
    by_column = sorted((p.column, p.severity, p.expected) for p in project.problems)
    assert [(column, severity) for column, severity, _ in by_column] == [
        ("PlainTextSelection", "warning"),  # one selection still stands: the others are lost
        ("PlainTextSelection", "warning"),
        (f"text source {fx.guid(141)}", ERROR),
    ]
    reasons = " | ".join(expected for _, _, expected in by_column)
    assert "1 selection(s) start or end inside a word" in reasons
    assert "1 selection(s) do not reproduce their own text" in reasons
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


# ----------------------------------------------------------------------------- offset units
# Fixtures made here: a source with emoji (outside the Basic Multilingual Plane, two UTF-16
# code units each), accented text, a UTF-8 BOM and CRLF line endings, coded the way NVivo
# (UTF-16 units, CRLF as two) or ATLAS.ti (code points, CRLF as one) counts.

EMOJI_TEXT = (
    "Interviewer: How did the group feel?\r\n"
    "Parent: At first 😟 I didn't want to go. Then 😊 I was less stressed.\r\n"
    "Parent: Zoë's café mornings 🎉🎉 helped. Now I stop and wonder.\r\n"
)
QUOTES = ["I didn't want to go.", "I was less stressed.", "helped.", "Now I stop and wonder."]


def _offsets(text: str, quote: str, unit: str, crlf_as: int) -> tuple[int, int]:
    """Where ``quote`` sits in ``text`` counted by a tool: code points or UTF-16 units, CRLF
    as one or two characters (computed independently of the reader)."""
    start = text.index(quote)
    end = start + len(quote)

    def count(prefix: str) -> int:
        if crlf_as == 1:
            prefix = prefix.replace("\r\n", "\n")
        if unit == "utf16":
            return len(prefix.encode("utf-16-le")) // 2
        return len(prefix)

    return count(text[:start]), count(text[:end])


def _qdpx(path: Path, text: str, spans, *, origin: str = "", bom: bool = True,
          names: bool = False, extra: str = "") -> Path:
    selections = "".join(
        f'<PlainTextSelection guid="{fx.guid(300 + i)}" startPosition="{start}" '
        f'endPosition="{end}" name="{quote if names else ""}">'
        f'<Coding guid="{fx.guid(400 + i)}"><CodeRef targetGUID="{fx.guid(1)}"/></Coding>'
        "</PlainTextSelection>"
        for i, (quote, (start, end)) in enumerate(spans)
    )
    xml = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="{origin}">'
        f'<CodeBook><Codes><Code guid="{fx.guid(1)}" name="Relief" isCodable="true"/></Codes>'
        f'</CodeBook><Sources><TextSource guid="{fx.guid(2)}" name="R01" '
        f'plainTextPath="internal://{fx.guid(2)}.txt">{selections}</TextSource>{extra}'
        "</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr(f"Sources/{fx.guid(2)}.txt",
                         (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.mark.parametrize("origin", ["NVivo 12.6", ""])
def test_nvivo_utf16_offsets_after_emoji_come_out_whole(tmp_path, origin):
    """NVivo counts UTF-16 units: with or without the declaration, every quote comes out whole
    (the unit under which the selections fall on token boundaries)."""
    spans = [(q, _offsets(EMOJI_TEXT, q, "utf16", 2)) for q in QUOTES]
    project = read_qdpx(_qdpx(tmp_path / "nvivo.qdpx", EMOJI_TEXT, spans, origin=origin))
    assert project.problems == []
    assert [s.text for s in project.selections] == QUOTES
    assert {s.unit for s in project.selections} == {UTF16_UNITS}
    (choice,) = project.offset_choices
    assert choice["unit"] == UTF16_UNITS and choice["used"] == 4 and choice["refused"] == 0
    assert choice["origin_declares"] == (UTF16_UNITS if origin else "")
    assert "stressed" not in str(choice)  # no text in the record of the choice


def test_code_points_reader_would_have_shifted_the_quote(tmp_path):
    """Before: slicing NVivo's offsets as code points gives 'was less stressed.' shifted by
    one; the reader now refuses that reading (it is scored below the UTF-16 one)."""
    text = "Parent: Then 😊 I was less stressed. Really.\n"
    start, end = _offsets(text, "I was less stressed.", "utf16", 2)
    assert text[start:end] == " was less stressed. "  # what a code-point slice gives
    project = read_qdpx(_qdpx(tmp_path / "one.qdpx", text, [("q", (start, end))], bom=False))
    assert [s.text for s in project.selections] == ["I was less stressed."]


def test_atlas_code_points_and_crlf_as_one_with_names(tmp_path):
    spans = [(q, _offsets(EMOJI_TEXT, q, "cp", 1)) for q in QUOTES]
    project = read_qdpx(_qdpx(tmp_path / "atlas.qdpx", EMOJI_TEXT, spans, origin="ATLAS.ti 23",
                              names=True))
    assert project.problems == []
    assert [s.text for s in project.selections] == QUOTES
    assert {(s.unit, s.convention) for s in project.selections} == {(CODE_POINTS, CRLF_AS_ONE)}


def test_plain_code_points_crlf_as_two_bom_not_counted(tmp_path):
    spans = [(q, _offsets(EMOJI_TEXT, q, "cp", 2)) for q in QUOTES]
    project = read_qdpx(_qdpx(tmp_path / "qc.qdpx", EMOJI_TEXT, spans, origin="QualCoder 3.5"))
    assert [s.text for s in project.selections] == QUOTES
    assert project.offset_choices[0]["bom"] == "BOM not counted"


def test_bom_counted_as_a_character_is_recognised(tmp_path):
    spans = [(q, tuple(o + 1 for o in _offsets(EMOJI_TEXT, q, "cp", 2))) for q in QUOTES]
    project = read_qdpx(_qdpx(tmp_path / "bom.qdpx", EMOJI_TEXT, spans))
    assert [s.text for s in project.selections] == QUOTES
    assert project.offset_choices[0]["bom"] == "BOM counted"


def test_refusals_name_the_reason_and_count_grouped(tmp_path):
    good = [(q, _offsets(EMOJI_TEXT, q, "cp", 2)) for q in QUOTES]
    bad = [("r", (40, 30)), ("r", (50, 20)), ("n", (-3, 5)), ("p", (10, 10_000)),
           ("p", (20, 20_000)), ("p", (30, 30_000)), ("p", (40, 40_000)), ("e", (7, 7)),
           ("w", (good[1][1][0] + 3, good[1][1][1]))]
    project = read_qdpx(_qdpx(tmp_path / "bad.qdpx", EMOJI_TEXT, good + bad))
    assert [s.text for s in project.selections] == QUOTES
    lines = [p.format() for p in project.problems]
    assert len(lines) == 5, lines  # one line per reason, not one per selection
    assert all(p.severity == "warning" for p in project.problems)  # the rest is usable
    text = "\n".join(lines)
    assert "2 selection(s) end before they start" in text
    assert "1 selection(s) have a negative offset" in text
    assert "4 selection(s) end past the end of their source text" in text
    assert "(first: source 1 at 10..10000; source 1 at 20..20000; source 1 at 30..30000; ...)" \
        in text
    assert "1 selection(s) are empty" in text
    assert "1 selection(s) start or end inside a word" in text
    assert "stressed" not in text


def test_all_selections_lost_is_an_error(tmp_path):
    project = read_qdpx(_qdpx(tmp_path / "lost.qdpx", EMOJI_TEXT, [("p", (10, 10_000))]))
    assert project.selections == []
    assert [p.severity for p in project.problems] == [ERROR]


def _project_xml(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde",
                         f'<Project xmlns="urn:QDA-XML:project:1.0" name="p">{body}</Project>')
    return path


def test_what_a_project_without_usable_codings_holds(tmp_path):
    codes = (f'<CodeBook><Codes><Code guid="{fx.guid(1)}" name="A" isCodable="true"/>'
             f'<Code guid="{fx.guid(5)}" name="B" isCodable="true"/></Codes></CodeBook>')
    empty = read_qdpx(_project_xml(tmp_path / "empty.qdpx", ""))
    assert "the project is empty" in empty.problems[0].format()
    codebook_only = read_qdpx(_project_xml(tmp_path / "codebook.qdpx", codes))
    (problem,) = codebook_only.problems
    assert problem.severity == ERROR
    assert "codebook.qdpx" in problem.format() and "2 code(s) and 0 source(s) and no codings" \
        in problem.format()
    # a MAXQDA-like export with its documents but without coded segments
    no_codings = read_qdpx(_qdpx(tmp_path / "maxqda.qdpx", EMOJI_TEXT, []))
    (problem,) = no_codings.problems
    assert problem.severity == ERROR and "1 code(s) and 1 source(s) and no codings" \
        in problem.format()
    pdf = read_qdpx(_project_xml(tmp_path / "pdf.qdpx", codes + (
        f'<Sources><PDFSource guid="{fx.guid(6)}" name="R01" path="internal://x.pdf">'
        f'<PDFSelection guid="{fx.guid(7)}" page="1" firstX="1" firstY="1" secondX="2" '
        f'secondY="2"><Coding guid="{fx.guid(8)}"><CodeRef targetGUID="{fx.guid(1)}"/>'
        "</Coding></PDFSelection></PDFSource></Sources>")))
    (problem,) = pdf.problems
    assert problem.severity == ERROR and "PDFSource" in problem.format()
    assert "1 coding(s) on PDF, picture or media sources are not read" in problem.format()
    whole = read_qdpx(_qdpx(tmp_path / "whole.qdpx", EMOJI_TEXT, [], extra=(
        f'<TextSource guid="{fx.guid(9)}" name="R02"><PlainTextContent>Hi there.'
        f'</PlainTextContent><Coding guid="{fx.guid(10)}"><CodeRef targetGUID="{fx.guid(1)}"/>'
        "</Coding></TextSource>")))
    (problem,) = whole.problems
    assert "1 coding(s) apply a code to a whole source" in problem.format()
    assert problem.severity == ERROR  # nothing else is coded: the strand would be empty


def test_offset_table_maps_utf16_crlf_and_bom():
    table = offset_table("é😀\r\nb", OffsetConvention(UTF16_UNITS, CRLF_AS_TWO, True))
    # BOM, é, two units of the emoji, CR, LF, b -> code points of "é😀\nb"
    assert table == [0, 0, 1, -1, 2, 2, 3, 4]
    assert declared_unit("NVivo 14 (Windows)") == UTF16_UNITS


def test_selection_names_that_are_labels_are_not_compared(tmp_path):
    """A tool that names selections with a label ("Quotation 1:2") instead of the quote: the
    label is not the text, so the selections are checked by word boundaries, not refused."""
    spans = [(f"Quotation 1:{i}", _offsets(EMOJI_TEXT, q, "utf16", 2))
             for i, q in enumerate(QUOTES, start=1)]
    project = read_qdpx(_qdpx(tmp_path / "labels.qdpx", EMOJI_TEXT, spans, names=True))
    assert project.problems == []
    assert [s.text for s in project.selections] == QUOTES


# ----------------------------------------------------------------------------- audit findings
# Small projects built here the way a vendor writes them (the input audit's reproductions).

ATLAS_TEXT = (
    "Interviewer: Tell me about the group.\r\n"
    "Parent: It was the first place\r\nwhere I did not feel judged by anyone.\r\n"
    "Parent: Nobody stared at us when he shouted, and that meant a lot to me.\r\n"
    "Parent: I stay calmer now, I take a breath before I answer him.\r\n"
)
ATLAS_QUOTES = [
    "It was the first place\nwhere I did not feel judged by anyone.",
    "Nobody stared at us when he shouted, and that meant a lot to me.",
    "I stay calmer now, I take a breath before I answer him.",
]


def _project(path: Path, source: bytes, selections, *, origin: str = "",
             member: str | None = None, codes=(1,)) -> Path:
    """A one-source project: ``selections`` are ``(name, start, end)`` or ``(name, start, end,
    code numbers)``; the source file is stored as ``member`` (default ``sources/<guid>.txt``)."""
    parts = []
    for i, selection in enumerate(selections):
        name, start, end, *rest = selection
        targets = rest[0] if rest else (1,)
        codings = "".join(
            f'<Coding guid="{fx.guid(600 + 10 * i + j)}"><CodeRef targetGUID="{fx.guid(t)}"/>'
            "</Coding>" for j, t in enumerate(targets))
        parts.append(f'<PlainTextSelection guid="{fx.guid(500 + i)}" name={quoteattr(name)} '
                     f'startPosition="{start}" endPosition="{end}">{codings}'
                     "</PlainTextSelection>")
    code_xml = "".join(f'<Code guid="{fx.guid(c)}" name="Code {c}" isCodable="true"/>'
                       for c in codes)
    xml = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="{origin}">'
        f"<CodeBook><Codes>{code_xml}</Codes></CodeBook><Sources>"
        f'<TextSource guid="{fx.guid(2)}" name="R01" plainTextPath="internal://{fx.guid(2)}.txt">'
        + "".join(parts) + "</TextSource></Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Trial.qde", xml)
        archive.writestr(member or f"sources/{fx.guid(2)}.txt", source)
    return path


def _atlas_spans(text: str, quotes, name=lambda quote: quote):
    """ATLAS.ti: code points with CRLF counted as one; the selection's name from its quote."""
    normalised = text.replace("\r\n", "\n")
    return [(name(q), *span(q, normalised)) for q in quotes]


def test_atlas_names_truncated_to_their_first_characters_are_accepted(tmp_path):
    """F2: ATLAS.ti names a quotation by its first ~40 characters, without an ellipsis. Such a
    name is accepted when the selected text starts with it; before, every long quote was refused
    as "do not reproduce their own text"."""
    spans = _atlas_spans(ATLAS_TEXT, ATLAS_QUOTES, name=lambda quote: quote[:40])
    project = read_qdpx(_project(tmp_path / "atlas.qdpx", ATLAS_TEXT.encode(), spans,
                                 origin="ATLAS.ti 23.2.3"))
    assert project.problems == []
    assert [s.text for s in project.selections] == ATLAS_QUOTES
    assert project.offset_choices[0]["line_endings"] == "CRLF as 1"


def test_a_short_name_does_not_validate_a_longer_selection(tmp_path):
    """A name shorter than MIN_NAME_PREFIX characters validates only text it equals: "It was"
    starts many selections, so it is no evidence of where this one lies."""
    assert MIN_NAME_PREFIX == 20
    spans = _atlas_spans(ATLAS_TEXT, ATLAS_QUOTES[:2])
    spans[0] = ("It was the first", *spans[0][1:])  # 16 characters: refused
    project = read_qdpx(_project(tmp_path / "short.qdpx", ATLAS_TEXT.encode(), spans,
                                 origin="ATLAS.ti 23"))
    assert [s.text for s in project.selections] == ATLAS_QUOTES[1:2]
    (problem,) = project.problems
    assert "1 selection(s) do not reproduce their own text" in problem.expected
    assert project.refused == [RefusedSelection(fx.guid(2), 1, fx.guid(500), *spans[0][1:],
                                                TEXT_DIFFERS)]


def test_an_ellipsis_name_with_crlf_is_read_with_atlas_line_endings(tmp_path):
    """F3: a name ending in an ellipsis matched under both line-ending readings (the whitespace
    before the quote is squeezed away); the tie went to CRLF as two, one character early: a
    leading space and a cut last word. Named selections are now held to word boundaries too."""
    spans = _atlas_spans(ATLAS_TEXT, ATLAS_QUOTES[:1],
                         name=lambda quote: quote[:30].replace("\n", " ") + "…")
    for origin in ("ATLAS.ti 24", ""):
        project = read_qdpx(_project(tmp_path / "ell.qdpx", ATLAS_TEXT.encode(), spans,
                                     origin=origin))
        assert [s.text for s in project.selections] == ATLAS_QUOTES[:1], origin
        assert project.problems == []


TIE_TEXT = "Hi.\r\nYes.\r\nSo.\r\nParent: ok ok ok ok ok done.\r\n"


@pytest.mark.parametrize(("origin", "crlf"), [("ATLAS.ti 24", CRLF_AS_ONE),
                                              ("NVivo 14", CRLF_AS_TWO)])
def test_the_origin_breaks_a_line_ending_tie(tmp_path, origin, crlf):
    """Three CRLFs before a selection of a repeating text: CRLF as one or as two both give a
    clean "ok ok" that equals the name. The project's origin decides (ATLAS.ti: one)."""
    start = TIE_TEXT.replace("\r\n", "\n").index("ok ok ok ok ok") + 6
    offset = start if crlf == CRLF_AS_ONE else start + 3
    project = read_qdpx(_project(tmp_path / "tie.qdpx", TIE_TEXT.encode(),
                                 [("ok ok", offset, offset + 5)], origin=origin))
    (selection,) = project.selections
    assert (selection.start, selection.convention) == (start, crlf)


def test_an_unresolved_tie_is_refused_and_asks_for_the_tool(tmp_path):
    """F4: with no known origin, offsets that two readings explain equally well (here UTF-16
    units and code points, after emoji) are not guessed: before, code points won the tie and the
    quote came out shifted ("boy 👦🏽 said thanks 😂 to me")."""
    text = ("Parent: We laughed \U0001F468\u200d\U0001F469\u200d\U0001F467 together.\n"
            "Parent: My boy \U0001F466\U0001F3FD said thanks \U0001F602 to me.\n")
    quote = "My boy \U0001F466\U0001F3FD said thanks \U0001F602"
    start, end = _offsets(text, quote, "utf16", 2)
    path = _project(tmp_path / "zwj.qdpx", text.encode(), [("", start, end)])
    project = read_qdpx(path)
    assert project.selections == []
    (problem,) = project.problems
    assert problem.severity == ERROR and problem.file == "zwj.qdpx"
    assert "1 selection(s) fit two ways of counting offsets equally well" in problem.expected
    assert "code points or UTF-16 code units" in problem.expected
    assert "coding.origin" in problem.expected  # says how to name the exporting tool
    assert "thanks" not in problem.format()
    assert project.offset_choices[0]["unit"] == "ambiguous: code points or UTF-16 code units"
    assert project.refused[0].reason == AMBIGUOUS
    # the exporting tool named in the config settles it; so does the project's own origin
    for project in (read_qdpx(path, origin="NVivo 14"),
                    read_qdpx(_project(tmp_path / "nv.qdpx", text.encode(), [("", start, end)],
                                       origin="NVivo 14"))):
        assert [s.text for s in project.selections] == [quote]
        assert project.problems == []


def test_a_tie_that_places_every_selection_alike_is_no_ambiguity(tmp_path):
    """The readings tie but give the same span (the emoji come after the selection): used."""
    text = "Parent: I stay calmer now. Then 😊 later.\n"
    project = read_qdpx(_project(tmp_path / "same.qdpx", text.encode(),
                                 [("", *span("I stay calmer now.", text))]))
    assert [s.text for s in project.selections] == ["I stay calmer now."]
    assert project.problems == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_sources_with_a_bom_are_decoded(tmp_path, encoding):
    """F5: a source saved as UTF-16 or UTF-32 with a byte-order mark was read as Windows-1252
    (NUL bytes between the letters) and its selections refused or sliced from garbage."""
    text = "Parent: It was the first place I felt safe.\r\nParent: Nobody judged me.\r\n"
    quote = "It was the first place I felt safe."
    raw = text.encode(encoding)
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        raw = ("\ufeff" + text).encode(encoding)  # the -be codecs write no BOM of their own
    project = read_qdpx(_project(tmp_path / "u.qdpx", raw, [(quote, *span(quote, text))],
                                 origin="NVivo 12"))
    assert project.problems == []
    assert project.sources[0].text == text.replace("\r\n", "\n")
    assert [s.text for s in project.selections] == [quote]


@pytest.mark.parametrize(("raw", "cause"), [
    ("Parent: hi.".encode("utf-16-le"), "NUL bytes (UTF-16 or UTF-32 without a byte-order mark?)"),
    (b"Parent: caf\xe9 \x81 ok.", "byte 0x81 is neither UTF-8 nor Windows-1252 text on line 1"),
], ids=["utf16-without-bom", "undefined-byte"])
def test_an_undecodable_source_says_why(tmp_path, raw, cause):
    project = read_qdpx(_project(tmp_path / "bad.qdpx", raw, [("", 8, 10)]))
    assert project.selections == []
    source_problems = [p for p in project.problems if p.column.startswith("text source")]
    (problem,) = source_problems
    assert problem.severity == ERROR and cause in problem.expected
    assert "UTF-8" in problem.expected


def test_cp1252_source_is_still_read_with_a_warning(tmp_path):
    text = "Parent: Zoë said the café helped.\n"
    project = read_qdpx(_project(tmp_path / "w.qdpx", text.encode("cp1252"),
                                 [("", *span("the café helped.", text))]))
    assert [s.text for s in project.selections] == ["the café helped."]
    (problem,) = project.problems
    assert problem.severity == "warning" and "Windows-1252" in problem.expected


def test_unknown_codes_are_counted_as_codings_and_selections(tmp_path):
    """F6: a selection with a valid coding and a coding of an unknown code keeps its valid
    coding; only a selection with no valid coding is lost. The message says which is which."""
    quotes = ATLAS_QUOTES
    spans = _atlas_spans(ATLAS_TEXT, quotes)
    selections = [(*spans[0], (1, 99)), (*spans[1], (98, 99)), (*spans[2], (1,))]
    project = read_qdpx(_project(tmp_path / "unk.qdpx", ATLAS_TEXT.encode(), selections,
                                 origin="ATLAS.ti 23"))
    assert [(s.text, s.code_guids) for s in project.selections] == [
        (quotes[0], (fx.guid(1),)), (quotes[2], (fx.guid(1),))]
    text = "\n".join(p.format() for p in project.problems)
    assert len(project.problems) == 2, text
    assert ("3 coding(s) refer to a code missing from the codebook and are not used; 1 of them "
            "on selection(s) that keep their other codes, 2 on selection(s) with no other code")\
        in text
    assert "1 selection(s) have no coding of a code in the codebook and are not used" in text
    assert [r.reason for r in project.refused] == [UNKNOWN_CODE]


def test_backslash_member_paths_are_found(tmp_path):
    """F9: some Windows zip libraries store ``Sources\\<guid>.txt``."""
    quote = ATLAS_QUOTES[2]
    project = read_qdpx(_project(tmp_path / "bs.qdpx", ATLAS_TEXT.encode(),
                                 _atlas_spans(ATLAS_TEXT, [quote]), origin="MAXQDA 24",
                                 member=f"Sources\\{fx.guid(2)}.txt"))
    assert project.problems == []
    assert [s.text for s in project.selections] == [quote]


def test_every_refused_selection_is_recorded_without_text(tmp_path):
    """Every selection that is not used is in ``project.refused`` with its source, offsets and
    reason (for input_exclusions.csv), never its text or name."""
    spans = _atlas_spans(ATLAS_TEXT, ATLAS_QUOTES)
    bad = [("", 40, 30), ("", 5, 10_000), (ATLAS_QUOTES[0][:25], spans[1][1], spans[1][2]),
           ("", spans[2][1] + 3, spans[2][2])]
    project = read_qdpx(_project(tmp_path / "r.qdpx", ATLAS_TEXT.encode(), spans + bad,
                                 origin="ATLAS.ti 23"))
    assert len(project.selections) == 3
    assert [(r.selection_guid, r.reason) for r in project.refused] == [
        (fx.guid(503), REVERSED), (fx.guid(504), PAST_END), (fx.guid(505), TEXT_DIFFERS),
        (fx.guid(506), CUTS_WORD)]
    assert {r.source_guid for r in project.refused} == {fx.guid(2)}
    assert "judged" not in repr(project.refused)
