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


def test_no_coding_file_is_an_empty_table(tmp_path):
    for path in (None, tmp_path / "absent.csv"):
        frame, problems = read(path)
        assert list(frame.columns) == CODING_COLUMNS and frame.empty and problems == []


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
    assert problems == []
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


def test_offset_mismatch_is_an_error_without_the_excerpt(tmp_path):
    start, end = span(fx.WONDER)
    path = write_csv(
        tmp_path,
        [["R01", "enhanced_mentalizing", fx.WONDER, start + 1, end + 1]],
        ["record_id", "theme", "excerpt", "start", "end"],
    )
    frame, problems = read(path)
    assert frame.empty
    (problem,) = problems
    assert problem.severity == ERROR and problem.row == 2
    assert f"at {start + 1}..{end + 1}" in problem.expected
    assert f"occurs at {start}..{end}" in problem.expected
    assert "wonder" not in problem.format()


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
        (2, "excerpt", ERROR),
        (3, "record_id", ERROR),
        (4, "excerpt", ERROR),
    ]
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
    assert [(p.severity, p.value) for p in problems] == [(WARNING, "old habits")]


def test_taguette_csv():
    frame, problems = read(FIXTURES / "taguette_highlights.csv")
    assert frame[["theme", "source", "start", "end"]].values.tolist() == [
        ["reduced_stress", "highlight 8", *span(fx.SAFE)],
        ["relational_safety", "highlight 7", *span(fx.SAFE)],
    ]
    assert [(p.row, p.severity) for p in problems] == [(4, ERROR)]


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
    assert len(errors) == (3 if name == "mismatch.qdpx" else 0)


def test_refi_qda_excerpt_missing_from_transcript_is_an_error():
    frame, problems = read(
        FIXTURES / "qualcoder.qdpx", transcripts=dict(TRANSCRIPTS, R01=fx.TRANSCRIPT)
    )
    assert list(frame["record_id"]) == ["R04"]
    assert [p.column for p in problems] == [f"selection {fx.guid(232)}"]


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
