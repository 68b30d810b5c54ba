"""Linear design problems: unknowns, named families of linear constraints, an objective — a rule or a proof.

A *design problem* asks for a vector ``x`` (payments, a payoff vector) satisfying linear axioms
and optimising an objective. It is stated as **blocks**: each block is one axiom's family of rows
(``IC``, ``IR``, ``WBB``, ``core``, ...) in sparse form, with a name for every row instance
("IC of a: 2 → 1 at (2, 2)"). :func:`solve_design` solves it on HiGHS by **row generation**
(lazy blocks — the millions of IC or core rows — enter only when the current point violates
them) and returns either

* a solution, rechecked against every row, and — when asked — the exact rational vertex the
  tight rows determine, checked exactly against every row; or
* a :class:`~mechsolve.solvers.certificates.FarkasCertificate`: exact multipliers of an
  irreducible infeasible subsystem of named rows whose weighted sum reads ``0 ≤ −c``.

Examples
--------
>>> import numpy as np
>>> from fractions import Fraction as F
>>> blk = CSRBlock("IR", np.array([0, 1]), np.array([0, 1]), np.ones(2), np.array([1.0, 2.0]), "<=",
...                lambda r: f"IR of {'ab'[r]}")
>>> wbb = CSRBlock("WBB", np.array([0]), np.array([0, 1]), -np.ones(2), np.array([-4.0]), "<=",
...                lambda r: "WBB")
>>> sol = solve_design(DesignProblem(["p_a", "p_b"], [blk, wbb], np.ones(2), "max"))
>>> sol.status, [c.name for c in sol.certificate.constraints], str(sol.certificate.bound)
('infeasible', ['IR of a', 'IR of b', 'WBB'], '1')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import Infeasible, SolverError, Unbounded
from .certificates import (Constraint, ExactPoint, FarkasCertificate, as_fraction, exact_vertex,
                           farkas_from_rows)
from .highs import SparseLP


def _as_object(values: np.ndarray) -> np.ndarray:
    """Exact coefficients: small integers stay integers, other floats become their binary Fractions."""
    if values.dtype == object:
        return values
    ints = np.rint(values)
    if np.array_equal(ints, values) and np.abs(values).max(initial=0) < 2**53:
        out = np.empty(values.size, dtype=object)
        out[:] = [int(v) for v in ints.tolist()]
        return out
    out = np.empty(values.size, dtype=object)
    out[:] = [Fraction(float(v)) for v in values.tolist()]
    return out


class Block:
    """A family of rows ``a_r·x (sense) b_r`` sharing a label; subclasses give the rows.

    ``sense`` is ``"<="`` or ``"="``; ``lazy`` blocks enter the LP only where violated.
    """

    label: str = ""
    sense: str = "<="
    lazy: bool = False
    count: int = 0

    def initial(self) -> np.ndarray:
        """Rows to put in the first LP (all of a non-lazy block)."""
        return np.arange(self.count)

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Float CSR ``(starts, index, value, rhs)`` of rows ``idx``."""
        raise NotImplementedError

    def residual(self, x: np.ndarray) -> np.ndarray:
        """``a_r·x − b_r`` for every row (violated: ``> 0``, or ``≠ 0`` for ``=``)."""
        raise NotImplementedError

    def exact_row(self, r: int) -> Constraint:
        raise NotImplementedError

    def exact_worst(self, x: Sequence[Fraction]) -> tuple[Fraction, int]:
        """Worst exact violation over all rows and the row attaining it (0 and −1 when none)."""
        raise NotImplementedError

    def name(self, r: int) -> str:
        raise NotImplementedError

    def scale(self) -> float:
        return 1.0


class CSRBlock(Block):
    """Rows held as a CSR matrix with float (and optionally exact) data.

    Parameters
    ----------
    starts, index, value : numpy.ndarray
        CSR of the rows (``starts[r]`` = first entry of row r; rows are non-empty).
    rhs : numpy.ndarray
        Float right-hand sides.
    sense : {"<=", "="}
    name : callable
        Row index → readable instance name.
    rhs_exact, value_exact : numpy.ndarray of Fraction, optional
        Exact data (default: the floats' exact binary values; integer coefficients stay integers).
    lazy : bool
        Enter the LP only where violated (``initial`` rows first).
    """

    def __init__(self, label: str, starts: np.ndarray, index: np.ndarray, value: np.ndarray, rhs: np.ndarray,
                 sense: str, name: Callable[[int], str], *, rhs_exact: np.ndarray | None = None,
                 value_exact: np.ndarray | None = None, lazy: bool = False,
                 initial: np.ndarray | None = None) -> None:
        self.label, self.sense, self.lazy = label, sense, lazy
        self.starts = np.asarray(starts, dtype=np.int64)
        self.index = np.asarray(index, dtype=np.int64)
        self.value = np.asarray(value, dtype=np.float64)
        self.rhs = np.asarray(rhs, dtype=np.float64)
        self.count = len(self.starts)
        self._name = name
        self._rhs_exact = rhs_exact
        self._value_exact = value_exact
        self._initial = initial
        self._ends = np.append(self.starts[1:], len(self.index))
        if not np.all(np.isfinite(self.value)) or not np.all(np.isfinite(self.rhs)):
            raise SolverError(f"block {label!r} has a non-finite coefficient")

    def initial(self) -> np.ndarray:
        if self._initial is not None:
            return self._initial
        return np.arange(self.count)

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        idx = np.asarray(idx, dtype=np.int64)
        lens = self._ends[idx] - self.starts[idx]
        starts = np.zeros(len(idx), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        take = np.repeat(self.starts[idx] - starts, lens) + np.arange(int(lens.sum()))
        return starts, self.index[take], self.value[take], self.rhs[idx]

    def residual(self, x: np.ndarray) -> np.ndarray:
        if self.count == 0:
            return np.zeros(0)
        return np.add.reduceat(self.value * x[self.index], self.starts) - self.rhs

    def _exact_values(self) -> np.ndarray:
        if self._value_exact is None:
            self._value_exact = _as_object(self.value)
        return self._value_exact

    def _exact_rhs(self) -> np.ndarray:
        if self._rhs_exact is None:
            out = np.empty(self.count, dtype=object)
            out[:] = [Fraction(float(v)) for v in self.rhs.tolist()]
            self._rhs_exact = out
        return self._rhs_exact

    def exact_row(self, r: int) -> Constraint:
        a, b = int(self.starts[r]), int(self._ends[r])
        vals = self._exact_values()[a:b]
        coeffs: dict[int, Fraction] = {}
        for k, c in zip(self.index[a:b].tolist(), vals):
            coeffs[k] = coeffs.get(k, Fraction(0)) + as_fraction(c)
        return Constraint(self.name(r), coeffs, self.sense, as_fraction(self._exact_rhs()[r]), self.label)

    def exact_worst(self, x: Sequence[Fraction]) -> tuple[Fraction, int]:
        if self.count == 0:
            return Fraction(0), -1
        xe = np.empty(len(x), dtype=object)
        xe[:] = list(x)
        act = np.add.reduceat(self._exact_values() * xe[self.index], self.starts)
        d = act - self._exact_rhs()
        if self.sense == "=":
            d = np.abs(d)
        j = int(np.argmax(d.astype(np.float64)))
        best = d[j]
        for t in np.flatnonzero(d.astype(np.float64) >= float(best) - 1e-9 * max(1.0, abs(float(best)))):
            if d[t] > best:
                best, j = d[t], int(t)
        return as_fraction(best), j

    def name(self, r: int) -> str:
        return self._name(int(r))

    def scale(self) -> float:
        return float(np.abs(self.rhs).max(initial=0.0))


@dataclass(frozen=True)
class DesignProblem:
    """Variables (by name), blocks of rows, and ``sense`` of ``cost·x``.

    ``cost_exact`` (default: the floats' exact values) is used for the exact objective value.
    """

    names: Sequence[str]
    blocks: Sequence[Block]
    cost: np.ndarray
    sense: str = "min"
    cost_exact: Sequence[Fraction] | None = None
    objective: str = ""

    @property
    def nvars(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class DesignSolution:
    """What :func:`solve_design` found: a point (``found``) or a proof that none exists (``infeasible``)."""

    status: str
    x: np.ndarray | None = None
    exact: ExactPoint | None = None
    objective: float | None = None
    objective_exact: Fraction | None = None
    certificate: FarkasCertificate | None = None
    max_residual: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    #: Computes the Farkas certificate of an infeasible problem on demand (``certify=False``).
    certify: Callable[[], FarkasCertificate] | None = field(default=None, repr=False, compare=False)

    @property
    def found(self) -> bool:
        return self.status == "found"


def solve_design(problem: DesignProblem, *, exact: bool = False, tolerance: float = 1e-9,
                 batch: int | None = None, max_rounds: int = 200, certify: bool = True) -> DesignSolution:
    """Solve a design problem by row generation; a certificate when it is infeasible.

    Parameters
    ----------
    exact : bool
        Also form the exact rational vertex (tight rows solved over ℚ) and check every row at it
        exactly.
    tolerance : float
        Relative violation (× the largest right-hand side, at least 1) above which a lazy row is added.
    certify : bool
        Compute the Farkas certificate of an infeasible problem now; with False the solution's
        ``certify()`` computes it on demand (a caller with a cheaper, domain-specific proof may not need it).

    Raises
    ------
    Unbounded
        The objective is not bounded by the rows (e.g. ``max-min-utility`` without budget balance).
    """
    t0 = time.perf_counter()
    n = problem.nvars
    blocks = list(problem.blocks)
    scale = max([1.0] + [b.scale() for b in blocks])
    tol = tolerance * scale
    lp = SparseLP(n, cost=problem.cost, sense=problem.sense)
    added = [np.zeros(b.count, dtype=bool) for b in blocks]
    lp_block: list[np.ndarray] = []
    lp_row: list[np.ndarray] = []
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    solves = 0

    def add(bi: int, idx: np.ndarray) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            return
        b = blocks[bi]
        st, ix, va, rh = b.rows(idx)
        lo = rh if b.sense == "=" else np.full(len(idx), -np.inf)
        lp.add_csr(st, ix, va, lo, rh)
        added[bi][idx] = True
        lp_block.append(np.full(len(idx), bi, dtype=np.int64))
        lp_row.append(idx)
        pieces.append((st, ix, va, rh, np.full(len(idx), b.sense == "=")))

    for bi, b in enumerate(blocks):
        add(bi, b.initial())
    x = None
    rounds = 0
    while True:
        rounds += 1
        try:
            sol = lp.solve()
            solves += 1
        except Infeasible:
            solves += 1
            stats = _stats(problem, blocks, added, solves, rounds, t0)

            def make() -> FarkasCertificate:
                return _certificate(problem, blocks, pieces, lp_block, lp_row)

            if not certify:
                return DesignSolution("infeasible", stats=stats, certify=make)
            t1 = time.perf_counter()
            cert = make()
            stats["certificate_seconds"] = round(time.perf_counter() - t1, 4)
            return DesignSolution("infeasible", certificate=cert, stats=stats, certify=make)
        except Unbounded:
            solves += 1
            missing = [bi for bi, b in enumerate(blocks) if b.lazy and not added[bi].all()]
            if not missing:
                raise Unbounded(f"the objective ({problem.objective or problem.sense}) is unbounded under these "
                                "axioms; add constraints that bound it (e.g. weak budget balance)") from None
            for bi in missing:
                add(bi, np.flatnonzero(~added[bi]))
            continue
        x = sol.x
        more = False
        for bi, b in enumerate(blocks):
            if not b.lazy or added[bi].all():
                continue
            r = b.residual(x)
            viol = (np.abs(r) if b.sense == "=" else r) > tol
            viol &= ~added[bi]
            idx = np.flatnonzero(viol)
            if idx.size:
                k = batch or max(1000, n)
                if idx.size > k:
                    idx = idx[np.argpartition(-r[idx], k)[:k]]
                add(bi, idx)
                more = True
        if not more or rounds >= max_rounds:
            break
    assert x is not None
    worst = 0.0
    for b in blocks:
        r = b.residual(x)
        if r.size:
            worst = max(worst, float(np.max(np.abs(r) if b.sense == "=" else r)))
    if worst > 1e-6 * scale:
        raise SolverError(f"HiGHS returned a point violating the axioms by {worst:.3g} after {rounds} rounds")
    obj = float(problem.cost @ x)
    pt = None
    obj_exact = None
    if exact:
        pt = _exact_point(problem, blocks, x, lp_block, lp_row, tol)
        ce = problem.cost_exact if problem.cost_exact is not None else [as_fraction(c) for c in problem.cost]
        obj_exact = sum((c * v for c, v in zip(ce, pt.x) if c != 0), Fraction(0))
    return DesignSolution("found", x, pt, obj, obj_exact, None, max(worst, 0.0),
                          _stats(problem, blocks, added, solves, rounds, t0))


def _stats(problem: DesignProblem, blocks: list[Block], added: list[np.ndarray], solves: int, rounds: int,
           t0: float) -> dict[str, Any]:
    return {"variables": problem.nvars, "rows_total": int(sum(b.count for b in blocks)),
            "rows_in_lp": int(sum(int(a.sum()) for a in added)),
            "blocks": {b.label: {"rows": b.count, "in_lp": int(a.sum()), "lazy": b.lazy}
                       for b, a in zip(blocks, added)},
            "lp_solves": solves, "rounds": rounds, "seconds": round(time.perf_counter() - t0, 4)}


def _certificate(problem: DesignProblem, blocks: list[Block], pieces: list[Any], lp_block: list[np.ndarray],
                 lp_row: list[np.ndarray]) -> FarkasCertificate:
    starts_l, index_l, value_l, rhs_l, eq_l = [], [], [], [], []
    offset = 0
    for st, ix, va, rh, eq in pieces:
        starts_l.append(st + offset)
        offset += len(ix)
        index_l.append(ix)
        value_l.append(va)
        rhs_l.append(rh)
        eq_l.append(eq)
    bl = np.concatenate(lp_block)
    rw = np.concatenate(lp_row)
    return farkas_from_rows(np.concatenate(starts_l), np.concatenate(index_l), np.concatenate(value_l),
                            np.concatenate(rhs_l), np.concatenate(eq_l),
                            lambda r: blocks[int(bl[r])].exact_row(int(rw[r])), problem.nvars,
                            variable_names=list(problem.names))


def _exact_point(problem: DesignProblem, blocks: list[Block], x: np.ndarray, lp_block: list[np.ndarray],
                 lp_row: list[np.ndarray], tol: float) -> ExactPoint:
    bl = np.concatenate(lp_block)
    rw = np.concatenate(lp_row)
    tight: list[Constraint] = []
    for bi, b in enumerate(blocks):
        rows = rw[bl == bi]
        if rows.size == 0:
            continue
        r = b.residual(x)[rows]
        for q in rows[np.abs(r) <= tol].tolist():
            tight.append(b.exact_row(q))

    def check(z: list[Fraction]) -> tuple[Fraction, str | None]:
        worst, where = Fraction(0), None
        for b in blocks:
            w, j = b.exact_worst(z)
            if w > worst:
                worst, where = w, b.name(j)
        return worst, where

    return exact_vertex(tight, problem.nvars, check, x)
