"""Scoring: hand-worked PRFQ and PSOC respondents, the missing-item rule, properties, speed,
the SPSS export and the score stage."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parentgroup.instruments import load_instruments, reverse_score
from parentgroup.scoring import score_site
from parentgroup.scoring.scales import SCORE_COLUMNS, score_items
from parentgroup.scoring.spss_export import CODEBOOK_COLUMNS, codebook, write_scores_sav

INSTRUMENTS = load_instruments(["prfq", "psoc"])
PRFQ_ANSWERS = [2, 5, 6, 1, 4, 7, 3, 5, 6, 1, 2, 6, 2, 5, 7, 3, 4, 2]
PSOC_ANSWERS = [5, 2, 3, 4, 1, 4, 5, 3, 2, 5, 4, 1, 6, 2, 5, 3, 6]


def long(pseudonym: str, instrument: str, time_label: str, answers: list) -> pd.DataFrame:
    return pd.DataFrame({"pseudonym": pseudonym, "instrument": instrument,
                         "item": range(1, len(answers) + 1), "time": time_label,
                         "value": [np.nan if a is None else a for a in answers]})


def lookup(scores: pd.DataFrame) -> pd.Series:
    return scores.set_index(["pseudonym", "instrument", "scale", "scoring", "time"])["score"]


def test_prfq_hand_worked_respondent():
    scores = score_items(long("P01", "prfq", "now", PRFQ_ANSWERS), INSTRUMENTS)
    assert list(scores.columns) == SCORE_COLUMNS
    got = lookup(scores)
    # PM items 1, 4, 7, 10, 13, 16 = 2, 1, 3, 1, 2, 3: 12 / 6
    assert got[("P01", "prfq", "pre_mentalizing", "mean", "now")] == pytest.approx(2.0)
    # CMS items 2, 5, 8, 11, 14, 17 = 5, 4, 5, 2 -> 8 - 2 = 6, 5, 4: 29 / 6
    assert got[("P01", "prfq", "certainty", "mean", "now")] == pytest.approx(29 / 6)
    # IC items 3, 6, 9, 12, 15, 18 = 6, 7, 6, 6, 7, 2 -> 8 - 2 = 6: 38 / 6
    assert got[("P01", "prfq", "interest_curiosity", "mean", "now")] == pytest.approx(38 / 6)
    assert len(scores) == 3 and not scores["prorated"].any()
    assert (scores["items_answered"] == 6).all() and (scores["items_expected"] == 6).all()


def test_psoc_hand_worked_respondent():
    got = lookup(score_items(long("P02", "psoc", "then", PSOC_ANSWERS), INSTRUMENTS))
    # Satisfaction items 2,3,4,5,8,9,12,14,16 = 2,3,4,1,3,2,1,2,3 -> 7 - x = 5,4,3,6,4,5,6,5,4 = 42
    assert got[("P02", "psoc", "satisfaction", "sum", "then")] == 42
    assert got[("P02", "psoc", "satisfaction", "mean", "then")] == pytest.approx(42 / 9)
    # Efficacy items 1,6,7,10,11,13,15 = 5,4,5,5,4,6,5 = 34 (not reversed)
    assert got[("P02", "psoc", "efficacy", "sum", "then")] == 34
    assert got[("P02", "psoc", "efficacy", "mean", "then")] == pytest.approx(34 / 7)
    # Total = 42 + 34 + item 17 (6) = 82
    assert got[("P02", "psoc", "total", "sum", "then")] == 82
    assert got[("P02", "psoc", "total", "mean", "then")] == pytest.approx(82 / 17)


def test_one_missing_item_is_prorated_two_are_missing():
    answers = list(PSOC_ANSWERS)
    answers[8] = None                     # item 9 (satisfaction, reversed 7 - 2 = 5)
    prfq = list(PRFQ_ANSWERS)
    prfq[0] = prfq[3] = None              # PM items 1 and 4
    items = pd.concat([long("P03", "psoc", "then", answers), long("P03", "prfq", "then", prfq)])
    scores = score_items(items, INSTRUMENTS)
    got = lookup(scores)
    row = scores.set_index(["scale", "scoring"])
    assert got[("P03", "psoc", "satisfaction", "mean", "then")] == pytest.approx(37 / 8)
    assert got[("P03", "psoc", "satisfaction", "sum", "then")] == pytest.approx(37 / 8 * 9)
    assert got[("P03", "psoc", "total", "sum", "then")] == pytest.approx(77 / 16 * 17)
    assert bool(row.loc[("satisfaction", "sum"), "prorated"])
    assert row.loc[("satisfaction", "sum"), "items_answered"] == 8
    assert not bool(row.loc[("efficacy", "sum"), "prorated"])
    assert got[("P03", "psoc", "efficacy", "sum", "then")] == 34
    assert np.isnan(got[("P03", "prfq", "pre_mentalizing", "mean", "then")])
    assert row.loc[("pre_mentalizing", "mean"), "items_answered"] == 4
    assert not bool(row.loc[("pre_mentalizing", "mean"), "prorated"])


def test_sums_are_exact_sums_not_mean_times_k():
    """A sum score is the sum of the items (exact for integer ratings), and a prorated sum the
    correctly rounded sum x k / m: never mean x k, which gives 29 / 7 * 7 = 29.000000000000004
    for an efficacy sum of 29 and splits tied differences in the rank tests."""
    from fractions import Fraction

    answers = [4] * 17
    # efficacy items 1, 6, 7, 10, 11, 13, 15 = 5, 4, 4, 4, 4, 4, 4: 29 over 7 items
    answers[0] = 5
    complete = long("P05", "psoc", "then", answers)
    prorated = long("P06", "psoc", "then", [None if i == 9 else a
                                            for i, a in enumerate(answers, start=1)])
    got = lookup(score_items(pd.concat([complete, prorated]), INSTRUMENTS))
    assert got[("P05", "psoc", "efficacy", "sum", "then")] == 29.0  # exactly, not approx
    # item 9 (satisfaction, reversed 7 - 4 = 3) missing: 8 items of 3 = 24, prorated 24 * 9 / 8
    assert got[("P06", "psoc", "satisfaction", "sum", "then")] == float(Fraction(24 * 9, 8))
    # total: 17 items, item 9 missing: the other 16 sum to 29 + 24 + 4 (item 17) = 57 -> 57*17/16
    assert got[("P06", "psoc", "total", "sum", "then")] == float(Fraction(57 * 17, 16))
    # the property behind it: every complete sum of integer ratings is an integer
    items = build_items([([3] * 18, [2, 5, 1, 6, 3, 4, 6, 2, 5, 1, 3, 6, 2, 4, 5, 1, 3])])
    sums = score_items(items, INSTRUMENTS).query("scoring == 'sum' and not prorated")["score"]
    assert len(sums) and (sums == sums.round()).all()


def test_a_time_with_no_answers_still_has_rows_with_missing_scores():
    items = long("P04", "prfq", "then", [None] * 18)
    scores = score_items(items, INSTRUMENTS)
    assert len(scores) == 3 and scores["score"].isna().all()
    assert (scores["items_answered"] == 0).all()


def naive_scores(items: pd.DataFrame) -> dict:
    """An independent, loop-based implementation of the scoring rules."""
    out = {}
    for (pseudonym, name, time_label), group in items.groupby(["pseudonym", "instrument", "time"]):
        instrument = INSTRUMENTS[name]
        answers = dict(zip(group["item"], group["value"], strict=True))
        for scale in instrument.scales:
            values = []
            for item in scale.items:
                x = answers.get(item, np.nan)
                if not np.isnan(x) and item in instrument.reverse_items:
                    x = instrument.response_min + instrument.response_max - x
                if not np.isnan(x):
                    values.append(x)
            ok = values and len(scale.items) - len(values) <= 1
            mean = sum(values) / len(values) if ok else np.nan
            for scoring in scale.scorings:
                score = mean * len(scale.items) if scoring == "sum" else mean
                out[(pseudonym, name, scale.id, scoring, time_label)] = score
    return out


answers_strategy = st.lists(
    st.tuples(
        st.lists(st.one_of(st.none(), st.integers(1, 7)), min_size=18, max_size=18),
        st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=17, max_size=17),
    ),
    min_size=1, max_size=6,
)


def build_items(respondents) -> pd.DataFrame:
    parts = []
    for i, (prfq, psoc) in enumerate(respondents):
        parts += [long(f"P{i + 1:02d}", "prfq", "then", prfq),
                  long(f"P{i + 1:02d}", "psoc", "now", psoc)]
    return pd.concat(parts, ignore_index=True)


@settings(max_examples=60, deadline=None)
@given(st.integers(-5, 5), st.integers(1, 10), st.data())
def test_reverse_keying_is_an_involution_within_the_range(low, width, data):
    high = low + width
    x = data.draw(st.integers(low, high))
    once = reverse_score(x, low, high)
    assert low <= once <= high
    assert reverse_score(once, low, high) == x
    assert reverse_score(low, low, high) == high


@settings(max_examples=40, deadline=None)
@given(answers_strategy)
def test_scores_stay_in_range_and_match_an_independent_implementation(respondents):
    items = build_items(respondents)
    scores = score_items(items, INSTRUMENTS)
    expected = naive_scores(items)
    assert len(scores) == len(expected)
    for row in scores.itertuples():
        want = expected[(row.pseudonym, row.instrument, row.scale, row.scoring, row.time)]
        if np.isnan(want):
            assert np.isnan(row.score)
            continue
        assert row.score == pytest.approx(want)
        low, high = INSTRUMENTS[row.instrument].score_range(row.scale, row.scoring)
        assert low - 1e-9 <= row.score <= high + 1e-9
        assert row.items_answered <= row.items_expected


@settings(max_examples=30, deadline=None)
@given(answers_strategy, st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_scores(respondents, rng):
    items = build_items(respondents)
    order = list(items.index)
    rng.shuffle(order)
    pd.testing.assert_frame_equal(score_items(items, INSTRUMENTS),
                                  score_items(items.loc[order], INSTRUMENTS))


def synthetic_items(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    pseudonyms = np.array([f"P{i:04d}" for i in range(1, n + 1)])
    for name, instrument in INSTRUMENTS.items():
        k = len(instrument.items)
        for time_label in ("then", "now"):
            values = rng.integers(instrument.response_min, instrument.response_max + 1,
                                  size=(n, k)).astype(float)
            values[rng.random((n, k)) < 0.02] = np.nan
            parts.append(pd.DataFrame({
                "pseudonym": np.repeat(pseudonyms, k), "instrument": name,
                "item": np.tile(np.arange(1, k + 1), n), "time": time_label,
                "value": values.ravel(),
            }))
    return pd.concat(parts, ignore_index=True)


def test_scoring_5000_respondents_is_fast():
    items = synthetic_items(5000)
    start = time.perf_counter()
    scores = score_items(items, INSTRUMENTS)
    elapsed = time.perf_counter() - start
    assert len(scores) == 5000 * 2 * (3 + 6)
    assert elapsed < 5, f"{elapsed:.2f} s"


def test_spss_file_and_codebook(tmp_path):
    items = pd.concat([long("P01", "prfq", "then", PRFQ_ANSWERS),
                       long("P01", "psoc", "then", PSOC_ANSWERS),
                       long("P02", "psoc", "now", PSOC_ANSWERS)])
    scores = score_items(items, INSTRUMENTS)
    wide = write_scores_sav(scores, INSTRUMENTS, tmp_path / "scores.sav")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "scores.sav"))
    assert frame["pseudonym"].tolist() == ["P01", "P02"]
    assert frame.loc[0, "psoc_total_sum_then"] == 82
    assert np.isnan(frame.loc[1, "psoc_total_sum_then"])
    assert frame.loc[1, "psoc_total_sum_now"] == 82
    assert frame.loc[0, "prfq_certainty_mean_then"] == pytest.approx(29 / 6)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["psoc_satisfaction_sum_now"] == "PSOC Satisfaction, sum, now"
    assert list(frame.columns) == list(wide.columns)
    book = codebook(scores, INSTRUMENTS)
    assert list(book.columns) == CODEBOOK_COLUMNS
    assert book["variable"].tolist() == list(frame.columns)
    row = book.set_index("variable").loc["psoc_total_sum_now"]
    assert (row["range_min"], row["range_max"]) == (17, 102)
    assert "Johnston" in row["source"]
    assert book.set_index("variable").loc["prfq_certainty_mean_then", "range_max"] == 7


def test_score_stage_writes_every_output(tmp_path):
    items = synthetic_items(30).rename(columns={})
    items_csv = tmp_path / "questionnaire_items.csv"
    items.to_csv(items_csv, index=False, lineterminator="\n")
    out = tmp_path / "results"
    paths = {name: out / name for name in ["scores.csv", "scores_wide.sav", "codebook.csv",
                                            "reliability.csv", "item_total.csv"]}
    score_site(
        items_csv=items_csv, instrument_names=["prfq", "psoc"], extra_instrument_dirs=[],
        design="retrospective", confidence_level=0.95, scores_csv=paths["scores.csv"],
        scores_sav=paths["scores_wide.sav"], codebook_csv=paths["codebook.csv"],
        reliability_csv=paths["reliability.csv"], item_total_csv=paths["item_total.csv"],
    )
    scores = pd.read_csv(paths["scores.csv"])
    assert list(scores.columns) == SCORE_COLUMNS and len(scores) == 30 * 2 * 9
    reliability = pd.read_csv(paths["reliability.csv"])
    assert reliability[["instrument", "scale", "time"]].values.tolist()[:2] == [
        ["prfq", "pre_mentalizing", "then"], ["prfq", "pre_mentalizing", "now"]]
    assert len(pd.read_csv(paths["item_total.csv"])) == 2 * (18 + 17 + 9 + 7)
    first = paths["scores.csv"].read_bytes()
    score_site(
        items_csv=items_csv, instrument_names=["prfq", "psoc"], extra_instrument_dirs=[],
        design="retrospective", confidence_level=0.95, scores_csv=paths["scores.csv"],
        scores_sav=paths["scores_wide.sav"], codebook_csv=paths["codebook.csv"],
        reliability_csv=paths["reliability.csv"], item_total_csv=paths["item_total.csv"],
    )
    assert paths["scores.csv"].read_bytes() == first
