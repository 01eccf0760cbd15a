"""Lateness per session (optional ``minutes_late`` or ``late`` column of attendance.csv)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from parentgroup.inputs.attendance import normalise_attendance
from parentgroup.inputs.csv_files import read_csv_text
from parentgroup.problems import InputProblem, data_row

COLUMNS = ["record_id", "session", "late", "minutes_late"]


def read_lateness(path: Path | None) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Lateness of the attended sessions from ``attendance.csv``: ``minutes_late`` (a whole
    number of minutes, 0 = on time, empty = not recorded) or ``late`` (1 / 0, empty = not
    recorded). A site whose attendance has neither column gets an empty table. A value that is
    not of that form is an error located by row and column; lateness recorded for a session the
    parent did not attend is an error too.

    ``late`` is True when ``minutes_late`` > 0 or ``late`` is 1.
    """
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=COLUMNS), []
    frame = normalise_attendance(read_csv_text(path))  # attended yes/no, session 1.0
    column = next((c for c in ("minutes_late", "late") if c in frame.columns), None)
    if column is None or "record_id" not in frame.columns or "session" not in frame.columns:
        return pd.DataFrame(columns=COLUMNS), []
    label = Path(path).name
    pattern = r"^([0-9]{1,3})?$" if column == "minutes_late" else r"^[01]?$"
    expected = ("a whole number of minutes late (0 = on time) or empty"
                if column == "minutes_late" else "1 (late), 0 (on time) or empty")
    problems = []
    attended = frame["attended"] if "attended" in frame.columns else pd.Series("1", frame.index)
    for index, value in frame[column].items():
        if not re.match(pattern, value):
            problems.append(InputProblem(label, data_row(index), column, value, expected))
        elif value and attended[index] == "0":
            problems.append(InputProblem(label, data_row(index), column, value,
                                         "empty for a session the parent did not attend"))
    valid = frame[column].str.fullmatch(pattern[1:-1])
    recorded = frame[valid & (frame[column] != "") & (attended == "1")]
    values = pd.to_numeric(recorded[column], errors="coerce")
    out = pd.DataFrame({
        "record_id": recorded["record_id"],
        "session": pd.to_numeric(recorded["session"], errors="coerce").astype("Int64"),
        "late": values > 0,
        "minutes_late": values if column == "minutes_late" else pd.NA,
    }, columns=COLUMNS)
    return out.dropna(subset=["session"]).reset_index(drop=True), problems
