"""Algorithm 1 (Chen et al. 2020, App. A.1): the DAG fast path equals the literal networkx
Bellman–Ford to the last bit, and the payments are the maximal IC + IR ones (Theorem 5)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.verify.axioms.base import MechanismContext
from mechsolve.verify.check import evaluate_mechanism
from mechsolve.errors import Infeasible, Unsupported
from mechsolve.mechanism import build_instance, max_payments_fast, max_payments_literal, mep
from mechsolve.mechanism.desirability import desirability
from mechsolve.model.schema import parse_model


def model(**kw):
    base = {"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 4},
            "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.7}}
    base.update(kw)
    return parse_model(base)


GRIDS = [
    model(),
    model(parameters={"alpha": -0.95}, types={"step": 1, "max": 7, "include_zero": False}),
    model(parameters={"alpha": 0.3}, types={"step": 0.5, "max": 3}),
    model(agents=3, types={"step": 1, "max": 3}, parameters={"alpha": -0.8}),
    model(valuation={"family": "linear", "random": {"seed": 3}}, agents=3, types={"step": 0.5, "max": 1.5},
          quality="(1 - exp(-t))/(1 + exp(-t))"),
    model(valuation="q_i - 0.3*q_1*q_2 + 0.1*t_i", parameters={}),
    model(valuation={"family": "quasi-monotone", "F": "2*q_i**0.5", "theta": "-0.4*q_others"},
          parameters={}, types={"values": [0, 0.3, 1, 2.5]}),
    model(outside_option="zero-utility"),
    model(allocation={"rule": "efficient", "levels": 3}, valuation="q_i*(q_1 + q_2)**(-0.5)", parameters={},
          types={"step": 1, "max": 4, "include_zero": False}),
]


@pytest.mark.parametrize("m", GRIDS, ids=range(len(GRIDS)))
def test_fast_equals_literal_bellman_ford_bitwise(m):
    inst = build_instance(m)
    fast, lit = max_payments_fast(inst), max_payments_literal(inst)
    assert fast.dtype == lit.dtype == np.float64
    assert fast.tobytes() == lit.tobytes()  # to the last bit, signs of zero included


@pytest.mark.parametrize("m", GRIDS, ids=range(len(GRIDS)))
def test_max_payments_are_ic_and_ir_and_maximal(m):
    inst = build_instance(m)
    p = max_payments_fast(inst)
    ctx = MechanismContext(inst, p, tolerance=1e-12)
    assert evaluate_mechanism("mechanism-ic", ctx).status == "holds"
    assert evaluate_mechanism("mechanism-ir", ctx).status == "holds"
    # maximal: raising any single payment breaks IC or IR (Theorem 5's proof)
    rng = np.random.default_rng(0)
    for _ in range(5):
        idx = tuple(int(rng.integers(s)) for s in p.shape)
        q = p.copy()
        q[idx] += 1e-6
        c2 = MechanismContext(inst, q, tolerance=1e-9)
        st_ = {evaluate_mechanism(a, c2).status for a in ("mechanism-ic", "mechanism-ir")}
        assert "violated" in st_


def test_max_payment_at_most_mep_everywhere():
    """Any IR payment is ≤ p̄ = MEP at truth (App. A.1), so p^max ≤ MEP."""
    for m in GRIDS:
        inst = build_instance(m)
        assert (max_payments_fast(inst) <= mep(inst)).all()


@settings(max_examples=15, deadline=None)
@given(st.lists(st.fractions(min_value=-1, max_value=1, max_denominator=8), min_size=4, max_size=4),
       st.integers(min_value=1, max_value=3))
def test_exact_and_float_agree(entries, top):
    """Near-ties must not flip verdicts: exact rationals and float64 give the same verdicts."""
    mat = [[float(entries[0]), float(entries[1])], [float(entries[2]), float(entries[3])]]
    m = model(valuation={"family": "linear", "matrix": mat}, parameters={}, types={"step": 1, "max": top})
    fl, ex = build_instance(m), build_instance(m, exact=True)
    pf, pe = max_payments_fast(fl), max_payments_fast(ex)
    assert pe.dtype == object and isinstance(pe.flat[0], Fraction)
    assert np.allclose(pf, pe.astype(float), atol=1e-12)
    assert (max_payments_literal(ex) == pe).all()
    for name in ("mechanism-ic", "mechanism-ir", "weak-budget-balance"):
        vf = evaluate_mechanism(name, MechanismContext(fl, pf, tolerance=1e-9)).status
        ve = evaluate_mechanism(name, MechanismContext(ex, pe)).status
        assert vf == ve, name
    assert desirability(fl, pf).exists == desirability(ex, pe).exists


def test_exact_growth_with_irrational_alpha_is_refused():
    with pytest.raises(Unsupported, match="irrational"):
        max_payments_fast(build_instance(model(), exact=True))


def test_any_misreports_literal_only_and_negative_cycle_is_infeasible():
    m = model(misreports="any", types={"step": 1, "max": 3})
    inst = build_instance(m)
    with pytest.raises(Unsupported, match="downward"):
        max_payments_fast(inst)
    try:
        p = max_payments_literal(inst)
    except Infeasible as exc:
        assert "negative cycle" in str(exc)
    else:  # IC both ways holds for the literal result
        ctx = MechanismContext(inst, p, tolerance=1e-12)
        assert evaluate_mechanism("mechanism-ic", ctx).status == "holds"


def test_lowest_type_pays_its_ir_bound():
    """The lowest type has no edge but VB → V: p^max = p̄ (App. A.1)."""
    inst = build_instance(model())
    p = max_payments_fast(inst)
    assert (p[0, 0, :] == inst.pbar[0, 0, :]).all() and (p[1, :, 0] == inst.pbar[1, :, 0]).all()


@pytest.mark.parametrize("alpha,top,step,include_zero", [(-0.7, 30, 1, True), (-0.95, 25, 1, False),
                                                          (0.3, 6, 0.5, True), (-1.0, 12, 1, True),
                                                          (-0.66, 5, 0.25, False), (-0.8, 3, 0.125, True)])
def test_growth_table_equals_generic_rows_bitwise(alpha, top, step, include_zero):
    """The market-growth table path (Sec. 6.2 grids) is the generic DP bit for bit, and is taken only there."""
    from mechsolve.mechanism.max_payment import growth_grid

    inst = build_instance(model(parameters={"alpha": alpha},
                                types={"step": step, "max": top, "include_zero": include_zero}))
    assert growth_grid(inst) is not None
    assert max_payments_fast(inst).tobytes() == max_payments_fast(inst, specialise=False).tobytes()


def test_growth_table_not_taken_off_its_premises():
    from mechsolve.mechanism.max_payment import growth_grid

    for m in (model(parameters={"alpha": -1.5}), model(types={"step": 0.1, "max": 0.4}), model(agents=3),
              model(outside_option="zero-utility"), model(quality="t/(1 + t)")):
        assert growth_grid(build_instance(m)) is None


# misreports `any` on a 0.1-grid: no cycle of the difference constraints is negative exactly (the
# lightest weigh 0: Gap(t→t') + Gap(t'→t) = 0), but the float Gaps of some add up to −1.7e-18
ROUNDING = {"kind": "mechanism-design", "agents": 2, "types": {"step": 0.1, "max": 0.2}, "quality": "t",
            "valuation": {"family": "linear", "matrix": [[-0.1, 0.1], [-0.1, -0.1]]}, "misreports": "any"}


def _cycle_weights(inst):
    """Every simple cycle of every agent's graph, weight summed exactly (an oracle independent of Bellman–Ford)."""
    import networkx as nx

    out = []
    for i in range(inst.n):
        m = inst.shape[i]
        gaps = [inst.gap(i, k) for k in range(m)]
        for r in np.ndindex(np.moveaxis(inst.pbar[i], i, 0).shape[1:]):
            g = nx.DiGraph()
            for k in range(m):
                for row, kp in enumerate(inst.reports(k, m)):
                    if kp != k:
                        g.add_edge(kp, k, weight=Fraction(gaps[k][(row,) + r]) if inst.exact
                                   else Fraction(float(gaps[k][(row,) + r])))
            out += [sum(g[u][v]["weight"] for u, v in zip(c, c[1:] + c[:1])) for c in nx.simple_cycles(g)]
    return out


def test_a_negative_cycle_that_is_only_rounding_is_not_infeasible():
    from mechsolve.mechanism.max_payment import RoundingCycle

    m = parse_model(ROUNDING)
    f, e = build_instance(m), build_instance(m, exact=True)
    assert min(_cycle_weights(e)) == 0                                        # exactly: no negative cycle
    assert min(_cycle_weights(f)) < 0                                         # in float: some, by rounding
    with pytest.raises(RoundingCycle, match="within rounding of 0") as err:
        max_payments_literal(f)
    assert -1e-15 < err.value.weight <= 0
    p = max_payments_literal(e)                                               # the exact payments exist
    ctx = MechanismContext(e, p, tolerance=0)
    assert evaluate_mechanism("mechanism-ic", ctx).status == "holds"
    assert evaluate_mechanism("mechanism-ir", ctx).status == "holds"


def test_a_clearly_negative_cycle_wins_over_a_rounding_one():
    """Agent 1's graphs have rounding-only cycles, agent 2's a cycle of weight −0.027: infeasible, not borderline."""
    from mechsolve.mechanism.max_payment import RoundingCycle

    m = parse_model({**ROUNDING, "types": {"step": 0.1, "max": 0.3}, "quality": "t/(1+t)",
                     "valuation": {"family": "linear", "matrix": [[0.2, 0.2], [-0.3, 0.3]]}})
    f, e = build_instance(m), build_instance(m, exact=True)
    assert min(_cycle_weights(e)) < Fraction(-1, 100)
    with pytest.raises(Infeasible, match="negative cycle") as err:
        max_payments_literal(f)
    assert not isinstance(err.value, RoundingCycle) and "'2'" in str(err.value)
    with pytest.raises(Infeasible, match="negative cycle"):
        max_payments_literal(e)
