"""The environment files agree: pyproject pins = lock pins = environment.yml = rule env."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import REPO


def _pins(lines):
    return dict(
        line.strip().split("==", 1) for line in lines if re.match(r"^\s*[A-Za-z0-9_.-]+==", line)
    )


def _pip_section(path):
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return _pins(pip)


def test_every_pin_agrees_across_the_environment_files():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    lock = _pins((REPO / "requirements.lock").read_text(encoding="utf-8").splitlines())
    conda = _pip_section(REPO / "environment.yml")
    rule_env = _pip_section(REPO / "workflow/envs/parentgroup.yaml")
    normalise = lambda name: name.lower().replace("_", "-")  # noqa: E731
    lock = {normalise(k): v for k, v in lock.items()}
    for name, version in declared.items():
        assert lock[normalise(name)] == version, name
        assert conda[name] == version, name
    for name in _pins(project["dependencies"]):
        assert rule_env[name] == declared[name], name


def test_pandas_is_pinned_below_3():
    lock = _pins((REPO / "requirements.lock").read_text(encoding="utf-8").splitlines())
    assert lock["pandas"].startswith("2.")


def test_the_slurm_extra_agrees_and_stays_out_of_the_base_install():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = _pins(project["optional-dependencies"]["slurm"])
    slurm_lock = _pins((REPO / "requirements-slurm.lock").read_text(encoding="utf-8").splitlines())
    base_lock = _pins((REPO / "requirements.lock").read_text(encoding="utf-8").splitlines())
    conda = _pip_section(REPO / "environment.yml")
    assert extra == slurm_lock and extra
    for name, version in extra.items():
        assert conda[name] == version, name
        # every installed executor plugin is imported at each Snakemake start
        assert name not in base_lock and name not in _pins(project["dependencies"]), name


def test_snakefmt_and_ruff_are_clean():
    """`make lint` without Snakemake's own lint (tests/test_workflow.py runs that)."""
    import subprocess
    import sys
    from pathlib import Path

    snakefmt = Path(sys.executable).parent / "snakefmt"
    result = subprocess.run([str(snakefmt), "--check", "Snakefile", "workflow/rules"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "workflow", "tests",
                             "benchmarks"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
