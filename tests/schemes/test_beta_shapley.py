"""The `beta-shapley` scheme (mechsolve/schemes/beta_shapley.py) against Kwon & Zou's (2022) definition.

``p(s) = B(s+β, n−1−s+α)/B(α, β)`` is recomputed here from the Beta function through
``math.lgamma`` (an independent route from the kernel's rising factorials).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechsolve.cli import cli
from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games.shapley import shapley
from mechsolve.schemes import get_scheme

from strategies import games

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEME = get_scheme("beta-shapley")


def beta_weight(n: int, s: int, a: float, b: float) -> float:
    def lbeta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return math.exp(lbeta(s + b, n - 1 - s + a) - lbeta(a, b))


def literal(g: Game, a: float, b: float) -> list[float]:
    n = g.n
    return [sum(beta_weight(n, bin(m).count("1"), a, b) * (g.values[m | 1 << i] - g.values[m])
                for m in range(2**n) if not m >> i & 1) for i in range(n)]


@FAST
@given(games(min_n=1, max_n=6), st.integers(1, 20), st.integers(1, 20))
def test_beta_shapley_scheme_is_the_definition(g: Game, a: int, b: int) -> None:
    o = SCHEME.compute(g, {"alpha": a, "beta": b})
    assert np.allclose(o.allocation, literal(g, a, b), rtol=1e-9, atol=1e-9)
    assert o.scalars["alpha"] == a and o.scalars["beta"] == b


@FAST
@given(games(min_n=1, max_n=6))
def test_beta_one_one_is_shapley(g: Game) -> None:
    assert np.allclose(SCHEME.compute(g, {"alpha": 1, "beta": 1}).allocation, shapley(g), rtol=0, atol=1e-12)


def test_defaults_are_16_1_and_fractions_are_exact() -> None:
    g = Game.from_values(["a", "b"], [0, 1, 2, 4], exact=True)
    assert [str(x) for x in SCHEME.compute(g, {}).allocation] == ["18/17", "35/17"]
    half = SCHEME.compute(g, {"alpha": "1/2", "beta": "3/2"}).allocation
    assert all(isinstance(x, Fraction) for x in half)
    assert np.allclose([float(x) for x in half], literal(g.to_float(), 0.5, 1.5), rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -1, "x", True])
def test_bad_alpha_is_named(bad) -> None:
    with pytest.raises(InvalidModel) as e:
        SCHEME.compute(Game.from_values(["a"], [0, 1]), {"alpha": bad})
    assert "alpha" in str(e.value)


def test_beta_shapley_from_a_model_file(tmp_path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text("kind: cooperative-market\nplayers: [a, b]\nvalue: {values: [0, 1, 2, 4]}\n"
                     "scheme: {name: beta-shapley, alpha: 16, beta: 1}\nexact: true\n")
    r = CliRunner().invoke(cli, ["solve", str(model), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["scheme"] == {"name": "beta-shapley", "alpha": 16, "beta": 1}
    assert data["exact_values"]["beta_shapley"] == {"a": "18/17", "b": "35/17"}
