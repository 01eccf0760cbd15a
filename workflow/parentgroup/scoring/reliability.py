"""Internal consistency of each scale at each time: Cronbach's alpha with its Feldt confidence
interval, McDonald's omega total and corrected item-total correlations.

All statistics use the scored items (after recode and reverse keys) of the respondents who
answered every item of the scale at that time (listwise complete cases). Fewer than 3 complete
cases, or items/totals without variance give NaN with a ``note``, never an exception. A one-item
scale (a single rating, a visual analogue scale, a goal rating) is valid: its row says
"not applicable (one item)" and its statistics are empty.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import special

from parentgroup.instruments import Instrument
from parentgroup.scoring.scales import ordered_times, scored_items

log = logging.getLogger(__name__)

RELIABILITY_COLUMNS = ["instrument", "scale", "time", "n", "k_items", "alpha", "alpha_ci_low",
                       "alpha_ci_high", "omega", "note"]
ITEM_TOTAL_COLUMNS = ["instrument", "scale", "time", "item", "corrected_item_total_r"]
MIN_CASES = 3
#: The note of a one-item scale: alpha, omega and the item-total correlation need two items or
#: more (alpha's k / (k - 1) is undefined for k = 1), so they are not applicable, not missing.
ONE_ITEM_NOTE = "not applicable (one item)"


def cronbach_alpha(data: np.ndarray) -> float:
    """Cronbach's alpha of an n x k matrix of complete item scores.

    alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i)), variances with ddof = 1.

    Reference: Cronbach L.J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16:297-334. Same as ``pingouin.cronbach_alpha`` and R ``psych::alpha``.

    Examples
    --------
    >>> round(cronbach_alpha(np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]])), 4)
    0.9825
    """
    x = np.asarray(data, dtype=float)
    n, k = x.shape
    if k < 2 or n < 2:
        return float("nan")
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - item_var / total_var))


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval for Cronbach's alpha.

    With a = 1 - confidence, df1 = n - 1 and df2 = (n - 1)(k - 1):
    lower = 1 - (1 - alpha) * F_{1 - a/2}(df1, df2), upper = 1 - (1 - alpha) * F_{a/2}(df1, df2),
    where F_p is the p-quantile of the F distribution.

    Reference: Feldt L.S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. Psychometrika 30:357-370. As in ``pingouin.cronbach_alpha``
    (which rounds the interval to 3 decimals).

    Examples
    --------
    >>> [round(v, 4) for v in feldt_interval(0.8, 30, 6)]
    [0.6643, 0.8932]
    """
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return float("nan"), float("nan")
    a = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    # special.fdtri is the F quantile that scipy.stats.f.ppf calls; importing scipy.special
    # instead of scipy.stats saves the scoring job 1.5 s of start-up
    lower = 1 - (1 - alpha) * special.fdtri(df1, df2, 1 - a / 2)
    upper = 1 - (1 - alpha) * special.fdtri(df1, df2, a / 2)
    return float(lower), float(upper)


def one_factor_loadings(corr: np.ndarray, max_iter: int = 500, tol: float = 1e-8) -> np.ndarray:
    """Standardised loadings of a one-factor model by iterated principal-axis factoring.

    Start from squared multiple correlations as communalities (1 - 1/diag(R^-1), or the largest
    absolute correlation when R is singular), put them on the diagonal of R, take the first
    eigenvector scaled by the square root of its eigenvalue as loadings, replace the communalities
    by the squared loadings (capped at 0.995 to avoid Heywood cases) and repeat until they change
    by less than ``tol``. The sign is chosen so that the loadings sum to a positive number.

    Reference: the principal-axis method of ``psych::fa(fm = "pa")`` (Revelle) and
    ``statsmodels.multivariate.factor.Factor(method="pa")``, which this matches.
    """
    r = np.asarray(corr, dtype=float)
    k = r.shape[0]
    try:
        communality = 1 - 1 / np.diag(np.linalg.inv(r))
        if not np.all(np.isfinite(communality)) or np.any(communality <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        off = np.abs(r - np.eye(k))
        communality = off.max(axis=1)
    loadings = np.zeros(k)
    for _ in range(max_iter):
        reduced = r.copy()
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        top = values[-1]
        loadings = vectors[:, -1] * np.sqrt(max(top, 0.0))
        updated = np.minimum(loadings**2, 0.995)
        if np.max(np.abs(updated - communality)) < tol:
            communality = updated
            break
        communality = updated
    if loadings.sum() < 0:
        loadings = -loadings
    return loadings


def mcdonald_omega(data: np.ndarray) -> float:
    """McDonald's omega total from a one-factor model of the item correlation matrix.

    omega = (sum_i l_i)^2 / ((sum_i l_i)^2 + sum_i (1 - l_i^2)), with l_i the standardised
    one-factor loadings (:func:`one_factor_loadings`, iterated principal axis).

    Reference: McDonald R.P. (1999). Test theory: A unified treatment. Erlbaum; Revelle W. &
    Zinbarg R.E. (2009), Psychometrika 74:145-154. This is omega for the standardised items
    (as ``psych::omega`` reports for one factor); with three or more items.

    Examples
    --------
    >>> r = np.full((4, 4), 0.49); np.fill_diagonal(r, 1.0)   # every loading 0.7
    >>> x = np.random.default_rng(0).multivariate_normal(np.zeros(4), r, size=20000)
    >>> round(mcdonald_omega(x), 2)   # (4 * 0.7)^2 / ((4 * 0.7)^2 + 4 * 0.51) = 0.79
    0.8
    """
    x = np.asarray(data, dtype=float)
    n, k = x.shape
    if k < 3 or n < MIN_CASES or np.any(x.std(axis=0, ddof=1) == 0):
        return float("nan")
    loadings = one_factor_loadings(np.corrcoef(x, rowvar=False))
    common = loadings.sum() ** 2
    return float(common / (common + (1 - loadings**2).sum()))


def corrected_item_total(data: np.ndarray) -> np.ndarray:
    """Corrected item-total correlations: each item against the sum of the other items.

    r_i = cor(x_i, sum_{j != i} x_j) (Pearson). NaN where either side has no variance.

    Reference: Nunnally J.C. & Bernstein I.H. (1994). Psychometric theory (3rd ed.);
    ``psych::alpha`` column ``r.drop``.

    Examples
    --------
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]])
    >>> [round(float(v), 4) for v in corrected_item_total(x)]
    [0.9812, 0.9234, 0.9812]
    """
    x = np.asarray(data, dtype=float)
    total = x.sum(axis=1)
    out = np.full(x.shape[1], np.nan)
    if x.shape[0] < 2:
        return out
    for i in range(x.shape[1]):
        rest = total - x[:, i]
        if x[:, i].std() > 0 and rest.std() > 0:
            out[i] = np.corrcoef(x[:, i], rest)[0, 1]
    return out


def reliability_table(
    items: pd.DataFrame, instruments: dict[str, Instrument], confidence: float = 0.95
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reliability of every scale at every time, and its corrected item-total correlations.

    Parameters
    ----------
    items : long answers ``pseudonym, instrument, item, time, value``.
    instruments : instrument definitions by name.
    confidence : level of the Feldt interval.

    Returns
    -------
    ``(reliability, item_total)``: ``instrument, scale, time, n, k_items, alpha, alpha_ci_low,
    alpha_ci_high, omega, note`` and ``instrument, scale, time, item, corrected_item_total_r``,
    in instrument and scale (file) order, times pre, then, now, post. ``n`` counts listwise
    complete cases.
    """
    scored = scored_items(items, instruments)
    rows, item_rows = [], []
    times = ordered_times(scored["time"])
    for name, instrument in instruments.items():
        part = scored[scored["instrument"] == name]
        wide_by_time = {
            time: part[part["time"] == time].pivot_table(
                index="pseudonym", columns="item", values="scored", aggfunc="first", dropna=False
            )
            for time in times
        }
        for scale in instrument.scales:
            k = len(scale.items)
            for time in times:
                wide = wide_by_time[time]
                if wide.empty:
                    continue
                data = wide.reindex(columns=list(scale.items)).dropna(how="any")
                matrix = data.to_numpy(dtype=float)
                n = matrix.shape[0]
                notes = []
                alpha = low = high = omega = float("nan")
                r_drop = np.full(k, np.nan)
                if k < 2:
                    # a single rating, a visual analogue scale or a goal rating: internal
                    # consistency is not defined for one item (nothing to agree with)
                    notes.append(ONE_ITEM_NOTE)
                elif n < MIN_CASES:
                    notes.append(f"fewer than {MIN_CASES} complete cases")
                else:
                    zero = [item for item, sd in zip(scale.items, matrix.std(axis=0), strict=True)
                            if sd == 0]
                    if matrix.sum(axis=1).std() == 0:
                        notes.append("the scale total has no variance")
                    else:
                        alpha = cronbach_alpha(matrix)
                        low, high = feldt_interval(alpha, n, k, confidence)
                    if zero:
                        notes.append("no variance in item(s) " + ", ".join(map(str, zero))
                                     + ": omega not computed")
                    elif k < 3:
                        notes.append("omega needs at least 3 items")
                    else:
                        omega = mcdonald_omega(matrix)
                    r_drop = corrected_item_total(matrix)
                rows.append((name, scale.id, time, n, k, alpha, low, high, omega,
                             "; ".join(notes)))
                item_rows += [(name, scale.id, time, item, float(r))
                              for item, r in zip(scale.items, r_drop, strict=True)]
    reliability = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
    item_total = pd.DataFrame(item_rows, columns=ITEM_TOTAL_COLUMNS)
    return reliability, item_total
