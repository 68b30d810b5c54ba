"""Shapley kernel, exact path, conditional Shapley and Monte Carlo (mechsolve/shapley.py).

Every test recomputes the property from the game: literal subset-loop
definitions, the axioms (efficiency, symmetry, null player, additivity),
Nguyen et al. (2022)'s decomposition (Sec. 3.2, App. F), and sampling error
against the exact value.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import permutations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games import shapley as kernel
from mechsolve.games.semivalues import semivalue_weights
from mechsolve.games.shapley import (SemivalueKernel, conditional_semivalue, conditional_shapley, graded_sums,
                                     member_sums, monte_carlo_shapley, row_split, shapley, shapley_weights,
                                     weighted_semivalue)

from strategies import games, names

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ literal definitions
def literal_shapley(values: list, n: int) -> list:
    """``φ_i = Σ_{S ⊆ N∖i} |S|!(n−|S|−1)!/n! (v(S∪i) − v(S))``, one coalition at a time."""
    out = []
    for i in range(n):
        tot = 0
        for s_mask in range(2**n):
            if s_mask >> i & 1:
                continue
            s = bin(s_mask).count("1")
            w = Fraction(math.factorial(s) * math.factorial(n - s - 1), math.factorial(n))
            tot += w * (values[s_mask | 1 << i] - values[s_mask])
        out.append(tot)
    return out


def permutation_shapley(values: list, n: int) -> list:
    """Average marginal contribution over all ``n!`` orders (Nguyen et al. 2022, App. A)."""
    out = [Fraction(0)] * n
    for order in permutations(range(n)):
        mask = 0
        for i in order:
            out[i] += values[mask | 1 << i] - values[mask]
            mask |= 1 << i
    return [x / math.factorial(n) for x in out]


def random_game(n: int, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=2**n)
    v[0] = 0.0
    return Game.from_values(names(n), v)


# ------------------------------------------------------------------ agreement with definitions
@FAST
@given(games(min_n=1, max_n=7))
def test_kernel_matches_literal_definition(g):
    got = shapley(g)
    want = [float(x) for x in literal_shapley([Fraction(float(x)) for x in g.values], g.n)]
    assert np.allclose(got, want, rtol=0, atol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 3, 8, 11])
def test_kernel_matches_literal_at_fixed_sizes(n):
    g = random_game(n, seed=n)
    want = np.array([float(x) for x in literal_shapley([Fraction(float(x)) for x in g.values], n)])
    assert np.abs(shapley(g) - want).max() <= 1e-9


def test_permutation_and_subset_definitions_agree_with_exact_kernel():
    g = random_game(5, seed=3).to_exact()
    vals = list(g.values)
    assert list(shapley(g)) == literal_shapley(vals, 5) == permutation_shapley(vals, 5)


@FAST
@given(games(min_n=1, max_n=6))
def test_graded_sums_match_their_definition(g):
    p, q = graded_sums(g)
    n = g.n
    for s in range(n + 1):
        members = [m for m in range(2**n) if bin(m).count("1") == s]
        assert math.isclose(q[s], sum(g.values[m] for m in members), abs_tol=1e-9)
        for i in range(n):
            assert math.isclose(p[i, s], sum(g.values[m] for m in members if m >> i & 1), abs_tol=1e-9)


def test_member_sums():
    x = np.arange(8.0)
    assert member_sums(x, 3).tolist() == [1 + 3 + 5 + 7, 2 + 3 + 6 + 7, 4 + 5 + 6 + 7]


# ------------------------------------------------------------------ axioms
@FAST
@given(games(min_n=1, max_n=8))
def test_efficiency(g):
    assert abs(shapley(g).sum() - g.grand_value) <= 1e-9


def test_efficiency_at_n20():
    g = random_game(20, seed=20)
    assert abs(shapley(g).sum() - g.grand_value) <= 1e-9


@FAST
@given(games(min_n=2, max_n=7), st.data())
def test_symmetry(g, data):
    i, j = data.draw(st.lists(st.integers(0, g.n - 1), min_size=2, max_size=2, unique=True))
    # make i and j symmetric: v(S∪i) := v(S∪j) for S ∌ i, j; keep v(S∪i∪j)
    v = g.values.copy()
    for m in range(2**g.n):
        if m >> i & 1 and not m >> j & 1:
            v[m] = v[(m & ~(1 << i)) | 1 << j]
    phi = shapley(g.with_values(v))
    assert abs(phi[i] - phi[j]) <= 1e-9


@FAST
@given(games(min_n=1, max_n=7), st.data())
def test_null_player(g, data):
    k = data.draw(st.integers(0, g.n - 1))
    v = g.values.copy()
    for m in range(2**g.n):
        if m >> k & 1:
            v[m] = v[m & ~(1 << k)]          # v(S∪k) = v(S)
    assert abs(shapley(g.with_values(v))[k]) <= 1e-9


@FAST
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(games(min_n=n, max_n=n), games(min_n=n, max_n=n))))
def test_additivity(pair):
    g, h = pair
    assert np.allclose(shapley(g + h), shapley(g) + shapley(h), rtol=0, atol=1e-9)


def test_glove_game_published_values():
    # Maschler, Solan & Zamir (2013), Example 18.7: φ = (2/3, 1/6, 1/6)
    g = Game.from_values(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1], exact=True)
    assert list(shapley(g)) == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]


def test_replication_example_nguyen_app_d():
    # Nguyen et al. (2022) App. D: φ_1 = φ_2 = 1/2; after 1 replicates, φ = 1/3 each, so 1 and 1+
    # together get 2/3 > 1/2. Symmetry of 1, 1+ and 2 in v+ needs v({1}) = v({1,2}): the example's
    # parties are interchangeable (v = 1 on every non-empty coalition).
    g = Game.from_values(["1", "2"], [0, 1, 1, 1], exact=True)
    assert list(shapley(g)) == [Fraction(1, 2)] * 2
    v_plus = [0] + [1] * 7                                             # players 1, 1+, 2
    phi = shapley(Game.from_values(["1", "1+", "2"], v_plus, exact=True))
    assert list(phi) == [Fraction(1, 3)] * 3 and phi[0] + phi[1] == Fraction(2, 3)
    # with v({1}) = v({2}) = 1/2 instead, replicating 1 gains nothing: φ = (1/4, 1/4, 1/2)
    half = Fraction(1, 2)
    phi = shapley(Game.from_values(["1", "1+", "2"], [0, half, half, half, half, 1, 1, 1], exact=True))
    assert list(phi) == [Fraction(1, 4), Fraction(1, 4), half]


# ------------------------------------------------------------------ exact arithmetic
@FAST
@given(games(min_n=1, max_n=7))
def test_exact_and_float_agree(g):
    e = g.to_exact()
    phi = shapley(e)
    assert all(isinstance(x, Fraction) for x in phi)
    assert sum(phi) == e.values[-1]                       # efficiency holds exactly
    assert np.allclose([float(x) for x in phi], shapley(g), rtol=0, atol=1e-9)
    assert list(phi) == literal_shapley(list(e.values), g.n)


def test_exact_with_huge_numerators_needs_several_limbs():
    n = 6
    rng = np.random.default_rng(6)
    vals = [Fraction(0)] + [Fraction(int(x) * 2**150 + k, 3**(k % 7) * 7) for k, x in
                            enumerate(rng.integers(-10**6, 10**6, size=2**n - 1), start=1)]
    g = Game.from_values(names(n), vals, exact=True)
    assert list(shapley(g)) == literal_shapley(vals, n)


def test_exact_at_the_exact_limit_is_fast_and_efficient():
    g = random_game(16, seed=16).to_exact()
    phi = shapley(g)
    assert sum(phi) == g.values[-1]


def test_weighted_semivalue_rejects_wrong_length():
    with pytest.raises(InvalidModel, match="need 2 weights"):
        weighted_semivalue(random_game(2, 0), [1.0])


def test_empty_game():
    g = Game.from_values([], [0.0])
    assert shapley(g).shape == (0,) and conditional_shapley(g).shape == (0, 0)


# ------------------------------------------------------------------ conditional Shapley
@FAST
@given(games(min_n=2, max_n=6))
def test_conditional_equals_shapley_of_marginal_game(g):
    m = conditional_shapley(g)
    for i in range(g.n):
        others = [j for j in range(g.n) if j != i]
        assert np.allclose(m[i, others], shapley(g.marginal(i)), rtol=0, atol=1e-9)
        assert m[i, i] == 0


@FAST
@given(games(min_n=2, max_n=6, integers=True))
def test_conditional_decomposition_exact(g):
    # Nguyen et al. (2022) Sec. 3.2 / App. F: n·φ_i = v(i) + Σ_{j≠i} φ_{i|j}
    e = g.to_exact()
    m = conditional_shapley(e)
    phi = shapley(e)
    s = e.singletons()
    for i in range(e.n):
        assert e.n * phi[i] == s[i] + sum(m[j, i] for j in range(e.n) if j != i)
        assert sum(m[i]) == e.values[-1] - s[i]          # efficiency of each marginal game


def test_conditional_at_n12_matches_marginal_games():
    g = random_game(12, seed=12)
    m = conditional_shapley(g)
    for i in (0, 5, 11):
        assert np.abs(np.delete(m[i], i) - shapley(g.marginal(i))).max() <= 1e-9


# ------------------------------------------------------------------ the streaming row kernel
def literal_semivalue(values: list, n: int, p: list) -> list:
    """``ψ_i = Σ_{S ⊆ N∖i} p(|S|) (v(S∪i) − v(S))``, one coalition at a time."""
    return [sum(p[bin(m).count("1")] * (values[m | 1 << i] - values[m]) for m in range(2**n) if not m >> i & 1)
            for i in range(n)]


@pytest.fixture(params=[1, 2, 3])
def small_rows(request, monkeypatch):
    """Rows of 2, 4 or 8 values, so that small games take the many-row path of the kernels."""
    monkeypatch.setattr(kernel, "ROW_BITS", request.param)
    return request.param


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 9])
def test_row_kernel_matches_literal_definition_on_many_rows(n, small_rows):
    g = random_game(n, seed=100 + n)
    vals = [Fraction(float(x)) for x in g.values]
    for kind in ("shapley", "banzhaf", "beta-shapley"):
        p = semivalue_weights(n, kind, alpha=4, beta=1)
        want = np.array([float(x) for x in literal_semivalue(vals, n, [Fraction(x) for x in p])])
        assert np.abs(weighted_semivalue(g, p) - want).max() <= 1e-12


def test_row_kernel_takes_rows_in_any_order_from_a_reused_buffer():
    n = 9
    g = random_game(n, seed=9)
    k = SemivalueKernel(n, shapley_weights(n))
    high, low = row_split(n)
    table = g.values.reshape(2**high, 2**low)
    buf = np.empty(2**low)
    for r in np.random.default_rng(0).permutation(2**high) if high else [0]:
        buf[:] = table[r]
        k.add(int(r), buf)
        buf[:] = np.nan                   # the kernel must not keep the buffer
    assert np.abs(k.values() - shapley(g)).max() <= 1e-12


def test_row_kernel_agrees_with_the_graded_sums_at_n16():
    g = random_game(16, seed=16)
    p, q = graded_sums(g)
    w = np.array(shapley_weights(16))
    from_graded = p @ (np.r_[0.0, w] + np.r_[w, 0.0]) - q @ np.r_[w, 0.0]
    assert row_split(16)[0] >= 1 and np.abs(shapley(g) - from_graded).max() <= 1e-12


@pytest.mark.parametrize("n", [2, 3, 4, 6, 8])
def test_conditional_kernel_matches_literal_marginal_games_on_many_rows(n, small_rows):
    g = random_game(n, seed=200 + n)
    for kind in ("shapley", "banzhaf"):
        q = semivalue_weights(n - 1, kind)
        m = conditional_semivalue(g, q)
        qf = [Fraction(x) for x in q]
        for i in range(n):
            marginal = [Fraction(float(x)) for x in g.marginal(i).values]
            want = [float(x) for x in literal_semivalue(marginal, n - 1, qf)]
            assert np.abs(np.delete(m[i], i) - want).max() <= 1e-12
            assert m[i, i] == 0


@FAST
@given(games(min_n=2, max_n=6, integers=True))
def test_conditional_kernel_float_equals_exact(g):
    e = g.to_exact()
    exact = conditional_shapley(e)
    assert exact.dtype == object and all(isinstance(x, Fraction) for x in exact.ravel())
    assert np.abs(conditional_shapley(g) - exact.astype(np.float64)).max() <= 1e-12


def test_conditional_semivalue_rejects_wrong_length():
    with pytest.raises(InvalidModel, match="weights"):
        conditional_semivalue(random_game(3, 0), [0.5, 0.5, 0.5])


# ------------------------------------------------------------------ Monte Carlo
Z = 5.0   # |estimate − φ| ≤ 5·SE per player: normal tail 5.7e-7, so a failure is a bug, not bad luck


@settings(max_examples=30, deadline=None, derandomize=True)
@given(games(min_n=2, max_n=8), st.integers(0, 2**32 - 1), st.sampled_from([True, False, "auto"]))
def test_monte_carlo_within_reported_error(g, seed, antithetic):
    est = monte_carlo_shapley(g, max_permutations=2000, seed=seed, antithetic=antithetic)
    exact = shapley(g)
    assert np.all(np.abs(est.values - exact) <= Z * est.std_error + 1e-9)
    probe = est.value_calls - 2 - 2000 * (g.n - 1)    # self-duality probe of "auto": ≤ 3 calls
    assert est.permutations == 2000 and (0 <= probe <= 3 if antithetic == "auto" else probe == 0)


def test_monte_carlo_stopping_rule():
    g = random_game(10, seed=10)
    est = monte_carlo_shapley(g, max_permutations=10**6, target_std_error=0.05, seed=1)
    assert est.converged and est.std_error.max() <= 0.05 and est.permutations < 10**6
    assert np.all(np.abs(est.values - shapley(g)) <= Z * est.std_error)


def test_monte_carlo_callable_equals_table_path():
    g = random_game(7, seed=7)
    weights = 1 << np.arange(7)

    def f(members: np.ndarray) -> np.ndarray:
        return g.values[members.astype(np.int64) @ weights]

    a = monte_carlo_shapley(g, max_permutations=300, seed=4)
    b = monte_carlo_shapley(f, 7, max_permutations=300, seed=4)
    assert np.allclose(a.values, b.values, atol=1e-12) and a.value_calls == b.value_calls


def test_monte_carlo_large_callable():
    # v(S) = (Σ_{j∈S} w_j)^2: φ_i = w_i·Σ_j w_j exactly (a quadratic game), n = 300
    rng = np.random.default_rng(0)
    w = rng.random(300)
    est = monte_carlo_shapley(lambda m: (m @ w) ** 2, 300, max_permutations=64, seed=0)
    assert np.all(np.abs(est.values - w * w.sum()) <= Z * est.std_error + 1e-9)


def test_monte_carlo_bad_input():
    with pytest.raises(InvalidModel, match="n is required"):
        monte_carlo_shapley(lambda m: m.sum(1))
    with pytest.raises(InvalidModel, match="returned"):
        monte_carlo_shapley(lambda m: np.zeros(1), 3)
    with pytest.raises(InvalidModel, match="max_permutations"):
        monte_carlo_shapley(random_game(2, 0), max_permutations=1)


def test_monte_carlo_auto_drops_pairs_on_self_dual_games():
    # majority game: v(S) + v(N∖S) = 1 (n odd, distinct weights sums ≠ W/2): reversed orders
    # repeat the pivots, so 'auto' must continue with independent permutations (and stay unbiased)
    n = 9
    w = np.arange(1, n + 1)
    sums = np.array([sum(w[k] for k in range(n) if m >> k & 1) for m in range(2**n)])
    g = Game.from_values(names(n), (sums > w.sum() / 2).astype(float))
    assert np.allclose(g.values + g.values[::-1], 1.0)           # self-dual
    auto = monte_carlo_shapley(g, max_permutations=4000, seed=2)
    pairs = monte_carlo_shapley(g, max_permutations=4000, seed=2, antithetic=True)
    assert auto.std_error.mean() < pairs.std_error.mean()
    assert np.all(np.abs(auto.values - shapley(g)) <= Z * auto.std_error + 1e-9)
    with pytest.raises(InvalidModel, match="antithetic"):
        monte_carlo_shapley(g, antithetic="sometimes")


def _majority(n: int) -> Game:
    """Weighted majority with weights 1..n, n odd: exactly self-dual (no coalition has half the weight)."""
    w = np.arange(1, n + 1)
    sums = np.array([sum(w[k] for k in range(n) if m >> k & 1) for m in range(2**n)])
    return Game.from_values(names(n), (sums > w.sum() / 2).astype(float))


def _saturating(n: int, seed: int) -> Game:
    """'Accuracy' game v(S) = 1 − exp(−Σ_{i∈S} a_i): submodular, reversed orders are antithetic."""
    a = np.random.default_rng(seed).exponential(0.25, size=n)
    sums = np.array([sum(a[k] for k in range(n) if m >> k & 1) for m in range(2**n)])
    return Game.from_values(names(n), 1.0 - np.exp(-sums))


def test_monte_carlo_self_dual_probe_costs_only_its_calls():
    # self-dual game: the probe (3 complements of prefixes of the first permutation) sees
    # v(S) + v(N∖S) = v(∅) + v(N) and no antithetic pair is drawn; the budget in value calls
    # (shapiq's accounting: v(∅), v(N), then n − 1 per permutation) is respected
    g = _majority(9)
    est = monte_carlo_shapley(g, max_value_calls=1000, max_permutations=10**6, seed=3)
    assert est.antithetic_pairs == 0 and est.value_calls <= 1000
    assert est.permutations == (1000 - 2 - 3) // 8 and est.value_calls == 2 + 3 + est.permutations * 8
    assert np.all(np.abs(est.values - shapley(g)) <= Z * est.std_error + 1e-9)
    # a self-dual game's reversed orders repeat every marginal contribution exactly
    pairs = monte_carlo_shapley(g, max_permutations=64, antithetic=True, seed=3)
    single = monte_carlo_shapley(g, max_permutations=32, antithetic=False, seed=3)
    assert np.allclose(pairs.values, single.values) and pairs.antithetic_pairs == 32


def test_monte_carlo_auto_keeps_pairs_on_saturating_games():
    # submodular game: the probe fails after one call, the pilot pairs are negatively correlated
    # and kept; at equal value calls the reported error is well below plain sampling's
    g = _saturating(10, seed=5)
    auto = monte_carlo_shapley(g, max_value_calls=20_000, max_permutations=10**6, seed=1)
    plain = monte_carlo_shapley(g, max_value_calls=20_000, max_permutations=10**6, seed=1,
                                antithetic=False)
    assert auto.value_calls <= 20_000 and plain.value_calls <= 20_000
    assert auto.permutations - 2 * auto.antithetic_pairs <= 1                   # odd budget: 1 single
    assert auto.std_error.mean() < 0.7 * plain.std_error.mean()
    exact = shapley(g)
    assert np.all(np.abs(auto.values - exact) <= Z * auto.std_error + 1e-12)


def test_monte_carlo_auto_is_unbiased_when_the_decision_depends_on_the_data():
    # a majority game broken on a few coalitions: the probe passes or fails depending on the first
    # permutation, whose marginals stay in the estimate. The number of permutations is fixed in
    # advance and every permutation is drawn before its data is seen, so E[estimate] = φ:
    # the mean of 600 independent 12-permutation runs lies within 5 standard errors of φ
    n = 7
    v = _majority(n).values.copy()
    rng = np.random.default_rng(0)
    broken = rng.choice(np.arange(1, 2**n - 1), size=12, replace=False)
    v[broken] += rng.normal(0, 0.5, size=12)
    g = Game.from_values(names(n), v)
    runs = [monte_carlo_shapley(g, max_permutations=12, seed=s) for s in range(600)]
    est = np.array([r.values for r in runs])
    assert 0 < sum(r.antithetic_pairs == 0 for r in runs) < 600          # both branches taken
    assert all(r.permutations == 12 for r in runs)
    se = est.std(axis=0, ddof=1) / np.sqrt(len(runs))
    assert np.all(np.abs(est.mean(axis=0) - shapley(g)) <= Z * se)


def test_monte_carlo_odd_budget_with_pairs_and_budget_errors():
    g = _saturating(6, seed=2)
    est = monte_carlo_shapley(g, max_permutations=101, antithetic=True, seed=0)
    assert est.permutations == 101 and est.antithetic_pairs == 50            # one single at the end
    assert est.value_calls == 2 + 101 * 5
    assert np.all(np.abs(est.values - shapley(g)) <= Z * est.std_error + 1e-12)
    with pytest.raises(InvalidModel, match="max_value_calls must be at least 15"):
        monte_carlo_shapley(g, max_value_calls=14)                           # 2 + 3 + 2·5
    assert monte_carlo_shapley(g, max_value_calls=12, antithetic=False).permutations == 2
