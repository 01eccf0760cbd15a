"""Reading and writing the tables of docs/data-contracts.md, the one way every stage does it.

Every table a stage writes is tidy CSV, UTF-8, ``\\n`` line ends, no index, numbers unrounded
(:func:`write_table`). Reading (:func:`read_table`) gives ``pseudonym`` as text (``"007"``
stays ``"007"``); a *text* table (:data:`TEXT_TABLES`: excerpts, quotes, themes, exclusions,
participants) is read as strings with ``""`` for an empty cell, so that an empty excerpt is not
a missing number; an empty file (a site without that data) reads as an empty frame.
:func:`as_bool` reads the booleans of these tables the same way everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: The tables of ``data/processed/<site>/`` and ``results/<site>/`` (file -> contract section).
PROCESSED_TABLES = {
    "participants": "participants.csv",
    "attendance": "attendance.csv",
    "questionnaire_items": "questionnaire_items.csv",
    "input_exclusions": "input_exclusions.csv",
    "coded_excerpts": "coded_excerpts.csv",
    "anonymisation_summary": "anonymisation_summary.csv",
    "disclosure_control": "disclosure_control.csv",
}
RESULT_TABLES = {
    "participant_flow": "participant_flow.csv",
    "scores": "scores.csv",
    "codebook": "codebook.csv",
    "reliability": "reliability.csv",
    "item_total": "item_total.csv",
    "paired_tests": "paired_tests.csv",
    "reliable_change": "reliable_change.csv",
    "reliable_change_summary": "reliable_change_summary.csv",
    "dose_response": "dose_response.csv",
    "sensitivity": "sensitivity.csv",
    "response_shift": "response_shift.csv",
    "engagement": "engagement.csv",
    "power": "power.csv",
    "controlled": "controlled.csv",
    "paired_tests_by_arm": "paired_tests_by_arm.csv",
    "reliable_change_by_arm": "reliable_change_by_arm.csv",
    "attendance_by_arm": "attendance_by_arm.csv",
    "themes": "themes.csv",
    "theme_presence": "theme_presence.csv",
    "quotes": "quotes.csv",
    "joint_display_outcomes": "joint_display_outcomes.csv",
    "joint_display_cases": "joint_display_cases.csv",
    "joint_display_links": "joint_display_links.csv",
    "discordant_cases": "discordant_cases.csv",
    "figures": "figures/figures.csv",
}
#: Tables whose cells are text: read as strings, an empty cell is "" (not NaN).
TEXT_TABLES = frozenset(
    {"input_exclusions", "coded_excerpts", "themes", "quotes", "participants"}
)

_TRUE = frozenset({"true", "1", "1.0", "yes", "y"})
_FALSE = frozenset({"false", "0", "0.0", "no", "n"})
#: The spellings of a boolean in an input file (case-insensitive): :func:`as_bool` reads
#: these as True or False; any other value is no boolean (an input reader's error).
BOOLEAN_SPELLINGS = _TRUE | _FALSE


def as_bool(values: pd.Series) -> pd.Series:
    """True/False from booleans or their usual CSV spellings (True, true, 1, yes, y); anything
    else (False, 0, no, "", NaN) is False.

    >>> as_bool(pd.Series(["True", "false", "1", "yes", "", None])).tolist()
    [True, False, True, True, False, False]
    """
    if values.dtype == bool:
        return values
    return values.astype(str).str.strip().str.casefold().isin(_TRUE)


def is_true(value) -> bool:
    """One value read as :func:`as_bool` reads a column: ``is_true("yes") is True``.

    >>> is_true("TRUE"), is_true(0), is_true(None)
    (True, False, False)
    """
    return str(value).strip().casefold() in _TRUE


def read_table(path: Path | str, *, text: bool = False) -> pd.DataFrame:
    """A contract table; ``text`` reads every cell as a string ("" when empty).

    An empty file (a stage that had nothing to write for a site) reads as an empty frame.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        return pd.DataFrame()
    if text:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype={"pseudonym": str})


def read_named(path: Path | str, name: str) -> pd.DataFrame:
    """The contract table ``name`` (a key of :data:`PROCESSED_TABLES` or
    :data:`RESULT_TABLES`) at ``path``, read as its kind is read."""
    return read_table(path, text=name in TEXT_TABLES)


def write_table(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a contract table: tidy CSV, UTF-8, ``\\n`` line ends, no index, unrounded."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
