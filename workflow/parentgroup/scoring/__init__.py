"""Stage 3, score: instrument definitions -> scale scores per person and time, their
reliability, and the SPSS file with its codebook.

Modules: ``scales`` (recode, reverse keys, the missing-item rule, mean and sum scores),
``reliability`` (Cronbach's alpha with its Feldt interval, McDonald's omega, corrected item-total
correlations) and ``spss_export`` (the wide ``.sav`` file with labels, and the codebook).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from parentgroup.config import design_times
from parentgroup.instruments import load_instruments
from parentgroup.scoring.reliability import reliability_table
from parentgroup.scoring.scales import score_items
from parentgroup.scoring.spss_export import codebook, write_scores_sav
from parentgroup.tables import as_bool

log = logging.getLogger(__name__)

__all__ = ["score_site"]


def score_site(
    *,
    items_csv: Path | str,
    instrument_names: list[str],
    extra_instrument_dirs: list[Path | str],
    design: str,
    confidence_level: float,
    scores_csv: Path | str,
    scores_sav: Path | str,
    codebook_csv: Path | str,
    reliability_csv: Path | str,
    item_total_csv: Path | str,
    participants_csv: Path | str | None = None,
) -> pd.DataFrame:
    """The score stage: read ``questionnaire_items.csv``, write scores, the SPSS file and its
    codebook, reliability and corrected item-total correlations. Returns the scores."""
    instruments = load_instruments(instrument_names, [Path(d) for d in extra_instrument_dirs])
    items = pd.read_csv(items_csv, dtype={"pseudonym": str, "instrument": str, "time": str})
    expected_times = set(design_times(design))
    extra = sorted(set(items["time"].dropna()) - expected_times)
    if extra:
        log.warning("time labels %s are not part of the %s design", extra, design)
    scores = score_items(items, instruments)
    reliability, item_total = reliability_table(items, instruments, confidence=confidence_level)
    for path in (scores_csv, scores_sav, codebook_csv, reliability_csv, item_total_csv):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    scores.to_csv(scores_csv, index=False, lineterminator="\n")
    completers = None
    if participants_csv is not None:  # the completer flag for the SPSS/JASP file
        participants = pd.read_csv(participants_csv, dtype={"pseudonym": str})
        completers = as_bool(participants["completer"])
        completers.index = participants["pseudonym"]
    write_scores_sav(scores, instruments, scores_sav, completers)
    codebook(scores, instruments, with_completer=completers is not None).to_csv(
        codebook_csv, index=False, lineterminator="\n")
    reliability.to_csv(reliability_csv, index=False, lineterminator="\n")
    item_total.to_csv(item_total_csv, index=False, lineterminator="\n")
    log.info("%d scores (%d missing, %d prorated) for %d respondents", len(scores),
             int(scores["score"].isna().sum()), int(scores["prorated"].sum()),
             scores["pseudonym"].nunique())
    return scores
