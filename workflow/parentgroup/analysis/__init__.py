"""Stage 4, analyse: the paired (pre/post) analysis of each outcome and everything around it.

Modules: ``effect_sizes`` (d_z, d_av, d_rm, g_av, CLES and their intervals; Lakens 2013),
``paired_tests`` (t and Wilcoxon tests, bootstrap intervals, the multiplicity adjustment),
``reliable_change`` (Jacobson & Truax 1991), ``engagement`` (dose-response, completers against
everyone, response shift, retention, power), ``participant_flow`` (enrolled to analysed, with
every exclusion), ``controlled`` (intervention against comparison arm: ANCOVA, Morris d_ppc2,
mixed model) and ``meta_analysis`` (several sites pooled, the pooled stage).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from parentgroup.disclosure import shown_category_table

log = logging.getLogger(__name__)

__all__ = ["analyse_site", "controlled_analysis", "pool_sites"]


def __getattr__(name: str):
    """The other entry functions, imported on first use: importing a light module of this
    package (``goals``, ``journey``) runs this file, and should not cost scipy.stats and
    statsmodels (1.5-2 s per job)."""
    if name == "controlled_analysis":
        from parentgroup.analysis.controlled import controlled_analysis

        return controlled_analysis
    if name == "pool_sites":
        from parentgroup.analysis.meta_analysis import pool_sites

        return pool_sites
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def analyse_site(
    *,
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    attendance: pd.DataFrame,
    reliability: pd.DataFrame,
    exclusions: pd.DataFrame,
    config: dict,
    design: str,
    directions: dict,
    labels: dict,
    journey: Mapping[str, pd.DataFrame] | None = None,
    sessions: int | None = None,
    items: pd.DataFrame | None = None,
    instruments: Mapping | None = None,
) -> dict[str, pd.DataFrame]:
    """Every analysis table of one site: participant_flow, paired_tests, reliable_change,
    reliable_change_summary, dose_response, sensitivity, response_shift, engagement and power
    (docs/data-contracts.md sections 2 and 3). ``config`` holds the site's ``outcomes``,
    ``analysis`` and ``completer_min_sessions``; ``exclusions`` is the anonymise stage's
    input_exclusions.

    With ``journey`` (the processed ``goals``, ``invitations``, ``lateness``,
    ``baseline_form`` and the site's ``excerpts``) and the site's number of ``sessions``, also
    the tables of the parents' journey (:func:`parentgroup.analysis.journey.analyse_journey`,
    section 6; ``config`` then also holds the ``journey`` settings): one job instead of a
    second one that paid its imports again for a fraction of a second of work.

    ``items`` (``questionnaire_items.csv``) and ``instruments`` give reliable change its sample
    alpha of the analysed pairs
    (:func:`parentgroup.analysis.reliable_change.reliable_change_table`); without them it falls
    back to ``reliability``."""
    from parentgroup.analysis import engagement as eng
    from parentgroup.analysis.controlled import (
        INTERVENTION,
        controlled_participant_flow,
        has_comparison_arm,
        participant_arms,
    )
    from parentgroup.analysis.paired_tests import TIME_ROLES, paired_tests
    from parentgroup.analysis.participant_flow import participant_flow
    from parentgroup.analysis.reliable_change import (
        reliable_change_summary,
        reliable_change_table,
    )

    if design not in TIME_ROLES:
        raise ValueError(f"design must be one of {sorted(TIME_ROLES)}, not {design!r}")
    everyone = participants
    controlled = has_comparison_arm(participants)
    if controlled:
        # a controlled site: the single-group tables describe the intervention arm; the arms
        # are compared in the controlled stage (analysis.controlled)
        participants = participants[
            participant_arms(participants).to_numpy() == INTERVENTION].reset_index(drop=True)
        log.info("controlled site: single-group tables of the %d intervention parents",
                 len(participants))
    kwargs = dict(config=config, design=design, directions=directions, labels=labels)
    main = paired_tests(scores, participants, **kwargs)
    log.info("paired tests: %d outcomes", len(main))
    changes = reliable_change_table(
        scores, participants, reliability, config=config, design=design, directions=directions,
        items=items, instruments=instruments,
    )
    order = {o["id"]: directions.get(o["id"], "higher_better") for o in config["outcomes"]}
    tables = {
        "participant_flow": participant_flow(
            participants=participants, exclusions=exclusions, scores=scores,
            outcomes=config["outcomes"], completer_min_sessions=config["completer_min_sessions"],
            design=design, labels=labels,
        ) if not controlled else controlled_participant_flow(
            everyone, exclusions=exclusions, scores=scores, outcomes=config["outcomes"],
            completer_min_sessions=config["completer_min_sessions"], design=design,
            labels=labels,
        ),
        "paired_tests": main,
        "reliable_change": changes,
        # parents per category beside each outcome's exact n: the one disclosure rule
        "reliable_change_summary": shown_category_table(
            reliable_change_summary(changes, order, labels), by="outcome", category="category",
            count="n_parents", total="n_outcome",
            min_cell_size=int(config.get("analysis", {}).get("min_cell_size", 3))),
        "dose_response": eng.dose_response(scores, participants, config=config, design=design),
        "sensitivity": eng.completer_sensitivity(
            scores, participants, main=main, **kwargs
        ),
        "response_shift": eng.response_shift(scores, participants, config=config, design=design),
        "engagement": eng.engagement_summary(
            scores, participants, attendance, config=config, design=design
        ),
        "power": eng.sensitivity_power(main),
    }
    if journey is None:
        return tables
    from parentgroup.analysis.journey import analyse_journey

    return tables | analyse_journey(
        **journey, participants=everyone, attendance=attendance, reliable_change=changes,
        config=config, sessions=int(sessions),
    )
