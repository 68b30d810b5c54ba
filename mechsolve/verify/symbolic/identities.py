"""Identities that hold for *every* game of a given ``n``, proved with sympy.

The game is symbolic: ``v(S)`` is a free sympy symbol ``v_S`` for every
non-empty ``S`` (``v(∅) = 0``). The Shapley value is the paper's formula (1),

    φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)),

evaluated term by term with rational weights (:func:`shapley_formula`), and the
derived games use the package's pure index maps (:meth:`Game.marginal`,
:func:`mechsolve.games.game.replicate`). An identity is ``proved`` for that ``n``
when ``lhs − rhs`` expands to the zero polynomial (rational function, for
normalised shares), i.e. for all games with ``n`` players.

Examples
--------
>>> shapley_efficiency(3).status
'proved'
>>> nguyen_balance(4).status
'proved'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...games.game import Game
from .result import PROVED, VIOLATED, ProofResult

#: Largest n for symbolic identities (2^n symbols; expansion cost grows fast).
MAX_SYMBOLIC_N = 7


def symbolic_game(n: int, prefix: str = "v", *, normalised: bool = True) -> Game:
    """The game on players ``1..n`` whose values are sympy symbols ``v_{12}``, ``v_{3}``, ...

    ``v(∅) = 0`` when ``normalised`` (else a symbol ``v_{}``).
    """
    import sympy as sp

    if not 1 <= n <= MAX_SYMBOLIC_N:
        from ...errors import InvalidModel

        raise InvalidModel(f"symbolic identities need 1 <= n <= {MAX_SYMBOLIC_N}, got {n}", field="n")
    names = tuple(str(k + 1) for k in range(n))
    vals = np.empty(2**n, dtype=object)
    for m in range(2**n):
        label = "".join(names[k] for k in range(n) if m >> k & 1)
        vals[m] = sp.Integer(0) if (m == 0 and normalised) else sp.Symbol(f"{prefix}_{{{label}}}", real=True)
    return Game(names, vals)


def shapley_formula(game: Game) -> np.ndarray:
    """Shapley value by the definition (eq. 1 of Ohrimenko et al. 2019; Shapley 1953), for
    symbolic (sympy) or exact values: ``Σ_S |S|!(n−|S|−1)!/n! (v(S∪i) − v(S))``."""
    import math

    import sympy as sp

    n = game.n
    v = game.values
    weights = [sp.Rational(math.factorial(s) * math.factorial(n - s - 1), math.factorial(n)) for s in range(n)]
    out = np.empty(n, dtype=object)
    for i in range(n):
        bit = 1 << i
        # one sum of the 2^n weighted values (adding them one by one re-flattens the sum each time:
        # quadratic); w·v(S∪i) and −w·v(S) as separate terms, not w·(v(S∪i) − v(S)), which builds
        # each difference as a sum first and then distributes w over it (the same sum, twice the work)
        terms = []
        for m in range(2**n):
            if not m & bit:
                w = weights[bin(m).count("1")]
                terms += (w * v[m | bit], -w * v[m])
        out[i] = sp.Add(*terms)
    return out


shapley = shapley_formula


def _identity(claim: str, statement: str, source: str, n: int,
              residuals: Callable[[Game], Sequence[tuple[str, Any]]]) -> ProofResult:
    """Prove that every residual of the symbolic game simplifies to 0."""
    import sympy as sp

    t0 = time.perf_counter()
    g = symbolic_game(n)
    bad = []
    found = residuals(g)
    for label, expr in found:
        # A polynomial residual is 0 iff it expands to 0; only a residual that does not (a rational
        # function, e.g. a share over v(N)) is brought over one denominator first, and simplified
        # only if that leaves something. Each step rewrites the expression into an equal one.
        if sp.expand(expr) == 0:
            continue
        zero = sp.expand(sp.together(expr))
        if zero != 0 and sp.simplify(zero) != 0:    # simplify only what expansion leaves
            bad.append((label, expr))
    secs = time.perf_counter() - t0
    method = "sympy identity over symbolic v(S)"
    if not bad:
        return ProofResult(claim, statement, source, n, method, ("v(∅) = 0",), PROVED,
                           f"{len(found)} residual(s) expand to 0 for every game with {n} players",
                           seconds=secs)
    label, expr = bad[0]
    return ProofResult(claim, statement, source, n, method, ("v(∅) = 0",), VIOLATED,
                       f"{label}: residual {sp.simplify(expr)} is not identically 0", seconds=secs)


def shapley_efficiency(n: int) -> ProofResult:
    """``Σ_i φ_i(v) = v(N)`` (Shapley 1953; Nguyen et al. 2022 Sec. 3.1)."""
    return _identity("shapley-efficiency", "Σ_i φ_i(v) = v(N)", "Shapley (1953); Nguyen et al. (2022) Sec. 3.1",
                     n, lambda g: [("Σφ − v(N)", shapley(g).sum() - g.values[-1])])


def nguyen_balance(n: int) -> ProofResult:
    """Balance of Nguyen payoffs: ``Σ_i (n φ_i − v(N)) = 0`` (Nguyen et al. 2022, Lemma 3.1)."""
    return _identity("nguyen-balance", "Σ_i p_i = 0 for p_i = n·φ_i(v) − v(N)",
                     "Nguyen et al. (2022) Lemma 3.1", n,
                     lambda g: [("Σ(nφ_i − v(N))", sum(g.n * x - g.values[-1] for x in shapley(g)))])


def decomposition(n: int) -> ProofResult:
    """``n φ_i = v(i) + Σ_{j≠i} φ_{i|j}``, ``φ_{i|j}`` the Shapley value of ``i`` in
    ``v_{−j}(C) = v(C ∪ j) − v(j)`` (Nguyen et al. 2022, Sec. 3.2 and App. F)."""

    def res(g: Game) -> list[tuple[str, Any]]:
        phi = shapley(g)
        cond = [shapley(g.marginal(j)) for j in range(g.n)]
        out = []
        for i in range(g.n):
            s = g.values[1 << i] + sum(cond[j][i if i < j else i - 1] for j in range(g.n) if j != i)
            out.append((f"player {g.names[i]}", g.n * phi[i] - s))
        return out

    return _identity("decomposition", "n·φ_i(v) = v({i}) + Σ_{j≠i} φ_{i|j}",
                     "Nguyen et al. (2022) Sec. 3.2, App. F", n, res)


def payoff_is_net_flow(n: int) -> ProofResult:
    """``p_i = n φ_i − v(N) = Σ_{j≠i} (φ_{i|j} − φ_{j|i})``: the payoff is the net flow of
    conditional Shapley values (Nguyen et al. 2022, Sec. 3.2)."""

    def res(g: Game) -> list[tuple[str, Any]]:
        phi = shapley(g)
        cond = [shapley(g.marginal(j)) for j in range(g.n)]

        def c(i: int, j: int) -> Any:  # φ_{i|j}
            return cond[j][i if i < j else i - 1]

        return [(f"player {g.names[i]}", g.n * phi[i] - g.values[-1]
                 - sum(c(i, j) - c(j, i) for j in range(g.n) if j != i)) for i in range(g.n)]

    return _identity("payoff-net-flow", "n·φ_i − v(N) = Σ_{j≠i} (φ_{i|j} − φ_{j|i})",
                     "Nguyen et al. (2022) Sec. 3.2", n, res)


def alpha_beta_efficiency(n: int) -> ProofResult:
    """The (α, β) family of Remark 3.6, ``p_i = α φ_i + (β − α v(N))/n``, sums to ``β``
    for every α, β (Nguyen et al. 2022, Remark 3.6, App. C)."""
    import sympy as sp

    a, b = sp.symbols("alpha beta", real=True)

    def res(g: Game) -> list[tuple[str, Any]]:
        vn = g.values[-1]
        return [("Σp_i − β", sum(a * x + (b - a * vn) / g.n for x in shapley(g)) - b)]

    return _identity("alpha-beta-efficiency", "Σ_i (α φ_i + (β − α v(N))/n) = β for all α, β",
                     "Nguyen et al. (2022) Remark 3.6", n, res)


def ohrimenko_balance(n: int) -> ProofResult:
    """Balance of the single-task market: ``Σ_i (ψ_i a − a_i) = 0`` with ``ψ_i = φ_i(v)/v(N)``,
    ``v(S) = G(S) + Σ_{j∈S}(G(S) − G(j))`` over a symbolic gain table ``G`` with ``G(∅) = 0``
    (Ohrimenko et al. 2019, §4.1 "Properties: Balance"; needs ``v(N) ≠ 0``)."""
    import sympy as sp

    def res(g: Game) -> list[tuple[str, Any]]:
        v = ohrimenko_v(g)
        phi = shapley(v)
        vn = v.values[-1]
        a_i = [g.values[-1] - g.values[1 << i] for i in range(g.n)]
        a = sum(a_i)
        return [("Σ(ψ_i a − a_i)", sp.together(sum(phi[i] / vn * a - a_i[i] for i in range(g.n))))]

    return _identity("ohrimenko-balance", "Σ_i (ψ_i·a − a_i) = 0, ψ_i = φ_i(v)/v(N) (v(N) ≠ 0)",
                     "Ohrimenko et al. (2019) §4.1", n, res)


def ohrimenko_v(gain: Game) -> Game:
    """``v(S) = G(S) + Σ_{j∈S} (G(S) − G({j}))`` for any (numeric or symbolic) gain table."""
    n = gain.n
    vals = np.empty(2**n, dtype=object)
    for m in range(2**n):
        members = [k for k in range(n) if m >> k & 1]
        vals[m] = gain.values[m] + sum((gain.values[m] - gain.values[1 << k] for k in members), 0 * gain.values[0])
    return Game(gain.names, vals)


#: Every identity, by claim name.
IDENTITIES: dict[str, Callable[[int], ProofResult]] = {
    "shapley-efficiency": shapley_efficiency,
    "nguyen-balance": nguyen_balance,
    "decomposition": decomposition,
    "payoff-net-flow": payoff_is_net_flow,
    "alpha-beta-efficiency": alpha_beta_efficiency,
    "ohrimenko-balance": ohrimenko_balance,
}
