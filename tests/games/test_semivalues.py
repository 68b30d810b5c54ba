"""Semivalues from the Shapley kernel (mechsolve/semivalues.py): Banzhaf, Beta-Shapley, any p(s).

Each value is checked against its literal definition
``ψ_i = Σ_{S ⊆ N∖i} p(|S|)(v(S∪i) − v(S))`` computed one coalition at a time.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games.semivalues import banzhaf, beta_shapley, beta_weights, semivalue, semivalue_weights
from mechsolve.games.shapley import shapley

from strategies import games, names

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def literal_semivalue(values: list, n: int, p: list) -> list:
    out = []
    for i in range(n):
        tot = 0
        for m in range(2**n):
            if not m >> i & 1:
                tot += p[bin(m).count("1")] * (values[m | 1 << i] - values[m])
        out.append(tot)
    return out


@FAST
@given(games(min_n=1, max_n=7))
def test_banzhaf_matches_definition(g):
    want = literal_semivalue(list(g.values), g.n, [0.5 ** (g.n - 1)] * g.n)
    assert np.allclose(banzhaf(g), want, rtol=0, atol=1e-9)


@FAST
@given(games(min_n=1, max_n=6, integers=True), st.data())
def test_random_semivalue_exact_matches_definition(g, data):
    p = [Fraction(data.draw(st.integers(0, 50)), data.draw(st.integers(1, 50))) for _ in range(g.n)]
    e = g.to_exact()
    got = semivalue(e, p)
    assert list(got) == literal_semivalue(list(e.values), e.n, p)
    assert np.allclose(semivalue(g, [float(x) for x in p]), [float(x) for x in got], rtol=0, atol=1e-9)


@FAST
@given(games(min_n=1, max_n=6), st.integers(1, 20), st.integers(1, 20))
def test_beta_shapley_matches_definition(g, a, b):
    p = beta_weights(g.n, a, b)
    assert np.allclose(beta_shapley(g, a, b), literal_semivalue(list(g.values), g.n, p), rtol=0, atol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_beta_weights_form_a_probabilistic_value(n):
    # Σ_s C(n−1, s) p(s) = 1 (Dubey, Neyman & Weber 1981)
    for a, b in [(1, 1), (16, 1), (4, 1), (Fraction(1, 2), Fraction(3, 2))]:
        p = beta_weights(n, a, b, exact=True)
        assert sum(math.comb(n - 1, s) * p[s] for s in range(n)) == 1


def test_beta_one_one_is_shapley_exactly():
    # Kwon & Zou (2022): Beta(1,1) is the Shapley value
    e = Game.from_values(names(6), [0] + list(range(1, 64)), exact=True)
    assert list(beta_shapley(e, 1, 1)) == list(shapley(e))
    assert beta_weights(4, 1, 1, exact=True) == semivalue_weights(4, "shapley", exact=True)


def test_beta_16_1_favours_small_coalitions():
    p = beta_weights(8, 16, 1)
    w = [math.comb(7, s) * p[s] for s in range(8)]    # probability mass per coalition size
    assert w == sorted(w, reverse=True)


def test_banzhaf_of_majority_game():
    # 3-player simple majority: each player is pivotal in 2 of 4 coalitions ⇒ β_i = 1/2
    e = Game.from_values(names(3), [0, 0, 0, 1, 0, 1, 1, 1], exact=True)
    assert list(banzhaf(e)) == [Fraction(1, 2)] * 3


def test_banzhaf_at_n16_against_per_player_definition():
    rng = np.random.default_rng(16)
    v = rng.random(2**16)
    v[0] = 0
    g = Game.from_values(names(16), v)
    want = [(v.reshape(2 ** (15 - i), 2, 2**i)[:, 1, :] - v.reshape(2 ** (15 - i), 2, 2**i)[:, 0, :]).mean()
            for i in range(16)]
    assert np.abs(banzhaf(g) - want).max() <= 1e-9


def test_bad_weights_and_parameters():
    g = Game.from_values(names(2), [0, 1, 2, 4])
    with pytest.raises(InvalidModel, match="p\\(1\\)"):
        semivalue(g, [1.0, float("nan")])
    with pytest.raises(InvalidModel, match="need 2 weights"):
        semivalue(g, [1.0])
    with pytest.raises(InvalidModel, match="alpha"):
        beta_shapley(g, 0, 1)
    with pytest.raises(InvalidModel, match="unknown semivalue"):
        semivalue_weights(2, "owen")
