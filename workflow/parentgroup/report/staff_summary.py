"""The parents' journey for readers: a site summary for school staff (plain language, no
individual data) and a self-contained section of the mixed-methods report.

Both read only shareable tables of ``results/<site>/`` (invitation_flow, retention,
goal_summary), whose counts of people already passed the disclosure rule; a suppressed count
("<3") is written as "fewer than 3", a withheld one ("[c]", the differencing rule) as "not
shown". Numbers are rounded here and nowhere else in these tables.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import pandas as pd

from parentgroup.disclosure import WITHHELD, is_suppressed

STYLE = """body{font-family:Arial,Helvetica,sans-serif;font-size:12pt;line-height:1.5;
max-width:46em;margin:1.5em auto;padding:0 1em;color:#1a1a1a}h1{font-size:18pt}
h2{font-size:13pt;color:#0a4f7a;margin-top:1.2em}table{border-collapse:collapse}
td,th{border-bottom:1px solid #ccc;padding:.2em .6em;text-align:left}"""

REASON_WORDS = {
    "stigma": "worried about stigma or being labelled",
    "timing": "the timing did not suit them",
    "school_relationship": "their relationship with the school",
    "childcare": "childcare",
    "other": "another reason",
    "not_given": "no reason given",
    "withheld": "reasons not shown (too few families to show them safely)",
}


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def count_words(value) -> str:
    """A count as a reader sees it: suppressed counts as "fewer than N", a count withheld so
    that a small one cannot be worked out by a subtraction as "not shown".

    >>> count_words("<3"), count_words(7), count_words("12"), count_words("[c]"), count_words("")
    ('fewer than 3', '7', '12', 'not shown', '–')
    """
    if value == WITHHELD:
        return "not shown"
    if is_suppressed(value):
        return f"fewer than {str(value)[1:]}"
    if value is None or (isinstance(value, float) and math.isnan(value)) or \
            str(value).strip() == "":  # not recorded (a site without referrals.csv)
        return "–"
    return str(int(float(value)))


def count_in_sentence(value) -> str:
    """A count inside a sentence: as :func:`count_words`, but a withheld one reads "some".

    >>> count_in_sentence("[c]"), count_in_sentence("<3"), count_in_sentence(12)
    ('some', 'fewer than 3', '12')
    """
    return "some" if value == WITHHELD else count_words(value)


def _flow(flow: pd.DataFrame, step: str, reason: str = ""):
    rows = flow[(flow["step"] == step) & (flow["reason"].fillna("") == reason)]
    return rows["n"].iloc[0] if len(rows) else None


def _measure(summary: pd.DataFrame, measure: str, group: str | None = None):
    rows = summary[summary["measure"] == measure]
    if group is not None:
        rows = rows[rows["group"] == group]
    return rows["value"].iloc[0] if len(rows) else None


def _share(value) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "–" if pd.isna(number) else f"{number:.0%}"


def journey_section_html(flow: pd.DataFrame, retention: pd.DataFrame,
                         goal_summary: pd.DataFrame, *, threshold: int,
                         decline_barriers: pd.DataFrame | None = None) -> str:
    """The report section "Engagement and goals": the flow from invitation with the reasons
    for declining, retention to the last session, the goal-based outcomes and, given
    ``decline_barriers``, the reasons beside the barriers interviewed parents voiced (HTML)."""
    parts = ["<h2>Engagement from invitation, and goal-based outcomes</h2>"]
    flow = flow.assign(reason=flow["reason"].fillna("")) if len(flow) else flow
    if len(flow) and _flow(flow, "invited") is not None:
        parts.append(
            f"<p>{_esc(count_in_sentence(_flow(flow, 'invited')).capitalize())} families were "
            f"invited; {_esc(count_in_sentence(_flow(flow, 'accepted')))} accepted, "
            f"{_esc(count_in_sentence(_flow(flow, 'declined')))} declined and "
            f"{_esc(count_in_sentence(_flow(flow, 'no_reply')))} did not reply.</p>")
        reasons = flow[(flow["step"] == "declined") & (flow["reason"] != "")]
        rows = "".join(f"<tr><td>{_esc(REASON_WORDS.get(r, r))}</td>"
                       f"<td>{_esc(count_words(n))}</td></tr>"
                       for r, n in zip(reasons["reason"], reasons["n"], strict=True))
        parts.append("<table><caption>Reasons for declining</caption><tr><th>Reason</th>"
                     f"<th>Families</th></tr>{rows}</table>")
    else:
        parts.append("<p>No record of invitations: the flow starts at enrolment.</p>")
    if len(retention):
        last = retention.iloc[-1]
        parts.append(f"<p>{_esc(count_in_sentence(last['retained']).capitalize())} parents "
                     f"were still coming at "
                     f"the last session ({_esc(_share(last['share_retained']))} of those "
                     "enrolled).</p>")
    if len(goal_summary):
        mean = pd.to_numeric(pd.Series([_measure(goal_summary, "mean_change")]),
                             errors="coerce").iloc[0]
        parts.append(
            f"<p>{_esc(count_in_sentence(_measure(goal_summary, 'parents_rated')).capitalize())}"
            " parents rated "
            f"their goals at the start and at review; the average goal moved "
            f"{'–' if pd.isna(mean) else f'{mean:.1f}'} points on the 0-10 scale. "
            f"{_esc(_share(_measure(goal_summary, 'share_goals_moved')))} of goals moved up and "
            f"{_esc(_share(_measure(goal_summary, 'share_goals_meaningful')))} moved by "
            f"{threshold} points or more (a meaningful change).</p>")
    if decline_barriers is not None and len(decline_barriers) and \
            decline_barriers["codes"].fillna("").ne("").any() and \
            decline_barriers["n_declined"].fillna("").astype(str).ne("").any():
        rows = "".join(
            f"<tr><td>{_esc(REASON_WORDS.get(r.reason, r.reason))}</td>"
            f"<td>{_esc(count_words(r.n_declined))}</td><td>{_esc(count_words(r.n_voiced))}</td>"
            f"<td>{_esc(r.quote)}</td></tr>"
            for r in decline_barriers.fillna("").itertuples())
        parts.append("<table><caption>Why families stayed away, beside the barriers parents "
                     "who came described in interviews</caption><tr><th>Barrier</th><th>Families "
                     "who declined</th><th>Interviewed parents who voiced it</th><th>In their "
                     f"words</th></tr>{rows}</table>")
    return "\n".join(parts)


def staff_summary_html(*, title: str, flow: pd.DataFrame, retention: pd.DataFrame,
                       goal_summary: pd.DataFrame, journey: Mapping, sessions: int,
                       synthetic: bool) -> str:
    """The whole staff summary page: what the group was, who came, what changed for the
    children's goals, what the group covered and where families can get help."""
    threshold = int(journey.get("meaningful_goal_change", 3))
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_esc(title)}: summary for school staff</title>",
             f"<style>{STYLE}</style></head><body>"]
    if synthetic:
        parts.append("<p><strong>Synthetic demonstration data: not real families.</strong></p>")
    parts.append(f"<h1>{_esc(title)}: a summary for school staff</h1>")
    parts.append(f"<p>The group ran for {sessions} weekly sessions. This page gives the whole "
                 "group's picture only: no family can be picked out, and any number smaller "
                 "than the safe minimum is shown as \"fewer than\"; a number that would let "
                 "someone work one of those out by a subtraction is \"not shown\".</p>")
    parts.append(journey_section_html(flow, retention, goal_summary, threshold=threshold)
                 .replace("<h2>Engagement from invitation, and goal-based outcomes</h2>",
                          "<h2>Who came, and how their goals moved</h2>"))
    categories = goal_summary[goal_summary["measure"] == "goals_in_category"] \
        if len(goal_summary) else goal_summary
    if len(categories):
        names = {c["id"]: c["name"] for c in journey.get("goal_categories", [])}
        rows = "".join(f"<tr><td>{_esc(names.get(g, 'Other'))}</td>"
                       f"<td>{_esc(count_words(v))}</td></tr>"
                       for g, v in zip(categories["group"], categories["value"], strict=True))
        parts.append("<h2>What parents wanted for their children</h2><table><tr><th>Kind of "
                     f"goal</th><th>Goals</th></tr>{rows}</table>")
    if journey.get("session_topics"):
        parts.append("<h2>What the group covered</h2><ol>" + "".join(
            f"<li>{_esc(t)}</li>" for t in journey["session_topics"]) + "</ol>")
    if journey.get("further_help"):
        parts.append("<h2>Where families can get more help</h2><ul>" + "".join(
            f"<li>{_esc(h)}</li>" for h in journey["further_help"]) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
