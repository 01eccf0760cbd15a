"""Input-table checks: the fast column-by-column check finds exactly the problems, in exactly
the order, that checking every row with jsonschema finds."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from parentgroup.inputs.csv_files import _check_each_row, check_rows, load_table_schema
from parentgroup.problems import InputProblem

CELLS = st.sampled_from(["", "1", "0", "2", "x", "RLC-101", "-bad", "12", "yes", "no", "A b"])


def row_by_row(frame: pd.DataFrame, schema_name: str, label: str) -> list[InputProblem]:
    """The reference: every row through jsonschema (the general check for any schema)."""
    schema = load_table_schema(schema_name)
    columns = [c for c in frame.columns if c in schema["properties"]]
    return _check_each_row(frame, schema, columns, label)


def _key(problems):
    return [(p.file, p.row, p.column, p.value, p.expected) for p in problems]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELLS, CELLS, CELLS), min_size=1, max_size=25))
def test_attendance_column_check_equals_row_check(rows):
    frame = pd.DataFrame(rows, columns=["record_id", "session", "attended"])
    assert _key(check_rows(frame, "attendance", "attendance.csv")) == _key(
        row_by_row(frame, "attendance", "attendance.csv"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS), min_size=1, max_size=15))
def test_roster_column_check_equals_row_check(rows):
    frame = pd.DataFrame(rows, columns=["consent_quotes", "record_id", "parent_name",
                                        "child_name"])
    assert _key(check_rows(frame, "roster", "roster.csv")) == _key(
        row_by_row(frame, "roster", "roster.csv"))


def test_a_bad_value_is_reported_on_every_row_it_occurs():
    frame = pd.DataFrame({"record_id": ["A1", "A2", "A3"], "session": ["1", "x", "x"],
                          "attended": ["1", "0", "2"]})
    problems = check_rows(frame, "attendance", "attendance.csv")
    assert [(p.row, p.column, p.value) for p in problems] == [
        (3, "session", "x"), (4, "session", "x"), (4, "attended", "2")]
