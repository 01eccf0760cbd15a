"""The ``make report`` route: every caption renders for the outputs it is attached to (a pooled
output has no ``{site}`` wildcard), ``make report ARGS="--configfile ..."`` includes a site added
with a config file and leak-checks against it, and a failed ``make report`` leaves no earlier
verdict beside a missing report."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import docutils.core
import jinja2
import pytest
import yaml
from conftest import run_snakemake

from parentgroup.config import validate_config

REPO = Path(__file__).resolve().parents[1]
_REPORT_CALL = re.compile(
    r'report\(\s*(?:directory\()?"(?P<path>[^"]+)"\)?,(?P<body>.*?)caption="(?P<caption>[^"]+)"',
    re.S,
)
_WILDCARD = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
VALUES = {"site": "demo", "name": "attendance"}


def _report_outputs() -> list[tuple[str, str, set[str]]]:
    """(rule file, caption, wildcards of the output) of every output marked for the report."""
    found = []
    for rules in sorted((REPO / "workflow/rules").glob("*.smk")):
        for call in _REPORT_CALL.finditer(rules.read_text(encoding="utf-8")):
            wildcards = set(_WILDCARD.findall(call["path"] + call["body"]))
            found.append((rules.name, call["caption"], wildcards))
    return found


def _two_site_config() -> dict:
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    config["sites"]["second"] = {**copy.deepcopy(config["sites"]["demo"]), "synthetic": False,
                                 "data_dir": "data/raw/second"}
    return validate_config(config)


def test_every_output_for_the_report_is_found():
    outputs = _report_outputs()
    assert ("pooled.smk", "../report/pooled_report.rst", set()) in outputs
    assert ("report.smk", "../report/report.rst", {"site"}) in outputs
    assert len(outputs) == len(re.findall(r"\breport\(", "".join(
        p.read_text(encoding="utf-8") for p in (REPO / "workflow/rules").glob("*.smk"))))


@pytest.mark.parametrize(("rules", "caption", "wildcards"), _report_outputs(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_each_caption_renders_with_the_wildcards_of_its_output(rules, caption, wildcards):
    """As ``snakemake --report`` renders it (the same Jinja settings): only the wildcards the
    output has. The pooled report reused the site report's caption, which reads the {site}
    wildcard: ``make report`` failed with two sites (UndefinedError)."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    snakemake = types.SimpleNamespace(
        config=_two_site_config(), params=types.SimpleNamespace(),
        wildcards=types.SimpleNamespace(**{w: VALUES[w] for w in wildcards}))
    path = REPO / "workflow/rules" / caption
    text = env.from_string(path.read_text(encoding="utf-8")).render(snakemake=snakemake)
    body = docutils.core.publish_parts(text, writer="html", settings_overrides={
        "report_level": 1, "halt_level": 5})["body"]
    assert "system-message" not in body and "problematic" not in body, body
    if caption.endswith(("pooled_report.rst", "/report.rst")):
        assert "Synthetic demo data" in body  # the demo site is synthetic


def test_a_failed_make_report_leaves_no_earlier_report_or_verdict(tmp_path):
    """snakemake --report fails (here a stand-in that exits 1): the report and the "hits: 0"
    summary of an earlier run must not stay, as if this run had passed."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "snakemake").write_text("#!/bin/sh\necho 'report failed' >&2\nexit 1\n")
    (fake / "snakemake").chmod(0o755)
    results = tmp_path / "results"
    results.mkdir()
    for name in ("workflow-report.html", "workflow-report.leak_check.txt",
                 "workflow-report.unchecked.html"):
        (results / name).write_text("hits: 0\n", encoding="utf-8")
    made = subprocess.run(["make", "-f", str(REPO / "Makefile"), "report", f"BIN={fake}",
                           "STAMP="], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert made.returncode != 0
    assert sorted(p.name for p in results.iterdir()) == []


@pytest.mark.e2e
def test_make_report_with_two_sites_and_a_site_from_a_config_file(finished_demo):
    """The bring-your-own-data route: a second site in its own config file (tables only, the
    cheapest run that still builds the pooled report). ``make report ARGS="--configfile ..."``
    builds the workflow report with the pooled report in it and checks it against both sites'
    rosters."""
    workdir = finished_demo
    shutil.copytree(workdir / "data/raw/demo", workdir / "data/raw/second")
    (workdir / "second.yaml").write_text(yaml.safe_dump(
        {"sites": {"second": {"data_dir": "data/raw/second", "synthetic": True}},
         "site_outputs": "tables"}), encoding="utf-8")
    run = run_snakemake(workdir, "--cores", "2", "--configfile", "second.yaml")
    assert run.returncode == 0, run.stderr[-3000:]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("SNAKEMAKE_PROFILE", None)
    bin_dir = Path(sys.executable).parent  # the environment running the tests
    made = subprocess.run(["make", "report", f"BIN={bin_dir}", "STAMP=",
                           "ARGS=--configfile second.yaml"], cwd=workdir, capture_output=True,
                          text=True, timeout=900, env=env)
    assert made.returncode == 0, (made.stdout + made.stderr)[-4000:]
    report = (workdir / "results/workflow-report.html").read_text(encoding="utf-8")
    assert "pooled" in report
    summary = (workdir / "results/workflow-report.leak_check.txt").read_text(encoding="utf-8")
    rows = len((workdir / "data/raw/demo/roster.csv").read_text(encoding="utf-8")
               .strip().splitlines()) - 1
    assert "hits: 0" in summary and f"from {2 * rows} roster rows" in summary, summary
