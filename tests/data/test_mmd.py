"""MMD data valuation (Tay et al. 2022, Sec. 3, 5): block sums vs the literal O(t²) formula, kernel selection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel, Unsupported
from mechsolve.data.mmd import MMDData, block_sums, coalition_values, direct_mmd2, direct_value, kernel_matrix, plan_kernel, select_lengthscale, union_value


def make_data(seed: int, n: int = 3, m: int = 12, g: int = 15, d: int = 2) -> MMDData:
    rng = np.random.default_rng(seed)
    parties = tuple(rng.normal(k, 1.0, size=(m + k, d)) for k in range(n))
    return MMDData(tuple(f"p{k}" for k in range(n)), parties, rng.normal(1.0, 2.0, size=(g, d)) if g else None)


def union(data: MMDData, mask: int) -> np.ndarray:
    return np.concatenate([x for k, x in enumerate(data.parties) if mask >> k & 1], axis=0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 4), g=st.integers(0, 10), d=st.integers(1, 3),
       ell=st.floats(0.2, 5.0), estimator=st.sampled_from(["biased", "unbiased"]))
def test_all_coalitions_match_the_direct_formula(seed: int, n: int, g: int, d: int, ell: float,
                                                 estimator: str) -> None:
    # eq. (2) over every coalition from block sums == the Frobenius form on the full kernel matrix
    data = make_data(seed, n=n, m=4, g=g, d=d)
    v = coalition_values(block_sums(data, ell), estimator=estimator)
    T = data.points
    assert v[0] == 0.0
    for mask in range(1, 2**n):
        assert v[mask] == pytest.approx(direct_value(union(data, mask), T, ell, estimator=estimator), abs=1e-12)


def test_eq2_is_the_negative_biased_mmd_plus_a_constant() -> None:
    # Tay eq. (2): v(S) = <t^-2 1, K> - MMD_b^2(S, T)
    data = make_data(1)
    T = data.points
    const = kernel_matrix(T, T, 1.3).sum() / len(T) ** 2
    for mask in (1, 2, 5, 7):
        S = union(data, mask)
        assert direct_value(S, T, 1.3) == pytest.approx(const - direct_mmd2(S, T, 1.3), abs=1e-12)


def test_proposition_1_reexpression_has_a_constant_offset() -> None:
    # Prop. 1: v(S) = (s-1)^-1 (σ_S - k*) - MMD_u^2(S, T) + c with c independent of S (k* = 1 for RBF)
    data = make_data(2)
    T = data.points
    offsets = []
    for mask in range(1, 8):
        S = union(data, mask)
        s = len(S)
        sigma = kernel_matrix(S, S, 0.9).sum() / s**2
        offsets.append(direct_value(S, T, 0.9) - ((sigma - 1.0) / (s - 1) - direct_mmd2(S, T, 0.9,
                                                                                       estimator="unbiased")))
    assert np.ptp(offsets) < 1e-12


def test_union_with_reference_is_the_value_of_D_i_and_G() -> None:
    data = make_data(3)
    bs = block_sums(data, 0.7)
    for i in range(data.n):
        S = np.concatenate([data.parties[i], data.G])
        assert union_value(bs, [i, data.n]) == pytest.approx(direct_value(S, data.points, 0.7), abs=1e-12)
    assert coalition_values(bs, groups=range(data.n + 1))[0b1001] == pytest.approx(union_value(bs, [0, 3]))


def test_memory_is_predicted_and_chunking_does_not_change_the_sums() -> None:
    data = make_data(4, m=30, g=40)
    t = data.t
    whole = block_sums(data, 1.1)
    assert not whole.plan.chunked
    assert whole.plan.full_bytes == 3 * 8 * t * t
    small = block_sums(data, 1.1, max_bytes=3 * 8 * t * 7)   # 7 rows per chunk
    assert small.plan.chunked and small.plan.chunk_rows == 7 and small.plan.n_chunks == -(-t // 7)
    np.testing.assert_allclose(small.blocks, whole.blocks, rtol=1e-13, atol=1e-12)
    with pytest.raises(Unsupported, match="max_kernel_bytes"):
        plan_kernel(10, 10_000, max_bytes=1000)


def test_unbiased_estimator_refuses_single_point_coalitions() -> None:
    data = MMDData(("a", "b"), (np.zeros((1, 2)), np.ones((3, 2))))
    with pytest.raises(Unsupported, match="at least 2 points"):
        coalition_values(block_sums(data, 1.0), estimator="unbiased")


def test_bad_data_is_an_invalid_model_naming_the_field() -> None:
    with pytest.raises(InvalidModel, match="non-finite") as e:
        MMDData(("a",), (np.array([[0.0, np.nan]]),))
    assert "parties['a']" in str(e.value)
    with pytest.raises(InvalidModel, match="columns"):
        MMDData(("a", "b"), (np.zeros((2, 2)), np.zeros((2, 3))))
    with pytest.raises(InvalidModel, match="length-scale"):
        kernel_matrix(np.zeros((1, 1)), np.zeros((1, 1)), -1.0)


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
def test_bisection_meets_its_condition(estimator: str) -> None:
    # Sec. 5: the smallest length-scale with every v(D_i) >= 0; the bracket's lower end fails it
    data = make_data(5, n=4, m=25, g=60)
    r = select_lengthscale(data, estimator=estimator, rtol=1e-4)
    lo, hi = r.interval
    assert r.condition_holds and hi == r.lengthscale and hi / lo - 1 <= 1e-4
    single = [1 << k for k in range(data.n)]
    at_hi = coalition_values(block_sums(data, hi), estimator=estimator)[single]
    at_lo = coalition_values(block_sums(data, lo), estimator=estimator)[single]
    assert np.all(at_hi >= 0) and np.any(at_lo < 0)
    np.testing.assert_allclose(at_hi, r.singleton_values, atol=1e-12)
    assert r.initial_interval[0] <= lo < hi <= r.initial_interval[1]
    # chunked evaluation finds the same length-scale
    r2 = select_lengthscale(data, estimator=estimator, rtol=1e-4, max_bytes=3 * 8 * data.t * 9)
    assert r2.plan is not None and r2.plan.chunked
    assert r2.lengthscale == pytest.approx(r.lengthscale, rel=1e-12)


def test_bisection_limits_agree_with_the_paper() -> None:
    # ℓ → 0: v(S) → 2/t − 1/s (< 0 when s < t/2);  ℓ → ∞: v(S) → 1
    data = make_data(6)
    t = data.t
    v_small = coalition_values(block_sums(data, 1e-6))
    v_large = coalition_values(block_sums(data, 1e6))
    s = np.array([len(union(data, m)) for m in range(1, 8)])
    np.testing.assert_allclose(v_small[1:], 2 / t - 1 / s, atol=1e-12)
    np.testing.assert_allclose(v_large[1:], 1.0, atol=1e-9)
