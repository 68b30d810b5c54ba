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
the objective). :func:`solve_flow_lp` therefore solves (P) and then, on the optimal
face ``{λ feasible : Σ λ_i p_{i,−} ≥ OPT − δ}``, maximises and minimises ``Σ λ_i``;
when the two points differ it computes every party's range ``[min λ_i, max λ_i]``
on the face and reports the optimum as *not unique* instead of picking silently.
The default pick (``tie_break="greatest"``) is the greatest point of the face,
which is the paper's ``λ*`` whenever Lemma G.3 applies (every feasible ``λ'``
satisfies ``λ' ≤ λ*``); ``tie_break="solver"`` keeps the back-end's vertex.

For exact games, :func:`solve_flow_lp` refines the float optimum to exact
rationals: parties strictly between 0 and 1 must have a tight budget (or cap) row
(budget efficiency, Lemma 4.1), and that square linear system is solved in
:class:`~fractions.Fraction` arithmetic and rechecked exactly.

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

from ..errors import InvalidModel
from .lp import LinearProgram, solve_lp

#: Relative width of the optimal face used for tie-breaking and uniqueness.
FACE_TOLERANCE = 1e-9
#: Two λ values closer than this are the same.
LAMBDA_TOLERANCE = 1e-7


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
        Whether λ* is the only optimum (within :data:`LAMBDA_TOLERANCE`).
    ranges : numpy.ndarray or None
        ``n × 2`` array of ``[min, max]`` λ_i over the optimal face when not unique.
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


def _with_face(lp: LinearProgram, opt: float, c: np.ndarray, sense: str) -> LinearProgram:
    delta = FACE_TOLERANCE * max(1.0, abs(opt))
    A = np.vstack([lp.A_ub, -np.asarray(lp.c, dtype=np.float64)[None, :]]) if lp.A_ub is not None \
        else -np.asarray(lp.c, dtype=np.float64)[None, :]
    b = np.concatenate([lp.b_ub if lp.b_ub is not None else np.zeros(0), [-(opt - delta)]])
    return LinearProgram(c=c, sense=sense, A_ub=A, b_ub=b, bounds=lp.bounds, names=lp.names)


def solve_flow_lp(M: np.ndarray, budgets: Sequence[Any], caps: Sequence[Any] | None = None,
                  singletons: Sequence[Any] | None = None, *, names: Sequence[str] | None = None,
                  solver: str = "auto", tie_break: str = "greatest") -> FlowLPResult:
    """Solve (P) (or (Q)), test uniqueness of λ*, and refine to exact rationals for exact ``M``.

    Parameters
    ----------
    tie_break : {"greatest", "solver"}
        Which optimum to return when λ* is not unique (see the module docstring).

    Raises
    ------
    Infeasible, Unbounded, SolverError
        From the back-end (P is always feasible at λ = 0 and bounded, so these mean a bug
        or bad input).
    """
    if tie_break not in ("greatest", "solver"):
        raise InvalidModel(f"unknown tie_break {tie_break!r}; valid: greatest, solver", field="scheme.tie_break")
    n = np.asarray(M).shape[0]
    lp = build_flow_lp(M, budgets, caps, singletons, names)
    if n == 0:
        return FlowLPResult(np.zeros(0), 0.0, "none", 0.0, True, None, False, lp)
    first = solve_lp(lp, solver)
    opt = first.objective
    ones = np.ones(n)
    hi = solve_lp(_with_face(lp, opt, ones, "max"), first.solver)
    lo = solve_lp(_with_face(lp, opt, ones, "min"), first.solver)
    unique = bool(np.max(np.abs(hi.x - lo.x)) <= LAMBDA_TOLERANCE)
    ranges = None
    notes: list[str] = []
    if not unique:
        ranges = np.zeros((n, 2))
        for i in range(n):
            e = np.zeros(n)
            e[i] = 1.0
            ranges[i, 0] = solve_lp(_with_face(lp, opt, e, "min"), first.solver).x[i]
            ranges[i, 1] = solve_lp(_with_face(lp, opt, e, "max"), first.solver).x[i]
        free = [(names[i] if names else str(i)) for i in range(n)
                if ranges[i, 1] - ranges[i, 0] > LAMBDA_TOLERANCE]
        notes.append("λ* is NOT unique: the LP optimum is attained on a face where λ_i varies for "
                     + ", ".join(free) + "; ranges are reported as lambda_min/lambda_max; "
                     + ("the greatest optimal point is shown (tie_break: greatest)" if tie_break == "greatest"
                        else "the solver's vertex is shown (tie_break: solver)"))
    lam = np.clip(hi.x if tie_break == "greatest" else first.x, 0.0, 1.0)
    lam[np.abs(lam) < 1e-12] = 0.0
    lam[np.abs(lam - 1.0) < 1e-12] = 1.0
    residual = max(first.max_residual, hi.max_residual, lo.max_residual)
    exact_M = np.asarray(M).dtype == object
    if exact_M:
        lam_exact, why = _refine_exact(M, budgets, caps, singletons, lam, lp)
        if lam_exact is not None:
            obj = sum((lam_exact[i] * sum(M[i]) for i in range(n)), Fraction(0))
            return FlowLPResult(lam_exact, float(obj), first.solver, 0.0, unique,
                                ranges, True, lp, tuple(notes))
        notes.append(f"λ* could not be refined to exact rationals ({why}); the float LP optimum is used "
                     f"and exact verdicts may differ by ~{LAMBDA_TOLERANCE:g}")
        arr = np.empty(n, dtype=object)
        arr[:] = [Fraction(float(x)) for x in lam]
        return FlowLPResult(arr, float(opt), first.solver, residual, unique, ranges, False, lp, tuple(notes))
    return FlowLPResult(lam, float(np.asarray(lp.c) @ lam), first.solver, residual, unique, ranges, False, lp,
                        tuple(notes))


def _refine_exact(M: np.ndarray, budgets: Sequence[Any], caps: Sequence[Any] | None,
                  singletons: Sequence[Any] | None, lam: np.ndarray, lp: LinearProgram
                  ) -> tuple[np.ndarray | None, str]:
    """Exact λ from the float optimum's active set, rechecked exactly; ``(None, why)`` if it fails."""
    import sympy

    n = lam.shape[0]
    fr = lambda x: x if isinstance(x, Fraction) else Fraction(str(x))  # noqa: E731
    pminus = [sum(M[i], Fraction(0)) for i in range(n)]
    fixed: dict[int, Fraction] = {}
    free = []
    for i in range(n):
        if lam[i] <= LAMBDA_TOLERANCE:
            fixed[i] = Fraction(0)
        elif lam[i] >= 1 - LAMBDA_TOLERANCE:
            fixed[i] = Fraction(1)
        else:
            free.append(i)
    b = [None if not _finite(float(x)) else fr(x) for x in budgets]
    r = None if caps is None else [None if not _finite(float(x)) else fr(x) for x in caps]
    s = None if singletons is None else [fr(x) for x in singletons]

    def budget_row(i: int) -> tuple[list[Fraction], Fraction]:
        coef = [(-M[k][i] if k != i else pminus[i]) for k in range(n)]
        return coef, b[i]  # type: ignore[return-value]

    eqs = []
    lamf = np.asarray(lam, dtype=np.float64)
    for i in free:
        chosen = None
        if b[i] is not None:
            coef, rhs = budget_row(i)
            if abs(float(sum(float(c) * lamf[k] for k, c in enumerate(coef))) - float(rhs)) < 1e-6:
                chosen = (coef, rhs)
        if chosen is None and r is not None and r[i] is not None and s is not None:
            coef = [Fraction(0)] * n
            coef[i] = pminus[i]
            rhs = max(s[i], r[i]) - s[i]
            if abs(float(pminus[i]) * lamf[i] - float(rhs)) < 1e-6:
                chosen = (coef, rhs)
        if chosen is None:
            return None, f"party {i} has 0 < λ < 1 without a tight budget or cap row"
        eqs.append(chosen)
    out = [Fraction(0)] * n
    for i, x in fixed.items():
        out[i] = x
    if free:
        A = sympy.Matrix([[sympy.Rational(coef[k].numerator, coef[k].denominator) for k in free]
                          for coef, _ in eqs])
        rhs_v = sympy.Matrix([sympy.Rational(rhs.numerator, rhs.denominator)
                              - sum((sympy.Rational(coef[k].numerator, coef[k].denominator)
                                     * sympy.Rational(fixed[k].numerator, fixed[k].denominator)
                                     for k in fixed), sympy.Integer(0)) for coef, rhs in eqs])
        if A.det() == 0:
            return None, "the active constraints are singular"
        sol = A.LUsolve(rhs_v)
        for idx, i in enumerate(free):
            q = sympy.Rational(sol[idx])
            out[i] = Fraction(int(q.p), int(q.q))
    # exact recheck of every constraint
    for i in range(n):
        if not (0 <= out[i] <= 1):
            return None, f"refined λ_{i} = {out[i]} leaves [0, 1]"
        if b[i] is not None:
            coef, rhs = budget_row(i)
            if sum((c * out[k] for k, c in enumerate(coef)), Fraction(0)) > rhs:
                return None, f"refined λ violates the budget of party {i}"
        if r is not None and r[i] is not None and s is not None:
            if s[i] + out[i] * pminus[i] > max(s[i], r[i]):
                return None, f"refined λ violates the cap of party {i}"
    if any(abs(float(out[i]) - lamf[i]) > 1e-6 for i in range(n)):
        return None, "the refined point differs from the float optimum"
    arr = np.empty(n, dtype=object)
    arr[:] = out
    return arr, ""


__all__ = ["FlowLPResult", "build_flow_lp", "solve_flow_lp", "FACE_TOLERANCE", "LAMBDA_TOLERANCE"]
