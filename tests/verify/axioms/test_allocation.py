"""Shapley axioms on computed allocations: they hold for the Shapley value, and they catch rules
that break them (each test recomputes the property from the game)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings

from mechsolve.verify.check import HOLDS, NOT_APPLICABLE, VIOLATED, run_checks
from mechsolve.games.game import Game
from mechsolve.schemes import get_scheme
from mechsolve.schemes.base import Outcome

from strategies import games

SHAPLEY = get_scheme("shapley")
ALL = ["efficiency", "symmetry", "null-player", "additivity", "individual-rationality", "decomposition"]


def _check(g, rule, axioms):
    alloc = rule(g)
    out = Outcome("test", alloc, "x", {"x": alloc})
    return {v.axiom: v for v in run_checks(g, out, rule, axioms, tolerance=1e-9).verdicts}


@given(games(min_n=2, max_n=5))
@settings(max_examples=30, deadline=None)
def test_shapley_satisfies_its_axioms(g):
    res = _check(g, SHAPLEY.rule, ["efficiency", "symmetry", "null-player", "additivity", "decomposition"])
    assert all(v.status in (HOLDS, NOT_APPLICABLE) for v in res.values()), res


@given(games(min_n=2, max_n=4, integers=True))
@settings(max_examples=20, deadline=None)
def test_exact_mode_has_zero_margins(g):
    e = g.to_exact()
    res = _check(e, SHAPLEY.rule, ["efficiency", "additivity", "decomposition"])
    for v in res.values():
        assert v.status == HOLDS and v.worst_margin == 0 and v.tolerance == 0


def test_equal_split_violates_null_player_with_witness():
    g = Game.from_values(["a", "b", "z"], [0, 1, 1, 3, 0, 1, 1, 3])  # z adds nothing
    equal = lambda h: np.full(h.n, h.grand_value / h.n)  # noqa: E731
    res = _check(g, equal, ["efficiency", "null-player", "symmetry"])
    assert res["efficiency"].status == HOLDS
    v = res["null-player"]
    assert v.status == VIOLATED
    assert v.counterexample["witness"]["player"] == "z"
    assert v.counterexample["got"] == pytest.approx(1.0) and v.worst_margin == pytest.approx(1.0)


def test_proportional_rule_violates_efficiency_and_decomposition():
    g = Game.from_values(["a", "b"], [0, 1, 2, 6])
    prop = lambda h: h.singletons().astype(float)  # noqa: E731  pays v(i): not efficient
    res = _check(g, prop, ["efficiency", "decomposition", "individual-rationality"])
    assert res["efficiency"].status == VIOLATED
    assert res["efficiency"].counterexample["expected"] == 6 and res["efficiency"].counterexample["got"] == 3
    assert res["individual-rationality"].status == HOLDS


def test_non_additive_rule_is_caught():
    square = lambda h: SHAPLEY.rule(h) ** 2  # noqa: E731
    g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    assert _check(g, square, ["additivity"])["additivity"].status == VIOLATED


def test_not_applicable_reasons():
    g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    res = _check(g, SHAPLEY.rule, ["symmetry", "null-player"])
    assert res["symmetry"].status == NOT_APPLICABLE and "symmetric" in res["symmetry"].reason
    assert res["null-player"].status == NOT_APPLICABLE and "null" in res["null-player"].reason
    one = Game.from_values(["a"], [0, 1])
    assert _check(one, SHAPLEY.rule, ["decomposition"])["decomposition"].status == NOT_APPLICABLE


def test_individual_rationality_fails_on_non_superadditive_game_and_says_why():
    g = Game.from_values(["a", "b"], [0, 2, 2, 3])  # v(a)+v(b) = 4 > v(N) = 3
    v = _check(g, SHAPLEY.rule, ["individual-rationality"])["individual-rationality"]
    assert v.status == VIOLATED and v.worst_margin == pytest.approx(0.5)
    assert "not superadditive" in v.note


def test_decomposition_identity_exact_on_glove():
    """Nguyen et al. (2022) App. F: n·φ_i = v(i) + Σ_j φ_{i|j}; glove φ = (2/3, 1/6, 1/6)."""
    g = Game.from_values(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1], exact=True)
    phi = SHAPLEY.rule(g)
    assert list(phi) == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    assert _check(g, SHAPLEY.rule, ["decomposition"])["decomposition"].worst_margin == 0
