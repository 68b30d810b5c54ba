"""Certified optimal vertices: polish, exact simplex fallback, faces — against independent oracles.

Oracles: a Fraction brute force that enumerates every vertex (n ≤ 4, its own Gaussian
elimination), scipy's HiGHS (``scipy.optimize.linprog``) on the float data, and the dual
(every returned vertex is rechecked here from its multipliers, not trusted).
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mechsolve import decide
from mechsolve.errors import Infeasible, SolverError, Unbounded
from mechsolve.solvers import vertex as vx
from mechsolve.solvers.vertex import (ExactLP, exact_simplex, is_point, lexicographic_vertex, optimal_face,
                                      optimal_vertex, pinned, verify_optimal)


# ---------------------------------------------------------------- independent oracle
def solve_square(rows: list[list[F]], rhs: list[F]) -> list[F] | None:
    """Gauss–Jordan in Fractions; None when singular."""
    n = len(rows)
    M = [list(r) + [b] for r, b in zip(rows, rhs)]
    for col in range(n):
        piv = next((r for r in range(col, n) if M[r][col] != 0), None)
        if piv is None:
            return None
        M[col], M[piv] = M[piv], M[col]
        p = M[col][col]
        M[col] = [a / p for a in M[col]]
        for r in range(n):
            if r != col and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    return [M[r][n] for r in range(n)]


def vertices(lp: ExactLP) -> list[tuple[F, ...]]:
    """Every vertex of {A x ≤ b, C x = d} by enumerating n-subsets of rows (equalities always in)."""
    n, out = lp.n, set()
    for sub in itertools.combinations(range(len(lp.A)), n - len(lp.C)):
        rows = [list(lp.A[r]) for r in sub] + [list(r) for r in lp.C]
        x = solve_square(rows, [lp.b[r] for r in sub] + list(lp.d))
        if x is None:
            continue
        if all(sum(a * t for a, t in zip(row, x)) <= b for row, b in zip(lp.A, lp.b)):
            out.add(tuple(x))
    return sorted(out)


def brute_optimum(lp: ExactLP) -> tuple[F, list[tuple[F, ...]]]:
    vs = vertices(lp)
    vals = [sum(c * t for c, t in zip(lp.c, v)) for v in vs]
    best = max(vals)
    return best, [v for v, w in zip(vs, vals) if w == best]


def box_lp(draw: st.DrawFn, n: int) -> ExactLP:
    """max c·x over {A x ≤ b, 0 ≤ x ≤ 1}: bounded, feasible at 0 when b ≥ 0 (degenerate ties likely)."""
    small = st.fractions(min_value=-2, max_value=2, max_denominator=4)
    m = draw(st.integers(1, 4))
    A = [[draw(small) for _ in range(n)] for _ in range(m)]
    b = [draw(st.fractions(min_value=0, max_value=2, max_denominator=4)) for _ in range(m)]
    c = [draw(st.sampled_from([F(0), F(1), F(1, 2), F(-1), F(3, 4)])) for _ in range(n)]
    eye = [[F(int(i == k)) for k in range(n)] for i in range(n)]
    return ExactLP.from_rows(c, A + eye + [[-a for a in r] for r in eye], b + [F(1)] * n + [F(0)] * n)


@st.composite
def box_lps(draw: st.DrawFn) -> ExactLP:
    return box_lp(draw, draw(st.integers(1, 4)))


def check_dual(lp: ExactLP, v) -> None:
    """Recompute optimality from the multipliers, here (not via the module)."""
    n = lp.n
    assert all(y >= 0 for y in v.y)
    for k in range(n):
        assert sum(lp.A[r][k] * v.y[r] for r in range(len(lp.A))) + \
            sum(lp.C[q][k] * v.z[q] for q in range(len(lp.C))) == lp.c[k]
    for r in range(len(lp.A)):
        slack = lp.b[r] - sum(a * t for a, t in zip(lp.A[r], v.x))
        assert slack >= 0 and (v.y[r] == 0 or slack == 0)
    assert sum(c * t for c, t in zip(lp.c, v.x)) == sum(b * y for b, y in zip(lp.b, v.y)) + \
        sum(d * z for d, z in zip(lp.d, v.z))


# ---------------------------------------------------------------- exact mode
@settings(max_examples=60, deadline=None)
@given(box_lps())
def test_exact_vertex_is_optimal_against_brute_force_and_the_dual(lp: ExactLP) -> None:
    v = optimal_vertex(lp)
    best, opt = brute_optimum(lp)
    assert v.objective == best and tuple(v.x) in opt
    check_dual(lp, v)
    assert verify_optimal(lp, v.x, v.y, v.z) == best


@settings(max_examples=30, deadline=None)
@given(box_lps())
def test_exact_simplex_fallback_agrees(lp: ExactLP) -> None:
    v = exact_simplex(lp)
    best, opt = brute_optimum(lp)
    assert v.method == "exact simplex" and v.objective == best and tuple(v.x) in opt
    check_dual(lp, v)
    # over the optimal face (equality rows), from a feasible start: every optimum of Σx
    face = optimal_face(lp, v)
    w = exact_simplex(face.with_objective([F(1)] * lp.n), start=v.x)
    assert sum(w.x) == max(sum(x) for x in opt)
    check_dual(face.with_objective([F(1)] * lp.n), w)


@settings(max_examples=40, deadline=None)
@given(box_lps())
def test_optimal_face_and_lexicographic_tie_break(lp: ExactLP) -> None:
    """The face's vertices are exactly the optimal vertices; the lexicographic pick is the brute-force one."""
    n = lp.n
    best, opt = brute_optimum(lp)
    v = optimal_vertex(lp)
    face = optimal_face(lp, v)
    assert sorted(vertices(face)) == sorted(opt)
    assert not is_point(face) or len(opt) == 1          # sufficient: the equalities alone fix the point
    order = [[F(1)] * n] + [[F(int(k == i)) for k in range(n)] for i in range(n)]
    top, _, _ = lexicographic_vertex(lp, order)
    want = max(opt, key=lambda x: (sum(x),) + tuple(x))
    assert tuple(top.x) == want
    for k, fixed in enumerate(pinned(face)):
        if fixed:
            assert len({x[k] for x in opt}) == 1


@settings(max_examples=25, deadline=None)
@given(box_lps())
def test_float_data_vertex_agrees_with_scipy_highs(lp: ExactLP) -> None:
    """Float mode: objective equals scipy's HiGHS; the vertex is one of the exact optima to 1e-12."""
    f = lp.float_lp()
    ref = linprog(-f.c, A_ub=f.A_ub, b_ub=f.b_ub, bounds=[(None, None)] * lp.n, method="highs")
    with decide.recording() as log:
        v = optimal_vertex(lp, exact=False)
    assert not log
    assert float(v.objective) == pytest.approx(-ref.fun, abs=1e-9)
    _, opt = brute_optimum(lp)
    assert min(max(abs(float(a) - float(b)) for a, b in zip(v.x, x)) for x in opt) <= 1e-12


def test_polish_failure_falls_back_to_the_exact_simplex(monkeypatch: pytest.MonkeyPatch) -> None:
    """A back-end point off the vertex (no basis, no duals) cannot be polished: exact simplex, certified."""
    lp = ExactLP.from_rows([1, 1], [[1, 2], [3, 1], [-1, 0], [0, -1]], [4, 6, 0, 0])
    monkeypatch.setattr(vx, "_hint", lambda lp, solver: vx._Hint(np.array([0.5, 0.5]), "fake", None, None))
    v = optimal_vertex(lp)
    assert v.method == "exact simplex" and v.x == (F(8, 5), F(6, 5))
    check_dual(lp, v)


def test_float_polish_failure_returns_the_point_and_records_a_borderline(monkeypatch: pytest.MonkeyPatch) -> None:
    lp = ExactLP.from_rows([1, 1], [[1, 2], [3, 1], [-1, 0], [0, -1]], [4, 6, 0, 0])
    monkeypatch.setattr(vx, "_hint", lambda lp, solver: vx._Hint(np.array([1.0, 1.0]), "fake", None, None))
    with decide.recording() as log:
        v = optimal_vertex(lp, exact=False)
    assert v.method == "back-end point" and not v.exact and log and "not certified" in log[0].what


def test_no_certificate_is_an_error_not_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    lp = ExactLP.from_rows([1], [[1], [-1]], [1, 0])
    monkeypatch.setattr(vx, "_hint", lambda lp, solver: vx._Hint(np.array([0.3]), "fake", None, None))
    monkeypatch.setattr(vx, "exact_simplex", lambda lp, solver, start: (_ for _ in ()).throw(SolverError("boom")))
    with pytest.raises(SolverError, match="could not be solved exactly"):
        optimal_vertex(lp)


def test_degenerate_cone_in_float_data_keeps_the_feasible_vertex() -> None:
    """Rows that cancel exactly (Σ rows = 0, b = 0) but leave 1e-17 in float still give the vertex x = 1.

    The exact optimum of the float data would be x = 0 (x = 1 misses a row by round-off); the
    float polish reads that round-off as feasible, as the rational data say.
    """
    third = 1 / 3
    A = [[2 * third, -third - 1e-17], [-2 * third, third + 1e-17]]          # x1·2/3 − x2/3 ≤ 0 and its negation
    lp = ExactLP.from_rows([1, 1], A + [[1, 0], [0, 1], [-1, 0], [0, -1]], [0, 0, 1, 1, 0, 0])
    v = optimal_vertex(lp, exact=False)
    assert [float(t) for t in v.x] == pytest.approx([0.5, 1.0], abs=1e-15)


def test_verify_optimal_rejects_bad_certificates() -> None:
    lp = ExactLP.from_rows([1, 1], [[1, 2], [3, 1], [-1, 0], [0, -1]], [4, 6, 0, 0])
    x, y = (F(8, 5), F(6, 5)), (F(2, 5), F(1, 5), F(0), F(0))
    assert verify_optimal(lp, x, y, ()) == F(14, 5)
    with pytest.raises(SolverError, match="violated"):
        verify_optimal(lp, (F(2), F(2)), y, ())
    with pytest.raises(SolverError, match="negative"):
        verify_optimal(lp, x, (F(2, 5), F(1, 5), F(-1), F(0)), ())
    with pytest.raises(SolverError, match="reproduce"):
        verify_optimal(lp, x, (F(1), F(0), F(0), F(0)), ())
    with pytest.raises(SolverError, match="complementary"):
        verify_optimal(lp, (F(0), F(0)), (F(1), F(0), F(0), F(0)), ())


def test_statuses() -> None:
    with pytest.raises(Infeasible):
        optimal_vertex(ExactLP.from_rows([1], [[1], [-1]], [-1, 0]))
    with pytest.raises(Unbounded):
        optimal_vertex(ExactLP.from_rows([1], [[-1]], [0]))
    with pytest.raises(SolverError, match="feasible starting point"):
        exact_simplex(ExactLP.from_rows([1], [[1], [-1]], [-1, 0]))
    with pytest.raises(Unbounded):
        exact_simplex(ExactLP.from_rows([1], [[-1]], [0]))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_both_back_ends_give_the_same_certified_vertex(solver: str) -> None:
    from mechsolve.solvers.lp import available_solvers

    if solver not in available_solvers():
        pytest.skip(f"{solver} not installed")
    lp = ExactLP.from_rows([1, 1], [[1, 2], [3, 1], [-1, 0], [0, -1]], [4, 6, 0, 0])
    v = optimal_vertex(lp, solver)
    assert v.x == (F(8, 5), F(6, 5)) and v.method == "active set"
