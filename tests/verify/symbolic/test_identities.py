"""sympy identities: proved for every game of size n; a false identity is reported, not proved."""

from __future__ import annotations

import pytest

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games.shapley import shapley
from mechsolve.verify.symbolic import IDENTITIES, shapley_formula, symbolic_game
from mechsolve.verify.symbolic.identities import _identity


@pytest.mark.parametrize("name", sorted(IDENTITIES))
@pytest.mark.parametrize("n", [2, 3])
def test_identities_proved(name: str, n: int) -> None:
    r = IDENTITIES[name](n)
    assert r.status == "proved" and r.n == n and r.method.startswith("sympy")


def test_false_identity_is_not_proved() -> None:
    r = _identity("wrong", "Σφ = 2 v(N)", "test", 3, lambda g: [("x", shapley_formula(g).sum() - 2 * g.values[-1])])
    assert r.status == "violated" and "not identically 0" in r.detail


def test_definition_agrees_with_package_shapley() -> None:
    import sympy as sp

    g = symbolic_game(3)
    phi = shapley_formula(g)
    vals = [0, 1, 2, 5, 3, 4, 7, 11]
    sub = {x: vals[m] for m, x in enumerate(g.values) if isinstance(x, sp.Symbol)}
    num = Game.from_values(["1", "2", "3"], vals, exact=True)
    assert [sp.Rational(str(x)) for x in shapley(num)] == [p.subs(sub) for p in phi]


def test_size_is_checked() -> None:
    with pytest.raises(InvalidModel):
        symbolic_game(0)


def test_rational_identity_is_proved_after_expansion_leaves_a_residual() -> None:
    """A share identity (denominators) does not expand to 0 term by term: the together() path proves it,
    and a false one is still reported."""
    def shares(g: Game, extra: int) -> list:
        x, y = g.values[1], g.values[2]
        return [("x/(x+y) + y/(x+y) - 1", x / (x + y) + y / (x + y) - 1 - extra * x / (x + y))]

    assert _identity("shares", "x/(x+y) + y/(x+y) = 1", "test", 2, lambda g: shares(g, 0)).status == "proved"
    r = _identity("shares", "y/(x+y) = 1", "test", 2, lambda g: shares(g, 1))
    assert r.status == "violated" and "not identically 0" in r.detail
