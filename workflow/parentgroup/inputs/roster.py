"""The site roster: one row per enrolled parent (identifiable; read only from data/raw/)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import check_rows, duplicated_rows, read_csv_text
from parentgroup.problems import ERROR, WARNING, InputProblem

#: Columns every later stage may rely on; absent optional ones are added empty.
ROSTER_COLUMNS = [
    "record_id", "parent_name", "parent_nicknames", "child_name", "child_nicknames",
    "partner_name", "sibling_names", "email", "phone", "postcode", "child_dob",
    "child_gender", "child_diagnosis", "relationship", "group", "consent_quotes", "reason_left",
]
_YES = {"yes", "y", "true", "1"}


def read_roster(path: Path, config: dict) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read ``roster.csv``; returns the roster (all text, consent normalised to yes/no).

    Problems: missing file or required column, a cell failing the roster schema, a repeated
    record_id, a configured identifier column that the roster lacks (warning).
    """
    label = Path(path).name
    if not Path(path).exists():
        return pd.DataFrame(columns=ROSTER_COLUMNS), [
            InputProblem(str(path), None, None, None, "a roster.csv with one row per parent")
        ]
    frame = read_csv_text(path)
    problems = check_rows(frame, "roster", label)
    if any(p.row == 1 for p in problems):
        return pd.DataFrame(columns=ROSTER_COLUMNS), problems
    problems += duplicated_rows(frame, ["record_id"], label, "each record_id")
    configured = config.get("roster", {}).get("direct_identifiers", []) + config.get(
        "roster", {}
    ).get("quasi_identifiers", [])
    for column in configured:
        if column not in frame.columns:
            problems.append(
                InputProblem(
                    label, 1, column, None,
                    f"the column {column!r} named in config roster settings (treated as empty)",
                    WARNING,
                )
            )
    for column in ROSTER_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame["consent_quotes"] = frame["consent_quotes"].str.casefold().map(
        lambda v: "yes" if v in _YES else "no"
    )
    if frame.empty:
        problems.append(InputProblem(label, None, None, None, "at least one parent", ERROR))
    return frame.reset_index(drop=True), problems
