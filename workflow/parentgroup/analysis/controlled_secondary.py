"""Secondary analyses of a controlled design: reliable change in each arm, the difference in the
arms' proportions with its interval, and attendance in each arm where the arm attends sessions.

**Reliable change per arm.** Each analysed parent (intervention completers, every comparison
parent with both scores: :func:`parentgroup.analysis.controlled.analysed_by_arm`) is classified
by the Jacobson & Truax (1991) reliable change index with *one* criterion for both arms: the
reliability r_xx and SD_pre of the site's main reliable-change table
(:func:`parentgroup.analysis.reliable_change.reliable_change_table`, which takes the sample
alpha and the pre SD both from the intervention's analysed pairs, or the published values). The
intervention arm's counts therefore equal ``reliable_change_summary.csv``, and the comparison
arm's reliable improvement rate is the natural control for the intervention's: how many parents
would cross the criterion without the group (regression to the mean, measurement error, time).

**Difference of two independent proportions.** p_I - p_C with Newcombe's (1998) hybrid score
interval (his method 10): with (l_I, u_I) and (l_C, u_C) the Wilson score intervals of the two
proportions,

    lower = (p_I - p_C) - sqrt((p_I - l_I)^2 + (u_C - p_C)^2)
    upper = (p_I - p_C) + sqrt((u_I - p_I)^2 + (p_C - l_C)^2)

computed by ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``
(checked in tests/test_controlled_secondary.py against Newcombe's worked example, 56/70 against
48/80: 0.0524 to 0.3339, and against the formula on scipy's Wilson intervals). It stays inside
[-1, 1] and behaves at 0 and n events, unlike the Wald interval.

**Attendance per arm.** Sessions attended (``participants.sessions_attended``) summarised in an
arm only where it applies: an arm none of whose parents attended a session (a waitlist) gets a
row saying so, not zeros.

References
----------
Jacobson N.S. & Truax P. (1991). Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 59(1):12-19.
Newcombe R.G. (1998). Interval estimation for the difference between independent proportions:
comparison of eleven methods. Statistics in Medicine 17(8):873-890.
doi:10.1002/(SICI)1097-0258(19980430)17:8<873::AID-SIM779>3.0.CO;2-I
Wilson E.B. (1927). Probable inference, the law of succession, and statistical inference.
J Am Stat Assoc 22(158):209-212.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from parentgroup.analysis.controlled import (
    COMPARISON,
    INTERVENTION,
    analysed_by_arm,
    has_comparison_arm,
    participant_arms,
)
from parentgroup.analysis.paired_tests import analysis_settings, outcome_scores
from parentgroup.analysis.reliable_change import (
    NOT_COMPUTED,
    categories_for,
    classify_reliable_change,
    reliable_change_index,
    reliable_change_table,
)
from parentgroup.disclosure import WITHHELD, shown_category_table
from parentgroup.tables import as_bool

log = logging.getLogger(__name__)

RELIABLE_CHANGE_BY_ARM_COLUMNS = [
    "outcome", "label", "direction", "category",
    "n_intervention", "n_outcome_intervention", "proportion_intervention",
    "n_comparison", "n_outcome_comparison", "proportion_comparison",
    "difference", "difference_ci_low", "difference_ci_high", "ci_method",
    "reliability", "sd_pre", "reliability_source",
]
ATTENDANCE_BY_ARM_COLUMNS = [
    "arm", "n_parents", "applies", "n_attended_any", "sessions_mean", "sessions_sd",
    "sessions_median", "sessions_min", "sessions_max", "n_completers", "note",
]
CI_METHOD = "newcombe_hybrid_score"
NOTE_NO_SESSIONS = ("not applicable: no parent of this arm attended a session (a waitlist or "
                    "usual-support arm without the group)")


def difference_of_proportions(x1: int, n1: int, x2: int, n2: int,
                              confidence: float = 0.95) -> dict:
    """p1 - p2 = x1/n1 - x2/n2 with Newcombe's (1998) hybrid score interval (method 10).

    The interval combines the two Wilson (1927) score intervals (l_i, u_i) of the proportions:
    lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2);
    computed by statsmodels ``confint_proportions_2indep(x1, n1, x2, n2, method="newcomb",
    compare="diff")``. NaN when either n is 0.

    Newcombe's (1998) worked example (56/70 against 48/80, Table II, method 10):

    >>> r = difference_of_proportions(56, 70, 48, 80)
    >>> round(r["difference"], 4), round(r["ci_low"], 4), round(r["ci_high"], 4)
    (0.2, 0.0524, 0.3339)
    """
    if n1 <= 0 or n2 <= 0:
        return {"p1": math.nan, "p2": math.nan, "difference": math.nan, "ci_low": math.nan,
                "ci_high": math.nan}
    p1, p2 = x1 / n1, x2 / n2
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff",
                                           alpha=1 - confidence)
    return {"p1": p1, "p2": p2, "difference": p1 - p2, "ci_low": float(low),
            "ci_high": float(high)}


def _comparison_categories(wide: pd.DataFrame, people: list[str], sd: float, r_xx: float,
                           direction: str) -> list[str]:
    pairs = wide[wide["pseudonym"].isin(people)].dropna(subset=["pre", "post"])
    rci = reliable_change_index(pairs["pre"].to_numpy(), pairs["post"].to_numpy(), sd, r_xx)
    return [classify_reliable_change(float(x), direction) for x in rci]


def reliable_change_by_arm(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    reliability: pd.DataFrame,
    *,
    config: Mapping,
    design: str,
    directions: Mapping[str, str],
    labels: Mapping[str, str],
    items: pd.DataFrame | None = None,
    instruments: Mapping | None = None,
) -> pd.DataFrame:
    """reliable_change_by_arm.csv: per outcome (config order) and reliable-change category, the
    parents of each arm in that category, the proportions and their difference (intervention
    minus comparison) with Newcombe's interval (:func:`difference_of_proportions`).

    Every category of the outcome's direction is listed (zeros included), then "not computed"
    when any parent's index could not be computed (no difference for that row); per arm the
    counts sum to ``n_outcome_<arm>``. Both arms are classified with the same criterion: the
    reliability and SD_pre of the main reliable-change table (module docstring; ``items`` and
    ``instruments`` as :func:`~parentgroup.analysis.reliable_change.reliable_change_table` takes
    them).
    """
    if not has_comparison_arm(participants):
        raise ValueError("reliable_change_by_arm needs parents in the comparison arm")
    confidence = analysis_settings(config)["confidence_level"]
    arms = analysed_by_arm(participants)
    arm_of = participant_arms(participants)
    intervention = participants[participants["pseudonym"].astype(str).map(arm_of)
                                == INTERVENTION]
    main = reliable_change_table(scores, intervention, reliability, config=config,
                                 design=design, directions=directions, items=items,
                                 instruments=instruments)
    rows = []
    for outcome in config["outcomes"]:
        oid = outcome["id"]
        direction = directions.get(oid, "higher_better")
        mine = main[main["outcome"] == oid]
        if len(mine):
            r_xx, sd = float(mine["reliability"].iloc[0]), float(mine["sd_pre"].iloc[0])
            source = str(mine["reliability_source"].iloc[0])
        else:  # no intervention pairs: no criterion to apply to the comparison arm
            r_xx, sd, source = math.nan, math.nan, "no intervention pairs"
        treated = [str(c) for c in mine["category"]]
        control = _comparison_categories(outcome_scores(scores, outcome, design),
                                         arms[COMPARISON], sd, r_xx, direction)
        shown = categories_for(direction)
        extra = [NOT_COMPUTED] if NOT_COMPUTED in treated + control else []
        for category in shown + extra:
            x1, x2 = treated.count(category), control.count(category)
            n1, n2 = len(treated), len(control)
            result = (difference_of_proportions(x1, n1, x2, n2, confidence)
                      if category != NOT_COMPUTED else
                      dict.fromkeys(("p1", "p2", "difference", "ci_low", "ci_high"), math.nan))
            rows.append({
                "outcome": oid, "label": labels.get(oid) or outcome.get("label") or oid,
                "direction": direction, "category": category,
                "n_intervention": x1, "n_outcome_intervention": n1,
                "proportion_intervention": result["p1"],
                "n_comparison": x2, "n_outcome_comparison": n2,
                "proportion_comparison": result["p2"],
                "difference": result["difference"], "difference_ci_low": result["ci_low"],
                "difference_ci_high": result["ci_high"],
                "ci_method": CI_METHOD if category != NOT_COMPUTED else "",
                "reliability": r_xx, "sd_pre": sd, "reliability_source": source,
            })
    table = pd.DataFrame(rows, columns=RELIABLE_CHANGE_BY_ARM_COLUMNS)
    for column in ("n_intervention", "n_outcome_intervention", "n_comparison",
                   "n_outcome_comparison"):
        table[column] = table[column].astype(int)
    log.info("reliable change by arm: %d outcomes", table["outcome"].nunique())
    return table


def reliable_change_by_arm_shown(table: pd.DataFrame, *, min_cell_size: int) -> pd.DataFrame:
    """reliable_change_by_arm.csv as shared: the one disclosure rule of the package applied.

    Within each outcome and arm the categories partition the arm's exact n
    (``n_outcome_<arm>``, a flow count, kept), so the counts go through
    :func:`parentgroup.disclosure.shown_categories` (a count below ``min_cell_size`` shows
    ``<k``, and one more is withheld, ``[c]``, when subtraction from the n would give it back).
    A proportion resting on a count not shown is withheld, and so are the difference and its
    interval when either arm's count is not shown.

    >>> t = pd.DataFrame({"outcome": ["a"] * 3, "category": ["improved", "none", "worse"],
    ...     "n_intervention": [9, 2, 1], "n_outcome_intervention": [12] * 3,
    ...     "proportion_intervention": [0.75, 0.17, 0.08], "n_comparison": [4, 8, 0],
    ...     "n_outcome_comparison": [12] * 3, "proportion_comparison": [0.33, 0.67, 0.0],
    ...     "difference": [0.42, -0.5, 0.08], "difference_ci_low": [0.0, -0.8, -0.1],
    ...     "difference_ci_high": [0.7, -0.1, 0.3]})
    >>> shown = reliable_change_by_arm_shown(t, min_cell_size=3)
    >>> shown["n_intervention"].tolist(), shown["n_comparison"].tolist()
    ([9, '<3', '<3'], [4, 8, 0])
    >>> shown["difference"].tolist()
    [0.42, '[c]', '[c]']
    >>> reliable_change_by_arm_shown(t.assign(n_intervention=[11, 1, 0]), min_cell_size=3)[
    ...     "n_intervention"].tolist()
    ['[c]', '<3', 0]
    """
    if table.empty:
        return table
    out = table
    for arm in ("intervention", "comparison"):
        out = shown_category_table(out, by="outcome", category="category", count=f"n_{arm}",
                                   total=f"n_outcome_{arm}", min_cell_size=min_cell_size)
    hidden = {arm: ~out[f"n_{arm}"].map(lambda n: isinstance(n, int | np.integer))
              for arm in ("intervention", "comparison")}
    columns = {"proportion_intervention": hidden["intervention"],
               "proportion_comparison": hidden["comparison"],
               **dict.fromkeys(("difference", "difference_ci_low", "difference_ci_high"),
                               hidden["intervention"] | hidden["comparison"])}
    for column, mask in columns.items():
        out[column] = out[column].astype(object).mask(mask, WITHHELD)
    return out


def attendance_by_arm(participants: pd.DataFrame, *, sessions: int | None = None) -> pd.DataFrame:
    """attendance_by_arm.csv: one row per arm (intervention, comparison) with the sessions its
    parents attended, where that applies.

    An arm none of whose parents attended a session has ``applies`` False, empty statistics and
    a note saying why (a waitlist attends no sessions: zeros would read as a group that stopped
    coming). Otherwise: parents, parents who attended at least one session, mean, SD (n - 1),
    median, minimum and maximum of sessions attended, and completers. ``sessions`` (offered) is
    only used in the note.

    >>> p = pd.DataFrame({"pseudonym": ["A", "B", "C"], "arm": ["intervention",
    ...     "intervention", "comparison"], "sessions_attended": [8, 4, 0],
    ...     "completer": [True, False, False]})
    >>> t = attendance_by_arm(p)
    >>> t[["arm", "applies", "sessions_mean"]].values.tolist()
    [['intervention', True, 6.0], ['comparison', False, nan]]
    >>> t["n_completers"].tolist()
    [1, <NA>]
    """
    arm_of = participant_arms(participants)
    attended = pd.to_numeric(participants["sessions_attended"], errors="coerce").fillna(0)
    arms = participants["pseudonym"].astype(str).map(arm_of).to_numpy()
    rows = []
    for arm in (INTERVENTION, COMPARISON):
        mask = arms == arm
        values = attended[mask].to_numpy(dtype=float)
        row = dict.fromkeys(ATTENDANCE_BY_ARM_COLUMNS, math.nan)
        row.update(arm=arm, n_parents=int(mask.sum()), note="")
        if not mask.any() or not (values > 0).any():
            row.update(applies=False, note=NOTE_NO_SESSIONS if mask.any() else "no parents")
        else:
            row.update(
                applies=True, n_attended_any=int((values > 0).sum()),
                sessions_mean=float(values.mean()),
                sessions_sd=float(values.std(ddof=1)) if len(values) > 1 else math.nan,
                sessions_median=float(np.median(values)), sessions_min=float(values.min()),
                sessions_max=float(values.max()),
                n_completers=int(as_bool(participants.loc[mask, "completer"]).sum()),
                note=f"of {sessions} sessions offered" if sessions else "")
        rows.append(row)
    table = pd.DataFrame(rows, columns=ATTENDANCE_BY_ARM_COLUMNS)
    for column in ("n_attended_any", "n_completers"):
        table[column] = table[column].astype("Int64")  # empty where it does not apply
    return table
