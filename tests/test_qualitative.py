"""Theme summaries: counts as context, presence per interviewed participant, quote selection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from parentgroup.qualitative.themes import (
    PRESENCE_COLUMNS,
    QUOTES_COLUMNS,
    SILENCE_META_INFERENCE,
    THEMES_COLUMNS,
    select_quotes,
    summarise_themes,
)

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
LONG = " ".join(f"word{i}" for i in range(20))  # 20 words: inside 15..60
SHORT = "I feel calmer."
HUGE = " ".join(["w"] * 70)


def participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pseudonym": ["P01", "P02", "P03", "P04"],
            "interviewed": ["True", "True", "True", "False"],
            "consent_quotes": ["yes", "yes", "no", "yes"],
        }
    )


def excerpts() -> pd.DataFrame:
    rows = [
        # pseudonym, theme, code, excerpt, quotable, source, start, end
        ["P01", "relational_safety", "a", SHORT, "True", "row 2", "10", "24"],
        ["P01", "relational_safety", "b", SHORT, "True", "row 3", "10", "24"],  # same span
        ["P01", "relational_safety", "c", LONG, "True", "row 4", "100", "250"],
        ["P02", "relational_safety", "a", HUGE, "True", "row 5", "5", "400"],
        ["P03", "relational_safety", "a", LONG, "False", "row 6", "0", "150"],  # no consent
        ["P02", "affect_regulation", "d", "", "False", "row 7", "50", "90"],  # not quotable
        ["P02", "", "misc", "unmapped", "True", "row 8", "1", "9"],
    ]
    return pd.DataFrame(
        rows,
        columns=["pseudonym", "theme", "code", "excerpt", "quotable", "source", "start", "end"],
    )


def test_themes_table_counts_distinct_spans_and_participants():
    themes, _, _ = summarise_themes(excerpts(), participants(), CONFIG)
    assert list(themes.columns) == THEMES_COLUMNS
    assert list(themes["theme_id"]) == [t["id"] for t in CONFIG["themes"]]
    counts = themes.set_index("theme_id")[["n_participants", "n_excerpts"]]
    assert counts.loc["relational_safety"].tolist() == [3, 4]
    assert counts.loc["affect_regulation"].tolist() == [1, 1]
    assert counts.loc["facilitation_style"].tolist() == [0, 0]
    row = themes.set_index("theme_id").loc["enhanced_mentalizing"]
    assert row["outcomes"] == "prfq_pm; prfq_ic"
    assert "\n" not in row["central_organising_concept"]
    # the researchers' fit where the theme has excerpts; silence where it has none (a theme
    # emptied by a typo in its id was labelled "confirmation" with 0 participants)
    assert themes.set_index("theme_id").loc["relational_safety", "fit"] == "expansion"
    assert row["fit"] == "silence" and row["note"].endswith(SILENCE_META_INFERENCE)
    assert set(themes.loc[themes["n_excerpts"] == 0, "fit"]) == {"silence"}


def test_presence_per_interviewed_participant_and_theme():
    _, presence, _ = summarise_themes(excerpts(), participants(), CONFIG)
    assert list(presence.columns) == PRESENCE_COLUMNS
    assert sorted(set(presence["pseudonym"])) == ["P01", "P02", "P03"]  # P04 not interviewed
    assert len(presence) == 3 * len(CONFIG["themes"])
    key = presence.set_index(["pseudonym", "theme_id"])
    assert key.loc[("P01", "relational_safety")].tolist() == [True, 2]
    assert key.loc[("P02", "affect_regulation")].tolist() == [True, 1]
    assert key.loc[("P03", "affect_regulation")].tolist() == [False, 0]


def test_quotes_consented_quotable_distinct_participants_first():
    _, _, quotes = summarise_themes(excerpts(), participants(), CONFIG)
    assert list(quotes.columns) == QUOTES_COLUMNS
    # P01's 20-word excerpt (preferred length) first, then P02 (another participant) even
    # though P01 has another excerpt; P03 did not consent; affect_regulation has no quotable one.
    assert quotes[["theme_id", "pseudonym", "start"]].values.tolist() == [
        ["relational_safety", "P01", 100],
        ["relational_safety", "P02", 5],
    ]


def test_quotes_per_theme_setting_and_second_round():
    config = dict(CONFIG, report={"quotes_per_theme": 3})
    _, _, quotes = summarise_themes(excerpts(), participants(), config)
    assert quotes["excerpt"].tolist() == [LONG, HUGE, SHORT]
    config = dict(CONFIG, report={"quotes_per_theme": 0})
    assert summarise_themes(excerpts(), participants(), config)[2].empty


def test_no_interviews():
    empty = excerpts().iloc[0:0]
    people = participants().assign(interviewed="False")
    themes, presence, quotes = summarise_themes(empty, people, CONFIG)
    assert themes["n_participants"].tolist() == [0] * len(CONFIG["themes"])
    assert presence.empty and quotes.empty
    assert list(presence.columns) == PRESENCE_COLUMNS and list(quotes.columns) == QUOTES_COLUMNS


def test_select_quotes_is_order_independent():
    frame = excerpts().iloc[[0, 2, 3]].assign(start=[10, 100, 5], end=[24, 250, 400])
    first = select_quotes(frame, 2)
    second = select_quotes(frame.iloc[::-1], 2)
    assert first["excerpt"].tolist() == second["excerpt"].tolist() == [LONG, HUGE]
