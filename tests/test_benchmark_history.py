"""The benchmark's history CSV keeps old rows when its columns grow (benchmarks/benchmark.py)."""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def benchmark():
    spec = importlib.util.spec_from_file_location("benchmark", REPO / "benchmarks/benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return module


def read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def test_new_history_gets_the_header_once(benchmark, tmp_path):
    out = tmp_path / "benchmarks.csv"
    benchmark.append_rows(out, [{"scenario": "demo", "seconds": 31.5, "cpu_s": 40.1}])
    benchmark.append_rows(out, [{"scenario": "noop", "seconds": 2.9}])
    header, rows = read(out)
    assert header == benchmark.COLUMNS
    assert [r["scenario"] for r in rows] == ["demo", "noop"]
    assert rows[0]["cpu_s"] == "40.1" and rows[1]["cpu_s"] == ""


def test_history_from_before_a_new_column_keeps_its_rows(benchmark, tmp_path):
    out = tmp_path / "benchmarks.csv"
    old = ["when", "commit", "scenario", "seconds", "peak_rss_mib", "target_s", "verdict",
           "per_rule"]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=old)
        writer.writeheader()
        writer.writerow({"when": "2026-11-23", "commit": "abc1234", "scenario": "sites_10",
                         "seconds": "92.0", "peak_rss_mib": "241", "target_s": "",
                         "verdict": "", "per_rule": "figures=10.0"})
    benchmark.append_rows(out, [{"scenario": "sites_10", "seconds": 259.3,
                                 "snakemake_cpu_s": 62.4}])
    header, rows = read(out)
    assert header == benchmark.COLUMNS
    assert [r["seconds"] for r in rows] == ["92.0", "259.3"]
    assert rows[0]["per_rule"] == "figures=10.0" and rows[0]["snakemake_cpu_s"] == ""
    assert rows[1]["snakemake_cpu_s"] == "62.4"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc only")
def test_own_cpu_seconds_reads_this_process(benchmark):
    sum(i * i for i in range(200_000))
    seconds = benchmark._own_cpu_seconds(os.getpid())
    assert seconds is not None and 0 < seconds < 3600
    assert benchmark._own_cpu_seconds(2**22 + 12345) is None  # no such process


def test_repeated_runs_are_judged_by_their_median(benchmark):
    """--repeat N: one slow run on a shared VM does not decide the verdict; the median does."""
    runs = [{"seconds": 24.0, "cpu_s": 30.1}, {"seconds": 21.5, "cpu_s": 28.0},
            {"seconds": 33.9, "cpu_s": 41.0}]
    row = benchmark.median_row("demo", runs)
    assert (row["seconds"], row["cpu_s"], row["verdict"]) == (24.0, 30.1, "ok")
    assert row["per_rule"] == "3 runs: 21.50-33.90 s"
    slow = benchmark.median_row("demo", [*runs, {"seconds": 35.0, "cpu_s": 44.0},
                                         {"seconds": 31.0, "cpu_s": 39.0}])
    assert slow["seconds"] == 31.0 and slow["verdict"] == "over target 30 s"
    assert benchmark.median_row("add_site", runs)["verdict"] == ""
