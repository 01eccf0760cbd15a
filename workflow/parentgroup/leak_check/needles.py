"""Needles: what the leak check searches for.

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
      tokens (>= 3 letters, not a word of :data:`EMAIL_WORDS` such as ``mum`` or ``three``), and
      a ``.sch.uk`` domain (it names the school); a name particle (:data:`NAME_PARTICLES`:
      ``van``, ``bin``, ``thi``) is searched only within the full name, never alone;
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
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from parentgroup.formatting import ordinal
from parentgroup.leak_check.matching import _trim, _without_cyclic_gc, fold

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

#: Name particles (``Ludwig van Beethoven``, ``Nguyễn Văn Minh``, ``Omar bin Said``): part of a
#: full name, never searched alone as a name part ("we took the van", "thi" in a transcript
#: name nobody).
NAME_PARTICLES = frozenset(
    "abu bin binti bint ibn ben van von der den del della des dos das thi".split()
)

#: Words of an email's local part that are not names (``mum.of.three@``, ``info.family@``):
#: kinship and role words, greetings and mail words, small numbers as words, pet words. Only
#: the local part's other tokens are searched as names (and so redacted by the anonymisation,
#: which takes its names from these needles): "my mum said it three times" is text, not a
#: parent's name.
EMAIL_WORDS = frozenset(
    """
    mum mom mam mama mamma mammy mummy mommy ma dad daddy papa pa mother father parent parents
    family fam nan nana nanny gran granny grandma grandmother grandad granddad grandpa
    grandfather auntie aunty aunt uncle wife husband hubby partner son daughter kids kid child
    children baby babe twins girl girls boy boys lad lads lass home house info contact admin
    office mail email post hello hiya hey the and for from with our my me you your his her
    their mrs mr miss ms dr team work private personal official real online web net one two
    three four five six seven eight nine ten eleven twelve first second third love lovely
    happy sunny smiley cool super star angel queen king princess prince little lil big best
    xox xoxo
    """.split()
)

#: Sentence-ending punctuation: a common-word name right after it (or at the start of a view)
#: is not matched.
_MONTH_NAMES = [m.casefold() for m in calendar.month_name[1:]]
_PHONE_MIN_DIGITS = 9
_NAME_MIN_LETTERS = 3


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
    days = {str(d), f"{d:02d}", ordinal(d)}
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
            candidates += [p for p in _name_parts(value) if _letters(_trim(p)) >= _NAME_MIN_LETTERS
                           and _trim(p) not in NAME_PARTICLES]
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
        if _letters(token) >= _NAME_MIN_LETTERS and token not in EMAIL_WORDS | NAME_PARTICLES:
            needles.add_name(code, f"{column} local part", token, parts=False)
    if domain.endswith(".sch.uk"):
        needles.add(code, f"{column} domain", domain, "folded")


