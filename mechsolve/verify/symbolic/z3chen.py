"""Chen et al. (2020) Corollary 1 on small type grids, proof-or-counterexample with z3.

Corollary 1: *with linear externalities* ``v_i = Σ_j α_ij q_j`` *and all* ``α_ji ≥ 0``, *the
efficient allocation with the maximal exploitation payment (MEP, Def. 9) is IR, IC, weakly
budget balanced and efficient.*

Encoding (two agents, types on the grid ``{1, …, K}·ε``, ε = 1, as the package's
``mechanism-design`` models with ``types: {values: [1..K]}``): the model quality is unknown
at every size it is evaluated at, ``Q(1), …, Q(2K)`` (Assumption 1: ``0 < Q(1) < … < Q(2K) ≤ 1``),
and so is the matrix ``α``. Exactly as :mod:`mechsolve.mechanism` computes it:

* efficient allocation (Sec. 3 closed form): participant ``i`` gets ``best = Q(Σ_{participants} t'_j)``
  iff ``Σ_j α_ji ≥ 0``, else nothing; final qualities ``q_k = max(x_k, Q(t_k))``;
* MEP: ``p_i(t') = v_i(x(t'), t') − v_i(x(∅, t'_−i), t')``;
* IC (Def. 3, downward misreports, Assumption 2), IR (Def. 4, non-participants keep their own
  model), WBB (Def. 6) at every profile of the grid.

z3 looks for ``Q`` and ``α`` satisfying the premises where one of the conclusions fails at
some profile (``ite`` terms and products ``α·Q``: nonlinear real arithmetic), one conclusion
(IC, IR, WBB) per query. ``unsat`` →
``proved`` for this grid; a ``sat`` model is rebuilt as a package model file (``Q`` as the
interpolating polynomial through the grid values, so the package evaluates exactly the same
numbers) and re-checked by :func:`mechsolve.verify.analysis.analyse` in exact arithmetic.

Examples
--------
>>> chen_corollary1(2, analyse_premises=False).status
'proved'
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ...errors import InvalidModel
from ...numtext import exact_text
from .result import PROVED, UNKNOWN, VIOLATED, ProofResult
from .z3claims import DEFAULT_TIMEOUT_MS, _frac, _run

#: Which conclusions of Corollary 1 are asked for.
PARTS = ("ic", "ir", "wbb")
#: Largest grid (types 1..K) encoded.
MAX_K = 4

PREMISES = ("Assumption 1: Q increasing, 0 < Q ≤ 1", "α_ii ≥ 0", "α_ij ≥ 0 (i ≠ j)")


class DirectEncoding:
    """Premises and conclusion built directly as z3 terms (``ite`` allowed); same interface as
    :class:`mechsolve.verify.symbolic.z3claims.Encoding`.

    ``build`` returns the premises and the conclusion, either one term or a list of terms (the
    conclusion is their conjunction). A list is decided part by part: premises ∧ ¬part for each
    part, each in a fresh solver; the conclusion is proved when every part's query is ``unsat``
    (``¬(A ∧ B) = ¬A ∨ ¬B``, so premises ∧ ¬conclusion is unsat exactly when each premises ∧ ¬part
    is), and violated with the model of the first ``sat`` part. Small queries are what z3's
    nonlinear solver is fast on: for Chen's Corollary 1 on types 1..3, the IC, IR and WBB parts
    take ≈ 0.1 s together against 0.2–0.6 s for their conjunction.

    The terms are built once, in a z3 context of their own (so answers do not depend on
    other claims run before in the process); each :meth:`solve` asserts them into fresh solvers.
    """

    def __init__(self, names: Sequence[str], build: Callable[[dict[str, Any]], tuple[dict[str, list[Any]], Any]]
                 ) -> None:
        self.names = list(names)
        import z3

        self._ctx = z3.Context()
        self._env = {s: z3.Real(s, self._ctx) for s in self.names}
        self.premises, conclusion = build(self._env)
        parts = conclusion if isinstance(conclusion, (list, tuple)) else [conclusion]
        self._negated = [z3.Not(c) for c in parts]

    def _nonlinear(self) -> bool:
        return True

    def solve(self, drop: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
              ) -> tuple[str, dict[str, Fraction] | None, str]:
        import z3

        gave_up = ""
        for negated in self._negated:
            solver = z3.Solver(ctx=self._ctx)
            solver.set("timeout", int(timeout_ms))
            for name, rels in self.premises.items():
                if name != drop:
                    solver.add(*rels)
            solver.add(negated)
            res = solver.check()
            if res == z3.sat:
                m = solver.model()
                return VIOLATED, {s: _frac(m.eval(self._env[s], model_completion=True)) for s in self.names}, "sat"
            if res != z3.unsat and not gave_up:
                gave_up = f"z3 returned unknown ({solver.reason_unknown()})"
        if gave_up:
            return UNKNOWN, None, gave_up
        return PROVED, None, "unsat"


def _mechanism(K: int, Q: Callable[[int], Any], alpha: list[list[Any]], mx: Callable[[Any, Any], Any],
               ite: Callable[[Any, Any, Any], Any]) -> dict[str, list[tuple[str, Any, Any]]]:
    """Every IC / IR / WBB inequality of the grid as ``(witness, lhs, rhs)`` meaning ``lhs ≥ rhs``.

    Generic in the number type: z3 terms (``mx``/``ite`` from z3) or Fractions (Python's).
    """
    n = 2
    grid = range(1, K + 1)
    gets = [ite(sum(alpha[j][i] for j in range(n)) >= 0, True, False) for i in range(n)]
    everyone = (True,) * n
    without = [tuple(k != i for k in range(n)) for i in range(n)]

    # Memoised: the same allocation, value and payment recur across profiles and misreports;
    # building each once gives the same terms (z3 shares equal terms anyway) at a third of the cost.
    @functools.cache
    def alloc(rep: tuple[int, ...], part: tuple[bool, ...]) -> tuple[Any, ...]:
        total = sum(r for r, p in zip(rep, part) if p)
        best = Q(total)
        return tuple(ite(gets[k], best, 0) if part[k] else 0 for k in range(n))

    @functools.cache
    def val(i: int, rep: tuple[int, ...], part: tuple[bool, ...], types: tuple[int, ...]) -> Any:
        """v_i at the allocation of reports ``rep`` among ``part``, for true types ``types``."""
        x = alloc(rep, part)
        q = [mx(x[k], Q(types[k])) for k in range(n)]
        return sum(alpha[i][k] * q[k] for k in range(n))

    @functools.cache
    def mep(i: int, rep: tuple[int, ...]) -> Any:
        return val(i, rep, everyone, rep) - val(i, rep, without[i], rep)

    rows: dict[str, list[tuple[str, Any, Any]]] = {"ic": [], "ir": [], "wbb": []}
    for t in itertools.product(grid, repeat=n):
        truth = val_truth = [val(i, t, everyone, t) - mep(i, t) for i in range(n)]
        for i in range(n):
            rows["ir"].append((f"agent {i + 1} at t={t}", truth[i], val(i, t, without[i], t)))
            for r in range(1, t[i]):
                rep = list(t)
                rep[i] = r
                u = val(i, tuple(rep), everyone, t) - mep(i, tuple(rep))
                rows["ic"].append((f"agent {i + 1} at t={t} reporting {r}", val_truth[i], u))
        rows["wbb"].append((f"t={t}", sum(mep(i, t) for i in range(n)), 0))
    return rows


def _interpolating_formula(points: Mapping[int, Fraction]) -> str:
    """A polynomial in ``t`` through ``(s, Q(s))`` (exact rational coefficients, Lagrange form expanded)."""
    import sympy as sp

    t = sp.Symbol("t")
    poly = sp.interpolate([(sp.Integer(s), sp.Rational(q.numerator, q.denominator)) for s, q in points.items()], t)
    return str(sp.expand(poly)).replace("**", "^").replace("^", "**")


def counterexample_mechanism_model(cex: Mapping[str, Any], K: int, name: str) -> dict[str, Any]:
    """A ``mechanism-design`` model reproducing a z3 counterexample (MEP, efficient, types 1..K)."""
    Qv = {int(s): Fraction(q) for s, q in cex["Q"].items()}
    Qv[0] = Fraction(0)
    alpha = [[float(x) if Fraction(repr(float(x))) == x else exact_text(x) for x in row] for row in cex["alpha"]]
    return {"kind": "mechanism-design", "name": name,
            "description": f"z3 counterexample to Chen et al. (2020) Corollary 1 on types 1..{K}: "
                           f"Q = {dict(sorted((k, str(v)) for k, v in Qv.items()))}",
            "agents": 2, "types": {"values": list(range(1, K + 1))}, "quality": _interpolating_formula(Qv),
            "valuation": {"family": "linear", "matrix": alpha}, "allocation": {"rule": "efficient"},
            "payment": "mep", "check": ["mechanism-ic", "mechanism-ir", "weak-budget-balance"], "exact": True}


def chen_corollary1(K: int = 2, parts: Sequence[str] = PARTS, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                    analyse_premises: bool | Sequence[str] = True) -> ProofResult:
    """Chen et al. (2020) Corollary 1 for two agents with types ``1..K``: MEP is IC, IR and WBB.

    ``parts`` selects the conclusions (``ic``, ``ir``, ``wbb``); efficiency holds by
    construction (the efficient allocation is used). Premises: Assumption 1 on ``Q``,
    ``α_ii ≥ 0``, ``α_ij ≥ 0`` for ``i ≠ j`` (the corollary's "all α_ji ≥ 0", split so the
    premise analysis can say which half matters).
    """
    import z3

    if not 1 <= K <= MAX_K:
        raise InvalidModel(f"the Corollary 1 encoding supports types 1..K with 1 <= K <= {MAX_K}, got {K}",
                           field="K")
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        raise InvalidModel(f"parts must be among {', '.join(PARTS)}, got {list(parts)}", field="parts")
    qn = [f"Q_{s}" for s in range(1, 2 * K + 1)]
    an = [f"alpha_{i + 1}{j + 1}" for i in range(2) for j in range(2)]

    def build(env: dict[str, Any]) -> tuple[dict[str, list[Any]], Any]:
        Qs = [env[s] for s in qn]
        alpha = [[env[f"alpha_{i + 1}{j + 1}"] for j in range(2)] for i in range(2)]

        def Q(s: int) -> Any:
            return z3.RealVal(0, Qs[0].ctx) if s == 0 else Qs[s - 1]

        rows = _mechanism(K, Q, alpha, lambda a, b: z3.If(a >= b, a, b), z3.If)
        premises = {
            PREMISES[0]: [Qs[0] > 0, Qs[-1] <= 1] + [Qs[k + 1] > Qs[k] for k in range(len(Qs) - 1)],
            PREMISES[1]: [alpha[i][i] >= 0 for i in range(2)],
            PREMISES[2]: [alpha[i][j] >= 0 for i in range(2) for j in range(2) if i != j],
        }
        # one conjunction per conclusion (IC, IR, WBB), decided one at a time
        return premises, [z3.And(*[lhs >= rhs for _, lhs, rhs in rows[p]]) for p in parts]

    enc = DirectEncoding(qn + an, build)

    def confirm(model: dict[str, Fraction]) -> tuple[bool, dict[str, Any]]:
        Qv = {s: model[f"Q_{s}"] for s in range(1, 2 * K + 1)}
        alpha = [[model[f"alpha_{i + 1}{j + 1}"] for j in range(2)] for i in range(2)]
        rows = _mechanism(K, lambda s: Fraction(0) if s == 0 else Qv[s], alpha, max,
                          lambda c, a, b: a if c else b)
        fails = [(p, w, lhs, rhs) for p in parts for w, lhs, rhs in rows[p] if not lhs >= rhs]
        cex: dict[str, Any] = {"Q": {str(s): q for s, q in Qv.items()}, "alpha": alpha,
                               "types": f"1..{K}"}
        if fails:
            p, w, lhs, rhs = fails[0]
            cex["fails"] = f"{p.upper()} at {w}: {lhs} < {rhs}"
        # the package's own mechanism code must agree (exact arithmetic)
        from ..analysis import analyse
        from ...model.schema import parse_model

        m = counterexample_mechanism_model(cex, K, "z3 counterexample")
        verdicts = {v.axiom: v.status for v in analyse(parse_model(m), exact=True).checks.verdicts}
        want = {"ic": "mechanism-ic", "ir": "mechanism-ir", "wbb": "weak-budget-balance"}
        cex["package verdicts"] = verdicts
        ok = bool(fails) and any(verdicts.get(want[p]) == "violated" for p, *_ in fails)
        return ok, cex

    label = "+".join(p.upper() for p in parts)
    return _run(f"chen-corollary-1-{'-'.join(parts)}-K{K}",
                f"linear externalities, α ≥ 0, efficient allocation ⇒ MEP is {label} (types 1..{K})",
                "Chen et al. (2020) Corollary 1 (Theorem 1, Example 1, Defs. 3, 4, 6, 9)", K, enc, confirm,
                timeout_ms=timeout_ms, analyse_premises=analyse_premises)


__all__ = ["chen_corollary1", "counterexample_mechanism_model", "PARTS", "PREMISES", "DirectEncoding"]
