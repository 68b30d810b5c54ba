"""z3 encodings: unsat → proved; dropped premises give exact, re-checked counterexamples."""

from __future__ import annotations

from fractions import Fraction

import pytest

from mechsolve.games.game import Game, replicate
from mechsolve.games.shapley import shapley
from mechsolve.verify.symbolic import counterexample_model
from mechsolve.verify.symbolic.z3claims import nguyen_replication_once, nguyen_replication_shrinks_payoff, ohrimenko_net_gains, ohrimenko_theorem1


def test_nguyen_d1_proved_and_premises_that_matter() -> None:
    r = nguyen_replication_once(3)
    assert r.status == "proved" and "unsat" in r.detail
    by = {p.premise: p for p in r.premise_checks}
    assert by["v monotone"].status == "violated" and by["p_i(v) ≤ 0"].status == "violated"
    # the counterexample without p_i(v) ≤ 0: recompute from the game (Nguyen eq. 15 fails)
    cex = by["p_i(v) ≤ 0"].counterexample
    g = Game.from_values(["p1", "p2", "p3"], list(cex["game"].values()), exact=True)
    p = [3 * x - g.grand_value for x in shapley(g)]
    gp = replicate(g, 0, 1)
    pp = [4 * x - gp.grand_value for x in shapley(gp)]
    assert pp[0] + pp[3] > p[0] > 0


def test_nguyen_eq20_proved_for_monotone_games() -> None:
    assert nguyen_replication_shrinks_payoff(2, analyse_premises=False).status == "proved"


def test_ohrimenko_theorem1_n2_and_supermodularity() -> None:
    r = ohrimenko_theorem1(2, analyse_premises=["(iii) G supermodular"])
    assert r.status == "proved"
    pc = r.premise_checks[0]
    assert pc.status == "violated"
    g = Game.from_values(["p1", "p2"], list(pc.counterexample["gain table G"].values()), exact=True)
    t, tr = ohrimenko_net_gains(g)
    assert tr > t and isinstance(t, Fraction)
    model = counterexample_model(pc.counterexample, "ohrimenko-single", "replication-robustness", "cx")
    assert model["players"] == ["p1", "p2"] and model["check"] == ["replication-robustness"]


def test_ohrimenko_net_gains_symmetric_market_has_no_gain() -> None:
    # §4.1: with equal contributions replication does not help (t^R = 0 = t)
    g = Game.from_values(["a", "b"], [0, Fraction(1, 2), Fraction(1, 2), 1], exact=True)
    t, tr = ohrimenko_net_gains(g)
    assert t == 0 and tr <= t


def test_unknown_is_reported_on_timeout() -> None:
    r = ohrimenko_theorem1(3, analyse_premises=False, timeout_ms=1)
    assert r.status in ("unknown", "proved")
    if r.status == "unknown":
        assert "unknown" in r.detail


@pytest.mark.slow
def test_ohrimenko_theorem1_n3() -> None:
    assert ohrimenko_theorem1(3, analyse_premises=False, timeout_ms=120_000).status == "proved"


def test_a_premise_check_model_does_not_depend_on_what_ran_before() -> None:
    """Each encoding has its own z3 context: the same claim gives the same models (premise checks
    included) alone and after other claims in the process, so in any worker and any schedule."""
    from mechsolve.verify.symbolic import chen_corollary1

    first = nguyen_replication_once(3)
    chen_corollary1(2)
    ohrimenko_theorem1(2)
    again = nguyen_replication_once(3)
    assert first.premise_checks == again.premise_checks and first.status == again.status
    assert any(p.counterexample for p in first.premise_checks)


def test_an_unsat_premise_drop_proves_the_claim_without_solving_it_again(monkeypatch) -> None:
    """Dropping a premise leaves a subset of the assertions: unsat there means unsat with every premise."""
    from mechsolve.verify.symbolic import z3claims

    calls = []
    solve = z3claims.Encoding.solve
    monkeypatch.setattr(z3claims.Encoding, "solve", lambda self, drop=None, timeout_ms=20_000:
                        calls.append(drop) or solve(self, drop, timeout_ms))
    r = ohrimenko_theorem1(2, analyse_premises=["(ii) G monotone"])
    assert r.status == "proved" and r.premise_checks[0].status == "proved" and calls == ["(ii) G monotone"]
    assert r.detail == ohrimenko_theorem1(2, analyse_premises=False).detail        # the full query, solved
    assert calls[1:] == [None]
    calls.clear()                     # a needed premise (sat without it) says nothing: the full query is solved
    r = ohrimenko_theorem1(2, analyse_premises=["(iii) G supermodular"])
    assert r.status == "proved" and r.premise_checks[0].status == "violated"
    assert calls == ["(iii) G supermodular", None]
