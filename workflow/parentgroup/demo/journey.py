"""The parents' journey of the demo site (SYNTHETIC): invitations with declines and their
reasons (referrals.csv), lateness (the minutes_late column of attendance.csv), goal-based
outcomes (goals.csv) and the baseline form about the child (baseline_form.csv).

Drawn from a generator of its own (seeded from the site's seed and :data:`STREAM`), after the
other files, so that the roster, attendance, questionnaires, interviews and coding (and with them
the published PRFQ/PSOC effects) are the same with or without these files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parentgroup.demo.people import FAMILIES, SOURCE_NOTE

#: Second entropy word of this module's generator (its own stream of the site's seed).
STREAM = 20
#: Families invited who did not enrol: (response, coded reason), in invitation order.
NOT_ENROLLED = [
    ("declined", "stigma"), ("declined", "stigma"), ("declined", "timing"),
    ("declined", "stigma"), ("declined", "school_relationship"), ("declined", "childcare"),
    ("declined", "timing"), ("declined", "other"), ("no_reply", ""), ("no_reply", ""),
    ("no_reply", ""),
]
ROUTES = ["teacher", "senco", "family_support_worker", "letter"]
#: Goal texts in a parent's words; {child} and {sibling} are the family's first names, so the
#: redaction of goal texts is exercised on every row.
GOAL_TEXTS = [
    "{child} to calm down after a meltdown without hitting out",
    "{child} to go to bed by eight without a fight",
    "{child} and {sibling} to play together without fighting",
    "Homework done at the kitchen table without shouting",
    "{child} to talk to me about how school went",
    "Me to stay calm when {child} loses their temper",
    "{child} to have a friend round after school",
    "Mornings getting ready for school without tears",
]


def journey_generator(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, STREAM])


def referrals_table(rng: np.random.Generator) -> pd.DataFrame:
    """Every family invited in January 2025: the 14 enrolled (accepted) and 11 who did not
    enrol (8 declined with a coded reason, 3 never replied), in a seeded order."""
    rows = [("accepted", "", f.record_id) for f in FAMILIES]
    rows += [(response, reason, "") for response, reason in NOT_ENROLLED]
    order = rng.permutation(len(rows))
    out = []
    for number, index in enumerate(order, start=1):
        response, reason, record_id = rows[int(index)]
        day = 6 + int(rng.integers(0, 20))
        out.append([f"INV-{number:03d}", f"2025-01-{day:02d}", ROUTES[int(rng.integers(4))],
                    response, reason, record_id, SOURCE_NOTE])
    return pd.DataFrame(out, columns=["referral_id", "date", "route", "response",
                                      "decline_reason", "record_id", "data_source"])


def add_lateness(attendance: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """attendance.csv with a minutes_late column: empty for a missed session; for an attended
    one mostly 0, now and then 5 to 25 minutes (more often for parents who later left)."""
    leavers = {f.record_id for f in FAMILIES if not f.completer}
    minutes = []
    for row in attendance.itertuples():
        if not row.attended:
            minutes.append("")
            continue
        chance = 0.45 if row.record_id in leavers else 0.15
        late = rng.random() < chance
        minutes.append(str(int(rng.integers(1, 6)) * 5) if late else "0")
    out = attendance.copy()
    out.insert(out.columns.get_loc("attended") + 1, "minutes_late", minutes)
    return out


def goals_table(rng: np.random.Generator, sessions: int) -> pd.DataFrame:
    """Two or three goals per parent rated 0-10 at baseline, at the mid-point session and at
    review. Completers move 1 to 6 points (most by 3 or more); one early leaver was rated at
    review and moved little, the other has baseline ratings only."""
    rows = []
    mid = sessions // 2
    leavers = [f.record_id for f in FAMILIES if not f.completer]
    for family in FAMILIES:
        count = 2 + int(rng.integers(0, 2))
        chosen = rng.choice(len(GOAL_TEXTS), count, replace=False)
        sibling = family.sibling_firsts[0] if family.sibling_firsts else "his cousin"
        for goal, index in enumerate(chosen, start=1):
            text = GOAL_TEXTS[int(index)].format(child=family.child_first, sibling=sibling)
            baseline = int(rng.integers(1, 5))
            if family.completer:
                review = min(10, baseline + int(rng.choice([1, 2, 3, 3, 4, 4, 5, 6])))
            else:
                review = min(10, baseline + int(rng.integers(0, 2)))
            midpoint = baseline + (review - baseline) // 2
            rows.append([family.record_id, goal, text, "baseline", "", baseline])
            if family.record_id == leavers[-1]:
                continue
            rows.append([family.record_id, goal, "", "session", mid, midpoint])
            rows.append([family.record_id, goal, "", "review", "", review])
    frame = pd.DataFrame(rows, columns=["record_id", "goal", "goal_text", "time", "session",
                                        "rating"])
    frame["data_source"] = SOURCE_NOTE
    return frame


#: Free-text answers of the baseline form, per domain; {child} and {sibling} are first names.
BASELINE_TEXTS = {
    "home_text": ["{child} kicks off most evenings, usually over screens.",
                  "Bedtime is a battle and {child} is up late most nights.",
                  "Some days are fine, then {child} explodes over nothing."],
    "siblings_friends_text": ["{child} and {sibling} fight constantly.",
                              "{child} finds it hard to keep friends.",
                              "{child} is rough with {sibling} when tired."],
    "homework_text": ["Homework ends in shouting.", "{child} refuses to read with me.",
                      "{child} says school is boring and won't talk about it."],
}


def baseline_form_table(rng: np.random.Generator) -> pd.DataFrame:
    """One baseline form per enrolled parent: the six items of the baseline_child instrument
    (1 very hard ... 5 going well; mostly 1-3 before the group) and a free-text answer per
    domain; one parent left the homework answer blank."""
    rows = []
    for index, family in enumerate(FAMILIES):
        sibling = family.sibling_firsts[0] if family.sibling_firsts else "his cousin"
        values = [int(v) for v in rng.integers(1, 4, size=6)]
        texts = [BASELINE_TEXTS[column][int(rng.integers(3))].format(
            child=family.child_first, sibling=sibling) for column in BASELINE_TEXTS]
        if index == 4:
            texts[2] = ""
        rows.append([family.record_id, *values, *texts, SOURCE_NOTE])
    columns = ["record_id", *(f"baseline_child_{n:02d}" for n in range(1, 7)),
               *BASELINE_TEXTS, "data_source"]
    return pd.DataFrame(rows, columns=columns)
