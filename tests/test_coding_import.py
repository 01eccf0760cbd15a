"""Coded excerpts: formats, code-to-theme mapping, and verification against the transcript."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import yaml

from parentgroup.inputs.coding import (
    CODING_COLUMNS,
    ThemeMatcher,
    TranscriptIndex,
    detect_format,
    fold_text,
    read_coding,
)
from parentgroup.problems import ERROR, WARNING

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "qda"
_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
ROSTER = pd.DataFrame({"record_id": ["R01", "R02", "R03", "R04"]})
TRANSCRIPTS = {r: fx.TRANSCRIPT for r in ("R02", "R03", "R04")} | {
    "R01": fx.TRANSCRIPT + "Parent: We play together now instead of shouting.\n"
}
AUTO = {"coding": {"format": "auto"}}


def span(quote: str) -> tuple[int, int]:
    start = fx.TRANSCRIPT.index(quote)
    return start, start + len(quote)


def read(path, config=CONFIG, transcripts=TRANSCRIPTS, site=AUTO):
    return read_coding(path, site, transcripts, config, ROSTER)


def write_csv(tmp_path, rows, columns) -> Path:
    path = tmp_path / "coded_excerpts.csv"
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def test_no_coding_file_is_an_empty_table_a_missing_one_an_error(tmp_path):
    frame, problems = read(None)  # config coding: {file: ""}
    assert list(frame.columns) == CODING_COLUMNS and frame.empty and problems == []
    frame, problems = read(tmp_path / "absent.csv")
    (problem,) = problems
    assert frame.empty and problem.severity == ERROR
    assert problem.file == "absent.csv" and "does not exist" in problem.expected


def test_plain_csv_with_offsets_verified_and_without_located(tmp_path):
    wonder, safe = span(fx.WONDER), span(fx.SAFE)
    path = write_csv(
        tmp_path,
        [
            ["R01", "enhanced_mentalizing", fx.WONDER, *wonder],
            ["R02", "Relational safety", "The group felt   safe,\nnobody judged me", "", ""],
        ],
        ["record_id", "theme", "excerpt", "start", "end"],
    )
    frame, problems = read(path)
    (problem,) = problems  # the whitespace difference is recorded
    assert problem.severity == WARNING and "only after normalising whitespace" in problem.expected
    assert "(1: row 3)" in problem.expected
    assert frame[["record_id", "theme", "start", "end"]].values.tolist() == [
        ["R01", "enhanced_mentalizing", *wonder],
        [
            "R02",
            "relational_safety",
            safe[0],
            safe[0] + len("The group felt safe, nobody judged me"),
        ],
    ]
    assert frame.loc[1, "excerpt"] == "The group felt safe, nobody judged me"  # transcript text
    assert str(frame["start"].dtype) == "Int64"


def test_offset_mismatch_uses_the_excerpt_where_it_is_and_says_so(tmp_path):
    start, end = span(fx.WONDER)
    path = write_csv(
        tmp_path,
        [["R01", "enhanced_mentalizing", fx.WONDER, start + 1, end + 1]],
        ["record_id", "theme", "excerpt", "start", "end"],
    )
    frame, problems = read(path)
    assert frame[["start", "end", "excerpt"]].values.tolist() == [[start, end, fx.WONDER]]
    (problem,) = problems
    assert problem.severity == WARNING and problem.column == "start/end"
    assert "found elsewhere" in problem.expected and "(1: row 2)" in problem.expected
    assert "wonder" not in problem.format()


def test_accents_case_and_quotes_are_matched_after_normalising(tmp_path):
    transcripts = {"R01": "Parent: Zoë’s “Café” mornings helped me. I was LESS stressed.\n"}
    path = write_csv(
        tmp_path,
        [["R01", "reduced_stress", 'Zoe\'s "cafe" mornings helped me.'],
         ["R01", "reduced_stress", "i was less stressed."],
         ["R01", "reduced_stress", "Something nobody said."]],
        ["record_id", "theme", "excerpt"],
    )
    excluded: list[dict] = []
    frame, problems = read_coding(path, AUTO, transcripts, CONFIG, ROSTER, excluded)
    assert list(frame["excerpt"]) == ["Zoë’s “Café” mornings helped me.", "I was LESS stressed."]
    assert [(p.severity, p.column) for p in problems] == [
        (WARNING, "excerpt"), (WARNING, "excerpt")
    ]
    assert "left out and recorded as exclusions" in problems[0].expected
    assert "(1: row 4)" in problems[0].expected
    assert "only after normalising accents, case or quotes" in problems[1].expected
    assert "(2: row 2, row 3)" in problems[1].expected
    assert excluded == [{"stage": "coding", "file": "coded_excerpts.csv", "row": 4,
                         "column": "excerpt", "reason": "coded excerpt not found in its transcript",
                         "record_id": "R01"}]
    assert "nobody" not in "\n".join(p.format() for p in problems)


def test_not_found_unknown_record_and_empty_excerpt(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["R01", "reduced_stress", "something nobody said"],
            ["Jane Smith", "reduced_stress", fx.SAFE],
            ["R01", "reduced_stress", ""],
        ],
        ["record_id", "theme", "excerpt"],
    )
    frame, problems = read(path)
    assert frame.empty
    assert [(p.row, p.column, p.severity) for p in problems] == [
        (4, "excerpt", ERROR),
        (None, "record_id", ERROR),  # one line per unknown name, naming its rows
        (None, "excerpt", WARNING),  # row 2 is recorded as an exclusion ...
        (None, "excerpt", ERROR),  # ... and nothing is left: the strand would be empty
    ]
    assert "unknown name 1 of 1, 1 excerpt(s): row 3)" in problems[1].expected
    text = "\n".join(p.format() for p in problems)
    assert "Jane" not in text and "nobody said" not in text


def test_unmapped_codes_warned_once_each_and_kept_with_empty_theme(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["R01", "", "Other/misc", fx.REACT],
            ["R01", "", "Other/misc", fx.CALM],
            ["R01", "", "Relational safety/belonging", fx.SAFE],  # under a theme-named parent
        ],
        ["record_id", "theme", "code", "excerpt"],
    )
    frame, problems = read(path)
    assert frame[["theme", "code"]].values.tolist() == [
        ["", "Other/misc"],
        ["relational_safety", "Relational safety/belonging"],
        ["", "Other/misc"],
    ]
    assert [(p.severity, p.value) for p in problems] == [(WARNING, "Other/misc")]
    assert "2 excerpt(s)" in problems[0].expected


def test_code_map_by_path_and_name_and_bad_target():
    config = copy.deepcopy(CONFIG)
    config["code_map"] = {
        "Old habits > Reacting": "enhanced_mentalizing",
        "breathing": "affect_regulation",
        "x": "no_such_theme",
    }
    matcher = ThemeMatcher(config)
    assert matcher.theme_for(("old habits", "reacting")) == "enhanced_mentalizing"
    assert matcher.theme_for(("Calm", "Breathing")) == "affect_regulation"
    assert matcher.theme_for(("Calm",)) == ""
    assert matcher.theme_for(("Facilitation-Style",)) == "facilitation_style"
    assert matcher.theme_for(("REDUCED PARENTAL STRESS", "relief", "sharing")) == "reduced_stress"
    assert [(p.file, p.column) for p in matcher.problems] == [("config.yaml", "code_map")]


def test_qualcoder_csv():
    frame, problems = read(FIXTURES / "qualcoder_coding.csv")
    assert frame[["theme", "code", "start", "end"]].values.tolist() == [
        ["", "old habits", *span(fx.REACT)],
        ["enhanced_mentalizing", "Enhanced mentalizing capacity/wondering", *span(fx.WONDER)],
        [
            "affect_regulation",
            "Affect regulation",
            fx.TRANSCRIPT.index("Parent: I stay"),
            span(fx.CALM)[0] + len("I stay calmer now, I take a breath"),
        ],
    ]
    assert set(frame["source"]) == {"row 2", "row 3", "row 4"}
    assert [(p.severity, p.value) for p in problems] == [(WARNING, None), (WARNING, "old habits")]
    assert "whitespace" in problems[0].expected


def test_taguette_csv():
    frame, problems = read(FIXTURES / "taguette_highlights.csv")
    assert frame[["theme", "source", "start", "end"]].values.tolist() == [
        ["reduced_stress", "highlight 8", *span(fx.SAFE)],
        ["relational_safety", "highlight 7", *span(fx.SAFE)],
    ]
    (problem,) = problems
    assert problem.severity == WARNING and "(1: row 4)" in problem.expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "nvivo.qdpx",
            [
                ("R01", "enhanced_mentalizing", fx.WONDER),
                ("R01", "", fx.SAFE),
                ("R01", "relational_safety", fx.SAFE),
            ],
        ),
        (
            "atlas.qdpx",
            [("R02", "enhanced_mentalizing", fx.WONDER), ("R02", "affect_regulation", fx.CALM)],
        ),
        ("maxqda.qdpx", [("R03", "reduced_stress", fx.SAFE)]),
        (
            "qualcoder.qdpx",
            [
                ("R01", "transformed_interactions", "We play together now"),
                ("R04", "transformed_interactions", fx.REACT),
            ],
        ),
        ("mismatch.qdpx", [("R01", "relational_safety", fx.SAFE)]),
    ],
)
def test_refi_qda_projects(name, expected):
    frame, problems = read(FIXTURES / name)
    assert list(zip(frame["record_id"], frame["theme"], frame["excerpt"], strict=True)) == expected
    for row in frame.itertuples():
        assert TRANSCRIPTS[row.record_id][row.start : row.end] == row.excerpt
    errors = [p for p in problems if p.severity == ERROR]
    assert len(errors) == (1 if name == "mismatch.qdpx" else 0)


def test_refi_qda_excerpt_missing_from_transcript_is_a_recorded_exclusion():
    excluded: list[dict] = []
    frame, problems = read_coding(FIXTURES / "qualcoder.qdpx", AUTO,
                                  dict(TRANSCRIPTS, R01=fx.TRANSCRIPT), CONFIG, ROSTER, excluded)
    assert list(frame["record_id"]) == ["R04"]
    assert [(p.column, p.severity) for p in problems] == [("excerpt", WARNING)] * 2
    assert f"selection {fx.guid(232)}" in problems[0].expected
    assert "1 parent(s) have no coded excerpt left" in problems[1].expected  # R01 lost its one
    assert [(e["record_id"], e["row"], e["reason"]) for e in excluded] == [
        ("R01", "", "coded excerpt not found in its transcript"),
        ("R01", "", "parent whose coded excerpts were all left out")]


def test_code_map_key_matching_no_code_is_reported():
    config = copy.deepcopy(CONFIG)
    config["code_map"] = {"Themes/Relational safty": "relational_safety",
                          "Misc": "reduced_stress"}
    frame, problems = read(FIXTURES / "nvivo.qdpx", config=config)
    assert [(p.file, p.column, p.value, p.severity) for p in problems] == [
        ("config.yaml", "code_map", "Themes/Relational safty", WARNING)
    ]
    assert "nvivo.qdpx" in problems[0].expected


def test_no_transcript_warns_and_keeps_qda_offsets():
    frame, problems = read(FIXTURES / "maxqda.qdpx", transcripts={})
    assert frame[["start", "end"]].values.tolist() == [list(span(fx.SAFE))]
    assert [(p.severity, p.value) for p in problems] == [(WARNING, "R03")]


def test_format_detection_and_unknown_header(tmp_path):
    assert detect_format(Path("x.qdpx")) == "refi_qda"
    assert detect_format(Path("x.csv"), ["id", "document", "tag", "content"]) == "taguette"
    assert detect_format(Path("x.csv"), ["File", "Coder", "Coded", "Codename"]) == "qualcoder"
    path = write_csv(tmp_path, [["a", "b"]], ["who", "what"])
    frame, problems = read(path)
    assert frame.empty and problems[0].row == 1
    frame, problems = read(FIXTURES / "codebook.qdc")
    assert frame.empty and ".qdc" in problems[0].expected


def test_transcript_index_locate_nearest():
    index = TranscriptIndex("yes. I  see.\nyes. I see.")
    assert index.locate("yes. I see.") == (0, 12)
    assert index.locate("yes. I see.", near=11) == (13, 24)
    assert index.locate("no") is None


def test_transcript_index_folds_like_fold_text_char_by_char():
    # the ASCII words take a fast path; the index must equal folding every character
    text = "Zoë’s  “Café” `quoted` STRASSE Straße\nﬁne  İstanbul ok. ÅNGSTRÖM ﬀ"
    index = TranscriptIndex(text)
    folded, where = [], []
    for offset, char in enumerate(text):
        if char.isspace():
            continue
        for piece in fold_text(char):
            folded.append(piece)
            where.append(offset)
    words = list(zip(folded, where, strict=True))
    assert index.folded.replace(" ", "") == "".join(w for w, _ in words)
    assert [i for c, i in zip(index.folded, index.folded_where, strict=True) if c != " "] \
        == [i for _, i in words]
    assert index.locate("zoe's \"cafe\"", fold=True) == (0, 13)


def test_unknown_names_are_one_line_each_not_one_per_excerpt(tmp_path):
    path = write_csv(
        tmp_path,
        [["Jane Smith", "reduced_stress", fx.SAFE]] * 5 + [["R01", "reduced_stress", fx.SAFE]],
        ["record_id", "theme", "excerpt"],
    )
    frame, problems = read(path)
    assert list(frame["record_id"]) == ["R01"]
    (problem,) = problems
    assert "5 excerpt(s): row 2, row 3, row 4, ...)" in problem.expected
    assert "Jane" not in problem.format()


# ----------------------------------------------------------------------------- exclusions


def _two_source_project(path: Path, r02_selections) -> Path:
    """R01 coded correctly (names are the quotes); R02's selections as given (name, start, end)."""
    import zipfile
    from xml.sax.saxutils import quoteattr

    def source(number: int, record_id: str, selections) -> str:
        parts = "".join(
            f'<PlainTextSelection guid="{fx.guid(number * 100 + i)}" name={quoteattr(name)} '
            f'startPosition="{start}" endPosition="{end}"><Coding guid="'
            f'{fx.guid(number * 100 + 50 + i)}"><CodeRef targetGUID="{fx.guid(2)}"/></Coding>'
            "</PlainTextSelection>" for i, (name, start, end) in enumerate(selections))
        return (f'<TextSource guid="{fx.guid(number)}" name="{record_id}.txt" '
                f'plainTextPath="internal://{fx.guid(number)}.txt">{parts}</TextSource>')

    good = [(quote, *span(quote)) for quote in (fx.WONDER, fx.SAFE)]
    xml = ('<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="ATLAS.ti 23">'
           f'<CodeBook><Codes><Code guid="{fx.guid(2)}" name="Relational safety" '
           'isCodable="true"/></Codes></CodeBook><Sources>'
           + source(10, "R01", good) + source(20, "R02", r02_selections)
           + "</Sources></Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        for number in (10, 20):
            archive.writestr(f"sources/{fx.guid(number)}.txt", fx.TRANSCRIPT)
    return path


def test_refused_selections_are_recorded_exclusions_per_parent(tmp_path):
    """F2: a selection the reader refuses (here: names that are not the selected text, a cut
    word) is left out *and* recorded in input_exclusions, with its parent; a parent left with no
    excerpt at all gets a row of its own, so the participant flow shows the loss."""
    from parentgroup.analysis.participant_flow import participant_flow

    wonder, safe, calm = span(fx.WONDER), span(fx.SAFE), span(fx.CALM)
    r02 = [(fx.SAFE, *wonder), (fx.WONDER[:30], *safe), ("", calm[0] + 3, calm[1])]
    path = _two_source_project(tmp_path / "p.qdpx", r02)
    excluded: list[dict] = []
    frame, problems = read_coding(path, AUTO, TRANSCRIPTS, CONFIG, ROSTER, excluded)
    assert sorted(set(frame["record_id"])) == ["R01"]
    refused = {"stage": "coding", "file": "p.qdpx", "column": "PlainTextSelection",
               "record_id": "R02"}
    assert excluded == [
        {**refused, "row": f"source 2 at {wonder[0]}..{wonder[1]}",
         "reason": "coded selection left out: its text differs from its name"},
        {**refused, "row": f"source 2 at {safe[0]}..{safe[1]}",
         "reason": "coded selection left out: its text differs from its name"},
        {**refused, "row": f"source 2 at {calm[0] + 3}..{calm[1]}",
         "reason": "coded selection left out: it starts or ends inside a word"},
        {"stage": "coding", "file": "p.qdpx", "row": "", "column": "excerpt",
         "reason": "parent whose coded excerpts were all left out", "record_id": "R02"},
    ]
    text = "\n".join(p.format() for p in problems)
    assert "1 parent(s) have no coded excerpt left" in text
    for secret in (fx.SAFE[:15], fx.WONDER[:15], fx.CALM[:15], "R02"):
        assert secret not in text and secret not in str(excluded).replace("'R02'", "")
    participants = pd.DataFrame({"pseudonym": ["P01", "P02"], "completer": [True, True],
                                 "interviewed": [True, True], "consent_quotes": ["yes", "yes"]})
    flow = participant_flow(
        participants=participants,
        exclusions=pd.DataFrame(excluded).rename(columns={"record_id": "pseudonym"}),
        scores=pd.DataFrame(columns=["pseudonym", "instrument", "scale", "scoring", "time",
                                     "score"]),
        outcomes=[], completer_min_sessions=1, design="retrospective")
    rows = flow[flow["step"] == "excluded"].set_index("detail")["n"].to_dict()
    assert rows == {
        "coded selection left out: it starts or ends inside a word (p.qdpx)": 1,
        "coded selection left out: its text differs from its name (p.qdpx)": 2,
        "parent whose coded excerpts were all left out (p.qdpx)": 1,
    }


def test_a_parent_whose_csv_excerpts_are_all_missing_is_recorded(tmp_path):
    path = write_csv(
        tmp_path,
        [["R01", "reduced_stress", fx.SAFE], ["R02", "reduced_stress", "Nobody said this."],
         ["R02", "reduced_stress", "Nor this."]],
        ["record_id", "theme", "excerpt"],
    )
    excluded: list[dict] = []
    frame, problems = read_coding(path, AUTO, TRANSCRIPTS, CONFIG, ROSTER, excluded)
    assert list(frame["record_id"]) == ["R01"]
    assert [(e["row"], e["reason"]) for e in excluded] == [
        (3, "coded excerpt not found in its transcript"),
        (4, "coded excerpt not found in its transcript"),
        ("", "parent whose coded excerpts were all left out"),
    ]
    assert "1 parent(s) have no coded excerpt left" in "\n".join(p.format() for p in problems)


def test_config_coding_origin_names_the_exporting_tool(tmp_path):
    """F4: a project whose origin names no known tool, with offsets that UTF-16 units and code
    points explain equally well, is refused until config coding.origin names the tool."""
    import zipfile

    text = "Parent: My boy \U0001F466\U0001F3FD said thanks \U0001F602 to me.\n"
    quote = "My boy \U0001F466\U0001F3FD said thanks \U0001F602"
    start = len(text[: text.index(quote)].encode("utf-16-le")) // 2
    end = start + len(quote.encode("utf-16-le")) // 2
    xml = ('<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="In-house exporter 2">'
           f'<CodeBook><Codes><Code guid="{fx.guid(2)}" name="Relational safety" '
           f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{fx.guid(3)}" '
           f'name="R01" plainTextPath="internal://{fx.guid(3)}.txt"><PlainTextSelection '
           f'guid="{fx.guid(4)}" startPosition="{start}" endPosition="{end}"><Coding '
           f'guid="{fx.guid(5)}"><CodeRef targetGUID="{fx.guid(2)}"/></Coding>'
           "</PlainTextSelection></TextSource></Sources></Project>")
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr(f"sources/{fx.guid(3)}.txt", text)
    transcripts = {"R01": text}
    excluded: list[dict] = []
    frame, problems = read_coding(path, AUTO, transcripts, CONFIG, ROSTER, excluded)
    assert frame.empty and [p.severity for p in problems] == [ERROR]
    assert "set config coding.origin" in problems[0].expected
    assert [e["reason"] for e in excluded] == [
        "coded selection left out: its offsets fit two ways of counting",
        "parent whose coded excerpts were all left out"]
    site = {"coding": {"format": "auto", "origin": "NVivo 14"}}
    frame, problems = read_coding(path, site, transcripts, CONFIG, ROSTER)
    assert list(frame["excerpt"]) == [quote] and problems == []
