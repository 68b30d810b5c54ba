"""Stable allocations: the least core and the nucleolus, with exact certificates; empty cores.

Notation: surplus ``s(S, x) = x(S) − v(S)`` (the excess is ``e(S, x) = −s(S, x)``), ``x(S) = Σ_{i∈S} x_i``.

* **Core** (Gillies 1959): ``{x : x(N) = v(N), x(S) ≥ v(S) ∀S}``. It is empty iff there are
  *balanced* weights ``λ_S ≥ 0`` (``Σ_{S∋i} λ_S = 1`` for every ``i``) with ``Σ_S λ_S v(S) > v(N)``
  (Bondareva 1963, Shapley 1967): :func:`core_certificate` returns either a core point or such
  weights, both verified in :class:`~fractions.Fraction`.
* **Least core** (Maschler, Peleg & Shapley 1979): ``ε* = max_x min_{S ≠ ∅, N} s(S, x)`` over
  ``x(N) = v(N)``; the least core is the set of ``x`` attaining it (the ``(−ε*)``-core). The
  LP's dual multipliers certify ``ε*`` exactly.
* **Nucleolus** (Schmeidler 1969): the ``x`` that lexicographically maximises the vector of
  surpluses sorted increasingly, over imputations (``x_i ≥ v({i})``; ``domain="preimputation"``
  drops that: the prenucleolus). Computed by the sequence of LPs of Maschler, Peleg & Shapley
  (1979) / Kopelowitz (1967): stage ``j`` maximises ``ε`` s.t. ``s(S, x) ≥ ε`` on the coalitions
  still free and ``s(S, x) = ε_t`` on those fixed at earlier stages ``t``; the coalitions whose
  dual multiplier is positive are tight in every optimum and are fixed at ``ε_j``, and a free
  coalition whose ``χ_S`` lies in the span of the fixed ones (its surplus is then constant) leaves
  the free set (Guajardo & Jörnsten 2015, "Common mistakes in computing the nucleolus", EJOR 241).
  Each stage is solved by row generation on HiGHS (the rows a point violates are found among
  all ``2^n`` coalitions with one vectorised pass).

**Exactness.** The float LPs only *guide*: the final point is the unique rational solution of the
fixed coalitions' equations ``x(S) − ε_j = v(S)``, ``x(N) = v(N)``; it is checked in exact
(integer-scaled) arithmetic against every coalition's level, and each stage's level ``ε_j`` is
certified by exact dual multipliers (``y ≥ 0`` on free rows, ``Σ y_S = 1``, the weighted rows cancel
in ``x`` and give ``ε ≤ ε_j`` for every feasible point), which also proves that the fixed coalitions
are tight in every optimum (complementary slackness). Float games are verified on the exact
binary values of their floats.

Examples
--------
>>> from mechsolve.games import Game
>>> g = Game.from_values(["a", "b", "c"], [0, 0, 0, 0, 0, 0, 100, 200], exact=True)  # estate 200
>>> r = nucleolus(g)                 # claims 100, 200, 300: the Talmud rule (Aumann & Maschler 1985)
>>> [str(x) for x in r.exact], r.verified, len(r.stages)
(['50', '75', '75'], True, 2)
>>> str(least_core(g).value)
'50'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from ..errors import Infeasible, InvalidModel, SolverError, Unsupported
from ..games.game import Game, popcounts
from ..result import exact_value
from ..solvers.certificates import exact_solve, integer_nullspace
from ..solvers.highs import INF, SparseLP
from .base import Outcome, Scheme

#: Largest n for the stability LPs (2^n coalitions are scanned per row-generation round).
MAX_PLAYERS = 24
#: Above this n the first LP holds only the coalitions of size 1 and n−1 (then row generation).
ALL_ROWS_UP_TO = 10
DOMAINS = ("imputation", "preimputation")


# --------------------------------------------------------------------------- coalition arithmetic

def coalition_sums(x: Any, n: int) -> np.ndarray:
    """``x(S) = Σ_{i∈S} x_i`` for every bitmask ``S`` (dtype of ``x``: float, int64 or object).

    Examples
    --------
    >>> coalition_sums(np.array([1, 2, 4]), 3).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    x = np.asarray(x)
    out = np.zeros(1, dtype=x.dtype)
    if x.dtype == object:
        out[0] = 0 * x[0] if n else 0
    for k in range(n):
        out = np.concatenate([out, out + x[k]])
    return out


def _members(masks: np.ndarray, n: int) -> list[np.ndarray]:
    bits = (masks[:, None] >> np.arange(n)) & 1
    return [np.flatnonzero(b) for b in bits]


def exact_values(game: Game) -> np.ndarray:
    """The game's values as Fractions (a float is the binary value it holds)."""
    if game.exact:
        return game.values
    out = np.empty(game.values.size, dtype=object)
    out[:] = [Fraction(float(v)) for v in game.values]
    return out


class ExactTable:
    """``v(S) = ints[S] / den`` exactly, without one Fraction per coalition.

    Floats are split as ``mantissa · 2^exponent`` in numpy, so a float table of 2^20 entries
    becomes integers in one vectorised pass (int64 when they fit, else Python ints).

    Examples
    --------
    >>> t = ExactTable.of(Game.from_values(["a", "b"], [0, 0.5, 0.25, 1]))
    >>> t.ints.tolist(), t.den, t[1]
    ([0, 2, 1, 4], 4, Fraction(1, 2))
    """

    def __init__(self, ints: np.ndarray, den: int) -> None:
        self.ints, self.den = ints, den

    @classmethod
    def of(cls, game: Game) -> "ExactTable":
        if game.exact:
            den = _common_denominator(game.values)
            return cls(_as_int_array([int(v.numerator) * (den // v.denominator) for v in game.values]), den)
        v = np.asarray(game.values, dtype=np.float64)
        mant, ex = np.frexp(v)
        m = (mant * 2.0**53).astype(np.int64)          # exact: |mant| < 1 has 53 significant bits
        e = ex.astype(np.int64) - 53
        nz = m != 0
        if not nz.any():
            return cls(np.zeros(v.size, dtype=np.int64), 1)
        tz = np.zeros(v.size, dtype=np.int64)          # trailing zero bits of each mantissa
        mm = np.abs(m[nz])
        t = np.zeros(mm.size, dtype=np.int64)
        for b in (32, 16, 8, 4, 2, 1):
            low = (mm & ((1 << b) - 1)) == 0
            t[low] += b
            mm[low] >>= b
        tz[nz] = t
        m = np.where(nz, m >> tz, 0)
        e = np.where(nz, e + tz, 0)
        k = int(max(0, -int(e[nz].min())))
        shift = e + k
        if int(shift[nz].max()) + 53 < 62:
            return cls(np.where(nz, m << np.where(nz, shift, 0), 0), 1 << k)
        return cls(_as_int_array([int(a) << int(b) if a else 0 for a, b in zip(m.tolist(), shift.tolist())]),
                   1 << k)

    def __getitem__(self, m: int) -> Fraction:
        return Fraction(int(self.ints[m]), self.den)

    def scaled(self, scale: int) -> np.ndarray:
        """``v · scale`` as integers; ``scale`` must be a multiple of :attr:`den`."""
        f = scale // self.den
        if self.ints.dtype != object:
            big = int(np.abs(self.ints).max(initial=0))
            if big * f < 2**62 // 64:
                return self.ints * np.int64(f)
            return _as_int_array([int(a) * f for a in self.ints.tolist()])
        return self.ints * f


def _as_int_array(ints: list[int]) -> np.ndarray:
    big = max((abs(i) for i in ints), default=0)
    if big < 2**62 // 64:
        return np.array(ints, dtype=np.int64)
    arr = np.empty(len(ints), dtype=object)
    arr[:] = ints
    return arr


def _scaled(values: list[Fraction] | np.ndarray, scale: int) -> np.ndarray:
    """``values · scale`` as integers (int64 when they fit, else Python ints)."""
    return _as_int_array([int(v * scale) for v in values])


def _common_denominator(values: Any) -> int:
    d = 1
    for v in values:
        d = lcm(d, v.denominator)
    return d


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Stage:
    """One LP of the sequence: its level ``ε_j`` (min surplus), the coalitions fixed, the certificate.

    ``dual`` maps each coalition (bitmask) with a positive exact multiplier to it; ``pinned`` are
    the players whose imputation bound ``x_i ≥ v({i})`` is tight in every optimum of this stage.
    """

    level: Any
    fixed: tuple[int, ...]
    pinned: tuple[int, ...] = ()
    dual: Mapping[int, Fraction] = field(default_factory=dict)
    removed: int = 0
    #: The rest of the exact dual: multipliers of earlier-fixed coalitions, of x(N) = v(N), of the
    #: bounds x_i ≥ v({i}); with ``dual`` they satisfy Σ_S y_S χ_S = Σ_T z_T χ_T + w χ_N − Σ_i μ_i e_i,
    #: Σ y_S = 1 and level = Σ z_T (v(T) + ε_T) + w v(N) − Σ μ_i v({i}) − Σ y_S v(S).
    fixed_dual: Mapping[int, Fraction] = field(default_factory=dict)
    efficiency_dual: Fraction = Fraction(0)
    bound_dual: Mapping[int, Fraction] = field(default_factory=dict)


@dataclass(frozen=True)
class StabilityResult:
    """A least-core or nucleolus computation with its exact verification.

    Attributes
    ----------
    allocation : numpy.ndarray
        Float64 point (the exact one rounded, when verified).
    exact : tuple of Fraction or None
        The exact rational point, when it could be formed.
    value : Fraction or float
        ``ε*`` of stage 1: the least-core surplus (≥ 0 iff the core is non-empty on this domain).
    stages : tuple of Stage
    verified : bool
        Every stage certified by exact duals and the point checked against every coalition.
    """

    kind: str
    domain: str
    allocation: np.ndarray
    exact: tuple[Fraction, ...] | None
    value: Any
    stages: tuple[Stage, ...]
    verified: bool
    verification: str
    lp_solves: int
    rows: int
    names: tuple[str, ...] = ()

    @property
    def levels(self) -> list[Any]:
        return [s.level for s in self.stages]

    def certificate(self) -> dict[str, Any]:
        """JSON-ready summary of the exact certificate (levels, fixed coalitions, multipliers)."""
        def members(m: int) -> list[str]:
            return [p for k, p in enumerate(self.names) if m >> k & 1]

        return {"kind": self.kind, "domain": self.domain, "verified_exactly": self.verified,
                "verification": self.verification,
                "least_core_surplus": exact_value(self.value), "least_core_value_max_excess": exact_value(-self.value),
                "stages": [{"level": exact_value(s.level), "fixed": [members(m) for m in s.fixed],
                            "pinned": [self.names[i] for i in s.pinned],
                            "dual": [{"coalition": members(m), "multiplier": exact_value(y)} for m, y in s.dual.items()],
                            "fixed_dual": [{"coalition": members(m), "multiplier": exact_value(y)}
                                           for m, y in s.fixed_dual.items()],
                            "efficiency_dual": exact_value(s.efficiency_dual),
                            "bound_dual": {self.names[i]: exact_value(y) for i, y in s.bound_dual.items()},
                            "coalitions_made_constant": s.removed} for s in self.stages],
                "point": [exact_value(x) for x in self.exact] if self.exact is not None else None,
                "lp_solves": self.lp_solves, "rows_generated": self.rows}


@dataclass(frozen=True)
class CoreCertificate:
    """Either a core point or Bondareva–Shapley balanced weights, verified exactly.

    ``weights`` maps coalitions (bitmasks) to ``λ_S > 0``; ``gap = Σ λ_S v(S) − v(N) > 0`` when
    the core is empty.
    """

    empty: bool
    point: tuple[Fraction, ...] | None
    weights: Mapping[int, Fraction]
    gap: Fraction
    verified: bool
    names: tuple[str, ...] = ()
    #: v(N), so that the certificate states Σ λ_S v(S) = gap + v(N) itself.
    grand: Fraction | None = None

    def to_dict(self) -> dict[str, Any]:
        def members(m: int) -> list[str]:
            return [p for k, p in enumerate(self.names) if m >> k & 1]

        if not self.empty:
            return {"core": "non-empty", "point": {p: exact_value(x) for p, x in zip(self.names, self.point or ())},
                    "verified_exactly": self.verified}
        return {"core": "empty", "certificate": "Bondareva–Shapley balanced weights",
                "weights": [{"coalition": members(m), "lambda": exact_value(w)} for m, w in self.weights.items()],
                "sum_lambda_v": exact_value(self.gap + self.grand) if self.grand is not None else None, "gap": exact_value(self.gap),
                "statement": "Σ_{S∋i} λ_S = 1 for every player i and Σ_S λ_S v(S) − v(N) = " + str(self.gap)
                             + " > 0, so no x with x(N) = v(N) has x(S) ≥ v(S) for all S",
                "verified_exactly": self.verified}

    def lines(self) -> list[str]:
        """The certificate as readable lines."""
        if not self.empty:
            return ["the core is non-empty: " + ", ".join(f"{p} = {x}" for p, x in zip(self.names, self.point or ()))]
        out = ["the core is empty (Bondareva–Shapley): balanced weights λ_S with Σ_{S∋i} λ_S = 1 for every i"]
        for m, w in self.weights.items():
            out.append(f"  λ = {w} on {{{', '.join(p for k, p in enumerate(self.names) if m >> k & 1)}}}")
        out.append(f"  Σ_S λ_S v(S) exceeds v(N) by {self.gap} (≈{float(self.gap):.6g}), verified exactly")
        return out


# --------------------------------------------------------------------------- the LP sequence

class _Sequence:
    """The Maschler–Peleg–Shapley LP sequence on one game, float-guided."""

    def __init__(self, game: Game, domain: str) -> None:
        if domain not in DOMAINS:
            raise InvalidModel(f"unknown domain {domain!r}; valid: {', '.join(DOMAINS)}", field="scheme.domain")
        n = game.n
        if n > MAX_PLAYERS:
            raise Unsupported(f"the stability LPs scan all 2^n coalitions; n = {n} is more than {MAX_PLAYERS}",
                              field="players")
        self.game, self.n, self.domain = game, n, domain
        self.v = game.values.astype(np.float64) if game.exact else np.asarray(game.values, dtype=np.float64)
        self.N = 2**n - 1
        self.scale = max(1.0, float(np.abs(self.v).max(initial=0.0)))
        self.tol = 1e-9 * self.scale
        single = self.v[[1 << i for i in range(n)]]
        self.ex = ExactTable.of(game)
        if domain == "imputation":
            ex = self.ex
            if sum((ex[1 << i] for i in range(n)), Fraction(0)) > ex[self.N]:
                raise Infeasible("the imputation set is empty (Σ_i v({i}) > v(N)); "
                                 "use domain: preimputation (the prenucleolus)", field="scheme.domain")
        lower = np.concatenate([single if domain == "imputation" else np.full(n, -INF), [-INF]])
        # ε is bounded above by the singleton rows; below by nothing (bounded by the objective)
        self.lp = SparseLP(n + 1, cost=np.eye(n + 1)[n], sense="max", lower=lower)
        self.lp.add_rows([np.arange(n)], [np.ones(n)], lo=[self.v[self.N]], hi=[self.v[self.N]])
        self.status = np.zeros(2**n, dtype=np.int8)   # 0 free, 1 fixed, 2 constant (span), 3 ∅/N
        self.status[0] = self.status[self.N] = 3
        self.removed_at = np.full(2**n, -1, dtype=np.int64)
        self.row_of: dict[int, int] = {}
        self.in_lp = np.zeros(2**n, dtype=bool)
        self.fixed_vecs: list[np.ndarray] = [np.ones(n, dtype=np.int64)]
        self.pinned: set[int] = set()
        self.solves = 0
        self.removed_counts: list[int] = []
        self.stages: list[tuple[float, list[int], list[int], dict[int, float], dict[int, float], dict[int, float],
                                float]] = []
        if n <= ALL_ROWS_UP_TO:
            first = np.flatnonzero(self.status == 0)
        else:
            pc = popcounts(n)
            first = np.flatnonzero((self.status == 0) & ((pc == 1) | (pc == n - 1)))
        self._add(first)

    def _add(self, masks: np.ndarray) -> None:
        if masks.size == 0:
            return
        n = self.n
        mem = _members(masks, n)
        cols = [np.append(m, n) for m in mem]
        vals = [np.append(np.ones(len(m)), -1.0) for m in mem]
        rows = self.lp.add_rows(cols, vals, lo=self.v[masks], hi=np.full(masks.size, INF))
        for m, r in zip(masks.tolist(), rows):
            self.row_of[m] = r
        self.in_lp[masks] = True

    def _null_rows(self) -> np.ndarray:
        """Integer basis of {w : w·f = 0 for every fixed vector f} (empty when the span is everything).

        Computed over ℤ, so span membership (``W χ_S = 0``) is decided exactly.
        """
        out = integer_nullspace([[int(a) for a in f] for f in self.fixed_vecs], self.n)
        return np.array(out, dtype=np.int64).reshape(len(out), self.n)

    def run(self, *, stages: int | None = None) -> None:
        n = self.n
        j = 0
        while True:
            while True:  # row generation
                sol = self.lp.solve()
                self.solves += 1
                x, eps = sol.x[:n], sol.x[n]
                s = coalition_sums(x, n) - self.v
                cand = (self.status == 0) & ~self.in_lp & (s < eps - self.tol)
                if not cand.any():
                    break
                idx = np.flatnonzero(cand)
                batch = max(4 * n, 64)
                if idx.size > batch:
                    idx = idx[np.argpartition(s[idx], batch)[:batch]]
                self._add(idx)
            rd = sol.row_dual
            free_rows = {m: rd[r] for m, r in self.row_of.items() if self.status[m] == 0 and abs(rd[r]) > 1e-9}
            fixed_rows = {m: rd[r] for m, r in self.row_of.items() if self.status[m] == 1 and abs(rd[r]) > 1e-9}
            bound_duals = ({i: sol.col_dual[i] for i in range(n) if abs(sol.col_dual[i]) > 1e-9}
                           if self.domain == "imputation" else {})
            eff_dual = float(rd[0])
            if not free_rows:
                raise SolverError("the LP's duals put no weight on a free coalition (numerical trouble)")
            newly = sorted(free_rows)
            pin = [i for i in bound_duals if i not in self.pinned and self.domain == "imputation"]
            self.stages.append((float(eps), newly, pin, free_rows, fixed_rows, bound_duals, eff_dual))
            fixed_rows_lp = [self.row_of[m] for m in newly]
            self.lp.set_row_bounds(fixed_rows_lp, [self.v[m] + eps for m in newly], [self.v[m] + eps for m in newly])
            for m in newly:
                self.lp.change_coeff(self.row_of[m], n, 0.0)
                self.status[m] = 1
                self.removed_at[m] = j
                self.fixed_vecs.append(((m >> np.arange(n)) & 1).astype(np.int64))
            for i in pin:
                self.pinned.add(i)
                self.lp.set_col_bounds([i], [self.v[1 << i]], [self.v[1 << i]])
                self.fixed_vecs.append(np.eye(n, dtype=np.int64)[i])
            W = self._null_rows()
            free = self.status == 0
            if W.shape[0] == 0:
                const = free
            else:
                const = free.copy()
                for w in W:
                    const &= coalition_sums(w, n) == 0
            cm = np.flatnonzero(const)
            self.status[cm] = 2
            self.removed_at[cm] = j
            relax = [self.row_of[m] for m in cm[self.in_lp[cm]].tolist()]
            if relax:
                self.lp.set_row_bounds(relax, [-INF] * len(relax), [INF] * len(relax))
            self.removed_counts.append(int(cm.size))
            j += 1
            if W.shape[0] == 0 or (stages is not None and j >= stages):
                self.last_x = x
                return

    # ----------------------------------------------------------------- exact verification
    def exact_point(self) -> tuple[list[Fraction] | None, list[Fraction] | None, str]:
        """Solve the fixed coalitions' equations exactly: (x, ε levels) or (None, None, why)."""
        n, K = self.n, len(self.stages)
        ex = self.ex
        rows: list[dict[int, Fraction]] = [{i: Fraction(1) for i in range(n)}]
        rhs = [ex[self.N]]
        for j, st in enumerate(self.stages):
            for m in st[1]:
                d = {i: Fraction(1) for i in range(n) if m >> i & 1}
                d[n + j] = Fraction(-1)
                rows.append(d)
                rhs.append(ex[m])
            for i in st[2]:
                rows.append({i: Fraction(1)})
                rhs.append(ex[1 << i])
        s = exact_solve(rows, rhs, n + K)
        if not s.consistent or s.z is None:
            return None, None, "the fixed coalitions' equations are inconsistent in exact arithmetic"
        if s.nullity:
            return None, None, f"the fixed coalitions leave {s.nullity} degree(s) of freedom"
        return s.z[:n], s.z[n:], "unique solution of the fixed coalitions' equations"

    def verify(self, x: list[Fraction], levels: list[Fraction], *, final: bool) -> tuple[bool, str, list[Any]]:
        """Check the point against every coalition and certify each stage's level by exact duals."""
        n = self.n
        ex = self.ex
        K = len(self.stages)
        # 1. levels non-decreasing, imputation bounds, surplus of every coalition vs its level
        for j in range(1, K):
            if levels[j] < levels[j - 1]:
                return False, f"stage {j + 1}'s level {levels[j]} is below stage {j}'s {levels[j - 1]}", []
        if self.domain == "imputation":
            for i in range(n):
                if x[i] < ex[1 << i]:
                    return False, f"x_{self.game.names[i]} = {x[i]} < v({{{self.game.names[i]}}})", []
        den = lcm(_common_denominator(x), _common_denominator(levels), ex.den)
        X = _scaled(x, den)
        V = ex.scaled(den)
        E = _scaled(levels, den)
        surplus = coalition_sums(X, n) - V
        at = self.removed_at.copy()
        consider = self.status != 3
        if not final:  # coalitions still free after the last stage computed: level of that stage
            at[(self.status == 0)] = K - 1
        need = E[np.clip(at, 0, K - 1)]
        bad = consider & (surplus < need)
        if bad.any():
            m = int(np.flatnonzero(bad)[0])
            return False, f"coalition {self.game.members(m)} has surplus below its level", []
        fixed = self.status == 1
        eq_bad = fixed & (surplus != need)
        if eq_bad.any():
            m = int(np.flatnonzero(eq_bad)[0])
            return False, f"fixed coalition {self.game.members(m)} is not at its level", []
        # 2. exact duals per stage: Σ_Y y_S χ_S = Σ_Z z_S χ_S + w χ_N − Σ_M μ_i e_i, Σ y = 1, y, μ ≥ 0
        duals = []
        pinned_before: set[int] = set()
        for j, (_, newly, pin, free_rows, fixed_rows, bound_duals, _) in enumerate(self.stages):
            Y = sorted(free_rows)
            Z = sorted(fixed_rows)
            M = sorted(bound_duals)
            nv = len(Y) + len(Z) + 1 + len(M)
            rows_e: list[dict[int, Fraction]] = [dict() for _ in range(n + 1)]
            for c, m in enumerate(Y):
                for i in range(n):
                    if m >> i & 1:
                        rows_e[i][c] = Fraction(1)
                rows_e[n][c] = Fraction(1)
            for c, m in enumerate(Z, start=len(Y)):
                for i in range(n):
                    if m >> i & 1:
                        rows_e[i][c] = Fraction(-1)
            wc = len(Y) + len(Z)
            for i in range(n):
                rows_e[i][wc] = Fraction(-1)
            for c, i in enumerate(M, start=wc + 1):
                rows_e[i][c] = Fraction(1)
            sol = exact_solve(rows_e, [Fraction(0)] * n + [Fraction(1)], nv)
            if not sol.consistent or sol.z is None:
                return False, f"stage {j + 1}: the duals do not extend to an exact certificate", []
            z = sol.z
            y = dict(zip(Y, z[:len(Y)]))
            zz = dict(zip(Z, z[len(Y):wc]))
            w = z[wc]
            mu = dict(zip(M, z[wc + 1:]))
            if any(val < 0 for val in y.values()):
                return False, f"stage {j + 1}: an exact dual multiplier is negative", []
            if any(mu[i] < 0 for i in M if i not in pinned_before):
                return False, f"stage {j + 1}: an exact bound multiplier is negative", []
            lev = {m: levels[self.removed_at[m]] for m in Z}
            upper = (sum((zz[m] * (ex[m] + lev[m]) for m in Z), Fraction(0)) + w * ex[self.N]
                     - sum((mu[i] * ex[1 << i] for i in M), Fraction(0)) - sum((y[m] * ex[m] for m in Y), Fraction(0)))
            if upper != levels[j]:
                return False, f"stage {j + 1}: the dual bound {upper} differs from the level {levels[j]}", []
            if any(y.get(m, Fraction(0)) <= 0 for m in newly):
                return False, f"stage {j + 1}: a fixed coalition has no positive exact multiplier", []
            if any(mu.get(i, Fraction(0)) <= 0 for i in pin):
                return False, f"stage {j + 1}: a pinned bound has no positive exact multiplier", []
            pinned_before.update(pin)
            duals.append(({m: val for m, val in y.items() if val != 0}, {m: val for m, val in zz.items() if val != 0},
                          w, {i: val for i, val in mu.items() if val != 0}))
        return True, (f"verified exactly: {K} stage(s), each level certified by exact dual multipliers; "
                      "the point satisfies every coalition's level" +
                      (" and is the unique solution of the fixed coalitions' equations" if final else "")), duals


def _result(seq: _Sequence, kind: str, *, final: bool, point: str = "nucleolus") -> StabilityResult:
    n = seq.n
    notes = ""
    x_exact: list[Fraction] | None
    if final:
        x_exact, levels, why = seq.exact_point()
    else:
        x_exact, levels, why = _vertex_point(seq)
    if x_exact is None or levels is None:
        alloc = np.asarray(seq.last_x, dtype=np.float64)
        lv = [st[0] for st in seq.stages]
        stages = tuple(Stage(l, tuple(st[1]), tuple(st[2])) for l, st in zip(lv, seq.stages))
        return StabilityResult(kind, seq.domain, alloc, None, lv[0], stages, False, f"not verified: {why}",
                               seq.solves, len(seq.row_of), seq.game.names)
    ok, msg, duals = seq.verify(x_exact, levels, final=final)
    stages = tuple(Stage(levels[j], tuple(st[1]), tuple(st[2]), duals[j][0] if ok else {},
                         seq.removed_counts[j], *(duals[j][1:] if ok else ({}, Fraction(0), {})))
                   for j, st in enumerate(seq.stages))
    alloc = np.array([float(v) for v in x_exact])
    return StabilityResult(kind, seq.domain, alloc, tuple(x_exact), levels[0], stages, ok,
                           msg + notes if ok else f"not verified: {msg}", seq.solves, len(seq.row_of),
                           seq.game.names)


def _vertex_point(seq: _Sequence) -> tuple[list[Fraction] | None, list[Fraction] | None, str]:
    """Stage 1 only (least core, a vertex): the exact level from stage 1's equations plus the vertex."""
    from ..solvers.certificates import exact_solve as solve

    n = seq.n
    ex = seq.ex
    x = seq.last_x
    s = coalition_sums(x, n) - seq.v
    eps = seq.stages[0][0]
    tight = [m for m in seq.row_of if seq.status[m] != 3 and abs(s[m] - eps) <= 1e-7 * seq.scale]
    rows: list[dict[int, Fraction]] = [{i: Fraction(1) for i in range(n)}]
    rhs = [ex[seq.N]]
    for m in tight:
        d = {i: Fraction(1) for i in range(n) if m >> i & 1}
        d[n] = Fraction(-1)
        rows.append(d)
        rhs.append(ex[m])
    if seq.domain == "imputation":
        for i in range(n):
            if abs(x[i] - seq.v[1 << i]) <= 1e-7 * seq.scale:
                rows.append({i: Fraction(1)})
                rhs.append(ex[1 << i])
    r = solve(rows, rhs, n + 1)
    if not r.consistent or r.z is None or r.nullity:
        return None, None, "the float vertex's tight rows do not determine a unique exact point"
    return r.z[:n], [r.z[n]], "vertex"


# --------------------------------------------------------------------------- public API

def nucleolus(game: Game, *, domain: str = "imputation") -> StabilityResult:
    """The nucleolus (``domain="imputation"``) or prenucleolus, with its exact certificate.

    Raises
    ------
    Infeasible
        The imputation set is empty (``Σ v({i}) > v(N)``).

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> g = Game.from_values(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1], exact=True)   # glove game
    >>> [str(x) for x in nucleolus(g).exact]
    ['1', '0', '0']
    """
    if game.n == 1:
        x = (game.values[1],) if game.exact else (Fraction(float(game.values[1])),)
        return StabilityResult("nucleolus", domain, np.array([float(x[0])]), x, Fraction(0), (), True,
                               "one player: the nucleolus is v(N)", 0, 0, game.names)
    seq = _Sequence(game, domain)
    seq.run()
    return _result(seq, "nucleolus", final=True)


def least_core(game: Game, *, domain: str = "preimputation", point: str = "nucleolus") -> StabilityResult:
    """The least-core surplus ``ε*`` (certified by exact duals) and one least-core point.

    ``point="nucleolus"`` (default) returns the nucleolus of the same domain — the unique
    lexicographic centre of the least core; ``point="vertex"`` returns the first LP's vertex.

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1], exact=True)   # majority: core empty
    >>> r = least_core(g)
    >>> str(r.value), [str(x) for x in r.exact]
    ('-1/3', ['1/3', '1/3', '1/3'])
    """
    if point not in ("nucleolus", "vertex"):
        raise InvalidModel(f"unknown point {point!r}; valid: nucleolus, vertex", field="scheme.point")
    if game.n == 1:
        return nucleolus(game, domain=domain)
    seq = _Sequence(game, domain)
    if point == "nucleolus":
        seq.run()
        r = _result(seq, "least-core", final=True)
    else:
        seq.run(stages=1)
        r = _result(seq, "least-core", final=False, point="vertex")
    return r


def core_certificate(game: Game, result: StabilityResult | None = None) -> CoreCertificate:
    """A core point, or Bondareva–Shapley weights proving the core empty — verified exactly.

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1], exact=True)
    >>> c = core_certificate(g)
    >>> c.empty, sorted(str(w) for w in c.weights.values()), str(c.gap)
    (True, ['1/2', '1/2', '1/2'], '1/2')
    """
    ex = ExactTable.of(game)
    n = game.n
    if n == 1:
        return CoreCertificate(False, (ex[1],), {}, Fraction(0), True, game.names)
    r = result if result is not None and result.domain == "preimputation" and result.verified else \
        least_core(game, domain="preimputation", point="nucleolus")
    if not r.verified or r.exact is None:
        raise SolverError(f"the least-core LP could not be certified exactly ({r.verification})")
    if r.value >= 0:
        x = r.exact
        den = lcm(_common_denominator(x), ex.den)
        surplus = coalition_sums(_scaled(list(x), den), n) - ex.scaled(den)
        ok = bool(np.all(surplus[1:] >= 0)) and surplus[-1] == 0
        return CoreCertificate(False, x, {}, Fraction(0), ok, game.names)
    y = r.stages[0].dual
    # the stage-1 identity Σ y_S χ_S = w χ_N with Σ y_S = 1 gives balanced weights λ_S = y_S / w
    w = sum(y.values(), Fraction(0))
    cover = [sum((val for m, val in y.items() if m >> i & 1), Fraction(0)) for i in range(n)]
    wN = cover[0]
    lam = {m: val / wN for m, val in y.items()} if wN > 0 else {}
    ok = wN > 0 and w == 1 and all(c == wN for c in cover) and all(val > 0 for val in lam.values())
    gap = sum((lam[m] * ex[m] for m in lam), Fraction(0)) - ex[-1]
    ok = ok and gap > 0 and verify_balanced(lam, ex, n) == gap
    return CoreCertificate(True, None, lam, gap, ok, game.names, ex[-1])


def verify_balanced(weights: Mapping[int, Fraction], values: Any, n: int) -> Fraction:
    """Re-check Bondareva–Shapley weights exactly; return ``Σ λ_S v(S) − v(N)`` (raise if not balanced).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> verify_balanced({3: F(1, 2), 5: F(1, 2), 6: F(1, 2)}, [F(v) for v in [0, 0, 0, 1, 0, 1, 1, 1]], 3)
    Fraction(1, 2)
    """
    for m, lam in weights.items():
        if lam < 0 or not 0 < m < 2**n:
            raise SolverError(f"weight {lam} on coalition {m} is not a valid balanced weight")
    for i in range(n):
        cover = sum((lam for m, lam in weights.items() if m >> i & 1), Fraction(0))
        if cover != 1:
            raise SolverError(f"the weights cover player {i} {cover} times, not once")
    return sum((lam * Fraction(values[m]) for m, lam in weights.items()), Fraction(0)) - Fraction(values[2**n - 1])


# --------------------------------------------------------------------------- schemes

def _outcome(game: Game, r: StabilityResult, name: str, core: CoreCertificate | None) -> Outcome:
    alloc: np.ndarray
    if game.exact and r.exact is not None:
        alloc = np.empty(game.n, dtype=object)
        alloc[:] = list(r.exact)
    else:
        alloc = r.allocation
    x = alloc
    sums = coalition_sums(x, game.n) - game.values
    surplus = sums[1:-1] if game.n > 1 else sums[:0]
    scalars: dict[str, Any] = {
        "v(N)": game.grand_value, "domain": r.domain,
        "least-core value (max excess)": 0 - r.value if isinstance(r.value, Fraction) and game.exact else 0.0 - float(r.value),
        "stages": len(r.stages), "LP solves": r.lp_solves, "rows generated": r.rows,
        "exact certificate": "verified" if r.verified else "NOT verified",
    }
    if surplus.size:
        scalars["min surplus at the point"] = surplus.min() if game.exact else float(surplus.min())
    notes = [r.verification]
    certs: dict[str, Any] = {name: r.certificate()}
    if core is not None:
        scalars["core"] = "empty" if core.empty else "non-empty"
        notes.extend(core.lines())
        certs["core"] = core.to_dict()
    return Outcome(name, alloc, name, {name: alloc}, scalars, notes=tuple(notes), certificates=certs)


def _domain(params: Mapping[str, Any], default: str) -> str:
    d = params.get("domain", default)
    if d not in DOMAINS:
        raise InvalidModel(f"unknown domain {d!r}; valid: {', '.join(DOMAINS)}", field="scheme.domain")
    return str(d)


def _nucleolus(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Nucleolus scheme.

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> _nucleolus(Game.from_values(["a", "b"], [0, 1, 2, 4]), {}).allocation.tolist()
    [1.5, 2.5]
    """
    domain = _domain(params, "imputation")
    try:
        r = nucleolus(game, domain=domain)
    except Infeasible:
        if "domain" in params:   # asked for imputations explicitly: the nucleolus does not exist
            raise
        r = nucleolus(game, domain="preimputation")
        o = _outcome(game, r, "nucleolus", None)
        return dataclasses.replace(o, notes=("the imputation set is empty (Σ_i v({i}) > v(N)): this is the "
                                             "prenucleolus (set `domain: imputation` to refuse instead)",) + o.notes)
    return _outcome(game, r, "nucleolus", None)


def _prenucleolus(game: Game, params: Mapping[str, Any]) -> Outcome:
    r = nucleolus(game, domain="preimputation")
    return _outcome(game, r, "prenucleolus", None)


def _least_core(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Least-core scheme (default point: the prenucleolus; the core certificate alongside).

    Examples
    --------
    >>> from mechsolve.games import Game
    >>> o = _least_core(Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1], exact=True), {})
    >>> o.scalars["core"], str(o.scalars["least-core value (max excess)"])
    ('empty', '1/3')
    """
    r = least_core(game, domain=_domain(params, "preimputation"), point=str(params.get("point", "nucleolus")))
    core = core_certificate(game, r)
    return _outcome(game, r, "least-core", core)


SCHEMES = (
    Scheme("least-core", "a point of the least core: min over x of the largest excess v(S) − x(S) "
           "(default: its lexicographic centre, the prenucleolus), with the core's Bondareva–Shapley certificate",
           "Maschler, Peleg & Shapley (1979); Bondareva (1963), Shapley (1967)", _least_core,
           ("efficiency", "epsilon-core"),
           {"point": "nucleolus (default, the lexicographic centre) | vertex (the first LP's vertex)",
            "domain": "preimputation (default) | imputation (add x_i ≥ v({i}))"}),
    Scheme("nucleolus", "the nucleolus: lexicographically smallest sorted excess vector over imputations "
           "(sequence of LPs, exact certificate)", "Schmeidler (1969); Maschler, Peleg & Shapley (1979)",
           _nucleolus, ("efficiency", "symmetry", "null-player", "individual-rationality"),
           {"domain": "imputation | preimputation (the prenucleolus); default: imputations, or the prenucleolus "
                      "with a note when the imputation set is empty"}),
    Scheme("prenucleolus", "the prenucleolus: the nucleolus over all x with x(N) = v(N)",
           "Schmeidler (1969); Maschler, Peleg & Shapley (1979)", _prenucleolus,
           ("efficiency", "epsilon-core", "symmetry", "null-player")),
)
