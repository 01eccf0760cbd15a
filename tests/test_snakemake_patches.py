"""The two workarounds for Snakemake's own overheads (parentgroup._runtime.snakemake_patches) act
on the installed Snakemake's real classes and change nothing Snakemake decides."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest
from snakemake.scheduling.job_scheduler import JobRateLimiter
from snakemake.settings.types import MaxJobsPerTimespan

from parentgroup._runtime import snakemake_patches as overheads


def _workflow(limit: str | None, local: bool = True):
    limiter = JobRateLimiter(MaxJobsPerTimespan.parse_choice(limit)) if limit else None
    return SimpleNamespace(local_exec=local, scheduler=SimpleNamespace(job_rate_limiter=limiter))


def test_the_default_rate_limit_is_lifted_for_local_runs():
    workflow = _workflow("100/1s")  # Snakemake's command-line default
    assert overheads.lift_local_job_rate_limit(workflow)
    assert workflow.scheduler.job_rate_limiter is None


@pytest.mark.parametrize("limit, local", [("10/1s", True), ("100/2s", True), ("100/1s", False)])
def test_a_users_own_limit_or_a_cluster_run_keeps_the_rate_limit(limit, local):
    workflow = _workflow(limit, local)
    assert not overheads.lift_local_job_rate_limit(workflow)
    assert workflow.scheduler.job_rate_limiter is not None


def test_no_scheduler_or_no_limiter_is_left_alone():
    assert not overheads.lift_local_job_rate_limit(SimpleNamespace(local_exec=True))
    assert not overheads.lift_local_job_rate_limit(_workflow(None))


def _persistence():
    """Just enough of Snakemake's persistence object for its params serialisation."""
    from snakemake.persistence import PersistenceBase

    return type("Params", (), {
        "_serialize_param_builtin": PersistenceBase._serialize_param_builtin})()


def _serialise(value):
    from snakemake.persistence import PersistenceBase

    return PersistenceBase._serialize_param_pandas(_persistence(), value)


def test_params_serialise_as_before_once_pandas_is_imported():
    assert overheads.compare_params_without_importing_pandas()
    assert overheads.compare_params_without_importing_pandas()  # wrapping twice is a no-op
    from snakemake.persistence import PersistenceBase

    wrapped = PersistenceBase._serialize_param_pandas
    assert wrapped.imports_pandas_lazily
    assert not getattr(wrapped.__wrapped__, "imports_pandas_lazily", False)
    frame = pd.DataFrame({"a": [1, 2]})
    for value in [frame, frame["a"], {"site": "demo", "n": [1, 2]}, "text", None, object()]:
        assert _serialise(value) == wrapped.__wrapped__(_persistence(), value)
    assert _serialise(frame) != _serialise(pd.DataFrame({"a": [1, 3]}))


def test_params_serialise_without_importing_pandas_when_nothing_else_did():
    code = (
        "import sys\n"
        "from parentgroup._runtime.snakemake_patches import "
        "compare_params_without_importing_pandas\n"
        "from snakemake.persistence import PersistenceBase as P\n"
        "assert compare_params_without_importing_pandas()\n"
        "values = [{'site': 'demo', 'n': [1, 2]}, 'text', 3, None]\n"
        "self = type('Params', (), {'_serialize_param_builtin': P._serialize_param_builtin})()\n"
        "print([P._serialize_param_pandas(self, v) for v in values])\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    serialised, imported = result.stdout.splitlines()
    assert imported == "False"
    assert serialised == repr([repr({"site": "demo", "n": [1, 2]}), repr("text"), "3", "None"])


def test_an_untested_snakemake_version_gets_neither_patch(monkeypatch, capsys):
    import snakemake

    monkeypatch.setattr(snakemake, "__version__", "99.0.0")
    monkeypatch.setattr(overheads, "_WARNED", set())
    workflow = _workflow("100/1s")
    assert not overheads.lift_local_job_rate_limit(workflow)
    assert workflow.scheduler.job_rate_limiter is not None
    assert not overheads.tested_snakemake("compare_params_without_importing_pandas")
    err = capsys.readouterr().err
    assert "99.0.0" in err and "not applied" in err


def test_the_pinned_snakemake_is_a_tested_version():
    """Upgrading the pin means rerunning these tests and adding the version to TESTED."""
    import snakemake

    assert snakemake.__version__ in overheads.TESTED_SNAKEMAKE
