"""Valuations and model quality of Chen et al. (2020), Def. 2 and Sec. 6: the numpy-compiled float path
agrees with exact rational arithmetic, per-agent and column evaluation equal the full evaluation bit for
bit, and the efficient-allocation search equals a literal search over stacked allocations."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from mechsolve.errors import InvalidModel
from mechsolve.mechanism.allocation import AllocationRule
from mechsolve.mechanism.instance import build_instance
from mechsolve.mechanism.max_payment import max_payments
from mechsolve.mechanism.valuations import Quality, Valuation
from mechsolve.model import parse_model

FORMULAS = ["q_i / (1 + (q_1 + q_2 + q_3 - q_i)/2)", "q_i*(1 - (q_1 + q_2 + q_3 - q_i)/4) + t_i/8",
            "max(q_i - q_1*q_2, q_3/2) + min(q_1, q_2)"]


def model(formula: str, top: float = 2, **kw):
    return parse_model({"kind": "mechanism-design", "agents": 3, "types": {"step": 0.5, "max": top},
                        "quality": "t/(1 + t)", "valuation": {"family": "formula", "formula": formula}, **kw})


@pytest.mark.parametrize("formula", [FORMULAS[0], pytest.param(FORMULAS[1], marks=pytest.mark.slow), FORMULAS[2]])
def test_float_and_exact_agree(formula):
    """Same valuations, allocation and Algorithm 1 payments in float64 and in exact rationals."""
    f, e = build_instance(model(formula, 1)), build_instance(model(formula, 1), exact=True)
    assert e.V.dtype == object and isinstance(e.V.flat[0], Fraction)
    assert np.allclose(f.V, e.V.astype(float), rtol=1e-12, atol=1e-12)
    assert np.allclose(f.X, e.X.astype(float), rtol=1e-12, atol=1e-12)
    assert np.allclose(max_payments(f), max_payments(e).astype(float), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("formula", FORMULAS)
def test_value_of_and_columns_equal_values(formula):
    inst = build_instance(model(formula))
    v = inst.valuation
    q, t = inst.q, inst.profiles
    full = v.values(q, t)
    for i in range(3):
        assert v.value_of(i, q, t).tobytes() == np.ascontiguousarray(full[..., i]).tobytes()
    cols = v.column_values([q[..., k] for k in range(3)], t)
    assert all(np.ascontiguousarray(c).tobytes() == np.ascontiguousarray(full[..., k]).tobytes()
               for k, c in enumerate(cols))


def literal_search(rule: AllocationRule, reports: np.ndarray, part: np.ndarray):
    """Every combination of levels, stacked, welfare by :meth:`AllocationRule.welfare` (the definition)."""
    lv = rule.candidates(reports, part)
    best_x = best_w = None
    for combo in itertools.product(range(len(lv)), repeat=reports.shape[-1]):
        x = np.stack([lv[c][..., k] for k, c in enumerate(combo)], axis=-1)
        w = rule.welfare(x, reports, part)
        if best_x is None:
            best_x, best_w = x, w
        else:
            better = w > best_w
            best_x, best_w = np.where(better[..., None], x, best_x), np.where(better, w, best_w)
    return best_x, best_w


@pytest.mark.parametrize("exact,levels,welfare", [(False, 2, "all-agents"), (False, 3, "participants"),
                                                  (False, 4, "all-agents"), (True, 2, "participants")])
@pytest.mark.parametrize("formula", FORMULAS[:2])
def test_search_equals_the_literal_search(formula, levels, welfare, exact):
    if exact and formula != FORMULAS[0]:
        pytest.skip("exact evaluation is per element through sympy: one formula is enough")
    m = model(formula, 1 if exact else 2, allocation={"rule": "efficient", "levels": levels, "welfare": welfare})
    inst = build_instance(m, exact=exact)
    t = inst.profiles
    for off in ((None, 2) if exact else (None, 0, 2)):
        part = np.ones(t.shape, dtype=bool)
        if off is not None:
            part[..., off] = False
        x, w = inst.allocation.search(t, part)
        lx, lw = literal_search(inst.allocation, t, part)
        a = inst.allocation
        v = a.valuation.values(np.where(part, np.maximum(lx, a.quality(t)), 0 * t), t)
        if a.welfare_of == "participants":
            v = np.where(part, v, 0 * v)
        summed = v.sum(axis=-1)  # the welfare as the agent-axis sum it was before
        assert (summed == lw).all() if exact else summed.tobytes() == lw.tobytes()
        if exact:
            assert (x == lx).all() and (w == lw).all()
        else:
            assert x.tobytes() == lx.tobytes() and w.tobytes() == lw.tobytes()


def test_quality_identity_without_sympy():
    assert Quality.parse("t").is_identity and Quality.parse(" t ").is_identity
    assert not Quality.parse("t/(1 + t)").is_identity
    assert Quality.parse("2*t - t").is_identity  # agrees with t on the sample points: sympy decides
    assert not Quality.parse("t + 1e-3*t*(t - 1)").is_identity


def test_quasi_monotone_float_path_and_premise():
    v = Valuation.quasi_monotone(2, ["q_i"] * 2, ["-q_others/2"] * 2)
    q = np.array([[0.5, 0.25], [1.0, 0.0]])
    assert np.allclose(v.values(q, q), [[0.5 - 0.125, 0.25 - 0.25], [1.0, -0.5]])
    Valuation.quasi_monotone(2, ["q_i"] * 2, ["q_1 - q_1 - q_others"] * 2)  # names q_1 but does not depend on it
    with pytest.raises(InvalidModel, match="must not depend"):
        Valuation.quasi_monotone(2, ["q_i"] * 2, ["q_1*q_2"] * 2)


def test_exact_formula_evaluation_never_goes_through_floats():
    """sympy's lambdify prints Rational(1, 2) as ``1/2`` (a Python float): the exact evaluator keeps rationals,
    and a float result is refused instead of rounded to a guessed rational."""
    v = Valuation.from_formulas(3, ["q_i / (1 + (q_1 + q_2 + q_3 - q_i)/3)"] * 3)
    q = np.array([[Fraction(1, 2), Fraction(1, 3), Fraction(1, 7)]], dtype=object)
    got = v.values(q, np.zeros_like(q))
    want = [q[0, i] / (1 + (q[0].sum() - q[0, i]) / 3) for i in range(3)]
    assert all(type(x) is Fraction for x in got[0]) and got[0].tolist() == want


def test_exact_market_growth_refuses_a_huge_exponent_quickly():
    """(Σq)^α in rationals has ~α·log2(denominator) bits: α = 10^308 was a 10 GB hang in the exact twin."""
    import time

    from mechsolve.errors import Unsupported
    from mechsolve.mechanism.valuations import EXACT_EXPONENT_LIMIT

    spec = {"kind": "mechanism-design", "agents": ["a", "b"], "types": {"step": 1, "max": 4}}
    huge = parse_model({**spec, "valuation": {"family": "market-growth", "alpha": 1e308}})
    start = time.perf_counter()
    with pytest.raises(Unsupported, match="valuation.alpha|α"):
        build_instance(huge, exact=True).V
    assert time.perf_counter() - start < 5
    ok = parse_model({**spec, "valuation": {"family": "market-growth", "alpha": EXACT_EXPONENT_LIMIT}})
    e = build_instance(ok, exact=True)
    assert isinstance(e.V.flat[-1], Fraction)
    for formula, params in (("(q_1 + q_2)**a * q_i", {"a": 1e308}), ("q_i**100000", {})):
        m = parse_model({**spec, "valuation": {"family": "formula", "formula": formula}, "parameters": params})
        start = time.perf_counter()
        with pytest.raises(Unsupported, match="exponents up to"):
            build_instance(m, exact=True).V
        assert time.perf_counter() - start < 5

