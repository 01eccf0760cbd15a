"""Goal-based outcomes (goals.csv): up to three goals per parent, rated 0-10 over time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import check_rows, duplicated_rows, read_csv_text
from parentgroup.problems import WARNING, InputProblem, data_row

COLUMNS = ["record_id", "goal", "goal_text", "time", "session", "rating", "category"]


def read_goals(
    path: Path | None, roster: pd.DataFrame, sessions: int, categories: list[str]
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read the optional ``goals.csv`` (record_id, goal 1-3, goal_text, time baseline / review /
    session, session, rating 0-10, optional category).

    No file: an empty table and no problem (goals are optional). Errors, each located by file,
    row and column: a cell against workflow/schemas/goals.schema.yaml, a record_id not on the
    roster, a session rating without a session number from 1 to ``sessions``, a category not in
    ``categories`` (config journey.goal_categories), a goal rated twice at the same time, a
    goal whose text is on none of its rows. A goal rated at review without a baseline rating
    is a warning (its change cannot be computed).

    >>> roster = pd.DataFrame({"record_id": ["P01"]})
    >>> read_goals(None, roster, 10, [])[0].columns.tolist()[:3]
    ['record_id', 'goal', 'goal_text']
    """
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=COLUMNS), []
    label = Path(path).name
    frame = read_csv_text(path)
    problems = check_rows(frame, "goals", label)
    if any(p.row == 1 for p in problems):
        return pd.DataFrame(columns=COLUMNS), problems
    for column in ("goal_text", "session", "category"):
        if column not in frame.columns:
            frame[column] = ""
    known = set(roster["record_id"])
    for index, row in frame.iterrows():
        if row["record_id"] and row["record_id"] not in known:
            problems.append(InputProblem(label, data_row(index), "record_id", row["record_id"],
                                         "a record_id listed in roster.csv"))
        if row["time"] == "session":
            number = pd.to_numeric(row["session"], errors="coerce")
            if pd.isna(number) or not 1 <= number <= sessions:
                problems.append(InputProblem(
                    label, data_row(index), "session", row["session"],
                    f"a session number from 1 to {sessions} for a rating at time session"))
        if row["category"] and row["category"] not in categories:
            problems.append(InputProblem(
                label, data_row(index), "category", row["category"],
                "empty or one of the goal category ids of config journey.goal_categories ("
                + (", ".join(categories) or "none configured") + ")"))
    problems += duplicated_rows(frame, ["record_id", "goal", "time", "session"], label,
                                "each record_id, goal, time and session")
    for _, group in frame.groupby(["record_id", "goal"], sort=True):
        if not group["goal_text"].str.len().gt(0).any():
            problems.append(InputProblem(label, data_row(group.index[0]), "goal_text", None,
                                         "the goal's text on at least one of its rows"))
        times = set(group["time"])
        if "review" in times and "baseline" not in times:
            problems.append(InputProblem(
                label, data_row(group.index[0]), "time", None,
                "a baseline rating for every goal rated at review (its change is left empty)",
                WARNING))
    clean = frame[COLUMNS].copy()
    clean["goal"] = pd.to_numeric(clean["goal"], errors="coerce").astype("Int64")
    clean["rating"] = pd.to_numeric(clean["rating"], errors="coerce").astype("Int64")
    clean["session"] = pd.to_numeric(clean["session"], errors="coerce").astype("Int64")
    return clean, problems
