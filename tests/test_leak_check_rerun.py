"""A failing leak check in a real run: the flagged files leave results/ for the site's secure
folder, and the next run (here its dry run) rebuilds them and checks again."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import run_snakemake

pytestmark = pytest.mark.e2e


def test_flagged_files_are_quarantined_and_planned_again(finished_demo):
    workdir = finished_demo
    name = pd.read_csv(workdir / "data/raw/demo/roster.csv", dtype=str)["child_name"].iloc[0]
    report = workdir / "results/demo/report.html"
    report.write_text(report.read_text(encoding="utf-8") + f"<!-- {name} -->\n",
                      encoding="utf-8")
    svg = workdir / "results/demo/figures/attendance.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", f"<desc>{name}</desc></svg>"),
                   encoding="utf-8")
    failed = run_snakemake(workdir, "--cores", "1", "results/demo/leak_check.txt")
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "MOVED: results/demo/figures/" in output and "MOVED: results/demo/report.html" in output
    assert name.split()[0] not in output
    quarantine = workdir / "data/secure/demo/quarantine/results/demo"
    assert not report.exists() and not svg.parent.exists()
    assert (quarantine / "report.html").is_file()
    assert (quarantine / "figures/attendance.svg").is_file()
    assert (workdir / "results/demo/paired_tests.csv").is_file()  # unflagged files stay
    plan = run_snakemake(workdir, "-n", "results/demo/leak_check.txt")
    assert plan.returncode == 0, plan.stderr[-3000:]
    stats = plan.stdout + plan.stderr
    for rule in ("figures", "report", "leak_check"):
        assert re.search(rf"^{rule}\s+1$", stats, re.MULTILINE), (rule, stats[-3000:])
