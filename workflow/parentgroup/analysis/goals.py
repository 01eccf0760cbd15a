"""Goal-based outcomes (GBO; Law & Jacob 2015): change per goal and per parent, whether it is
meaningful, and a site summary that obeys the disclosure rule.

Each parent sets up to three goals for the child and rates progress towards each from 0 to 10
at baseline and at review. The change of a goal is review minus baseline (a rise is progress).
A change of at least ``threshold`` points is *meaningful*: the default 3 follows the reliable
change index of 2.45 points that Edbrooke-Childs et al. (2015, Child and Adolescent Mental Health
20(3), 142-148) derived for parent-rated GBOs in the CORC data (whole-number ratings must move by
3 to exceed it) and the CORC guidance (Law & Jacob 2015, *Goals and goal based outcomes (GBOs)*,
3rd ed.). Configurable as ``journey.meaningful_goal_change``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from parentgroup.analysis.effect_sizes import cohens_d_z
from parentgroup.disclosure import complementary_suppression, is_suppressed, small_count

#: The default meaningful change of a goal rating (Edbrooke-Childs et al. 2015; see above).
MEANINGFUL_GOAL_CHANGE = 3

GOAL_OUTCOME_COLUMNS = ["pseudonym", "goal", "goal_category", "baseline", "review", "change",
                        "moved", "meaningful", "deteriorated"]
PARENT_GOAL_COLUMNS = ["pseudonym", "goals_set", "goals_rated", "mean_baseline", "mean_review",
                       "mean_change", "goals_moved", "goals_meaningful", "share_moved",
                       "share_meaningful", "any_meaningful"]
GOAL_SUMMARY_COLUMNS = ["measure", "group", "value", "detail"]


def goal_change(baseline: float, review: float,
                threshold: int = MEANINGFUL_GOAL_CHANGE) -> tuple[float, bool, bool]:
    """Change of one goal (review - baseline), whether it is a meaningful rise (change >=
    ``threshold``) and whether it is a meaningful fall (change <= -``threshold``).

    A goal without both ratings has no change (NaN, False, False).

    >>> goal_change(2, 5), goal_change(2, 4), goal_change(6, 3), goal_change(4, float("nan"))
    ((3.0, True, False), (2.0, False, False), (-3.0, False, True), (nan, False, False))
    >>> goal_change(2, 4, threshold=2)
    (2.0, True, False)
    """
    if baseline is None or review is None or pd.isna(baseline) or pd.isna(review):
        return math.nan, False, False
    change = float(review) - float(baseline)
    return change, change >= threshold, change <= -threshold


def goal_outcomes(goals: pd.DataFrame, threshold: int = MEANINGFUL_GOAL_CHANGE
                  ) -> pd.DataFrame:
    """One row per parent and goal: category, baseline and review ratings, change, moved
    (change > 0), meaningful (change >= threshold), deteriorated (change <= -threshold).
    Session ratings between baseline and review do not enter the change."""
    if goals.empty:
        return pd.DataFrame(columns=GOAL_OUTCOME_COLUMNS)
    rows = []
    for (pseudonym, goal), group in goals.groupby(["pseudonym", "goal"], sort=True):
        by_time = dict(zip(group["time"], pd.to_numeric(group["rating"]), strict=False))
        baseline, review = by_time.get("baseline", math.nan), by_time.get("review", math.nan)
        change, meaningful, deteriorated = goal_change(baseline, review, threshold)
        rows.append([str(pseudonym), int(goal), group["goal_category"].iloc[0], baseline,
                     review, change, bool(change > 0), meaningful, deteriorated])
    return pd.DataFrame(rows, columns=GOAL_OUTCOME_COLUMNS)


def parent_goal_progress(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per parent: goals set, goals rated at both times, mean baseline / review /
    change over the rated goals, how many moved and how many moved meaningfully, the share of
    rated goals that did each, and whether any goal moved meaningfully."""
    if outcomes.empty:
        return pd.DataFrame(columns=PARENT_GOAL_COLUMNS)
    rows = []
    for pseudonym, group in outcomes.groupby("pseudonym", sort=True):
        rated = group.dropna(subset=["change"])
        n = len(rated)
        rows.append([
            pseudonym, len(group), n,
            rated["baseline"].mean() if n else math.nan,
            rated["review"].mean() if n else math.nan,
            rated["change"].mean() if n else math.nan,
            int(rated["moved"].sum()), int(rated["meaningful"].sum()),
            rated["moved"].mean() if n else math.nan,
            rated["meaningful"].mean() if n else math.nan,
            bool(rated["meaningful"].any()),
        ])
    return pd.DataFrame(rows, columns=PARENT_GOAL_COLUMNS)


def goal_summary(outcomes: pd.DataFrame, parents: pd.DataFrame, *, threshold: int,
                 min_cell_size: int, category_names: dict[str, str]) -> pd.DataFrame:
    """The site's goal-based outcomes in shareable form (measure, group, value, detail):
    counts of parents and goals through
    :func:`parentgroup.disclosure.complementary_suppression` (the goals per category sum to
    the goals set; the rated, the deteriorated and the parents with a meaningful change are
    subsets whose unshown complements may not be worked out either); the mean
    change of the parents' mean goal change with its d_z (mean / SD of the parents' mean
    changes, Lakens 2013 eq. 6; one value per parent, so goals of one parent are not counted
    as independent); the share of rated goals that moved and that moved meaningfully; and the
    goals per category."""
    rows = []

    def add(measure, group, value, detail):
        rows.append([measure, group, value, detail])

    if outcomes.empty:
        return pd.DataFrame(columns=GOAL_SUMMARY_COLUMNS)
    rated = outcomes.dropna(subset=["change"])
    parent_change = parents["mean_change"].dropna().to_numpy(dtype=float)
    categories = {category: len(group)
                  for category, group in outcomes.groupby("goal_category", sort=True)}
    n_deteriorated = int(rated["deteriorated"].sum())
    n_any = int(parents["any_meaningful"].sum())
    counts = {"parents_with_goals": len(parents), "parents_rated": len(parent_change),
              "goals_set": len(outcomes), "goals_rated": len(rated),
              "goals_deteriorated": n_deteriorated, "parents_any_meaningful": n_any,
              **{("category", c): n for c, n in categories.items()},
              # never shown; a small one must not be worked out by a subtraction either
              "parents_unrated": len(parents) - len(parent_change),
              "goals_unrated": len(outcomes) - len(rated),
              "goals_not_deteriorated": len(rated) - n_deteriorated,
              "parents_none_meaningful": len(parent_change) - n_any}
    shown = complementary_suppression(counts, [
        ("goals_set", [("category", c) for c in categories]),
        ("parents_with_goals", ["parents_rated", "parents_unrated"]),
        ("goals_set", ["goals_rated", "goals_unrated"]),
        ("goals_rated", ["goals_deteriorated", "goals_not_deteriorated"]),
        ("parents_rated", ["parents_any_meaningful", "parents_none_meaningful"]),
    ], min_cell_size=min_cell_size, unpublished=(
        "parents_unrated", "goals_unrated", "goals_not_deteriorated", "parents_none_meaningful"))
    add("parents_with_goals", "all", shown["parents_with_goals"],
        "parents who set at least one goal")
    add("parents_rated", "all", shown["parents_rated"],
        "parents with at least one goal rated at baseline and review")
    add("goals_set", "all", shown["goals_set"], "goals set")
    add("goals_rated", "all", shown["goals_rated"], "goals rated at baseline and review")
    add("mean_change", "parents", float(np.mean(parent_change)) if len(parent_change)
        else math.nan, "mean over parents of their mean goal change (0-10 points)")
    add("sd_change", "parents", float(np.std(parent_change, ddof=1))
        if len(parent_change) > 1 else math.nan, "SD over parents of their mean goal change")
    add("d_z", "parents", cohens_d_z(parent_change),
        "mean / SD of the parents' mean goal change")
    # a share over a withheld number of goals would give that number back
    share = len(rated) and not is_suppressed(shown["goals_rated"])
    add("share_goals_moved", "goals", float(rated["moved"].mean()) if share else math.nan,
        "share of rated goals whose rating rose")
    add("share_goals_meaningful", "goals",
        float(rated["meaningful"].mean()) if share else math.nan,
        f"share of rated goals that rose by {threshold} or more points")
    add("goals_deteriorated", "goals", shown["goals_deteriorated"],
        f"rated goals that fell by {threshold} or more points")
    add("parents_any_meaningful", "parents", shown["parents_any_meaningful"],
        f"parents with at least one goal that rose by {threshold} or more points")
    for category in categories:
        add("goals_in_category", category, shown[("category", category)],
            category_names.get(category, "other"))
    # object: counts stay whole numbers (or "<3") beside the means
    return pd.DataFrame(rows, columns=GOAL_SUMMARY_COLUMNS, dtype=object)


BASELINE_SUMMARY_COLUMNS = ["domain", "item", "n", "mean", "sd"]


def baseline_summary(answers: pd.DataFrame, *, min_cell_size: int) -> pd.DataFrame:
    """The baseline form about the child, whole group: per domain (the mean of each parent's
    answers in the domain) and per item, the number of parents answering (disclosure rule),
    the mean and the SD (n - 1). Mean and SD are left empty when the count is suppressed.

    >>> answers = pd.DataFrame({"pseudonym": ["P1", "P1", "P2", "P2", "P3"],
    ...                         "item": [1, 2, 1, 2, 1], "domain": ["home"] * 5,
    ...                         "value": [2, 4, 3, 3, 1]})
    >>> baseline_summary(answers, min_cell_size=3)[["item", "n", "mean"]].values.tolist()
    [['all', 3, 2.3333333333333335], [1, 3, 2.0], [2, '<3', nan]]
    """
    rows = []
    if answers is None or answers.empty:
        return pd.DataFrame(columns=BASELINE_SUMMARY_COLUMNS)
    answers = answers.assign(value=pd.to_numeric(answers["value"], errors="coerce"))
    for domain, group in answers.groupby("domain", sort=False):
        per_parent = group.groupby("pseudonym")["value"].mean()
        blocks = [("all", per_parent)] + [
            (int(item), values.set_index("pseudonym")["value"])
            for item, values in group.groupby("item", sort=True)]
        for item, values in blocks:
            n = small_count(len(values), min_cell_size)
            hidden = isinstance(n, str)
            rows.append([domain, item, n, math.nan if hidden else float(values.mean()),
                         math.nan if hidden or len(values) < 2 else float(values.std(ddof=1))])
    return pd.DataFrame(rows, columns=BASELINE_SUMMARY_COLUMNS, dtype=object)
