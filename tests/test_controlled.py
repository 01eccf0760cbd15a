"""The controlled analysis (intervention against comparison arm): ANCOVA with HC3 errors, Morris
(2008) d_ppc2 and the arm-by-time mixed model, checked against R (lm + sandwich::vcovHC HC3,
lme4::lmer, nlme::lme; tests/reference/controlled/) and against closed forms."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parentgroup.analysis import analyse_site
from parentgroup.analysis.controlled import (
    BY_ARM_COLUMNS,
    CONTROLLED_COLUMNS,
    analysed_by_arm,
    ancova_hc3,
    arm_by_time_mixed_model,
    controlled_analysis,
    controlled_participant_flow,
    has_comparison_arm,
    morris_d_ppc2,
    participant_arms,
)
from parentgroup.problems import InputError

REFERENCE = Path(__file__).parent / "reference" / "controlled"


def fixture() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "fixture.csv", dtype={"pseudonym": str})


def r_values() -> dict[str, float]:
    table = pd.read_csv(REFERENCE / "R_values.csv")
    return dict(zip(table["name"], table["value"].astype(float), strict=True))


def printed(x: float, digits: int = 10) -> float:
    """x as R printed it (formatC(x, digits = 10, format = "g"))."""
    return float(f"{x:.{digits}g}")


def fixture_long(frame: pd.DataFrame) -> pd.DataFrame:
    long = frame.melt(id_vars=["pseudonym", "treated"], value_vars=["pre", "post"],
                      var_name="role", value_name="score").dropna(subset=["score"])
    long["time"] = (long["role"] == "post").astype(int)
    return long[["pseudonym", "time", "treated", "score"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Against R
# --------------------------------------------------------------------------------------------


def test_ancova_hc3_equals_r_lm_with_sandwich_hc3():
    r = r_values()
    pairs = fixture().dropna()
    got = ancova_hc3(pairs["pre"].to_numpy(), pairs["post"].to_numpy(),
                     pairs["treated"].to_numpy())
    # R printed 10 significant digits: agreement to that precision
    for name, key in [("ancova_difference", "difference"), ("ancova_se_hc3", "se"),
                      ("ancova_ci_low", "ci_low"), ("ancova_ci_high", "ci_high"),
                      ("ancova_t", "t"), ("ancova_p", "p"), ("ancova_pre_slope", "pre_slope")]:
        assert printed(got[key]) == pytest.approx(r[name], rel=2e-9, abs=1e-12), name
    assert got["df"] == r["ancova_df"]


def test_d_ppc2_equals_the_r_implementation_of_morris_eq_25():
    r = r_values()
    pairs = fixture().dropna()
    t, c = pairs[pairs["treated"] == 1], pairs[pairs["treated"] == 0]
    got = morris_d_ppc2(t["pre"], t["post"], c["pre"], c["post"])
    assert printed(got["d_ppc2"]) == pytest.approx(r["d_ppc2"], rel=2e-9)
    assert printed(got["se"]) == pytest.approx(r["d_ppc2_se"], rel=2e-9)
    assert printed(got["sd_pre_pooled"]) == pytest.approx(r["sd_pre_pooled"], rel=2e-9)
    assert printed(got["rho"]) == pytest.approx(r["r_pre_post_pooled"], rel=2e-9)
    z = 1.959963984540054
    assert got["ci_low"] == pytest.approx(got["d_ppc2"] - z * got["se"])


def test_mixed_model_interaction_equals_lme4_and_nlme():
    r = r_values()
    got = arm_by_time_mixed_model(fixture_long(fixture()))
    assert got["n_observations"] == r["n_observations"]
    # two REML optimisers (statsmodels, lme4/nlme) agree to about 7 significant digits; lme4
    # and nlme differ from each other in the 9th
    assert got["interaction"] == pytest.approx(r["lmer_interaction"], rel=1e-7)
    assert got["interaction"] == pytest.approx(r["lme_interaction"], rel=1e-7)
    assert got["se"] == pytest.approx(r["lmer_se"], rel=1e-6)
    assert got["se"] == pytest.approx(r["lme_se"], rel=1e-6)
    assert got["parent_variance"] == pytest.approx(r["lmer_parent_variance"], rel=1e-5)
    assert got["residual_variance"] == pytest.approx(r["lmer_residual_variance"], rel=1e-5)


# --------------------------------------------------------------------------------------------
# Against closed forms
# --------------------------------------------------------------------------------------------


def test_ancova_equals_least_squares_and_hc3_by_formula():
    rng = np.random.default_rng(3)
    pre = rng.normal(4, 1, 30)
    treated = np.repeat([1, 0], 15)
    post = 1 + 0.7 * pre + 0.8 * treated + rng.normal(0, 0.5 + 0.5 * treated, 30)
    got = ancova_hc3(pre, post, treated)
    X = np.column_stack([np.ones(30), pre, treated])
    beta, *_ = np.linalg.lstsq(X, post, rcond=None)
    bread = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, bread, X)
    e = post - X @ beta
    V = bread @ (X.T * (e ** 2 / (1 - h) ** 2)) @ X @ bread
    assert got["difference"] == pytest.approx(beta[2], rel=1e-12)
    assert got["se"] == pytest.approx(math.sqrt(V[2, 2]), rel=1e-10)


def test_ancova_difference_is_the_change_difference_when_pre_is_balanced():
    # equal pre scores in both arms: the adjusted difference is the raw post difference
    pre = np.array([1.0, 2, 3, 4, 1, 2, 3, 4])
    post = np.array([2.0, 3.5, 4, 6, 1, 2.5, 3, 4.5])
    got = ancova_hc3(pre, post, np.array([1, 1, 1, 1, 0, 0, 0, 0]))
    assert got["difference"] == pytest.approx(post[:4].mean() - post[4:].mean())


def test_d_ppc2_variance_matches_simulation():
    """Morris's eq. 25 variance against the Monte Carlo variance of d_ppc2 (rho 0.6, delta 0.5,
    n 20 + 20): within 10%, and the interval covers close to 95%."""
    rng = np.random.default_rng(20080101)
    n, rho, delta, reps = 20, 0.6, 0.5, 2000
    cov = [[1, rho], [rho, 1]]
    estimates, covered = [], 0
    for _ in range(reps):
        t = rng.multivariate_normal([0, delta], cov, n)
        c = rng.multivariate_normal([0, 0], cov, n)
        got = morris_d_ppc2(t[:, 0], t[:, 1], c[:, 0], c[:, 1])
        estimates.append(got["d_ppc2"])
        covered += got["ci_low"] <= delta <= got["ci_high"]
    theory = (2 * (1 - 3 / (4 * 38 - 1)) ** 2 * (1 - rho) * 0.1 * (38 / 36)
              * (1 + delta ** 2 / (2 * (1 - rho) * 0.1)) - delta ** 2)
    assert np.var(estimates, ddof=1) == pytest.approx(theory, rel=0.10)
    assert abs(np.mean(estimates) - delta) < 0.03  # c_p removes the small-sample bias
    assert 0.92 <= covered / reps <= 0.97


def test_mixed_interaction_is_the_difference_in_mean_change_with_complete_data():
    pairs = fixture().dropna()
    got = arm_by_time_mixed_model(fixture_long(pairs))
    change = (pairs["post"] - pairs["pre"]).groupby(pairs["treated"]).mean()
    assert got["interaction"] == pytest.approx(change[1] - change[0], rel=1e-6)


# --------------------------------------------------------------------------------------------
# Arms and tables
# --------------------------------------------------------------------------------------------

OUTCOMES = [{"id": "psoc_total", "instrument": "psoc", "scale": "total", "scoring": "sum"},
            {"id": "prfq_pm", "instrument": "prfq", "scale": "pre_mentalizing",
             "scoring": "mean"}]
CONFIG = {"outcomes": OUTCOMES, "completer_min_sessions": 6,
          "analysis": {"bootstrap": {"n_resamples": 200, "seed": 1}, "min_cell_size": 3}}
DIRECTIONS = {"psoc_total": "higher_better", "prfq_pm": "lower_better"}
LABELS = {"psoc_total": "PSOC total", "prfq_pm": "Pre-mentalizing"}


def site_frames(n_per_arm: int = 10, seed: int = 5):
    rng = np.random.default_rng(seed)
    people, rows = [], []
    for i in range(2 * n_per_arm):
        pseudonym = f"P{i + 1:02d}"
        arm = "intervention" if i < n_per_arm else "comparison"
        people.append({"pseudonym": pseudonym, "arm": arm,
                       "completer": arm == "intervention" and i != 0,
                       "sessions_attended": 8 if arm == "intervention" and i != 0 else 0,
                       "left_early": arm == "intervention" and i == 0,
                       "reason_left_category": "", "interviewed": False,
                       "consent_quotes": "yes"})
        for outcome, mean, gain in (("psoc_total", 60, 8), ("prfq_pm", 3, -0.8)):
            spec = next(o for o in OUTCOMES if o["id"] == outcome)
            base = mean + rng.normal(0, mean / 10)
            for time, extra in (("then", 0.0), ("now", gain if arm == "intervention" else 0)):
                rows.append({"pseudonym": pseudonym, "instrument": spec["instrument"],
                             "scale": spec["scale"], "scoring": spec["scoring"], "time": time,
                             "score": base + extra + rng.normal(0, mean / 20),
                             "items_answered": 6, "items_expected": 6, "prorated": False})
    return pd.DataFrame(rows), pd.DataFrame(people)


def test_controlled_tables_have_the_contract_columns_and_find_the_effect():
    scores, participants = site_frames()
    tables = controlled_analysis(scores, participants, config=CONFIG, design="retrospective",
                                 directions=DIRECTIONS, labels=LABELS)
    controlled = tables["controlled"]
    assert list(controlled.columns) == CONTROLLED_COLUMNS
    assert controlled["outcome"].tolist() == ["psoc_total", "prfq_pm"]
    # P01 is an intervention non-completer: not analysed
    assert controlled["n_intervention"].tolist() == [9, 9]
    assert controlled["n_comparison"].tolist() == [10, 10]
    psoc = controlled.set_index("outcome").loc["psoc_total"]
    assert psoc["ancova_ci_low"] > 0 and psoc["d_ppc2_ci_low"] > 0 and psoc["mixed_ci_low"] > 0
    pm = controlled.set_index("outcome").loc["prfq_pm"]
    assert pm["ancova_difference"] < 0 and pm["d_ppc2"] < 0
    by_arm = tables["paired_tests_by_arm"]
    assert list(by_arm.columns) == BY_ARM_COLUMNS
    assert by_arm["arm"].tolist() == ["intervention"] * 2 + ["comparison"] * 2
    assert by_arm["n_pairs"].tolist() == [9, 9, 10, 10]


def test_too_few_pairs_gives_a_note_not_a_crash():
    scores, participants = site_frames(n_per_arm=2)
    controlled = controlled_analysis(scores, participants, config=CONFIG,
                                     design="retrospective", directions=DIRECTIONS,
                                     labels=LABELS)["controlled"]
    assert controlled["note"].str.startswith("fewer than 2").all()
    assert controlled["ancova_difference"].isna().all()


def test_arm_values_are_checked_and_never_guessed():
    frame = pd.DataFrame({"pseudonym": ["P1", "P2", "P3"],
                          "arm": ["intervention", "waitlist", ""]})
    with pytest.raises(InputError) as error:
        participant_arms(frame)
    message = str(error.value)
    assert "participants.csv" in message and "row 3" in message and "arm" in message
    assert "row 4" in message  # an empty arm in a controlled site
    single = pd.DataFrame({"pseudonym": ["P1"], "arm": [""], "completer": [True]})
    assert not has_comparison_arm(single)
    assert analysed_by_arm(single) == {"intervention": [], "comparison": []}


def test_single_group_paired_tests_use_the_intervention_arm_only():
    scores, participants = site_frames()
    # a usual-support arm whose parents attend sessions too: still not in the paired tests
    participants.loc[participants["arm"] == "comparison", ["completer", "sessions_attended"]] = (
        True, 8)
    exclusions = pd.DataFrame(columns=["stage", "file", "row", "column", "reason", "pseudonym"])
    attendance = pd.DataFrame(columns=["pseudonym", "session", "attended"])
    reliability = pd.DataFrame(columns=["instrument", "scale", "time", "n", "k", "alpha"])
    tables = analyse_site(scores=scores, participants=participants, attendance=attendance,
                          reliability=reliability, exclusions=exclusions, config=CONFIG,
                          design="retrospective", directions=DIRECTIONS, labels=LABELS)
    assert tables["paired_tests"]["n_pairs"].tolist() == [9, 9]


def test_controlled_participant_flow_keeps_the_waitlist_out_of_the_early_leavers():
    scores, participants = site_frames()
    exclusions = pd.DataFrame(columns=["stage", "file", "row", "column", "reason", "pseudonym"])
    attendance = pd.DataFrame(columns=["pseudonym", "session", "attended"])
    reliability = pd.DataFrame(columns=["instrument", "scale", "time", "n", "k", "alpha"])
    flow = analyse_site(scores=scores, participants=participants, attendance=attendance,
                        reliability=reliability, exclusions=exclusions, config=CONFIG,
                        design="retrospective", directions=DIRECTIONS,
                        labels=LABELS)["participant_flow"].set_index("step")["n"]
    assert flow["enrolled"] == 10 and flow["attended_min_sessions"] == 9
    assert flow["left_early"] == 1  # the intervention parent, not the 10 on the waitlist
    assert flow["comparison_arm"] == 10 and flow["comparison_questionnaires_complete"] == 10


def test_controlled_flow_gives_the_reason_of_each_missing_score_in_both_arms():
    scores, participants = site_frames()
    now = (scores["time"] == "now") & (scores["scale"] == "pre_mentalizing")
    for pseudonym in ("P03", "P15"):   # an intervention completer, a comparison parent
        scores.loc[now & (scores["pseudonym"] == pseudonym), ["score", "items_answered"]] = (
            np.nan, 3)
    exclusions = pd.DataFrame(columns=["stage", "file", "row", "column", "reason", "pseudonym"])
    flow = controlled_participant_flow(participants, exclusions=exclusions, scores=scores,
                                       outcomes=CONFIG["outcomes"], completer_min_sessions=6,
                                       design="retrospective")
    counts = flow.set_index("step")["n"]
    assert counts["questionnaires_complete"] == 8
    assert counts["comparison_questionnaires_complete"] == 9
    assert flow.loc[flow["step"] == "excluded", "detail"].tolist() == [
        "prfq_pm: too many items missing, score left empty by the missing-item rule "
        "(scores.csv)",
        "comparison arm: prfq_pm: too many items missing, score left empty by the "
        "missing-item rule (scores.csv)",
    ]
