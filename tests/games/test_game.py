"""Game core: constructors, derived games, replication, memory guard."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings

from mechsolve.errors import InvalidModel, Unsupported
from mechsolve.games.game import DataMarket, Game, guard_table_memory, parse_coalition, popcounts, replicate

from strategies import games


def test_from_table_orders_by_bitmask():
    g = Game.from_table(["a", "b", "c"], {"": 0, "a": 1, "b": 2, "c": 4, "a,b": 3, "a,c": 5, "b,c": 6,
                                           "a,b,c": 7})
    assert g.values.tolist() == list(range(8))
    assert g.value("c;a") == 5 and g.value(["b", "c"]) == 6 and g.value(6) == 6


def test_coalition_spellings_are_equivalent():
    idx = {"a": 0, "b": 1}
    assert {parse_coalition(s, idx, field="f") for s in ["a,b", "b;a", "{a, b}", "a+b", "a|b"]} == {3}
    assert parse_coalition("", idx, field="f") == 0
    with pytest.raises(InvalidModel, match="unknown player 'z'"):
        parse_coalition("a,z", idx, field="f")
    with pytest.raises(InvalidModel, match="twice"):
        parse_coalition("a,a", idx, field="f")


def test_missing_coalitions_and_fills():
    with pytest.raises(InvalidModel, match="missing"):
        Game.from_table(["a", "b"], {"a": 1})
    g = Game.from_table(["a", "b"], {"a": 1}, fill="default", default=0)
    assert g.values.tolist() == [0, 1, 0, 0]
    m = Game.from_table(["a", "b", "c"], {"a": 1, "b,c": 2}, fill="monotone-closure")
    # smallest monotone v above the listed values: v(S) = max over listed T ⊆ S
    assert m.values.tolist() == [0, 1, 0, 1, 0, 1, 2, 2]
    mx = Game.from_table(["a", "b", "c"], {"a": 1, "b,c": 2}, fill="monotone-closure", exact=True)
    assert mx.values.tolist() == [0, 1, 0, 1, 0, 1, 2, 2] and mx.exact


def test_nonzero_empty_needs_declaration():
    with pytest.raises(InvalidModel, match="normalised"):
        Game.from_values(["a"], [1, 2])
    assert Game.from_values(["a"], [1, 2], allow_nonzero_empty=True).values[0] == 1


def test_non_finite_values_are_refused():
    with pytest.raises(InvalidModel, match="finite"):
        Game.from_values(["a", "b"], [0, 1, float("nan"), 2])
    with pytest.raises(InvalidModel, match="finite"):
        Game.from_table(["a"], {"": 0, "a": float("inf")})


def test_memory_guard_predicts_bytes(monkeypatch):
    monkeypatch.setenv("MECHSOLVE_MEMORY_LIMIT", str(2**30))
    with pytest.raises(Unsupported, match=r"n=40 players needs about .* TiB"):
        guard_table_memory(40)
    guard_table_memory(20)  # 24 MiB fits in 1 GiB


@given(games(min_n=2, max_n=6))
@settings(max_examples=40, deadline=None)
def test_marginal_game_definition(g):
    for i in range(g.n):
        m = g.marginal(i)
        assert m.names == tuple(p for k, p in enumerate(g.names) if k != i)
        for c in range(2 ** (g.n - 1)):
            members = m.members(c)
            full = g.mask(list(members)) | (1 << i)
            assert m.values[c] == pytest.approx(g.values[full] - g.values[1 << i])


@given(games(min_n=1, max_n=6))
@settings(max_examples=30, deadline=None)
def test_restrict_keeps_values(g):
    keep = [p for k, p in enumerate(g.names) if k % 2 == 0]
    r = g.restrict(keep)
    assert r.names == tuple(keep)
    for m in range(2**r.n):
        assert r.values[m] == g.value(list(r.members(m)))


def test_exact_round_trip():
    g = Game.from_values(["a", "b"], [0, 0.1, 0.25, 1.0])
    e = g.to_exact()
    assert e.exact and e.values[2] == Fraction(1, 4)
    assert e.values[1] == Fraction(0.1)  # the binary value the float holds, exactly
    assert np.array_equal(e.to_float().values, g.values)


def test_popcounts():
    assert popcounts(3).tolist() == [0, 1, 1, 2, 1, 2, 2, 3]


def test_replicate_is_replication_invariant():
    g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    r = replicate(g, "a", 2)
    assert r.names == ("a", "b", "a (replica 1)", "a (replica 2)")
    for m in range(2**r.n):
        holds_a = bool(m & 0b1101)
        base = (1 if holds_a else 0) | (m & 0b10)
        assert r.values[m] == g.values[base]
    # replicas are symmetric with the original and with each other
    assert r.value(["a (replica 1)", "b"]) == r.value(["a", "b"]) == 4
    with pytest.raises(InvalidModel):
        replicate(g, "a", -1)


def test_data_market_owners():
    base = Game.from_values(["d0", "d1"], [0, 1, 2, 5])
    dm = DataMarket(base, (0, 1, 1), ("x", "y", "z"))
    g = dm.game()
    assert g.value(["y", "z"]) == 2 and g.value(["x", "z"]) == 5 and g.value(["x", "y", "z"]) == 5


# ---------------------------------------------------------------- bounded work (issue 18)
def test_exact_monotone_closure_matches_its_definition():
    """v(S) = max over listed T ⊆ S; the exact path is n·2^n (it was 2^n × listed)."""
    from fractions import Fraction

    names = [f"p{k}" for k in range(5)]
    table = {"": 0, "p0": Fraction(1, 3), "p1,p2": 2, "p0,p3,p4": Fraction(5, 2), "p4": -1}
    g = Game.from_table(names, table, fill="monotone-closure", exact=True)
    listed = {0: Fraction(0), 1: Fraction(1, 3), 0b110: Fraction(2), 0b11001: Fraction(5, 2), 0b10000: Fraction(-1)}
    for m in range(32):
        assert g.values[m] == max(x for t, x in listed.items() if t & ~m == 0)
    big = Game.from_table([f"p{k}" for k in range(16)], {"": 0, "p3": 1}, fill="monotone-closure", exact=True)
    assert big.values[-1] == 1 and big.values[0] == 0


def test_memory_guard_never_overflows():
    from mechsolve.errors import Unsupported
    from mechsolve.games.game import guard_table_memory

    for n in (1023, 1024, 100_000):
        with pytest.raises(Unsupported, match=f"n={n} players needs about"):
            guard_table_memory(n)


def test_from_callable_checks_answers_and_asks_again():
    import itertools

    from mechsolve.errors import InvalidModel

    with pytest.raises(InvalidModel, match="within float range"):
        Game.from_callable(["a"], lambda s: 10**400 if s else 0)
    counter = itertools.count()
    with pytest.raises(InvalidModel, match="and then .* for the same coalition"):
        Game.from_callable(["a", "b"], lambda s: next(counter) if s else 0)
    assert Game.from_callable(["a", "b"], lambda s: len(s)).value(["a", "b"]) == 2.0
