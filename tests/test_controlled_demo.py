"""The controlled demo: the generator rebuilds the committed site, the calibration holds, the arms
figure and the report section show both arms, and (e2e) the site runs through the workflow with
config/controlled-demo.yaml, leak check included."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, copy_repository, run_snakemake

from parentgroup.analysis.controlled import CONTROLLED_COLUMNS
from parentgroup.demo.controlled import build_controlled_demo_site
from parentgroup.figures.arms import draw_arms_figure
from parentgroup.report.controlled import controlled_section_html

SITE = REPO / "data/raw/demo_controlled"
TARGETS = ["results/demo_controlled/report.html", "results/demo_controlled/leak_check.txt"]


def test_generator_rebuilds_the_committed_site_byte_for_byte(tmp_path):
    written = build_controlled_demo_site(tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in SITE.iterdir())
    for path in written:
        assert path.read_bytes() == (SITE / path.name).read_bytes(), path.name


def test_the_site_has_both_arms_and_no_contact_details():
    roster = pd.read_csv(SITE / "roster.csv", dtype=str, keep_default_na=False)
    assert roster["arm"].value_counts().to_dict() == {"intervention": 12, "comparison": 12}
    assert "email" not in roster and "phone" not in roster
    attendance = pd.read_csv(SITE / "attendance.csv", dtype=str)
    assert set(attendance["record_id"]) == set(roster["record_id"])  # everyone has a register
    waitlist = set(roster.loc[roster["arm"] == "comparison", "record_id"])
    assert (attendance.loc[attendance["record_id"].isin(waitlist), "attended"] == "0").all()


def _tables():
    """Controlled tables of the committed site (scores computed through the package)."""
    from parentgroup.analysis.controlled import controlled_analysis
    from parentgroup.demo import questionnaires as q

    roster = pd.read_csv(SITE / "roster.csv", dtype=str, keep_default_na=False)
    items = pd.read_csv(SITE / "questionnaire.csv", dtype=str, keep_default_na=False)
    items = items[items["informant"] == "parent"]  # the teachers' rows hold only their SDQ
    rows = []
    for instrument, scales, top, reversed_items, use_sum in (
        ("prfq", q.PRFQ_SCALES, 7, q.PRFQ_REVERSED, False),
        ("psoc", q.PSOC_SCALES, 6, q.PSOC_REVERSED, True),
    ):
        for time in ("pre", "post"):
            n_items = 18 if instrument == "prfq" else 17
            values = np.array([[float(v) if v else np.nan for v in items[
                f"{instrument}_{i:02d}_{time}"]] for i in range(1, n_items + 1)]).T
            for item in reversed_items:
                values[:, item - 1] = top + 1 - values[:, item - 1]
            for scale, members in scales.items():
                score = q._scale_score(values, members, use_sum)
                for pseudonym, value in zip(items["record_id"], score, strict=True):
                    rows.append({"pseudonym": pseudonym, "instrument": instrument,
                                 "scale": scale, "scoring": "sum" if use_sum else "mean",
                                 "time": time, "score": value})
    scores = pd.DataFrame(rows)
    attendance = pd.read_csv(SITE / "attendance.csv")
    sessions = attendance.groupby("record_id")["attended"].sum()
    participants = pd.DataFrame({"pseudonym": roster["record_id"], "arm": roster["arm"],
                                 "completer": roster["record_id"].map(sessions) >= 6})
    outcomes = [{"id": "prfq_pm", "instrument": "prfq", "scale": "pre_mentalizing",
                 "scoring": "mean"},
                {"id": "psoc_total", "instrument": "psoc", "scale": "total", "scoring": "sum"}]
    config = {"outcomes": outcomes, "completer_min_sessions": 6,
              "analysis": {"bootstrap": {"n_resamples": 200, "seed": 1}}}
    return controlled_analysis(scores, participants, config=config, design="prospective",
                               directions={"prfq_pm": "lower_better",
                                           "psoc_total": "higher_better"},
                               labels={"prfq_pm": "PRFQ pre-mentalizing",
                                       "psoc_total": "PSOC total"})


def test_calibration_waitlist_flat_intervention_improves():
    tables = _tables()
    by_arm = tables["paired_tests_by_arm"].set_index(["arm", "outcome"])
    for outcome in ("prfq_pm", "psoc_total"):
        assert abs(by_arm.loc[("comparison", outcome), "d_z"]) < 0.35
        assert by_arm.loc[("comparison", outcome), "p"] > 0.05
    controlled = tables["controlled"].set_index("outcome")
    assert controlled.loc["prfq_pm", "d_ppc2_ci_high"] < 0
    assert controlled.loc["psoc_total", "d_ppc2_ci_low"] > 0


def test_arms_figure_and_report_section(tmp_path):
    tables = _tables()
    meta = {"prfq_pm": {"label": "Pre-Mentalizing", "instrument": "prfq"},
            "psoc_total": {"label": "Total", "instrument": "psoc"}}
    results = tmp_path / "results"
    (results / "arms").mkdir(parents=True)
    record = draw_arms_figure(controlled=tables["controlled"],
                              by_arm=tables["paired_tests_by_arm"], outcome_meta=meta,
                              out_dir=results / "arms", dpi=60, formats=("png",))
    assert record["name"].tolist() == ["arms"]
    assert "d_ppc2" in record["alt_text"].iloc[0] and "comparison arm" in record["alt_text"][0]
    first = hashlib.sha256((results / "arms/arms.png").read_bytes()).hexdigest()
    draw_arms_figure(controlled=tables["controlled"], by_arm=tables["paired_tests_by_arm"],
                     outcome_meta=meta, out_dir=results / "arms", dpi=60, formats=("png",))
    assert hashlib.sha256((results / "arms/arms.png").read_bytes()).hexdigest() == first
    assert controlled_section_html(results) == ""  # no controlled.csv: single-group site
    tables["controlled"].to_csv(results / "controlled.csv", index=False)
    tables["paired_tests_by_arm"].to_csv(results / "paired_tests_by_arm.csv", index=False)
    section = controlled_section_html(results)
    assert "<h2>Controlled comparison</h2>" in section and "data:image/png;base64," in section
    d = tables["controlled"].set_index("outcome").loc["psoc_total", "d_ppc2"]
    assert f"{d:.2f}" in section  # numbers come from the table


@pytest.mark.e2e
def test_controlled_demo_runs_through_the_workflow(tmp_path):
    workdir = copy_repository(tmp_path / "repo")
    result = run_snakemake(workdir, "--cores", "2", *TARGETS, "--configfile",
                           "config/controlled-demo.yaml", timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    results = workdir / "results/demo_controlled"
    controlled = pd.read_csv(results / "controlled.csv")
    assert list(controlled.columns) == CONTROLLED_COLUMNS
    assert len(controlled) == 8 and controlled["d_ppc2"].notna().all()  # PRFQ, PSOC, SDQ x 2
    assert set(pd.read_csv(results / "paired_tests_by_arm.csv")["arm"]) == {
        "intervention", "comparison"}
    assert (results / "arms/arms.png").is_file()
    report = (results / "report.html").read_text(encoding="utf-8")
    assert "Controlled comparison" in report and "Agreement between informants" in report
    agreement = pd.read_csv(results / "informant_agreement.csv")
    assert agreement[["outcome_a", "outcome_b"]].values.tolist() == [
        ["sdq_parent_total", "sdq_teacher_total"]]
    assert agreement["r_change_ci_low"].iloc[0] > 0  # both informants see the change
    # the teachers' answers are rows of their own (questionnaire column informant)
    assert agreement[["informant_a", "informant_b"]].values.tolist() == [["parent", "teacher"]]
    assert agreement[["mean_change_a", "mean_change_b"]].notna().all(axis=None)
    assert "Total difficulties (teacher)" in report or "(teacher)" in report
    assert "hits: 0" in (results / "leak_check.txt").read_text(encoding="utf-8")
    # the single-group demo is not asked for: nothing of it was built
    assert not Path(workdir / "results/demo").exists()
