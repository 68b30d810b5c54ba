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
from fractions import Fraction
from typing import Any

import numpy as np

from .. import decide
from .game import Game, block_start, blocks

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


#: Relative slack on gap bounds derived through the triangle inequality (float rounding).
_ROUNDING = 4 * float(np.finfo(np.float64).eps)


def _all_zero_blocks(a: np.ndarray, b: np.ndarray, tolerance: float, what: str) -> tuple[bool, Any]:
    """``decide.all_zero(a − b)`` over two equally shaped views, block by block; also the largest gap.

    The decision is the one :func:`mechsolve.decide.all_zero` takes on the whole difference,
    recorded borderline decision included: blocks stop early only once a gap is beyond the
    borderline band (then the whole array fails clearly too). No temporary grows with the table.
    Returns ``(decision, largest |a − b|)`` (the largest gap is exact for exact games).
    """
    exact = decide.is_exact(a) and decide.is_exact(b)
    if exact:
        t = Fraction(repr(float(tolerance))) if tolerance else 0
        worst: Any = 0
        for idx in blocks(a.shape):
            d = a[idx] - b[idx]
            m = max((abs(x) for x in d.flat), default=0)
            if m > t:
                return False, m
            worst = max(worst, m)
        return True, worst
    hi = decide.band(float(tolerance))[1]
    worst = 0.0
    for idx in blocks(a.shape):
        m = float(np.max(np.abs(np.asarray(a[idx], dtype=np.float64) - np.asarray(b[idx], dtype=np.float64)),
                         initial=0.0))
        if m > hi:                        # clearly fails, whatever the other blocks hold
            return False, m
        worst = max(worst, m)
    return decide.is_zero(worst, tol=tolerance, what=what), worst


def symmetric_pairs(game: Game, tolerance: float = 0.0) -> list[tuple[int, int]]:
    """Pairs ``i < j`` with ``v(S ∪ i) = v(S ∪ j)`` for all ``S ∌ i, j`` (exact games: equal; else within tolerance).

    A cheap necessary test first (``v({i}) = v({j})`` and ``v(N∖i) = v(N∖j)``), then the full
    comparison ``δ_ij = max_{S ∌ i,j} |v(S∪i) − v(S∪j)| = 0`` (:mod:`mechsolve.decide`) on the
    surviving pairs, in blocks that stop once a gap is clearly too large. Swapping ``i`` and
    ``j`` is then (nearly) an automorphism of ``v``, and these compose: ``δ_ik ≤ δ_ij + δ_jk``
    (for ``S ∌ j`` compare through ``S ∪ j``; for ``S = T ∪ j`` through ``T ∪ {i, k}``). A pair
    whose bound through some ``j < i`` is *clearly* within the tolerance — below the lower edge
    of the borderline band with room for the rounding of the gaps (exact games: within the
    tolerance, exactly) — is accepted without its own pass: exactly the decision the full
    comparison takes there, and one it would not record as borderline.

    Examples
    --------
    >>> symmetric_pairs(Game.from_values(["a", "b", "c"], [0, 1, 1, 2, 0, 1, 1, 2]))
    [(0, 1)]
    """
    v = game.values
    n = game.n
    what = "v(S∪i) = v(S∪j) for all S"

    def close(a: object, b: object) -> bool:
        return decide.all_zero(np.asarray(a) - np.asarray(b), tol=tolerance, what=what)

    exact = game.exact
    clear = Fraction(repr(float(tolerance))) if exact else decide.band(float(tolerance))[0] / (1 + _ROUNDING) ** 2
    single = [v[1 << k] for k in range(n)]
    compl = [v[game.grand ^ (1 << k)] for k in range(n)]
    bound: dict[tuple[int, int], Any] = {}             # upper bounds on δ of the accepted pairs
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            if not (close(single[i], single[j]) and close(compl[i], compl[j])):
                continue
            via = [bound[(k, i)] + bound[(k, j)] for k in range(i) if (k, i) in bound and (k, j) in bound]
            if via and min(via) <= clear:
                best = min(via)
                bound[(i, j)] = best if exact else best * (1 + _ROUNDING)
                out.append((i, j))
                continue
            view = v.reshape(2 ** (n - 1 - j), 2, 2 ** (j - i - 1), 2, 2**i)
            ok, gap = _all_zero_blocks(view[:, 0, :, 1, :], view[:, 1, :, 0, :], tolerance, what)  # S ∌ i, j
            if ok:
                bound[(i, j)] = gap if exact else gap * (1 + _ROUNDING) + 5e-324
                out.append((i, j))
    return out


def null_players(game: Game, tolerance: float = 0.0) -> list[int]:
    """Players ``i`` with ``v(S ∪ i) = v(S)`` for all ``S`` (exact games: equal; else within tolerance).

    The full comparison runs in blocks that stop once a difference is clearly too large
    (the decision of :func:`mechsolve.decide.all_zero` on the whole difference).

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
        if _all_zero_blocks(view[:, 1, :], view[:, 0, :], tolerance, f"{game.names[i]} is null")[0]:
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


def superadditive_with(game: Game, player: int, tolerance: Any = 0.0) -> PropertyResult:
    """``v(S) + v({i}) ≤ v(S ∪ {i})`` for every non-empty ``S ∌ i``: one pass over the table.

    ``worst`` is the largest ``v(S) + v({i}) − v(S ∪ {i})`` (exact for exact games) and
    the witness its ``(S, T = {i})``. Pairs are compared in blocks of
    :data:`~mechsolve.games.game.BLOCK_VALUES` coalitions, so no temporary grows with the table.

    Examples
    --------
    >>> g = Game.from_values(["a", "b", "c"], [0, 2, 2, 3, 1, 3, 3, 6])
    >>> r = superadditive_with(g, 1)
    >>> r.holds, r.worst, r.witness
    (False, 1.0, {'S': ['a'], 'T': ['b']})
    """
    n, i = game.n, int(player)
    v = game.values
    view = v.reshape(2 ** (n - 1 - i), 2, 2**i)
    without, with_i = view[:, 0, :], view[:, 1, :]     # v(S), v(S ∪ {i}) for S ∌ i, S = (hi, lo)
    alone = v[1 << i]
    least: Any = None                     # the smallest marginal v(S ∪ {i}) − v(S) gives the largest gap
    at = None
    for idx in blocks(without.shape):
        flat = (with_i[idx] - without[idx]).reshape(-1)
        start = block_start(without.shape, idx)
        if start == 0:                    # S = ∅ is not a coalition of the property
            flat, start = flat[1:], 1
            if flat.size == 0:
                continue
        k = int(np.argmin(flat)) if not game.exact else min(range(flat.size), key=flat.__getitem__)
        if least is None or flat[k] < least:
            least, at = flat[k], start + k
    if at is None:
        return PropertyResult("superadditive", True, 0.0, None, float(tolerance), 0)
    hi, lo = divmod(at, 2**i)
    s = (hi << (i + 1)) | lo
    worst = v[s] + alone - v[s | 1 << i]  # the gap itself, recomputed from the game at the witness
    holds = _holds(worst, tolerance, f"superadditive with {game.names[i]}")
    wit = None if holds else {"S": list(game.members(s)), "T": [game.names[i]]}
    return PropertyResult("superadditive", holds, worst if game.exact else float(worst), wit,
                          float(tolerance), 2 ** (n - 1) - 1)


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
