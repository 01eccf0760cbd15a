"""Standardised effect sizes for paired (pre/post) designs, with their confidence intervals.

Sign convention: the difference is ``post - pre`` (the pipeline's change), so a positive effect
size means the scores rose.

References
----------
Lakens D. (2013). Calculating and reporting effect sizes to facilitate cumulative science: a
practical primer for t-tests and ANOVAs. Front Psychol 4:863. doi:10.3389/fpsyg.2013.00863
Algina J. & Keselman H.J. (2003). Approximate confidence intervals for effect sizes. Educ Psychol
Meas 63:537-553.
Steiger J.H. & Fouladi R.T. (1997); Kelley K. (2007). Confidence intervals for standardized effect
sizes. J Stat Softw 20(8).
Efron B. & Tibshirani R.J. (1993). An Introduction to the Bootstrap, ch. 14.3 (BCa).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

log = logging.getLogger(__name__)

#: Effect sizes the report may lead with (config analysis.lead_effect_size).
LEAD_EFFECT_SIZES = ("d_z", "d_av", "d_rm", "g_av")


def _nct_cdf(t: float, df: float, ncp: float) -> float:
    """P(T_{df, ncp} <= t), guarded against the NaN that scipy's nct.cdf returns for some
    far-tail arguments (then 1 - sf, and in the far tail the limit 0 or 1)."""
    # scipy.stats on first use: a job that only needs d_z (goals) skips its 1-1.5 s import
    from scipy import stats

    p = float(stats.nct.cdf(t, df, ncp))
    if math.isfinite(p):
        return p
    p = 1.0 - float(stats.nct.sf(t, df, ncp))
    if math.isfinite(p):
        return p
    return 1.0 if ncp < t else 0.0


def noncentrality_interval(
    t: float, df: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter of a t distribution (pivoting the CDF).

    Finds lambda_L and lambda_U with P(T_{df, lambda_L} <= t) = 1 - alpha/2 and
    P(T_{df, lambda_U} <= t) = alpha/2 (Steiger & Fouladi 1997; Kelley 2007), using
    ``scipy.stats.nct`` and Brent's root finder on a bracket that widens until it holds the root.

    Examples
    --------
    >>> lo, hi = noncentrality_interval(4.743416, 9)
    >>> round(lo / 10 ** 0.5, 4), round(hi / 10 ** 0.5, 4)
    (0.5605, 2.4034)
    """
    if not (math.isfinite(t) and math.isfinite(df) and df > 0):
        return (math.nan, math.nan)
    alpha = 1.0 - confidence

    from scipy import optimize

    def limit(target: float) -> float:
        def f(ncp: float) -> float:
            return _nct_cdf(t, df, ncp) - target

        width = max(10.0, 2.0 * abs(t))
        lo, hi = t - width, t + width
        for _ in range(60):
            if f(lo) > 0 > f(hi):  # cdf falls as ncp rises
                return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))
            lo, hi = lo - width, hi + width
            width *= 2
        return math.nan

    return (limit(1.0 - alpha / 2.0), limit(alpha / 2.0))


def cohens_d_z(diff: np.ndarray) -> float:
    """d_z = M_diff / SD_diff = t / sqrt(n) (Lakens 2013, eq. 6).

    Examples
    --------
    >>> round(cohens_d_z(np.array([0, 1, 1, 1, 1, 0, 1, 2, 1, 2.0])), 4)
    1.5
    """
    diff = np.asarray(diff, dtype=float)
    if diff.size < 2:
        return math.nan
    sd = diff.std(ddof=1)
    if sd == 0:
        return math.nan
    return float(diff.mean() / sd)


def hedges_correction(n_total: int) -> float:
    """Hedges' approximate small-sample correction J = 1 - 3 / (4 * N - 9), as in Lakens (2013).

    For g_av in a paired design Lakens uses N = n1 + n2 = 2n.

    >>> round(hedges_correction(20), 6)
    0.957746
    """
    return 1.0 - 3.0 / (4.0 * n_total - 9.0)


@dataclass(frozen=True)
class PairedEffectSizes:
    """Every effect size of one pre/post comparison (difference = post - pre)."""

    n: int
    mean_pre: float
    sd_pre: float
    mean_post: float
    sd_post: float
    r_pre_post: float
    mean_change: float
    sd_change: float
    t: float
    df: float
    d_z: float
    d_z_ci_low: float
    d_z_ci_high: float
    d_av: float
    d_av_ci_low: float
    d_av_ci_high: float
    d_rm: float
    g_av: float
    cles: float

    def as_dict(self) -> dict:
        return asdict(self)


def paired_effect_sizes(
    pre: np.ndarray, post: np.ndarray, confidence: float = 0.95
) -> PairedEffectSizes:
    """d_z, d_av, d_rm, g_av and the common-language effect size of paired scores.

    With D = post - pre, M_diff = mean(D), SD_diff = sd(D), r = cor(pre, post) (Lakens 2013):

    - d_z = M_diff / SD_diff; its CI is exact, from the noncentral t: [lambda_L, lambda_U] / sqrt(n)
      with df = n - 1 (Steiger & Fouladi 1997).
    - d_av = M_diff / ((SD_pre + SD_post) / 2) (Cumming 2012). Its CI is Algina & Keselman's
      (2003) approximation as ESCI computes it: [lambda_L, lambda_U] *
      sqrt(2 (s1^2 + s2^2 - 2 r s1 s2) / (n (s1^2 + s2^2))), which reproduces the within-subject
      interval [0.42, 1.80] Lakens reports for the movie data.
    - d_rm = d_z * sqrt(2 (1 - r)).
    - g_av = d_av * (1 - 3 / (4 * 2n - 9)).
    - CL = Phi(d_z), the probability that a randomly drawn person's change is positive.

    Undefined quantities (n < 2, zero variance) are NaN, never an exception.

    Examples
    --------
    Lakens (2013) movie ratings, movie 2 as "pre" and movie 1 as "post":

    >>> es = paired_effect_sizes(np.array([9, 6, 7, 8, 7, 9, 8, 8, 8, 7.]),
    ...                          np.array([9, 7, 8, 9, 8, 9, 9, 10, 9, 9.]))
    >>> round(es.t, 2), round(es.d_z, 2), round(es.d_av, 2), round(es.g_av, 2)
    (4.74, 1.5, 1.13, 1.08)
    """
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    n = int(pre.size)
    nan = math.nan
    diff = post - pre
    mean_pre = float(pre.mean()) if n else nan
    mean_post = float(post.mean()) if n else nan
    mean_change = float(diff.mean()) if n else nan
    if n < 2:
        return PairedEffectSizes(
            n, mean_pre, nan, mean_post, nan, nan, mean_change, nan, nan, nan,
            nan, nan, nan, nan, nan, nan, nan, nan, nan,
        )
    s1, s2 = float(pre.std(ddof=1)), float(post.std(ddof=1))
    sd_change = float(diff.std(ddof=1))
    r = float(np.corrcoef(pre, post)[0, 1]) if s1 > 0 and s2 > 0 else nan
    df = n - 1
    if sd_change > 0:
        t = mean_change / (sd_change / math.sqrt(n))
        d_z = mean_change / sd_change
        lo, hi = noncentrality_interval(t, df, confidence)
        d_z_ci = (lo / math.sqrt(n), hi / math.sqrt(n))
    else:
        t = d_z = nan
        lo = hi = nan
        d_z_ci = (nan, nan)
    sd_av = (s1 + s2) / 2.0
    d_av = mean_change / sd_av if sd_av > 0 else nan
    if sd_change > 0 and (s1**2 + s2**2) > 0:
        # s1^2 + s2^2 - 2 r s1 s2 equals var(D) exactly, so var(D) is used (defined when r is not)
        scale = math.sqrt(2.0 * sd_change**2 / (n * (s1**2 + s2**2)))
        d_av_ci = (lo * scale, hi * scale)
    else:
        d_av_ci = (nan, nan)
    d_rm = d_z * math.sqrt(2.0 * (1.0 - r)) if math.isfinite(r) else nan
    g_av = d_av * hedges_correction(2 * n)
    from scipy import special  # here: the report's kernel imports this module, not it

    cles = float(special.ndtr(d_z)) if math.isfinite(d_z) else nan
    return PairedEffectSizes(
        n=n, mean_pre=mean_pre, sd_pre=s1, mean_post=mean_post, sd_post=s2, r_pre_post=r,
        mean_change=mean_change, sd_change=sd_change, t=float(t), df=float(df), d_z=float(d_z),
        d_z_ci_low=float(d_z_ci[0]), d_z_ci_high=float(d_z_ci[1]), d_av=float(d_av),
        d_av_ci_low=float(d_av_ci[0]), d_av_ci_high=float(d_av_ci[1]), d_rm=float(d_rm),
        g_av=float(g_av), cles=cles,
    )


#: Decimals the paired differences are rounded to before they are ranked or compared with zero
#: (:func:`rank_ready_differences`).
RANK_DECIMALS = 9


def rank_ready_differences(diff: np.ndarray) -> np.ndarray:
    """The differences rounded to :data:`RANK_DECIMALS` (9) decimals, for the rank statistics.

    Scale scores are means (or prorated sums) of integer ratings, so they are rationals with
    small denominators and two truly different differences are at least about 1 / (k1 k2) apart
    (1/36 for two 6-item means, 1/272 for a 16- and a 17-item sum), while floating point leaves
    an error of about 1e-15 to 1e-13: 29/6 - 25/6 and 4 - 10/3 are both 2/3 but differ in the
    last bit as floats, and without rounding the two would get different ranks instead of sharing
    a mid-rank (and a zero change could count as non-zero).
    Rounding to 1e-9 is far below any instrument's resolution and far above that noise, so it
    joins exactly the values that are truly equal. (A true value lies on a rounding half only
    when its denominator has a factor 2^10 or 5^10, which no item scale has.) ``-0.0`` becomes
    ``0.0``.

    >>> d = np.array([29 / 6 - 25 / 6, 4 - 10 / 3, 1e-15])
    >>> len(set(d[:2].tolist())), rank_ready_differences(d).tolist()
    (2, [0.666666667, 0.666666667, 0.0])
    """
    return np.round(np.asarray(diff, dtype=float), RANK_DECIMALS) + 0.0


def matched_pairs_rank_biserial(diff: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation r = (R+ - R-) / (R+ + R-) (Kerby 2014).

    R+ and R- are the sums of the ranks of |D| over the positive and the negative differences;
    zero differences are dropped (Wilcoxon's convention). Ranges from -1 (every change negative)
    to +1 (every change positive). The differences are first rounded to 9 decimals
    (:func:`rank_ready_differences`), so that floating-point noise neither splits a tie nor
    turns a zero change into a signed one.

    >>> matched_pairs_rank_biserial(np.array([1.0, 2.0, -0.5, 0.0]))
    0.6666666666666666
    """
    diff = rank_ready_differences(diff)
    diff = diff[diff != 0]
    if diff.size == 0:
        return math.nan
    from scipy import stats

    ranks = stats.rankdata(np.abs(diff))
    r_plus = float(ranks[diff > 0].sum())
    r_minus = float(ranks[diff < 0].sum())
    return (r_plus - r_minus) / (r_plus + r_minus)


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def _d_z(x: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mean(x, axis=axis) / np.std(x, axis=axis, ddof=1)


def _jackknife_mean(x: np.ndarray) -> np.ndarray:
    """Leave-one-out means: (sum - x_i) / (n - 1)."""
    return (x.sum() - x) / (x.size - 1)


def _jackknife_d_z(x: np.ndarray) -> np.ndarray:
    """Leave-one-out d_z without the n x (n - 1) matrix of samples.

    With m the mean, e_i = x_i - m and SS = sum(e_i^2), leaving x_i out gives the mean
    (sum - x_i) / (n - 1) and the sum of squares SS - e_i^2 n / (n - 1) (the formula for the sum
    of squares of two pooled samples, Chan, Golub & LeVeque 1983, solved for the sample without
    x_i), so d_z(-i) = m(-i) / sqrt(SS(-i) / (n - 2)).
    A leave-one-out sample without variation (SS(-i) zero up to rounding) gives +/-inf or NaN,
    as the direct computation does.
    """
    n = x.size
    mean = x.mean()
    e = x - mean
    ss = float(np.sum(e**2))
    ss_i = ss - e**2 * n / (n - 1)
    ss_i = np.where(ss_i <= ss * 1e-12, 0.0, ss_i)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _jackknife_mean(x) / np.sqrt(ss_i / (n - 2))


#: Statistics of the differences the bootstrap knows: (the statistic vectorised along the last
#: axis, its n leave-one-out values for the BCa acceleration).
BOOTSTRAP_STATISTICS: dict[
    str, tuple[Callable[[np.ndarray, int], np.ndarray], Callable[[np.ndarray], np.ndarray]]
] = {
    "mean_change": (_mean, _jackknife_mean),
    "d_z": (_d_z, _jackknife_d_z),
}


@functools.lru_cache(maxsize=1)
def _resample_index(seed: int, n: int, n_resamples: int) -> np.ndarray:
    """The (n_resamples, n) index matrix of ``default_rng(seed)``, drawn once for the outcomes
    of a site that share n (25 million draws at n = 5000); read-only."""
    index = np.random.default_rng(seed).integers(0, n, (n_resamples, n))
    index.flags.writeable = False
    return index


def bca_intervals(
    diff: np.ndarray,
    *,
    n_resamples: int,
    seed: int,
    confidence: float = 0.95,
    statistics: tuple[str, ...] = ("mean_change", "d_z"),
) -> dict[str, tuple[float, float]]:
    """Bias-corrected and accelerated (BCa) bootstrap intervals of statistics of the differences.

    Resampling pairs is resampling the differences, so one index matrix of shape
    (n_resamples, n) is drawn once from ``numpy.random.default_rng(seed)`` and used for every
    statistic. For each statistic theta (Efron & Tibshirani 1993, 14.3; as in
    ``scipy.stats.bootstrap(method="BCa")``):

    - z0 = Phi^-1(p), p = (#{theta*_b < theta} + #{theta*_b <= theta}) / (2 B);
    - a = sum(U_i^3) / (6 (sum(U_i^2))^(3/2)), U_i = (n - 1)(mean_j theta_(j) - theta_(i)), the
      jackknife (leave-one-out) values theta_(i);
    - alpha_k = Phi(z0 + (z0 + z_k) / (1 - a (z0 + z_k))) for z_k = Phi^-1(alpha/2), Phi^-1(1 -
      alpha/2), and the interval is the alpha_1 and alpha_2 quantiles of the theta*_b.

    Degenerate data (n < 3, or all differences equal) give NaN limits. Same seed, same interval.

    >>> ci = bca_intervals(np.array([0, 1, 1, 1, 1, 0, 1, 2, 1, 2.]), n_resamples=2000, seed=1)
    >>> 0.5 < ci["mean_change"][0] < 1.0 < ci["mean_change"][1] < 1.5
    True
    """
    diff = np.asarray(diff, dtype=float)
    n = diff.size
    out = {name: (math.nan, math.nan) for name in statistics}
    if n < 3 or np.all(diff == diff[0]):
        return out
    resamples = diff[_resample_index(seed, n, n_resamples)]
    from scipy import special

    alpha = (1.0 - confidence) / 2.0
    z_alpha = float(special.ndtri(alpha))
    for name in statistics:
        fun, leave_one_out = BOOTSTRAP_STATISTICS[name]
        theta_hat = float(fun(diff, axis=-1))
        with np.errstate(divide="ignore", invalid="ignore"):
            theta_b = fun(resamples, axis=-1)
        if not np.all(np.isfinite(theta_b)):
            # a resample whose differences are all equal has d_z = +/-inf, which sorts beyond
            # every finite value and is kept; all-zero differences (0/0) count as no effect, 0.
            theta_b = np.where(np.isnan(theta_b), 0.0, theta_b)
        p = (np.count_nonzero(theta_b < theta_hat) + np.count_nonzero(theta_b <= theta_hat)) / (
            2.0 * n_resamples
        )
        z0 = float(special.ndtri(p))
        with np.errstate(divide="ignore", invalid="ignore"):
            theta_i = leave_one_out(diff)
            u = (n - 1) * (theta_i.mean() - theta_i)
        den = float(np.sum(u**2))
        if not math.isfinite(den):  # a leave-one-out sample without variation: d_z undefined
            continue
        a_hat = float(np.sum(u**3) / n**3) / 6.0 / (den / n**2) ** 1.5 if den > 0 else 0.0
        limits = []
        for z in (z_alpha, -z_alpha):
            num = z0 + z
            limits.append(float(special.ndtr(z0 + num / (1.0 - a_hat * num))))
        if not all(math.isfinite(x) for x in limits):
            continue
        with np.errstate(invalid="ignore"):
            lo, hi = np.quantile(theta_b, limits)
        out[name] = (float(lo), float(hi))
    return out
