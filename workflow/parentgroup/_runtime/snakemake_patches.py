"""Two workarounds for overheads of Snakemake 9 itself, measured by benchmarks/benchmark.py.

Both leave what Snakemake decides unchanged and only save its own time; each does nothing when
the Snakemake internals it relies on have moved (then the overhead simply comes back). The
workflow applies them from ``workflow/rules/common.smk``. Why and how much: benchmarks/README.md,
"Snakemake's own scheduling" and "Process start-up and imports".
"""

from __future__ import annotations

import sys

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
