"""Stratified Monte Carlo Shapley: exactness, efficiency, unbiasedness and honest standard errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games.shapley import monte_carlo_shapley, shapley
from mechsolve.games.stratified import stratified_shapley

from strategies import games, names

Z = 5.0   # per-player |error| ≤ 5·SE: a failure is a bug, not bad luck


def _lookup(v: np.ndarray, n: int):
    bits = 1 << np.arange(n, dtype=np.int64)
    return lambda m: v[m.astype(np.int64) @ bits]


def _sums(a: np.ndarray) -> np.ndarray:
    out = np.zeros(1)
    for x in a:
        out = np.concatenate([out, out + x])
    return out


def _saturating(n: int, seed: int) -> np.ndarray:
    return 1.0 - np.exp(-_sums(np.random.default_rng(seed).exponential(0.25, n)))


def _voting(n: int, seed: int) -> np.ndarray:
    w = np.random.default_rng(seed).integers(1, 10, n).astype(float)
    return (_sums(w) > w.sum() / 2).astype(float)


def _random(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).random(2**n)
    v[0] = 0.0
    return v


@settings(max_examples=40, deadline=None, derandomize=True)
@given(games(min_n=1, max_n=7))
def test_a_budget_of_every_coalition_is_the_exact_shapley_value(g):
    est = monte_carlo_shapley(g, max_value_calls=2**g.n, method="stratified", seed=0)
    assert est.value_calls == 2**g.n and est.method == "stratified" and est.permutations == 0
    assert np.allclose(est.values, shapley(g), atol=1e-9) and np.all(est.std_error == 0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(games(min_n=4, max_n=9), st.integers(0, 2**32 - 1), st.floats(0.05, 0.9))
def test_exactly_efficient_and_within_budget_on_any_game(g, seed, share):
    n = g.n
    budget = max(2 + 2 * (n - 1), int(share * 2**n))
    est = monte_carlo_shapley(g, max_value_calls=budget, method="stratified", seed=seed)
    assert est.value_calls <= budget and np.all(np.isfinite(est.values)) and np.all(est.std_error >= 0)
    total = float(g.values[-1] - g.values[0])
    assert abs(est.values.sum() - total) <= 1e-9 * max(1.0, abs(total))      # exact efficiency


@pytest.mark.parametrize("n", [7, 9, 10])
def test_dense_games_land_within_the_reported_error(n):
    # a sample SE cannot see coalitions it never drew (a game living on one coalition and a tiny
    # budget gives SE 0) and is itself rough with a few samples per size, so the per-run check is
    # on dense games with half the table as budget; coverage is tested below
    for seed in range(20):
        g = Game.from_values(names(n), _random(n, 100 + seed) * np.random.default_rng(seed).normal(1, 2))
        est = monte_carlo_shapley(g, max_value_calls=2**n // 2, method="stratified", seed=seed)
        assert np.all(np.abs(est.values - shapley(g)) <= Z * est.std_error + 1e-9)


def test_value_calls_are_distinct_coalitions_and_counted():
    n = 12
    v = _random(n, 3)
    seen: list[np.ndarray] = []
    look = _lookup(v, n)

    def f(m: np.ndarray) -> np.ndarray:
        seen.append(m.copy())
        return look(m)

    est = monte_carlo_shapley(f, n, max_value_calls=1500, method="stratified", seed=1)
    rows = np.vstack(seen)
    masks = rows.astype(np.int64) @ (1 << np.arange(n, dtype=np.int64))
    assert est.value_calls == rows.shape[0] == np.unique(masks).size <= 1500
    # the callable was asked for v(∅) and v(N) once (to read them), then only distinct coalitions
    table = monte_carlo_shapley(Game.from_values(names(n), v), max_value_calls=1500, method="stratified", seed=1)
    assert np.allclose(table.values, est.values, atol=1e-12) and table.value_calls == est.value_calls



def _over_seeds(f, n, budget, seeds, exact):
    """Estimates and standard errors of ``seeds`` seeded runs, and each error in standard errors."""
    runs = [stratified_shapley(f, n, budget=budget, seed=s) for s in range(seeds)]
    est = np.array([r.values for r in runs])
    se = np.array([r.std_error for r in runs])
    return est, se, np.abs(est - exact) / np.where(se > 0, se, np.inf)


@pytest.mark.slow
@pytest.mark.parametrize("family", [_saturating, _voting, _random])
def test_standard_error_covers_the_true_error_at_the_stated_rate(family):
    """Over 300 seeds × 10 players: |error| ≤ 1.96·SE about 95 % of the time, ≤ 3·SE about 99.7 %;
    the mean of the 300 estimates is within 5 standard errors of φ (unbiased)."""
    n, budget, seeds = 10, 300, 300
    v = family(n, 11)
    exact = shapley(Game.from_values(names(n), v))
    f = _lookup(v, n)
    est, se, z = _over_seeds(f, n, budget, seeds, exact)
    inside95, inside3 = float(np.mean(z <= 1.96)), float(np.mean(z <= 3.0))
    assert 0.92 <= inside95 <= 0.985, inside95
    assert inside3 >= 0.985, inside3
    spread = est.std(axis=0, ddof=1) / math.sqrt(seeds)
    assert np.all(np.abs(est.mean(axis=0) - exact) <= Z * spread + 1e-12)
    # the reported SE matches the spread over seeds (mean reported variance ≈ observed variance)
    ratio = (se**2).mean(axis=0) / est.var(axis=0, ddof=1)
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio


def test_fixed_allocation_is_unbiased_on_a_skewed_game():
    """Without the data-driven Neyman step every coalition's inclusion is fixed in advance: unbiased."""
    n = 8
    v = _random(n, 5) ** 6                               # heavy right tail
    exact = shapley(Game.from_values(names(n), v))
    f = _lookup(v, n)
    est = np.array([stratified_shapley(f, n, budget=60, seed=s, neyman=False).values for s in range(800)])
    spread = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - exact) <= Z * spread)


def test_regression_control_makes_additive_games_exact_and_smooth_games_nearly_so():
    n = 14
    a = np.random.default_rng(0).random(n)
    additive = _sums(a)
    est = stratified_shapley(_lookup(additive, n), n, budget=2000, seed=0)
    assert np.allclose(est.values, a, atol=1e-9) and est.std_error.max() < 1e-9
    v = _saturating(n, 2)
    exact = shapley(Game.from_values(names(n), v))
    with_cv = stratified_shapley(_lookup(v, n), n, budget=2000, seed=0)
    plain = stratified_shapley(_lookup(v, n), n, budget=2000, seed=0, control=False)
    assert with_cv.std_error.mean() < 0.2 * plain.std_error.mean()
    assert np.all(np.abs(with_cv.values - exact) <= Z * with_cv.std_error + 1e-12)


def test_target_standard_error_stops_early():
    n = 12
    v = _saturating(n, 4)
    est = monte_carlo_shapley(Game.from_values(names(n), v), max_value_calls=3000, target_std_error=1e-3,
                              method="stratified", seed=0)
    assert est.converged and est.std_error.max() <= 1e-3 and est.value_calls < 3000


def test_large_callables_work_without_a_table():
    # v(S) = (Σ_{j∈S} w_j)^2: φ_i = w_i·Σ_j w_j exactly; n = 300 and 1000
    for n, budget in ((300, 6000), (1000, 4000)):
        w = np.random.default_rng(n).random(n)
        est = monte_carlo_shapley(lambda m: (m @ w) ** 2, n, max_value_calls=budget, method="stratified", seed=0)
        assert est.value_calls <= budget
        assert abs(est.values.sum() - w.sum() ** 2) <= 1e-9 * w.sum() ** 2
        assert np.all(np.abs(est.values - w * w.sum()) <= Z * est.std_error + 1e-9)


def test_bad_input():
    g = Game.from_values(names(6), _random(6, 0))
    with pytest.raises(InvalidModel, match="max_value_calls must be at least 12"):
        monte_carlo_shapley(g, max_value_calls=11, method="stratified")
    with pytest.raises(InvalidModel, match="method"):
        monte_carlo_shapley(g, method="kernel")
    with pytest.raises(InvalidModel, match="membership cells"):
        monte_carlo_shapley(lambda m: m.sum(1) * 1.0, 5000, max_value_calls=10**6, method="stratified")
    with pytest.raises(InvalidModel, match="returned"):
        stratified_shapley(lambda m: np.zeros(1), 5, budget=20)


def test_a_folds_surrogate_never_sees_that_fold():
    """Cross-fitting is what keeps the correction unbiased: changing the values of fold k's rows
    (here: wildly) must leave every surrogate used on fold k unchanged, the choice among the pooled
    models (made by cross-validation inside the other folds) included."""
    from mechsolve.games.stratified import _surrogates

    n, folds = 12, 5
    rng = np.random.default_rng(0)
    w = rng.random(n)
    blocks, weight = {}, {}
    for s in range(1, n):
        m = 14 if s in (1, n - 1) else 24                  # few rows per size: the pooled fit serves
        x = np.zeros((m, n))
        for r in range(m):
            x[r, rng.choice(n, s, replace=False)] = 1.0
        y = x @ w + np.sqrt(s) * rng.normal(0, 0.1, m)
        blocks[s] = (x, y, rng.permutation(m) % folds)
        weight[s] = 1.0 / (s * (n - s) * m)
    fits = _surrogates(blocks, n, folds, True, weight)
    for k in range(folds):
        moved = {s: (x, np.where(f == k, y * 50 + 7, y), f) for s, (x, y, f) in blocks.items()}
        again = _surrogates(moved, n, folds, True, weight)
        for s, (x, y, f) in blocks.items():
            # the surrogate's predictions (β itself is free along Σ_j x_j = s, where rounding moves it)
            (a0, b0, m0), (a1, b1, m1) = fits[s, k], again[s, k]
            assert np.allclose(a0 + x @ b0, a1 + x @ b1, rtol=0, atol=1e-6)
            assert np.allclose((n * b0 - b0.sum()), (n * b1 - b1.sum()), rtol=0, atol=1e-6)
            assert m0 == pytest.approx(m1, abs=1e-9)
        # and the check can fail: the next fold, trained on fold k, does move
        assert not np.allclose(again[1, (k + 1) % folds][0], fits[1, (k + 1) % folds][0], atol=1e-3)


@pytest.mark.slow
def test_few_samples_per_size_keep_the_standard_error_honest():
    """n = 14 at 200 calls (≈ 15 coalitions per size, the pooled surrogate and its model choice
    at work) on an additive game plus a fixed noise table: coverage, unbiasedness, SE vs spread."""
    n, budget, seeds = 14, 200, 300
    rng = np.random.default_rng(7)
    v = _sums(rng.exponential(1.0, n) / n) + rng.normal(0, 0.02, 2**n)
    v[0] = 0.0
    exact = shapley(Game.from_values(names(n), v))
    f = _lookup(v, n)
    est, se, z = _over_seeds(f, n, budget, seeds, exact)
    assert 0.92 <= float(np.mean(z <= 1.96)) <= 0.985
    spread = est.std(axis=0, ddof=1) / math.sqrt(seeds)
    assert np.all(np.abs(est.mean(axis=0) - exact) <= Z * spread + 1e-12)
    ratio = (se**2).mean(axis=0) / est.var(axis=0, ddof=1)
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio
