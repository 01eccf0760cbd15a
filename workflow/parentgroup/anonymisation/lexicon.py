"""The roster lexicon: every spelling of every name the study knows, and whom it points to.

Built per site from the roster (parent, child, partner, siblings, nicknames, email, postcode,
phone) and the site's ``identifiers`` (staff ``name -> role``, school and town names). For each
name it adds the full name, the first name, the surname (as the family), nicknames (alone and
with the surname), first + last name when there are middle names, each part of a double-barrelled
surname, the plural surname ("the Whitlocks"), and for staff the titles (Mrs/Mr/Ms/Miss/Mx/Dr,
with or without a full stop) before the surname and the first name. Every variant is also
stored with a hyphen read as a space, with the apostrophe dropped (O'Neil / ONeil) and with its
accents folded (NFKD, Zoë / Zoe).

Variants are compared in :func:`fold` form (case-folded, accents removed, curly apostrophes
straightened, whitespace collapsed); :func:`variant_regex` turns a folded variant back into a
regex that accepts any letter case, accented or plain letters, straight or curly apostrophes and
any run of whitespace or hyphens between the parts (a name split across a line break).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

#: First names and nicknames that are also ordinary English words: redacted only when
#: capitalised (and not a modal verb or a month) or in name context, and listed for review.
ORDINARY_WORD_NAMES = frozenset(
    """april art august autumn bill bob buddy carol chance cherry crystal dawn dean don faith
    favour fern frank grace grant guy hazel heather holly hope iris ivy jack jade jay jewel joy
    june lily mark max may melody miles pat ray rob robin rose ruby sandy sky summer sunny sue
    violet will win""".split()
)
STAFF_TITLES = ("Mrs", "Mr", "Ms", "Miss", "Mx", "Dr", "Sir")
#: Replacement templates; ``{p}`` is the pseudonym of the participant the person belongs to.
TEMPLATES = {
    "parent": "[{p}]",
    "child": "[Child of {p}]",
    "partner": "[Partner of {p}]",
    "sibling": "[Sibling of {p}]",
    "family": "[Family of {p}]",
    "email": "[Email]",
    "postcode": "[Postcode]",
    "school": "[School]",
    "town": "[Town]",
}


def fold(text: str) -> str:
    """Accent-free, case-folded, apostrophes straightened, whitespace collapsed.

    >>> fold("Zoë  O’Neil")
    "zoe o'neil"
    """
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.casefold()).strip()


def lexicon_key(text: str) -> str:
    """The form variants are stored and looked up in: :func:`fold`, with any run of spaces and
    hyphens read as one space (``Ashcroft-\\nByrne`` and ``Ashcroft Byrne`` are one key).

    >>> lexicon_key("Hope Ashcroft-\\nByrne")
    'hope ashcroft byrne'
    """
    return re.sub(r"[\s\-‐‑]+", " ", fold(text)).strip()


@dataclass(frozen=True)
class Referent:
    """Who a variant may point to."""

    kind: str  # parent, child, partner, sibling, family, staff, school, town, email, ...
    record_id: str  # the participant the person belongs to ("" for staff and places)
    template: str  # the replacement, with {p} for that participant's pseudonym
    scope: str = ""  # for reviewed tokens: the only record_id whose texts it applies to


@dataclass
class Lexicon:
    """Folded variant -> the people it may refer to; which variants are ordinary words."""

    variants: dict[str, list[Referent]] = field(default_factory=dict)
    ordinary: set[str] = field(default_factory=set)
    # (variant, referent) pairs already listed: a set, so a surname shared by hundreds of
    # families at a large site is not a quadratic list search
    _seen: set[tuple[str, Referent]] = field(default_factory=set, repr=False)

    def add(self, name: str, referent: Referent, *, single: bool = False) -> None:
        for variant in sorted(spellings(name)):
            key = lexicon_key(variant)
            if len(key.replace(" ", "")) < 2:
                continue
            bucket = self.variants.setdefault(key, [])
            if (key, referent) not in self._seen:
                self._seen.add((key, referent))
                bucket.append(referent)
            if single and key in ORDINARY_WORD_NAMES:
                self.ordinary.add(key)

    def ambiguous(self, key: str) -> bool:
        """True when a variant may refer to more than one person, family or place."""
        return len({(r.record_id, r.template) for r in self.variants.get(key, [])}) > 1


def spellings(name: str) -> set[str]:
    """A name with hyphens as spaces, apostrophes dropped, and accents folded.

    >>> sorted(spellings("Zoë Ashcroft-Byrne"))[:2]
    ['Zoe Ashcroft Byrne', 'Zoe Ashcroft-Byrne']
    """
    name = re.sub(r"\s+", " ", name.strip())
    out = {name, name.replace("’", "'")}
    out |= {n.replace("-", " ") for n in list(out)}
    out |= {n.replace("'", "") for n in list(out)}
    folded = {"".join(c for c in unicodedata.normalize("NFKD", n) if not unicodedata.combining(c))
              for n in out}
    return {n for n in out | folded if n}


def split_list(value: str) -> list[str]:
    """``;``-separated roster list -> its non-empty items."""
    return [v.strip() for v in str(value).split(";") if v.strip()]


def build_lexicon(roster: pd.DataFrame, identifiers: dict | None) -> Lexicon:
    """Variants of every roster and site name, each with the people it may refer to."""
    lexicon = Lexicon()
    identifiers = identifiers or {}
    for row in roster.fillna("").astype(str).to_dict("records"):
        rid = row["record_id"]

        def person(name: str, kind: str, nicknames: list[str], rid: str = rid) -> None:
            if not name.strip():
                return
            referent = Referent(kind, rid, TEMPLATES[kind])
            family = Referent("family", rid, TEMPLATES["family"])
            lexicon.add(name, referent)
            parts = name.split()
            lexicon.add(parts[0], referent, single=True)
            for nickname in nicknames:
                lexicon.add(nickname, referent, single=True)
                if len(parts) > 1:
                    lexicon.add(f"{nickname} {parts[-1]}", referent)
            if len(parts) > 2:
                lexicon.add(f"{parts[0]} {parts[-1]}", referent)
            if len(parts) > 1:
                surname = parts[-1]
                lexicon.add(surname, family)
                lexicon.add(f"{surname}s", family)
                lexicon.add(f"{surname}es", family)
                pieces = [p for p in re.split(r"-", surname) if len(p) >= 3]
                if len(pieces) > 1:
                    for piece in pieces:
                        lexicon.add(piece, family)

        person(row.get("parent_name", ""), "parent", split_list(row.get("parent_nicknames", "")))
        person(row.get("child_name", ""), "child", split_list(row.get("child_nicknames", "")))
        person(row.get("partner_name", ""), "partner", [])
        for sibling in split_list(row.get("sibling_names", "")):
            person(sibling, "sibling", [])
        for column in ("email", "postcode"):
            value = row.get(column, "").strip()
            if value:
                referent = Referent(column, rid, TEMPLATES[column])
                lexicon.add(value, referent)
                lexicon.add(re.sub(r"\s+", "", value), referent)
    for name, role in sorted((identifiers.get("staff") or {}).items()):
        referent = Referent("staff", "", f"[{role}]")
        lexicon.add(name, referent)
        parts = name.split()
        lexicon.add(parts[0], referent, single=True)
        if len(parts) > 1:
            lexicon.add(parts[-1], referent)
            for title in STAFF_TITLES:
                for dot in ("", "."):
                    lexicon.add(f"{title}{dot} {parts[-1]}", referent)
                    lexicon.add(f"{title}{dot} {parts[0]}", referent)
    for kind in ("school", "town"):
        names = identifiers.get(kind) or []
        for name in sorted([names] if isinstance(names, str) else names):
            lexicon.add(name, Referent(kind, "", TEMPLATES[kind]))
    return lexicon


_ACCENTED = {
    "a": "àáâäãåā", "c": "çćč", "e": "èéêëēė", "i": "ìíîïī", "n": "ñń", "o": "òóôöõøō",
    "u": "ùúûüū", "y": "ýÿ", "s": "śšş", "z": "źżž", "l": "ł", "g": "ğ",
}
_COMBINING = "[\u0300-\u036f]*"


def variant_regex(key: str) -> str:
    """Regex for a folded variant: any case, accented or plain letters (precomposed or with
    combining marks), straight or curly apostrophes, whitespace or hyphens between parts.

    >>> bool(re.fullmatch(variant_regex("zoe o'neil"), "ZOË O’Neil"))
    True
    >>> bool(re.fullmatch(variant_regex("ashcroft byrne"), "Ashcroft-\\nByrne"))
    True
    """
    pieces = []
    for char in key:
        if char == " ":
            pieces.append(r"[\s\-‐‑]+")
        elif char == "'":
            pieces.append(r"['’‘]")
        elif char.isalpha():
            options = {char, char.upper()} | set(_ACCENTED.get(char, ""))
            options |= {c.upper() for c in _ACCENTED.get(char, "")}
            pieces.append("[" + "".join(re.escape(o) for o in sorted(options)) + "]" + _COMBINING)
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)
