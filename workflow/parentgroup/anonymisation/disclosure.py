"""Statistical disclosure control of the released participant characteristics.

Quasi-identifiers released in ``participants.csv``: the child's age band, the child's gender and
the carer's relationship; the sensitive attribute is the diagnosis category.

k-anonymity (Sweeney 2002): every combination of quasi-identifier values (an equivalence
class) is shared by at least k released rows, ``k = min_c |c|``.
Distinct l-diversity (Machanavajjhala et al. 2007): every equivalence class holds at least l
distinct values of the sensitive attribute, ``l = min_c |{diagnosis_category in c}|``.
A suppressed value ``*`` is treated as one more value (conservative: two rows with ``*`` gender
are one class only if their other values agree).

>>> frame = pd.DataFrame({"child_age_band": ["8-11"] * 3, "child_gender": ["girl"] * 3,
...                       "relationship": ["mother"] * 3,
...                       "diagnosis_category": ["conduct", "other", "conduct"]})
>>> k_anonymity(frame), l_diversity(frame)
(3, 2)

When a check fails the stage works as sdcMicro and ARX do, recording every step in
``disclosure_control.csv`` (``step, variable, action, detail, k_achieved, l_achieved``):

1. global recoding while more than :data:`SUPPRESSION_SHARE` of the rows sit in failing
   classes: relationship -> ``parent`` / ``other carer``; adjacent age bands merged, the band
   with fewest rows first; relationship -> ``parent or carer``;
2. local suppression of the remaining failing rows (sdcMicro ``localSuppression``), the least
   important variable first: gender, then age band, then relationship; if the fully suppressed
   rows still form a class that fails, single rows from classes that stay above k and l join
   them (a row with a diagnosis the group lacks first), and only when none can, the smallest
   passing class;
3. when the whole site has fewer than l distinct diagnosis categories (or fewer than k
   parents), no recoding can help: the diagnosis category (or every quasi-identifier) is
   withheld for everyone and the step says why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandas as pd

QUASI_IDENTIFIERS = ["child_age_band", "child_gender", "relationship"]
SENSITIVE = "diagnosis_category"
SUPPRESSED = "*"
STEP_COLUMNS = ["step", "variable", "action", "detail", "k_achieved", "l_achieved"]
#: Local suppression is used once at most this share of the rows (and at least one row) is in a
#: failing class; above it the whole column is recoded first.
SUPPRESSION_SHARE = 0.10
#: Suppression order: least important for the analysis first.
SUPPRESSION_ORDER = ["child_gender", "child_age_band", "relationship"]
PARENT_WORDS = frozenset({"mother", "father", "mum", "dad", "parent", "stepmother", "stepfather",
                          "step-mother", "step-father", "step-parent", "stepparent",
                          "adoptive parent", "adoptive mother", "adoptive father"})


def age_in_years(dob: str, reference: str) -> int | None:
    """Completed years between ``dob`` and ``reference`` (ISO dates); None when unreadable.

    >>> age_in_years("2014-07-02", "2025-07-01"), age_in_years("2014-07-01", "2025-07-01")
    (10, 11)
    """
    try:
        born = dt.date.fromisoformat(str(dob).strip())
        on = dt.date.fromisoformat(str(reference).strip())
    except ValueError:
        return None
    if born > on:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(age: int | None, bands: list[list[int]]) -> str:
    """The inclusive band ``[lo, hi]`` holding ``age`` as ``"lo-hi"``; ``*`` when none does.

    >>> age_band(8, [[0, 7], [8, 11]]), age_band(12, [[0, 7], [8, 11]])
    ('8-11', '*')
    """
    if age is None:
        return SUPPRESSED
    for low, high in bands:
        if int(low) <= age <= int(high):
            return f"{int(low)}-{int(high)}"
    return SUPPRESSED


def diagnosis_category(diagnosis: str, categories: dict[str, str]) -> str:
    """Broad category of a diagnosis (case-insensitive lookup); unmapped -> ``other``;
    empty -> ``*``.

    >>> diagnosis_category(" Autism ", {"autism": "neurodevelopmental"})
    'neurodevelopmental'
    """
    lookup = {str(k).strip().casefold(): str(v) for k, v in categories.items()}
    text = re.sub(r"\s+", " ", str(diagnosis or "")).strip().casefold()
    if not text:
        return SUPPRESSED
    return lookup.get(text, "other")


def relationship_group(relationship: str) -> str:
    """``parent`` for mothers, fathers and step/adoptive parents; ``other carer`` otherwise."""
    text = str(relationship).strip().casefold()
    if text in {"", SUPPRESSED}:
        return SUPPRESSED
    return "parent" if text in PARENT_WORDS else "other carer"


def k_anonymity(frame: pd.DataFrame, quasi: list[str] | None = None) -> int:
    """Smallest equivalence-class size; 0 for an empty table."""
    if frame.empty:
        return 0
    return int(frame.groupby(quasi or QUASI_IDENTIFIERS, dropna=False).size().min())


def l_diversity(frame: pd.DataFrame, quasi: list[str] | None = None,
                sensitive: str = SENSITIVE) -> int:
    """Fewest distinct sensitive values in an equivalence class; 0 for an empty table."""
    if frame.empty:
        return 0
    return int(frame.groupby(quasi or QUASI_IDENTIFIERS, dropna=False)[sensitive]
               .nunique().min())


def k_and_l(frame: pd.DataFrame) -> tuple[int, int]:
    """``(k_anonymity, l_diversity)`` of the released characteristics."""
    return k_anonymity(frame), l_diversity(frame)


def _failing_rows(frame: pd.DataFrame, k: int, l_div: int) -> pd.Series:
    groups = frame.groupby(QUASI_IDENTIFIERS, dropna=False)
    size = groups[SENSITIVE].transform("size")
    distinct = groups[SENSITIVE].transform("nunique")
    return (size < k) | (distinct < l_div)


def _merge_smallest_band(bands: pd.Series) -> pd.Series | None:
    """Merge the band with fewest rows into its smaller neighbour (ties: the younger)."""
    present = sorted({b for b in bands if b != SUPPRESSED},
                     key=lambda b: tuple(int(x) for x in b.split("-")))
    if len(present) < 2:
        return None
    counts = bands.value_counts()
    smallest = min(present, key=lambda b: (counts.get(b, 0), present.index(b)))
    i = present.index(smallest)
    neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(present)]
    j = min(neighbours, key=lambda n: (counts.get(present[n], 0), n))
    low, high = sorted([present[i], present[j]], key=lambda b: int(b.split("-")[0]))
    merged = f"{low.split('-')[0]}-{high.split('-')[1]}"
    return bands.replace({low: merged, high: merged})


def _donor_row(frame: pd.DataFrame, k: int, l_div: int) -> object | None:
    """A row whose full suppression helps the suppressed group reach k and l while its own
    class still meets them: a row with a diagnosis the group lacks first (when l is short),
    then from the largest class, then the first row. None when no row qualifies."""
    suppressed = (frame[QUASI_IDENTIFIERS] == SUPPRESSED).all(axis=1)
    group = frame[suppressed]
    lacking_l = group[SENSITIVE].nunique() < l_div
    candidates = []
    for _key, members in frame[~suppressed].groupby(QUASI_IDENTIFIERS, dropna=False, sort=True):
        if len(members) <= k:
            continue
        for index, value in members[SENSITIVE].items():
            rest = members[SENSITIVE].drop(index)
            if rest.nunique() < l_div:
                continue
            new_value = value not in set(group[SENSITIVE])
            candidates.append((not (lacking_l and new_value), -len(members), index))
    if not candidates:
        return None
    return sorted(candidates, key=lambda c: (c[0], c[1], str(c[2])))[0][2]


def generalise(roster: pd.DataFrame, *, reference_date: str, age_bands: list[list[int]],
               diagnosis_categories: dict[str, str], k: int = 3, l_div: int = 2
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Released characteristics (one row per roster row, same index) and the steps taken.

    Deterministic: no randomness, ties broken by band order and row order.
    """
    released = pd.DataFrame({
        "child_age_band": [age_band(age_in_years(d, reference_date), age_bands)
                           for d in roster["child_dob"]],
        "child_gender": [str(g).strip().casefold() or SUPPRESSED for g in roster["child_gender"]],
        "relationship": [str(r).strip().casefold() or SUPPRESSED
                         for r in roster["relationship"]],
        SENSITIVE: [diagnosis_category(d, diagnosis_categories)
                    for d in roster["child_diagnosis"]],
    }, index=roster.index)
    steps: list[list] = []

    def record(variable: str, action: str, detail: str) -> None:
        k_now, l_now = k_and_l(released)
        steps.append([len(steps) + 1, variable, action, detail, k_now, l_now])

    def l_needed() -> int:
        # once the diagnosis is withheld for everyone there is nothing left to disclose
        return 1 if released[SENSITIVE].eq(SUPPRESSED).all() else l_div

    def failing() -> pd.Series:
        return _failing_rows(released, k, l_needed())

    record("child_dob, child_diagnosis", "generalise",
           f"date of birth -> age band at {reference_date}; diagnosis -> broad category; "
           "direct identifiers dropped")
    n = len(released)
    if n == 0:
        return released, pd.DataFrame(steps, columns=STEP_COLUMNS)
    budget = max(1, int(SUPPRESSION_SHARE * n))
    recodings: list[tuple[str, str, Callable[[pd.DataFrame], pd.DataFrame | None]]] = [
        ("relationship", "relationship -> 'parent' / 'other carer'",
         lambda f: f.assign(relationship=f["relationship"].map(relationship_group))),
    ]
    for _ in range(len(age_bands)):
        recodings.append((
            "child_age_band", "adjacent age bands merged (the band with fewest parents first)",
            lambda f: (None if (m := _merge_smallest_band(f["child_age_band"])) is None
                       else f.assign(child_age_band=m)),
        ))
    recodings.append(("relationship", "relationship -> 'parent or carer'",
                      lambda f: f.assign(relationship=f["relationship"].where(
                          f["relationship"] == SUPPRESSED, "parent or carer"))))
    for variable, detail, change in recodings:
        if int(failing().sum()) <= budget:
            break
        changed = change(released)
        if changed is None or changed.equals(released):
            continue
        released = changed
        record(variable, "generalise", detail)

    if n < k:
        released[QUASI_IDENTIFIERS] = SUPPRESSED
        record(", ".join(QUASI_IDENTIFIERS), "suppress",
               f"only {n} parent(s), fewer than k = {k}: every quasi-identifier withheld")
    if released[SENSITIVE].nunique() < l_div:
        released[SENSITIVE] = SUPPRESSED
        record(SENSITIVE, "suppress",
               f"fewer than l = {l_div} distinct diagnosis categories in the site: the "
               "category is withheld for everyone (l-diversity cannot be reached)")
    for variable in SUPPRESSION_ORDER:
        rows = failing()
        if not rows.any():
            break
        released.loc[rows, variable] = SUPPRESSED
        record(variable, "suppress",
               f"{int(rows.sum())} value(s) set to '*' in classes smaller than k = {k} or "
               f"with fewer than l = {l_div} diagnosis categories")
    while n >= k:
        rows = failing()
        if not rows.any():
            break
        donor = _donor_row(released, k, l_needed())
        if donor is not None:
            released.loc[donor, QUASI_IDENTIFIERS] = SUPPRESSED
            record(", ".join(QUASI_IDENTIFIERS), "suppress",
                   "1 more parent fully suppressed (from a class that stays above k and l) so "
                   "that the suppressed group itself meets k and l")
            continue
        passing = released[~rows & ~(released[QUASI_IDENTIFIERS] == SUPPRESSED).all(axis=1)]
        if passing.empty:
            break
        sizes = passing.groupby(QUASI_IDENTIFIERS, dropna=False).size()
        smallest = sorted(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0][0]
        rows = (passing[QUASI_IDENTIFIERS] == pd.Series(smallest, index=QUASI_IDENTIFIERS)
                ).all(axis=1)
        released.loc[rows[rows].index, QUASI_IDENTIFIERS] = SUPPRESSED
        record(", ".join(QUASI_IDENTIFIERS), "suppress",
               f"{int(rows.sum())} more parent(s) fully suppressed so that the suppressed "
               "group itself meets k and l")
    k_now, l_now = k_and_l(released)
    met = "met" if (k_now >= k and l_now >= l_needed()) else "NOT met"
    if released[SENSITIVE].eq(SUPPRESSED).all():
        met += " (diagnosis withheld)"
    steps.append([len(steps) + 1, "all", "check",
                  f"k-anonymity {k_now} (required {k}); l-diversity {l_now} (required {l_div}): "
                  f"{met}", k_now, l_now])
    return released, pd.DataFrame(steps, columns=STEP_COLUMNS)
