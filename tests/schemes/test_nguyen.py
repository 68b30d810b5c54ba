"""Nguyen, Low & Jaillet (2022) Sec. 3: payoffs p = nφ − v(N), the (α, β) family and payoff flows.

Properties are recomputed from the game: balance, symmetry, dummy party (Lemma 3.1), the
conditional Shapley value by its literal formula (eq. 5), fair cost (eq. 4), eq. (6)-(7).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.verify.check import HOLDS, run_checks
from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.model.io import load
from mechsolve.data.market import build_game
from mechsolve.schemes import get_scheme
from mechsolve.schemes.nguyen import flow_graph, graph_format, graph_text, payoffs
from mechsolve.games.shapley import shapley
from mechsolve.model.io import resolve_model

from strategies import games

MODELS = Path(__file__).resolve().parents[2] / "models"
PAY = get_scheme("nguyen-payoff")


def literal_conditional(v: np.ndarray, n: int, i: int, j: int) -> float:
    """eq. (5): φ_{j|i} = 1/(n−1) Σ_{C ⊆ N∖{i,j}} C(n−2, |C|)^{-1} (v(C∪i∪j) − v(C∪i))."""
    rest = [k for k in range(n) if k not in (i, j)]
    total = 0.0
    for bits in range(2 ** len(rest)):
        C = sum(1 << rest[b] for b in range(len(rest)) if bits >> b & 1)
        size = bin(C).count("1")
        total += (v[C | 1 << i | 1 << j] - v[C | 1 << i]) / math.comb(n - 2, size)
    return total / (n - 1)


@settings(max_examples=40, deadline=None)
@given(games(min_n=2, max_n=5))
def test_payoffs_flows_and_their_identities(g: Game) -> None:
    n = g.n
    o = PAY.compute(g, {})
    phi = shapley(g)
    p = o.allocation
    assert p == pytest.approx(n * phi - g.grand_value, abs=1e-9)           # Lemma 3.1, eq. (1)
    assert p.sum() == pytest.approx(0, abs=1e-8)                             # balance
    M = o.matrices["flows"]
    for i in range(n):
        for j in range(n):
            want = 0.0 if i == j else literal_conditional(g.values, n, i, j)
            assert M[i, j] == pytest.approx(want, abs=1e-9)                 # eq. (5)
    assert M.sum(axis=1) == pytest.approx(g.grand_value - g.singletons(), abs=1e-9)   # fair cost, eq. (4)
    assert M.sum(axis=0) == pytest.approx(n * phi - g.singletons(), abs=1e-9)          # eq. (6)
    assert M.sum(axis=0) - M.sum(axis=1) == pytest.approx(p, abs=1e-9)                 # eq. (7)


@settings(max_examples=30, deadline=None)
@given(games(min_n=2, max_n=5, integers=True), st.integers(-3, 6), st.integers(-5, 5))
def test_remark_3_6_family_exactly(g: Game, alpha: int, beta: int) -> None:
    ge = g.to_exact()
    p = payoffs(ge, Fraction(alpha), Fraction(beta))
    assert sum(p) == beta                                               # generalised efficiency
    phi = shapley(ge)
    for i in range(g.n):
        assert p[i] == alpha * phi[i] + (beta - alpha * ge.grand_value) / g.n
    o = PAY.compute(ge, {"alpha": alpha, "beta": beta})
    rep = run_checks(ge, o, lambda h: PAY.rule(h, {"alpha": alpha, "beta": beta}),
                     ["balance", "symmetry", "additivity", "dummy-party"])
    status = {v.axiom: v.status for v in rep.verdicts}
    assert all(status[a] in (HOLDS, "not-applicable") for a in ("balance", "symmetry", "dummy-party")), status
    # Remark 3.6 claims linearity, but with a fixed β ≠ 0 the scheme is affine: p(0) = β/n ≠ 0
    assert status["additivity"] == (HOLDS if beta == 0 else "violated")


def test_remark_3_6_linear_reading_beta_vN() -> None:
    g = Game.from_values(["a", "b", "c"], [0, 1, 2, 4, 3, 5, 6, 9]).to_exact()
    o = PAY.compute(g, {"alpha": 1, "beta": "v(N)"})
    assert list(o.allocation) == list(shapley(g))
    rep = run_checks(g, o, lambda h: PAY.rule(h, {"alpha": 1, "beta": "v(N)"}), ["additivity", "balance"])
    assert [v.status for v in rep.verdicts] == [HOLDS, HOLDS]


def test_shapley_is_alpha_1_beta_vN_and_dummy_pays_the_model() -> None:
    # player d is a dummy: v(C ∪ d) = v(C)
    g = Game.from_table(["a", "b", "d"], {"": 0, "a": 1, "b": 2, "a,b": 6, "d": 0, "a,d": 1, "b,d": 2,
                                          "a,b,d": 6})
    assert PAY.compute(g, {"alpha": 1, "beta": 6}).allocation == pytest.approx(shapley(g))
    o = PAY.compute(g, {})
    assert o.allocation[2] == pytest.approx(-6)                         # a dummy pays v(N)
    rep = run_checks(g, o, lambda h: PAY.rule(h, {}), ["dummy-party", "balance", "fair-cost",
                                                         "flow-decomposition"])
    assert [v.status for v in rep.verdicts] == [HOLDS] * 4
    assert o.notes == ()
    assert PAY.compute(g, {"alpha": "n"}).allocation == pytest.approx(o.allocation)


def test_omnipotent_party_pays_nobody() -> None:
    """Remark 3.11: v(C ∪ i) = v(i) for all C ⇒ p_{i,−} = 0."""
    g = Game.from_table(["o", "x", "y"], {"": 0, "o": 5, "x": 1, "y": 2, "o,x": 5, "o,y": 5, "x,y": 3,
                                          "o,x,y": 5})
    M = PAY.compute(g, {}).matrices["flows"]
    assert M[0].tolist() == [0, 0, 0]


def test_mnist_fig_2a_ordering() -> None:
    """Sec. 5, Fig. 2a (b = ∞): [6-9] gets the largest payoff; [0-3] more than [0] and [1-2]."""
    m = load(MODELS / "nguyen-mnist-unlimited.yaml")
    g = build_game(resolve_model(m, MODELS))
    p = dict(zip(g.names, PAY.compute(g, {}).allocation))
    assert max(p, key=p.get) == "digits [6-9]"
    assert p["digits [0-3]"] > p["digits [0]"] and p["digits [0-3]"] > p["digits [1-2]"]


def test_imdb_fig_4a_party_1_most_valuable() -> None:
    """App. J.3, Fig. 4a-b: party 1 (`party 0`) gets the highest payoff and has the largest v(i)."""
    g = build_game(load(MODELS / "nguyen-imdb-unlimited.yaml"))
    p = PAY.compute(g, {}).allocation
    assert int(np.argmax(p)) == 0 and int(np.argmax(g.singletons())) == 0


def test_bad_alpha() -> None:
    g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    with pytest.raises(InvalidModel, match="scheme.alpha"):
        PAY.compute(g, {"alpha": "two"})
    with pytest.raises(InvalidModel, match="scheme.beta"):
        PAY.compute(g, {"beta": float("inf")})


# ---------------------------------------------------------------- graphs
def test_flow_graph_round_trips_in_every_format(tmp_path: Path) -> None:
    g = build_game(load(MODELS / "nguyen-mnist-unlimited.yaml"))
    o = PAY.compute(g, {})
    G = flow_graph(g.names, o.matrices["flows"], o.per_player)
    M = o.matrices["flows"]
    assert G.number_of_edges() == int((M != 0).sum())
    data = json.loads(graph_text(G, "json"))
    edges = {(e["source"], e["target"]): e["weight"] for e in data["links"]}
    assert edges[("digits [0]", "digits [6-9]")] == pytest.approx(M[0, 4])
    H = nx.parse_graphml(graph_text(G, "graphml"))
    assert H["digits [0]"]["digits [6-9]"]["weight"] == pytest.approx(M[0, 4])
    assert H.nodes["digits [6-9]"]["payoff"] == pytest.approx(o.allocation[4])
    dot = graph_text(G, "dot")
    assert dot.startswith("digraph flows {") and dot.count("->") == G.number_of_edges()
    assert graph_format("x.gv") == "dot" and graph_format("x.GRAPHML") == "graphml"
    with pytest.raises(InvalidModel, match="graph"):
        graph_format("x.png")
