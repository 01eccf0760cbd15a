"""The package's one number formatter: how every statistic is written for a reader.

Used by the report, the figures' captions and alt text, and the analysis stage's APA sentences,
so that a p value reads the same everywhere. The rules are APA 7th edition (American
Psychological Association 2020, *Publication Manual*, §6.36 and §6.40):

* p values: three decimals without a leading zero (a probability cannot exceed 1):
  ``.053``; below .001 written ``< .001``; a value that rounds to 1.000 is written ``> .999``
  (an exact "1.000" is never reported: the test never shows certainty).
* other statistics: two decimals, a leading zero where the value can exceed 1 (``0.63``);
  a negative zero after rounding is written ``0.00``;
* confidence intervals in brackets: ``[-1.24, 0.01]``.

Plain-text forms are returned (hyphen-minus, no HTML); the report escapes them and sets the
symbols in italics itself.
"""

from __future__ import annotations

import math
from typing import Any

from parentgroup.labels import outcome_label

#: What a missing value is shown as in a table cell (an en dash).
MISSING = "–"


def is_missing(value: Any) -> bool:
    """True for None, NaN, an empty or "nan" string.

    >>> is_missing(None), is_missing(float("nan")), is_missing(" "), is_missing(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().lower() == "nan"
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def format_number(value: Any, digits: int = 2, missing: str = MISSING) -> str:
    """A statistic rounded for display; negative zero after rounding is ``0.00``.

    >>> format_number(1.23456), format_number(-0.004), format_number(None), format_number(3, 0)
    ('1.23', '0.00', '–', '3')
    >>> format_number(float("inf"))
    '∞'

    A text value (e.g. an already suppressed ``"<3"``) is returned unchanged.
    """
    if is_missing(value):
        return missing
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text


def p_parts(p: Any) -> tuple[str, str] | None:
    """A p value as (relation, digits): ``("=", ".053")``, ``("<", ".001")``, ``(">", ".999")``.

    None for a missing value. A value outside [0, 1] is a programming error (ValueError).

    >>> p_parts(0.0534), p_parts(0.00033), p_parts(0.9996), p_parts(0.9994), p_parts(1.0)
    (('=', '.053'), ('<', '.001'), ('>', '.999'), ('=', '.999'), ('>', '.999'))
    >>> p_parts(0.001), p_parts(0.0009999)
    (('=', '.001'), ('<', '.001'))
    """
    if is_missing(p):
        return None
    value = float(p)
    if value < 0 or value > 1:
        raise ValueError(f"a p value must lie in [0, 1], got {p!r}")
    if value < 0.001:
        return "<", ".001"
    if round(value, 3) >= 1.0:
        return ">", ".999"
    return "=", f"{value:.3f}".lstrip("0")


def format_p(p: Any, missing: str = MISSING) -> str:
    """A p value for a table cell: ``.053``, ``< .001``, ``> .999``; missing -> "–".

    >>> format_p(0.0527), format_p(0.00004), format_p(1.0), format_p(None)
    ('.053', '< .001', '> .999', '–')
    """
    parts = p_parts(p)
    if parts is None:
        return missing
    relation, digits = parts
    return digits if relation == "=" else f"{relation} {digits}"


def p_relation(p: Any, missing: str = "= n/a") -> str:
    """A p value with its relation sign, to follow a written "p": ``= .053``, ``< .001``.

    >>> p_relation(0.0527), p_relation(0.00004), p_relation(1.0), p_relation(float("nan"))
    ('= .053', '< .001', '> .999', '= n/a')
    """
    parts = p_parts(p)
    return missing if parts is None else f"{parts[0]} {parts[1]}"


def p_statement(p: Any, missing: str = "p not available") -> str:
    """A p value as a phrase: ``p = .053``, ``p < .001``, ``p > .999``.

    >>> p_statement(0.0527), p_statement(0.00004), p_statement(None)
    ('p = .053', 'p < .001', 'p not available')
    """
    parts = p_parts(p)
    return missing if parts is None else f"p {parts[0]} {parts[1]}"


def scale_label(instrument: str, label: str) -> str:
    """The one label style for a scale (:func:`parentgroup.labels.outcome_label`, which the
    figures and tables use): the instrument in capitals, then the scale label in sentence case.

    >>> scale_label("prfq", "PRFQ Certainty about Mental States"), scale_label("psoc", "Total")
    ('PRFQ certainty about mental states', 'PSOC total')
    >>> scale_label("prfq", "Pre-Mentalizing"), scale_label("sdq", "SDQ")
    ('PRFQ pre-mentalizing', 'SDQ')
    """
    return outcome_label({"instrument": instrument or "", "label": label or ""})


def format_ci(low: Any, high: Any, digits: int = 2) -> str:
    """A confidence interval in APA brackets.

    >>> format_ci(-0.014, 1.6), format_ci(None, None)
    ('[-0.01, 1.60]', '–')
    """
    if is_missing(low) and is_missing(high):
        return MISSING
    return f"[{format_number(low, digits)}, {format_number(high, digits)}]"
