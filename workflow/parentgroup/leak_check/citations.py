"""Citations: the package's own fixed text that names people (the authors it cites).

A parent or member of staff may share a surname with an author the report cites (Murphy,
Clarke, Howard, Hill ... are common UK surnames). The report's fixed prose, captions and
reference list name those authors in *citations*; the same surname anywhere else - in a quote, a
table cell, a file name, a sentence that is not a citation - is still a hit. So the exception is
narrow: a name match is ignored only when

* every word of the matched identifier form is a surname of a cited author, and
* it lies inside a citation of a work listed in ``parentgroup/references.yaml`` (the one list of
  the works the package's text cites): an author list in the work's own order (or its first
  author followed by ``et al.``), joined by commas, ``&`` or ``and``, optionally with initials
  (``Luyten, P., Mayes, L. C., ... & Fonagy, P. (2017)``), followed by that work's year
  (``Braun & Clarke 2006``, ``(O'Cathain, Murphy & Nicholl, 2008)``,
  ``Braun & Clarke (2006, 2022)``); or the hyphenated eponym of a two-author work
  (``Jacobson-Truax RCI``).

"Murphy, 2008" is not a citation (Murphy is not the first author of the 2008 work), nor is
"Mrs Murphy" or "Clarke" alone in a table. No allow-list entry is needed, so no surname has to be
written into the config or printed in the outputs.
"""

from __future__ import annotations

import functools
import html
import re
from importlib import resources

import yaml

from parentgroup.leak_check.matching import fold, normalise

_YEAR = re.compile(r"\((\d{4})[a-z]?\)|,\s*(\d{4})[a-z]?\s*$|\b(\d{4})[a-z]?\b")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.\s*-?)+$")


class Work:
    """A cited work: its authors' surnames (folded, in order) and its year."""

    def __init__(self, surnames: tuple[str, ...], year: str):
        self.surnames = surnames
        self.year = year

    def __repr__(self) -> str:
        return f"Work({', '.join(self.surnames)}, {self.year})"


def _authors_of(reference: str) -> tuple[tuple[str, ...], str] | None:
    """The surnames and year of an APA reference ("Surname, I., & Surname, I. (2017). ...").

    >>> _authors_of("Luyten, P., Mayes, L. C., Nijssens, L., & Fonagy, P. (2017). The PRFQ.")
    (('luyten', 'mayes', 'nijssens', 'fonagy'), '2017')
    >>> _authors_of("O'Cathain, A., Murphy, E., & Nicholl, J. (2008). The quality of ...")
    (("o'cathain", 'murphy', 'nicholl'), '2008')
    """
    match = re.search(r"\((\d{4})[a-z]?\)", reference)
    if not match:
        return None
    authors = reference[:match.start()]
    pieces = [p.strip() for p in re.split(r",|&", authors)]
    surnames = tuple(fold(p) for p in pieces if p and not _INITIALS.match(p))
    return surnames, match.group(1)


def _authors_of_cite(cite: str) -> tuple[tuple[str, ...], str] | None:
    """The surnames and year of an in-text form ("Braun & Clarke, 2006", "Luyten et al., 2017").

    >>> _authors_of_cite("Fetters, Curry & Creswell, 2013")
    (('fetters', 'curry', 'creswell'), '2013')
    """
    match = re.search(r",?\s*(\d{4})[a-z]?\s*$", cite)
    if not match:
        return None
    names = re.sub(r"\bet al\.?", "", cite[:match.start()])
    surnames = tuple(fold(p) for p in re.split(r",|&|\band\b", names) if p.strip())
    return surnames, match.group(1)


@functools.cache
def cited_works() -> tuple[Work, ...]:
    """Every work of ``parentgroup/references.yaml`` (authors from the full reference; the
    in-text form is used when the reference has no parsable author list)."""
    text = resources.files("parentgroup").joinpath("references.yaml").read_text(encoding="utf-8")
    works = []
    for entry in yaml.safe_load(text) or []:
        parsed = _authors_of(str(entry.get("reference", ""))) or _authors_of_cite(
            str(entry.get("cite", "")))
        if parsed and parsed[0]:
            works.append(Work(*parsed))
    return tuple(works)


@functools.cache
def cited_surname_words() -> frozenset[str]:
    """Every word of every cited surname (folded): ``chelouche-dwek`` gives ``chelouche``,
    ``dwek`` and the whole; ``o'cathain`` gives ``o'cathain``, ``o`` and ``cathain``."""
    words = set()
    for work in cited_works():
        for surname in work.surnames:
            words.add(surname)
            words |= set(re.findall(r"[^\W_]+", surname))
    return frozenset(words)


def could_be_cited(needle_text: str) -> bool:
    """Whether every word of an identifier form is a word of a cited surname."""
    words = re.findall(r"[^\W_]+", fold(needle_text))
    return bool(words) and set(words) <= cited_surname_words()


@functools.cache
def _pattern() -> re.Pattern[str]:
    names = sorted({s for w in cited_works() for s in w.surnames}, key=lambda s: (-len(s), s))
    # raw HTML (the text view of a markup file) writes & and ' as entities
    apostrophe = "(?:'|&#x27;|&#39;|&apos;|&rsquo;)"
    name = "(?:" + "|".join(re.escape(n).replace("'", apostrophe) for n in names) + ")"
    amp = "(?:&|&amp;|&#38;)"
    initials = r"(?:\s*,\s*(?:[^\W\d_]\.\s*-?\s*)+)?"
    sep = rf"(?:\s*,\s*(?:{amp}|and)\s*|\s*,\s*|\s*{amp}\s*|\s+and\s+)"
    years = r"(?:19|20)\d\d[a-z]?(?:\s*[,;]\s*(?:19|20)\d\d[a-z]?)*"
    return re.compile(
        rf"(?<![^\W_])(?P<authors>{name}{initials}(?:{sep}{name}{initials})*)"
        rf"(?P<etal>\s+et al\.?)?[\s,]*\(?\s*(?P<years>{years})(?![^\W_])"
        rf"|(?<![^\W_])(?P<eponym>{name}-{name})(?![^\W_])"
    )


def _citation_matches(work: Work, surnames: list[str], et_al: bool, years: list[str]) -> bool:
    if years and work.year not in years:
        return False
    if et_al:
        return surnames[:1] == list(work.surnames[:1])
    return surnames == list(work.surnames)


def citation_spans(text: str) -> list[tuple[int, int]]:
    """Source offsets (start, end) of every citation of a listed work in ``text``.

    >>> text = "as (O'Cathain, Murphy & Nicholl 2008) said; Mrs Murphy, 2008; Murphy"
    >>> [text[a:b] for a, b in citation_spans(text)]
    ["O'Cathain, Murphy & Nicholl 2008"]
    >>> text = "Braun & Clarke (2006, 2022) and Jacobson-Truax; Clarke 2006"
    >>> [text[a:b] for a, b in citation_spans(text)]
    ['Braun & Clarke (2006, 2022', 'Jacobson-Truax']
    """
    if not cited_works():
        return []
    folded, origin = normalise(text)
    spans = []
    for match in _pattern().finditer(folded):
        if match.group("eponym"):
            surnames = match.group("eponym").split("-")
            ok = any(list(w.surnames) == surnames for w in cited_works())
        else:
            authors = html.unescape(match.group("authors"))
            surnames = [fold(p) for p in re.split(r",|&|\band\b", authors)
                        if p.strip() and not _INITIALS.match(p.strip())]
            years = re.findall(r"\d{4}", match.group("years"))
            ok = any(_citation_matches(w, surnames, bool(match.group("etal")), years)
                     for w in cited_works())
        if ok:
            spans.append((origin[match.start()], origin[match.end() - 1] + 1))
    return spans
