"""Proof-or-counterexample encodings of the papers' theorems for small ``n`` (z3, real arithmetic).

A claim is *premises ⇒ conclusion* over real unknowns (the values of a game or
gain table for ``n`` players). We ask z3 for a model of
``premises ∧ ¬conclusion``:

* ``unsat`` → ``proved`` for this ``n`` and these premises (nothing else);
* ``sat``   → ``violated``: the model (exact rationals) is re-checked in exact
  arithmetic with the package's own code and returned as a counterexample;
* ``unknown``/timeout → ``unknown``, said so.

Then each premise is dropped in turn (the others kept) to report which premises
make the difference: a premise whose removal gives ``sat`` is *needed*; one
whose removal stays ``unsat`` is *not needed at this n*.

The expressions are built with sympy (Shapley by the definition, the
replicated market by the papers' replication-invariance construction) and
translated to z3 polynomials; denominators (``v(N)``) are cleared under the
stated positivity premise.

Examples
--------
>>> r = nguyen_replication_once(2)
>>> r.status
'proved'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import InvalidModel
from ...games.game import Game, replicate
from .identities import ohrimenko_v, shapley_formula, symbolic_game
from .result import PROVED, UNKNOWN, VIOLATED, PremiseCheck, ProofResult

#: Default z3 time limit per query, in milliseconds.
DEFAULT_TIMEOUT_MS = 20_000
#: Largest n the encodings accept.
MAX_Z3_N = 5


def _relation(kind: str) -> Callable[[Any, Any], Any]:
    def make(lhs: Any, rhs: Any) -> Any:
        import sympy as sp

        return getattr(sp, kind)(lhs, rhs, evaluate=False)

    make.__name__ = kind
    make.__doc__ = (f"``sympy.{kind}(lhs, rhs)`` left unevaluated: z3 decides it (sympy's own attempt "
                    "to decide an inequality runs its assumption system, milliseconds per relation).")
    return make


Le, Ge, Lt, Gt, Eq = (_relation(k) for k in ("Le", "Ge", "Lt", "Gt", "Eq"))


def to_z3(expr: Any, env: Mapping[str, Any], ctx: Any = None) -> Any:
    """Translate a polynomial sympy expression into z3 real arithmetic (symbols by name from ``env``,
    constants in the z3 context ``ctx``, default z3's main context)."""
    import sympy as sp
    import z3

    if expr.is_Symbol:
        return env[expr.name]
    if expr.is_Integer:
        return z3.RealVal(int(expr), ctx)
    if expr.is_Rational:
        return z3.RealVal(f"{expr.p}/{expr.q}", ctx)
    if expr.is_Add:
        return z3.Sum([to_z3(a, env, ctx) for a in expr.args])
    if expr.is_Mul:
        out = to_z3(expr.args[0], env, ctx)
        for a in expr.args[1:]:
            out = out * to_z3(a, env, ctx)
        return out
    if expr.is_Pow and expr.exp.is_Integer and int(expr.exp) > 0:
        base = to_z3(expr.base, env, ctx)
        out = base
        for _ in range(int(expr.exp) - 1):
            out = out * base
        return out
    raise InvalidModel(f"cannot encode {expr} ({type(expr).__name__}) for z3: not a polynomial", field="claim")


def _frac(val: Any) -> Fraction:
    """Exact value of a z3 numeral (algebraic numbers are approximated to 30 digits, said by the caller)."""
    import z3

    if z3.is_rational_value(val):
        return Fraction(val.numerator_as_long(), val.denominator_as_long())
    txt = val.approx(30).as_decimal(30).rstrip("?")
    return Fraction(txt)


class Encoding:
    """Premises (named, each a list of sympy relations) and a conclusion over sympy symbols.

    Relations may be combined with ``sympy.Or``/``sympy.And`` (e.g. complementary
    slackness ``y = 0 ∨ row tight``, which keeps the encoding of degree 2).

    The translation to z3 terms (and the degree test) runs once per encoding; each
    :meth:`solve` — each premise dropped in turn, then the claim — asserts the cached
    terms into a fresh solver, so every query is decided from scratch.

    The terms live in a z3 context of their own, so what z3 answers (in particular which
    model a ``sat`` query returns) depends on this encoding's queries only, not on what
    other claims ran before in the same process (which worker, which order).
    """

    def __init__(self, symbols: Sequence[Any], premises: Mapping[str, list[Any]], conclusion: Any,
                 always: Sequence[Any] = ()) -> None:
        self.symbols = list(symbols)
        self.premises = dict(premises)
        self.conclusion = conclusion
        self.always = list(always)
        self._terms: tuple[dict[str, Any], list[Any], dict[str, list[Any]], Any] | None = None
        self._ctx: Any = None
        self._degree_above_one: bool | None = None

    def _translated(self) -> tuple[dict[str, Any], list[Any], dict[str, list[Any]], Any]:
        """``(z3 variables, always, premises, ¬conclusion)`` as z3 terms, built on first use."""
        if self._terms is not None:
            return self._terms
        import sympy as sp
        import z3

        ctx = self._ctx = z3.Context()
        env = {s.name: z3.Real(s.name, ctx) for s in self.symbols}
        degree = 0

        def rel(r: Any) -> Any:
            nonlocal degree
            if isinstance(r, sp.Or):
                return z3.Or(*[rel(a) for a in r.args])
            if isinstance(r, sp.And):
                return z3.And(*[rel(a) for a in r.args])
            d = sp.expand(r.lhs - r.rhs)
            degree = max(degree, _degree(d))
            z = to_z3(d, env, ctx) if d != 0 else z3.RealVal(0, ctx)
            op = type(r)
            if op is sp.LessThan:
                return z <= 0
            if op is sp.StrictLessThan:
                return z < 0
            if op is sp.GreaterThan:
                return z >= 0
            if op is sp.StrictGreaterThan:
                return z > 0
            if op is sp.Equality:
                return z == 0
            raise InvalidModel(f"unsupported relation {r}", field="claim")

        self._terms = (env, [rel(r) for r in self.always],
                       {name: [rel(r) for r in rels] for name, rels in self.premises.items()},
                       z3.Not(rel(self.conclusion)))
        self._degree_above_one = degree > 1
        # rel calls itself, so its closure cell holds it: a reference cycle that would keep env (and so
        # this encoding's z3 context, ~17 MB) alive until the garbage collector runs. Freed promptly, a
        # context's memory is reused by the next one (~1 ms to create instead of ~8 ms).
        del rel
        return self._terms

    def solve(self, drop: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
              ) -> tuple[str, dict[str, Fraction] | None, str]:
        import z3

        env, always, premises, negated = self._translated()
        solver = z3.SolverFor("QF_NRA" if self._nonlinear() else "QF_LRA", ctx=self._ctx)
        solver.set("timeout", int(timeout_ms))
        solver.add(*always)
        for name, terms in premises.items():
            if name != drop:
                solver.add(*terms)
        solver.add(negated)
        res = solver.check()
        if res == z3.unsat:
            return PROVED, None, "unsat"
        if res == z3.sat:
            m = solver.model()
            vals = {s.name: _frac(m.eval(env[s.name], model_completion=True)) for s in self.symbols}
            return VIOLATED, vals, "sat"
        return UNKNOWN, None, f"z3 returned unknown ({solver.reason_unknown()})"

    def _nonlinear(self) -> bool:
        """True when some relation has total degree > 1 (read off the expanded polynomials)."""
        if self._degree_above_one is None:
            self._translated()
        return bool(self._degree_above_one)


def _degree(expr: Any) -> int:
    """Total degree of an expanded polynomial (a sum of monomials in symbols)."""
    if expr.is_Add:
        return max((_degree(t) for t in expr.args), default=0)
    if expr.is_Symbol:
        return 1
    if expr.is_Number:
        return 0
    if expr.is_Pow and expr.exp.is_Integer and int(expr.exp) >= 0:
        return _degree(expr.base) * int(expr.exp)
    if expr.is_Mul:
        return sum(_degree(f) for f in expr.args)
    raise InvalidModel(f"cannot encode {expr} ({type(expr).__name__}) for z3: not a polynomial", field="claim")


def _run(claim: str, statement: str, source: str, n: int, enc: Encoding,
         confirm: Callable[[dict[str, Fraction]], tuple[bool, dict[str, Any]]], *,
         timeout_ms: int, analyse_premises: bool | Sequence[str]) -> ProofResult:
    """Solve premises ∧ ¬claim, confirm a model, then drop each premise in ``analyse_premises`` in turn.

    The premise-drop queries run first: when one of them is ``unsat``, the full query (every
    premise, so a superset of its assertions) is ``unsat`` too — adding assertions to an
    unsatisfiable set keeps it unsatisfiable — and is not solved again. Otherwise the full query
    is solved as it stands. The verdicts are the ones the separate queries give; only a full
    query z3 would have timed out on can now read ``proved`` (correctly) instead of ``unknown``.
    """
    t0 = time.perf_counter()
    method = "z3 " + ("nonlinear" if enc._nonlinear() else "linear") + " real arithmetic"
    names = (list(enc.premises) if analyse_premises is True else list(analyse_premises)) if analyse_premises else []
    dropped = [(p, *enc.solve(p, timeout_ms)[:2]) for p in names]
    if any(st == PROVED for _, st, _ in dropped):
        status, model, how = PROVED, None, "unsat"
    else:
        status, model, how = enc.solve(None, timeout_ms)
    detail = ""
    cex = None
    if status == PROVED:
        detail = f"premises ∧ ¬claim is unsat for n={n}"
    elif status == VIOLATED:
        assert model is not None
        ok, cex = confirm(model)
        if ok:
            detail = "z3 model re-checked in exact rational arithmetic: the claim fails"
        else:
            status, detail = UNKNOWN, "z3 gave a model that does not re-check exactly (numerical algebraic values)"
    else:
        detail = how
    checks = []
    for p, st, mdl in dropped:
        pc = None
        if st == VIOLATED and mdl is not None:
            ok, pc = confirm(mdl)
            if not ok:
                st = UNKNOWN
        checks.append(PremiseCheck(p, st, pc))
    return ProofResult(claim, statement, source, n, method, tuple(enc.premises), status, detail, cex,
                       tuple(checks), time.perf_counter() - t0)


def _check_n(n: int, lo: int = 1) -> None:
    if not lo <= n <= MAX_Z3_N:
        raise InvalidModel(f"z3 encodings need {lo} <= n <= {MAX_Z3_N}, got {n}", field="n")


def _monotone(vals: np.ndarray, n: int, players: Sequence[int] | None = None) -> list[Any]:
    import sympy as sp

    out = []
    for m in range(2**n):
        for k in range(n):
            if not m >> k & 1:
                out.append(Le(vals[m], vals[m | 1 << k]))
    return out


def _supermodular(vals: np.ndarray, n: int) -> list[Any]:
    import sympy as sp

    out = []
    for m in range(2**n):
        for i in range(n):
            for j in range(i + 1, n):
                if m >> i & 1 or m >> j & 1:
                    continue
                out.append(Le(vals[m | 1 << i] - vals[m], vals[m | 1 << i | 1 << j] - vals[m | 1 << j]))
    return out


# ----------------------------------------------------------------- Nguyen et al. (2022), App. D
def _nguyen_p(g: Game) -> np.ndarray:
    phi = shapley_formula(g)
    return np.array([g.n * x - g.values[-1] for x in phi], dtype=object)


def _game_from_model(n: int, model: Mapping[str, Fraction], prefix: str = "v") -> Game:
    sym = symbolic_game(n, prefix)
    vals = np.empty(2**n, dtype=object)
    for m in range(2**n):
        x = sym.values[m]
        vals[m] = model.get(getattr(x, "name", ""), Fraction(0)) if getattr(x, "is_Symbol", False) else Fraction(0)
    return Game(tuple(f"p{k + 1}" for k in range(n)), vals)


def _exact_p(g: Game) -> list[Fraction]:
    from ...games.shapley import shapley

    phi = shapley(g)
    return [g.n * x - g.values[-1] for x in phi]


def nguyen_replication_once(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                            analyse_premises: bool | Sequence[str] = True) -> ProofResult:
    """Nguyen et al. (2022) App. D.1: a party with a non-positive payoff cannot gain by replicating once.

    Premises: ``v(∅) = 0``; ``v`` monotone; ``p_i(v) = nφ_i(v) − v(N) ≤ 0``; replication
    invariance (eq. 14, built into ``v⁺``). Conclusion (eq. 15):
    ``p_i(v⁺) + p_{i⁺}(v⁺) ≤ p_i(v)``.
    """
    import sympy as sp

    _check_n(n)
    g = symbolic_game(n)
    plus = replicate(g, 0, 1)
    p = _nguyen_p(g)
    pp = _nguyen_p(plus)
    syms = [x for x in g.values if getattr(x, "is_Symbol", False)]
    enc = Encoding(syms, {"v monotone": _monotone(g.values, n), "p_i(v) ≤ 0": [Le(p[0], 0)]},
                   Le(pp[0] + pp[n], p[0]))

    def confirm(model: dict[str, Fraction]) -> tuple[bool, dict[str, Any]]:
        gm = _game_from_model(n, model)
        gp = replicate(gm, 0, 1)
        p0, pp0 = _exact_p(gm), _exact_p(gp)
        ok = pp0[0] + pp0[n] > p0[0]
        return ok, {"game": _table(gm), "replicated player": gm.names[0], "p_i(v)": p0[0],
                    "p_i(v+) + p_i+(v+)": pp0[0] + pp0[n]}

    return _run("nguyen-replication-once", "p_i(v) ≤ 0 ⇒ p_i(v⁺) + p_{i⁺}(v⁺) ≤ p_i(v) (one replica)",
                "Nguyen et al. (2022) App. D.1, eqs. (14)–(19)", n, enc, confirm, timeout_ms=timeout_ms,
                analyse_premises=analyse_premises)


def nguyen_replication_shrinks_payoff(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                                      analyse_premises: bool | Sequence[str] = True) -> ProofResult:
    """Nguyen et al. (2022) App. D.2, eq. (20): replicating once does not raise a party's own payoff,
    ``p_i(v⁺) ≤ p_i(v)``, for monotone ``v`` (``v(∅) = 0``, replication invariance)."""
    import sympy as sp

    _check_n(n)
    g = symbolic_game(n)
    plus = replicate(g, 0, 1)
    p, pp = _nguyen_p(g), _nguyen_p(plus)
    syms = [x for x in g.values if getattr(x, "is_Symbol", False)]
    enc = Encoding(syms, {"v monotone": _monotone(g.values, n)}, Le(pp[0], p[0]))

    def confirm(model: dict[str, Fraction]) -> tuple[bool, dict[str, Any]]:
        gm = _game_from_model(n, model)
        p0, pp0 = _exact_p(gm), _exact_p(replicate(gm, 0, 1))
        return pp0[0] > p0[0], {"game": _table(gm), "p_i(v)": p0[0], "p_i(v+)": pp0[0]}

    return _run("nguyen-replication-payoff-shrinks", "p_i(v⁺) ≤ p_i(v) for monotone v",
                "Nguyen et al. (2022) App. D.2, eq. (20)", n, enc, confirm, timeout_ms=timeout_ms,
                analyse_premises=analyse_premises)


def nguyen_replication_multiple(n: int, k: int = 2, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                                analyse_premises: bool | Sequence[str] = True) -> ProofResult:
    """Nguyen et al. (2022) App. D.2: "if a party cannot improve its payoff by replicating itself once,
    it cannot improve it regardless of the number of replications".

    Premises: ``v(∅) = 0``, ``v`` monotone, replication invariance, and the party cannot gain
    from one replica in the *original* market: ``2 p_i(v^{+1}) ≤ p_i(v)``. Conclusion:
    ``(k+1) p_i(v^{+k}) ≤ p_i(v)`` for ``k`` replicas.
    """
    import sympy as sp

    _check_n(n)
    g = symbolic_game(n)
    p = _nguyen_p(g)
    one = _nguyen_p(replicate(g, 0, 1))
    many = _nguyen_p(replicate(g, 0, k))
    syms = [x for x in g.values if getattr(x, "is_Symbol", False)]
    enc = Encoding(syms, {"v monotone": _monotone(g.values, n),
                          "no gain from one replica": [Le(2 * one[0], p[0])]},
                   Le((k + 1) * many[0], p[0]))

    def confirm(model: dict[str, Fraction]) -> tuple[bool, dict[str, Any]]:
        gm = _game_from_model(n, model)
        p0 = _exact_p(gm)
        pk = _exact_p(replicate(gm, 0, k))
        return (k + 1) * pk[0] > p0[0], {"game": _table(gm), "replicas": k, "p_i(v)": p0[0],
                                         f"total of i and {k} replicas": (k + 1) * pk[0]}

    return _run(f"nguyen-replication-{k}-replicas",
                f"2·p_i(v⁺¹) ≤ p_i(v) ⇒ {k + 1}·p_i(v⁺{k}) ≤ p_i(v) (monotone v)",
                "Nguyen et al. (2022) App. D.2, eq. (21)", n, enc, confirm, timeout_ms=timeout_ms,
                analyse_premises=analyse_premises)


# ----------------------------------------------------------------- Ohrimenko et al. (2019), Thm 1
def _ohrimenko_parts(gain: Game, k: int = 1) -> tuple[Any, Any, Any, Any, Any, Any]:
    """(φ_i(v), v(N), a, a_i, φ_i(v^R), v^R(N)) for party 0 and ``k`` replicas of its data."""
    n = gain.n
    v = ohrimenko_v(gain)
    gr = replicate(gain, 0, k)           # G^R(S) = G(datasets of S): replication invariance (i)
    vr = ohrimenko_v(gr)
    a_i = [gain.values[-1] - gain.values[1 << j] for j in range(n)]
    return shapley_formula(v)[0], v.values[-1], sum(a_i), a_i[0], shapley_formula(vr)[0], vr.values[-1]


def ohrimenko_theorem1(n: int, *, k: int = 1, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                       analyse_premises: bool | Sequence[str] = True) -> ProofResult:
    """Ohrimenko et al. (2019) Theorem 1: the single-task market (§4.1) is robust to replication.

    Party ``i`` (player 1) adds ``k`` replicas of its data (the paper: ``k = 1``). With
    ``ψ = φ(v)/v(N)``, ``a_i = G(N) − G(i)``, ``a = Σ a_i``, its net gain is ``t = ψ_i a − a_i``
    before and ``t^R = (k+1)(ψ^R_i a^R − a_i)`` after, ``a^R = a + k a_i``. Claim: ``t^R ≤ t``
    (Condition 1 rearranged). Premises (§2): ``G(∅) = 0``, ``0 ≤ G``, (ii) monotone,
    (iii) supermodular, (iv) ``G ≤ 1``; (i) replication invariance is built into ``G^R``;
    ``v(N) > 0`` so that ``ψ`` is defined.
    """
    import sympy as sp

    _check_n(n)
    gain = symbolic_game(n, "G", normalised=False)
    syms = list(gain.values)
    g0 = syms[0]
    phi, vn, a, ai, phir, vrn = _ohrimenko_parts(gain, k)
    ar = a + k * ai
    # t^R ≤ t with ψ = φ/v(N): multiply by v(N)·v^R(N) > 0
    lhs = (k + 1) * (phir * ar * vn - ai * vn * vrn)
    rhs = phi * a * vrn - ai * vn * vrn
    premises = {
        "G(∅) = 0": [Eq(g0, 0)],
        "G ≥ 0": [Ge(x, 0) for x in syms],
        "(ii) G monotone": _monotone(gain.values, n),
        "(iii) G supermodular": _supermodular(gain.values, n),
        "(iv) G ≤ 1": [Le(x, 1) for x in syms],
    }
    enc = Encoding(syms, premises, Le(sp.expand(lhs), sp.expand(rhs)),
                   always=[Gt(vn, 0), Gt(vrn, 0)])

    def confirm(model: dict[str, Fraction]) -> tuple[bool, dict[str, Any]]:
        vals = np.empty(2**n, dtype=object)
        vals[:] = [model.get(x.name, Fraction(0)) for x in syms]
        gm = Game(tuple(f"p{j + 1}" for j in range(n)), vals)
        t, tr = ohrimenko_net_gains(gm, k)
        return tr > t, {"gain table G": _table(gm), "replicated party": "p1", "replicas": k,
                        "t (net gain before)": t, "t^R (net gain of p1 and its replicas)": tr}

    return _run("ohrimenko-theorem-1" + (f"-{k}-replicas" if k != 1 else ""),
                "t^R ≤ t: replicating its data does not raise a party's net gain (Condition 1)",
                "Ohrimenko et al. (2019) §4.1 Theorem 1, App. A", n, enc, confirm, timeout_ms=timeout_ms,
                analyse_premises=analyse_premises)


def ohrimenko_net_gains(gain: Game, k: int = 1) -> tuple[Fraction, Fraction]:
    """Exact ``(t, t^R)`` for party 1 of a numeric gain table and ``k`` replicas (Ohrimenko §4.1)."""
    from ...games.shapley import shapley

    n = gain.n
    ex = gain.to_exact() if not gain.exact else gain
    v = ohrimenko_v(ex)
    vr = ohrimenko_v(replicate(ex, 0, k))
    a_i = [ex.values[-1] - ex.values[1 << j] for j in range(n)]
    a = sum(a_i, Fraction(0))
    t = shapley(v)[0] / v.values[-1] * a - a_i[0]
    tr = (k + 1) * (shapley(vr)[0] / vr.values[-1] * (a + k * a_i[0]) - a_i[0])
    return t, tr


def counterexample_model(cex: Mapping[str, Any], scheme: str, axiom: str, name: str) -> dict[str, Any]:
    """A ``cooperative-market`` model mapping for a z3 counterexample (its game or gain table)."""
    table = cex.get("gain table G") or cex.get("game")
    if table is None:
        raise InvalidModel("this counterexample has no game", field="counterexample")
    players = [p.strip("{}") for p in table if p.count(",") == 0 and p != "{}"]
    values = {(k.strip("{}") or "∅"): (int(x) if x.denominator == 1 else float(x)) for k, x in table.items()}
    exact_ok = all(Fraction(repr(float(x))) == x for x in table.values())
    model: dict[str, Any] = {"kind": "cooperative-market", "name": name,
                             "description": f"z3 counterexample: {', '.join(f'{k} = {v}' for k, v in cex.items() if k not in ('game', 'gain table G'))}",
                             "players": players, "value": {"table": values}}
    if values.get("∅", 0) != 0:
        model["normalised"] = False
    model["scheme"] = {"name": scheme}
    model["check"] = [axiom]
    if not exact_ok:
        model["description"] += " (values rounded to floats)"
    return model


def _table(g: Game) -> dict[str, Fraction]:
    return {("{" + ",".join(g.members(m)) + "}"): g.values[m] for m in range(2**g.n)}


#: Every z3 claim, by name: f(n) -> ProofResult.
CLAIMS: dict[str, Callable[..., ProofResult]] = {
    "ohrimenko-theorem-1": ohrimenko_theorem1,
    "nguyen-replication-once": nguyen_replication_once,
    "nguyen-replication-payoff-shrinks": nguyen_replication_shrinks_payoff,
    "nguyen-replication-multiple": nguyen_replication_multiple,
}
