"""A new site's walk-through as the README tells it, from an empty folder to the report.

The site keeps its data outside the repository (an absolute ``data_dir``), has questionnaires
only (no transcripts, no coding), measures one thing with its own one-item instrument (a goal
rating), and is added beside the demo with ``--configfile``: its report is built, and the
demo's jobs see nothing of it. The same site alone under ``--replace-workflow-config`` (a
complete config of its own) passes validation. Figures are PNG only, to keep this fast.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from conftest import run_snakemake

pytestmark = pytest.mark.e2e

GOAL = {
    "name": "goal",
    "title": "Goal rating",
    "citation": "Law D. & Jacob J. (2015). Goals and Goal Based Outcomes (GBOs). CAMHS Press.",
    "items": [{"number": 1, "text": "How close are you to reaching your goal?"}],
    "response": {"min": 0, "max": 10, "anchor_direction": "disagree_to_agree",
                 "labels": [{"value": 0, "label": "Not at all"},
                            {"value": 10, "label": "Goal reached"}]},
    "scales": [{"id": "goal", "label": "Goal rating", "items": [1], "scorings": ["mean"],
                "direction": "higher_better"}],
}


def _new_site(repo, folder):
    """The README's steps: a folder with the site's files, its instrument and a config file."""
    folder.mkdir()
    demo = repo / "data/raw/demo"  # synthetic people, reused as the new site's roster
    for name in ("roster.csv", "attendance.csv", "identifiers.yaml"):
        shutil.copy(demo / name, folder / name)
    roster = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False)
    pd.DataFrame({
        "record_id": roster["record_id"],
        "goal_01_then": [2 + i % 3 for i in range(len(roster))],
        "goal_01_now": [5 + (i * 7) % 4 for i in range(len(roster))],
    }).to_csv(folder / "survey.csv", index=False)
    (folder / "goal.yaml").write_text(yaml.safe_dump(GOAL, sort_keys=False), encoding="utf-8")
    site = {
        "data_dir": str(folder),  # absolute, outside the repository
        "synthetic": True,
        "sessions": 10,
        "questionnaire": {"file": "survey.csv", "match_on": "record_id"},
        "transcripts": "",
        "coding": {"file": ""},
        "instruments": ["goal"],
        "outcomes": [{"id": "goal", "instrument": "goal", "scale": "goal", "scoring": "mean"}],
        "themes": [],
    }
    (repo / "myschool.yaml").write_text(
        yaml.safe_dump({"sites": {"myschool": site}, "figures": {"formats": ["png"]}}),
        encoding="utf-8",
    )


def test_new_site_from_an_empty_folder_to_the_report(finished_demo, tmp_path):
    """The site joins a repository where the demo has run; the demo's analysis is asked for
    again (its table deleted), so its job runs beside the new site and must not see it."""
    repo = finished_demo
    (repo / "results/demo/paired_tests.csv").unlink()
    _new_site(repo, tmp_path / "myschool-data")
    result = run_snakemake(
        repo, "--cores", "2", "results/myschool/report.html", "results/myschool/leak_check.txt",
        "results/demo/paired_tests.csv", "--configfile", "myschool.yaml",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    reliability = pd.read_csv(repo / "results/myschool/reliability.csv")
    assert set(reliability["note"]) == {"not applicable (one item)"}
    tests = pd.read_csv(repo / "results/myschool/paired_tests.csv")
    assert list(tests["outcome"]) == ["goal"] and tests.loc[0, "n_pairs"] > 0
    demo = pd.read_csv(repo / "results/demo/paired_tests.csv")
    assert "goal" not in set(demo["outcome"]) and "prfq_pm" in set(demo["outcome"])
    assert (repo / "results/myschool/report.html").stat().st_size > 5_000

    # the same site alone: its file is a complete config for --replace-workflow-config
    alone = run_snakemake(
        repo, "--cores", "1", "results/myschool/validation/input_problems.csv", "-F",
        "--replace-workflow-config", "--configfile", "myschool.yaml",
    )
    assert alone.returncode == 0, (alone.stdout + alone.stderr)[-3000:]
    assert "Traceback" not in alone.stdout + alone.stderr
