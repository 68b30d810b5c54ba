"""ρ-Shapley fair rewards (Sim et al. 2020) and rectified ρ-Shapley rewards (Tay et al. 2022).

Notation (papers/tay2022-synthetic-data-rewards.md §4, §4.1): ``φ_i`` is the Shapley
value of party ``i`` under the characteristic function ``v_c`` (eq. 5), ``φ* = max_j φ_j``
and ``α_i = φ_i/φ*`` the normalised Shapley value.

* **ρ-Shapley** (Sim et al. 2020, as restated in Tay §4)::

      r_i = (φ_i/φ*)^ρ · v(N),            ρ ∈ [0, 1].

* **Rectified ρ-Shapley** (Tay §4.1, eq. 6)::

      r_i = max{ v({i}), (φ_i/φ*)^ρ · v* },

  with ``(log v*, ρ)`` from the paper's LP (§4.1, "Optimizing ρ and v* via a Linear
  Program")::

      max  log v* + ε ρ
      s.t. v_i^min ≤ v* α_i^ρ ≤ v_i^max   for every i,    0 ≤ ρ ≤ 1,

  written as ``min c·x`` s.t. ``A x ≤ b`` with ``x = (log v*, ρ)``, ``c = (−1, −ε)``.
  The lower bound follows Prop. 3: ``R4`` (Prop. 3a) asks only ``v({i}) ≤ v*``;
  ``R5`` (Prop. 3b) ``v_i^min = v({i})``; ``R6`` (Prop. 3c) ``v_i^min = v(C_i)`` with
  ``C_i = {j : φ_j ≤ φ_i}``. The upper bound ``v_i^max = v(D_i ∪ G)`` depends on the
  synthetic data set ``G`` and is **data**: per-party ``caps`` (``v(N)`` for every party
  when not given, which is Sim et al.'s feasibility R2: ``r_i ≤ v(N)``).

Conventions stated here because the formulas leave them open:

* The formulas need ``φ_i ≥ 0`` (Tay §4 assumes a non-negative, monotone ``v_c``, which
  makes every ``φ_i ≥ 0``). A negative ``φ_i`` is an :class:`~mechsolve.errors.InvalidModel`
  error by default (``negative: error``); ``negative: clip`` reads it as ``φ_i = 0``
  (a documented option, not the paper). ``φ* ≤ 0`` is always an error.
* In float64 a Shapley value within ``1e-12·max_j |φ_j|`` of 0 is read as exactly 0: it is
  round-off of the ``O(n·2^n)`` Shapley sum (a null party gets ``±2e-16``), which ``(·)^ρ``
  with ``ρ < 1`` would amplify into a visible reward (``(1e-16)^0.5 = 1e-8``).
* ``α_i = 0`` (a party with ``φ_i = 0``) gets ``α_i^ρ := 0`` for every ρ, including
  ρ = 0 (the limit ρ → 0⁺; it keeps F1 uselessness). Its LP rows are dropped: the upper
  row holds for every ρ and the lower row needs ``v_i^min ≤ 0``.
* A lower bound ``v_i^min ≤ 0`` holds for every ``(v*, ρ)`` (``v* α_i^ρ ≥ 0``); its row
  is dropped (``log`` of a non-positive number is undefined). An ``inf`` cap drops its row.
* With ``ε > 0`` the optimum does not depend on ε: every upper-bound line
  ``log v* ≤ log v_j^max − ρ log α_j`` is non-decreasing in ρ (``α_j ≤ 1``), so the objective
  increases along the feasible set's upper envelope and the optimum is the largest feasible
  ρ with ``v* = min_j v_j^max / α_j^ρ``. With ``ε ≤ 0`` the optimum may be a whole segment;
  :class:`RectifiedResult` then reports the range of optimal ρ and v* (``unique = False``).

The LP is built in matrix form and solved for an optimal **vertex certified by the dual**
(:func:`mechsolve.solvers.vertex.optimal_vertex`: the back-end's vertex solved exactly from the
rows that define it, feasibility and ``y ≥ 0`` decided within round-off since the data are
logarithms); the optimum is then confirmed against the exact 2-D
envelope solution (:func:`envelope`), which also names the conflicting constraint
families when the LP is infeasible. When the optimum is unique, the certified vertex must
agree with the envelope's (to 1e-6, in practice ~1e-15); when it is not, the certified vertex
is reported with the optimal ranges (a back-end's raw point is accurate only to its tolerance,
about 1e-8 for CBC).

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])          # φ = (1.5, 2.5), α = (0.6, 1)
>>> [round(float(x), 6) for x in rho_shapley(g, 1.0)]        # α · v(N)
[2.4, 4.0]
>>> res = rectified_rho_shapley(g, epsilon=1e-3, lower="R5")
>>> round(res.rho, 6), round(res.v_star, 6), [round(float(x), 6) for x in res.rewards]
(1.0, 4.0, [2.4, 4.0])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import Infeasible, InvalidModel, SolverError, Unbounded, Unsupported
from .. import decide
from ..games.game import MAX_EXACT_PLAYERS, Game
from ..games.shapley import shapley
from ..solvers.lp import LinearProgram, residuals
from ..solvers.vertex import ExactLP, optimal_vertex
from .base import Outcome, Scheme

#: Lower-bound variants of Tay et al. (2022), Prop. 3 (a), (b), (c).
LOWER_BOUNDS = ("R4", "R5", "R6")
#: Objective values of the LP and the envelope must agree to this (log scale).
OPTIMUM_AGREEMENT = 1e-7
#: Float Shapley values within this fraction of max|φ| of zero are round-off, read as 0.
ROUND_OFF = 1e-12
#: The solver's point must lie this close to the exact vertex before it is polished to it.
POLISH_TOLERANCE = 1e-6
#: Two optimal ρ (or log v*) closer than this count as one optimum.
UNIQUENESS_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- shared pieces
def normalised_shapley(phi: np.ndarray, *, negative: str = "error",
                       names: tuple[str, ...] | None = None) -> np.ndarray:
    """``α_i = φ_i / φ*`` with ``φ* = max_j φ_j`` (Tay et al. 2022, §4.1).

    Parameters
    ----------
    phi : numpy.ndarray
        Shapley values (float or :class:`~fractions.Fraction`).
    negative : {"error", "clip"}
        A negative ``φ_i`` raises :class:`InvalidModel` (``error``) or is read as 0 (``clip``).

    Examples
    --------
    >>> normalised_shapley(np.array([1.0, 2.0, 4.0])).tolist()
    [0.25, 0.5, 1.0]
    """
    names = names or tuple(f"player {k}" for k in range(len(phi)))
    if phi.dtype != object and len(phi):
        phi = np.asarray(phi, dtype=np.float64).copy()
        phi[np.abs(phi) <= ROUND_OFF * float(np.max(np.abs(phi)))] = 0.0
    if negative not in ("error", "clip"):
        raise InvalidModel(f"negative must be 'error' or 'clip', got {negative!r}", field="scheme.negative")
    if len(phi) == 0:
        raise InvalidModel("the game has no players", field="players")
    top = max(phi)
    if top <= 0:
        raise InvalidModel(f"the largest Shapley value is φ* = {float(top):.6g} ≤ 0, so φ_i/φ* is undefined "
                           "or negative; ρ-Shapley needs a game with some positive contribution",
                           field="value")
    neg = [k for k in range(len(phi)) if phi[k] < 0]
    if neg and negative == "error":
        k = neg[0]
        raise InvalidModel(f"Shapley value of {names[k]!r} is φ = {float(phi[k]):.6g} < 0; (φ_i/φ*)^ρ needs "
                           "φ_i ≥ 0 (Tay et al. 2022 §4 assumes a non-negative, monotone v). Set "
                           "`negative: clip` to read negative φ_i as 0", field="scheme.negative")
    if phi.dtype == object:
        out = np.empty(len(phi), dtype=object)
        out[:] = [(x if x > 0 else Fraction(0)) / top for x in phi]
        return out
    return np.maximum(np.asarray(phi, dtype=np.float64), 0.0) / float(top)


def coalitions_below(phi: np.ndarray, *, exact_phi: Any = None,
                     names: tuple[str, ...] | None = None) -> np.ndarray:
    """Bitmasks ``C_i = {j : φ_j ≤ φ_i}`` (Tay et al. 2022, Prop. 3c); ``i ∈ C_i``.

    Ties decide ``C_i``, so each ``φ_j ≤ φ_i`` goes through :func:`mechsolve.decide.leq` (float
    noise of the Shapley sum is a tie); when one is borderline and ``exact_phi()`` gives the
    exact Shapley values (rational data), the sets are decided on those instead.

    Examples
    --------
    >>> coalitions_below(np.array([0.2, 0.5, 0.2])).tolist()     # {0,2}, {0,1,2}, {0,2}
    [5, 7, 5]
    >>> coalitions_below(np.array([0.3, 0.1 + 0.2])).tolist()    # 0.3 vs 0.30000000000000004: a tie
    [3, 3]
    """
    n = len(phi)
    label = names or tuple(f"player {k}" for k in range(n))
    bits = 1 << np.arange(n, dtype=np.int64)

    def sets(values: Any) -> np.ndarray:
        le = np.array([[decide.leq(values[j], values[i], what=f"φ_{label[j]} ≤ φ_{label[i]}")
                        for j in range(n)] for i in range(n)], dtype=bool)
        return (le * bits[None, :]).sum(axis=1).astype(np.int64)

    with decide.recording(propagate=False) as log:
        out = sets(phi)
    if log:
        exact = exact_phi() if exact_phi is not None else None
        if exact is not None:
            return sets(exact)
        decide.relay(log)
    return out


def exact_shapley_for_decisions(game: Game) -> Any:
    """A function giving the exact Shapley values of ``game`` (``None`` if not rational or too large).

    Float values are read as the decimals they print as (as model files are read); values
    computed from datasets or a callable (``game.meta["rational"] is False``) have no exact reading.
    """
    def make() -> np.ndarray | None:
        if game.exact:
            return shapley(game)
        if game.meta.get("rational") is False or game.n > MAX_EXACT_PLAYERS:
            return None
        return shapley(game.to_exact(decimals=True))

    return make


def lower_bounds(game: Game, phi: np.ndarray, lower: str) -> np.ndarray:
    """``v_i^min``: ``v({i})`` for R4/R5, ``v(C_i)`` for R6 (Tay et al. 2022, Prop. 3)."""
    if lower not in LOWER_BOUNDS:
        raise InvalidModel(f"lower must be one of {', '.join(LOWER_BOUNDS)}, got {lower!r}",
                           field="scheme.lower")
    v = game.to_float().values
    if lower == "R6":
        below = coalitions_below(phi, exact_phi=exact_shapley_for_decisions(game), names=game.names)
        return v[below].astype(np.float64)
    return v[[1 << k for k in range(game.n)]].astype(np.float64)


def _power(alpha: np.ndarray, rho: float) -> np.ndarray:
    """``α^ρ`` with ``0^ρ := 0`` for every ρ (module docstring)."""
    a = np.asarray(alpha, dtype=np.float64)
    out = np.zeros_like(a)
    pos = a > 0
    out[pos] = a[pos] ** rho
    return out


def _check_rho(rho: Any) -> float:
    if isinstance(rho, bool) or not isinstance(rho, (int, float, Fraction)):
        raise InvalidModel(f"rho must be a number in [0, 1], 'R4' or 'R6', got {rho!r}", field="scheme.rho")
    x = float(rho)
    if not (0.0 <= x <= 1.0):
        raise InvalidModel(f"rho must lie in [0, 1] (Sim et al. 2020), got {rho!r}", field="scheme.rho")
    return x


# --------------------------------------------------------------------------- ρ-Shapley
def max_rho(game: Game, bound: str = "R4", *, negative: str = "error") -> float:
    """Largest ``ρ ∈ [0, 1]`` with ``α_i^ρ · v(N) ≥ v_i^min`` for every ``i`` (v* = v(N)).

    ``bound="R4"`` uses ``v_i^min = v({i})`` (individual rationality), ``"R6"`` uses
    ``v(C_i)`` (stability). This is the choice of ρ in Sim et al. (2020) for their R4/R6
    trade-off, and the authors' reference code for Tay et al. (``get_q_rho``)::

        ρ = min(1, min_{i : α_i < 1} log(v_i^min / v(N)) / log α_i).

    Raises :class:`Infeasible` when no ``ρ ∈ [0, 1]`` works.

    Examples
    --------
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])          # α = (0.6, 1), v(a) = 1
    >>> round(max_rho(g, "R4"), 6)                               # 0.6^ρ·4 ≥ 1 ⇔ ρ ≤ log(1/4)/log(0.6)
    1.0
    """
    if bound not in ("R4", "R6"):
        raise InvalidModel(f"rho target must be 'R4' or 'R6', got {bound!r}", field="scheme.rho")
    g = game.to_float()
    phi = shapley(g)
    alpha = normalised_shapley(phi, negative=negative, names=g.names)
    vmin = lower_bounds(game, phi, "R5" if bound == "R4" else "R6")
    vn = g.grand_value
    rho = 1.0
    for i, p in enumerate(g.names):
        if decide.leq(vmin[i], 0.0, what="v_min ≤ 0 for " + p):
            continue                         # α^ρ v(N) ≥ 0 ≥ v_min when v(N) ≥ 0
        what = "v({%s})" % p if bound == "R4" else f"v(C_{p})"
        if decide.leq(vn, 0.0, what="v(N) ≤ 0"):
            raise Infeasible(f"v(N) = {vn:.6g} ≤ 0 < {what} = {vmin[i]:.6g}: no ρ gives α^ρ·v(N) ≥ {what}",
                             field="scheme.rho")
        if alpha[i] == 0:
            raise Infeasible(f"{p!r} has φ = 0 (α = 0) but {what} = {vmin[i]:.6g} > 0: α^ρ·v(N) = 0 for "
                             "every ρ > 0", field="scheme.rho")
        if decide.geq(alpha[i], 1.0, what=f"α_{p} = 1 (a top party)"):
            if decide.gt(vmin[i], vn, what=f"{what} > v(N)"):
                raise Infeasible(f"{what} = {vmin[i]:.6g} exceeds v(N) = {vn:.6g} for the top party {p!r}",
                                 field="scheme.rho")
            continue
        if decide.geq(vmin[i], vn, what=f"{what} ≥ v(N)"):
            if decide.gt(vmin[i], vn, what=f"{what} > v(N)"):
                raise Infeasible(f"{what} = {vmin[i]:.6g} exceeds v(N) = {vn:.6g}: no ρ ≥ 0 gives "
                                 f"α_{p}^ρ·v(N) ≥ {what}", field="scheme.rho")
            rho = 0.0                         # v_min = v(N) within tolerance: only ρ = 0 works
            continue
        r = math.log(vmin[i] / vn) / math.log(alpha[i])
        rho = min(rho, r)
    return rho


def rho_shapley(game: Game, rho: float, *, negative: str = "error") -> np.ndarray:
    """ρ-Shapley fair rewards ``r_i = (φ_i/φ*)^ρ · v(N)`` (Sim et al. 2020; Tay et al. 2022 §4).

    Exact games give :class:`~fractions.Fraction` rewards for ``ρ ∈ {0, 1}``; other ρ make
    the rewards irrational and raise :class:`Unsupported` in exact mode.

    Parameters
    ----------
    game : Game
    rho : float
        ``ρ ∈ [0, 1]``: 1 is purely Shapley fair, 0 gives every contributing party ``v(N)``.
    negative : {"error", "clip"}
        What a negative Shapley value means (module docstring).

    Examples
    --------
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])          # α = (0.6, 1)
    >>> [round(float(x), 6) for x in rho_shapley(g, 0.5)]       # (0.6^0.5·4, 4)
    [3.098387, 4.0]
    """
    rho = _check_rho(rho)
    phi = shapley(game)
    alpha = normalised_shapley(phi, negative=negative, names=game.names)
    if game.exact:
        if rho not in (0.0, 1.0):
            raise Unsupported(f"ρ = {rho:g} makes (φ_i/φ*)^ρ irrational; exact mode supports ρ ∈ {{0, 1}} only "
                              "(run without --exact)", field="scheme.rho")
        vn = game.grand_value
        out = np.empty(game.n, dtype=object)
        out[:] = [a * vn if rho == 1.0 else (vn if a > 0 else Fraction(0)) for a in alpha]
        return out
    return _power(alpha, rho) * game.grand_value


# --------------------------------------------------------------------------- rectified
@dataclass(frozen=True)
class Envelope:
    """Exact solution of the 2-variable LP by its upper/lower envelopes.

    ``hi(ρ) = min_j (b_j − a_j ρ)`` bounds ``log v*`` from above, ``lo(ρ)`` from below;
    the feasible ρ form the interval ``[rho_min, rho_max]`` where ``hi ≥ lo``.
    """

    feasible: bool
    rho_min: float
    rho_max: float
    best_gap: float
    best_gap_rho: float
    objective: float
    rho_opt: tuple[float, float]
    log_vstar_opt: tuple[float, float]
    binding_lower: int | None
    binding_upper: int | None


def _lines(alpha: np.ndarray, vmin: np.ndarray, vmax: np.ndarray, lower: str
           ) -> tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]]:
    """Upper lines ``log v* ≤ c − s ρ`` and lower lines ``log v* ≥ c − s ρ`` as (c, s, player)."""
    up, lo = [], []
    for i in range(len(alpha)):
        la = math.log(alpha[i]) if alpha[i] > 0 else None
        if la is not None and math.isfinite(vmax[i]):
            if vmax[i] <= 0:
                up.append((-math.inf, 0.0, i))      # impossible: v* α^ρ > 0 ≥ cap
            else:
                up.append((math.log(vmax[i]), la, i))
        if vmin[i] > 0:
            if lower == "R4":
                lo.append((math.log(vmin[i]), 0.0, i))
            elif la is None:
                lo.append((math.inf, 0.0, i))        # impossible for ρ > 0: α^ρ = 0 < v_min
            else:
                lo.append((math.log(vmin[i]), la, i))
    return up, lo


def _breakpoints(lines: list[tuple[float, float]]) -> list[float]:
    """Breakpoints in (0, 1) of ``ρ ↦ min_k (a_k + b_k ρ)`` (convex-hull trick, ``O(m log m)``)."""
    if len(lines) < 2:
        return []
    best: dict[float, float] = {}
    for a, b in lines:                               # equal slopes: only the lowest line matters
        best[b] = min(a, best.get(b, math.inf))
    ls = sorted(best.items(), key=lambda t: -t[0])   # slope descending: active order as ρ grows
    hull: list[tuple[float, float]] = []             # (b, a)

    def x(l1: tuple[float, float], l2: tuple[float, float]) -> float:
        return (l2[1] - l1[1]) / (l1[0] - l2[0])

    for b, a in ls:
        line = (b, a)
        while len(hull) >= 2 and x(hull[-2], line) <= x(hull[-2], hull[-1]):
            hull.pop()
        hull.append(line)
    return [r for r in (x(hull[k], hull[k + 1]) for k in range(len(hull) - 1)) if 0.0 < r < 1.0]


def envelope(alpha: np.ndarray, vmin: np.ndarray, vmax: np.ndarray, lower: str, epsilon: float) -> Envelope:
    """Solve ``max log v* + ερ`` over the LP's feasible set exactly, by enumerating breakpoints.

    ``hi`` is concave and ``lo`` convex, piecewise linear; the objective ``hi + ερ`` is maximised
    over ``{hi ≥ lo}`` at ρ = 0, ρ = 1, a breakpoint of ``hi`` or ``lo`` (convex-hull trick) or where
    they cross: ``O(n)`` candidates, each evaluated in ``O(n)``.
    """
    up, lo = _lines(alpha, vmin, vmax, lower)
    lines = [(c, s) for c, s, _ in up + lo if math.isfinite(c)]
    # candidates: 0, 1, the breakpoints of hi (min of upper lines) and lo (max of lower lines), and
    # where hi and lo cross (both are linear between consecutive breakpoints)
    cand = {0.0, 1.0}
    cand.update(_breakpoints([(c, -s) for c, s, _ in up if math.isfinite(c)]))
    cand.update(_breakpoints([(-c, s) for c, s, _ in lo if math.isfinite(c)]))
    rhos = np.array(sorted(cand))

    def hi(r: np.ndarray) -> np.ndarray:
        if not up:
            return np.full_like(r, math.inf)
        return np.min([c - s * r for c, s, _ in up], axis=0)

    def low(r: np.ndarray) -> np.ndarray:
        if not lo:
            return np.full_like(r, -math.inf)
        return np.max([c - s * r for c, s, _ in lo], axis=0)

    H, L = hi(rhos), low(rhos)
    with np.errstate(invalid="ignore"):
        g0 = H - L
    cross = []
    for k in range(len(rhos) - 1):
        a, b = g0[k], g0[k + 1]
        if np.isfinite(a) and np.isfinite(b) and (a < 0) != (b < 0) and a != b:
            cross.append(rhos[k] + (rhos[k + 1] - rhos[k]) * a / (a - b))
    if cross:
        rhos = np.array(sorted(set(rhos.tolist()) | set(cross)))
        H, L = hi(rhos), low(rhos)
    with np.errstate(invalid="ignore"):
        gap = H - L
    gap = np.where(np.isnan(gap), -math.inf, gap)
    k = int(np.argmax(gap))
    best_gap, best_rho = float(gap[k]), float(rhos[k])
    bl = int(lo[int(np.argmax([c - s * best_rho for c, s, _ in lo]))][2]) if lo else None
    bu = int(up[int(np.argmin([c - s * best_rho for c, s, _ in up]))][2]) if up else None
    tol = 1e-12 * max([1.0] + [abs(c) for c, _ in lines])
    ok = gap >= -tol
    if not ok.any():
        return Envelope(False, math.nan, math.nan, best_gap, best_rho, math.nan, (math.nan, math.nan),
                        (math.nan, math.nan), bl, bu)
    feas = rhos[ok]
    obj = H[ok] + epsilon * feas
    best = float(np.max(obj))
    if not math.isfinite(best):          # no finite upper line: log v* is unbounded
        return Envelope(True, float(feas.min()), float(feas.max()), best_gap, best_rho, best,
                        (math.nan, math.nan), (math.inf, math.inf), bl, bu)
    at = np.abs(obj - best) <= UNIQUENESS_TOLERANCE * max(1.0, abs(best))
    ropt = (float(feas[at].min()), float(feas[at].max()))
    lv = H[ok][at]
    return Envelope(True, float(feas.min()), float(feas.max()), best_gap, best_rho, best, ropt,
                    (float(lv.min()), float(lv.max())), bl, bu)


def rectified_lp(alpha: np.ndarray, vmin: np.ndarray, vmax: np.ndarray, lower: str, epsilon: float
                 ) -> tuple[LinearProgram, list[str]]:
    """The paper's LP in matrix form ``min c·x, A x ≤ b`` with ``x = (log v*, ρ)`` (Tay §4.1).

    Rows: ``log v* + ρ log α_i ≤ log v_i^max`` (upper), ``−log v* − ρ log α_i ≤ −log v_i^min``
    (lower; R4: ``−log v* ≤ −log v({i})``), then ``ρ ≤ 1`` and ``−ρ ≤ 0``. Rows that hold for
    every x (module docstring) are left out; the returned names label the kept rows.
    """
    up, lo = _lines(alpha, vmin, vmax, lower)
    A, b, names = [], [], []
    for c, s, i in up:
        A.append([1.0, s])
        b.append(c)
        names.append(f"upper[{i}]")
    for c, s, i in lo:
        A.append([-1.0, -s])
        b.append(-c)
        names.append(f"lower[{i}]")
    A += [[0.0, 1.0], [0.0, -1.0]]
    b += [1.0, 0.0]
    names += ["rho<=1", "rho>=0"]
    return (LinearProgram(c=np.array([-1.0, -float(epsilon)]), sense="min", A_ub=np.array(A, dtype=np.float64),
                          b_ub=np.array(b, dtype=np.float64), bounds=[(None, None), (None, None)],
                          names=["log v*", "rho"], row_names_ub=names), names)


@dataclass(frozen=True)
class RectifiedResult:
    """Rectified ρ-Shapley rewards and the LP behind them (Tay et al. 2022, §4.1).

    Attributes
    ----------
    rewards : numpy.ndarray
        ``r_i = max{v({i}), α_i^ρ v*}``.
    v_star, rho : float
        The LP optimum (the solver's vertex when the optimum is not unique).
    unique : bool
        False when several ``(v*, ρ)`` are optimal; ``rho_range``/``v_star_range`` give them.
    """

    rewards: np.ndarray
    scaled: np.ndarray
    v_star: float
    rho: float
    shapley: np.ndarray
    alpha: np.ndarray
    singletons: np.ndarray
    lower_values: np.ndarray
    caps: np.ndarray
    lower: str
    epsilon: float
    objective: float
    solver: str
    max_residual: float
    unique: bool
    rho_range: tuple[float, float]
    v_star_range: tuple[float, float]
    notes: tuple[str, ...]


def _cap_vector(game: Game, caps: Any) -> tuple[np.ndarray, str]:
    """Per-party ``v(D_i ∪ G)`` from ``caps`` (mapping, one number, ``"v(N)"`` or None)."""
    vn = float(game.to_float().grand_value)
    if caps is None or (isinstance(caps, str) and caps.strip() == "v(N)"):
        return np.full(game.n, vn), "v(N) for every party (Sim et al.'s R2: r_i ≤ v(N))"
    if isinstance(caps, (int, float)) and not isinstance(caps, bool):
        x = float(caps)
        if math.isnan(x):
            raise InvalidModel("caps is NaN", field="scheme.caps")
        return np.full(game.n, x), f"{x:g} for every party"
    if isinstance(caps, (list, tuple, np.ndarray)):
        raise InvalidModel("caps must map player names to numbers (or be one number or 'v(N)'), got a list",
                           field="scheme.caps")
    if not isinstance(caps, Mapping):
        raise InvalidModel(f"caps must map player names to numbers, got {caps!r}", field="scheme.caps")
    unknown = sorted(set(map(str, caps)) - set(game.names))
    if unknown:
        raise InvalidModel(f"caps names unknown player {unknown[0]!r}; players: {', '.join(game.names)}",
                           field=f"scheme.caps[{unknown[0]!r}]")
    out = np.empty(game.n)
    for k, p in enumerate(game.names):
        if p not in caps:
            raise InvalidModel(f"caps has no entry for {p!r}: give v(D_i ∪ G) for every party (or `inf`)",
                               field=f"scheme.caps[{p!r}]")
        x = caps[p]
        if isinstance(x, str) and x.strip().lower() in ("inf", ".inf", "+inf", "infinity"):
            x = math.inf
        if isinstance(x, bool) or not isinstance(x, (int, float)) or math.isnan(float(x)):
            raise InvalidModel(f"caps[{p!r}] must be a number or inf, got {x!r}", field=f"scheme.caps[{p!r}]")
        out[k] = float(x)
    return out, "given per party (v(D_i ∪ G))"


def _infeasible_message(env: Envelope, names: tuple[str, ...], vmin: np.ndarray, vmax: np.ndarray,
                        alpha: np.ndarray, lower: str) -> str:
    what = {"R4": "v({%s}) ≤ v*", "R5": "v({%s}) ≤ v*·α^ρ", "R6": "v(C_{%s}) ≤ v*·α^ρ"}[lower]
    parts = [f"the rectified ρ-Shapley LP (lower bounds {lower}) has no feasible (v*, ρ) with 0 ≤ ρ ≤ 1"]
    i, j = env.binding_lower, env.binding_upper
    if i is not None and j is not None:
        parts.append(f"the lower-bound family ({what % names[i]}, with {what.split(' ≤')[0] % names[i]} = "
                     f"{vmin[i]:.6g}) conflicts with the upper-bound family (v*·α^ρ ≤ cap of {names[j]!r} = "
                     f"{vmax[j]:.6g}, α = {alpha[j]:.6g}); closest at ρ = {env.best_gap_rho:.6g}, where "
                     f"log v* would need to exceed its upper bound by {-env.best_gap:.6g}")
    elif i is not None:
        parts.append(f"the lower bound {what % names[i]} ({vmin[i]:.6g}) cannot be met for any ρ in [0, 1] "
                     f"(α = {alpha[i]:.6g})")
    elif j is not None:
        parts.append(f"the upper bound (cap) of {names[j]!r} = {vmax[j]:.6g} is not positive, so no v* > 0 fits")
    if len(vmin) and len(vmax) and np.min(vmax) < np.max(vmin):
        parts.append(f"Tay's sufficient condition min_i v_i^max ≥ max_i v_i^min fails "
                     f"({np.min(vmax):.6g} < {np.max(vmin):.6g}): enlarge the synthetic set G")
    return "; ".join(parts)


def rectified_rho_shapley(game: Game, epsilon: float = 1e-3, lower: str = "R5", caps: Any = None, *,
                          solver: str = "auto", negative: str = "error") -> RectifiedResult:
    """Rectified ρ-Shapley rewards with ``(v*, ρ)`` from Tay et al.'s LP (§4.1, eq. 6, Prop. 3).

    Parameters
    ----------
    game : Game
        The characteristic function ``v_c``; float games only (logs and real powers).
    epsilon : float
        Weight ε of ρ in ``max log v* + ερ`` (any ε > 0 gives the same optimum; module docstring).
    lower : {"R4", "R5", "R6"}
        Prop. 3 (a), (b) or (c): which lower bounds the LP imposes.
    caps : mapping, float, "v(N)" or None
        Per-party upper bounds ``v(D_i ∪ G)`` (``inf`` allowed); None means ``v(N)`` for all.
    solver : {"auto", "highs", "cbc"}
    negative : {"error", "clip"}

    Raises
    ------
    Infeasible
        No ``(v*, ρ)`` meets the bounds; the message names the conflicting families.
    Unbounded
        No finite upper bound limits ``v*``.

    Examples
    --------
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])                # α = (0.6, 1)
    >>> r = rectified_rho_shapley(g, caps={"a": 3.0, "b": 5.0}, lower="R5")
    >>> round(r.v_star, 6), round(r.rho, 6), [round(float(x), 6) for x in r.rewards]
    (5.0, 1.0, [3.0, 5.0])
    """
    if game.exact:
        raise Unsupported("rectified ρ-Shapley solves an LP in log v*: it runs in float64 only "
                          "(run without --exact)", field="scheme")
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not math.isfinite(epsilon):
        raise InvalidModel(f"epsilon must be a finite number, got {epsilon!r}", field="scheme.epsilon")
    phi = shapley(game)
    alpha = normalised_shapley(phi, negative=negative, names=game.names)
    vmin = lower_bounds(game, phi, lower)
    single = game.singletons().astype(np.float64)
    vmax, cap_note = _cap_vector(game, caps)
    notes = [f"caps v_i^max: {cap_note}"]
    lp, _rows = rectified_lp(alpha, vmin, vmax, lower, float(epsilon))
    env = envelope(alpha, vmin, vmax, lower, float(epsilon))
    if not env.feasible:
        raise Infeasible(_infeasible_message(env, game.names, vmin, vmax, alpha, lower), field="scheme")
    if not math.isfinite(env.objective):
        raise Unbounded("no finite upper bound limits v*: every party's cap is inf (or has α = 0); "
                        "give caps v(D_i ∪ G)", field="scheme.caps")
    xlp = ExactLP.from_rows([-t for t in lp.c], lp.A_ub, lp.b_ub, row_names=lp.row_names_ub)
    try:
        vert = optimal_vertex(xlp, solver, exact=False)     # float data (logs): certified within round-off
    except Infeasible:
        raise Infeasible(_infeasible_message(env, game.names, vmin, vmax, alpha, lower)
                         + " (reported by the LP solver)", field="scheme") from None
    except Unbounded:
        raise Unbounded("no finite upper bound limits v*: every party's cap is inf (or has α = 0); "
                        "give caps v(D_i ∪ G)", field="scheme.caps") from None
    log_vstar, rho = (float(t) for t in vert.x)
    objective = float(vert.objective)
    if abs(objective - env.objective) > OPTIMUM_AGREEMENT * max(1.0, abs(env.objective)):
        raise SolverError(f"{vert.solver} optimum log v* + ερ = {objective:.12g} differs from the exact "
                          f"2-D envelope optimum {env.objective:.12g}")
    unique = (env.rho_opt[1] - env.rho_opt[0] <= UNIQUENESS_TOLERANCE
              and env.log_vstar_opt[1] - env.log_vstar_opt[0] <= UNIQUENESS_TOLERANCE)
    if unique:
        # the certified vertex (the rows defining it solved exactly) must be the envelope's vertex
        deviation = max(abs(rho - env.rho_opt[1]), abs(log_vstar - env.log_vstar_opt[1]))
        if deviation > POLISH_TOLERANCE:
            raise SolverError(f"{vert.solver} returned (log v*, ρ) = ({log_vstar:.12g}, {rho:.12g}), "
                              f"{deviation:.3g} away from the unique optimum ({env.log_vstar_opt[1]:.12g}, "
                              f"{env.rho_opt[1]:.12g}) of the exact 2-D envelope")
        notes.append(f"unique optimum: the {vert.solver} vertex, solved exactly from its defining rows and "
                     f"certified by the dual, agrees with the 2-D envelope to {deviation:.2g}")
    rho = min(max(rho, 0.0), 1.0) + 0.0          # + 0.0 turns a solver's −0 into 0
    v_star = math.exp(log_vstar)
    scaled = _power(alpha, rho) * v_star
    rewards = np.maximum(single, scaled)
    vrange = (math.exp(env.log_vstar_opt[0]), math.exp(env.log_vstar_opt[1]))
    if not unique:
        notes.append(f"the LP optimum is not unique (ε = {epsilon:g}): every ρ in [{env.rho_opt[0]:.6g}, "
                     f"{env.rho_opt[1]:.6g}] with v* in [{vrange[0]:.6g}, {vrange[1]:.6g}] is optimal, and the "
                     f"rewards depend on the choice; {vert.solver}'s vertex (certified) is ρ = {rho:.6g}, "
                     f"v* = {v_star:.6g}")
    elif epsilon > 0:
        notes.append("with ε > 0 the optimum is the largest feasible ρ, whatever ε's value "
                     "(upper-bound lines are non-decreasing in ρ)")
    if rho <= UNIQUENESS_TOLERANCE:
        notes.append("ρ = 0: every party with φ > 0 gets v*; Prop. 3 (b), (c) need ρ > 0 "
                     "(Tay footnote 5 relaxes it to ρ ≥ 0 in the LP)")
    zero = [game.names[k] for k in range(game.n) if alpha[k] == 0]
    if zero:
        notes.append(f"α = 0 for {', '.join(zero)}: α^ρ read as 0 (no LP rows)")
    clipped = [game.names[k] for k in range(game.n) if single[k] > scaled[k]]
    if clipped:
        notes.append(f"rectified (r_i = v({{i}}) > α_i^ρ v*) for {', '.join(clipped)}: "
                     "Prop. 2 — F3 may fail")
    return RectifiedResult(rewards, scaled, v_star, rho, np.asarray(phi, dtype=np.float64), alpha, single,
                           vmin, vmax, lower, float(epsilon), objective, vert.solver, residuals(lp, np.array([log_vstar, rho])),
                           unique, env.rho_opt, vrange, tuple(notes))


# --------------------------------------------------------------------------- scheme objects
def _welfare(rewards: np.ndarray, caps: np.ndarray) -> dict[str, Any]:
    """Σr, Σv_max and their ratio: exact (Fractions) when both are, else float."""
    if np.asarray(rewards).dtype == object and np.asarray(caps).dtype == object:
        total, ceiling = sum(rewards, Fraction(0)), sum(caps, Fraction(0))
        out = {"group welfare Σr (R7)": total, "welfare ceiling Σv_max": ceiling}
        if ceiling > 0:
            out["welfare share Σr/Σv_max"] = total / ceiling
        return out
    total = float(np.sum(np.asarray(rewards).astype(np.float64)))
    ceiling = float(np.sum(np.asarray(caps).astype(np.float64)))
    out: dict[str, Any] = {"group welfare Σr (R7)": total, "welfare ceiling Σv_max": ceiling}
    if math.isfinite(ceiling) and ceiling > 0:
        out["welfare share Σr/Σv_max"] = total / ceiling
    return out


def _rho_param(game: Game, params: Mapping[str, Any], negative: str) -> tuple[float, str | None]:
    rho = params.get("rho", 1.0)
    if isinstance(rho, str):
        key = rho.strip().upper()
        if key in ("R4", "R6"):
            return max_rho(game.to_float(), key, negative=negative), key
        raise InvalidModel(f"rho must be a number in [0, 1], 'R4' or 'R6', got {rho!r}", field="scheme.rho")
    return _check_rho(rho), None


def compute_rho_shapley(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Outcome of ``rho-shapley``: ``rho`` (number, or ``R4``/``R6`` for the largest ρ meeting it).

    Examples
    --------
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> compute_rho_shapley(g, {"rho": 1}).allocation.tolist()
    [2.4, 4.0]
    """
    negative = params.get("negative", "error")
    rho, target = _rho_param(game, params, negative)
    if target is not None and game.exact:
        raise Unsupported(f"rho: {target} gives an irrational ρ; run without --exact", field="scheme.rho")
    r = rho_shapley(game, rho, negative=negative)
    phi = shapley(game)
    alpha = normalised_shapley(phi, negative=negative, names=game.names)
    vn = game.grand_value
    caps = np.full(game.n, vn, dtype=object) if game.exact else np.full(game.n, float(vn))
    scalars: dict[str, Any] = {"v(N)": vn, "ρ": rho, "v*": vn}
    if target:
        scalars["ρ chosen as"] = f"largest ρ ≤ 1 with α_i^ρ·v(N) ≥ {'v({i})' if target == 'R4' else 'v(C_i)'}"
    scalars.update(_welfare(np.asarray(r), caps))
    notes = ["ρ-Shapley (Sim et al. 2020): v* = v(N), caps v(N) for every party (R2: r_i ≤ v(N))"]
    if any(p < 0 for p in phi):
        notes.append("negative Shapley values read as 0 (negative: clip)")
    return Outcome("rho-shapley", r, "reward",
                   {"shapley": phi, "alpha": alpha, "reward": r, "cap": caps},
                   scalars, notes=tuple(notes))


def _market_caps(game: Game) -> Any:
    """Caps ``v(D_i ∪ G)`` a dataset market computed from its data (``game.meta["caps"]``), if any."""
    caps = game.meta.get("caps")
    if isinstance(caps, Mapping) and set(game.names) <= set(caps):
        return {p: caps[p] for p in game.names}
    return None


def compute_rectified(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Outcome of ``rectified-rho-shapley`` (parameters: epsilon, lower, caps, solver, negative)."""
    res = rectified_rho_shapley(game, params.get("epsilon", 1e-3), str(params.get("lower", "R5")).upper(),
                                params.get("caps", _market_caps(game)), solver=params.get("solver", "auto"),
                                negative=params.get("negative", "error"))
    lower_label = {"R4": "v({i}) ≤ v* (Prop. 3a)", "R5": "v({i}) (Prop. 3b)", "R6": "v(C_i) (Prop. 3c)"}
    scalars: dict[str, Any] = {"v(N)": game.grand_value, "ρ": res.rho, "v*": res.v_star, "ε": res.epsilon,
                               "lower bounds": res.lower, "lower bound v_i^min": lower_label[res.lower],
                               "LP objective log v* + ερ": res.objective, "LP solver": res.solver,
                               "LP max residual": res.max_residual, "LP optimum unique": res.unique}
    if not res.unique:
        scalars["optimal ρ range"] = list(res.rho_range)
        scalars["optimal v* range"] = list(res.v_star_range)
    scalars.update(_welfare(res.rewards, res.caps))
    per = {"shapley": res.shapley, "alpha": res.alpha, "lower bound": res.lower_values, "cap": res.caps,
           "α^ρ·v*": res.scaled, "reward": res.rewards}
    return Outcome("rectified-rho-shapley", res.rewards, "reward", per, scalars, notes=res.notes)


REWARD_AXIOMS = ("r1-non-negativity", "r2-feasibility", "r3-weak-efficiency", "r4-individual-rationality",
                 "r5-fairness", "r6-stability", "r7-group-welfare")

RHO_SHAPLEY = Scheme(
    name="rho-shapley",
    summary="ρ-Shapley fair rewards r_i = (φ_i/φ*)^ρ·v(N)",
    source="Sim et al. (2020); Tay et al. (2022) Sec. 4",
    compute=compute_rho_shapley,
    axioms=REWARD_AXIOMS,
    params={"rho": "ρ in [0, 1] (default 1), or R4 / R6: the largest ρ with α_i^ρ·v(N) ≥ v({i}) / v(C_i)",
            "negative": "error (default) | clip: how to read a negative Shapley value"},
)

RECTIFIED = Scheme(
    name="rectified-rho-shapley",
    summary="rectified ρ-Shapley rewards r_i = max{v({i}), (φ_i/φ*)^ρ·v*}, (log v*, ρ) from an LP",
    source="Tay et al. (2022) Sec. 4.1, eq. 6, Prop. 3",
    compute=compute_rectified,
    axioms=REWARD_AXIOMS + ("rectified-lp-bounds",),
    params={"epsilon": "weight ε of ρ in max log v* + ερ (default 0.001)",
            "lower": "R4 | R5 (default) | R6: lower bounds of Prop. 3 (a) v({i}) ≤ v*, (b) v({i}), (c) v(C_i)",
            "caps": "per-party v(D_i ∪ G) {player: number|inf}, one number, or 'v(N)' (default)",
            "solver": "auto (default) | highs | cbc",
            "negative": "error (default) | clip: how to read a negative Shapley value"},
)

SCHEMES = (RHO_SHAPLEY, RECTIFIED)

__all__ = ["rho_shapley", "rectified_rho_shapley", "max_rho", "normalised_shapley", "coalitions_below",
           "lower_bounds", "exact_shapley_for_decisions", "envelope", "rectified_lp", "RectifiedResult", "Envelope", "RHO_SHAPLEY",
           "RECTIFIED", "SCHEMES", "LOWER_BOUNDS"]
