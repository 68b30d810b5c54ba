"""Stability axioms: the core and the ε-core (Gillies 1959; Maschler, Peleg & Shapley 1979).

Checked on any scheme's allocation ``x`` (also a user's payment vector, scheme ``vector``):

* ``core``: ``x(S) ≥ v(S)`` for every coalition ``S`` (with efficiency checked separately);
* ``epsilon-core``: ``x(S) ≥ v(S) − ε`` for every ``S ≠ ∅, N``, with ``ε`` the model's ``epsilon``
  or, by default, the least-core value ``ε* = min_x max_S (v(S) − x(S))`` of the game (computed
  by LP and certified exactly) — so by default the axiom asks "is ``x`` in the least core?".

All ``2^n`` coalitions are scanned in one vectorised pass; the residuals are the most-blocking
coalition of each size (the largest excess ``v(S) − x(S)``), so a violation names the coalition
that blocks most. Exact games are scanned in integer-scaled exact arithmetic.

Examples
--------
>>> import numpy as np
>>> from mechsolve.games import Game
>>> from mechsolve.schemes.base import Outcome
>>> from mechsolve.verify.axioms.base import AxiomContext
>>> g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])     # majority game: empty core
>>> x = np.array([1/3, 1/3, 1/3])
>>> ctx = AxiomContext(g, Outcome("vector", x, "x", {"x": x}), lambda h: x)
>>> worst = max(_core(ctx), key=lambda r: r.margin)
>>> worst.witness["coalition"], round(worst.margin, 6)
('{a, b}', 0.333333)
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from ...errors import SolverError
from ...games.game import popcounts
from ...schemes.stability import ExactTable, _common_denominator, _scaled, coalition_sums, least_core
from .base import Axiom, AxiomContext, Residual, num


def _excess(ctx: AxiomContext) -> tuple[np.ndarray, Any]:
    """Excess ``v(S) − x(S)`` of every coalition, and a converter of entries to numbers.

    Exact games: integers scaled by a common denominator (converter divides back).
    """
    g, x = ctx.game, ctx.outcome.allocation
    if ctx.exact and np.asarray(x).dtype == object and all(isinstance(v, (Fraction, int)) for v in x):
        tab = ExactTable.of(g)
        xs = [Fraction(v) for v in x]
        den = lcm(_common_denominator(xs), tab.den)
        e = tab.scaled(den) - coalition_sums(_scaled(xs, den), g.n)
        return e, lambda v: Fraction(int(v), den)
    xf = np.asarray(x, dtype=np.float64)
    v = g.values.astype(np.float64) if g.exact else np.asarray(g.values, dtype=np.float64)
    return v - coalition_sums(xf, g.n), float


def _epsilon(ctx: AxiomContext) -> tuple[Any, str]:
    model = ctx.extra.get("model")
    eps = getattr(model, "epsilon", None) if model is not None else None
    if eps is not None:
        return (Fraction(str(eps)) if ctx.exact else float(eps)), "the model's epsilon"
    if ctx.game.n < 2:
        return (Fraction(0) if ctx.exact else 0.0), "one player"
    r = ctx.extra.get("_least_core")
    if r is None:
        r = least_core(ctx.game, domain="preimputation", point="vertex")
    val = -r.value
    if ctx.exact:
        if isinstance(val, Fraction) and r.verified:
            return val, "the least-core value ε* (exact, LP certified)"
        # an exact verdict never rests on a float LP: a rounded ε* could turn a least-core point's
        # tight coalitions into violations (or hide real ones) — say it could not be decided
        raise SolverError(f"the least-core value could not be certified exactly ({r.verification}); "
                          "an exact verdict cannot rest on the float LP")
    return float(val), "the least-core value ε*"


def _blocking(ctx: AxiomContext, eps: Any, why: str) -> Iterator[Residual]:
    g = ctx.game
    n = g.n
    if n < 2:
        return
    e, conv = _excess(ctx)
    pc = popcounts(n)
    inner = e[1:-1]
    sizes = pc[1:-1]
    for k in range(1, n):
        idx = np.flatnonzero(sizes == k)
        sub = inner[idx]
        j = int(np.argmax(sub.astype(np.float64) if sub.dtype == object else sub))
        if sub.dtype == object:  # exact: the float argmax may tie; confirm exactly
            best = sub[j]
            for t in range(sub.size):
                if sub[t] > best:
                    best, j = sub[t], t
        m = int(idx[j]) + 1
        ex = conv(e[m])
        x = ctx.outcome.allocation
        xs = sum((x[i] for i in range(n) if m >> i & 1), 0 * x[0])
        vS = g.values[m]
        yield Residual({"coalition": "{" + ", ".join(g.members(m)) + "}", "size": k,
                        "excess v(S) − x(S)": num(ex), "why": f"most-blocking coalition of size {k}; {why}"},
                       num(vS - eps), num(xs), ">=")


def _core(ctx: AxiomContext) -> Iterator[Residual]:
    zero = Fraction(0) if ctx.exact else 0.0
    yield from _blocking(ctx, zero, "x(S) ≥ v(S)")


def _eps_core(ctx: AxiomContext) -> Iterator[Residual]:
    eps, src = _epsilon(ctx)
    yield from _blocking(ctx, eps, f"x(S) ≥ v(S) − ε with ε = {eps} ({src})")


def _core_note(ctx: AxiomContext) -> str | None:
    if ctx.game.n < 2 or ctx.game.n > 20:
        return None
    from ...schemes.stability import core_certificate

    try:
        c = core_certificate(ctx.game)
    except Exception:  # the note is advice only; the verdict above stands
        return None
    if c.empty:
        return "the core of this game is empty — " + " ".join(c.lines())
    return None


def _needs_two(ctx: AxiomContext) -> str | None:
    return "needs at least 2 players" if ctx.game.n < 2 else None


AXIOMS = [
    Axiom("core", "every coalition gets at least its value: x(S) ≥ v(S) for all S (with efficiency, "
          "x is in the core); the witness is the most-blocking coalition",
          "Gillies (1959); Shapley (1955); Tay et al. (2022) R6 (stability)", ("game", "allocation"), _core,
          _needs_two, premise_note=_core_note),
    Axiom("epsilon-core", "x(S) ≥ v(S) − ε for every coalition S ≠ ∅, N, ε = the model's `epsilon` or the "
          "least-core value ε* (then: x is in the least core)",
          "Maschler, Peleg & Shapley (1979); Shapley & Shubik (1966)", ("game", "allocation"), _eps_core,
          _needs_two),
]
