"""Synthetic then/now questionnaires calibrated to the published effects (SYNTHETIC DATA).

Targets over the 12 completers (change = now - then, d_z = mean(change) / sd(change)):
PRFQ pre-mentalizing d_z = -1.34 (a decrease), interest and curiosity +1.83, certainty about
mental states -0.63 (a decrease; paired p = .053, which with n = 12 means |d_z| = t(.9735, 11) /
sqrt(12) = 0.626, so it is steered to -0.626 +- 0.004: p between .051 and .055), PSOC total
+1.61 (Chelouche-Dwek & Fonagy 2026); PSOC satisfaction and efficacy are not published and are
steered to about +1.3 and +1.4.

Private scorer (the pipeline's ``parentgroup.scoring.scales`` applies the same rules; this one exists
only for calibration):

- PRFQ (items 1-7): a subscale is the MEAN of its six items after reversing items 11 and 18 as
  8 - x; pre-mentalizing 1, 4, 7, 10, 13, 16; certainty 2, 5, 8, 11, 14, 17; interest and
  curiosity 3, 6, 9, 12, 15, 18.
- PSOC (items 1-6, 1 = strongly disagree ... 6 = strongly agree): satisfaction items 2, 3, 4, 5,
  8, 9, 12, 14, 16 are reversed as 7 - x; efficacy 1, 6, 7, 10, 11, 13, 15; total = all 17 items
  (item 17 is positively worded, not reversed); scales are SUMS.
- Missing items: a scale with at most one missing item is prorated (mean of the answered items;
  for sums, that mean times the number of items), otherwise it is missing.
- d_z = mean(now - then) / sd(now - then, ddof=1) over the completers (Lakens 2013, eq. 7);
  e.g. changes (1, 2, 3) give 2 / 1 = 2.0.

Items are generated from latent person scores (so items of a scale correlate), a few answers are
left missing (at most one per scale, person and time, as in real data), and a seeded local search
then nudges single integer answers until every target is met after reverse keying, missing items
and proration. The scoring used here is deliberately written out again (the pipeline's scoring is
``parentgroup.scoring.scales``; the end-to-end test checks the two agree through the published values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRFQ_SCALES = {
    "pre_mentalizing": [1, 4, 7, 10, 13, 16],
    "certainty": [2, 5, 8, 11, 14, 17],
    "interest_curiosity": [3, 6, 9, 12, 15, 18],
}
PRFQ_REVERSED = {11, 18}
PSOC_SATISFACTION = [2, 3, 4, 5, 8, 9, 12, 14, 16]
PSOC_EFFICACY = [1, 6, 7, 10, 11, 13, 15]
PSOC_SCALES = {
    "satisfaction": PSOC_SATISFACTION,
    "efficacy": PSOC_EFFICACY,
    "total": list(range(1, 18)),
}
PSOC_REVERSED = set(PSOC_SATISFACTION)
TARGETS = {
    ("prfq", "pre_mentalizing"): (-1.34, 0.012),
    ("prfq", "interest_curiosity"): (1.83, 0.012),
    ("prfq", "certainty"): (-0.626, 0.004),
    ("psoc", "total"): (1.61, 0.012),
    ("psoc", "satisfaction"): (1.30, 0.15),
    ("psoc", "efficacy"): (1.40, 0.15),
}


def _scale_score(values: np.ndarray, items: list[int], use_sum: bool) -> np.ndarray:
    """Scored item values (persons x 17/18, NaN = missing) -> prorated scale score."""
    block = values[:, [i - 1 for i in items]]
    answered = (~np.isnan(block)).sum(axis=1)
    mean = np.nanmean(np.where(np.isnan(block), np.nan, block), axis=1)
    score = mean * len(items) if use_sum else mean
    return np.where(len(items) - answered <= 1, score, np.nan)


def d_z(then: np.ndarray, now: np.ndarray) -> float:
    """Cohen's d_z = mean(now - then) / sd(now - then, ddof=1) (Lakens 2013, eq. 7).

    >>> d_z(np.array([1.0, 1.0, 1.0]), np.array([2.0, 3.0, 4.0]))
    2.0
    """
    change = now - then
    return float(change.mean() / change.std(ddof=1))


def _scores(scored: dict[str, np.ndarray], instrument: str, scale: str) -> tuple:
    items = (PRFQ_SCALES if instrument == "prfq" else PSOC_SCALES)[scale]
    use_sum = instrument == "psoc"
    return (
        _scale_score(scored[f"{instrument}_then"], items, use_sum),
        _scale_score(scored[f"{instrument}_now"], items, use_sum),
    )


def _loss(scored: dict[str, np.ndarray]) -> float:
    total = 0.0
    for (instrument, scale), (target, tolerance) in TARGETS.items():
        gap = abs(d_z(*_scores(scored, instrument, scale)) - target)
        weight = 100.0 if tolerance < 0.05 else 1.0
        total += weight * max(0.0, gap - tolerance / 2) ** 2
    return total


def _latent_items(
    rng: np.random.Generator, n: int, n_items: int, top: int, centre: float, change: float,
    spread: float, noise: float, correlated_change: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Items = person level (+ person change at 'now') + item noise, rounded into 1..top."""
    person = rng.normal(centre, spread, n)
    shift = change + rng.normal(0, correlated_change, n)
    then = person[:, None] + rng.normal(0, noise, (n, n_items))
    now = (person + shift)[:, None] + rng.normal(0, noise, (n, n_items))
    return (np.clip(np.rint(then), 1, top), np.clip(np.rint(now), 1, top))


def calibrated_completers(rng: np.random.Generator, n: int = 12) -> dict[str, np.ndarray]:
    """Scored item matrices (higher = more of the construct, reverse keys already applied)."""
    scored: dict[str, np.ndarray] = {}
    prfq_then = np.full((n, 18), np.nan)
    prfq_now = np.full((n, 18), np.nan)
    for scale, centre, change in (
        ("pre_mentalizing", 4.1, -1.0), ("certainty", 4.6, -0.35),
        ("interest_curiosity", 4.4, 1.0),
    ):
        then, now = _latent_items(rng, n, 6, 7, centre, change, 0.9, 0.6, 0.6)
        columns = [i - 1 for i in PRFQ_SCALES[scale]]
        prfq_then[:, columns], prfq_now[:, columns] = then, now
    psoc_then = np.full((n, 17), np.nan)
    psoc_now = np.full((n, 17), np.nan)
    then, now = _latent_items(rng, n, 9, 6, 3.2, 0.9, 0.7, 0.6, 0.6)
    psoc_then[:, [i - 1 for i in PSOC_SATISFACTION]] = then
    psoc_now[:, [i - 1 for i in PSOC_SATISFACTION]] = now
    then, now = _latent_items(rng, n, 8, 6, 3.4, 0.9, 0.7, 0.6, 0.6)
    psoc_then[:, [i - 1 for i in [*PSOC_EFFICACY, 17]]] = then
    psoc_now[:, [i - 1 for i in [*PSOC_EFFICACY, 17]]] = now
    scored = {"prfq_then": prfq_then, "prfq_now": prfq_now,
              "psoc_then": psoc_then, "psoc_now": psoc_now}
    # a few missing answers, at most one per scale, person and time
    for key, person, item in (("prfq_then", 2, 7), ("prfq_now", 5, 12), ("psoc_now", 8, 9),
                              ("psoc_then", 10, 13)):
        scored[key][person, item - 1] = np.nan
    _search(rng, scored)
    return scored


def _done(scored: dict[str, np.ndarray]) -> bool:
    return all(
        abs(d_z(*_scores(scored, *key)) - target) <= tolerance
        for key, (target, tolerance) in TARGETS.items()
    )


def _search(rng: np.random.Generator, scored: dict[str, np.ndarray], steps: int = 60000) -> None:
    """Seeded local search: accept single-answer moves of +-1 that do not raise the loss."""
    loss = _loss(scored)
    # only the "now" answers move: the "then" answers keep the correlated structure they were
    # drawn with, so the scales' internal consistency stays realistic
    keys = sorted(k for k in scored if k.endswith("_now"))
    for step in range(steps):
        if step % 50 == 0 and _done(scored):
            return
        key = keys[rng.integers(len(keys))]
        matrix = scored[key]
        person = rng.integers(matrix.shape[0])
        item = rng.integers(matrix.shape[1])
        old = matrix[person, item]
        if np.isnan(old):
            continue
        top = 7 if key.startswith("prfq") else 6
        new = old + (1 if rng.random() < 0.5 else -1)
        if not 1 <= new <= top:
            continue
        matrix[person, item] = new
        candidate = _loss(scored)
        if candidate <= loss:
            loss = candidate
        else:
            matrix[person, item] = old
    raise RuntimeError(f"calibration did not converge (loss {loss:.3g}); change the seed")


def early_leaver(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One early leaver's answers: plausible, with a smaller change in the same directions.

    Scored values (reverse keys applied): a third of the answers move one point, down for
    pre-mentalizing and certainty, up for interest and curiosity and for the PSOC.
    """
    out = {}
    prfq_sign = np.zeros(18)
    for scale, sign in (("pre_mentalizing", -1), ("certainty", -1), ("interest_curiosity", 1)):
        prfq_sign[[i - 1 for i in PRFQ_SCALES[scale]]] = sign
    for instrument, n_items, top, centre, sign in (
        ("prfq", 18, 7, 4.2, prfq_sign), ("psoc", 17, 6, 3.1, np.ones(17))
    ):
        then = np.clip(np.rint(centre + rng.normal(0, 0.8, n_items)), 1, top)
        now = np.clip(np.rint(then + sign * rng.choice([0, 0, 1], n_items)), 1, top)
        out[f"{instrument}_then"], out[f"{instrument}_now"] = then[None, :], now[None, :]
    return out


def presented(scored: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Undo the reverse keys: the answers as the parent ticked them."""
    out = {}
    for key, matrix in scored.items():
        values = matrix.copy()
        reversed_items = PRFQ_REVERSED if key.startswith("prfq") else PSOC_REVERSED
        top = 7 if key.startswith("prfq") else 6
        for item in reversed_items:
            values[:, item - 1] = (top + 1) - values[:, item - 1]
        out[key] = values
    return out


def questionnaire_table(record_ids: list[str], answers: dict[str, np.ndarray]) -> pd.DataFrame:
    """Wide table: record_id + prfq_01_then ... psoc_17_now (empty cell = missing)."""
    columns: dict[str, list] = {"record_id": record_ids}
    for instrument, n_items in (("prfq", 18), ("psoc", 17)):
        for time in ("then", "now"):
            matrix = answers[f"{instrument}_{time}"]
            for item in range(1, n_items + 1):
                columns[f"{instrument}_{item:02d}_{time}"] = [
                    "" if np.isnan(v) else str(int(v)) for v in matrix[:, item - 1]
                ]
    return pd.DataFrame(columns)


def achieved(scored: dict[str, np.ndarray]) -> dict[tuple[str, str], float]:
    return {key: d_z(*_scores(scored, *key)) for key in TARGETS}
