"""Linear programs in matrix form, solved with PuLP (HiGHS preferred, CBC fallback).

A scheme states its LP as numpy data — ``min/max c·x`` subject to
``A_ub x ≤ b_ub``, ``A_eq x = b_eq`` and bounds — and :func:`solve_lp` builds
the PuLP model, solves it, maps the status to a distinct error
(:class:`~mechsolve.errors.Infeasible`, :class:`~mechsolve.errors.Unbounded`,
:class:`~mechsolve.errors.SolverError`) and **rechecks** the returned point in
numpy (house style 4: never trust a back-end), reporting the worst residual.

Examples
--------
>>> import numpy as np
>>> lp = LinearProgram(c=np.array([1.0, 1.0]), sense="max",
...                    A_ub=np.array([[1.0, 2.0], [3.0, 1.0]]), b_ub=np.array([4.0, 6.0]),
...                    bounds=[(0, None), (0, None)])
>>> r = solve_lp(lp)
>>> [round(float(v), 6) for v in r.x], round(r.objective, 6), r.max_residual < 1e-7
([1.6, 1.2], 2.8, True)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import Infeasible, InvalidModel, SolverError, Unbounded
from ..model.io import silenced_stdout

#: Residual above which a returned point is rejected as not feasible.
FEASIBILITY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class LinearProgram:
    """``min`` or ``max`` of ``c·x`` s.t. ``A_ub x ≤ b_ub``, ``A_eq x = b_eq``, ``lo ≤ x ≤ hi``.

    ``bounds`` holds one ``(lo, hi)`` per variable; ``None`` or ``±inf`` is unbounded.
    ``names`` label variables in reports and errors.
    """

    c: np.ndarray
    sense: str = "min"
    A_ub: np.ndarray | None = None
    b_ub: np.ndarray | None = None
    A_eq: np.ndarray | None = None
    b_eq: np.ndarray | None = None
    bounds: Sequence[tuple[float | None, float | None]] | None = None
    names: Sequence[str] | None = None
    row_names_ub: Sequence[str] | None = None
    row_names_eq: Sequence[str] | None = None

    @property
    def n(self) -> int:
        return int(np.asarray(self.c).shape[0])


@dataclass(frozen=True)
class LPResult:
    """An optimal point, its objective, the solver used and the rechecked worst residual.

    ``duals_ub``/``duals_eq`` (one per row) and ``reduced_costs`` (one per variable) are the
    back-end's dual values when it reports them (``None`` otherwise). Their sign convention is
    the back-end's: use them as a hint (which rows carry a multiplier), never as a certificate —
    :mod:`mechsolve.solvers.vertex` certifies optimality exactly.
    """

    x: np.ndarray
    objective: float
    solver: str
    max_residual: float
    status: str = "optimal"
    notes: tuple[str, ...] = field(default_factory=tuple)
    duals_ub: np.ndarray | None = None
    duals_eq: np.ndarray | None = None
    reduced_costs: np.ndarray | None = None


@functools.cache
def _installed_solvers() -> tuple[str, ...]:
    """PuLP's available back-ends, asked once per process (each ask searches ``PATH`` for ~15 programs)."""
    import pulp

    return tuple(pulp.listSolvers(onlyAvailable=True))


def available_solvers() -> list[str]:
    """Names of the usable back-ends, preferred first (``highs``, ``cbc``)."""

    have = _installed_solvers()
    out = []
    if "HiGHS" in have:
        out.append("highs")
    if "PULP_CBC_CMD" in have:
        out.append("cbc")
    return out


def _solver(name: str):  # type: ignore[no-untyped-def]
    import pulp

    if name == "highs":
        return pulp.HiGHS(msg=False)
    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False)
    raise InvalidModel(f"unknown LP solver {name!r}; valid: auto, highs, cbc", field="solver")


def _bound(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isinf(x)) else float(x)


def residuals(lp: LinearProgram, x: np.ndarray) -> float:
    """Worst violation of ``lp``'s constraints and bounds at ``x`` (0 when feasible)."""
    worst = 0.0
    if lp.A_ub is not None and len(lp.A_ub):
        worst = max(worst, float(np.max(lp.A_ub @ x - lp.b_ub, initial=0.0)))
    if lp.A_eq is not None and len(lp.A_eq):
        worst = max(worst, float(np.max(np.abs(lp.A_eq @ x - lp.b_eq), initial=0.0)))
    for k, (lo, hi) in enumerate(lp.bounds or []):
        lo_, hi_ = _bound(lo), _bound(hi)
        if lo_ is not None:
            worst = max(worst, lo_ - x[k])
        if hi_ is not None:
            worst = max(worst, x[k] - hi_)
    return worst


def solve_lp(lp: LinearProgram, solver: str = "auto") -> LPResult:
    """Solve ``lp``; raise a distinct error for infeasible, unbounded or failed solves.

    Parameters
    ----------
    solver : {"auto", "highs", "cbc"}
        ``auto`` takes HiGHS when installed, else CBC.
    """
    import pulp

    names = available_solvers()
    if solver == "auto":
        if not names:
            raise SolverError("no LP solver available (install highspy, or PuLP's bundled CBC)")
        solver = names[0]
    elif solver not in ("highs", "cbc"):
        raise InvalidModel(f"unknown LP solver {solver!r}; valid: auto, highs, cbc", field="solver")
    elif solver not in names:
        raise SolverError(f"LP solver {solver!r} is not installed; available: {', '.join(names) or 'none'}")
    c = np.asarray(lp.c, dtype=np.float64)
    for arr, what in ((c, "objective"), (lp.A_ub, "A_ub"), (lp.b_ub, "b_ub"), (lp.A_eq, "A_eq"),
                      (lp.b_eq, "b_eq")):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise InvalidModel(f"LP {what} has a non-finite coefficient", field="lp")
    prob = pulp.LpProblem("mechsolve", pulp.LpMaximize if lp.sense == "max" else pulp.LpMinimize)
    bounds = list(lp.bounds) if lp.bounds is not None else [(None, None)] * lp.n
    add = getattr(prob, "add_variable", None)  # PuLP >= 3.3; LpVariable(...) is deprecated there
    xs = [add(f"x{k}", _bound(lo), _bound(hi)) if add else pulp.LpVariable(f"x{k}", _bound(lo), _bound(hi))
          for k, (lo, hi) in enumerate(bounds)]
    prob += pulp.lpSum(float(c[k]) * xs[k] for k in range(lp.n) if c[k] != 0) + 0.0
    rows: dict[str, list[Any]] = {"ub": [], "eq": []}
    for A, b, kind in ((lp.A_ub, lp.b_ub, "ub"), (lp.A_eq, lp.b_eq, "eq")):
        if A is None:
            continue
        for r in range(A.shape[0]):
            expr = pulp.lpSum(float(A[r, k]) * xs[k] for k in np.flatnonzero(A[r]))
            con = (expr <= float(b[r])) if kind == "ub" else (expr == float(b[r]))
            prob.addConstraint(con, f"{kind}{r}")
            rows[kind].append(con)
    try:
        with silenced_stdout():
            prob.solve(_solver(solver))
    except pulp.PulpSolverError as exc:
        raise SolverError(f"{solver} failed: {exc}") from None
    status = pulp.LpStatus[prob.status]
    if status == "Infeasible":
        raise Infeasible(f"the LP has no feasible point (solver {solver})")
    if status == "Unbounded":
        raise Unbounded(f"the LP is unbounded (solver {solver})")
    if status != "Optimal":
        raise SolverError(f"{solver} returned status {status!r}")
    x = np.array([v.value() if v.value() is not None else 0.0 for v in xs], dtype=np.float64)
    res = residuals(lp, x)
    if res > FEASIBILITY_TOLERANCE:
        raise SolverError(f"{solver} returned a point violating the constraints by {res:.3g}")
    return LPResult(x, float(c @ x), solver, res, duals_ub=_duals(rows["ub"]), duals_eq=_duals(rows["eq"]),
                    reduced_costs=_duals(xs, "dj"))


def _duals(items: list[Any], attr: str = "pi") -> np.ndarray | None:
    """The back-end's dual values of PuLP rows (``pi``) or variables (``dj``), if it set them."""
    vals = [getattr(it, attr, None) for it in items]
    if any(v is None for v in vals):
        return None
    return np.array(vals, dtype=np.float64)
