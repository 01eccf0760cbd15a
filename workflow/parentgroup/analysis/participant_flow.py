"""The participant-flow table: who was enrolled, completed, answered, was interviewed, consented.

Every exclusion recorded by an earlier stage (``input_exclusions.csv``) appears as its own row,
and so, per outcome, does every completer whose score is missing at an analysis time (too many
items missing for the instrument's missing-item rule, or no answers), so no participant
disappears from the analysis without a trace.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from parentgroup.config import design_times
from parentgroup.tables import as_bool

FLOW_COLUMNS = ["step", "n", "detail"]
#: Why a completer's outcome score is missing at an analysis time (``scores.csv``).
MISSING_ITEMS = "too many items missing, score left empty by the missing-item rule"
UNANSWERED = "no answers, score left empty"
NOT_SCORED = "no score (no questionnaire answers)"
#: Step of the analysed n of one outcome, where it differs from ``questionnaires_complete``:
#: ``analysed_for_<outcome id>``; its detail starts with the outcome's label and a colon.
ANALYSED_FOR = "analysed_for_"


def participant_flow(
    *,
    participants: pd.DataFrame,
    exclusions: pd.DataFrame,
    scores: pd.DataFrame,
    outcomes: list[dict],
    completer_min_sessions: int,
    design: str,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Counts for enrolled -> attended >= threshold -> questionnaires complete -> interviewed
    -> quotes consented, then one row per recorded exclusion reason.

    "Questionnaires complete" counts completers with a score at both analysis times (pre and
    post roles of the design) for every configured outcome, after the missing-item rule. A
    completer lost there is counted, per outcome, in an ``excluded`` row with the reason
    (:func:`scoring_exclusions`), unless an input exclusion already names the parent. Each
    outcome's paired test uses every completer with both scores on *that* outcome (available
    cases: a parent missing one outcome is analysed on the others), so where an outcome's n
    differs from that count, a row ``analysed_for_<outcome id>`` with the outcome's own n (the
    ``n_pairs`` of its paired test) follows it, its detail starting with the outcome's label
    (``labels``, else the config's label or id): every n of the paired tests is in the flow.
    """
    completer = as_bool(participants["completer"])
    interviewed = as_bool(participants["interviewed"])
    consented = participants["consent_quotes"].astype(str).str.casefold().eq("yes")
    roles = design_times(design)
    needed_times = [time for time, role in roles.items() if role in {"pre", "post"}]
    scored = scores.dropna(subset=["score"])
    completer_ids = set(participants.loc[completer, "pseudonym"].astype(str))
    complete_ids = set(completer_ids)
    per_outcome = []
    for outcome in outcomes:
        rows = scored[
            (scored["instrument"].astype(str) == str(outcome["instrument"]))
            & (scored["scale"].astype(str) == str(outcome["scale"]))
            & (scored["scoring"].astype(str) == str(outcome.get("scoring", "mean")))
        ]
        mine = set(completer_ids)
        for time in needed_times:
            mine &= set(rows.loc[rows["time"].astype(str) == time, "pseudonym"].astype(str))
        complete_ids &= mine
        per_outcome.append((outcome, len(mine)))
    labels = dict(labels or {})
    analysed_for = [
        (f"{ANALYSED_FOR}{o['id']}", n,
         f"{labels.get(o['id']) or o.get('label') or o['id']}: completers with this outcome "
         "scored at both times, the n of its paired test (a parent missing another outcome is "
         "analysed on this one)")
        for o, n in per_outcome if n != len(complete_ids)
    ]
    steps = [
        ("enrolled", len(participants), "parents on the roster"),
        (
            "attended_min_sessions",
            int(completer.sum()),
            f"attended at least {completer_min_sessions} sessions (completers)",
        ),
        (
            "questionnaires_complete",
            len(complete_ids),
            "completers with every outcome scored at both times (analysed)"
            if not analysed_for else
            "completers with every outcome scored at both times (analysed on every outcome)",
        ),
        *analysed_for,
        ("interviewed", int(interviewed.sum()), "parents with an interview transcript"),
        (
            "quotes_consented",
            int((interviewed & consented).sum()),
            "interviewed parents who consented to be quoted",
        ),
        ("left_early", int((~completer).sum()), "attended fewer sessions than the threshold"),
    ]
    rows = [dict(zip(FLOW_COLUMNS, step, strict=True)) for step in steps]
    if not exclusions.empty:
        for reason, group in exclusions.groupby("reason", sort=True):
            rows.append(
                {
                    "step": "excluded",
                    "n": len(group),
                    "detail": f"{reason} ({', '.join(sorted(set(group['file'].astype(str))))})",
                }
            )
    recorded = set(exclusions["pseudonym"].astype(str)) if "pseudonym" in exclusions else set()
    completers = participants.loc[completer, "pseudonym"].astype(str)
    rows += scoring_exclusions(completers[~completers.isin(recorded)], scores, outcomes,
                               needed_times)
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def scoring_exclusions(people: pd.Series, scores: pd.DataFrame, outcomes: list[dict],
                       times: list[str]) -> list[dict]:
    """``excluded`` flow rows, per outcome and reason, for the ``people`` whose score of the
    outcome is missing at one of ``times``: :data:`MISSING_ITEMS` when some of its items were
    answered (more are missing than the instrument's ``max_missing`` allows), else
    :data:`UNANSWERED`, or :data:`NOT_SCORED` without any score row. A parent counts once per
    outcome (the first reason in that order)."""
    rows = []
    people = set(people.astype(str))
    pseudonyms = scores["pseudonym"].astype(str)
    for outcome in outcomes:
        mine = scores[(scores["instrument"] == outcome["instrument"])
                      & (scores["scale"] == outcome["scale"])
                      & (scores["scoring"] == outcome.get("scoring", "mean"))
                      & scores["time"].isin(times) & pseudonyms.isin(people)]
        reasons: dict[str, str] = {}
        for person, group in mine.groupby(mine["pseudonym"].astype(str), sort=True):
            empty = group[group["score"].isna()]
            if (pd.to_numeric(empty["items_answered"], errors="coerce") > 0).any():
                reasons[person] = MISSING_ITEMS
            elif len(empty) or set(group["time"]) != set(times):
                reasons[person] = UNANSWERED if len(empty) else NOT_SCORED
        for person in people - set(mine["pseudonym"].astype(str)):
            reasons[person] = NOT_SCORED
        for reason in (MISSING_ITEMS, UNANSWERED, NOT_SCORED):
            n = sum(1 for r in reasons.values() if r == reason)
            if n:
                rows.append({"step": "excluded", "n": n,
                             "detail": f"{outcome['id']}: {reason} (scores.csv)"})
    return rows
