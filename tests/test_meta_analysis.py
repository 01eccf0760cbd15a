"""Random-effects meta-analysis across sites against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.meta_analysis import combine_effects

from parentgroup.analysis.meta_analysis import (
    META_ANALYSIS_COLUMNS,
    ONE_SITE_NOTE,
    d_z_sampling_variance,
    pool_sites,
    random_effects,
)

POOL = {"outcomes": ["prfq_pm", "psoc_total"], "confidence_level": 0.95}
D_Z = [-1.34, -0.40, -0.95]
N = [12, 20, 15]


def site_table(d_z: float, n: int, psoc: float = 0.5) -> pd.DataFrame:
    return pd.DataFrame({"outcome": ["prfq_pm", "psoc_total"], "n_pairs": [n, n],
                         "d_z": [d_z, psoc], "mean_change": [-1.0, 4.0],
                         "change_ci_low": [-1.5, 2.0], "change_ci_high": [-0.5, 6.0]})


def sites(d_z=D_Z, n=N) -> dict[str, pd.DataFrame]:
    return {f"site{i}": site_table(d, k) for i, (d, k) in enumerate(zip(d_z, n, strict=True))}


def dersimonian_laird_by_hand(y, n):
    y = np.asarray(y, float)
    n = np.asarray(n, float)
    v = 1 / n + y**2 / (2 * n)
    w = 1 / v
    fe = (w * y).sum() / w.sum()
    q = (w * (y - fe) ** 2).sum()
    c = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (q - 2) / c)
    ws = 1 / (v + tau2)
    est = (ws * y).sum() / ws.sum()
    se = math.sqrt(1 / ws.sum())
    half = stats.t.ppf(0.975, 1) * math.sqrt(tau2 + se**2)
    return dict(estimate=est, se=se, ci_low=est - 1.959963984540054 * se,
                ci_high=est + 1.959963984540054 * se, tau2=tau2,
                i2=max(0.0, (q - 2) / q) * 100, q=q, q_p=stats.chi2.sf(q, 2),
                pi_low=est - half, pi_high=est + half)


def test_dersimonian_laird_three_sites_by_hand():
    table = pool_sites(sites(), **POOL)
    assert list(table.columns) == META_ANALYSIS_COLUMNS
    assert list(table["method"]) == ["dl", "pm", "reml"] * 2
    row = table[(table.outcome == "prfq_pm") & (table.method == "dl")].iloc[0]
    expected = dersimonian_laird_by_hand(D_Z, N)
    assert row.k_sites == 3
    assert expected["tau2"] > 0  # the example is heterogeneous enough to exercise tau^2
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, rel=1e-10), key
    v = d_z_sampling_variance(np.array(D_Z), np.array(N))
    assert row.estimate == pytest.approx(combine_effects(np.array(D_Z), v,
                                                         method_re="dl").mean_effect_re)


def test_paule_mandel_and_reml_solve_their_equations():
    y, v = np.array(D_Z), d_z_sampling_variance(np.array(D_Z), np.array(N))
    pm = random_effects(y, v, "pm")
    w = 1 / (v + pm["tau2"])
    mu = (w * y).sum() / w.sum()
    assert (w * (y - mu) ** 2).sum() == pytest.approx(len(y) - 1, abs=1e-6)  # PM: Q*(tau2) = k-1
    reml = random_effects(y, v, "reml")

    def neg_restricted_loglik(tau2):
        w = 1 / (v + tau2)
        mu = (w * y).sum() / w.sum()
        return 0.5 * (np.log(v + tau2).sum() + math.log(w.sum()) + (w * (y - mu) ** 2).sum())

    best = optimize.minimize_scalar(neg_restricted_loglik, bounds=(0, 5), method="bounded",
                                    options={"xatol": 1e-12})
    assert reml["tau2"] == pytest.approx(best.x, abs=1e-6)


def test_homogeneous_sites_give_zero_tau2_and_few_sites_no_prediction_interval():
    row = random_effects(np.array([0.5, 0.5, 0.5]), np.array([0.1, 0.1, 0.1]), "dl")
    assert row["tau2"] == 0 and row["i2"] == 0 and row["q"] == 0 and row["se"] == pytest.approx(
        math.sqrt(0.1 / 3))
    two = pool_sites(sites(D_Z[:2], N[:2]), **POOL)
    assert two["pi_low"].isna().all() and (two["k_sites"] == 2).all()
    one = random_effects(np.array([0.8]), np.array([0.04]), "dl")
    assert one["estimate"] == 0.8 and math.isnan(one["tau2"])


def test_sites_without_a_usable_effect_are_left_out():
    data = sites()
    data["site1"] = site_table(float("nan"), 2)
    table = pool_sites(data, **POOL)
    assert (table[table.outcome == "prfq_pm"]["k_sites"] == 2).all()


def test_mean_change_pooling_recovers_the_se_from_the_interval():
    table = pool_sites(sites(), **POOL, effect="mean_change")
    row = table[(table.outcome == "psoc_total") & (table.method == "dl")].iloc[0]
    assert row.estimate == pytest.approx(4.0) and row.tau2 == 0
    ses = [4.0 / (2 * stats.t.ppf(0.975, n - 1)) for n in N]
    assert row.se == pytest.approx(1 / math.sqrt(sum(1 / s**2 for s in ses)))


def test_an_outcome_of_one_site_is_marked_not_pooled():
    """Sites with their own instruments: an outcome only one site measured is that site's own
    estimate; the table and the report say it is not pooled."""
    from parentgroup.report.sections import meta_analysis_table_html

    by_site = sites()
    only = {name: table for name, table in list(by_site.items())[:1]}
    table = pool_sites(only, **POOL)
    assert set(table["k_sites"]) == {1} and set(table["note"]) == {ONE_SITE_NOTE}
    assert set(pool_sites(by_site, **POOL)["note"]) == {""}
    assert "(one site: not pooled)" in meta_analysis_table_html(table, {})
