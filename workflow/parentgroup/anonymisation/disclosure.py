"""Statistical disclosure control of the released participant characteristics.

Quasi-identifiers (child age, gender, the carer's relationship) are generalised and checked for
k-anonymity (every combination shared by at least k parents; Sweeney 2002) and the sensitive
attribute (the diagnosis category) for distinct l-diversity (at least l categories within each
combination; Machanavajjhala et al. 2007). When a check fails, the stage generalises further
(relationship -> "parent or carer", age bands merged into one range) and then suppresses
(``*``), recording every step, as sdcMicro's global recoding and local suppression do.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

QUASI_IDENTIFIERS = ["child_age_band", "child_gender", "relationship"]
SENSITIVE = "diagnosis_category"
SUPPRESSED = "*"
STEP_COLUMNS = ["step", "variable", "action", "detail", "k_achieved", "l_achieved"]


def age_in_years(dob: str, reference: str) -> int | None:
    try:
        born = dt.date.fromisoformat(dob)
    except ValueError:
        return None
    on = dt.date.fromisoformat(reference)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(age: int | None, bands: list[list[int]]) -> str:
    if age is None:
        return SUPPRESSED
    for low, high in bands:
        if low <= age <= high:
            return f"{low}-{high}"
    return SUPPRESSED


def diagnosis_category(diagnosis: str, categories: dict[str, str]) -> str:
    lookup = {k.casefold(): v for k, v in categories.items()}
    return lookup.get(str(diagnosis).strip().casefold(), "other") if diagnosis else SUPPRESSED


def k_and_l(frame: pd.DataFrame) -> tuple[int, int]:
    """Smallest equivalence-class size (k) and fewest distinct sensitive values in one (l)."""
    if frame.empty:
        return 0, 0
    groups = frame.groupby(QUASI_IDENTIFIERS, dropna=False)
    return int(groups.size().min()), int(groups[SENSITIVE].nunique().min())


def generalise(roster: pd.DataFrame, *, reference_date: str, age_bands: list[list[int]],
               diagnosis_categories: dict[str, str], k: int, l_div: int
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Released characteristics (one row per roster row) and the steps taken."""
    released = pd.DataFrame({
        "child_age_band": [age_band(age_in_years(d, reference_date), age_bands)
                           for d in roster["child_dob"]],
        "child_gender": roster["child_gender"].str.strip().str.casefold().replace("", SUPPRESSED),
        "relationship": roster["relationship"].str.strip().str.casefold().replace("", SUPPRESSED),
        SENSITIVE: [diagnosis_category(d, diagnosis_categories)
                    for d in roster["child_diagnosis"]],
    })
    steps = []

    def record(variable: str, action: str, detail: str) -> None:
        k_now, l_now = k_and_l(released)
        steps.append([len(steps) + 1, variable, action, detail, k_now, l_now])

    record("all", "generalise", "date of birth -> age band; diagnosis -> broad category")
    plan = [
        ("relationship", "generalise", "all carers -> 'parent or carer'",
         lambda f: f.assign(relationship="parent or carer")),
        ("child_age_band", "generalise", "age bands merged into one range",
         lambda f: f.assign(child_age_band=_merged_band(f["child_age_band"]))),
        ("child_gender", "suppress", "gender withheld",
         lambda f: f.assign(child_gender=SUPPRESSED)),
        ("child_age_band", "suppress", "age withheld",
         lambda f: f.assign(child_age_band=SUPPRESSED)),
        (SENSITIVE, "suppress", "diagnosis category withheld",
         lambda f: f.assign(**{SENSITIVE: SUPPRESSED})),
    ]
    for variable, action, detail, change in plan:
        k_now, l_now = k_and_l(released)
        if k_now >= k and (l_now >= l_div or released[SENSITIVE].nunique() < l_div):
            break
        released = change(released)
        record(variable, action, detail)
    k_now, l_now = k_and_l(released)
    steps.append([len(steps) + 1, "all", "check",
                  f"k-anonymity {k_now} (required {k}); l-diversity {l_now} (required {l_div})",
                  k_now, l_now])
    return released, pd.DataFrame(steps, columns=STEP_COLUMNS)


def _merged_band(bands: pd.Series) -> str:
    bounds = [tuple(map(int, b.split("-"))) for b in bands if b != SUPPRESSED]
    if not bounds:
        return SUPPRESSED
    return f"{min(b[0] for b in bounds)}-{max(b[1] for b in bounds)}"
