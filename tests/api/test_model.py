"""Models in Python (mechsolve/api/model.py): load, from_dict, from_game, with_scheme, the game once."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

import mechsolve as ms
from mechsolve.errors import InvalidModel, Unsupported
from mechsolve.model.io import load as load_spec

from strategies import MODELS


def test_load_is_the_validated_spec_and_its_folder():
    m = ms.load(MODELS / "mnist-5-parties.yaml")
    assert m.spec == load_spec(MODELS / "mnist-5-parties.yaml")
    assert m.base_dir == MODELS and m.name == "mnist-5-parties" and m.kind == "cooperative-market"
    assert m.game() is m.game()                      # built once
    assert m.game(exact=True).exact and m.game(exact=True).n == 5


def test_load_reports_bad_files_as_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: cooperative-market\nplayers: [a, a]\nvalue: {values: [0, 1]}\n")
    with pytest.raises(InvalidModel, match="duplicate"):
        ms.load(bad)
    with pytest.raises(InvalidModel, match="unknown kind"):
        ms.Model({"kind": "nope"})


def test_from_dict_resolves_files_against_base_dir():
    m = ms.Model.from_dict({"kind": "cooperative-market", "players": ["digits [0]", "digits [1-2]", "digits [0-3]",
                                                                      "digits [3-5]", "digits [6-9]"],
                            "value": {"file": "data/mnist-5-parties.json"}}, base_dir=MODELS)
    assert np.array_equal(m.game().values, ms.load(MODELS / "mnist-5-parties.yaml").game().values)


def test_from_game_round_trips_the_values():
    g = ms.Game.from_array([0, 0.1, 0.2, 0.35], players=["a", "b"])
    m = ms.Model.from_game(g, scheme="banzhaf", check=["symmetry"])
    assert m.spec.value.values == [0.0, 0.1, 0.2, 0.35] and m.scheme == "banzhaf"
    assert m.game() is g
    exact = ms.Model.from_game(g.to_exact(decimals=True))
    assert exact.spec.exact and exact.game().values[3] == Fraction(7, 20)
    with pytest.raises(Unsupported, match="decimal"):
        ms.Model.from_game(ms.Game.from_values(["a"], [0, Fraction(1, 3)], exact=True))


def test_with_scheme_keeps_the_model_and_its_game():
    m = ms.load(MODELS / "glove-game.yaml")
    b = m.with_scheme("beta-shapley", alpha=2)
    assert b.scheme == "beta-shapley" and b.spec.scheme.params == {"alpha": 2} and b.players == m.players
    assert m.scheme == "shapley"


def test_a_mechanism_model_has_agents_but_no_game():
    m = ms.load(MODELS / "chen-linear-example1.yaml")
    assert m.kind == "mechanism-design" and m.players and m.scheme in ("mep", "max-payment", "zero", "table")
    with pytest.raises(Unsupported, match="no characteristic function"):
        m.game()
    assert "mechanism-design" in repr(m)


@pytest.mark.parametrize("value, field, match", [
    ({"values": [0, 1, 1]}, "value", "3 values for 2 players"),
    ({"table": {"": 0, "a": 1}}, "value.table", "coalitions are missing"),
    ({"file": "no-such-table.json"}, "value.file", "file not found"),
    ({"callable": "no_such_file.py:v"}, "value.callable", "file not found"),
])
def test_a_model_is_validated_where_it_is_built(value, field, match, tmp_path):
    """Issue 15: `load`/`Model` give a resolved, validated model — a bad value fails at construction, not at solve."""
    data = {"kind": "cooperative-market", "players": ["a", "b"], "value": value}
    with pytest.raises(InvalidModel, match=match) as exc:
        ms.Model(data, base_dir=tmp_path)
    assert exc.value.field == field
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidModel, match=match):
        ms.load(path)


def test_a_model_checks_its_scheme_parameters_where_it_is_built():
    data = {"kind": "cooperative-market", "players": ["a", "b"], "value": {"values": [0, 1, 1, 3]},
            "scheme": {"name": "banzhaf", "weights": [1, 0]}}
    with pytest.raises(InvalidModel, match="no parameter 'weights'"):
        ms.Model(data)
    with pytest.raises(InvalidModel, match="no parameter 'gamma'"):
        ms.load(MODELS / "glove-game.yaml").with_scheme("beta-shapley", gamma=1)


def test_a_built_model_holds_its_game_and_a_callable_is_not_run_at_load(tmp_path):
    (tmp_path / "v.py").write_text("CALLS = []\ndef v(s):\n    CALLS.append(s)\n    return float(len(s))\n")
    m = ms.Model({"kind": "cooperative-market", "players": ["a", "b"], "value": {"callable": "v.py:v"}},
                 base_dir=tmp_path, allow_code=True)
    assert not m._games                              # user code runs only when the game is needed
    assert m.game().grand_value == 2.0
    glove = ms.load(MODELS / "glove-game.yaml")
    assert set(glove._games) == {False}               # read and built by load
