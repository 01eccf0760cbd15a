"""Where a site's identifiers occur as whole words in a short text the validate stage writes.

The validate stage's outputs (``results/<site>/validation/``, ``logs/<site>/validate.log``, the
console) and the names every output carries (the site key, the data folder, the input file
names of the config) must hold no identifier. :class:`NameSearch` looks for the roster's names
and record ids and the identifiers file's staff, school and town names in such a text: whole
words only (``hillside`` in ``data/raw/hillside_2026`` but not in ``hillsides``), accents and
case folded (``Zoë`` / ``ZOE``), the words of a name in order whatever separates them
(``hillside-academy``, ``Hillside_Academy``). Like the leak check, it leaves out name parts of
fewer than 3 letters and record ids that are short plain numbers (they occur in ordinary text);
in a folder or file name it reads a person's first name or surname alone only where written
with a capital (it cannot tell the word "will" in ``/home/will/`` from a parent Will; the leak
check, which can, still searches the rest), and school and town names, full names and record
ids in any case.

It says *which kind* of identifier it found (``the school's name``), never the identifier.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from parentgroup.spelling import fold

#: Roster columns that hold names (``;``-separated lists in the nickname and sibling columns).
NAME_COLUMNS = ("parent_name", "parent_nicknames", "child_name", "child_nicknames",
                "partner_name", "sibling_names")
#: What each kind of identifier is called in a message.
KIND_WORDS = {
    "school": "the school's name (identifiers.yaml: school)",
    "town": "a town or place name (identifiers.yaml: town)",
    "staff": "a staff member's name (identifiers.yaml: staff)",
    "record_id": "a record_id of roster.csv",
    **{column: f"a name from roster.csv ({column})" for column in NAME_COLUMNS},
}
#: The kinds that are people's names.
_PERSONS = frozenset({"staff", *NAME_COLUMNS})
_WORD = re.compile(r"[^\W_]+")
_MIN_LETTERS = 3
_MIN_PLAIN_NUMBER_DIGITS = 6


def _words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` (NFC) in the one fold every stage compares names in
    (:func:`parentgroup.spelling.fold`: ``Zoë``, ``ZOE`` and ``Łukasz``/``Lukasz`` alike), with
    their spans in it.

    >>> [word for word, _, _ in _words("Zoë ŁUKASZ-Wróbel")]
    ['zoe', 'lukasz', 'wrobel']
    """
    return [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def _name_forms(value: str) -> set[tuple[str, ...]]:
    """The word sequences a name is searched as: the whole value, and each part (split at
    spaces and hyphens) of 3 or more letters, as its words and with them run together
    (``O'Neil``: ``o neil`` and ``oneil``; ``Smith-Jones``: ``smith jones``, ``smithjones``,
    ``smith``, ``jones``)."""
    value = unicodedata.normalize("NFC", str(value)).strip()
    forms: set[tuple[str, ...]] = set()
    whole = tuple(w for w, _, _ in _words(value))
    if whole and sum(len(w) for w in whole) >= _MIN_LETTERS:
        forms.add(whole)
        forms.add(("".join(whole),))
    for chunk in value.split():
        pieces = [chunk, *chunk.split("-")] if "-" in chunk else [chunk]
        for piece in pieces:
            words = tuple(w for w, _, _ in _words(piece))
            if sum(len(w) for w in words) >= _MIN_LETTERS:
                forms.add(words)
                forms.add(("".join(words),))
    return {form for form in forms if form and form[0]}


def _record_id_forms(value: str) -> set[tuple[str, ...]]:
    """A record id as its words (``RLC-101``: ``rlc 101``) and run together (``rlc101``);
    nothing for a plain number of fewer than 6 digits (it cannot be told from a row number)."""
    value = str(value).strip()
    words = tuple(w for w, _, _ in _words(value))
    if not words or ("".join(words).isdigit() and len("".join(words)) < _MIN_PLAIN_NUMBER_DIGITS):
        return set()
    return {words, ("".join(words),)}


class NameSearch:
    """The identifiers of one site, searched for as whole words (:func:`find`)."""

    def __init__(self, roster: pd.DataFrame | None, identifiers: dict | None):
        #: first word -> [(the words of a name, its kind)], longest first
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        forms: dict[tuple[str, ...], str] = {}
        identifiers = identifiers or {}
        for kind in ("school", "town"):
            for name in identifiers.get(kind) or []:
                words = tuple(w for w, _, _ in _words(unicodedata.normalize("NFC", str(name))))
                if words:
                    forms.setdefault(words, kind)
                    forms.setdefault(("".join(words),), kind)
        for name in sorted(identifiers.get("staff") or {}):
            for form in _name_forms(name):
                forms.setdefault(form, "staff")
        if roster is not None and not roster.empty:
            for column in ("record_id", *NAME_COLUMNS):
                if column not in roster:
                    continue
                for cell in roster[column].dropna().astype(str):
                    values = [cell] if column in ("record_id", "parent_name", "child_name",
                                                  "partner_name") else cell.split(";")
                    for value in values:
                        found = (_record_id_forms(value) if column == "record_id"
                                 else _name_forms(value))
                        for form in found:
                            forms.setdefault(form, column)
        for form, kind in forms.items():
            self._by_first.setdefault(form[0], []).append((form, kind))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: (-len(entry[0]), entry[0]))

    def find(self, text: str, *, capitalised_name_words: bool = False
             ) -> list[tuple[int, int, str]]:
        """``(start, end, kind)`` of every identifier in ``text`` (NFC), longest first at each
        word, not overlapping; ``kind`` is a key of :data:`KIND_WORDS`.

        With ``capitalised_name_words`` a person's name found as one word (a first name or
        surname alone, of the roster or of staff) counts only where it begins with a capital,
        as the leak check reads names that are also ordinary words ("will", "may", "grace"):
        a folder such as ``/home/will/`` or a test named ``..._may_...`` is no hit, while
        ``Will/`` is. School and town names, full names and record ids count in any case."""
        text = unicodedata.normalize("NFC", str(text))
        words = _words(text)
        found = []
        i = 0
        while i < len(words):
            for form, kind in self._by_first.get(words[i][0], []):
                if tuple(w for w, _, _ in words[i:i + len(form)]) != form:
                    continue
                start = words[i][1]
                if (capitalised_name_words and len(form) == 1 and kind in _PERSONS
                        and not text[start].isupper()):
                    continue
                found.append((start, words[i + len(form) - 1][2], kind))
                i += len(form)
                break
            else:
                i += 1
        return found

    def kinds_in(self, text: str, *, capitalised_name_words: bool = False) -> list[str]:
        """The kinds of identifier in ``text`` (in the order of :data:`KIND_WORDS`), as words
        for a message: never the identifier itself (``capitalised_name_words``: :meth:`find`)."""
        kinds = {kind for _, _, kind in
                 self.find(text, capitalised_name_words=capitalised_name_words)}
        return [words for kind, words in KIND_WORDS.items() if kind in kinds]

    def hide(self, text: str, *, capitalised_names_only: bool = False) -> str:
        """``text`` (NFC) with each identifier as ``<hidden: kind>``. With
        ``capitalised_names_only`` a name is hidden only where it begins with a capital (record
        ids always): for the pipeline's own prose, where "may" and "will" are ordinary words
        while a name from the data is written as a name."""
        text = unicodedata.normalize("NFC", str(text))
        out, at = [], 0
        for start, end, kind in self.find(text):
            if capitalised_names_only and kind != "record_id" and not text[start].isupper():
                continue
            out += [text[at:start], f"<hidden: {kind}>"]
            at = end
        return "".join(out) + text[at:]
