"""The one disclosure rule for counts of people in every shared output (tables, figures, legends,
sentences): a count below ``analysis.min_cell_size`` (default 3) but above zero is shown as
``"<3"``, so that no small group of parents can be singled out (ICO anonymisation code of
practice; the threshold-rule practice of UK statistical disclosure control, summarised in
shared/reference/anonymisation.md section 5).

Every stage that shows a count of people calls :func:`small_count`; nothing else suppresses.
"""

from __future__ import annotations

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
