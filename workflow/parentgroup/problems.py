"""Problems with input data, reported the same way by every stage.

A problem names the file, the row (as a spreadsheet user counts it: the header is row 1, the
first data row is row 2), the column, the offending value and what was expected. Values from
identifier columns are never echoed: a log is a shared output and must pass the leak check, so
such values are shown as ``<hidden: column>``.

Stages collect problems into a list and raise :class:`InputError` once, so a user sees every
problem in every file at once rather than one per run.

Every error a user can act on (bad input, a config mistake, a leak, a linkage-key problem, a
report that could not be built) is a :class:`UserFacingError`: its message is the whole story,
so the rule scripts print it without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

#: Columns whose values are never printed in a message (the defaults of config roster
#: direct_identifiers, plus the usual match columns).
SENSITIVE_COLUMNS = frozenset(
    {
        "parent_name",
        "parent_nicknames",
        "child_name",
        "child_nicknames",
        "partner_name",
        "sibling_names",
        "other_names",
        "email",
        "phone",
        "postcode",
        "child_dob",
        "name",
        "staff_names",
    }
)


@dataclass(frozen=True)
class InputProblem:
    """One problem in one cell (or row, or file) of an input."""

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str
    severity: str = ERROR
    sensitive: bool = False

    def shown_value(self) -> str:
        if self.value is None:
            return ""
        if self.sensitive or (self.column in SENSITIVE_COLUMNS):
            return f"<hidden: {self.column}>"
        text = str(self.value)
        if len(text) > 60:
            text = text[:57] + "..."
        return repr(text)

    def format(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = self.shown_value()
        got = f": value {value}" if value else ""
        return f"{self.severity.upper()}: {', '.join(where)}{got}; expected {self.expected}"

    def as_record(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": "" if self.row is None else self.row,
            "column": self.column or "",
            "value": self.shown_value(),
            "expected": self.expected,
        }


class UserFacingError(Exception):
    """An error whose message says what is wrong, where, and what is expected; printed to the
    user without a traceback. The one base of every error a stage raises about its input."""


class InputError(UserFacingError):
    """Raised once with every fatal problem found; ``str()`` lists them one per line."""

    def __init__(self, problems: Iterable[InputProblem], context: str = "input data"):
        self.problems = list(problems)
        self.context = context
        errors = [p for p in self.problems if p.severity == ERROR]
        header = f"{len(errors)} problem(s) in the {context}; nothing was written:"
        super().__init__("\n".join([header, *("  " + p.format() for p in self.problems)]))


def raise_if_errors(problems: Iterable[InputProblem], context: str = "input data") -> None:
    """Raise :class:`InputError` when any problem is an error (warnings alone pass)."""
    problems = list(problems)
    if any(p.severity == ERROR for p in problems):
        raise InputError(problems, context)


def data_row(index: int) -> int:
    """Spreadsheet row number of the 0-based data-frame row ``index`` (header is row 1)."""
    return int(index) + 2


def nearest(given: object, known: Iterable[str]) -> str | None:
    """The known value closest to a misspelt ``given`` (difflib ratio >= 0.6), for a message's
    "did you mean ...?", or None.

    >>> nearest("titel", ["items", "title"]), nearest("zzz", ["title"])
    ('title', None)
    """
    import difflib

    close = difflib.get_close_matches(str(given), list(known), n=1, cutoff=0.6)
    return close[0] if close else None
