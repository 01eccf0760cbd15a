"""One-stage analysis of several sites: a linear mixed model with parents nested in sites.

Beside the two-stage random-effects meta-analysis (:mod:`parentgroup.analysis.meta_analysis`:
each site's effect first, then pooled), the one-stage model fits every score of every site at
once (Riley, Lambert & Abo-Zaid 2010; Burke, Ensor & Riley 2017):

    score_ijt = b0 + b1 * time_t + u_j + v_ij + e_ijt,
    u_j ~ N(0, sigma_site^2), v_ij ~ N(0, sigma_parent^2), e_ijt ~ N(0, sigma_e^2)

(site j, parent i, time t = 0 pre, 1 post), fitted by REML with statsmodels ``MixedLM`` (site
groups, a variance component for parents within a site), the same model as R
``lme4::lmer(score ~ time + (1 | site/pseudonym))``. With ``random_slopes`` the change may vary
between sites too (``(1 + time | site)``). b1 is the pooled mean change in score units, with the
generalised-least-squares standard error at the REML variance components and a Wald interval.
The intraclass correlations: ICC_site = sigma_site^2 / (sigma_site^2 + sigma_parent^2 +
sigma_e^2) (two parents of one site), ICC_parent = (sigma_site^2 + sigma_parent^2) / total (two
scores of one parent).

The two approaches are compared on the same scale: the two-stage REML random-effects pooled mean
change (:func:`parentgroup.analysis.meta_analysis.pool_sites` with ``effect="mean_change"``).
They *disagree* when the estimates have opposite signs or when one interval excludes 0 and the
other does not; the table then says so, and the report explains why they can differ (the
one-stage model weights parents, the two-stage sites; small sites; heterogeneous change).
Validated against ``lme4::lmer`` in tests/reference/controlled/.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from parentgroup.analysis.meta_analysis import pool_sites
from parentgroup.analysis.paired_tests import completer_pseudonyms, outcome_scores

log = logging.getLogger(__name__)

MULTILEVEL_COLUMNS = [
    "outcome", "k_sites", "n_parents", "n_observations", "random_slopes", "estimate", "se",
    "ci_low", "ci_high", "p", "site_variance", "parent_variance", "residual_variance",
    "slope_variance", "icc_site", "icc_parent", "two_stage_estimate", "two_stage_ci_low",
    "two_stage_ci_high", "agreement", "note",
]
NOTE_DISAGREE = ("the one-stage and two-stage estimates disagree (sign or whether the interval "
                 "includes 0)")
NOTE_TOO_FEW = "fewer than 2 sites with scores"


def nested_gls_covariance(exog: np.ndarray, sites: np.ndarray, parents: np.ndarray,
                          site_variance: float, parent_variance: float,
                          residual_variance: float) -> np.ndarray:
    """(X' V^-1 X)^-1 with V block-diagonal per site: sigma_site^2 J + sigma_parent^2 (same
    parent) + sigma_e^2 I (lme4's ``vcov`` of the fixed effects at the variance components).

    >>> cov = nested_gls_covariance(np.ones((2, 1)), np.array(["a", "b"]), np.array(["1", "2"]),
    ...                             1.0, 0.0, 1.0)
    >>> round(float(cov[0, 0]), 6)  # two independent scores of variance 2
    1.0
    """
    exog = np.asarray(exog, float)
    information = np.zeros((exog.shape[1], exog.shape[1]))
    for site in pd.unique(sites):
        mask = sites == site
        rows, who = exog[mask], parents[mask]
        block = (site_variance * np.ones((len(rows), len(rows)))
                 + parent_variance * (who[:, None] == who[None, :])
                 + residual_variance * np.eye(len(rows)))
        information += rows.T @ np.linalg.solve(block, rows)
    return np.linalg.inv(information)


def one_stage_model(long: pd.DataFrame, *, random_slopes: bool = False,
                    confidence: float = 0.95) -> dict:
    """Fit the one-stage model to ``long`` (``site, pseudonym, time`` 0/1, ``score``).

    Returns the pooled change (``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p``), the
    variance components, the ICCs and the counts (see the module docstring for the model).
    """
    long = long.dropna(subset=["score"]).reset_index(drop=True)
    long = long.assign(parent=long["site"].astype(str) + ":" + long["pseudonym"].astype(str))
    model = sm.MixedLM.from_formula(
        "score ~ time", groups="site", re_formula="1 + time" if random_slopes else "1",
        vc_formula={"parent": "0 + C(parent)"}, data=long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; a failed fit shows as NaN
        fit = model.fit(reml=True, method=["lbfgs", "powell"])
    site_variance = float(fit.cov_re.iloc[0, 0])
    slope_variance = float(fit.cov_re.iloc[1, 1]) if random_slopes else math.nan
    parent_variance = float(fit.vcomp[0])
    residual_variance = float(fit.scale)
    if random_slopes:
        se = float(fit.bse_fe["time"])  # the site slopes enter V: statsmodels' own SE
    else:
        cov = nested_gls_covariance(model.exog, long["site"].to_numpy(),
                                    long["parent"].to_numpy(), site_variance, parent_variance,
                                    residual_variance)
        se = math.sqrt(cov[1, 1])
    estimate = float(fit.fe_params["time"])
    z = estimate / se if se > 0 else math.nan
    q = stats.norm.ppf(0.5 + confidence / 2)
    total = site_variance + parent_variance + residual_variance
    return {
        "estimate": estimate, "se": se, "ci_low": estimate - q * se,
        "ci_high": estimate + q * se,
        "p": float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
        "site_variance": site_variance, "parent_variance": parent_variance,
        "residual_variance": residual_variance, "slope_variance": slope_variance,
        "icc_site": site_variance / total if total > 0 else math.nan,
        "icc_parent": (site_variance + parent_variance) / total if total > 0 else math.nan,
        "k_sites": int(long["site"].nunique()), "n_parents": int(long["parent"].nunique()),
        "n_observations": len(long),
    }


def _excludes_zero(low: float, high: float) -> bool:
    return low > 0 or high < 0


def agreement(one_stage: Mapping, two_stage: Mapping) -> str:
    """``agree`` or ``disagree`` (opposite signs, or one interval excludes 0 and the other not).

    >>> agreement({"estimate": 1, "ci_low": 0.2, "ci_high": 1.8},
    ...           {"estimate": 0.9, "ci_low": -0.1, "ci_high": 1.9})
    'disagree'
    """
    if not all(math.isfinite(float(x[k])) for x in (one_stage, two_stage)
               for k in ("estimate", "ci_low", "ci_high")):
        return ""
    same_sign = np.sign(one_stage["estimate"]) == np.sign(two_stage["estimate"])
    same_call = (_excludes_zero(one_stage["ci_low"], one_stage["ci_high"])
                 == _excludes_zero(two_stage["ci_low"], two_stage["ci_high"]))
    return "agree" if same_sign and same_call else "disagree"


def site_long_scores(scores: pd.DataFrame, participants: pd.DataFrame, outcome: Mapping,
                     design: str) -> pd.DataFrame:
    """One site's analysed scores of one outcome in long form (pseudonym, time, score): the
    completers (of the intervention arm in a controlled site), as in the paired analysis."""
    people = set(completer_pseudonyms(participants))
    if "arm" in participants.columns:
        arms = participants["arm"].fillna("").astype(str).str.casefold()
        people -= set(participants.loc[arms == "comparison", "pseudonym"].astype(str))
    wide = outcome_scores(scores, outcome, design)
    wide = wide[wide["pseudonym"].isin(people)]
    long = wide.melt(id_vars=["pseudonym"], value_vars=["pre", "post"], var_name="role",
                     value_name="score").dropna(subset=["score"])
    long["time"] = (long["role"] == "post").astype(int)
    return long[["pseudonym", "time", "score"]].sort_values(["pseudonym", "time"],
                                                            ignore_index=True)


def multilevel_table(
    sites: Mapping[str, Mapping], *, outcomes: Mapping[str, Mapping],
    paired_tests: Mapping[str, pd.DataFrame], random_slopes: bool = False,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """multilevel.csv: per outcome (in ``outcomes`` order) the one-stage model across the sites
    that measured it, beside the two-stage REML pooled mean change and their agreement.

    ``sites`` maps a site to ``{"scores": ..., "participants": ..., "design": ...}``;
    ``outcomes`` maps an outcome id to its instrument, scale and scoring.
    """
    two_stage = pool_sites(dict(paired_tests), outcomes=list(outcomes),
                           confidence_level=confidence_level, effect="mean_change")
    two_stage = two_stage[two_stage["method"] == "reml"].set_index("outcome")
    rows = []
    for oid, outcome in outcomes.items():
        spec = {"instrument": outcome["instrument"], "scale": outcome["scale"],
                "scoring": outcome.get("scoring", "mean")}
        parts = [site_long_scores(entry["scores"], entry["participants"], spec, entry["design"])
                 .assign(site=site) for site, entry in sites.items()]
        long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        row = dict.fromkeys(MULTILEVEL_COLUMNS, math.nan)
        row.update(outcome=oid, random_slopes=random_slopes, agreement="", note="")
        if long.empty or long["site"].nunique() < 2:
            row.update(k_sites=0 if long.empty else int(long["site"].nunique()),
                       note=NOTE_TOO_FEW)
            rows.append(row)
            continue
        result = one_stage_model(long, random_slopes=random_slopes,
                                 confidence=confidence_level)
        row.update(result)
        if oid in two_stage.index:
            meta = two_stage.loc[oid]
            row.update(two_stage_estimate=meta["estimate"], two_stage_ci_low=meta["ci_low"],
                       two_stage_ci_high=meta["ci_high"])
            row["agreement"] = agreement(
                result, {"estimate": meta["estimate"], "ci_low": meta["ci_low"],
                         "ci_high": meta["ci_high"]})
            if row["agreement"] == "disagree":
                row["note"] = NOTE_DISAGREE
        rows.append(row)
        log.info("one-stage %s: %d sites, change %.3f, ICC site %.3f (%s)", oid,
                 result["k_sites"], result["estimate"], result["icc_site"],
                 row["agreement"] or "no two-stage estimate")
    table = pd.DataFrame(rows, columns=MULTILEVEL_COLUMNS)
    return table
