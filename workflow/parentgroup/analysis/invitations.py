"""Engagement from invitation on: the participant flow from invitation (CONSORT-style counts
with the coded reasons for declining), retention by session (a survival curve of attendance)
and lateness. Under the one disclosure rule (:mod:`parentgroup.disclosure`) the flow counts
(invited, accepted, declined, no reply, enrolled, completed) are exact; reasons, attendance and
lateness counts go through :func:`parentgroup.disclosure.small_count` and the differencing rule.

Retention follows the Kaplan-Meier idea without censoring: a parent is *retained* at session s
when they attended session s or any later session (their last attended session is >= s), so the
curve is the share of enrolled parents still coming, and it can only fall.
"""

from __future__ import annotations

import math

import pandas as pd

from parentgroup.disclosure import (
    WITHHELD,
    category_counts,
    complementary_suppression,
    flow_count,
    is_suppressed,
    small_count,
    unattributed_quote,
)
from parentgroup.tables import as_bool

FLOW_COLUMNS = ["step", "reason", "n", "detail"]
DECLINE_BARRIER_COLUMNS = ["reason", "n_declined", "codes", "n_voiced", "n_excerpts", "quote"]
RETENTION_COLUMNS = ["session", "attended", "retained", "share_retained", "late",
                     "lateness_recorded", "share_late", "mean_minutes_late"]


def invitation_flow(invitations: pd.DataFrame, participants: pd.DataFrame, *,
                    reasons: list[str], min_cell_size: int) -> pd.DataFrame:
    """Invited -> accepted / declined (one row per coded reason, config order, then "not
    given") / no reply -> enrolled -> completed (attended the completer threshold).

    ``invitations`` is data/processed/<site>/invitations.csv: counts ``n`` per response and
    reason (a table without ``n`` counts one invitation per row). Without invitations the flow
    starts at enrolment (two rows). The steps are flow counts, exact
    (:func:`parentgroup.disclosure.flow_count`); the reasons are the categories of an attribute
    of the families who declined, through :func:`parentgroup.disclosure.category_counts`: a
    small reason is "<3", one more is withheld ("[c]") where the declined total would give it
    back, and fewer than ``min_cell_size`` families who declined (or no safe choice) give one
    row ``withheld`` / "[c]" in place of the reasons.

    >>> inv = pd.DataFrame({"response": ["accepted", "declined", "declined", "no_reply"],
    ...                     "decline_reason": ["", "stigma", "timing", ""], "n": [5, 3, 3, 4]})
    >>> part = pd.DataFrame({"completer": [True] * 4 + [False] * 3})
    >>> invitation_flow(inv, part, reasons=["stigma", "timing"], min_cell_size=3)["n"].tolist()
    [15, 5, 6, 3, 3, 0, 4, 7, 4]
    >>> inv["n"] = [5, 4, 1, 2]
    >>> invitation_flow(inv, part, reasons=["stigma", "timing"], min_cell_size=3)["n"].tolist()
    [12, 5, 5, '[c]', '<3', 0, 2, 7, 4]
    >>> inv["n"] = [5, 1, 1, 2]
    >>> flow = invitation_flow(inv, part, reasons=["stigma", "timing"], min_cell_size=3)
    >>> flow[["reason", "n"]].values.tolist()[2:4]
    [['', 2], ['withheld', '[c]']]
    """
    rows = []

    def add(step, reason, n, detail):
        rows.append([step, reason, n, detail])

    if not invitations.empty:
        response = invitations["response"].fillna("").astype(str)
        given = invitations["decline_reason"].fillna("").astype(str)
        weight = pd.to_numeric(invitations["n"]) if "n" in invitations.columns else \
            pd.Series(1, index=invitations.index)
        declined = response == "declined"
        n_declined = int(weight[declined].sum())
        add("invited", "", flow_count(weight.sum()), "families invited to the group")
        add("accepted", "", flow_count(weight[response == "accepted"].sum()),
            "accepted the invitation")
        add("declined", "", flow_count(n_declined), "declined the invitation")
        by_reason = {reason: int(weight[declined & (given == reason)].sum())
                     for reason in reasons}
        by_reason["not_given"] = int(weight[declined & (given == "")].sum())
        shown = category_counts(n_declined, by_reason, min_cell_size=min_cell_size)
        if shown is None and n_declined:
            add("declined", "withheld", WITHHELD,
                f"declined: reasons withheld (fewer than {min_cell_size} families, or a small "
                "reason would follow from the others)")
        for reason, n in (shown or {}).items():
            add("declined", reason, n, "declined: no reason given" if reason == "not_given"
                else f"declined: {reason}")
        add("no_reply", "", flow_count(weight[response == "no_reply"].sum()), "never replied")
    completer = as_bool(participants["completer"]) if len(participants) else pd.Series(
        dtype=bool)
    add("enrolled", "", flow_count(len(participants)), "parents on the roster")
    add("completed", "", flow_count(int(completer.sum())), "attended the completer threshold")
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def retention_by_session(attendance: pd.DataFrame, lateness: pd.DataFrame, *, sessions: int,
                         enrolled: int, min_cell_size: int) -> pd.DataFrame:
    """Per session: parents who attended it, parents retained (last attended session >= s),
    their share of the ``enrolled``, and lateness among the attended sessions with lateness
    recorded (late count, recorded count, share late, mean minutes late over the recorded
    sessions). Counts of people pass the disclosure rule, the lateness counts with the
    differencing rule too (late and the unshown on-time count sum to the recorded); a share or
    mean is left empty when a count it rests on is suppressed, so it cannot give the suppressed
    count back."""
    visits = attendance.assign(attended=pd.to_numeric(attendance["attended"]).fillna(0))
    present = visits[visits["attended"] > 0]
    last = present.groupby("pseudonym")["session"].max()
    rows = []
    for session in range(1, sessions + 1):
        attended = int((present["session"] == session).sum())
        retained = int((last >= session).sum())
        recorded = lateness[lateness["session"] == session] if not lateness.empty else lateness
        n_recorded = len(recorded)
        n_late = int(as_bool(recorded["late"]).sum()) if n_recorded else 0
        minutes = pd.to_numeric(recorded["minutes_late"], errors="coerce") if n_recorded \
            else pd.Series(dtype=float)
        shown_retained = small_count(retained, min_cell_size)
        # the on-time count (recorded - late) is not shown, but a small one must not be
        # worked out either: the differencing rule withholds late or recorded then
        lateness_shown = complementary_suppression(
            {"late": n_late, "recorded": n_recorded, "on_time": n_recorded - n_late},
            [("recorded", ["late", "on_time"])], min_cell_size=min_cell_size,
            unpublished=("on_time",))
        shown_late, shown_recorded = lateness_shown["late"], lateness_shown["recorded"]
        both = not is_suppressed(shown_late) and not is_suppressed(shown_recorded)
        rows.append([
            session, small_count(attended, min_cell_size), shown_retained,
            retained / enrolled if enrolled and not isinstance(shown_retained, str)
            else math.nan,
            shown_late, shown_recorded,
            n_late / n_recorded if n_recorded and both else math.nan,
            float(minutes.mean()) if both and minutes.notna().any() else math.nan,
        ])
    return pd.DataFrame(rows, columns=RETENTION_COLUMNS)


def decline_barriers(flow: pd.DataFrame, excerpts: pd.DataFrame, barrier_codes: dict[str, str],
                     *, reasons: list[str], min_cell_size: int) -> pd.DataFrame:
    """A small joint display: per decline reason, the families who declined for it (from the
    flow, already through the disclosure rule) beside the interviewed parents who voiced the
    same barrier (excerpts coded with a code or theme that config ``journey.barrier_codes``
    maps to the reason), their excerpt count (empty when the parents' count is suppressed) and
    the first consented, redacted excerpt, shown without a code (no pseudonym, and none inside
    it): a quote here must not tie a parent's words to the case-level tables or to the quote
    codes of the themes.

    Interviewed parents are those who took part, so the two columns are different people: the
    barriers enrolled parents overcame beside the reasons others gave for staying away.
    """
    mapping = {str(code).casefold(): reason for code, reason in barrier_codes.items()}
    coded = excerpts.copy() if len(excerpts) else pd.DataFrame(
        columns=["pseudonym", "theme", "code", "excerpt", "quotable"])
    keys = [mapping.get(str(c).casefold()) or mapping.get(str(t).casefold())
            for c, t in zip(coded["code"], coded["theme"], strict=True)]
    coded = coded.assign(reason=keys).dropna(subset=["reason"])
    declined = {r: n for s, r, n in zip(flow["step"], flow["reason"].fillna(""), flow["n"],
                                        strict=True) if s == "declined" and r}
    rows = []
    for reason in reasons:
        mine = coded[coded["reason"] == reason]
        quotable = mine[mine["quotable"].astype(str).str.casefold().eq("true")
                        & mine["excerpt"].astype(str).ne("")]
        codes = sorted({c for c, r in barrier_codes.items() if r == reason})
        voiced = small_count(mine["pseudonym"].nunique(), min_cell_size)
        # the excerpt count would give a suppressed number of parents back (one each at least)
        rows.append([reason, declined.get(reason, ""), "; ".join(codes), voiced,
                     "" if isinstance(voiced, str) else len(mine),
                     unattributed_quote(quotable["excerpt"].iloc[0]) if len(quotable) else ""])
    return pd.DataFrame(rows, columns=DECLINE_BARRIER_COLUMNS)
