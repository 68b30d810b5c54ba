"""Shapley values: exact (float and rational), conditional, and Monte Carlo.

Exact formula (Shapley 1953): for ``w(s) = s!(n-s-1)!/n!``,

    φ_i = Σ_{S ⊆ N∖{i}} w(|S|) (v(S ∪ {i}) − v(S)).

Regrouped by coalition, ``φ_i = Σ_{S∋i} c(|S|) v(S) − B`` with
``c(s) = (s-1)!(n-s-1)!/(n-1)!`` for ``1 ≤ s < n``, ``c(n) = 1/n`` and
``B = Σ_{S} w(|S|) v(S)`` over all ``S ≠ N`` — one weighted array and, per
player, one strided sum over the half of the table that contains ``i``: no
Python loop over coalitions.

Examples
--------
>>> from mechsolve.games import Game
>>> g = Game.from_table(["a", "b"], {"": 0, "a": 1, "b": 2, "a,b": 4})
>>> shapley(g).tolist()
[1.5, 2.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import InvalidModel
from .games import Game, popcounts


def _coefficients(n: int, exact: bool) -> tuple[list[Any], list[Any]]:
    """``c(s)`` for coalitions containing ``i`` and ``w(s)`` for those without."""
    if exact:
        fact = [Fraction(math.factorial(k)) for k in range(n + 1)]
        w = [fact[s] * fact[n - s - 1] / fact[n] if s < n else Fraction(0) for s in range(n + 1)]
        c = [Fraction(0)] + [fact[s - 1] * fact[n - s - 1] / fact[n - 1] if s < n else Fraction(1, n)
                             for s in range(1, n + 1)]
        return c, w
    # w(s) = 1 / (n·C(n-1, s)); c(s) = 1 / ((n-1)·C(n-2, s-1)) for 1 <= s < n
    w = [1.0 / (n * math.comb(n - 1, s)) if s < n else 0.0 for s in range(n + 1)]
    c = [0.0] + [1.0 / ((n - 1) * math.comb(n - 2, s - 1)) if s < n else 1.0 / n
                 for s in range(1, n + 1)]
    return c, w


def member_sums(x: np.ndarray, n: int) -> np.ndarray:
    """``[Σ_{S∋i} x(S) for i in range(n)]`` for a bitmask-indexed array ``x``."""
    out = np.empty(n, dtype=x.dtype)
    for i in range(n):
        out[i] = x.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 1, :].sum()
    return out


def shapley(game: Game) -> np.ndarray:
    """Exact Shapley value of every player, in ``O(n·2^n)`` vectorised work.

    Exact games (``game.exact``) give :class:`~fractions.Fraction` results.

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> glove = Game.from_table(["L", "R1", "R2"], {"": 0, "L": 0, "R1": 0, "R2": 0,
    ...     "L,R1": 1, "L,R2": 1, "R1,R2": 0, "L,R1,R2": 1})
    >>> [round(x, 6) for x in shapley(glove)]
    [0.666667, 0.166667, 0.166667]
    """
    n = game.n
    if n == 0:
        return np.zeros(0, dtype=object if game.exact else np.float64)
    sizes = popcounts(n)
    c, w = _coefficients(n, game.exact)
    if game.exact:
        cw = np.empty(n + 1, dtype=object)
        cw[:] = c
        ww = np.empty(n + 1, dtype=object)
        ww[:] = w
    else:
        cw = np.asarray(c, dtype=np.float64)
        ww = np.asarray(w, dtype=np.float64)
    v = game.values
    base = (ww[sizes] * v).sum()
    phi = member_sums(cw[sizes] * v, n) - base
    return phi


def conditional_shapley(game: Game) -> np.ndarray:
    """All conditional Shapley values ``φ_{j|i}`` (Nguyen et al. 2022, Sec. 3.2, App. F).

    ``φ_{j|i}`` is the Shapley value of ``j`` in the marginal game
    ``v_{-i}(C) = v(C ∪ {i}) − v({i})`` on ``N∖{i}``. Returns the ``n×n``
    matrix ``M`` with ``M[i, j] = φ_{j|i}`` and ``M[i, i] = 0``.

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> conditional_shapley(g).tolist()
    [[0.0, 3.0], [2.0, 0.0]]
    """
    n = game.n
    m = np.zeros((n, n), dtype=object if game.exact else np.float64)
    if game.exact:
        m[:] = Fraction(0)
    for i in range(n):
        phi = shapley(game.marginal(i))
        others = [j for j in range(n) if j != i]
        m[i, others] = phi
    return m


@dataclass(frozen=True)
class MonteCarloEstimate:
    """Monte Carlo Shapley estimate with a standard error per player."""

    values: np.ndarray
    std_error: np.ndarray
    permutations: int
    converged: bool
    seed: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"values": self.values.tolist(), "std_error": self.std_error.tolist(),
                "permutations": self.permutations, "converged": self.converged, "seed": self.seed}


def monte_carlo_shapley(value: Game | Callable[[np.ndarray], np.ndarray], n: int | None = None, *,
                        max_permutations: int = 10_000, target_std_error: float | None = None,
                        batch: int = 64, antithetic: bool = True, seed: int | None = None
                        ) -> MonteCarloEstimate:
    """Permutation-sampling estimate of the Shapley value (Castro et al. 2009).

    Each sampled permutation ``π`` gives every player its marginal contribution
    ``v(P_i^π ∪ {i}) − v(P_i^π)``; the estimate is the mean, the standard error
    ``sd/√m``. With ``antithetic`` each permutation is paired with its reverse
    and the pair mean is one sample. Sampling stops when every player's
    standard error is at most ``target_std_error`` (checked after each batch,
    after at least 2 batches) or at ``max_permutations``.

    Parameters
    ----------
    value : Game or callable
        A tabulated game, or ``f(members)`` taking a boolean ``(batch, n)``
        array of coalitions and returning their ``batch`` values.

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> est = monte_carlo_shapley(g, max_permutations=200, seed=1)
    >>> bool(abs(est.values - shapley(g)).max() < 1e-12)   # n=2: antithetic pairs are exact
    True
    """
    if isinstance(value, Game):
        n = value.n
        table = value.to_float().values
        weights = (1 << np.arange(n, dtype=np.int64))

        def f(members: np.ndarray) -> np.ndarray:
            return table[members.astype(np.int64) @ weights]
    else:
        if n is None:
            raise InvalidModel("n is required with a callable value function", field="n")
        f = value
    if n <= 0:
        raise InvalidModel(f"n must be positive, got {n}", field="n")
    if max_permutations < 2:
        raise InvalidModel("max_permutations must be at least 2", field="max_permutations")
    rng = np.random.default_rng(seed)
    total = np.zeros(n)
    total_sq = np.zeros(n)
    count = 0
    converged = False
    rows = np.arange(batch)[:, None]
    while count < max_permutations:
        b = min(batch, max_permutations - count)
        perms = rng.permuted(np.tile(np.arange(n), (b, 1)), axis=1)
        sample = _marginals(f, perms, rows[:b], n)
        if antithetic:
            sample = 0.5 * (sample + _marginals(f, perms[:, ::-1], rows[:b], n))
        total += sample.sum(axis=0)
        total_sq += (sample**2).sum(axis=0)
        count += b
        if target_std_error is not None and count >= 2 * batch:
            mean = total / count
            var = np.maximum(total_sq / count - mean**2, 0.0) * count / (count - 1)
            if np.sqrt(var / count).max() <= target_std_error:
                converged = True
                break
    mean = total / count
    var = np.maximum(total_sq / count - mean**2, 0.0) * count / max(count - 1, 1)
    return MonteCarloEstimate(mean, np.sqrt(var / count), count, converged, seed)


def _marginals(f: Callable[[np.ndarray], np.ndarray], perms: np.ndarray, rows: np.ndarray,
               n: int) -> np.ndarray:
    """Marginal contributions of each player along each permutation (b × n)."""
    b = perms.shape[0]
    members = np.zeros((b, n), dtype=bool)
    prev = np.asarray(f(members), dtype=np.float64)
    out = np.empty((b, n))
    for pos in range(n):
        members[rows[:, 0], perms[:, pos]] = True
        cur = np.asarray(f(members), dtype=np.float64)
        out[rows[:, 0], perms[:, pos]] = cur - prev
        prev = cur
    return out
