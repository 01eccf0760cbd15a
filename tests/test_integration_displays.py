"""Issue 19: every reliable-change category in every table, the case-level display's direction
words and arrows, the joint display per theme-outcome link, case-level discordance, quotes."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from parentgroup.analysis.reliable_change import (
    CATEGORIES_BY_DIRECTION,
    NOT_COMPUTED,
    classify_reliable_change,
    reliable_change_summary,
)
from parentgroup.config import ConfigError, validate_config
from parentgroup.qualitative import summarise_site
from parentgroup.qualitative.joint_display import (
    BETTER_BUT_SILENT,
    IMPROVED_GROUP,
    LINK_COLUMNS,
    NOT_IMPROVED_GROUP,
    VOICED_BUT_WORSE,
    case_joint_display,
    discordant_cases,
    link_joint_display,
)
from parentgroup.qualitative.themes import select_quotes, summarise_themes, theme_links
from parentgroup.report import sections as rt

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
DIRECTIONS = ["lower_better", "higher_better", "mid_optimal"]


# --------------------------------------------------------------------------- reliable change


def _changes(direction: str, rcis: list[float], outcome: str = "x") -> pd.DataFrame:
    return pd.DataFrame({
        "pseudonym": [f"P{i + 1:02d}" for i in range(len(rcis))],
        "outcome": outcome,
        "change": rcis,
        "rci": rcis,
        "category": [classify_reliable_change(r, direction) for r in rcis],
    })


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("seed", range(5))
def test_summary_keeps_every_category_and_rows_sum_to_n(direction, seed):
    rng = np.random.default_rng(seed)
    rcis = list(rng.normal(0, 2.5, size=12)) + [float("nan")] * int(seed % 2)
    changes = _changes(direction, rcis)
    summary = reliable_change_summary(changes, {"x": direction})
    assert set(changes["category"]) <= set(summary["category"])
    assert summary["n_parents"].sum() == len(changes) == summary["n_outcome"].iloc[0]
    assert list(summary["category"])[:3] == CATEGORIES_BY_DIRECTION[direction]
    assert (NOT_COMPUTED in set(summary["category"])) == bool(seed % 2)


def test_certainty_row_keeps_its_reliable_decreases():
    """The defect of issue 19: 0 / 9 / 0 of 12 while three parents reliably decreased."""
    rcis = [-2.5, -3.0, -2.1] + [0.3] * 9
    table = pd.concat([_changes("mid_optimal", rcis, "prfq_cms"),
                       _changes("lower_better", [-2.5] * 4 + [0.0] * 8, "prfq_pm")])
    html = rt.reliable_change_table_html(
        table, {"prfq_pm": "PRFQ pre-mentalizing", "prfq_cms": "PRFQ certainty"},
        min_cell_size=0, directions={"prfq_pm": "lower_better", "prfq_cms": "mid_optimal"})
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1])
    cells = {re.findall(r"<td>(.*?)</td>", r)[0]: re.findall(r"<td>(.*?)</td>", r)[2:]
             for r in rows}
    assert cells["PRFQ certainty"] == ["0", "9", "3", "12"]
    assert cells["PRFQ pre-mentalizing"] == ["4", "8", "0", "12"]
    assert "mid-range optimal" in html


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_report_table_rows_sum_to_n_for_every_direction(direction):
    rcis = [-3.0, -2.0, 2.5, 0.1, 0.2, float("nan")]
    html = rt.reliable_change_table_html(_changes(direction, rcis), {"x": "X"}, min_cell_size=0,
                                         directions={"x": direction})
    row = re.findall(r"<td>(.*?)</td>", html.split("<tbody>")[1])
    counts = [int(c) for c in row[2:-1]]
    assert sum(counts) == int(row[-1]) == len(rcis)
    assert "Not computed" in html


def test_report_table_infers_a_mid_optimal_scale_without_directions():
    html = rt.reliable_change_table_html(_changes("mid_optimal", [3.0, -3.0, 0.0]), {"x": "X"},
                                         min_cell_size=0)
    row = re.findall(r"<td>(.*?)</td>", html.split("<tbody>")[1])
    assert row[1] == "mid-range optimal" and row[2:] == ["1", "1", "1", "3"]


# --------------------------------------------------------------------------- case-level display


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("change", [-3.0, 3.0, 0.0])
def test_case_display_arrow_follows_the_sign_and_word_the_direction(direction, change):
    category = classify_reliable_change(change, direction)
    cases = pd.DataFrame({"pseudonym": ["P01"], "x_change": [change], "x_category": [category],
                          "themes_present": [""]})
    html = rt.joint_display_cases_html(cases, {"x": "X"}, {})
    cell = re.findall(r"<td[^>]*>(.*?)</td>", html)[1]
    if change < 0:
        assert "&darr;" in cell and "&uarr;" not in cell
    elif change > 0:
        assert "&uarr;" in cell and "&darr;" not in cell
    else:
        assert "&uarr;" not in cell and "&darr;" not in cell
    word = {"lower_better": {-3.0: "improved", 3.0: "deteriorated"},
            "higher_better": {-3.0: "deteriorated", 3.0: "improved"},
            "mid_optimal": {-3.0: "reliable decrease", 3.0: "reliable increase"}}
    expected = word[direction].get(change, "no reliable change")
    assert f"<small>{expected}</small>" in cell
    if direction == "mid_optimal":
        assert "improved" not in cell


def test_case_display_groups_by_the_primary_outcome_left_aligned():
    rc = pd.DataFrame({
        "pseudonym": ["P01", "P02", "P03", "P01", "P02", "P03", "P04", "P04"],
        "outcome": ["prfq_cms"] * 3 + ["prfq_pm"] * 3 + ["prfq_pm", "psoc_total"],
        "change": [0.9, 0.1, -0.2, 0.1, -2.0, -1.9, -2.5, 20.0],
        "category": ["reliable increase", "no reliable change", "no reliable change",
                     "no reliable change", "improved", "improved", "improved", "improved"]})
    presence = pd.DataFrame({"pseudonym": ["P01"], "theme_id": ["relational_safety"],
                             "present": [True], "n_excerpts": [1]})
    table = case_joint_display(rc, presence, CONFIG, labels={"prfq_pm": "PRFQ pre-mentalizing"})
    # certainty (mid-range optimal) is skipped: the primary outcome is pre-mentalizing;
    # within a group, more outcomes reliably improved first
    assert table["pseudonym"].tolist() == ["P04", "P02", "P03", "P01"]
    label = "PRFQ pre-mentalizing"
    assert table["group"].tolist() == [IMPROVED_GROUP.format(label=label)] * 3 + [
        NOT_IMPROVED_GROUP.format(label=label)]
    html = rt.joint_display_cases_html(table, {"prfq_pm": label}, {})
    assert html.index(f"Reliably improved on {label} (3)") < html.index(">P04<") < html.index(
        f"Not reliably improved on {label} (1)") < html.index(">P01<")
    assert 'text-align:left' in html


# --------------------------------------------------------------------------- links, discordance


def _config_with_links() -> dict:
    config = copy.deepcopy(CONFIG)
    config["themes"] = [
        {"id": "calm", "name": "Staying calm", "fit": "confirmation", "note": "Theme note.",
         "outcomes": ["prfq_pm", {"outcome": "psoc_efficacy", "fit": "expansion",
                                  "meta_inference": "Efficacy widened."}]},
        {"id": "silent", "name": "Never voiced", "fit": "discordance", "note": "n/a",
         "outcomes": [{"outcome": "prfq_cms", "meta_inference": "Certainty link."}]},
    ]
    return config


def _paired() -> pd.DataFrame:
    return pd.DataFrame({"outcome": [o["id"] for o in CONFIG["outcomes"]],
                         "label": [f"L {o['id']}" for o in CONFIG["outcomes"]],
                         "n_pairs": 12, "mean_change": -0.5, "lead_es": -1.0,
                         "lead_es_ci_low": -1.5, "lead_es_ci_high": -0.4, "p": 0.01,
                         "p_adjusted": 0.04})


PRESENCE = pd.DataFrame({
    "pseudonym": ["P01", "P01", "P02", "P02", "P03", "P03"],
    "theme_id": ["calm", "silent"] * 3,
    "present": [True, False, True, False, False, False],
    "n_excerpts": [2, 0, 1, 0, 0, 0],
})


def test_theme_links_old_and_new_forms():
    links = theme_links(_config_with_links()["themes"][0])
    assert links == [
        {"outcome": "prfq_pm", "fit": "confirmation", "meta_inference": "Theme note.",
         "codes": []},
        {"outcome": "psoc_efficacy", "fit": "expansion", "meta_inference": "Efficacy widened.",
         "codes": []},
    ]


def test_config_accepts_links_and_refuses_an_unknown_outcome():
    config = _config_with_links()
    validate_config(copy.deepcopy(config))
    config["themes"][1]["outcomes"] = [{"outcome": "no_such", "fit": "expansion"}]
    with pytest.raises(ConfigError, match="no_such"):
        validate_config(config)
    config["themes"][1]["outcomes"] = [{"outcome": "prfq_pm", "fit": "agreement"}]
    with pytest.raises(ConfigError, match="agreement"):
        validate_config(config)


def test_one_row_per_link_with_its_own_fit_meta_inference_and_quote():
    config = _config_with_links()
    quotes = pd.DataFrame({"theme_id": ["calm", "calm"], "pseudonym": ["P01", "P02"],
                           "excerpt": ["I breathe first.", "I step out."], "source": "",
                           "start": [1, 5], "end": [4, 9]})
    links = link_joint_display(_paired(), pd.DataFrame(), quotes, PRESENCE, config)
    assert list(links.columns) == LINK_COLUMNS
    assert list(zip(links["theme_id"], links["outcome"], links["fit"], strict=True)) == [
        ("calm", "prfq_pm", "confirmation"), ("calm", "psoc_efficacy", "expansion"),
        ("silent", "prfq_cms", "silence")]
    assert links["meta_inference"].iloc[0] == "Theme note."
    assert links["meta_inference"].iloc[1] == "Efficacy widened."
    assert links["meta_inference"].iloc[2].startswith("Certainty link. Silence:")
    assert links["quote"].iloc[0] != links["quote"].iloc[1]  # a different quote per link
    assert links["quote_pseudonym"].tolist()[:2] == ["P01", "P02"]
    assert links["n_voiced"].tolist() == [2, 2, 0] and set(links["n_interviewed"]) == {3}
    assert links["label"].iloc[0] == "L prfq_pm" and links["lead_es"].iloc[0] == -1.0


def test_discordant_cases_both_patterns_and_not_mid_optimal():
    config = _config_with_links()
    rc = pd.DataFrame({
        "pseudonym": ["P01", "P02", "P03", "P03", "P04", "P01"],
        "outcome": ["prfq_pm", "prfq_pm", "prfq_pm", "psoc_efficacy", "prfq_pm", "prfq_cms"],
        "change": [1.5, -1.5, -1.4, 9.0, -2.0, -2.0],
        "category": ["deteriorated", "improved", "improved", "improved", "improved",
                     "reliable decrease"],
    })
    table = discordant_cases(rc, PRESENCE, config, labels={"prfq_pm": "PRFQ pre-mentalizing"})
    got = list(zip(table["pseudonym"], table["outcome"], table["pattern"], strict=True))
    # P01 voiced "calm" and reliably deteriorated; P03 improved on both but voiced nothing;
    # P02 improved and voiced calm (agreement); P04 not interviewed; certainty is mid-optimal
    assert got == [("P01", "prfq_pm", VOICED_BUT_WORSE), ("P03", "prfq_pm", BETTER_BUT_SILENT),
                   ("P03", "psoc_efficacy", BETTER_BUT_SILENT)]
    assert table["label"].iloc[0] == "PRFQ pre-mentalizing"
    assert (table["explanation"] == "").all()


# --------------------------------------------------------------------------- quotes


def test_quotes_never_repeat_words_and_spread_across_parents():
    words = " ".join(f"w{i}" for i in range(20))
    other = " ".join(f"v{i}" for i in range(20))
    third = " ".join(f"u{i}" for i in range(20))
    candidates = pd.DataFrame({
        "pseudonym": ["P01", "P02", "P01", "P03"],
        "excerpt": [words, words.upper() + ".", other, third],  # P02 says P01's words
        "start": [0, 0, 100, 0], "end": [50, 50, 150, 50],
    })
    used: set[str] = set()
    quoted: dict[str, int] = {}
    first = select_quotes(candidates, 2, used, quoted)
    assert first["pseudonym"].tolist() == ["P01", "P03"]  # P02's copy is skipped
    second = select_quotes(candidates, 2, used, quoted)  # another theme, same excerpts
    assert second["excerpt"].tolist() == [other]  # only unused words remain
    assert select_quotes(candidates, 5)["pseudonym"].tolist() == ["P01", "P03", "P01"]


def test_summarise_themes_quotes_are_distinct_across_themes():
    config = {"themes": [{"id": "a", "name": "A", "outcomes": []},
                         {"id": "b", "name": "B", "outcomes": []}],
              "report": {"quotes_per_theme": 2}}
    text = " ".join(f"w{i}" for i in range(20))
    excerpts = pd.DataFrame({
        "pseudonym": ["P01", "P01", "P02", "P02"],
        "theme": ["a", "b", "a", "b"],
        "excerpt": [text, text, text + " x", "other " + text],
        "quotable": "True", "start": [0, 0, 0, 60], "end": [40, 40, 42, 100],
    })
    people = pd.DataFrame({"pseudonym": ["P01", "P02"], "interviewed": "True",
                           "consent_quotes": "yes"})
    _, _, quotes = summarise_themes(excerpts, people, config)
    assert quotes["excerpt"].nunique() == len(quotes) == 4 - 1  # the shared span once


def test_a_link_naming_codes_is_illustrated_by_a_quote_with_one_of_them():
    """The audit's case: PRFQ pre-mentalizing was illustrated by the theme's first quote, about
    certainty ("I used to be certain I could read [Child]'s mind"). A link's ``codes`` choose
    its quote; the selection adds one with those codes when the theme's own picks have none."""
    config = {"themes": [{"id": "m", "name": "Mentalizing", "fit": "confirmation",
                          "outcomes": [{"outcome": "prfq_pm", "codes": ["behaviour as message"]},
                                       {"outcome": "prfq_ic", "codes": ["Being curious"]},
                                       "psoc_total"]}],
              "report": {"quotes_per_theme": 1}}
    words = {code: " ".join(f"{code.split()[0]}{i}" for i in range(20))
             for code in ("not knowing", "behaviour as message", "being curious")}
    excerpts = pd.DataFrame({
        "pseudonym": ["P01", "P02", "P03"], "theme": "m",
        "code": ["not knowing", "behaviour as message", "Mentalizing/being curious"],
        "excerpt": list(words.values()), "quotable": "True", "start": 0, "end": 50})
    people = pd.DataFrame({"pseudonym": ["P01", "P02", "P03"], "interviewed": "True",
                           "consent_quotes": "yes"})
    _, presence, quotes = summarise_themes(excerpts, people, config)
    assert quotes["code"].tolist() == ["not knowing", "behaviour as message",
                                       "Mentalizing/being curious"]
    links = link_joint_display(_paired(), pd.DataFrame(), quotes, presence, config)
    quote_of = dict(zip(links["outcome"], links["quote"], strict=True))
    assert quote_of["prfq_pm"] == words["behaviour as message"]
    assert quote_of["prfq_ic"] == words["being curious"]  # a path's last segment matches
    assert quote_of["psoc_total"] == words["not knowing"]  # no codes: a quote no link claims
    # with no quote of its codes, a link shows none rather than one about something else
    links = link_joint_display(_paired(), pd.DataFrame(), quotes.iloc[:1], presence, config)
    assert links.set_index("outcome").loc["prfq_pm", "quote"] == ""


def test_summarise_site_writes_links_and_discordance():
    tables = summarise_site(excerpts=pd.DataFrame(columns=["pseudonym", "theme", "excerpt"]),
                            participants=pd.DataFrame({"pseudonym": ["P01"]}),
                            paired_tests=_paired(), reliable_change=pd.DataFrame(),
                            config=CONFIG)
    assert {"joint_display_links", "discordant_cases"} <= set(tables)
    n_links = sum(len(theme_links(t)) for t in CONFIG["themes"])
    assert len(tables["joint_display_links"]) == n_links
    assert set(tables["joint_display_links"]["fit"]) == {"silence"}


def test_demo_excerpts_never_repeat_another_parents_words():
    """The demo generator writes distinct coded excerpts per parent and theme (names aside), so
    the demo report's quotes do not look templated."""
    excerpts = pd.read_csv(REPO / "data/raw/demo/coded_excerpts.csv", dtype=str,
                           keep_default_na=False)

    def without_names(text: str) -> str:
        words = text.split()
        kept = [w for i, w in enumerate(words) if i == 0 or w in {"I", "I'm", "I'd"}
                or not w[:1].isupper()]
        return " ".join(re.sub(r"[^a-z ]", " ", " ".join(kept).lower()).split())

    excerpts["words"] = excerpts["excerpt"].map(without_names)
    assert not excerpts.duplicated(["theme", "words"]).any()
    assert not excerpts.duplicated(["words"]).any()
    from parentgroup.demo.passages import THEMES, VARIANTS

    for theme, bank in THEMES.items():  # 15 wordings per theme for up to 15 interviews
        assert sum(1 + len(VARIANTS[theme][code]) for code, _ in bank["passages"]) >= 12
