"""The leak check: an independent scanner for roster identifiers in every shared output.

It shares no code and no patterns with the redactor (``parentgroup.anonymisation``): the
redactor finds and replaces names in interview text; this module takes every identifier the
study knows (the raw roster and the site's staff, school and town names) and looks for each of
them, and their variants, in every file the workflow wrote outside ``data/raw/`` and the secure
directory. A hit names the participant's pseudonym (or roster row), the field, the file and the
offset in the scanned view, and NEVER the identifier itself, so the failure message is safe to
show in a CI log.

Matching works on *views* of each file, all normalised (NFKC, curly quotes straightened, accents
folded, case folded, whitespace runs collapsed so a name split across a line break is one
phrase): the raw text; for HTML/SVG/XML the text after unescaping entities and removing tags
(so ``O&#39;<b>Neil</b>`` is found); for notebooks every string in the JSON; for PNG the
tEXt/iTXt/zTXt metadata; for PDF the raw bytes and the document-information strings; for SPSS
files the values, labels and variable names; and the file's own relative path. Names are
compared as whole word sequences (n-grams of up to six words); phone numbers, dates of birth,
postcodes and emails are found by their shape, reduced to a canonical form (digits only, 44 ->
0; ISO date; postcode without spaces; lower-case email) and looked up.

Names that are also ordinary words (Grace, May, Will, Hope, ...) are matched only when written
with a capital initial and not as the first word of a sentence; the allow-list in the config
(``anonymisation.leak_allow_list``) suppresses reviewed benign collisions.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

#: First names that are also everyday English words: matched only as capitalised names.
ORDINARY_WORD_NAMES = frozenset(
    """april august autumn bill bob carol chance chip crystal dawn day dean faith fern frank
    gene ginger glen grace grant guy hazel heather holly honor hope iris ivy jack jade jay jewel
    joy june lily mark mark may melody miles will win rose ruby rusty sandy sky summer sunny
    terry victor violet will win""".split()
)
MAX_WORDS = 6
#: Words split at apostrophes and hyphens too, so "Smith-Jones", "O'Neil's" and a file name
#: like "maisie-notes.txt" all expose the name's own words.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PHONE = re.compile(r"(?<![\d])(?:\+|00)?\d[\d\s().-]{7,16}\d(?![\d])")
_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})[/.\-\s](\d{1,2})[/.\-\s](\d{2,4})(?!\d)")
_DATE_COMPACT = re.compile(r"(?<!\d)(\d{8})(?!\d)")
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(),
    start=1)}
_DATE_WORDS = re.compile(
    r"(?<!\w)(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?,?\s+(\d{4})(?!\d)"
)
_POSTCODE = re.compile(r"(?<![a-z0-9])([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})(?![a-z0-9])")
_EMAIL = re.compile(r"[a-z0-9._%+'’-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
#: Embedded images (their own metadata is scanned in the image files themselves).
_BASE64_DATA = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\\n\s]+")
_TEXT_SUFFIXES = {".csv", ".txt", ".md", ".json", ".yaml", ".yml", ".log", ".tsv", ".rst", ".py"}
_MARKUP_SUFFIXES = {".html", ".htm", ".svg", ".xml", ".qde"}


class LeakFound(Exception):
    """Identifiers were found in shared outputs; the message lists only safe locations."""

    user_facing = True


@dataclass(frozen=True)
class Needle:
    """One identifier to look for: where it came from (participant code and field)."""

    participant: str
    field: str
    key: str  # canonical form; never printed
    kind: str  # words | words_capitalised | phone | date | postcode | email | exact


@dataclass(frozen=True)
class LeakHit:
    participant: str
    field: str
    file: str
    offset: int
    view: str

    def safe_line(self) -> str:
        return (
            f"LEAK: {self.participant}, field {self.field}, in {self.file} at offset "
            f"{self.offset} ({self.view} view)"
        )


def fold(text: str) -> str:
    """NFKC, curly quotes straightened, accents removed, case folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return re.sub(r"\s+", " ", text.casefold())


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def canonical_phone(text: str) -> str | None:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    digits = digits.replace("0(0)", "0")
    return digits if 9 <= len(digits) <= 11 else None


def canonical_date(day: int, month: int, year: int) -> str | None:
    if year < 100:
        year += 2000 if year < 50 else 1900
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def build_needles(
    roster: pd.DataFrame, site_cfg: dict, config: dict, linkage_key: pd.DataFrame | None
) -> list[Needle]:
    """Every identifier of the roster and the site config, in canonical form."""
    codes = {}
    if linkage_key is not None and not linkage_key.empty:
        codes = dict(zip(linkage_key["record_id"].astype(str), linkage_key["pseudonym"],
                         strict=True))
    allow = {fold(a) for a in config.get("anonymisation", {}).get("leak_allow_list", [])}
    columns = set(config.get("roster", {}).get("direct_identifiers", []))
    needles: list[Needle] = []

    def add_name(code: str, field: str, value: str, whole_only: bool = False) -> None:
        parts = [] if whole_only else re.split(r"[\s-]+", value)
        for part in [value, *parts]:
            words = _words(part)
            if not words or fold(" ".join(words)) in allow:
                continue
            if len(words) == 1 and len(words[0]) < 3:
                continue
            kind = (
                "words_capitalised"
                if len(words) == 1 and words[0] in ORDINARY_WORD_NAMES
                else "words"
            )
            needles.append(Needle(code, field, " ".join(words), kind))

    for index, row in roster.fillna("").astype(str).iterrows():
        record_id = row.get("record_id", "")
        code = codes.get(record_id, f"roster row {index + 2}")
        if record_id:
            needles.append(Needle(code, "record_id", fold(record_id), "exact"))
        for field in sorted(columns):
            value = row.get(field, "").strip()
            if not value:
                continue
            if field == "email":
                needles.append(Needle(code, field, value.casefold(), "email"))
                local = value.split("@")[0]
                for piece in re.split(r"[._+-]", local):
                    if len(piece) >= 4 and not piece.isdigit():
                        add_name(code, "email local part", piece)
            elif field == "phone":
                phone = canonical_phone(value)
                if phone:
                    needles.append(Needle(code, field, phone, "phone"))
            elif field == "postcode":
                needles.append(Needle(code, field, re.sub(r"\s", "", value.casefold()), "postcode"))
            elif field in {"child_dob"}:
                try:
                    needles.append(Needle(code, field, dt.date.fromisoformat(value).isoformat(),
                                          "date"))
                except ValueError:
                    needles.append(Needle(code, field, fold(value), "exact"))
            else:
                for item in value.split(";"):
                    if item.strip():
                        add_name(code, field, item.strip())
    identifiers = site_cfg.get("identifiers", {})
    for name in identifiers.get("staff", {}):
        add_name("site", "staff", name)
    for field in ("school", "town"):
        # a place name is searched as listed (list every form people use in the config):
        # its words alone ("Learning", "Centre") are ordinary words
        for name in identifiers.get(field, []):
            add_name("site", field, name, whole_only=True)
    return sorted(set(needles), key=lambda n: (n.participant, n.field, n.kind, n.key))


class _Index:
    def __init__(self, needles: Iterable[Needle]):
        self.by_kind: dict[str, dict[str, list[Needle]]] = {}
        for needle in needles:
            self.by_kind.setdefault(needle.kind, {}).setdefault(needle.key, []).append(needle)
        self.exact = sorted(self.by_kind.get("exact", {}))
        self.exact_re = (
            re.compile("|".join(re.escape(k) for k in sorted(self.exact, key=len, reverse=True)))
            if self.exact else None
        )

    def scan(self, text: str) -> list[tuple[Needle, int]]:
        found: list[tuple[Needle, int]] = []
        folded = fold(text)
        words = self.by_kind.get("words", {})
        capitalised = self.by_kind.get("words_capitalised", {})
        matches = list(_WORD.finditer(folded))
        original = list(_WORD.finditer(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))))
        aligned = len(original) == len(matches)
        for i, match in enumerate(matches):
            phrase = ""
            for j in range(i, min(i + MAX_WORDS, len(matches))):
                phrase = matches[j].group() if j == i else f"{phrase} {matches[j].group()}"
                for needle in words.get(phrase, ()):
                    found.append((needle, match.start()))
            for needle in capitalised.get(match.group(), ()):
                if not aligned:
                    continue
                token = original[i].group()
                before = folded[: match.start()].rstrip()
                sentence_start = not before or before[-1] in ".!?:\"'(["
                if token[:1].isupper() and not sentence_start:
                    found.append((needle, match.start()))
        for kind, pattern, canon in (
            ("email", _EMAIL, lambda m: m.group().replace("’", "'")),
            ("postcode", _POSTCODE, lambda m: m.group(1) + m.group(2)),
        ):
            table = self.by_kind.get(kind, {})
            if table:
                for m in pattern.finditer(folded):
                    for needle in table.get(canon(m), ()):
                        found.append((needle, m.start()))
        phones = self.by_kind.get("phone", {})
        if phones:
            for m in _PHONE.finditer(folded):
                for needle in phones.get(canonical_phone(m.group()) or "", ()):
                    found.append((needle, m.start()))
        dates = self.by_kind.get("date", {})
        if dates:
            for m in _DATE_NUMERIC.finditer(folded):
                a, b, c = (int(x) for x in m.groups())
                options = [canonical_date(c, b, a)] if a > 31 else [
                    canonical_date(a, b, c), canonical_date(b, a, c)]
                for key in {o for o in options if o}:
                    for needle in dates.get(key, ()):
                        found.append((needle, m.start()))
            for m in _DATE_COMPACT.finditer(folded):
                s = m.group(1)
                for key in {canonical_date(int(s[6:]), int(s[4:6]), int(s[:4])),
                            canonical_date(int(s[:2]), int(s[2:4]), int(s[4:]))}:
                    for needle in dates.get(key or "", ()):
                        found.append((needle, m.start()))
            for m in _DATE_WORDS.finditer(folded):
                month = _MONTHS.get(m.group(2)) or next(
                    (v for k, v in _MONTHS.items() if k.startswith(m.group(2)[:3])), None)
                if month:
                    key = canonical_date(int(m.group(1)), month, int(m.group(3)))
                    for needle in dates.get(key or "", ()):
                        found.append((needle, m.start()))
        if self.exact_re is not None:
            for m in self.exact_re.finditer(folded):
                before = folded[m.start() - 1] if m.start() else " "
                after = folded[m.end()] if m.end() < len(folded) else " "
                if not (before.isalnum() or after.isalnum()):
                    for needle in self.by_kind["exact"][m.group()]:
                        found.append((needle, m.start()))
        return found


def _strip_markup(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    attributes = " ".join(
        html.unescape(v) for v in re.findall(r"""\b(?:alt|title|content|aria-label)=["']([^"']*)""",
                                              text)
    )
    stripped = html.unescape(re.sub(r"<[^>]+>", "", text))
    return stripped + "\n" + attributes


def _png_text(data: bytes) -> str:
    texts, position = [], 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"tEXt":
            texts.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            texts.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, rest = rest.partition(b"\0")
            value = zlib.decompress(rest) if compressed else rest
            texts.append(key.decode("latin-1") + " " + value.decode("utf-8", "replace"))
        position += 12 + length
    return "\n".join(texts)


def _pdf_text(data: bytes) -> str:
    """Document-information strings and the text operands (Tj/TJ) of every content stream.

    Raw bytes are not scanned: embedded font programs are binary and give false hits on short
    names; the same figure's text is also scanned in its SVG twin.
    """
    raw = data.decode("latin-1")
    parts = re.findall(r"/(?:Title|Author|Subject|Keywords|Creator|Producer)\s*\((.*?)\)", raw)
    streams = [raw]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    for stream in streams:
        for operand in re.findall(r"(\((?:[^()\\]|\\.)*\)|\[[^\]]*\])\s*T[jJ]", stream):
            parts.extend(re.findall(r"\(((?:[^()\\]|\\.)*)\)", operand))
    return "\n".join(parts)


def _sav_text(path: Path) -> str:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path))
    parts = [" ".join(map(str, frame.columns)), " ".join(meta.column_labels or [] if False else
                                                          [str(x) for x in meta.column_labels])]
    for labels in (meta.variable_value_labels or {}).values():
        parts.extend(str(v) for v in labels.values())
    parts.extend(frame.astype(str).to_numpy().ravel().tolist())
    return "\n".join(parts)


def file_views(path: Path, relative: str) -> list[tuple[str, str]]:
    """(view name, text) pairs for one file."""
    views = [("filename", relative)]
    suffix = path.suffix.casefold()
    data = path.read_bytes()
    if suffix == ".png":
        return views + [("png-metadata", _png_text(data))]
    if suffix == ".pdf":
        return views + [("pdf", _pdf_text(data))]
    if suffix == ".sav":
        return views + [("sav", _sav_text(path))]
    text = _BASE64_DATA.sub("data:", data.decode("utf-8", errors="replace"))
    views.append(("text", text))
    if suffix in _MARKUP_SUFFIXES:
        views.append(("markup-unescaped", _strip_markup(text)))
    if suffix == ".ipynb":
        strings: list[str] = []

        def walk(node):
            if isinstance(node, str):
                strings.append(_BASE64_DATA.sub("data:", node))
            elif isinstance(node, list):
                for x in node:
                    walk(x)
            elif isinstance(node, dict):
                for key, x in node.items():
                    if not key.startswith("image/"):
                        walk(x)

        try:
            walk(json.loads(text))
        except json.JSONDecodeError:
            return views
        joined = "".join(strings)
        views += [("notebook-strings", joined), ("notebook-html", _strip_markup(joined))]
    return views


def scan_paths(
    roots: list[Path], needles: list[Needle], exclude: Iterable[Path] = (), base: Path | None = None
) -> tuple[list[LeakHit], dict[str, int]]:
    """Scan every file under ``roots``; returns (hits, files scanned per kind)."""
    index = _Index(needles)
    skip = {Path(p).resolve() for p in exclude}
    base = Path(base or Path.cwd()).resolve()
    hits: list[LeakHit] = []
    counts: dict[str, int] = {}
    files = sorted({p.resolve() for root in roots if Path(root).exists()
                    for p in ([Path(root)] if Path(root).is_file() else Path(root).rglob("*"))
                    if p.is_file()})
    for path in files:
        if path in skip:
            continue
        try:
            relative = str(path.relative_to(base))
        except ValueError:
            relative = str(path)
        kind = path.suffix.casefold() or "(none)"
        counts[kind] = counts.get(kind, 0) + 1
        found = [(view, needle, offset) for view, text in file_views(path, relative)
                 for needle, offset in index.scan(text)]
        shown = relative
        if any(view == "filename" for view, _, _ in found):
            # the path itself identifies someone: never print it
            shown = f"{Path(relative).parent}/<file name withheld, {kind} file>"
        for view, needle, offset in found:
            hits.append(LeakHit(needle.participant, needle.field, shown, offset, view))
    unique = sorted(set(hits), key=lambda h: (h.file, h.view, h.offset, h.participant, h.field))
    return unique, counts


def format_hits(hits: list[LeakHit]) -> str:
    return "\n".join(hit.safe_line() for hit in hits)


def _check(needles: list[Needle], *, rosters: int, roots: list[Path], summary_path: Path,
           exclude: Iterable[Path]) -> int:
    hits, counts = scan_paths(roots, needles, exclude=[*exclude, summary_path])
    lines = [
        f"leak check: {sum(counts.values())} files scanned "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) for {len(needles)} "
        f"identifier forms of {rosters} roster rows and the site's staff, school and town",
        f"hits: {len(hits)}",
        *(hit.safe_line() for hit in hits),
    ]
    Path(summary_path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if hits:
        raise LeakFound(
            f"{len(hits)} identifier(s) found in shared outputs; the run is stopped. "
            "Fix the redaction (or review the allow-list) and rerun:\n" + format_hits(hits)
        )
    log.info(lines[0])
    return sum(counts.values())


def check_pooled_outputs(*, roster_paths: list[Path], key_paths: list[Path], sites: list[str],
                         config: dict, roots: list[Path], summary_path: Path,
                         exclude: Iterable[Path] = ()) -> int:
    """The pooled outputs against every site's roster and site names."""
    from parentgroup.inputs.tables import read_csv_text

    needles: list[Needle] = []
    total = 0
    for roster_path, key_path, site in zip(roster_paths, key_paths, sites, strict=True):
        roster = read_csv_text(Path(roster_path))
        key = read_csv_text(Path(key_path)) if Path(key_path).exists() else None
        needles += build_needles(roster, config["sites"][site], config, key)
        total += len(roster)
    return _check(sorted(set(needles), key=lambda n: (n.participant, n.field, n.kind, n.key)),
                  rosters=total, roots=roots, summary_path=summary_path, exclude=exclude)


def check_site_outputs(
    *,
    roster_path: Path,
    key_path: Path | None,
    site_cfg: dict,
    config: dict,
    roots: list[Path],
    summary_path: Path,
    exclude: Iterable[Path] = (),
) -> int:
    """Scan a site's outputs; write the summary; raise :class:`LeakFound` on any hit.

    Returns the number of files scanned. The summary lists the files scanned per kind and the
    safe hit lines (participant code, field, file, offset, view), never an identifier.
    """
    from parentgroup.inputs.tables import read_csv_text

    roster = read_csv_text(Path(roster_path))
    key = read_csv_text(Path(key_path)) if key_path and Path(key_path).exists() else None
    needles = build_needles(roster, site_cfg, config, key)
    return _check(needles, rosters=len(roster), roots=roots, summary_path=summary_path,
                  exclude=exclude)
