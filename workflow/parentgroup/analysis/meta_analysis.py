"""Random-effects meta-analysis of each outcome across sites.

Per site the effect is d_z with the large-sample sampling variance
var(d_z) = 1/n + d_z^2 / (2n) (Borenstein, Hedges, Higgins & Rothstein 2009, eq. 4.28 with the
SD of the differences as standardiser, so without the 2(1 - r) factor; Goulet-Pelletier &
Cousineau 2018), or the mean change with its squared standard error.

Between-site variance tau^2 by DerSimonian & Laird (1986), Paule & Mandel (1982) (both from
``statsmodels.stats.meta_analysis.combine_effects``) and restricted maximum likelihood
(Viechtbauer 2005, Fisher-scoring fixed point). Given tau^2: w_i = 1/(v_i + tau^2),
estimate = sum w_i y_i / sum w_i, se = 1/sqrt(sum w_i), 95% CI estimate +/- z se.
Q = sum (y_i - y_FE)^2 / v_i on k - 1 df (Cochran); I^2 (percent) = 100 tau^2 / (tau^2 + s^2)
with the typical within-site variance s^2 = (k - 1) sum w / ((sum w)^2 - sum w^2) (Higgins &
Thompson 2002; equals (Q - df)/Q for DerSimonian-Laird). Prediction interval (Higgins, Thompson &
Spiegelhalter 2009): estimate +/- t_{k-2} sqrt(tau^2 + se^2), for k >= 3 only.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

log = logging.getLogger(__name__)

META_ANALYSIS_COLUMNS = [
    "outcome", "k_sites", "method", "estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q",
    "q_p", "pi_low", "pi_high", "note",
]

#: meta_analysis.csv's note for an outcome only one site measured (sites with their own
#: instruments): its row is that site's estimate, not a pooled one.
ONE_SITE_NOTE = "one site measured this outcome: its own estimate, not pooled"

#: tau^2 estimators, in output order.
TAU2_METHODS = ("dl", "pm", "reml")


def d_z_sampling_variance(d_z: np.ndarray | float, n: np.ndarray | float) -> np.ndarray:
    """var(d_z) = 1/n + d_z^2 / (2n) (Borenstein et al. 2009, eq. 4.28, standardiser SD_diff).

    >>> round(float(d_z_sampling_variance(1.5, 10)), 6)
    0.2125
    """
    d_z = np.asarray(d_z, dtype=float)
    n = np.asarray(n, dtype=float)
    return 1.0 / n + d_z**2 / (2.0 * n)


def tau2_reml(effects: np.ndarray, variances: np.ndarray, tol: float = 1e-10) -> float:
    """REML estimate of tau^2 by the fixed-point iteration (Viechtbauer 2005, eq. 10):
    tau^2 <- sum w^2 ((y - mu)^2 - v) / sum w^2 + 1 / sum w, truncated at 0, starting from
    DerSimonian-Laird."""
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    tau2 = tau2_dersimonian_laird(y, v)
    for _ in range(1000):
        w = 1.0 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        new = max(0.0, float(np.sum(w**2 * ((y - mu) ** 2 - v)) / np.sum(w**2) + 1 / np.sum(w)))
        if abs(new - tau2) < tol:
            return new
        tau2 = new
    log.warning("REML tau^2 did not converge; last value %.6g", tau2)
    return tau2


def tau2_dersimonian_laird(effects: np.ndarray, variances: np.ndarray) -> float:
    """tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w)), w = 1/v (DerSimonian & Laird
    1986).

    >>> round(tau2_dersimonian_laird(np.array([0.5, 1.0, 1.4]), np.array([0.1, 0.12, 0.2])), 6)
    0.060952
    """
    y = np.asarray(effects, dtype=float)
    w = 1.0 / np.asarray(variances, dtype=float)
    mu = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (y.size - 1)) / c)


def random_effects(
    effects: np.ndarray, variances: np.ndarray, method: str = "dl", confidence: float = 0.95
) -> dict:
    """Pooled estimate of one outcome with tau^2 by ``method`` (dl, pm or reml); see the module
    docstring for every formula. k = 1 gives that site's estimate and NaN heterogeneity."""
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    k = y.size
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    nan = math.nan
    if k == 0:
        return dict.fromkeys(META_ANALYSIS_COLUMNS[3:], nan)
    if k == 1:
        se = math.sqrt(v[0])
        return dict(
            estimate=float(y[0]), se=se, ci_low=float(y[0] - z * se), ci_high=float(y[0] + z * se),
            tau2=nan, i2=nan, q=nan, q_p=nan, pi_low=nan, pi_high=nan,
        )
    if method == "reml":
        tau2 = tau2_reml(y, v)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # identical effects: Q = 0
            fit = combine_effects(y, v, method_re={"dl": "chi2", "pm": "iterated"}[method])
        tau2 = max(0.0, float(fit.tau2))  # statsmodels does not truncate the DL moment at 0
    w_fe = 1.0 / v
    fe = np.sum(w_fe * y) / np.sum(w_fe)
    q = float(np.sum(w_fe * (y - fe) ** 2))
    q_p = float(stats.chi2.sf(q, k - 1))
    typical = (k - 1) * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe**2))
    i2 = float(100.0 * tau2 / (tau2 + typical))
    w = 1.0 / (v + tau2)
    estimate = float(np.sum(w * y) / np.sum(w))
    se = float(1.0 / math.sqrt(np.sum(w)))
    pi_low = pi_high = nan
    if k >= 3:
        half = stats.t.ppf(1 - (1 - confidence) / 2, k - 2) * math.sqrt(tau2 + se**2)
        pi_low, pi_high = estimate - half, estimate + half
    return dict(
        estimate=estimate, se=se, ci_low=estimate - z * se, ci_high=estimate + z * se, tau2=tau2,
        i2=i2, q=q, q_p=q_p, pi_low=pi_low, pi_high=pi_high,
    )


def site_effects(
    paired_tests_by_site: Mapping[str, pd.DataFrame], outcome: str, effect: str = "d_z"
) -> pd.DataFrame:
    """Per site: the effect and its sampling variance for one outcome (sites with n < 3 or no
    finite effect are left out and logged).

    ``effect="d_z"``: var from :func:`d_z_sampling_variance`. ``"mean_change"``: the SE is
    recovered from the t interval, (ci_high - ci_low) / (2 t_{n-1, .975}) for a 95% interval.
    """
    rows = []
    for site in paired_tests_by_site:
        table = paired_tests_by_site[site]
        match = table[table["outcome"] == outcome]
        if match.empty:
            continue
        row = match.iloc[0]
        n = int(row["n_pairs"])
        if effect == "d_z":
            y = float(row["d_z"])
            var = float(d_z_sampling_variance(y, n)) if n >= 3 else math.nan
        else:
            y = float(row["mean_change"])
            width = float(row["change_ci_high"]) - float(row["change_ci_low"])
            var = (width / (2 * stats.t.ppf(0.975, n - 1))) ** 2 if n >= 3 else math.nan
        if math.isfinite(y) and math.isfinite(var) and var > 0:
            rows.append({"site": site, "effect": y, "variance": var, "n": n})
        else:
            log.info("site %s left out of the %s meta-analysis (n = %d)", site, outcome, n)
    return pd.DataFrame(rows, columns=["site", "effect", "variance", "n"])


def pool_sites(
    paired_tests_by_site: dict[str, pd.DataFrame], *, outcomes: list[str],
    confidence_level: float = 0.95, effect: str = "d_z",
) -> pd.DataFrame:
    """meta_analysis.csv: per outcome id of ``outcomes`` (in order) and per tau^2 method (dl,
    pm, reml), the random-effects pooled ``effect`` (d_z by default) across the sites whose
    paired tests have that outcome (``k_sites`` of them; sites with their own outcome family
    join only the outcomes they measured). An outcome of one site only is that site's estimate,
    and its ``note`` says so (:data:`ONE_SITE_NOTE`)."""
    rows = []
    for outcome in outcomes:
        data = site_effects(paired_tests_by_site, outcome, effect)
        for method in TAU2_METHODS:
            result = random_effects(
                data["effect"].to_numpy(), data["variance"].to_numpy(), method, confidence_level
            )
            rows.append({"outcome": outcome, "k_sites": len(data), "method": method, **result,
                         "note": ONE_SITE_NOTE if len(data) == 1 else ""})
    return pd.DataFrame(rows, columns=META_ANALYSIS_COLUMNS)
