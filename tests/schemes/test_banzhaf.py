"""The `banzhaf` scheme (mechsolve/schemes/banzhaf.py): the definition, exactness, its axioms, model files.

Each value is recomputed from the game one coalition at a time; the axioms are recomputed from
the game (symmetric pairs, null players, v + w) rather than read from the scheme.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from mechsolve.cli import cli
from mechsolve.games.game import Game
from mechsolve.schemes import get_scheme
from mechsolve.verify.check import run_checks

from strategies import games

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEME = get_scheme("banzhaf")


def literal_banzhaf(g: Game) -> list:
    n = g.n
    out = []
    for i in range(n):
        tot = Fraction(0) if g.exact else 0.0
        for m in range(2**n):
            if not m >> i & 1:
                tot += g.values[m | 1 << i] - g.values[m]
        out.append(tot / 2 ** (n - 1))
    return out


@FAST
@given(games(min_n=1, max_n=6))
def test_banzhaf_scheme_is_the_definition(g: Game) -> None:
    o = SCHEME.compute(g, {})
    assert o.scheme == "banzhaf" and o.allocation_name == "banzhaf"
    assert np.allclose(o.allocation, literal_banzhaf(g), rtol=0, atol=1e-9)
    assert o.scalars["Σ banzhaf"] == o.allocation.sum()


@FAST
@given(games(min_n=1, max_n=5, integers=True))
def test_banzhaf_exact_equals_literal_fractions(g: Game) -> None:
    e = g.to_exact()
    assert list(SCHEME.compute(e, {}).allocation) == literal_banzhaf(e)


@FAST
@given(games(min_n=2, max_n=5, integers=True))
def test_banzhaf_axioms_hold_exactly(g: Game) -> None:
    """Symmetry, null player and additivity hold in exact arithmetic (a null player planted, so one premise holds)."""
    vals = g.to_exact().values.copy()
    n = g.n
    for m in range(2**n):          # plant a null player: player 0 adds nothing to any coalition
        if m & 1:
            vals[m] = vals[m & ~1]
    e = Game(g.names, vals)
    rep = run_checks(e, SCHEME.compute(e, {}), SCHEME.rule, list(SCHEME.axioms))
    assert [str(v.status) for v in rep if v.axiom == "null-player"] == ["holds"]
    assert all(str(v.status) in ("holds", "not-applicable") for v in rep), rep.message
    assert SCHEME.compute(e, {}).allocation[0] == 0


def test_banzhaf_is_not_efficient_and_says_so() -> None:
    g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1], exact=True)   # majority: β = 1/2 each
    o = SCHEME.compute(g, {})
    assert list(o.allocation) == [Fraction(1, 2)] * 3
    rep = run_checks(g, o, SCHEME.rule, ["efficiency"])
    assert str(rep["efficiency"].status) == "violated" and rep["efficiency"].margin == Fraction(1, 2)
    assert "efficiency" not in SCHEME.axioms


def test_banzhaf_from_a_model_file(tmp_path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text("kind: cooperative-market\nplayers: [a, b, c]\n"
                     "value: {values: [0, 0, 0, 1, 0, 1, 1, 1]}\nscheme: banzhaf\nexact: true\n")
    r = CliRunner().invoke(cli, ["solve", str(model), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["scheme"] == {"name": "banzhaf"} and data["exact_values"]["banzhaf"] == {p: "1/2" for p in "abc"}
    assert {v["axiom"] for v in data["checks"]["verdicts"]} == set(SCHEME.axioms)
