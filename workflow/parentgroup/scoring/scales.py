"""Scale scores from item answers, as each instrument file defines them.

For every respondent, instrument, scale and time: the declared recode, then the reverse key
(``x' = (min + max) - x``), then the missing-item rule, then each of the scale's scorings:

* ``mean`` = mean of the answered items;
* ``sum`` = sum of the items; when items are missing but the scale may still be scored, the sum
  is **prorated**: mean of the answered items x number of items in the scale.

Missing-item rule: a scale is scored when at most ``max_missing`` of its items are missing (default
1, per instrument or per scale), otherwise its score is missing (empty). ``prorated`` is True when
a score was computed from fewer items than the scale has.

The output follows ``scores.csv`` of docs/data-contracts.md section 2; the raw time label
(then/now/pre/post) is kept, the analysis maps it onto pre/post roles.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from parentgroup.instruments import Instrument, recode_and_reverse
from parentgroup.problems import InputProblem, raise_if_errors

log = logging.getLogger(__name__)

SCORE_COLUMNS = ["pseudonym", "instrument", "scale", "scoring", "time", "score",
                 "items_answered", "items_expected", "prorated"]
ITEM_KEYS = ["pseudonym", "instrument", "item", "time"]
#: Time labels in the order a reader expects them; other labels follow alphabetically.
TIME_ORDER = ("pre", "then", "now", "post")


def ordered_times(labels) -> list[str]:
    """Distinct time labels in reading order: pre, then, now, post, then any others A-Z."""
    present = {str(t) for t in labels if isinstance(t, str) and t}
    known = [t for t in TIME_ORDER if t in present]
    return known + sorted(present - set(known))


def scale_membership(instruments: dict[str, Instrument]) -> pd.DataFrame:
    """One row per (instrument, scale, item), with the scale's size and missing-item limit."""
    rows = [
        (name, scale.id, item, len(scale.items), scale.max_missing)
        for name, instrument in instruments.items()
        for scale in instrument.scales
        for item in scale.items
    ]
    return pd.DataFrame(
        rows, columns=["instrument", "scale", "item", "items_expected", "max_missing"]
    )


def scored_items(items: pd.DataFrame, instruments: dict[str, Instrument]) -> pd.DataFrame:
    """The answers after recode and reverse keys: ``pseudonym, instrument, item, time, scored``.

    Rows of instruments not in ``instruments`` or items the instrument does not have are dropped
    (and logged); a value outside the presented range raises
    :class:`~parentgroup.problems.InputError` (the importer should have stopped it).
    """
    frame = items[ITEM_KEYS + ["value"]].copy()
    frame["item"] = pd.to_numeric(frame["item"], errors="coerce")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    known = frame["instrument"].isin(list(instruments))
    for name in sorted(set(frame.loc[~known, "instrument"].astype(str))):
        log.warning("items of instrument %r ignored: it is not configured", name)
    frame = frame[known]
    pieces, problems = [], []
    for name, instrument in instruments.items():
        part = frame[frame["instrument"] == name]
        unknown = ~part["item"].isin(instrument.item_numbers)
        if unknown.any():
            log.warning("%d answers to items %s has no item ignored", int(unknown.sum()), name)
            part = part[~unknown]
        low, high = instrument.presented_min, instrument.presented_max
        outside = part["value"].notna() & ~part["value"].between(low, high)
        for _, row in part[outside].head(20).iterrows():
            problems.append(
                InputProblem("questionnaire_items.csv", None, f"{name} item {int(row['item'])}",
                             row["value"], f"a value from {low} to {high}")
            )
        part = part.assign(scored=recode_and_reverse(part["value"].to_numpy(),
                                                     part["item"].to_numpy(), instrument))
        pieces.append(part.drop(columns="value"))
    raise_if_errors(problems, "questionnaire items")
    if not pieces:
        return pd.DataFrame(columns=ITEM_KEYS + ["scored"])
    out = pd.concat(pieces, ignore_index=True)
    out["item"] = out["item"].astype(int)
    return out


def score_items(items: pd.DataFrame, instruments: dict[str, Instrument]) -> pd.DataFrame:
    """Scale scores of every respondent and time (the ``scores.csv`` table).

    Parameters
    ----------
    items : long answers ``pseudonym, instrument, item, time, value`` (value NaN = missing).
    instruments : instrument definitions by name.

    Returns
    -------
    DataFrame with ``pseudonym, instrument, scale, scoring, time, score, items_answered,
    items_expected, prorated``, one row per respondent x time present in ``items`` x scale x
    scoring, sorted by pseudonym, instrument, scale, scoring, time.

    Notes
    -----
    With answered items x_1..x_m (after recode and reverse keys) of a k-item scale,
    ``mean = sum(x) / m`` and ``sum = mean * k`` (equal to the plain sum when m = k); both are
    missing when k - m > max_missing (or m = 0).

    Examples
    --------
    PRFQ pre-mentalizing items 1, 4, 7, 10, 13 answered 2, 3, 1, 2, 2 and item 16 missing: one
    missing item is allowed, so the mean is 10 / 5 = 2.0 with ``prorated`` True.
    """
    scored = scored_items(items, instruments)
    membership = scale_membership(instruments)
    sessions = scored[["pseudonym", "instrument", "time"]].drop_duplicates()
    grid = sessions.merge(
        membership[["instrument", "scale", "items_expected", "max_missing"]].drop_duplicates(),
        on="instrument",
    )
    answered = scored.dropna(subset=["scored"]).merge(membership[["instrument", "scale", "item"]],
                                                      on=["instrument", "item"])
    totals = (
        answered.groupby(["pseudonym", "instrument", "scale", "time"], sort=False)["scored"]
        .agg(items_answered="count", item_sum="sum")
        .reset_index()
    )
    grid = grid.merge(totals, on=["pseudonym", "instrument", "scale", "time"], how="left")
    grid["items_answered"] = grid["items_answered"].fillna(0).astype(int)
    grid["item_sum"] = grid["item_sum"].fillna(0.0)
    missing = grid["items_expected"] - grid["items_answered"]
    ok = (missing <= grid["max_missing"]) & (grid["items_answered"] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, grid["item_sum"] / grid["items_answered"], np.nan)
    grid["prorated"] = ok & (missing > 0)
    scorings = pd.DataFrame(
        [(name, scale.id, scoring) for name, instrument in instruments.items()
         for scale in instrument.scales for scoring in scale.scorings],
        columns=["instrument", "scale", "scoring"],
    )
    grid["mean"] = mean
    grid["sum"] = mean * grid["items_expected"]
    out = grid.merge(scorings, on=["instrument", "scale"])
    out["score"] = np.where(out["scoring"] == "sum", out["sum"], out["mean"])
    out = out[SCORE_COLUMNS].sort_values(
        ["pseudonym", "instrument", "scale", "scoring", "time"], kind="stable"
    ).reset_index(drop=True)
    out["items_expected"] = out["items_expected"].astype(int)
    out["prorated"] = out["prorated"].astype(bool)
    return out
