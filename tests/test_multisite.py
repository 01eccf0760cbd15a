"""Several sites: a config change only, pooled results, and each site's failure is its own."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
import yaml
from conftest import run_snakemake

pytestmark = pytest.mark.e2e


def _add_site(workdir, name, *, break_roster=False):
    shutil.copytree(workdir / "data/raw/demo", workdir / "data/raw" / name)
    if break_roster:
        roster_path = workdir / "data/raw" / name / "roster.csv"
        roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False)
        roster.loc[0, "consent_quotes"] = "perhaps"
        roster.to_csv(roster_path, index=False)
    return {"data_dir": f"data/raw/{name}", "synthetic": True}


def test_two_sites_are_pooled(finished_demo):
    """Two sites, pooled; the site file also asks for PNG figures only (figures.formats). A
    second site joins a demo that has run (so the demo's figures are drawn again as PNG)."""
    workdir = finished_demo
    site_file = workdir / "second-site.yaml"
    site_file.write_text(
        yaml.safe_dump({"sites": {"second": _add_site(workdir, "second")},
                        "figures": {"formats": ["png"]}}),
        encoding="utf-8",
    )
    result = run_snakemake(workdir, "--cores", "2", "--configfile", "second-site.yaml")
    assert result.returncode == 0, result.stderr[-4000:]
    for folder in ("demo", "second", "pooled"):
        figures = workdir / "results" / folder / "figures"
        written = {path.suffix for path in figures.iterdir() if not path.name.startswith(".")}
        assert written == {".png", ".csv"}, (folder, written)
        names = pd.read_csv(figures / "figures.csv")["name"]
        assert all((figures / f"{name}.png").is_file() for name in names)
    meta = pd.read_csv(workdir / "results/pooled/meta_analysis.csv")
    assert set(meta["k_sites"]) == {2}
    assert {"prfq_pm", "psoc_total"} <= set(meta["outcome"])
    demo = pd.read_csv(workdir / "results/demo/paired_tests.csv").set_index("outcome")
    dl = meta[meta["method"].str.contains("dl", case=False)].set_index("outcome")
    # Two identical sites: the pooled d_z equals each site's d_z and tau^2 is zero.
    assert dl.at["prfq_ic", "estimate"] == pytest.approx(demo.at["prfq_ic", "d_z"], rel=1e-9)
    assert dl.at["prfq_ic", "tau2"] == pytest.approx(0.0, abs=1e-12)
    # the one-stage model beside it: two identical sites, so no variance between sites
    multilevel = pd.read_csv(workdir / "results/pooled/multilevel.csv").set_index("outcome")
    assert multilevel.at["prfq_ic", "k_sites"] == 2
    assert multilevel.at["prfq_ic", "estimate"] == pytest.approx(
        demo.at["prfq_ic", "mean_change"], rel=1e-6)
    assert set(multilevel["agreement"]) == {"agree"}
    assert "One-stage mixed model" in (workdir / "results/pooled/report.html").read_text(
        encoding="utf-8")
    assert (workdir / "results/pooled/report.html").stat().st_size > 5_000
    assert (workdir / "results/pooled/figures/pooled_forest.png").exists()
    assert (workdir / "results/pooled/leak_check.txt").exists()


def test_a_bad_site_fails_alone_with_keep_going(finished_demo):
    """A broken site joins a demo that has run and whose report is missing: the broken site's
    validation fails and the demo's report is still built."""
    workdir = finished_demo
    (workdir / "results/demo/report.html").unlink()
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    config["sites"]["broken"] = _add_site(workdir, "broken", break_roster=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run_snakemake(
        workdir, "--cores", "2", "--keep-going", "results/demo/report.html",
        "results/broken/report.html",
    )
    assert result.returncode != 0
    assert (workdir / "results/demo/report.html").exists()
    assert not (workdir / "data/processed/broken").exists()
    log = (workdir / "logs/broken/validate.log").read_text(encoding="utf-8")
    assert "roster.csv, row 2, column 'consent_quotes': value 'perhaps'" in log


def test_tables_only_sites_are_pooled_and_leak_checked(finished_demo):
    """config site_outputs: tables builds each site's tables and leak check, not its figures
    and report; the pooled report still comes; switching back to full plans the figures, the
    reports and a new leak check of each site. The demo has run (its tables are reused); the
    documents of that full run are removed by its new leak check, so that none sits beside the
    tables showing older results, and the run does not build them again."""
    workdir = finished_demo
    full_run_documents = [workdir / "results/demo" / name for name in (
        "report.html", "figures", "journey", "report", "staff_summary.html",
        "manuscript_tables.docx")] + [workdir / "data/processed/demo/family_sheets.csv"]
    assert all(path.exists() for path in full_run_documents)
    site_file = workdir / "consortium.yaml"
    site_file.write_text(
        yaml.safe_dump({"sites": {"second": _add_site(workdir, "second")},
                        "site_outputs": "tables"}),
        encoding="utf-8",
    )
    result = run_snakemake(workdir, "--cores", "2", "--configfile", "consortium.yaml")
    assert result.returncode == 0, result.stderr[-4000:]
    for site in ("demo", "second"):
        assert (workdir / "results" / site / "paired_tests.csv").is_file()
        assert (workdir / "results" / site / "joint_display_outcomes.csv").is_file()
        summary = (workdir / "results" / site / "leak_check.txt").read_text(encoding="utf-8")
        assert "hits: 0" in summary
        assert not (workdir / "results" / site / "report.html").exists()
        assert not (workdir / "results" / site / "figures").exists()
    assert not [path for path in full_run_documents if path.exists()]
    assert "removed the documents of an earlier full run" in (
        workdir / "logs/demo/leak_check.log").read_text(encoding="utf-8")
    # documents are not built for a tables-only site: no family sheets, no staff summary
    assert not (workdir / "results/second/staff_summary.html").exists()
    assert not (workdir / "data/processed/second/family_sheets.csv").exists()
    assert (workdir / "results/pooled/report.html").stat().st_size > 5_000
    assert (workdir / "results/pooled/leak_check.txt").exists()

    site_file.write_text(site_file.read_text().replace("site_outputs: tables",
                                                       "site_outputs: full"))
    plan = run_snakemake(workdir, "-n", "--configfile", "consortium.yaml")
    assert plan.returncode == 0, plan.stderr[-4000:]
    stats = plan.stdout + plan.stderr
    for rule in ("figures", "report", "leak_check"):  # one job per site in the job stats
        assert re.search(rf"^{rule}\s+2$", stats, re.MULTILINE), (rule, stats[-3000:])
