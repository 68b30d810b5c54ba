"""The O(K log K) extreme row (:class:`EnvelopeRow`) behind single-α boundaries beyond 10^6 (Chen et al.
2020, Sec. 6.2, Fig. 3): its two lemmas checked numerically, and bitwise equality with the quadratic row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel, Unsupported
from mechsolve.mechanism.boundary import EnvelopeRow, GrowthRow, growth_boundary

ALPHAS = [-0.99, -0.9, -0.8, -0.7, -0.668, -0.663, -0.6615, -0.5, -0.2]


@pytest.fixture(scope="module")
def rows():
    """Quadratic rows p^max(a, 0), a = 0..5000 (the reference, Algorithm 1 bit for bit)."""
    return {a: GrowthRow(a, 0, 0).extend(5000) for a in ALPHAS}


@pytest.mark.parametrize("alpha", ALPHAS)
def test_envelope_row_is_bitwise_the_quadratic_row(rows, alpha):
    env = EnvelopeRow(alpha)
    assert env.extend(5000).tobytes() == rows[alpha].tobytes()
    # pruning happened: far fewer evaluations than the K²/2 of the quadratic scan
    assert env.stats["lower"] + env.stats["upper_exact"] < 5000 ** 2 / 8


def test_envelope_row_extends_incrementally(rows):
    env = EnvelopeRow(-0.7)
    env.extend(100)
    env.extend(1234)
    assert env.extend(5000).tobytes() == rows[-0.7].tobytes()
    assert EnvelopeRow(-0.7).extend(30).tobytes() == rows[-0.7][:31].tobytes()


def candidates(p, alpha, a):
    """c_a(s) = p(s) + (V(a) − a(a + s)^α), s = 0..a−1 (the own-model candidates of row b = 0)."""
    s = np.arange(a, dtype=float)
    return p[:a] + ((2.0 * a) ** alpha * a - a * (a + s) ** alpha)


@pytest.mark.parametrize("alpha", [-0.9, -0.8, -0.663, -0.2])
def test_lemma1_largest_minimiser_of_lower_region_is_monotone(rows, alpha):
    """Lemma 1: over s ≤ |α|a the largest minimiser of c_a(s) never decreases with a."""
    p = rows[alpha]
    prev = -1
    for a in range(4, 2001):
        hi = min(int(np.floor(-alpha * a - 1e-9)), a - 1)
        c = candidates(p, alpha, a)[: hi + 1]
        j = hi - int(np.argmin(c[::-1]))
        assert j >= prev, (a, j, prev)
        prev = j


@settings(max_examples=60, deadline=None)
@given(alpha=st.floats(-0.99, -0.01), a0=st.integers(2, 10_000), u=st.floats(0, 1), v=st.floats(0, 1))
def test_lemma1_dominance_persists(alpha, a0, u, v):
    """φ_{s2}(a) − φ_{s1}(a) = a[(a + s2)^α − (a + s1)^α] is non-decreasing in a ≥ a0 when s1 < s2 ≤ |α|a0."""
    s1, s2 = sorted((u * -alpha * a0, v * -alpha * a0))
    a = a0 * np.linspace(1, 50, 400)
    d = a * ((a + s2) ** alpha - (a + s1) ** alpha)
    assert (np.diff(d) >= -1e-12 * np.maximum(1, np.abs(d[1:]))).all()


@pytest.mark.parametrize("alpha", [-0.9, -0.663, -0.5])
def test_lemma2_step_bound_and_block_bound(rows, alpha):
    """Lemma 2: p(t) ≤ p(t − 1) + δ(t), and c_a(e) − (e − u)·slope ≤ min over the block [u, e]."""
    p = rows[alpha]
    t = np.arange(1, len(p), dtype=float)
    delta = (2 * t) ** alpha * t - t * (2 * t - 1) ** alpha
    assert (delta < 0).all()
    assert (np.diff(p) <= delta + 1e-13 * (1 + np.abs(p[1:]))).all()
    dmin = np.concatenate([[0.0], np.minimum.accumulate(-delta)])
    rng = np.random.default_rng(5)
    for _ in range(400):
        a = int(rng.integers(10, 5001))
        u = int(rng.integers(0, a - 1))
        e = int(rng.integers(u, a))
        c = candidates(p, alpha, a)
        slope = max(0.0, -alpha * a * (a + u) ** (alpha - 1) - dmin[e])
        assert c[e] - (e - u) * slope <= c[u:e + 1].min() + 1e-12 * (1 + abs(c[e]))


@pytest.mark.parametrize("alpha,expected", [(-0.8, 3), (-0.7, 38), (-0.68, 215), (-0.668, 2974), (-0.665, 13727)])
def test_envelope_and_quadratic_search_agree(alpha, expected):
    """Same boundary, first failing profile and revenue (bitwise) either way; README's values."""
    e = growth_boundary(alpha, k_max=20_000, verify_limit=0, method="envelope")
    q = growth_boundary(alpha, k_max=20_000, verify_limit=0, method="quadratic")
    assert (e.boundary, e.first_profile, e.revenue) == (q.boundary, q.first_profile, q.revenue)
    assert e.boundary == expected and e.first_profile == (0, expected + 1) and e.revenue < 0


def test_method_is_validated():
    with pytest.raises(Unsupported):
        growth_boundary(-0.8, include_zero=False, method="envelope")
    with pytest.raises(Unsupported):
        growth_boundary(-1.0, method="envelope")
    with pytest.raises(InvalidModel):
        growth_boundary(-0.8, method="fastest")
    with pytest.raises(InvalidModel):
        EnvelopeRow(0.2)
    # auto falls back to the quadratic row where the envelope does not apply
    assert growth_boundary(-0.9, include_zero=False, k_max=100).boundary == 15
