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

A site declares which outcomes are the same construct rated by different informants (config
``sites.<site>.informants``, e.g. ``{total_difficulties: [sdq_parent_total,
sdq_teacher_total]}``) and the ``informant_agreement`` rule writes ``informant_agreement.csv``.
Each row also names the two informants (from the instrument files' ``informant``) and gives
each informant's own mean change over the same children, so the table reads alone. The answers
may come from one instrument file per informant's form with the forms side by side in a row, or
from rows naming their informant (questionnaire column ``informant``): both give the same
scores, so the same table.
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
    "construct", "outcome_a", "outcome_b", "informant_a", "informant_b", "n_children",
    "mean_change_a", "mean_change_b", "r_change", "r_change_ci_low", "r_change_ci_high",
    "r_change_p", "r_pre", "note",
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
    ``scoring`` and optionally ``informant``), each informant's mean change (post - pre) and
    the correlation of change over the children both rated (``children``, when given, limits
    them, e.g. to the analysed parents' children).
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
                change_a = both["post_a"] - both["pre_a"]
                change_b = both["post_b"] - both["pre_b"]
                rows.append({
                    "construct": construct, "outcome_a": first["id"], "outcome_b": second["id"],
                    "informant_a": first.get("informant", ""),
                    "informant_b": second.get("informant", ""),
                    "n_children": len(both),
                    "mean_change_a": float(change_a.mean()) if len(both) >= 4 else math.nan,
                    "mean_change_b": float(change_b.mean()) if len(both) >= 4 else math.nan,
                    "r_change": change["r"],
                    "r_change_ci_low": change["ci_low"], "r_change_ci_high": change["ci_high"],
                    "r_change_p": change["p"], "r_pre": pre["r"],
                    "note": NOTE_TOO_FEW if len(both) < 4 else "",
                })
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def site_informant_agreement(
    scores: pd.DataFrame, participants: pd.DataFrame, *, informants: Mapping[str, Sequence[str]],
    outcomes: Sequence[Mapping], design: str, where: str = "informants",
    confidence: float = 0.95, informant_of: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The informant_agreement table of a site: the constructs of ``informants`` (construct ->
    outcome ids of the site's ``outcomes``) over the analysed parents' children (the completers;
    in a controlled site both arms' analysed parents); ``informant_of`` names each outcome's
    informant (outcome id -> parent/teacher/observer, from its instrument file). An id that
    is not one of the site's outcomes is a :class:`~parentgroup.problems.UserFacingError`
    naming ``where``."""
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
    informant_of = informant_of or {}
    constructs = {name: [{**by_id[oid], "informant": informant_of.get(oid, "")} for oid in ids]
                  for name, ids in informants.items()}
    return informant_agreement(scores, constructs=constructs, design=design, children=children,
                               confidence=confidence)
