"""Narrow params, measured by Snakemake itself: a change reruns only the jobs that use it, a new
site reruns none of the other sites' jobs, and no name reaches Snakemake's own records or the
console when params change."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml
from conftest import run_snakemake

pytestmark = pytest.mark.e2e

POOLED_RULES = {"pool", "pooled_figures", "pooled_report", "pooled_leak_check", "all"}


def planned_jobs(output: str) -> list[tuple[str, str]]:
    """(rule, site) of every job a dry run plans (site "" for jobs without the wildcard)."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", "\n" + output):
        match = re.match(r"(?:local)?rule (\w+):", block.strip())
        if match:
            site = re.search(r"wildcards: .*?site=([\w-]+)", block)
            jobs.append((match.group(1), site.group(1) if site else ""))
    return jobs


@pytest.fixture(scope="module")
def finished(demo_run, tmp_path_factory):
    """A copy of the finished demo run (outputs, metadata and all) that tests may change."""
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    copy = tmp_path_factory.mktemp("reruns") / "repo"
    shutil.copytree(workdir, copy, symlinks=True)
    return copy


def test_the_parser_sees_every_job_of_a_fresh_run(demo_run, tmp_path):
    workdir, _ = demo_run
    fresh = run_snakemake(workdir, "-n", "--forceall")
    jobs = planned_jobs(fresh.stdout)
    assert ("validate", "demo") in jobs and ("report", "demo") in jobs and ("all", "") in jobs
    assert len(jobs) == 14  # with the five rules of the parents' journey (issue 20)


def test_a_report_title_edit_reruns_only_the_report(finished):
    result = run_snakemake(finished, "-n", "--config", "report={'title': 'Another title'}")
    assert result.returncode == 0, result.stderr[-3000:]
    rules = {rule for rule, _ in planned_jobs(result.stdout)}
    # the leak check reruns because it must scan the new report
    assert rules == {"report", "leak_check", "all"}, result.stdout[-3000:]


def test_an_analysis_setting_reruns_analysis_and_what_shows_it(finished):
    result = run_snakemake(finished, "-n", "--config", "analysis={'p_adjust': 'bonferroni'}")
    rules = {rule for rule, _ in planned_jobs(result.stdout)}
    assert {"validate", "anonymise", "score"}.isdisjoint(rules), rules
    assert "analyse" in rules


def test_a_second_site_reruns_none_of_the_first_sites_jobs(finished):
    shutil.copytree(finished / "data/raw/demo", finished / "data/raw/second")
    (finished / "second.yaml").write_text(yaml.safe_dump(
        {"sites": {"second": {"data_dir": "data/raw/second", "synthetic": True}}}),
        encoding="utf-8")
    result = run_snakemake(finished, "-n", "--configfile", "second.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = planned_jobs(result.stdout)
    assert not [job for job in jobs if job[1] == "demo"], result.stdout[-4000:]
    assert {rule for rule, site in jobs if site == ""} <= POOLED_RULES
    assert ("report", "second") in jobs


def test_no_name_reaches_snakemakes_records_or_the_console_after_a_params_change(finished):
    """The leak check's own scanner (word edges, every name variant, phone and date digit
    forms) over Snakemake's console output and every file of .snakemake/ after a run in which
    params changed."""
    from parentgroup.inputs.csv_files import read_csv_text
    from parentgroup.inputs.identifiers import read_identifiers
    from parentgroup.leak_check.scan import build_needles, scan_paths

    result = run_snakemake(finished, "--cores", "2", "--config",
                           "report={'title': 'A new title'}", "analysis={'p_adjust': 'none'}")
    assert result.returncode == 0, result.stderr[-3000:]
    console = result.stdout + result.stderr
    assert "analyse" in console and "report" in console
    (finished / "console.txt").write_text(console, encoding="utf-8")
    config = yaml.safe_load((finished / "config.yaml").read_text(encoding="utf-8"))
    identifiers, _ = read_identifiers(finished / "data/raw/demo/identifiers.yaml")
    needles = build_needles(read_csv_text(finished / "data/raw/demo/roster.csv"), identifiers,
                            config["roster"]["direct_identifiers"], None)
    hits = scan_paths([finished / "console.txt", finished / ".snakemake"], needles,
                      base=finished)
    assert [hit.safe_line() for hit in hits] == []


def test_an_edit_of_the_baseline_instrument_reruns_the_jobs_that_read_the_form(finished):
    """The baseline form's instrument file (config journey.baseline_instrument) is a tracked
    input: editing its items reruns the jobs that read the form, not nothing."""
    path = finished / "workflow" / "instruments" / "baseline_child.yaml"
    original, stat = path.read_text(encoding="utf-8"), path.stat()
    try:
        path.write_text(original + "\n# an edited item wording\n", encoding="utf-8")
        result = run_snakemake(finished, "-n")
        assert result.returncode == 0, result.stderr[-3000:]
        jobs = planned_jobs(result.stdout)
        assert ("journey_anonymise", "demo") in jobs and ("validate", "demo") in jobs, \
            result.stdout[-3000:]
    finally:
        path.write_text(original, encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
