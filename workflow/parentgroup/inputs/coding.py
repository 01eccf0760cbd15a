"""Coded interview excerpts from a QDA export, mapped to the study's themes and verified.

Formats (``site_cfg["coding"]["format"]``; ``auto`` detects by extension and header):

- ``csv``: the pipeline's own excerpt CSV, ``record_id, theme, excerpt`` with optional
  ``code, start, end`` (offsets into the transcript as read, ``\\n`` line endings, end
  exclusive);
- ``qualcoder``: QualCoder's coding report CSV (``utf-8-sig``; ``File`` or ``Case``, ``Coder``,
  ``Coded``, ``Id``, ``Codename``, ``Coded_Memo``, ``Category`` ...); the file stem or case name
  is the record_id;
- ``taguette``: Taguette's highlights CSV (``id, document, tag, content``);
- ``refi_qda``: a REFI-QDA ``.qdpx`` project (NVivo, MAXQDA, ATLAS.ti, QualCoder), read by
  :mod:`parentgroup.inputs.refi_qda`.

A code belongs to a theme when ``config["code_map"]`` names it (code name or path
``Parent/Child``, case-insensitive) or when its name, or the name of a code above it, is a theme
id or theme name of ``config["themes"]``. In the plain CSV the ``theme`` column names a theme:
a value that is no theme of the config (nor mapped by ``code_map``) is an error naming the row,
the value, the known theme ids and the nearest one (a typo such as ``calm_mornings`` would
otherwise leave ``calmer_mornings`` without its excerpts). Codes of a QDA export that reach no
theme are listed once each in a warning (with the nearest theme); their excerpts are kept with
``theme == ""`` (reported, never used by later stages).

Every excerpt is checked against the transcript: with offsets, ``text[start:end]`` must equal
the excerpt (whitespace-insensitive); without, the excerpt is located in the transcript and the
offsets filled in. Anything that does not match is never silently used: an excerpt found
nowhere, and a REFI-QDA selection the reader refuses, is left out and recorded as an exclusion
of its parent (``input_exclusions.csv``, the participant flow), and a parent left with no
excerpt at all gets an exclusion row of its own. Excerpt text is identifiable and is never
echoed in a problem or an exclusion.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import read_csv_text
from parentgroup.inputs.refi_qda import EXCLUSION_REASONS, read_qdpx, squeeze_whitespace
from parentgroup.problems import WARNING, InputProblem, data_row, nearest

log = logging.getLogger(__name__)

CODING_COLUMNS = ["record_id", "theme", "code", "excerpt", "source", "start", "end"]
#: How the offsets of each source of a REFI-QDA project were read (no text, no names).
OFFSET_COLUMNS = ["file", "source", "origin_declares", "unit", "line_endings", "bom",
                  "selections", "used", "refused", "evidence"]
FORMATS = ("csv", "qualcoder", "taguette", "refi_qda")
TAGUETTE_COLUMNS = {"id", "document", "tag", "content"}
_SEPARATORS = re.compile(r"\s*(?:/|\\|>)\s*")


def empty_coding() -> pd.DataFrame:
    """The coded-excerpt table with no rows (a site without coding)."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in CODING_COLUMNS})
    frame["start"] = frame["start"].astype("Int64")
    frame["end"] = frame["end"].astype("Int64")
    return frame


# ----------------------------------------------------------------------------- themes


def _key(text: str) -> str:
    """Comparison form of a code or theme name: case-folded, ``_``/``-`` as spaces, squeezed."""
    return " ".join(re.sub(r"[_\-]+", " ", str(text)).casefold().split())


def split_code_path(text: str) -> tuple[str, ...]:
    """``"Parent/Child"`` (or ``Parent > Child``, ``Parent\\Child``) as its parts."""
    return tuple(p.strip() for p in _SEPARATORS.split(str(text).strip()) if p.strip())


@dataclass
class ThemeMatcher:
    """Maps QDA code paths to the theme ids of ``config["themes"]``.

    Order of precedence for a path ``(A, B, C)``: ``code_map`` entry for ``A/B/C``, for ``C``;
    ``C`` is a theme id or name; then the same for ``A/B`` and ``B``, then ``A`` (a code under a
    theme-named or mapped parent belongs to that theme).
    """

    config: dict
    problems: list[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        themes = self.config.get("themes") or []
        self.theme_ids = [t["id"] for t in themes]
        self.by_name: dict[str, str] = {}
        for theme in themes:
            self.by_name.setdefault(_key(theme["id"]), theme["id"])
        for theme in themes:
            self.by_name.setdefault(_key(theme.get("name", "")), theme["id"])
        self.code_map: dict[str, str] = {}
        self.raw_keys: dict[str, str] = {}
        for raw_key, theme_id in sorted((self.config.get("code_map") or {}).items()):
            if theme_id not in self.theme_ids:
                self.problems.append(
                    InputProblem(
                        "config.yaml",
                        None,
                        "code_map",
                        f"{raw_key}: {theme_id}",
                        "code_map values that are theme ids of config themes "
                        f"({', '.join(self.theme_ids) or 'none configured'})",
                    )
                )
                continue
            path_key = "/".join(_key(p) for p in split_code_path(raw_key))
            self.code_map[path_key] = theme_id
            self.raw_keys[path_key] = raw_key

    def unmatched_keys(self, paths: list[tuple[str, ...]], label: str) -> list[InputProblem]:
        """A warning for each ``code_map`` key that names no code of the export (by its full
        path or by its own name), so a misspelt key does not silently map nothing."""
        seen: set[str] = set()
        for path in paths:
            parts = [p for p in path if str(p).strip()]
            for depth in range(1, len(parts) + 1):
                seen.add("/".join(_key(p) for p in parts[:depth]))
                seen.add(_key(parts[depth - 1]))
        return [
            InputProblem(
                "config.yaml", None, "code_map", self.raw_keys[key],
                f"a code_map key naming a code of {label} (no code has this name or path; "
                "check its spelling and the Parent/Child path)",
                WARNING,
            )
            for key in sorted(self.code_map)
            if key not in seen
        ]

    def nearest(self, given: str) -> str:
        """``"; did you mean 'calmer_mornings'?"`` for the theme whose id or name is closest
        to ``given`` (difflib, ratio >= 0.6), else ``""``."""
        leaf = split_code_path(given)[-1] if split_code_path(given) else str(given)
        close = nearest(_key(leaf), self.by_name)
        return f"; did you mean {self.by_name[close]!r}?" if close else ""

    def theme_for(self, path: tuple[str, ...]) -> str:
        """The theme id a code path belongs to, or ``""``."""
        parts = [p for p in path if str(p).strip()]
        for depth in range(len(parts), 0, -1):
            prefix = parts[:depth]
            full = "/".join(_key(p) for p in prefix)
            leaf = _key(prefix[-1])
            for hit in (self.code_map.get(full), self.code_map.get(leaf), self.by_name.get(leaf)):
                if hit:
                    return hit
        return ""


# ----------------------------------------------------------------------------- locating


#: Quote characters read as their plain form when an excerpt is compared with its transcript.
QUOTE_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "`": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
})

#: How an excerpt matched its transcript (the first that holds).
EXACT, WHITESPACE, FOLDED = "exact", "whitespace", "accents, case or quotes"


def fold_text(text: str) -> str:
    """The comparison form of a piece of text: curly quotes straight, accents removed (NFKD
    without combining marks), case-folded.

    >>> print(fold_text("Zoë’s “Café”"))
    zoe's "cafe"
    """
    out = []
    for char in str(text).translate(QUOTE_FOLD):
        decomposed = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)).casefold())
    return "".join(out)


class TranscriptIndex:
    """A transcript with its whitespace squeezed (and a folded copy: accents, case, quotes),
    for whitespace-insensitive and normalised search; every position maps back to the text."""

    def __init__(self, text: str):
        self.text = text
        chars: list[str] = []
        where: list[int] = []
        folded: list[str] = []
        folded_where: list[int] = []
        previous_end = None
        for match in re.finditer(r"\S+", text):
            if previous_end is not None:
                chars.append(" ")
                where.append(previous_end)
                folded.append(" ")
                folded_where.append(previous_end)
            word = match.group()
            chars.extend(word)
            where.extend(range(match.start(), match.end()))
            if word.isascii():
                # the common case, one character to one: fold_text of an ASCII character is
                # its QUOTE_FOLD translation lower-cased (a fifth of the time of char by char)
                folded.append(word.translate(QUOTE_FOLD).lower())
                folded_where.extend(range(match.start(), match.end()))
            else:
                for offset, char in enumerate(word, start=match.start()):
                    for piece in fold_text(char):
                        folded.append(piece)
                        folded_where.append(offset)
            previous_end = match.end()
        self.squeezed = "".join(chars)
        self.where = where
        self.folded = "".join(folded)
        self.folded_where = folded_where

    @staticmethod
    def _find_all(haystack: str, needle: str) -> list[int]:
        hits = []
        at = haystack.find(needle)
        while at != -1:
            hits.append(at)
            at = haystack.find(needle, at + 1)
        return hits

    def locate(
        self, excerpt: str, near: int | None = None, fold: bool = False
    ) -> tuple[int, int] | None:
        """``(start, end)`` of the excerpt in the original text (nearest to ``near``), or None;
        with ``fold`` also when it differs only by accents, case or quote characters.

        >>> TranscriptIndex("Parent: I  stop\\nand wonder.").locate("stop and wonder")
        (11, 26)
        >>> TranscriptIndex("Parent: Zoë’s CAFÉ.").locate("zoe's cafe", fold=True)
        (8, 18)
        """
        needle = squeeze_whitespace(excerpt)
        haystack, where = self.squeezed, self.where
        if fold:
            needle = squeeze_whitespace(fold_text(needle))
            haystack, where = self.folded, self.folded_where
        if not needle:
            return None
        hits = self._find_all(haystack, needle)
        if not hits:
            return None
        spans = [(where[h], where[h + len(needle) - 1] + 1) for h in hits]
        if near is None:
            return spans[0]
        return min(spans, key=lambda s: (abs(s[0] - near), s[0]))

    def find(self, excerpt: str, near: int | None = None) -> tuple[tuple[int, int], str] | None:
        """The excerpt's span and how it matched (:data:`EXACT`, :data:`WHITESPACE` or
        :data:`FOLDED`), or None when it does not occur even after normalising."""
        found = self.locate(excerpt, near)
        if found is not None:
            exact = self.text[found[0] : found[1]] == str(excerpt).strip()
            return found, EXACT if exact else WHITESPACE
        found = self.locate(excerpt, near, fold=True)
        return (found, FOLDED) if found is not None else None

    def matches(self, excerpt: str, start: int, end: int) -> bool:
        """Is ``text[start:end]`` the excerpt (whitespace-insensitive)?"""
        if not 0 <= start < end <= len(self.text):
            return False
        return squeeze_whitespace(self.text[start:end]) == squeeze_whitespace(excerpt)


# ----------------------------------------------------------------------------- readers


@dataclass
class _Row:
    """One coded excerpt as read, before checks."""

    key: str  # what the export calls the document / case
    paths: list[tuple[str, ...]]  # code paths to try, first = the reported code
    code: str
    excerpt: str
    source: str
    where: str  # row or selection label for problems
    row: int | None
    start: int | None = None
    end: int | None = None
    offsets_verified: bool = False  # refi_qda: excerpt already matched its QDA source text
    alt_keys: tuple[str, ...] = ()
    theme_given: str = ""


def _stem(name: str) -> str:
    """A document name without a known file extension."""
    name = str(name).strip()
    suffix = Path(name).suffix.casefold()
    if suffix in {".txt", ".docx", ".doc", ".rtf", ".pdf", ".odt", ".htm", ".html", ".md"}:
        return name[: -len(suffix)]
    return name


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.casefold() in {".xlsx", ".xls"}:
        frame = pd.read_excel(path, dtype=str).fillna("")
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame.apply(lambda col: col.astype(str).str.strip())
    return read_csv_text(path)


def detect_format(path: Path, columns: list[str] | None = None) -> str | None:
    """The coding format from the extension and, for tables, the header; None if unknown."""
    suffix = Path(path).suffix.casefold()
    if suffix == ".qdpx":
        return "refi_qda"
    if columns is None:
        return None
    lowered = {c.casefold() for c in columns}
    if TAGUETTE_COLUMNS <= lowered:
        return "taguette"
    if {"codename", "coded"} <= lowered and ({"file", "case"} & lowered):
        return "qualcoder"
    if {"record_id", "excerpt"} <= lowered and ({"theme", "code"} & lowered):
        return "csv"
    return None


def _int_or_none(value: str) -> tuple[int | None, bool]:
    value = str(value).strip()
    if value == "":
        return None, True
    try:
        number = float(value)
    except ValueError:
        return None, False
    if number != int(number) or number < 0:
        return None, False
    return int(number), True


def _rows_csv(frame: pd.DataFrame, label: str, problems: list[InputProblem]) -> list[_Row]:
    frame = frame.rename(columns={c: c.casefold() for c in frame.columns})
    rows = []
    for index, record in frame.iterrows():
        row = data_row(index)
        offsets = []
        for column in ("start", "end"):
            number, ok = _int_or_none(record.get(column, ""))
            if not ok:
                problems.append(
                    InputProblem(
                        label,
                        row,
                        column,
                        record.get(column),
                        "a character offset (whole number >= 0) or empty",
                    )
                )
            offsets.append(number)
        start, end = offsets
        if (start is None) != (end is None):
            problems.append(
                InputProblem(label, row, "start/end", None, "both start and end, or neither")
            )
            start = end = None
        theme = record.get("theme", "")
        code = record.get("code", "")
        paths = [p for p in (split_code_path(theme), split_code_path(code)) if p]
        rows.append(
            _Row(
                record["record_id"],
                paths,
                code,
                record["excerpt"],
                f"row {row}",
                f"row {row}",
                row,
                start,
                end,
                theme_given=theme,
            )
        )
    return rows


def _rows_qualcoder(frame: pd.DataFrame, label: str) -> list[_Row]:
    lookup = {c.casefold(): c for c in frame.columns}
    categories = [c for c in frame.columns if c.casefold().startswith("category")]
    rows = []
    for index, record in frame.iterrows():
        row = data_row(index)
        keys = []
        if "case" in lookup:
            keys.append(record[lookup["case"]])
        for column in ("file", "filename if case"):
            if column in lookup:
                keys.append(_stem(record[lookup[column]]))
        keys = [k for k in keys if k]
        code = record[lookup["codename"]]
        cats = tuple(record[c] for c in categories if record[c])
        paths = [(*cats, code), (*reversed(cats), code)] if cats else [(code,)]
        rows.append(
            _Row(
                keys[0] if keys else "",
                paths,
                "/".join(paths[0]),
                record[lookup["coded"]],
                f"row {row}",
                f"row {row}",
                row,
                alt_keys=tuple(keys[1:]),
            )
        )
    return rows


def _rows_taguette(frame: pd.DataFrame, label: str) -> list[_Row]:
    lookup = {c.casefold(): c for c in frame.columns}
    rows = []
    for index, record in frame.iterrows():
        row = data_row(index)
        tag = record[lookup["tag"]]
        paths = [split_code_path(tag), tuple(p.strip() for p in tag.split(".") if p.strip())]
        rows.append(
            _Row(
                _stem(record[lookup["document"]]),
                [p for p in paths if p],
                tag,
                record[lookup["content"]],
                f"highlight {record[lookup['id']]}",
                f"row {row}",
                row,
            )
        )
    return rows


def _rows_refi_qda(
    path: Path, problems: list[InputProblem], origin: str = ""
) -> tuple[list[_Row], dict, list[tuple[str, ...]], list[dict], list[tuple[list[str], dict]]]:
    """The coded excerpts of a REFI-QDA project as rows, the source texts, the code paths, how
    each source's offsets were read, and the refused selections as ``(document keys,
    exclusion)`` (the record_id is filled in by the caller)."""
    project = read_qdpx(path, origin=origin)
    problems += project.problems
    for choice in project.offset_choices:
        log.info(
            "%s source %d: offsets counted in %s, %s, %s (%s; %d of %d selections used)",
            path.name, choice["source"], choice["unit"], choice["line_endings"], choice["bom"],
            choice["evidence"], choice["used"], choice["selections"],
        )
    codes = {c.guid: c for c in project.codes}
    sources = {s.guid: s for s in project.sources}
    texts = {}
    rows = []
    for selection in project.selections:
        source = sources[selection.source_guid]
        keys = [k for k in (_stem(source.name), source.case) if k]
        texts[selection.source_guid] = source.text
        for code_guid in selection.code_guids:
            code = codes[code_guid]
            rows.append(
                _Row(
                    keys[0] if keys else "",
                    [code.path],
                    code.path_text,
                    selection.text,
                    f"selection {selection.guid}",
                    f"selection {selection.guid}",
                    None,
                    selection.start,
                    selection.end,
                    offsets_verified=True,
                    alt_keys=tuple(keys[1:]),
                )
            )
    refused = []
    for item in project.refused:
        source = sources[item.source_guid]
        keys = [k for k in (_stem(source.name), source.case) if k]
        refused.append((keys, {
            "stage": "coding", "file": path.name, "row": item.where,
            "column": "PlainTextSelection", "reason": EXCLUSION_REASONS[item.reason],
        }))
    return rows, texts, [code.path for code in project.codes], project.offset_choices, refused


# ----------------------------------------------------------------------------- the reader


def read_coding(
    path: Path | None,
    site_cfg: dict,
    transcripts: dict[str, str],
    config: dict,
    roster: pd.DataFrame,
    exclusions: list[dict] | None = None,
    offset_choices: list[dict] | None = None,
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read the site's coded excerpts: columns ``record_id, theme, code, excerpt, source, start,
    end`` (``start``/``end`` nullable integers into the record's transcript) and the problems.

    ``path`` None (config ``coding: {file: ""}``) means a site without coding: an empty table,
    no problem. A configured file that does not exist is an error. An excerpt that does not
    occur in its transcript, even after normalising whitespace, accents, case and quote
    characters, is left out and recorded in ``exclusions`` (dicts with the columns of
    ``input_exclusions``: stage, file, row, column, reason, record_id); so is every selection
    of a REFI-QDA project the reader refuses (row ``source N at start..end``, column
    ``PlainTextSelection``, reason from :data:`parentgroup.inputs.refi_qda.EXCLUSION_REASONS`),
    and a parent who had coded excerpts but has none left gets one more row
    (:data:`NO_EXCERPT_LEFT`) and a warning counts them. The run stops only when no excerpt is
    left. For a REFI-QDA project, how each source's offsets were read is appended to
    ``offset_choices`` (:data:`OFFSET_COLUMNS`); ``site_cfg["coding"]["origin"]`` names the
    exporting tool when the project's own origin does not. Rows are sorted by record_id,
    start, end, theme, code.
    """
    if path is None:
        return empty_coding(), []
    path = Path(path)
    label = path.name
    if not path.is_file():
        return empty_coding(), [InputProblem(
            label, None, None, None,
            "the coding export named in config coding.file, in the site's data_dir (the file "
            "does not exist); for a site without coding set coding: {file: ''}",
        )]
    problems: list[InputProblem] = []
    matcher = ThemeMatcher(config)
    problems += matcher.problems
    wanted = ((site_cfg.get("coding") or {}).get("format") or "auto").casefold()

    if path.suffix.casefold() == ".qdc":
        problems.append(
            InputProblem(
                label,
                None,
                None,
                None,
                "coded excerpts: a .qdc codebook holds codes only; export the project "
                "as .qdpx or the coded segments as CSV",
            )
        )
        return empty_coding(), problems

    frame = None
    if wanted in ("auto", "csv", "qualcoder", "taguette") and path.suffix.casefold() != ".qdpx":
        try:
            frame = _read_table(path)
        except Exception as exc:  # pandas raises several kinds on a malformed table
            problems.append(InputProblem(label, None, None, None, f"a readable CSV table ({exc})"))
            return empty_coding(), problems
    detected = detect_format(path, None if frame is None else list(frame.columns))
    fmt = detected if wanted == "auto" else wanted
    if fmt not in FORMATS:
        problems.append(
            InputProblem(
                label,
                1,
                None,
                None,
                "a coding export: .qdpx, or a CSV with the header record_id, theme, excerpt "
                "(plain), File/Case, Coded, Codename (QualCoder) or id, document, tag, content "
                "(Taguette)",
            )
        )
        return empty_coding(), problems
    if wanted != "auto" and detected is not None and detected != fmt:
        log.warning("%s looks like %s but format %s is configured", label, detected, fmt)

    qda_texts: dict[str, str] = {}
    known_codes: list[tuple[str, ...]] = []
    refused: list[tuple[list[str], dict]] = []
    if fmt == "refi_qda":
        origin = str((site_cfg.get("coding") or {}).get("origin") or "")
        rows, qda_texts, known_codes, choices, refused = _rows_refi_qda(path, problems, origin)
        if offset_choices is not None:
            offset_choices += [{"file": label, **choice} for choice in choices]
    else:
        required = {
            "csv": ["record_id", "excerpt"],
            "qualcoder": ["codename", "coded"],
            "taguette": sorted(TAGUETTE_COLUMNS),
        }[fmt]
        lowered = {c.casefold() for c in frame.columns}
        missing = [c for c in required if c not in lowered]
        if fmt == "csv" and not ({"theme", "code"} & lowered):
            missing.append("theme")
        if missing:
            for column in missing:
                problems.append(
                    InputProblem(label, 1, column, None, f"a column {column!r} ({fmt} format)")
                )
            return empty_coding(), problems
        if fmt == "csv":
            rows = _rows_csv(frame, label, problems)
        elif fmt == "qualcoder":
            rows = _rows_qualcoder(frame, label)
        else:
            rows = _rows_taguette(frame, label)

    for item in rows:
        known_codes += item.paths
    problems += matcher.unmatched_keys(known_codes, label)
    excluded: list[dict] = []
    records = _check_rows(rows, label, transcripts, roster, matcher, problems, excluded)
    if excluded and not records:
        problems.append(InputProblem(
            label, None, "excerpt", None,
            f"coded excerpts that occur in their transcripts; none of the {len(excluded)} does, "
            "so the qualitative strand would be empty (are the transcripts the versions that "
            "were coded?)",
        ))
    record_id_of = _record_id_lookup(roster)
    for keys, exclusion in refused:
        # a selection the REFI-QDA reader refused: recorded with its parent, like a missing one
        excluded.append({**exclusion, "record_id": record_id_of(keys) or ""})
    excluded += _parents_left_without_excerpts(excluded, records, label, problems)
    if exclusions is not None:
        exclusions += excluded
    if not records:
        return empty_coding(), problems
    out = pd.DataFrame(records, columns=CODING_COLUMNS)
    out["start"] = out["start"].astype("Int64")
    out["end"] = out["end"].astype("Int64")
    out = out.sort_values(
        ["record_id", "start", "end", "theme", "code", "source"],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    log.info("%d coded excerpt row(s) read from %s (%s)", len(out), label, fmt)
    return out, problems


#: The exclusion reason of a coded excerpt that is not in its transcript (participant flow).
NOT_IN_TRANSCRIPT = "coded excerpt not found in its transcript"
#: The exclusion reason of a parent whose coded excerpts were all left out (one row a parent).
NO_EXCERPT_LEFT = "parent whose coded excerpts were all left out"
_SHOWN = 3


def _record_id_lookup(roster: pd.DataFrame):
    """A function from document or case names (tried in order) to the roster record_id they
    name (exactly, else case-insensitively when that is unique), or None."""
    ids = [str(r).strip() for r in roster.get("record_id", pd.Series(dtype=str))]
    exact = set(ids)
    folded: dict[str, list[str]] = {}
    for rid in ids:
        folded.setdefault(rid.casefold(), []).append(rid)

    def record_id_of(keys: list[str]) -> str | None:
        for key in keys:
            key = str(key).strip()
            if key in exact:
                return key
            if len(folded.get(key.casefold(), [])) == 1:
                return folded[key.casefold()][0]
        return None

    return record_id_of


def _parents_left_without_excerpts(excluded: list[dict], records: list[dict], label: str,
                                   problems: list[InputProblem]) -> list[dict]:
    """One exclusion row per parent who had coded excerpts in this file and has none left (all
    not found or refused), and one warning counting them (no record_id: the exclusions carry
    the parent, pseudonymised), so such a parent does not pass for one with usable coding."""
    kept = {r["record_id"] for r in records}
    lost = sorted({e["record_id"] for e in excluded if e["record_id"]} - kept)
    if not lost:
        return []
    if records:  # with none left at all, the error that the strand is empty says it
        problems.append(InputProblem(
            label, None, "excerpt", None,
            f"usable coded excerpts for every parent whose interview was coded; {len(lost)} "
            f"parent(s) have no coded excerpt left (each one was not found or refused): "
            f"recorded as exclusions '{NO_EXCERPT_LEFT}', so the participant flow shows them",
            WARNING,
        ))
    return [{"stage": "coding", "file": label, "row": "", "column": "excerpt",
             "reason": NO_EXCERPT_LEFT, "record_id": rid} for rid in lost]


def _grouped(label: str, column: str, where: list[str], expected: str) -> InputProblem:
    """One warning for many excerpts: the count and the first few locations."""
    first = ", ".join(where[:_SHOWN]) + (", ..." if len(where) > _SHOWN else "")
    return InputProblem(label, None, column, None, f"{expected} ({len(where)}: {first})", WARNING)


def _check_rows(rows, label, transcripts, roster, matcher, problems, excluded) -> list[dict]:
    record_id_of = _record_id_lookup(roster)
    indexes: dict[str, TranscriptIndex] = {}
    unmapped: dict[str, int] = {}
    no_transcript: dict[str, list[str]] = {}
    unknown_themes: dict[str, list[_Row]] = {}
    normalised: dict[str, list[str]] = {WHITESPACE: [], FOLDED: []}
    moved: list[str] = []
    missing: list[str] = []
    unknown: dict[str, list[str]] = {}
    records = []
    for item in rows:
        record_id = record_id_of([item.key, *item.alt_keys])
        if record_id is None:
            # one line per unknown document or case (its name hidden), not one per excerpt
            unknown.setdefault(item.key, []).append(item.where)
            continue
        if not squeeze_whitespace(item.excerpt):
            problems.append(InputProblem(label, item.row, "excerpt", None, "a non-empty excerpt"))
            continue
        theme = ""
        for code_path in item.paths:
            theme = matcher.theme_for(code_path)
            if theme:
                break
        if not theme and item.theme_given:
            # the plain CSV's theme column names a theme: one the config does not know is a
            # typo, and its excerpts would silently leave the theme empty
            unknown_themes.setdefault(item.theme_given, []).append(item)
            continue
        if not theme:
            shown = "/".join(item.paths[0]) if item.paths else ""
            unmapped[shown] = unmapped.get(shown, 0) + 1

        start, end = item.start, item.end
        text = transcripts.get(record_id)
        if text is None:
            no_transcript.setdefault(record_id, []).append(item.where)
            excerpt_text = item.excerpt
        else:
            index = indexes.setdefault(record_id, TranscriptIndex(text))
            if start is None or not index.matches(item.excerpt, start, end):
                found = index.find(item.excerpt, near=start)
                if found is None:
                    missing.append(item.where)
                    excluded.append({
                        "stage": "coding", "file": label, "row": item.row or "",
                        "column": "excerpt", "reason": NOT_IN_TRANSCRIPT,
                        "record_id": record_id,
                    })
                    continue
                (start_found, end_found), how = found
                if item.start is not None and not item.offsets_verified:
                    moved.append(item.where)
                if how != EXACT:
                    normalised[how].append(item.where)
                start, end = start_found, end_found
            excerpt_text = text[start:end]
        records.append(
            {
                "record_id": record_id,
                "theme": theme,
                "code": item.code,
                "excerpt": excerpt_text,
                "source": item.source,
                "start": start,
                "end": end,
            }
        )
    for record_id, where in no_transcript.items():
        # located by the rows that code it: the record id is an identifier (shared outputs)
        first = ", ".join(where[:_SHOWN]) + (", ..." if len(where) > _SHOWN else "")
        problems.append(InputProblem(
            label, None, "record_id", record_id,
            "a transcript for every coded record (none found: its excerpts cannot be checked "
            f"against the interview text; {len(where)} excerpt(s): {first})",
            WARNING, sensitive=True,
        ))
    for number, (key, where) in enumerate(unknown.items(), start=1):
        first = ", ".join(where[:_SHOWN]) + (", ..." if len(where) > _SHOWN else "")
        problems.append(InputProblem(
            label, None, "record_id", key,
            f"a record_id from roster.csv as the file, document or case name of the coded "
            f"transcript, never a name (unknown name {number} of {len(unknown)}, "
            f"{len(where)} excerpt(s): {first})",
            sensitive=True,
        ))
    if missing:
        problems.append(_grouped(
            label, "excerpt", missing,
            "coded excerpts that occur in their transcripts (also after normalising "
            "whitespace, accents, case and quote characters); these are left out and recorded "
            f"as exclusions '{NOT_IN_TRANSCRIPT}'",
        ))
    if moved:
        problems.append(_grouped(
            label, "start/end", moved,
            "start/end offsets at the excerpt; these excerpts were found elsewhere in their "
            "transcript and are used at the place found",
        ))
    for how in (WHITESPACE, FOLDED):
        if normalised[how]:
            problems.append(_grouped(
                label, "excerpt", normalised[how],
                f"excerpts as written in their transcripts; these match only after normalising "
                f"{how} and are used with the transcript's own text",
            ))
    for given, items in sorted(unknown_themes.items()):
        where = [item.where for item in items]
        first = ", ".join(where[:_SHOWN]) + (", ..." if len(where) > _SHOWN else "")
        problems.append(InputProblem(
            label, items[0].row, "theme", given,
            f"a theme id of the config ({', '.join(matcher.theme_ids) or 'none configured'}) "
            f"or a code that config code_map maps to one{matcher.nearest(given)} "
            f"({len(where)} excerpt(s): {first})",
        ))
    for code in sorted(unmapped):
        problems.append(
            InputProblem(
                label,
                None,
                "code",
                code,
                f"a code that maps to a theme{matcher.nearest(code)} (add it to config "
                f"code_map; its {unmapped[code]} excerpt(s) are kept with an empty theme and not "
                "used)",
                WARNING,
            )
        )
    return records
