"""Roster-driven redaction of transcripts and coded excerpts.

Every name the study knows is built into a lexicon of variants: the full name, first name,
surname, nicknames from the roster, staff titles with surnames (Mrs Okafor), hyphenated names
with a space instead of the hyphen, apostrophes straight or curly (O'Neil / O’Neil), names with
their accents removed (Zoë / Zoe); any letter case; any run of whitespace (a line break) between
the parts of a name. Variants are matched longest first, with boundaries that treat an
apostrophe as a non-word character (Presidio's deny-list boundaries), so possessives keep their
ending: ``Alfie's`` becomes ``[Child of P03]'s``.

Replacements are consistent in every file (UK Data Service): ``[P03]`` for a parent (the
interviewee or another group member), ``[Child of P03]``, ``[Partner of P03]``,
``[Sibling of P03]``, ``[Family of P03]`` for a surname on its own, staff as ``[role]``,
``[School]`` and ``[Town]``. A first name shared by several people is resolved in favour of the
interviewee's own family, then staff, then other parents, and listed for review.

Names that are also ordinary words (Grace, May, Will, Hope, Rose, Joy, ...) are redacted only
when capitalised or followed by a possessive ("grace's teacher"), and not when they are an
auxiliary verb before a pronoun ("Will you", "May I"); recall comes first, so "Hope is ..."
at a sentence start is redacted, and the measured precision on decoys is reported by
``benchmarks/redaction_recall.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from parentgroup.anonymisation.patterns import find_patterns

ORDINARY_WORD_NAMES = frozenset(
    """april august autumn bill bob carol chance crystal dawn dean faith fern frank grace grant
    guy hazel heather holly hope iris ivy jack jade jay jewel joy june lily mark may melody miles
    rose ruby sandy sky summer sunny violet will win""".split()
)
AUXILIARY_FOLLOWERS = re.compile(r"\s+(?:you|i|we|they|he|she|it|not)\b", re.I)
STAFF_TITLES = ("Mrs", "Mr", "Ms", "Miss", "Dr", "Mx")
ROLE_RANK = {"parent": 0, "child": 1, "partner": 2, "sibling": 3, "family": 4}


def fold(text: str) -> str:
    """Accent-free, case-folded, apostrophes straightened, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.casefold()).strip()


@dataclass(frozen=True)
class Referent:
    """Who a variant may point to."""

    kind: str  # parent, child, partner, sibling, family, staff, school, town, reviewed
    record_id: str  # the participant the person belongs to ("" for site names)
    replacement_template: str  # with {p} for the pseudonym


@dataclass
class Replacement:
    file: str
    offset: int
    category: str
    rule: str
    original: str
    replacement: str


@dataclass
class Lexicon:
    variants: dict[str, list[Referent]] = field(default_factory=dict)
    ordinary: set[str] = field(default_factory=set)

    def add(self, name: str, referent: Referent, *, single: bool = False) -> None:
        for variant in _spellings(name):
            key = fold(variant)
            if len(key) < 2:
                continue
            bucket = self.variants.setdefault(key, [])
            if referent not in bucket:
                bucket.append(referent)
            if single and key in ORDINARY_WORD_NAMES:
                self.ordinary.add(key)


def _spellings(name: str) -> set[str]:
    name = re.sub(r"\s+", " ", name.strip())
    out = {name, name.replace("’", "'")}
    out |= {n.replace("-", " ") for n in list(out)}
    out |= {n.replace("'", "") for n in list(out)}
    folded = {"".join(c for c in unicodedata.normalize("NFKD", n) if not unicodedata.combining(c))
              for n in out}
    return {n for n in out | folded if n}


def _split(value: str) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()]


def build_lexicon(roster: pd.DataFrame, identifiers: dict, extra: dict[str, str] | None = None
                  ) -> Lexicon:
    """Variants of every roster and site name, each with the people it may refer to."""
    lexicon = Lexicon()
    for row in roster.fillna("").astype(str).to_dict("records"):
        rid = row["record_id"]

        def person(name: str, kind: str, template: str, *, nicknames=(), rid=rid) -> None:
            if not name:
                return
            lexicon.add(name, Referent(kind, rid, template))
            parts = [p for p in re.split(r"\s+", name) if p]
            if parts:
                lexicon.add(parts[0], Referent(kind, rid, template), single=True)
            for nickname in nicknames:
                lexicon.add(nickname, Referent(kind, rid, template), single=True)
                if len(parts) > 1:
                    lexicon.add(f"{nickname} {parts[-1]}", Referent(kind, rid, template))
            if len(parts) > 1:
                surname = parts[-1]
                lexicon.add(surname, Referent("family", rid, "[Family of {p}]"))
                lexicon.add(f"{surname}s", Referent("family", rid, "[Family of {p}]"))
                for piece in surname.split("-"):
                    if len(piece) >= 3 and piece != surname:
                        lexicon.add(piece, Referent("family", rid, "[Family of {p}]"))

        person(row.get("parent_name", ""), "parent", "[{p}]",
               nicknames=_split(row.get("parent_nicknames", "")))
        person(row.get("child_name", ""), "child", "[Child of {p}]",
               nicknames=_split(row.get("child_nicknames", "")))
        person(row.get("partner_name", ""), "partner", "[Partner of {p}]")
        for column, template in (("email", "[Email]"), ("postcode", "[Postcode]")):
            if row.get(column, "").strip():
                lexicon.add(row[column].strip(), Referent(column, rid, template))
                lexicon.add(re.sub(r"\s+", "", row[column]), Referent(column, rid, template))
        for sibling in _split(row.get("sibling_names", "")):
            person(sibling, "sibling", "[Sibling of {p}]")
    for name, role in sorted((identifiers.get("staff") or {}).items()):
        template = f"[{role}]"
        referent = Referent("staff", "", template)
        lexicon.add(name, referent)
        parts = name.split()
        if len(parts) > 1:
            lexicon.add(parts[0], referent, single=True)
            lexicon.add(parts[-1], referent)
            for title in STAFF_TITLES:
                lexicon.add(f"{title} {parts[-1]}", referent)
                lexicon.add(f"{title}. {parts[-1]}", referent)
    for kind, template in (("school", "[School]"), ("town", "[Town]")):
        for name in identifiers.get(kind) or []:
            lexicon.add(name, Referent(kind, "", template))
    for token, replacement in sorted((extra or {}).items()):
        lexicon.add(token, Referent("reviewed", "", replacement))
    return lexicon


def _variant_regex(key: str) -> str:
    pieces = []
    for char in key:
        if char == " ":
            pieces.append(r"[\s-]+")
        elif char == "'":
            pieces.append(r"['’]")
        elif char.isalpha():
            options = {char, char.upper()}
            options |= {c for c in _ACCENTED.get(char, "")}
            options |= {c.upper() for c in _ACCENTED.get(char, "")}
            pieces.append("[" + "".join(sorted(re.escape(o) for o in options)) + "]")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)


_ACCENTED = {
    "a": "àáâäãåā", "c": "çć", "e": "èéêëē", "i": "ìíîïī", "n": "ñń", "o": "òóôöõøō",
    "u": "ùúûüū", "y": "ýÿ", "s": "śš", "z": "źżž",
}


class Redactor:
    """Redacts one site's texts with one consistent mapping (transcripts and excerpts alike)."""

    def __init__(self, roster: pd.DataFrame, identifiers: dict, pseudonyms: dict[str, str],
                 reviewed: dict[str, str] | None = None):
        self.pseudonyms = pseudonyms
        self.lexicon = build_lexicon(roster, identifiers, reviewed)
        keys = sorted(self.lexicon.variants, key=lambda k: (-len(k), k))
        alternation = "|".join(_variant_regex(k) for k in keys)
        self.pattern = re.compile(rf"(?:^|(?<=[^\w]))(?:{alternation})(?=[^\w]|$)")

    def _choose(self, referents: list[Referent], context: str) -> Referent:
        def rank(r: Referent) -> tuple:
            own = r.record_id == context
            return (
                0 if own else (1 if r.kind in {"staff", "school", "town", "reviewed"} else 2),
                ROLE_RANK.get(r.kind, 5),
                r.record_id,
            )

        return sorted(referents, key=rank)[0]

    def redact(self, text: str, participant: str, file_label: str
               ) -> tuple[str, list[Replacement]]:
        """Redact ``text`` from the interview of ``participant`` (a record_id).

        Returns the redacted text and one :class:`Replacement` per change (offsets refer to the
        input text).
        """
        spans: list[tuple[int, int, str, str, str]] = []
        for start, end, category, replacement in find_patterns(text):
            spans.append((start, end, category, f"pattern:{category}", replacement))
        taken = [(s, e) for s, e, *_ in spans]
        for match in self.pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            key = fold(match.group())
            referents = self.lexicon.variants.get(key)
            if not referents:
                continue
            if key in self.lexicon.ordinary and " " not in key:
                possessive = re.match(r"['’]s?\b", text[end : end + 2])
                if match.group()[0].islower() and not possessive:
                    continue
                if AUXILIARY_FOLLOWERS.match(text, end) and key in {"will", "may", "can"}:
                    continue
            referent = self._choose(referents, participant)
            pseudonym = self.pseudonyms.get(referent.record_id, "another parent")
            replacement = referent.replacement_template.format(p=pseudonym)
            spans.append((start, end, referent.kind, f"roster:{referent.kind}", replacement))
            taken.append((start, end))
        spans.sort()
        out, cursor, log = [], 0, []
        for start, end, category, rule, replacement in spans:
            out.append(text[cursor:start])
            out.append(replacement)
            cursor = end
            log.append(Replacement(file_label, start, category, rule, text[start:end],
                                   replacement))
        out.append(text[cursor:])
        return "".join(out), log
