"""Statistics for before/after comparisons: tests, effect sizes, multiple-testing corrections and
a vectorised bootstrap over cases (pure numpy/scipy; no I/O, no Python loop over cases). The
helpers the what-if and the SLA and automation tables share (percentile intervals, weighted
quantiles, safe ratios) live here too, once.

Conventions: "before" is the first argument, "after" the second; a difference is ``after - before``.

Tests (two-sided)
-----------------
* :func:`proportion_test`: two-proportion z-test with the pooled variance (``z^2`` equals the
  chi-square of the 2x2 table without continuity correction); Fisher's exact test instead when an
  expected cell count is below 5, where the normal approximation is poor (tiny groups, rare
  events, structural zeros: two zero rates give ``p = 1``).
* :func:`mann_whitney`: Mann-Whitney U (``scipy.stats.mannwhitneyu``, its default method: exact
  for small tie-free samples, else normal approximation with tie and continuity correction).
  It tests whether one distribution tends to give larger values (a shift), which is what a median
  comparison of durations is about.
* :func:`quantile_test`: for a quantile other than the median, Mood's test generalised to the
  q-quantile: the pooled sample's q-quantile is the threshold, and the shares of values above it
  are compared with :func:`proportion_test`. For ``q = 0.5`` this is Mood's median test
  (``scipy.stats.median_test(..., ties="below", correction=False)``).
* :func:`welch_test`: Welch's t-test for means of per-case counts (events, hand-offs), valid by the
  central limit theorem for the sample sizes a comparison has.
* :func:`poisson_rate_test`: two Poisson rates (cases per week over two exposure windows): the
  exact conditional binomial test (given ``N = n_b + n_a``, ``n_a ~ Binomial(N, t_a/(t_a+t_b))``
  under equal rates), with a Wald interval for the rate difference.

Effect sizes (standardised, on Cohen's d scale, so they sort together)
----------------------------------------------------------------------
Cohen's d with the average variance for means; Cohen's h (``2 asin sqrt p_a - 2 asin sqrt p_b``)
for rates and for the exceedance shares of :func:`quantile_test`; for Mann-Whitney, the
probability of superiority ``A = U / (n_b n_a)`` mapped to ``d = sqrt(2) Phi^-1(A)`` (exact for
normal data with equal variances). Rough reading: 0.2 small, 0.5 medium, 0.8 large.

Multiple testing
----------------
:func:`adjust_pvalues` with ``"holm"`` (Holm-Bonferroni: controls the family-wise error rate under
any dependence between the tests; the default, because a before/after report is read as "which of
these changed", and a single false "it got worse" is costly) or ``"bh"`` (Benjamini-Hochberg:
controls the false discovery rate; more power for long exploratory tables). NaN p-values are left
out of the family.

Bootstrap
---------
Percentile intervals from ``B`` resamples of the cases of each side (independently), drawn
without materialising per-case loops: a rate's resampled share is ``Binomial(n, p_hat) / n`` and
a mean over few distinct values (counts per case) is drawn from ``Multinomial(n, frequencies)``,
both exactly the distribution of the statistic on ``n`` cases drawn with replacement; a quantile
is drawn from the order statistics of uniforms (:func:`boot_quantiles`), also exact. Only the
mix-adjusted quantiles materialise resamples (stratified, weighted), in chunks of rows so memory
stays below ~32 MB whatever ``n``.
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import stats

__all__ = [
    "CORRECTIONS", "adjust_pvalues", "benjamini_hochberg", "boot_mean", "boot_quantiles",
    "boot_rate", "boot_strat_mean", "boot_strat_quantiles", "boot_strat_rate", "bootstrap_z_pvalue",
    "cohen_d", "cohen_h", "fisher_exact", "holm", "mann_whitney", "percentile_ci", "poisson_rate_test",
    "proportion_test", "quantile_test", "ratio", "rng_for", "weighted_linear_quantile", "weighted_quantile",
    "welch_test",
]

Correction = Literal["holm", "bh"]
CORRECTIONS: tuple[str, ...] = ("holm", "bh")
FISHER_MIN_EXPECTED = 5.0
"""Below this expected cell count :func:`proportion_test` uses Fisher's exact test."""
_CHUNK_CELLS = 4_000_000
_EPS = 1e-12
_MAX_DISTINCT = 512


# -- multiple testing ----------------------------------------------------------------------------

def _step_adjusted(p: Sequence[float], adjust_sorted) -> np.ndarray:
    """Adjusted p-values: ``adjust_sorted`` maps the ascending non-NaN p-values to their adjusted
    values (capped at 1 here); NaN stays NaN and is not counted in the family."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    vals = p[ok]
    order = np.argsort(vals, kind="stable")
    res = np.empty(vals.size)
    res[order] = np.minimum(adjust_sorted(vals[order]), 1.0)
    out[ok] = res
    return out


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (NaN stays NaN and is not counted in the family).

    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    def step_down(s: np.ndarray) -> np.ndarray:
        return np.maximum.accumulate((s.size - np.arange(s.size)) * s)

    return _step_adjusted(p, step_down)


def benjamini_hochberg(p: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN and is not counted.

    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    def step_up(s: np.ndarray) -> np.ndarray:
        return np.minimum.accumulate((s * s.size / np.arange(1, s.size + 1))[::-1])[::-1]

    return _step_adjusted(p, step_up)


def adjust_pvalues(p: Sequence[float], method: Correction = "holm") -> np.ndarray:
    """Adjusted p-values of one family by ``method`` (``"holm"`` or ``"bh"``)."""
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(map(repr, CORRECTIONS))}; got {method!r}")
    return holm(p) if method == "holm" else benjamini_hochberg(p)


# -- tests ---------------------------------------------------------------------------------------

def two_proportion_z(k_b: int, n_b: int, k_a: int, n_a: int) -> float:
    """Two-sided p of the pooled two-proportion z-test (1.0 when the pooled share is 0 or 1)."""
    pooled = (k_b + k_a) / (n_b + n_a)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_b + 1 / n_a))
    if se == 0:
        return 1.0
    z = (k_a / n_a - k_b / n_b) / se
    return float(2 * stats.norm.sf(abs(z)))


def proportion_test(k_b: int, n_b: int, k_a: int, n_a: int) -> tuple[float, str]:
    """``(p, test name)`` for equal shares ``k_b/n_b`` and ``k_a/n_a`` (see the module docstring).

    >>> p, test = proportion_test(30, 100, 50, 100)
    >>> round(p, 4), test
    (0.0039, 'two-proportion z')
    """
    if n_b <= 0 or n_a <= 0:
        return float("nan"), "none"
    k, n = k_b + k_a, n_b + n_a
    expected = np.outer([n_b, n_a], [k, n - k]) / n
    if expected.min() < FISHER_MIN_EXPECTED:
        return fisher_exact(k_b, n_b, k_a, n_a), "Fisher exact"
    return two_proportion_z(k_b, n_b, k_a, n_a), "two-proportion z"


def fisher_exact(k_b: int, n_b: int, k_a: int, n_a: int) -> float:
    """Two-sided Fisher exact p of the 2x2 table ``[[k_b, n_b - k_b], [k_a, n_a - k_a]]``.

    The same rule as ``scipy.stats.fisher_exact`` (sum of the hypergeometric probabilities not
    above the observed one, with a relative tolerance of 1e-7), in one vectorised pmf call: scipy's
    version costs milliseconds per table, which adds up over hundreds of variants.
    """
    total, successes = n_b + n_a, k_b + k_a
    lo, hi = max(0, n_b - (total - successes)), min(successes, n_b)
    support = np.arange(lo, hi + 1)
    pmf = stats.hypergeom.pmf(support, total, successes, n_b)
    observed = pmf[k_b - lo]
    return float(min(1.0, pmf[pmf <= observed * (1 + 1e-7)].sum()))


def cohen_h(p_b: float, p_a: float) -> float:
    """Cohen's h for two shares (after minus before)."""
    return float(2 * math.asin(math.sqrt(p_a)) - 2 * math.asin(math.sqrt(p_b)))


def cohen_d(x_b: np.ndarray, x_a: np.ndarray) -> float:
    """Cohen's d (after minus before) with the average of the two sample variances."""
    if x_b.size < 2 or x_a.size < 2:
        return float("nan")
    diff = float(x_a.mean() - x_b.mean())
    sd = math.sqrt((x_b.var(ddof=1) + x_a.var(ddof=1)) / 2)
    if sd == 0:  # two constant samples: no spread to standardise by
        return 0.0 if diff == 0 else float("nan")
    return diff / sd


def mann_whitney(x_b: np.ndarray, x_a: np.ndarray) -> tuple[float, float]:
    """``(p, effect d)``: Mann-Whitney U of after vs before, effect from ``A = U / (n_b n_a)``."""
    if x_b.size == 0 or x_a.size == 0:
        return float("nan"), float("nan")
    res = stats.mannwhitneyu(x_a, x_b, alternative="two-sided")
    a = float(res.statistic) / (x_a.size * x_b.size)
    return float(res.pvalue), float(math.sqrt(2) * stats.norm.ppf(min(max(a, 1e-3), 1 - 1e-3)))


def quantile_test(x_b: np.ndarray, x_a: np.ndarray, q: float) -> tuple[float, float, str]:
    """``(p, effect h, test)``: are the q-quantiles equal? (pooled-quantile exceedance test)."""
    if x_b.size == 0 or x_a.size == 0:
        return float("nan"), float("nan"), "none"
    threshold = np.quantile(np.concatenate([x_b, x_a]), q)
    k_b, k_a = int((x_b > threshold).sum()), int((x_a > threshold).sum())
    p, test = proportion_test(k_b, x_b.size, k_a, x_a.size)
    kind = "Mood median" if q == 0.5 else f"Mood quantile (q={q:g})"
    name = f"{kind}: {test}"
    return p, cohen_h(k_b / x_b.size, k_a / x_a.size), name


def welch_test(x_b: np.ndarray, x_a: np.ndarray) -> float:
    """Two-sided p of Welch's t-test for equal means (degenerate zero-variance cases handled)."""
    if x_b.size < 2 or x_a.size < 2:
        return float("nan")
    if x_b.var() == 0 and x_a.var() == 0:
        return 1.0 if x_b.mean() == x_a.mean() else 0.0
    with warnings.catch_warnings():  # near-constant samples: scipy warns, the p-value is still right
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(x_a, x_b, equal_var=False).pvalue)


def poisson_rate_test(n_b: int, t_b: float, n_a: int, t_a: float, alpha: float = 0.05) -> tuple[float, float, float]:
    """``(p, ci_low, ci_high)`` for the difference of two Poisson rates ``n/t`` (after - before).

    p: exact conditional binomial test; interval: Wald, ``+- z sqrt(n_a/t_a^2 + n_b/t_b^2)``.
    """
    if not (t_b > 0 and t_a > 0):
        return float("nan"), float("nan"), float("nan")
    diff = n_a / t_a - n_b / t_b
    half = stats.norm.ppf(1 - alpha / 2) * math.sqrt(n_a / t_a**2 + n_b / t_b**2)
    if n_a + n_b == 0:
        return 1.0, diff - half, diff + half
    p = stats.binomtest(n_a, n_a + n_b, t_a / (t_a + t_b)).pvalue
    return float(p), diff - half, diff + half


# -- bootstrap -----------------------------------------------------------------------------------

def rng_for(seed: int, *key: object) -> np.random.Generator:
    """An independent, reproducible stream for ``key`` (so results do not depend on what else ran)."""
    text = "\x1f".join(map(str, key)).encode("utf-8")
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, zlib.crc32(text)]))


def percentile_ci(diffs: np.ndarray, alpha: float) -> tuple[float, float]:
    """``1 - alpha`` percentile interval of bootstrap replicates (non-finite ones ignored; NaN when
    none is left)."""
    d = diffs[np.isfinite(diffs)]
    if d.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(d, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def bootstrap_z_pvalue(estimate: float, diffs: np.ndarray) -> float:
    """Two-sided p of ``estimate / sd(bootstrap differences)`` against a standard normal."""
    d = diffs[~np.isnan(diffs)]
    if d.size < 2 or math.isnan(estimate):
        return float("nan")
    sd = float(d.std(ddof=1))
    if sd == 0:
        return 1.0 if estimate == 0 else 0.0
    return float(2 * stats.norm.sf(abs(estimate) / sd))


def _chunks(n_boot: int, n: int):
    rows = max(1, _CHUNK_CELLS // max(n, 1))
    for start in range(0, n_boot, rows):
        yield min(rows, n_boot - start)


def boot_rate(k: int, n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled shares of ``n`` cases of which ``k`` have the property (NaN when ``n == 0``)."""
    if n == 0:
        return np.full(n_boot, np.nan)
    return rng.binomial(n, k / n, size=n_boot) / n


def boot_mean(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled means of ``x`` (cases drawn with replacement)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n == 0:
        return np.full(n_boot, np.nan)
    values, counts = np.unique(x, return_counts=True)
    if values.size <= _MAX_DISTINCT:
        draws = rng.multinomial(n, counts / n, size=n_boot)
        return draws @ values / n
    out = np.empty(n_boot)
    done = 0
    for rows in _chunks(n_boot, n):
        out[done:done + rows] = x[rng.integers(0, n, size=(rows, n))].mean(axis=1)
        done += rows
    return out


def _order_stat_positions(n: int, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """numpy's 'linear' quantile of ``n`` sorted values: lower position and fraction per q."""
    h = (n - 1) * np.asarray(qs, dtype=float)
    lo = np.floor(h).astype(np.int64)
    return lo, h - lo


def boot_quantiles(x: np.ndarray, qs: Sequence[float], n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled quantiles (numpy 'linear') of ``x``, shape ``(n_boot, len(qs))``, in O(n_boot).

    A resample of ``n`` cases is ``F^-1(U_1..U_n)`` for iid uniforms ``U`` and the empirical
    inverse CDF ``F^-1(u) = x_(ceil(u n))``; ``F^-1`` is monotone, so the resample's k-th order
    statistic (0-based) is ``F^-1(U_(k))`` with ``U_(k) ~ Beta(k + 1, n - k)``, and the next one
    is ``F^-1(U_(k+1))`` with ``U_(k+1) = U_(k) + (1 - U_(k)) Beta(1, n - k - 1)`` (the smallest of
    the uniforms above ``U_(k)``). numpy's linear quantile interpolates those two, so each
    resampled quantile is drawn exactly, without materialising the resample. Each ``q`` gets its
    own draws (the columns are marginally, not jointly, right).
    """
    xs = np.sort(np.asarray(x, dtype=float))
    n = xs.size
    out = np.full((n_boot, len(qs)), np.nan)
    if n == 0:
        return out
    lo, frac = _order_stat_positions(n, qs)
    for i, (k, f) in enumerate(zip(lo, frac, strict=True)):
        u_lo = rng.beta(k + 1, n - k, size=n_boot)
        v_lo = xs[np.minimum((u_lo * n).astype(np.int64), n - 1)]
        if k + 1 >= n:
            out[:, i] = v_lo
            continue
        u_hi = u_lo + (1 - u_lo) * rng.beta(1, n - k - 1, size=n_boot)
        v_hi = xs[np.minimum((u_hi * n).astype(np.int64), n - 1)]
        out[:, i] = v_lo + f * (v_hi - v_lo)
    return out


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Weighted inverted-CDF quantile: the smallest value whose cumulative weight share reaches ``q``.

    ``values`` sorted ascending, ``weights`` positive. With equal weights this is numpy's
    ``method="inverted_cdf"``, which differs from the default 'linear' by less than one gap between
    adjacent order statistics.

    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.2, 0.6]), 0.5)
    3.0
    """
    if values.size == 0:
        return float("nan")
    cum = np.cumsum(weights, dtype=float)
    cum /= cum[-1]
    j = int(np.searchsorted(cum, q * (1 - _EPS), side="left"))
    return float(values[min(j, values.size - 1)])


def weighted_linear_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of ``values`` weighted by ``weights`` (NaN values and zero weights ignored):
    linear interpolation between order statistics at plotting positions
    ``(cum_weight_before) / (total - last weight)``, so with equal weights this is numpy's default
    ``linear`` quantile (the what-if's measures, comparable with every other page's). Unlike
    :func:`weighted_quantile` (inverted CDF, for the mix adjustment), ``values`` need not be sorted.

    >>> weighted_linear_quantile(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4), 0.5)
    2.5
    >>> weighted_linear_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 1.0]), 0.5)
    2.0
    """
    ok = ~np.isnan(values) & (weights > 0)
    v, w = values[ok], weights[ok]
    if not len(v):
        return float("nan")
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    if len(v) == 1:
        return float(v[0])
    before = np.cumsum(w) - w
    p = before / (w.sum() - w[-1])
    return float(np.interp(q, p, v))


def ratio(num, den) -> np.ndarray:
    """``num / den`` elementwise, NaN where ``den`` is not positive (shares and rates of groups
    that may be empty).

    >>> ratio([1, 2, 0], [4, 0, 0]).tolist()
    [0.25, nan, nan]
    """
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def boot_strat_rate(k: np.ndarray, n: np.ndarray, w: np.ndarray, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Resampled directly standardised share ``sum_s w_s k_s/n_s`` (stratified bootstrap)."""
    p = np.divide(k, n, out=np.zeros(len(k)), where=n > 0)
    draws = rng.binomial(n[None, :], p[None, :], size=(n_boot, len(k)))
    shares = np.divide(draws, n[None, :], out=np.zeros(draws.shape), where=n[None, :] > 0)
    return shares @ w


def boot_strat_mean(x: np.ndarray, strata: np.ndarray, w: np.ndarray, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Resampled directly standardised mean ``sum_s w_s mean_s`` (stratified bootstrap)."""
    out = np.zeros(n_boot)
    for s, weight in enumerate(w):  # a loop over strata (a handful), not over cases
        if weight:
            out += weight * boot_mean(x[strata == s], n_boot, rng)
    return out


def boot_strat_quantiles(x: np.ndarray, strata: np.ndarray, w: np.ndarray, qs: Sequence[float],
                         n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled directly standardised quantiles (:func:`weighted_quantile`), ``(n_boot, len(qs))``.

    A stratified bootstrap: each stratum ``s`` is resampled with its size ``n_s``, and a case of
    it weighs ``w_s / n_s``. The resampled weighted CDF ``G*`` is only needed near the quantile:
    values whose ``G`` is within ``6 sd(G*)`` of ``q`` form a window, and each stratum's resample
    is drawn as multinomial counts over (its values below the window, each of its values in the
    window, its values above), which is exactly the resample as far as ``G*`` in the window goes.
    A resample whose quantile falls outside the window (probability below 1e-9) is redrawn over all
    values. Cost ``O(n_boot x window)``, no per-case loop.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    order = np.argsort(x, kind="stable")
    xs, ss = x[order], np.asarray(strata)[order]
    sizes = np.bincount(ss, minlength=len(w))
    keep = (w[ss] > 0) & (sizes[ss] > 0)
    xs, ss = xs[keep], ss[keep]
    out = np.full((n_boot, len(qs)), np.nan)
    if xs.size == 0:
        return out
    live = (w > 0) & (sizes > 0)
    wn = np.where(live, w, 0.0) / w[live].sum()
    cum = np.cumsum(wn[ss] / sizes[ss])
    sd = math.sqrt(float(np.sum(wn[live] ** 2 / (4 * sizes[live]))))
    for i, q in enumerate(qs):
        lo = int(np.searchsorted(cum, q - 6 * sd, side="left"))
        hi = int(np.searchsorted(cum, q + 6 * sd, side="right")) + 1
        col = _strat_window(xs, ss, sizes, wn, q, max(lo - 1, 0), min(hi, xs.size), n_boot, rng)
        bad = np.isnan(col)
        if bad.any():
            col[bad] = _strat_window(xs, ss, sizes, wn, q, 0, xs.size, int(bad.sum()), rng)
        out[:, i] = col
    return out


def _strat_window(xs: np.ndarray, ss: np.ndarray, sizes: np.ndarray, w: np.ndarray, q: float,
                  lo: int, hi: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Quantiles of ``n_boot`` stratified resamples found in the window ``xs[lo:hi]`` (NaN: outside).

    A stratum's resample (``n`` draws with replacement from its ``n`` values) as far as the window
    goes: how many draws fall below it (binomial), how many of the rest in it (binomial), and
    which of its window values each of those is (uniform): ``O(n_boot x window)`` draws in all.
    """
    if hi <= lo:
        return np.full(n_boot, np.nan)
    win_strata = ss[lo:hi]
    base = np.zeros(n_boot)
    mass = np.zeros((n_boot, hi - lo))
    rows = np.arange(n_boot)
    for s in np.flatnonzero(w > 0):  # a loop over strata (a handful), not over cases
        cols = np.flatnonzero(win_strata == s)
        n = int(sizes[s])
        below = int(np.count_nonzero(ss[:lo] == s))
        n_below = rng.binomial(n, below / n, size=n_boot)
        n_in = rng.binomial(n - n_below, cols.size / (n - below) if n > below else 0.0)
        picks = rng.integers(0, max(cols.size, 1), size=int(n_in.sum()))
        counts = np.bincount(np.repeat(rows, n_in) * cols.size + picks, minlength=n_boot * cols.size)
        unit = w[s] / n
        base += unit * n_below
        mass[:, cols] = unit * counts.reshape(n_boot, cols.size)
    target = q * (1 - _EPS)
    cum = base[:, None] + np.cumsum(mass, axis=1)
    inside = (base < target) & (cum[:, -1] >= target)
    j = np.argmax(cum >= target, axis=1)
    return np.where(inside, xs[lo + j], np.nan)
