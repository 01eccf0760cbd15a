"""Input files as spreadsheets really save them: semicolon-separated CSV (Excel where the
decimal separator is a comma), title rows above an Excel header, attendance typed by hand
(dates for sessions, yes/no, Excel's 1.0). Each is read right or refused in one clear message
naming the file, the column, the rows and what was expected."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from conftest import REPO

from parentgroup.anonymisation.review import read_decisions
from parentgroup.config import site_study, validate_config
from parentgroup.inputs.attendance import read_attendance
from parentgroup.inputs.csv_files import read_csv_text
from parentgroup.inputs.lateness import read_lateness
from parentgroup.inputs.questionnaire import read_questionnaire
from parentgroup.inputs.site import read_site
from parentgroup.instruments import load_instruments
from parentgroup.problems import ERROR

DEMO = REPO / "data/raw/demo"
INSTRUMENTS = load_instruments(["prfq", "psoc"])


@pytest.fixture(scope="module")
def config() -> dict:
    with open(REPO / "config.yaml", encoding="utf-8") as handle:
        return validate_config(yaml.safe_load(handle))


def demo_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / name, dtype=str, keep_default_na=False)


def roster() -> pd.DataFrame:
    return demo_csv("roster.csv")


def site_inputs(config: dict, folder) -> object:
    study = site_study(config, "demo")
    study["sites"]["demo"]["data_dir"] = str(folder)
    return read_site(study["sites"]["demo"], study)


# --------------------------------------------------------------------------------------------
# Semicolon- and tab-separated CSV


def test_a_site_saved_with_semicolons_reads_as_the_comma_site(tmp_path, config):
    site = tmp_path / "site"
    shutil.copytree(DEMO, site)
    for path in sorted(site.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        # Excel's "CSV (semicolon)": CRLF, the ';'-lists of the roster quoted
        path.write_bytes(frame.to_csv(index=False, sep=";", lineterminator="\r\n")
                         .encode("utf-8-sig"))
    assert (site / "roster.csv").read_text(encoding="utf-8-sig").startswith("record_id;")
    semicolon, comma = site_inputs(config, site), site_inputs(config, DEMO)
    assert semicolon.fatal == [] and semicolon.problems == comma.problems
    pd.testing.assert_frame_equal(semicolon.roster, comma.roster)
    pd.testing.assert_frame_equal(semicolon.attendance, comma.attendance)
    pd.testing.assert_frame_equal(semicolon.items, comma.items)
    pd.testing.assert_frame_equal(semicolon.excerpts, comma.excerpts)
    pd.testing.assert_frame_equal(semicolon.goals, comma.goals)
    pd.testing.assert_frame_equal(semicolon.lateness, comma.lateness)
    decisions, problems = read_decisions(site / "review_decisions.csv")
    assert problems == [] and decisions == read_decisions(DEMO / "review_decisions.csv")[0]


def test_a_semicolon_questionnaire_is_read_and_the_log_says_so(tmp_path, caplog):
    caplog.set_level("INFO")
    path = tmp_path / "questionnaire.csv"
    demo_csv("questionnaire.csv").to_csv(path, index=False, sep=";")
    items, _, problems = read_questionnaire(path, {"design": "retrospective"}, roster(),
                                            INSTRUMENTS)
    expected, _, _ = read_questionnaire(DEMO / "questionnaire.csv", {"design": "retrospective"},
                                        roster(), INSTRUMENTS)
    assert problems == []
    pd.testing.assert_frame_equal(items, expected)
    assert any("';'" in r.getMessage() and "questionnaire.csv" in r.getMessage()
               for r in caplog.records)


def test_tab_separated_text_and_a_comma_inside_a_semicolon_header(tmp_path):
    path = tmp_path / "attendance.csv"
    path.write_text("record_id\tsession\tattended\nRLC-101\t1\t1\n", encoding="utf-16")
    assert read_csv_text(path).columns.tolist() == ["record_id", "session", "attended"]
    path.write_text('record_id;"session, numbered";attended\nRLC-101;1;1\n', encoding="utf-8")
    assert read_csv_text(path).columns.tolist() == ["record_id", "session, numbered",
                                                     "attended"]
    path.write_text("note\nsemi;colon in a one-column table? no: two fields\n")
    assert read_csv_text(path).columns.tolist() == ["note"]


def test_an_empty_csv_is_one_clear_problem_not_a_traceback(tmp_path):
    path = tmp_path / "attendance.csv"
    path.write_bytes(b"")
    _, problems = read_attendance(path, roster(), 10)
    assert [p.severity for p in problems] == [ERROR]
    assert "attendance.csv" in problems[0].format() and "header" in problems[0].expected


# --------------------------------------------------------------------------------------------
# Title rows above the header


def with_title_rows(path, frame: pd.DataFrame, titles: list[list]) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for row in titles:
            sheet.append(row)
        if titles and titles[0]:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([int(v) if v.lstrip("-").isdigit() else (v or None) for v in row])
        book.save(path)
    else:
        lines = [",".join(str(v) for v in row) for row in titles]
        path.write_text("\n".join(lines) + "\n" + frame.to_csv(index=False), encoding="utf-8")


@pytest.mark.parametrize("name", ["survey.xlsx", "questionnaire.csv"])
def test_title_rows_above_the_header_are_one_error_saying_where_the_header_is(tmp_path, name):
    path = tmp_path / name
    with_title_rows(path, demo_csv("questionnaire.csv"),
                    [["Parent group evaluation - PRFQ/PSOC export 2025"], []])
    items, _, problems = read_questionnaire(path, {"design": "retrospective"}, roster(),
                                            INSTRUMENTS)
    assert items.empty and len(problems) == 1, [p.format() for p in problems]
    message = problems[0].format()
    assert name in message and "row 1" in message and "row 3" in message
    assert "record_id" in message and "prfq_17_now" not in message  # no list of 70 columns


def test_a_header_in_row_1_without_the_match_column_still_lists_what_is_missing(tmp_path):
    path = tmp_path / "survey.xlsx"
    with_title_rows(path, demo_csv("questionnaire.csv").drop(columns="record_id"), [])
    _, _, problems = read_questionnaire(path, {"design": "retrospective"}, roster(),
                                        INSTRUMENTS)
    assert [(p.row, p.column) for p in problems] == [(1, "record_id")]


# --------------------------------------------------------------------------------------------
# Attendance typed by hand


def test_dates_in_the_session_column_are_one_grouped_error(tmp_path):
    frame = demo_csv("attendance.csv")
    dates = pd.date_range("2025-01-14", periods=10, freq="7D").strftime("%d/%m/%Y")
    frame["session"] = [dates[int(s) - 1] for s in frame["session"]]
    path = tmp_path / "attendance.csv"
    frame.to_csv(path, index=False)
    clean, problems = read_attendance(path, roster(), 10)
    errors = [p for p in problems if p.severity == ERROR]
    assert len(errors) == 1, [p.format() for p in errors]
    message = errors[0].format()
    assert "attendance.csv" in message and "column 'session'" in message
    assert "140 rows" in message and "rows 2, 3, 4" in message and "'14/01/2025'" in message
    assert "date" in message and "session number" in message and "1 to 10" in message


def test_yes_no_and_excel_whole_numbers_are_read_as_attendance(tmp_path):
    frame = demo_csv("attendance.csv")
    expected, problems = read_attendance(DEMO / "attendance.csv", roster(), 10)
    assert problems == []
    spelled = {"1": ["yes", "Y", "TRUE", "1.0", "1"], "0": ["no", "N", "false", "0.0", "0"]}
    frame["attended"] = [spelled[v][i % 5] for i, v in enumerate(frame["attended"])]
    frame["session"] = [f"{s}.0" if i % 2 else s for i, s in enumerate(frame["session"])]
    path = tmp_path / "attendance.csv"
    frame.to_csv(path, index=False)
    clean, problems = read_attendance(path, roster(), 10)
    assert problems == []
    pd.testing.assert_frame_equal(clean, expected)
    late, problems = read_lateness(path)
    assert problems == []
    pd.testing.assert_frame_equal(late, read_lateness(DEMO / "attendance.csv")[0])


def test_other_attended_values_are_grouped_and_a_few_stay_one_per_row(tmp_path):
    frame = demo_csv("attendance.csv")
    frame.loc[:9, "attended"] = "present"
    frame.loc[20, "attended"] = "x"
    frame.loc[30, "session"] = "1.5"
    path = tmp_path / "attendance.csv"
    frame.to_csv(path, index=False)
    _, problems = read_attendance(path, roster(), 10)
    errors = {(p.column, p.row): p for p in problems if p.severity == ERROR}
    assert set(errors) == {("attended", 2), ("session", 32)}
    grouped = errors[("attended", 2)].format()
    assert "11 rows" in grouped and "rows 2, 3, 4" in grouped and "'present'" in grouped
    assert "yes" in grouped and "no" in grouped
    assert "'1.5'" in errors[("session", 32)].format()
