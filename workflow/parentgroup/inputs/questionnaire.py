"""The questionnaire file, as researchers really have it: CSV, Excel, SPSS or a Qualtrics export.

One reader turns any of these into the same long table of answers (``record_id, instrument,
item, time, value``), a table of recorded exclusions and a list of problems:

* **CSV** in UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8") or Windows-1252 (Excel's
  plain "CSV" on Windows): decoded as UTF-8 first, else as Windows-1252; the log says which.
  Separated by commas, or by semicolons or TABs when the header line is (Excel where the
  decimal separator is a comma writes ``;``); the log says so.
* **XLSX** (first sheet; openpyxl through pandas).
* **SPSS .sav** (pyreadstat): numeric answers stored as labelled codes are read through their
  value labels when the labels are the instrument's anchor texts (compared without case,
  spacing or punctuation), so a survey tool's reversed (1 = "Strongly agree") or 0-based codes
  are read right and the log says per instrument how many variables were recoded and how;
  labels that are not the anchors are an error naming the variables, their labels and the
  anchors; numeric-only or absent labels leave the codes as they are. Answers stored as text
  labels ("Strongly agree") are mapped through the anchors. User-defined missing values are
  read as missing (their labels are ignored).
* **Qualtrics CSV export**: the two rows under the header (question text, ``{"ImportId": ...}``)
  are skipped and counted in row numbers; Qualtrics' own columns (``ResponseId``, ``Finished``,
  ...) are ignored.

Item columns follow ``site_cfg["questionnaire"]["item_pattern"]`` (default
``{instrument}_{item:02d}_{time}``, matched case-insensitively); the expected times come from the
site's design. Respondents are matched to the roster on ``record_id``, ``email`` or ``name``
(roster ``parent_name``), compared after trimming and case-folding.

An optional ``informant`` column names who completed each row's forms (``parent``, ``teacher``
or ``observer``; :data:`~parentgroup.instruments.INFORMANTS`). Then one file may hold, for the
same respondent (the parent's roster ``record_id``, which also keys the child), a parent's row
and a teacher's row: each row gives the answers to the instruments whose file declares that
informant (``informant:``, default parent), a respondent may appear once per informant, and a
form without its informant's row is unanswered. Without the column every row answers every
instrument (one instrument file per informant's form, e.g. ``sdq_parent`` and ``sdq_teacher``
columns side by side). An unknown informant, an informant who completes none of the configured
instruments, or an answer in a row to another informant's form is an error.

Bad input never becomes a silently shorter table: an answer outside the response range or not a
number is an error (unless it is one of the instrument's ``missing_codes``, which means missing,
or an anchor label), and answers running one below the scale (0..6 for 1..7) are one error
saying the file looks 0-based; a respondent appearing twice is an error naming both rows; item
columns absent from the file are one error listing them; a row that matches nobody on the roster
is a recorded exclusion plus a warning; a roster member without a questionnaire is a recorded
exclusion. Values of the match column are never echoed when it holds emails or names.
"""

from __future__ import annotations

import csv
import logging
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd

from parentgroup.config import design_times
from parentgroup.inputs.csv_files import (
    DELIMITERS,
    CsvFormatError,
    TextEncodingError,
    read_csv_frame,
)
from parentgroup.instruments import INFORMANTS, Instrument
from parentgroup.problems import ERROR, WARNING, InputProblem

log = logging.getLogger(__name__)

ITEM_COLUMNS = ["record_id", "instrument", "item", "time", "value"]
EXCLUSION_COLUMNS = ["stage", "file", "row", "column", "reason", "record_id"]
STAGE = "questionnaire"
NO_MATCH = "questionnaire row matches nobody on the roster"
NO_QUESTIONNAIRE = "no questionnaire"
DEFAULT_PATTERN = "{instrument}_{item:02d}_{time}"
FORMATS = ("auto", "csv", "xlsx", "sav", "qualtrics")
#: Questionnaire columns that may hold the match value, per ``match_on`` (case-insensitive).
MATCH_COLUMNS = {
    "record_id": ["record_id"],
    "email": ["email", "RecipientEmail", "email_address"],
    "name": ["parent_name", "name"],
}
ROSTER_MATCH_COLUMN = {"record_id": "record_id", "email": "email", "name": "parent_name"}
#: Optional column naming who completed a row's forms (one of ``instruments.INFORMANTS``).
INFORMANT_COLUMN = "informant"
_IMPORT_ID = '{"importid"'


# --------------------------------------------------------------------------------------------
# Reading the file into text cells


def decode_csv_bytes(raw: bytes, label: str) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), falling back to Windows-1252.

    Returns ``(text, encoding)`` with ``encoding`` one of ``utf-8``, ``utf-8-sig``, ``cp1252``.
    """
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
    log.info("%s decoded as %s", label, encoding)
    return text, encoding


def _cell_text(value: object) -> str:
    """A cell as stripped text; whole-number floats (Excel, SPSS) without the ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (np.floating,)):
        return _cell_text(float(value))
    if value is pd.NaT:
        return ""
    return str(value).strip()


def _column_text(column: pd.Series) -> pd.Series:
    # a column of strings only (every CSV column) is stripped in one vectorised step
    if pd.api.types.infer_dtype(column, skipna=False) == "string":
        return column.str.strip()
    return column.map(_cell_text)


def _as_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(_column_text).reset_index(drop=True)


def _csv_frame(path: Path, nrows: int | None = None) -> pd.DataFrame:
    text, _ = decode_csv_bytes(Path(path).read_bytes(), Path(path).name)
    frame = read_csv_frame(text, Path(path).name, skip_blank_lines=False, nrows=nrows)
    return _as_text_frame(frame)


def _is_qualtrics(frame: pd.DataFrame) -> bool:
    if len(frame) < 2:
        return False
    return any(str(v).strip().casefold().startswith(_IMPORT_ID) for v in frame.iloc[1])


def detect_format(path: Path, configured: str = "auto") -> str:
    """The questionnaire format: the configured one, or from the extension and header rows."""
    if configured != "auto":
        return configured
    suffix = Path(path).suffix.casefold()
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix in {".sav", ".zsav"}:
        return "sav"
    return "qualtrics" if _is_qualtrics(_csv_frame(path, nrows=3)) else "csv"


def read_questionnaire_cells(
    path: Path, fmt: str, instruments: dict[str, Instrument]
) -> tuple[pd.DataFrame, int, dict[str, dict[str, str]]]:
    """The file as a frame of text cells, the spreadsheet row of its first data row and the
    value labels of an SPSS file (``{column: {code as text: label}}``, without the labels of
    values declared user-missing; empty for other formats).

    SPSS text answers are mapped to numbers later through the anchors like any other text;
    labelled codes through :func:`apply_value_labels`.
    """
    path = Path(path)
    if fmt == "xlsx":
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        return _as_text_frame(frame), 2, {}
    if fmt == "sav":
        import pyreadstat

        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
        # user-missing values are read as missing; their declaration needs a second look
        _, declared = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
        value_labels = {
            str(column).strip(): {
                _cell_text(value): str(text) for value, text in labels.items()
                if not _user_missing(value, declared, column)
            }
            for column, labels in meta.variable_value_labels.items()
        }
        log.info("%s: SPSS file, %d variables with value labels", path.name,
                 sum(1 for labels in value_labels.values() if labels))
        return _as_text_frame(frame), 2, value_labels
    frame = _csv_frame(path)
    if fmt == "qualtrics":
        skip = 2 if _is_qualtrics(frame) else 1
        log.info("%s: Qualtrics export, %d header row(s) under the column names skipped",
                 path.name, skip)
        return frame.iloc[skip:].reset_index(drop=True), 2 + skip, {}
    return frame, 2, {}


def _user_missing(value: object, meta, column: str) -> bool:
    """Is ``value`` declared user-missing for ``column`` in the SPSS file (its label, e.g.
    "No answer", is then no answer label)?"""
    for span in (getattr(meta, "missing_ranges", None) or {}).get(column, []):
        try:
            if span["lo"] <= value <= span["hi"]:
                return True
        except TypeError:
            if value in (span["lo"], span["hi"]):
                return True
    return value in ((getattr(meta, "missing_user_values", None) or {}).get(column, []))


#: How many rows from the top are searched for a header row that is not row 1.
HEADER_SEARCH_ROWS = 30


def _top_rows(path: Path, fmt: str) -> list[list[list[str]]]:
    """The first :data:`HEADER_SEARCH_ROWS` rows of a CSV or Excel file as text cells, with no
    row taken as the header: per row, its cells as each possible delimiter splits them (one
    way for Excel)."""
    if fmt == "xlsx":
        frame = pd.read_excel(path, sheet_name=0, header=None, nrows=HEADER_SEARCH_ROWS,
                              dtype=object, engine="openpyxl")
        return [[[_cell_text(v) for v in row]] for row in frame.itertuples(index=False)]
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    return [[next(csv.reader([line], delimiter=d), []) for d in DELIMITERS] for line in lines]


def header_row_elsewhere(path: Path, fmt: str, names: set[str]) -> tuple[int, int] | None:
    """``(spreadsheet row, how many of names)`` of a row below row 1 that holds more of the
    expected column ``names`` (case-folded) than row 1 does, at least two: the real header
    under title rows (an Excel export's title, a blank row); None when there is none."""
    if fmt not in {"csv", "qualtrics", "xlsx"}:
        return None
    try:
        rows = _top_rows(path, fmt)
    except Exception:  # unreadable here too: the reader's own error says so
        return None
    hits = [max((sum(c.strip().casefold() in names for c in cells) for cells in ways),
                default=0) for ways in rows]
    if len(hits) < 2:
        return None
    best = max(range(len(hits)), key=lambda i: (hits[i], -i))
    if best == 0 or hits[best] < 2 or hits[best] <= hits[0]:
        return None
    return best + 1, hits[best]


def _header_problem(label: str, found: tuple[int, int], sample: list[str]) -> InputProblem:
    row, n = found
    return InputProblem(
        label, 1, None, None,
        f"the header row (the column names: {', '.join(sample)}, ...) in row 1; it was not "
        f"found there, but row {row} holds {n} of the expected column names, under "
        f"{row - 1} row(s) of titles or notes: delete the rows above it so that the column "
        "names are row 1")


# --------------------------------------------------------------------------------------------
# Item columns


def item_column_regex(pattern: str, instruments: list[str], times: list[str]) -> re.Pattern:
    """Compile an item pattern such as ``{instrument}_{item:02d}_{time}`` to a regex with the
    groups ``instrument``, ``item`` and ``time`` (case-insensitive, whole column name)."""
    parts = []
    seen = set()
    for literal, field_name, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if field_name is None:
            continue
        if field_name in seen:
            raise ValueError(f"item_pattern {pattern!r} names {{{field_name}}} twice")
        seen.add(field_name)
        if field_name == "instrument":
            options = sorted(instruments, key=len, reverse=True)
            parts.append("(?P<instrument>" + "|".join(map(re.escape, options)) + ")")
        elif field_name == "item":
            parts.append(r"(?P<item>\d+)")
        elif field_name == "time":
            options = sorted(times, key=len, reverse=True)
            parts.append("(?P<time>" + "|".join(map(re.escape, options)) + ")")
        else:
            raise ValueError(
                f"item_pattern {pattern!r} has an unknown field {{{field_name}}}; expected "
                "{instrument}, {item} and {time}"
            )
    if seen != {"instrument", "item", "time"}:
        raise ValueError(
            f"item_pattern {pattern!r} must contain {{instrument}}, {{item}} and {{time}}"
        )
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


def expected_item_columns(
    pattern: str, instruments: dict[str, Instrument], times: list[str]
) -> list[tuple[str, int, str, str]]:
    """``(instrument, item, time, column name)`` for every answer the design expects."""
    return [
        (name, item, time, pattern.format(instrument=name, item=item, time=time))
        for name, instrument in instruments.items()
        for time in times
        for item in instrument.item_numbers
    ]


# --------------------------------------------------------------------------------------------
# Answers


def _normalise_key(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.replace(r"\s+", " ", regex=True).str.casefold()


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_PUNCTUATION = re.compile(r"[^\w\s]+")


def normalise_label(text: object) -> str:
    """An anchor or answer label as compared: case folded, punctuation read as space, runs of
    whitespace squeezed; a number stays as written.

    >>> normalise_label("  STRONGLY-agree. "), normalise_label("Neither agree, nor disagree")
    ('strongly agree', 'neither agree nor disagree')
    >>> normalise_label(" -3 ")
    '-3'
    """
    text = str(text).strip()
    if _NUMBER.fullmatch(text):
        return text
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def presented_scale(instrument: Instrument, item: int) -> tuple[int, int, dict[str, int]]:
    """``(min, max, {normalised anchor label: presented value})`` of one item: the
    instrument's response scale, or the item's own (``item_responses``); labels normalised by
    :func:`normalise_label`."""
    group = instrument.item_response(int(item))
    if group is None:
        labels = {normalise_label(label): instrument.presented_value(value)
                  for value, label in instrument.labels.items()}
        return instrument.presented_min, instrument.presented_max, labels
    return group.min, group.max, {normalise_label(label): value
                                  for value, label in group.labels.items()}


def _anchor_list(instrument: Instrument, item: int) -> str:
    group = instrument.item_response(int(item))
    if group is None:
        pairs = [(instrument.presented_value(v), t) for v, t in instrument.labels.items()]
    else:
        pairs = list(group.labels.items())
    return ", ".join(f"{value} = {text!r}" for value, text in sorted(pairs))


def parse_answers(
    cells: pd.Series, instrument: Instrument, items: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised reading of one instrument's answer cells (``items``: their item numbers, for
    an instrument with items on their own response scale).

    Returns ``(value, bad)``: ``value`` is the presented number (NaN when missing or bad), ``bad``
    marks cells that are neither a whole number in the item's presented range, an anchor label,
    nor a missing code.
    """
    text = cells.astype(str).str.strip()
    folded = text.str.casefold()
    missing = folded.isin({c.strip().casefold() for c in instrument.missing_codes})
    number = pd.to_numeric(text, errors="coerce")
    whole = number.notna() & (number == np.floor(number))
    low, high, labels = presented_scale(instrument, 0)
    in_range = whole & number.between(low, high)
    # text answers ("Strongly agree"): only the cells that are no number in range nor missing
    words = pd.Series("", index=text.index)
    maybe = ~missing & ~in_range
    words[maybe] = text[maybe].map(normalise_label)
    labelled = words.map(labels)
    if items is not None and instrument.item_responses:
        for group in instrument.item_responses:
            mine = items.isin(group.items).to_numpy()
            g_low, g_high, g_labels = presented_scale(instrument, group.items[0])
            in_range = in_range.where(~mine, whole & number.between(g_low, g_high))
            wordy = mine & ~missing & ~in_range & words.eq("")
            words[wordy] = text[wordy].map(normalise_label)
            labelled = labelled.where(~mine, words.map(g_labels))
    value = number.where(in_range & ~missing)
    value = value.fillna(labelled.where(~missing & ~in_range).astype(float))
    bad = ~missing & value.isna()
    return value.astype(float), bad


# --------------------------------------------------------------------------------------------
# SPSS value labels


def value_label_codes(
    labels: dict[str, str], instrument: Instrument, item: int
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The presented value of each labelled code whose label is an anchor of the item
    (compared by :func:`normalise_label`), and the ``(code, label)`` pairs whose label is none.

    Labels of missing codes (``-99``: "No answer") and labels that are only a number
    (``1``: "1") are neither: they say nothing about the direction of the codes.
    """
    anchors = presented_scale(instrument, item)[2]
    missing = {c.strip().casefold() for c in instrument.missing_codes}
    codes, strangers = {}, []
    for code, text in labels.items():
        text = str(text).strip()
        if code.casefold() in missing or not text or _NUMBER.fullmatch(text):
            continue
        value = anchors.get(normalise_label(text))
        if value is None:
            strangers.append((code, text))
        else:
            codes[code] = value
    return codes, strangers


def _label_recode(codes: dict[str, int], low: int, high: int
                  ) -> tuple[dict[str, str] | None, str]:
    """``({code: presented value as text}, description)`` from the labelled codes: the whole
    line ``value = sign * code + shift`` when the labels lie on one (reversed, 0-based or
    shifted codings), else the labelled codes only; ``(None, why)`` when one label cannot tell
    the direction. An empty mapping means the codes are the values already."""
    try:
        pairs = sorted((float(code), value) for code, value in codes.items())
    except ValueError:  # text codes of a string variable: the labels alone
        return {code: str(value) for code, value in codes.items()}, "through each label"
    if all(code == value for code, value in pairs):
        return {}, "codes kept: their labels are the anchors in the same order"
    if len(pairs) == 1:
        return None, ("only one code has an anchor label, which does not tell which way the "
                      "codes run")
    (c0, v0), (c1, v1) = pairs[0], pairs[-1]
    sign = (v1 - v0) / (c1 - c0)
    shift = v0 - sign * c0
    if sign in (1.0, -1.0) and shift.is_integer() and all(
            value == sign * code + shift for code, value in pairs):
        shift = int(shift)
        mapping = {}
        for value in range(low, high + 1):
            code = (value - shift) * sign
            mapping[_cell_text(float(code))] = str(value)
        if sign < 0:
            description = f"read as {shift} - code"
        else:
            description = f"read as code {'+' if shift > 0 else '-'} {abs(shift)}"
        return mapping, description
    return ({_cell_text(code): str(value) for code, value in pairs},
            "through each label: " + ", ".join(f"{_cell_text(c)} -> {v}" for c, v in pairs))


def apply_value_labels(
    cells: pd.DataFrame, value_labels: dict[str, dict[str, str]],
    expected: list[tuple[str, int, str, str]], by_fold: dict[str, str],
    instruments: dict[str, Instrument], label: str, first_row: int,
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read labelled SPSS codes through their value labels.

    Survey tools export the codes in their own order (1 = "Strongly agree" ... 7 = "Strongly
    disagree", or 0..6): where an item column's value labels are the instrument's anchor texts,
    each code becomes the value of its label (:func:`value_label_codes`), and the log says per
    instrument how many variables were recoded and how (no answers are logged). Labels that
    are not the anchors are one error per set of labels, naming the variables, the labels and
    the anchors expected; numeric-only or absent labels leave the codes as they are. A code
    outside the labelled scale is an error naming its cell.
    """
    problems: list[InputProblem] = []
    cells = cells.copy()
    recoded: dict[tuple[str, str], list[str]] = {}
    refused: dict[tuple[str, str, str], list[str]] = {}
    for name, item, _time, col in expected:
        column = by_fold[col.casefold()]
        labels = value_labels.get(column)
        if not labels:
            continue
        instrument = instruments[name]
        codes, strangers = value_label_codes(labels, instrument, item)
        shown = ", ".join(f"{code} = {text!r}" for code, text in labels.items())
        if strangers:
            why = (f"{', '.join(repr(t) for _, t in strangers[:3])} "
                   f"{'is no anchor' if len(strangers) == 1 else 'are no anchors'}")
            refused.setdefault((name, shown, why, _anchor_list(instrument, item)), []).append(
                column)
            continue
        if not codes:
            continue
        low, high, _ = presented_scale(instrument, item)
        mapping, description = _label_recode(codes, low, high)
        if mapping is None:
            refused.setdefault((name, shown, description, _anchor_list(instrument, item)),
                               []).append(column)
            continue
        recoded.setdefault((name, description), []).append(column)
        if not mapping:
            continue
        text = cells[column]
        missing = text.eq("") | text.str.casefold().isin(
            {c.strip().casefold() for c in instrument.missing_codes})
        numeric = pd.to_numeric(text, errors="coerce").notna()
        new = text.map(mapping)
        stray = ~missing & new.isna() & (numeric | text.isin(list(labels)))
        for index in text.index[stray]:
            problems.append(InputProblem(
                label, int(index) + first_row, column, text[index],
                f"a code whose value label is an anchor of {name} (this variable's labels "
                f"are {shown})"))
        cells[column] = new.where(new.notna(), text.where(~stray, ""))
    for (name, shown, why, anchors), columns in refused.items():
        others = (f" The same labels are on {len(columns)} variables ("
                  f"{', '.join(columns[:6])}{', ...' if len(columns) > 6 else ''})."
                  if len(columns) > 1 else "")
        problems.append(InputProblem(
            label, None, columns[0], None,
            f"value labels that are the anchors of {name} ({anchors}; compared without case, "
            f"spacing or punctuation), or only numbers, or none; this variable's labels are "
            f"{shown} ({why}).{others} Label the codes with the anchor texts, declare the code "
            f"of a non-answer (\"Don't know\") missing in SPSS or list it in {name}'s "
            "missing_codes, or remove the labels if the codes are the answers as the "
            "instrument numbers them"))
    for (name, description), columns in recoded.items():
        log.info("%s: %s: %d variable(s) read through their value labels (%s)", label, name,
                 len(columns), description)
    return cells, problems


def _zero_based_problem(
    long: pd.DataFrame, bad: pd.Series, instrument: Instrument, name: str, label: str,
) -> tuple[InputProblem | None, pd.Series]:
    """One error instead of one per cell when an instrument's answers run one below its
    response scale (0..6 for 1..7: a 0-based coding, e.g. an unlabelled SPSS export): every
    rejected answer is the scale's minimum - 1 and none reaches its maximum. Returns the problem
    (or None) and the cells it covers."""
    covered = pd.Series(False, index=long.index)
    if instrument.item_responses:  # several scales in one instrument: judged cell by cell
        return None, covered
    low, high, _ = presented_scale(instrument, 0)
    number = pd.to_numeric(long["cell"], errors="coerce")
    answered = number[~bad & number.notna()]
    below = bad & number.eq(low - 1)
    if not below.any() or not (bad == below).all() or (len(answered) and answered.max() >= high):
        return None, covered
    rows = long.loc[below]
    where = ", ".join(f"row {r} column {c!r}" for r, c in
                      zip(rows["_row"].head(3), rows["column"].head(3), strict=True))
    recode = (f" or declare the coding in a site copy of {name}.yaml (recode: {{from_min: "
              f"{low - 1}, from_max: {high - 1}, add: {instrument.response_min - low + 1}}})"
              if instrument.recode is None else "")
    problem = InputProblem(
        label, int(rows["_row"].iloc[0]), str(rows["column"].iloc[0]), rows["cell"].iloc[0],
        f"answers of {name} from {low} to {high}: {int(below.sum())} answer(s) in "
        f"{rows['column'].nunique()} column(s) are {low - 1} and none is {high}, so the file "
        f"looks 0-based (coded {low - 1} to {high - 1}); label the codes with {name}'s anchor "
        f"texts (SPSS value labels){recode}, or add 1 to every answer (first at {where})")
    return problem, below


def read_questionnaire(
    path: Path, site_cfg: dict, roster: pd.DataFrame, instruments: dict[str, Instrument]
) -> tuple[pd.DataFrame, pd.DataFrame, list[InputProblem]]:
    """Read a site's questionnaire file into one long table of answers.

    Parameters
    ----------
    path : the questionnaire file (CSV, XLSX, SAV or Qualtrics CSV).
    site_cfg : the site's config entry (``questionnaire``: format, match_on, item_pattern;
        ``design``).
    roster : the site roster (``record_id``, ``email``, ``parent_name``).
    instruments : the instruments to read, by name (see
        :func:`parentgroup.instruments.load_instruments`).

    Returns
    -------
    ``(items, exclusions, problems)``: ``items`` has ``record_id, instrument, item, time, value``
    (one row per expected answer of every matched respondent, ``value`` NaN when missing, raw time
    label), sorted; ``exclusions`` has ``stage, file, row, column, reason, record_id``; problems
    are :class:`~parentgroup.problems.InputProblem` (errors stop the run before anything is
    written).
    """
    qcfg = {"file": "questionnaire.csv", "format": "auto", "match_on": "record_id",
            "item_pattern": DEFAULT_PATTERN, **(site_cfg.get("questionnaire") or {})}
    path = Path(path)
    label = path.name
    empty_items = pd.DataFrame(columns=ITEM_COLUMNS)
    problems: list[InputProblem] = []
    exclusions: list[dict] = []
    if not path.is_file():
        return empty_items, _exclusion_frame([]), [
            InputProblem(str(path), None, None, None,
                         "a questionnaire file (config sites.<site>.questionnaire.file)")
        ]
    times = list(design_times(site_cfg.get("design", "retrospective")))
    match_on = qcfg["match_on"]
    sensitive = match_on != "record_id"
    try:  # the pattern first: the expected column names are needed to find the header
        regex = item_column_regex(qcfg["item_pattern"], list(instruments), times)
    except ValueError as error:
        return empty_items, _exclusion_frame([]), [
            InputProblem(label, None, "item_pattern", qcfg["item_pattern"], str(error))
        ]
    expected = expected_item_columns(qcfg["item_pattern"], instruments, times)
    header_names = ({col.casefold() for *_, col in expected}
                    | {c.casefold() for c in MATCH_COLUMNS[match_on]})
    header_sample = [MATCH_COLUMNS[match_on][0]] + [col for *_, col in expected[:2]]
    try:
        fmt = detect_format(path, qcfg["format"])
        cells, first_row, value_labels = read_questionnaire_cells(path, fmt, instruments)
    except Exception as error:  # a corrupt file: one clear problem, never a traceback
        log.error("could not read %s: %s", label, type(error).__name__)  # no cell values
        guess = {".xlsx": "xlsx", ".xlsm": "xlsx", ".sav": "sav", ".zsav": "sav"}.get(
            path.suffix.casefold(), "csv") if qcfg["format"] == "auto" else qcfg["format"]
        found = header_row_elsewhere(path, guess, header_names)
        if found is not None:
            return empty_items, _exclusion_frame([]), [
                _header_problem(label, found, header_sample)]
        if isinstance(error, (CsvFormatError, TextEncodingError)):
            return empty_items, _exclusion_frame([]), [
                InputProblem(label, error.line, None, None, f"{error.expected} ({error.found})")]
        return empty_items, _exclusion_frame([]), [
            InputProblem(label, None, None, None,
                         f"a readable {qcfg['format']} questionnaire file ({type(error).__name__})")
        ]
    log.info("%s: format %s, %d data rows", label, fmt, len(cells))
    by_fold = {}
    for column in cells.columns:
        by_fold.setdefault(column.casefold(), column)

    # Match column
    match_column = next(
        (by_fold[c.casefold()] for c in MATCH_COLUMNS[match_on] if c.casefold() in by_fold), None
    )
    if match_column is None:
        problems.append(
            InputProblem(label, 1, MATCH_COLUMNS[match_on][0], None,
                         f"a column {' or '.join(map(repr, MATCH_COLUMNS[match_on]))} to match "
                         f"respondents to the roster (config questionnaire.match_on = {match_on})")
        )

    # Item columns
    expected_names = {col.casefold() for *_, col in expected}
    by_item = {(name.casefold(), item, time.casefold()): col for name, item, time, col in expected}
    missing_columns = [col for *_, col in expected if col.casefold() not in by_fold]
    # a column naming an item the pattern writes otherwise (pss_1_then for pss_01_then)
    written_otherwise = {}
    for column in cells.columns:
        hit = regex.match(column)
        if hit and column.casefold() not in expected_names:
            meant = by_item.get((hit["instrument"].casefold(), int(hit["item"]),
                                 hit["time"].casefold()))
            if meant is not None:
                written_otherwise[column] = meant
            expected_here = (
                f"the column name the item_pattern {qcfg['item_pattern']!r} gives this item, "
                f"{meant!r} (this column is ignored)" if meant is not None else
                "an item number of the instrument (this column is ignored)")
            problems.append(InputProblem(label, 1, column, None, expected_here, WARNING))
    if missing_columns:
        shown = ", ".join(missing_columns)
        hint = ""
        if written_otherwise:
            first, meant = next(iter(written_otherwise.items()))
            hint = (f"; {len(written_otherwise)} column(s) of the file name the same items "
                    f"written otherwise (e.g. {first!r} for {meant!r}): set the site's "
                    "questionnaire.item_pattern to how the file writes them (e.g. "
                    "'{instrument}_{item}_{time}' without zero padding) or rename the columns")
        problems.append(
            InputProblem(label, 1, None, None,
                         f"{len(missing_columns)} item column(s) that the file lacks: {shown} "
                         f"(item_pattern {qcfg['item_pattern']!r}, times {', '.join(times)})"
                         + hint)
        )
    if match_column is None or missing_columns:
        found = header_row_elsewhere(path, fmt, header_names)
        if found is not None:  # title rows above the header: one problem, not every column
            return empty_items, _exclusion_frame([]), [
                _header_problem(label, found, header_sample)]
        return empty_items, _exclusion_frame([]), problems
    if value_labels:
        cells, found = apply_value_labels(cells, value_labels, expected, by_fold, instruments,
                                          label, first_row)
        problems += found
        if any(p.severity == ERROR and p.row is None for p in found):  # labels refused
            return empty_items, _exclusion_frame([]), problems

    # Rows: drop wholly empty ones, match the rest to the roster
    used = [match_column] + [by_fold[col.casefold()] for *_, col in expected]
    blank = cells[used].eq("").all(axis=1)
    rows = cells.loc[~blank].copy()
    rows["_row"] = rows.index + first_row
    key = _normalise_key(rows[match_column])
    roster_keys = _normalise_key(roster[ROSTER_MATCH_COLUMN[match_on]].fillna(""))
    ambiguous = roster_keys[roster_keys.duplicated(keep=False) & roster_keys.ne("")]
    lookup = dict(zip(roster_keys, roster["record_id"].astype(str), strict=True))
    for value in sorted(set(ambiguous)):
        lookup.pop(value, None)
        problems.append(
            InputProblem("roster.csv", None, ROSTER_MATCH_COLUMN[match_on], value,
                         f"each {ROSTER_MATCH_COLUMN[match_on]} once in the roster, to match "
                         "questionnaire rows unambiguously", ERROR, sensitive=sensitive)
        )
    rows["record_id"] = key.map(lookup)
    unmatched = rows["record_id"].isna()
    for index in rows.index[unmatched]:
        exclusions.append({"stage": STAGE, "file": label, "row": int(rows.at[index, "_row"]),
                           "column": match_column, "reason": NO_MATCH, "record_id": ""})
        problems.append(
            InputProblem(label, int(rows.at[index, "_row"]), match_column,
                         rows.at[index, match_column],
                         f"a {match_on} on the roster (row recorded as an exclusion)", WARNING,
                         sensitive=sensitive)
        )
    matched = rows.loc[~unmatched]
    informant_column = by_fold.get(INFORMANT_COLUMN)
    if informant_column is not None:
        columns_of = {name: [by_fold[col.casefold()] for inst, *_, col in expected
                             if inst == name] for name in instruments}
        matched, found = _check_informants(matched, informant_column, instruments, columns_of,
                                           label)
        problems += found
        row_key, once = ["record_id", "_informant"], "each respondent once per informant"
    else:
        row_key, once = ["record_id"], "each respondent once"
    duplicated = matched[matched.duplicated(row_key, keep=False)]
    for _, group in duplicated.groupby(row_key, sort=True):
        numbers = ", ".join(str(r) for r in group["_row"])
        record_id = group["record_id"].iloc[0]
        problems.append(
            InputProblem(label, int(group["_row"].iloc[0]), match_column,
                         record_id if not sensitive else group[match_column].iloc[0],
                         f"{once} (the same respondent is in rows {numbers})",
                         ERROR, sensitive=sensitive)
        )
    matched = matched.drop_duplicates(row_key, keep="first")
    answered = set(matched["record_id"])
    for record_id in sorted(set(roster["record_id"].astype(str)) - answered):
        exclusions.append({"stage": STAGE, "file": label, "row": "", "column": "",
                           "reason": NO_QUESTIONNAIRE, "record_id": record_id})

    # Answers, one instrument at a time (vectorised over respondents and item columns)
    pieces = []
    respondents = pd.DataFrame({"record_id": list(dict.fromkeys(matched["record_id"]))})
    for name, instrument in instruments.items():
        columns = [(item, time, by_fold[col.casefold()])
                   for inst, item, time, col in expected if inst == name]
        source = matched
        if informant_column is not None:  # this form's informant's row, else no answers
            source = respondents.merge(
                matched[matched["_informant"] == instrument.informant], on="record_id",
                how="left")
            source[[c for *_, c in columns]] = source[[c for *_, c in columns]].fillna("")
            source["_row"] = source["_row"].fillna(0).astype(int)
        long = source[["record_id", "_row"] + [c for *_, c in columns]].melt(
            id_vars=["record_id", "_row"], var_name="column", value_name="cell"
        )
        meta = pd.DataFrame(columns, columns=["item", "time", "column"])
        long = long.merge(meta, on="column", how="left")
        value, bad = parse_answers(long["cell"], instrument, long["item"])
        long["value"] = value
        zero_based, covered = _zero_based_problem(long, bad, instrument, name, label)
        if zero_based is not None:
            problems.append(zero_based)
        for index in long.index[bad & ~covered]:
            low, high, _ = presented_scale(instrument, long.at[index, "item"])
            problems.append(
                InputProblem(
                    label, int(long.at[index, "_row"]), long.at[index, "column"],
                    long.at[index, "cell"],
                    f"a whole number from {low} to {high}, an anchor label of {name}, or a "
                    f"missing code ({', '.join(repr(c) for c in instrument.missing_codes)})",
                )
            )
        long["instrument"] = name
        pieces.append(long[ITEM_COLUMNS])
    items = pd.concat(pieces, ignore_index=True) if pieces else empty_items
    if not items.empty:
        time_order = {t: i for i, t in enumerate(times)}
        items = items.assign(_t=items["time"].map(time_order)).sort_values(
            ["record_id", "instrument", "_t", "item"], kind="stable"
        ).drop(columns="_t").reset_index(drop=True)
        items["item"] = items["item"].astype(int)
    n_bad = sum(1 for p in problems if p.severity == ERROR)
    log.info("%s: %d respondents matched, %d answers, %d exclusion(s), %d error(s)", label,
             len(matched), len(items), len(exclusions), n_bad)
    return items, _exclusion_frame(exclusions), problems


def _check_informants(
    matched: pd.DataFrame, column: str, instruments: dict[str, Instrument],
    columns_of: dict[str, list[str]], label: str,
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """The rows with a valid ``informant`` (``_informant``: trimmed, case-folded) and the
    problems: a value outside :data:`~parentgroup.instruments.INFORMANTS`, an informant who
    completes none of the configured instruments, or an answer in a row to a form that another
    informant completes (each an error naming file, row, column and value)."""
    problems = []
    forms: dict[str, list[str]] = {}
    for name, instrument in instruments.items():
        forms.setdefault(instrument.informant, []).append(name)
    declared = "; ".join(f"{who}: {', '.join(names)}" for who, names in sorted(forms.items()))
    who = matched[column].astype(str).str.strip().str.casefold()
    valid = who.isin(INFORMANTS)
    for index in matched.index[~valid]:
        problems.append(InputProblem(
            label, int(matched.at[index, "_row"]), column, matched.at[index, column],
            f"one of: {', '.join(INFORMANTS)} (who completed this row's forms)"))
    useless = valid & ~who.isin(list(forms))
    for index in matched.index[useless]:
        problems.append(InputProblem(
            label, int(matched.at[index, "_row"]), column, matched.at[index, column],
            f"an informant who completes one of the configured instruments ({declared})"))
    matched = matched.loc[valid & ~useless].assign(_informant=who[valid & ~useless])
    for name, instrument in instruments.items():
        own = columns_of[name]
        others = matched[matched["_informant"] != instrument.informant]
        blank = {c.strip().casefold() for c in instrument.missing_codes} | {""}
        for index, row in others[own].iterrows():
            answered = [c for c in own if str(row[c]).strip().casefold() not in blank]
            if answered:
                problems.append(InputProblem(
                    label, int(matched.at[index, "_row"]), answered[0], row[answered[0]],
                    f"a blank cell: {name} is completed by the {instrument.informant} "
                    f"(its instrument file), this row by the {matched.at[index, '_informant']} "
                    f"({len(answered)} such answer(s) in this row)"))
    return matched, problems


def _exclusion_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=EXCLUSION_COLUMNS)
