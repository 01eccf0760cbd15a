"""The parent's baseline form about the child (optional ``baseline_form.csv``): rated items of
an instrument file (by default ``baseline_child``: at home, with siblings and friends,
homework) and one free-text answer per domain."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import duplicated_rows, read_csv_text
from parentgroup.instruments import Instrument
from parentgroup.problems import InputProblem, data_row

ITEM_COLUMNS = ["record_id", "item", "domain", "value"]
TEXT_COLUMNS = ["record_id", "domain", "text"]


def item_column(instrument: str, item: int) -> str:
    """The column of an item: ``{instrument}_{item:02d}``.

    >>> item_column("baseline_child", 3)
    'baseline_child_03'
    """
    return f"{instrument}_{item:02d}"


def read_baseline_form(path: Path | None, roster: pd.DataFrame, instrument: Instrument | None
                       ) -> tuple[pd.DataFrame, pd.DataFrame, list[InputProblem]]:
    """Read ``baseline_form.csv``: ``record_id``, one column per item of ``instrument``
    (:func:`item_column`) and a ``<domain>_text`` column per scale (free text, may be empty).

    Returns the answers (record_id, item, domain = the first scale holding the item, value;
    missing codes dropped), the free texts
    (record_id, domain, text; empty ones dropped) and the problems: a missing column (row 1),
    a record_id not on the roster, a repeated record_id, an answer outside the instrument's
    response range, each located by row and column. No file: empty tables, no problem.
    """
    empty = pd.DataFrame(columns=ITEM_COLUMNS), pd.DataFrame(columns=TEXT_COLUMNS)
    if path is None or not Path(path).exists() or instrument is None:
        return *empty, []
    label = Path(path).name
    frame = read_csv_text(path)
    items = {item_column(instrument.name, n): n for n in instrument.item_numbers}
    texts = {f"{scale.id}_text": scale.id for scale in instrument.scales}
    problems = [InputProblem(label, 1, column, None, f"a column {column!r} ({what})")
                for column, what in [("record_id", "a record_id from roster.csv")]
                + [(c, f"item {n} of instrument {instrument.name}") for c, n in items.items()]
                if column not in frame.columns]
    if problems:
        return *empty, problems
    domain_of = {}
    for scale in instrument.scales:
        for number in scale.items:
            domain_of.setdefault(number, scale.id)
    known = set(roster["record_id"])
    low, high = instrument.presented_min, instrument.presented_max
    missing = {str(code) for code in instrument.missing_codes}
    answers, free = [], []
    for index, row in frame.iterrows():
        if row["record_id"] not in known:
            problems.append(InputProblem(label, data_row(index), "record_id", row["record_id"],
                                         "a record_id listed in roster.csv"))
            continue
        for column, number in items.items():
            value = row[column]
            if value in missing:
                continue
            number_value = pd.to_numeric(value, errors="coerce")
            if pd.isna(number_value) or number_value != int(number_value) \
                    or not low <= number_value <= high:
                problems.append(InputProblem(
                    label, data_row(index), column, value,
                    f"a whole number from {low} to {high}, or empty"))
                continue
            answers.append([row["record_id"], number, domain_of.get(number, ""),
                            int(number_value)])
        for column, domain in texts.items():
            if column in frame.columns and row[column]:
                free.append([row["record_id"], domain, row[column]])
    problems += duplicated_rows(frame, ["record_id"], label, "each record_id")
    return (pd.DataFrame(answers, columns=ITEM_COLUMNS), pd.DataFrame(free, columns=TEXT_COLUMNS),
            problems)
