"""How much of a many-site run is Snakemake's own scheduling: prints the scheduling rounds, the
seconds the Snakemake process spent stat-ing the inputs of waiting jobs in them, and those input
paths counted by rule.

Usage: python benchmarks/scheduler_rounds.py [--sites N]   (default 10 copies of the demo site)

A diagnostic, not a benchmark row: it wraps one method of Snakemake's ``JobScheduler`` (9.x) to
count, and says so and stops if that method has moved. It found that in Snakemake 9.27 every
round that leaves jobs waiting arms a one-second timer (``--max-jobs-per-timespan`` defaults to
100/1s) that starts one more round, so rounds pile up with every finished job while jobs wait,
and that each round stats every input of every waiting job (benchmarks/README.md, "Snakemake's
own scheduling"). The workflow now lifts that limit for local runs
(``parentgroup._runtime.snakemake_patches``): ten sites take about a hundred rounds instead of
17 855.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchmark import fresh_copy  # noqa: E402
from synthetic_sites import copy_demo_sites, write_config  # noqa: E402

# Runs inside the Snakemake process: counts, then hands over to Snakemake's own command line.
COUNTING_SNAKEMAKE = r"""
import atexit, collections, json, sys, time
from snakemake.scheduling import job_scheduler
scheduler = job_scheduler.JobScheduler
if not hasattr(scheduler, "update_input_sizes"):
    sys.exit("scheduler_rounds: this Snakemake has no JobScheduler.update_input_sizes")
original = scheduler.update_input_sizes
counts = {"rounds": 0, "seconds": 0.0, "paths_by_rule": collections.Counter()}

async def counted(self, jobs):
    jobs = list(jobs)
    counts["rounds"] += 1
    for job in jobs:
        counts["paths_by_rule"][job.rule.name] += len(job.input)
    start = time.perf_counter()
    try:
        return await original(self, jobs)
    finally:
        counts["seconds"] += time.perf_counter() - start

scheduler.update_input_sizes = counted
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(counts)))
from snakemake.cli import main
sys.argv = ["snakemake", *sys.argv[2:]]
main()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10, help="copies of the demo site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = fresh_copy(Path(tmp))
        config = write_config(workdir, copy_demo_sites(workdir, args.sites),
                              f"sites{args.sites}")
        out = Path(tmp) / "rounds.json"
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", COUNTING_SNAKEMAKE, str(out), "--cores", "2",
             "--configfile", config.name, "--replace-workflow-config"],
            cwd=workdir, capture_output=True, text=True,
        )
        wall = time.perf_counter() - start
        if result.returncode != 0 or not out.exists():
            sys.exit(f"snakemake failed in {workdir}:\n{result.stderr[-3000:]}")
        counts = json.loads(out.read_text())
    paths = counts["paths_by_rule"]
    print(f"{args.sites} sites: {wall:.0f} s wall, {counts['rounds']} scheduling rounds, "
          f"{counts['seconds']:.1f} s in them stat-ing {sum(paths.values())} input paths of "
          "waiting jobs")
    for rule, count in sorted(paths.items(), key=lambda kv: -kv[1]):
        print(f"  {rule:>20}: {count}")


if __name__ == "__main__":
    main()
