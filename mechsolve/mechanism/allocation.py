"""Allocation rules x(t') of model qualities (Chen et al. 2020, Def. 1, Def. 5, Sec. 3, Thm. 4).

The platform trains each participant a model from the pooled contributions; the best
possible quality is ``best = Q(Σ_{j participating} t'_j)`` (valid data sizes of disjoint
datasets add, Sec. 2.1). Agent k then serves customers with q_k = max(x_k, Q(t_k)) (Sec. 2.2).
A non-participant (∅) gets x_k = 0 and keeps its own model.

Rules:

* ``efficient`` (Def. 5): maximise the welfare W = Σ_{k=1}^n v_k(q) of all agents
  (non-participants stay in the market, Sec. 2.3; ``welfare_of="participants"`` sums only
  the participants — then the closed forms apply only when everyone participates). Closed forms: linear externalities (Sec. 3) — agent i
  gets ``best`` iff Σ_j α_ji ≥ 0, else nothing; market growth (Sec. 6.2) — welfare is
  (Σ q)^(α+1), so everyone gets ``best`` iff α ≥ −1 (at α = −1 every allocation is
  efficient; ties go to ``best``). Both tests are on model data and are decided **exactly**
  (each α read as the decimal it is written as), in float runs too, so ``Σ_j α_ji = 0`` is a
  tie that goes to ``best`` whatever the float sum's rounding. Otherwise an exhaustive search
  over ``levels`` qualities per participant between Q(t'_k) and ``best`` (ties go to the higher
  quality, in agent order: a later combination replaces the best only where its welfare is larger
  beyond the run's tolerance, :mod:`mechsolve.decide`; exact instances compare exactly; a
  difference within the borderline band is recorded so that the main job decides it again in
  rational arithmetic). Non-participants count with quality 0 in the platform's objective
  (their type is not reported).
* ``best-to-all`` (Theorem 4's mechanism), ``own-models`` (x = 0), or a ``formula``
  in ``best``, ``own`` (= Q(t'_k)), ``T`` (= Σ participating t'_j) and ``t_i``.

Examples
--------
>>> import numpy as np
>>> from mechsolve.mechanism.valuations import Quality, Valuation
>>> rule = AllocationRule("efficient", Quality.parse("t"), Valuation.linear([[1, -2], [0.5, 1]]))
>>> rule(np.array([1.0, 2.0]), np.array([True, True])).tolist()   # Σ_j α_j1 = 1.5, Σ_j α_j2 = -1
[3.0, 0.0]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .. import decide
from ..model.formula import compile_numpy, parse_formula
from .types import as_fraction
from .valuations import Quality, Valuation


def _zero_like(a: np.ndarray) -> np.ndarray:
    return np.full(a.shape, Fraction(0), dtype=object) if a.dtype == object else np.zeros(a.shape)


@dataclass(frozen=True)
class AllocationRule:
    """x(t', participation) → qualities, vectorised over leading axes."""

    rule: str
    quality: Quality
    valuation: Valuation
    levels: int = 2
    formula: str | None = None
    welfare_of: str = "all-agents"

    def best(self, reports: np.ndarray, part: np.ndarray) -> np.ndarray:
        """Q(Σ_{participating} t'_j), shape ``reports.shape[:-1]``."""
        z = _zero_like(reports)
        total = np.where(part, reports, z).sum(axis=-1)
        return self.quality(total)

    def closed_form(self) -> np.ndarray | None:
        """Per-agent 'gets best' flags when the efficient allocation has a closed form.

        Decided exactly on the model's numbers (``as_fraction``: 0.1 is 1/10), so a column of α
        summing to 0 is a tie (→ ``best``) in float and exact runs alike.

        Examples
        --------
        >>> m = [[0.3, 1, 0], [-0.1, 1, 0], [-0.2, 1, -1]]     # column 1: 0.3 − 0.1 − 0.2 = −2.8e-17 in float
        >>> AllocationRule("efficient", Quality.parse("t"), Valuation.linear(m)).closed_form().tolist()
        [True, True, False]
        """
        v = self.valuation
        if v.family == "linear":
            m = np.asarray(v.matrix, dtype=object)
            return np.array([sum((as_fraction(m[j, i]) for j in range(m.shape[0])), Fraction(0)) >= 0
                             for i in range(m.shape[1])], dtype=bool)   # Σ_j α_ji ≥ 0 (Sec. 3)
        if v.family == "market-growth":
            return np.full(v.n, as_fraction(v.alpha) >= -1)
        return None

    def __call__(self, reports: np.ndarray, part: np.ndarray) -> np.ndarray:
        reports = np.asarray(reports)
        part = np.broadcast_to(np.asarray(part, dtype=bool), reports.shape)
        z = _zero_like(reports)
        best = self.best(reports, part)[..., None]
        if self.rule == "own-models":
            return z
        if self.rule == "best-to-all":
            return np.where(part, best, z)
        if self.rule == "formula":
            return self._formula(reports, part, best, z)
        flags = self.closed_form() if self.welfare_of == "all-agents" or part.all() else None
        if flags is not None:
            return np.where(part & flags, best, z)
        return self.search(reports, part)[0]

    def candidates(self, reports: np.ndarray, part: np.ndarray, own: np.ndarray | None = None) -> list[np.ndarray]:
        """The declared allocation space: ``levels`` qualities per participant, best first
        (``own`` = Q(t'), when the caller has it)."""
        own = self.quality(reports) if own is None else own
        best = np.broadcast_to(self.best(reports, part)[..., None], reports.shape)
        z = _zero_like(reports)
        steps = self.levels - 1
        lv = []
        for j in range(steps, -1, -1):
            if reports.dtype == object:
                lv.append(np.where(part, own + (best - own) * Fraction(j, steps), z))
            else:
                lv.append(np.where(part, own + (best - own) * (j / steps), z))
        return lv

    def search(self, reports: np.ndarray, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exhaustive welfare maximisation over :meth:`candidates`: (allocation, welfare).

        Combinations in ``itertools.product`` order; a later one replaces the best only where its
        welfare is strictly larger. The final qualities q_k = max(x_k, Q(t'_k)) (0 for a non-participant)
        of every agent and level are formed once, and each combination only evaluates the valuations on
        those columns (the same floats as :meth:`welfare` on the stacked allocation).
        """
        own = self.quality(reports)
        lv = self.candidates(reports, part, own)
        n, L = reports.shape[-1], len(lv)
        z = _zero_like(reports)
        qcols = [[np.where(part[..., k], np.maximum(lv[c][..., k], own[..., k]), z[..., k]) for c in range(L)]
                 for k in range(n)]
        # an agent that participates nowhere gets z whatever its level: its other levels repeat an
        # earlier combination exactly (same x, same welfare, never strictly better), so they are skipped
        idle = ~part.reshape(-1, n).any(axis=0) if part.size else np.zeros(n, dtype=bool)
        combos = list(itertools.product(*[range(1) if idle[k] else range(L) for k in range(n)]))
        best_w: np.ndarray | None = None
        best_c = np.zeros(reports.shape[:-1], dtype=np.intp)
        exact = reports.dtype == object
        tol = decide.current_tolerance()
        worst_border = 0.0
        for ci, combo in enumerate(combos):
            w = self._welfare_of_columns([qcols[k][c] for k, c in enumerate(combo)], reports, part)
            if best_w is None:
                best_w = w
            else:
                better, border = _larger(w, best_w, exact, tol)
                worst_border = max(worst_border, border)
                best_c = np.where(better, ci, best_c)
                best_w = np.where(better, w, best_w)
        if worst_border:
            decide.relay([decide.Borderline(f"efficient allocation: two allocations' welfare differ by "
                                            f"{worst_border:.3g}, within the band of the tolerance", worst_border, tol)])
        assert best_w is not None
        level = np.array(combos, dtype=np.intp)[best_c]  # (..., n): each agent's level in the best combination
        best_x = np.empty(reports.shape, dtype=reports.dtype if reports.dtype == object else float)
        for k in range(n):
            best_x[..., k] = np.choose(level[..., k], [lv[c][..., k] for c in range(L)]) if L <= 32 else \
                np.take_along_axis(np.stack([lv[c][..., k] for c in range(L)]), level[None, ..., k], 0)[0]
        return best_x, best_w

    def _welfare_of_columns(self, qs: list[np.ndarray], reports: np.ndarray, part: np.ndarray) -> np.ndarray:
        """:meth:`welfare` from the final quality columns q_k (already max(x_k, own_k), 0 off the platform)."""
        if self.valuation.family in ("formula", "quasi-monotone"):
            vs = self.valuation.column_values(qs, reports)
        else:
            v = self.valuation.values(np.stack(qs, axis=-1), reports)
            vs = [v[..., k] for k in range(len(qs))]
        if self.welfare_of == "participants":
            zero = Fraction(0) if reports.dtype == object else 0.0
            vs = [np.where(part[..., k], vk, zero) for k, vk in enumerate(vs)]
        w = vs[0]
        for vk in vs[1:]:  # left to right, as :meth:`welfare` adds them
            w = w + vk
        return w

    def welfare(self, x: np.ndarray, reports: np.ndarray, part: np.ndarray, own: np.ndarray | None = None
                ) -> np.ndarray:
        """Welfare Σ_k v_k(q) at q_k = max(x_k, Q(t'_k)) (non-participants: q = 0).

        Sums over all agents (Def. 5) unless ``welfare_of == "participants"``.
        """
        own = self.quality(reports) if own is None else own
        z = _zero_like(reports)
        q = np.where(part, np.maximum(x, own), z)
        v = self.valuation.values(q, reports)
        if self.welfare_of == "participants":
            v = np.where(part, v, z)
        w = v[..., 0].copy()
        for k in range(1, v.shape[-1]):  # agents added left to right (what ndarray.sum does here, faster)
            w = w + v[..., k]
        return w

    def _formula(self, reports: np.ndarray, part: np.ndarray, best: np.ndarray, z: np.ndarray) -> np.ndarray:
        syms = ["best", "own", "T", "t_i"]
        own = self.quality(reports)
        total = np.where(part, reports, z).sum(axis=-1, keepdims=True)
        b = np.broadcast_to(best, reports.shape)
        tt = np.broadcast_to(total, reports.shape)
        if reports.dtype == object:
            from .valuations import _exact_caller

            expr = parse_formula(self.formula, syms, field="allocation.formula")
            out = _exact_caller(expr, syms, "allocation.formula")(b, own, tt, reports)
        else:
            f = compile_numpy(self.formula, syms, field="allocation.formula")
            out = np.broadcast_to(np.asarray(f(b, own, tt, reports), dtype=float), reports.shape)
        return np.where(part, out, z)


def _larger(w: np.ndarray, best: np.ndarray, exact: bool, tol: float) -> tuple[np.ndarray, float]:
    """Where ``w > best`` beyond ``tol`` (exactly for exact arrays), and the largest borderline difference.

    The vectorised form of :func:`mechsolve.decide.gt`: a difference ``d = w − best`` replaces the
    best when ``d > tol``; ``d`` in the band ``(tol/1000, max(1000·tol, 1e-6)]`` is borderline
    (returned, to be recorded once per search).
    """
    if exact:
        return np.asarray(w > best, dtype=bool), 0.0
    d = np.asarray(w - best, dtype=np.float64)
    lo, hi = decide.band(tol)
    border = (d > lo) & (d <= hi)
    return d > tol, float(d[border].max()) if border.any() else 0.0


def build_allocation(model: Any, quality: Quality, valuation: Valuation) -> AllocationRule:
    """The allocation rule a :class:`~mechsolve.model.mechanism.MechanismDesign` declares."""
    a = model.allocation
    return AllocationRule(a.rule, quality, valuation, a.levels, a.formula, a.welfare)
