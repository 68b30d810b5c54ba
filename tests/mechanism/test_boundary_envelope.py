"""The O(K log K) extreme row (:class:`EnvelopeRow`) behind single-α boundaries beyond 10^6 (Chen et al.
2020, Sec. 6.2, Fig. 3), on both grids (types from 0, lo = 0; types from ε, lo = 1): its three lemmas
checked numerically, and bitwise equality with the quadratic row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel, Unsupported
from mechsolve.mechanism.boundary import EnvelopeRow, GrowthRow, growth_boundary

ALPHAS = [-0.999, -0.99, -0.9, -0.8, -0.7, -0.67, -2 / 3, -0.665, -0.663, -0.6615, -0.6, -0.5, -0.2, -0.01]
K = 5000


@pytest.fixture(scope="module")
def rows():
    """Quadratic rows p^max(lo + k, lo), k = 0..K − lo (the reference, Algorithm 1 bit for bit)."""
    return {(a, lo): GrowthRow(a, lo, lo).extend(K) for a in ALPHAS for lo in (0, 1)}


@pytest.mark.parametrize("lo", [0, 1])
@pytest.mark.parametrize("alpha", ALPHAS)
def test_envelope_row_is_bitwise_the_quadratic_row(rows, alpha, lo):
    env = EnvelopeRow(alpha, lo)
    assert env.extend(K).tobytes() == rows[alpha, lo].tobytes()
    # pruning happened: far fewer evaluations than the K²/2 of the quadratic scan
    assert env.stats["lower"] + env.stats["upper_exact"] + env.stats["near"] < K ** 2 / 8


@settings(max_examples=25, deadline=None)
@given(alpha=st.floats(-0.995, -0.005), lo=st.sampled_from([0, 1]), k=st.integers(65, 3000))
def test_envelope_row_bitwise_on_random_grids(alpha, lo, k):
    assert EnvelopeRow(alpha, lo).extend(k).tobytes() == GrowthRow(alpha, lo, lo).extend(k).tobytes()


@pytest.mark.slow
@pytest.mark.parametrize("lo", [0, 1])
@pytest.mark.parametrize("alpha", [-0.9, -0.664, -0.3])
def test_envelope_row_bitwise_at_20000(alpha, lo):
    assert EnvelopeRow(alpha, lo).extend(20_000).tobytes() == GrowthRow(alpha, lo, lo).extend(20_000).tobytes()


@pytest.mark.parametrize("lo", [0, 1])
def test_envelope_row_extends_incrementally(rows, lo):
    env = EnvelopeRow(-0.7, lo)
    env.extend(100)
    env.extend(1234)
    assert env.extend(K).tobytes() == rows[-0.7, lo].tobytes()
    assert EnvelopeRow(-0.7, lo).extend(30).tobytes() == rows[-0.7, lo][:31 - lo].tobytes()


class _NoLowerOneBatch(EnvelopeRow):
    """No lower region, one chunk, one batch: every candidate goes through Lemma 2 or Lemma 3 and the
    speculation of Lemma 3 must fail (rows far from the batch start have their minimiser inside it)."""

    BATCH = 10 ** 9

    def _cap(self, k):
        return np.full(np.shape(k), -1, dtype=np.int64)

    def _chunk_end(self, k, n):
        return n - 1


@pytest.mark.parametrize("lo", [0, 1])
@pytest.mark.parametrize("alpha", [-0.9, -0.665, -0.2])
def test_lemmas_2_and_3_alone_are_exact(rows, alpha, lo):
    env = _NoLowerOneBatch(alpha, lo)
    assert env.extend(1500).tobytes() == rows[alpha, lo][:1501 - lo].tobytes()
    assert env.stats["fallback"] == 1 and env.stats["lower"] == 0


def candidates(p, alpha, lo, k):
    """c_k(j) = P[j] + (V_k − (k + lo)(k + 3lo + j)^α), j = 0..k − 1 − lo (own-model reports)."""
    j = np.arange(k - lo, dtype=float)
    t = k + 2 * lo
    return p[:k - lo] + ((2.0 * t) ** alpha * t - (k + lo) * (k + 3 * lo + j) ** alpha)


@pytest.mark.parametrize("lo", [0, 1])
@pytest.mark.parametrize("alpha", [-0.9, -0.8, -0.663, -0.2])
def test_lemma1_largest_minimiser_of_lower_region_is_monotone(rows, alpha, lo):
    """Lemma 1: over j ≤ |α|(k + lo) − 2lo the largest minimiser of c_k(j) never decreases with k."""
    p = rows[alpha, lo]
    prev = -1
    for k in range(6, 2001):
        hi = min(int(np.floor(-alpha * (k + lo) - 2 * lo - 1e-9)), k - 1 - lo)
        if hi < 0:
            continue
        c = candidates(p, alpha, lo, k)[: hi + 1]
        j = hi - int(np.argmin(c[::-1]))
        assert j >= prev, (k, j, prev)
        prev = j


@settings(max_examples=60, deadline=None)
@given(alpha=st.floats(-0.99, -0.01), lo=st.sampled_from([0, 1]), k0=st.integers(4, 10_000),
       u=st.floats(0, 1), v=st.floats(0, 1))
def test_lemma1_dominance_persists(alpha, lo, k0, u, v):
    """φ_{j2} − φ_{j1} = (k + lo)[(k + 3lo + j2)^α − (k + 3lo + j1)^α] is non-decreasing in k ≥ k0 when
    j1 < j2 ≤ |α|(k0 + lo) − 2lo."""
    top = -alpha * (k0 + lo) - 2 * lo
    if top <= 0:
        return
    j1, j2 = sorted((u * top, v * top))
    k = k0 * np.linspace(1, 50, 400)
    d = (k + lo) * ((k + 3 * lo + j2) ** alpha - (k + 3 * lo + j1) ** alpha)
    assert (np.diff(d) >= -1e-12 * np.maximum(1, np.abs(d[1:]))).all()


@settings(max_examples=40, deadline=None)
@given(alpha=st.floats(-0.99, -0.01), lo=st.sampled_from([0, 1]), seed=st.integers(0, 2 ** 32 - 1),
       rough=st.floats(0, 3))
def test_lemma2_block_bound_holds_for_any_p(alpha, lo, seed, rough):
    """Lemma 2 assumes nothing about P: for arbitrary sequences (smooth, rough, increasing) the bound
    c_k(e) − (e − u)·max(0, |α|A x_u^(α−1) − min Δ) never exceeds the minimum over [u, e]."""
    rng = np.random.default_rng(seed)
    n = 400
    p = np.cumsum(rng.normal(-0.05, 0.05 * rough + 1e-3, n))
    for _ in range(50):
        k = int(rng.integers(10, n))
        u = int(rng.integers(0, k - lo))
        e = int(rng.integers(u, k - lo))
        c = candidates(p, alpha, lo, k)
        dmin = np.min(p[u:e] - p[u + 1:e + 1]) if e > u else 0.0
        slope = max(0.0, -alpha * (k + lo) * (k + 3 * lo + u) ** (alpha - 1) - dmin)
        assert c[e] - (e - u) * slope <= c[u:e + 1].min() + 1e-12 * (1 + np.abs(c[u:e + 1]).max())


@pytest.mark.parametrize("alpha", [-0.9, -0.663, -0.5])
def test_zero_grid_step_bound(rows, alpha):
    """For lo = 0 the report t − 1 gives p(t) ≤ p(t − 1) + δ(t), δ(t) = V(t) − t(2t − 1)^α < 0 (why the
    measured decrements of Lemma 2 are positive there); for lo = 1 the decrements are measured only."""
    p = rows[alpha, 0]
    t = np.arange(1, len(p), dtype=float)
    delta = (2 * t) ** alpha * t - t * (2 * t - 1) ** alpha
    assert (delta < 0).all()
    assert (np.diff(p) <= delta + 1e-13 * (1 + np.abs(p[1:]))).all()


@pytest.mark.parametrize("include_zero,alpha,expected", [
    (True, -0.8, 3), (True, -0.7, 38), (True, -0.68, 215), (True, -0.668, 2974), (True, -0.665, 13727),
    (False, -0.9, 15), (False, -0.8, 59), (False, -0.7, 1223), (False, -0.69, 2577), (False, -0.68, 7661)])
def test_envelope_and_quadratic_search_agree(include_zero, alpha, expected):
    """Same boundary, first failing profile and revenue (bitwise) either way; README's values."""
    lo = 0 if include_zero else 1
    e = growth_boundary(alpha, include_zero=include_zero, k_max=20_000, verify_limit=0, method="envelope")
    q = growth_boundary(alpha, include_zero=include_zero, k_max=20_000, verify_limit=0, method="quadratic")
    assert (e.boundary, e.first_profile, e.revenue) == (q.boundary, q.first_profile, q.revenue)
    assert e.boundary == expected and e.first_profile == (lo, expected + 1) and e.revenue < 0


@pytest.mark.slow
def test_types_from_eps_reach_past_the_papers_range():
    """α = −0.668 on the ε grid (D/ε = 111,523, measured in issue 14 with the quadratic row in 8.3 s)."""
    r = growth_boundary(-0.668, include_zero=False, k_max=200_000, verify_limit=0)
    assert r.boundary == 111_523 and r.first_profile == (1, 111_524)


def test_method_is_validated():
    with pytest.raises(Unsupported):
        growth_boundary(-1.0, method="envelope")
    with pytest.raises(Unsupported):
        growth_boundary(0.3, include_zero=False, method="envelope")
    with pytest.raises(InvalidModel):
        growth_boundary(-0.8, method="fastest")
    with pytest.raises(InvalidModel):
        EnvelopeRow(0.2)
    with pytest.raises(InvalidModel):
        EnvelopeRow(-0.5, lo=2)
    # auto falls back to the quadratic row where the envelope does not apply
    assert growth_boundary(-1.0, include_zero=False, k_max=100).boundary == \
        growth_boundary(-1.0, include_zero=False, k_max=100, method="quadratic").boundary
