"""Session attendance: one row per parent and session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import check_rows, duplicated_rows, read_csv_text
from parentgroup.problems import WARNING, InputProblem, data_row

COLUMNS = ["record_id", "session", "attended"]


def read_attendance(
    path: Path | None, roster: pd.DataFrame, sessions: int
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read ``attendance.csv`` (record_id, session, attended 0/1).

    A site without an attendance file is allowed (the report says attendance is missing):
    an empty table and a warning are returned. Rows naming an unknown record_id, a session
    outside 1..``sessions`` or a repeated (record_id, session) are errors; roster members
    without any attendance row are a warning (they count as attending no session).
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
    frame = read_csv_text(path)
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
    numeric = pd.to_numeric(frame["session"], errors="coerce")
    for index in frame.index[(numeric < 1) | (numeric > sessions)]:
        problems.append(
            InputProblem(label, data_row(index), "session", frame.at[index, "session"],
                         f"a session number from 1 to {sessions} (config sites.<site>.sessions)")
        )
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
    clean["session"] = pd.to_numeric(clean["session"], errors="coerce").astype("Int64")
    clean["attended"] = pd.to_numeric(clean["attended"], errors="coerce").astype("Int64")
    return clean, problems
