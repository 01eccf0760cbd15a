"""Questionnaire importers: every real-world format gives the same long table; bad input is
reported with file, row, column and value, never silently dropped, never echoing identifiers."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parentgroup.inputs.questionnaire import (
    NO_MATCH,
    NO_QUESTIONNAIRE,
    detect_format,
    item_column_regex,
    read_questionnaire,
)
from parentgroup.instruments import load_instruments
from parentgroup.problems import ERROR, WARNING

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "questionnaires"
INSTRUMENTS = load_instruments(["prfq", "psoc"])
ROSTER = pd.read_csv(FIXTURES / "roster.csv", dtype=str, keep_default_na=False)
EXPECTED = pd.read_csv(FIXTURES / "expected_items.csv")


def site(match_on: str = "record_id", design: str = "retrospective", **questionnaire) -> dict:
    return {"design": design, "questionnaire": {"match_on": match_on, **questionnaire}}


def wide_fixture() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "questionnaire_utf8.csv", dtype=str, keep_default_na=False)


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


@pytest.mark.parametrize(
    ("file", "match_on", "fmt"),
    [
        ("questionnaire_utf8.csv", "email", "csv"),
        ("questionnaire_utf8_bom.csv", "record_id", "csv"),
        ("questionnaire_cp1252.csv", "name", "csv"),
        ("questionnaire.xlsx", "record_id", "xlsx"),
        ("questionnaire_codes.sav", "record_id", "sav"),
        ("questionnaire_labels.sav", "name", "sav"),
        ("questionnaire_qualtrics.csv", "record_id", "qualtrics"),
    ],
)
def test_every_format_gives_the_same_long_table(file, match_on, fmt):
    assert detect_format(FIXTURES / file) == fmt
    items, exclusions, problems = read_questionnaire(
        FIXTURES / file, site(match_on), ROSTER, INSTRUMENTS
    )
    assert problems == []
    assert list(items.columns) == ["record_id", "instrument", "item", "time", "value"]
    assert len(items) == 3 * 2 * (18 + 17)
    pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)
    # The three missing answers (empty cell, -99, NA) are NaN rows, not dropped rows
    assert items["value"].isna().sum() == 3
    assert exclusions.to_dict("records") == [
        {"stage": "questionnaire", "file": file, "row": "", "column": "",
         "reason": NO_QUESTIONNAIRE, "record_id": "R04"}
    ]


def test_encoding_detection_is_logged(caplog):
    caplog.set_level(logging.INFO)
    for file, encoding in [("questionnaire_utf8.csv", "as utf-8"),
                           ("questionnaire_utf8_bom.csv", "as utf-8-sig"),
                           ("questionnaire_cp1252.csv", "as cp1252")]:
        caplog.clear()
        read_questionnaire(FIXTURES / file, site(), ROSTER, INSTRUMENTS)
        assert any(encoding in r.getMessage() for r in caplog.records), file


def test_cp1252_accented_names_match_the_roster():
    raw = (FIXTURES / "questionnaire_cp1252.csv").read_bytes()
    assert "ZOË BRONTË".encode("cp1252") in raw          # really Windows-1252 on disk
    items, _, problems = read_questionnaire(
        FIXTURES / "questionnaire_cp1252.csv", site("name"), ROSTER, INSTRUMENTS
    )
    assert problems == [] and sorted(items["record_id"].unique()) == ["R01", "R02", "R03"]


def test_out_of_range_and_non_numeric_answers_are_errors_with_their_cell(tmp_path):
    wide = wide_fixture()
    wide.loc[1, "prfq_03_now"] = "9"
    wide.loc[2, "psoc_10_then"] = "often"
    wide.loc[0, "psoc_11_then"] = "2.5"
    _, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, INSTRUMENTS
    )
    errors = {(p.row, p.column): p for p in problems if p.severity == ERROR}
    assert set(errors) == {(3, "prfq_03_now"), (4, "psoc_10_then"), (2, "psoc_11_then")}
    message = errors[(3, "prfq_03_now")].format()
    assert "q.csv" in message and "row 3" in message and "'9'" in message
    assert "from 1 to 7" in message
    assert "from 1 to 6" in errors[(4, "psoc_10_then")].format()
    assert "'often'" in errors[(4, "psoc_10_then")].format()


def test_qualtrics_row_numbers_count_the_two_extra_header_rows(tmp_path):
    raw = (FIXTURES / "questionnaire_qualtrics.csv").read_bytes().decode("utf-8-sig")
    lines = raw.split("\r\n")
    header = lines[0].split(",")
    column = header.index("prfq_02_now")
    cells = lines[4].split(",")        # the second respondent, spreadsheet row 5
    cells[column] = "8"
    lines[4] = ",".join(cells)
    path = tmp_path / "export.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8-sig")
    _, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    assert [(p.row, p.column, p.value) for p in problems] == [(5, "prfq_02_now", "8")]


def test_missing_codes_and_anchor_labels_are_recognised(tmp_path):
    wide = wide_fixture()
    wide.loc[0, "prfq_01_then"] = "999"
    wide.loc[0, "prfq_02_then"] = " na "
    wide.loc[0, "prfq_03_then"] = "Strongly agree"
    wide.loc[0, "psoc_01_now"] = "strongly DISAGREE"
    items, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, INSTRUMENTS
    )
    assert problems == []
    values = items.set_index(["record_id", "instrument", "item", "time"])["value"]
    assert np.isnan(values[("R01", "prfq", 1, "then")])
    assert np.isnan(values[("R01", "prfq", 2, "then")])
    assert values[("R01", "prfq", 3, "then")] == 7
    assert values[("R01", "psoc", 1, "now")] == 1


def test_duplicate_respondent_is_an_error_naming_both_rows(tmp_path):
    wide = wide_fixture()
    wide = pd.concat([wide, wide.iloc[[1]]], ignore_index=True)   # R02 again in row 5
    _, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, INSTRUMENTS
    )
    assert len(problems) == 1 and problems[0].severity == ERROR
    assert "rows 3, 5" in problems[0].format()


def test_unknown_respondent_is_a_recorded_exclusion_and_a_warning_without_the_email(tmp_path):
    wide = wide_fixture()
    extra = wide.iloc[[0]].copy()
    extra["record_id"] = "R99"
    extra["email"] = "stranger@example.org"
    extra["parent_name"] = "Carol Stranger"
    wide = pd.concat([wide, extra], ignore_index=True)
    items, exclusions, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site("email"), ROSTER, INSTRUMENTS
    )
    assert sorted(items["record_id"].unique()) == ["R01", "R02", "R03"]
    assert [p.severity for p in problems] == [WARNING]
    text = problems[0].format() + repr(problems[0].as_record())
    assert "stranger" not in text.casefold() and "row 5" in text
    row = exclusions[exclusions["reason"] == NO_MATCH].to_dict("records")
    assert row == [{"stage": "questionnaire", "file": "q.csv", "row": 5, "column": "email",
                    "reason": NO_MATCH, "record_id": ""}]


def test_duplicate_found_by_name_never_echoes_the_name(tmp_path):
    wide = wide_fixture()
    wide = pd.concat([wide, wide.iloc[[0]]], ignore_index=True)
    _, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site("name"), ROSTER, INSTRUMENTS
    )
    text = " ".join(p.format() for p in problems)
    assert "rows 2, 5" in text and "zoë" not in text.casefold() and "hidden" in text


def test_missing_item_columns_are_one_error_listing_them(tmp_path):
    wide = wide_fixture().drop(columns=["prfq_07_now", "psoc_17_then"])
    items, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, INSTRUMENTS
    )
    assert items.empty and len(problems) == 1
    assert "prfq_07_now" in problems[0].expected and "psoc_17_then" in problems[0].expected


def test_missing_match_column_and_missing_file(tmp_path):
    wide = wide_fixture().drop(columns=["email"])
    _, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site("email"), ROSTER, INSTRUMENTS
    )
    assert any(p.column == "email" and p.row == 1 for p in problems)
    _, _, problems = read_questionnaire(tmp_path / "none.csv", site(), ROSTER, INSTRUMENTS)
    assert len(problems) == 1 and problems[0].severity == ERROR


def test_prospective_and_three_timepoint_designs_expect_their_times(tmp_path):
    wide = wide_fixture()
    renamed = wide.rename(columns=lambda c: c.replace("_then", "_pre").replace("_now", "_post"))
    items, _, problems = read_questionnaire(
        write(renamed, tmp_path / "q.csv"), site(design="prospective"), ROSTER, INSTRUMENTS
    )
    assert problems == [] and sorted(items["time"].unique()) == ["post", "pre"]
    _, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(design="three_timepoint"), ROSTER, INSTRUMENTS
    )
    assert len(problems) == 1 and "prfq_01_pre" in problems[0].expected


def test_a_custom_item_pattern(tmp_path):
    wide = wide_fixture()
    pattern = "{time}.{instrument}{item}"
    regex = item_column_regex(pattern, ["prfq", "psoc"], ["then", "now"])
    groups = regex.match("THEN.prfq7").groupdict()
    assert groups == {"time": "THEN", "instrument": "prfq", "item": "7"}
    renamed = wide.rename(columns=lambda c: (
        f"{c.split('_')[2]}.{c.split('_')[0]}{int(c.split('_')[1])}" if c[:4] in {"prfq", "psoc"}
        else c
    ))
    items, _, problems = read_questionnaire(
        write(renamed, tmp_path / "q.csv"), site(item_pattern=pattern), ROSTER, INSTRUMENTS
    )
    assert problems == []
    pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)


def test_stray_item_columns_are_a_warning(tmp_path):
    wide = wide_fixture()
    wide["prfq_19_now"] = "3"
    _, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, INSTRUMENTS
    )
    assert [(p.severity, p.column) for p in problems] == [(WARNING, "prfq_19_now")]


def test_items_written_without_the_zero_padding_are_named_with_the_fix(tmp_path):
    """pss_1_then where the pattern writes pss_01_then: the error says the file names the same
    items otherwise and how to set item_pattern, and each such column says which it means
    (it was "an item number of the instrument", though item 1 exists)."""
    wide = wide_fixture().rename(columns=lambda c: c.replace("_0", "_"))
    items, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, INSTRUMENTS)
    assert items.empty
    error = next(p for p in problems if p.severity == ERROR)
    assert "written otherwise (e.g. 'prfq_1_then' for 'prfq_01_then')" in error.expected
    assert "'{instrument}_{item}_{time}'" in error.expected
    stray = next(p for p in problems if p.column == "prfq_1_then")
    assert stray.severity == WARNING and "'prfq_01_then'" in stray.expected


def test_a_site_instrument_is_read_without_code_changes(tmp_path):
    shutil.copy(FIXTURES / "questionnaire_utf8.csv", tmp_path / "q.csv")
    wide = pd.read_csv(tmp_path / "q.csv", dtype=str, keep_default_na=False)
    for i in range(1, 7):
        wide[f"wb_{i:02d}_then"] = str(i % 5 + 1)
        wide[f"wb_{i:02d}_now"] = "5"
    import yaml

    (tmp_path / "wb.yaml").write_text(yaml.safe_dump({
        "name": "wb", "title": "Wellbeing", "citation": "Test.",
        "items": [{"number": i, "text": f"S{i}"} for i in range(1, 7)],
        "response": {"min": 1, "max": 5, "anchor_direction": "disagree_to_agree",
                     "labels": [{"value": 1, "label": "Never"}]},
        "scales": [{"id": "total", "label": "WB", "items": list(range(1, 7)),
                    "scorings": ["sum"], "direction": "higher_better"}],
    }), encoding="utf-8")
    instruments = load_instruments(["wb"], [tmp_path])
    items, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(), ROSTER, instruments
    )
    assert problems == [] and len(items) == 3 * 2 * 6
    assert items.loc[items["time"] == "then", "value"].tolist()[:6] == [2, 3, 4, 5, 1, 2]


# --------------------------------------------------------------------------------------------
# Several informants in one file (column ``informant``), items on their own response scale

SDQ = load_instruments(["sdq_parent", "sdq_teacher"])


def sdq_wide(record_ids: list[str], seed: int = 5) -> pd.DataFrame:
    """One row per respondent with the parent's and the teacher's SDQ side by side (the
    per-form route): answers 0-2, the impact supplement 0-3."""
    rng = np.random.default_rng(seed)
    columns = {"record_id": record_ids}
    for name, instrument in SDQ.items():
        for time in ("pre", "post"):
            for item in instrument.item_numbers:
                top = 3 if item >= 26 else 2
                columns[f"{name}_{item:02d}_{time}"] = [
                    str(v) for v in rng.integers(0, top + 1, len(record_ids))]
    return pd.DataFrame(columns)


def split_by_informant(wide: pd.DataFrame) -> pd.DataFrame:
    """The same answers as one parent row and one teacher row per respondent."""
    parent = wide.copy()
    teacher = wide.copy()
    parent[[c for c in wide if c.startswith("sdq_teacher_")]] = ""
    teacher[[c for c in wide if c.startswith("sdq_parent_")]] = ""
    parent.insert(1, "informant", "parent")
    teacher.insert(1, "informant", "Teacher ")  # trimmed and case-folded
    return pd.concat([parent, teacher], ignore_index=True)


def test_informant_rows_give_the_same_answers_as_forms_side_by_side(tmp_path):
    wide = sdq_wide(["R01", "R02", "R03"])
    per_form, _, problems = read_questionnaire(
        write(wide, tmp_path / "a.csv"), site(design="prospective"), ROSTER, SDQ)
    assert [p for p in problems if p.severity == ERROR] == []
    by_row, _, problems = read_questionnaire(
        write(split_by_informant(wide), tmp_path / "b.csv"), site(design="prospective"),
        ROSTER, SDQ)
    assert [p for p in problems if p.severity == ERROR] == []
    pd.testing.assert_frame_equal(by_row, per_form)
    assert by_row["value"].notna().all()


def test_a_respondent_without_a_teacher_row_has_the_teacher_form_unanswered(tmp_path):
    rows = split_by_informant(sdq_wide(["R01", "R02"]))
    rows = rows[~((rows["record_id"] == "R02") & (rows["informant"] == "Teacher "))]
    items, exclusions, problems = read_questionnaire(
        write(rows, tmp_path / "q.csv"), site(design="prospective"), ROSTER, SDQ)
    assert [p for p in problems if p.severity == ERROR] == []
    teacher = items[(items["record_id"] == "R02") & (items["instrument"] == "sdq_teacher")]
    assert len(teacher) == 2 * 29 and teacher["value"].isna().all()
    parent = items[(items["record_id"] == "R02") & (items["instrument"] == "sdq_parent")]
    assert parent["value"].notna().all()
    assert "R02" not in set(exclusions["record_id"])


def test_informant_errors_name_file_row_column_value_and_the_allowed_set(tmp_path):
    rows = split_by_informant(sdq_wide(["R01", "R02"]))
    rows.loc[1, "informant"] = "grandparent"                 # file row 3
    rows.loc[2, "sdq_parent_03_pre"] = "1"                    # a teacher row answers the parent
    rows.loc[3, "sdq_parent_04_pre"] = "-99"                  # a missing code there is blank
    rows = pd.concat([rows, rows.iloc[[3]]], ignore_index=True)  # R02's teacher twice
    _, _, problems = read_questionnaire(
        write(rows, tmp_path / "q.csv"), site(design="prospective"), ROSTER, SDQ)
    errors = [p for p in problems if p.severity == ERROR]
    unknown = [p for p in errors if p.column == "informant"]
    assert len(unknown) == 1 and unknown[0].row == 3 and unknown[0].value == "grandparent"
    assert "one of: parent, teacher, observer" in unknown[0].format()
    assert "q.csv" in unknown[0].format()
    other = [p for p in errors if p.column == "sdq_parent_03_pre"]
    assert other and other[0].row == 4 and "completed by the parent" in other[0].format()
    assert not [p for p in errors if p.column == "sdq_parent_04_pre"]
    twice = [p for p in errors if "once per informant" in p.expected]
    assert len(twice) == 1 and "rows 5, 6" in twice[0].expected


def test_an_informant_who_completes_no_configured_form_is_an_error(tmp_path):
    rows = split_by_informant(sdq_wide(["R01"]))
    rows.loc[1, "informant"] = "observer"
    _, _, problems = read_questionnaire(
        write(rows, tmp_path / "q.csv"), site(design="prospective"), ROSTER, SDQ)
    hit = [p for p in problems if p.column == "informant"]
    assert hit and "parent: sdq_parent; teacher: sdq_teacher" in hit[0].expected


def test_impact_answers_are_read_on_their_own_zero_to_three_scale(tmp_path):
    wide = sdq_wide(["R01"])
    wide["sdq_parent_27_pre"] = "A great deal"  # an anchor label of the impact scale: 3
    wide["sdq_parent_28_pre"] = "3"
    wide["sdq_parent_05_pre"] = "3"             # a symptom item: 0-2 only
    wide["sdq_teacher_29_post"] = "4"
    items, _, problems = read_questionnaire(
        write(wide, tmp_path / "q.csv"), site(design="prospective"), ROSTER, SDQ)
    errors = {p.column: p for p in problems if p.severity == ERROR}
    assert set(errors) == {"sdq_parent_05_pre", "sdq_teacher_29_post"}
    assert "from 0 to 2" in errors["sdq_parent_05_pre"].expected
    assert "from 0 to 3" in errors["sdq_teacher_29_post"].expected
    parent = items[(items["instrument"] == "sdq_parent") & (items["time"] == "pre")]
    assert parent.set_index("item").loc[[27, 28], "value"].tolist() == [3, 3]


# --------------------------------------------------------------------------------------------
# SPSS value labels: the labels, not the codes, say which answer was given

PRFQ_ANCHORS = ["Strongly disagree", "Disagree", "Somewhat disagree",
                "Neither agree nor disagree", "Somewhat agree", "Agree", "Strongly agree"]


def write_sav(tmp_path: Path, *, prfq_codes, prfq_labels: dict | None,
              psoc_labels: dict | None = None, name: str = "survey.sav",
              change=None, **sav) -> Path:
    """The fixture's answers as an SPSS file: PRFQ answer x stored as ``prfq_codes(x)`` with the
    value labels ``prfq_labels`` (None: unlabelled); PSOC stored as given."""
    import pyreadstat

    wide = wide_fixture()
    items = [c for c in wide.columns if c.startswith(("prfq", "psoc"))]
    frame = wide[["record_id"] + items].copy()
    for column in items:
        frame[column] = pd.to_numeric(frame[column].replace({"NA": ""}), errors="coerce")
        if column.startswith("prfq"):
            keep = frame[column].isna() | (frame[column] == -99)
            frame[column] = frame[column].where(keep, prfq_codes(frame[column]))
    labels = {}
    for column in items:
        chosen = prfq_labels if column.startswith("prfq") else psoc_labels
        if chosen:
            labels[column] = chosen
    if change is not None:
        change(frame)
    path = tmp_path / name
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, **sav)
    return path


def test_reversed_value_labels_are_read_through_the_labels(tmp_path, caplog):
    """A survey tool's export: 1 = "Strongly agree" ... 7 = "Strongly disagree", the answers
    stored as those codes. Read as codes, every PRFQ answer would be inverted."""
    caplog.set_level(logging.INFO)
    path = write_sav(tmp_path, prfq_codes=lambda x: 8 - x,
                     prfq_labels={float(8 - v): text for v, text in
                                  enumerate(PRFQ_ANCHORS, 1)},
                     psoc_labels={float(v): str(v) for v in range(1, 7)})
    items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    assert problems == []
    pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "prfq" in logged and "36 variable(s)" in logged and "8 - code" in logged


def test_labels_differing_only_in_case_space_and_punctuation_match_the_anchors(tmp_path):
    labels = {float(8 - v): f"  {text.upper()}. " for v, text in enumerate(PRFQ_ANCHORS, 1)}
    labels[1.0] = "strongly-agree"
    path = write_sav(tmp_path, prfq_codes=lambda x: 8 - x, prfq_labels=labels)
    items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    assert problems == []
    pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)


def test_zero_based_codes_with_value_labels_are_read_right(tmp_path):
    path = write_sav(tmp_path, prfq_codes=lambda x: x - 1,
                     prfq_labels={float(v - 1): text for v, text in enumerate(PRFQ_ANCHORS, 1)})
    items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    assert problems == []
    pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)


def test_zero_based_codes_without_labels_are_refused_as_zero_based(tmp_path):
    path = write_sav(tmp_path, prfq_codes=lambda x: x - 1, prfq_labels=None)
    _, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    errors = [p for p in problems if p.severity == ERROR]
    assert len(errors) == 1, [p.format() for p in errors]
    message = errors[0].format()
    assert "survey.sav" in message and "0-based" in message and "prfq" in message
    assert "from 1 to 7" in message and "recode" in message


def test_value_labels_that_are_not_the_anchors_are_refused_naming_them(tmp_path):
    labels = {1.0: "Never", 2.0: "Rarely", 3.0: "Sometimes", 4.0: "Often", 5.0: "Always",
              6.0: "Very often", 7.0: "All the time"}
    path = write_sav(tmp_path, prfq_codes=lambda x: x, prfq_labels=labels)
    items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    errors = [p for p in problems if p.severity == ERROR]
    assert len(errors) == 1 and items.empty
    message = errors[0].format()
    assert "survey.sav" in message and "prfq_01_then" in message and "36" in message
    assert "1 = 'Never'" in message and "'Strongly disagree'" in message


def test_numeric_or_absent_labels_keep_the_codes(tmp_path):
    numeric = {float(v): str(v) for v in range(1, 8)}
    for labels in (numeric, None):
        path = write_sav(tmp_path, prfq_codes=lambda x: x, prfq_labels=labels)
        items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
        assert problems == []
        pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)


def test_end_anchors_only_and_a_labelled_missing_code(tmp_path):
    labels = {7.0: "Strongly disagree", 1.0: "Strongly agree", -99.0: "Not answered"}
    path = write_sav(tmp_path, prfq_codes=lambda x: 8 - x, prfq_labels=labels)
    items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    assert problems == []
    pd.testing.assert_frame_equal(items, EXPECTED, check_dtype=False)


REVERSED = {float(8 - v): text for v, text in enumerate(PRFQ_ANCHORS, 1)}


def test_a_labelled_code_declared_missing_is_missing_and_a_stray_code_is_an_error(tmp_path):
    def change(frame):
        frame.loc[0, "prfq_02_then"] = 9.0     # declared user-missing: read as missing
        frame.loc[1, "prfq_03_now"] = 0.0      # no label, outside the labelled codes

    labels = {**REVERSED, 9.0: "Don't know"}
    path = write_sav(tmp_path, prfq_codes=lambda x: 8 - x, prfq_labels=labels, change=change,
                     missing_ranges={c: [9] for c in wide_fixture().columns
                                     if c.startswith("prfq")})
    items, _, problems = read_questionnaire(path, site(), ROSTER, INSTRUMENTS)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "prfq_03_now", "0")]
    assert "value label is an anchor of prfq" in problems[0].expected
    values = items.set_index(["record_id", "instrument", "item", "time"])["value"]
    assert np.isnan(values[("R01", "prfq", 2, "then")])
