"""The one search engine: the same result shape for every space, honest "nothing checked", and what an
interrupted search had searched so far."""

from __future__ import annotations

import pytest

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games.shapley import shapley
from mechsolve.schemes.base import Outcome, Scheme
from mechsolve.verify.search.engine import run
from mechsolve.verify.search.games import GameSpace, search
from mechsolve.verify.search.mechanisms import search_mechanism
from mechsolve.verify.search.space import SearchInterrupted

#: The JSON keys `mechsolve verify` printed before the two searches were one engine (keys may be added).
GAME_KEYS = {"scheme", "axiom", "status", "params", "tolerance", "searched"}
GAME_CX_KEYS = {"players", "values", "params", "family", "confirmation", "verdict", "found_at_instance",
                "original_players", "shrink_steps"}
GAME_STATS = {"seed", "sizes", "families", "instances", "applicable", "not_applicable", "errors", "discarded",
              "by_size", "first_error", "mutations", "planted", "chunks", "chunk_size", "executor", "seconds"}
MECH_KEYS = {"mechanism", "axiom", "status", "payment", "checks", "without_premise", "tolerance", "space",
             "searched"}
MECH_CX_KEYS = {"instance", "description", "premise_variant", "confirmation", "exact", "verdict",
                "found_at_instance", "original", "shrink_steps", "failed_premise"}
MECH_STATS = {"seed", "instances", "applicable", "discarded", "mutations", "not_applicable", "errors",
              "first_error", "by_valuation", "by_agents", "seconds"}


def test_both_spaces_keep_their_json_keys() -> None:
    g = search("shapley", "individual-rationality", sizes=(2, 3), budget=50).to_dict()
    assert GAME_KEYS | {"counterexample"} <= set(g) and GAME_CX_KEYS <= set(g["counterexample"])
    assert GAME_STATS <= set(g["searched"])
    m = search_mechanism("max-payment", "weak-budget-balance", valuations=("market-growth",),
                         alpha_range=(-0.9, -0.9), agents=(2,), grid=(1, 2, 3), budget=10).to_dict()
    assert MECH_KEYS | {"counterexample"} <= set(m) and MECH_CX_KEYS <= set(m["counterexample"])
    assert MECH_STATS <= set(m["searched"])
    for d in (g, m):      # the same engine: the same statistics of chunks and where they ran
        assert {"chunks", "chunk_size", "executor", "interrupted"} <= set(d["searched"])
        assert d["message"].startswith(d["axiom"] + ": violated by ")


def _counting_scheme(stop_at: int, violate: bool = False) -> tuple[Scheme, list[int]]:
    """Shapley (+1 for player 1 when ``violate``: efficiency fails); Ctrl-C at the ``stop_at``-th computation."""
    calls = [0]

    def compute(game: Game, params) -> Outcome:
        calls[0] += 1
        if calls[0] == stop_at:
            raise KeyboardInterrupt
        phi = shapley(game)
        if violate:
            phi = phi.copy()
            phi[0] = phi[0] + 1
        return Outcome("counting", phi, "shapley", {"shapley": phi})

    return Scheme("counting", "test", "test", compute, ("efficiency",)), calls


def test_an_interrupted_search_returns_what_it_searched() -> None:
    sch, _ = _counting_scheme(stop_at=8)
    with pytest.raises(SearchInterrupted) as e:
        run(GameSpace(sch, "efficiency", sizes=(2, 3)), budget=50)
    r = e.value.result
    assert isinstance(e.value, KeyboardInterrupt)          # still an interrupt for whoever does not look
    assert r.interrupted and r.stats["interrupted"] and r.status == "no-counterexample-found"
    assert r.stats["instances"] == 8 and r.stats["applicable"] == 7     # the 8th was interrupted in its scheme
    assert "interrupted" in r.searched_line() and "interrupted" in r.message


@pytest.mark.parametrize("stop_at, steps", [(4, 1), (5, 2)])
def test_an_interrupted_shrink_keeps_the_confirmed_violation(stop_at: int, steps: int) -> None:
    # computations: 1 screening, 2 confirmation, 3-4 two shrinking steps (3 → 2 → 1 player), 5 the final check
    sch, calls = _counting_scheme(stop_at=stop_at, violate=True)
    with pytest.raises(SearchInterrupted) as e:
        run(GameSpace(sch, "efficiency", sizes=(3,)), budget=50)
    r = e.value.result
    assert r.interrupted and r.status == "violated" and calls[0] == stop_at
    cx = r.counterexample
    assert cx.found_at == 1 and cx.shrink_steps == steps and cx.game.n == 3 - steps
    assert cx.verdict.status == "violated" and cx.confirmation.startswith("exactly")
    assert "interrupted" in r.summary()
    sch, calls = _counting_scheme(stop_at=0, violate=True)          # not interrupted: 5 computations
    r = run(GameSpace(sch, "efficiency", sizes=(3,)), budget=50)
    assert calls[0] == 5 and r.counterexample.shrink_steps == 2 and not r.interrupted


def test_a_search_that_checked_nothing_says_so() -> None:
    r = search("shapley", "symmetry", sizes=(1,), budget=20)            # one player: no pair to compare
    assert r.stats["applicable"] == 0 and r.checked_nothing.startswith("none of the 20 instances was applicable")
    assert "nothing checked" in r.summary()
    r = search_mechanism("mep", "chen-theorem-1", alpha_range=(-1.0, -0.5), budget=10)   # α_ii < 0 always
    assert "not quasi-monotone" in r.checked_nothing

    def broken(game: Game, params) -> Outcome:
        raise InvalidModel("always broken", field="scheme")

    r = search(Scheme("broken", "test", "test", broken, ("efficiency",)), "efficiency", budget=10)
    assert r.checked_nothing.startswith("every one of the 10 instances raised an error in the scheme")
    assert search("shapley", "efficiency", budget=10).checked_nothing is None


def test_engine_arguments_are_checked() -> None:
    space = GameSpace("shapley", "efficiency")
    for kw, field in ((dict(budget=None), "budget"), (dict(budget=0), "budget"), (dict(chunk_size=0), "chunk_size")):
        with pytest.raises(InvalidModel) as e:
            run(space, **kw)
        assert e.value.field == field
