"""How a name is spelled and how spellings compare: one fold for every stage.

A name is compared in its :func:`fold` form: case-folded, accents removed, curly apostrophes
straightened, whitespace collapsed. Accents are removed by Unicode's own decompositions, not a
hand-made table: each character is read in its compatibility decomposition (NFKD) without its
optional marks (:data:`MARK_RANGES`), so every precomposed letter (``ễ``, ``ọ``, ``ř``, ``ș``,
``й``, ``ά``) and the same letter typed with combining marks (NFD) read as the plain letter;
the letters NFKD leaves whole are read plain too (``ł`` -> ``l``, ``ø`` -> ``o``, ``đ`` ->
``d``, ``ß`` -> ``ss``, ``æ`` -> ``ae``, ``þ`` -> ``th`` ...). :func:`plain_view` gives a
text in that form with the way back to its original offsets.

In the base because the inputs (names in a site's folder and file names), the anonymisation
(the redactor's lexicon) and the review list compare spellings the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: Letters Unicode does not decompose into a base letter and a mark, so NFKD leaves them alone;
#: transcribers type them plain ("Lukasz" for "Łukasz", "Aethelred" for "Æthelred").
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O",
                               "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l", "Ŀ": "L", "ŧ": "t",
                               "Ŧ": "T", "ð": "d", "Ð": "D", "ß": "ss", "ẞ": "SS", "æ": "ae",
                               "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH"})
#: The marks a spelling may carry or drop and still be the same name: the combining diacritics
#: of Latin, Greek and Cyrillic (their precomposed letters decompose into a base letter and
#: these), Arabic harakat and Hebrew points. Marks that are part of a spelling (an Indic virama
#: or vowel sign) are not among them: the plain view keeps those.
MARK_RANGES = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f" \
    "\u0670\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARK = re.compile(f"[{MARK_RANGES}]")


@functools.lru_cache(maxsize=65536)
def _plain_char(char: str) -> str:
    """One character without its optional marks: its compatibility decomposition (NFKD) with
    the marks of :data:`MARK_RANGES` removed, and the letters NFKD leaves whole read plain
    (``ễ`` -> ``e``, ``й`` -> ``и``, ``ł`` -> ``l``, ``ß`` -> ``ss``, ``ŀ`` -> ``l``, a Hangul
    syllable -> its jamo). Derived from Unicode for every character, so no accented letter is
    missing (a hand-made table of accented letters missed ễ, ọ, ả, ř, ș, й ...)."""
    text = unicodedata.normalize("NFKD", char.translate(_UNDECOMPOSED))
    return _MARK.sub("", text).translate(_UNDECOMPOSED)


def plain_view(text: str) -> tuple[str, list[int] | None]:
    """The text as names are searched in it: each character by :func:`_plain_char`, so a
    precomposed letter (NFC), the same letter with combining marks (NFD) and the plain letter
    read alike; and for each character of the view the index of the character of ``text`` it
    comes from (None when the view is ``text`` itself).

    >>> plain_view("Zoë Groß")
    ('Zoe Gross', [0, 1, 2, 3, 4, 5, 6, 7, 7])
    >>> plain_view("Zoe\u0308")
    ('Zoe', [0, 1, 2])
    """
    if text.isascii():
        return text, None
    parts, owner = [], []
    for index, char in enumerate(text):
        part = char if char.isascii() else _plain_char(char)
        parts.append(part)
        owner.extend([index] * len(part))
    return "".join(parts), owner


def original_span(owner: list[int] | None, start: int, end: int, length: int
                  ) -> tuple[int, int]:
    """The span of a text (of ``length`` characters) behind the span ``start:end`` of its
    :func:`plain_view`, with the marks that follow its last letter."""
    if owner is None:
        return start, end
    first = owner[start] if start < len(owner) else length
    last = owner[end] if end < len(owner) else length
    return first, max(last, first)


def plain_text(text: str) -> str:
    """Accents removed (the :func:`plain_view` of ``text``)."""
    return plain_view(text)[0]


def fold(text: str) -> str:
    """Accent-free, case-folded, apostrophes straightened, whitespace collapsed.

    >>> fold("Zoë  O’Neil"), fold("Łukasz Wiśniewski"), fold("Nguyễn"), fold("Дмитрий")
    ("zoe o'neil", 'lukasz wisniewski', 'nguyen', 'дмитрии')
    """
    text = plain_text(text.replace("’", "'").replace("‘", "'")).casefold()
    return re.sub(r"\s+", " ", text).strip()
