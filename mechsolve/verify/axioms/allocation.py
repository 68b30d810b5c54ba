"""Axioms of an allocation rule on a cooperative game (Shapley 1953; Nguyen et al. 2022).

Each is stated for the rule ``ψ`` the scheme applies (``ψ = φ`` for the Shapley value).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ...games.game import Game
from ...games.properties import null_players, superadditive, superadditive_with, symmetric_pairs
from ...games.semivalues import Semivalue
from ...games.shapley import SemivalueKernel, conditional_semivalue, row_split
from .base import Axiom, AxiomContext, Residual, num

#: Companion games ``w`` of the additivity check (each with its own seeded stream). One: a generic
#: random ``w`` catches a rule that is not additive, and each companion costs a draw of ``2^n`` values
#: and two evaluations of the rule (three made additivity ~60 % of a default n=24 run).
COMPANIONS = 1
#: Companion values are ``k / COMPANION_SCALE``, ``k`` uniform in −128..127: exact in binary.
COMPANION_SCALE = 16
#: The IR note falls back to the exhaustive ``3^n`` superadditivity scan only up to this ``n``.
EXHAUSTIVE_SUPERADDITIVITY_N = 12


def _efficiency(ctx: AxiomContext) -> Iterator[Residual]:
    total = ctx.outcome.allocation.sum()
    yield Residual({"sum over players": "Σ_i ψ_i"}, num(ctx.game.grand_value), num(total))


def _premise_memo(fn: Callable[[AxiomContext], list[Any]]) -> Callable[[AxiomContext], list[Any]]:
    """Remember the last result per game table and tolerance (precondition and residuals both ask)."""
    last: list[Any] = [None, None, None]           # (weak reference to the values, tolerance, result)

    def wrapper(ctx: AxiomContext) -> list[Any]:
        ref, tol, result = last
        if ref is not None and ref() is ctx.game.values and tol == ctx.tol:
            return list(result)
        result = fn(ctx)
        last[:] = [weakref.ref(ctx.game.values), ctx.tol, result]
        return list(result)

    wrapper.__doc__ = fn.__doc__
    return wrapper


@_premise_memo
def _pairs(ctx: AxiomContext) -> list[tuple[int, int]]:
    """Pairs ``i < j`` symmetric in ``v`` within tolerance (exact games: equal)."""
    return symmetric_pairs(ctx.game, ctx.tol)


@_premise_memo
def _nulls(ctx: AxiomContext) -> list[int]:
    return null_players(ctx.game, ctx.tol)


def _symmetry(ctx: AxiomContext) -> Iterator[Residual]:
    a = ctx.outcome.allocation
    names = ctx.game.names
    for i, j in _pairs(ctx):
        yield Residual({"i": names[i], "j": names[j], "why": "v(S∪i) = v(S∪j) for all S ∌ i,j"},
                       num(a[i]), num(a[j]))


def _null(ctx: AxiomContext) -> Iterator[Residual]:
    a = ctx.outcome.allocation
    for i in _nulls(ctx):
        yield Residual({"player": ctx.game.names[i], "why": "v(S∪i) = v(S) for all S"},
                       num(0 * a[i]), num(a[i]))


def _semivalue(ctx: AxiomContext) -> Semivalue | None:
    """The rule's declaration that it is a semivalue, used on float games (exact games re-run the rule)."""
    sv = getattr(ctx.rule, "semivalue", None)
    return sv if isinstance(sv, Semivalue) and not ctx.exact else None


#: Companion rows drawn per step (one call per generator for all of them).
COMPANION_ROWS_PER_DRAW = 8


def _companion_rows(seed: int, ks: Sequence[int], n: int) -> Iterator[tuple[int, np.ndarray]]:
    """The rows (:func:`~mechsolve.games.shapley.row_split`) of companion games ``ks``, a few at a time.

    Game ``#k`` has the values ``k/16`` with ``k`` uniform in −128..127: the bytes
    (little-endian) of the raw 64-bit outputs of PCG64 seeded ``[seed, k]``, in
    coalition order, and ``w(∅) = 0``. Yields ``(r0, block)`` with ``block[t, g]`` row
    ``r0 + t`` of game ``ks[g]`` (one buffer, overwritten step after step).
    """
    gens = [np.random.PCG64([seed, k]) for k in ks]
    high, low = row_split(n)
    rows, cols = 2**high, 2**low
    words = -(-cols // 8)
    step = min(rows, COMPANION_ROWS_PER_DRAW)
    raw = np.empty((step, len(gens), words), dtype="<u8")
    block = np.empty((step, len(gens), cols))
    for r0 in range(0, rows, step):
        t = min(step, rows - r0)
        for g, bits in enumerate(gens):
            raw[:t, g] = bits.random_raw(t * words).reshape(t, words)
        np.multiply(raw[:t].view(np.int8)[..., :cols], 1.0 / COMPANION_SCALE, out=block[:t])
        if r0 == 0:
            block[0, :, 0] = 0.0
        yield r0, block[:t]


def _companion_into(work: np.ndarray, seed: int, k: int, n: int) -> None:
    """Write companion game ``#k`` into ``work`` (float64, or Fractions for an object array)."""
    high, low = row_split(n)
    rows = work.reshape(2**high, 2**low)
    for r0, block in _companion_rows(seed, [k], n):
        for t in range(block.shape[0]):
            rows[r0 + t] = block[t, 0] if work.dtype != object else [Fraction(x) for x in block[t, 0].tolist()]


def _additivity_streamed(game: Game, sv: Semivalue, seed: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(k, ψ(v + w_k), ψ(w_k))`` for a semivalue rule, without materialising any ``w_k`` or ``v + w_k``.

    One pass over ``v``: its rows, the companions' rows and their sums go through the
    :class:`~mechsolve.games.shapley.SemivalueKernel` the rule runs on a whole table
    (side by side, game by game the same operations in the same order), so the values
    equal those of the rule on the materialised games, bit for bit.
    """
    n = game.n
    weights = sv.weights(n)
    high, low = row_split(n)
    table = np.ascontiguousarray(game.values, dtype=np.float64).reshape(2**high, 1, 2**low)
    alone = SemivalueKernel(n, weights, games=COMPANIONS)
    summed = SemivalueKernel(n, weights, games=COMPANIONS)
    both = np.empty((COMPANION_ROWS_PER_DRAW, COMPANIONS, 2**low))
    for r0, w in _companion_rows(seed, range(COMPANIONS), n):
        t = w.shape[0]
        np.add(table[r0:r0 + t], w, out=both[:t])      # v + w, as Game.__add__ computes it
        for d in range(t):
            alone.add_rows(r0 + d, w[d])
            summed.add_rows(r0 + d, both[d])
    return [(k, summed.values(k), alone.values(k)) for k in range(COMPANIONS)]


def _additivity_rerun(ctx: AxiomContext) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(k, ψ(v + w_k), ψ(w_k))`` by re-running the rule; one reusable ``2^n`` work array."""
    g = ctx.game
    work = np.empty(2**g.n, dtype=g.values.dtype)
    for k in range(COMPANIONS):
        _companion_into(work, ctx.seed, k, g.n)
        sep = np.array(ctx.rule(Game(g.names, work)), copy=True)
        np.add(work, g.values, out=work)
        both = np.array(ctx.rule(Game(g.names, work)), copy=True)
        yield k, both, sep


def _additivity(ctx: AxiomContext) -> Iterator[Residual]:
    g = ctx.game
    a = ctx.outcome.allocation
    given = ctx.extra.get("additivity_games")
    sv = _semivalue(ctx)
    if given:
        runs: Any = ((k, ctx.rule(g + w), ctx.rule(w)) for k, w in enumerate(given))
    elif sv is not None:
        runs = _additivity_streamed(g, sv, ctx.seed)
    else:
        runs = _additivity_rerun(ctx)
    for k, both, sep in runs:
        for i in range(g.n):
            yield Residual({"player": g.names[i], "w": f"companion game #{k} (seed {ctx.seed})"},
                           num(a[i] + sep[i]), num(both[i]))


def _ir(ctx: AxiomContext) -> Iterator[Residual]:
    a = ctx.outcome.allocation
    s = ctx.game.singletons()
    for i, p in enumerate(ctx.game.names):
        yield Residual({"player": p, "why": "ψ_i ≥ v({i})"}, num(s[i]), num(a[i]), ">=")


def _ir_note(ctx: AxiomContext) -> str | None:
    """Why IR may fail: a superadditivity violation for the party whose IR fails most.

    The Shapley value is a weighted average of marginal contributions, so
    ``φ_i < v({i})`` implies ``v(S) + v({i}) > v(S ∪ {i})`` for some ``S ∌ i``: the
    largest such gap is found in one pass over the table. Only when that finds
    none (a rule other than the Shapley value) and ``n ≤``
    :data:`EXHAUSTIVE_SUPERADDITIVITY_N`, the exhaustive ``3^n`` scan looks for any.
    """
    g = ctx.game
    a = ctx.outcome.allocation
    s = g.singletons()
    short = [s[i] - a[i] for i in range(g.n)]
    if not short:
        return None
    party = max(range(g.n), key=lambda i: short[i])   # whom to explain: the largest shortfall (first of ties)
    if not short[party] > 0:
        return None
    r = superadditive_with(g, party, ctx.tol)
    if r.holds is False and r.witness:
        members = ", ".join(r.witness["S"])
        return (f"the game is not superadditive (v(S)+v(T) exceeds v(S∪T) by {float(r.worst):.6g} at "
                f"S = {{{members}}}, T = {{{g.names[party]}}}: the largest gap with T = {{{g.names[party]}}}, the "
                "party whose IR fails most, from one pass over the table); the Shapley value is individually "
                "rational only for superadditive games")
    if g.n > EXHAUSTIVE_SUPERADDITIVITY_N:
        return None
    r = superadditive(g, ctx.tol)
    if r.holds is False:
        sw, tw = (", ".join(r.witness[k]) for k in ("S", "T"))
        return (f"the game is not superadditive (v(S)+v(T) exceeds v(S∪T) by {r.worst:.6g} at "
                f"S = {{{sw}}}, T = {{{tw}}}, the largest gap over all 3^{g.n} pairs); the Shapley value is "
                "individually rational only for superadditive games")
    return None


def _decomposition(ctx: AxiomContext) -> Iterator[Residual]:
    g = ctx.game
    n = g.n
    a = ctx.outcome.allocation
    total = list(g.singletons())
    sv = _semivalue(ctx)
    if sv is not None:             # every ψ(v_{-j}) from one pass of the conditional kernel
        m = conditional_semivalue(g, sv.weights(n - 1))       # m[j, i] = ψ_i(v_{-j})
        for j in range(n):
            for i in range(n):
                if i != j:
                    total[i] = total[i] + m[j, i]
    else:                          # re-run the rule on each v_{-j}, written into one reusable half table
        half = np.empty(2 ** (n - 1), dtype=g.values.dtype)
        for j in range(n):
            with_j = g.values.reshape(2 ** (n - 1 - j), 2, 2**j)[:, 1, :]
            np.subtract(with_j, g.values[1 << j], out=half.reshape(2 ** (n - 1 - j), 2**j))
            psi = np.array(ctx.rule(Game(g.names[:j] + g.names[j + 1:], half)), copy=True)
            for i in range(n):     # players of v_{-j} are N∖{j}, in order
                if i != j:
                    total[i] = total[i] + psi[i if i < j else i - 1]
    for i in range(n):
        yield Residual({"player": g.names[i], "why": "n·ψ_i(v) = v(i) + Σ_{j≠i} ψ_i(v_{-j})"},
                       num(total[i]), num(n * a[i]))


def _needs_two(ctx: AxiomContext) -> str | None:
    return "needs at least 2 players" if ctx.game.n < 2 else None


def _has_symmetric(ctx: AxiomContext) -> str | None:
    if ctx.game.n < 2:
        return "needs at least 2 players"
    return None if _pairs(ctx) else "no two players are symmetric in v (the premise never holds)"


def _has_null(ctx: AxiomContext) -> str | None:
    return None if _nulls(ctx) else "no player is null in v (the premise never holds)"


AXIOMS = [
    Axiom("efficiency", "Σ_i ψ_i = v(N): the whole value is distributed",
          "Shapley (1953); Nguyen et al. (2022) Sec. 3.1", ("game", "allocation"),
          _efficiency),
    Axiom("symmetry", "players i, j with v(S∪i) = v(S∪j) for all S ∌ i,j get ψ_i = ψ_j",
          "Shapley (1953); F2 in Sim et al. (2020) / Tay et al. (2022) fn. 3", ("game", "allocation"), _symmetry, _has_symmetric),
    Axiom("null-player", "a player with v(S∪i) = v(S) for all S gets ψ_i = 0",
          "Shapley (1953); F1 uselessness in Sim et al. (2020) / Tay et al. (2022) fn. 3", ("game", "allocation"),
          _null, _has_null),
    Axiom("additivity", "ψ(v + w) = ψ(v) + ψ(w) (tested against a seeded random game w, values k/16, "
                        "k uniform in −128..127)",
          "Shapley (1953) (additivity; linearity)", ("game", "rule"), _additivity),
    Axiom("individual-rationality", "ψ_i ≥ v({i}): nobody gets less than working alone",
          "Nguyen et al. (2022) eq. 8; Tay et al. (2022) R4", ("game", "allocation"), _ir,
          premise_note=_ir_note),
    Axiom("decomposition", "n·ψ_i(v) = v({i}) + Σ_{j≠i} ψ_i(v_{-j}), v_{-j}(C) = v(C∪j) − v(j)",
          "Nguyen et al. (2022) Sec. 3.2 and App. F", ("game", "rule"), _decomposition, _needs_two),
]
