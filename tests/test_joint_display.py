"""Joint displays: statistics-by-themes and the case-level display."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from parentgroup.qualitative.joint_display import (
    IMPROVED_GROUP,
    NO_INTERVIEWS_NOTE,
    NOT_IMPROVED_GROUP,
    OUTCOME_COLUMNS,
    case_joint_display,
    fit_for_result,
    format_quote,
    outcome_joint_display,
)

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
OUTCOMES = [o["id"] for o in CONFIG["outcomes"]]
NAMES = {t["id"]: t["name"] for t in CONFIG["themes"]}


def paired_tests() -> pd.DataFrame:
    rows = []
    for i, outcome in enumerate(OUTCOMES):
        rows.append(
            {
                "outcome": outcome,
                "label": f"Label {outcome}",
                "instrument": "x",
                "n_pairs": 12,
                "mean_pre": 3.0 + i,
                "mean_post": 2.5 + i,
                "mean_change": -0.5,
                "lead_es": -0.8,
                "lead_es_ci_low": -1.4,
                "lead_es_ci_high": -0.2,
                "p": 0.01 * (i + 1),
                "p_adjusted": 0.03,  # statistically significant: the fits stand as configured
                "apa": "t(11) = ...",
            }
        )
    return pd.DataFrame(rows)


def themes_table(with_excerpts: set[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme_id": list(NAMES),
            "name": list(NAMES.values()),
            "n_participants": [3 if t in with_excerpts else 0 for t in NAMES],
            "n_excerpts": [5 if t in with_excerpts else 0 for t in NAMES],
        }
    )


QUOTES = pd.DataFrame(
    {
        "theme_id": ["enhanced_mentalizing", "enhanced_mentalizing", "affect_regulation"],
        "pseudonym": ["P03", "P05", "P01"],
        "excerpt": ["I stop and wonder now.", "second", "I take a breath."],
        "source": ["row 2", "row 3", "row 4"],
        "start": [1, 2, 3],
        "end": [4, 5, 6],
        # the codes the demo config's links name: each quote illustrates its own link
        "code": ["feelings underneath", "being curious", "taking a breath"],
    }
)


def test_statistics_by_themes():
    table = outcome_joint_display(paired_tests(), themes_table(set(NAMES)), QUOTES, CONFIG)
    assert list(table.columns) == OUTCOME_COLUMNS
    assert table["outcome"].tolist() == OUTCOMES
    row = table.set_index("outcome").loc["prfq_pm"]
    assert row["label"] == "Label prfq_pm" and row["n_pairs"] == 12 and row["mean_pre"] == 3.0
    assert row["themes"] == "Enhanced mentalizing capacity; Improved affect regulation"
    assert row["quotes"] == "“I stop and wonder now.” (P03); “I take a breath.” (P01)"
    assert row["fit"] == "confirmation; expansion"
    assert row["note"].startswith("Enhanced mentalizing capacity: The fall in pre-mentalizing")
    assert "Improved affect regulation: Self-regulation was not measured" in row["note"]
    cms = table.set_index("outcome").loc["prfq_cms"]
    assert (cms["themes"], cms["quotes"], cms["fit"]) == (
        "Facilitation style as an active ingredient",
        "",
        "expansion",
    )
    assert cms["note"].startswith("Certainty about mental states is mid-range optimal")
    ic = table.set_index("outcome").loc["prfq_ic"]
    assert ic["quotes"].startswith("“second” (P05)")  # its link's code, not the theme's first


def test_a_result_that_is_not_significant_is_neither_confirmed_nor_contradicted():
    """Fetters et al. (2013): confirmation and discordance need a result to agree or disagree
    with. The audit's case: certainty, Holm-adjusted p = .053 and d_z CI [-1.24, 0.01], judged
    discordance though theme and direction agree."""
    paired = paired_tests()
    paired.loc[paired["outcome"] == "prfq_cms", ["p", "p_adjusted", "lead_es_ci_low",
                                                  "lead_es_ci_high", "label"]] = [
        0.0528, 0.0528, -1.24, 0.01, "PRFQ certainty"]
    paired["p_adjust_method"] = "holm"
    config = {**CONFIG, "themes": [
        {**t, "fit": "discordance"} if t["id"] == "facilitation_style" else t
        for t in CONFIG["themes"]]}
    row = outcome_joint_display(paired, themes_table(set(NAMES)), QUOTES, config).set_index(
        "outcome").loc["prfq_cms"]
    assert row["fit"] == "expansion"
    assert row["note"].endswith(
        "The questionnaire change on PRFQ certainty is not statistically significant "
        "(Holm-adjusted p = .053), so it neither confirms nor contradicts this theme; judged "
        "discordance by the researchers, the link is read as expansion.")
    # a significant result keeps the researchers' fit, and silence stays silence
    assert fit_for_result("confirmation", {"p": 0.001, "p_adjusted": 0.003,
                                           "lead_es_ci_low": 0.5, "lead_es_ci_high": 2.0}) \
        == ("confirmation", "")
    assert fit_for_result("silence", {"p": 0.5, "p_adjusted": 0.5})[0] == "silence"
    # an adjusted p at alpha, or an interval including 0, is not significant either
    assert fit_for_result("confirmation", {"p": 0.01, "p_adjusted": 0.05})[0] == "expansion"
    assert fit_for_result("confirmation", {"p": 0.01, "p_adjusted": 0.01,
                                           "lead_es_ci_low": -0.1,
                                           "lead_es_ci_high": 1.0})[0] == "expansion"


def test_demo_meta_inferences_make_no_case_level_claim():
    """A link joins a theme to the group's result: "parents who described X also reported more
    Y" claims the same parents changed, which the link does not test."""
    from parentgroup.qualitative.themes import theme_links

    for theme in CONFIG["themes"]:
        for link in theme_links(theme):
            text = link["meta_inference"].lower()
            assert "also reported" not in text and "who described" not in text, text
    relational = next(t for t in CONFIG["themes"] if t["id"] == "relational_safety")
    total = next(k for k in theme_links(relational) if k["outcome"] == "psoc_total")
    assert "satisfaction" not in total["meta_inference"]  # PSOC total is not satisfaction


def test_linked_theme_without_excerpts_is_named_in_the_note():
    themes = themes_table(set(NAMES) - {"affect_regulation"})
    row = outcome_joint_display(paired_tests(), themes, QUOTES, CONFIG).set_index("outcome")
    assert row.loc["prfq_pm", "themes"] == "Enhanced mentalizing capacity"
    assert row.loc["prfq_pm", "fit"] == "confirmation"
    assert row.loc["prfq_pm", "note"].endswith(
        "Linked theme(s) without coded excerpts at this site: Improved affect regulation."
    )


def test_no_interviews_and_no_analysis_rows():
    table = outcome_joint_display(
        paired_tests().iloc[0:0], themes_table(set()), QUOTES.iloc[0:0], CONFIG
    )
    assert table["outcome"].tolist() == OUTCOMES
    assert table["label"].tolist() == OUTCOMES
    assert (table["themes"] == "").all() and (table["quotes"] == "").all()
    assert (table["note"] == NO_INTERVIEWS_NOTE).all()
    assert table["mean_change"].isna().all() and table["n_pairs"].isna().all()
    empty = pd.DataFrame(columns=["theme_id", "name", "n_participants", "n_excerpts"])
    table = outcome_joint_display(paired_tests(), empty, QUOTES.iloc[0:0], CONFIG)
    assert (table["note"] == NO_INTERVIEWS_NOTE).all() and table["p"].notna().all()


def test_case_display():
    rc = pd.DataFrame(
        {
            "pseudonym": ["P02", "P01", "P01"],
            "outcome": ["prfq_pm", "prfq_pm", "psoc_total"],
            "change": [-1.25, 0.5, 7.0],
            "category": ["improved", "no reliable change", "improved"],
        }
    )
    presence = pd.DataFrame(
        {
            "pseudonym": ["P01", "P01", "P03"],
            "theme_id": ["reduced_stress", "relational_safety", "relational_safety"],
            "present": [True, True, False],
            "n_excerpts": [1, 2, 0],
        }
    )
    table = case_joint_display(rc, presence, CONFIG)
    assert list(table.columns) == (
        ["pseudonym"]
        + [f"{o}_change" for o in OUTCOMES]
        + [f"{o}_category" for o in OUTCOMES]
        + ["themes_present", "n_outcomes_improved", "group"]
    )
    # grouped by the primary outcome (PRFQ pre-mentalizing, the first with a direction)
    assert table["pseudonym"].tolist() == ["P02", "P01", "P03"]
    assert table["group"].tolist() == [
        IMPROVED_GROUP.format(label="prfq_pm"), NOT_IMPROVED_GROUP.format(label="prfq_pm"),
        NOT_IMPROVED_GROUP.format(label="prfq_pm")]
    assert table["n_outcomes_improved"].tolist() == [1, 1, 0]
    p01 = table.iloc[1]
    assert p01["prfq_pm_change"] == 0.5 and p01["psoc_total_change"] == 7.0
    assert np.isnan(p01["prfq_cms_change"]) and p01["prfq_cms_category"] == ""
    assert p01["themes_present"] == "Relational safety; Reduced parental stress"  # config order
    assert table.iloc[0]["prfq_pm_category"] == "improved"
    assert table.iloc[2]["themes_present"] == ""


def test_format_quote():
    assert format_quote(" two\n lines ", "P10") == "“two lines” (P10)"
