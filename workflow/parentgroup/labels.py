"""The one label style for scale names, used by every table, figure and report.

``outcome_label`` turns an outcome's instrument and scale label into its display label
("PRFQ pre-mentalizing", "PSOC total"): the instrument in capitals, then the scale label in
sentence case. :func:`parentgroup.config.outcome_meta` stores this label, so paired_tests.csv
(and every table that copies its ``label``), the figures and the report all show the same words.
"""

from __future__ import annotations

from collections.abc import Mapping


def _sentence_case(text: str) -> str:
    """'Certainty about Mental States' -> 'certainty about mental states' (acronyms kept).

    >>> _sentence_case("Certainty about Mental States (CMS)")
    'certainty about mental states (CMS)'
    """
    words = []
    for word in text.split(" "):
        parts = [p if (sum(c.isupper() for c in p) > 1 and p.upper() == p) else p.lower()
                 for p in word.split("-")]
        words.append("-".join(parts))
    return " ".join(words)


def outcome_label(meta: Mapping) -> str:
    """'PRFQ pre-mentalizing': the instrument in capitals, then the scale label in sentence
    case (whether or not the label already starts with the instrument). Applying it twice gives
    the same label.

    >>> outcome_label({"instrument": "prfq", "label": "PRFQ Certainty about Mental States"})
    'PRFQ certainty about mental states'
    >>> outcome_label({"instrument": "psoc", "label": "Total"})
    'PSOC total'
    >>> outcome_label({"instrument": "psoc", "label": outcome_label({"instrument": "psoc",
    ...                "label": "PSOC Satisfaction"})})
    'PSOC satisfaction'
    """
    instrument = str(meta.get("instrument", "")).upper()
    label = str(meta.get("label") or meta.get("scale") or "").replace("_", " ").strip()
    if instrument and label.upper().startswith(instrument + " "):
        label = label[len(instrument) + 1:]
    elif instrument and label.upper() == instrument:
        return instrument
    return f"{instrument} {_sentence_case(label)}".strip()
