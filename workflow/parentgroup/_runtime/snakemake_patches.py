"""Two workarounds for overheads of Snakemake 9 itself, measured by benchmarks/benchmark.py.

Both leave what Snakemake decides unchanged and only save its own time. Both reach into private
parts of Snakemake, so each applies only to the Snakemake versions it was tested with
(:data:`TESTED_SNAKEMAKE`); on any other version it does nothing and says so once on stderr
(then the overhead simply comes back). The workflow applies them from
``workflow/rules/common.smk``; no stage imports this module. Why and how much:
benchmarks/README.md, "Snakemake's own scheduling" and "Process start-up and imports".

Upstream:

- the per-second scheduling rounds come with the job rate limiter's default (100 jobs per 1 s,
  snakemake/snakemake#3043 and #3067, "fix issues with misinterpretation of
  max-jobs-per-timespan"); no upstream issue covers the extra rounds yet;
- the pandas import for the params comparison: snakemake/snakemake#2300 (serializer chosen by
  pandas availability) and snakemake/snakemake#4220 ("dry-run spends most wall-clock on ...
  eager module imports").
"""

from __future__ import annotations

import sys

#: The Snakemake versions both patches were tested with (tests/test_snakemake_patches.py). A new
#: version is added here only after those tests pass with it.
TESTED_SNAKEMAKE = frozenset({"9.27.1"})
_WARNED: set[str] = set()


def tested_snakemake(patch: str) -> bool:
    """True when the installed Snakemake is one the patches were tested with; otherwise the
    patch named ``patch`` is skipped with one line on stderr."""
    try:
        from snakemake import __version__ as version
    except ImportError:  # pragma: no cover - not inside a Snakemake installation
        return False
    if version in TESTED_SNAKEMAKE:
        return True
    if patch not in _WARNED:
        _WARNED.add(patch)
        print(f"parentgroup: Snakemake {version} is not among the versions the workaround "
              f"{patch!r} was tested with ({', '.join(sorted(TESTED_SNAKEMAKE))}); it is not "
              "applied (results are the same, the run may be slower)", file=sys.stderr)
    return False

#: Snakemake's command-line default of ``--max-jobs-per-timespan``: 100 jobs per second.
DEFAULT_JOB_RATE = (100, 1)


def lift_local_job_rate_limit(workflow) -> bool:
    """Run local jobs without Snakemake's submission rate limit; True if it was lifted.

    ``--max-jobs-per-timespan`` (default 100/1s) protects a cluster's controller from bursts of
    submissions. Locally the cores already bound the running jobs, and in Snakemake 9.27 every
    scheduling round that leaves jobs waiting arms a one-second timer that starts one more
    round, each stat-ing every input of every waiting job: 17 855 rounds for 115 jobs at ten
    sites, and 914 of a 50-site run's 3174 CPU-seconds. Called when the run starts (``onstart``),
    once the scheduler exists. A limit other than the default, and any remote executor, is left
    alone.
    """
    if not tested_snakemake("lift_local_job_rate_limit"):
        return False
    scheduler = getattr(workflow, "scheduler", None)
    limiter = getattr(scheduler, "job_rate_limiter", None)
    if limiter is None or not getattr(workflow, "local_exec", False):
        return False
    if (getattr(limiter, "max_jobs", None), getattr(limiter, "timespan", None)) != DEFAULT_JOB_RATE:
        return False
    scheduler.job_rate_limiter = None
    return True


def compare_params_without_importing_pandas() -> bool:
    """Let Snakemake compare a job's params with the recorded ones without importing pandas
    when nothing has imported it; True if the comparison was wrapped (or already is).

    To decide whether params changed (``--rerun-triggers params``), Snakemake 9 serialises each
    param with a function that first imports pandas (to hash DataFrames), whenever pandas is
    installed: 0.8 s of a 3 s no-op run. A pandas object can only exist once pandas has been
    imported, so until then the plain serialisation gives exactly the same text; after, the
    original function runs unchanged.
    """
    if not tested_snakemake("compare_params_without_importing_pandas"):
        return False
    try:
        import snakemake.persistence as persistence
    except ImportError:  # pragma: no cover - a Snakemake without this module
        return False
    # the class that holds the params comparison: PersistenceBase in 9.x, Persistence before
    owner = getattr(persistence, "PersistenceBase", None) or getattr(persistence, "Persistence",
                                                                     None)
    original = getattr(owner, "_serialize_param_pandas", None)
    builtin = getattr(owner, "_serialize_param_builtin", None)
    if original is None or builtin is None:
        return False
    if getattr(original, "imports_pandas_lazily", False):
        return True

    def serialize(self, value):
        if "pandas" in sys.modules:
            return original(self, value)
        return builtin(self, value)

    serialize.imports_pandas_lazily = True
    serialize.__wrapped__ = original
    owner._serialize_param_pandas = serialize
    return True
