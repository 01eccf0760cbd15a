"""Reliable change per participant (Jacobson & Truax 1991).

Jacobson N.S. & Truax P. (1991). Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 59(1):12-19.
doi:10.1037/0022-006X.59.1.12. The sqrt(2) in S_diff is Christensen & Mendoza's (1986)
correction of Jacobson, Follette & Revenstorf (1984).

Where r_xx and SD_pre come from (config ``analysis.reliable_change.reliability_source``):

* ``published``: both from ``analysis.reliable_change.published[outcome]``, the stable choice
  the reference recommends for samples this small ("using the sample's own alpha from 12
  respondents would be unstable");
* ``sample_alpha``: both from **one sample, the outcome's analysed pairs** (the completers with
  a score at pre and at post, the parents whose change is classified): r_xx is Cronbach's alpha
  of their items at the time labelled pre (those who answered every item of the scale) and
  SD_pre the SD of their pre scores. Not alpha of every respondent (reliability.csv, which also
  holds early leavers) beside the SD of the completers: S_diff would then mix two samples, and
  the one or two extra respondents add little stability (alpha from 13 respondents instead of
  12 is as unstable; the remedy is a published value). Nor both from every respondent: an SD_pre
  with an early leaver's score in it, shared beside the completers' own pre scores, gives that
  early leaver's score back (the SD and 12 of 13 values fix the 13th up to two roots), and the
  package never shares an early leaver's own scores.

Every row records the value and the n of both (``reliability``, ``reliability_n``, ``sd_pre``,
``sd_pre_n``) and the source in words (``reliability_source``), and the report says them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from parentgroup.analysis.paired_tests import (
    TIME_ROLES,
    analysis_settings,
    completer_pseudonyms,
    outcome_scores,
)

log = logging.getLogger(__name__)

RELIABLE_CHANGE_COLUMNS = [
    "pseudonym", "outcome", "pre", "post", "change", "rci", "reliability", "reliability_source",
    "sd_pre", "category", "reliability_n", "sd_pre_n",
]

#: |RCI| above this is reliable change at p < .05 (two-sided).
RCI_CRITERION = 1.96

NOT_COMPUTED = "not computed"

#: The categories of each direction of improvement, in display order (best first for a directed
#: scale; increase / none / decrease for a mid-range-optimal one).
CATEGORIES_BY_DIRECTION: dict[str, list[str]] = {
    "lower_better": ["improved", "no reliable change", "deteriorated"],
    "higher_better": ["improved", "no reliable change", "deteriorated"],
    "mid_optimal": ["reliable increase", "no reliable change", "reliable decrease"],
}
SUMMARY_COLUMNS = ["outcome", "label", "direction", "category", "n_parents", "n_outcome"]


def reliable_change_index(
    pre: np.ndarray | float, post: np.ndarray | float, sd_pre: float, reliability: float
) -> np.ndarray:
    """RCI = (x_post - x_pre) / S_diff with S_diff = sqrt(2 SE^2), SE = SD_pre sqrt(1 - r_xx).

    Jacobson & Truax (1991). ``sd_pre`` is the SD at pre (sample or normative) and
    ``reliability`` r_xx the reliability (alpha or test-retest). NaN when S_diff is not a positive
    finite number (reliability outside [0, 1), SD not positive).

    Examples
    --------
    >>> float(reliable_change_index(10.0, 14.0, sd_pre=4.0, reliability=0.75).round(4))
    1.4142
    """
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    if not (
        math.isfinite(sd_pre) and sd_pre > 0 and math.isfinite(reliability)
        and 0 <= reliability < 1
    ):
        return np.full(np.broadcast(pre, post).shape, np.nan)
    se = sd_pre * math.sqrt(1.0 - reliability)
    return (post - pre) / math.sqrt(2.0 * se**2)


def classify_reliable_change(
    rci: float, direction: str, criterion: float = RCI_CRITERION
) -> str:
    """improved / no reliable change / deteriorated, by the outcome's direction of improvement.

    A mid_optimal scale has no direction of improvement, so a reliable change is a
    "reliable increase" or "reliable decrease", never "improved".

    >>> classify_reliable_change(-2.5, "lower_better"), classify_reliable_change(2.5, "mid_optimal")
    ('improved', 'reliable increase')
    """
    if not math.isfinite(rci):
        return NOT_COMPUTED
    if abs(rci) <= criterion:
        return "no reliable change"
    if direction == "mid_optimal":
        return "reliable increase" if rci > 0 else "reliable decrease"
    sign = -1 if direction == "lower_better" else 1
    return "improved" if rci * sign > 0 else "deteriorated"


def sample_alpha(
    reliability: pd.DataFrame, instrument: str, scale: str, time: str
) -> tuple[float, str]:
    """Cronbach's alpha of a scale at one time label from reliability.csv, and a source text."""
    rows = reliability[
        (reliability["instrument"].astype(str) == instrument)
        & (reliability["scale"].astype(str) == scale)
        & (reliability["time"].astype(str) == time)
    ]
    if rows.empty:
        return math.nan, f"sample alpha at {time}: not available"
    alpha = pd.to_numeric(rows["alpha"], errors="coerce").iloc[0]
    n = rows["n"].iloc[0] if "n" in rows else ""
    note = str(rows["note"].iloc[0]) if "note" in rows and pd.notna(rows["note"].iloc[0]) else ""
    if math.isnan(alpha) and note:
        # e.g. a one-item scale: say why, and where a reliability can come from instead
        return math.nan, (f"sample alpha at {time}: {note}; give a published reliability "
                          "(analysis.reliable_change.published)")
    return float(alpha), f"sample alpha at {time} (reliability.csv, n = {n})"


def analysed_pairs_alpha(
    items: pd.DataFrame, instruments: Mapping, instrument: str, scale: str, time: str,
    pseudonyms,
) -> tuple[float, int, str]:
    """Cronbach's alpha of one scale at one time over the given respondents only: (alpha, n of
    respondents with every item of the scale answered, note). The items are scored (recode,
    reverse keys) and alpha computed as for reliability.csv
    (:func:`parentgroup.scoring.reliability.cronbach_alpha`, listwise complete cases, the same
    notes for one item, fewer than 3 complete cases and a total without variance)."""
    from parentgroup.scoring.reliability import MIN_CASES, ONE_ITEM_NOTE, cronbach_alpha
    from parentgroup.scoring.scales import scored_items

    definition = instruments.get(instrument)
    if definition is None:
        return math.nan, 0, f"instrument {instrument} not loaded"
    found = [s for s in definition.scales if s.id == scale]
    if not found:
        return math.nan, 0, f"scale {scale} not in instrument {instrument}"
    scale_items = list(found[0].items)
    if len(scale_items) < 2:
        return math.nan, 0, ONE_ITEM_NOTE
    wanted = set(map(str, pseudonyms))
    mine = items[(items["instrument"].astype(str) == instrument)
                 & (items["time"].astype(str) == time)
                 & items["pseudonym"].astype(str).isin(wanted)]
    scored = scored_items(mine, {instrument: definition})
    wide = scored.pivot_table(index="pseudonym", columns="item", values="scored",
                              aggfunc="first", dropna=False)
    matrix = wide.reindex(columns=scale_items).dropna(how="any").to_numpy(dtype=float)
    n = matrix.shape[0]
    if n < MIN_CASES:
        return math.nan, n, f"fewer than {MIN_CASES} complete cases"
    if matrix.sum(axis=1).std() == 0:
        return math.nan, n, "the scale total has no variance"
    return cronbach_alpha(matrix), n, ""


def reliable_change_table(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    reliability: pd.DataFrame,
    *,
    config: Mapping,
    design: str,
    directions: Mapping[str, str],
    items: pd.DataFrame | None = None,
    instruments: Mapping | None = None,
) -> pd.DataFrame:
    """reliable_change.csv: one row per completer with both scores, per outcome.

    With ``analysis.reliable_change.reliability_source`` ``sample_alpha``, r_xx and SD_pre come
    from the same sample, the outcome's analysed pairs (module docstring): r_xx is the alpha of
    the scale at the time labelled pre (then in a retrospective design) over the pairs' item
    answers ``items`` (``questionnaire_items.csv``, scored with ``instruments``), from those who
    answered every item, and SD_pre the SD of the pairs' pre scores. With ``published``, both
    come from ``analysis.reliable_change.published[outcome]`` (the SD must be on the outcome's
    scoring, mean or sum). ``reliability_n`` and ``sd_pre_n`` give the n of each (empty when
    published); ``reliability_source`` says the source in words. An outcome without usable
    values gets rci NaN and category "not computed".

    Without ``items`` (a caller holding only ``reliability.csv``), r_xx is the alpha of
    ``reliability`` at pre (in the pipeline every respondent's) and ``reliability_source`` says
    so, with its n beside the SD's: the pipeline always passes the items.
    """
    settings = analysis_settings(config)
    pre_label = next(t for t, r in TIME_ROLES[design].items() if r == "pre")
    completers = completer_pseudonyms(participants)
    frames = []
    for outcome in config["outcomes"]:
        oid = outcome["id"]
        direction = directions.get(oid, "higher_better")
        wide = outcome_scores(scores, outcome, design)
        pairs = wide[wide["pseudonym"].isin(completers)].dropna(subset=["pre", "post"])
        r_n = sd_n = math.nan
        if settings["reliability_source"] == "published":
            published = settings["published"].get(oid)
            if published:
                r_xx = float(published["reliability"])
                sd = float(published["sd"])
                source = f"published: {published.get('source', '')}".strip()
            else:
                r_xx, sd, source = math.nan, math.nan, "published: not configured"
        else:
            sd = float(pairs["pre"].std(ddof=1)) if len(pairs) >= 2 else math.nan
            sd_n = len(pairs)
            if items is not None and instruments is not None:
                r_xx, r_n, note = analysed_pairs_alpha(
                    items, instruments, str(outcome["instrument"]), str(outcome["scale"]),
                    pre_label, pairs["pseudonym"])
                source = (f"sample alpha at {pre_label} and SD_pre, both of the {len(pairs)} "
                          f"analysed pairs (alpha: the {r_n} who answered every item)")
                if not math.isfinite(r_xx):
                    source = (f"sample alpha at {pre_label} of the analysed pairs: "
                              f"{note or 'not available'}; give a published reliability "
                              "(analysis.reliable_change.published)")
            else:
                r_xx, source = sample_alpha(
                    reliability, str(outcome["instrument"]), str(outcome["scale"]), pre_label
                )
                rows = reliability[
                    (reliability["instrument"].astype(str) == str(outcome["instrument"]))
                    & (reliability["scale"].astype(str) == str(outcome["scale"]))
                    & (reliability["time"].astype(str) == pre_label)]
                if len(rows) and "n" in rows:
                    r_n = pd.to_numeric(rows["n"], errors="coerce").iloc[0]
                if math.isfinite(r_xx):
                    source += f"; SD_pre of the {len(pairs)} analysed pairs"
        rci = reliable_change_index(pairs["pre"].to_numpy(), pairs["post"].to_numpy(), sd, r_xx)
        if len(pairs) and not np.isfinite(rci).any():
            log.warning("reliable change of %s not computed (%s)", oid, source)
        frames.append(
            pd.DataFrame(
                {
                    "pseudonym": pairs["pseudonym"].to_numpy(),
                    "outcome": oid,
                    "pre": pairs["pre"].to_numpy(),
                    "post": pairs["post"].to_numpy(),
                    "change": (pairs["post"] - pairs["pre"]).to_numpy(),
                    "rci": rci,
                    "reliability": r_xx,
                    "reliability_source": source,
                    "sd_pre": sd,
                    "category": [classify_reliable_change(x, direction) for x in rci],
                    "reliability_n": r_n if math.isfinite(r_xx) else math.nan,
                    "sd_pre_n": sd_n,
                },
                columns=RELIABLE_CHANGE_COLUMNS,
            )
        )
    records = [r for f in frames for r in f.to_dict("records")]
    if not records:
        return pd.DataFrame(columns=RELIABLE_CHANGE_COLUMNS)
    order = {o["id"]: i for i, o in enumerate(config["outcomes"])}
    table = pd.DataFrame(records, columns=RELIABLE_CHANGE_COLUMNS)
    table = table.assign(_o=table["outcome"].map(order)).sort_values(
        ["pseudonym", "_o"], ignore_index=True
    )
    table["reliability_n"] = table["reliability_n"].astype("Int64")
    table["sd_pre_n"] = table["sd_pre_n"].astype("Int64")
    return table.drop(columns="_o")[RELIABLE_CHANGE_COLUMNS]


def categories_for(direction: str) -> list[str]:
    """The reliable-change categories an outcome of this direction can have (display order).

    >>> categories_for("mid_optimal")
    ['reliable increase', 'no reliable change', 'reliable decrease']
    """
    return list(CATEGORIES_BY_DIRECTION.get(direction, CATEGORIES_BY_DIRECTION["higher_better"]))


def reliable_change_summary(
    reliable_change: pd.DataFrame,
    directions: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """reliable_change_summary.csv: parents per outcome and reliable-change category.

    One row per outcome (order of ``directions``, then any other outcome of the table, sorted)
    and category: every category of the outcome's direction (:func:`categories_for`, zeros
    included), then "not computed" and any other category found in the table when present, so
    that no category of reliable_change.csv is ever lost and, per outcome, ``n_parents`` sums to
    ``n_outcome`` (the outcome's rows in reliable_change.csv). An outcome configured but without
    rows gets its categories with zeros and ``n_outcome`` 0.

    >>> rc = pd.DataFrame({"outcome": ["cms"] * 4, "category": ["reliable decrease",
    ...     "no reliable change", "no reliable change", "reliable decrease"]})
    >>> s = reliable_change_summary(rc, {"cms": "mid_optimal"})
    >>> list(zip(s["category"], s["n_parents"]))
    [('reliable increase', 0), ('no reliable change', 2), ('reliable decrease', 2)]
    """
    labels = dict(labels or {})
    table = reliable_change if "outcome" in reliable_change else pd.DataFrame(
        columns=["outcome", "category"])
    outcomes = [str(o) for o in table["outcome"]]
    categories = ["" if pd.isna(c) else str(c) for c in table["category"]]
    order = list(directions) + sorted(set(outcomes) - set(directions))
    rows = []
    for outcome in order:
        mine = [c for o, c in zip(outcomes, categories, strict=True) if o == outcome]
        direction = directions.get(outcome, "")
        shown = categories_for(direction) if direction else []
        extra = [NOT_COMPUTED] if NOT_COMPUTED in mine else []
        extra += sorted(set(mine) - set(shown) - {NOT_COMPUTED})
        for category in shown + extra:
            rows.append({
                "outcome": outcome,
                "label": labels.get(outcome, outcome),
                "direction": direction,
                "category": category,
                "n_parents": sum(c == category for c in mine),
                "n_outcome": len(mine),
            })
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out["n_parents"] = out["n_parents"].astype(int)
    out["n_outcome"] = out["n_outcome"].astype(int)
    return out
