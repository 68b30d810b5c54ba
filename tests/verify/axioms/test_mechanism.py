"""Closed forms and theorems of Chen et al. (2020): Example 1 / Sec. 3 efficient allocation,
MEP (Def. 9), Theorem 1, Corollary 1, Theorem 4 — recomputed from the valuations."""

from __future__ import annotations

import numpy as np
import pytest

from mechsolve.verify.axioms.base import MechanismContext
from mechsolve.verify.check import evaluate_mechanism
from mechsolve.mechanism import build_instance, max_payments_fast, mep
from mechsolve.model.schema import parse_model


def linear(matrix, **kw):
    base = {"kind": "mechanism-design", "agents": len(matrix), "types": {"step": 0.5, "max": 1},
            "quality": "(1 - exp(-t))/(1 + exp(-t))", "valuation": {"family": "linear", "matrix": matrix},
            "payment": "mep"}
    base.update(kw)
    return parse_model(base)


M3 = [[1.0, -0.4, -0.3], [-0.5, 0.8, 0.2], [0.1, -0.9, 0.6]]


def test_example1_efficient_allocation_closed_form():
    """Sec. 3: agent i gets the best model iff Σ_j α_ji ≥ 0 (here: columns 0.6, −0.5, 0.5)."""
    inst = build_instance(linear(M3))
    t = inst.profiles
    best = (1 - np.exp(-t.sum(-1))) / (1 + np.exp(-t.sum(-1)))
    assert np.allclose(inst.X[..., 0], best) and np.allclose(inst.X[..., 2], best)
    assert (inst.X[..., 1] == 0).all()
    # the closed form is the welfare maximum over a finer allocation space (5 levels per agent)
    fine = build_instance(linear(M3, allocation={"rule": "efficient", "levels": 5}))
    _, w = fine.allocation.search(t, np.ones(t.shape, bool))
    assert np.allclose(inst.allocation.welfare(inst.X, t, np.ones(t.shape, bool)), w)


def test_mep_closed_form_linear():
    """Def. 9 with v_i = Σ_j α_ij q_j: p_i = Σ_j α_ij (q_j(t) − q_j(∅, t_−i))."""
    inst = build_instance(linear(M3))
    A = np.array(M3)
    p = mep(inst)
    t = inst.profiles
    own = inst.own
    for i in range(3):
        part = np.ones(t.shape, bool)
        part[..., i] = False
        q_out = np.maximum(inst.allocation(t, part), own)
        expect = ((inst.q - q_out) * A[i]).sum(-1)
        assert np.allclose(p[i], expect, atol=1e-12)


def test_theorem1_holds_on_linear_with_positive_diagonal():
    inst = build_instance(linear(M3))
    v = evaluate_mechanism("chen-theorem-1", MechanismContext(inst, mep(inst)))
    assert v.status == "holds"
    assert np.allclose(max_payments_fast(inst), mep(inst), atol=1e-12)  # p^max = MEP (Thm 1 + Thm 5)


def test_theorem1_quasi_monotone_family():
    m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"values": [0, 0.5, 2]},
                     "valuation": {"family": "quasi-monotone", "F": "3*q_i**0.5", "theta": "-q_others"},
                     "payment": "mep"})
    inst = build_instance(m)
    assert evaluate_mechanism("chen-theorem-1", MechanismContext(inst, mep(inst))).status == "holds"


def test_theorem1_not_applicable_outside_its_premise():
    m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
                     "valuation": {"family": "market-growth", "alpha": -0.7}})
    inst = build_instance(m)
    v = evaluate_mechanism("chen-theorem-1", MechanismContext(inst, mep(inst)))
    assert v.status == "not-applicable" and "quasi-monotone" in v.reason
    neg = build_instance(linear([[-1.0, 0.2], [0.1, 1.0]]))
    v2 = evaluate_mechanism("chen-theorem-1", MechanismContext(neg, mep(neg)))
    assert v2.status == "not-applicable" and "α_ii" in v2.reason


def test_corollary1_and_theorem4_on_cooperative_market_exact():
    m = linear([[1, 0.25], [0.5, 0.75]], quality="t", types={"step": 1, "max": 3}, exact=True)
    inst = build_instance(m)
    ctx = MechanismContext(inst, mep(inst))
    for name in ("chen-corollary-1", "chen-theorem-4", "mechanism-ic", "mechanism-ir", "weak-budget-balance"):
        assert evaluate_mechanism(name, ctx).status == "holds", name


def test_corollary1_not_applicable_with_competition():
    inst = build_instance(linear(M3))
    v = evaluate_mechanism("chen-corollary-1", MechanismContext(inst, mep(inst)))
    assert v.status == "not-applicable" and "α_12 = -0.4" in v.reason


def test_theorem4_growth_alpha_nonnegative_holds_and_negative_is_na():
    for alpha, status in ((0.5, "holds"), (-0.5, "not-applicable")):
        m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 4},
                         "valuation": {"family": "market-growth", "alpha": alpha}})
        inst = build_instance(m)
        assert evaluate_mechanism("chen-theorem-4", MechanismContext(inst, inst.V * 0)).status == status


def test_violation_names_agent_profile_misreport_and_utilities():
    """No payments in a competitive growing market: joining hurts the big agent (IR fails)."""
    m = parse_model({"kind": "mechanism-design", "agents": ["small", "big"], "types": {"step": 1, "max": 4},
                     "valuation": {"family": "market-growth", "alpha": -0.7}, "payment": "zero"})
    inst = build_instance(m)
    v = evaluate_mechanism("mechanism-ir", MechanismContext(inst, inst.V * 0))
    assert v.status == "violated"
    w = v.counterexample["witness"]
    assert set(w) >= {"agent", "true profile", "misreport"}
    # recompute: utility of joining < utility of staying out at the witness
    i = inst.grids.names.index(w["agent"])
    idx = tuple(int(np.searchsorted(inst.grids.grids[j], w["true profile"][a])) for j, a in
                enumerate(inst.grids.names))
    assert inst.V[(i,) + idx] == v.counterexample["got"] < v.counterexample["expected"] == inst.Vout[(i,) + idx]


def test_registry_adapter_agrees_with_vectorised_evaluator():
    from mechsolve.verify.axioms import AXIOMS
    from mechsolve.verify.check import evaluate

    m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
                     "valuation": {"family": "market-growth", "alpha": -0.9}})
    inst = build_instance(m)
    ctx = MechanismContext(inst, max_payments_fast(inst))
    for name in ("mechanism-ic", "mechanism-ir", "weak-budget-balance"):
        a, b = evaluate(AXIOMS[name], ctx), evaluate_mechanism(name, ctx)
        assert (a.status, a.checked) == (b.status, b.checked)
        assert a.worst_margin == pytest.approx(b.worst_margin)
