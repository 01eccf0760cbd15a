"""More than one informant: each informant's change, and how far informants agree on it.

A child-level outcome may be rated by the parent, by a teacher and by an observer coding an
interaction, each with their own instrument file (e.g. ``sdq_parent`` and ``sdq_teacher``,
workflow/instruments/). Each informant's change is an ordinary outcome of the paired analysis;
this module adds the agreement between two informants on the same construct: the Pearson
correlation of their change scores (post - pre) over the children both rated, with the Fisher z
interval

    z = atanh(r), SE = 1 / sqrt(n - 3), CI = tanh(z -+ z_{1-a/2} SE)

(Fisher 1921; the interval scipy's ``pearsonr(...).confidence_interval`` gives), and the
correlation of their pre scores for context (cross-informant agreement on levels is typically
modest between parents and teachers; Achenbach, McConaughy & Howell 1987).

Not yet wired into the workflow: a site would declare which outcomes are the same construct
rated by different informants (config, e.g. ``informants: {total_difficulties: [sdq_parent_total,
sdq_teacher_total]}``) and the analyse stage would write ``informant_agreement.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from parentgroup.analysis.controlled import analysed_by_arm, has_comparison_arm
from parentgroup.analysis.paired_tests import completer_pseudonyms, outcome_scores
from parentgroup.problems import UserFacingError

AGREEMENT_COLUMNS = [
    "construct", "outcome_a", "outcome_b", "n_children", "r_change", "r_change_ci_low",
    "r_change_ci_high", "r_change_p", "r_pre", "note",
]
NOTE_TOO_FEW = "fewer than 4 children rated by both informants"


def correlation_with_ci(x, y, confidence: float = 0.95) -> dict:
    """Pearson r of ``x`` and ``y`` with its Fisher z interval and two-sided p (t on n - 2 df).

    >>> r = correlation_with_ci([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(r["r"], 3), [round(v, 3) for v in (r["ci_low"], r["ci_high"])]
    (0.8, [-0.28, 0.986])
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    if n < 4 or np.std(x) == 0 or np.std(y) == 0:
        return {"r": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p": math.nan, "n": n}
    r = float(np.corrcoef(x, y)[0, 1])
    z = math.atanh(max(min(r, 1 - 1e-15), -1 + 1e-15))
    half = stats.norm.ppf(0.5 + confidence / 2) / math.sqrt(n - 3)
    t = r * math.sqrt((n - 2) / (1 - r * r)) if abs(r) < 1 else math.inf
    return {"r": r, "ci_low": math.tanh(z - half), "ci_high": math.tanh(z + half),
            "p": float(2 * stats.t.sf(abs(t), n - 2)), "n": n}


def informant_agreement(
    scores: pd.DataFrame, *, constructs: Mapping[str, Sequence[Mapping]], design: str,
    children: Sequence[str] | None = None, confidence: float = 0.95,
) -> pd.DataFrame:
    """The agreement table: for each construct (e.g. ``total_difficulties``) and each pair of
    its informants' outcomes (each a mapping with ``id``, ``instrument``, ``scale``,
    ``scoring``), the correlation of change over the children both rated (``children``, when
    given, limits them, e.g. to the analysed parents' children).
    """
    rows = []
    for construct, outcomes in constructs.items():
        for i, first in enumerate(outcomes):
            for second in outcomes[i + 1:]:
                a = outcome_scores(scores, first, design).dropna(subset=["pre", "post"])
                b = outcome_scores(scores, second, design).dropna(subset=["pre", "post"])
                both = a.merge(b, on="pseudonym", suffixes=("_a", "_b"))
                if children is not None:
                    both = both[both["pseudonym"].isin(set(children))]
                change = correlation_with_ci(both["post_a"] - both["pre_a"],
                                             both["post_b"] - both["pre_b"], confidence)
                pre = correlation_with_ci(both["pre_a"], both["pre_b"], confidence)
                rows.append({
                    "construct": construct, "outcome_a": first["id"], "outcome_b": second["id"],
                    "n_children": len(both), "r_change": change["r"],
                    "r_change_ci_low": change["ci_low"], "r_change_ci_high": change["ci_high"],
                    "r_change_p": change["p"], "r_pre": pre["r"],
                    "note": NOTE_TOO_FEW if len(both) < 4 else "",
                })
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def site_informant_agreement(
    scores: pd.DataFrame, participants: pd.DataFrame, *, informants: Mapping[str, Sequence[str]],
    outcomes: Sequence[Mapping], design: str, where: str = "informants",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The informant_agreement table of a site: the constructs of ``informants`` (construct ->
    outcome ids of the site's ``outcomes``) over the analysed parents' children (the completers;
    in a controlled site both arms' analysed parents). An id that is not one of the site's
    outcomes is a :class:`~parentgroup.problems.UserFacingError` naming ``where``."""
    by_id = {o["id"]: o for o in outcomes}
    unknown = sorted({oid for ids in informants.values() for oid in ids} - set(by_id))
    if unknown:
        raise UserFacingError(
            f"config {where}: {', '.join(unknown)} is not an outcome of this site; expected ids "
            f"from its outcomes ({', '.join(by_id)})")
    if has_comparison_arm(participants):
        children = sorted(p for group in analysed_by_arm(participants).values() for p in group)
    else:
        children = completer_pseudonyms(participants)
    constructs = {name: [by_id[oid] for oid in ids] for name, ids in informants.items()}
    return informant_agreement(scores, constructs=constructs, design=design, children=children,
                               confidence=confidence)
