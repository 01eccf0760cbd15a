"""End to end: the demo pipeline in a temporary copy of the repository, as a user runs it."""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest
from conftest import run_snakemake
from scipy import stats

pytestmark = pytest.mark.e2e

PUBLISHED_D_Z = {"prfq_pm": -1.34, "prfq_ic": 1.83, "psoc_total": 1.61, "prfq_cms": -0.63}


# every kind of file a site shares, the executed notebook and provenance included
SHARED_SUFFIXES = {".csv", ".html", ".svg", ".pdf", ".png", ".sav", ".ipynb", ".json", ".yaml",
                   ".docx", ".txt"}


def _digest(paths, root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_demo_runs_end_to_end(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-4000:]
    for path in [
        "results/demo/report.html",
        "results/demo/leak_check.txt",
        "results/demo/paired_tests.csv",
        "results/demo/scores.csv",
        "results/demo/scores_wide.sav",
        "results/demo/reliability.csv",
        "results/demo/participant_flow.csv",
        "results/demo/joint_display_outcomes.csv",
        "results/demo/figures/effect_sizes.png",
        "results/demo/figures/effect_sizes.svg",
        "results/demo/figures/effect_sizes.pdf",
        "results/demo/journey/retention.png",
        "results/demo/journey/retention.svg",
        "results/demo/report.pdf",
        "data/processed/demo/participants.csv",
        "data/secure/demo/linkage_key.csv",
    ]:
        assert (workdir / path).is_file(), path


def test_reproduces_published_effect_sizes(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-4000:]
    table = pd.read_csv(workdir / "results/demo/paired_tests.csv").set_index("outcome")
    for outcome, d_z in PUBLISHED_D_Z.items():
        assert table.at[outcome, "d_z"] == pytest.approx(d_z, abs=0.02), outcome
        assert table.at[outcome, "n_pairs"] == 12
    assert 0.045 <= table.at["prfq_cms", "p"] <= 0.060


def test_paired_tests_agree_with_scipy_on_the_scores(demo_run):
    workdir, _ = demo_run
    scores = pd.read_csv(workdir / "results/demo/scores.csv")
    participants = pd.read_csv(workdir / "data/processed/demo/participants.csv")
    completers = set(participants.loc[participants["completer"], "pseudonym"])
    table = pd.read_csv(workdir / "results/demo/paired_tests.csv").set_index("outcome")
    rows = scores[
        (scores.instrument == "prfq") & (scores.scale == "interest_curiosity")
        & (scores.scoring == "mean") & scores.pseudonym.isin(completers)
    ]
    wide = rows.pivot(index="pseudonym", columns="time", values="score").dropna()
    t, p = stats.ttest_rel(wide["now"], wide["then"])
    assert table.at["prfq_ic", "t"] == pytest.approx(t, rel=1e-12)
    assert table.at["prfq_ic", "p"] == pytest.approx(p, rel=1e-9)


def test_second_run_has_nothing_to_do(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-4000:]
    again = run_snakemake(workdir, "--cores", "2")
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr


def test_report_says_synthetic_and_shows_no_code(demo_run):
    workdir, _ = demo_run
    html = (workdir / "results/demo/report.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" in html
    assert "import pandas" not in html
    assert "Relational safety" in html


def test_workflow_report_builds(demo_run):
    workdir, _ = demo_run
    result = run_snakemake(workdir, "--report", "results/workflow-report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / "results/workflow-report.html").stat().st_size > 10_000


def test_lint_is_clean(demo_run):
    workdir, _ = demo_run
    result = run_snakemake(workdir, "--lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_same_inputs_and_key_give_byte_identical_outputs(finished_demo):
    """The outputs deleted and built again (same inputs, same key: the secure folder stays) are
    the same bytes; in a copy of the finished run, so the shared run stays as it was."""
    workdir = finished_demo
    shared = [
        p for p in sorted((workdir / "results/demo").rglob("*"))
        if p.is_file() and p.suffix in SHARED_SUFFIXES
    ]
    shared += sorted(p for p in (workdir / "data/processed/demo").rglob("*") if p.is_file())
    before = _digest(shared, workdir)
    shutil.rmtree(workdir / "results")
    shutil.rmtree(workdir / "data/processed")
    rerun = run_snakemake(workdir, "--cores", "2")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    after = _digest(shared, workdir)
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert not changed
