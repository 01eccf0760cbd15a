"""Reliable change per participant (Jacobson & Truax 1991).

Jacobson N.S. & Truax P. (1991). Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 59(1):12-19.
doi:10.1037/0022-006X.59.1.12. The sqrt(2) in S_diff is Christensen & Mendoza's (1986)
correction of Jacobson, Follette & Revenstorf (1984).
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
    "sd_pre", "category",
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


def reliable_change_table(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    reliability: pd.DataFrame,
    *,
    config: Mapping,
    design: str,
    directions: Mapping[str, str],
) -> pd.DataFrame:
    """reliable_change.csv: one row per completer with both scores, per outcome.

    With ``analysis.reliable_change.reliability_source`` ``sample_alpha``, r_xx is the alpha of
    the scale at the time labelled pre (then in a retrospective design) and SD_pre the SD of the
    completers' pre scores; with ``published``, both come from
    ``analysis.reliable_change.published[outcome]`` (the SD must be on the outcome's scoring,
    mean or sum). The source is recorded in every row. An outcome without usable values gets
    rci NaN and category "not computed".
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
        if settings["reliability_source"] == "published":
            published = settings["published"].get(oid)
            if published:
                r_xx = float(published["reliability"])
                sd = float(published["sd"])
                source = f"published: {published.get('source', '')}".strip()
            else:
                r_xx, sd, source = math.nan, math.nan, "published: not configured"
        else:
            r_xx, source = sample_alpha(
                reliability, str(outcome["instrument"]), str(outcome["scale"]), pre_label
            )
            sd = float(pairs["pre"].std(ddof=1)) if len(pairs) >= 2 else math.nan
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
