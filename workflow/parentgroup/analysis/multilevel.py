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

**Controlled sites pooled** (:func:`pooled_controlled_table`, ``results/pooled/controlled.csv``):
the between-arm effect across the sites with a comparison arm, in the same two ways.
One-stage: ``score ~ time * treated + (1 | site) + (1 | site:parent)`` on every score of the
analysed parents of both arms (intervention completers, every comparison parent), REML; the
``time:treated`` coefficient is the difference between the arms' mean change, with its GLS
standard error and a Wald interval (:func:`one_stage_arm_model`; lme4 reference in
tests/reference/controlled/). Two-stage: each site's own arm-by-time interaction
(``controlled.csv``, ``mixed_interaction`` with ``mixed_se``) pooled by REML random effects, the
same estimand, beside the pooled ANCOVA adjusted difference (``ancova_difference`` with its HC3
SE) and the pooled Morris d_ppc2 (with its SE). Their agreement is judged as above, on the
interaction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from parentgroup.analysis.controlled import analysed_by_arm, fit_reml
from parentgroup.analysis.meta_analysis import pool_sites, random_effects
from parentgroup.analysis.paired_tests import completer_pseudonyms, outcome_scores
from parentgroup.tables import read_named

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
NOTE_NOT_FITTED = "the one-stage model could not be fitted (no optimiser converged)"


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
    fit = fit_reml(model)
    if fit is None:
        raise ValueError("the one-stage model could not be fitted by any optimiser")
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
        try:
            result = one_stage_model(long, random_slopes=random_slopes,
                                     confidence=confidence_level)
        except ValueError:
            row.update(k_sites=int(long["site"].nunique()), note=NOTE_NOT_FITTED)
            rows.append(row)
            continue
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


# --------------------------------------------------------------------------------------------
# Controlled sites pooled: the between-arm effect, one-stage and two-stage
# --------------------------------------------------------------------------------------------

POOLED_CONTROLLED_COLUMNS = [
    "outcome", "k_sites", "n_parents", "n_intervention", "n_comparison", "n_observations",
    "estimate", "se", "ci_low", "ci_high", "p", "site_variance", "parent_variance",
    "residual_variance", "icc_site",
    "two_stage_k_sites", "two_stage_estimate", "two_stage_se", "two_stage_ci_low",
    "two_stage_ci_high", "two_stage_tau2", "two_stage_i2",
    "ancova_estimate", "ancova_ci_low", "ancova_ci_high", "ancova_tau2", "ancova_i2",
    "d_ppc2_estimate", "d_ppc2_ci_low", "d_ppc2_ci_high", "d_ppc2_tau2", "d_ppc2_i2",
    "agreement", "note",
]
NOTE_TOO_FEW_CONTROLLED = "fewer than 2 controlled sites with scores in both arms"


def one_stage_arm_model(long: pd.DataFrame, *, confidence: float = 0.95) -> dict:
    """The between-arm effect across sites: ``score ~ time * treated`` with random intercepts
    for sites and for parents within sites, REML (statsmodels ``MixedLM``: site groups, a
    parent variance component), as R ``lme4::lmer(score ~ time * treated + (1 | site) +
    (1 | parent))``.

    ``long``: ``site, pseudonym, time`` (0 pre, 1 post), ``treated`` (1 intervention, 0
    comparison), ``score``. The ``time:treated`` coefficient is the intervention arm's mean
    change minus the comparison arm's; its SE is sqrt([(X' V^-1 X)^-1]_kk) at the REML variance
    components (:func:`nested_gls_covariance`, as lme4's ``vcov``), the interval and p Wald.
    """
    long = long.dropna(subset=["score"]).reset_index(drop=True)
    long = long.assign(parent=long["site"].astype(str) + ":" + long["pseudonym"].astype(str))
    model = sm.MixedLM.from_formula("score ~ time * treated", groups="site", re_formula="1",
                                    vc_formula={"parent": "0 + C(parent)"}, data=long)
    fit = fit_reml(model)
    if fit is None:
        raise ValueError("the one-stage arm model could not be fitted by any optimiser")
    site_variance = float(fit.cov_re.iloc[0, 0])
    parent_variance, residual_variance = float(fit.vcomp[0]), float(fit.scale)
    cov = nested_gls_covariance(model.exog, long["site"].to_numpy(), long["parent"].to_numpy(),
                                site_variance, parent_variance, residual_variance)
    index = list(model.exog_names).index("time:treated")
    estimate, se = float(fit.fe_params["time:treated"]), math.sqrt(cov[index, index])
    z = estimate / se if se > 0 else math.nan
    q = stats.norm.ppf(0.5 + confidence / 2)
    total = site_variance + parent_variance + residual_variance
    parents = long.drop_duplicates("parent")
    return {
        "estimate": estimate, "se": se, "ci_low": estimate - q * se,
        "ci_high": estimate + q * se,
        "p": float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
        "site_variance": site_variance, "parent_variance": parent_variance,
        "residual_variance": residual_variance,
        "icc_site": site_variance / total if total > 0 else math.nan,
        "k_sites": int(long["site"].nunique()), "n_parents": len(parents),
        "n_intervention": int((parents["treated"] == 1).sum()),
        "n_comparison": int((parents["treated"] == 0).sum()), "n_observations": len(long),
    }


def site_arm_long_scores(scores: pd.DataFrame, participants: pd.DataFrame, outcome: Mapping,
                         design: str) -> pd.DataFrame:
    """One controlled site's analysed scores of one outcome in long form (pseudonym, time,
    treated, score): intervention completers and every comparison parent, as in the site's own
    controlled analysis (:func:`parentgroup.analysis.controlled.analysed_by_arm`)."""
    arms = analysed_by_arm(participants)
    treated = set(arms["intervention"])
    wide = outcome_scores(scores, outcome, design)
    wide = wide[wide["pseudonym"].isin(treated | set(arms["comparison"]))]
    long = wide.melt(id_vars=["pseudonym"], value_vars=["pre", "post"], var_name="role",
                     value_name="score").dropna(subset=["score"])
    long["time"] = (long["role"] == "post").astype(int)
    long["treated"] = long["pseudonym"].isin(treated).astype(int)
    return long[["pseudonym", "time", "treated", "score"]].sort_values(
        ["pseudonym", "time"], ignore_index=True)


def _pool_column(tables: Mapping[str, pd.DataFrame], outcome: str, estimate: str, se: str,
                 confidence: float) -> tuple[int, dict]:
    """REML random-effects pooling of one column of the sites' controlled.csv rows."""
    effects, variances = [], []
    for table in tables.values():
        row = table[table["outcome"] == outcome]
        if row.empty:
            continue
        y, s = float(row[estimate].iloc[0]), float(row[se].iloc[0])
        if math.isfinite(y) and math.isfinite(s) and s > 0:
            effects.append(y)
            variances.append(s * s)
    return len(effects), random_effects(np.array(effects), np.array(variances), "reml",
                                        confidence)


def pooled_controlled_table(
    sites: Mapping[str, Mapping], *, outcomes: Mapping[str, Mapping],
    controlled: Mapping[str, pd.DataFrame], confidence_level: float = 0.95,
) -> pd.DataFrame:
    """results/pooled/controlled.csv: per outcome (``outcomes`` order) the between-arm effect
    across the controlled sites, one-stage (:func:`one_stage_arm_model`) beside the two-stage
    REML pooling of the sites' interactions, ANCOVA differences and d_ppc2 (module docstring).

    ``sites`` maps each controlled site to ``{"scores", "participants", "design"}``;
    ``controlled`` maps it to its ``controlled.csv``.
    """
    rows = []
    for oid, outcome in outcomes.items():
        spec = {"instrument": outcome["instrument"], "scale": outcome["scale"],
                "scoring": outcome.get("scoring", "mean")}
        parts = [site_arm_long_scores(entry["scores"], entry["participants"], spec,
                                      entry["design"]).assign(site=site)
                 for site, entry in sites.items()]
        parts = [part for part in parts if part["treated"].nunique() == 2]
        long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        row = dict.fromkeys(POOLED_CONTROLLED_COLUMNS, math.nan)
        row.update(outcome=oid, agreement="", note="")
        for name, estimate, se in (("two_stage", "mixed_interaction", "mixed_se"),
                                   ("ancova", "ancova_difference", "ancova_se_hc3"),
                                   ("d_ppc2", "d_ppc2", "d_ppc2_se")):
            k, meta = _pool_column(controlled, oid, estimate, se, confidence_level)
            row.update({f"{name}_estimate": meta["estimate"], f"{name}_ci_low": meta["ci_low"],
                        f"{name}_ci_high": meta["ci_high"], f"{name}_tau2": meta["tau2"],
                        f"{name}_i2": meta["i2"]})
            if name == "two_stage":
                row.update(two_stage_k_sites=k, two_stage_se=meta["se"])
        if long.empty or long["site"].nunique() < 2:
            row.update(k_sites=0 if long.empty else int(long["site"].nunique()),
                       note=NOTE_TOO_FEW_CONTROLLED)
            rows.append(row)
            continue
        try:
            result = one_stage_arm_model(long, confidence=confidence_level)
        except ValueError:
            row.update(k_sites=int(long["site"].nunique()), note=NOTE_NOT_FITTED)
            rows.append(row)
            continue
        row.update(result)
        row["agreement"] = agreement(
            result, {"estimate": row["two_stage_estimate"], "ci_low": row["two_stage_ci_low"],
                     "ci_high": row["two_stage_ci_high"]})
        if row["agreement"] == "disagree":
            row["note"] = NOTE_DISAGREE
        log.info("pooled controlled %s: %d sites, interaction %.3f one-stage, %.3f two-stage",
                 oid, result["k_sites"], result["estimate"], row["two_stage_estimate"])
        rows.append(row)
    table = pd.DataFrame(rows, columns=POOLED_CONTROLLED_COLUMNS)
    for column in ("k_sites", "two_stage_k_sites"):
        table[column] = table[column].astype(int)
    return table


def read_pooled_sites(sites, scores_paths, participants_paths, designs) -> dict[str, dict]:
    """The per-site inputs of the pooled models, ``{site: {"scores", "participants",
    "design"}}``, read from each site's scores.csv and participants.csv (the pooled rules'
    inputs, in the order of ``sites``)."""
    return {
        site: {"scores": read_named(scores, "scores"),
               "participants": read_named(participants, "participants"), "design": design}
        for site, scores, participants, design in zip(
            sites, scores_paths, participants_paths, designs, strict=True)
    }
