"""Least core, nucleolus and core certificates: published values, peers, and exact re-verification.

Every computed point is re-checked here from the game itself (surpluses of all coalitions, the
stage duals' identities, balanced weights), independently of the module's own verification.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations

import numpy as np
import pytest

from mechsolve.errors import Infeasible
from mechsolve.games import Game
from mechsolve.schemes import get_scheme
from mechsolve.schemes.stability import core_certificate, least_core, nucleolus, verify_balanced


def exact_game(names, values):
    return Game.from_values(names, [F(v) for v in values], exact=True)


def bankruptcy(estate, claims):
    """v(S) = max(0, E − Σ_{j∉S} c_j) (O'Neill 1982; Aumann & Maschler 1985, Sec. 2)."""
    n = len(claims)
    return exact_game([f"c{i}" for i in range(n)],
                      [max(F(0), F(estate) - sum(F(claims[i]) for i in range(n) if not m >> i & 1))
                       for m in range(2**n)])


def cea(amount, claims):
    """Constrained equal awards: min(c_i, λ) with Σ = amount (λ found exactly)."""
    cs = sorted(set(claims))
    lo = F(0)
    for c in cs:
        if sum(min(ci, c) for ci in claims) >= amount:
            break
        lo = c
    # λ in [lo, c]: Σ min(c_i, λ) is linear there
    fixed = sum(ci for ci in claims if ci <= lo)
    k = sum(1 for ci in claims if ci > lo)
    lam = (amount - fixed) / k if k else lo
    return [min(ci, lam) for ci in claims]


def talmud(estate, claims):
    """The Talmud rule of Aumann & Maschler (1985), Sec. 1: CEA on half-claims below D/2,
    else c_i minus CEA of the losses on half-claims — which they prove is the nucleolus (Thm. A)."""
    claims = [F(c) for c in claims]
    half = [c / 2 for c in claims]
    E, D = F(estate), sum(claims)
    if E <= D / 2:
        return cea(E, half)
    loss = cea(D - E, half)
    return [c - l for c, l in zip(claims, loss)]


def surplus(game, x):
    n = game.n
    return {m: sum((x[i] for i in range(n) if m >> i & 1), F(0)) - game.values[m] for m in range(1, 2**n)}


def recheck_stages(game, r):
    """Re-derive every stage's level from its exact duals, and the point's levels, from scratch."""
    n, N = game.n, 2**game.n - 1
    v = [F(x) for x in game.values] if game.exact else [F(float(x)) for x in game.values]
    x = list(r.exact)
    assert sum(x) == v[N]
    s = {m: sum((x[i] for i in range(n) if m >> i & 1), F(0)) - v[m] for m in range(1, N)}
    level_of = {}
    for j, st in enumerate(r.stages):
        for m in st.fixed:
            level_of[m] = st.level
            assert s[m] == st.level                     # fixed coalitions sit exactly at their level
        assert sum(st.dual.values()) == 1 and all(y > 0 for y in st.dual.values())
        lhs = [sum((y for m, y in st.dual.items() if m >> i & 1), F(0)) for i in range(n)]
        rhs = [sum((z for m, z in st.fixed_dual.items() if m >> i & 1), F(0)) + st.efficiency_dual
               - st.bound_dual.get(i, F(0)) for i in range(n)]
        assert lhs == rhs
        bound = (sum((z * (v[m] + level_of[m]) for m, z in st.fixed_dual.items()), F(0)) + st.efficiency_dual * v[N]
                 - sum((mu * v[1 << i] for i, mu in st.bound_dual.items()), F(0))
                 - sum((y * v[m] for m, y in st.dual.items()), F(0)))
        assert bound == st.level                         # the dual proves ε ≤ level on every feasible point
        assert min(s[m] for m in st.dual) == st.level    # and the point attains it
    assert min(s.values()) == r.stages[0].level         # the least-core surplus is the point's minimum


# ----------------------------------------------------------------------------- published values

@pytest.mark.parametrize("estate, expected", [
    # Aumann & Maschler (1985), JET 36:195-213, the three estates of the Talmud (Table 1)
    (100, [F(100, 3), F(100, 3), F(100, 3)]),
    (200, [F(50), F(75), F(75)]),
    (300, [F(50), F(100), F(150)]),
])
def test_talmud_estates_aumann_maschler_1985(estate, expected):
    g = bankruptcy(estate, [100, 200, 300])
    r = nucleolus(g)
    assert list(r.exact) == expected and r.verified
    recheck_stages(g, r)


def test_bankruptcy_nucleolus_is_the_talmud_rule_on_random_problems():
    # Aumann & Maschler (1985) Theorem A: the nucleolus of the bankruptcy game is the Talmud rule
    rng = np.random.default_rng(7)
    for _ in range(25):
        n = int(rng.integers(2, 6))
        claims = [int(c) for c in rng.integers(1, 60, size=n)]
        estate = int(rng.integers(1, sum(claims)))
        g = bankruptcy(estate, claims)
        r = nucleolus(g)
        assert list(r.exact) == talmud(estate, claims), (estate, claims)
        assert r.verified
        recheck_stages(g, r)


def littlechild(costs):
    """Nucleolus of the airport cost game (Littlechild 1974, IJGT 3:21-29): blocks of planes, in
    order of runway need, pay t = min_k (c_k − paid)/(k − start + 1); the largest pays the rest."""
    c = [F(x) for x in costs]
    n = len(c)
    pay = [F(0)] * n
    start, paid = 0, F(0)
    while start < n - 1:
        best, kbest = None, None
        for k in range(start, n - 1):
            t = (c[k] - paid) / (k - start + 2)
            if best is None or t < best:
                best, kbest = t, k
        for i in range(start, kbest + 1):
            pay[i] = best
        paid += best * (kbest - start + 1)
        start = kbest + 1
    pay[n - 1] = c[n - 1] - paid
    return pay


def airport_game(costs):
    n = len(costs)
    return exact_game([f"p{i + 1}" for i in range(n)],
                      [-max((costs[i] for i in range(n) if m >> i & 1), default=0) for m in range(2**n)])


def test_airport_game_littlechild_1974():
    # models/airport-game.yaml: c = (8, 11, 13, 18); nucleolus of the cost game (13/4, 13/4, 13/4, 33/4)
    g = airport_game([8, 11, 13, 18])
    r = nucleolus(g)                       # the cost game enters as the value game −c
    assert [-x for x in r.exact] == [F(13, 4)] * 3 + [F(33, 4)] == littlechild([8, 11, 13, 18])
    recheck_stages(g, r)
    rng = np.random.default_rng(3)
    for _ in range(10):
        costs = sorted(int(c) for c in rng.integers(1, 40, size=int(rng.integers(2, 7))))
        r = nucleolus(airport_game(costs))
        assert [-x for x in r.exact] == littlechild(costs), costs


def test_textbook_games():
    # glove game (models/glove-game.yaml): the core is the single point (1, 0, 0), so is the nucleolus
    g = exact_game(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1])
    assert list(nucleolus(g).exact) == [1, 0, 0]
    # 3-player majority game: empty core; nucleolus (1/3, 1/3, 1/3) by symmetry, least-core value 1/3
    m = exact_game(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    r = least_core(m)
    assert list(r.exact) == [F(1, 3)] * 3 and -r.value == F(1, 3)
    # 4-player game of the CoopGame R package manual (Staudacher et al., `nucleolus`, v0.2.2):
    # v in lexicographic order (1,2,3,4,12,13,14,23,24,34,123,124,134,234,1234) → (3.5, 4.5, 5.5, 7.5)
    lex = [0, 0, 0, 0, 5, 5, 8, 9, 10, 8, 13, 15, 16, 17, 21]
    order = [c for k in range(1, 5) for c in combinations(range(4), k)]
    vals = [0] * 16
    for val, co in zip(lex, order):
        vals[sum(1 << i for i in co)] = val
    g4 = exact_game(["1", "2", "3", "4"], vals)
    r4 = nucleolus(g4)
    assert list(r4.exact) == [F(7, 2), F(9, 2), F(11, 2), F(15, 2)]
    recheck_stages(g4, r4)


# ----------------------------------------------------------------------------- core certificates

def test_empty_core_bondareva_shapley_certificate_verifies_exactly():
    m = exact_game(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])
    c = core_certificate(m)
    assert c.empty and c.verified
    assert verify_balanced(c.weights, m.values, 3) == c.gap == F(1, 2)
    # independent re-check: each player covered once, Σ λ v > v(N)
    for i in range(3):
        assert sum(w for s, w in c.weights.items() if s >> i & 1) == 1
    assert sum(w * m.values[s] for s, w in c.weights.items()) > m.values[7]
    d = c.to_dict()        # the JSON states Σ λ_S v(S) itself (it said the gap, 1/2, before)
    assert d["sum_lambda_v"] == sum(w * m.values[s] for s, w in c.weights.items()) == F(3, 2)
    assert d["gap"] == d["sum_lambda_v"] - m.values[7]


def test_nonempty_core_gives_a_core_point():
    g = bankruptcy(200, [100, 200, 300])          # convex game: non-empty core
    c = core_certificate(g)
    assert not c.empty and c.verified
    assert all(val >= 0 for val in surplus(g, list(c.point)).values())


def test_random_games_core_certificate_matches_the_least_core_sign():
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(2, 6))
        vals = [0] + [int(x) for x in rng.integers(-3, 8, size=2**n - 1)]
        g = exact_game([f"p{i}" for i in range(n)], vals)
        c = core_certificate(g)
        lc = least_core(g)
        assert c.verified and c.empty == (lc.value < 0)
        if c.empty:
            assert verify_balanced(c.weights, g.values, n) > 0
        else:
            assert all(val >= 0 for val in surplus(g, list(c.point)).values())


# ----------------------------------------------------------------------------- peers and structure

def test_prenucleolus_on_empty_imputation_set_and_nucleolus_refuses():
    g = exact_game(["a", "b"], [0, 2, 2, 3])
    with pytest.raises(Infeasible):
        nucleolus(g)
    assert list(nucleolus(g, domain="preimputation").exact) == [F(3, 2), F(3, 2)]


def test_row_generation_matches_full_lp_and_verifies_at_n_14():
    rng = np.random.default_rng(5)
    n = 14
    pc = np.bitwise_count(np.arange(2**n)).astype(np.int64)
    vals = pc * pc * 10 + rng.integers(0, 50, size=2**n)
    vals[0] = 0
    g = Game.from_values([f"p{i}" for i in range(n)], vals.astype(float))
    r = nucleolus(g)
    assert r.verified and r.rows < 2**n // 10          # row generation: a small fraction of the coalitions
    recheck_stages(g, r)


@pytest.mark.parametrize("domain", ["imputation", "preimputation"])
def test_agrees_exactly_with_coopgame_on_random_games(domain):
    coopgame = pytest.importorskip("coopgame")
    rng = np.random.default_rng(2024)
    compared = 0
    for _ in range(40):
        n = int(rng.integers(2, 6))   # coopgame-py's exact solver is the slow side above n = 5
        pc = np.bitwise_count(np.arange(2**n)).astype(np.int64)
        vals = [int(x) for x in rng.integers(-4, 12, size=2**n) * pc]
        vals[0] = 0
        g = exact_game([f"p{i}" for i in range(n)], vals)
        try:
            theirs = coopgame.nucleolus_exact(vals[1:], domain=domain)["allocation"]
        except ValueError:  # empty imputation set
            with pytest.raises(Infeasible):
                nucleolus(g, domain=domain)
            continue
        r = nucleolus(g, domain=domain)
        assert list(r.exact) == list(theirs) and r.verified
        recheck_stages(g, r)
        compared += 1
    assert compared >= 15


def test_agrees_with_coopgame_float_nucleolus_at_n_12():
    coopgame = pytest.importorskip("coopgame")
    rng = np.random.default_rng(1)
    n = 12
    pc = np.bitwise_count(np.arange(2**n)).astype(np.int64)
    vals = pc * pc * 10 + rng.integers(0, 50, size=2**n)
    vals[0] = 0
    g = Game.from_values([f"p{i}" for i in range(n)], vals.astype(float))
    r = nucleolus(g)
    theirs = coopgame.nucleolus(coopgame.Game([float(v) for v in vals[1:]]))["allocation"]
    assert np.abs(r.allocation - np.array(theirs)).max() < 1e-9 and r.verified


def test_schemes_are_registered_and_exact_on_exact_games():
    g = bankruptcy(200, [100, 200, 300])
    for name in ("nucleolus", "prenucleolus", "least-core"):
        o = get_scheme(name).compute(g, {})
        assert o.allocation.dtype == object and list(o.allocation) == [50, 75, 75]
        assert o.certificates[name]["verified_exactly"] is True
    o = get_scheme("least-core").compute(g, {"point": "vertex"})
    s = surplus(g, list(o.allocation))
    assert min(s[m] for m in range(1, 7)) == 50       # a least-core point: min surplus = ε* = 50


def test_sympy_fallback_gives_the_same_certified_nucleolus(monkeypatch):
    from mechsolve.solvers import certificates

    g = bankruptcy(200, [100, 200, 300])
    monkeypatch.setattr(certificates, "USE_FLINT", False)
    r = nucleolus(g)
    assert list(r.exact) == [50, 75, 75] and r.verified
    recheck_stages(g, r)
