"""Game core: constructors, derived games, replication, memory guard."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=4), st.integers(1, 40))
def test_blocks_cover_an_array_in_c_order(shape, limit):
    from mechsolve.games.game import block_start, blocks

    a = np.arange(int(np.prod(shape))).reshape(shape)
    parts, starts = [], []
    for idx in blocks(tuple(shape), limit):
        b = a[idx].reshape(-1)
        assert b.size <= max(limit, 1) or b.size == 0
        if b.size:
            assert b[0] == block_start(tuple(shape), idx)
        parts.append(b)
    assert np.concatenate(parts or [a.reshape(-1)]).tolist() == a.reshape(-1).tolist()


# ------------------------------------------------------------------ constructors of the Python API
def test_from_array_names_bits_and_refuses_bad_lengths():
    g = Game.from_array(np.array([0.0, 1, 2, 4]))
    assert g.names == ("0", "1") and g.value("0") == 1 and g.value("1") == 2 and g.grand_value == 4
    named = Game.from_array([0, 1, 2, 4], players=["alice", "bob"])
    assert named.value({"alice", "bob"}) == 4 and np.array_equal(named.values, g.values)
    with pytest.raises(InvalidModel, match="power of two"):
        Game.from_array([0, 1, 2])
    with pytest.raises(InvalidModel, match="expected 2 names"):
        Game.from_array([0, 1, 2, 4], players=["a"])
    with pytest.raises(InvalidModel, match="flat"):
        Game.from_array(np.zeros((2, 2)))
    with pytest.raises(InvalidModel, match="not a finite"):
        Game.from_array([0, float("nan"), 1, 2])


def test_from_array_exact_reads_decimals():
    e = Game.from_array([0, 0.1, 0.2, 0.3], exact=True)
    assert e.exact and list(e.values) == [0, Fraction(1, 10), Fraction(1, 5), Fraction(3, 10)]


def test_from_function_gets_frozensets_of_names():
    seen = []

    def v(s):
        assert isinstance(s, frozenset)
        seen.append(s)
        return len(s) ** 2

    g = Game.from_function(["a", "b", "c"], v)
    assert len(seen) == 8 and g.value("a,c") == 4 and g.grand_value == 9
    assert Game.from_function(2, lambda s: float(len(s))).names == ("0", "1")
    with pytest.raises(InvalidModel, match="ZeroDivisionError.*coalition"):
        Game.from_function(["a"], lambda s: 1 / 0)


def test_from_table_reads_players_from_the_keys():
    g = Game.from_table({"": 0, "b": 1, "a": 2, "a,b": 4})
    assert g.names == ("b", "a") and g.value("a") == 2
    t = Game.from_table({(): 0, ("x",): 1, frozenset({"y"}): 1, ("x", "y"): 3})
    assert t.names == ("x", "y") and t.grand_value == 3
    # the old two-argument form is unchanged
    assert Game.from_table(["a", "b"], {"": 0, "a": 2, "b": 1, "a,b": 4}).names == ("a", "b")
    with pytest.raises(InvalidModel, match="needs the players"):
        Game.from_table({0: 0, 1: 1})


class _MatrixGame:
    """The shapiq protocol without shapiq: n_players and a call on a boolean coalition matrix."""

    def __init__(self, n, names=None, empty=0.0):
        self.n_players = n
        self.empty = empty
        if names:
            self.player_name_lookup = {p: k for k, p in enumerate(names)}

    def __call__(self, coalitions):
        w = np.arange(1, self.n_players + 1)
        return (coalitions * w).sum(axis=1) ** 2 + self.empty


def test_from_object_and_from_callable_read_the_shapiq_protocol():
    g = Game.from_object(_MatrixGame(3, ["L", "R1", "R2"]))
    assert g.names == ("L", "R1", "R2")
    for m in range(8):
        want = sum(k + 1 for k in range(3) if m >> k & 1) ** 2
        assert g.values[m] == want
    assert g.meta["rational"] is False
    # from_callable with a shapiq-style game: the coalition matrix, not frozensets, and the given names
    h = Game.from_callable(["x", "y", "z"], _MatrixGame(3))
    assert h.names == ("x", "y", "z") and np.array_equal(h.values, g.values)
    with pytest.raises(InvalidModel, match=r"2 player names given for a coalition-matrix game \(shapiq protocol\) with 3 players"):
        Game.from_callable(["x", "y"], _MatrixGame(3))


def test_from_object_normalises_a_non_zero_empty_value():
    g = Game.from_object(_MatrixGame(2, empty=0.5))
    assert g.values[0] == 0 and g.grand_value == 9 and g.meta["baseline"] == 0.5
    raw = Game.from_object(_MatrixGame(2, empty=0.5), normalize=False)
    assert raw.values[0] == 0.5


def test_from_object_refuses_what_it_cannot_read():
    with pytest.raises(InvalidModel, match="neither a shapiq-style game"):
        Game.from_object(lambda s: 1.0)
