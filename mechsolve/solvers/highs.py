"""An incremental sparse LP on HiGHS (highspy): add rows, re-solve warm, read primal, duals and basis.

PuLP (:mod:`mechsolve.solvers.lp`) is the friendly front end for small LPs; the stability
and design LPs have up to millions of rows (one per coalition, one per IC inequality) and are
solved by **row generation**: a few rows first, then the rows the current point violates, until
none is violated. That needs a model that keeps its basis between solves, which is what this
wrapper gives (HiGHS's dual simplex warm-starts after ``addRows``).

Rows are ``lo ≤ a·x ≤ hi`` (``±inf`` allowed), columns ``lo ≤ x ≤ hi``. Every solve maps the
status to a distinct error (:class:`~mechsolve.errors.Infeasible`,
:class:`~mechsolve.errors.Unbounded`, :class:`~mechsolve.errors.SolverError`) and the caller
rechecks the point (house style 4) — the exact certificates of
:mod:`mechsolve.solvers.certificates` never trust these floats.

Examples
--------
>>> import numpy as np
>>> lp = SparseLP(2, cost=[1.0, 1.0], sense="max", lower=[0, 0])
>>> rows = lp.add_rows([[0, 1], [0, 1]], [[1.0, 2.0], [3.0, 1.0]], hi=[4.0, 6.0])
>>> s = lp.solve()
>>> [round(float(v), 6) for v in s.x], round(s.objective, 6), [round(float(d), 6) for d in s.row_dual]
([1.6, 1.2], 2.8, [0.4, 0.2])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import Infeasible, SolverError, Unbounded
from ..model.io import silenced_stdout

INF = float("inf")


@dataclass(frozen=True)
class SparseSolution:
    """Primal point, objective, row duals (sign: ``∂objective/∂row bound``), row activities, iterations.

    ``row_dual[r] > 0`` on a binding upper bound of a maximisation (HiGHS's convention, so
    that ``objective = Σ_r row_dual[r]·(active bound of r) + Σ_j col_dual[j]·(active bound of j)``).
    """

    x: np.ndarray
    objective: float
    row_dual: np.ndarray
    col_dual: np.ndarray
    row_activity: np.ndarray
    iterations: int


def _highs():  # type: ignore[no-untyped-def]
    import highspy

    with silenced_stdout():  # the banner goes to C stdout even with output_flag off
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


class SparseLP:
    """``min``/``max`` of ``cost·x`` subject to rows ``lo ≤ a·x ≤ hi`` and column bounds.

    Parameters
    ----------
    ncols : int
        Number of variables.
    cost : sequence of float
        Objective coefficients (default 0).
    sense : {"min", "max"}
    lower, upper : sequence of float, optional
        Column bounds (default free: ``-inf``, ``+inf``).
    """

    def __init__(self, ncols: int, cost: Sequence[float] | np.ndarray | None = None, sense: str = "min",
                 lower: Sequence[float] | np.ndarray | None = None,
                 upper: Sequence[float] | np.ndarray | None = None) -> None:
        import highspy

        self.ncols = int(ncols)
        self.nrows = 0
        self._h = _highs()
        c = np.zeros(self.ncols) if cost is None else np.asarray(cost, dtype=np.float64)
        lo = np.full(self.ncols, -INF) if lower is None else np.asarray(lower, dtype=np.float64)
        hi = np.full(self.ncols, INF) if upper is None else np.asarray(upper, dtype=np.float64)
        if not (np.all(np.isfinite(c)) and not np.any(np.isnan(lo)) and not np.any(np.isnan(hi))):
            raise SolverError("LP data must be finite numbers")
        empty_i = np.array([], dtype=np.int32)
        self._h.addCols(self.ncols, c, lo, hi, 0, empty_i, empty_i, np.array([], dtype=np.float64))
        self._h.changeObjectiveSense(highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize)
        self.sense = sense

    def add_rows(self, cols: Sequence[Sequence[int]] | Sequence[np.ndarray], vals: Sequence[Sequence[float]],
                 lo: Sequence[float] | np.ndarray | None = None,
                 hi: Sequence[float] | np.ndarray | None = None) -> range:
        """Append rows ``lo[r] ≤ Σ_k vals[r][k]·x[cols[r][k]] ≤ hi[r]``; returns their indices."""
        m = len(cols)
        if m == 0:
            return range(self.nrows, self.nrows)
        lens = np.fromiter((len(c) for c in cols), dtype=np.int64, count=m)
        starts = np.zeros(m, dtype=np.int32)
        np.cumsum(lens[:-1], out=starts[1:])
        idx = np.concatenate([np.asarray(c, dtype=np.int32) for c in cols]) if lens.sum() else \
            np.array([], dtype=np.int32)
        val = np.concatenate([np.asarray(v, dtype=np.float64) for v in vals]) if lens.sum() else \
            np.array([], dtype=np.float64)
        self.add_csr(starts, idx, val, lo, hi)
        return range(self.nrows - m, self.nrows)

    def add_csr(self, starts: np.ndarray, index: np.ndarray, value: np.ndarray,
                lo: Sequence[float] | np.ndarray | None, hi: Sequence[float] | np.ndarray | None) -> range:
        """Append rows given in CSR form (``starts`` has one entry per row)."""
        m = len(starts)
        lo_ = np.full(m, -INF) if lo is None else np.asarray(lo, dtype=np.float64)
        hi_ = np.full(m, INF) if hi is None else np.asarray(hi, dtype=np.float64)
        if not (np.all(np.isfinite(value)) and not np.any(np.isnan(lo_)) and not np.any(np.isnan(hi_))):
            raise SolverError("LP rows must have finite coefficients")
        self._h.addRows(m, lo_, hi_, len(index), np.asarray(starts, dtype=np.int32),
                        np.asarray(index, dtype=np.int32), np.asarray(value, dtype=np.float64))
        self.nrows += m
        return range(self.nrows - m, self.nrows)

    def set_cost(self, cost: Sequence[float] | np.ndarray, sense: str | None = None) -> None:
        """Replace the objective (and optionally its sense)."""
        import highspy

        c = np.asarray(cost, dtype=np.float64)
        self._h.changeColsCost(self.ncols, np.arange(self.ncols, dtype=np.int32), c)
        if sense is not None:
            self._h.changeObjectiveSense(highspy.ObjSense.kMaximize if sense == "max"
                                         else highspy.ObjSense.kMinimize)
            self.sense = sense

    def set_col_bounds(self, cols: Sequence[int], lo: Sequence[float], hi: Sequence[float]) -> None:
        """Change the bounds of some columns."""
        c = np.asarray(cols, dtype=np.int32)
        self._h.changeColsBounds(len(c), c, np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64))

    def set_row_bounds(self, rows: Sequence[int], lo: Sequence[float], hi: Sequence[float]) -> None:
        """Change the bounds of some rows."""
        r = np.asarray(rows, dtype=np.int32)
        self._h.changeRowsBounds(len(r), r, np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64))

    def solve(self) -> SparseSolution:
        """Solve (warm when rows were added); raise on infeasible, unbounded or failed solves."""
        import highspy

        with silenced_stdout():
            self._h.run()
        st = self._h.getModelStatus()
        if st == highspy.HighsModelStatus.kInfeasible:
            raise Infeasible("the LP has no feasible point (HiGHS)")
        if st in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            if st == highspy.HighsModelStatus.kUnboundedOrInfeasible:
                raise Unbounded("the LP is unbounded or infeasible (HiGHS)")
            raise Unbounded("the LP is unbounded (HiGHS)")
        if st != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS returned status {self._h.modelStatusToString(st)!r}")
        s = self._h.getSolution()
        info = self._h.getInfo()
        return SparseSolution(np.array(s.col_value, dtype=np.float64), float(info.objective_function_value),
                              np.array(s.row_dual, dtype=np.float64), np.array(s.col_dual, dtype=np.float64),
                              np.array(s.row_value, dtype=np.float64), int(info.simplex_iteration_count))

    def basis(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(col_basic, row_basic)`` boolean arrays of the last solve's simplex basis (None if invalid).

        A row that is not basic is at one of its bounds (tight), so the non-basic rows and
        columns of an optimal basis define its vertex.
        """
        import highspy

        b = self._h.getBasis()
        if not b.valid:
            return None
        basic = highspy.HighsBasisStatus.kBasic
        return (np.array([st == basic for st in b.col_status], dtype=bool),
                np.array([st == basic for st in b.row_status], dtype=bool))

    def change_coeff(self, row: int, col: int, value: float) -> None:
        """Set one matrix entry."""
        self._h.changeCoeff(int(row), int(col), float(value))
