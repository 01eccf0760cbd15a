"""Speed, measured: prints the figures and appends them to benchmarks/results/benchmarks.csv.

Scenarios (each in a fresh copy of the repository, `python -m snakemake --cores 2`):
  demo end to end; a no-op rerun of it; 1, 10 and 50 copies of the demo site (n = 12 each);
  the 50 with config `site_outputs: tables` (a consortium run: each site's tables and the
  pooled report); one site added to a finished 10-site run (`add_site`: what it reruns, and
  its time against one site's jobs plus the pooled jobs); one generated site of n = 5000
  (questionnaires only). For each: wall time,
  CPU seconds of the whole run and of the Snakemake process alone (its scheduler; Linux), peak
  memory of the largest process and the per-rule time from Snakemake's `benchmark:` files.
  Targets on a 2-core machine: demo < 30 s, no-op < 3 s, 50 sites < 300 s (checked for both
  50-site runs), n = 5000 < 60 s. A first row ("machine") times a fixed Python loop and the
  import of pandas, scipy.stats and matplotlib: shared VMs differ by a factor of two to three
  between days.

Usage: python benchmarks/benchmark.py [--quick] [--only SCENARIO ...] [--repeat N]
  (--repeat N runs each scenario N times, each in a fresh copy, and adds a row
  "<scenario>_median" whose verdict is the one against the target: on a shared VM one run can
  be half again as slow as the next, so the median of three is the figure to quote)
  (--quick skips the two 50-site scenarios; --only runs the named ones: demo sites_1 sites_10
  sites_50 sites_50_tables add_site n_5000, or sites_10_png, sites_50_png: the same sites with
  config `figures: {formats: [png]}`, and sites_10_tables: with config `site_outputs: tables`,
  which only --only runs; sites_50_arms_tables and sites_3_arms_tables: 50 (3) generated
  controlled sites of 12 intervention + 12 waitlist parents with `site_outputs: tables`: the
  controlled analysis per site and the pooled one- and two-stage between-arm models)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic_sites import arm_sites, copy_demo_sites, large_site, write_config  # noqa: E402

IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "results", "processed", "secure", "logs", ".snakemake", "__pycache__",
    ".pytest_cache", ".hypothesis", "*.egg-info", "benchmarks",
)
TARGETS = {"demo": 30, "noop": 3, "sites_50": 300, "sites_50_tables": 300,
           "sites_50_arms_tables": 300, "n_5000": 60}
#: add_site: no other site's job may rerun (checked; printed as the verdict)


def fresh_copy(root: Path) -> Path:
    target = root / "repo"
    shutil.copytree(REPO, target, ignore=IGNORE)
    return target


def _own_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of one process itself, without its children (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def snakemake(workdir: Path, *args: str) -> dict[str, float | str]:
    """Run Snakemake; return its wall seconds, the CPU seconds of it and all its jobs, the CPU
    seconds of the Snakemake process alone (its scheduler and bookkeeping; Linux only) and the
    peak RSS (MiB) of the largest process."""
    start = time.perf_counter()
    with open(workdir / "snakemake.stderr", "w") as stderr:
        process = subprocess.Popen(
            # a failed job's log (e.g. the leak check's list of hits) goes into the message below
            [sys.executable, "-m", "snakemake", "--cores", "2", "--show-failed-logs", *args],
            cwd=workdir, stdout=subprocess.DEVNULL, stderr=stderr,
        )
        own: list[float | None] = [None]
        reaped = threading.Event()

        def sample() -> None:  # keeps the last reading before the process is reaped
            while not reaped.is_set():
                reading = _own_cpu_seconds(process.pid)
                if reading is not None:
                    own[0] = reading
                reaped.wait(0.2)

        # the sampler only reads /proc; the one wait (with the run's rusage) is below
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        reaped.set()
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        tail = (workdir / "snakemake.stderr").read_text(errors="replace")[-6000:]
        sys.exit(f"snakemake failed in {workdir}:\n{tail}")
    return {
        "seconds": round(wall, 2),
        # the machine's 1-minute load average at the end: on a shared machine wall time is
        # noisy, CPU seconds much less so
        "load_avg": round(os.getloadavg()[0], 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "snakemake_cpu_s": "" if own[0] is None else round(own[0], 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def per_rule_seconds(workdir: Path) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for tsv in (workdir / "logs/benchmarks").rglob("*.tsv"):
        frame = pd.read_csv(tsv, sep="\t")
        totals[tsv.stem] += float(frame["s"].iloc[-1])
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def scenario(name: str, prepare) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = fresh_copy(Path(tmp))
        if name == "add_site":
            return add_site(workdir)
        args = prepare(workdir)
        row = {"scenario": name, **snakemake(workdir, *args)}
        rules = per_rule_seconds(workdir)
        row["per_rule"] = "; ".join(f"{k}={v:.1f}" for k, v in rules.items())
        if name == "demo":
            noop = snakemake(workdir)
            return [row, {"scenario": "noop", **noop, "peak_rss_mib": "", "per_rule": ""}]
        return [row]


def add_site(workdir: Path) -> list[dict]:
    """A finished 10-site run gains an 11th site: the jobs it reruns (only the new site's and
    the pooled ones, by the narrow params) and its time, beside the 1-site baseline of the same
    copy (one site's jobs) and the pooled jobs' own seconds from their benchmark files."""
    sites = copy_demo_sites(workdir, 10)
    config = write_config(workdir, sites, "sites10")
    base = ["--configfile", config.name, "--replace-workflow-config"]
    snakemake(workdir, *base)
    before = {tsv: tsv.stat().st_mtime for tsv in (workdir / "logs/benchmarks").rglob("*.tsv")}
    config = write_config(workdir, copy_demo_sites(workdir, 11), "sites11")
    row = {"scenario": "add_site",
           **snakemake(workdir, "--configfile", config.name, "--replace-workflow-config")}
    rerun = sorted(
        f"{tsv.parent.name}/{tsv.stem}" for tsv in (workdir / "logs/benchmarks").rglob("*.tsv")
        if before.get(tsv) != tsv.stat().st_mtime
    )
    others = [job for job in rerun if not job.startswith(("bench011/", "pooled/"))]
    new_site = sum(float(pd.read_csv(workdir / "logs/benchmarks" / f"{job}.tsv", sep="\t")["s"]
                       .iloc[-1]) for job in rerun if job.startswith("bench011/"))
    pooled = sum(float(pd.read_csv(workdir / "logs/benchmarks" / f"{job}.tsv", sep="\t")["s"]
                     .iloc[-1]) for job in rerun if job.startswith("pooled/"))
    row["per_rule"] = (f"jobs rerun {len(rerun)}; of other sites {len(others)}; new site's jobs "
                       f"{new_site:.1f} s; pooled jobs {pooled:.1f} s")
    row["verdict_note"] = "ok" if not others else f"reran other sites' jobs: {others[:5]}"
    return [row]


def machine_speed() -> dict:
    """How fast this machine is today, so that rows from different days can be compared: the
    seconds of a fixed pure-Python loop and of importing the job floor (pandas, scipy.stats,
    matplotlib) in a fresh interpreter, the two things every job of the workflow pays."""
    loop = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); "
         "sum(i * i for i in range(5_000_000)); print(time.perf_counter() - t)"],
        capture_output=True, text=True, check=True,
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pandas, scipy.stats, matplotlib.pyplot"],
                   check=True)
    imports = time.perf_counter() - start
    return {"scenario": "machine", "seconds": round(float(loop.stdout), 2), "peak_rss_mib": "",
            "per_rule": f"python loop 5e6={float(loop.stdout):.2f}; imports={imports:.2f}"}


def median_row(label: str, runs: list[dict]) -> dict:
    """One row for repeated runs of a scenario: the median wall and CPU seconds, the range in
    ``per_rule``, and the verdict of the median against the scenario's target (tested in
    tests/test_benchmark_history.py).
    """
    seconds = sorted(float(run["seconds"]) for run in runs)
    cpu = sorted(float(run["cpu_s"]) for run in runs if run.get("cpu_s") not in (None, ""))
    wall = statistics.median(seconds)
    target = TARGETS.get(label)
    verdict = "" if target is None else ("ok" if wall < target else f"over target {target} s")
    return {"scenario": f"{label}_median", "seconds": round(wall, 2),
            "cpu_s": round(statistics.median(cpu), 1) if cpu else "", "peak_rss_mib": "",
            "snakemake_cpu_s": "", "target_s": target or "", "verdict": verdict,
            "per_rule": f"{len(runs)} runs: {seconds[0]:.2f}-{seconds[-1]:.2f} s"}


COLUMNS = ["when", "commit", "scenario", "seconds", "cpu_s", "snakemake_cpu_s", "peak_rss_mib",
           "target_s", "verdict", "per_rule", "load_avg"]


def append_rows(out: Path, rows: list[dict]) -> None:
    """Append rows to the history CSV; a file written before a column existed is rewritten once
    with the current columns (the old rows keep their values, new columns left empty)."""
    if out.exists():
        with out.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != COLUMNS:
                rows = [*reader, *rows]
                out.unlink()
    new = not out.exists()
    with out.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="", extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 50-site scenarios")
    parser.add_argument("--only", nargs="+", metavar="SCENARIO",
                        choices=["demo", "sites_1", "sites_10", "sites_50", "n_5000",
                                 "sites_10_png", "sites_50_png", "sites_10_tables",
                                 "sites_50_tables", "add_site", "sites_50_arms_tables",
                                 "sites_3_arms_tables"],
                        help="run only these scenarios (demo includes the no-op rerun)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each scenario N times and judge the median against its target")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be 1 or more, not {args.repeat}")

    def sites(count, **overrides):
        def prepare(workdir):
            config = write_config(workdir, copy_demo_sites(workdir, count), f"sites{count}",
                                  **overrides)
            return ["--configfile", config.name, "--replace-workflow-config"]
        return prepare

    def controlled(count):
        def prepare(workdir):
            config = write_config(workdir, arm_sites(workdir, count), f"arms{count}",
                                  site_outputs="tables")
            return ["--configfile", config.name, "--replace-workflow-config"]
        return prepare

    def large(workdir):
        config = write_config(workdir, large_site(workdir, 5000), "n5000")
        return ["--configfile", config.name, "--replace-workflow-config"]

    plan = [("demo", lambda w: []), ("sites_1", sites(1)), ("sites_10", sites(10))]
    if not args.quick:
        plan += [("sites_50", sites(50)), ("sites_50_tables", sites(50, site_outputs="tables")),
                 ("sites_50_arms_tables", controlled(50))]
    plan += [("add_site", None), ("n_5000", large)]
    if args.only:
        everything = {"demo": ("demo", lambda w: []), "sites_1": ("sites_1", sites(1)),
                      "sites_10": ("sites_10", sites(10)), "sites_50": ("sites_50", sites(50)),
                      "n_5000": ("n_5000", large),
                      "sites_10_png": ("sites_10_png", sites(10, figures={"formats": ["png"]})),
                      "sites_50_png": ("sites_50_png", sites(50, figures={"formats": ["png"]})),
                      "sites_10_tables": ("sites_10_tables", sites(10, site_outputs="tables")),
                      "sites_50_tables": ("sites_50_tables", sites(50, site_outputs="tables")),
                      "add_site": ("add_site", None),
                      "sites_50_arms_tables": ("sites_50_arms_tables", controlled(50)),
                      "sites_3_arms_tables": ("sites_3_arms_tables", controlled(3))}
        plan = [everything[name] for name in args.only]
    rows = [machine_speed()]
    print(f"  machine: {rows[0]['per_rule']} (seconds; compare rows of similar machine speed)")
    for name, prepare in plan:
        runs: dict[str, list[dict]] = defaultdict(list)
        for _ in range(args.repeat):
            for row in scenario(name, prepare):
                target = TARGETS.get(row["scenario"])
                verdict = row.pop("verdict_note", "") if target is None else (
                    "ok" if row["seconds"] < target else f"over target {target} s"
                )
                row["target_s"] = target or ""
                row["verdict"] = verdict
                print(f"{row['scenario']:>9}: {row['seconds']:8.2f} s  CPU {row['cpu_s']} s "
                      f"(Snakemake itself {row['snakemake_cpu_s']} s)  peak "
                      f"{row['peak_rss_mib']} MiB  load {row.get('load_avg', '')}  {verdict}")
                if row["per_rule"]:
                    print(f"{'':>11}{row['per_rule']}")
                rows.append(row)
                runs[row["scenario"]].append(row)
        if args.repeat > 1:
            for label, done in runs.items():
                summary = median_row(label, done)
                rows.append(summary)
                print(f"{summary['scenario']:>9}: {summary['seconds']:8.2f} s  CPU "
                      f"{summary['cpu_s']} s  {summary['per_rule']}  {summary['verdict']}")
    out = HERE / "results" / "benchmarks.csv"
    out.parent.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    append_rows(out, [{"when": stamp, "commit": commit, **row} for row in rows])
    print(f"written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
