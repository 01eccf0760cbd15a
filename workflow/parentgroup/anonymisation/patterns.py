"""Identifier patterns that no roster lists: emails, UK phones, postcodes, dates, NHS numbers,
URLs (UK Data Service: replace, do not blank; mark replacements in brackets).

Applied before names, because an email or URL may contain a name. Tested against the formats
in ``tests/gold/`` (e.g. ``head@stmarys.sch.uk``, ``+44 (0)7700 900123``, ``020 7946 0958``,
``sw1a1aa``, ``3rd April 2016``, ``943 476 5919``).
"""

from __future__ import annotations

import re

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

#: (category, replacement, compiled pattern), applied in this order.
PATTERNS: list[tuple[str, str, re.Pattern]] = [
    ("url", "[URL]", re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]", re.I)),
    ("email", "[Email]",
     re.compile(r"[A-Za-z0-9._%+'’-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.I)),
    ("nhs_number", "[NHS number]", re.compile(r"(?<![\d+])[1-9]\d{2}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    ("phone", "[Phone]", re.compile(
        r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s\-)]{0,2}){9,10}(?!\d)")),
    ("postcode", "[Postcode]", re.compile(
        r"\b(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b", re.I)),
    ("date", "[Date]", re.compile(
        r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
        rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?(?:,?\s+\d{{4}})?|"
        rf"{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)\b", re.I)),
]


def find_patterns(text: str) -> list[tuple[int, int, str, str]]:
    """Non-overlapping matches (start, end, category, replacement), earlier patterns first."""
    taken: list[tuple[int, int, str, str]] = []
    for category, replacement, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if category == "phone" and sum(c.isdigit() for c in match.group()) < 10:
                continue
            if category == "date" and re.fullmatch(rf"{MONTHS}\.?", match.group(), re.I):
                continue
            if any(start < e and s < end for s, e, _, _ in taken):
                continue
            taken.append((start, end, category, replacement))
    return sorted(taken)
