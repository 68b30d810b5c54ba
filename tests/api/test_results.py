"""Labelled results (mechsolve/api/results.py, CheckReport.to_frame): mapping, arrays, frames, JSON."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

import mechsolve as ms
from mechsolve.errors import InvalidModel

from strategies import MODELS


@pytest.fixture
def nguyen() -> ms.Solution:
    return ms.solve(ms.load(MODELS / "nguyen-mnist-unlimited.yaml"), check=True)


def test_a_solution_is_a_mapping_from_players(nguyen):
    s = nguyen
    assert list(s) == list(s.players) and len(s) == 5
    assert s[s.players[0]] == s.allocation[0] and dict(s) == s.to_dict()
    assert s.tolist() == list(s.to_dict().values())
    assert np.array_equal(np.asarray(s), s.allocation) and np.asarray(s, dtype=np.float32).dtype == np.float32
    with pytest.raises(KeyError):
        s["nobody"]
    assert s == s.to_dict()                           # Mapping equality
    assert s.quantity("model_reward") == dict(zip(s.players, s.quantities["model_reward"].tolist()))
    with pytest.raises(InvalidModel, match="no per-player 'banana'"):
        s.quantity("banana")


def test_frame_holds_every_per_player_quantity(nguyen):
    f = nguyen.to_frame()
    assert list(f.index) == list(nguyen.players) and f.index.name == "player"
    assert list(f.columns[:2]) == ["v({i})", "payoff"]
    assert set(nguyen.quantities) <= set(f.columns)
    for k, vec in nguyen.quantities.items():
        assert np.array_equal(f[k].to_numpy(dtype=float), np.asarray(vec, dtype=float))
    assert np.array_equal(f["v({i})"].to_numpy(), nguyen.game.singletons())


def test_exact_frames_keep_fractions():
    s = ms.solve(ms.load(MODELS / "glove-game.yaml"), exact=True)
    f = s.to_frame()
    assert f.loc["L", "shapley"] == Fraction(2, 3) and isinstance(s["R1"], Fraction)
    assert json.loads(s.to_json())["exact_values"]["shapley"]["L"] == "2/3"


def test_json_is_the_data_and_dict_is_the_allocation(nguyen):
    data = json.loads(nguyen.to_json())
    assert data["values"]["payoff"] == pytest.approx(nguyen.to_dict())
    assert data["checks"] == json.loads(nguyen.checks.to_json())
    assert nguyen.data["players"] == list(nguyen.players)


def test_check_report_frame_and_verdicts(nguyen):
    rep = nguyen.checks
    f = rep.to_frame()
    assert list(f.index) == [v.axiom for v in rep]
    for v in rep:
        assert f.loc[v.axiom, "status"] == str(v.status)
        assert f.loc[v.axiom, "margin"] == v.margin == v.worst_margin
        assert f.loc[v.axiom, "witness"] == v.witness
    bad = ms.check(ms.load(MODELS / "mnist-5-parties.yaml"), axioms=["individual-rationality"])
    v = bad["individual-rationality"]
    assert str(v.status) == "violated" and v.witness["player"] and v.got < v.expected and v.margin == v.expected - v.got


def test_repr_is_short_and_labelled():
    s = ms.shapley(ms.Game.from_array([0, 1, 2, 4], players=["a", "b"]))
    assert repr(s) == "Solution(shapley: a=1.5, b=2.5)"
    assert str(s.status) == "solved" and "shapley on 2 players" in s.message
