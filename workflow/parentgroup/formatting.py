"""The package's one number formatter: how every statistic is written for a reader.

Used by the report, the figures' captions and alt text, and the analysis stage's APA sentences,
so that a p value reads the same everywhere. The rules are APA 7th edition (American
Psychological Association 2020, *Publication Manual*, §6.36 and §6.40):

* p values: three decimals without a leading zero (a probability cannot exceed 1):
  ``.053``; below .001 written ``< .001``; a value that rounds to 1.000 is written ``> .999``
  (an exact "1.000" is never reported: the test never shows certainty).
* other statistics: two decimals, a leading zero where the value can exceed 1 (``0.63``);
  a negative zero after rounding is written ``0.00``;
* a statistic that cannot exceed 1 in absolute value (a correlation such as r_rb or
  Spearman's rho, Cronbach's alpha, McDonald's omega, Shapiro-Wilk's *W*, an ICC, a power or
  an alpha level) is written without the leading zero, like a p value (§6.36): ``.89``,
  ``-.52``; pass ``bounded=True`` (:func:`format_number`, :func:`format_ci`);
* confidence intervals in brackets: ``[-1.24, 0.01]``.

Plain-text forms are returned (hyphen-minus, no HTML), as the tables and the analysis stage's
sentences store them. Text a reader gets (the HTML and PDF report, the Word tables) passes
through :func:`typeset`, which writes the sign of a negative number as the minus sign U+2212
(``−1.34``, not the hyphen ``-1.34``) and keeps a relation with its value on one line
(``p = .053`` with no-break spaces, so a line never breaks inside it); the report escapes the
text and sets the symbols in italics itself.
"""

from __future__ import annotations

import math
import re
from typing import Any

from parentgroup.labels import outcome_label

#: The significance level of the report's conclusions (:func:`statistically_significant`).
ALPHA = 0.05
#: Display names of the multiplicity corrections (config analysis.p_adjust), one spelling each.
P_ADJUST_NAMES = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini-Hochberg",
                  "none": ""}
#: What a missing value is shown as in a table cell (an en dash).
MISSING = "–"
#: The minus sign (U+2212) of typeset text, and the no-break space (U+00A0) that keeps a
#: relation with its value (:func:`typeset`).
MINUS = "\u2212"
NBSP = "\u00a0"


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


def format_number(value: Any, digits: int = 2, missing: str = MISSING, *,
                  bounded: bool = False) -> str:
    """A statistic rounded for display; negative zero after rounding is ``0.00``.

    >>> format_number(1.23456), format_number(-0.004), format_number(None), format_number(3, 0)
    ('1.23', '0.00', '–', '3')
    >>> format_number(float("inf"))
    '∞'

    ``bounded=True`` for a statistic that cannot exceed 1 in absolute value: no leading zero
    (APA §6.36).

    >>> format_number(0.8912, bounded=True), format_number(-0.52, bounded=True)
    ('.89', '-.52')
    >>> format_number(1.0, bounded=True), format_number(0.001, bounded=True)
    ('1.00', '.00')

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
    if bounded:
        text = re.sub(r"^(-?)0(?=\.)", r"\1", text)
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


def format_ci(low: Any, high: Any, digits: int = 2, *, bounded: bool = False) -> str:
    """A confidence interval in APA brackets (``bounded``: as :func:`format_number`).

    >>> format_ci(-0.014, 1.6), format_ci(None, None), format_ci(-0.52, 0.75, bounded=True)
    ('[-0.01, 1.60]', '–', '[-.52, .75]')
    """
    if is_missing(low) and is_missing(high):
        return MISSING
    return (f"[{format_number(low, digits, bounded=bounded)}, "
            f"{format_number(high, digits, bounded=bounded)}]")


#: A hyphen-minus that is the sign of a number: not inside a word or a range (``pre-test``,
#: ``1-7``, ``RLC-101``), before a digit, a decimal point and digit, or infinity.
_SIGN = re.compile(r"(?<![\w.)\]\-\u2212])-(?=\d|\.\d|∞)")
#: A relation between a statistic and its value: ``p = .053``, ``p < .001``, ``n = 12``.
_RELATION = re.compile(r"(?<=\S) ([=<>≤≥]|&lt;|&gt;) (?=\S)")


def typeset(text: str) -> str:
    """Text as a reader gets it: the sign of a negative number as the minus sign (U+2212), and
    no-break spaces around a relation sign, so that ``p = .053`` never breaks across lines.
    Hyphens inside words and ranges are left alone. Works on plain text and on escaped HTML
    (``&lt;``).

    >>> typeset("t(11) = -4.65, p < .001, CI [-1.24, 0.01]; pre-test, 1-7, RLC-101") == (
    ...     "t(11)\u00a0=\u00a0\u22124.65, p\u00a0<\u00a0.001, CI [\u22121.24, 0.01]; "
    ...     "pre-test, 1-7, RLC-101")
    True
    """
    return _RELATION.sub(NBSP + r"\1" + NBSP, _SIGN.sub(MINUS, str(text)))


def statistically_significant(row: Any, alpha: float = ALPHA) -> bool | None:
    """Whether an outcome's change is statistically significant as the report concludes it:
    the p value the conclusions use (``p_adjusted``, the multiplicity-adjusted one, where the
    row has it, else ``p``) below ``alpha`` *and* the lead effect size's confidence interval
    (``lead_es_ci_low``, ``lead_es_ci_high``) excluding 0. None without a p value.

    A result that fails either test is worded "not statistically significant" wherever the
    report describes it (key findings, results, joint displays, Word tables), whatever the size
    of its estimate.

    >>> statistically_significant({"p": 0.053, "p_adjusted": 0.053, "lead_es_ci_low": -1.24,
    ...                            "lead_es_ci_high": 0.01})
    False
    >>> statistically_significant({"p": 0.02, "p_adjusted": 0.06})  # Holm-adjusted: not
    False
    >>> statistically_significant({"p": 0.0007, "p_adjusted": 0.003, "lead_es_ci_low": -2.1,
    ...                            "lead_es_ci_high": -0.5}), statistically_significant({})
    (True, None)
    """
    get = row.get if hasattr(row, "get") else (lambda key, default=None: default)
    p = get("p_adjusted")
    if is_missing(p):
        p = get("p")
    if is_missing(p):
        return None
    if float(p) >= alpha:
        return False
    low, high = get("lead_es_ci_low"), get("lead_es_ci_high")
    if not is_missing(low) and not is_missing(high) and float(low) <= 0 <= float(high):
        return False
    return True


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"
