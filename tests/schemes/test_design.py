"""Designed payoff vectors on cooperative markets, and certificates when none exists."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from mechsolve.data.market import build_game
from mechsolve.games import Game
from mechsolve.model.io import load
from mechsolve.schemes.design import build_problem
from mechsolve.schemes.stability import core_certificate
from mechsolve.solvers.certificates import verify_farkas
from mechsolve.solvers.design import solve_design
from mechsolve.model.io import resolve_model

MODELS = __import__("pathlib").Path(__file__).resolve().parents[2] / "models"


def exact_game(names, values):
    return Game.from_values(names, [F(v) for v in values], exact=True)


def test_mnist_no_efficient_allocation_is_in_the_core():
    m = load(MODELS / "mnist-5-parties.yaml")
    g = build_game(resolve_model(m, MODELS))
    sol = solve_design(build_problem(g, ["efficiency", "individual-rationality", "core"], "none", None, "l1"))
    cert = sol.certificate
    assert sol.status == "infeasible" and cert.verified and cert.irreducible
    assert verify_farkas(cert.constraints, cert.multipliers, g.n) == cert.bound > 0
    # the core rows used are balanced weights (Bondareva–Shapley): each player covered once by the core rows
    core = [(c, y) for c, y in zip(cert.constraints, cert.multipliers) if c.block == "core"]
    eff = [y for c, y in zip(cert.constraints, cert.multipliers) if c.block == "efficiency"]
    for i in range(g.n):
        assert sum(y for c, y in core if i in c.coeffs) == eff[0]
    assert core_certificate(g).empty


def test_glove_game_closest_to_shapley_is_its_core_point():
    g = exact_game(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1])
    for norm in ("l1", "linf"):
        sol = solve_design(build_problem(g, ["efficiency", "core"], "closest-to", "shapley", norm), exact=True)
        assert sol.found and list(sol.exact.x[:3]) == [1, 0, 0]


def test_axioms_as_equalities_and_shapley_within():
    # a, b symmetric; c null: v = unanimity of {a, b}
    g = exact_game(["a", "b", "c"], [0, 0, 0, 6, 0, 0, 0, 6])
    sol = solve_design(build_problem(g, ["efficiency", "symmetry", "null-player"], "max-min-utility", None, "l1"),
                       exact=True)
    x = sol.exact.x[:3]
    assert x[0] == x[1] == 3 and x[2] == 0
    sol = solve_design(build_problem(g, ["efficiency", "shapley-within"], "revenue", None, "l1", delta=0.5),
                       exact=True)
    assert sol.found and all(abs(v - p) <= F(1, 2) for v, p in zip(sol.exact.x[:3], [3, 3, 0]))
    assert any(abs(v - p) == F(1, 2) for v, p in zip(sol.exact.x[:3], [3, 3, 0]))   # the bound binds


def test_design_feasibility_matches_core_emptiness_on_random_games():
    rng = np.random.default_rng(9)
    for _ in range(25):
        n = int(rng.integers(2, 6))
        vals = [0] + [int(v) for v in rng.integers(-3, 8, size=2**n - 1)]
        g = exact_game([f"p{i}" for i in range(n)], vals)
        sol = solve_design(build_problem(g, ["efficiency", "core"], "none", None, "l1"), exact=True)
        assert sol.found == (not core_certificate(g).empty)
        if sol.found:
            assert sol.exact.feasible
        else:
            assert sol.certificate.verified


def test_lazy_core_rows_at_n_12():
    rng = np.random.default_rng(2)
    n = 12
    pc = np.bitwise_count(np.arange(2**n)).astype(np.int64)
    vals = (pc * pc * 10 + rng.integers(0, 20, size=2**n)).astype(float)
    vals[0] = 0
    g = Game.from_values([f"p{i}" for i in range(n)], vals)
    sol = solve_design(build_problem(g, ["efficiency", "core"], "closest-to", "shapley", "l1"))
    assert sol.found
    assert sol.stats["blocks"]["core"]["in_lp"] < 2**n // 4
    x = sol.x[:n]
    sums = np.zeros(1)
    for k in range(n):
        sums = np.concatenate([sums, sums + x[k]])
    assert np.all(sums - vals >= -1e-7)                # recomputed: every coalition gets its value


def test_missing_parameters_are_bad_input():
    from mechsolve.errors import InvalidModel

    g = exact_game(["a", "b"], [0, 1, 1, 3])
    with pytest.raises(InvalidModel, match="delta"):
        build_problem(g, ["shapley-within"], "none", None, "l1")
    with pytest.raises(InvalidModel, match="cannot be designed"):
        build_problem(g, ["additivity"], "none", None, "l1")
