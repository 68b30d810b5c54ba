"""The `semivalue` scheme (mechsolve/schemes/semivalue.py): declared per-size weights, checked literally."""

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
SCHEME = get_scheme("semivalue")


def literal(g: Game, p: list) -> list:
    n = g.n
    return [sum(p[bin(m).count("1")] * (g.values[m | 1 << i] - g.values[m]) for m in range(2**n) if not m >> i & 1)
            for i in range(n)]


@FAST
@given(games(min_n=1, max_n=5, integers=True), st.data())
def test_semivalue_is_the_definition_exactly(g: Game, data) -> None:
    p = [Fraction(data.draw(st.integers(-9, 9)), data.draw(st.integers(1, 9))) for _ in range(g.n)]
    e = g.to_exact()
    o = SCHEME.compute(e, {"weights": [f"{x.numerator}/{x.denominator}" for x in p]})
    assert list(o.allocation) == literal(e, p)
    assert o.scalars["Σ_s C(n−1,s) p(s)"] == sum(math.comb(g.n - 1, s) * x for s, x in enumerate(p))
    assert np.allclose(SCHEME.compute(g, {"weights": [float(x) for x in p]}).allocation,
                       [float(x) for x in o.allocation], rtol=0, atol=1e-9)


@FAST
@given(games(min_n=1, max_n=6))
def test_shapley_weights_give_shapley(g: Game) -> None:
    n = g.n
    w = [math.factorial(s) * math.factorial(n - 1 - s) / math.factorial(n) for s in range(n)]
    assert np.allclose(SCHEME.compute(g, {"weights": w}).allocation, shapley(g), rtol=0, atol=1e-12)


@pytest.mark.parametrize("params, field", [({}, "scheme.weights"), ({"weights": [1]}, "scheme.weights"),
                                           ({"weights": [1, "a"]}, "scheme.weights[1]"),
                                           ({"weights": 3}, "scheme.weights")])
def test_bad_weights_name_the_field(params, field) -> None:
    with pytest.raises(InvalidModel) as e:
        SCHEME.compute(Game.from_values(["a", "b"], [0, 1, 1, 3]), params)
    assert e.value.field == field


def test_semivalue_from_a_model_file_and_its_axioms(tmp_path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text("kind: cooperative-market\nplayers: [a, b, idle]\n"
                     "value: {table: {'': 0, a: 1, b: 1, idle: 0, 'a,b': 3, 'a,idle': 1, 'b,idle': 1, 'a,b,idle': 3}}\n"
                     "scheme: {name: semivalue, weights: ['1/3', '1/6', '1/3']}\nexact: true\n")
    r = CliRunner().invoke(cli, ["check", str(model), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    status = {v["axiom"]: v["status"] for v in data["checks"]["verdicts"]}
    assert status == {"symmetry": "holds", "null-player": "holds", "additivity": "holds"}
    assert data["exact_values"]["semivalue"] == {"a": "3/2", "b": "3/2", "idle": "0"}
