"""Scale scores from item answers, as each instrument file defines them.

For every respondent, instrument, scale and time: the declared recode, then the reverse key
(``x' = (min + max) - x``), then the missing-item rule, then each of the scale's scorings:

* ``mean`` = mean of the answered items;
* ``sum`` = sum of the items, added exactly (integer ratings give an integer sum: 29, never the
  28.999999999999996 or 29.000000000000004 of ``29 / 7 * 7``); when items are missing but the
  scale may still be scored, the sum is **prorated**: the sum of the answered items x number of
  items in the scale / number answered (= mean of the answered items x number of items, with a
  single rounding).

Missing-item rule: a scale is scored when at most ``max_missing`` of its items are missing (default
1, per instrument or per scale), otherwise its score is missing (empty). ``prorated`` is True when
a score was computed from fewer items than the scale has.

Then, as the instrument file declares per scale (see :mod:`parentgroup.instruments`):

* ``rounding: half_away_from_zero``: the score rounded to a whole number, halves away from zero
  (SPSS ``RND``; e.g. an SDQ subscale with 3 of 5 items answered: mean x 5 = 3.33 -> 3);
* ``gate``: the score is the gate's ``score`` when the gate item's presented answer is one of its
  ``values`` (e.g. SDQ impact = 0 when the respondent answers "no" to "overall, does your child
  have difficulties"), whatever the scale's items say; otherwise the rules above;
* ``of_scales``: the score is the sum of those scales' ``sum`` scores (after their rounding),
  missing when any of them is missing (e.g. SDQ total difficulties = emotional + conduct +
  hyperactivity + peer, SPSS ``SUM.4``); ``items_answered`` and ``items_expected`` add up, and
  ``prorated`` is True when any of them was prorated.

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


def round_half_away_from_zero(values):
    """Round to whole numbers, halves away from zero (SPSS ``RND``, Stata ``round``; equal to R's
    ``floor(x + 0.5)`` for non-negative values). numpy's ``round`` rounds halves to even.

    >>> round_half_away_from_zero(np.array([2.5, 3.5, 3.333, -2.5, np.nan])).tolist()
    [3.0, 4.0, 3.0, -3.0, nan]
    """
    values = np.asarray(values, dtype=float)
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def scale_membership(instruments: dict[str, Instrument]) -> pd.DataFrame:
    """One row per (instrument, scale, item) of the scales scored from items (not the scales
    ``of_scales``), with the scale's size and missing-item limit."""
    rows = [
        (name, scale.id, item, len(scale.items), scale.max_missing)
        for name, instrument in instruments.items()
        for scale in instrument.scales if not scale.of_scales
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
        low = part["item"].map(lambda n, i=instrument: _presented_range(i, n)[0])
        high = part["item"].map(lambda n, i=instrument: _presented_range(i, n)[1])
        outside = part["value"].notna() & ((part["value"] < low) | (part["value"] > high))
        for index, row in part[outside].head(20).iterrows():
            problems.append(
                InputProblem("questionnaire_items.csv", None, f"{name} item {int(row['item'])}",
                             row["value"], f"a value from {low[index]} to {high[index]}")
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


def _presented_range(instrument: Instrument, item: int) -> tuple[int, int]:
    group = instrument.item_response(int(item))
    if group is None:
        return instrument.presented_min, instrument.presented_max
    return group.min, group.max


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
    ``mean = sum(x) / m`` and ``sum = sum(x)`` when m = k, else the prorated ``sum(x) * k / m``
    (the mean x k of the missing-item rule, computed with one division so that the sum of a
    complete scale is the exact sum of its items, not ``mean * k``, which can be off by one unit
    in the last place and split tied differences in the rank tests); both are missing when
    k - m > max_missing (or m = 0).

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
    # the exact sum of the items when none is missing (integer ratings: an integer), else the
    # prorated sum x k / m; never mean * k (29 / 7 * 7 = 29.000000000000004)
    with np.errstate(invalid="ignore", divide="ignore"):
        grid["sum"] = np.where(
            ok,
            np.where(missing > 0, grid["item_sum"] * grid["items_expected"]
                     / grid["items_answered"].where(grid["items_answered"] > 0), grid["item_sum"]),
            np.nan,
        )
    out = grid.merge(scorings, on=["instrument", "scale"])
    out["score"] = np.where(out["scoring"] == "sum", out["sum"], out["mean"])
    out = _declared_rules(out[SCORE_COLUMNS], items, instruments)
    out = out[SCORE_COLUMNS].sort_values(
        ["pseudonym", "instrument", "scale", "scoring", "time"], kind="stable"
    ).reset_index(drop=True)
    out["items_expected"] = out["items_expected"].astype(int)
    out["prorated"] = out["prorated"].astype(bool)
    return out


def _declared_rules(out: pd.DataFrame, items: pd.DataFrame,
                    instruments: dict[str, Instrument]) -> pd.DataFrame:
    """Rounding, gates and scales of scales, as the instrument files declare them (module
    docstring), applied to the item-scored rows of :func:`score_items`."""
    out = out.copy()
    keys = ["pseudonym", "instrument", "time"]
    for name, instrument in instruments.items():
        for scale in instrument.scales:
            if scale.rounding == "none" and scale.gate is None:
                continue
            rows = (out["instrument"] == name) & (out["scale"] == scale.id)
            if scale.rounding == "half_away_from_zero":
                out.loc[rows, "score"] = round_half_away_from_zero(out.loc[rows, "score"])
            if scale.gate is not None and rows.any():
                answers = items[(items["instrument"] == name)
                                & (pd.to_numeric(items["item"], errors="coerce")
                                   == scale.gate.item)]
                value = pd.to_numeric(answers["value"], errors="coerce")
                gated = answers.loc[value.isin(scale.gate.values), keys].drop_duplicates()
                hit = out.loc[rows, keys].merge(gated, on=keys, how="left",
                                                indicator=True)["_merge"].eq("both").to_numpy()
                index = out.index[rows][hit]
                out.loc[index, "score"] = scale.gate.score
                out.loc[index, "prorated"] = False
        for scale in instrument.scales:
            if not scale.of_scales:
                continue
            parts = out[(out["instrument"] == name) & out["scale"].isin(scale.of_scales)
                        & (out["scoring"] == "sum")]
            summed = parts.groupby(keys, sort=False).agg(
                score=("score", lambda v: v.sum() if v.notna().all() else np.nan),
                n=("score", "size"), items_answered=("items_answered", "sum"),
                items_expected=("items_expected", "sum"), prorated=("prorated", "any"),
            ).reset_index()
            summed.loc[summed["n"] < len(scale.of_scales), "score"] = np.nan
            summed["prorated"] = summed["prorated"].astype(bool) & summed["score"].notna()
            summed = summed.assign(scale=scale.id, scoring="sum").drop(columns="n")
            out = pd.concat([out, summed[SCORE_COLUMNS]], ignore_index=True)
    return out
