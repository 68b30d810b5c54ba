"""Model quality Q(t) and valuations v_i(q_1, …, q_n) with externalities (Chen et al. 2020).

Families (all vectorised over leading axes; ``q`` has shape ``(..., n)``):

* ``linear`` — Example 1, Sec. 3: v_i = Σ_j α_ij q_j;
* ``market-growth`` — Sec. 6.2: v_i = (Σ_j q_j)^α · q_i (0 when Σ_j q_j = 0);
* ``quasi-monotone`` — Def. 8: v_i = F_i(q_i) + θ_i(q_−i);
* ``formula`` — any formula in ``q_1..q_n, q_i, t_1..t_n, t_i`` (Def. 2 allows true types).

Formulas are validated and compiled to numpy by :func:`mechsolve.model.formula.compile_numpy`
(an AST whitelist, never ``eval``, no sympy): float work never imports sympy. The sympy
expression (:func:`~mechsolve.model.formula.parse_formula`) is built on first use only — exact
mode, which evaluates it at rational points and insists on a rational result (an irrational value
raises :class:`~mechsolve.errors.Unsupported`), and the symbolic property checks.

Examples
--------
>>> import numpy as np
>>> v = Valuation.market_growth(2, -0.5)
>>> v.values(np.array([1.0, 3.0]), np.array([1.0, 3.0])).tolist()
[0.5, 1.5]
>>> lin = Valuation.linear(np.array([[1.0, -0.5], [0.25, 1.0]]))
>>> lin.values(np.array([2.0, 2.0]), np.zeros(2)).tolist()
[1.0, 2.5]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..model.formula import (EXACT_EXPONENT_LIMIT, NumpyFormula, compile_formula, compile_numpy, huge_exponents,
                             parse_formula)
from .types import as_fraction



def _to_fraction(x: Any, where: str) -> Fraction:
    import sympy as sp

    x = sp.sympify(x)
    if isinstance(x, sp.Float):   # inexact arithmetic happened: never guess a rational from a float
        raise Unsupported(f"exact evaluation needs rational values, but {where} evaluated to the float {x}; "
                          "run in float64 (--float)", field="exact")
    if not x.is_Rational:
        raise Unsupported(f"exact evaluation needs rational values, but {where} is {x} "
                          f"(irrational); run in float64 (--float)", field="exact")
    return Fraction(int(x.p), int(x.q))


def _exact_caller(expr: Any, symbols: Sequence[str], where: str) -> Callable[..., np.ndarray]:
    """Evaluate ``expr`` elementwise at rational points (object arrays of Fraction)."""
    import sympy as sp

    from sympy.printing.pycode import SymPyPrinter

    huge = huge_exponents(expr)
    if huge:   # (p/q)^k holds ~k·log2(q) bits: never start it
        raise Unsupported(f"exact evaluation of {where} needs powers with exponents up to {EXACT_EXPONENT_LIMIT} "
                          f"in magnitude, but it has one of {float(huge[0].exp):.6g}; run in float64 (--float)",
                          field="exact")

    class _RationalPrinter(SymPyPrinter):
        """sympy's lambdify prints Rational(1, 2) as ``1/2``, a Python float: keep it a Rational."""

        def _print_Rational(self, e: Any) -> str:
            return f"Rational({e.p}, {e.q})"

    syms = [sp.Symbol(s, real=True) for s in symbols]
    printer = _RationalPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                                "user_functions": {}})
    f = sp.lambdify(syms, expr, modules=[{"Rational": sp.Rational}, "sympy"], printer=printer)

    def call(*arrays: np.ndarray) -> np.ndarray:
        arrs = np.broadcast_arrays(*[np.asarray(a, dtype=object) for a in arrays])
        out = np.empty(arrs[0].shape, dtype=object)
        for idx in np.ndindex(out.shape):
            args = [sp.Rational(a[idx].numerator, a[idx].denominator) for a in arrs]
            out[idx] = _to_fraction(f(*args), where)
        return out

    return call


class _quasi_caller:
    """v_k = F_k(q_k) + θ_k(q_1..q_n, q_others) in floats (the numpy-compiled parts)."""

    def __init__(self, F: NumpyFormula, theta: NumpyFormula, k: int, n: int) -> None:
        self.F, self.theta, self.k, self.n = F, theta, k, n

    def __call__(self, *cols: np.ndarray) -> np.ndarray:
        qs = cols[:self.n]
        others = sum(qs[j] for j in range(self.n) if j != self.k)
        return self.F(qs[self.k]) + self.theta(*qs, others if self.n > 1 else 0.0)


def _finite(out: np.ndarray, field: str, what: str) -> np.ndarray:
    """``out`` unchanged when every entry is finite; else bad input naming ``field`` (never a NaN verdict)."""
    bad = ~np.isfinite(out)
    if bad.any():
        raise InvalidModel(f"{what} evaluates to {out[bad].flat[0]} on the type grid; "
                           "qualities and valuations must be finite numbers", field=field)
    return out


@dataclass(frozen=True)
class Quality:
    """Model quality Q(s) of valid data size s (Assumption 1: Q(0) = 0, increasing, ≤ 1).

    ``Quality.parse("t")`` is the identity of Sec. 6.2; Sec. 6.1 uses
    ``(1 - exp(-t))/(1 + exp(-t))``. Float evaluation is the numpy-compiled formula; the sympy
    expression (``expr``) and the exact evaluator are built on first use.
    """

    text: str
    _float: NumpyFormula
    constants: tuple[tuple[str, float], ...] = ()

    @classmethod
    def parse(cls, text: str, constants: Mapping[str, float] | None = None) -> "Quality":
        return cls(text, compile_numpy(text, ["t"], field="quality", constants=constants),
                   tuple(sorted((constants or {}).items())))

    @cached_property
    def expr(self) -> Any:
        """The sympy expression (imports sympy)."""
        return parse_formula(self.text, ["t"], field="quality", constants=dict(self.constants))

    @cached_property
    def _exact(self) -> Callable[..., np.ndarray]:
        return _exact_caller(self.expr, ["t"], "quality")

    @cached_property
    def is_identity(self) -> bool:
        """Q(t) ≡ t. Decided without sympy unless the float formula agrees with t on sample points
        (``t`` itself; a formula that differs from t there is not the identity); then by
        ``sympy.simplify`` (~30 ms, cached)."""
        if self.text.strip() == "t":
            return True
        pts = np.array([0.0, 0.5, 1.0, 2.0, 3.7, 10.0, 1e3])
        out = np.broadcast_to(np.asarray(self._float(pts), dtype=float), pts.shape)
        if not np.allclose(out, pts, rtol=1e-12, atol=1e-12):
            return False
        import sympy as sp

        return bool(sp.simplify(self.expr - sp.Symbol("t", real=True)) == 0)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        if t.dtype == object:
            if self.is_identity:
                return t.copy()
            return self._exact(t)
        out = self._float(t.astype(float))
        return _finite(np.broadcast_to(np.asarray(out, dtype=float), t.shape).copy(), "quality",
                       f"Q(t) = {self.text}")


@dataclass(frozen=True)
class Valuation:
    """v(q, t) → (..., n): every agent's valuation of final model qualities ``q``.

    Attributes
    ----------
    family : str
        ``linear``, ``market-growth``, ``quasi-monotone`` or ``formula``.
    matrix : ndarray or None
        α_ij of the linear family (row i: agent i's coefficients).
    alpha : float or None
        Market growth rate of the market-growth family.
    exprs : tuple
        Per-agent sympy expressions (formula / quasi-monotone families), built on first use.
    """

    n: int
    family: str
    matrix: np.ndarray | None = None
    alpha: float | None = None
    _float: tuple[Callable[..., np.ndarray], ...] = ()
    #: Builds (exprs, parts, where-labels) with sympy, on first use (exact mode, symbolic checks).
    _symbolic: Callable[[], tuple[tuple[Any, ...], tuple[tuple[Any, Any], ...], tuple[str, ...]]] | None = None
    _mentions_types: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def _sym(self) -> tuple[tuple[Any, ...], tuple[tuple[Any, Any], ...], tuple[str, ...]]:
        return self._symbolic() if self._symbolic is not None else ((), (), ())

    @property
    def exprs(self) -> tuple[Any, ...]:
        """Per-agent sympy expressions (imports sympy)."""
        return self._sym[0]

    @property
    def parts(self) -> tuple[tuple[Any, Any], ...]:
        """(F_k, θ_k) per agent for quasi-monotone valuations (imports sympy)."""
        return self._sym[1]

    @cached_property
    def _exact(self) -> tuple[Callable[..., np.ndarray], ...]:
        qs, ts = [f"q_{k + 1}" for k in range(self.n)], [f"t_{k + 1}" for k in range(self.n)]
        return tuple(_exact_caller(e, qs + ts, w) for e, w in zip(self.exprs, self._sym[2]))

    @cached_property
    def uses_types(self) -> bool:
        """The valuation depends on true types t (sympy is asked only when a formula names some t_k)."""
        return self._mentions_types and any(s.name.startswith("t_") for e in self.exprs for s in e.free_symbols)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def linear(cls, matrix: Any) -> "Valuation":
        """Example 1: v_i = Σ_j α_ij q_j."""
        m = np.asarray(matrix)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise InvalidModel(f"linear externalities need an n×n matrix, got shape {m.shape}",
                               field="valuation.matrix")
        return cls(m.shape[0], "linear", matrix=m)

    @classmethod
    def market_growth(cls, n: int, alpha: float) -> "Valuation":
        """Sec. 6.2: v_i = (Σ_j q_j)^α · q_i."""
        return cls(n, "market-growth", alpha=float(alpha))

    @classmethod
    def from_formulas(cls, n: int, texts: Sequence[str], constants: Mapping[str, float] | None = None,
                      *, field: str = "valuation.formula") -> "Valuation":
        """Per-agent formulas in ``q_1..q_n, q_i, t_1..t_n, t_i`` (``_i`` = the agent's own)."""
        qs, ts = [f"q_{k + 1}" for k in range(n)], [f"t_{k + 1}" for k in range(n)]
        fields = [field if len(set(texts)) == 1 else f"{field}[{k}]" for k in range(n)]
        fl = tuple(compile_numpy(text, qs + ts, field=fields[k], constants=constants,
                                 aliases={"q_i": qs[k], "t_i": ts[k]}) for k, text in enumerate(texts))

        def symbolic() -> tuple[tuple[Any, ...], tuple[tuple[Any, Any], ...], tuple[str, ...]]:
            import sympy as sp

            exprs = []
            for k, text in enumerate(texts):
                e = parse_formula(text, qs + ts + ["q_i", "t_i"], field=fields[k], constants=constants)
                exprs.append(e.subs({sp.Symbol("q_i", real=True): sp.Symbol(qs[k], real=True),
                                     sp.Symbol("t_i", real=True): sp.Symbol(ts[k], real=True)}))
            return tuple(exprs), (), tuple(f"{field} (agent {k + 1})" for k in range(n))

        return cls(n, "formula", _float=fl, _symbolic=symbolic,
                   _mentions_types=any(nm.startswith("t_") for f in fl for nm in f.names))

    @classmethod
    def quasi_monotone(cls, n: int, F: Sequence[str], theta: Sequence[str],
                       constants: Mapping[str, float] | None = None) -> "Valuation":
        """Def. 8: v_i = F_i(q_i) + θ_i(q_−i); θ_i may not depend on q_i.

        ``F`` uses ``q_i``; ``theta`` uses ``q_1..q_n`` and ``q_others`` (= Σ_{j≠i} q_j).
        """
        qs = [f"q_{k + 1}" for k in range(n)]

        def symbolic() -> tuple[tuple[Any, ...], tuple[tuple[Any, Any], ...], tuple[str, ...]]:
            import sympy as sp

            exprs, parts = [], []
            for k in range(n):
                own = sp.Symbol(qs[k], real=True)
                f = parse_formula(F[k], ["q_i", qs[k]], field="valuation.F", constants=constants)
                f = f.subs(sp.Symbol("q_i", real=True), own)
                th = parse_formula(theta[k], qs + ["q_others"], field="valuation.theta", constants=constants)
                th = th.subs(sp.Symbol("q_others", real=True),
                             sum(sp.Symbol(q, real=True) for j, q in enumerate(qs) if j != k))
                if own in th.free_symbols:
                    raise InvalidModel(f"θ_{k + 1} must not depend on the agent's own quality {qs[k]} (Def. 8)",
                                       field="valuation.theta")
                parts.append((f, th))
                exprs.append(f + th)
            return tuple(exprs), tuple(parts), tuple(f"valuation (agent {k + 1})" for k in range(n))

        fl = []
        for k in range(n):
            f = compile_numpy(F[k], [qs[k]], field="valuation.F", constants=constants, aliases={"q_i": qs[k]})
            th = compile_numpy(theta[k], qs + ["q_others"], field="valuation.theta", constants=constants)
            fl.append(_quasi_caller(f, th, k, n))
        v = cls(n, "quasi-monotone", _float=tuple(fl), _symbolic=symbolic)
        if any(qs[k] in fl[k].theta.names for k in range(n)):  # named: let sympy decide whether it matters
            v.exprs  # noqa: B018  (raises InvalidModel when θ_k really depends on q_k)
        return v

    # ----------------------------------------------------------------- evaluation
    def values(self, q: np.ndarray, t: np.ndarray) -> np.ndarray:
        """v_i(q; t) for every agent i, shape ``q.shape`` (float64, or Fraction objects when exact)."""
        q = np.asarray(q)
        exact = q.dtype == object
        if self.family == "linear":
            m = self.matrix
            if exact:
                mm = np.array([[as_fraction(x) for x in row] for row in m], dtype=object)
                return (q[..., None, :] * mm).sum(axis=-1)
            return q @ np.asarray(m, dtype=float).T
        if self.family == "market-growth":
            a = self.alpha
            s = q.sum(axis=-1, keepdims=True)
            if exact:
                fa = as_fraction(a)
                if fa.denominator != 1:
                    raise Unsupported(f"exact evaluation of (Σq)^α with α = {a} is irrational; "
                                      "run in float64 (--float)", field="exact")
                if abs(fa.numerator) > EXACT_EXPONENT_LIMIT:  # (p/q)^α has ~α·log2(q) bits: unbounded work
                    raise Unsupported(f"exact evaluation of (Σq)^α with α = {a} would hold numbers of about "
                                      f"{abs(fa.numerator)} times the bits of Σq; exact mode allows "
                                      f"|α| ≤ {EXACT_EXPONENT_LIMIT}; run in float64", field="valuation.alpha")
                return np.vectorize(lambda si, qi: Fraction(0) if si == 0 else si ** int(fa) * qi,
                                    otypes=[object])(s, q)
            with np.errstate(all="ignore"):
                out = np.where(s > 0, np.power(np.where(s > 0, s, 1.0), a) * q, 0.0)
            return _finite(out, "valuation.alpha", f"(Σq)^α·q_i with α = {a:g}")
        t = np.broadcast_to(np.asarray(t), q.shape)
        cols_q = [q[..., k] for k in range(self.n)]
        cols_t = [t[..., k] for k in range(self.n)]
        fns = self._exact if exact else self._float
        out = np.empty(q.shape, dtype=object if exact else float)
        for k in range(self.n):
            with np.errstate(all="ignore"):
                out[..., k] = fns[k](*cols_q, *cols_t)
        return out if exact else _finite(out, "valuation", f"the {self.family} valuation")

    def column_values(self, qs: Sequence[np.ndarray], t: np.ndarray) -> list[np.ndarray]:
        """[v_k(q; t) for every agent k] from the quality columns ``qs`` (formula families): the floats
        of :meth:`values` without stacking q."""
        exact = qs[0].dtype == object
        t = np.asarray(t)
        cols_t = [np.broadcast_to(t[..., k], qs[0].shape) for k in range(self.n)]
        fns = self._exact if exact else self._float
        out = []
        for k in range(self.n):
            with np.errstate(all="ignore"):
                r = fns[k](*qs, *cols_t)
            r = np.broadcast_to(np.asarray(r, dtype=object if exact else float), qs[0].shape)
            out.append(r if exact else _finite(r, "valuation", f"the {self.family} valuation"))
        return out

    def value_of(self, i: int, q: np.ndarray, t: np.ndarray) -> np.ndarray:
        """v_i(q; t) of agent i only, shape ``q.shape[:-1]``: equal to ``values(q, t)[..., i]`` bit for bit
        (formula families evaluate only agent i's formula; the others take the column)."""
        q = np.asarray(q)
        if self.family not in ("formula", "quasi-monotone"):
            return self.values(q, t)[..., i]
        exact = q.dtype == object
        t = np.broadcast_to(np.asarray(t), q.shape)
        with np.errstate(all="ignore"):
            r = (self._exact if exact else self._float)[i](*[q[..., k] for k in range(self.n)],
                                                          *[t[..., k] for k in range(self.n)])
        out = np.empty(q.shape[:-1], dtype=object if exact else float)
        out[...] = r
        return out if exact else _finite(out, "valuation", f"the {self.family} valuation")

    # ----------------------------------------------------------------- structure
    def quasi_monotone_reason(self, sample_q: np.ndarray | None = None) -> str | None:
        """``None`` when v is quasi-monotone (Def. 8), else why not (or why it is unknown)."""
        import sympy as sp

        if self.family == "linear":
            d = np.diag(np.asarray(self.matrix, dtype=float))
            bad = np.nonzero(d < 0)[0]
            return None if not len(bad) else (f"F_{bad[0] + 1}(q) = α_{bad[0] + 1}{bad[0] + 1}·q with "
                                               f"α_ii = {d[bad[0]]} < 0 is not monotone increasing")
        if self.family == "market-growth":
            if self.alpha == 0:
                return None
            return (f"(Σ_j q_j)^α·q_i with α = {self.alpha} is not of the form F_i(q_i) + θ_i(q_−i)")
        if self.uses_types:
            return "the valuation depends on true types t, not only on qualities q"
        qs = [sp.Symbol(f"q_{k + 1}", real=True) for k in range(self.n)]
        for k, e in enumerate(self.exprs):
            for j in range(self.n):
                if j != k and sp.simplify(sp.diff(e, qs[k], qs[j])) != 0:
                    return (f"v_{k + 1} couples q_{k + 1} and q_{j + 1} (∂²v/∂q_{k + 1}∂q_{j + 1} ≠ 0), "
                            "so it is not F(q_i) + θ(q_−i)")
        if sample_q is not None:
            for k, e in enumerate(self.exprs):
                g = compile_formula(sp.diff(e, qs[k]), [s.name for s in qs])
                with np.errstate(all="ignore"):
                    vals = np.broadcast_to(np.asarray(g(*[sample_q[:, j] for j in range(self.n)]), dtype=float),
                                           sample_q.shape[:1])
                if np.any(vals < 0):
                    w = int(np.argmin(vals))
                    return (f"F_{k + 1} is decreasing at q = {sample_q[w].tolist()} "
                            f"(∂v_{k + 1}/∂q_{k + 1} = {vals[w]:.6g})")
        return None

    def noncompetitive_reason(self, sample_q: np.ndarray | None = None) -> str | None:
        """``None`` when ∂v_i/∂q_j ≥ 0 for all i, j (Def. 10), else a witness."""
        import sympy as sp

        if self.family == "linear":
            m = np.asarray(self.matrix, dtype=float)
            if (m >= 0).all():
                return None
            i, j = np.argwhere(m < 0)[0]
            return f"α_{i + 1}{j + 1} = {m[i, j]} < 0: agent {j + 1}'s quality hurts agent {i + 1}"
        if self.family == "market-growth":
            return None if self.alpha >= 0 else (f"α = {self.alpha} < 0: ∂v_i/∂q_j = α(Σq)^(α−1)q_i < 0 "
                                                  "(a competitive market)")
        if self.uses_types:
            return "the valuation depends on true types; Def. 10 is about qualities only"
        if sample_q is None:
            return "no sample qualities to test ∂v_i/∂q_j ≥ 0 on"
        qs = [sp.Symbol(f"q_{k + 1}", real=True) for k in range(self.n)]
        for k, e in enumerate(self.exprs):
            for j in range(self.n):
                g = compile_formula(sp.diff(e, qs[j]), [s.name for s in qs])
                with np.errstate(all="ignore"):
                    vals = np.broadcast_to(np.asarray(g(*[sample_q[:, c] for c in range(self.n)]), dtype=float),
                                           sample_q.shape[:1])
                if np.any(vals < 0):
                    w = int(np.argmin(vals))
                    return (f"∂v_{k + 1}/∂q_{j + 1} = {vals[w]:.6g} < 0 at q = {sample_q[w].tolist()}")
        return None


def build_valuation(model: Any) -> Valuation:
    """The valuation a :class:`~mechsolve.model.mechanism.MechanismDesign` declares."""
    v, n, consts = model.valuation, model.n, dict(model.parameters)
    if v.family == "linear":
        if v.matrix is not None:
            return Valuation.linear(np.array(v.matrix, dtype=float))
        r = v.random or {}
        rng = np.random.default_rng(r.get("seed", 0))
        m = rng.uniform(float(r.get("low", -1.0)), float(r.get("high", 1.0)), size=(n, n))
        return Valuation.linear(m)
    if v.family == "market-growth":
        return Valuation.market_growth(n, v.alpha if v.alpha is not None else consts["alpha"])

    def per_agent(x: Any) -> list[str]:
        return list(x) if isinstance(x, list) else [x] * n

    if v.family == "quasi-monotone":
        return Valuation.quasi_monotone(n, per_agent(v.F), per_agent(v.theta), consts)
    return Valuation.from_formulas(n, per_agent(v.formula), consts)
