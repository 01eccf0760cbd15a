"""Reading small CSV tables the way sites really save them, and checking rows against a schema.

CSV files are read as text in UTF-8 (with or without a byte-order mark), falling back to
Windows-1252 (Excel's "CSV" on Windows), so an accented name never becomes a crash. Each row is
checked against a JSON Schema (draft 2020-12, ``workflow/schemas/<table>.schema.yaml``); every
failing cell becomes an :class:`~parentgroup.problems.InputProblem` with the spreadsheet row.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

import pandas as pd
import yaml
from jsonschema import Draft202012Validator

from parentgroup.problems import ERROR, InputProblem, data_row

log = logging.getLogger(__name__)
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def read_text(path: Path) -> tuple[str, str]:
    """Decode a text file: UTF-8 (BOM stripped) or, failing that, Windows-1252.

    Returns ``(text, encoding)`` with line endings normalised to ``\\n``.
    """
    raw = Path(path).read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
        log.warning("%s is not UTF-8; read as Windows-1252", Path(path).name)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV with every value as a stripped string ('' for empty cells)."""
    text, _ = read_text(path)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
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
    validator = Draft202012Validator(schema)
    columns = [c for c in frame.columns if c in schema["properties"]]
    for index, record in zip(frame.index, frame[columns].to_dict("records"), strict=True):
        for error in validator.iter_errors(record):
            column = error.path[0] if error.path else None
            description = schema["properties"].get(column, {}).get("description", error.message)
            problems.append(
                InputProblem(file_label, data_row(index), column, error.instance, description)
            )
    return problems


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
