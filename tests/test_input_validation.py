"""The validate stage: every problem in every input file of a site, at once, before any work."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from conftest import REPO, copy_repository, run_snakemake

from parentgroup.config import site_study, validate_config
from parentgroup.inputs.site import read_site
from parentgroup.inputs.validate import validate_site
from parentgroup.problems import InputError


@pytest.fixture()
def config() -> dict:
    with open(REPO / "config.yaml", encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return validate_config(loaded)


@pytest.fixture()
def broken_site(tmp_path, config):
    """A copy of the demo site with one planted problem in each of five input files."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "data/raw/demo", site)
    roster = pd.read_csv(site / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[2, "consent_quotes"] = "maybe"
    roster.loc[4, "child_dob"] = "14/03/2016"
    roster.to_csv(site / "roster.csv", index=False)
    attendance = pd.read_csv(site / "attendance.csv", dtype=str, keep_default_na=False)
    attendance.loc[3, "session"] = "12"
    attendance.loc[len(attendance)] = ["NOBODY-1", "1", "1"] + [""] * (attendance.shape[1] - 3)
    attendance.to_csv(site / "attendance.csv", index=False)
    questionnaire = pd.read_csv(site / "questionnaire.csv", dtype=str, keep_default_na=False)
    questionnaire.loc[1, "prfq_05_now"] = "9"
    questionnaire.loc[6, "psoc_02_then"] = "often"
    questionnaire.to_csv(site / "questionnaire.csv", index=False)
    excerpts = pd.read_csv(site / "coded_excerpts.csv", dtype=str, keep_default_na=False)
    excerpts.loc[0, "excerpt"] = "Words that nobody ever said in this interview at all."
    excerpts.to_csv(site / "coded_excerpts.csv", index=False)
    first = sorted((site / "transcripts").glob("*.txt"))[0]
    shutil.copy(first, site / "transcripts" / "Interview with a parent.txt")
    study = site_study(config, "demo")
    study["sites"]["demo"]["data_dir"] = str(site)
    return study, roster


def test_clean_demo_site_has_no_errors(config):
    inputs = read_site(config["sites"]["demo"], config)
    assert inputs.fatal == []
    assert len(inputs.roster) == 14
    assert len(inputs.transcripts) == 12


def test_every_problem_in_every_file_is_reported_at_once(broken_site, config, tmp_path):
    study, roster = broken_site
    with pytest.raises(InputError) as error:
        validate_site(site="demo", study=study, problems_csv=tmp_path / "p.csv")
    message = str(error.value)
    expected = [
        ("roster.csv, row 4, column 'consent_quotes': value 'maybe'", "yes or no"),
        ("roster.csv, row 6, column 'child_dob': value <hidden: child_dob>", "YYYY-MM-DD"),
        ("attendance.csv, row 5, column 'session': value '12'", "from 1 to 10"),
        ("attendance.csv", "'NOBODY-1'"),
        ("questionnaire.csv, row 3, column 'prfq_05_now': value '9'", "1"),
        ("questionnaire.csv, row 8, column 'psoc_02_then': value 'often'", ""),
        ("coded_excerpts.csv", "excerpt"),
        ("transcripts", "record_id"),
    ]
    for where, what in expected:
        lines = [line for line in message.splitlines() if where in line and what in line]
        assert lines, f"no problem reported for {where} ... {what}:\n{message}"
    assert not (tmp_path / "p.csv").exists(), "nothing is written when a problem is fatal"


def test_problem_messages_never_show_identifiers(broken_site, config, tmp_path):
    study, roster = broken_site
    with pytest.raises(InputError) as error:
        validate_site(site="demo", study=study, problems_csv=tmp_path / "p.csv")
    message = str(error.value).casefold()
    for column in ["parent_name", "child_name", "email", "phone", "postcode"]:
        for value in roster[column]:
            if len(value) > 3:
                assert value.casefold() not in message, column


@pytest.mark.e2e
@pytest.mark.parametrize(
    "route",
    [
        ["--workflow-profile", "workflow/profiles/default"],  # make run
        [],  # the README's conda route: plain snakemake, Snakemake finds no profile
    ],
    ids=["make-run", "plain-snakemake"],
)
def test_workflow_stops_and_prints_the_problems(tmp_path, route):
    """Both routes print the same problem list on the console (the job prints it itself)."""
    workdir = copy_repository(tmp_path / "repo")
    roster_path = workdir / "data/raw/demo/roster.csv"
    roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False)
    roster.loc[0, "consent_quotes"] = "perhaps"
    roster.to_csv(roster_path, index=False)
    result = run_snakemake(workdir, "--cores", "1", *route)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "roster.csv, row 2, column 'consent_quotes': value 'perhaps'" in output
    assert "Traceback" not in output
    assert not (workdir / "data/processed/demo/participants.csv").exists()


def test_a_missing_roster_column_is_reported_once_not_cascaded(tmp_path, config):
    """Without the roster's record_id column every other file's rows would look unknown: the
    missing column is reported once and the checks against the roster are skipped."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "data/raw/demo", site)
    roster = pd.read_csv(site / "roster.csv", dtype=str, keep_default_na=False)
    roster.drop(columns=["record_id"]).to_csv(site / "roster.csv", index=False)
    config["sites"]["demo"]["data_dir"] = str(site)
    study = site_study(config, "demo")
    inputs = read_site(study["sites"]["demo"], study)
    lines = [p.format() for p in inputs.problems]
    assert len(lines) == 2, lines
    assert "column 'record_id'; expected a column 'record_id'" in lines[0]
    assert "were not checked in this run" in lines[1]
    assert "nan" not in "\n".join(lines)


def test_validation_records_how_each_qda_source_was_read(tmp_path, config):
    """The demo's REFI-QDA project: qda_offsets.csv says, per source, which unit, line endings
    and BOM convention were used and on what evidence; it holds no text and no names."""
    config["sites"]["demo"]["coding"] = {"file": "coding.qdpx", "format": "auto"}
    study = site_study(config, "demo")
    validate_site(site="demo", study=study, problems_csv=tmp_path / "problems.csv",
                  qda_offsets_csv=tmp_path / "qda_offsets.csv")
    offsets = pd.read_csv(tmp_path / "qda_offsets.csv", dtype=str, keep_default_na=False)
    assert list(offsets.columns) == ["file", "source", "origin_declares", "unit", "line_endings",
                                     "bom", "selections", "used", "refused", "evidence"]
    assert len(offsets) > 0 and set(offsets["file"]) == {"coding.qdpx"}
    assert (offsets["refused"] == "0").all()
    assert set(offsets["unit"]) <= {"code points", "UTF-16 code units"}
    roster = pd.read_csv(REPO / "data/raw/demo/roster.csv", dtype=str, keep_default_na=False)
    text = (tmp_path / "qda_offsets.csv").read_text(encoding="utf-8")
    assert not any(rid in text for rid in roster["record_id"])
    assert not any(name in text for name in roster["parent_name"])


def test_roster_member_without_attendance_is_located_by_roster_row_not_record_id(tmp_path):
    """A parent with no attendance rows (a waitlist parent, a late enrolment) is one warning that
    names roster rows; the record_id never reaches the problem table that goes to results/."""
    import pandas as pd

    from parentgroup.inputs.attendance import read_attendance

    roster = pd.DataFrame({"record_id": ["ZQ-4411", "ZQ-4412", "ZQ-4413"]})
    (tmp_path / "attendance.csv").write_text(
        "record_id,session,attended\nZQ-4411,1,1\nZQ-4411,2,0\n", encoding="utf-8"
    )
    _, problems = read_attendance(tmp_path / "attendance.csv", roster, 2)
    text = "\n".join(problem.format() for problem in problems)
    assert len(problems) == 1
    assert "2 roster member(s)" in text and "row 3, 4" in text
    assert "ZQ-4412" not in text and "ZQ-4413" not in text
