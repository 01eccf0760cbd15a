"""The qualitative strand and its integration: theme summaries of the reflexive thematic
analysis, consented quotes, and the joint displays that set them beside the outcomes.

Modules: ``themes`` (themes, presence per participant, quote selection) and ``joint_display``
(statistics-by-themes and case-level joint displays; Guetterman, Fetters & Creswell 2015).
"""

from __future__ import annotations

import logging

import pandas as pd

from parentgroup.disclosure import separate_quote_codes
from parentgroup.qualitative.joint_display import case_joint_display, outcome_joint_display
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
    ``joint_display_outcomes`` and ``joint_display_cases`` (docs/data-contracts.md section 4).
    ``config`` holds the site's ``themes``, ``outcomes`` and ``report.quotes_per_theme``."""
    themes, presence, quotes = summarise_themes(
        excerpts=excerpts, participants=participants, config=config
    )
    # quotes get codes of their own, unlinkable to the case-level displays' pseudonyms
    quotes = separate_quote_codes(quotes)
    tables = {
        "themes": themes,
        "theme_presence": presence,
        "quotes": quotes,
        "joint_display_outcomes": outcome_joint_display(
            paired_tests=paired_tests, themes=themes, quotes=quotes, config=config
        ),
        "joint_display_cases": case_joint_display(
            reliable_change=reliable_change, presence=presence, config=config
        ),
    }
    log.info("qualitative: %s", ", ".join(f"{k} {len(v)} rows" for k, v in tables.items()))
    return tables
