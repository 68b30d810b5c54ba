"""Optimal vertices of small LPs, certified by the dual in rational arithmetic.

An LP back-end (HiGHS, CBC) returns a point that is feasible and optimal *to its tolerances*
(~1e-7): good enough to read, not to decide on. This module turns it into an **optimal vertex**
and proves it optimal. For

    (LP)  maximise c·x   s.t.   A x ≤ b,   C x = d          (rational data; bounds are rows of A)

a point ``x`` is optimal iff there are multipliers ``y ≥ 0`` (one per row of ``A``) and ``z``
(free, one per row of ``C``) with

    Aᵀy + Cᵀz = c   (dual feasibility),    y_r (b_r − A_r x) = 0   (complementary slackness),

and then ``c·x = b·y + d·z`` (strong duality). :func:`optimal_vertex`

1. solves the LP in float (HiGHS through highspy, reading its basis; or PuLP for CBC),
2. **polishes** the point onto its active set: the rows that define the back-end's vertex (the
   non-basic rows of its basis; else the tight rows, those carrying a dual first, chosen
   linearly independent) are solved as equalities in :class:`~fractions.Fraction`
   (python-flint, else sympy: :func:`~.certificates.exact_solve`),
3. solves the multipliers on the same rows,
4. **verifies** ``A x ≤ b``, ``C x = d``, ``y ≥ 0`` and complementary slackness
   (:func:`verify_optimal`, exactly).

On exact data, when the polish cannot be certified (a degenerate basis the back-end chose on
rounded data), the LP is solved **exactly** by sympy's rational simplex
(``sympy.solvers.simplex.linprog``, Bland's rule) and its multipliers by a second exact LP, then
verified the same way — or :class:`~mechsolve.errors.SolverError` says it could not. Nothing
unverified is returned.

On float data (``exact=False``) the same steps run on the doubles read as the rationals they
are, so the vertex is exact for the rows that define it (a party at a bound is exactly 0 or 1,
not 5e-10); but the float data of a degenerate LP may miss a feasible point by round-off (rows
that cancel in exact arithmetic leave 1e-17), so feasibility and ``y ≥ 0`` are decided by
:mod:`mechsolve.decide` on amounts relative to the row's scale: clear round-off passes,
borderline amounts are recorded (the main job then re-decides in rational arithmetic). If the
polish still fails, the back-end's point is returned with a recorded borderline decision.

The **optimal face** is ``{x feasible : A_r x = b_r for every r with y_r > 0}`` for any optimal
multipliers ``y`` (complementary slackness); :func:`optimal_face` builds it as an LP with those
rows as equalities, so ties between optima are broken by optimising further objectives over it
(:func:`lexicographic_vertex`), and the range of a variable over the optimal set is two more
LPs. The decision ``y_r > 0`` is a decision on a computed number: the caller passes how to take
it (exactly, or through :mod:`mechsolve.decide` on float data).

Examples
--------
>>> from fractions import Fraction as F
>>> lp = ExactLP.from_rows([1, 1], [[1, 2], [3, 1], [-1, 0], [0, -1]], [4, 6, 0, 0])
>>> v = optimal_vertex(lp)
>>> [str(t) for t in v.x], str(v.objective), [str(t) for t in v.y]
(['8/5', '6/5'], '14/5', ['2/5', '1/5', '0', '0'])
>>> verify_optimal(lp, v.x, v.y, v.z)
Fraction(14, 5)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from .. import decide
from ..errors import Infeasible, SolverError, Unbounded
from .certificates import as_fraction, exact_solve
from .lp import LinearProgram, solve_lp

#: A row is read as tight at the back-end's point when its slack is below this (relative).
TIGHT = 1e-7
#: A back-end dual value below this (relative to the largest) marks no multiplier.
DUAL_SUPPORT = 1e-9
#: Above this many variables the exact simplex fallback is not tried (it is Θ(pivots · m · n) in sympy).
MAX_EXACT_SIMPLEX = 40


def _q(x: Any) -> Fraction:
    return as_fraction(x)


@dataclass(frozen=True)
class ExactLP:
    """``max c·x`` s.t. ``A x ≤ b`` and ``C x = d``, every number a :class:`~fractions.Fraction`.

    Bounds are rows of ``A`` (``x_k ≤ u`` is the row ``e_k``, ``x_k ≥ l`` the row ``−e_k``), so a
    single multiplier vector ``y`` covers rows and bounds alike.
    """

    c: tuple[Fraction, ...]
    A: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]
    C: tuple[tuple[Fraction, ...], ...] = ()
    d: tuple[Fraction, ...] = ()
    row_names: tuple[str, ...] = ()
    eq_names: tuple[str, ...] = ()

    @staticmethod
    def from_rows(c: Sequence[Any], A: Sequence[Sequence[Any]], b: Sequence[Any],
                  C: Sequence[Sequence[Any]] = (), d: Sequence[Any] = (),
                  row_names: Sequence[str] | None = None, eq_names: Sequence[str] | None = None) -> ExactLP:
        """An :class:`ExactLP` from numbers (ints, Fractions, floats read as the doubles they are)."""
        n = len(c)
        rows = tuple(tuple(_q(a) for a in r) for r in A)
        eqs = tuple(tuple(_q(a) for a in r) for r in C)
        if any(len(r) != n for r in rows + eqs) or len(rows) != len(b) or len(eqs) != len(d):
            raise SolverError("LP rows must have one coefficient per variable and one right-hand side")
        return ExactLP(tuple(_q(x) for x in c), rows, tuple(_q(x) for x in b), eqs, tuple(_q(x) for x in d),
                       tuple(row_names) if row_names else tuple(f"row {r}" for r in range(len(rows))),
                       tuple(eq_names) if eq_names else tuple(f"eq {r}" for r in range(len(eqs))))

    @property
    def n(self) -> int:
        return len(self.c)

    def with_objective(self, c: Sequence[Any]) -> ExactLP:
        """The same feasible set, another objective (maximised)."""
        return replace(self, c=tuple(_q(x) for x in c))

    def float_lp(self) -> LinearProgram:
        """The LP in float64 for a back-end (free variables; bounds are rows)."""
        n = self.n
        A = np.array([[float(a) for a in r] for r in self.A], dtype=np.float64).reshape(len(self.A), n)
        C = np.array([[float(a) for a in r] for r in self.C], dtype=np.float64).reshape(len(self.C), n)
        return LinearProgram(c=np.array([float(x) for x in self.c], dtype=np.float64), sense="max",
                             A_ub=A if len(self.A) else None,
                             b_ub=np.array([float(x) for x in self.b]) if len(self.A) else None,
                             A_eq=C if len(self.C) else None,
                             b_eq=np.array([float(x) for x in self.d]) if len(self.C) else None,
                             bounds=[(None, None)] * n)


@dataclass(frozen=True)
class OptimalVertex:
    """An optimal vertex with its multipliers, verified exactly (:func:`verify_optimal`).

    Attributes
    ----------
    x : tuple of Fraction
        The vertex.
    y, z : tuple of Fraction
        Multipliers of the ``≤`` rows (``≥ 0``) and of the ``=`` rows.
    objective : Fraction
        ``c·x = b·y + d·z``.
    method : str
        ``"active set"`` (the back-end's vertex solved exactly from its defining rows),
        ``"exact simplex"`` (sympy) or ``"back-end point"`` (float only: not certified, recorded
        as a borderline decision).
    solver : str
        The float back-end used for the hint.
    exact : bool
        True: verified exactly (:func:`verify_optimal`); False: float data, verified within
        round-off through :mod:`mechsolve.decide`.
    """

    x: tuple[Fraction, ...]
    y: tuple[Fraction, ...]
    z: tuple[Fraction, ...]
    objective: Fraction
    method: str
    solver: str
    exact: bool = True

    def as_float(self) -> np.ndarray:
        return np.array([float(t) for t in self.x], dtype=np.float64)


def _dot(a: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((p * q for p, q in zip(a, x) if p), Fraction(0))


def verify_optimal(lp: ExactLP, x: Sequence[Fraction], y: Sequence[Fraction], z: Sequence[Fraction]) -> Fraction:
    """Check ``x`` optimal with multipliers ``(y, z)`` exactly; return ``c·x`` or raise :class:`SolverError`.

    Checks ``A x ≤ b``, ``C x = d``, ``y ≥ 0``, ``Aᵀy + Cᵀz = c`` and ``y_r (b_r − A_r x) = 0``.
    """
    n = lp.n
    if len(x) != n or len(y) != len(lp.A) or len(z) != len(lp.C):
        raise SolverError("an optimality certificate needs one value per variable, row and equality")
    for r, (row, rhs) in enumerate(zip(lp.A, lp.b)):
        slack = rhs - _dot(row, x)
        if slack < 0:
            raise SolverError(f"{lp.row_names[r]} is violated by {-slack}")
        if y[r] < 0:
            raise SolverError(f"the multiplier of {lp.row_names[r]} is negative ({y[r]})")
        if y[r] and slack:
            raise SolverError(f"{lp.row_names[r]} has a multiplier {y[r]} but slack {slack} "
                              "(complementary slackness)")
    for r, (row, rhs) in enumerate(zip(lp.C, lp.d)):
        if _dot(row, x) != rhs:
            raise SolverError(f"{lp.eq_names[r]} does not hold")
    for k in range(n):
        g = sum((lp.A[r][k] * y[r] for r in range(len(lp.A)) if y[r]), Fraction(0)) \
            + sum((lp.C[r][k] * z[r] for r in range(len(lp.C)) if z[r]), Fraction(0))
        if g != lp.c[k]:
            raise SolverError(f"the multipliers do not reproduce the objective (variable {k}: {g} ≠ {lp.c[k]})")
    obj = _dot(lp.c, x)
    if obj != _dot(lp.b, y) + _dot(lp.d, z):   # implied by the checks above; kept as the statement
        raise SolverError("primal and dual objectives differ")
    return obj


def _solve_rows(rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction], ncols: int) -> tuple[list[Fraction] | None, int]:
    s = exact_solve([{k: a for k, a in enumerate(r) if a} for r in rows], list(rhs), ncols)
    if not s.consistent or s.z is None:
        return None, -1
    return s.z, s.nullity


def _multipliers(lp: ExactLP, support: Sequence[int], eqs: Sequence[int] | None = None
                 ) -> tuple[list[Fraction], list[Fraction]] | None:
    """``y`` on ``support`` and ``z`` on ``eqs`` (all equalities by default) with ``Aᵀy + Cᵀz = c``.

    A basic solution (free unknowns at 0) when the rows are dependent; ``None`` when inconsistent.
    Signs are not checked here.
    """
    m, n = len(lp.A), lp.n
    cols = list(support)
    eq_cols = list(range(len(lp.C))) if eqs is None else list(eqs)
    rows = [[lp.A[r][k] for r in cols] + [lp.C[q][k] for q in eq_cols] for k in range(n)]
    sol, _ = _solve_rows(rows, lp.c, len(cols) + len(eq_cols))
    if sol is None:
        return None
    y = [Fraction(0)] * m
    for j, r in enumerate(cols):
        y[r] = sol[j]
    z = [Fraction(0)] * len(lp.C)
    for j, q in enumerate(eq_cols):
        z[q] = sol[len(cols) + j]
    return y, z


@dataclass(frozen=True)
class _Hint:
    """The back-end's point, its dual magnitudes per ``≤`` row and its basis (non-basic rows), if known."""

    x: np.ndarray
    solver: str
    duals: np.ndarray | None
    basis: tuple[list[int], list[int]] | None


def _hint(lp: ExactLP, solver: str) -> _Hint:
    """Solve the float LP: HiGHS directly (point, duals, basis) or PuLP for ``solver="cbc"``."""
    m, e, n = len(lp.A), len(lp.C), lp.n
    if solver in ("auto", "highs"):
        from .highs import SparseLP

        A = np.array([[float(a) for a in r] for r in lp.A + lp.C], dtype=np.float64).reshape(m + e, n)
        hi = np.array([float(t) for t in lp.b + lp.d], dtype=np.float64)
        lo = np.concatenate([np.full(m, -np.inf), hi[m:]])
        if not (np.all(np.isfinite(A)) and np.all(np.isfinite(hi))):
            raise SolverError("LP data must be finite numbers")
        h = SparseLP(n, cost=[float(t) for t in lp.c], sense="max")
        cols = [np.flatnonzero(A[r]) for r in range(m + e)]
        h.add_rows(cols, [A[r, c] for r, c in enumerate(cols)], lo=lo, hi=hi)
        sol = h.solve()
        basis = h.basis()
        nb: tuple[list[int], list[int]] | None = None
        if basis is not None and bool(basis[0].all()):      # every column basic: n non-basic rows
            rows_nb = [r for r in range(m + e) if not basis[1][r]]
            nb = ([r for r in rows_nb if r < m], [r - m for r in rows_nb if r >= m])
        return _Hint(sol.x, "highs", np.abs(sol.row_dual[:m]), nb)
    res = solve_lp(lp.float_lp(), solver)
    duals = None if res.duals_ub is None or len(res.duals_ub) != m else np.abs(res.duals_ub)
    return _Hint(res.x, res.solver, duals, None)


class _Rule:
    """How the polish decides "holds": exactly, or (float data) within round-off through :mod:`mechsolve.decide`."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact

    def nonpositive(self, amount: Fraction, scale: float, what: str) -> bool:
        if self.exact:
            return amount <= 0
        return decide.leq(float(amount) / scale, 0.0, what=what)

    def zero(self, amount: Fraction, scale: float, what: str) -> bool:
        if self.exact:
            return amount == 0
        return decide.is_zero(float(amount) / scale, what=what)


def _row_scale(row: Sequence[Fraction], rhs: Fraction, x: Sequence[Fraction]) -> float:
    return 1.0 + abs(float(rhs)) + sum(abs(float(a) * float(t)) for a, t in zip(row, x) if a)


def _accept(lp: ExactLP, x: list[Fraction], y: list[Fraction], z: list[Fraction], rule: _Rule) -> str:
    """Why ``(x, y, z)`` is not an optimality certificate under ``rule`` ("" when it is)."""
    for r, (row, rhs) in enumerate(zip(lp.A, lp.b)):
        if not rule.nonpositive(_dot(row, x) - rhs, _row_scale(row, rhs, x), f"{lp.row_names[r]} holds at the LP vertex"):
            return f"{lp.row_names[r]} is violated at the vertex of the basis"
        if y[r] and _dot(row, x) != rhs:
            return f"{lp.row_names[r]} carries a multiplier but is not tight"
    for q, (row, rhs) in enumerate(zip(lp.C, lp.d)):
        if not rule.zero(_dot(row, x) - rhs, _row_scale(row, rhs, x), f"{lp.eq_names[q]} holds at the LP vertex"):
            return f"{lp.eq_names[q]} does not hold at the vertex of the basis"
    cscale = max([1.0] + [abs(float(t)) for t in lp.c])
    for r in range(len(lp.A)):
        if y[r] < 0 and not rule.nonpositive(-y[r], cscale, f"multiplier of {lp.row_names[r]} ≥ 0"):
            return f"the multiplier of {lp.row_names[r]} is negative ({float(y[r]):.3g})"
    return ""


def _independent(lp: ExactLP, order: Sequence[int], eqs: Sequence[int]) -> list[int] | None:
    """Rows of ``order`` (``≤`` rows) chosen greedily so that they and the ``eqs`` have rank ``n``."""
    base = [lp.C[q] for q in eqs]
    chosen: list[int] = []
    rank = exact_solve([{k: a for k, a in enumerate(r) if a} for r in base], [Fraction(0)] * len(base),
                       lp.n).rank if base else 0
    for r in order:
        if rank == lp.n:
            break
        trial = base + [lp.A[t] for t in chosen] + [lp.A[r]]
        k = exact_solve([{j: a for j, a in enumerate(t) if a} for t in trial], [Fraction(0)] * len(trial), lp.n).rank
        if k > rank:
            chosen.append(r)
            rank = k
    return chosen if rank == lp.n else None


def _polish(lp: ExactLP, hint: _Hint, rule: _Rule) -> tuple[OptimalVertex | None, str]:
    """The back-end's vertex solved exactly from its defining rows and certified, or ``(None, why)``.

    Defining rows: the non-basic rows of the back-end's basis; else rows tight at its point
    (those carrying a dual first) chosen independent. Multipliers are solved on the same rows.
    """
    x0 = hint.x
    m, e, n = len(lp.A), len(lp.C), lp.n
    slack = []
    for r, (row, rhs) in enumerate(zip(lp.A, lp.b)):
        act = sum(float(a) * x0[k] for k, a in enumerate(row) if a)
        slack.append(abs(act - float(rhs)) / (1.0 + abs(float(rhs)) + sum(abs(float(a)) for a in row)))
    tight = [r for r in range(m) if slack[r] <= TIGHT]
    duals = hint.duals if hint.duals is not None else np.zeros(m)
    big = max(float(np.max(duals, initial=0.0)), 1e-300)
    carried = [r for r in tight if duals[r] > DUAL_SUPPORT * big]
    systems: list[tuple[list[int], list[int]]] = []
    if hint.basis is not None and len(hint.basis[0]) + len(hint.basis[1]) == n:
        systems.append(hint.basis)
    order = sorted(carried, key=lambda r: -duals[r]) + sorted((r for r in tight if r not in carried),
                                                            key=lambda r: slack[r])
    greedy = _independent(lp, order, list(range(e)))
    if greedy is not None:
        systems.append((greedy, list(range(e))))
    why = "no rows tight at the back-end's point determine a vertex"
    for rows_a, rows_c in systems:
        x, nullity = _solve_rows([lp.A[r] for r in rows_a] + [lp.C[q] for q in rows_c],
                                 [lp.b[r] for r in rows_a] + [lp.d[q] for q in rows_c], n)
        if x is None or nullity:
            why = "the defining rows of the back-end's vertex are singular in exact arithmetic"
            continue
        attempts = [(list(rows_a), list(rows_c))]
        exact_tight = [r for r in range(m) if _dot(lp.A[r], x) == lp.b[r]]
        if set(exact_tight) != set(rows_a):
            attempts.append((exact_tight, list(range(e))))
        for sup, eqs in attempts:
            yz = _multipliers(lp, sup, eqs)
            if yz is None:
                why = "no multipliers on the rows tight at the vertex reproduce the objective"
                continue
            y, z = yz
            bad = _accept(lp, x, y, z, rule)
            if bad:
                why = bad
                continue
            if rule.exact:
                obj = verify_optimal(lp, x, y, z)
            else:
                y = [t if t > 0 else Fraction(0) for t in y]     # round-off negatives read as 0
                obj = _dot(lp.c, x)
            return OptimalVertex(tuple(x), tuple(y), tuple(z), obj, "active set", hint.solver, rule.exact), ""
    return None, why


def _sympy_standard(c: Sequence[Fraction], A: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction]:
    """``argmin c·v`` s.t. ``A v ≤ b``, ``v ≥ 0`` with ``b ≥ 0``, by sympy's rational simplex.

    ``b ≥ 0`` makes ``v = 0`` a feasible start, so the simplex runs its second phase only (its
    first phase can return infeasible points: sympy issue #28089). The caller verifies the result.
    """
    from sympy import Matrix, Rational
    from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError, linprog

    if any(t < 0 for t in b):   # pragma: no cover - callers shift to a feasible start first
        raise SolverError("the exact simplex needs a feasible start (b ≥ 0)")
    k = len(c)
    R = lambda q: Rational(q.numerator, q.denominator)  # noqa: E731
    if not A:   # sympy 1.14 mis-sizes b when A is empty: one row 0·v ≤ 1 instead
        A, b = [[Fraction(0)] * k], [Fraction(1)]
    try:
        _, vs = linprog(Matrix(1, k, [R(t) for t in c]), Matrix(len(A), k, [R(a) for r in A for a in r]),
                        Matrix([R(t) for t in b]))
    except InfeasibleLPError:   # pragma: no cover - v = 0 is feasible
        raise SolverError("the exact simplex reported a feasible LP infeasible") from None
    except UnboundedLPError:
        raise Unbounded("the LP is unbounded (exact simplex)") from None
    return [Fraction(int(Rational(t).p), int(Rational(t).q)) for t in vs]


def _nullspace(C: Sequence[Sequence[Fraction]], n: int) -> list[list[Fraction]]:
    """A basis of ``{t : C t = 0}`` (columns as lists), exact."""
    if not C:
        return [[Fraction(int(i == j)) for i in range(n)] for j in range(n)]
    from .certificates import integer_nullspace

    den = 1
    for r in C:
        for a in r:
            den = den * a.denominator // math.gcd(den, a.denominator)
    return [[Fraction(v) for v in w] for w in integer_nullspace([[int(a * den) for a in r] for r in C], n)]


def exact_simplex(lp: ExactLP, solver: str = "exact simplex", start: Sequence[Fraction] | None = None
                  ) -> OptimalVertex:
    """Solve ``lp`` exactly (sympy's rational simplex) from a feasible point and certify the result.

    ``x = start + N s`` with ``N`` a basis of the null space of ``C`` and ``s = u − w`` (``u, w ≥ 0``):
    the rows become ``A N s ≤ b − A·start ≥ 0``, so ``s = 0`` starts the simplex feasibly. The
    multipliers solve ``y ≥ 0`` on the tight rows, ``Aᵀy + Cᵀz = c`` as a second LP that also starts
    feasibly (maximise ``1ᵀE v`` s.t. ``E v ≤ c'``, rows signed so ``c' ≥ 0``: the optimum reaches
    ``c'`` iff the multipliers exist). Both are verified (:func:`verify_optimal`).

    Parameters
    ----------
    start : sequence of Fraction, optional
        An exactly feasible point (default: the origin, which must be feasible).

    Raises
    ------
    Unbounded
        As the exact simplex finds.
    SolverError
        No feasible start, or a result that cannot be certified.
    """
    n, m, e = lp.n, len(lp.A), len(lp.C)
    if n > MAX_EXACT_SIMPLEX:
        raise SolverError(f"the exact simplex is limited to {MAX_EXACT_SIMPLEX} variables (this LP has {n})")
    x0 = [Fraction(0)] * n if start is None else [as_fraction(t) for t in start]
    if any(_dot(r, x0) > b for r, b in zip(lp.A, lp.b)) or any(_dot(r, x0) != d for r, d in zip(lp.C, lp.d)):
        raise SolverError("the exact simplex needs an exactly feasible starting point"
                          + (" (the origin is not feasible)" if start is None else ""))
    N = _nullspace(lp.C, n)
    k = len(N)
    if k:
        AN = [[_dot(r, w) for w in N] for r in lp.A]
        cN = [_dot(lp.c, w) for w in N]
        v = _sympy_standard([-t for t in cN] + cN, [row + [-a for a in row] for row in AN],
                            [b - _dot(r, x0) for r, b in zip(lp.A, lp.b)])
        sv = [v[j] - v[k + j] for j in range(k)]
        x = [x0[i] + sum((sv[j] * N[j][i] for j in range(k)), Fraction(0)) for i in range(n)]
    else:
        x = x0
    tight = [r for r in range(m) if _dot(lp.A[r], x) == lp.b[r]]
    E = [[lp.A[r][j] for r in tight] + [lp.C[q][j] for q in range(e)] + [-lp.C[q][j] for q in range(e)]
         for j in range(n)]
    sign = [-1 if t < 0 else 1 for t in lp.c]
    E = [[a * sg for a in row] for row, sg in zip(E, sign)]
    cp = [t * sg for t, sg in zip(lp.c, sign)]
    K = len(tight) + 2 * e
    if K:
        obj = [-sum((E[j][q] for j in range(n)), Fraction(0)) for q in range(K)]
        sol = _sympy_standard(obj, E, cp)
    else:
        sol = []
    y = [Fraction(0)] * m
    for j, r in enumerate(tight):
        y[r] = sol[j]
    z = [sol[len(tight) + q] - sol[len(tight) + e + q] for q in range(e)]
    total = verify_optimal(lp, x, y, z)
    return OptimalVertex(tuple(x), tuple(y), tuple(z), total, "exact simplex", solver, True)


def optimal_vertex(lp: ExactLP, solver: str = "auto", *, exact: bool = True,
                   start: Sequence[Fraction] | None = None) -> OptimalVertex:
    """An optimal vertex of ``lp`` certified by the dual (module docstring).

    Parameters
    ----------
    solver : {"auto", "highs", "cbc"}
        The float back-end whose vertex is polished.
    start : sequence of Fraction, optional
        An exactly feasible point for the exact simplex (default: the origin).
    exact : bool
        True (exact data): every check is exact, and the exact simplex solves the LP when the
        polish cannot be certified. False (the numbers are doubles read exactly): primal and dual
        feasibility are decided within round-off by :mod:`mechsolve.decide` (borderline
        decisions recorded); when the polish fails the back-end's point is returned
        (``method="back-end point"``) and a borderline decision is recorded, so the main job
        re-decides it in rational arithmetic.

    Raises
    ------
    Infeasible, Unbounded
        From the back-end (or the exact simplex).
    SolverError
        When no certified optimum could be found (exact mode); the message says why.
    """
    if lp.n == 0:
        return OptimalVertex((), (Fraction(0),) * len(lp.A), (Fraction(0),) * len(lp.C), Fraction(0), "empty",
                             "none", exact)
    hint = _hint(lp, solver)
    v, why = _polish(lp, hint, _Rule(exact))
    if v is not None:
        return v
    if not exact:
        decide.relay([decide.Borderline(f"LP optimum not certified on the back-end's vertex ({why})",
                                        0.0, decide.current_tolerance())])
        x = tuple(Fraction(float(t)) for t in hint.x)
        d = hint.duals if hint.duals is not None else np.zeros(len(lp.A))
        y = tuple(Fraction(float(t)) for t in d)
        return OptimalVertex(x, y, (Fraction(0),) * len(lp.C), _dot(lp.c, x), "back-end point", hint.solver, False)
    try:
        return exact_simplex(lp, hint.solver, start)
    except (SolverError, Infeasible, Unbounded) as exc:
        raise SolverError(f"the LP could not be solved exactly: the {hint.solver} optimum could not be certified "
                          f"({why}) and the exact simplex failed ({' '.join(str(exc).split())})") from None


def optimal_face(lp: ExactLP, v: OptimalVertex, positive: Callable[[Fraction, str], bool] | None = None) -> ExactLP:
    """The set of optimal points of ``lp``: its feasible set with the rows of ``y_r > 0`` as equalities.

    ``positive(y_r, row_name)`` decides ``y_r > 0`` (default: exactly). Rows it reads as 0 stay
    inequalities, so a float caller that reads a tiny multiplier as 0 gets a face at least as
    large as the exact one.
    """
    pos = positive or (lambda y, _name: y > 0)
    keep, move = [], []
    for r in range(len(lp.A)):
        (move if v.y[r] > 0 and pos(v.y[r], lp.row_names[r]) else keep).append(r)
    return ExactLP(lp.c, tuple(lp.A[r] for r in keep), tuple(lp.b[r] for r in keep),
                   lp.C + tuple(lp.A[r] for r in move), lp.d + tuple(lp.b[r] for r in move),
                   tuple(lp.row_names[r] for r in keep), lp.eq_names + tuple(lp.row_names[r] for r in move))


def is_point(lp: ExactLP) -> bool:
    """Whether the equalities of ``lp`` alone determine a unique point (rank ``n``)."""
    if not lp.C:
        return lp.n == 0
    _, nullity = _solve_rows(lp.C, lp.d, lp.n)
    return nullity == 0


def pinned(lp: ExactLP) -> list[bool]:
    """For each variable, whether the equalities of ``lp`` fix it (it vanishes on their null space)."""
    if not lp.C:
        return [False] * lp.n
    from .certificates import integer_nullspace

    den = 1
    for r in lp.C:
        for a in r:
            den = den * a.denominator // math.gcd(den, a.denominator)
    rows = [[int(a * den) for a in r] for r in lp.C]
    basis = integer_nullspace(rows, lp.n)
    return [all(w[k] == 0 for w in basis) for k in range(lp.n)]


def lexicographic_vertex(lp: ExactLP, objectives: Sequence[Sequence[Any]], solver: str = "auto",
                         positive: Callable[[Fraction, str], bool] | None = None, *, exact: bool = True
                         ) -> tuple[OptimalVertex, ExactLP, list[OptimalVertex]]:
    """Optimise ``lp``'s objective, then each of ``objectives`` over the optimal face of the previous.

    Stops as soon as the face is a single point. Returns the last vertex, the final face and
    every vertex on the way (the first is the optimum of ``lp`` itself).
    """
    v = optimal_vertex(lp, solver, exact=exact)
    steps = [v]
    face = optimal_face(lp, v, positive)
    for obj in objectives:
        if is_point(face):
            break
        v = optimal_vertex(face.with_objective(obj), solver, exact=exact, start=v.x)
        steps.append(v)
        face = optimal_face(face.with_objective(obj), v, positive)
    return v, face, steps


__all__ = ["ExactLP", "OptimalVertex", "verify_optimal", "optimal_vertex", "exact_simplex", "optimal_face",
           "is_point", "pinned", "lexicographic_vertex", "TIGHT", "DUAL_SUPPORT", "MAX_EXACT_SIMPLEX"]
