"""Session attendance: one row per parent and session.

Read as spreadsheets save it: a session number typed or exported as ``1.0`` is session 1, and
``attended`` may be 1/0, yes/no, y/n or true/false in any case (:data:`~parentgroup.tables.
BOOLEAN_SPELLINGS`, read by :func:`~parentgroup.tables.as_bool`). A column whose values are
wrong in more than a few rows is one error (the column, how many rows, the first rows, what is
expected), and a session column of dates says so, instead of one error per row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import check_rows, duplicated_rows, read_csv_text
from parentgroup.problems import ERROR, WARNING, InputProblem, data_row
from parentgroup.tables import BOOLEAN_SPELLINGS, as_bool

COLUMNS = ["record_id", "session", "attended"]
#: A column with more failing rows than this is one grouped error.
GROUP_AFTER = 3
#: A date as a spreadsheet writes it (14/01/2025, 2025-01-14, 14.1.25, Excel's 2025-01-14
#: 00:00:00), never a session number.
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def normalise_attendance(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with ``session`` ``1.0`` read as ``1`` and ``attended`` in any boolean spelling
    read as ``1`` or ``0``; other values are left as they are (for the schema to refuse).

    >>> normalise_attendance(pd.DataFrame({"session": ["3.0", "4", "x"],
    ...                                    "attended": ["Yes", "n", "maybe"]})).values.tolist()
    [['3', '1'], ['4', '0'], ['x', 'maybe']]
    """
    out = frame.copy()
    if "session" in out.columns:
        out["session"] = out["session"].str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    if "attended" in out.columns:
        spelled = out["attended"].str.casefold().isin(BOOLEAN_SPELLINGS)
        out.loc[spelled, "attended"] = as_bool(out.loc[spelled, "attended"]).map(
            {True: "1", False: "0"})
    return out


def group_column_problems(problems: list[InputProblem], columns: list[str],
                          expected: dict[str, str], found: dict[str, str] | None = None
                          ) -> list[InputProblem]:
    """Collapse the errors of each of ``columns`` into one when there are more than
    :data:`GROUP_AFTER`: located at the first failing row and value, saying what is expected
    (``expected[column]``, else the first problem's own), how many rows fail (``found[column]``
    says how, e.g. "hold dates") and which are the first. Other problems pass unchanged."""
    out, grouped = [], {}
    for problem in problems:
        if problem.severity == ERROR and problem.column in columns and problem.row:
            grouped.setdefault(problem.column, []).append(problem)
        else:
            out.append(problem)
    for column in columns:
        failing = grouped.get(column, [])
        if len(failing) <= GROUP_AFTER:
            out += failing
            continue
        rows = sorted({p.row for p in failing})
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        first = min(failing, key=lambda p: p.row)
        how = (found or {}).get(column, "are not")
        out.append(InputProblem(
            first.file, first.row, column, first.value,
            f"{expected.get(column, first.expected)}; {len(rows)} rows of this column {how} "
            f"(rows {shown})"))
    return out


def read_attendance(
    path: Path | None, roster: pd.DataFrame, sessions: int
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read ``attendance.csv`` (record_id, session, attended 0/1 or yes/no).

    A site without an attendance file is allowed (the report says attendance is missing):
    an empty table and a warning are returned. Rows naming an unknown record_id, a session
    outside 1..``sessions`` or a repeated (record_id, session) are errors, a column failing in
    many rows one grouped error (:func:`group_column_problems`); roster members without any
    attendance row are a warning (they count as attending no session).
    """
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=COLUMNS), [
            InputProblem(
                str(path or "attendance.csv"), None, None, None,
                "an attendance.csv (none found: attendance and completion cannot be derived)",
                WARNING,
            )
        ]
    label = Path(path).name
    frame = normalise_attendance(read_csv_text(path))
    problems = check_rows(frame, "attendance", label)
    if any(p.row == 1 for p in problems):
        return pd.DataFrame(columns=COLUMNS), problems
    known = set(roster["record_id"])
    for index, record_id in frame["record_id"].items():
        if record_id and record_id not in known:
            problems.append(
                InputProblem(label, data_row(index), "record_id", record_id,
                             "a record_id listed in roster.csv")
            )
    range_text = f"a session number from 1 to {sessions} (config sites.<site>.sessions)"
    numeric = pd.to_numeric(frame["session"], errors="coerce")
    for index in frame.index[(numeric < 1) | (numeric > sessions)]:
        problems.append(
            InputProblem(label, data_row(index), "session", frame.at[index, "session"],
                         range_text)
        )
    wrong = [p.value for p in problems if p.column == "session" and p.severity == ERROR]
    dates = bool(wrong) and all(_DATE.match(str(v)) for v in wrong)
    expected = {
        "session": range_text + (
            ", not a date (number the sessions in date order: 1 = the first session)"
            if dates else ""),
        "attended": "1, yes, y or true if the parent attended; 0, no, n or false if not",
    }
    problems = group_column_problems(problems, ["session", "attended"], expected,
                                     {"session": "hold dates"} if dates else None)
    problems += duplicated_rows(
        frame, ["record_id", "session"], label, "each record_id and session"
    )
    # located by roster row, never by record_id: a record_id is the key the leak check guards
    absent = ~roster["record_id"].isin(set(frame["record_id"]))
    if absent.any():
        rows = [data_row(index) for index in roster.index[absent]]
        shown = ", ".join(str(row) for row in rows[:5]) + (" ..." if len(rows) > 5 else "")
        problems.append(
            InputProblem(label, None, "record_id", f"{len(rows)} roster member(s) (roster.csv "
                         f"row {shown})",
                         "attendance rows for every roster member (counted as no sessions)",
                         WARNING)
        )
    clean = frame[COLUMNS].copy()
    for column in ("session", "attended"):  # a refused value ("1.5", "maybe") is missing
        clean[column] = pd.to_numeric(clean[column].where(
            clean[column].str.fullmatch(r"[0-9]+"), None), errors="coerce").astype("Int64")
    return clean, problems
