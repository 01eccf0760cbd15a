"""The parents' journey of one site: goal-based outcomes, the flow from invitation, retention
and lateness, and goal progress beside the questionnaire change of each parent.

:func:`analyse_journey` is the entry of the ``journey_analyse`` rule (docs/data-contracts.md
section 6).
"""

from __future__ import annotations

import logging

import pandas as pd

from parentgroup.analysis.goals import (
    MEANINGFUL_GOAL_CHANGE,
    baseline_summary,
    goal_outcomes,
    goal_summary,
    parent_goal_progress,
)
from parentgroup.analysis.invitations import (
    decline_barriers,
    invitation_flow,
    retention_by_session,
)
from parentgroup.disclosure import shared_people

log = logging.getLogger(__name__)

DEFAULT_REASONS = ["stigma", "timing", "school_relationship", "childcare", "other"]


def goal_joint_display(parents: pd.DataFrame, reliable_change: pd.DataFrame,
                       outcome_ids: list[str]) -> pd.DataFrame:
    """Case level: one row per parent with goals or questionnaire change (sorted by
    pseudonym): ``<outcome>_change`` for every configured outcome (post - pre, from
    reliable_change.csv), then ``goals_rated``, ``goal_mean_change``, ``goals_meaningful``
    and ``share_goals_meaningful`` (from :func:`parent_goal_progress`)."""
    change = reliable_change if not reliable_change.empty else pd.DataFrame(
        columns=["pseudonym", "outcome", "change"])
    change = change.assign(pseudonym=change["pseudonym"].astype(str))
    wide = change.drop_duplicates(["pseudonym", "outcome"]).pivot(
        index="pseudonym", columns="outcome", values="change")
    people = sorted(set(wide.index) | set(parents["pseudonym"].astype(str)))
    out = pd.DataFrame({"pseudonym": people})
    for outcome in outcome_ids:
        values = wide[outcome] if outcome in wide.columns else pd.Series(dtype=float)
        out[f"{outcome}_change"] = out["pseudonym"].map(values)
    mine = parents.assign(pseudonym=parents["pseudonym"].astype(str)).set_index("pseudonym")
    for column, source in [("goals_rated", "goals_rated"), ("goal_mean_change", "mean_change"),
                           ("goals_meaningful", "goals_meaningful"),
                           ("share_goals_meaningful", "share_meaningful")]:
        out[column] = out["pseudonym"].map(mine[source]) if len(mine) else pd.NA
    return out


def analyse_journey(*, goals: pd.DataFrame, invitations: pd.DataFrame,
                    lateness: pd.DataFrame, participants: pd.DataFrame,
                    attendance: pd.DataFrame, reliable_change: pd.DataFrame, config: dict,
                    sessions: int, excerpts: pd.DataFrame | None = None,
                    baseline_form: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every journey table of one site: ``goal_outcomes`` (per goal), ``goal_progress`` (per
    parent), ``goal_summary`` (shareable counts and means), ``invitation_flow``,
    ``retention`` (per session, with lateness), ``joint_display_goals`` (per parent, goal
    progress beside the questionnaire change) and ``decline_barriers`` (decline reasons beside
    the barriers voiced in interviews; ``excerpts`` is the site's coded_excerpts.csv) and
    ``baseline_summary`` (the baseline form about the child, whole group).
    ``config`` holds the site's ``journey``, ``analysis`` and ``outcomes``."""
    journey = config.get("journey", {})
    threshold = int(journey.get("meaningful_goal_change", MEANINGFUL_GOAL_CHANGE))
    min_cell = int(config.get("analysis", {}).get("min_cell_size", 3))
    names = {c["id"]: c["name"] for c in journey.get("goal_categories", [])}
    if not config.get("analysis", {}).get("early_leavers_in_tables", False) and len(goals):
        # goals are an outcome like the questionnaires: analysed for the parents the analyses
        # are about, so no per-parent row and no summary beside it tells an early leaver's
        # ratings (data/processed/ and the family sheets keep them)
        goals = goals[goals["pseudonym"].astype(str).isin(shared_people(participants))]
    outcomes = goal_outcomes(goals, threshold)
    parents = parent_goal_progress(outcomes)
    reasons = journey.get("decline_reasons", DEFAULT_REASONS)
    flow = invitation_flow(invitations, participants, reasons=reasons, min_cell_size=min_cell)
    tables = {
        "goal_outcomes": outcomes,
        "goal_progress": parents,
        "goal_summary": goal_summary(outcomes, parents, threshold=threshold,
                                     min_cell_size=min_cell, category_names=names),
        "invitation_flow": flow,
        "retention": retention_by_session(attendance, lateness, sessions=sessions,
                                          enrolled=len(participants), min_cell_size=min_cell),
        "joint_display_goals": goal_joint_display(
            parents, reliable_change, [o["id"] for o in config.get("outcomes", [])]),
        "decline_barriers": decline_barriers(
            flow, excerpts if excerpts is not None else pd.DataFrame(),
            journey.get("barrier_codes", {}), reasons=reasons, min_cell_size=min_cell),
        "baseline_summary": baseline_summary(baseline_form, min_cell_size=min_cell),
    }
    log.info("journey: %d goals of %d parents; %d invitations", len(outcomes), len(parents),
             len(invitations))
    return tables
