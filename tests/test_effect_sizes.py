"""Effect sizes for paired designs: Lakens (2013) movie example, pingouin and scipy agreement."""

from __future__ import annotations

import math

import numpy as np
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from parentgroup.analysis.effect_sizes import (
    _jackknife_d_z,
    _jackknife_mean,
    bca_intervals,
    cohens_d_z,
    matched_pairs_rank_biserial,
    noncentrality_interval,
    paired_effect_sizes,
    rank_ready_differences,
)

# Lakens (2013) movie ratings (reference file section 5.3); movie 2 as "pre", movie 1 as "post",
# so that the change post - pre = movie 1 - movie 2 = +1.0 as in the paper.
MOVIE_1 = np.array([9, 7, 8, 9, 8, 9, 9, 10, 9, 9.0])
MOVIE_2 = np.array([9, 6, 7, 8, 7, 9, 8, 8, 8, 7.0])


@pytest.fixture(scope="module")
def movie():
    return paired_effect_sizes(MOVIE_2, MOVIE_1)


def test_lakens_movie_printed_values(movie):
    assert movie.n == 10 and movie.df == 9
    assert round(movie.t, 2) == 4.74
    assert round(stats.ttest_rel(MOVIE_1, MOVIE_2).pvalue, 3) == 0.001
    assert round(movie.d_z, 2) == 1.50
    assert round(movie.d_av, 2) == 1.13
    assert round(movie.g_av, 2) == 1.08
    assert round(movie.r_pre_post, 3) == 0.726
    assert (round(movie.d_av_ci_low, 2), round(movie.d_av_ci_high, 2)) == (0.42, 1.80)
    assert round(movie.cles, 2) == 0.93


def test_lakens_movie_computed_values(movie):
    # the [C] column of section 5.3
    assert movie.mean_change == pytest.approx(1.0)
    assert movie.sd_pre == pytest.approx(0.9487, abs=5e-5)
    assert movie.sd_post == pytest.approx(0.8233, abs=5e-5)
    assert movie.t == pytest.approx(4.7434, abs=5e-5)
    assert movie.d_av == pytest.approx(1.1287, abs=5e-5)
    assert movie.g_av == pytest.approx(1.0810, abs=5e-5)
    assert movie.d_rm == pytest.approx(1.1113, abs=5e-5)
    assert (movie.d_z_ci_low, movie.d_z_ci_high) == pytest.approx((0.5605, 2.4034), abs=5e-5)
    assert (movie.d_av_ci_low, movie.d_av_ci_high) == pytest.approx((0.4207, 1.8040), abs=5e-5)
    assert movie.cles == pytest.approx(0.9332, abs=5e-5)


def test_sign_follows_post_minus_pre(movie):
    reverse = paired_effect_sizes(MOVIE_1, MOVIE_2)
    assert reverse.d_z == pytest.approx(-movie.d_z)
    assert reverse.d_z_ci_low == pytest.approx(-movie.d_z_ci_high, abs=1e-9)
    assert reverse.d_av_ci_high == pytest.approx(-movie.d_av_ci_low, abs=1e-9)


def test_noncentral_interval_inverts_the_cdf():
    for t, df in [(4.7434, 9), (-2.0, 4), (25.0, 3), (0.0, 11)]:
        lo, hi = noncentrality_interval(t, df, 0.9)
        assert stats.nct.cdf(t, df, lo) == pytest.approx(0.95, abs=1e-8)
        assert stats.nct.cdf(t, df, hi) == pytest.approx(0.05, abs=1e-8)
    assert all(math.isnan(x) for x in noncentrality_interval(math.inf, 5))


def test_degenerate_input_gives_nan_not_an_error():
    constant = paired_effect_sizes(np.array([1.0, 2, 3]), np.array([2.0, 3, 4]))
    assert math.isnan(constant.t) and math.isnan(constant.d_z) and math.isnan(constant.cles)
    assert constant.d_av == pytest.approx(1.0)
    single = paired_effect_sizes(np.array([1.0]), np.array([2.0]))
    assert single.mean_change == 1.0 and math.isnan(single.d_av)
    assert math.isnan(cohens_d_z(np.array([1.0, 1.0])))


pairs = st.integers(min_value=4, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(1, 7), min_size=n, max_size=n),
        st.lists(st.integers(-3, 3), min_size=n, max_size=n),
        st.floats(0.1, 2.0),
    )
)


@settings(max_examples=30, deadline=None)
@given(pairs)
def test_agrees_with_scipy_and_pingouin(data):
    base, shift, scale = data
    pre = np.array(base, dtype=float) * scale
    post = pre + np.array(shift, dtype=float) * scale + 0.25 * np.arange(len(base)) % 1.3
    diff = post - pre
    if np.ptp(diff) == 0 or np.ptp(pre) == 0 or np.ptp(post) == 0:
        return
    es = paired_effect_sizes(pre, post)
    ref = stats.ttest_rel(post, pre)
    assert es.t == pytest.approx(ref.statistic, rel=1e-10, abs=1e-10)
    pg = pingouin.ttest(post, pre, paired=True)
    assert es.t == pytest.approx(pg["T"].iloc[0], rel=1e-10, abs=1e-10)
    assert es.d_z == pytest.approx(
        pingouin.compute_effsize(post, pre, paired=True, eftype="cohen_dz"), rel=1e-10, abs=1e-10
    )
    # pingouin's paired "cohen" standardises by sqrt((s1^2 + s2^2) / 2); ours by (s1 + s2) / 2
    pg_d = pingouin.compute_effsize(post, pre, paired=True, eftype="cohen")
    rescale = ((es.sd_pre + es.sd_post) / 2) / math.sqrt((es.sd_pre**2 + es.sd_post**2) / 2)
    assert es.d_av * rescale == pytest.approx(pg_d, rel=1e-10, abs=1e-10)
    # d_rm identity and CLES
    assert es.d_rm == pytest.approx(
        es.mean_change / math.sqrt(es.sd_pre**2 + es.sd_post**2
                                   - 2 * es.r_pre_post * es.sd_pre * es.sd_post)
        * math.sqrt(2 * (1 - es.r_pre_post)), rel=1e-9, abs=1e-9)
    assert es.cles == pytest.approx(stats.norm.cdf(es.d_z), rel=1e-12)
    # rank-biserial against pingouin, given the differences with their true ties (pingouin
    # ranks raw floats, where 1 * 1.1 + 0.25 and 2 * 1.1 - 0.85 are different numbers)
    rounded = rank_ready_differences(diff)
    if np.any(rounded != 0):
        rbc = pingouin.wilcoxon(rounded)["RBC"].iloc[0]
        assert matched_pairs_rank_biserial(diff) == pytest.approx(rbc, abs=1e-10)


def test_rank_biserial_by_hand():
    # |d| = 1, 2, 3, 4 -> ranks 1..4; R+ = 1 + 2 + 4 = 7, R- = 3 -> (7 - 3) / 10
    assert matched_pairs_rank_biserial(np.array([1.0, 2.0, -3.0, 4.0, 0.0])) == pytest.approx(0.4)


#: The demo's 12 completers (P02-P14 without P10): sums of their six PRFQ certainty items (item 11
#: reversed) then and now; the certainty score is the sum / 6, as the scoring stage computes it.
DEMO_CERTAINTY_THEN = [28, 27, 29, 26, 34, 25, 27, 30, 26, 28, 28, 30]
DEMO_CERTAINTY_NOW = [26, 24, 26, 30, 32, 19, 21, 32, 22, 22, 31, 27]


def test_rank_biserial_keeps_true_ties_and_zeros_of_scale_means():
    """Differences of PRFQ means (sixths) that are equal as fractions but not as floats share a
    rank, and a change that is zero up to rounding is dropped: the demo's certainty changes give
    T+ = 16, T- = 62, r_rb = -46/78 = -.590 (exact fractions), not -.603 from split ties."""
    from fractions import Fraction

    diff = np.array(DEMO_CERTAINTY_NOW) / 6 - np.array(DEMO_CERTAINTY_THEN) / 6
    exact = [Fraction(b - a, 6)
             for a, b in zip(DEMO_CERTAINTY_THEN, DEMO_CERTAINTY_NOW, strict=True)]
    size = sorted({abs(x) for x in exact})
    ranks = {v: Fraction(sum(i + 1 for i, a in enumerate(sorted(map(abs, exact))) if a == v),
                         sum(abs(x) == v for x in exact)) for v in size}
    t_plus = sum(ranks[abs(x)] for x in exact if x > 0)
    t_minus = sum(ranks[abs(x)] for x in exact if x < 0)
    assert (t_plus, t_minus) == (16, 62)
    assert len(set(np.abs(diff).tolist())) > len(size)  # the floats split some true ties
    assert matched_pairs_rank_biserial(diff) == float((t_plus - t_minus) / (t_plus + t_minus))
    # a zero change up to floating point: 0.1 + 0.2 - 0.3 = 5.6e-17
    assert matched_pairs_rank_biserial(np.array([0.1 + 0.2 - 0.3, 1.0, 2.0])) == 1.0


@pytest.mark.parametrize("name", ["mean_change", "d_z"])
def test_bca_matches_scipy_bootstrap(name):
    rng = np.random.default_rng(7)
    diff = rng.normal(0.6, 1.0, 15)
    ours = bca_intervals(diff, n_resamples=999, seed=42, statistics=(name,))[name]

    def statistic(x, axis=-1):
        if name == "mean_change":
            return np.mean(x, axis=axis)
        return np.mean(x, axis=axis) / np.std(x, axis=axis, ddof=1)

    ref = stats.bootstrap(
        (diff,), statistic, n_resamples=999, method="BCa", vectorized=True,
        rng=np.random.default_rng(42),
    ).confidence_interval
    assert ours == pytest.approx((ref.low, ref.high), rel=1e-10, abs=1e-10)


def test_bca_is_seeded_and_degenerate_safe():
    diff = np.array([0.5, 1.0, 1.5, -0.2, 0.8, 1.1, 0.3])
    a = bca_intervals(diff, n_resamples=500, seed=3)
    assert a == bca_intervals(diff, n_resamples=500, seed=3)
    assert a != bca_intervals(diff, n_resamples=500, seed=4)
    assert a["mean_change"][0] < diff.mean() < a["mean_change"][1]
    nan = bca_intervals(np.array([1.0, 1.0, 1.0, 1.0]), n_resamples=200, seed=1)
    assert all(math.isnan(x) for pair in nan.values() for x in pair)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-12, 12), min_size=3, max_size=40), st.integers(1, 4))
def test_leave_one_out_statistics_equal_the_direct_jackknife(values, scale):
    # questionnaire-like differences (multiples of 1/scale, many ties)
    diff = np.array(values, dtype=float) / scale
    direct = np.stack([np.delete(diff, i) for i in range(diff.size)])
    assert _jackknife_mean(diff) == pytest.approx(direct.mean(axis=1), rel=1e-12, abs=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = direct.std(axis=1, ddof=1)
        expected = np.where(sd < 1e-9, np.copysign(np.inf, direct.mean(axis=1)),
                            direct.mean(axis=1) / sd)
        expected = np.where((sd < 1e-9) & (direct.mean(axis=1) == 0), np.nan, expected)
    ours = _jackknife_d_z(diff)
    finite = np.isfinite(expected)
    assert ours[finite] == pytest.approx(expected[finite], rel=1e-9)
    assert np.array_equal(np.isnan(ours), np.isnan(expected))
    assert np.array_equal(np.isposinf(ours), np.isposinf(expected))
