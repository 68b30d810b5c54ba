"""The core and ε-core axioms: witnesses, exact mode, the model's ε."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np

from mechsolve.verify.analysis import analyse
from mechsolve.verify.check import run_checks
from mechsolve.games import Game
from mechsolve.schemes import get_scheme
from mechsolve.model import parse_model

MAJORITY = [0, 0, 0, 1, 0, 1, 1, 1]


def _check(game, scheme, axioms, **kw):
    s = get_scheme(scheme)
    return run_checks(game, s.compute(game, {}), s.rule, axioms, **kw)


def test_core_violation_names_the_most_blocking_coalition():
    g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 2, 2])   # v(b,c) = 2 = v(N)
    rep = _check(g, "shapley", ["core"])
    v = rep.verdicts[0]
    assert v.status == "violated"
    # recompute: the coalition with the largest excess v(S) − φ(S)
    phi = get_scheme("shapley").rule(g)
    excess = {m: g.values[m] - sum(phi[i] for i in range(3) if m >> i & 1) for m in range(1, 7)}
    worst = max(excess, key=excess.get)
    assert v.counterexample["witness"]["coalition"] == "{" + ", ".join(g.members(worst)) + "}"
    assert abs(v.worst_margin - excess[worst]) < 1e-12


def test_core_holds_on_the_nucleolus_of_a_convex_game_exactly():
    g = Game.from_values(["a", "b", "c"], [0, 0, 0, 0, 0, 0, 100, 200], exact=True)
    rep = _check(g, "nucleolus", ["core", "epsilon-core", "efficiency"])
    assert [v.status for v in rep.verdicts] == ["holds"] * 3 and rep.exact


def test_epsilon_core_is_least_core_membership_by_default():
    g = Game.from_values(["a", "b", "c"], MAJORITY, exact=True)
    assert _check(g, "least-core", ["epsilon-core"]).verdicts[0].status == "holds"
    x = np.empty(3, dtype=object)
    x[:] = [F(1, 2), F(1, 2), F(0)]          # max excess 1/2 at {a, c}, {b, c} > ε* = 1/3
    from mechsolve.schemes.base import Outcome
    rep = run_checks(g, Outcome("vector", x, "x", {"x": x}), lambda h: x, ["epsilon-core", "core"])
    assert [v.status for v in rep.verdicts] == ["violated", "violated"]
    assert rep.verdicts[0].worst_margin == F(1, 6)       # excess 1/2 − ε* 1/3


def test_model_epsilon_and_empty_core_note():
    m = parse_model({"kind": "cooperative-market", "players": ["a", "b", "c"], "value": {"values": MAJORITY},
                     "scheme": "least-core", "check": ["epsilon-core", "core"], "epsilon": 0.5, "exact": True})
    a = analyse(m)
    eps, core = a.checks.verdicts
    assert eps.status == "holds" and core.status == "violated"
    assert "Bondareva" in core.note


def test_an_exact_epsilon_core_verdict_never_rests_on_an_uncertified_float_lp(monkeypatch):
    """In exact mode an uncertified least-core LP gives 'could not be tested', never a rounded ε*."""
    import dataclasses

    from mechsolve.verify.axioms import stability

    g = Game.from_values(["a", "b", "c"], MAJORITY, exact=True)
    real = stability.least_core

    def uncertified(game, **kw):
        r = real(game, **kw)
        return dataclasses.replace(r, value=float(r.value), verified=False, verification="simulated failure")

    monkeypatch.setattr(stability, "least_core", uncertified)
    v = _check(g, "nucleolus", ["epsilon-core"]).verdicts[0]
    assert v.status == "not-applicable" and "could not be certified exactly" in v.reason
    monkeypatch.setattr(stability, "least_core", real)
    assert _check(g, "nucleolus", ["epsilon-core"]).verdicts[0].status == "holds"
