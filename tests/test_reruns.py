"""Narrow params, measured by Snakemake itself: a change reruns only the jobs that use it, a new
site reruns none of the other sites' jobs, and no name reaches Snakemake's own records or the
console when params change."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml
from conftest import copy_finished_run, run_snakemake

pytestmark = pytest.mark.e2e

POOLED_RULES = {"pool", "multilevel", "pooled_figures", "pooled_report", "pooled_leak_check",
                "all"}


def planned_jobs(output: str) -> list[tuple[str, str]]:
    """(rule, site) of every job a dry run plans (site "" for jobs without the wildcard)."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", "\n" + output):
        match = re.match(r"(?:local)?rule (\w+):", block.strip())
        if match:
            site = re.search(r"wildcards: .*?site=([\w-]+)", block)
            jobs.append((match.group(1), site.group(1) if site else ""))
    return jobs


def planned_threads(workdir, rule: str, cores: str) -> int:
    """The threads a dry run at ``cores`` gives the site's ``rule`` job (forced to run)."""
    result = run_snakemake(workdir, "-n", "--cores", cores, "--forcerun", rule)
    assert result.returncode == 0, result.stderr[-3000:]
    block = next(b for b in re.split(r"\n(?=(?:local)?rule \w+:)", "\n" + result.stdout)
                 if re.match(rf"\s*(?:local)?rule {rule}:", b))
    threads = re.search(r"threads: (\d+)", block)
    return int(threads.group(1)) if threads else 1  # Snakemake omits a single thread


@pytest.fixture(scope="module")
def finished(demo_run, tmp_path_factory):
    """A copy of the finished demo run (outputs, metadata and all) that tests may change."""
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    return copy_finished_run(workdir, tmp_path_factory.mktemp("reruns") / "repo")


def test_the_parser_sees_every_job_of_a_fresh_run(demo_run, tmp_path):
    workdir, _ = demo_run
    fresh = run_snakemake(workdir, "-n", "--forceall")
    jobs = planned_jobs(fresh.stdout)
    assert ("validate", "demo") in jobs and ("report", "demo") in jobs and ("all", "") in jobs
    # eight stages and the `all` target (the report job draws the PDF too, where Pango is
    # installed), the two rules of the parents' journey (issue 20: its tables are pseudonymised
    # by the anonymise job and analysed by the analyse job, its figure drawn by the figures job)
    # and the Word tables
    assert len(jobs) == 12


def test_a_report_title_edit_reruns_only_the_report(finished):
    result = run_snakemake(finished, "-n", "--config", "report={'title': 'Another title'}")
    assert result.returncode == 0, result.stderr[-3000:]
    rules = {rule for rule, _ in planned_jobs(result.stdout)}
    # the report in its three formats (HTML and PDF by one job), and the leak check because it
    # must scan them
    assert rules == {"report", "manuscript_tables", "leak_check", "all"}, result.stdout[-3000:]


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


#: a surname no output would otherwise contain, added to the anonymisation allow list
MARKER = "Quillfeather"
#: report and analysis settings changed on the command line
NEW_SETTINGS = ("--config", "report={'title': 'A new title'}", "analysis={'p_adjust': 'none'}")


@pytest.fixture(scope="module")
def params_changed(finished):
    """One rerun after params changed, read by the two tests below (a run for each would repeat
    the same jobs): a new report title and p-value adjustment on the command line, and an
    allow-list entry added to config.yaml; the dry run before it, with the same settings."""
    config = yaml.safe_load((finished / "config.yaml").read_text(encoding="utf-8"))
    allow = [*config["anonymisation"]["allow_list"], MARKER]
    config["anonymisation"]["allow_list"] = allow
    (finished / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False),
                                          encoding="utf-8")
    dry = run_snakemake(finished, "-n", *NEW_SETTINGS)
    assert dry.returncode == 0, dry.stderr[-3000:]
    result = run_snakemake(finished, "--cores", "2", *NEW_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    return dry, result, allow


def test_no_name_reaches_snakemakes_records_or_the_console_after_a_params_change(
        finished, params_changed):
    """The leak check's own scanner (word edges, every name variant, phone and date digit
    forms) over Snakemake's console output and every file of .snakemake/ after a run in which
    params changed."""
    from parentgroup.inputs.csv_files import read_csv_text
    from parentgroup.inputs.identifiers import read_identifiers
    from parentgroup.leak_check.needles import build_needles
    from parentgroup.leak_check.scanning import scan_paths

    _, result, _ = params_changed
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


def test_allow_list_entries_are_withheld_everywhere_and_still_rerun_anonymise(
        finished, params_changed):
    """An allow-list entry (a site may have to list a surname there) reaches neither Snakemake's
    records, the console, config_used.yaml, the report nor the notebook; changing the list
    still reruns the anonymise job (its params carry a digest)."""
    dry, result, allow = params_changed
    assert ("anonymise", "demo") in planned_jobs(dry.stdout)
    places = [finished / ".snakemake", finished / "results", finished / "logs",
              finished / "data" / "processed"]
    found = [str(path.relative_to(finished)) for place in places for path in place.rglob("*")
             if path.is_file() and MARKER.encode() in path.read_bytes()]
    assert found == []
    assert MARKER not in dry.stdout + dry.stderr + result.stdout + result.stderr
    dumped = (finished / "results/demo/report/config_used.yaml").read_text(encoding="utf-8")
    assert f"withheld: {len(allow)} entries" in dumped


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
        assert ("anonymise", "demo") in jobs and ("validate", "demo") in jobs, \
            result.stdout[-3000:]
    finally:
        path.write_text(original, encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_the_report_job_draws_the_pdf_unless_it_is_switched_off(finished, tmp_path):
    """The PDF is an output of the report job (no job of its own): config report.pdf: false
    leaves it out of that job's outputs and of the run."""
    from parentgroup.outputs import pdf_support

    def report_outputs(*args: str) -> str:
        result = run_snakemake(finished, "-n", "--forcerun", "report", *args)
        assert result.returncode == 0, result.stderr[-3000:]
        block = next(b for b in re.split(r"\n(?=(?:local)?rule \w+:)", "\n" + result.stdout)
                     if re.match(r"\s*(?:local)?rule report:", b))
        return re.search(r"output: (.*)", block).group(1)

    assert ("results/demo/report.pdf" in report_outputs()) == pdf_support()[0]
    # a second config file is merged into config.yaml key by key (the title and the rest stay)
    no_pdf = tmp_path / "no_pdf.yaml"
    no_pdf.write_text("report:\n  pdf: false\n", encoding="utf-8")
    assert "report.pdf" not in report_outputs("--configfile", "config.yaml", str(no_pdf))


def test_the_figures_job_takes_a_second_core_only_when_a_third_is_free(finished):
    """On two cores the figures job draws alone (asking for both, it waited for the family
    sheets to free one); with three or more it draws with two workers. The same files either
    way, and the thread count is no rerun trigger."""

    assert planned_threads(finished, "figures", "2") == 1
    assert planned_threads(finished, "figures", "4") == 2
    # what a run would redo does not depend on the cores (other tests here may have left work)
    assert (planned_jobs(run_snakemake(finished, "-n", "--cores", "4").stdout)
            == planned_jobs(run_snakemake(finished, "-n", "--cores", "2").stdout))


def test_a_site_of_many_parents_draws_its_family_sheets_with_more_workers(finished, tmp_path):
    """One family-sheets worker per 250 parents on the roster, up to --cores: the demo's 14
    keep one; a roster of 1000 parents takes four of eight cores, two of two."""

    assert planned_threads(finished, "family_sheets", "8") == 1
    large = copy_finished_run(finished, tmp_path / "large")
    roster = large / "data/raw/demo/roster.csv"
    header, first = roster.read_text(encoding="utf-8").splitlines()[:2]
    # only the number of lines counts for the thread count (nothing runs in a dry run)
    roster.write_text("\n".join([header] + [first] * 1000) + "\n", encoding="utf-8")
    assert planned_threads(large, "family_sheets", "8") == 4
    assert planned_threads(large, "family_sheets", "2") == 2
