"""LP (P)/(Q) of Nguyen et al. (2022): λ* is an optimal vertex, ties and ranges are exact.

Oracles built here from the formulas, independent of :mod:`mechsolve.solvers.flows`: a Fraction
brute force over every vertex of (P) (n ≤ 4), scipy's HiGHS on the float data, and the dual.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mechsolve import decide
from mechsolve.games.game import Game
from mechsolve.games.shapley import conditional_shapley
from mechsolve.solvers.flows import exact_flow_lp, solve_flow_lp
from mechsolve.solvers.vertex import verify_optimal

from test_vertex import solve_square   # the same independent Gauss–Jordan

INF = math.inf


def rows_of_p(M, budgets, caps=None, single=None):
    """(P)/(Q) as written in Sec. 4 / App. I: rows (coefficients, rhs) in Fractions, bounds included."""
    n = len(M)
    pm = [sum(M[i], F(0)) for i in range(n)]
    rows = []
    for i in range(n):
        if budgets[i] != INF:
            rows.append(([pm[i] if k == i else -M[k][i] for k in range(n)], F(budgets[i])))
    for i in range(n):
        if caps is not None and caps[i] != INF and pm[i] != 0:
            rows.append(([pm[i] if k == i else F(0) for k in range(n)], max(single[i], F(caps[i])) - single[i]))
    for i in range(n):
        rows.append(([F(int(k == i)) for k in range(n)], F(1)))
        rows.append(([F(-int(k == i)) for k in range(n)], F(0)))
    return pm, rows


def brute(M, budgets, caps=None, single=None):
    """Optimal vertices of (P): OPT, the optimal vertices, the greatest/lexicographic pick, ranges."""
    n = len(M)
    pm, rows = rows_of_p(M, budgets, caps, single)
    verts = set()
    for sub in itertools.combinations(range(len(rows)), n):
        x = solve_square([list(rows[r][0]) for r in sub], [rows[r][1] for r in sub])
        if x is not None and all(sum(a * t for a, t in zip(c, x)) <= b for c, b in rows):
            verts.add(tuple(x))
    val = {v: sum(p * t for p, t in zip(pm, v)) for v in verts}
    best = max(val.values())
    opt = [v for v in verts if val[v] == best]
    pick = max(opt, key=lambda x: (sum(x),) + tuple(x))
    ranges = [(min(v[i] for v in opt), max(v[i] for v in opt)) for i in range(n)]
    return best, opt, pick, ranges


@st.composite
def rational_games(draw: st.DrawFn) -> Game:
    n = draw(st.integers(2, 4))
    fam = draw(st.sampled_from(["small", "decimal", "symmetric", "zeros"]))
    if fam == "symmetric":
        by = [F(0)] + [draw(st.integers(0, 6)) for _ in range(n)]
        vals = [F(by[bin(m).count("1")]) for m in range(2**n)]
    else:
        elem = {"small": st.integers(0, 4).map(F), "decimal": st.integers(0, 20).map(lambda k: F(k, 10)),
                "zeros": st.sampled_from([F(0), F(0), F(1), F(2)])}[fam]
        vals = [F(0)] + [draw(elem) for _ in range(2**n - 1)]
    return Game.from_values([f"p{k}" for k in range(n)], vals, exact=True)


budget_st = st.sampled_from([F(0), F(0), F(1, 4), F(1, 2), F(3, 4), INF])


@settings(max_examples=40, deadline=None)
@given(rational_games(), st.data())
def test_exact_lambda_equals_the_brute_force_vertex(g: Game, data: st.DataObject) -> None:
    b = [data.draw(budget_st) for _ in range(g.n)]
    caps = data.draw(st.one_of(st.none(), st.lists(st.sampled_from([F(0), F(1, 2), F(2), INF]),
                                                    min_size=g.n, max_size=g.n)))
    M = conditional_shapley(g)
    single = list(g.singletons())
    r = solve_flow_lp(M, b, caps, single)
    best, opt, pick, ranges = brute([list(row) for row in M], b, caps, single)
    assert r.exact and all(isinstance(x, F) for x in r.lam)
    assert F(sum(x * sum(M[i]) for i, x in enumerate(r.lam))) == best            # optimal
    assert tuple(r.lam) == pick                                                  # the documented tie-break
    assert r.unique == (len(opt) == 1)
    if r.unique:
        assert r.ranges is None
    else:
        assert [(lo, hi) for lo, hi in r.ranges] == ranges and all(isinstance(t, F) for t in r.ranges.flat)
    # the certificate, rechecked from the dual: an optimal vertex of the exact LP
    lp = exact_flow_lp(M, b, caps, single)
    from mechsolve.solvers.vertex import optimal_vertex

    v = optimal_vertex(lp)
    assert verify_optimal(lp, v.x, v.y, v.z) == best


@settings(max_examples=40, deadline=None)
@given(rational_games(), st.data())
def test_float_lambda_is_the_exact_vertex_to_1e_12(g: Game, data: st.DataObject) -> None:
    b = [data.draw(budget_st) for _ in range(g.n)]
    gf = g.to_float()
    bf = [float(x) for x in b]
    Mf = conditional_shapley(gf)
    with decide.recording() as log:
        rf = solve_flow_lp(Mf, bf)
    rx = solve_flow_lp(conditional_shapley(g), b)
    if not log:            # decided without a borderline: the float run must match exactly
        assert np.max(np.abs(rf.lam - np.array([float(x) for x in rx.lam]))) <= 1e-12
        assert rf.unique == rx.unique
        if not rf.unique:
            assert np.max(np.abs(rf.ranges - rx.ranges.astype(float))) <= 1e-12
    # scipy's HiGHS on the same float LP reaches the same objective
    ref = linprog(-rf.lp.c, A_ub=rf.lp.A_ub, b_ub=rf.lp.b_ub, bounds=rf.lp.bounds, method="highs")
    assert -ref.fun == pytest.approx(rf.objective, abs=1e-9)


def test_a_zero_optimum_is_exactly_zero_not_a_relaxed_point() -> None:
    """The δ-relaxed face gave λ ≈ 5e-10 here; the optimal vertex is λ = 0."""
    vals = [0, 0.1, 1.1, 0.4, 1.2, 0.0, 1.7, 1.9, 0.3, 1.7, 0.8, 0.0, 1.9, 1.9, 0.0, 1.2]
    g = Game.from_values([f"p{i}" for i in range(4)], vals)
    for budgets in ([0.0] * 4, [0.25, 0.0, 0.75, INF], [0.5, 0.5, 0.0, 0.25]):
        rf = solve_flow_lp(conditional_shapley(g), budgets)
        gx = g.to_exact(decimals=True)
        rx = solve_flow_lp(conditional_shapley(gx), [F(str(b)) if b != INF else INF for b in budgets])
        assert rf.lam.tolist() == pytest.approx([float(x) for x in rx.lam], abs=1e-12)
        assert all(x == 0 or x >= 1e-6 for x in rf.lam)       # no 1e-10 "almost zero" scalings


def test_non_unique_ranges_are_exact_fractions() -> None:
    g = Game.from_table(["o", "x", "y"], {"": 0, "o": 6, "x": 1, "y": 2, "o,x": 6, "o,y": 6, "x,y": 4,
                                          "o,x,y": 6}).to_exact()
    r = solve_flow_lp(conditional_shapley(g), [F(0)] * 3)
    assert not r.unique and r.ranges[0].tolist() == [F(0), F(1)] and r.lam[0] == 1
    assert r.ranges.dtype == object
