"""Designed payment tables (Chen et al. 2020 setting): cross-checks with Algorithm 1, exact certificates."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from mechsolve.errors import InvalidModel, Unbounded
from mechsolve.mechanism.design import design_mechanism, table_payments, table_rows
from mechsolve.mechanism.desirability import desirability
from mechsolve.mechanism.max_payment import max_payments
from mechsolve.model import parse_model
from mechsolve.model.io import load
from mechsolve.solvers.certificates import verify_farkas
from mechsolve.verify.axioms.base import MechanismContext
from mechsolve.verify.check import run_mechanism_checks

MODELS = __import__("pathlib").Path(__file__).resolve().parents[2] / "models"


def growth(alpha, top, agents=2, exact=False):
    return parse_model({"kind": "mechanism-design", "agents": agents, "types": {"step": 1, "max": top},
                        "valuation": {"family": "market-growth"}, "parameters": {"alpha": alpha}, "exact": exact})


def linear(matrix, top, exact=True):
    return parse_model({"kind": "mechanism-design", "agents": len(matrix), "types": {"step": 1, "max": top},
                        "valuation": {"family": "linear", "matrix": matrix}, "exact": exact})


def confirm(r, names=("mechanism-ic", "mechanism-ir", "weak-budget-balance")):
    """Re-check the designed table with the registered mechanism axioms (exactly on exact instances)."""
    rep = run_mechanism_checks(MechanismContext(r.instance, r.payments, "table"), names)
    return [v.status for v in rep.verdicts]


@pytest.mark.parametrize("model", [
    growth(-0.7, 8), growth(-0.5, 6, agents=3), growth(0.3, 5),
    linear([[1, F(1, 4)], [F(1, 2), F(3, 4)]], 4), linear([[1, -0.5, 0.2], [0.3, 1, -0.1], [0.1, 0.2, 1]], 2),
])
def test_revenue_design_equals_algorithm_1(model):
    r = design_mechanism(model, axioms=["ic", "ir"], objective="revenue")
    assert r.solution.found
    pmax = max_payments(r.instance)
    if r.instance.exact:
        assert r.payments.sum() == pmax.sum()                           # exactly
        assert (r.payments == pmax).all()
    else:
        assert abs(r.payments.sum() - pmax.sum()) <= 1e-7 * max(1.0, abs(pmax.sum()))
        assert np.abs(r.payments - pmax).max() <= 1e-7
    assert r.cross_check["agrees"]
    assert confirm(r, ("mechanism-ic", "mechanism-ir")) == ["holds", "holds"]


def test_beyond_the_boundary_certificate_is_exact_and_short():
    m = load(MODELS / "chen-market-growth-beyond-boundary.yaml")
    r = design_mechanism(m)
    cert = r.solution.certificate
    assert r.solution.status == "infeasible" and cert.verified and cert.irreducible
    assert [c.block for c in cert.constraints] == ["IR", "IR", "IC", "WBB"]
    # independent re-derivation of every row's right-hand side from the instance
    inst = r.instance
    ir_a, ir_b, ic_b, wbb = cert.constraints
    assert ir_a.rhs == F(float(inst.pbar[0, 0, 2])) and ir_b.rhs == F(float(inst.pbar[1, 0, 1]))
    assert ic_b.rhs == F(float(inst.gap(1, 2)[1, 0])) and wbb.rhs == 0
    c = verify_farkas(cert.constraints, cert.multipliers, len(cert.variable_names))
    assert c == -(ir_a.rhs + ir_b.rhs + ic_b.rhs) > 0
    # and it is Theorem 5's failing profile: Σ p^max(0, 2) = −c
    assert abs(float(max_payments(inst)[:, 0, 2].sum()) + float(c)) < 1e-12


def test_feasibility_matches_theorem_5_on_random_exact_instances():
    rng = np.random.default_rng(4)
    for _ in range(12):
        n = int(rng.integers(2, 4))
        mat = [[F(int(rng.integers(-4, 5)), 4) for _ in range(n)] for _ in range(n)]
        for i in range(n):
            mat[i][i] = abs(mat[i][i])
        m = linear(mat, int(rng.integers(1, 3)))
        r = design_mechanism(m)
        d = desirability(r.instance)
        assert r.solution.found == d.exists
        if r.solution.found:
            assert confirm(r) == ["holds"] * 3
        else:
            cert = r.solution.certificate
            assert cert.verified and verify_farkas(cert.constraints, cert.multipliers, len(cert.variable_names)) > 0


def test_objectives_give_tables_that_check_confirms_exactly():
    m = linear([[1, F(1, 4)], [F(1, 2), F(3, 4)]], 3)
    for obj, norm in (("closest-to mep", "l1"), ("closest-to zero", "linf"), ("max-min-utility", "l1"),
                      ("budget-balance-gap", "l1"), ("budget-balance-gap", "linf"), ("none", "l1")):
        r = design_mechanism(m, objective=obj, norm=norm)
        assert r.solution.found and r.solution.exact.feasible, obj
        assert r.payments.dtype == object
        assert confirm(r) == ["holds"] * 3, obj
    # closest to MEP in L1: Corollary 1's market has MEP itself IC, IR, WBB, so the distance is 0
    r = design_mechanism(m, objective="closest-to mep")
    assert r.solution.objective_exact == 0


def test_budget_balance_design():
    m = linear([[1, F(1, 4)], [F(1, 2), F(3, 4)]], 2)
    r = design_mechanism(m, axioms=["ic", "ir", "budget-balance"], objective="max-min-utility")
    assert r.solution.found
    assert all(s == 0 for s in r.payments.sum(axis=0).reshape(-1))


def test_unbounded_objective_is_an_error_not_a_number():
    with pytest.raises(Unbounded):
        design_mechanism(growth(-0.7, 3), axioms=["ic", "ir"], objective="max-min-utility")


def test_payment_table_roundtrip_and_bad_tables():
    m = linear([[1, F(1, 4)], [F(1, 2), F(3, 4)]], 2)
    r = design_mechanism(m)
    rows = table_rows(r.instance, r.payments)
    model = parse_model({**m.model_dump(mode="json", exclude_none=True), "payment": "table",
                         "payment_table": {"rows": rows}})
    assert (table_payments(r.instance, model.payment_table) == r.payments).all()
    with pytest.raises(InvalidModel, match="no row for profile"):
        table_payments(r.instance, parse_model({**model.model_dump(mode="json", exclude_none=True),
                                                "payment_table": {"rows": rows[1:]}}).payment_table)
    bad = [dict(rows[0], profile={"1": 7, "2": 0})] + rows[1:]
    with pytest.raises(InvalidModel, match="not on the type grid"):
        table_payments(r.instance, parse_model({**model.model_dump(mode="json", exclude_none=True),
                                                "payment_table": {"rows": bad}}).payment_table)


@pytest.mark.slow
def test_larger_grid_uses_row_generation():
    r = design_mechanism(growth(-0.68, 60), axioms=["ic", "ir", "wbb"])   # boundary 215 > 60
    st = r.solution.stats
    assert r.solution.found and st["blocks"]["IC"]["in_lp"] < st["blocks"]["IC"]["rows"] // 5
    assert r.cross_check["agrees"]


def test_any_misreports_negative_cycle_is_the_certificate():
    from mechsolve.errors import Infeasible
    from mechsolve.mechanism.max_payment import max_payments_literal

    m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
                     "valuation": {"family": "linear", "matrix": [[1, 0.25], [0.5, 0.75]]}, "misreports": "any",
                     "exact": True})
    r = design_mechanism(m)
    cert = r.solution.certificate
    assert r.solution.status == "infeasible" and cert.verified and cert.irreducible
    assert all(c.block == "IC" for c in cert.constraints)          # a cycle of IC rows: p(t) − p(t') ≤ Gap
    assert sum(c.rhs * y for c, y in zip(cert.constraints, cert.multipliers)) < 0
    with pytest.raises(Infeasible):                                 # Bellman–Ford finds the negative cycle too
        max_payments_literal(r.instance)
