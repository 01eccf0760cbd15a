"""Engagement and robustness around the paired analysis: dose-response, completers against
everyone with data, response shift (three-timepoint designs), retention and early leavers, and
a sensitivity power table. Under the one disclosure rule (:mod:`parentgroup.disclosure`) the
flow counts (enrolled, completers, early leavers and the n of each group) are exact, and what a
group of fewer than ``analysis.min_cell_size`` parents did or said (a median, a mean, reasons for
leaving) is withheld as "[c]".
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from parentgroup.analysis.effect_sizes import cohens_d_z, rank_ready_differences
from parentgroup.analysis.paired_tests import (
    alternative_for_direction,
    analysis_settings,
    completer_pseudonyms,
    minimum_detectable_d_z,
    outcome_scores,
)
from parentgroup.disclosure import (
    WITHHELD,
    category_counts,
    flow_count,
    isolates_few,
    small_count,
)
from parentgroup.tables import as_bool

log = logging.getLogger(__name__)

DOSE_RESPONSE_COLUMNS = ["outcome", "n", "spearman_rho", "p", "includes_early_leavers"]
SENSITIVITY_COLUMNS = ["outcome", "sample", "n_pairs", "mean_change", "d_z", "p"]
RESPONSE_SHIFT_COLUMNS = ["outcome", "n_pairs", "mean_shift", "t", "p", "d_z"]
ENGAGEMENT_COLUMNS = ["measure", "group", "value", "detail"]
POWER_COLUMNS = ["outcome", "n_pairs", "alpha", "power", "min_detectable_d_z"]

#: Power levels of the sensitivity power table.
POWER_LEVELS = (0.8, 0.9, 0.95)


def _paired_t(a: np.ndarray, b: np.ndarray, alternative: str = "two-sided") -> tuple[float, float]:
    """Paired t of b - a and its p; NaN when undefined (n < 3 or no variation)."""
    diff = b - a
    if diff.size < 3 or np.all(diff == diff[0]):
        return math.nan, math.nan
    res = stats.ttest_rel(b, a, alternative=alternative)
    return float(res.statistic), float(res.pvalue)


def _early_leavers(participants: pd.DataFrame) -> pd.Series:
    if "left_early" in participants:
        return as_bool(participants["left_early"])
    return ~as_bool(participants["completer"])


def dose_response(
    scores: pd.DataFrame, participants: pd.DataFrame, *, config: Mapping, design: str
) -> pd.DataFrame:
    """Spearman correlation of sessions attended with the change (post - pre) per outcome.

    Everyone with both scores is included, completers and early leavers alike (restricting to
    completers would truncate the range of attendance). NaN when n < 3 or either variable is
    constant. The changes are ranked after rounding to 9 decimals, as in the signed-rank test
    (:func:`~parentgroup.analysis.effect_sizes.rank_ready_differences`).
    """
    sessions = participants.assign(pseudonym=participants["pseudonym"].astype(str)).set_index(
        "pseudonym"
    )
    completers = set(completer_pseudonyms(participants))
    rows = []
    for outcome in config["outcomes"]:
        wide = outcome_scores(scores, outcome, design).dropna(subset=["pre", "post"])
        wide = wide[wide["pseudonym"].isin(sessions.index)]
        attended = pd.to_numeric(
            sessions.loc[wide["pseudonym"], "sessions_attended"], errors="coerce"
        ).to_numpy()
        # rounded to 9 decimals before ranking, so that changes equal as fractions (29/6 - 25/6,
        # 4 - 10/3) share their rank (rank_ready_differences)
        change = rank_ready_differences((wide["post"] - wide["pre"]).to_numpy())
        ok = np.isfinite(attended) & np.isfinite(change)
        rho = p = math.nan
        if ok.sum() >= 3 and np.ptp(attended[ok]) > 0 and np.ptp(change[ok]) > 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", stats.ConstantInputWarning)
                res = stats.spearmanr(attended[ok], change[ok])
            rho, p = float(res.statistic), float(res.pvalue)
        rows.append(
            {
                "outcome": outcome["id"], "n": int(ok.sum()), "spearman_rho": rho, "p": p,
                "includes_early_leavers": bool(
                    any(x not in completers for x in wide["pseudonym"][ok])
                ),
            }
        )
    return pd.DataFrame(rows, columns=DOSE_RESPONSE_COLUMNS)


def completer_sensitivity(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    main: pd.DataFrame | None = None,
    config: Mapping,
    design: str,
    directions: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Completers against everyone with both scores: n, mean change, d_z and the paired t p.

    The p uses the same alternative as the main analysis (one-sided in the direction of
    improvement when configured). ``main`` and ``labels`` are accepted for a uniform call and not
    needed: the completer row is recomputed the same way as the main table's.
    """
    settings = analysis_settings(config)
    completers = set(completer_pseudonyms(participants))
    rows = []
    for outcome in config["outcomes"]:
        alternative, _ = alternative_for_direction(
            settings["alternative"], directions.get(outcome["id"], "higher_better")
        )
        wide = outcome_scores(scores, outcome, design).dropna(subset=["pre", "post"])
        for sample, data in (
            ("completers", wide[wide["pseudonym"].isin(completers)]),
            ("all_with_data", wide),
        ):
            pre, post = data["pre"].to_numpy(), data["post"].to_numpy()
            diff = post - pre
            rows.append(
                {
                    "outcome": outcome["id"], "sample": sample, "n_pairs": int(diff.size),
                    "mean_change": float(diff.mean()) if diff.size else math.nan,
                    "d_z": cohens_d_z(diff) if diff.size >= 3 else math.nan,
                    "p": _paired_t(pre, post, alternative)[1],
                }
            )
        # differencing: beside the completers' row, a row over fewer than min_cell_size more
        # parents (the early leavers) gives their own changes; withheld unless the config
        # allows early leavers' scores in shared tables
        completer_row, all_row = rows[-2], rows[-1]
        if not settings["early_leavers_in_tables"] and isolates_few(
                all_row["n_pairs"], completer_row["n_pairs"], settings["min_cell_size"]):
            all_row.update(mean_change=math.nan, d_z=math.nan, p=math.nan)
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def response_shift(
    scores: pd.DataFrame, participants: pd.DataFrame, *, config: Mapping, design: str
) -> pd.DataFrame:
    """Response shift in a three-timepoint design: the retrospective then-test against the
    traditional pretest (Howard 1980), among completers with both.

    mean_shift = mean(then - pre); paired t (df = n - 1), two-sided p, and d_z = mean / SD of the
    shifts. Other designs have no traditional pretest: an empty table.
    """
    if design != "three_timepoint":
        return pd.DataFrame(columns=RESPONSE_SHIFT_COLUMNS)
    completers = completer_pseudonyms(participants)
    rows = []
    for outcome in config["outcomes"]:
        wide = outcome_scores(scores, outcome, design)
        data = wide[wide["pseudonym"].isin(completers)].dropna(subset=["baseline", "pre"])
        baseline, then = data["baseline"].to_numpy(), data["pre"].to_numpy()
        shift = then - baseline
        t, p = _paired_t(baseline, then)
        rows.append(
            {
                "outcome": outcome["id"], "n_pairs": int(shift.size),
                "mean_shift": float(shift.mean()) if shift.size else math.nan, "t": t, "p": p,
                "d_z": cohens_d_z(shift) if shift.size >= 3 else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=RESPONSE_SHIFT_COLUMNS)


def engagement_summary(
    scores: pd.DataFrame,
    participants: pd.DataFrame,
    attendance: pd.DataFrame,
    *,
    config: Mapping,
    design: str,
) -> pd.DataFrame:
    """engagement.csv: who stayed, who left, and whether leavers started out differently.

    Rows (measure / group): ``participants`` enrolled, completers, early_leavers;
    ``attending_session`` per session (n attending); ``sessions_attended_median`` per group;
    ``baseline_mean:<outcome>`` for completers and early leavers (the mean pre score, shown only
    when each group has at least min_cell_size people with a score, else "[c]");
    ``reason_left`` counts per category among early leavers
    (:func:`parentgroup.disclosure.category_counts`: with fewer than min_cell_size early
    leavers, one row ``withheld`` / "[c]" instead). Counts of people in the flow and each
    group's n are exact; per-session attendance counts below min_cell_size are "<N".
    """
    k = analysis_settings(config)["min_cell_size"]
    people = participants.assign(pseudonym=participants["pseudonym"].astype(str))
    completer = as_bool(people["completer"])
    leaver = _early_leavers(people)
    rows: list[dict] = []

    def add(measure: str, group: str, value, detail: str = "") -> None:
        rows.append({"measure": measure, "group": group, "value": value, "detail": detail})

    min_sessions = config.get("completer_min_sessions")
    add("participants", "enrolled", flow_count(len(people)))
    add(
        "participants", "completers", flow_count(int(completer.sum())),
        f"attended at least {min_sessions} sessions" if min_sessions else "",
    )
    add("participants", "early_leavers", flow_count(int(leaver.sum())), "left early")

    if len(attendance):
        att = attendance.assign(
            session=pd.to_numeric(attendance["session"], errors="coerce"),
            attended=pd.to_numeric(attendance["attended"], errors="coerce").fillna(0),
        ).dropna(subset=["session"])
        per_session = att[att["attended"] > 0].groupby("session")["pseudonym"].nunique()
        for session in sorted(att["session"].unique()):
            n = int(per_session.get(session, 0))
            add("attending_session", f"session_{int(session)}", small_count(n, k))

    sessions = pd.to_numeric(people["sessions_attended"], errors="coerce")
    groups = (("completers", completer), ("early_leavers", leaver))
    for name, mask in groups:
        values = sessions[mask].dropna()
        value = float(values.median()) if len(values) >= k else WITHHELD if len(values) else ""
        detail = f"n = {flow_count(len(values))}"
        if value == WITHHELD:
            detail += f"; withheld: fewer than {k} parents in the group"
        add("sessions_attended_median", name, value, detail)

    for outcome in config["outcomes"]:
        wide = outcome_scores(scores, outcome, design).set_index("pseudonym")["pre"].dropna()
        cells = []
        for name, mask in groups:
            ids = people.loc[mask, "pseudonym"]
            cells.append((name, wide[wide.index.isin(ids)]))
        shown = all(len(v) >= k for _, v in cells)
        for name, values in cells:
            value = float(values.mean()) if shown else WITHHELD if len(values) else ""
            detail = f"n = {flow_count(len(values))}"
            if not shown and len(values) >= k:
                detail += "; mean withheld: the other group is below the minimum cell size"
            elif not shown and len(values):
                detail += f"; withheld: fewer than {k} parents in the group"
            add(f"baseline_mean:{outcome['id']}", name, value, detail)

    if "reason_left_category" in people:
        reasons = (
            people.loc[leaver, "reason_left_category"]
            .fillna("")
            .astype(str)
            .str.strip()
            .replace("", "not recorded")
        )
        shown_reasons = category_counts(int(leaver.sum()),
                                        dict(sorted(reasons.value_counts().items())),
                                        min_cell_size=k)
        if shown_reasons is None and len(reasons):
            add("reason_left", "withheld", WITHHELD,
                f"withheld: fewer than {k} early leavers, or a small reason would follow "
                "from the others")
        for reason, n in (shown_reasons or {}).items():
            add("reason_left", reason, n)
    return pd.DataFrame(rows, columns=ENGAGEMENT_COLUMNS)


def sensitivity_power(paired_tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """power.csv: the smallest d_z a two-sided paired t test detects with each outcome's n at
    80%, 90% and 95% power (``statsmodels`` TTestPower; Cohen 1988). NaN for n < 3."""
    rows = [
        {
            "outcome": row.outcome, "n_pairs": int(row.n_pairs), "alpha": alpha, "power": power,
            "min_detectable_d_z": minimum_detectable_d_z(int(row.n_pairs), power, alpha),
        }
        for row in paired_tests.itertuples()
        for power in POWER_LEVELS
    ]
    return pd.DataFrame(rows, columns=POWER_COLUMNS)
