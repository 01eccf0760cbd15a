"""A whole site folder: every input file read, every problem collected at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parentgroup.inputs.attendance import read_attendance
from parentgroup.inputs.baseline_form import read_baseline_form
from parentgroup.inputs.coding import read_coding
from parentgroup.inputs.goals import read_goals
from parentgroup.inputs.identifiers import WHAT_IT_HOLDS, read_identifiers
from parentgroup.inputs.lateness import read_lateness
from parentgroup.inputs.questionnaire import EXCLUSION_COLUMNS, read_questionnaire
from parentgroup.inputs.referrals import read_referrals
from parentgroup.inputs.roster import read_roster
from parentgroup.inputs.transcripts import read_transcripts
from parentgroup.instruments import read_instruments
from parentgroup.problems import ERROR, WARNING, InputProblem

log = logging.getLogger(__name__)


@dataclass
class SiteInputs:
    """Everything read from one site folder (identifiable: never written outside data/raw/)."""

    roster: pd.DataFrame
    attendance: pd.DataFrame
    items: pd.DataFrame
    exclusions: pd.DataFrame
    transcripts: dict[str, str]
    excerpts: pd.DataFrame
    identifiers: dict = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    #: how each REFI-QDA source's offsets were read (coding.OFFSET_COLUMNS)
    qda_offsets: list[dict] = field(default_factory=list)
    # the parents' journey (optional files): goals.csv, referrals.csv, attendance lateness
    goals: pd.DataFrame = field(default_factory=pd.DataFrame)
    referrals: pd.DataFrame = field(default_factory=pd.DataFrame)
    lateness: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline_items: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline_texts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def fatal(self) -> list[InputProblem]:
        return [p for p in self.problems if p.severity == ERROR]


def site_paths(site_cfg: dict) -> dict[str, Path | None]:
    """Paths of a site's input files from its config entry (None where the site has none)."""
    data_dir = Path(site_cfg["data_dir"])

    def optional(name: str) -> Path | None:
        return data_dir / name if name else None

    return {
        "roster": data_dir / "roster.csv",
        "attendance": data_dir / "attendance.csv",
        "questionnaire": data_dir / site_cfg["questionnaire"]["file"],
        "transcripts": optional(site_cfg["transcripts"]),
        "coding": optional(site_cfg["coding"]["file"]),
        "review_decisions": optional(site_cfg["review_decisions"]),
        "identifiers": optional(site_cfg["identifiers_file"]),
        "goals": data_dir / "goals.csv",
        "referrals": data_dir / "referrals.csv",
        "baseline_form": data_dir / "baseline_form.csv",
    }


def read_site(site_cfg: dict, config: dict) -> SiteInputs:
    """Read every input of a site, collecting problems instead of stopping at the first.

    A later reader still runs when an earlier one found problems, so one run shows every
    problem in every file; readers that need the roster get whatever rows could be read.
    """
    paths = site_paths(site_cfg)
    problems: list[InputProblem] = []
    roster, found = read_roster(paths["roster"], config, site_cfg.get("reference_date"))
    problems += found
    if paths["identifiers"] is None:
        problems.append(InputProblem(
            "config", None, "identifiers_file", None,
            f"the name of the site's identifiers file (config identifiers_file is empty): "
            f"identifiers.yaml in the data_dir, with {WHAT_IT_HOLDS}",
        ))
    identifiers, found = read_identifiers(paths["identifiers"])
    problems += found
    instruments, found = read_instruments(
        config["instruments"], extra_dirs=[Path(site_cfg["data_dir"])]
    )
    problems += found
    if roster_unreadable(problems):
        # Without the roster's record_ids every row of every other file would look unknown:
        # report the roster's problem once and skip the checks that need it.
        problems.append(InputProblem(
            paths["roster"].name, None, None, None,
            "a readable roster.csv before the other files are checked against it (attendance, "
            "questionnaire, transcripts and coding were not checked in this run)", WARNING,
        ))
        empty = pd.DataFrame()
        return SiteInputs(roster, empty, empty, pd.DataFrame(columns=EXCLUSION_COLUMNS), {},
                          empty, identifiers, problems)
    attendance, found = read_attendance(paths["attendance"], roster, site_cfg["sessions"])
    problems += found
    items, exclusions, found = read_questionnaire(
        paths["questionnaire"], site_cfg, roster, instruments
    )
    problems += found
    transcripts: dict[str, str] = {}
    if paths["transcripts"] is not None:
        transcripts, found = read_transcripts(paths["transcripts"], roster)
        problems += found
    excluded_excerpts: list[dict] = []
    qda_offsets: list[dict] = []
    excerpts, found = read_coding(
        paths["coding"], site_cfg, transcripts, config, roster, excluded_excerpts, qda_offsets
    )
    problems += found
    if excluded_excerpts:
        # an excerpt not found in its transcript is a recorded exclusion (participant flow)
        exclusions = pd.DataFrame(
            [*exclusions.to_dict("records"), *excluded_excerpts], columns=exclusions.columns
        )
    goals, referrals, lateness, found = read_journey(paths, roster, site_cfg, config)
    problems += found
    baseline_items, baseline_texts = pd.DataFrame(), pd.DataFrame()
    if paths["baseline_form"].is_file():
        name = config.get("journey", {}).get("baseline_instrument", "baseline_child")
        form, found = read_instruments([name], extra_dirs=[Path(site_cfg["data_dir"])])
        problems += found
        baseline_items, baseline_texts, found = read_baseline_form(
            paths["baseline_form"], roster, form.get(name))
        problems += found
    return SiteInputs(roster, attendance, items, exclusions, transcripts, excerpts, identifiers,
                      problems, qda_offsets=qda_offsets, goals=goals, referrals=referrals,
                      lateness=lateness, baseline_items=baseline_items,
                      baseline_texts=baseline_texts)


def roster_unreadable(problems: list[InputProblem]) -> bool:
    """Did the roster fail as a whole (missing file, missing column, unreadable header)?"""
    return any(
        p.severity == ERROR and Path(p.file).name == "roster.csv" and p.row in (None, 1)
        for p in problems
    )


def read_journey(paths: dict, roster: pd.DataFrame, site_cfg: dict, config: dict
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[InputProblem]]:
    """The optional files of the parents' journey: goals.csv, referrals.csv and the lateness
    column of attendance.csv (config ``journey`` gives the goal categories and decline
    reasons)."""
    journey = config.get("journey", {})
    categories = [c["id"] for c in journey.get("goal_categories", [])]
    reasons = journey.get("decline_reasons",
                          ["stigma", "timing", "school_relationship", "childcare", "other"])
    goals, problems = read_goals(paths["goals"], roster, site_cfg["sessions"], categories)
    referrals, found = read_referrals(paths["referrals"], roster, reasons)
    lateness, more = read_lateness(paths["attendance"])
    return goals, referrals, lateness, problems + found + more


def problems_table(problems: list[InputProblem]) -> pd.DataFrame:
    """The problems as a table (values from identifier columns hidden), errors first."""
    columns = ["severity", "file", "row", "column", "value", "expected"]
    frame = pd.DataFrame([p.as_record() for p in problems], columns=columns)
    if frame.empty:
        return frame
    frame["_order"] = frame["severity"].map({"error": 0, "warning": 1})
    return frame.sort_values(["_order", "file"], kind="stable").drop(columns="_order")
