"""Ohrimenko, Tople & Tschiatschek (2019): single-task, multi-task and data-selection markets.

Each test recomputes the paper's formulas literally (loops over coalitions) or the property
(balance §3.1, payout balance, Condition 1) from the game. Reproduction: Nguyen et al. (2022)
print this scheme's payoff vector on their MNIST (Sec. 5) and IMDB (App. J.3) markets.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.verify.check import HOLDS, NOT_APPLICABLE, run_checks
from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.model.io import load
from mechsolve.data.market import build_game
from mechsolve.schemes import get_scheme
from mechsolve.schemes.ohrimenko import multi_task_value, single_task_value
from mechsolve.games.shapley import shapley
from mechsolve.model.io import resolve_model

MODELS = Path(__file__).resolve().parents[2] / "models"
SINGLE = get_scheme("ohrimenko-single")
MULTI = get_scheme("ohrimenko-multi")
SELECTION = get_scheme("ohrimenko-selection")


def members(m: int, n: int) -> list[int]:
    return [k for k in range(n) if m >> k & 1]


@st.composite
def gain_tables(draw: st.DrawFn, min_n: int = 2, max_n: int = 5, supermodular: bool = False) -> Game:
    """Monotone gain tables in [0, 1] with G(∅) = 0; supermodular ones as G(S) = (Σ_{j∈S} w_j)² / (Σ w)²."""
    n = draw(st.integers(min_n, max_n))
    names = [f"p{k}" for k in range(n)]
    if supermodular:
        w = np.array(draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)), dtype=float)
        vals = [(sum(w[k] for k in members(m, n)) / w.sum()) ** 2 for m in range(2**n)]
        return Game.from_values(names, vals)
    vals = np.array(draw(st.lists(st.floats(0, 1, allow_nan=False), min_size=2**n, max_size=2**n)))
    vals[0] = 0
    for k in range(n):                                  # monotone closure
        view = vals.reshape(-1, 2, 2**k)
        np.maximum(view[:, 1, :], view[:, 0, :], out=view[:, 1, :])
    if vals[-1] < 1e-6:                                 # v(N) ≥ G(N): keep it clear of the zero tolerance
        vals[-1] = 1.0                                  # (hypothesis draws subnormals: v(N) = 0 is bad input)
    return Game.from_values(names, vals)


def test_single_task_value_is_the_paper_formula() -> None:
    rng = np.random.default_rng(3)
    n = 4
    G = Game.from_values([f"p{k}" for k in range(n)], np.r_[0, rng.random(2**n - 1)])
    v = single_task_value(G).values
    for m in range(2**n):   # v(S) = G(S) + Σ_{j∈S} (G(S) − G({j}))   (§4.1)
        assert v[m] == pytest.approx(G.values[m] + sum(G.values[m] - G.values[1 << j] for j in members(m, n)))


def test_multi_task_value_is_the_paper_formula() -> None:
    rng = np.random.default_rng(4)
    n = 3
    tasks = [Game.from_values(["a", "b", "c"], np.r_[0, rng.random(2**n - 1)]) for _ in range(n)]
    w = multi_task_value(tasks).values
    for m in range(2**n):   # w(S) = Σ_{i∈N} G_i(S) + Σ_{i∈S} (G_i(S) − G_i({i}))   (§4.2)
        lit = sum(t.values[m] for t in tasks) + sum(tasks[i].values[m] - tasks[i].values[1 << i]
                                                    for i in members(m, n))
        assert w[m] == pytest.approx(lit)


@settings(max_examples=40, deadline=None)
@given(gain_tables(), st.sampled_from([1, 2.5, 100]))
def test_balance_fees_and_payouts(G: Game, c: float) -> None:
    o = SINGLE.compute(G, {"c": c})
    per = o.per_player
    a = np.array([G.grand_value - G.values[1 << i] for i in range(G.n)])
    v = single_task_value(G)
    psi = shapley(v) / v.grand_value
    assert per["net_gain"].sum() == pytest.approx(0, abs=1e-9)                       # balance (§4.1)
    assert per["payout"].sum() == pytest.approx(c * a.sum())                          # Σ b_i = c Σ a_i
    assert per["fee"] == pytest.approx(c * (1 - G.singletons()))                      # A_i = c(1 − G(i))
    assert per["net_gain"] == pytest.approx(c * (psi * a.sum() - a), abs=1e-9)      # ψ_i a − a_i
    assert (per["total"] - per["fee"]) == pytest.approx(per["net_gain"], abs=1e-9)
    rep = run_checks(G, o, lambda g: SINGLE.rule(g, {"c": c}),
                     ["balance", "payout-balance", "fees-consistent"], tolerance=1e-7)
    assert [v.status for v in rep.verdicts] == [HOLDS] * 3


@settings(max_examples=25, deadline=None)
@given(gain_tables(max_n=4, supermodular=True))
def test_theorem1_replication_robust_on_supermodular_gains(G: Game) -> None:
    """Theorem 1: with monotone, supermodular G a replicating party gains nothing (Condition 1)."""
    o = SINGLE.compute(G, {})
    rep = run_checks(G, o, lambda g: SINGLE.rule(g, {}), ["replication-robustness"], tolerance=1e-9,
                     extra={"replica_counts": (1, 2)})
    assert rep.verdicts[0].status == HOLDS, rep.verdicts[0].counterexample


def test_symmetric_market_nobody_gains_exactly() -> None:
    """§4.1: when every party is equivalent, t^R = 0 — in exact arithmetic."""
    G = Game.from_values(["a", "b", "c"], [0, 1, 1, 3, 1, 3, 3, 6], exact=True).scale(Fraction(1, 6))
    o = SINGLE.compute(G, {})
    assert all(x == 0 for x in o.allocation)
    rep = run_checks(G, o, lambda g: SINGLE.rule(g, {}), ["balance", "symmetry", "replication-robustness"])
    assert [v.status for v in rep.verdicts] == [HOLDS] * 3


def test_zero_element_buyer_gets_fee_back() -> None:
    """§3.1: a party whose performance does not increase (a_i = 0) gets its fee A_i back."""
    G = Game.from_values(["strong", "weak"], [0, 0.9, 0.2, 0.9])     # strong alone already reaches G(N)
    o = SINGLE.compute(G, {"c": 10})
    i = 0
    assert o.per_player["gain"][i] == 0
    assert o.per_player["total"][i] >= o.per_player["fee"][i]
    rep = run_checks(G, o, lambda g: SINGLE.rule(g, {}), ["zero-element-buyer"])
    assert rep.verdicts[0].status == HOLDS


# ---------------------------------------------------------------- reproduction (printed numbers)
@pytest.mark.parametrize("model, printed, unit", [
    # Nguyen et al. (2022) Sec. 5: "[12] ... results in a payoff vector [-0.41, -0.26, -0.02, 0.12, 0.58]"
    ("ohrimenko-mnist-single.yaml", [-0.41, -0.26, -0.02, 0.12, 0.58], 0.01),
    # Nguyen et al. (2022) App. J.3: "[0.042, -0.002, -0.020, -0.017, -0.002]"
    ("ohrimenko-imdb-single.yaml", [0.042, -0.002, -0.020, -0.017, -0.002], 0.001),
])
def test_reproduces_the_payoffs_nguyen_et_al_print(model: str, printed: list[float], unit: float) -> None:
    m = load(MODELS / model)
    G = build_game(resolve_model(m, MODELS))
    got = SINGLE.compute(G, {}).allocation
    # within one unit of the last printed digit (the paper truncates on MNIST, rounds some IMDB entries)
    assert np.abs(got - printed).max() < unit
    assert abs(got.sum()) < 1e-12


def test_mnist_printed_vector_is_truncated_not_rounded() -> None:
    G = build_game(load(MODELS / "ohrimenko-mnist-single.yaml"))
    got = SINGLE.compute(G, {}).allocation
    assert np.trunc(got * 100).tolist() == pytest.approx([-41, -26, -2, 12, 58])


def test_imdb_market_is_a_counterexample_to_condition_1() -> None:
    """G is monotone but not supermodular: Theorem 1's premise fails, and so does Condition 1."""
    m = load(MODELS / "ohrimenko-imdb-single.yaml")
    G = build_game(resolve_model(m, MODELS))
    o = SINGLE.compute(G, {})
    rep = run_checks(G, o, lambda g: SINGLE.rule(g, {}), ["replication-robustness"])
    v = rep.verdicts[0]
    assert v.status == "violated" and "not supermodular" in (v.note or "")
    cex = v.counterexample
    # recompute the witness: the party and its replica together earn more than the party alone
    from mechsolve.games.game import replicate
    i = G.index[cex["witness"]["party"]]
    out = SINGLE.rule(replicate(G, i, 1), {})
    assert out[i] + out[-1] > o.allocation[i]


# ---------------------------------------------------------------- multi-task and selection
def test_multi_task_model_runs_and_balances() -> None:
    m = load(MODELS / "ohrimenko-multi-task.yaml")
    G = build_game(resolve_model(m, MODELS))
    o = MULTI.compute(G, m.scheme.params)
    tasks = [t["table"] for t in m.scheme.params["tasks"].values()]
    own = [Game.from_table(G.names, t) for t in tasks]
    a = np.array([own[i].grand_value - own[i].values[1 << i] for i in range(3)])
    assert o.per_player["gain"] == pytest.approx(a)
    assert o.per_player["fee"] == pytest.approx(100 * (1 - np.array([own[i].values[1 << i] for i in range(3)])))
    assert o.allocation.sum() == pytest.approx(0, abs=1e-9)
    assert o.per_player["payout"].sum() == pytest.approx(100 * a.sum())
    rep = run_checks(G, o, lambda g: MULTI.rule(g, m.scheme.params), ["replication-robustness"])
    assert rep.verdicts[0].status == NOT_APPLICABLE       # the replica's own task is not in the game


def test_multi_task_without_tasks_uses_value_for_everyone() -> None:
    G = Game.from_values(["a", "b"], [0, 0.25, 0.5, 1.0])
    o = MULTI.compute(G, {})
    w = multi_task_value([G, G])
    assert o.per_player["shapley_v"] == pytest.approx(shapley(w))


@pytest.mark.parametrize("include_own", [False, True])
def test_selection_restricts_gains_to_the_selected_data(include_own: bool) -> None:
    # party z is useless for the task; party b's data matters only with a
    G = Game.from_values(["a", "b", "z"], [0, .4, .1, .6, 0, .4, .1, .6])
    o = SELECTION.compute(G, {"tau": 0.05, "include_own": include_own})
    D = o.matrices["selected D_i"]
    phi = shapley(G)
    expect = [1 if phi[j] >= 0.05 else 0 for j in range(3)]
    assert D[0].tolist() == expect and expect == [1, 1, 0]
    if include_own:
        assert D[2].tolist() == [1, 1, 1]                 # z keeps its own (useless) data
    else:
        assert D[2].tolist() == expect                    # the paper's D: the threshold set only
    # G(S) := G(S ∩ D): with one common D the game on {a, b} is unchanged and z's gain is G(N) − G(∅ or z)
    assert o.per_player["gain"][0] == pytest.approx(0.6 - 0.4)
    assert o.allocation.sum() == pytest.approx(0, abs=1e-12)


def test_selection_per_party_tasks_and_thresholds() -> None:
    G = Game.from_values(["a", "b"], [0, 0.5, 0.5, 1.0])
    tasks = {"a": {"values": [0, 0.8, 0.0, 0.8]}, "b": {"values": [0, 0.3, 0.4, 0.9]}}
    o = SELECTION.compute(G, {"tasks": tasks, "tau": {"a": 0.1, "b": 0.1}})
    assert o.matrices["selected D_i"].tolist() == [[1, 0], [1, 1]]   # b's data is useless to a's task


@pytest.mark.parametrize("params, field", [
    ({}, "scheme.tau"),
    ({"tau": {"a": 0.1}}, "scheme.tau"),
    ({"tau": 0.1, "tasks": {"nobody": {"values": [0, 0, 0, 0]}}}, "scheme.tasks.nobody"),
    ({"tau": 0.1, "tasks": {"a": {"values": [1, 0, 0, 0]}}}, "value"),
    ({"tau": 0.1, "include_own": "yes"}, "scheme.include_own"),
    ({"tau": "high"}, "scheme.tau"),
])
def test_selection_bad_parameters_name_the_field(params: dict, field: str) -> None:
    G = Game.from_values(["a", "b"], [0, 0.5, 0.5, 1.0])
    with pytest.raises(InvalidModel) as err:
        SELECTION.compute(G, params)
    assert field in str(err.value)


def test_gain_table_needs_zero_empty_set() -> None:
    G = Game.from_values(["a", "b"], [0.1, 0.5, 0.5, 1.0], allow_nonzero_empty=True)
    with pytest.raises(InvalidModel, match="G\\(∅\\) = 0"):
        SINGLE.compute(G, {})
