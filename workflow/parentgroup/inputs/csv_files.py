"""Reading small CSV tables the way sites really save them, and checking rows against a schema.

CSV files are read as text in UTF-8 (with or without a byte-order mark), UTF-16 with a
byte-order mark (Excel's "Unicode text"), falling back to Windows-1252 (Excel's "CSV" on
Windows), so an accented name never becomes a crash; a file that is none of these, or UTF-8 text
whose accents were already garbled by a second decoding ("Zoë" saved as "ZoÃ«"), is a
:class:`TextEncodingError` naming the file, the line and what was expected, never a silent
mojibake (a garbled name is not found by the redactor nor by the leak check). The delimiter
is the comma, or the semicolon or TAB when that is what the header line uses (Excel's "CSV"
where the decimal separator is a comma, as in most of Europe, writes ``;``; its "Unicode text"
uses TAB): :func:`csv_delimiter`. Each row is checked against a JSON Schema (draft 2020-12,
``workflow/schemas/<table>.schema.yaml``); every failing cell becomes an
:class:`~parentgroup.problems.InputProblem` with the spreadsheet row.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from functools import cache
from pathlib import Path

import pandas as pd
import yaml
from jsonschema import Draft202012Validator

from parentgroup.problems import ERROR, InputProblem, UserFacingError, data_row

log = logging.getLogger(__name__)
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


class TextEncodingError(UserFacingError, ValueError):
    """A text file whose characters cannot be read safely; the message names the file, the
    line, what was found and what was expected, never the text around it."""

    def __init__(self, label: str, line: int | None, found: str,
                 expected: str = "the file saved as UTF-8"):
        self.label, self.line, self.found, self.expected = label, line, found, expected
        where = label if line is None else f"{label}, line {line}"
        super().__init__(f"{where}: {found}; expected {expected}")


class CsvFormatError(UserFacingError, ValueError):
    """A CSV file whose rows cannot be split into the header's columns; the message names the
    file and the line, never the text of the row."""

    def __init__(self, label: str, line: int | None, found: str, expected: str):
        self.label, self.line, self.found, self.expected = label, line, found, expected
        where = label if line is None else f"{label}, line {line}"
        super().__init__(f"{where}: {found}; expected {expected}")


#: The delimiters a site's CSV may use, the first winning a tie.
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "TAB"}


def csv_delimiter(text: str) -> str:
    """The delimiter of CSV text: whichever of comma, semicolon and TAB splits its header (the
    first line that is not blank) into the most fields without leaving a quote inside a field;
    a comma when none splits it.

    >>> csv_delimiter("record_id;session;attended\\nR1;1;1\\n"), csv_delimiter("a,b;c\\n")
    (';', ',')
    >>> csv_delimiter('id;"a, b"\\n'), csv_delimiter("id\\tname\\n"), csv_delimiter("note\\n")
    (';', '\\t', ',')
    """
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    best, score = ",", (True, 1)
    for delimiter in DELIMITERS:
        fields = next(csv.reader([header], delimiter=delimiter), [])
        # a quote left inside a field: quotes opened mid-field, so not this delimiter
        candidate = (not any('"' in field for field in fields), len(fields))
        if candidate > score:
            best, score = delimiter, candidate
    return best


def read_csv_frame(text: str, label: str, **options) -> pd.DataFrame:
    """``pandas.read_csv`` of decoded CSV text with its own delimiter (:func:`csv_delimiter`;
    logged when not a comma), every cell a string. An empty file is an empty frame (no
    columns: :func:`check_rows` says the header is missing); rows that do not split into the
    header's columns are a :class:`CsvFormatError` naming the line."""
    delimiter = csv_delimiter(text)
    if delimiter != "," and options.get("nrows") is None:  # not for a peek at the top rows
        log.info("%s: read as %s-separated (its header line uses %s, not ',')", label,
                 _DELIMITER_NAMES[delimiter], _DELIMITER_NAMES[delimiter])
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                           na_filter=False, **options)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            expected, line, saw = (int(g) for g in found.groups())
            raise CsvFormatError(
                label, line, f"{saw} fields where the header has {expected}",
                f"one value per column, separated by {_DELIMITER_NAMES[delimiter]} (a value "
                f"holding {_DELIMITER_NAMES[delimiter]} must be in double quotes)") from None
        raise CsvFormatError(label, None, "rows that cannot be split into columns",
                             f"a CSV separated by {_DELIMITER_NAMES[delimiter]}, quotes "
                             "closed") from None


#: Two characters that UTF-8 bytes of one accented letter become when decoded as Windows-1252
#: ("ë" -> "Ã«", "ł" -> "Å‚", "ś" -> "Å›"): a lead byte 0xC2-0xDF, then a continuation byte.
_DOUBLE_DECODED = re.compile(
    "[\u00c2-\u00df][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count(
        "\r\n", 0, offset) + 1


#: Byte-order marks and the encodings they announce, longest first (a UTF-32-LE mark begins
#: with the UTF-16-LE one).
BYTE_ORDER_MARKS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


def decode_bytes(raw: bytes, label: str) -> tuple[str, str, bool]:
    """The one way the readers decode a text file's bytes: a byte-order mark decides (UTF-8,
    UTF-16 or UTF-32, either byte order); without one UTF-8, else Windows-1252. Returns
    ``(text, encoding, had_bom)`` with the BOM removed and line endings as they are (REFI-QDA
    offsets may count them).

    Raises :class:`TextEncodingError` (``label`` names the file) for bytes that contradict
    their BOM, a byte Windows-1252 does not define, and NUL bytes (UTF-16 or UTF-32 without a
    BOM), with the line and what is expected.

    >>> decode_bytes(b"\\xff\\xfe\\x00\\x00" + "Zoë\\r\\n".encode("utf-32-le"), "s.txt")
    ('Zoë\\r\\n', 'utf-32-le', True)
    >>> decode_bytes(b"Zo\\xeb", "s.txt")
    ('Zoë', 'cp1252', False)
    """
    for bom, encoding in BYTE_ORDER_MARKS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding), encoding, True
            except UnicodeDecodeError as exc:
                raise TextEncodingError(
                    label, None, f"a {encoding.upper()} byte-order mark but bytes that are not "
                    f"{encoding.upper()} text (byte {exc.start + len(bom)})") from None
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise TextEncodingError(
                label, line,
                f"byte 0x{raw[exc.start]:02X} is neither UTF-8 nor Windows-1252 text"
            ) from None
    if "\x00" in text:
        raise TextEncodingError(label, _line_of(text, text.index(chr(0))),
                                "NUL bytes (UTF-16 or UTF-32 without a byte-order mark?)")
    return text, encoding, False


def decode_text(raw: bytes, label: str) -> tuple[str, str]:
    """Decode a text file's bytes (:func:`decode_bytes`: a BOM's encoding, else UTF-8, else
    Windows-1252), refuse UTF-8 text garbled by an earlier second decoding, and normalise line
    endings to ``\\n``. Returns ``(text, encoding)``.

    Raises :class:`TextEncodingError` (``label`` names the file) as :func:`decode_bytes` does,
    and for garbled text, each with the line and what is expected.

    >>> decode_text(b"\\xef\\xbb\\xbfParent: yes\\r\\nInterviewer: ok\\r", "t.txt")
    ('Parent: yes\\nInterviewer: ok\\n', 'utf-8')
    >>> decode_text(b"\\xff\\xfe" + "Zoë".encode("utf-16-le"), "t.txt")
    ('Zoë', 'utf-16-le')
    >>> decode_text(b"Zo\\xeb", "t.txt")
    ('Zoë', 'cp1252')
    >>> try:
    ...     decode_text("ok\\nZoë".encode("utf-8").decode("cp1252").encode("utf-8"), "t.txt")
    ... except TextEncodingError as error:
    ...     print(error.label, error.line, error.expected)
    t.txt 2 the original text saved as UTF-8
    """
    text, encoding, _ = decode_bytes(raw, label)
    if encoding in ("utf-8", "cp1252"):
        for match in _DOUBLE_DECODED.finditer(text):
            try:
                match.group().encode("cp1252").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            raise TextEncodingError(
                label, _line_of(text, match.start()),
                "text whose accented letters were already garbled (UTF-8 read as Windows-1252 "
                "and saved again, e.g. 'Ã«' for 'ë')", "the original text saved as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def read_text(path: Path) -> tuple[str, str]:
    """Decode a text file (:func:`decode_text`): UTF-8 (BOM stripped), UTF-16 with a BOM or,
    failing that, Windows-1252.

    Returns ``(text, encoding)`` with line endings normalised to ``\\n``.
    """
    text, encoding = decode_text(Path(path).read_bytes(), Path(path).name)
    if encoding == "cp1252":
        log.warning("%s is not UTF-8; read as Windows-1252", Path(path).name)
    return text, encoding


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV with every value as a stripped string ('' for empty cells), separated by
    commas, semicolons or TABs (:func:`csv_delimiter`)."""
    text, _ = read_text(path)
    frame = read_csv_frame(text, Path(path).name)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


@cache
def load_table_schema(name: str) -> dict:
    with open(SCHEMA_DIR / f"{name}.schema.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_rows(frame: pd.DataFrame, schema_name: str, file_label: str) -> list[InputProblem]:
    """Check every row against the table schema; one problem per failing cell or missing column."""
    schema = load_table_schema(schema_name)
    problems: list[InputProblem] = []
    if len(frame.columns) == 0:
        return [InputProblem(file_label, 1, None, None,
                             "a header row naming the columns "
                             f"({', '.join(schema.get('required', []))}); the file is empty")]
    missing = [c for c in schema.get("required", []) if c not in frame.columns]
    for column in missing:
        problems.append(
            InputProblem(
                file_label, 1, column, None,
                f"a column {column!r} ({schema['properties'][column]['description']})",
            )
        )
    if missing:
        return problems
    columns = [c for c in frame.columns if c in schema["properties"]]
    if set(schema) <= PER_COLUMN_KEYWORDS:
        return _check_columns(frame, schema, columns, file_label)
    return _check_each_row(frame, schema, columns, file_label)


def _check_each_row(frame: pd.DataFrame, schema: dict, columns: list[str],
                    file_label: str) -> list[InputProblem]:
    """Every row through jsonschema: right for any schema, slow for thousands of rows."""
    problems = []
    validator = Draft202012Validator(schema)
    for index, record in zip(frame.index, frame[columns].to_dict("records"), strict=True):
        for error in validator.iter_errors(record):
            column = error.path[0] if error.path else None
            description = schema["properties"].get(column, {}).get("description", error.message)
            problems.append(
                InputProblem(file_label, data_row(index), column, error.instance, description)
            )
    return problems


#: Top-level keywords of a table schema whose rules are per column: such a schema is checked
#: column by column on each column's distinct values (fast for thousands of rows), giving the
#: same problems, in the same order, as checking every row.
PER_COLUMN_KEYWORDS = frozenset({"$schema", "$id", "title", "description", "type", "required",
                                 "properties"})


def _check_columns(frame: pd.DataFrame, schema: dict, columns: list[str],
                   file_label: str) -> list[InputProblem]:
    found: list[tuple[int, int, InputProblem]] = []  # (row position, property order, problem)
    order = {name: i for i, name in enumerate(schema["properties"])}
    for column in columns:
        validator = Draft202012Validator({"properties": {column: schema["properties"][column]}})
        values = frame[column]
        suspect = _may_fail(values, schema["properties"][column])
        for value in pd.unique(values[suspect]):
            errors = list(validator.iter_errors({column: value}))
            if not errors:
                continue
            positions = (values == value).to_numpy().nonzero()[0]
            for position in positions:
                for error in errors:
                    description = schema["properties"][column].get("description", error.message)
                    found.append((int(position), order[column], InputProblem(
                        file_label, data_row(frame.index[position]), column, error.instance,
                        description)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [problem for _, _, problem in found]


_VECTOR_KEYWORDS = frozenset({"type", "pattern", "minLength", "maxLength", "enum",
                              "description", "title"})


def _may_fail(values: pd.Series, rules: dict) -> pd.Series:
    """Which cells could fail ``rules``: computed with pandas string methods for the common
    string keywords (a superset of the failures; jsonschema then judges each distinct suspect),
    every cell when a rule is not one of those."""
    everything = pd.Series(True, index=values.index)
    if not set(rules) <= _VECTOR_KEYWORDS or rules.get("type", "string") != "string":
        return everything
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return everything
    suspect = pd.Series(False, index=values.index)
    if "pattern" in rules:  # jsonschema's pattern is re.search, as str.contains
        suspect |= ~values.str.contains(rules["pattern"], regex=True)
    if "minLength" in rules:
        suspect |= values.str.len() < rules["minLength"]
    if "maxLength" in rules:
        suspect |= values.str.len() > rules["maxLength"]
    if "enum" in rules:
        suspect |= ~values.isin(rules["enum"])
    return suspect


def duplicated_rows(
    frame: pd.DataFrame, keys: list[str], file_label: str, what: str
) -> list[InputProblem]:
    """One problem per repeated key, naming every row where it occurs."""
    problems = []
    dup = frame[frame.duplicated(keys, keep=False)]
    for key, rows in dup.groupby(keys, sort=True).groups.items():
        row_numbers = ", ".join(str(data_row(i)) for i in rows)
        problems.append(
            InputProblem(
                file_label, data_row(rows[0]), keys[-1] if len(keys) == 1 else ", ".join(keys),
                key, f"{what} to appear once (it appears in rows {row_numbers})", ERROR,
            )
        )
    return problems
