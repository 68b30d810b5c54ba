"""Property predicates: verdicts agree with brute force and witnesses really violate."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.games.game import Game
from mechsolve.games.properties import (essential, inspect_game, monotone, superadditive, superadditive_with,
                                       supermodular, symmetric_pairs)

from strategies import games


def _brute(g: Game):
    v, n = g.values, g.n
    full = range(2**n)
    mono = max((v[s] - v[s | 1 << i] for s in full for i in range(n) if not s >> i & 1), default=0.0)
    sup = max((v[s] + v[t] - v[s | t] for s in full for t in full if s and t and not s & t), default=0.0)
    conv = max((v[s] + v[t] - v[s | t] - v[s & t] for s in full for t in full), default=0.0)
    return max(mono, 0.0), max(sup, 0.0), max(conv, 0.0)


@given(games(min_n=1, max_n=5))
@settings(max_examples=60, deadline=None)
def test_predicates_match_brute_force(g):
    mono, sup, conv = _brute(g)
    assert monotone(g).worst == pytest.approx(mono)
    assert superadditive(g).worst == pytest.approx(sup)
    # local supermodularity decides the set form (Shapley 1971)
    assert (supermodular(g).worst <= 1e-12) == (conv <= 1e-12)


@given(games(min_n=1, max_n=6, integers=True), st.data())
@settings(max_examples=60, deadline=None)
def test_singleton_superadditivity_matches_brute_force(g, data):
    i = data.draw(st.integers(0, g.n - 1))
    for game in (g, g.to_exact()):
        v = game.values
        pairs = [(v[m] + v[1 << i] - v[m | 1 << i], m) for m in range(1, 2**g.n) if not m >> i & 1]
        r = superadditive_with(game, i)
        if not pairs:
            assert r.holds is True and r.witness is None
            continue
        worst, m = max(pairs, key=lambda t: t[0])
        assert r.worst == worst and r.holds == (worst <= 0)
        if worst > 0:
            gap = v[game.mask(r.witness["S"])] + v[1 << i] - v[game.mask(r.witness["S"]) | 1 << i]
            assert gap == worst and r.witness["T"] == [g.names[i]]


@given(games(min_n=2, max_n=5))
@settings(max_examples=60, deadline=None)
def test_witnesses_really_violate(g):
    m = monotone(g)
    if m.witness:
        s = g.mask(m.witness["S"])
        i = g.index[m.witness["i"]]
        assert g.values[s] - g.values[s | 1 << i] == pytest.approx(m.worst) and m.worst > 0
    sa = superadditive(g)
    if sa.witness:
        s, t = g.mask(sa.witness["S"]), g.mask(sa.witness["T"])
        assert s & t == 0
        assert g.values[s] + g.values[t] - g.values[s | t] == pytest.approx(sa.worst) and sa.worst > 0
    sm = supermodular(g)
    if sm.witness:
        s = g.mask(sm.witness["S"])
        i, j = g.index[sm.witness["i"]], g.index[sm.witness["j"]]
        gap = g.values[s | 1 << i] + g.values[s | 1 << j] - g.values[s | 1 << i | 1 << j] - g.values[s]
        assert gap == pytest.approx(sm.worst) and gap > 0


def test_known_games():
    glove = Game.from_values(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1])
    r = inspect_game(glove)
    assert r["monotone"].holds and r["superadditive"].holds and r["essential"].holds
    assert not r["supermodular"].holds  # v(L,R1)+v(L,R2) = 2 > v(N)+v(L) = 1
    airport = Game.from_values(["a", "b"], [0, 1, 2, 2])  # cost game: subadditive
    assert superadditive(airport).holds is False and superadditive(airport).worst == 1
    assert essential(airport).holds is False


def test_tolerance_absorbs_noise():
    g = Game.from_values(["a", "b"], [0, 0.5, 0.5, 0.9999999])
    assert monotone(g).holds
    noisy = Game.from_values(["a", "b"], [0, 0.5, 1.0, 0.9999999])
    assert not monotone(noisy).holds and monotone(noisy, tolerance=1e-6).holds


def test_real_gmm_table_is_not_monotone():
    """shared/data/value-tables/README.md: 'the MMD table is not monotone at all', e.g. v({2}) > v({0,2})."""
    import json

    from strategies import ROOT

    data = json.loads((ROOT / "models" / "data" / "gmm-5-parties-mmd.json").read_text())
    g = Game.from_values(data["players"], data["values"])
    m = monotone(g)
    assert m.holds is False
    assert g.value(["party 2"]) > g.value(["party 0", "party 2"])
    s, i = g.mask(m.witness["S"]), g.index[m.witness["i"]]
    assert g.values[s] > g.values[s | 1 << i]


def test_large_n_superadditivity_is_not_decided_without_evidence():
    n = 17
    rng = np.random.default_rng(0)
    sizes = np.bitwise_count(np.arange(2**n))
    v = sizes.astype(float) ** 2 + 0.01 * rng.random(2**n)  # supermodular-ish, small noise
    v[0] = 0
    r = superadditive(Game.from_values([f"p{k}" for k in range(n)], v))
    assert r.holds in (None, False, True)
    if r.holds is None:
        assert "not decided" in r.note


def _literal_symmetric_pairs(game, tolerance):
    """The whole-view comparison, pair by pair (the definition, through the same decision rule)."""
    from mechsolve import decide

    v, n = game.values, game.n
    what = "v(S∪i) = v(S∪j) for all S"
    close = lambda a, b: decide.all_zero(np.asarray(a) - np.asarray(b), tol=tolerance, what=what)  # noqa: E731
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            if not (close(v[1 << i], v[1 << j]) and close(v[game.grand ^ 1 << i], v[game.grand ^ 1 << j])):
                continue
            view = v.reshape(2 ** (n - 1 - j), 2, 2 ** (j - i - 1), 2, 2**i)
            if close(view[:, 0, :, 1, :], view[:, 1, :, 0, :]):
                out.append((i, j))
    return out


@pytest.mark.parametrize("noise", [0.0, 1e-14, 3e-10, 2e-9, 1e-7])
def test_symmetric_pairs_decide_and_record_as_the_literal_comparison(noise):
    from mechsolve import decide
    from mechsolve.games.shapley import _small_popcounts

    rng = np.random.default_rng(7)
    n = 7
    f = rng.normal(size=n + 1)
    v = f[_small_popcounts(n)] + noise * rng.normal(size=2**n)     # every pair symmetric up to the noise
    v[0] = 0.0
    g = Game.from_values([f"p{k}" for k in range(n)], v)
    for tol in (1e-9, 1e-6):
        with decide.recording() as fast:
            got = symmetric_pairs(g, tol)
        with decide.recording() as slow:
            want = _literal_symmetric_pairs(g, tol)
        assert got == want
        assert [(b.what, b.amount) for b in fast] == [(b.what, b.amount) for b in slow]
