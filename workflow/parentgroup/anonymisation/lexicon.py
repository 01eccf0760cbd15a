"""The roster lexicon: every spelling of every name the study knows, and whom it points to.

Built per site from the roster (parent, child, partner, siblings, nicknames, the other names
the family uses (``other_names``), email, postcode, phone) and the site's ``identifiers``
(staff ``name -> role``, school and town names). For each name it adds the full name, the
first name, the surname (as the family), nicknames (alone and with the surname), first + last
name when there are middle names, each part of a double-barrelled surname, the plural surname
("the Whitlocks"), and for staff the titles (Mrs/Mr/Ms/Miss/Mx/Dr, with or without a full
stop) before the surname and the first name. Every variant is also stored with a hyphen read as
a space, with the apostrophe dropped (O'Neil / ONeil) and with its accents folded (Zoë / Zoe).
Values of the config's extra ``roster.direct_identifiers`` columns (``school``,
``staff_names``, ``address`` ...) are added as they are. Single-word variants that are also
ordinary English words (:data:`.ordinary_words.ORDINARY_WORD_NAMES`) are marked, so the
redactor judges each occurrence (:mod:`.ordinary_words`).

Variants are compared in :func:`parentgroup.spelling.fold` form (case-folded, accents removed
by Unicode's own decompositions, curly apostrophes straightened, whitespace collapsed). Texts
are searched in the same plain view (:func:`parentgroup.spelling.plain_view`, which keeps the
way back to the original offsets), with :func:`variant_regex` regexes that accept any letter
case, straight or curly apostrophes and any run of whitespace or hyphens between the parts (a
name split across a line break).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from parentgroup.anonymisation.ordinary_words import ORDINARY_WORD_NAMES
from parentgroup.spelling import fold, plain_text

STAFF_TITLES = ("Mrs", "Mr", "Ms", "Miss", "Mx", "Dr", "Sir")
#: Replacement templates; ``{p}`` is the pseudonym of the participant the person belongs to.
TEMPLATES = {
    "parent": "[{p}]",
    "child": "[Child of {p}]",
    "partner": "[Partner of {p}]",
    "sibling": "[Sibling of {p}]",
    "other": "[Person known to {p}]",
    "family": "[Family of {p}]",
    "email": "[Email]",
    "postcode": "[Postcode]",
    "school": "[School]",
    "town": "[Town]",
    "identifier": "[Redacted]",
}
#: Replacement of a value from an extra ``roster.direct_identifiers`` column, by column name.
COLUMN_TAGS = (
    (r"staff|teacher|tutor|senco|worker", "[Staff]"), (r"school|academy|college|nursery",
                                                       "[School]"),
    (r"town|city|village|county|borough", "[Town]"), (r"address|street|road|house|flat",
                                                      "[Address]"),
    (r"nhs", "[NHS number]"), (r"phone|mobile|tel", "[Phone]"), (r"mail", "[Email]"),
    (r"post_?code|zip", "[Postcode]"), (r"dob|birth|born", "[Date]"),
    (r"doctor|gp|clinician|therapist", "[Clinician]"),
)
#: Roster columns the lexicon reads in their own way (people and contact details).
BUILT_IN_COLUMNS = frozenset({
    "record_id", "parent_name", "parent_nicknames", "child_name", "child_nicknames",
    "partner_name", "sibling_names", "other_names", "email", "phone", "postcode", "child_dob",
})


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

    def add(self, name: str, referent: Referent) -> None:
        for variant in sorted(spellings(name)):
            key = lexicon_key(variant)
            # counted in letters as written (a Hangul syllable is one, its jamo three)
            if len(unicodedata.normalize("NFC", key).replace(" ", "")) < 2:
                continue
            bucket = self.variants.setdefault(key, [])
            if (key, referent) not in self._seen:
                self._seen.add((key, referent))
                bucket.append(referent)
            if " " not in key and key in ORDINARY_WORD_NAMES:
                self.ordinary.add(key)

    def ambiguous(self, key: str) -> bool:
        """True when a variant may refer to more than one person, family or place."""
        return len({(r.record_id, r.template) for r in self.variants.get(key, [])}) > 1


def spellings(name: str) -> set[str]:
    """A name with hyphens as spaces, apostrophes dropped or as a space (``O Neill``), and
    accents folded (``Łukasz`` -> ``Lukasz`` too).

    >>> sorted(spellings("Zoë Ashcroft-Byrne"))[:2]
    ['Zoe Ashcroft Byrne', 'Zoe Ashcroft-Byrne']
    >>> sorted(spellings("D'Souza")), sorted(spellings("Łukasz"))
    (['D Souza', "D'Souza", 'DSouza'], ['Lukasz', 'Łukasz'])
    """
    name = re.sub(r"\s+", " ", name.strip())
    out = {name, name.replace("’", "'")}
    out |= {n.replace("-", " ") for n in list(out)}
    out |= {variant for n in list(out) if "'" in n
            for variant in (n.replace("'", ""), n.replace("'", " "))}
    folded = {plain_text(n) for n in out}
    return {n for n in out | folded if n}


def without_title(name: str) -> str:
    """A staff name without a leading title (``Ms Gráinne Ó Súilleabháin`` -> ``Gráinne Ó
    Súilleabháin``): the title is not the person's first name.

    >>> without_title("Ms. Ann Lee"), without_title("Dr Ng"), without_title("Missy Lee")
    ('Ann Lee', 'Ng', 'Missy Lee')
    """
    words = name.split()
    if len(words) > 1 and words[0].rstrip(".") in STAFF_TITLES:
        return " ".join(words[1:])
    return name


def split_list(value: str) -> list[str]:
    """``;``-separated roster list -> its non-empty items."""
    return [v.strip() for v in str(value).split(";") if v.strip()]


#: Scripts written without spaces between words (Chinese, Japanese, Korean), where a name runs
#: on into the words around it: Han ideographs, kana, Hangul syllables and jamo (the plain view
#: reads a Hangul syllable as its jamo).
UNSPACED = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf" \
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff"
_UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")
_HAN_OR_HANGUL_NAME = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}|"
                                 "[\uac00-\ud7af]{2,4}")


def unspaced(text: str) -> bool:
    """Whether ``text`` starts or ends in a script written without spaces (:data:`UNSPACED`):
    such a name is searched without word boundaries on that side (``小明说`` holds ``小明``)."""
    return bool(text) and bool(_UNSPACED_CHAR.match(text[0]) or _UNSPACED_CHAR.match(text[-1]))


def surname_and_given(name: str) -> tuple[str, str] | None:
    """A Chinese or Korean full name written without a space (two to four Han ideographs or
    Hangul syllables) split into family name and given name, by a heuristic: the family name is
    the first character, or the first two of a four-character name (欧阳小明, 남궁민수; a
    Japanese name in kanji, 山田太郎, mostly splits this way too). None for any other name.
    A one-character given name is too short to search alone; the full name still is. Names the
    heuristic splits wrongly (a one-character family name before a three-character given name)
    stay on the review list (kind ``caseless script``).

    >>> surname_and_given("王小明"), surname_and_given("欧阳小明"), surname_and_given("김민준")
    (('王', '小明'), ('欧阳', '小明'), ('김', '민준'))
    >>> surname_and_given("王芳"), surname_and_given("Wang Fang")
    (('王', '芳'), None)
    """
    name = unicodedata.normalize("NFC", name.strip())
    if not _HAN_OR_HANGUL_NAME.fullmatch(name):
        return None
    cut = 2 if len(name) == 4 else 1
    return name[:cut], name[cut:]


def column_tag(column: str) -> str:
    """The replacement of a value from an extra direct-identifier roster column.

    >>> column_tag("staff_names"), column_tag("home_address"), column_tag("club")
    ('[Staff]', '[Address]', '[Redacted]')
    """
    for pattern, tag in COLUMN_TAGS:
        if re.search(pattern, column.casefold()):
            return tag
    return TEMPLATES["identifier"]


def build_lexicon(roster: pd.DataFrame, identifiers: dict | None,
                  identifier_columns: tuple[str, ...] | list[str] = ()) -> Lexicon:
    """Variants of every roster and site name, each with the people it may refer to.

    ``identifier_columns`` are the config's ``roster.direct_identifiers``: a listed column
    beyond the built-in ones (``school``, ``staff_names``, ``address`` ...) has each of its
    ``;``-separated values redacted as a whole and, when the column holds names (its name says
    ``name`` or ``staff``), every part of three or more letters too."""
    lexicon = Lexicon()
    extra = sorted(c for c in dict.fromkeys(identifier_columns) if c not in BUILT_IN_COLUMNS
                   and c in roster.columns)
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
            lexicon.add(parts[0], referent)
            # a hyphenated first name is also called by either part (Anne-Marie: Anne, Marie)
            for piece in re.split(r"[-‐‑]", parts[0]):
                if len(piece) >= 3 and piece != parts[0]:
                    lexicon.add(piece, referent)
            split = surname_and_given(name)
            if split is not None:  # 王小明: 小明 is the given name, 王 the family's
                lexicon.add(split[1], referent)
                lexicon.add(split[0], family)
            for nickname in nicknames:
                lexicon.add(nickname, referent)
                if len(parts) > 1:
                    lexicon.add(f"{nickname} {parts[-1]}", referent)
            if len(parts) > 2:
                lexicon.add(f"{parts[0]} {parts[-1]}", referent)
            if len(parts) > 2:  # a surname of several words: Ní Bhriain, Ó Súilleabháin
                lexicon.add(" ".join(parts[1:]), family)
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
        # anyone else the family's texts name: a partner's or sibling's nickname, a grandparent,
        # a friend (roster other_names)
        for other in split_list(row.get("other_names", "")):
            person(other, "other", [])
        for column in ("email", "postcode"):
            value = row.get(column, "").strip()
            if value:
                referent = Referent(column, rid, TEMPLATES[column])
                lexicon.add(value, referent)
                lexicon.add(re.sub(r"\s+", "", value), referent)
        for column in extra:
            referent = Referent("identifier", rid, column_tag(column))
            for value in split_list(row.get(column, "")):
                lexicon.add(value, referent)
                if re.search(r"name|staff", column.casefold()):
                    for part in value.split():
                        if len(part) >= 3:
                            lexicon.add(part, referent)
    add_leak_check_names(lexicon, roster, extra)
    for name, role in sorted((identifiers.get("staff") or {}).items()):
        referent = Referent("staff", "", f"[{role}]")
        lexicon.add(name, referent)
        parts = without_title(name).split()
        lexicon.add(parts[0], referent)
        split = surname_and_given(parts[-1])
        if split is not None:
            lexicon.add(split[1], referent)
        if len(parts) > 2:
            lexicon.add(" ".join(parts[1:]), referent)
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


#: Roster columns whose leak-check needles are names, and the person each belongs to. The
#: email's local part is the parent's (lan.nguyen@ -> lan, nguyen).
NEEDLE_KINDS = {"parent_name": "parent", "parent_nicknames": "parent", "child_name": "child",
                "child_nicknames": "child", "partner_name": "partner",
                "sibling_names": "sibling", "other_names": "other", "email": "parent",
                "email local part": "parent"}


def add_leak_check_names(lexicon: Lexicon, roster: pd.DataFrame,
                         extra_columns: list[str] | tuple[str, ...] = ()) -> None:
    """Add every name the leak check searches the outputs for (its needles,
    :func:`parentgroup.leak_check.needles.build_needles`, derived by the leak check's own code,
    not a copy of it) that the lexicon does not yet hold for that family: the name tokens of
    the email's local part (``wang.fang@`` -> Wang, Fang), a middle name alone, the joined
    spelling of a double-barrelled name (``AshcroftByrne``), and each name part of an extra
    name column. A name the leak check would report is so replaced in the first place, not
    found in ``results/`` after the run. Record ids, dates, postcodes, phone numbers and whole
    email addresses are not names (the patterns replace them)."""
    from parentgroup.leak_check.needles import build_needles

    frame = roster.fillna("").astype(str)
    if "record_id" not in frame.columns or frame.empty:
        return
    names = [c for c in (*NEEDLE_KINDS, *extra_columns) if c in frame.columns
             and c not in {"email local part"}
             and (c in NEEDLE_KINDS or re.search(r"name|staff", c.casefold()))]
    ids = frame["record_id"].str.strip()
    key = pd.DataFrame({"record_id": ids, "pseudonym": ids})

    def joined(variant: str) -> str:
        return re.sub(r"[\s'.\-]+", "", variant)

    # a needle that is a known name written together (smithjones, kerryann) is that name
    together: dict[tuple[str, str], Referent] = {}
    for variant, referents in sorted(lexicon.variants.items()):
        for referent in referents:
            if referent.record_id:
                together.setdefault((referent.record_id, joined(variant)), referent)
    for needle in build_needles(frame, {}, names, key):
        field_name = needle.field
        if needle.view == "digits" or "@" in needle.text or field_name not in names + [
                "email local part"]:
            continue  # a record id, a school's email domain
        rid = needle.participant
        variant = lexicon_key(needle.text)
        if any(r.record_id == rid for r in lexicon.variants.get(variant, [])):
            continue
        kind = NEEDLE_KINDS.get(field_name)
        referent = together.get((rid, joined(variant))) or (
            Referent(kind, rid, TEMPLATES[kind]) if kind
            else Referent("identifier", rid, column_tag(field_name)))
        lexicon.add(needle.text, referent)


def person_initials(roster: pd.DataFrame, identifiers: dict | None) -> frozenset[str]:
    """The initials (first letter of the first and of the last name, folded: ``lw`` for
    Łukasz Wiśniewski) of every person with two or more names: roster parents, children,
    partners and siblings, and the site's staff. A transcript writing ``LW`` or ``Ł.W.`` names
    nobody the lexicon knows, so such tokens go to the review list
    (:func:`parentgroup.anonymisation.review.initials_items`).

    >>> roster = pd.DataFrame({"parent_name": ["Zoë Ashby"], "child_name": ["Łukasz Wiśniewski"],
    ...                        "sibling_names": ["Aoife; Seán O'Neill"]})
    >>> sorted(person_initials(roster, {"staff": {"Ms Ann Lee": "Teacher"}}))
    ['al', 'lw', 'so', 'za']
    """
    names: list[str] = []
    for column in ("parent_name", "child_name", "partner_name"):
        if column in roster.columns:
            names += [str(v) for v in roster[column].fillna("")]
    for column in ("sibling_names", "other_names"):
        if column in roster.columns:
            names += [n for v in roster[column].fillna("") for n in split_list(str(v))]
    names += [without_title(n) for n in ((identifiers or {}).get("staff") or {})]
    out = set()
    for name in names:
        parts = [p for p in re.split(r"[\s]+", fold(name)) if p]
        if len(parts) > 1:
            out.add(parts[0][0] + parts[-1][0])
    return frozenset(out)


#: Not preceded by a letter or digit: where a name may start (Presidio's deny-list boundary).
NAME_START = r"(?<!\w)"
#: Not followed by a letter or digit: where a name may end.
NAME_END = r"(?!\w)"


def variant_regex(key: str) -> str:
    """Regex for a folded variant, to search a text's :func:`parentgroup.spelling.plain_view`
    with, case-insensitively (``re.IGNORECASE``): whitespace or hyphens between parts, straight
    or curly apostrophes. The view has read every accented letter, precomposed or with
    combining marks, as its plain letter.

    >>> from parentgroup.spelling import plain_view
    >>> def matches(name, text):
    ...     return bool(re.fullmatch(variant_regex(fold(name)), plain_view(text)[0], re.I))
    >>> matches("zoe o'neil", "ZOË O’Neil"), matches("Ashcroft Byrne", "Ashcroft-\\nByrne")
    (True, True)
    >>> [matches(n, n) for n in ("Nguyễn", "Дмитрий", "Dvořák", "Wałęsa", "Groß", "민준")]
    [True, True, True, True, True, True]
    """
    pieces = []
    for char in key:
        if char == " ":
            pieces.append(r"[\s\-‐‑]+")
        elif char == "'":
            pieces.append(r"['’‘]")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)
