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
