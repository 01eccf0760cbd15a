"""The site roster: one row per enrolled parent (identifiable; read only from data/raw/).

Besides the schema check of every cell (``workflow/schemas/roster.schema.yaml``), two checks
protect the people the roster describes:

- **Unknown columns.** A column the contract does not know is not redacted from the
  transcripts and not searched by the leak check, so if it holds names (``school``,
  ``staff_names``, ``town``, ``address``, ``nhs_number``, ``mobile`` ...) they would reach every
  output. A column whose *name* looks like an identifier (:data:`IDENTIFIER_COLUMN`) and that is
  neither in the contract nor in the config's ``roster.direct_identifiers`` /
  ``roster.quasi_identifiers`` is an error that names the column and what to do; any other
  unknown column is a warning (it is ignored). Values are never printed.
- **The child's date of birth.** A date that does not exist (``2014-02-30``), lies in the
  future, or lies after the site's ``reference_date`` (the date ages are computed at) is an
  error naming file, row and column, never the value.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import (
    TextEncodingError,
    check_rows,
    duplicated_rows,
    read_csv_text,
)
from parentgroup.problems import ERROR, WARNING, InputProblem, data_row

#: Columns every later stage may rely on; absent optional ones are added empty.
ROSTER_COLUMNS = [
    "record_id", "parent_name", "parent_nicknames", "child_name", "child_nicknames",
    "partner_name", "sibling_names", "other_names", "email", "phone", "postcode", "child_dob",
    "child_gender", "child_diagnosis", "relationship", "group", "consent_quotes", "reason_left",
    "arm",
]
#: Columns the contract knows but no stage reads (a note on where the data came from).
INFORMATIONAL_COLUMNS = frozenset({"data_source"})
#: A column name that looks like it holds an identifier: names of people, staff, schools and
#: places, addresses, contact details, official numbers, dates of birth (matched on the name
#: case-folded with spaces, hyphens and dots read as ``_``).
IDENTIFIER_COLUMN = re.compile(
    r"(?:^|_)(?:names?|first_?names?|fore_?names?|given_?names?|sur_?names?|last_?names?|"
    r"full_?names?|nick_?names?|initials?|siblings?|brothers?|sisters?|partners?|spouse|"
    r"guardians?|staff|teachers?|tutors?|sencos?|key_?workers?|social_?workers?|doctors?|gp|"
    r"clinicians?|therapists?|school|academy|college|nursery|town|city|village|county|"
    r"borough|address(?:es)?|street|road|house|flat|post_?codes?|zip|email|e_?mail|phones?|"
    r"mobile|tel|telephone|contact|nhs(?:_?(?:no|number))?|nino|ni_?(?:no|number)|"
    r"national_?insurance|upn|uln|passport|licence|dob|birth(?:_?date|day)?|date_?of_?birth|"
    r"born)"
    r"(?:_|$)"
)
_YES = {"yes", "y", "true", "1"}


def column_looks_like_identifier(column: str) -> bool:
    """Whether a roster column's name suggests it holds an identifier.

    >>> [column_looks_like_identifier(c) for c in ("school", "Staff Names", "nhs_number",
    ...                                            "mobile", "notes", "ethnicity")]
    [True, True, True, True, False, False]
    """
    key = re.sub(r"[\s.\-]+", "_", str(column).strip().casefold())
    return IDENTIFIER_COLUMN.search(key) is not None


def unknown_column_problems(columns: list[str], config: dict, label: str
                            ) -> list[InputProblem]:
    """An error for each unknown column whose name looks like an identifier, a warning for
    each other unknown column (column names only; values are never read here)."""
    roster_cfg = config.get("roster", {}) or {}
    known = set(ROSTER_COLUMNS) | INFORMATIONAL_COLUMNS
    known |= set(roster_cfg.get("direct_identifiers", []) or [])
    known |= set(roster_cfg.get("quasi_identifiers", []) or [])
    problems = []
    for column in columns:
        if column in known:
            continue
        if column_looks_like_identifier(column):
            problems.append(InputProblem(
                label, 1, column, None,
                "only columns the roster contract knows: this column's name looks like an "
                "identifier that would be neither redacted nor searched. List it under "
                "roster.direct_identifiers in the config (its values are then redacted from "
                "every text and searched by the leak check), or move staff, school and town "
                "names to the site's identifiers.yaml and delete the column", ERROR,
            ))
        else:
            problems.append(InputProblem(
                label, 1, column, None,
                "a column of the roster contract (this one is not used and is ignored; list "
                "it under roster.direct_identifiers if it identifies anyone)", WARNING,
            ))
    return problems


def date_of_birth_problems(frame: pd.DataFrame, label: str, reference_date: str | None,
                           today: dt.date | None = None) -> list[InputProblem]:
    """An error (value hidden) for each ``child_dob`` that is not a real date, is in the
    future, or is after ``reference_date``. Cells failing the schema's YYYY-MM-DD pattern are
    reported by the schema check and skipped here.

    >>> frame = pd.DataFrame({"child_dob": ["2014-02-03", "2014-02-30", "2030-01-01", ""]})
    >>> [(p.row, p.expected[:24]) for p in date_of_birth_problems(
    ...     frame, "roster.csv", "2025-07-01", today=dt.date(2026, 1, 1))]
    [(3, 'a date that exists (YYYY'), (4, 'a date of birth in the p')]
    """
    if "child_dob" not in frame.columns:
        return []
    today = today or dt.date.today()
    reference = None
    if reference_date:
        try:
            reference = dt.date.fromisoformat(str(reference_date))
        except ValueError:
            reference = None  # the config schema reports a malformed reference_date
    problems = []
    for index, value in frame["child_dob"].items():
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            continue
        try:
            born = dt.date.fromisoformat(text)
        except ValueError:
            problems.append(InputProblem(label, data_row(index), "child_dob", value,
                                         "a date that exists (YYYY-MM-DD)", ERROR,
                                         sensitive=True))
            continue
        if born > today:
            problems.append(InputProblem(label, data_row(index), "child_dob", value,
                                         "a date of birth in the past, not in the future",
                                         ERROR, sensitive=True))
        elif reference is not None and born > reference:
            problems.append(InputProblem(
                label, data_row(index), "child_dob", value,
                "a date of birth on or before the site's reference_date (ages are computed at "
                f"{reference.isoformat()}); check the date or the site's reference_date", ERROR,
                sensitive=True))
    return problems


def arm_problems(frame: pd.DataFrame, label: str) -> list[InputProblem]:
    """In a controlled site (any parent has an ``arm``) every parent needs one: an error per
    empty cell (the schema checks the values: intervention or comparison).

    >>> [(p.row, p.column) for p in arm_problems(
    ...     pd.DataFrame({"arm": ["intervention", "", "comparison"]}), "roster.csv")]
    [(3, 'arm')]
    """
    if "arm" not in frame.columns:
        return []
    arms = frame["arm"].fillna("").astype(str).str.strip()
    if not (arms != "").any():
        return []
    return [InputProblem(label, data_row(i), "arm", "", "intervention or comparison: in a "
                         "controlled site every parent has an arm")
            for i in arms.index[arms == ""]]


def read_roster(path: Path, config: dict, reference_date: str | None = None
                ) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read ``roster.csv``; returns the roster (all text, consent normalised to yes/no).

    Problems: missing file or required column, a cell failing the roster schema, a repeated
    record_id, an unknown column (error when its name looks like an identifier, else a
    warning), a child date of birth that does not exist, is in the future or is after
    ``reference_date``, a configured identifier column that the roster lacks (warning), names
    in ``other_names`` while the config's ``roster.direct_identifiers`` does not list it (the
    leak check would not search them; warning).
    """
    label = Path(path).name
    if not Path(path).exists():
        return pd.DataFrame(columns=ROSTER_COLUMNS), [
            InputProblem(str(path), None, None, None, "a roster.csv with one row per parent")
        ]
    try:
        frame = read_csv_text(path)
    except TextEncodingError as error:  # never a silent mojibake of every name in the file
        where = "" if error.line is None else f"line {error.line}: "
        return pd.DataFrame(columns=ROSTER_COLUMNS), [
            InputProblem(label, None, None, None, f"{error.expected} (found {where}{error.found})")
        ]
    problems = check_rows(frame, "roster", label)
    if any(p.row == 1 for p in problems):
        return pd.DataFrame(columns=ROSTER_COLUMNS), problems
    problems += unknown_column_problems(list(frame.columns), config, label)
    problems += duplicated_rows(frame, ["record_id"], label, "each record_id")
    problems += date_of_birth_problems(frame, label, reference_date)
    configured = config.get("roster", {}).get("direct_identifiers", []) + config.get(
        "roster", {}
    ).get("quasi_identifiers", [])
    for column in configured:
        # other_names is new and optional: a roster from before it has no such column
        if column not in frame.columns and column != "other_names":
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
    direct = config.get("roster", {}).get("direct_identifiers", [])
    if "other_names" not in direct and frame["other_names"].fillna("").str.strip().ne("").any():
        problems.append(InputProblem(
            label, 1, "other_names", None,
            "other_names listed under roster.direct_identifiers in the config: its names are "
            "redacted but the leak check searches only the columns listed there", WARNING))
    problems += arm_problems(frame, label)
    frame["consent_quotes"] = frame["consent_quotes"].str.casefold().map(
        lambda v: "yes" if v in _YES else "no"
    )
    if frame.empty:
        problems.append(InputProblem(label, None, None, None, "at least one parent", ERROR))
    return frame.reset_index(drop=True), problems
