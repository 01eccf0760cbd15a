"""Matching: normalisation, word edges, the common-word rule's sentence test, and the two
exceptions (digits inside drawing geometry and inside checksums are not identifiers).

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
    Office XML, matplotlib's hash-derived SVG ids, and the numbers of PDF syntax: content-stream
    operands, dictionary values, object numbers) are masked first: at a large site the
    date-of-birth digit forms otherwise match plotted coordinates by chance; for the same reason
    a digit needle inside a checksum (32 or more hexadecimal characters, as in provenance.json)
    is not reported. The search itself is
    indexed (:class:`_Matcher`): a view is normalised with whole-string operations, its set of
    words selects the few needles that can occur, and only those are looked for; the result
    equals a plain search of every needle (tests/test_leak_check_matching.py), in seconds for a
    site of 5000 parents.
"""

from __future__ import annotations

import functools
import gc
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SENTENCE_END = ".!?:;"
_OPENERS = "\"'([{*#-"


# --------------------------------------------------------------------------------------------
# Normalisation (a character map keeps every normalised character's offset in the source view)

_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2033": '"', "\u00ab": '"', "\u00bb": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-",
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
}
#: Letters with a stroke or bar that NFKD does not take apart (Łukasz stays Łukasz), read as
#: their base letter, as a transcriber typing "Lukasz" writes them.
_PLAIN_LETTERS = {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ħ": "h",
                  "Ħ": "H", "ı": "i", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ð": "d", "Ð": "D"}
_SPECIAL = re.compile(r"\s+|[^\x00-\x7f]")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str, casefold: bool) -> str:
    """NFKC, accents removed (NFKD without combining marks), quotes straightened, case folded."""
    if unicodedata.category(char) == "Cf":  # zero-width space, soft hyphen, BOM ...
        return ""
    text = unicodedata.normalize("NFKC", char)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = "".join(_QUOTES.get(c, _PLAIN_LETTERS.get(c, c)) for c in text)
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
    def __init__(self, needles: Iterable):  # of needles.Needle (view, text, ...)
        self.owners: dict[tuple[str, str], list] = {}
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

    text = _GEOMETRY_ATTRIBUTE.sub(mask, text)
    if "#" in text or "id=" in text:
        text = _GENERATED_ID.sub(
            lambda m: m.group()[: m.start(1) - m.start()] + m.group(1).translate(_DIGITS_MASKED),
            text)
    return text


#: The ids matplotlib gives an SVG's clip paths, hatches, markers, images and path collections:
#: a prefix and ten hex digits of a SHA-256 (``p89611a49a6``, ``m9c00143a63``,
#: ``C0_0_3f8d8876aa``), as an ``id`` value or a ``#`` reference (``href="#m..."``,
#: ``url(#p...)``). Their digits are as random as the geometry's and are masked too.
_GENERATED_ID = re.compile(
    r"""(?:id=\\?"|#)"""  # an id (also inside a JSON string) or a reference
    r"((?:p|m|h|image|Im_image|C[0-9a-f]+_[0-9a-f]+_)[0-9a-f]{10})"
    r"""(?=\\?"|\))"""
)



#: Whitespace or one token of PDF syntax (ISO 32000-1 §7.2-7.3): a literal string (one level of
#: unescaped parentheses inside it), a hex string, a comment, a name, a number standing alone
#: between whitespace or delimiters, or any other run (an operator, a keyword, a broken piece).
_PDF_TOKEN = re.compile(
    r"\s+"  # first: a view's blanked binary is long runs of spaces, skipped in one step
    r"|(?P<string>\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)|(?<!<)<(?!<)[0-9A-Fa-f\s]*>)"
    r"|%[^\r\n]*"
    r"|(?P<name>/[^\s()<>\[\]{}/%]*)"
    r"|(?P<number>(?<![^\s()<>\[\]{}/%])[+-]?(?:\d+\.?\d*|\.\d+)(?![^\s()<>\[\]{}/%]))"
    r"|[^\s()<>\[\]{}/%]+",
    re.S,
)


#: A name that holds a digest (WeasyPrint names each image ``/i`` + an MD5 digest + a digit): its
#: digits are random, as a checksum's are.
_HASH_IN_NAME = re.compile(r"[0-9A-Fa-f]{16}")


def _mask_pdf_numbers(text: str) -> str:
    """The digits of every number of PDF syntax replaced by ``#`` (same length, same offsets).

    In a content stream the numbers are the operands of the drawing operators (``cm``, ``m``,
    ``l``, ``c``, ``re``, ``rg``, ``w``, ``d``, ``Tm``, ``Td``, ``Tf``, a ``TJ`` array's spacing
    ...); in object syntax (the file itself, object streams) they are object numbers, lengths,
    ``/MediaBox``, ``/Rect``, ``/Dest`` coordinates, font widths and the cross-reference table.
    None is text a reader sees: that is in the strings (``(...)``, ``<...>``), which keep their
    digits, as do names (``/a1.0``; but not a name that holds a digest, ``/i8351...``) and
    tokens that are not a number (``1.5.3``). Matplotlib translates each marker with
    ``1 0 0 1 dx dy cm``; ``1 0 0 1 -15.76 ... cm`` spelled a date of birth (``100115``), as the
    digit runs join groups across spaces, dots and minus signs.
    """
    if not re.search(r"\d", text):
        return text
    pieces: list[str] = []
    position = 0
    for match in _PDF_TOKEN.finditer(text):
        if match.lastgroup != "number" and not (
                match.lastgroup == "name" and _HASH_IN_NAME.search(match.group())):
            continue
        start, end = match.span()
        pieces.append(text[position:start])
        pieces.append(match.group().translate(_DIGITS_MASKED))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)



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


