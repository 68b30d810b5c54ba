"""Axioms of an allocation rule on a cooperative game (Shapley 1953; Nguyen et al. 2022).

Each is stated for the rule ``ψ`` the scheme applies (``ψ = φ`` for the Shapley value).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import numpy as np

from ...games.game import Game
from ...games.properties import null_players, superadditive, symmetric_pairs
from .base import Axiom, AxiomContext, Residual, num


def _efficiency(ctx: AxiomContext) -> Iterator[Residual]:
    total = ctx.outcome.allocation.sum()
    yield Residual({"sum over players": "Σ_i ψ_i"}, num(ctx.game.grand_value), num(total))


def _pairs(ctx: AxiomContext, kind: str) -> list[tuple[int, int]]:
    """Pairs ``i < j`` symmetric in ``v`` within tolerance (exact games: equal)."""
    return symmetric_pairs(ctx.game, ctx.tol)


def _nulls(ctx: AxiomContext) -> list[int]:
    return null_players(ctx.game, ctx.tol)


def _symmetry(ctx: AxiomContext) -> Iterator[Residual]:
    a = ctx.outcome.allocation
    names = ctx.game.names
    for i, j in _pairs(ctx, "symmetric"):
        yield Residual({"i": names[i], "j": names[j], "why": "v(S∪i) = v(S∪j) for all S ∌ i,j"},
                       num(a[i]), num(a[j]))


def _null(ctx: AxiomContext) -> Iterator[Residual]:
    a = ctx.outcome.allocation
    for i in _nulls(ctx):
        yield Residual({"player": ctx.game.names[i], "why": "v(S∪i) = v(S) for all S"},
                       num(0 * a[i]), num(a[i]))


def _companions(ctx: AxiomContext, count: int = 3) -> list[Game]:
    """Seeded integer-valued games on the same players (exact games stay exact)."""
    rng = np.random.default_rng(ctx.seed)
    out = []
    for _ in range(count):
        vals = rng.integers(-5, 6, size=2**ctx.game.n).astype(np.int64)
        vals[0] = 0
        if ctx.exact:
            arr = np.empty(vals.size, dtype=object)
            arr[:] = [Fraction(int(x)) for x in vals]
        else:
            arr = vals.astype(np.float64)
        out.append(Game(ctx.game.names, arr))
    return out


def _additivity(ctx: AxiomContext) -> Iterator[Residual]:
    g = ctx.game
    a = ctx.outcome.allocation
    for k, w in enumerate(ctx.extra.get("additivity_games") or _companions(ctx)):
        both = ctx.rule(g + w)
        sep = ctx.rule(w)
        for i in range(g.n):
            yield Residual({"player": g.names[i], "w": f"companion game #{k} (seed {ctx.seed})"},
                           num(a[i] + sep[i]), num(both[i]))


def _ir(ctx: AxiomContext) -> Iterator[Residual]:
    a = ctx.outcome.allocation
    s = ctx.game.singletons()
    for i, p in enumerate(ctx.game.names):
        yield Residual({"player": p, "why": "ψ_i ≥ v({i})"}, num(s[i]), num(a[i]), ">=")


def _ir_note(ctx: AxiomContext) -> str | None:
    if ctx.game.n > 16:
        return None
    r = superadditive(ctx.game, ctx.tol)
    if r.holds is False:
        s, t = (", ".join(r.witness[k]) for k in ("S", "T"))
        return (f"the game is not superadditive (v(S)+v(T) exceeds v(S∪T) by {r.worst:.6g} at "
                f"S = {{{s}}}, T = {{{t}}}); the Shapley value is individually rational only for superadditive games")
    return None


def _decomposition(ctx: AxiomContext) -> Iterator[Residual]:
    g = ctx.game
    n = g.n
    a = ctx.outcome.allocation
    total = list(g.singletons())
    for j in range(n):
        psi = ctx.rule(g.marginal(j))     # players of v_{-j} are N∖{j}, in order
        for i in range(n):
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
    return None if _pairs(ctx, "symmetric") else "no two players are symmetric in v (the premise never holds)"


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
    Axiom("additivity", "ψ(v + w) = ψ(v) + ψ(w) (tested against seeded integer games w)",
          "Shapley (1953) (additivity; linearity)", ("game", "rule"), _additivity),
    Axiom("individual-rationality", "ψ_i ≥ v({i}): nobody gets less than working alone",
          "Nguyen et al. (2022) eq. 8; Tay et al. (2022) R4", ("game", "allocation"), _ir,
          premise_note=_ir_note),
    Axiom("decomposition", "n·ψ_i(v) = v({i}) + Σ_{j≠i} ψ_i(v_{-j}), v_{-j}(C) = v(C∪j) − v(j)",
          "Nguyen et al. (2022) Sec. 3.2 and App. F", ("game", "rule"), _decomposition, _needs_two),
]
