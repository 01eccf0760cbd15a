"""Engagement from invitation on: the participant flow from invitation (CONSORT-style counts
with the coded reasons for declining), retention by session (a survival curve of attendance)
and lateness. Every count of people goes through :func:`parentgroup.disclosure.small_count`.

Retention follows the Kaplan-Meier idea without censoring: a parent is *retained* at session s
when they attended session s or any later session (their last attended session is >= s), so the
curve is the share of enrolled parents still coming, and it can only fall.
"""

from __future__ import annotations

import math

import pandas as pd

from parentgroup.disclosure import (
    complementary_suppression,
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
    starts at enrolment (two rows). The counts pass
    :func:`parentgroup.disclosure.complementary_suppression`: accepted + declined + no reply
    sum to the invited, the reasons to the declined, and the completers with the (unshown)
    non-completers to the enrolled, so no small count can be worked back by a subtraction.

    >>> inv = pd.DataFrame({"response": ["accepted", "declined", "declined", "no_reply"],
    ...                     "decline_reason": ["", "stigma", "timing", ""], "n": [5, 3, 3, 4]})
    >>> part = pd.DataFrame({"completer": [True] * 4 + [False] * 3})
    >>> invitation_flow(inv, part, reasons=["stigma", "timing"], min_cell_size=3)["n"].tolist()
    [15, 5, 6, 3, 3, 0, 4, 7, 4]
    >>> inv["n"] = [5, 4, 1, 4]
    >>> invitation_flow(inv, part, reasons=["stigma", "timing"], min_cell_size=3)["n"].tolist()
    [14, 5, 5, '[c]', '<3', 0, 4, 7, 4]
    """
    rows, counts = [], {}

    def add(step, reason, n, detail):
        rows.append([step, reason, detail])
        counts[(step, reason)] = int(n)

    groups = []
    if not invitations.empty:
        response = invitations["response"].fillna("").astype(str)
        given = invitations["decline_reason"].fillna("").astype(str)
        weight = pd.to_numeric(invitations["n"]) if "n" in invitations.columns else \
            pd.Series(1, index=invitations.index)
        declined = response == "declined"
        add("invited", "", weight.sum(), "families invited to the group")
        add("accepted", "", weight[response == "accepted"].sum(), "accepted the invitation")
        add("declined", "", weight[declined].sum(), "declined the invitation")
        for reason in reasons:
            add("declined", reason, weight[declined & (given == reason)].sum(),
                f"declined: {reason}")
        add("declined", "not_given", weight[declined & (given == "")].sum(),
            "declined: no reason given")
        add("no_reply", "", weight[response == "no_reply"].sum(), "never replied")
        groups += [(("invited", ""), [("accepted", ""), ("declined", ""), ("no_reply", "")]),
                   (("declined", ""), [("declined", r) for r in [*reasons, "not_given"]])]
    completer = as_bool(participants["completer"]) if len(participants) else pd.Series(
        dtype=bool)
    add("enrolled", "", len(participants), "parents on the roster")
    add("completed", "", int(completer.sum()), "attended the completer threshold")
    counts[("not_completed", "")] = len(participants) - int(completer.sum())
    groups.append((("enrolled", ""), [("completed", ""), ("not_completed", "")]))
    shown = complementary_suppression(counts, groups, min_cell_size=min_cell_size,
                                      unpublished=(("not_completed", ""),))
    return pd.DataFrame([[step, reason, shown[(step, reason)], detail]
                         for step, reason, detail in rows], columns=FLOW_COLUMNS)


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
