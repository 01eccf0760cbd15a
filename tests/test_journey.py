"""The parents' journey (issue 20): goals, invitations, lateness, the flow from invitation,
retention, goal-based outcomes and their threshold, the family sheets (secure folder only, proven
by the leak check) and the staff summary (disclosure rule)."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from parentgroup.analysis.goals import (
    baseline_summary,
    goal_change,
    goal_outcomes,
    goal_summary,
    parent_goal_progress,
)
from parentgroup.analysis.invitations import (
    decline_barriers,
    invitation_flow,
    retention_by_session,
)
from parentgroup.analysis.journey import analyse_journey
from parentgroup.anonymisation.journey import journey_tables
from parentgroup.anonymisation.linkage import ensure_linkage_key
from parentgroup.config import outcome_meta, site_study, validate_config
from parentgroup.inputs.goals import read_goals
from parentgroup.inputs.lateness import read_lateness
from parentgroup.inputs.referrals import read_referrals
from parentgroup.inputs.site import read_site
from parentgroup.leak_check import LeakFound, check_site
from parentgroup.problems import ERROR, WARNING
from parentgroup.report.family_sheets import write_family_sheets
from parentgroup.report.staff_summary import staff_summary_html

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
ROSTER = pd.DataFrame({"record_id": ["R1", "R2", "R3"]})
REASONS = ["stigma", "timing", "school_relationship", "childcare", "other"]


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _where(problems, severity=ERROR):
    return {(p.row, p.column) for p in problems if p.severity == severity}


# -- inputs: every problem located by file, row and column ---------------------------------------

def test_goals_problems_are_located(tmp_path):
    path = _csv(tmp_path, "goals.csv", (
        "record_id,goal,goal_text,time,session,rating,category\n"
        "R1,1,Calmer bedtimes,baseline,,3,\n"      # row 2: fine
        "R1,1,,review,,11,\n"                       # row 3: rating 11
        "R9,1,Homework,baseline,,2,\n"              # row 4: unknown record
        "R2,4,Friends,baseline,,2,\n"               # row 5: goal 4
        "R2,1,,baseline,,2,\n"                      # row 6: goal without text anywhere
        "R3,1,Play,session,,4,\n"                   # row 7: session rating without a session
        "R3,2,Play,baseline,,4,feelings\n"          # row 8: category not configured
        "R3,2,Play,baseline,,5,\n"                  # row 9: repeated
        "R3,3,Talk more,review,,6,\n"               # row 10: review without baseline (warning)
    ))
    _, problems = read_goals(path, ROSTER, 10, ["emotions"])
    assert _where(problems) == {(3, "rating"), (4, "record_id"), (5, "goal"), (6, "goal_text"),
                                (7, "session"), (8, "category"),
                                (8, "record_id, goal, time, session")}
    assert _where(problems, WARNING) == {(10, "time")}
    assert all(p.file == "goals.csv" for p in problems)


def test_missing_goal_column_is_one_located_problem(tmp_path):
    path = _csv(tmp_path, "goals.csv", "record_id,goal,time\nR1,1,baseline\n")
    frame, problems = read_goals(path, ROSTER, 10, [])
    assert frame.empty and [(p.row, p.column) for p in problems] == [(1, "rating")]


def test_referrals_problems_are_located(tmp_path):
    path = _csv(tmp_path, "referrals.csv", (
        "referral_id,date,route,response,decline_reason,record_id\n"
        "I1,2025-01-06,teacher,accepted,,R1\n"           # 2 fine
        "I2,2025-02-30,teacher,declined,stigma,\n"       # 3 not a calendar date
        "I3,2025-01-07,letter,declined,money,\n"         # 4 reason not configured
        "I4,2025-01-07,letter,no_reply,timing,\n"        # 5 reason without a decline
        "I5,2025-01-07,letter,declined,,\n"              # 6 no reason (warning)
        "I6,2025-01-07,letter,declined,stigma,R2\n"      # 7 record id for a decline
        "I7,2025-01-07,Letter,maybe,,R8\n"               # 8 route, response, unknown record
        "I1,2025-01-08,senco,accepted,,R3\n"             # 9 repeated referral id
    ))
    _, problems = read_referrals(path, ROSTER, REASONS)
    assert _where(problems) == {(3, "date"), (4, "decline_reason"), (5, "decline_reason"),
                                (7, "record_id"), (8, "route"), (8, "response"), (8, "record_id"),
                                (2, "referral_id")}
    assert (6, "decline_reason") in _where(problems, WARNING)


def test_optional_files_may_be_absent():
    assert read_goals(None, ROSTER, 10, [])[1] == []
    assert read_referrals(None, ROSTER, REASONS)[1] == []
    assert read_lateness(None)[0].empty


def test_lateness_values_are_checked(tmp_path):
    path = _csv(tmp_path, "attendance.csv", (
        "record_id,session,attended,minutes_late\n"
        "R1,1,1,0\nR1,2,1,15\nR1,3,0,10\nR1,4,1,late\nR1,5,1,\n"))
    frame, problems = read_lateness(path)
    assert _where(problems) == {(4, "minutes_late"), (5, "minutes_late")}
    assert frame["late"].tolist() == [False, True] and frame["session"].tolist() == [1, 2]


# -- goal-based outcomes: the threshold and the summaries ----------------------------------------

@pytest.mark.parametrize(("baseline", "review", "threshold", "expected"), [
    (2, 5, 3, (3.0, True, False)),    # exactly the threshold counts
    (2, 4, 3, (2.0, False, False)),   # 2 points: below the reliable change of 2.45
    (7, 4, 3, (-3.0, False, True)),   # a meaningful fall
    (0, 10, 3, (10.0, True, False)),
    (2, 4, 2, (2.0, True, False)),    # configurable
    (5, None, 3, (math.nan, False, False)),
])
def test_goal_change_threshold(baseline, review, threshold, expected):
    got = goal_change(baseline, review, threshold)
    assert got[1:] == expected[1:]
    assert (math.isnan(got[0]) and math.isnan(expected[0])) or got[0] == expected[0]


def _goals() -> pd.DataFrame:
    rows = []
    # P01: +4 and +1; P02: +3, +3, -1; P03: baseline only
    for pseudonym, goal, baseline, review in [("P01", 1, 2, 6), ("P01", 2, 5, 6),
                                              ("P02", 1, 1, 4), ("P02", 2, 3, 6),
                                              ("P02", 3, 4, 3), ("P03", 1, 2, None)]:
        rows.append([pseudonym, goal, "emotions", "text", "baseline", None, baseline])
        if review is not None:
            rows.append([pseudonym, goal, "emotions", "text", "session", 5, 9])
            rows.append([pseudonym, goal, "emotions", "text", "review", None, review])
    return pd.DataFrame(rows, columns=["pseudonym", "goal", "goal_category", "goal_text",
                                       "time", "session", "rating"])


def test_goal_outcomes_and_parent_progress_by_hand():
    outcomes = goal_outcomes(_goals(), 3)
    assert outcomes["change"].tolist()[:5] == [4.0, 1.0, 3.0, 3.0, -1.0]  # session ratings ignored
    assert outcomes["meaningful"].tolist() == [True, False, True, True, False, False]
    parents = parent_goal_progress(outcomes).set_index("pseudonym")
    assert parents.loc["P01", "mean_change"] == 2.5
    assert parents.loc["P02", "share_meaningful"] == pytest.approx(2 / 3)
    assert parents.loc["P02", "share_moved"] == pytest.approx(2 / 3)
    assert parents.loc["P03", "goals_rated"] == 0 and not parents.loc["P03", "any_meaningful"]


def test_goal_summary_d_z_matches_scipy_and_counts_are_suppressed():
    outcomes = goal_outcomes(_goals(), 3)
    parents = parent_goal_progress(outcomes)
    summary = goal_summary(outcomes, parents, threshold=3, min_cell_size=3,
                           category_names={"emotions": "Feelings"}).set_index("measure")
    means = np.array([2.5, 5 / 3])
    t = stats.ttest_1samp(means, 0).statistic  # d_z = t / sqrt(n) (Lakens 2013, eq. 6)
    assert summary.loc["d_z", "value"] == pytest.approx(t / math.sqrt(2))
    assert summary.loc["parents_rated", "value"] == "<3"       # 2 parents
    assert summary.loc["parents_with_goals", "value"] == 3
    # 6 goals set, 5 rated: the one unrated goal would come back by a subtraction, so the goals
    # set (and the category count that sums to it) are withheld, not the rated goals
    assert summary.loc["goals_rated", "value"] == 5
    assert summary.loc["goals_set", "value"] == "[c]"
    assert summary.loc["goals_in_category", "value"] == "[c]"
    assert summary.loc["share_goals_meaningful", "value"] == pytest.approx(3 / 5)
    assert summary.loc["parents_any_meaningful", "value"] == "<3"


# -- the flow from invitation and retention obey the disclosure rule ----------------------------

def test_invitation_flow_counts_and_suppression():
    invitations = pd.DataFrame({
        "route": ["t"] * 9,
        "response": ["accepted"] * 4 + ["declined"] * 4 + ["no_reply"],
        "decline_reason": [""] * 4 + ["stigma"] * 3 + ["timing"] + [""],
        "enrolled": [True] * 4 + [False] * 5})
    participants = pd.DataFrame({"completer": ["True", "True", "True", "False"]})
    flow = invitation_flow(invitations, participants, reasons=REASONS, min_cell_size=3)
    shown = {(s, r): n for s, r, n in zip(flow["step"], flow["reason"], flow["n"], strict=True)}
    # the flow counts are exact, small or not (the one disclosure rule, issue 17) ...
    assert [shown[(step, "")] for step in ("invited", "accepted", "declined", "no_reply",
                                           "enrolled", "completed")] == [9, 4, 4, 1, 4, 3]
    # ... and 4 declined = 3 stigma + 1 timing: beside the exact 4 nothing can hide the one
    # family's reason, so the breakdown is withheld whole
    reasons = {r: n for (s, r), n in shown.items() if s == "declined" and r}
    assert reasons == {"withheld": "[c]"}
    bare = invitation_flow(invitations.iloc[0:0], participants, reasons=REASONS,
                           min_cell_size=3)
    assert bare["step"].tolist() == ["enrolled", "completed"]


def test_retention_is_a_survival_curve_and_small_counts_hide_their_shares():
    attendance = pd.DataFrame({
        "pseudonym": ["P1"] * 4 + ["P2"] * 4 + ["P3"] * 4 + ["P4"] * 4,
        "session": [1, 2, 3, 4] * 4,
        "attended": [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0]})
    lateness = pd.DataFrame({"pseudonym": ["P1", "P2", "P3", "P4", "P1"],
                             "session": [1, 1, 1, 1, 2], "late": [True, False, False, False,
                                                                  True],
                             "minutes_late": [10, 0, 0, 0, 5]})
    table = retention_by_session(attendance, lateness, sessions=4, enrolled=4, min_cell_size=3)
    # last sessions attended: P1 4, P2 4, P3 2, P4 1 -> retained 4, 3, 2, 2
    assert table["retained"].tolist() == [4, 3, "<3", "<3"]
    assert table["share_retained"].tolist()[:2] == [1.0, 0.75]
    assert table["share_retained"].isna().tolist()[2:] == [True, True]
    # session 1: one of four late -> the count is suppressed, and so is the share
    assert table.loc[0, "late"] == "<3" and math.isnan(table.loc[0, "share_late"])
    assert table.loc[3, "attended"] == "<3"


# -- the differencing rule: no small count comes back as a total minus the shown counts -------

def _possible_values(shown: dict, groups: list, *, k: int = 3, top: int = 30) -> dict:
    """Brute force, independent of the package's audit: every value each hidden count can take
    given the shown counts and the sums (a "<3" count is 1 or 2, a withheld "[c]" one 1 or
    more, an unpublished one (None) 0 or more)."""
    keys = list(shown)
    domains = {key: [v] if isinstance(v, int) else range(1, k) if str(v).startswith("<")
               else range(1, top + 1) if v is not None else range(0, top + 1)
               for key, v in shown.items()}
    seen = {key: set() for key in keys}

    def ok(values):  # totals come first: a partial sum may not pass its total
        for total, cells in groups:
            if total in values:
                partial = sum(values[c] for c in cells if c in values)
                if partial > values[total] or (partial != values[total]
                                               and all(c in values for c in cells)):
                    return False
        return True

    def walk(i, values):
        if i == len(keys):
            for key in keys:
                seen[key].add(values[key])
            return
        for value in domains[keys[i]]:
            values[keys[i]] = value
            if ok(values):
                walk(i + 1, values)
            del values[keys[i]]

    walk(0, {})
    return seen


def _small_counts_are_safe(shown: dict, groups: list, truth: dict) -> list:
    seen = _possible_values(shown, groups)
    return [key for key, n in truth.items() if 0 < n < 3 and len(seen[key]) < 2]


def test_a_suppressed_decline_reason_cannot_be_worked_back_from_the_total():
    # declined 5 = stigma 4 + timing 1: before the differencing rule the flow showed 5 and 4
    invitations = pd.DataFrame({"response": ["accepted", "declined", "declined", "no_reply"],
                                "decline_reason": ["", "stigma", "timing", ""],
                                "n": [6, 4, 1, 3]})
    participants = pd.DataFrame({"completer": [True] * 6})
    flow = invitation_flow(invitations, participants, reasons=REASONS, min_cell_size=3)
    shown = {(s, r): n for s, r, n in zip(flow["step"], flow["reason"], flow["n"], strict=True)}
    assert shown[("declined", "timing")] == "<3"
    assert shown[("declined", "stigma")] == "[c]"       # the next smallest reason, withheld
    assert shown[("declined", "")] == 5 and shown[("invited", "")] == 14  # flow: exact
    groups = [(("invited", ""), [("accepted", ""), ("declined", ""), ("no_reply", "")]),
              (("declined", ""), [("declined", r) for r in [*REASONS, "not_given"]])]
    truth = {("declined", "timing"): 1}
    flow_shown = {key: v for key, v in shown.items() if key[0] not in ("enrolled", "completed")}
    assert _small_counts_are_safe(flow_shown, groups, truth) == []


def test_a_breakdown_no_count_can_protect_is_withheld_whole_and_the_flow_stays_exact():
    # declined 4 = stigma 3 + timing 1; invited 12 = accepted 5 + declined 4 + no reply 3
    invitations = pd.DataFrame({"response": ["accepted", "declined", "declined", "no_reply"],
                                "decline_reason": ["", "stigma", "timing", ""],
                                "n": [5, 3, 1, 3]})
    flow = invitation_flow(invitations, pd.DataFrame({"completer": [True] * 5}),
                           reasons=REASONS, min_cell_size=3)
    shown = {(s, r): n for s, r, n in zip(flow["step"], flow["reason"], flow["n"], strict=True)}
    assert shown[("declined", "")] == 4 and shown[("invited", "")] == 12
    assert [r for (s, r) in shown if s == "declined" and r] == ["withheld"]
    assert shown[("declined", "withheld")] == "[c]"


def test_lateness_cannot_be_worked_back_from_the_recorded_sessions():
    # session 1: four parents attended with lateness recorded, three late: 4 - 3 = the one on
    # time, so the recorded count is withheld and so are the share and the mean
    attendance = pd.DataFrame({"pseudonym": ["P1", "P2", "P3", "P4"], "session": [1] * 4,
                               "attended": [1] * 4})
    lateness = pd.DataFrame({"pseudonym": ["P1", "P2", "P3", "P4"], "session": [1] * 4,
                             "late": [True, True, True, False], "minutes_late": [5, 5, 10, 0]})
    row = retention_by_session(attendance, lateness, sessions=1, enrolled=4,
                               min_cell_size=3).iloc[0]
    assert row["late"] == 3 and row["lateness_recorded"] == "[c]"
    assert math.isnan(row["share_late"]) and math.isnan(row["mean_minutes_late"])
    shown = {"late": row["late"], "recorded": row["lateness_recorded"], "on_time": None}
    assert _small_counts_are_safe(shown, [("recorded", ["late", "on_time"])],
                                  {"on_time": 1}) == []


def test_a_small_goal_category_cannot_be_worked_back_from_the_goals_set():
    rows = []
    for number, category in enumerate(["emotions"] * 5 + ["school_learning"], start=1):
        for time, rating in (("baseline", 2), ("review", 6)):
            rows.append([f"P{number:02d}", 1, category, "text", time, None, rating])
    goals = pd.DataFrame(rows, columns=["pseudonym", "goal", "goal_category", "goal_text",
                                        "time", "session", "rating"])
    outcomes = goal_outcomes(goals, 3)
    summary = goal_summary(outcomes, parent_goal_progress(outcomes), threshold=3,
                           min_cell_size=3, category_names={})
    value = {(m, g): v for m, g, v in zip(summary["measure"], summary["group"],
                                          summary["value"], strict=True)}
    assert value[("goals_in_category", "school_learning")] == "<3"
    assert value[("goals_in_category", "emotions")] == "[c]"
    assert value[("goals_set", "all")] == 6
    shown = {"set": 6, "emotions": value[("goals_in_category", "emotions")],
             "school": value[("goals_in_category", "school_learning")]}
    assert _small_counts_are_safe(shown, [("set", ["emotions", "school"])], {"school": 1}) == []


@pytest.mark.parametrize("seed", range(40))
def test_no_small_count_of_a_random_flow_can_be_worked_back(seed):
    """Random small sites, audited by brute force: every small count keeps two possible
    values at least."""
    rng = np.random.default_rng(seed)
    accepted, no_reply = int(rng.integers(0, 7)), int(rng.integers(0, 4))
    reasons = {r: int(rng.choice([0, 0, 1, 1, 2, 3, 4])) for r in REASONS[:4]}
    rows = [["accepted", "", accepted], ["no_reply", "", no_reply]] + [
        ["declined", r, n] for r, n in reasons.items()]
    invitations = pd.DataFrame(rows, columns=["response", "decline_reason", "n"])
    flow = invitation_flow(invitations, pd.DataFrame({"completer": []}), reasons=REASONS[:4],
                           min_cell_size=3)
    shown = {(s, r): n for s, r, n in zip(flow["step"], flow["reason"], flow["n"], strict=True)
             if s not in ("enrolled", "completed")}
    # the flow counts are exact (the one disclosure rule); what is protected is the reasons
    assert shown[("accepted", "")] == accepted and shown[("no_reply", "")] == no_reply
    assert shown[("declined", "")] == sum(reasons.values())
    if ("declined", "withheld") in shown:  # the breakdown withheld whole: nothing to work back
        assert not [r for (s, r) in shown if s == "declined" and r not in ("", "withheld")]
        return
    groups = [(("invited", ""), [("accepted", ""), ("declined", ""), ("no_reply", "")]),
              (("declined", ""), [("declined", r) for r in [*REASONS[:4], "not_given"]])]
    truth = {("declined", r): n for r, n in reasons.items()}
    assert _small_counts_are_safe(shown, groups, truth) == []


# -- goal texts are redacted and coded; nothing identifying reaches the processed tables ----------

def _demo_study(tmp_path: Path) -> tuple[dict, Path]:
    site_dir = tmp_path / "raw" / "demo"
    shutil.copytree(DEMO, site_dir)
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    config["sites"]["demo"]["data_dir"] = str(site_dir)
    config["secure_dir"] = str(tmp_path / "secure")
    validate_config(config)
    return site_study(config, "demo"), site_dir


def test_goal_texts_are_redacted_and_coded_from_the_original(tmp_path):
    study, _ = _demo_study(tmp_path)
    inputs = read_site(study["sites"]["demo"], study)
    assert not [p for p in inputs.problems if p.severity == ERROR]
    pseudonyms = ensure_linkage_key(tmp_path / "secure" / "linkage_key.csv",
                                    sorted(inputs.roster["record_id"]))
    tables, log = journey_tables(roster=inputs.roster, goals=inputs.goals,
                                 referrals=inputs.referrals, lateness=inputs.lateness,
                                 identifiers=inputs.identifiers, pseudonyms=pseudonyms,
                                 config=study)
    goals = tables["goals"]
    children = {n.split()[0] for n in inputs.roster["child_name"]}
    for text in goals["goal_text"]:
        assert not set(text.replace(",", " ").split()) & children, text
    assert goals["goal_text"].str.contains(r"\[Child of P\d+\]").any()
    assert len(log) > 0 and set(goals["goal_category"]) <= {
        "emotions", "home_routines", "siblings_friends", "school_learning", "relationship",
        "other"}
    bedtime = inputs.goals[inputs.goals["goal_text"].str.contains("bed by eight")]
    assert (goals.loc[goals["goal_text"].str.contains("bed by eight"), "goal_category"]
            == "home_routines").all() and len(bedtime)
    # invitations: counts only, no route or date, so no row is one family who declined
    invitations = tables["invitations"]
    assert list(invitations.columns) == ["response", "decline_reason", "enrolled", "n"]
    assert not invitations.duplicated(["response", "decline_reason", "enrolled"]).any()
    assert int(invitations["n"].sum()) == len(inputs.referrals)
    assert int(invitations.loc[invitations["enrolled"], "n"].sum()) == len(inputs.roster)
    participants = pd.DataFrame({"completer": [True] * len(inputs.roster)})
    from_counts = invitation_flow(invitations, participants, reasons=REASONS, min_cell_size=3)
    from_rows = invitation_flow(inputs.referrals, participants, reasons=REASONS,
                                min_cell_size=3)
    pd.testing.assert_frame_equal(from_counts, from_rows)
    assert set(tables["lateness"]["pseudonym"]) <= set(pseudonyms.values())


# -- family sheets stay in the secure folder: the leak check proves it ----------------------------

@pytest.fixture
def sheets(tmp_path):
    study, site_dir = _demo_study(tmp_path)
    inputs = read_site(study["sites"]["demo"], study)
    secure = tmp_path / "secure" / "demo"
    pseudonyms = ensure_linkage_key(secure / "linkage_key.csv",
                                    sorted(inputs.roster["record_id"]))
    participants = pd.DataFrame({"pseudonym": sorted(pseudonyms.values()),
                                 "sessions_attended": 7, "completer": True})
    some = sorted(pseudonyms.values())[0]
    scores = pd.DataFrame({"pseudonym": [some, some], "instrument": "psoc", "scale": "total",
                           "scoring": "sum", "time": ["then", "now"], "score": [50.0, 64.0]})
    results = tmp_path / "results" / "demo"
    manifest = write_family_sheets(
        site="demo", study=study, scores=scores, participants=participants,
        outcomes=outcome_meta(study), secure_dir=secure,
        manifest_path=results / "family_sheets.csv")
    return dict(study=study, site_dir=site_dir, secure=secure, results=results,
                manifest=manifest, roster=inputs.roster, pseudonyms=pseudonyms)


def _leak_check(sheets, tmp_path):
    return check_site(
        roster_path=sheets["site_dir"] / "roster.csv",
        identifiers_path=sheets["site_dir"] / "identifiers.yaml",
        key_path=sheets["secure"] / "linkage_key.csv",
        direct_identifiers=sheets["study"]["roster"]["direct_identifiers"],
        roots=[sheets["results"]], summary_path=tmp_path / "leak_check.txt")


def test_sheets_are_written_only_to_the_secure_folder(sheets, tmp_path):
    written = sorted((sheets["secure"] / "sheets").glob("*.html"))
    assert len(written) == len(sheets["roster"]) == len(sheets["manifest"])
    first = sheets["roster"].set_index("record_id")["parent_name"].str.split().str[0]
    for record_id, pseudonym in sheets["pseudonyms"].items():
        page = (sheets["secure"] / "sheets" / f"{pseudonym}.html").read_text(encoding="utf-8")
        assert f"Dear {first[record_id]}," in page  # the real first name, for that family
    page = (sheets["secure"] / "sheets" / f"{sorted(sheets['pseudonyms'].values())[0]}.html"
            ).read_text(encoding="utf-8")
    assert "from 50.0 to 64.0" in page and "<svg" in page and "Where to get more help" in page
    assert (sheets["secure"] / "sheets").stat().st_mode & 0o077 == 0
    from parentgroup.outputs import pdf_support

    if pdf_support()[0]:  # and each as one A4 page of PDF beside it, owner-only
        pdfs = sorted((sheets["secure"] / "sheets").glob("*.pdf"))
        assert [p.stem for p in pdfs] == [p.stem for p in written]
        import weasyprint

        for page in written:  # one A4 page each, as promised to the family
            assert len(weasyprint.HTML(filename=str(page)).render().pages) == 1, page.name
        assert all(p.stat().st_mode & 0o077 == 0 for p in pdfs)
    # the only shared output is the manifest, and the leak check passes over it
    assert [p.name for p in sheets["results"].iterdir()] == ["family_sheets.csv"]
    assert _leak_check(sheets, tmp_path) == 1


def test_sheet_pdfs_drawn_by_two_workers_are_the_same_files(sheets):
    """``--set-threads family_sheets=N`` (a site of thousands of parents) draws the PDFs with N
    forked workers: the same bytes as one after another, each still owner-only."""
    from parentgroup.outputs import pdf_support
    from parentgroup.report.family_sheets import draw_sheet_pdfs

    if not pdf_support()[0]:
        pytest.skip(pdf_support()[1])
    folder = sheets["secure"] / "sheets"
    pages = sorted(folder.glob("*.html"))
    serial = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    assert len(serial) == len(pages) > 2
    for pdf in folder.glob("*.pdf"):
        pdf.unlink()
    draw_sheet_pdfs(pages, processes=2)
    assert {p.name: p.read_bytes() for p in folder.glob("*.pdf")} == serial
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.glob("*.pdf"))


@pytest.mark.parametrize("fragment", ["whole", "greeting", "goal"])
def test_a_sheet_or_a_fragment_in_a_shared_folder_fails_the_leak_check(sheets, tmp_path,
                                                                        fragment):
    pseudonym = sorted(sheets["pseudonyms"].values())[0]
    page = (sheets["secure"] / "sheets" / f"{pseudonym}.html").read_text(encoding="utf-8")
    lines = page.splitlines()
    text = {"whole": page,
            "greeting": next(line for line in lines if "Dear " in line),
            "goal": next(line for line in lines if "<strong>" in line and "Child" not in line
                         and any(n.split()[0] in line for n in sheets["roster"]["child_name"]))
            }[fragment]
    (sheets["results"] / "copied.html").write_text(text, encoding="utf-8")
    with pytest.raises(LeakFound):
        _leak_check(sheets, tmp_path)


def test_the_switch_turns_sheets_off(tmp_path):
    study, _ = _demo_study(tmp_path)
    study["journey"]["family_sheets"] = False
    manifest = write_family_sheets(
        site="demo", study=study, scores=pd.DataFrame(), participants=pd.DataFrame(),
        outcomes={}, secure_dir=tmp_path / "secure" / "demo",
        manifest_path=tmp_path / "results" / "family_sheets.csv")
    assert manifest.empty and not (tmp_path / "secure" / "demo" / "sheets").exists()


def test_turning_the_sheets_off_removes_the_sheets_written_before(sheets, caplog):
    folder = sheets["secure"] / "sheets"
    written = sorted(p.name for p in folder.glob("*.html"))
    assert len(written) == len(sheets["roster"])
    (folder / "notes.txt").write_text("a researcher's own file", encoding="utf-8")
    study = {**sheets["study"], "journey": {**sheets["study"]["journey"],
                                            "family_sheets": False}}
    with caplog.at_level("INFO"):
        manifest = write_family_sheets(
            site="demo", study=study, scores=pd.DataFrame(), participants=pd.DataFrame(),
            outcomes={}, secure_dir=sheets["secure"],
            manifest_path=sheets["results"] / "family_sheets.csv")
    assert manifest.empty
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]  # not ours: kept
    assert f"{len(written)} sheets an earlier run wrote removed" in caplog.text


# -- the staff summary: no individual data, suppressed counts in words ---------------------------

def test_staff_summary_has_no_individual_data(tmp_path):
    study, _ = _demo_study(tmp_path)
    invitations = pd.DataFrame({"route": ["t"] * 6, "response": ["accepted"] * 4
                                + ["declined"] * 2, "decline_reason": [""] * 4 + ["stigma"] * 2,
                                "enrolled": [True] * 4 + [False] * 2})
    participants = pd.DataFrame({"pseudonym": ["P01", "P02", "P03", "P04"],
                                 "completer": [True] * 4})
    attendance = pd.DataFrame({"pseudonym": ["P01", "P02", "P03", "P04"], "session": 1,
                               "attended": 1})
    goals = _goals().assign(pseudonym=lambda f: f["pseudonym"].str.replace("P0", "P0"))
    tables = analyse_journey(goals=goals, invitations=invitations,
                             lateness=pd.DataFrame(columns=["pseudonym", "session", "late",
                                                            "minutes_late"]),
                             participants=participants, attendance=attendance,
                             reliable_change=pd.DataFrame(), config=study, sessions=2)
    page = staff_summary_html(title="Group", flow=tables["invitation_flow"],
                              retention=tables["retention"],
                              goal_summary=tables["goal_summary"], journey=study["journey"],
                              sessions=2, synthetic=True)
    assert "P0" not in page  # no pseudonym, no row per parent
    # 2 declined (a flow count, exact), both for stigma: fewer than 3 families, so their
    # reasons are withheld whole, not shown as "fewer than 3" beside the exact 2
    assert "2 declined" in page and "stigma" not in page
    assert "reasons not shown" in page
    assert "6 families were invited" in page
    assert set(tables["joint_display_goals"]["pseudonym"]) == {"P01", "P02", "P03"}


def test_decline_barriers_join_reasons_to_voiced_barriers():
    flow = pd.DataFrame({"step": ["invited", "declined", "declined", "declined"],
                         "reason": ["", "", "stigma", "timing"], "n": [9, 5, 4, "<3"]})
    excerpts = pd.DataFrame({
        "pseudonym": ["P01", "P02", "P02", "P03", "P04"],
        "theme": ["safety", "safety", "stress", "stress", "other"],
        "code": ["No judgement", "no judgement", "work and sleep", "work and sleep", "x"],
        "excerpt": ["", "Nobody judged me", "Shifts for [Child of P02]", "Late shifts", "y"],
        "quotable": ["False", "True", "True", "True", "True"]})
    table = decline_barriers(flow, excerpts, {"no judgement": "stigma",
                                              "work and sleep": "timing"},
                             reasons=["stigma", "timing", "childcare"], min_cell_size=3)
    rows = table.set_index("reason")
    assert rows.loc["stigma", "n_declined"] == 4 and rows.loc["stigma", "n_voiced"] == "<3"
    assert rows.loc["stigma", "quote"] == "Nobody judged me"  # P01 did not consent
    assert rows.loc["timing", "n_excerpts"] == ""
    # no code travels with a quote outside the quotes table, beside it or inside it
    assert "quote_pseudonym" not in table.columns
    assert rows.loc["timing", "quote"] == "Shifts for [their child]"
    assert rows.loc["stigma", "n_excerpts"] == ""  # would give the suppressed count back
    assert rows.loc["childcare", "n_voiced"] == 0 and rows.loc["childcare", "codes"] == ""


# -- the baseline form about the child ------------------------------------------------------------

def test_baseline_form_is_read_redacted_and_summarised(tmp_path):
    study, site_dir = _demo_study(tmp_path)
    inputs = read_site(study["sites"]["demo"], study)
    assert len(inputs.baseline_items) == 14 * 6 and set(inputs.baseline_items["domain"]) == {
        "home", "siblings_friends", "homework"}
    assert len(inputs.baseline_texts) == 14 * 3 - 1  # one blank answer
    pseudonyms = ensure_linkage_key(tmp_path / "secure" / "linkage_key.csv",
                                    sorted(inputs.roster["record_id"]))
    tables, _ = journey_tables(roster=inputs.roster, goals=inputs.goals,
                               referrals=inputs.referrals, lateness=inputs.lateness,
                               identifiers=inputs.identifiers, pseudonyms=pseudonyms,
                               config=study, baseline_items=inputs.baseline_items,
                               baseline_texts=inputs.baseline_texts)
    names = set()
    for column in ("child_name", "sibling_names"):
        for value in inputs.roster[column]:
            names |= {part.split()[0] for part in str(value).split(";") if part.strip()}
    for text in tables["baseline_texts"]["text"]:
        assert not set(re.findall(r"[A-Z][\w'-]+", text)) & names, text
    summary = baseline_summary(tables["baseline_form"], min_cell_size=3)
    home = summary[(summary["domain"] == "home") & (summary["item"] == "all")].iloc[0]
    answers = inputs.baseline_items[inputs.baseline_items["domain"] == "home"]
    expected = answers.groupby("record_id")["value"].mean()
    assert home["n"] == 14 and home["mean"] == pytest.approx(expected.mean())
    assert home["sd"] == pytest.approx(expected.std(ddof=1))


def test_baseline_form_problems_are_located(tmp_path):
    study, site_dir = _demo_study(tmp_path)
    form = pd.read_csv(site_dir / "baseline_form.csv", dtype=str, keep_default_na=False)
    form.loc[1, "baseline_child_03"] = "7"
    form.loc[2, "record_id"] = "NOBODY-1"
    form.to_csv(site_dir / "baseline_form.csv", index=False)
    inputs = read_site(study["sites"]["demo"], study)
    located = {(p.file, p.row, p.column) for p in inputs.problems if p.severity == ERROR}
    assert ("baseline_form.csv", 3, "baseline_child_03") in located
    assert ("baseline_form.csv", 4, "record_id") in located


# -- the demo: the journey draws from its own stream -------------------------------------------

def test_demo_journey_is_independent_of_the_published_data(tmp_path, monkeypatch):
    from parentgroup.demo import build_demo_site
    from parentgroup.demo import journey as demo_journey

    monkeypatch.setattr(demo_journey, "STREAM", 99)
    build_demo_site(tmp_path / "demo")
    for name in ("roster.csv", "questionnaire.csv", "coded_excerpts.csv",
                 "transcripts/RLC-101.txt"):
        assert (tmp_path / "demo" / name).read_bytes() == (DEMO / name).read_bytes(), name
    assert (tmp_path / "demo" / "goals.csv").read_bytes() != (DEMO / "goals.csv").read_bytes()
    attendance = pd.read_csv(DEMO / "attendance.csv", dtype=str, keep_default_na=False)
    other = pd.read_csv(tmp_path / "demo" / "attendance.csv", dtype=str, keep_default_na=False)
    assert attendance[["record_id", "session", "attended"]].equals(
        other[["record_id", "session", "attended"]])
    referrals = pd.read_csv(DEMO / "referrals.csv", dtype=str, keep_default_na=False)
    assert len(referrals) == 25 and (referrals["response"] == "declined").sum() == 8
    assert (attendance.loc[attendance["attended"] == "0", "minutes_late"] == "").all()


def test_validate_names_a_bad_goal_file_row_and_column(tmp_path):
    from parentgroup.inputs import validate_site
    from parentgroup.problems import InputError

    study, site_dir = _demo_study(tmp_path)
    goals = pd.read_csv(site_dir / "goals.csv", dtype=str, keep_default_na=False)
    goals.loc[0, "rating"] = "12"
    goals.to_csv(site_dir / "goals.csv", index=False)
    with pytest.raises(InputError) as error:
        validate_site(site="demo", study=study, problems_csv=tmp_path / "problems.csv")
    assert "goals.csv, row 2, column 'rating': value '12'; expected a whole-number rating" \
        in str(error.value)


def test_retention_figure_shows_suppressed_counts_not_bars():
    from parentgroup.figures.retention import retention_figure

    table = pd.DataFrame({"session": [1, 2, 3], "attended": [5, 4, 4], "retained": [5, 4, 4],
                          "share_retained": [1.0, 0.8, 0.8], "late": ["<3", 3, 0],
                          "lateness_recorded": [5, 4, 4], "share_late": [math.nan, 0.75, 0.0],
                          "mean_minutes_late": [math.nan, 5.0, 0.0]})
    fig, record = retention_figure(table, completer_min_sessions=2)
    right = fig.axes[1]
    assert [t.get_text() for t in right.texts] == ["<3"]
    assert len(right.patches) == 2  # bars for the sessions whose count is shown
    assert "80%" in record.alt_text
    from matplotlib import pyplot as plt
    plt.close(fig)


def test_retention_figure_of_a_synthetic_site_says_so(tmp_path):
    from parentgroup.figures.retention import draw_retention

    table = pd.DataFrame({"session": [1, 2], "attended": [5, 4], "retained": [5, 4],
                          "share_retained": [1.0, 0.8], "late": [0, 0],
                          "lateness_recorded": [5, 4], "share_late": [0.0, 0.0],
                          "mean_minutes_late": [0.0, 0.0]})
    draw_retention(table, tmp_path / "real", completer_min_sessions=2, formats=["png", "svg"])
    draw_retention(table, tmp_path / "demo", completer_min_sessions=2, formats=["png", "svg"],
                   synthetic=True)
    assert "synthetic-mark" not in (tmp_path / "real" / "retention.svg").read_text()
    assert "synthetic-mark" in (tmp_path / "demo" / "retention.svg").read_text()


# -- goal ratings by the instrument mechanism (gbo.yaml: one-item scales) --------------------------

def test_goal_ratings_score_as_an_instrument_with_one_item_scales():
    from parentgroup.instruments import read_instruments
    from parentgroup.scoring.reliability import reliability_table
    from parentgroup.scoring.scales import score_items

    instruments, problems = read_instruments(["gbo"])
    assert problems == []
    items = pd.DataFrame({
        "pseudonym": ["P01"] * 4 + ["P02"] * 4 + ["P03"] * 4, "instrument": "gbo",
        "item": [1, 2, 1, 2] * 3, "time": ["then", "then", "now", "now"] * 3,
        "value": [2, 3, 6, 4, 1, np.nan, 5, np.nan, 3, 3, 4, 6]})
    scores = score_items(items, instruments).set_index(["pseudonym", "scale", "time"])["score"]
    assert scores[("P01", "goal_1", "now")] == 6 and scores[("P01", "mean_goal", "then")] == 2.5
    assert scores[("P02", "mean_goal", "now")] == 5  # the goals a parent set, not three
    assert math.isnan(scores[("P02", "goal_2", "now")])
    reliability, _ = reliability_table(items, instruments)  # one-item scales do not break it
    assert set(reliability["scale"]) >= {"goal_1", "mean_goal"}


def test_a_site_without_the_optional_files_gets_empty_tables_with_their_columns(tmp_path):
    from parentgroup.analysis.goals import GOAL_OUTCOME_COLUMNS

    study, site_dir = _demo_study(tmp_path)
    for name in ("goals.csv", "referrals.csv", "baseline_form.csv"):
        (site_dir / name).unlink()
    inputs = read_site(study["sites"]["demo"], study)
    assert not [p for p in inputs.problems if p.severity == ERROR]
    pseudonyms = ensure_linkage_key(tmp_path / "secure" / "linkage_key.csv",
                                    sorted(inputs.roster["record_id"]))
    tables, _ = journey_tables(roster=inputs.roster, goals=inputs.goals,
                               referrals=inputs.referrals, lateness=inputs.lateness,
                               identifiers=inputs.identifiers, pseudonyms=pseudonyms,
                               config=study, baseline_items=inputs.baseline_items,
                               baseline_texts=inputs.baseline_texts)
    assert tables["goals"].empty and tables["invitations"].empty
    participants = pd.DataFrame({"pseudonym": sorted(pseudonyms.values()), "completer": True})
    attendance = pd.DataFrame({"pseudonym": sorted(pseudonyms.values()), "session": 1,
                               "attended": 1})
    out = analyse_journey(goals=tables["goals"], invitations=tables["invitations"],
                          lateness=tables["lateness"], participants=participants,
                          attendance=attendance, reliable_change=pd.DataFrame(),
                          config=study, sessions=10, excerpts=pd.DataFrame(),
                          baseline_form=tables["baseline_form"])
    assert list(out["goal_outcomes"].columns) == GOAL_OUTCOME_COLUMNS
    assert out["invitation_flow"]["step"].tolist() == ["enrolled", "completed"]
    assert out["goal_summary"].empty and out["baseline_summary"].empty
    assert len(out["retention"]) == 10
    page = staff_summary_html(title="Group", flow=out["invitation_flow"],
                              retention=out["retention"], goal_summary=out["goal_summary"],
                              journey=study["journey"], sessions=10, synthetic=False)
    assert "No record of invitations" in page


def test_withheld_counts_read_as_words_not_marks():
    from parentgroup.report.staff_summary import journey_section_html
    flow = pd.DataFrame({"step": ["invited", "accepted", "declined", "declined", "no_reply"],
                         "reason": ["", "", "", "timing", ""],
                         "n": [9, "[c]", "[c]", "<3", "<3"], "detail": ""})
    retention = pd.DataFrame({"retained": [5], "share_retained": [0.5]})
    summary = pd.DataFrame({"measure": ["parents_rated", "mean_change"], "group": "all",
                            "value": ["[c]", 2.0], "detail": ""})
    page = journey_section_html(flow, retention, summary, threshold=3)
    assert "[c]" not in page
    assert "9 families were invited; some accepted, some declined and fewer than 3" in page
    assert "Some parents rated their goals" in page


def test_the_figures_job_draws_the_retention_figure_as_draw_retention_does(tmp_path):
    """The retention figure is drawn by the figures job's workers beside the site's figures
    (one set of imports); the files are those draw_retention writes alone, and it is not a row
    of figures.csv."""
    from parentgroup.figures import draw_site_figures
    from parentgroup.figures.retention import draw_retention

    table = pd.DataFrame({"session": [1, 2, 3], "attended": [5, 4, 4], "retained": [5, 4, 4],
                          "share_retained": [1.0, 0.8, 0.8], "late": ["<3", 3, 0],
                          "lateness_recorded": [5, 4, 4], "share_late": [math.nan, 0.75, 0.0],
                          "mean_minutes_late": [math.nan, 5.0, 0.0]})
    draw_retention(table, tmp_path / "alone", completer_min_sessions=2, formats=["png", "svg"],
                   synthetic=True)
    empty = pd.DataFrame()
    figures = draw_site_figures(
        scores=empty, paired_tests=empty, reliable_change=empty, participant_flow=empty,
        attendance=empty, participants=empty, joint_cases=empty, theme_presence=empty,
        themes=empty, outcome_meta={}, design="retrospective", out_dir=tmp_path / "figures",
        formats=["png", "svg"], synthetic=True, processes=2, retention=table,
        journey_dir=tmp_path / "journey", completer_min_sessions=2)
    assert "retention" not in set(figures["name"])
    for name in ("retention.png", "retention.svg"):
        assert (tmp_path / "journey" / name).read_bytes() == \
            (tmp_path / "alone" / name).read_bytes(), name
