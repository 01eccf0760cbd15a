"""Identifier patterns that no roster lists: emails, URLs, NHS numbers, UK phone numbers,
postcodes and dates (UK Data Service: replace, do not blank; mark replacements in brackets).

They are applied before names, because an email or a URL may contain a name. The regexes follow
the reference design (docs: /work/shared/reference/anonymisation.md §6.3), with three fixes
found on the gold set: phones come before NHS numbers (``+44 117 496 0413`` is not an NHS
number); emails come before URLs so that a school address (``head@x.sch.uk``) is
one ``[Email]`` and not an address around a ``[URL]``; a bare web address (``example.org/a``)
counts as a URL; month-and-year (``March 2019``) counts as a date. Tested against the formats
in ``tests/gold/`` (``+44 (0)7700 900123``, ``020 7946 0958``, ``(01632) 960 411``,
``sw1a1aa``, ``3rd April 2016``, ``April 3, 2016``, ``943 476 5919``, ...).
"""

from __future__ import annotations

import re

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
#: Full month names only (for month-and-year, where ``mar 2019`` would be too loose).
FULL_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_TLD = r"(?:com|org|net|info|io|uk|co\.uk|org\.uk|ac\.uk|gov\.uk|sch\.uk|nhs\.uk|ltd\.uk)"

#: (category, replacement, compiled pattern), applied in this order; an earlier match wins.
PATTERNS: list[tuple[str, str, re.Pattern]] = [
    ("email", "[Email]",
     re.compile(r"[A-Za-z0-9._%+'’-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.I)),
    ("url", "[URL]", re.compile(
        r"(?:\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]"
        rf"|(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.{_TLD}\b(?:/[^\s<>\"')\]]*[^\s<>\"')\].,;:!?])?)",
        re.I)),
    ("phone", "[Phone]", re.compile(
        r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s.\-)]{0,2}){9,10}(?!\d)")),
    ("nhs_number", "[NHS number]",
     re.compile(r"(?<![\d+])[1-9]\d{2}[ -]?\d{3}[ -]?\d{4}(?![\d])")),
    ("postcode", "[Postcode]", re.compile(
        r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.I)),
    ("date", "[Date]", re.compile(
        r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|"
        rf"(?:the\s+)?\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?{MONTHS}\.?(?:,?\s+\d{{4}})?|"
        rf"{MONTHS}\.?\s+(?:the\s+)?\d{{1,2}}{_ORDINAL}(?![\d:])(?:,?\s+\d{{4}})?|"
        rf"{FULL_MONTHS}\s+\d{{4}})\b", re.I)),
]


def find_patterns(text: str) -> list[tuple[int, int, str, str]]:
    """Non-overlapping pattern matches ``(start, end, category, replacement)``, sorted.

    A phone number must have at least 10 digits (UK numbers have 10 or 11 with the leading 0).

    >>> [m[2] for m in find_patterns("Ring 07700 900123 or head@x.sch.uk on 3rd April 2016")]
    ['phone', 'email', 'date']
    """
    taken: list[tuple[int, int, str, str]] = []
    for category, replacement, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if category == "phone" and sum(c.isdigit() for c in match.group()) < 10:
                continue
            if category == "phone":
                end = start + len(_trim_phone(match.group()))
            if any(start < e and s < end for s, e, _, _ in taken):
                continue
            taken.append((start, end, category, replacement))
    return sorted(taken)


def _trim_phone(found: str) -> str:
    """A phone match without the separators (or an unopened bracket) it swallowed at its end."""
    found = found.rstrip(" \t\r\n.-")
    while found.endswith(")") and found.count(")") > found.count("("):
        found = found[:-1].rstrip(" \t\r\n.-")
    return found
