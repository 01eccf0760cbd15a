"""The questionnaire file, as researchers really have it: CSV, Excel, SPSS or a Qualtrics export.

One reader turns any of these into the same long table of answers (``record_id, instrument,
item, time, value``), a table of recorded exclusions and a list of problems:

* **CSV** in UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8") or Windows-1252 (Excel's
  plain "CSV" on Windows): decoded as UTF-8 first, else as Windows-1252; the log says which.
* **XLSX** (first sheet; openpyxl through pandas).
* **SPSS .sav** (pyreadstat): numeric answers stored as labelled codes are read as the codes;
  answers stored as text labels ("Strongly agree") are mapped through the instrument's anchors.
  User-defined missing values are read as missing.
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
or an anchor label); a respondent appearing twice is an error naming both rows; item columns
absent from the file are one error listing them; a row that matches nobody on the roster is a
recorded exclusion plus a warning; a roster member without a questionnaire is a recorded
exclusion. Values of the match column are never echoed when it holds emails or names.
"""

from __future__ import annotations

import io
import logging
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd

from parentgroup.config import design_times
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
    frame = pd.read_csv(
        io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
        skip_blank_lines=False, nrows=nrows,
    )
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
) -> tuple[pd.DataFrame, int]:
    """The file as a frame of text cells and the spreadsheet row of its first data row.

    SPSS text answers are mapped to numbers later through the anchors like any other text.
    """
    path = Path(path)
    if fmt == "xlsx":
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        return _as_text_frame(frame), 2
    if fmt == "sav":
        import pyreadstat

        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
        labelled = sorted(meta.variable_value_labels)
        log.info("%s: SPSS file, %d variables with value labels (codes used)", path.name,
                 len(labelled))
        return _as_text_frame(frame), 2
    frame = _csv_frame(path)
    if fmt == "qualtrics":
        skip = 2 if _is_qualtrics(frame) else 1
        log.info("%s: Qualtrics export, %d header row(s) under the column names skipped",
                 path.name, skip)
        return frame.iloc[skip:].reset_index(drop=True), 2 + skip
    return frame, 2


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


def presented_scale(instrument: Instrument, item: int) -> tuple[int, int, dict[str, int]]:
    """``(min, max, {folded anchor label: presented value})`` of one item: the instrument's
    response scale, or the item's own (``item_responses``)."""
    group = instrument.item_response(int(item))
    if group is None:
        labels = {label.strip().casefold(): instrument.presented_value(value)
                  for value, label in instrument.labels.items()}
        return instrument.presented_min, instrument.presented_max, labels
    return group.min, group.max, {label.strip().casefold(): value
                                  for value, label in group.labels.items()}


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
    labelled = folded.map(labels)
    if items is not None and instrument.item_responses:
        for group in instrument.item_responses:
            mine = items.isin(group.items).to_numpy()
            g_low, g_high, g_labels = presented_scale(instrument, group.items[0])
            in_range = in_range.where(~mine, whole & number.between(g_low, g_high))
            labelled = labelled.where(~mine, folded.map(g_labels))
    value = number.where(in_range & ~missing)
    value = value.fillna(labelled.where(~missing & ~in_range).astype(float))
    bad = ~missing & value.isna()
    return value.astype(float), bad


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
    try:
        fmt = detect_format(path, qcfg["format"])
        cells, first_row = read_questionnaire_cells(path, fmt, instruments)
    except Exception as error:  # a corrupt file: one clear problem, never a traceback
        log.error("could not read %s: %s", label, type(error).__name__)  # no cell values
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
    try:
        regex = item_column_regex(qcfg["item_pattern"], list(instruments), times)
    except ValueError as error:
        return empty_items, _exclusion_frame([]), [
            InputProblem(label, None, "item_pattern", qcfg["item_pattern"], str(error))
        ]
    expected = expected_item_columns(qcfg["item_pattern"], instruments, times)
    expected_names = {col.casefold() for *_, col in expected}
    missing_columns = [col for *_, col in expected if col.casefold() not in by_fold]
    if missing_columns:
        shown = ", ".join(missing_columns)
        problems.append(
            InputProblem(label, 1, None, None,
                         f"{len(missing_columns)} item column(s) that the file lacks: {shown} "
                         f"(item_pattern {qcfg['item_pattern']!r}, times {', '.join(times)})")
        )
    for column in cells.columns:
        hit = regex.match(column)
        if hit and column.casefold() not in expected_names:
            problems.append(
                InputProblem(label, 1, column, None,
                             "an item number of the instrument (this column is ignored)", WARNING)
            )
    if match_column is None or missing_columns:
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
        for index in long.index[bad]:
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
