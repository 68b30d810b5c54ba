"""Property predicates of games, each with its worst violation and a witness.

Measured value tables are noisy, so a predicate never answers a bare
``False``: :class:`PropertyResult` carries the worst violation (how far the
inequality fails) and the coalitions that witness it.

Definitions (``v`` on ``N``, ``S, T ⊆ N``):

* normalised: ``v(∅) = 0``;
* monotone: ``v(S) ≤ v(S ∪ {i})`` for all ``S``, ``i``;
* superadditive: ``v(S) + v(T) ≤ v(S ∪ T)`` for disjoint ``S, T``;
* supermodular (convex): ``v(S ∪ {i}) − v(S) ≤ v(S ∪ {i,j}) − v(S ∪ {j})``
  for ``i ≠ j ∉ S`` (equivalent to the set form, Shapley 1971);
* essential: ``Σ_i v({i}) < v(N)``.

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 2, 2, 3])
>>> r = superadditive(g)
>>> r.holds, r.worst, r.witness
(False, 1.0, {'S': ['a'], 'T': ['b']})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import decide
from .game import Game

#: Largest n for the exhaustive 3^n superadditivity check.
MAX_SUPERADDITIVE_N = 16


@dataclass(frozen=True)
class PropertyResult:
    """Outcome of one predicate: ``holds`` within ``tolerance``, ``worst`` violation, a witness."""

    name: str
    holds: bool | None
    worst: float
    witness: dict[str, Any] | None
    tolerance: float
    checked: int
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"holds": self.holds, "worst_violation": self.worst, "witness": self.witness,
                "tolerance": self.tolerance, "checked": self.checked, "note": self.note}


def _f(game: Game) -> np.ndarray:
    return game.values.astype(np.float64) if game.exact else game.values


def _holds(worst: Any, tolerance: float, name: str) -> bool:
    """A predicate holds when its worst violation is within the tolerance (:mod:`mechsolve.decide`)."""
    return decide.leq(worst, tolerance, what=f"{name}: worst violation {float(worst):.3g} ≤ {tolerance:g}")


def symmetric_pairs(game: Game, tolerance: float = 0.0) -> list[tuple[int, int]]:
    """Pairs ``i < j`` with ``v(S ∪ i) = v(S ∪ j)`` for all ``S ∌ i, j`` (exact games: equal; else within tolerance).

    A cheap necessary test first (``v({i}) = v({j})`` and ``v(N∖i) = v(N∖j)``), then the full
    comparison on the surviving pairs.

    Examples
    --------
    >>> symmetric_pairs(Game.from_values(["a", "b", "c"], [0, 1, 1, 2, 0, 1, 1, 2]))
    [(0, 1)]
    """
    v = game.values
    n = game.n

    def close(a: object, b: object) -> bool:
        return decide.all_zero(np.asarray(a) - np.asarray(b), tol=tolerance, what="v(S∪i) = v(S∪j) for all S")

    single = [v[1 << k] for k in range(n)]
    compl = [v[game.grand ^ (1 << k)] for k in range(n)]
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            if not (close(single[i], single[j]) and close(compl[i], compl[j])):
                continue
            view = v.reshape(2 ** (n - 1 - j), 2, 2 ** (j - i - 1), 2, 2**i)
            if close(view[:, 0, :, 1, :], view[:, 1, :, 0, :]):   # v(S∪i) vs v(S∪j), S ∌ i, j
                out.append((i, j))
    return out


def null_players(game: Game, tolerance: float = 0.0) -> list[int]:
    """Players ``i`` with ``v(S ∪ i) = v(S)`` for all ``S`` (exact games: equal; else within tolerance).

    Examples
    --------
    >>> null_players(Game.from_values(["a", "b"], [0, 1, 0, 1]))
    [1]
    """
    out = []
    v = game.values
    for i in range(game.n):
        d0, d1 = v[1 << i] - v[0], v[game.grand] - v[game.grand ^ (1 << i)]   # cheap necessary test
        if not (decide.is_zero(d0, tol=tolerance, what=f"v({{{game.names[i]}}}) = v(∅)")
                and decide.is_zero(d1, tol=tolerance, what=f"v(N) = v(N∖{game.names[i]})")):
            continue
        view = v.reshape(2 ** (game.n - 1 - i), 2, 2**i)
        if decide.all_zero(view[:, 1, :] - view[:, 0, :], tol=tolerance, what=f"{game.names[i]} is null"):
            out.append(i)
    return out


def normalised(game: Game, tolerance: float = 0.0) -> PropertyResult:
    """``v(∅) = 0``."""
    x = abs(float(game.values[0]))
    return PropertyResult("normalised", _holds(x, tolerance, "normalised"), x, None if x <= tolerance else {"S": []},
                          tolerance, 1)


def monotone(game: Game, tolerance: float = 0.0) -> PropertyResult:
    """``v(S) ≤ v(S ∪ {i})``; worst violation ``max(v(S) − v(S ∪ {i}))``."""
    v = _f(game)
    worst, wit = 0.0, None
    for i in range(game.n):
        view = v.reshape(2 ** (game.n - 1 - i), 2, 2**i)
        drop = view[:, 0, :] - view[:, 1, :]
        k = int(np.argmax(drop))
        if drop.flat[k] > worst:
            worst = float(drop.flat[k])
            hi, lo = divmod(k, 2**i)
            s = (hi << (i + 1)) | lo
            wit = {"S": list(game.members(s)), "i": game.names[i],
                   "v(S)": float(v[s]), "v(S+i)": float(v[s | 1 << i])}
    return PropertyResult("monotone", _holds(worst, tolerance, "monotone"), worst, wit, tolerance, game.n * 2 ** (game.n - 1))


def supermodular(game: Game, tolerance: float = 0.0) -> PropertyResult:
    """Local form: ``v(S∪i) + v(S∪j) ≤ v(S∪{i,j}) + v(S)`` for ``i<j ∉ S``."""
    v = _f(game)
    n = game.n
    worst, wit, checked = 0.0, None, 0
    for i in range(n):
        for j in range(i + 1, n):
            # axes: (high bits above j, bit j, middle bits, bit i, low bits)
            view = v.reshape(2 ** (n - 1 - j), 2, 2 ** (j - i - 1), 2, 2**i)
            gap = view[:, 1, :, 0, :] + view[:, 0, :, 1, :] - view[:, 1, :, 1, :] - view[:, 0, :, 0, :]
            checked += gap.size
            k = int(np.argmax(gap))
            if gap.flat[k] > worst:
                worst = float(gap.flat[k])
                h, rest = divmod(k, 2 ** (j - i - 1) * 2**i)
                mid, lo = divmod(rest, 2**i)
                s = (h << (j + 1)) | (mid << (i + 1)) | lo
                wit = {"S": list(game.members(s)), "i": game.names[i], "j": game.names[j],
                       "gap": worst}
    return PropertyResult("supermodular", _holds(worst, tolerance, "supermodular"), worst, wit, tolerance, checked)


def superadditive(game: Game, tolerance: float = 0.0) -> PropertyResult:
    """``v(S) + v(T) ≤ v(S ∪ T)`` over all disjoint non-empty pairs (``3^n`` of them).

    Exhaustive up to :data:`MAX_SUPERADDITIVE_N` players; beyond, ``holds`` is
    ``None`` unless the game is supermodular (which implies superadditivity when
    ``v(∅) = 0``) or a violation is found among pairs with ``|T| = 1``.
    """
    v = _f(game)
    n = game.n
    if n > MAX_SUPERADDITIVE_N:
        sup = supermodular(game, tolerance)
        if sup.holds and abs(v[0]) <= tolerance:
            return PropertyResult("superadditive", True, 0.0, None, tolerance, sup.checked,
                                  note="implied by supermodularity and v(∅)=0")
        single = _superadditive_singletons(game, v)
        if single.worst > tolerance:
            return single
        return PropertyResult("superadditive", None, single.worst, None, tolerance, single.checked,
                              note=f"not decided: exhaustive check is 3^n pairs, n > {MAX_SUPERADDITIVE_N}; "
                                   "no violation with |T| = 1")
    # enumerate all (S, T) disjoint via ternary digits, in chunks over the top players
    low = min(n, 12)
    s_lo, t_lo = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    for k in range(low):
        b = 1 << k
        s_lo, t_lo = np.concatenate([s_lo, s_lo | b, s_lo]), np.concatenate([t_lo, t_lo, t_lo | b])
    worst, wit, checked = 0.0, None, 0
    for top in range(3 ** (n - low)):
        sh = th = 0
        x = top
        for k in range(low, n):
            x, d = divmod(x, 3)
            if d == 1:
                sh |= 1 << k
            elif d == 2:
                th |= 1 << k
        s, t = s_lo | sh, t_lo | th
        gap = v[s] + v[t] - v[s | t]
        ok = (s != 0) & (t != 0) & (s < t)
        gap = np.where(ok, gap, -np.inf)
        checked += int(ok.sum())
        k = int(np.argmax(gap))
        if gap[k] > worst:
            worst = float(gap[k])
            wit = {"S": list(game.members(int(s[k]))), "T": list(game.members(int(t[k])))}
    return PropertyResult("superadditive", _holds(worst, tolerance, "superadditive"), worst, wit, tolerance, checked)


def _superadditive_singletons(game: Game, v: np.ndarray) -> PropertyResult:
    worst, wit = 0.0, None
    for i in range(game.n):
        view = v.reshape(2 ** (game.n - 1 - i), 2, 2**i)
        gap = view[:, 0, :] + v[1 << i] - view[:, 1, :]
        k = int(np.argmax(gap))
        if gap.flat[k] > worst:
            worst = float(gap.flat[k])
            hi, lo = divmod(k, 2**i)
            wit = {"S": list(game.members((hi << (i + 1)) | lo)), "T": [game.names[i]]}
    return PropertyResult("superadditive", False if wit else None, worst, wit, 0.0,
                          game.n * 2 ** (game.n - 1))


def essential(game: Game, tolerance: float = 0.0) -> PropertyResult:
    """``Σ_i v({i}) < v(N)``; ``worst`` is ``Σ v({i}) − v(N)`` when that is ``≥ 0``."""
    v = _f(game)
    gap = float(v[[1 << k for k in range(game.n)]].sum() - v[-1])
    holds = gap < -tolerance
    return PropertyResult("essential", holds, max(gap, 0.0), None if holds else {"sum_singletons_minus_vN": gap},
                          tolerance, 1)


PREDICATES = {"normalised": normalised, "monotone": monotone, "superadditive": superadditive,
              "supermodular": supermodular, "essential": essential}


def inspect_game(game: Game, tolerance: float = 0.0) -> dict[str, PropertyResult]:
    """Every predicate of :data:`PREDICATES` on ``game``."""
    return {name: fn(game, tolerance) for name, fn in PREDICATES.items()}
