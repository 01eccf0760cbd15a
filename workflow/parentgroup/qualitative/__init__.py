"""The qualitative strand and its integration: theme summaries of the reflexive thematic
analysis, consented quotes, and the joint displays that set them beside the outcomes.

Modules: ``themes`` (themes, presence per participant, quote selection) and ``joint_display``
(statistics-by-themes and case-level joint displays; Guetterman, Fetters & Creswell 2015).
"""

from __future__ import annotations

import logging

import pandas as pd

from parentgroup.disclosure import MIN_CELL_SIZE, quotes_fitting_cases, separate_quote_codes
from parentgroup.qualitative.joint_display import (
    case_joint_display,
    discordant_cases,
    link_joint_display,
    outcome_joint_display,
)
from parentgroup.qualitative.themes import summarise_themes

log = logging.getLogger(__name__)

__all__ = ["summarise_site"]


def summarise_site(
    *,
    excerpts: pd.DataFrame,
    participants: pd.DataFrame,
    paired_tests: pd.DataFrame,
    reliable_change: pd.DataFrame,
    config: dict,
) -> dict[str, pd.DataFrame]:
    """The qualitative stage of one site: ``themes``, ``theme_presence``, ``quotes``,
    ``joint_display_outcomes``, ``joint_display_cases``, ``joint_display_links`` and
    ``discordant_cases`` (docs/data-contracts.md section 4).
    ``config`` holds the site's ``themes``, ``outcomes`` and ``report.quotes_per_theme``."""
    labels = (dict(zip(paired_tests["outcome"], paired_tests["label"], strict=True))
              if {"outcome", "label"} <= set(paired_tests.columns) else None)
    themes, presence, quotes = summarise_themes(
        excerpts=excerpts, participants=participants, config=config
    )
    cases = case_joint_display(
        reliable_change=reliable_change, presence=presence, config=config, labels=labels
    )
    # disclosure (the motivated-intruder test): no quoted parent is tied to one or two cases of
    # the case-level display by the themes they are quoted under, and quotes get codes of their
    # own, unlinkable to the case-level displays' pseudonyms
    shown = presence[presence["present"].astype(bool)
                     & presence["pseudonym"].isin(cases["pseudonym"] if len(cases) else [])]
    case_themes = {str(p): set(g["theme_id"].astype(str)) for p, g in shown.groupby("pseudonym")}
    min_cell = int((config.get("analysis") or {}).get("min_cell_size", MIN_CELL_SIZE))
    quotes = separate_quote_codes(quotes_fitting_cases(quotes, case_themes, min_cell))
    tables = {
        "themes": themes,
        "theme_presence": presence,
        "quotes": quotes,
        "joint_display_outcomes": outcome_joint_display(
            paired_tests=paired_tests, themes=themes, quotes=quotes, config=config
        ),
        "joint_display_cases": cases,
        "joint_display_links": link_joint_display(
            paired_tests=paired_tests, themes=themes, quotes=quotes, presence=presence,
            config=config,
        ),
        "discordant_cases": discordant_cases(
            reliable_change=reliable_change, presence=presence, config=config,
            labels=labels,
        ),
    }
    log.info("qualitative: %s", ", ".join(f"{k} {len(v)} rows" for k, v in tables.items()))
    return tables
