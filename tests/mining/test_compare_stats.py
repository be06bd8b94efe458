"""The comparison's statistics against scipy and against exact enumeration.

Tests and corrections are checked against scipy's own functions (the "reference" of convention
14); the bootstrap samplers, which draw resampled statistics without materialising resamples,
against the exact distribution of the statistic over every possible resample (tiny samples) or
against explicit resampling (larger ones).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from scipy import stats

from pipelines.mining import compare_stats as st

# -- multiple testing --------------------------------------------------------------------------


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04 (m = 3): 3*0.01 = 0.03; 2*0.03 = 0.06; max(0.06, 1*0.04) = 0.06
    assert st.holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert st.holm([0.5, 0.9]).tolist() == [1.0, 1.0]  # capped at 1


def test_corrections_leave_nan_out_of_the_family():
    out = st.holm([0.01, float("nan"), 0.02])
    assert math.isnan(out[1])
    assert out[[0, 2]].tolist() == pytest.approx([0.02, 0.02])  # m = 2, not 3
    assert np.isnan(st.benjamini_hochberg([float("nan")])).all()
    assert st.holm([]).size == 0


@given(hst.lists(hst.floats(0, 1), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_bh_equals_scipy_and_holm_is_more_conservative(ps):
    bh = st.benjamini_hochberg(ps)
    assert bh == pytest.approx(stats.false_discovery_control(ps, method="bh"))
    holm = st.holm(ps)
    assert (holm >= np.asarray(ps) - 1e-12).all() and (holm <= 1).all()
    assert (holm >= bh - 1e-12).all()


def test_unknown_correction_fails_fast():
    with pytest.raises(ValueError, match="correction must be one of 'holm', 'bh'; got 'bonferroni'"):
        st.adjust_pvalues([0.1], "bonferroni")


# -- tests ----------------------------------------------------------------------------------------


def test_two_proportion_z_equals_the_chi_square_of_the_2x2_table():
    p, test = st.proportion_test(30, 100, 50, 100)
    ref = stats.chi2_contingency([[30, 70], [50, 50]], correction=False).pvalue
    assert test == "two-proportion z" and p == pytest.approx(ref, rel=1e-10)
    assert p == pytest.approx(0.003892, abs=1e-6)  # z = 0.2 / sqrt(0.4 * 0.6 * 0.02) = 2.887


def test_small_expected_counts_use_fisher_exact():
    p, test = st.proportion_test(1, 4, 0, 3)
    assert test == "Fisher exact"
    assert p == pytest.approx(stats.fisher_exact([[1, 3], [0, 3]]).pvalue)
    assert st.proportion_test(0, 50, 0, 60) == (1.0, "Fisher exact")  # structural zero: no evidence
    assert math.isnan(st.proportion_test(0, 0, 1, 2)[0])


@given(hst.integers(0, 30), hst.integers(1, 30), hst.integers(0, 30), hst.integers(1, 30))
@settings(max_examples=150, deadline=None)
def test_fisher_exact_equals_scipy(k_b, n_b, k_a, n_a):
    k_b, k_a = min(k_b, n_b), min(k_a, n_a)
    ref = stats.fisher_exact([[k_b, n_b - k_b], [k_a, n_a - k_a]]).pvalue
    assert st.fisher_exact(k_b, n_b, k_a, n_a) == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_quantile_test_at_the_median_is_moods_median_test():
    rng = np.random.default_rng(3)
    xb, xa = rng.exponential(1.0, 300), rng.exponential(1.3, 250)
    p, h, name = st.quantile_test(xb, xa, 0.5)
    ref = stats.median_test(xb, xa, ties="below", correction=False)
    assert name == "Mood median: two-proportion z"
    assert p == pytest.approx(ref.pvalue, rel=1e-9)
    above_b, above_a = (xb > ref.median).mean(), (xa > ref.median).mean()
    assert h == pytest.approx(2 * math.asin(math.sqrt(above_a)) - 2 * math.asin(math.sqrt(above_b)))


def test_quantile_test_at_p90_by_hand():
    xb = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    xa = np.array([11.0, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    # pooled p90 = 18.1: above it before 0 of 10, after 2 of 10 (19, 20) -> Fisher (small counts)
    p, _, name = st.quantile_test(xb, xa, 0.9)
    assert name == "Mood quantile (q=0.9): Fisher exact"
    assert p == pytest.approx(stats.fisher_exact([[0, 10], [2, 8]]).pvalue)


def test_mann_whitney_and_its_effect_size():
    xb, xa = np.array([7200.0, 14400, 21600]), np.array([120.0, 10800, 28800])
    p, d = st.mann_whitney(xb, xa)
    ref = stats.mannwhitneyu(xa, xb, alternative="two-sided")
    assert p == pytest.approx(ref.pvalue)
    # U(after) = pairs with after > before: 10800 > 7200; 28800 > all three -> 4 of 9
    assert ref.statistic == 4
    assert d == pytest.approx(math.sqrt(2) * stats.norm.ppf(4 / 9))


def test_welch_and_cohen_d():
    xb, xa = np.array([4.0, 5, 6, 2]), np.array([4.0, 3, 5])
    assert st.welch_test(xb, xa) == pytest.approx(stats.ttest_ind(xa, xb, equal_var=False).pvalue)
    sd = math.sqrt((np.var(xb, ddof=1) + np.var(xa, ddof=1)) / 2)
    assert st.cohen_d(xb, xa) == pytest.approx((4.0 - 4.25) / sd)
    assert st.welch_test(np.array([1.0, 1]), np.array([1.0, 1, 1])) == 1.0  # constant and equal
    assert st.welch_test(np.array([1.0, 1]), np.array([2.0, 2])) == 0.0


def test_poisson_rates():
    p, lo, hi = st.poisson_rate_test(4, 2.0, 3, 1.0)
    assert p == pytest.approx(stats.binomtest(3, 7, 1 / 3).pvalue)
    half = stats.norm.ppf(0.975) * math.sqrt(3 / 1**2 + 4 / 2**2)
    assert (lo, hi) == pytest.approx((1.0 - half, 1.0 + half))
    assert math.isnan(st.poisson_rate_test(1, 0.0, 1, 1.0)[0])


# -- bootstrap --------------------------------------------------------------------------------------


def _exact_quantile_distribution(x: np.ndarray, q: float) -> dict[float, float]:
    """P(quantile of a resample = v) over all n^n equally likely resamples."""
    n = len(x)
    out: dict[float, float] = {}
    for idx in itertools.product(range(n), repeat=n):
        v = round(float(np.quantile(x[list(idx)], q)), 9)
        out[v] = out.get(v, 0.0) + 1 / n**n
    return out


@pytest.mark.parametrize(("x", "q"), [([1.0, 2.0, 4.0], 0.5), ([1.0, 2.0, 4.0, 8.0], 0.9), ([3.0, 3.0, 5.0, 9.0], 0.5)])
def test_boot_quantiles_have_the_exact_resampling_distribution(x, q):
    x = np.array(x)
    exact = _exact_quantile_distribution(x, q)
    draws = st.boot_quantiles(x, [q], 200_000, np.random.default_rng(5))[:, 0].round(9)
    got = {v: float((draws == v).mean()) for v in np.unique(draws)}
    assert set(got) <= set(exact)
    for v, prob in exact.items():  # 200k draws: binomial s.e. <= 0.0012
        assert got.get(v, 0.0) == pytest.approx(prob, abs=0.005)


def test_boot_quantiles_match_explicit_resampling():
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=60)
    fast = st.boot_quantiles(x, [0.5, 0.9], 40_000, np.random.default_rng(2))
    idx = np.random.default_rng(3).integers(0, 60, size=(40_000, 60))
    slow = np.quantile(x[idx], [0.5, 0.9], axis=1).T
    for i in range(2):
        assert stats.ks_2samp(fast[:, i], slow[:, i]).pvalue > 0.001
        assert fast[:, i].std() == pytest.approx(slow[:, i].std(), rel=0.05)


def test_boot_rate_and_mean_are_resampling_distributions():
    rng = np.random.default_rng(0)
    rate = st.boot_rate(30, 100, 50_000, rng)
    assert rate.mean() == pytest.approx(0.3, abs=0.002)
    assert rate.std() == pytest.approx(math.sqrt(0.3 * 0.7 / 100), rel=0.03)
    x = np.array([1.0, 2.0, 2.0, 5.0, 9.0])
    means = st.boot_mean(x, 50_000, rng)
    assert means.mean() == pytest.approx(x.mean(), abs=0.02)
    assert means.std() == pytest.approx(x.std(ddof=0) / math.sqrt(5), rel=0.03)
    big = rng.normal(size=2_000)  # many distinct values: the gather path
    assert st.boot_mean(big, 4_000, rng).std() == pytest.approx(big.std() / math.sqrt(2_000), rel=0.06)
    assert np.isnan(st.boot_rate(0, 0, 3, rng)).all() and np.isnan(st.boot_mean(np.array([]), 3, rng)).all()


def test_weighted_quantile_by_hand():
    v = np.array([1.0, 2.0, 3.0])
    assert st.weighted_quantile(v, np.array([0.2, 0.2, 0.6]), 0.5) == 3.0  # cumulative 0.2, 0.4, 1.0
    assert st.weighted_quantile(v, np.array([0.5, 0.2, 0.3]), 0.5) == 1.0  # reaches 0.5 at the first
    x = np.sort(np.random.default_rng(4).normal(size=101))
    for q in (0.1, 0.5, 0.9):  # equal weights: numpy's inverted CDF
        assert st.weighted_quantile(x, np.ones(101), q) == np.quantile(x, q, method="inverted_cdf")


def test_stratified_quantile_bootstrap_matches_explicit_resampling():
    rng = np.random.default_rng(0)
    sizes = [30, 70, 20]
    w = np.array([0.5, 0.2, 0.3])
    x = np.concatenate([rng.lognormal(i, 1, size=k) for i, k in enumerate(sizes)])
    strata = np.repeat([0, 1, 2], sizes)
    n_boot = 60_000
    fast = st.boot_strat_quantiles(x, strata, w, [0.5, 0.9], n_boot, np.random.default_rng(1))
    r2 = np.random.default_rng(2)
    offsets = np.cumsum([0, *sizes[:-1]])
    idx = np.concatenate([r2.integers(0, k, size=(n_boot, k)) + o for k, o in zip(sizes, offsets, strict=True)], axis=1)
    case_w = (w / np.array(sizes))[strata]
    for i, q in enumerate([0.5, 0.9]):
        slow = np.array([st.weighted_quantile(np.sort(x[row]), case_w[row][np.argsort(x[row], kind="stable")], q)
                         for row in idx[:3000]])
        assert stats.ks_2samp(fast[:3000, i], slow).pvalue > 0.001
        assert not np.isnan(fast[:, i]).any()


def test_percentile_ci_and_bootstrap_z():
    diffs = np.arange(1, 1001, dtype=float)
    assert st.percentile_ci(diffs, 0.05) == pytest.approx((np.quantile(diffs, 0.025), np.quantile(diffs, 0.975)))
    assert st.bootstrap_z_pvalue(0.0, np.zeros(10)) == 1.0
    z = 2.0 / np.std(np.array([1.0, 3.0]), ddof=1)
    assert st.bootstrap_z_pvalue(2.0, np.array([1.0, 3.0])) == pytest.approx(2 * stats.norm.sf(z))


def test_streams_are_reproducible_and_keyed():
    a = st.rng_for(0, "all", "reopen_rate", "after").random(3)
    assert (a == st.rng_for(0, "all", "reopen_rate", "after").random(3)).all()
    assert not (a == st.rng_for(0, "all", "reopen_rate", "before").random(3)).all()
    assert not (a == st.rng_for(1, "all", "reopen_rate", "after").random(3)).all()
