"""The leak check: an independent scanner for known identifiers in every shared output.

It shares no code and no patterns with the redactor (``parentgroup.anonymisation``). The
redactor finds and replaces identifiers in interview text; this module never redacts. It takes
every identifier the study knows (the raw roster's direct identifiers and ``record_id``, and the
site's staff, school and town names from the config), expands each into its *variants*, and
searches every variant as a substring of *normalised views* of every file the workflow wrote
outside ``data/raw/`` and the secure directory (UK Data Service / ICO guidance as summarised in
``shared/reference/anonymisation.md`` §6 point 6: independent scanner, substring search of every
roster value and variant, digits-only views for phones and dates, space-free postcodes, HTML
scanned raw and unescaped, never print the identifier).

Needles (:func:`build_needles`)
    * names (parent, child, partner, siblings, nicknames; ``;``-separated lists split): the full
      value, every name part of >= 3 letters (first name, surname, each half of a hyphenated
      name), hyphen/apostrophe spellings (``smith-jones``, ``smith jones``, ``smithjones``;
      ``o'neil``, ``oneil``, ``o neil``), accent-folded (NFKD, Zoë -> zoe) and case-folded;
      values shorter than 3 letters (``MJ``, ``Ty``) are not searched (they occur inside ordinary
      text and codes);
    * phones: the digit string, national (leading 0), international (44, 0044, 44 0) and without
      the trunk 0; dates of birth: ddmmyyyy, d m yyyy, ddmmyy, yyyymmdd, mmddyyyy as digit strings
      and written forms (``14 march 2014``, ``14th of mar 2014``, ``march 14, 2014`` ...);
      postcodes with and without the space; the email, its local part and the local part's name
      tokens (>= 3 letters), and a ``.sch.uk`` domain (it names the school);
    * ``record_id`` as written and without separators (purely numeric ids of fewer than 6 digits
      are not searched: they cannot be told apart from ordinary numbers);
    * site identifiers: staff full names and name parts (``site``/``staff``); school and town
      names exactly as listed, with ``St``/``St.``/``Saint`` and ``&``/``and`` variants (their
      words alone - "Learning", "Centre" - are ordinary words: list every form people use).

The common-word rule
    A single-word name that is also an ordinary English word (:data:`ORDINARY_WORD_NAMES`:
    Grace, May, Will, Hope, Rose, Mark, Bill, Joy, Brown, Green, ...) is matched only
    *case-sensitively with an initial capital* (``Grace``, not ``grace`` or ``GRACE``) and *not as
    the first word of a sentence* (after the start of the text or ``. ! ? : ;``, skipping quotes
    and brackets). So "a grace period", "Will you come?" and "it may rain" are not hits, while
    "thanks to Grace" is. Multi-word values (``Grace O'Neil``) and all other names are matched
    case-folded anywhere. Reviewed benign collisions go in ``anonymisation.leak_allow_list``: a
    needle equal to an allow-listed string is dropped, and a hit lying inside an occurrence of an
    allow-listed phrase is ignored.

Matching
    Every view is normalised: NFKC, accents folded, curly quotes and dashes straightened,
    zero-width characters removed, whitespace runs collapsed to one space (a name split across a
    line break is found), and case-folded (a second, case-preserving copy serves the common-word
    rule). A name needle must start and end at a word edge (the characters around it are not
    letters or digits; ``_``, ``-``, ``.`` and ``'`` are edges, so ``O'Neil's`` and
    ``p01_maisie.txt`` are found). Digit needles are looked up in the *digit runs* of the text
    (digit groups joined across up to three of `` -./()``), starting and ending on a group edge,
    so ``0770 090 0111`` finds ``07700 900111``. Digits inside drawing geometry (the values of
    ``d``, ``points``, ``transform``, ``x``, ``y``, ``width`` ... attributes of SVG, HTML and
    Office XML) are masked first: at a large site the date-of-birth digit forms otherwise match
    plotted coordinates by chance; for the same reason a digit needle inside a checksum (32 or
    more hexadecimal characters, as in provenance.json) is not reported. The search itself is
    indexed (:class:`_Matcher`): a view is normalised with whole-string operations, its set of
    words selects the few needles that can occur, and only those are looked for; the result
    equals a plain search of every needle (tests/test_leak_check_matching.py), in seconds for a
    site of 5000 parents.

Views (the ``view`` of a hit)
    ``filename`` (the path relative to the base), ``text`` (UTF-8 text files, and every file of an
    unknown type that decodes), ``raw-bytes`` (undecodable files of unknown type, latin-1),
    ``markup-unescaped`` and ``markup-spaced`` (HTML/SVG/XML with comments opened, tags removed -
    joined, so ``O&#39;<b>Neil</b>`` is found, and replaced by a space, so adjacent table cells
    stay apart - and entities unescaped), ``markup-attributes`` (every attribute value,
    unescaped: alt, title, meta content ...), ``embedded-png-metadata`` (images inlined as
    ``data:`` URIs; their base64 payload is not scanned as text), ``notebook cell N source`` /
    ``notebook cell N outputs`` / ``notebook metadata`` (decoded .ipynb strings), ``png-metadata``
    (tEXt/zTXt/iTXt/eXIf chunks), ``pdf-raw`` (the bytes as latin-1 with binary stream bodies
    blanked), ``pdf-metadata`` (the /Title /Author /Subject /Keywords /Creator /Producer strings,
    UTF-16 decoded), ``pdf-text`` (the Tj/TJ strings of the decompressed content streams, a TJ
    array's pieces joined), ``pdf-streams`` (other decompressed text streams, e.g. XMP),
    ``sav`` (pyreadstat: file label, variable names and labels, value labels, string data) and
    ``office:<part>`` (every XML part of .xlsx/.docx/.pptx/.odt files).

A hit (:class:`LeakHit`) names the participant's pseudonym (from the linkage key; ``roster row
N`` - the CSV line - when there is no key; ``site`` for staff, school and town), the field, the
file, the character offset in the view (the raw file offset for markup views) and the view -
never the identifier. A file whose own path contains an identifier is shown with the offending
path parts withheld.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import datetime as dt
import functools
import gc
import html
import io
import json
import logging
import multiprocessing
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from parentgroup.inputs.csv_files import read_csv_text
from parentgroup.inputs.identifiers import read_identifiers
from parentgroup.leak_check.pdf_text import pdf_unicode_text
from parentgroup.problems import UserFacingError, raise_if_errors

log = logging.getLogger(__name__)

#: Single-word names that are also everyday English words (first names and surnames). They are
#: matched only case-sensitively with an initial capital and not at a sentence start.
ORDINARY_WORD_NAMES = frozenset(
    """
    amber angel april art ash august autumn baker bay bell belle berry best bill bishop black
    blessing bloom brook brooke brown buck bud bush butler candy carter cash chance charity
    chase cherry chip clay cliff cook crystal daisy dale dawn day dean destiny dot drew faith
    fern field fisher ford fox frank free gay gene ginger glen gold good grace grant gray green
    grey guy hall hart hazel heath heather hill holly honey honor honour hope house hunt hunter
    iris ivy jack jade jay jewel joy june justice king knight lamb lane law lily little long love
    mark marsh mason may melody miles mill mills misty moon norm olive page park parker pat
    patience pearl penny pink poppy pope porter power price rain ray read reed rich rice river
    robin rock rocky rod rose ruby rusty sage sandy shepherd short sky small star sterling stone
    storm street strong summer sunny swift taylor trust turner victor violet wade walker ward
    waters white wild will willow win winter wise wood woods young
    """.split()
)

#: Sentence-ending punctuation: a common-word name right after it (or at the start of a view)
#: is not matched.
_SENTENCE_END = ".!?:;"
_OPENERS = "\"'([{*#-"
_TEXT_SUFFIXES = {
    ".csv", ".tsv", ".txt", ".md", ".json", ".yaml", ".yml", ".log", ".rst", ".tex", ".bib",
    ".py", ".r", ".qmd", ".rmd", ".ipynb", ".html", ".htm", ".svg", ".xml", ".qde",
}
_MARKUP_SUFFIXES = {".html", ".htm", ".svg", ".xml", ".qde"}
_OFFICE_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".pptx", ".odt", ".ods", ".odp"}
_MONTH_NAMES = [m.casefold() for m in calendar.month_name[1:]]
_PHONE_MIN_DIGITS = 9
_NAME_MIN_LETTERS = 3


class LeakFound(UserFacingError):
    """Identifiers were found in shared outputs; the message lists only safe locations."""


class Needle(NamedTuple):
    """One string to look for, and whose identifier it is.

    ``text`` is the normalised search string (never printed: ``repr`` hides it); ``view`` says
    where it is searched: ``folded`` (case-folded text), ``cased`` (the common-word rule) or
    ``digits`` (the digit runs). (A named tuple: a large site has 300 000 of them.)
    """

    participant: str
    field: str
    text: str
    view: str

    def __str__(self) -> str:
        return f"Needle({self.participant}, {self.field}, {self.view})"

    __repr__ = __str__


@dataclass(frozen=True)
class LeakHit:
    """Where an identifier was found: never the identifier itself."""

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


# --------------------------------------------------------------------------------------------
# Normalisation (a character map keeps every normalised character's offset in the source view)

_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2033": '"', "\u00ab": '"', "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
}
_SPECIAL = re.compile(r"\s+|[^\x00-\x7f]")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str, casefold: bool) -> str:
    """NFKC, accents removed (NFKD without combining marks), quotes straightened, case folded."""
    if unicodedata.category(char) == "Cf":  # zero-width space, soft hyphen, BOM ...
        return ""
    text = unicodedata.normalize("NFKC", char)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = "".join(_QUOTES.get(c, c) for c in text)
    text = unicodedata.normalize("NFKC", text)
    return text.casefold() if casefold else text


def normalise(text: str, casefold: bool = True) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the offset it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    last_space = False
    for match in _SPECIAL.finditer(text):
        start = match.start()
        if start > position:
            chunk = text[position:start]
            pieces.append(chunk.lower() if casefold else chunk)
            origin.extend(range(position, start))
            last_space = False
        piece = match.group()
        if piece.isspace():
            if not last_space:
                pieces.append(" ")
                origin.append(start)
                last_space = True
        else:
            folded = _fold_char(piece, casefold)
            if folded.isspace():
                folded = "" if last_space else " "
            if folded:
                pieces.append(folded)
                origin.extend([start] * len(folded))
                last_space = folded.endswith(" ")
        position = match.end()
    if position < len(text):
        chunk = text[position:]
        pieces.append(chunk.lower() if casefold else chunk)
        origin.extend(range(position, len(text)))
    return "".join(pieces), origin


def _collapse_whitespace(text: str) -> str:
    r"""``re.sub(r"\s+", " ", text)``, six times faster on large texts (``str.split`` and
    ``\s`` agree on what whitespace is)."""
    words = text.split()
    if not words:
        return " " if text else ""
    collapsed = " ".join(words)
    if text[0].isspace():
        collapsed = " " + collapsed
    if text[-1].isspace():
        collapsed += " "
    return collapsed


_NON_ASCII_RUN = re.compile(r"([^\x00-\x7f]+)")


def normalised_text(text: str, casefold: bool = True) -> str:
    """``normalise(text, casefold)[0]`` computed with whole-string operations.

    The text is split at its runs of non-ASCII characters; the ASCII pieces are lowered (when
    ``casefold``) in one call each, every non-space non-ASCII character is replaced by its
    :func:`_fold_char` (an all-space fold by one space), and whitespace runs are then collapsed.
    That equals the character-by-character :func:`normalise` unless a character folds to a
    string that mixes spaces with other characters; then :func:`normalise` itself is used.
    (tests/test_leak_check_matching.py checks the equality on random Unicode text.) No offset
    map: it is built only for a view with a match.
    """
    if text.isascii():
        return _collapse_whitespace(text.lower() if casefold else text)
    pieces = _NON_ASCII_RUN.split(text)
    folds: dict[str, str] = {}
    for number in range(1, len(pieces), 2):
        out = []
        for char in pieces[number]:
            folded = folds.get(char)
            if folded is None:
                folded = char if char.isspace() else _fold_char(char, casefold)
                if folded and folded.isspace():
                    folded = " " if not char.isspace() else char
                elif any(c.isspace() for c in folded):
                    return normalise(text, casefold)[0]
                folds[char] = folded
            out.append(folded)
        pieces[number] = "".join(out)
    if casefold:
        pieces[0::2] = [piece.lower() for piece in pieces[0::2]]
    return _collapse_whitespace("".join(pieces))


def fold(text: str) -> str:
    """The case-folded normalised form of a string (the form needles are stored in)."""
    return normalised_text(text, casefold=True).strip()


_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def _trim(text: str) -> str:
    """Drop leading and trailing characters that are not letters or digits."""
    if text and text[0].isalnum() and text[-1].isalnum():
        return text
    return _EDGES.sub("", text)


# --------------------------------------------------------------------------------------------
# Needles


def _name_variants(value: str) -> list[str]:
    """The value and its hyphen and apostrophe spellings (not yet split into parts)."""
    variants = {value}
    for variant in list(variants):
        if "-" in variant:
            variants |= {variant.replace("-", " "), variant.replace("-", "")}
    for variant in list(variants):
        if "'" in variant:
            variants |= {variant.replace("'", ""), variant.replace("'", " ")}
    return sorted(variants)


def _name_parts(value: str) -> list[str]:
    """First name, surname (a double-barrelled one whole), each half of a hyphenated name."""
    words = [part for part in value.split() if part]
    halves = [half for word in words if "-" in word for half in word.split("-") if half]
    return words + halves


def _letters(text: str) -> int:
    return len(text) if text.isalpha() else sum(c.isalpha() for c in text)


def _phone_digits(value: str) -> list[str]:
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0044"):
        national = "0" + digits[4:]
    elif digits.startswith("440") and len(digits) >= 12:
        national = digits[2:]
    elif digits.startswith("44") and len(digits) >= 11:
        national = "0" + digits[2:]
    else:
        national = digits
    if len(national) < _PHONE_MIN_DIGITS:
        return [digits] if len(digits) >= _PHONE_MIN_DIGITS else []
    variants = {digits, national}
    if national.startswith("0"):
        rest = national[1:]
        variants |= {rest, "44" + rest, "0044" + rest, "440" + rest}
    return sorted(v for v in variants if len(v) >= _PHONE_MIN_DIGITS)


@functools.lru_cache(maxsize=65536)
def _date_variants(value: str) -> tuple[list[str], list[str]]:
    """(digit strings, written forms) of a date given as YYYY-MM-DD (or d/m/yyyy)."""
    try:
        date = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        match = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", value)
        if not match:
            return [], []
        try:
            date = dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return [], []
    d, m, y = date.day, date.month, date.year
    digits = {
        f"{d:02d}{m:02d}{y}", f"{d}{m}{y}", f"{d:02d}{m:02d}{y % 100:02d}", f"{y}{m:02d}{d:02d}",
        f"{y}{m}{d}", f"{m:02d}{d:02d}{y}", f"{m}{d}{y}",
    }
    suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    days = {str(d), f"{d:02d}", f"{d}{suffix}"}
    full = _MONTH_NAMES[m - 1]
    months = {full, full[:3], full[:3] + ".", *(["sept", "sept."] if m == 9 else [])}
    written = set()
    for day in days:
        for month in months:
            written |= {
                f"{day} {month} {y}", f"{day} of {month} {y}", f"{day} {month}, {y}",
                f"{month} {day} {y}", f"{month} {day}, {y}", f"{day}-{month}-{y}",
            }
    return sorted(digits), sorted(written)


def _place_variants(value: str) -> list[str]:
    variants = {value}
    for variant in list(variants):
        if re.search(r"\bst\.?\s", variant, re.I) or re.search(r"\bsaint\s", variant, re.I):
            for form in ("St ", "St. ", "Saint "):
                variants.add(re.sub(r"\b(?:st\.?|saint)\s+", form, variant, flags=re.I))
    for variant in list(variants):
        if "&" in variant or re.search(r"\band\b", variant, re.I):
            variants.add(re.sub(r"\s*&\s*", " and ", variant))
            variants.add(re.sub(r"\band\b", "&", variant, flags=re.I))
    for variant in list(variants):
        variants.add(re.sub(r"['.]", "", variant))
    return sorted(variants)


def _without_cyclic_gc(function):
    """Run ``function`` with the cyclic garbage collector paused. Building the needles of a
    large site allocates some 300 000 small tuples that hold no reference cycles; the collector
    would walk them again at every threshold (a quarter of the build time at 5000 parents)."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


class _NeedleSet:
    def __init__(self, allow: set[str]):
        self.allow = allow
        self.needles: set[tuple[str, str, str, str]] = set()  # (participant, field, view, text)

    def add(self, participant: str, field_name: str, text: str, view: str) -> None:
        text = _trim(text) if view != "digits" else text
        if not text or (self.allow and fold(text) in self.allow):
            return
        self.needles.add((participant, field_name, view, text))

    def sorted(self) -> list[Needle]:
        return [Needle(p, f, t, v) for p, f, v, t in sorted(self.needles)]

    def add_name(self, participant: str, field_name: str, value: str, parts: bool = True) -> None:
        value = _trim(fold(value))
        if _letters(value) < _NAME_MIN_LETTERS:
            return
        candidates = [value]
        if parts:
            candidates += [p for p in _name_parts(value) if _letters(_trim(p)) >= _NAME_MIN_LETTERS]
        for candidate in dict.fromkeys(candidates):
            for variant in _name_variants(_trim(candidate)):
                variant = _trim(variant)
                single_word = re.fullmatch(r"[^\W_]+", variant) is not None
                if single_word and variant in ORDINARY_WORD_NAMES:
                    self.add(participant, field_name, variant[:1].upper() + variant[1:], "cased")
                elif _letters(variant) >= _NAME_MIN_LETTERS:
                    self.add(participant, field_name, variant, "folded")


@_without_cyclic_gc
def build_needles(
    roster: pd.DataFrame, identifiers: dict, direct_identifiers: Sequence[str],
    linkage_key: pd.DataFrame | None,
) -> list[Needle]:
    """Every identifier of the roster (its ``direct_identifiers`` columns and ``record_id``) and
    of the site's identifiers file (staff, school, town), expanded into its search variants;
    a variant equal to an entry of the file's ``leak_allow_list`` is not searched.

    The participant of a roster needle is its pseudonym from ``linkage_key`` (``record_id`` ->
    ``pseudonym``), else ``roster row N`` (N = the CSV line, header = line 1); site identifiers
    are ``site`` with field ``staff``, ``school`` or ``town``. Returns the needles sorted.
    """
    codes: dict[str, str] = {}
    if linkage_key is not None and not linkage_key.empty:
        codes = {
            str(r).strip(): str(p).strip()
            for r, p in zip(linkage_key["record_id"], linkage_key["pseudonym"], strict=True)
        }
    allow = {fold(str(a)) for a in identifiers.get("leak_allow_list") or []}
    columns = list(direct_identifiers)
    needles = _NeedleSet(allow)
    frame = roster.astype(object).where(roster.notna(), "")
    for position, row in enumerate(frame.to_dict("records")):
        record_id = str(row.get("record_id", "")).strip()
        code = codes.get(record_id) or f"roster row {position + 2}"
        if record_id and not (record_id.isdigit() and len(record_id) < 6):
            folded = fold(record_id)
            needles.add(code, "record_id", folded, "folded")
            compact = re.sub(r"[\W_]+", "", folded)
            if compact != folded and len(compact) >= 4 and not compact.isdigit():
                needles.add(code, "record_id", compact, "folded")
        for column in columns:
            value = str(row.get(column, "")).strip()
            if not value:
                continue
            if column == "email" or "@" in value:
                _add_email(needles, code, column, value)
            elif column == "phone":
                for digits in _phone_digits(value):
                    needles.add(code, column, digits, "digits")
            elif column == "postcode":
                compact = re.sub(r"\s+", "", fold(value))
                needles.add(code, column, compact, "folded")
                if len(compact) > 3:
                    needles.add(code, column, f"{compact[:-3]} {compact[-3:]}", "folded")
            elif column.endswith("dob") or "birth" in column:
                digit_forms, written = _date_variants(value)
                for digits in digit_forms:
                    needles.add(code, column, digits, "digits")
                for text in written:
                    needles.add(code, column, text, "folded")
                if not digit_forms:
                    needles.add(code, column, fold(value), "folded")
            else:
                for item in value.split(";"):
                    if item.strip():
                        needles.add_name(code, column, item.strip())
    for name in sorted(identifiers.get("staff") or {}):
        needles.add_name("site", "staff", str(name))
    for field_name in ("school", "town"):
        for name in identifiers.get(field_name) or []:
            for variant in _place_variants(str(name)):
                needles.add_name("site", field_name, variant, parts=False)
    return needles.sorted()


def _add_email(needles: _NeedleSet, code: str, column: str, value: str) -> None:
    email = fold(value)
    needles.add(code, column, email, "folded")
    local, _, domain = email.partition("@")
    if _letters(local) >= _NAME_MIN_LETTERS:
        needles.add(code, column, local, "folded")
    for token in re.split(r"[._+'-]+", local):
        token = re.sub(r"\d+", "", token)
        if _letters(token) >= _NAME_MIN_LETTERS:
            needles.add_name(code, f"{column} local part", token, parts=False)
    if domain.endswith(".sch.uk"):
        needles.add(code, f"{column} domain", domain, "folded")


# --------------------------------------------------------------------------------------------
# Matching


@dataclass
class _Match:
    needle_text: str
    view: str
    start: int  # in the normalised text
    end: int


class _Normalised:
    """A view's normalised text; the offset map back to the source is built on first use."""

    def __init__(self, source: str, casefold: bool):
        self.source = source
        self.casefold = casefold
        self.text = normalised_text(source, casefold)
        self._origin: list[int] | None = None

    @property
    def origin(self) -> list[int]:
        if self._origin is None:
            text, self._origin = normalise(self.source, self.casefold)
            if text != self.text:  # normalised_text is normalise without the map
                raise AssertionError("leak check: the two normalisations disagree")
        return self._origin


_TOKEN = re.compile(r"[^\W_]+")
_TOKEN_ASCII = re.compile(r"[A-Za-z0-9]+")  # the same on ASCII text, and faster


def _words_of(text: str) -> list[str]:
    """The maximal runs of letters and digits."""
    return (_TOKEN_ASCII if text.isascii() else _TOKEN).findall(text)


_DIGIT_GROUP = re.compile(r"\d+")


class _Matcher:
    """Needles indexed by their words (the maximal runs of letters and digits).

    A name needle matched at a word start and ending at a word edge consists of whole words of
    the text, so a needle can only match a text that contains every one of its words. For each
    view the text's set of words (one C-level pass) selects the needles whose rarest word - the
    longest - is present and then those whose every word is present; the words that start them
    are found with one small compiled pattern, and each candidate is checked at each such
    position as a plain search would (start at a word start, end at a word edge, the common-word
    rule for ``cased`` needles). Every occurrence is reported, overlapping ones included.

    A digit needle matches a digit run's groups ``i..j`` joined, starting and ending on a group
    edge; the distinct runs of a text are checked that way (joins of consecutive groups against
    the set of digit needles) and only a text with a hit is walked run by run for the offsets.
    """

    @_without_cyclic_gc
    def __init__(self, needles: Iterable[Needle]):
        self.owners: dict[tuple[str, str], list[Needle]] = {}
        for needle in needles:
            self.owners.setdefault((needle.view, needle.text), []).append(needle)
        # view -> rarest word -> [(needle text, its words)]
        self.by_word: dict[str, dict[str, list[tuple[str, frozenset[str]]]]] = {
            "folded": {}, "cased": {}
        }
        self.digits: set[str] = set()
        for view, text in sorted(self.owners):
            if view == "digits":
                self.digits.add(text)
                continue
            words = _TOKEN.findall(text)
            if not words or not text.startswith(words[0]):
                raise ValueError("leak check: a name needle must start with a letter or digit")
            rarest = max(words, key=lambda w: (len(w), w))
            self.by_word[view].setdefault(rarest, []).append((text, frozenset(words)))
        self.digit_lengths = (
            (min(map(len, self.digits)), max(map(len, self.digits))) if self.digits else (0, 0)
        )

    def find(self, text: str) -> list[tuple[_Match, _Normalised]]:
        """Matches in one view's text, each with the normalised text (and its offset map)."""
        folded = _Normalised(text, casefold=True)
        results = [(m, folded) for m in self._words(folded, "folded")]
        results += [(m, folded) for m in self._digits(folded.text)]
        if self.by_word["cased"]:
            cased = _Normalised(text, casefold=False)
            results += [(m, cased) for m in self._words(cased, "cased")]
        return results

    def _candidates(self, text: str, view: str) -> dict[str, list[str]]:
        """First word -> the needles (longest first) whose every word occurs in the text."""
        table = self.by_word[view]
        if not table:
            return {}
        present = set(_words_of(text))
        starting: dict[str, list[str]] = {}
        for word in present & table.keys():
            for needle_text, words in table[word]:
                if words <= present:
                    starting.setdefault(_TOKEN.match(needle_text).group(), []).append(needle_text)
        for candidates in starting.values():
            candidates.sort(key=lambda t: (-len(t), t))
        return starting

    def _words(self, normalised: _Normalised, view: str) -> list[_Match]:
        text = normalised.text
        starting = self._candidates(text, view)
        if not starting:
            return []
        firsts = sorted(starting, key=lambda w: (-len(w), w))
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, firsts)) + r")(?![^\W_])")
        found: list[_Match] = []
        for word in pattern.finditer(text):
            start = word.start()
            for candidate in starting[word.group()]:
                end = start + len(candidate)
                if not text.startswith(candidate, start):
                    continue
                if end < len(text) and text[end].isalnum():
                    continue
                if view == "cased" and (
                    not _titlecase_word(text, start, end)
                    or _sentence_start(normalised.source, normalised.origin[start])
                    or _month_in_a_date(text, start, end)
                ):
                    continue
                found.append(_Match(candidate, view, start, end))
        return found

    def _run_matches(self, run: str) -> bool:
        """Whether consecutive digit groups of one run join to a digit needle."""
        shortest, longest = self.digit_lengths
        groups = _DIGIT_GROUP.findall(run)
        for first in range(len(groups)):
            joined = ""
            for group in groups[first:]:
                joined += group
                if len(joined) > longest:
                    break
                if len(joined) >= shortest and joined in self.digits:
                    return True
        return False

    def _digits(self, text: str) -> list[_Match]:
        if not self.digits:
            return []
        shortest = self.digit_lengths[0]
        pattern = _DIGIT_RUN_ASCII if text.isascii() else _DIGIT_RUN
        runs = {run for run in pattern.findall(text) if len(run) >= shortest}
        if not any(self._run_matches(run) for run in runs):
            return []
        found: list[_Match] = []
        for run in _DIGIT_RUN.finditer(text):
            digits: list[str] = []
            positions: list[int] = []  # normalised offset of each digit
            starts: set[int] = set()
            ends: set[int] = set()
            for group in _DIGIT_GROUP.finditer(run.group()):
                starts.add(len(digits))
                for i, char in enumerate(group.group()):
                    digits.append(char)
                    positions.append(run.start() + group.start() + i)
                ends.add(len(digits))
            joined = "".join(digits)
            for start in sorted(starts):
                for end in sorted(ends):
                    if end > start and joined[start:end] in self.digits:
                        found.append(_Match(joined[start:end], "digits", positions[start],
                                            positions[end - 1] + 1))
        return found


_DIGIT_RUN = re.compile(r"\d+(?:[ \-./()]{1,3}\d+)*")
_DIGIT_RUN_ASCII = re.compile(r"[0-9]+(?:[ \-./()]{1,3}[0-9]+)*")  # the same on ASCII text


_MONTH_WORDS = frozenset({"April", "May", "June", "August"})
_DATE_NEIGHBOUR = re.compile(r"\s*(?:\d{1,4}(?:st|nd|rd|th)?\b)")


def _month_in_a_date(text: str, start: int, end: int) -> bool:
    """A common-word name that is a month, next to a day or year ("May 9 2026", "9 May"): a
    date, not a person (the common-word rule's cased matches only)."""
    if text[start:end] not in _MONTH_WORDS:
        return False
    before = text[max(0, start - 10):start]
    return bool(_DATE_NEIGHBOUR.match(text, end)) or bool(
        re.search(r"\b\d{1,2}(?:st|nd|rd|th)?(?: of)?\s*$", before))


def _titlecase_word(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())


def _sentence_start(source: str, start: int) -> bool:
    """True at the start of the text, a line, a sentence (after . ! ? : ;) or a table cell
    (directly after a comma, tab or bar), skipping spaces, quotes and brackets."""
    i = start - 1
    spaced = False
    while i >= 0 and source[i] not in "\n\r" and (
        source[i].isspace() or (_fold_char(source[i], False) or "-") in _OPENERS
    ):
        spaced = spaced or source[i].isspace()
        i -= 1
    if i < 0 or source[i] in "\n\r\t" or (_fold_char(source[i], False) or "x") in _SENTENCE_END:
        return True
    return source[i] in ",|" and not spaced


# --------------------------------------------------------------------------------------------
# Views of a file


class _View:
    """A view's name and text, and the source offset of each character (None: identity).

    ``build_origin`` computes the offsets on first use: only a view with a match needs them.
    """

    def __init__(self, name: str, text: str, origin: list[int] | None = None,
                 build_origin: Callable[[], list[int]] | None = None):
        self.name = name
        self.text = text
        self._origin = origin
        self._build_origin = build_origin

    @property
    def origin(self) -> list[int] | None:
        if self._origin is None and self._build_origin is not None:
            self._origin = self._build_origin()
        return self._origin

    def renamed(self, name: str) -> _View:
        return _View(name, self.text, self._origin, self._build_origin)

    def source_offset(self, index: int) -> int:
        origin = self.origin
        if not origin:
            return index
        return origin[min(index, len(origin) - 1)]


_TAG = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>|<[^<>]*>", re.S)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});?")
_ATTRIBUTE = re.compile(r"""[\s<][\w:.-]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.S)
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(?:;[\w=.-]+)*;base64,([A-Za-z0-9+/=\s\\n]+)")


def _unescape_mapped(text: str, base: int, pieces: list[str], origin: list[int] | None) -> None:
    """Entities unescaped into ``pieces``; the source offsets into ``origin`` unless None."""
    position = 0
    for match in _ENTITY.finditer(text):
        if match.start() > position:
            pieces.append(text[position : match.start()])
            if origin is not None:
                origin.extend(range(base + position, base + match.start()))
        value = html.unescape(match.group())
        pieces.append(value)
        if origin is not None:
            origin.extend([base + match.start()] * len(value))
        position = match.end()
    pieces.append(text[position:])
    if origin is not None:
        origin.extend(range(base + position, base + len(text)))


#: Attributes whose values are drawing geometry (SVG/HTML/Office XML): coordinates, sizes and
#: path data. Their digits are masked (``#``) before digit needles are looked up: at 5000 parents
#: the 35 000 six- to eight-digit forms of the dates of birth matched plotted coordinates
#: ("130.817" is 13/08/17 as ``ddmmyy``) by chance. Letters are kept (names are still found).
#: A value quoted as ``\"...\"`` (markup inside a JSON string, as in a notebook) is masked too.
_GEOMETRY_ATTRIBUTE = re.compile(
    r"""(?:d|points|transform|viewBox|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|dx|dy|width|height|"""
    r"""stroke-width|stroke-dasharray|stroke-dashoffset|stroke-miterlimit|font-size|"""
    r"""gradientTransform|patternTransform|off|ext|chOff|chExt)\s*=\s*(?:\\?"[^"]*"|'[^']*')"""
)
_DIGITS_MASKED = str.maketrans("0123456789", "##########")
_OPEN_TAG_BEFORE_ATTRIBUTE = re.compile(r"<[A-Za-z][\w:.-]*\s[^<>]*")


def _mask_geometry(text: str) -> str:
    """The digits of geometry attribute values replaced by ``#`` (same length, same offsets).

    Only attributes inside an opening tag count: the name follows whitespace (``id="..."`` is
    not ``d="..."``) and the text back to the last ``<`` is a tag name and attributes, so
    ``x = "07700 900111"`` in code or prose keeps its digits. Checked on each match rather than
    by a look-behind, which would make the pattern try every position of a text (a report's
    blanked images are megabytes of spaces).
    """
    if "=" not in text:
        return text

    def mask(match: re.Match) -> str:
        start = match.start()
        if start and text[start - 1].isspace():
            tag_start = text.rfind("<", 0, start)
            if tag_start >= 0 and _OPEN_TAG_BEFORE_ATTRIBUTE.fullmatch(text, tag_start, start):
                return match.group().translate(_DIGITS_MASKED)
        return match.group()

    return _GEOMETRY_ATTRIBUTE.sub(mask, text)


def _markup_view(text: str, name: str, with_origin: bool) -> tuple[str, list[int] | None]:
    """One markup view of ``text`` (see :func:`_markup_views`) and, if asked, its offsets."""
    pieces: list[str] = []
    origin: list[int] | None = [] if with_origin else None
    if name == "markup-attributes":
        for match in _ATTRIBUTE.finditer(text):
            group = 1 if match.group(1) is not None else 2
            _unescape_mapped(match.group(group), match.start(group), pieces, origin)
            pieces.append("\n")
            if origin is not None:
                origin.append(match.end())
        return "".join(pieces), origin
    replacement = "" if name == "markup-unescaped" else " "
    position = 0
    for tag in _TAG.finditer(text):
        _unescape_mapped(text[position : tag.start()], position, pieces, origin)
        rep = replacement or _tag_joiner(tag.group())
        pieces.append(rep)
        if origin is not None:
            origin.extend([tag.start()] * len(rep))
        position = tag.end()
    _unescape_mapped(text[position:], position, pieces, origin)
    return "".join(pieces), origin


def _markup_views(text: str) -> list[_View]:
    """Tags removed (joined and spaced), entities unescaped, and all attribute values of a
    markup text whose geometry digits the caller has masked (:func:`_mask_geometry`). The
    offset maps are built when a view has a match."""
    return [
        _View(name, _markup_view(text, name, False)[0],
              build_origin=lambda name=name: _markup_view(text, name, True)[1])
        for name in ("markup-unescaped", "markup-spaced", "markup-attributes")
    ]


_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|tr|td|th|table|h[1-6]|section|article|header|footer|title|"
    r"text|tspan|g|svg|head|body|html|meta|pre|blockquote|figcaption|caption|cell|row|c|v|t|si)\b",
    re.I,
)


def _tag_joiner(tag: str) -> str:
    """In the joined view, inline tags (b, i, span, a ...) vanish; block tags and comment
    markers still separate."""
    return " " if _BLOCK_TAGS.match(tag) or not tag.startswith("<") or tag.startswith("<!") else ""


def _blank_data_uris(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Base64 payloads replaced by spaces (same length); returns the decoded payloads."""
    payloads: list[tuple[str, bytes]] = []

    def blank(match: re.Match) -> str:
        data = re.sub(r"\s|\\n", "", match.group(2))
        try:
            payloads.append((match.group(1) or "", base64.b64decode(data + "=" * (-len(data) % 4))))
        except (binascii.Error, ValueError):
            pass
        return match.group()[: match.start(2) - match.start()] + " " * len(match.group(2))

    return _DATA_URI.sub(blank, text), payloads


def _embedded_views(payloads: Sequence[tuple[str, bytes]], prefix: str) -> list[_View]:
    views = []
    for mime, data in payloads:
        if data.startswith(b"\x89PNG") or mime == "image/png":
            views.append(_View(f"{prefix}embedded-png-metadata", _png_text(data)))
        elif "svg" in mime or data.lstrip().startswith((b"<svg", b"<?xml")):
            inner = _mask_geometry(data.decode("utf-8", "replace"))
            views.append(_View(f"{prefix}embedded-svg", inner))
            views += [_View(f"{prefix}embedded-svg-{v.name}", v.text) for v in _markup_views(inner)]
    return views


def _png_text(data: bytes) -> str:
    """The tEXt, zTXt, iTXt and eXIf chunks of a PNG file (keyword and value)."""
    texts: list[str] = []
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        try:
            if kind == b"tEXt":
                texts.append(body.decode("latin-1").replace("\0", "\n"))
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\0")
                texts.append(key.decode("latin-1") + "\n"
                             + zlib.decompress(rest[1:]).decode("latin-1"))
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\0")
                compressed, rest = rest[0], rest[2:]
                language, _, rest = rest.partition(b"\0")
                translated, _, rest = rest.partition(b"\0")
                value = zlib.decompress(rest) if compressed else rest
                texts.append("\n".join(
                    part.decode("utf-8", "replace") for part in (key, language, translated, value)))
            elif kind == b"eXIf":
                texts.append(body.decode("latin-1"))
        except (zlib.error, IndexError):
            texts.append(body.decode("latin-1"))
        if kind == b"IEND":
            break
        position += 12 + length
    return "\n".join(texts)


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_PDF_INFO = re.compile(
    rb"/(Title|Author|Subject|Keywords|Creator|Producer)\s*"
    rb"(\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)|<[0-9A-Fa-f\s]*>)",
    re.S,
)
_PDF_TEXT_OP = re.compile(
    rb"(\[(?:[^\]\\]|\\.)*\]|\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)\s*(?:T[jJ]|'|\")", re.S
)
_PDF_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>", re.S)
_PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_string(token: bytes) -> str:
    """Decode a PDF literal ``(...)`` or hex ``<...>`` string (UTF-16BE when it has a BOM)."""
    if token.startswith(b"<"):
        hexdigits = re.sub(rb"\s", b"", token[1:-1])
        raw = binascii.unhexlify(hexdigits + b"0" * (len(hexdigits) % 2))
    else:
        body = token[1:-1]

        def escape(match: re.Match) -> bytes:
            code = match.group(1)
            if code[:1].isdigit():
                return bytes([int(code, 8) & 0xFF])
            if code in (b"\n", b"\r"):
                return b""
            return _PDF_ESCAPES.get(code, code)

        raw = re.sub(rb"\\([0-7]{1,3}|.)", escape, body, flags=re.S)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def _printable(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:4096]
    return sum(32 <= b < 127 or b in (9, 10, 13) for b in sample) / len(sample) > 0.9


def _pdf_views(data: bytes) -> list[_View]:
    raw = bytearray(data)
    streams: list[bytes] = []
    for match in _PDF_STREAM.finditer(data):
        body = match.group(1)
        try:
            content = zlib.decompress(body)
        except zlib.error:
            content = body
        if content is not body or not _printable(body):
            raw[match.start(1) : match.end(1)] = b" " * len(body)
        if _printable(content):
            streams.append(content)
    info = [
        f"{key.decode()}: {_pdf_string(value)}" for key, value in _PDF_INFO.findall(data)
    ]
    texts: list[str] = []
    for stream in streams:
        for operand, in ((m.group(1),) for m in _PDF_TEXT_OP.finditer(stream)):
            pieces = _PDF_LITERAL.findall(operand) if operand.startswith(b"[") else [operand]
            texts.append("".join(_pdf_string(p) for p in pieces))
    return [
        _View("pdf-raw", _strings(bytes(raw))),
        _View("pdf-metadata", "\n".join(info)),
        _View("pdf-text", "\n".join(texts)),
        _View("pdf-streams", "\n".join(s.decode("latin-1") for s in streams)),
        # embedded subset fonts (WeasyPrint's report.pdf): glyph numbers read through ToUnicode
        _View("pdf-unicode", pdf_unicode_text(data)),
    ]


def _sav_view(path: Path) -> _View:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path))
    parts = [meta.file_label or "", " ".join(map(str, frame.columns))]
    parts += [str(label) for label in (meta.column_labels or []) if label]
    for labels in (meta.variable_value_labels or {}).values():
        parts += [f"{key} {value}" for key, value in labels.items()]
    for column in frame.columns:
        if frame[column].dtype == object:
            parts += [str(v) for v in frame[column].dropna()]
    return _View("sav", "\n".join(parts))


def _notebook_views(text: str) -> list[_View]:
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError:
        return []
    views: list[_View] = []

    def strings(node, payloads: list[tuple[str, bytes]], key: str = "") -> list[str]:
        if isinstance(node, str):
            if key.startswith("image/") and "svg" not in key:
                try:
                    payloads.append((key, base64.b64decode(node)))
                except (binascii.Error, ValueError):
                    pass
                return []
            return [node]
        if isinstance(node, list):
            if all(isinstance(x, str) for x in node) and key in ("source", "text", "text/html",
                                                                 "text/plain", "text/markdown",
                                                                 "image/svg+xml", "traceback"):
                return ["".join(node)]
            return [s for x in node for s in strings(x, payloads, key)]
        if isinstance(node, dict):
            return [f"{k}\n{s}" if isinstance(v, (str, int, float)) else s
                    for k, v in node.items() for s in strings(v, payloads, k)]
        return [str(node)] if isinstance(node, (int, float)) else []

    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        for part in ("source", "outputs", "attachments", "metadata"):
            if part not in cell:
                continue
            payloads: list[tuple[str, bytes]] = []
            joined, blank = _blank_data_uris("\n".join(strings(cell[part], payloads, part)))
            joined = _mask_geometry(joined)
            name = f"notebook cell {number} {part}"
            views.append(_View(name, joined))
            views += [v.renamed(f"{name} {v.name}") for v in _markup_views(joined)]
            views += _embedded_views(payloads + blank, f"{name} ")
    if isinstance(notebook, dict) and "metadata" in notebook:
        views.append(_View("notebook metadata", "\n".join(strings(notebook["metadata"], []))))
    return views


def _office_views(data: bytes) -> list[_View]:
    views: list[_View] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in sorted(archive.namelist()):
            content = archive.read(member)
            if member.endswith((".xml", ".rels", ".vml")):
                text = _mask_geometry(content.decode("utf-8", "replace"))
                views.append(_View(f"office:{member}", text))
                views += [v.renamed(f"office:{member} {v.name}") for v in _markup_views(text)]
            elif content.startswith(b"\x89PNG"):
                views.append(_View(f"office:{member} png-metadata", _png_text(content)))
    return views


_PRINTABLE_RUN = re.compile(rb"[\t\n\r\x20-\x7e]{6,}")


def _strings(data: bytes) -> str:
    """Like ``strings``: printable ASCII runs of six or more bytes kept, the rest blanked,
    so compressed or binary data does not produce chance hits but offsets stay file offsets."""
    kept = bytearray(b" " * len(data))
    for run in _PRINTABLE_RUN.finditer(data):
        kept[run.start() : run.end()] = run.group()
    return bytes(kept).decode("latin-1")


def file_views(path: Path, relative: str) -> list[_View]:
    """Every view of one file that is scanned (see the module docstring)."""
    views = [_View("filename", relative)]
    suffix = path.suffix.casefold()
    data = path.read_bytes()
    if suffix == ".png" or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return views + [_View("png-metadata", _png_text(data))]
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        return views + _pdf_views(data)
    if suffix in (".sav", ".zsav"):
        try:
            return views + [_sav_view(path)]
        except Exception as error:  # noqa: BLE001 - an unreadable .sav is scanned as bytes
            log.warning("%s: not readable as SPSS (%s); scanning its bytes", relative,
                        type(error).__name__)
            return views + [_View("raw-bytes", _strings(data))]
    if suffix in _OFFICE_SUFFIXES and zipfile.is_zipfile(io.BytesIO(data)):
        return views + _office_views(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if suffix in _TEXT_SUFFIXES:
            text = data.decode("utf-8", "replace")
        else:
            return views + [_View("raw-bytes", _strings(data))]
    text, payloads = _blank_data_uris(text)
    markup = suffix in _MARKUP_SUFFIXES or (suffix not in (".csv", ".tsv") and re.search(
        r"<(?:html|body|svg|p|div|span|table)\b", text[:20000], re.I))
    if markup:
        text = _mask_geometry(text)
        views += [_View("text", text), *_markup_views(text)]
    else:
        views.append(_View("text", text))
    if suffix == ".ipynb":
        views += _notebook_views(text)
    views += _embedded_views(payloads, "")
    return views


# --------------------------------------------------------------------------------------------
# Scanning


def _allowed_spans(text: str, allow: Sequence[str]) -> list[tuple[int, int]]:
    """Source offsets (start, end) of every occurrence of an allow-listed phrase."""
    folded, origin = normalise(text)
    spans = []
    for phrase in allow:
        start = folded.find(phrase)
        while start >= 0:
            spans.append((origin[start], origin[start + len(phrase) - 1] + 1))
            start = folded.find(phrase, start + 1)
    return spans


#: A checksum: 32 or more hexadecimal characters, at least one a letter, between characters
#: that are not letters or digits (the SHA-256 digests of provenance.json, shown again in the
#: report and the notebook). Its digits are random: in a 50-site run a child's date of birth as
#: ``ddmmyy`` came up as a whole digit group of one digest by chance. Digit needles are not
#: reported inside one; names are (a name cannot sit inside a run of hex letters and digits).
_CHECKSUM = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,}(?![0-9A-Za-z])")


def _checksum_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _CHECKSUM.finditer(text) if not match.group().isdigit()]


def _scan_view(view: _View, matcher: _Matcher, allow: Sequence[str]) -> list[tuple[Needle, int]]:
    matches = matcher.find(view.text)
    if not matches:
        return []
    matches.sort(key=lambda m: (m[0].start, -(m[0].end - m[0].start)))
    spans = _allowed_spans(view.text, allow) if allow else []  # source offsets
    checksums: list[tuple[int, int]] | None = None  # source offsets, found when first needed
    kept: list[tuple[Needle, int]] = []
    covered: list[tuple[int, int, str]] = []
    for match, normalised in matches:
        # offsets in the source view (the two normalised copies have different maps)
        origin = normalised.origin
        start = origin[match.start] if origin else match.start
        end = origin[match.end - 1] + 1 if origin else match.end
        if any(a <= start and end <= b and kind == match.view for a, b, kind in covered):
            continue  # inside a longer match (e.g. "jones" inside "smith-jones")
        if any(a <= start and end <= b for a, b in spans):
            continue
        if match.view == "digits":
            checksums = _checksum_spans(view.text) if checksums is None else checksums
            if any(a <= start and end <= b for a, b in checksums):
                continue
        covered.append((start, end, match.view))
        for needle in matcher.owners[(match.view, match.needle_text)]:
            kept.append((needle, view.source_offset(start)))
    return kept


def _files(roots: Iterable[Path], exclude: Iterable[Path]) -> list[Path]:
    skip = {Path(p).resolve() for p in exclude}
    files: set[Path] = set()
    for root in roots:
        root = Path(root)
        if root.is_file():
            files.add(root.resolve())
        elif root.is_dir():
            files |= {p.resolve() for p in root.rglob("*") if p.is_file()}
    return sorted(p for p in files if p not in skip)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def scan_paths(
    roots: list[Path],
    needles: list[Needle],
    exclude: Iterable[Path] = (),
    *,
    base: Path | None = None,
    allow_list: Iterable[str] = (),
    counts: dict[str, int] | None = None,
) -> list[LeakHit]:
    """Scan every file under ``roots`` (recursively) for the needles; return the hits, sorted.

    ``base`` (default: the working directory) is what file names are shown relative to;
    ``allow_list`` holds reviewed phrases inside which a match is ignored; ``counts``, when
    given, receives the number of files scanned per kind (suffix).
    """
    return _scan(roots, _Matcher(needles), exclude, base=base, allow_list=allow_list,
                 counts=counts)


def _folded_phrases(phrases: Iterable[str]) -> list[str]:
    """The allow-listed phrases in needle form (folded), empty ones dropped."""
    return sorted({folded for folded in map(fold, phrases) if folded})


#: What the forked scan workers share (set before the fork: the matcher is not pickled).
_SCAN: dict = {}


def _scan_file(path: Path) -> list[LeakHit]:
    """Every hit in one file (the matcher, allow list and base from :data:`_SCAN`)."""
    matcher, allow, base = _SCAN["matcher"], _SCAN["allow"], _SCAN["base"]
    relative = _relative(path, base)
    found = [(view.name, needle, offset) for view in file_views(path, relative)
             for needle, offset in _scan_view(view, matcher, allow)]
    shown = relative
    if any(name == "filename" for name, _, _ in found):
        shown = _withhold_path(relative, matcher, allow)
    # markup, attribute and office views report raw file offsets: the same occurrence seen
    # in several views is reported once, in the first view that found it
    seen: set[tuple[str, str, int]] = set()
    hits = []
    for name, needle, offset in found:
        raw_offset = name in ("text",) or "markup" in name
        key = (needle.participant, needle.field, offset)
        if raw_offset and key in seen:
            continue
        if raw_offset:
            seen.add(key)
        hits.append(LeakHit(needle.participant, needle.field, shown, offset, name))
    return hits


def _scan(roots: list[Path], matcher: _Matcher, exclude: Iterable[Path] = (), *,
          base: Path | None = None, allow_list: Iterable[str] = (),
          counts: dict[str, int] | None = None, processes: int = 1) -> list[LeakHit]:
    """The hits of every file, scanned serially or by ``processes`` forked workers (the same
    hits either way: each file is scanned on its own and the hits are sorted)."""
    files = _files(roots, exclude)
    if counts is not None:
        for path in files:
            kind = path.suffix.casefold() or "(no suffix)"
            counts[kind] = counts.get(kind, 0) + 1
    _SCAN.update(matcher=matcher, allow=_folded_phrases(allow_list),
                 base=Path(base or Path.cwd()).resolve())
    try:
        if processes > 1 and len(files) > 1 and "fork" in multiprocessing.get_all_start_methods():
            # largest files first, one at a time, so that the two workers finish together
            order = sorted(files, key=lambda p: -p.stat().st_size)
            with multiprocessing.get_context("fork").Pool(min(processes, len(files))) as pool:
                per_file = pool.map(_scan_file, order, chunksize=1)
        else:
            per_file = [_scan_file(path) for path in files]
    finally:
        _SCAN.clear()
    hits = {hit for found in per_file for hit in found}
    return sorted(hits, key=lambda h: (h.file, h.view, h.offset, h.participant, h.field))


def _withhold_path(relative: str, matcher: _Matcher, allow: Sequence[str]) -> str:
    """The path with every part that holds an identifier replaced by a placeholder."""
    parts = relative.split("/")
    shown = []
    for number, part in enumerate(parts):
        if _scan_view(_View("filename", part), matcher, allow):
            suffix = Path(part).suffix if number == len(parts) - 1 else ""
            shown.append(f"<name withheld>{suffix}")
        else:
            shown.append(part)
    return "/".join(shown)


def format_hits(hits: Iterable[LeakHit]) -> str:
    """One safe line per hit: participant code, field, file, offset and view."""
    return "\n".join(hit.safe_line() for hit in hits)


def _check(needles: list[Needle], *, allow: Sequence[str], rows: int, roots: list[Path],
           summary_path: Path, exclude: Iterable[Path], processes: int = 1) -> int:
    counts: dict[str, int] = {}
    matcher = _Matcher(needles)
    hits = _scan(roots, matcher, exclude=[*exclude, summary_path], allow_list=allow,
                 counts=counts, processes=processes)
    scanned = sum(counts.values())
    header = [
        f"leak check: {scanned} files scanned under "
        f"{', '.join(Path(r).as_posix() for r in roots)}",
        "files per kind: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"),
        f"identifier forms searched: {len(needles)} (from {rows} roster rows and the site "
        "identifiers)",
        f"hits: {len(hits)}",
    ]
    lines = [*header, *(hit.safe_line() for hit in hits)]
    # the summary must pass the check itself: a line whose location text happens to contain an
    # identifier form is withheld
    allow_folded = _folded_phrases(allow)
    lines = [
        line if not _scan_view(_View("summary", line), matcher, allow_folded)
        else f"LEAK: hit {number} (details withheld: the location itself matches an identifier)"
        for number, line in enumerate(lines, start=1 - len(header))
    ]
    summary_path = Path(summary_path)
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if hits:
        raise LeakFound(
            f"{len(hits)} identifier occurrence(s) found in shared outputs; the run is stopped. "
            "Fix the redaction or the output (or add a reviewed entry to leak_allow_list in "
            "the site's identifiers file) and rerun:\n" + "\n".join(lines[len(header):])
        )
    log.info("%s; %s; no identifiers found", header[0], header[1])
    return scanned


def _read_roster(path: Path) -> pd.DataFrame:
    return read_csv_text(Path(path))


def _read_identifiers(path: Path | None) -> dict:
    """The site's identifiers file; a file the validate stage would refuse stops the check."""
    identifiers, problems = read_identifiers(Path(path) if path else None)
    raise_if_errors(problems, "site identifiers file")
    return identifiers


def check_site(
    *,
    roster_path: Path,
    identifiers_path: Path | None,
    key_path: Path | None,
    direct_identifiers: Sequence[str],
    roots: list[Path],
    summary_path: Path,
    exclude: Iterable[Path] = (),
    processes: int = 1,
) -> int:
    """Scan a site's outputs; write the summary; raise :class:`LeakFound` on any hit.

    The roster is read as text; the site's identifiers file adds the staff, school and town
    names and the reviewed allow-list; the linkage key (``record_id, pseudonym``) names the
    participants when it exists. The summary lists the files scanned per kind, the number of
    hits and one safe line per hit. Returns the number of files scanned. With ``processes`` > 1
    the files are scanned by that many forked workers (the same summary).
    """
    roster = _read_roster(Path(roster_path))
    identifiers = _read_identifiers(identifiers_path)
    key = _read_roster(Path(key_path)) if key_path and Path(key_path).exists() else None
    needles = build_needles(roster, identifiers, direct_identifiers, key)
    skip = [*exclude, Path(roster_path), *([Path(key_path)] if key_path else [])]
    return _check(needles, allow=identifiers["leak_allow_list"], rows=len(roster), roots=roots,
                  summary_path=summary_path, exclude=skip, processes=processes)


def check_pooled(*, roster_paths: list[Path], identifiers_paths: list[Path | None],
                 key_paths: list[Path], sites: list[str], direct_identifiers: Sequence[str],
                 roots: list[Path], summary_path: Path, exclude: Iterable[Path] = (),
                 processes: int = 1) -> int:
    """The pooled outputs against every site's roster and site identifiers (as above)."""
    needles: set[Needle] = set()
    allow: list[str] = []
    rows = 0
    for roster_path, identifiers_path, key_path, site in zip(
        roster_paths, identifiers_paths, key_paths, sites, strict=True
    ):
        roster = _read_roster(Path(roster_path))
        identifiers = _read_identifiers(identifiers_path)
        allow += identifiers["leak_allow_list"]
        key = _read_roster(Path(key_path)) if Path(key_path).exists() else None
        site_needles = build_needles(roster, identifiers, direct_identifiers, key)
        # two sites both have a P01: name the site too
        needles |= {Needle(f"{site} {n.participant}", n.field, n.text, n.view)
                    for n in site_needles}
        rows += len(roster)
    skip = [*exclude, *map(Path, roster_paths), *map(Path, key_paths)]
    return _check(sorted(needles, key=lambda n: (n.participant, n.field, n.view, n.text)),
                  allow=sorted(set(allow)), rows=rows, roots=roots, summary_path=summary_path,
                  exclude=skip, processes=processes)
