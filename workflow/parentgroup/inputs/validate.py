"""The validate stage: every problem in every input file of a site, reported at once."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pandas as pd

from parentgroup.inputs.coding import OFFSET_COLUMNS
from parentgroup.inputs.name_search import NameSearch
from parentgroup.inputs.site import problems_table, read_site
from parentgroup.problems import ERROR, InputError, InputProblem

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
    search = NameSearch(inputs.roster, inputs.identifiers)
    problems = [*inputs.problems, *names_in_site_paths(site, site_cfg, search)]
    problems = [without_identifiers(problem, search) for problem in problems]
    table = problems_table(problems)
    for problem in problems:
        (log.error if problem.severity == "error" else log.warning)(problem.format())
    if any(problem.severity == ERROR for problem in problems):
        # (the site key itself is not repeated when it holds an identifier)
        named = "this site" if search.find(site) else f"site {site}"
        raise InputError(problems, f"input files of {named}")
    Path(problems_csv).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(problems_csv, index=False, lineterminator="\n")
    if qda_offsets_csv is not None:
        offsets = pd.DataFrame(inputs.qda_offsets, columns=OFFSET_COLUMNS)
        offsets.to_csv(qda_offsets_csv, index=False, lineterminator="\n")
    log.info(
        "%d parents, %d transcripts, %d coded excerpts read; %d warning(s)",
        len(inputs.roster), len(inputs.transcripts), len(inputs.excerpts), len(problems),
    )


#: The names of a site's own that every output carries (config key, what it is, how to rename).
SITE_PATHS = (
    ("site key", "the site key (under sites: in the config)",
     "rename the site key in the config to a code that names no one (e.g. site_a): it names "
     "every output folder and file (results/<site>/ ...)"),
    ("data_dir", "the site's data folder (data_dir)",
     "rename the folder, and data_dir in the config, to a code that names no one: the report's "
     "settings and provenance record the path"),
    ("transcripts", "the transcripts folder (transcripts)",
     "rename the folder and the config's transcripts entry"),
    ("questionnaire.file", "the questionnaire file name (questionnaire.file)",
     "rename the file and the config's questionnaire.file"),
    ("coding.file", "the coding file name (coding.file)",
     "rename the file and the config's coding.file"),
    ("review_decisions", "the review decisions file name (review_decisions)",
     "rename the file and the config's review_decisions"),
    ("identifiers_file", "the identifiers file name (identifiers_file)",
     "rename the file and the config's identifiers_file"),
)


def names_in_site_paths(site: str, site_cfg: dict, search: NameSearch) -> list[InputProblem]:
    """An error for the site key, the data folder and each input file name of the config that
    holds an identifier of the site as a whole word (a site ``hillside`` of "Hillside Academy").

    Every output path, the report's ``config_used.yaml`` and its provenance carry these, so the
    leak check would fail on hundreds of files after the whole run; the message names which
    kind of identifier it found (``the school's name``), never the identifier or the key.
    """
    values = {
        "site key": site,
        "data_dir": site_cfg.get("data_dir"),
        "transcripts": site_cfg.get("transcripts"),
        "questionnaire.file": (site_cfg.get("questionnaire") or {}).get("file"),
        "coding.file": (site_cfg.get("coding") or {}).get("file"),
        "review_decisions": site_cfg.get("review_decisions"),
        "identifiers_file": site_cfg.get("identifiers_file"),
    }
    problems = []
    for key, what, action in SITE_PATHS:
        # a folder path may hold a home directory (/home/will/): a person's first name or
        # surname alone counts there only when written as a name, with a capital
        kinds = search.kinds_in(str(values.get(key) or ""),
                                capitalised_name_words=key != "site key")
        if kinds:
            problems.append(InputProblem(
                "config", None, key, None,
                f"{what} without an identifier: it contains {' and '.join(kinds)} as a word "
                f"(not shown here); {action}, or the leak check fails on every output",
            ))
    return problems


def without_identifiers(problem: InputProblem, search: NameSearch) -> InputProblem:
    """The problem as the shared validation outputs may show it: a roster name, record id or
    staff, school or town name in its file, column or value is hidden (a transcript or
    document named by its record id, a duplicated record_id, a QDA source or code named after
    a person), and in its expected text too (a file name quoted there), where a name is hidden
    only when written with a capital: the text is the pipeline's own prose, in which an
    ordinary word such as "may" must stay."""
    changes: dict = {}
    for name in ("file", "column"):
        text = getattr(problem, name)
        if text and search.find(text):
            changes[name] = search.hide(text)
    shown = problem.shown_value()
    if shown and not shown.startswith("<hidden") and search.find(str(problem.value)):
        changes["sensitive"] = True
    expected = search.hide(problem.expected, capitalised_names_only=True)
    if expected != problem.expected:
        changes["expected"] = expected
    return replace(problem, **changes) if changes else problem
