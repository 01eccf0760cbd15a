"""Agreement between informants (parent and teacher SDQ): correlation of change with its Fisher
z interval, checked against scipy and the closed form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from parentgroup.analysis.informants import (
    AGREEMENT_COLUMNS,
    correlation_with_ci,
    informant_agreement,
    site_informant_agreement,
)
from parentgroup.problems import UserFacingError
from parentgroup.report.controlled import informant_section_html


def test_correlation_matches_scipy_and_fisher_interval():
    rng = np.random.default_rng(4)
    x = rng.normal(size=30)
    y = 0.5 * x + rng.normal(size=30)
    got = correlation_with_ci(x, y)
    reference = stats.pearsonr(x, y)
    assert got["r"] == pytest.approx(reference.statistic, rel=1e-12)
    assert got["p"] == pytest.approx(reference.pvalue, rel=1e-9)
    low, high = reference.confidence_interval(0.95)  # scipy: the same Fisher z interval
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high), rel=1e-9)
    half = 1.959963984540054 / math.sqrt(27)
    assert got["ci_high"] == pytest.approx(math.tanh(math.atanh(got["r"]) + half))


def scores_for(instrument: str, changes: dict[str, float], pre: dict[str, float]):
    return [{"pseudonym": p, "instrument": instrument, "scale": "total_difficulties",
             "scoring": "sum", "time": time, "score": value}
            for p in changes for time, value in (("pre", pre[p]), ("post", pre[p] + changes[p]))]


def test_agreement_over_children_rated_by_both():
    rng = np.random.default_rng(9)
    children = [f"P{i:02d}" for i in range(1, 21)]
    true_change = {c: rng.normal(-3, 2) for c in children}
    parent = {c: v + rng.normal(0, 1) for c, v in true_change.items()}
    teacher = {c: v + rng.normal(0, 1) for c, v in list(true_change.items())[:15]}  # 15 rated
    pre = {c: rng.normal(15, 4) for c in children}
    scores = pd.DataFrame(scores_for("sdq_parent", parent, pre)
                          + scores_for("sdq_teacher", teacher, pre))
    outcomes = [{"id": f"sdq_{who}_total", "instrument": f"sdq_{who}",
                 "scale": "total_difficulties", "scoring": "sum"} for who in ("parent", "teacher")]
    table = informant_agreement(scores, constructs={"total_difficulties": outcomes},
                                design="prospective")
    assert list(table.columns) == AGREEMENT_COLUMNS
    row = table.iloc[0]
    assert row["n_children"] == 15
    expected = np.corrcoef([parent[c] for c in children[:15]],
                           [teacher[c] for c in children[:15]])[0, 1]
    assert row["r_change"] == pytest.approx(expected)
    assert row["r_change_ci_low"] > 0  # both track the same true change
    few = informant_agreement(scores, constructs={"total_difficulties": outcomes},
                              design="prospective", children=children[:3])
    assert few.iloc[0]["note"].startswith("fewer than 4") and math.isnan(few.iloc[0]["r_change"])


def test_site_entry_checks_ids_and_uses_the_analysed_children(tmp_path):
    rng = np.random.default_rng(2)
    children = [f"P{i:02d}" for i in range(1, 11)]
    change = {c: rng.normal(-3, 2) for c in children}
    pre = {c: rng.normal(15, 4) for c in children}
    scores = pd.DataFrame(scores_for("sdq_parent", change, pre)
                          + scores_for("sdq_teacher", change, pre))
    outcomes = [{"id": f"sdq_{who}_total", "instrument": f"sdq_{who}",
                 "scale": "total_difficulties", "scoring": "sum"} for who in ("parent", "teacher")]
    participants = pd.DataFrame({"pseudonym": children, "completer": [True] * 8 + [False] * 2})
    table = site_informant_agreement(
        scores, participants, informants={"td": ["sdq_parent_total", "sdq_teacher_total"]},
        outcomes=outcomes, design="prospective")
    assert table["n_children"].tolist() == [8]  # completers only
    assert table["r_change"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(UserFacingError, match="sites.x.informants: a, sdq_typo is not"):
        site_informant_agreement(scores, participants, informants={"td": ["sdq_typo", "a"]},
                                 outcomes=outcomes, design="prospective",
                                 where="sites.x.informants")
    assert informant_section_html(tmp_path) == ""
    table.to_csv(tmp_path / "informant_agreement.csv", index=False)
    assert "Agreement between informants" in informant_section_html(tmp_path)


def test_each_informant_is_named_with_their_own_change():
    rng = np.random.default_rng(5)
    children = [f"P{i:02d}" for i in range(1, 13)]
    parent = {c: rng.normal(-4, 2) for c in children}
    teacher = {c: rng.normal(-1, 2) for c in children}
    pre = {c: rng.normal(18, 3) for c in children}
    scores = pd.DataFrame(scores_for("sdq_parent", parent, pre)
                          + scores_for("sdq_teacher", teacher, pre))
    outcomes = [{"id": f"sdq_{who}_total", "instrument": f"sdq_{who}",
                 "scale": "total_difficulties", "scoring": "sum"} for who in ("parent", "teacher")]
    participants = pd.DataFrame({"pseudonym": children, "completer": True})
    row = site_informant_agreement(
        scores, participants, informants={"td": ["sdq_parent_total", "sdq_teacher_total"]},
        outcomes=outcomes, design="prospective",
        informant_of={"sdq_parent_total": "parent", "sdq_teacher_total": "teacher"}).iloc[0]
    assert (row["informant_a"], row["informant_b"]) == ("parent", "teacher")
    assert row["mean_change_a"] == pytest.approx(np.mean(list(parent.values())))
    assert row["mean_change_b"] == pytest.approx(np.mean(list(teacher.values())))


def test_agreement_is_the_same_from_forms_side_by_side_or_rows_naming_their_informant(tmp_path):
    """The two routes of docs/data-contracts.md (one row with both forms; a parent's row and a
    teacher's row, column ``informant``) give the same answers, scores and agreement."""
    from parentgroup.inputs.questionnaire import read_questionnaire
    from parentgroup.instruments import load_instruments
    from parentgroup.scoring.scales import score_items

    sdq = load_instruments(["sdq_parent", "sdq_teacher"])
    rng = np.random.default_rng(8)
    ids = [f"R{i:02d}" for i in range(1, 11)]
    level = rng.normal(1, 0.3, len(ids))
    change = rng.normal(-0.3, 0.2, len(ids))
    columns = {"record_id": ids}
    for name, instrument in sdq.items():
        for time, shift in (("pre", 0), ("post", 1)):
            for item in instrument.item_numbers:
                top = 3 if item >= 26 else 2
                latent = level + shift * change + rng.normal(0, 0.5, len(ids))
                columns[f"{name}_{item:02d}_{time}"] = [
                    str(int(v)) for v in np.clip(np.rint(latent), 0, top)]
    wide = pd.DataFrame(columns)
    parent, teacher = wide.copy(), wide.copy()
    parent[[c for c in wide if c.startswith("sdq_teacher_")]] = ""
    teacher[[c for c in wide if c.startswith("sdq_parent_")]] = ""
    rows = pd.concat([parent.assign(informant="parent"), teacher.assign(informant="teacher")])
    roster = pd.DataFrame({"record_id": ids, "parent_name": "", "email": ""})
    site = {"design": "prospective", "questionnaire": {"match_on": "record_id"}}
    outcomes = [{"id": f"sdq_{who}_total", "instrument": f"sdq_{who}",
                 "scale": "total_difficulties", "scoring": "sum"} for who in ("parent", "teacher")]
    tables = []
    for name, frame in (("side_by_side.csv", wide), ("by_informant.csv", rows)):
        frame.to_csv(tmp_path / name, index=False)
        items, _, problems = read_questionnaire(tmp_path / name, site, roster, sdq)
        assert [p for p in problems if p.severity == "error"] == []
        scores = score_items(items.rename(columns={"record_id": "pseudonym"}), sdq)
        tables.append(informant_agreement(scores, constructs={"td": outcomes},
                                          design="prospective"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert tables[0]["n_children"].iloc[0] == 10 and tables[0]["r_change"].notna().all()
