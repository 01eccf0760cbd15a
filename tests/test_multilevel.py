"""The one-stage model across sites (parents nested in sites): against R's lme4::lmer
(tests/reference/controlled/), its ICCs, and the comparison with the two-stage meta-analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parentgroup.analysis.multilevel import (
    MULTILEVEL_COLUMNS,
    NOTE_DISAGREE,
    agreement,
    multilevel_table,
    one_stage_model,
)
from parentgroup.analysis.paired_tests import paired_tests

REFERENCE = Path(__file__).parent / "reference" / "controlled"


def r_values() -> dict[str, float]:
    table = pd.read_csv(REFERENCE / "R_values.csv")
    return dict(zip(table["name"], table["value"].astype(float), strict=True))


def test_one_stage_model_equals_lme4_nested_random_intercepts():
    r = r_values()
    long = pd.read_csv(REFERENCE / "multisite.csv", dtype={"pseudonym": str})
    got = one_stage_model(long)
    assert got["n_observations"] == r["one_stage_n_observations"]
    assert got["estimate"] == pytest.approx(r["one_stage_estimate"], rel=1e-6)
    assert got["se"] == pytest.approx(r["one_stage_se"], rel=1e-5)
    assert got["site_variance"] == pytest.approx(r["one_stage_site_variance"], rel=1e-4)
    assert got["parent_variance"] == pytest.approx(r["one_stage_parent_variance"], rel=1e-4)
    assert got["residual_variance"] == pytest.approx(r["one_stage_residual_variance"], rel=1e-4)
    total = got["site_variance"] + got["parent_variance"] + got["residual_variance"]
    assert got["icc_site"] == pytest.approx(got["site_variance"] / total)
    assert 0 < got["icc_site"] < got["icc_parent"] < 1


def test_random_slopes_fit_and_widen_the_interval():
    long = pd.read_csv(REFERENCE / "multisite.csv", dtype={"pseudonym": str})
    fixed = one_stage_model(long)
    slopes = one_stage_model(long, random_slopes=True)
    assert slopes["slope_variance"] >= 0
    assert slopes["se"] >= fixed["se"] * 0.99


def test_agreement_rule():
    base = {"estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5}
    assert agreement(base, {"estimate": 0.8, "ci_low": 0.1, "ci_high": 1.5}) == "agree"
    assert agreement(base, {"estimate": -0.1, "ci_low": -0.5, "ci_high": 0.3}) == "disagree"
    assert agreement(base, {"estimate": np.nan, "ci_low": 0, "ci_high": 1}) == ""


OUTCOME = {"prfq_pm": {"instrument": "prfq", "scale": "pre_mentalizing", "scoring": "mean"}}


def site_tables(rng, n: int, change: float, sd_site: float = 0.0):
    level = rng.normal(0, sd_site)
    rows = []
    for i in range(n):
        person = rng.normal(4, 0.8) + level
        for time, shift in (("then", 0.0), ("now", change)):
            rows.append({"pseudonym": f"P{i + 1:02d}", "instrument": "prfq",
                         "scale": "pre_mentalizing", "scoring": "mean", "time": time,
                         "score": person + shift + rng.normal(0, 0.4)})
    participants = pd.DataFrame({"pseudonym": [f"P{i + 1:02d}" for i in range(n)],
                                 "completer": [i > 0 for i in range(n)]})
    return pd.DataFrame(rows), participants


def test_multilevel_table_beside_the_two_stage_estimate():
    rng = np.random.default_rng(7)
    sites, paired = {}, {}
    config = {"outcomes": [{"id": "prfq_pm", **OUTCOME["prfq_pm"]}],
              "analysis": {"bootstrap": {"n_resamples": 200, "seed": 1}}}
    for name, n, change in (("a", 12, -0.9), ("b", 10, -0.7), ("c", 14, -1.1)):
        scores, participants = site_tables(rng, n, change, sd_site=0.5)
        sites[name] = {"scores": scores, "participants": participants,
                       "design": "retrospective"}
        paired[name] = paired_tests(scores, participants, config=config,
                                    design="retrospective",
                                    directions={"prfq_pm": "lower_better"},
                                    labels={"prfq_pm": "PM"})
    table = multilevel_table(sites, outcomes=OUTCOME, paired_tests=paired)
    assert list(table.columns) == MULTILEVEL_COLUMNS
    row = table.iloc[0]
    assert row["k_sites"] == 3 and row["n_parents"] == 33  # completers only (one per site not)
    assert row["ci_high"] < 0 and row["two_stage_ci_high"] < 0
    assert row["agreement"] == "agree" and row["note"] == ""
    # one site only: no model, a note
    single = multilevel_table({"a": sites["a"]}, outcomes=OUTCOME, paired_tests={"a": paired["a"]})
    assert single.iloc[0]["note"].startswith("fewer than 2 sites")
    assert NOTE_DISAGREE.startswith("the one-stage")
