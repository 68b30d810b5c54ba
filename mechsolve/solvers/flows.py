"""Nguyen et al. (2022) budget LP (P) and performance-cap LP (Q) for the flow scalings λ.

Given the conditional Shapley matrix ``M[i, j] = φ_{j|i}`` (payer ``i``, payee ``j``),
the total cost flow ``p_{i,−} = Σ_j φ_{j|i}`` and budgets ``b_i ∈ [0, ∞]``:

    (P)  maximise   Σ_i λ_i p_{i,−}
         s.t.       λ_i p_{i,−} − Σ_{k≠i} λ_k φ_{i|k} ≤ b_i      (budget constraints, Sec. 4)
                    0 ≤ λ_i ≤ 1

(Q) (App. I, Lemma I.1) adds the performance constraints
``v(i) + λ_i p_{i,−} ≤ max(v(i), r_i)`` for parties with a cap ``r_i``.
Rows with ``b_i = ∞`` (or ``r_i = ∞``) are dropped: they never bind.

The optimum ``λ*`` need not be unique (e.g. when ``p_{i,−} = 0`` λ_i does not enter
the objective). :func:`solve_flow_lp` solves (P) for an **optimal vertex certified by the
dual** (:func:`mechsolve.solvers.vertex.optimal_vertex`: the back-end's point polished onto its
active set in rational arithmetic, ``y ≥ 0`` and complementary slackness checked exactly, an
exact simplex when the polish cannot be certified). The optimal face is then exactly
``{λ feasible : the rows with a positive multiplier are tight}``; when it is not a single point,
every party's range ``[min λ_i, max λ_i]`` over it is computed (two LPs per free party) and the
optimum is reported as *not unique* instead of picked silently. The default pick
(``tie_break="greatest"``) maximises ``Σ λ_i`` over the face (then ``λ_1``, ``λ_2``, … while
ties remain), which is the greatest point of the face — the paper's ``λ*`` — whenever Lemma G.3
applies (every feasible ``λ'`` satisfies ``λ' ≤ λ*``); ``tie_break="solver"`` keeps the
back-end's vertex (polished).

Exact games give exact λ*, ranges and objective (:class:`~fractions.Fraction`); a float game's
λ* is the exact vertex of its float LP (the doubles are rationals), so it is accurate to the last
bits and a party at a bound is exactly 0 or 1. In float mode the decisions taken on computed
numbers — a conditional Shapley value or ``p_{i,−}`` that is zero but for round-off, a
multiplier ``y_r > 0`` that decides the optimal face, a range of width zero — go through
:mod:`mechsolve.decide`, so they are recorded when borderline and the main job re-decides them
in rational arithmetic. When (P) cannot be solved exactly, :class:`~mechsolve.errors.SolverError`
says so; no unverified point is ever returned.

Examples
--------
>>> import numpy as np
>>> M = np.array([[0.0, 1.0], [3.0, 0.0]])       # φ_{2|1} = 1, φ_{1|2} = 3
>>> r = solve_flow_lp(M, budgets=[0.0, 0.0])
>>> [round(float(x), 6) for x in r.lam], r.unique
([1.0, 0.333333], True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .. import decide
from ..errors import InvalidModel
from .certificates import as_fraction
from .lp import LinearProgram, residuals
from .vertex import ExactLP, is_point, lexicographic_vertex, optimal_face, optimal_vertex, pinned

@dataclass(frozen=True)
class FlowLPResult:
    """The scalings λ* of (P)/(Q) and how they were obtained.

    Attributes
    ----------
    lam : numpy.ndarray
        λ* (float64, or Fractions when ``exact``).
    objective : float
        ``Σ_i λ*_i p_{i,−}``.
    unique : bool
        Whether λ* is the only optimum (exactly; in float as :mod:`mechsolve.decide` reads it).
    ranges : numpy.ndarray or None
        ``n × 2`` array of ``[min, max]`` λ_i over the optimal face when not unique (Fractions
        when ``exact``).
    method : str
        How the optimum was certified (``"active set"`` or ``"exact simplex"``).
    """

    lam: np.ndarray
    objective: float
    solver: str
    max_residual: float
    unique: bool
    ranges: np.ndarray | None
    exact: bool
    lp: LinearProgram
    notes: tuple[str, ...] = field(default_factory=tuple)
    method: str = "active set"


def _finite(x: Any) -> bool:
    return not (isinstance(x, float) and math.isinf(x))


def build_flow_lp(M: np.ndarray, budgets: Sequence[Any], caps: Sequence[Any] | None = None,
                  singletons: Sequence[Any] | None = None, names: Sequence[str] | None = None
                  ) -> LinearProgram:
    """LP (P) — or (Q) when ``caps`` are given — in matrix form (float64).

    Parameters
    ----------
    M : (n, n) array
        ``M[i, j] = φ_{j|i}``, zero diagonal.
    budgets : sequence of float
        ``b_i ≥ 0``; ``inf`` for no budget constraint.
    caps : sequence of float, optional
        Desirable model values ``r_i`` (``inf``: no cap); needs ``singletons`` = ``v(i)``.
    """
    Mf = np.asarray(M, dtype=np.float64)
    n = Mf.shape[0]
    pminus = Mf.sum(axis=1)
    A_full = np.diag(pminus) - Mf.T
    rows, rhs, rnames = [], [], []
    for i in range(n):
        b = float(budgets[i])
        if b < 0 or math.isnan(b):
            raise InvalidModel(f"budget of party {i} must be >= 0, got {b}", field="budgets")
        if _finite(b):
            rows.append(A_full[i])
            rhs.append(b)
            rnames.append(f"budget[{names[i] if names else i}]")
    if caps is not None:
        if singletons is None:
            raise InvalidModel("performance caps need the singleton values v(i)", field="caps")
        for i in range(n):
            r = float(caps[i])
            if math.isnan(r):
                raise InvalidModel(f"cap of party {i} is not a number", field="caps")
            if _finite(r) and pminus[i] != 0:
                row = np.zeros(n)
                row[i] = pminus[i]
                rows.append(row)
                rhs.append(max(float(singletons[i]), r) - float(singletons[i]))
                rnames.append(f"cap[{names[i] if names else i}]")
    A_ub = np.array(rows, dtype=np.float64).reshape(len(rows), n)
    return LinearProgram(c=pminus, sense="max", A_ub=A_ub, b_ub=np.array(rhs, dtype=np.float64),
                         bounds=[(0.0, 1.0)] * n, names=list(names) if names else None,
                         row_names_ub=rnames)


def _snapped(M: np.ndarray, names: Sequence[str]) -> tuple[list[list[Fraction]], list[Fraction]]:
    """Exact rationals of a float ``M`` and ``p_{i,−}``, entries that are zero but for round-off set to 0.

    Each non-zero entry within the borderline band goes through :func:`mechsolve.decide.is_zero`
    (recorded when borderline); clear round-off (``≤ tol/1000``) becomes 0.
    """
    Mf = np.asarray(M, dtype=np.float64).copy()
    _, hi = decide.band(decide.current_tolerance())
    n = Mf.shape[0]
    for i, j in zip(*np.nonzero((np.abs(Mf) <= hi) & (Mf != 0))):
        if decide.is_zero(float(Mf[i, j]), what=f"φ_{names[j]}|{names[i]} = 0"):
            Mf[i, j] = 0.0
    pm = Mf.sum(axis=1)
    for i in np.flatnonzero((np.abs(pm) <= hi) & (pm != 0)):
        if decide.is_zero(float(pm[i]), what=f"p_{names[i]},− = 0"):
            pm[i] = 0.0
    Mq = [[Fraction(float(Mf[i, j])) for j in range(n)] for i in range(n)]
    return Mq, [Fraction(float(x)) for x in pm]


def exact_flow_lp(M: np.ndarray, budgets: Sequence[Any], caps: Sequence[Any] | None = None,
                  singletons: Sequence[Any] | None = None, names: Sequence[str] | None = None) -> ExactLP:
    """LP (P) — or (Q) with ``caps`` — in exact rationals, bounds as rows (for :mod:`.vertex`).

    An object (Fraction) ``M`` is taken as it is; a float ``M`` is read as the doubles it holds,
    round-off zeros snapped to 0 (see :func:`solve_flow_lp`).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> lp = exact_flow_lp(np.array([[F(0), F(1)], [F(3), F(0)]], dtype=object), [F(0), F(0)])
    >>> [str(x) for x in lp.c], lp.row_names[:2]
    (['1', '3'], ('budget[0]', 'budget[1]'))
    """
    n = np.asarray(M).shape[0]
    label = list(names) if names else [str(i) for i in range(n)]
    if np.asarray(M).dtype == object:
        Mq = [[as_fraction(M[i][j]) for j in range(n)] for i in range(n)]
        pm = [sum(Mq[i], Fraction(0)) for i in range(n)]
    else:
        Mq, pm = _snapped(M, label)
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    rnames: list[str] = []
    for i in range(n):
        b = budgets[i]
        if float(b) < 0 or math.isnan(float(b)):
            raise InvalidModel(f"budget of party {i} must be >= 0, got {b}", field="budgets")
        if not math.isinf(float(b)):
            rows.append([pm[i] if k == i else -Mq[k][i] for k in range(n)])
            rhs.append(as_fraction(b))
            rnames.append(f"budget[{label[i]}]")
    if caps is not None:
        if singletons is None:
            raise InvalidModel("performance caps need the singleton values v(i)", field="caps")
        for i in range(n):
            r = caps[i]
            if math.isnan(float(r)):
                raise InvalidModel(f"cap of party {i} is not a number", field="caps")
            if not math.isinf(float(r)) and pm[i] != 0:
                s_i = as_fraction(singletons[i])
                rows.append([pm[i] if k == i else Fraction(0) for k in range(n)])
                rhs.append(max(s_i, as_fraction(r)) - s_i)
                rnames.append(f"cap[{label[i]}]")
    for i in range(n):
        rows.append([Fraction(int(k == i)) for k in range(n)])
        rhs.append(Fraction(1))
        rnames.append(f"λ[{label[i]}] ≤ 1")
    for i in range(n):
        rows.append([Fraction(-int(k == i)) for k in range(n)])
        rhs.append(Fraction(0))
        rnames.append(f"λ[{label[i]}] ≥ 0")
    return ExactLP.from_rows(pm, rows, rhs, row_names=rnames)


def solve_flow_lp(M: np.ndarray, budgets: Sequence[Any], caps: Sequence[Any] | None = None,
                  singletons: Sequence[Any] | None = None, *, names: Sequence[str] | None = None,
                  solver: str = "auto", tie_break: str = "greatest") -> FlowLPResult:
    """Solve (P) (or (Q)) for a certified optimal vertex, decide uniqueness, break ties (module docstring).

    Parameters
    ----------
    tie_break : {"greatest", "solver"}
        Which optimum to return when λ* is not unique (see the module docstring).

    Raises
    ------
    Infeasible, Unbounded
        From the back-end (P is always feasible at λ = 0 and bounded, so these mean a bug
        or bad input).
    SolverError
        When no optimum could be certified, even by the exact simplex.
    """
    if tie_break not in ("greatest", "solver"):
        raise InvalidModel(f"unknown tie_break {tie_break!r}; valid: greatest, solver", field="scheme.tie_break")
    n = np.asarray(M).shape[0]
    lp = build_flow_lp(M, budgets, caps, singletons, names)
    exact = np.asarray(M).dtype == object
    if n == 0:
        return FlowLPResult(np.zeros(0, dtype=object if exact else np.float64), 0.0, "none", 0.0, True, None, exact,
                            lp)
    label = list(names) if names else [str(i) for i in range(n)]
    xlp = exact_flow_lp(M, budgets, caps, singletons, label)

    def positive(y: Fraction, row: str) -> bool:       # does y_r > 0 make row r part of the optimal face?
        return y > 0 if exact else not decide.is_zero(float(y), what=f"LP (P): multiplier of {row} = 0")

    def same(a: Fraction, b: Fraction, who: str) -> bool:
        return a == b if exact else decide.eq(float(a), float(b), what=f"λ_{who}: min = max on the optimal face")

    first = optimal_vertex(xlp, solver, exact=exact)
    face = optimal_face(xlp, first, positive)
    notes: list[str] = []
    ranges: np.ndarray | None = None
    unique = is_point(face)
    chosen = first
    if not unique:
        pin = pinned(face)
        bounds: list[tuple[Fraction, Fraction]] = []
        for i in range(n):
            if pin[i]:
                bounds.append((first.x[i], first.x[i]))
                continue
            e = [Fraction(int(k == i)) for k in range(n)]
            hi = optimal_vertex(face.with_objective(e), first.solver, exact=exact, start=first.x).objective
            lo = -optimal_vertex(face.with_objective([-t for t in e]), first.solver, exact=exact,
                                 start=first.x).objective
            bounds.append((lo, hi))
        free = [label[i] for i in range(n) if not same(bounds[i][0], bounds[i][1], label[i])]
        unique = not free
        if not unique:
            ranges = np.empty((n, 2), dtype=object if exact else np.float64)
            for i, (lo, hi) in enumerate(bounds):
                ranges[i, 0], ranges[i, 1] = (lo, hi) if exact else (float(lo), float(hi))
            if tie_break == "greatest":
                order = [[Fraction(1)] * n] + [[Fraction(int(k == i)) for k in range(n)] for i in range(n)]
                chosen, _, _ = lexicographic_vertex(face, order, first.solver, positive, exact=exact)
            greatest = all(chosen.x[i] == bounds[i][1] for i in range(n))
            notes.append("λ* is NOT unique: the LP optimum is attained on a face where λ_i varies for "
                         + ", ".join(free) + "; ranges are reported as lambda_min/lambda_max; "
                         + (("the greatest optimal point is shown (tie_break: greatest)" if greatest else
                             "the face has no greatest point: the optimal point with the largest Σλ_i "
                             "(then λ_1, λ_2, …) is shown (tie_break: greatest)") if tie_break == "greatest"
                            else "the solver's vertex is shown (tie_break: solver)"))
    if chosen.method == "exact simplex":
        notes.append("the back-end's vertex could not be certified; λ* is from the exact (rational) simplex")
    elif chosen.method == "back-end point":
        notes.append("the back-end's vertex could not be certified within round-off; λ* is the back-end's point "
                     "(accurate to its tolerance) and the decision is recorded as borderline")
    if exact:
        lam = np.empty(n, dtype=object)
        lam[:] = list(chosen.x)
        obj = sum((lam[i] * xlp.c[i] for i in range(n)), Fraction(0))
        return FlowLPResult(lam, float(obj), first.solver, 0.0, unique, ranges, True, lp, tuple(notes),
                            chosen.method)
    lam = chosen.as_float()
    return FlowLPResult(lam, float(np.asarray(lp.c) @ lam), first.solver, residuals(lp, lam), unique, ranges,
                        False, lp, tuple(notes), chosen.method)


__all__ = ["FlowLPResult", "build_flow_lp", "exact_flow_lp", "solve_flow_lp"]
