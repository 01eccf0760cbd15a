"""Controlled sites pooled: the one-stage arm-by-time model against R's lme4::lmer
(tests/reference/controlled/multisite_arms.csv), the pooled table on generated sites (one- and
two-stage), and three generated controlled sites through the workflow's pooled rules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import copy_repository, run_snakemake

from parentgroup.analysis.controlled import controlled_analysis
from parentgroup.analysis.meta_analysis import random_effects
from parentgroup.analysis.multilevel import (
    NOTE_TOO_FEW_CONTROLLED,
    POOLED_CONTROLLED_COLUMNS,
    one_stage_arm_model,
    pooled_controlled_table,
)
from parentgroup.report.multilevel import pooled_controlled_section_html, two_stage_methods_html
from parentgroup.report.sections import pooled_limitations_html

REFERENCE = Path(__file__).parent / "reference" / "controlled"
REPO = Path(__file__).resolve().parents[1]


def r_values() -> dict[str, float]:
    table = pd.read_csv(REFERENCE / "R_values.csv")
    return dict(zip(table["name"], table["value"].astype(float), strict=True))


def test_one_stage_arm_model_equals_lme4():
    r = r_values()
    long = pd.read_csv(REFERENCE / "multisite_arms.csv", dtype={"pseudonym": str})
    got = one_stage_arm_model(long)
    assert got["n_observations"] == r["arms_n_observations"]
    assert got["estimate"] == pytest.approx(r["arms_interaction"], rel=1e-6)
    assert got["se"] == pytest.approx(r["arms_interaction_se"], rel=2e-5)
    # four sites: the REML surface is flat in the site variance; both optimisers stop within
    # 1.3e-4 of each other there (the fixed effects agree to 1e-6)
    assert got["site_variance"] == pytest.approx(r["arms_site_variance"], rel=2e-4)
    assert got["parent_variance"] == pytest.approx(r["arms_parent_variance"], rel=1e-4)
    assert got["residual_variance"] == pytest.approx(r["arms_residual_variance"], rel=1e-4)
    assert (got["n_intervention"], got["n_comparison"], got["k_sites"]) == (20, 20, 4)


OUTCOMES = {"psoc_total": {"instrument": "psoc", "scale": "total", "scoring": "sum"}}
CONFIG = {"outcomes": [{"id": "psoc_total", **OUTCOMES["psoc_total"]}],
          "completer_min_sessions": 6,
          "analysis": {"bootstrap": {"n_resamples": 100, "seed": 1}}}


def generated_site(rng, n_per_arm: int, effect: float, level: float):
    people, rows = [], []
    for i in range(2 * n_per_arm):
        arm = "intervention" if i < n_per_arm else "comparison"
        pseudonym = f"P{i + 1:02d}"
        people.append({"pseudonym": pseudonym, "arm": arm,
                       "completer": arm == "intervention" and i != 0,
                       "sessions_attended": 8 if arm == "intervention" and i != 0 else 0})
        person = 60 + level + rng.normal(0, 6)
        for time, shift in (("pre", 0.0), ("post", effect if arm == "intervention" else 0.0)):
            rows.append({"pseudonym": pseudonym, "instrument": "psoc", "scale": "total",
                         "scoring": "sum", "time": time,
                         "score": person + shift + rng.normal(0, 3)})
    return pd.DataFrame(rows), pd.DataFrame(people)


def test_pooled_controlled_table_one_and_two_stage_on_generated_sites():
    rng = np.random.default_rng(21)
    sites, controlled = {}, {}
    for name, n, effect, level in (("a", 10, 6.0, 0.0), ("b", 12, 4.0, 5.0),
                                   ("c", 9, 8.0, -4.0)):
        scores, participants = generated_site(rng, n, effect, level)
        sites[name] = {"scores": scores, "participants": participants, "design": "prospective"}
        controlled[name] = controlled_analysis(
            scores, participants, config=CONFIG, design="prospective",
            directions={"psoc_total": "higher_better"},
            labels={"psoc_total": "PSOC total"})["controlled"]
    table = pooled_controlled_table(sites, outcomes=OUTCOMES, controlled=controlled)
    assert list(table.columns) == POOLED_CONTROLLED_COLUMNS
    row = table.iloc[0]
    # analysed: intervention completers (one non-completer per site), every comparison parent
    assert (row["k_sites"], row["n_intervention"], row["n_comparison"]) == (3, 28, 31)
    assert row["n_observations"] == 2 * (28 + 31)
    assert row["ci_low"] > 0 and row["two_stage_ci_low"] > 0
    assert row["agreement"] == "agree" and row["note"] == ""
    # the two-stage estimate is the REML pooling of the sites' own interactions
    y = np.array([controlled[s]["mixed_interaction"].iloc[0] for s in "abc"])
    v = np.array([controlled[s]["mixed_se"].iloc[0] ** 2 for s in "abc"])
    expected = random_effects(y, v, "reml")
    assert row["two_stage_estimate"] == pytest.approx(expected["estimate"])
    assert row["two_stage_ci_low"] == pytest.approx(expected["ci_low"])
    assert row["two_stage_k_sites"] == 3
    # the ANCOVA and d_ppc2 columns pool those columns the same way
    y = np.array([controlled[s]["d_ppc2"].iloc[0] for s in "abc"])
    v = np.array([controlled[s]["d_ppc2_se"].iloc[0] ** 2 for s in "abc"])
    assert row["d_ppc2_estimate"] == pytest.approx(random_effects(y, v, "reml")["estimate"])
    # one site alone: no one-stage model, a note
    single = pooled_controlled_table({"a": sites["a"]}, outcomes=OUTCOMES,
                                     controlled={"a": controlled["a"]})
    assert single.iloc[0]["note"] == NOTE_TOO_FEW_CONTROLLED


def test_pooled_report_sections_explain_both_models(tmp_path):
    rng = np.random.default_rng(3)
    sites, controlled = {}, {}
    for name in ("a", "b"):
        scores, participants = generated_site(rng, 10, 5.0, 0.0)
        sites[name] = {"scores": scores, "participants": participants, "design": "prospective"}
        controlled[name] = controlled_analysis(
            scores, participants, config=CONFIG, design="prospective",
            directions={"psoc_total": "higher_better"}, labels={})["controlled"]
    path = tmp_path / "controlled.csv"
    pooled_controlled_table(sites, outcomes=OUTCOMES, controlled=controlled).to_csv(path,
                                                                                    index=False)
    html_ = pooled_controlled_section_html(path, {"psoc_total": "PSOC total"})
    assert "2 sites have a comparison arm" in html_
    assert "One-stage" in html_ and "Two-stage" in html_ and "Morris, 2008" in html_
    assert "PSOC total" in html_ and "ICC" in html_
    assert pooled_controlled_section_html(tmp_path / "absent.csv") == ""
    methods = two_stage_methods_html(controlled=True)
    assert "DerSimonian &amp; Laird, 1986" in methods and "prediction interval" in methods
    assert "intervention arm" in methods and "intervention arm" not in two_stage_methods_html()
    # the limitations no longer call controlled, prospective sites "then-test, no control group"
    assert "then-test" in pooled_limitations_html(3)
    limits = pooled_limitations_html(3, designs=["prospective"] * 3, controlled=True)
    assert "then-test" not in limits and "between-arm effect" in limits


@pytest.mark.e2e
def test_three_generated_controlled_sites_through_the_pooled_rules(tmp_path):
    """The benchmark's generated controlled sites (benchmarks/synthetic_sites.py), three of
    them with site_outputs: tables, through every rule to the pooled report and its leak check."""
    spec = importlib.util.spec_from_file_location(
        "synthetic_sites", REPO / "benchmarks" / "synthetic_sites.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic_sites", module)
    spec.loader.exec_module(module)
    workdir = copy_repository(tmp_path / "repo")
    sites = module.arm_sites(workdir, 3, n_per_arm=8)
    # the families' PDF sheets are not part of the pooled path and are the slowest jobs
    journey = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))["journey"]
    config = module.write_config(workdir, sites, "arms3", site_outputs="tables",
                                 journey={**journey, "family_sheets": False})
    result = run_snakemake(workdir, "--cores", "2", "--configfile", config.name,
                           "--replace-workflow-config", timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]
    pooled = pd.read_csv(workdir / "results/pooled/controlled.csv")
    assert len(pooled) == 6 and (pooled["k_sites"] == 3).all()
    assert (pooled["n_intervention"] > 0).all() and (pooled["n_comparison"] == 24).all()
    assert pooled["estimate"].notna().all() and pooled["two_stage_estimate"].notna().all()
    psoc = pooled.set_index("outcome").loc["psoc_total"]
    assert psoc["ci_low"] > 0  # the generated intervention effect is found
    for site in sites:
        by_arm = pd.read_csv(workdir / "results" / site / "reliable_change_by_arm.csv")
        assert set(by_arm["n_outcome_comparison"]) == {8}
        assert "hits: 0" in (workdir / "results" / site / "leak_check.txt").read_text()
    report = (workdir / "results/pooled/report.html").read_text(encoding="utf-8")
    assert "Controlled sites pooled" in report and "How the sites are pooled" in report
    assert "then-test" not in report
    assert (workdir / "results/pooled/leak_check.txt").exists()


class _Model:
    """A stand-in MixedLM whose L-BFGS fit raises as statsmodels does on a singular X'V^-1X."""

    def __init__(self, failing):
        self.failing, self.tried = failing, []

    def fit(self, reml, method):
        self.tried.append(method)
        if method[0] in self.failing:
            raise np.linalg.LinAlgError("Singular matrix")
        return type("Fit", (), {"fe_params": pd.Series([1.0, 2.0])})()


def test_a_singular_lbfgs_step_falls_back_to_the_next_optimiser():
    from parentgroup.analysis.controlled import REML_OPTIMISERS, fit_reml

    model = _Model({"lbfgs"})
    assert fit_reml(model) is not None
    assert model.tried == [["lbfgs", "powell"], ["powell"]]
    hopeless = _Model({m[0] for m in REML_OPTIMISERS})
    assert fit_reml(hopeless) is None and len(hopeless.tried) == len(REML_OPTIMISERS)
