"""Exact certificates for linear systems: Farkas multipliers of an IIS, exact vertices, exact checks.

A float LP solver says "infeasible" or "optimal"; these functions turn its answer into a
statement anyone can re-check with rational arithmetic.

* **Infeasibility** (Farkas' lemma). A system ``a_r·x ≤ b_r`` (r ∈ I), ``a_r·x = b_r`` (r ∈ E) has no
  solution iff there are multipliers ``y_r ≥ 0`` (r ∈ I), ``y_r`` free (r ∈ E) with
  ``Σ_r y_r a_r = 0`` and ``Σ_r y_r b_r < 0``: adding the rows with these weights gives ``0 ≤ −c``
  with ``c = −Σ y_r b_r > 0``. :func:`farkas_certificate` finds such ``y`` as a vertex of
  ``{y : Σ y_r a_r = 0, Σ y_r b_r = −1, y_I ≥ 0}`` (minimising ``Σ |y_r|``) — vertices of this
  polyhedron are exactly the irreducible infeasible subsystems (IIS; Gleeson & Ryan 1990,
  ORSA J. Computing 2(1)) — then re-solves the multipliers on the support **exactly** and checks
  that they are unique (so no proper subset is infeasible: the subset is irreducible).
* **Exact vertices.** :func:`exact_vertex` takes a float optimum, the rows tight there, and
  solves them in rationals; the point is returned only when it is the unique solution.
* :func:`verify_farkas` re-checks a certificate from scratch in :class:`fractions.Fraction`.

Linear algebra over ℚ uses sympy's ``DomainMatrix`` (``rref`` over ``QQ``).

Examples
--------
>>> from fractions import Fraction as F
>>> rows = [Constraint("x ≤ 1", {0: F(1)}, "<=", F(1)), Constraint("x ≥ 2", {0: F(-1)}, "<=", F(-2)),
...         Constraint("y ≤ 5", {1: F(1)}, "<=", F(5))]
>>> cert = farkas_certificate(rows, 2)
>>> [c.name for c in cert.constraints], [str(y) for y in cert.multipliers], str(cert.bound)
(['x ≤ 1', 'x ≥ 2'], ['1', '1'], '1')
>>> verify_farkas(cert.constraints, cert.multipliers, 2)
Fraction(1, 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import Infeasible, SolverError
from ..numtext import exact_text
from ..result import exact_value

#: Relation of a row: ``a·x ≤ b`` or ``a·x = b`` (``≥`` rows are stored negated).
SENSES = ("<=", "=")


def as_fraction(x: Any) -> Fraction:
    """The exact rational of a number (a float becomes the binary value it holds)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    f = float(x)
    if not np.isfinite(f):
        raise SolverError(f"non-finite number {x!r} in an exact computation")
    return Fraction(f)


@dataclass(frozen=True)
class Constraint:
    """One named row ``Σ_k coeffs[k]·x_k (sense) rhs`` with exact coefficients."""

    name: str
    coeffs: Mapping[int, Fraction]
    sense: str
    rhs: Fraction
    block: str = ""

    def activity(self, x: Sequence[Fraction]) -> Fraction:
        return sum((c * x[k] for k, c in self.coeffs.items()), Fraction(0))

    def holds(self, x: Sequence[Fraction]) -> bool:
        a = self.activity(x)
        return a <= self.rhs if self.sense == "<=" else a == self.rhs


# --------------------------------------------------------------------------- exact linear algebra

@dataclass(frozen=True)
class ExactSolve:
    """Solution of ``M z = r`` over ℚ: ``z`` (free variables at 0), rank, nullity, consistency."""

    z: list[Fraction] | None
    rank: int
    nullity: int
    consistent: bool


def _flint() -> Any:
    """python-flint when installed (C rational matrices, ~50× sympy on these sizes), else None."""
    if not USE_FLINT:
        return None
    try:
        import flint
    except ImportError:
        return None
    return flint


#: Use python-flint for exact linear algebra when it is installed (tests switch it off to cover sympy).
USE_FLINT = True


def exact_solve(rows: Sequence[Mapping[int, Fraction]], rhs: Sequence[Fraction], ncols: int) -> ExactSolve:
    """Solve a sparse rational system exactly: rref over ℚ (python-flint ``fmpq_mat``, else sympy ``DomainMatrix``).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> s = exact_solve([{0: F(1), 1: F(1)}, {0: F(1), 1: F(-1)}], [F(3), F(1)], 2)
    >>> [str(v) for v in s.z], s.nullity
    (['2', '1'], 0)
    """
    m = len(rows)
    if m == 0:
        return ExactSolve([Fraction(0)] * ncols, 0, ncols, True)
    flint = _flint()
    if flint is not None:
        M = flint.fmpq_mat(m, ncols + 1)
        for i, (row, b) in enumerate(zip(rows, rhs)):
            for k, c in row.items():
                if c != 0:
                    M[i, k] = flint.fmpq(c.numerator, c.denominator)
            if b != 0:
                M[i, ncols] = flint.fmpq(b.numerator, b.denominator)
        R, rank = M.rref()
        pivots = []
        for r in range(rank):
            c = next(k for k in range(ncols + 1) if R[r, k] != 0)
            pivots.append(c)
        if ncols in pivots:
            return ExactSolve(None, rank - 1, ncols - (rank - 1), False)
        z = [Fraction(0)] * ncols
        for r, p in enumerate(pivots):
            q = R[r, ncols]
            z[p] = Fraction(int(q.p), int(q.q))
        return ExactSolve(z, rank, ncols - rank, True)
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix
    from sympy.polys.matrices.sdm import SDM

    data: dict[int, dict[int, Any]] = {}
    for i, (row, b) in enumerate(zip(rows, rhs)):
        d = {k: QQ(c.numerator, c.denominator) for k, c in row.items() if c != 0}
        if b != 0:
            d[ncols] = QQ(b.numerator, b.denominator)
        if d:
            data[i] = d
    Mq = DomainMatrix.from_rep(SDM(data, (m, ncols + 1), QQ))
    Rq, piv = Mq.rref()
    if ncols in piv:
        return ExactSolve(None, len(piv) - 1, ncols - (len(piv) - 1), False)
    rep = Rq.rep.to_sdm() if hasattr(Rq.rep, "to_sdm") else Rq.rep
    z = [Fraction(0)] * ncols
    for r, p in enumerate(piv):
        q = rep.get(r, {}).get(ncols)
        if q is not None:
            z[p] = Fraction(int(q.numerator), int(q.denominator))
    return ExactSolve(z, len(piv), ncols - len(piv), True)


def integer_nullspace(rows: Sequence[Sequence[int]], ncols: int) -> list[list[int]]:
    """An integer basis of ``{w : r·w = 0 for every row r}`` (python-flint ``fmpz_mat``, else sympy over ℤ).

    Examples
    --------
    >>> ws = integer_nullspace([[1, 1, 0]], 3)
    >>> len(ws), all(w[0] + w[1] == 0 for w in ws)
    (2, True)
    """
    flint = _flint()
    if flint is not None and rows:
        M = flint.fmpz_mat(len(rows), ncols, [int(a) for r in rows for a in r])
        X, nullity = M.nullspace()
        out = [[int(X[i, j]) for i in range(ncols)] for j in range(nullity)]
        return [_primitive(w) for w in out]
    from sympy import ZZ
    from sympy.polys.matrices import DomainMatrix

    if not rows:
        return [[int(i == j) for i in range(ncols)] for j in range(ncols)]
    ns = DomainMatrix([[ZZ(int(a)) for a in r] for r in rows], (len(rows), ncols), ZZ).nullspace()
    return [_primitive([int(a) for a in r]) for r in ns.to_list()] if ns.shape[0] else []


def _primitive(w: list[int]) -> list[int]:
    g = 0
    for a in w:
        g = math.gcd(g, a)
    return [a // g for a in w] if g > 1 else w


# --------------------------------------------------------------------------- Farkas / IIS

@dataclass(frozen=True)
class FarkasCertificate:
    """Multipliers proving a named linear system infeasible, verified in exact arithmetic.

    Attributes
    ----------
    constraints : tuple of Constraint
        The rows used (an irreducible infeasible subsystem when ``irreducible``).
    multipliers : tuple of Fraction
        ``y_r`` (≥ 0 on ``≤`` rows): ``Σ y_r a_r = 0`` and ``Σ y_r b_r = −bound``.
    bound : Fraction
        ``c > 0`` in the contradiction ``0 ≤ −c`` the weighted sum gives.
    irreducible : bool
        The multipliers are the unique ones on these rows, so dropping any row leaves a
        feasible system (Gleeson & Ryan 1990).
    """

    constraints: tuple[Constraint, ...]
    multipliers: tuple[Fraction, ...]
    bound: Fraction
    irreducible: bool
    verified: bool
    variable_names: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def row_text(self, c: Constraint, digits: int = 6) -> str:
        """``c`` as an inequality in the variables' names."""
        return linear_text(c.coeffs, self.variable_names, digits) + f" {'≤' if c.sense == '<=' else '='} " \
            + _num(c.rhs, digits)

    def chain(self, digits: int = 6) -> list[str]:
        """The human-readable proof: one line per weighted row, then their sum ``0 ≤ −c``."""
        lines = []
        for y, c in zip(self.multipliers, self.constraints):
            lines.append(f"{_num(y, digits)} × [{c.name}]   {self.row_text(c, digits)}")
        exact = f"−{self.bound}" if self.bound.denominator < 10_000 else "a negative rational"
        lines.append(f"sum: 0 ≤ {_num(-self.bound, digits)}, impossible (exactly {exact}; "
                     f"{'verified in rational arithmetic' if self.verified else 'NOT verified'})")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"rows": [{"name": c.name, "block": c.block, "multiplier": exact_value(y), "multiplier_float": float(y),
                          "inequality": self.row_text(c),
                          "coefficients": {self.variable_names[k] if self.variable_names else str(k): exact_value(v)
                                           for k, v in c.coeffs.items()},
                          "sense": c.sense, "rhs": exact_value(c.rhs)}
                         for y, c in zip(self.multipliers, self.constraints)],
                "bound": exact_value(self.bound), "bound_float": float(self.bound),
                "statement": f"the weighted sum of these {len(self.constraints)} rows reads 0 ≤ −{self.bound}",
                "irreducible": self.irreducible, "verified_exactly": self.verified, "notes": list(self.notes)}


def _num(x: Fraction, digits: int) -> str:
    if x.denominator < 10_000:
        return exact_text(x)
    return f"{float(x):.{digits}g}"


def linear_text(coeffs: Mapping[int, Fraction], names: Sequence[str], digits: int = 6) -> str:
    """``Σ c_k x_k`` written with names: ``p_a(0, 2) − p_a(1, 2)``."""
    parts = []
    for k, c in sorted(coeffs.items()):
        if c == 0:
            continue
        nm = names[k] if names else f"x{k}"
        mag = abs(c)
        term = nm if mag == 1 else f"{_num(mag, digits)}·{nm}"
        if not parts:
            parts.append(term if c > 0 else f"−{term}")
        else:
            parts.append(f"+ {term}" if c > 0 else f"− {term}")
    return " ".join(parts) if parts else "0"


def verify_farkas(constraints: Sequence[Constraint], multipliers: Sequence[Fraction], ncols: int) -> Fraction:
    """Re-check a Farkas certificate exactly; return ``c > 0`` or raise :class:`SolverError`.

    Checks ``y_r ≥ 0`` on every ``≤`` row, ``Σ_r y_r a_r = 0`` coordinate by coordinate and
    ``Σ_r y_r b_r < 0``, all in :class:`~fractions.Fraction`.
    """
    if len(constraints) != len(multipliers):
        raise SolverError("a Farkas certificate needs one multiplier per row")
    total = [Fraction(0)] * ncols
    rhs = Fraction(0)
    for c, y in zip(constraints, multipliers):
        y = as_fraction(y)
        if c.sense == "<=" and y < 0:
            raise SolverError(f"negative multiplier {y} on inequality {c.name!r}")
        if c.sense not in SENSES:
            raise SolverError(f"unknown sense {c.sense!r}")
        for k, a in c.coeffs.items():
            total[k] += y * as_fraction(a)
        rhs += y * as_fraction(c.rhs)
    bad = next((k for k, t in enumerate(total) if t != 0), None)
    if bad is not None:
        raise SolverError(f"the weighted rows do not cancel: coefficient of variable {bad} is {total[bad]}")
    if rhs >= 0:
        raise SolverError(f"the weighted right-hand sides sum to {rhs} ≥ 0: no contradiction")
    return -rhs


def farkas_certificate(constraints: Sequence[Constraint], ncols: int, *,
                       variable_names: Sequence[str] = ()) -> FarkasCertificate:
    """An irreducible infeasible subsystem of ``constraints`` with exact Farkas multipliers.

    Raises
    ------
    Infeasible
        When the system is feasible (there is no certificate).
    SolverError
        When the float multipliers do not extend to an exact certificate.
    """
    m = len(constraints)
    starts = np.zeros(m, dtype=np.int64)
    idx: list[int] = []
    val: list[float] = []
    for r, c in enumerate(constraints):
        starts[r] = len(idx)
        for k, a in c.coeffs.items():
            idx.append(k)
            val.append(float(a))
    rhs = np.array([float(c.rhs) for c in constraints])
    is_eq = np.array([c.sense == "=" for c in constraints], dtype=bool)
    return farkas_from_rows(starts, np.array(idx, dtype=np.int64), np.array(val), rhs, is_eq,
                            lambda r: constraints[r], ncols, variable_names=variable_names)


class _Rows:
    """Exact rows fetched on demand (only the support of a certificate is ever built)."""

    def __init__(self, get: Callable[[int], Constraint]) -> None:
        self._get = get
        self._cache: dict[int, Constraint] = {}

    def __getitem__(self, r: int) -> Constraint:
        if r not in self._cache:
            self._cache[r] = self._get(r)
        return self._cache[r]


def farkas_from_rows(starts: np.ndarray, index: np.ndarray, value: np.ndarray, rhs: np.ndarray,
                     is_eq: np.ndarray, exact_row: Callable[[int], Constraint], ncols: int, *,
                     variable_names: Sequence[str] = ()) -> FarkasCertificate:
    """:func:`farkas_certificate` on rows given as a float CSR matrix plus an exact-row accessor.

    The float multipliers come from one HiGHS LP over ``y`` (``min Σ|y_r|`` s.t.
    ``Σ y_r a_r = 0``, ``Σ y_r b_r = −1``, ``y ≥ 0`` on ``≤`` rows); only the rows in its support
    are built exactly (``exact_row``).
    """
    from .highs import SparseLP

    m = len(starts)
    starts = np.asarray(starts, dtype=np.int64)
    index = np.asarray(index, dtype=np.int64)
    value = np.asarray(value, dtype=np.float64)
    rhs = np.asarray(rhs, dtype=np.float64)
    eq_rows = np.flatnonzero(is_eq)
    ncol_y = m + len(eq_rows)
    scale = max(1.0, float(np.max(np.abs(rhs), initial=0.0)))
    lp = SparseLP(ncol_y, cost=np.ones(ncol_y), sense="min", lower=np.zeros(ncol_y))
    # one LP row per variable k (Σ_r y_r a_rk = 0) and one for the right-hand sides (Σ_r y_r b_r = −1);
    # an equality row r enters as y_r = y⁺_r − y⁻_r (two columns)
    lens = np.diff(np.append(starts, len(index)))
    row_of = np.repeat(np.arange(m), lens)
    extra_col = np.full(m, -1, dtype=np.int64)
    extra_col[eq_rows] = m + np.arange(len(eq_rows))
    neg = extra_col[row_of] >= 0
    ent_k = np.concatenate([index, index[neg], np.full(m + len(eq_rows), ncols)])
    ent_col = np.concatenate([row_of, extra_col[row_of][neg], np.arange(m), extra_col[eq_rows]])
    ent_val = np.concatenate([value, -value[neg], rhs / scale, -rhs[eq_rows] / scale])
    order = np.argsort(ent_k, kind="stable")
    ent_k, ent_col, ent_val = ent_k[order], ent_col[order], ent_val[order]
    keep = ent_val != 0
    ent_k, ent_col, ent_val = ent_k[keep], ent_col[keep], ent_val[keep]
    kstarts = np.searchsorted(ent_k, np.arange(ncols + 1))
    lo = np.zeros(ncols + 1)
    lo[-1] = -1.0
    lp.add_csr(kstarts, ent_col, ent_val, lo, lo)
    try:
        sol = lp.solve()
    except Infeasible:
        raise Infeasible("the system is feasible: no Farkas certificate exists") from None
    y = sol.x[:m].copy()
    y[eq_rows] -= sol.x[m:]
    big = max(1e-300, float(np.abs(y).max()))
    support = [int(r) for r in np.flatnonzero(np.abs(y) > 1e-12 * big)]
    return _exact_farkas(_Rows(exact_row), support, ncols, variable_names)


def _exact_farkas(constraints: Any, support: list[int], ncols: int,
                  names: Sequence[str]) -> FarkasCertificate:
    """Exact multipliers on ``support``; shrink it while the solution is not unique."""
    notes: list[str] = []
    for _ in range(len(support) + 1):
        rows_t: list[dict[int, Fraction]] = [dict() for _ in range(ncols + 1)]
        for j, r in enumerate(support):
            c = constraints[r]
            for k, a in c.coeffs.items():
                rows_t[k][j] = as_fraction(a)
            rows_t[ncols][j] = as_fraction(c.rhs)
        rhs = [Fraction(0)] * ncols + [Fraction(-1)]
        s = exact_solve(rows_t, rhs, len(support))
        if not s.consistent or s.z is None:
            raise SolverError("the float Farkas multipliers do not extend to exact ones on their support")
        y = s.z
        if s.nullity == 0:
            break
        keep = [j for j, v in enumerate(y) if v != 0]   # a basic solution: drop the zero multipliers
        support = [support[j] for j in keep]
        notes.append("support shrunk to a basic solution in exact arithmetic")
    else:  # pragma: no cover - the loop always breaks (support shrinks strictly)
        raise SolverError("could not reduce the certificate to a unique one")
    rows = tuple(constraints[r] for r in support)
    y = _normalise(y)
    bad = [r.name for r, v in zip(rows, y) if r.sense == "<=" and v < 0]
    if bad:
        raise SolverError(f"exact multipliers are negative on {bad[0]!r}; no certificate on this support")
    bound = verify_farkas(rows, y, ncols)
    irreducible = all(v != 0 for v in y)
    return FarkasCertificate(rows, tuple(y), bound, irreducible, True, tuple(names), tuple(notes))


def _normalise(y: list[Fraction]) -> list[Fraction]:
    """Scale multipliers so the smallest magnitude is 1, then to integers when denominators are small."""
    nz = [abs(v) for v in y if v != 0]
    if not nz:
        return y
    s = min(nz)
    y = [v / s for v in y]
    den = 1
    for v in y:
        den = den * v.denominator // math.gcd(den, v.denominator)
        if den > 1000:
            return y
    return [v * den for v in y]


# --------------------------------------------------------------------------- exact vertices

@dataclass(frozen=True)
class ExactPoint:
    """A rational point, how it was obtained, and whether every constraint holds exactly at it."""

    x: tuple[Fraction, ...]
    method: str
    feasible: bool
    worst: Fraction = Fraction(0)
    worst_row: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def exact_vertex(tight: Sequence[Constraint], ncols: int, check: Callable[[list[Fraction]], tuple[Fraction, str | None]],
                 x_float: np.ndarray | None = None, max_denominator: int = 10**9) -> ExactPoint:
    """The vertex the ``tight`` rows (as equalities) determine, checked exactly by ``check``.

    ``check(x)`` returns ``(worst violation, row name)`` over the whole system. When the tight rows
    do not determine a unique point (a degenerate or interior float optimum) the float point is
    rounded (``limit_denominator``) instead and checked the same way.
    """
    s = exact_solve([dict(c.coeffs) for c in tight], [as_fraction(c.rhs) for c in tight], ncols)
    candidates: list[tuple[list[Fraction], str]] = []
    if s.consistent and s.z is not None and s.nullity == 0:
        candidates.append((s.z, "solved exactly from the rows tight at the float optimum"))
    if x_float is not None:
        candidates.append(([Fraction(float(v)).limit_denominator(max_denominator) for v in x_float],
                           f"float optimum rounded to denominators ≤ {max_denominator:g}"))
    best: ExactPoint | None = None
    for z, how in candidates:
        worst, row = check(z)
        pt = ExactPoint(tuple(z), how, worst <= 0, max(worst, Fraction(0)), row)
        if pt.feasible:
            return pt
        if best is None or pt.worst < best.worst:
            best = pt
    if best is None:
        raise SolverError("no exact point could be formed")
    return best
