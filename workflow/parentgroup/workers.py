"""Work spread over a job's threads: forked worker processes where the system can fork.

The figures, family-sheets and leak-check jobs take ``threads`` from Snakemake (two when a
single site's job runs alone; one worker per 250 family sheets) and hand them here.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def forked_map(function: Callable[[Item], Result], items: Sequence[Item], processes: int,
               chunksize: int = 1) -> list[Result]:
    """``[function(item) for item in items]``, by up to ``processes`` forked workers.

    Forked workers inherit the module state set before the call (a site's tables, a matcher),
    so nothing but the items is pickled. The results are in the items' order. Serial when
    ``processes`` is 1 or less, with fewer than two items, or where the operating system
    cannot fork (Windows).

    >>> forked_map(abs, [-1, 2, -3], processes=2)
    [1, 2, 3]
    """
    items = list(items)
    if processes <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    with multiprocessing.get_context("fork").Pool(min(processes, len(items))) as pool:
        return pool.map(function, items, chunksize=chunksize)
