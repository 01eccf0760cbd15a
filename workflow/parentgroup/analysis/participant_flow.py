"""The participant-flow table: who was enrolled, completed, answered, was interviewed, consented.

Every exclusion recorded by an earlier stage (``input_exclusions.csv``) appears as its own row, so
no participant disappears from the analysis without a trace.
"""

from __future__ import annotations

import pandas as pd

from parentgroup.config import design_times
from parentgroup.tables import as_bool

FLOW_COLUMNS = ["step", "n", "detail"]


def participant_flow(
    *,
    participants: pd.DataFrame,
    exclusions: pd.DataFrame,
    scores: pd.DataFrame,
    outcomes: list[dict],
    completer_min_sessions: int,
    design: str,
) -> pd.DataFrame:
    """Counts for enrolled -> attended >= threshold -> questionnaires complete -> interviewed
    -> quotes consented, then one row per recorded exclusion reason.

    "Questionnaires complete" counts completers with a score at both analysis times (pre and
    post roles of the design) for every configured outcome, after the missing-item rule.
    """
    completer = as_bool(participants["completer"])
    interviewed = as_bool(participants["interviewed"])
    consented = participants["consent_quotes"].astype(str).str.casefold().eq("yes")
    roles = design_times(design)
    needed_times = [time for time, role in roles.items() if role in {"pre", "post"}]
    scored = scores.dropna(subset=["score"])
    complete_ids = set(participants.loc[completer, "pseudonym"])
    for outcome in outcomes:
        rows = scored[
            (scored["instrument"] == outcome["instrument"])
            & (scored["scale"] == outcome["scale"])
            & (scored["scoring"] == outcome.get("scoring", "mean"))
        ]
        for time in needed_times:
            complete_ids &= set(rows.loc[rows["time"] == time, "pseudonym"])
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
            "completers with every outcome scored at both times (analysed)",
        ),
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
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)
