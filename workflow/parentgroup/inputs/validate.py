"""The validate stage: every problem in every input file of a site, reported at once."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from parentgroup.inputs.coding import OFFSET_COLUMNS
from parentgroup.inputs.site import problems_table, read_site
from parentgroup.problems import InputError

log = logging.getLogger(__name__)


def validate_site(
    *, site: str, study: dict, problems_csv: Path | str, qda_offsets_csv: Path | str | None = None
) -> None:
    """Read every input of the site, write the problem list, stop if any problem is fatal.

    ``study`` is the site's settings in the config's shape (``sites.<site>``, ``roster``,
    ``instruments``, ``themes``, ``code_map``). The list (severity, file, row, column, value,
    expected) goes to ``problems_csv`` and the log; values of identifier columns are shown as
    ``<hidden: column>``. Warnings alone let the run go on; any error raises
    :class:`InputError` after logging every problem, so the workflow stops before anything is
    anonymised or analysed. ``qda_offsets_csv`` receives how the offsets of each source of a
    REFI-QDA project were read (unit, line endings, BOM, evidence; header only without one).
    """
    site_cfg = study["sites"][site]
    inputs = read_site(site_cfg, study)
    table = problems_table(inputs.problems)
    for problem in inputs.problems:
        (log.error if problem.severity == "error" else log.warning)(problem.format())
    if inputs.fatal:
        raise InputError(inputs.problems, f"input files of site {site}")
    Path(problems_csv).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(problems_csv, index=False, lineterminator="\n")
    if qda_offsets_csv is not None:
        offsets = pd.DataFrame(inputs.qda_offsets, columns=OFFSET_COLUMNS)
        offsets.to_csv(qda_offsets_csv, index=False, lineterminator="\n")
    log.info(
        "%d parents, %d transcripts, %d coded excerpts read; %d warning(s)",
        len(inputs.roster), len(inputs.transcripts), len(inputs.excerpts), len(inputs.problems),
    )
