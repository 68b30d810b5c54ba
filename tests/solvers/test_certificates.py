"""Exact certificates: Farkas/IIS on named rows, exact solves, both linear-algebra back-ends."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from mechsolve.errors import Infeasible, SolverError
from mechsolve.solvers import certificates as C
from mechsolve.solvers.certificates import Constraint, exact_solve, farkas_certificate, verify_farkas


@pytest.fixture(params=[True, False], ids=["flint", "sympy"])
def backend(request, monkeypatch):
    monkeypatch.setattr(C, "USE_FLINT", request.param)
    return request.param


def test_exact_solve_and_nullspace_on_both_backends(backend):
    s = exact_solve([{0: F(1), 1: F(2)}, {0: F(3), 1: F(4)}], [F(5), F(6)], 2)
    assert s.z == [F(-4), F(9, 2)] and s.nullity == 0
    s = exact_solve([{0: F(1), 1: F(1)}, {0: F(2), 1: F(2)}], [F(1), F(3)], 2)
    assert not s.consistent
    ws = C.integer_nullspace([[1, 1, 1], [1, 0, 1]], 3)
    assert len(ws) == 1 and ws[0][1] == 0 and ws[0][0] == -ws[0][2]


def test_farkas_finds_an_irreducible_subsystem(backend):
    rows = [Constraint("x ≤ 1", {0: F(1)}, "<=", F(1)), Constraint("y ≤ 1", {1: F(1)}, "<=", F(1)),
            Constraint("x + y = 3", {0: F(1), 1: F(1)}, "=", F(3)), Constraint("z ≤ 0", {2: F(1)}, "<=", F(0))]
    cert = farkas_certificate(rows, 3)
    assert sorted(c.name for c in cert.constraints) == ["x + y = 3", "x ≤ 1", "y ≤ 1"]
    assert cert.irreducible and cert.verified
    assert verify_farkas(cert.constraints, cert.multipliers, 3) == cert.bound == 1
    with pytest.raises(Infeasible):
        farkas_certificate(rows[:2] + rows[3:], 3)


def test_verify_farkas_rejects_wrong_certificates():
    rows = [Constraint("a", {0: F(1)}, "<=", F(1)), Constraint("b", {0: F(-1)}, "<=", F(-2))]
    with pytest.raises(SolverError):
        verify_farkas(rows, [F(1), F(2)], 1)           # does not cancel
    with pytest.raises(SolverError):
        verify_farkas(rows, [F(-1), F(-1)], 1)         # negative weight on an inequality
    assert verify_farkas(rows, [F(1), F(1)], 1) == 1


def test_random_infeasible_systems_certify_exactly():
    rng = np.random.default_rng(0)
    done = 0
    for _ in range(40):
        m, n = int(rng.integers(3, 9)), int(rng.integers(1, 4))
        rows = [Constraint(f"r{r}", {k: F(int(rng.integers(-3, 4))) for k in range(n)}, "<=",
                           F(int(rng.integers(-3, 3)))) for r in range(m)]
        try:
            cert = farkas_certificate(rows, n)
        except Infeasible:
            continue
        assert verify_farkas(cert.constraints, cert.multipliers, n) > 0 and cert.irreducible
        done += 1
    assert done >= 5
