"""Controlled designs: an intervention arm against a comparison arm (waitlist or usual support).

A site declares each parent's arm in the roster column ``arm`` (``intervention`` or
``comparison``; docs/data-contracts.md). Without a comparison arm a site is single-group and
nothing here runs. With one, each outcome gets (table ``controlled``, one row per outcome):

- **ANCOVA** of post on arm adjusted for pre, ``post ~ pre + arm`` by ordinary least squares with
  HC3 heteroscedasticity-consistent standard errors (MacKinnon & White 1985; Long & Ervin 2000):
  the arm coefficient is the adjusted difference (intervention minus comparison) at equal pre
  scores, with its t-based confidence interval on the residual degrees of freedom.
- **d_ppc2** (Morris 2008), the between-group effect size of a pretest-posttest-control design,
  with its large-sample confidence interval (:func:`morris_d_ppc2`).
- the **arm-by-time interaction** of a linear mixed model, ``score ~ time * arm`` with a random
  intercept per parent, fitted by REML on every available score of the analysed parents (a
  parent with one score still informs the means); the interaction is the difference in mean
  change between the arms (:func:`arm_by_time_mixed_model`).

Who is analysed: in the intervention arm the completers (the same parents as the main paired
analysis); in the comparison arm everyone (a waitlist parent attends no sessions). Both arms'
within-group paired results are in ``paired_tests_by_arm`` (the paired_tests columns plus
``arm``). The estimates are validated against R's ``lm`` + ``sandwich::vcovHC(type = "HC3")``
and ``lme4::lmer`` / ``nlme::lme`` in tests/reference/controlled/ (script and printed output).

References
----------
Morris S.B. (2008). Estimating effect sizes from pretest-posttest-control group designs.
Organizational Research Methods 11(2):364-386. doi:10.1177/1094428106291059
MacKinnon J.G. & White H. (1985). Some heteroskedasticity-consistent covariance matrix
estimators with improved finite sample properties. J Econometrics 29:305-325.
Long J.S. & Ervin L.H. (2000). Using heteroscedasticity consistent standard errors in the linear
regression model. Am Stat 54(3):217-224.
Laird N.M. & Ware J.H. (1982). Random-effects models for longitudinal data. Biometrics
38:963-974.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from parentgroup.analysis.paired_tests import (
    PAIRED_TESTS_COLUMNS,
    analysis_settings,
    completer_pseudonyms,
    outcome_scores,
    paired_tests,
)
from parentgroup.analysis.participant_flow import (
    ANALYSED_FOR,
    participant_flow,
    scoring_exclusions,
)
from parentgroup.config import design_times
from parentgroup.problems import InputProblem, raise_if_errors

log = logging.getLogger(__name__)

INTERVENTION = "intervention"
COMPARISON = "comparison"
#: The values the roster column ``arm`` may hold (case-insensitive; empty for every parent of a
#: single-group site).
ARMS = (INTERVENTION, COMPARISON)

CONTROLLED_COLUMNS = [
    "outcome", "label", "direction", "n_intervention", "n_comparison",
    "mean_pre_intervention", "mean_post_intervention", "mean_change_intervention",
    "mean_pre_comparison", "mean_post_comparison", "mean_change_comparison",
    "sd_pre_pooled", "r_pre_post_pooled",
    "ancova_difference", "ancova_se_hc3", "ancova_ci_low", "ancova_ci_high", "ancova_t",
    "ancova_df", "ancova_p", "ancova_pre_slope",
    "d_ppc2", "d_ppc2_se", "d_ppc2_ci_low", "d_ppc2_ci_high",
    "mixed_n_parents", "mixed_n_observations", "mixed_interaction", "mixed_se",
    "mixed_ci_low", "mixed_ci_high", "mixed_z", "mixed_p", "mixed_parent_variance",
    "mixed_residual_variance", "note",
]
BY_ARM_COLUMNS = ["arm", *PAIRED_TESTS_COLUMNS]

NOTE_TOO_FEW = "fewer than 2 complete pairs in an arm (or fewer than 5 in all)"
NOTE_NOT_FITTED = "the mixed model could not be fitted (no optimiser converged)"


# --------------------------------------------------------------------------------------------
# Arms
# --------------------------------------------------------------------------------------------


def participant_arms(participants: pd.DataFrame, file: str = "participants.csv") -> pd.Series:
    """Each pseudonym's arm (index pseudonym), ``""`` everywhere for a single-group site.

    A value other than intervention/comparison, or a site where some parents have an arm and
    others none, is an :class:`~parentgroup.problems.InputError` naming row and column.

    >>> participant_arms(pd.DataFrame({"pseudonym": ["P1", "P2"],
    ...                                "arm": ["Intervention", "comparison"]})).tolist()
    ['intervention', 'comparison']
    """
    if "arm" not in participants.columns:
        return pd.Series("", index=participants["pseudonym"].astype(str), dtype=str)
    arms = participants["arm"].fillna("").astype(str).str.strip().str.casefold()
    problems = []
    any_arm = (arms != "").any()
    for position, (index, value) in enumerate(arms.items()):
        if value in ARMS or (value == "" and not any_arm):
            continue
        expected = ("intervention or comparison (every parent of a controlled site has an arm)"
                    if value == "" else "intervention or comparison")
        problems.append(InputProblem(file, position + 2, "arm", participants.loc[index, "arm"],
                                     expected))
    raise_if_errors(problems, context="arms")
    return pd.Series(arms.to_numpy(), index=participants["pseudonym"].astype(str), dtype=str)


def has_comparison_arm(participants: pd.DataFrame) -> bool:
    """Whether any parent is in the comparison arm (then the controlled analysis runs).

    >>> has_comparison_arm(pd.DataFrame({"pseudonym": ["P1"], "arm": [""]}))
    False
    """
    return bool((participant_arms(participants) == COMPARISON).any())


def analysed_by_arm(participants: pd.DataFrame) -> dict[str, list[str]]:
    """The analysed pseudonyms of each arm: intervention completers, every comparison parent.

    >>> analysed_by_arm(pd.DataFrame({"pseudonym": ["A", "B", "C"], "completer": [
    ...     True, False, False], "arm": ["intervention", "intervention", "comparison"]}))
    {'intervention': ['A'], 'comparison': ['C']}
    """
    arms = participant_arms(participants)
    completers = set(completer_pseudonyms(participants))
    return {
        INTERVENTION: sorted(p for p, a in arms.items() if a == INTERVENTION and p in completers),
        COMPARISON: sorted(p for p, a in arms.items() if a == COMPARISON),
    }


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------


def ancova_hc3(pre: np.ndarray, post: np.ndarray, treated: np.ndarray,
               confidence: float = 0.95) -> dict:
    """ANCOVA of post on arm adjusted for pre, with HC3 standard errors.

    Model: post_i = b0 + b1 * pre_i + b2 * treated_i + e_i, fitted by OLS
    (``statsmodels.OLS(...).fit(cov_type="HC3")``). The HC3 covariance is
    (X'X)^-1 X' diag(e_i^2 / (1 - h_ii)^2) X (X'X)^-1 with h_ii the leverages (MacKinnon &
    White 1985). The adjusted difference is b2; its interval is b2 +- t_{1-a/2, n-3} * SE_HC3(b2)
    and its p value two-sided from t_{n-3} (as R's ``lmtest::coeftest(fit, vcovHC(fit, "HC3"))``).

    >>> r = ancova_hc3(np.array([1., 2, 3, 4, 1, 2, 3, 4]), np.array([2., 3, 5, 6, 1, 2, 3, 5]),
    ...                np.array([1, 1, 1, 1, 0, 0, 0, 0]))
    >>> round(r["difference"], 4), r["df"]
    (1.25, 5)
    """
    import statsmodels.api as sm  # here: the single-group analyse job never needs it (0.7 s)

    X = np.column_stack([np.ones(len(pre)), np.asarray(pre, float), np.asarray(treated, float)])
    fit = sm.OLS(np.asarray(post, float), X).fit(cov_type="HC3")
    df = int(fit.df_resid)
    estimate, se = float(fit.params[2]), float(fit.bse[2])
    t = estimate / se if se > 0 else math.nan
    q = stats.t.ppf(0.5 + confidence / 2, df)
    return {
        "difference": estimate, "se": se, "ci_low": estimate - q * se,
        "ci_high": estimate + q * se, "t": t, "df": df,
        "p": float(2 * stats.t.sf(abs(t), df)) if math.isfinite(t) else math.nan,
        "pre_slope": float(fit.params[1]),
    }


def pooled_pre_post_correlation(pre_t, post_t, pre_c, post_c) -> float:
    """The pooled within-arm pre-post correlation: the pooled covariance over the square root of
    the pooled variances, each pooled with n - 1 weights (the estimate of Morris's common rho).

    >>> round(pooled_pre_post_correlation([1, 2, 3], [1, 2, 3], [1, 2, 3], [3, 2, 1]), 6)
    0.0
    """
    def sums(pre, post):
        pre, post = np.asarray(pre, float), np.asarray(post, float)
        a, b = pre - pre.mean(), post - post.mean()
        return (a * b).sum(), (a * a).sum(), (b * b).sum()

    (c1, a1, b1), (c2, a2, b2) = sums(pre_t, post_t), sums(pre_c, post_c)
    denominator = math.sqrt((a1 + a2) * (b1 + b2))
    return float((c1 + c2) / denominator) if denominator > 0 else math.nan


def morris_d_ppc2(pre_t, post_t, pre_c, post_c, confidence: float = 0.95) -> dict:
    """Morris (2008) d_ppc2 for a pretest-posttest-control design, with its confidence interval.

    d_ppc2 = c_p * [(M_post,T - M_pre,T) - (M_post,C - M_pre,C)] / SD_pre,pooled

    with SD_pre,pooled = sqrt(((n_T - 1) SD_pre,T^2 + (n_C - 1) SD_pre,C^2) / (n_T + n_C - 2))
    and the small-sample correction c_p = 1 - 3 / (4 (n_T + n_C - 2) - 1) (Morris 2008, eqs. 8
    and 10). Its sampling variance (Morris 2008, eq. 25), with rho the common pre-post
    correlation (estimated by :func:`pooled_pre_post_correlation`) and delta estimated by d_ppc2:

    var = 2 c_p^2 (1 - rho) ((n_T + n_C) / (n_T n_C)) ((n_T + n_C - 2) / (n_T + n_C - 4))
          * (1 + delta^2 / (2 (1 - rho) (n_T + n_C) / (n_T n_C))) - delta^2

    The interval is d_ppc2 +- z_{1-a/2} sqrt(var). Positive: the intervention arm rose more.
    Reference: Morris S.B. (2008), Organizational Research Methods 11(2):364-386; the same
    estimator as R ``MDMA::dPPC2`` (checked in tests/reference/controlled/).

    >>> r = morris_d_ppc2([1, 2, 3, 4], [3, 4, 5, 6], [1, 2, 3, 4], [1, 2, 3, 4])
    >>> round(r["d_ppc2"], 4)  # (1 - 3/23) * 2 / 1.2910
    1.3471
    """
    pre_t, post_t, pre_c, post_c = (np.asarray(x, float) for x in (pre_t, post_t, pre_c, post_c))
    n_t, n_c = len(pre_t), len(pre_c)
    n = n_t + n_c
    sd_pooled = math.sqrt(((n_t - 1) * pre_t.var(ddof=1) + (n_c - 1) * pre_c.var(ddof=1))
                          / (n - 2))
    c_p = 1 - 3 / (4 * (n - 2) - 1)
    difference = (post_t.mean() - pre_t.mean()) - (post_c.mean() - pre_c.mean())
    d = float(c_p * difference / sd_pooled) if sd_pooled > 0 else math.nan
    rho = pooled_pre_post_correlation(pre_t, post_t, pre_c, post_c)
    k = (n_t + n_c) / (n_t * n_c)
    if n > 4 and math.isfinite(d) and math.isfinite(rho) and rho < 1:
        variance = (2 * c_p ** 2 * (1 - rho) * k * ((n - 2) / (n - 4))
                    * (1 + d ** 2 / (2 * (1 - rho) * k)) - d ** 2)
    else:
        variance = math.nan
    se = math.sqrt(variance) if variance > 0 else math.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    return {"d_ppc2": d, "se": se, "ci_low": d - z * se, "ci_high": d + z * se,
            "sd_pre_pooled": sd_pooled, "rho": rho, "c_p": c_p}


def arm_by_time_mixed_model(long: pd.DataFrame, confidence: float = 0.95) -> dict:
    """The arm-by-time interaction of ``score ~ time * treated + (1 | pseudonym)``.

    ``long`` has one row per parent and time: ``pseudonym``, ``time`` (0 pre, 1 post),
    ``treated`` (1 intervention, 0 comparison) and ``score``. Fitted by REML with statsmodels
    ``MixedLM`` (Laird & Ware 1982), the same model as R ``lme4::lmer(score ~ time * treated +
    (1 | pseudonym))`` and ``nlme::lme(..., random = ~ 1 | pseudonym)``; the interaction is the
    intervention arm's mean change minus the comparison arm's. Its standard error is the
    generalised-least-squares one at the REML variance components,
    sqrt([(X' V^-1 X)^-1]_kk) (:func:`fixed_effects_covariance`), as lme4 and nlme report it
    (statsmodels' own ``bse_fe`` inverts the Hessian of the whole REML likelihood instead and
    differs in the 5th significant digit with unbalanced data). Interval and p value are Wald
    (normal).
    """
    import statsmodels.api as sm

    model = sm.MixedLM.from_formula("score ~ time * treated", groups="pseudonym", data=long)
    fit = fit_reml(model)
    if fit is None:
        return {"interaction": math.nan, "se": math.nan, "ci_low": math.nan,
                "ci_high": math.nan, "z": math.nan, "p": math.nan,
                "parent_variance": math.nan, "residual_variance": math.nan,
                "n_parents": int(long["pseudonym"].nunique()), "n_observations": len(long)}
    name = "time:treated"
    parent_variance, residual_variance = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    covariance = fixed_effects_covariance(model.exog, long["pseudonym"].to_numpy(),
                                          parent_variance, residual_variance)
    index = list(model.exog_names).index(name)
    estimate, se = float(fit.fe_params[name]), math.sqrt(covariance[index, index])
    z = estimate / se if se > 0 else math.nan
    q = stats.norm.ppf(0.5 + confidence / 2)
    return {
        "interaction": estimate, "se": se, "ci_low": estimate - q * se,
        "ci_high": estimate + q * se, "z": z,
        "p": float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
        "parent_variance": parent_variance, "residual_variance": residual_variance,
        "n_parents": int(long["pseudonym"].nunique()), "n_observations": len(long),
    }


#: The optimisers tried in turn when a REML fit fails outright: the first is the validated one
#: (L-BFGS, then Powell from its end point if it did not converge); the others only rescue a fit
#: whose L-BFGS steps reached a singular X' V^-1 X (seen with generated data: statsmodels
#: raises LinAlgError instead of stepping back).
REML_OPTIMISERS = (["lbfgs", "powell"], ["powell"], ["nm"], ["bfgs"])


def fit_reml(model):
    """Fit a statsmodels ``MixedLM`` by REML with the first optimiser of
    :data:`REML_OPTIMISERS` that returns finite fixed effects without raising; ``None`` (logged)
    when none does. Convergence warnings are silenced: a failed fit shows as NaN."""
    for method in REML_OPTIMISERS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = model.fit(reml=True, method=list(method))
        except (np.linalg.LinAlgError, ValueError) as error:
            log.info("REML fit with %s failed (%s); trying the next optimiser", method, error)
            continue
        if np.all(np.isfinite(np.asarray(fit.fe_params, float))):
            return fit
    log.warning("no optimiser fitted the mixed model; its estimates are left empty")
    return None


def fixed_effects_covariance(exog: np.ndarray, groups: np.ndarray,
                             parent_variance: float, residual_variance: float) -> np.ndarray:
    """(X' V^-1 X)^-1 for a random-intercept model, V block-diagonal per parent with blocks
    sigma_u^2 J + sigma_e^2 I (Laird & Ware 1982; lme4's ``vcov`` of the fixed effects).

    >>> cov = fixed_effects_covariance(np.ones((4, 1)), np.array(["a", "a", "b", "b"]), 1.0, 1.0)
    >>> round(float(cov[0, 0]), 6)  # two parents, each mean of 2 with variance 1 + 1/2
    0.75
    """
    exog = np.asarray(exog, float)
    information = np.zeros((exog.shape[1], exog.shape[1]))
    for group in pd.unique(groups):
        rows = exog[groups == group]
        block = parent_variance * np.ones((len(rows), len(rows))) + residual_variance * np.eye(
            len(rows))
        information += rows.T @ np.linalg.solve(block, rows)
    return np.linalg.inv(information)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _empty_row(outcome_id: str, label: str, direction: str, note: str) -> dict:
    row = dict.fromkeys(CONTROLLED_COLUMNS, math.nan)
    row.update(outcome=outcome_id, label=label, direction=direction, note=note)
    return row


def controlled_outcome_row(wide: pd.DataFrame, arms: Mapping[str, list[str]],
                           confidence: float) -> dict:
    """The between-arm statistics of one outcome from its wide scores (pseudonym, pre, post)."""
    treated_people, control_people = set(arms[INTERVENTION]), set(arms[COMPARISON])
    wide = wide[wide["pseudonym"].isin(treated_people | control_people)]
    wide = wide.assign(treated=wide["pseudonym"].isin(treated_people).astype(int))
    pairs = wide.dropna(subset=["pre", "post"])
    t_pairs, c_pairs = pairs[pairs["treated"] == 1], pairs[pairs["treated"] == 0]
    row = {"n_intervention": len(t_pairs), "n_comparison": len(c_pairs)}
    for arm, part in ((INTERVENTION, t_pairs), (COMPARISON, c_pairs)):
        row[f"mean_pre_{arm}"] = part["pre"].mean() if len(part) else math.nan
        row[f"mean_post_{arm}"] = part["post"].mean() if len(part) else math.nan
        row[f"mean_change_{arm}"] = (part["post"] - part["pre"]).mean() if len(part) else math.nan
    if min(len(t_pairs), len(c_pairs)) < 2 or len(pairs) < 5:
        row["note"] = NOTE_TOO_FEW
        return row
    ancova = ancova_hc3(pairs["pre"].to_numpy(), pairs["post"].to_numpy(),
                        pairs["treated"].to_numpy(), confidence)
    row.update({f"ancova_{k}" if k != "difference" else "ancova_difference": v
                for k, v in ancova.items() if k != "se"}, ancova_se_hc3=ancova["se"])
    morris = morris_d_ppc2(t_pairs["pre"], t_pairs["post"], c_pairs["pre"], c_pairs["post"],
                           confidence)
    row.update(d_ppc2=morris["d_ppc2"], d_ppc2_se=morris["se"], d_ppc2_ci_low=morris["ci_low"],
               d_ppc2_ci_high=morris["ci_high"], sd_pre_pooled=morris["sd_pre_pooled"],
               r_pre_post_pooled=morris["rho"])
    long = (wide.melt(id_vars=["pseudonym", "treated"], value_vars=["pre", "post"],
                      var_name="role", value_name="score")
            .dropna(subset=["score"])
            .assign(time=lambda f: (f["role"] == "post").astype(int))
            .sort_values(["pseudonym", "time"], ignore_index=True))
    mixed = arm_by_time_mixed_model(long[["pseudonym", "time", "treated", "score"]], confidence)
    row.update({f"mixed_{k}": v for k, v in mixed.items()})
    row["note"] = "" if math.isfinite(mixed["interaction"]) else NOTE_NOT_FITTED
    return row


def controlled_analysis(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    config: Mapping,
    design: str,
    directions: Mapping[str, str],
    labels: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """The ``controlled`` table (one row per outcome, config order) and ``paired_tests_by_arm``
    (the paired analysis within each arm) of a site with a comparison arm
    (docs/data-contracts.md). A site without one is a :class:`ValueError` (the workflow runs
    this only for sites whose roster has comparison parents)."""
    if not has_comparison_arm(participants):
        raise ValueError("controlled_analysis needs parents in the comparison arm")
    settings = analysis_settings(config)
    arms = analysed_by_arm(participants)
    rows = []
    for outcome in config["outcomes"]:
        oid = outcome["id"]
        label = labels.get(oid) or outcome.get("label") or oid
        wide = outcome_scores(scores, outcome, design)
        row = _empty_row(oid, label, directions.get(oid, ""), "")
        row.update(controlled_outcome_row(wide, arms, settings["confidence_level"]))
        rows.append(row)
    controlled = pd.DataFrame(rows, columns=CONTROLLED_COLUMNS)
    for column in ("n_intervention", "n_comparison"):
        controlled[column] = controlled[column].astype(int)
    log.info("controlled: %d outcomes, %d + %d parents analysed", len(controlled),
             len(arms[INTERVENTION]), len(arms[COMPARISON]))

    arm_of = participant_arms(participants)
    by_arm = []
    for arm, sample in ((INTERVENTION, "completers"), (COMPARISON, "all_with_data")):
        members = participants[participants["pseudonym"].astype(str).map(arm_of) == arm]
        if members.empty:
            continue
        table = paired_tests(scores[scores["pseudonym"].astype(str).isin(
            members["pseudonym"].astype(str))], members, config=config, design=design,
            directions=directions, labels=labels, sample=sample)
        by_arm.append(table.assign(arm=arm)[BY_ARM_COLUMNS])
    return {"controlled": controlled, "paired_tests_by_arm": pd.concat(by_arm, ignore_index=True)}


def controlled_participant_flow(participants: pd.DataFrame, *, exclusions: pd.DataFrame,
                                scores: pd.DataFrame, outcomes: list[dict],
                                completer_min_sessions: int, design: str,
                                labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The participant flow of a controlled site: the usual steps for the intervention arm
    (a waitlist parent is not an early leaver), then ``comparison_arm`` (its parents) and
    ``comparison_questionnaires_complete`` (those with every outcome at both times, analysed),
    with ``comparison_analysed_for_<outcome id>`` where an outcome's own n differs (as
    ``analysed_for_`` in :func:`~parentgroup.analysis.participant_flow.participant_flow`), then
    the recorded exclusions of everyone (a comparison parent's missing score: ``detail``
    starting ``comparison arm:``)."""
    arms = participant_arms(participants).to_numpy()
    intervention = participants[arms == INTERVENTION].reset_index(drop=True)
    comparison = participants[arms == COMPARISON].reset_index(drop=True)
    flow = participant_flow(participants=intervention, exclusions=exclusions, scores=scores,
                            outcomes=outcomes, completer_min_sessions=completer_min_sessions,
                            design=design, labels=labels)
    flow.loc[flow["step"] == "enrolled", "detail"] = "parents on the roster, intervention arm"
    everyone_scored = participant_flow(
        participants=comparison.assign(completer=True), exclusions=exclusions.iloc[0:0],
        scores=scores, outcomes=outcomes, completer_min_sessions=completer_min_sessions,
        design=design, labels=labels)
    complete = int(everyone_scored.loc[everyone_scored["step"] == "questionnaires_complete",
                                       "n"].iloc[0])
    per_outcome = everyone_scored[everyone_scored["step"].str.startswith(ANALYSED_FOR)]
    extra = pd.DataFrame([
        {"step": "comparison_arm", "n": len(comparison),
         "detail": "parents on the roster, comparison arm (waitlist or usual support)"},
        {"step": "comparison_questionnaires_complete", "n": complete,
         "detail": "comparison parents with every outcome scored at both times (analysed"
                   + (" on every outcome)" if len(per_outcome) else ")")},
        *({"step": f"comparison_{r['step']}", "n": r["n"],
           "detail": r["detail"].replace(": completers with", ": comparison parents with", 1)}
          for r in per_outcome.to_dict("records")),
    ], columns=flow.columns)
    excluded = flow["step"] == "excluded"
    recorded = set(exclusions["pseudonym"].astype(str)) if "pseudonym" in exclusions else set()
    waiting = comparison["pseudonym"].astype(str)
    times = [time for time, role in design_times(design).items() if role in {"pre", "post"}]
    lost = pd.DataFrame(
        [{**row, "detail": f"comparison arm: {row['detail']}"} for row in scoring_exclusions(
            waiting[~waiting.isin(recorded)], scores, outcomes, times)],
        columns=flow.columns)
    return pd.concat([flow[~excluded], extra, flow[excluded], lost], ignore_index=True)
