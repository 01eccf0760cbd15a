"""Reliability: alpha and its Feldt interval against pingouin, omega against statsmodels and a
known population, corrected item-total correlations, small and degenerate samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.multivariate.factor import Factor

from parentgroup.instruments import load_instruments
from parentgroup.scoring.reliability import (
    ITEM_TOTAL_COLUMNS,
    RELIABILITY_COLUMNS,
    corrected_item_total,
    cronbach_alpha,
    feldt_interval,
    mcdonald_omega,
    one_factor_loadings,
    reliability_table,
)

INSTRUMENTS = load_instruments(["prfq", "psoc"])


def congeneric(n: int, loadings: list[float], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = np.asarray(loadings)
    factor = rng.normal(size=(n, 1))
    return factor * lam + rng.normal(size=(n, len(lam))) * np.sqrt(1 - lam**2)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_and_feldt_interval_match_pingouin(seed):
    x = np.round(congeneric(40, [0.8, 0.7, 0.6, 0.5, 0.4], seed) * 1.5 + 4)
    alpha = cronbach_alpha(x)
    ref_alpha, ref_ci = pg.cronbach_alpha(pd.DataFrame(x), ci=0.95)
    assert alpha == pytest.approx(ref_alpha, abs=1e-10)
    low, high = feldt_interval(alpha, 40, 5, 0.95)
    assert low == pytest.approx(ref_ci[0], abs=5e-4)      # pingouin rounds to 3 decimals
    assert high == pytest.approx(ref_ci[1], abs=5e-4)
    # Independent statement of Feldt (1965): F quantiles through the survival function
    assert low == pytest.approx(1 - (1 - alpha) * stats.f.isf(0.025, 39, 156), abs=1e-12)
    assert high == pytest.approx(1 - (1 - alpha) * stats.f.isf(0.975, 39, 156), abs=1e-12)
    assert low < alpha < high


def test_pingouin_reference_dataset():
    """pingouin's documented example: alpha = 0.5917188485995826, CI [0.195, 0.84]."""
    data = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items",
                                                   values="Scores")
    complete = data.dropna()
    alpha = cronbach_alpha(complete.to_numpy())
    assert alpha == pytest.approx(0.5917188485995826, abs=1e-10)
    if len(complete) == len(data):   # pingouin counts n before listwise deletion
        low, high = feldt_interval(alpha, len(data), data.shape[1])
        assert (round(low, 3), round(high, 3)) == (0.195, 0.84)


def test_alpha_textbook_identity():
    """alpha = k * mean covariance / (mean variance + (k - 1) * mean covariance)."""
    x = congeneric(200, [0.7, 0.6, 0.5, 0.6], 7)
    c = np.cov(x, rowvar=False)
    k = 4
    v, cov = np.diag(c).mean(), c[np.tril_indices(k, -1)].mean()
    assert cronbach_alpha(x) == pytest.approx(k * cov / (v + (k - 1) * cov), abs=1e-12)


def test_one_factor_loadings_match_statsmodels_principal_axis():
    x = congeneric(300, [0.8, 0.7, 0.6, 0.5, 0.45, 0.3], 11)
    r = np.corrcoef(x, rowvar=False)
    mine = one_factor_loadings(r)
    reference = Factor(corr=r, n_factor=1, method="pa", nobs=300).fit().loadings.ravel()
    reference = reference if reference.sum() > 0 else -reference
    np.testing.assert_allclose(mine, reference, atol=1e-6)


def test_omega_of_an_exact_one_factor_matrix():
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    np.testing.assert_allclose(one_factor_loadings(r), lam, atol=1e-6)
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())   # 0.7526...
    x = congeneric(50000, list(lam), 5)
    assert mcdonald_omega(x) == pytest.approx(expected, abs=0.01)
    # omega >= alpha for a congeneric scale
    assert mcdonald_omega(x) >= cronbach_alpha(x) - 1e-3


def test_corrected_item_total_is_item_against_the_rest():
    x = np.round(congeneric(60, [0.8, 0.6, 0.4], 3) + 3)
    got = corrected_item_total(x)
    for i in range(3):
        rest = x.sum(axis=1) - x[:, i]
        assert got[i] == pytest.approx(stats.pearsonr(x[:, i], rest)[0], abs=1e-12)


def items_long(matrix: np.ndarray, instrument: str, items: list[int], time_label: str,
               first: int = 1) -> pd.DataFrame:
    n = matrix.shape[0]
    return pd.DataFrame({
        "pseudonym": np.repeat([f"P{i:02d}" for i in range(first, first + n)], len(items)),
        "instrument": instrument, "item": np.tile(items, n), "time": time_label,
        "value": matrix.ravel(),
    })


def full_prfq(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(1, 8, size=(n, 18)).astype(float)


def test_reliability_table_uses_scored_items_and_listwise_cases():
    raw = full_prfq(12, 4)
    raw[0, 0] = np.nan                       # P01 misses a PM item at then
    items = items_long(raw, "prfq", list(range(1, 19)), "then")
    reliability, item_total = reliability_table(items, {"prfq": INSTRUMENTS["prfq"]})
    assert list(reliability.columns) == RELIABILITY_COLUMNS
    assert list(item_total.columns) == ITEM_TOTAL_COLUMNS
    row = reliability.set_index("scale")
    assert row.loc["pre_mentalizing", "n"] == 11 and row.loc["certainty", "n"] == 12
    assert (row["k_items"] == 6).all()
    # CMS by hand: items 2, 5, 8, 11, 14, 17 with item 11 reversed as 8 - x
    cms = raw[:, [1, 4, 7, 10, 13, 16]].copy()
    cms[:, 3] = 8 - cms[:, 3]
    assert row.loc["certainty", "alpha"] == pytest.approx(
        pg.cronbach_alpha(pd.DataFrame(cms))[0], abs=1e-10)
    low, high = feldt_interval(row.loc["certainty", "alpha"], 12, 6)
    assert row.loc["certainty", "alpha_ci_low"] == pytest.approx(low)
    assert row.loc["certainty", "alpha_ci_high"] == pytest.approx(high)
    r = item_total[item_total["scale"] == "certainty"].set_index("item")["corrected_item_total_r"]
    assert r[11] == pytest.approx(stats.pearsonr(cms[:, 3], cms.sum(axis=1) - cms[:, 3])[0])


def test_small_samples_and_zero_variance_give_nan_and_a_note_not_a_crash():
    two = items_long(full_prfq(2, 1), "prfq", list(range(1, 19)), "now")
    reliability, item_total = reliability_table(two, {"prfq": INSTRUMENTS["prfq"]})
    assert reliability["alpha"].isna().all() and reliability["omega"].isna().all()
    assert reliability["note"].str.contains("fewer than 3 complete cases").all()
    assert item_total["corrected_item_total_r"].isna().all()

    flat = np.full((5, 17), 4.0)
    items = items_long(flat, "psoc", list(range(1, 18)), "then")
    reliability, _ = reliability_table(items, {"psoc": INSTRUMENTS["psoc"]})
    assert reliability["alpha"].isna().all()
    assert reliability["note"].str.contains("no variance").all()

    one_flat = full_prfq(8, 9)
    one_flat[:, 1] = 3                        # CMS item 2 constant
    items = items_long(one_flat, "prfq", list(range(1, 19)), "then")
    row = reliability_table(items, {"prfq": INSTRUMENTS["prfq"]})[0].set_index("scale")
    assert np.isfinite(row.loc["certainty", "alpha"]) and np.isnan(row.loc["certainty", "omega"])
    assert "item(s) 2" in row.loc["certainty", "note"]
    assert row.loc["pre_mentalizing", "note"] == ""


def test_reliability_for_5000_respondents_is_fast():
    import time

    rng = np.random.default_rng(2)
    raw = rng.integers(1, 7, size=(5000, 17)).astype(float)
    items = pd.concat([items_long(raw, "psoc", list(range(1, 18)), t) for t in ("then", "now")])
    start = time.perf_counter()
    reliability, _ = reliability_table(items, {"psoc": INSTRUMENTS["psoc"]})
    assert time.perf_counter() - start < 5
    assert (reliability["n"] == 5000).all()


def test_a_one_item_scale_is_not_applicable_not_a_failure(tmp_path):
    import yaml
    from test_instruments import one_item_rating

    (tmp_path / "goal.yaml").write_text(yaml.safe_dump(one_item_rating()), encoding="utf-8")
    goal = load_instruments(["goal"], [tmp_path])
    values = np.array([[3.0], [5.0], [6.0], [8.0]])
    items = items_long(values, "goal", [1], "then")
    reliability, item_total = reliability_table(items, goal)
    (row,) = reliability.to_dict("records")
    assert row["note"] == "not applicable (one item)"
    assert (row["n"], row["k_items"]) == (4, 1)
    assert np.isnan(row["alpha"]) and np.isnan(row["omega"])
    assert item_total["corrected_item_total_r"].isna().all()
