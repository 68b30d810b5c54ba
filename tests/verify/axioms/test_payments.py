"""Payment axioms: each holds on the scheme's own outcome, is violated on a tampered one
(with the witness), and answers not-applicable with a reason when its premise fails."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from mechsolve.verify.check import HOLDS, NOT_APPLICABLE, VIOLATED, run_checks
from mechsolve.games.game import Game
from mechsolve.model.io import load
from mechsolve.data.market import build_game
from mechsolve.schemes import get_scheme
from mechsolve.verify.axioms.payments import replication_study
from mechsolve.games.shapley import shapley
from mechsolve.model.io import resolve_model

MODELS = Path(__file__).resolve().parents[3] / "models"
G3 = Game.from_values(["a", "b", "c"], [0, 1, 2, 4, 3, 5, 6, 9])


def check(game: Game, scheme: str, params: dict, axioms: list[str], outcome=None, **kw):  # type: ignore[no-untyped-def]
    s = get_scheme(scheme)
    o = outcome if outcome is not None else s.compute(game, params)
    return run_checks(game, o, lambda g: s.rule(g, params), axioms, **kw)


def tamper(o, name: str, i: int, delta: float):  # type: ignore[no-untyped-def]
    per = dict(o.per_player)
    vec = np.array(per[name], dtype=float)
    vec[i] += delta
    per[name] = vec
    alloc = vec if name == o.allocation_name else o.allocation
    return dataclasses.replace(o, per_player=per, allocation=alloc)


@pytest.mark.parametrize("scheme, params, axioms", [
    ("nguyen-payoff", {}, ["balance", "fair-cost", "flow-decomposition"]),
    ("nguyen-budget", {"budgets": {"a": 0.5}}, ["balance", "budget-constraints", "weak-efficiency",
                                               "flow-decomposition", "model-reward-ir"]),
    ("nguyen-budget", {"budgets": {"a": 0.5}, "caps": {"c": 7}}, ["performance-constraints", "weak-efficiency"]),
    ("ohrimenko-single", {"c": 3}, ["balance", "payout-balance", "fees-consistent"]),
])
def test_axioms_hold_on_the_schemes_own_outcomes(scheme: str, params: dict, axioms: list[str]) -> None:
    G = G3.scale(0.1) if scheme.startswith("ohrimenko") else G3
    rep = check(G, scheme, params, axioms)
    assert [v.status for v in rep.verdicts] == [HOLDS] * len(axioms), rep.to_dict()


def test_balance_catches_a_tampered_payoff() -> None:
    o = get_scheme("nguyen-payoff").compute(G3, {})
    rep = check(G3, "nguyen-payoff", {}, ["balance", "flow-decomposition"], outcome=tamper(o, "payoff", 1, 0.25))
    assert [v.status for v in rep.verdicts] == [VIOLATED, VIOLATED]
    assert rep.verdicts[0].worst_margin == pytest.approx(0.25)
    assert rep.verdicts[1].counterexample["witness"]["party"] == "b"


def test_budget_and_performance_constraints_catch_overspending() -> None:
    s = get_scheme("nguyen-budget")
    o = s.compute(G3, {"budgets": {"a": 0.5}, "caps": {"c": 7}})
    bad = tamper(o, "payoff", 0, -1.0)                  # a pays 1 more than allowed
    rep = check(G3, "nguyen-budget", {}, ["budget-constraints"], outcome=bad)
    assert rep.verdicts[0].status == VIOLATED and rep.verdicts[0].counterexample["witness"]["party"] == "a"
    bad = tamper(o, "model_reward", 2, 5.0)
    rep = check(G3, "nguyen-budget", {}, ["performance-constraints"], outcome=bad)
    assert rep.verdicts[0].status == VIOLATED and rep.verdicts[0].counterexample["expected"] == 7


def test_fees_consistency_recomputes_from_the_gain_table() -> None:
    G = G3.scale(0.1)
    o = get_scheme("ohrimenko-single").compute(G, {})
    rep = check(G, "ohrimenko-single", {}, ["fees-consistent"], outcome=tamper(o, "fee", 2, 0.01))
    v = rep.verdicts[0]
    assert v.status == VIOLATED and v.counterexample["witness"]["party"] == "c"


@pytest.mark.parametrize("scheme, axiom, reason", [
    ("shapley", "balance", "not a transfer"),
    ("shapley", "budget-constraints", "does not produce"),
    ("nguyen-payoff", "performance-constraints", "does not produce"),
    ("nguyen-payoff", "dummy-party", "no party is a dummy"),
    ("ohrimenko-single", "zero-element-buyer", "nobody is a zero-element buyer"),
    ("shapley", "fair-cost", "no payoff flows"),
])
def test_not_applicable_with_reason(scheme: str, axiom: str, reason: str) -> None:
    G = G3.scale(0.1)
    rep = check(G, scheme, {}, [axiom])
    assert rep.verdicts[0].status == NOT_APPLICABLE and reason in rep.verdicts[0].reason


def test_model_reward_ir_on_non_monotone_game_names_the_coalition() -> None:
    """eq. (8) needs v(C ∪ i) ≥ v(i): a non-monotone game breaks it for 0 < λ_i (with the witness)."""
    g = Game.from_values(["a", "b"], [0, 3, 1, 2])          # v(a, b) = 2 < v(a) = 3
    rep = check(g, "nguyen-budget", {"budgets": {}}, ["model-reward-ir", "weak-efficiency"])
    ir, we = rep.verdicts
    assert we.status == NOT_APPLICABLE and "monotone" in we.reason
    if ir.status == VIOLATED:
        assert "not monotone" in ir.note
        assert ir.counterexample["witness"]["C ∪ i"] in (["b", "a"], ["a", "b"])


# ---------------------------------------------------------------- replication
def test_shapley_is_not_replication_robust_app_d_example() -> None:
    """Nguyen et al. (2022) App. D: two symmetric parties, v(N) = 1; replicating gives 2/3 > 1/2."""
    g = Game.from_values(["1", "2"], [0, 1, 1, 1])
    rep = check(g, "shapley", {}, ["replication-robustness"])
    v = rep.verdicts[0]
    assert v.status == VIOLATED and v.counterexample["got"] == pytest.approx(2 / 3)
    assert "not replication-robust" in v.note
    r = replication_study(g, shapley, "1", 1)
    assert r["total_with_replicas"] == pytest.approx(2 / 3) and r["original"][0] == pytest.approx(0.5)


def test_nguyen_negative_payoff_parties_do_not_gain_by_replicating() -> None:
    """App. D, eq. (19): with monotone v a party with p_i ≤ 0 cannot gain by replicating (k = 1, 2, 3)."""
    g = build_game(load(MODELS / "nguyen-imdb-unlimited.yaml"))
    s = get_scheme("nguyen-payoff")
    p = s.compute(g, {}).allocation
    for i in np.flatnonzero(p <= 0):
        for k in (1, 2, 3):
            r = replication_study(g, lambda h: s.rule(h, {}), int(i), k)
            assert r["total_with_replicas"] <= p[i] + 1e-12


def test_declared_measured_replicas_from_the_model() -> None:
    m = load(MODELS / "nguyen-mnist-replica-of-1.yaml")
    g = build_game(resolve_model(m, MODELS))
    s = get_scheme("nguyen-payoff")
    o = s.compute(g, {})
    rep = run_checks(g, o, lambda h: s.rule(h, {}), ["replication-robustness"], extra={"model": m})
    v = rep.verdicts[0]
    assert v.status == HOLDS and v.checked == 1
    # recompute: payoff of [1-2] in the 5-party market vs [1-2] + replica in the 6-party one
    g5 = g.restrict([p for p in g.names if p != "digits [1-2] (replica)"])
    p5 = s.rule(g5, {})[g5.index["digits [1-2]"]]
    assert o.allocation[1] + o.allocation[2] <= p5


def test_declared_replicas_with_unknown_names_are_not_applicable() -> None:
    s = get_scheme("nguyen-payoff")
    o = s.compute(G3, {})
    rep = run_checks(G3, o, lambda h: s.rule(h, {}), ["replication-robustness"], extra={"replicas": {"x": "a"}})
    assert rep.verdicts[0].status == NOT_APPLICABLE and "unknown" in rep.verdicts[0].reason


def test_budgets_inf_is_not_a_constraint() -> None:
    s = get_scheme("nguyen-budget")
    o = s.compute(G3, {"budgets": {p: math.inf for p in G3.names}})
    rep = run_checks(G3, o, lambda h: s.rule(h, {}), ["budget-constraints", "budget-efficiency"])
    assert [v.status for v in rep.verdicts] == [HOLDS, HOLDS]
