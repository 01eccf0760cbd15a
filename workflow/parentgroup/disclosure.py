"""The one disclosure rule for counts of people in every shared output (tables, figures, legends,
sentences): a count below ``analysis.min_cell_size`` (default 3) but above zero is shown as
``"<3"``, so that no small group of parents can be singled out (ICO anonymisation code of
practice; the threshold-rule practice of UK statistical disclosure control, summarised in
shared/reference/anonymisation.md section 5).

Every stage that shows a count of people calls :func:`small_count`; nothing else suppresses.
"""

from __future__ import annotations

import hashlib
import json

#: The default threshold (config ``analysis.min_cell_size``).
MIN_CELL_SIZE = 3


def small_count(count: int, min_cell_size: int = MIN_CELL_SIZE) -> int | str:
    """A count of people, or ``"<min_cell_size"`` when it is positive but below the threshold.

    >>> small_count(2), small_count(0), small_count(5), small_count(2, 5)
    ('<3', 0, 5, '<5')
    """
    count = int(count)
    return f"<{min_cell_size}" if 0 < count < min_cell_size else count


def is_suppressed(value) -> bool:
    """True for a count :func:`small_count` suppressed (``"<3"``).

    >>> is_suppressed("<3"), is_suppressed(4), is_suppressed("4")
    (True, False, False)
    """
    return isinstance(value, str) and value.startswith("<")


def withhold_allow_list(study: dict) -> dict:
    """``study`` (a config or a site's study config) with ``anonymisation.allow_list`` replaced
    by a placeholder naming how many entries it has and a digest of them.

    The allow-list holds reviewed words the redactor keeps off the review list; a site may have
    to list a surname there, so its entries are withheld like every other identifier: from rule
    params (and so ``.snakemake/`` and the workflow report), ``config_used.yaml``, the report
    and the notebook. The digest changes when the list changes, so the anonymise job still
    reruns; that job reads the entries from the workflow's config, never from its params.

    >>> withhold_allow_list({"anonymisation": {"allow_list": ["Mum", "Murphy"], "k": 3}})
    {'anonymisation': {'allow_list': 'withheld: 2 entries (sha256 1066151985fe)', 'k': 3}}
    >>> withhold_allow_list({"report": {}})
    {'report': {}}
    """
    entries = (study.get("anonymisation") or {}).get("allow_list")
    if not isinstance(entries, list):
        return study
    digest = hashlib.sha256(json.dumps(sorted(map(str, entries))).encode("utf-8")).hexdigest()
    withheld = {**study, "anonymisation": dict(study["anonymisation"])}
    withheld["anonymisation"]["allow_list"] = (
        f"withheld: {len(entries)} entries (sha256 {digest[:12]})")
    return withheld
