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
from parentgroup.disclosure import shared_people
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
    shared_scores_csv: Path | str | None = None,
    early_leavers_in_tables: bool = False,
) -> pd.DataFrame:
    """The score stage: read ``questionnaire_items.csv``, write scores, the SPSS file and its
    codebook, reliability and corrected item-total correlations. Returns the scores.

    ``scores_csv`` gets every respondent's scores (data/processed/: the analyses need the early
    leavers for the sensitivity and dose-response checks); ``shared_scores_csv`` and the SPSS
    file (results/) get only the parents the analyses are about (:func:`shared_score_rows`),
    unless ``early_leavers_in_tables`` (config ``analysis.early_leavers_in_tables``)."""
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
    completers, shared = None, scores
    if participants_csv is not None:  # the completer flag for the SPSS/JASP file
        participants = pd.read_csv(participants_csv, dtype={"pseudonym": str})
        # a new Series: setting .index on the column itself would change pandas' cached column
        completers = pd.Series(as_bool(participants["completer"]).to_numpy(),
                               index=participants["pseudonym"].to_numpy())
        if not early_leavers_in_tables:
            shared = shared_score_rows(scores, participants)
            log.info("shared scores: %d of %d respondents (early leavers' rows kept in "
                     "data/processed/ only)", shared["pseudonym"].nunique(),
                     scores["pseudonym"].nunique())
    if shared_scores_csv is not None:
        Path(shared_scores_csv).parent.mkdir(parents=True, exist_ok=True)
        shared.to_csv(shared_scores_csv, index=False, lineterminator="\n")
    write_scores_sav(shared, instruments, scores_sav, completers)
    codebook(scores, instruments, with_completer=completers is not None).to_csv(
        codebook_csv, index=False, lineterminator="\n")
    reliability.to_csv(reliability_csv, index=False, lineterminator="\n")
    item_total.to_csv(item_total_csv, index=False, lineterminator="\n")
    log.info("%d scores (%d missing, %d prorated) for %d respondents", len(scores),
             int(scores["score"].isna().sum()), int(scores["prorated"].sum()),
             scores["pseudonym"].nunique())
    return scores



def shared_score_rows(scores: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``scores`` a shared table may hold: those of
    :func:`parentgroup.disclosure.shared_people` (never an early leaver's own scores).

    >>> scores = pd.DataFrame({"pseudonym": ["P01", "P02", "P03"], "score": [1.0, 2.0, 3.0]})
    >>> people = pd.DataFrame({"pseudonym": ["P01", "P02", "P03"],
    ...                        "completer": ["True", "False", "False"],
    ...                        "arm": ["intervention", "intervention", "comparison"]})
    >>> shared_score_rows(scores, people)["pseudonym"].tolist()
    ['P01', 'P03']
    """
    kept = shared_people(participants)
    return scores[scores["pseudonym"].astype(str).isin(kept)].reset_index(drop=True)
