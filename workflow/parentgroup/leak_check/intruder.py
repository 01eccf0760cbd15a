"""The motivated-intruder test (ICO anonymisation code of practice): what an insider can link.

The insider is a facilitator or member of staff. They hold the site's attendance sheet
(``data/raw/<site>/attendance.csv``: who came to which session), so they also know who left
early, and group members recognise each other's words. The test plays that insider against
every shared element of a site's outputs - the tables in ``results/<site>/``, the text of the
figures (SVG) and the HTML report - and lists each element it can tie to one person:

``attendance``
    a table or figure that shows a code beside attendance (a per-code session grid or count):
    a code whose attendance matches exactly one person on the sheet names that person; every
    other element carrying the same code then follows (their scores, categories, themes).
``differencing``
    two published aggregates over nested groups that differ by one parent (the sensitivity
    table's completers against all with data): their difference is that parent's own value,
    and the insider knows from the sheet who left early.
``quotes``
    quotes attributed with the codes of the case-level tables (recognising a quote then gives
    the speaker's scores), or with codes of their own whose quoted themes fit exactly one case
    of the case-level joint display.

A finding the config allows (``analysis.early_leavers_in_tables: true`` for differencing) is
listed as allowed, not as a link. Persons are named by their position on the attendance sheet
(``attendance-sheet person 3``), never by record_id or name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import read_csv_text

#: A case code as the pipeline writes it (P01 ... P5000) and a quote code (Q01 ...).
CASE_CODE = re.compile(r"^P\d{2,}$")
ANY_CODE = re.compile(r"^[PQ]\d{2,}$")


@dataclass(frozen=True)
class Link:
    """One element an insider can tie to one person (or a finding the config allows)."""

    route: str       # attendance | differencing | quotes
    element: str     # the file (and where in it)
    person: str      # "attendance-sheet person N", or a code when the person stays unknown
    what: str        # what the insider learns
    allowed: bool = False

    def line(self) -> str:
        state = "ALLOWED" if self.allowed else "LINKED"
        return f"{state} [{self.route}] {self.element}: {self.person} - {self.what}"


def _sheet_patterns(attendance: pd.DataFrame) -> dict[str, tuple[frozenset[int], int]]:
    """record_id -> (sessions attended, count), from the raw attendance sheet."""
    sheet = attendance.assign(
        session=pd.to_numeric(attendance["session"], errors="coerce"),
        attended=pd.to_numeric(attendance["attended"], errors="coerce").fillna(0),
    )
    patterns = {}
    for record_id, rows in sheet.groupby(sheet["record_id"].astype(str), sort=True):
        sessions = frozenset(int(s) for s in rows.loc[rows["attended"] > 0, "session"].dropna())
        patterns[record_id] = (sessions, len(sessions))
    return patterns


def _code_column(frame: pd.DataFrame) -> str | None:
    for position, column in enumerate(frame.columns):
        # by position: a table may repeat a column name (a wide table of several outcomes)
        values = frame.iloc[:, position].dropna().astype(str)
        if len(values) and values.map(lambda v: bool(ANY_CODE.match(v))).all():
            return column
    return None


def _shown_attendance(frame: pd.DataFrame, code: str) -> dict[str, tuple[str, object]]:
    """code -> ("pattern", sessions) or ("count", n) when the table shows attendance by code."""
    shown: dict[str, tuple[str, object]] = {}
    columns = {c.casefold(): c for c in frame.columns}
    if "session" in columns and "attended" in columns:
        table = frame.assign(attended=pd.to_numeric(frame[columns["attended"]], errors="coerce"))
        for value, rows in table.groupby(frame[code].astype(str)):
            sessions = frozenset(int(s) for s in pd.to_numeric(
                rows.loc[rows["attended"] > 0, columns["session"]], errors="coerce").dropna())
            shown[value] = ("pattern", sessions)
        return shown
    for name in ("sessions_attended", "sessions", "attendance"):
        if name in columns:
            counts = pd.to_numeric(frame[columns[name]], errors="coerce")
            for value, count in zip(frame[code].astype(str), counts, strict=True):
                if pd.notna(count):
                    shown[value] = ("count", int(count))
    return shown


_ROW = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def html_tables(text: str) -> list[pd.DataFrame]:
    """The tables of an HTML page as frames of cell text (first row: the header).

    >>> html_tables("<table><tr><th>Parent</th><th>Sessions</th></tr>"
    ...             "<tr><td>P01</td><td>8</td></tr></table>")[0].values.tolist()
    [['P01', '8']]
    """
    tables = []
    for table in re.findall(r"<table\b.*?</table>", text, re.S | re.I):
        rows = [[html.unescape(_TAGS.sub("", c)).strip() for c in _CELL.findall(r)]
                for r in _ROW.findall(table)]
        rows = [r for r in rows if r]
        if len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows):
            tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


def _elements(results_dir: Path, processed_dir: Path) -> list[tuple[str, pd.DataFrame]]:
    """Every shared table: results CSVs, HTML report tables, and the data a figure shows with
    codes (the attendance grid draws data/processed/<site>/attendance.csv)."""
    elements = []
    for path in sorted(results_dir.rglob("*.csv")):
        elements.append((path.relative_to(results_dir.parent).as_posix(), read_csv_text(path)))
    for path in sorted(results_dir.rglob("*.html")):
        for number, table in enumerate(html_tables(path.read_text(encoding="utf-8")), 1):
            elements.append((f"{path.relative_to(results_dir.parent).as_posix()} table {number}",
                             table))
    svg = results_dir / "figures" / "attendance.svg"
    data = processed_dir / "attendance.csv"
    if svg.is_file() and data.is_file():
        labels = set(re.findall(r">\s*([PQ]\d{2,})\s*<", svg.read_text(encoding="utf-8")))
        if labels:  # the grid labels its rows with codes: its data is shown
            elements.append((f"{svg.relative_to(results_dir.parent).as_posix()} (figure data)",
                             read_csv_text(data)))
    return elements


def _attendance_links(elements, sheet, people) -> tuple[list[Link], dict[str, str]]:
    links, known = [], {}
    for name, frame in elements:
        frame = frame.loc[:, ~frame.columns.duplicated()]  # a repeated header: its first column
        code = _code_column(frame)
        if code is None:
            continue
        for value, (kind, shown) in _shown_attendance(frame, code).items():
            matches = [r for r, (sessions, count) in sheet.items()
                       if (sessions if kind == "pattern" else count) == shown]
            if len(matches) == 1:
                known[value] = people[matches[0]]
                links.append(Link("attendance", name, people[matches[0]],
                                  f"code {value} (its attendance is unique on the sheet)"))
    for name, frame in elements:
        frame = frame.loc[:, ~frame.columns.duplicated()]  # a repeated header: its first column
        code = _code_column(frame)
        if code is None:
            continue
        values = frame[code].astype(str)
        for value in sorted(set(values) & known.keys()):
            columns = [c for c in frame.columns if c != code]
            links.append(Link("attendance", name, known[value],
                              f"{int((values == value).sum())} row(s) of {', '.join(columns)}"))
    return links, known


def _differencing_links(results_dir: Path, people, leavers: list[str],
                        allowed: bool) -> list[Link]:
    path = results_dir / "sensitivity.csv"
    if not path.is_file():
        return []
    table = read_csv_text(path)
    links = []
    for outcome, rows in table.groupby("outcome", sort=False):
        rows = rows.set_index("sample")
        if not {"completers", "all_with_data"} <= set(rows.index):
            continue
        small, large = rows.loc["completers"], rows.loc["all_with_data"]
        n_small, n_large = int(float(small["n_pairs"])), int(float(large["n_pairs"]))
        mean_small = pd.to_numeric(pd.Series([small["mean_change"]]), errors="coerce")[0]
        mean_large = pd.to_numeric(pd.Series([large["mean_change"]]), errors="coerce")[0]
        if n_large - n_small != 1 or pd.isna(mean_small) or pd.isna(mean_large):
            continue
        value = n_large * mean_large - n_small * mean_small
        # the one early leaver with data: the insider knows the early leavers from the sheet
        person = (people[leavers[0]] if len(leavers) == 1
                  else f"one of the {len(leavers)} early leavers")
        links.append(Link("differencing", f"{path.relative_to(results_dir.parent).as_posix()} "
                          f"({outcome})", person,
                          f"own change on {outcome} = {value:.3g} "
                          f"({n_large} x mean - {n_small} x mean)", allowed))
    return links


def _quote_links(results_dir: Path) -> list[Link]:
    quotes_path, cases_path = results_dir / "quotes.csv", results_dir / "joint_display_cases.csv"
    themes_path = results_dir / "themes.csv"
    if not quotes_path.is_file() or not cases_path.is_file():
        return []
    quotes, cases = read_csv_text(quotes_path), read_csv_text(cases_path)
    if quotes.empty or cases.empty:
        return []
    case_codes = set(cases["pseudonym"].astype(str))
    names = (dict(zip(*(read_csv_text(themes_path)[c] for c in ("theme_id", "name")),
                      strict=True)) if themes_path.is_file() else {})
    present = {str(r["pseudonym"]): {t.strip() for t in str(r.get("themes_present", "")).split(";")
                                     if t.strip()}
               for r in cases.to_dict("records")}
    links = []
    for code, rows in quotes.groupby(quotes["pseudonym"].astype(str), sort=True):
        element = f"{quotes_path.relative_to(results_dir.parent).as_posix()} ({len(rows)} quote(s))"
        if code in case_codes:
            links.append(Link("quotes", element, f"the speaker of {code}",
                              "the same code labels the case-level scores: recognising the "
                              "words gives them"))
            continue
        quoted = {names.get(t, t) for t in rows["theme_id"].astype(str)}
        fits = [case for case, themes in present.items() if quoted <= themes]
        if len(fits) == 1:
            links.append(Link("quotes", element, f"the speaker of {code}",
                              f"only case {fits[0]} has every quoted theme: its scores"))
    return links


def motivated_intruder(*, attendance_path: Path, results_dir: Path, processed_dir: Path,
                       config: Mapping) -> list[Link]:
    """Everything an insider holding the attendance sheet can tie to one person (see the
    module docstring). ``config`` is the site's study config (``analysis.min_cell_size``,
    ``analysis.early_leavers_in_tables``, ``completer_min_sessions``)."""
    attendance = read_csv_text(Path(attendance_path))
    sheet = _sheet_patterns(attendance)
    order = list(dict.fromkeys(attendance["record_id"].astype(str)))
    people = {r: f"attendance-sheet person {order.index(r) + 1}" for r in sheet}
    threshold = int(config.get("completer_min_sessions") or 0)
    leavers = [r for r, (_, count) in sheet.items() if count < threshold]
    analysis = config.get("analysis") or {}
    elements = _elements(Path(results_dir), Path(processed_dir))
    links, _ = _attendance_links(elements, sheet, people)
    links += _differencing_links(Path(results_dir), people, leavers,
                                 bool(analysis.get("early_leavers_in_tables", False)))
    links += _quote_links(Path(results_dir))
    return links
