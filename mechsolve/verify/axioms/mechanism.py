"""Mechanism axioms of Chen et al. (2020): IC, IR, efficiency, weak budget balance, and the
paper's theorems as checks.

Each axiom yields *blocks* of inequalities (vectorised arrays of expected vs got plus a
witness decoder); :func:`evaluate_mechanism` reduces them with numpy to a
:class:`~mechsolve.verify.check.Verdict`, and the registered :class:`~mechsolve.verify.axioms.base.Axiom`
objects yield the same inequalities one :class:`~mechsolve.verify.axioms.base.Residual` at a time
(for :func:`mechsolve.verify.check.evaluate`). A violation names the agent, the true type profile,
the misreport and both utilities.

* ``mechanism-ic`` (Def. 3): u_i(t_i; t) ≥ u_i(t'_i; t) for every allowed misreport t'_i
  (downward under Assumption 2), others truthful;
* ``mechanism-ir`` (Def. 4): u_i(t_i; t) ≥ u_i(∅; t) = v_i(x(∅, t_−i), t);
* ``mechanism-efficiency`` (Def. 5): the allocation's welfare is the maximum over the
  declared allocation space at every profile;
* ``weak-budget-balance`` (Def. 6): Σ_i p_i(t) ≥ 0;
* ``desirable-mechanism-exists`` (Def. 7, Theorem 5): Σ_i p_i^max(t) ≥ 0;
* ``chen-theorem-1``: quasi-monotone ⇒ MEP is IC and equals the maximal IC + IR payment;
* ``chen-corollary-1``: linear, all α_ji ≥ 0, efficient ⇒ MEP is IC, IR, WBB, efficient;
* ``chen-theorem-4``: non-competitive ⇒ best model to all, no payments, is desirable.

Theorem checks answer ``not-applicable`` (with the failed premise) when premises fail.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> from mechsolve.mechanism.instance import build_instance
>>> from mechsolve.mechanism.max_payment import max_payments
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.9}})
>>> inst = build_instance(m)
>>> ctx = MechanismContext(inst, max_payments(inst), "max-payment")
>>> [evaluate_mechanism(n, ctx).status for n in ("mechanism-ic", "mechanism-ir", "weak-budget-balance")]
['holds', 'holds', 'violated']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .base import Axiom, Residual

Witness = Callable[[tuple[int, ...]], dict[str, Any]]


@dataclass(frozen=True)
class Block:
    """Inequalities ``got relation expected`` over an array; ``witness(idx)`` names one."""

    expected: np.ndarray
    got: np.ndarray
    relation: str
    witness: Witness

    def margins(self) -> np.ndarray:
        d = self.got - self.expected
        if self.relation == "=":
            return abs(d)
        if self.relation == ">=":
            return np.maximum(-d, 0 * d) if d.dtype != object else np.vectorize(lambda x: max(-x, 0 * x),
                                                                                otypes=[object])(d)
        return np.maximum(d, 0 * d) if d.dtype != object else np.vectorize(lambda x: max(x, 0 * x),
                                                                           otypes=[object])(d)


@dataclass(frozen=True, eq=False)
class MechanismContext:
    """What a mechanism axiom looks at: the instance, the payment table, tolerance."""

    instance: Any  # mechsolve.mechanism.instance.MechanismInstance
    payments: np.ndarray
    payment_rule: str = "max-payment"
    tolerance: float = 1e-9
    seed: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def exact(self) -> bool:
        return bool(self.instance.exact)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


# --------------------------------------------------------------------------- blocks

def _names(inst: Any) -> tuple[str, ...]:
    return inst.grids.names


def _profile(inst: Any, idx: tuple[int, ...]) -> dict[str, Any]:
    return inst.grids.profile(idx)


def ic_blocks(inst: Any, payments: np.ndarray, *, label: str = "") -> Iterator[Block]:
    """Def. 3: for agent i, true type index k and others r, every allowed report k' ≠ k."""
    for i in range(inst.n):
        m = inst.shape[i]
        P = np.moveaxis(payments[i], i, 0)
        V = np.moveaxis(inst.V[i], i, 0)
        for k in range(m):
            reps = [kp for kp in inst.reports(k, m) if kp != k]
            if not reps:
                continue
            vm = inst.misreport_values(i, k, None if inst.misreports != "downward" else k + 1)[reps]
            u_true = np.asarray(V[k] - P[k], dtype=V.dtype)  # a bare Fraction with one exact agent
            u_mis = vm - P[reps]

            def wit(idx: tuple[int, ...], i: int = i, k: int = k, reps: list[int] = reps) -> dict[str, Any]:
                row, rest = idx[0], idx[1:]
                full = rest[:i] + (k,) + rest[i:]
                out = {"agent": _names(inst)[i], "true profile": _profile(inst, full),
                       "misreport": _as_py(inst.grids.grids[i][reps[row]])}
                return {**({"mechanism": label} if label else {}), **out}

            yield Block(np.broadcast_to(u_true[None], u_mis.shape), u_mis, "<=", wit)


def ir_blocks(inst: Any, payments: np.ndarray, *, label: str = "") -> Iterator[Block]:
    """Def. 4: truthful utility ≥ utility of non-participation."""
    for i in range(inst.n):
        u = inst.V[i] - payments[i]

        def wit(idx: tuple[int, ...], i: int = i) -> dict[str, Any]:
            return {**({"mechanism": label} if label else {}), "agent": _names(inst)[i],
                    "true profile": _profile(inst, idx), "misreport": "∅ (not participating)"}

        yield Block(inst.Vout[i], u, ">=", wit)


def wbb_blocks(inst: Any, payments: np.ndarray, *, label: str = "") -> Iterator[Block]:
    """Def. 6: revenue Σ_i p_i(t) ≥ 0 at every profile."""
    rev = payments.sum(axis=0)
    zero = np.zeros(rev.shape, dtype=rev.dtype) if rev.dtype != object else rev * 0

    def wit(idx: tuple[int, ...]) -> dict[str, Any]:
        return {**({"mechanism": label} if label else {}), "profile": _profile(inst, idx),
                "payments": {a: _as_py(payments[(j,) + tuple(idx)]) for j, a in enumerate(_names(inst))}}

    yield Block(zero, rev, ">=", wit)


def efficiency_blocks(inst: Any, *, label: str = "") -> Iterator[Block]:
    """Def. 5: welfare of x(t) ≥ the best welfare in the declared allocation space."""
    t = inst.profiles
    part = np.ones(t.shape, dtype=bool)
    rule = inst.allocation
    got = rule.welfare(inst.X, t, part)
    _, best = dataclasses.replace(rule, rule="efficient").search(t, part)

    def wit(idx: tuple[int, ...]) -> dict[str, Any]:
        return {**({"mechanism": label} if label else {}), "profile": _profile(inst, idx),
                "allocation": [_as_py(x) for x in inst.X[tuple(idx)]]}

    yield Block(best, got, ">=", wit)


def equal_blocks(inst: Any, a: np.ndarray, b: np.ndarray, what: str) -> Iterator[Block]:
    """a == b elementwise over (n, *shape)."""
    for i in range(inst.n):
        def wit(idx: tuple[int, ...], i: int = i) -> dict[str, Any]:
            return {"agent": _names(inst)[i], "profile": _profile(inst, idx), "quantity": what}

        yield Block(a[i], b[i], "=", wit)


def _as_py(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


# --------------------------------------------------------------------------- the axioms

@dataclass(frozen=True)
class MechanismAxiom:
    """A mechanism axiom: blocks of inequalities plus an optional premise."""

    name: str
    statement: str
    source: str
    blocks: Callable[[MechanismContext], Iterable[Block]]
    precondition: Callable[[MechanismContext], str | None] = lambda ctx: None
    premise_note: Callable[[MechanismContext], str | None] = lambda ctx: None


def _max_payments(ctx: MechanismContext) -> np.ndarray:
    from ...mechanism.max_payment import max_payments

    return ctx.cached("max", lambda: max_payments(ctx.instance))


def _sample_q(inst: Any) -> np.ndarray:
    q = inst.q.reshape(-1, inst.n)
    return q.astype(float) if q.dtype == object else q


def _quasi_monotone(ctx: MechanismContext) -> str | None:
    r = ctx.instance.valuation.quasi_monotone_reason(_sample_q(ctx.instance))
    return None if r is None else f"premise fails: valuations are not quasi-monotone (Def. 8): {r}"


def _theorem1_blocks(ctx: MechanismContext) -> Iterator[Block]:
    from ...mechanism.mep import mep

    inst = ctx.instance
    p = mep(inst)
    yield from ic_blocks(inst, p, label="MEP")
    yield from equal_blocks(inst, _max_payments(ctx), p, "maximal IC+IR payment (Algorithm 1) vs MEP")


def _corollary1_pre(ctx: MechanismContext) -> str | None:
    inst = ctx.instance
    v = inst.valuation
    if v.family != "linear":
        return f"premise fails: needs linear externalities (Example 1), valuation family is {v.family!r}"
    m = np.asarray(v.matrix, dtype=float)
    if (m < 0).any():
        i, j = np.argwhere(m < 0)[0]
        return f"premise fails: α_{i + 1}{j + 1} = {m[i, j]} < 0 (needs all α_ji ≥ 0)"
    if inst.allocation.rule != "efficient":
        return f"premise fails: allocation {inst.allocation.rule!r} is not the efficient one"
    return None


def _corollary1_blocks(ctx: MechanismContext) -> Iterator[Block]:
    from ...mechanism.mep import mep

    inst = ctx.instance
    p = mep(inst)
    yield from ic_blocks(inst, p, label="MEP")
    yield from ir_blocks(inst, p, label="MEP")
    yield from wbb_blocks(inst, p, label="MEP")
    yield from efficiency_blocks(inst, label="MEP")


def _theorem4_pre(ctx: MechanismContext) -> str | None:
    r = ctx.instance.valuation.noncompetitive_reason(_sample_q(ctx.instance))
    return None if r is None else f"premise fails: the market is competitive (Def. 10): {r}"


def _theorem4_blocks(ctx: MechanismContext) -> Iterator[Block]:
    inst = ctx.instance
    alloc = dataclasses.replace(inst.allocation, rule="best-to-all")
    sub = dataclasses.replace(inst, allocation=alloc, _cache={})
    zero = sub.V * 0
    label = "best model to all, no payments"
    yield from ic_blocks(sub, zero, label=label)
    yield from ir_blocks(sub, zero, label=label)
    yield from wbb_blocks(sub, zero, label=label)
    yield from efficiency_blocks(sub, label=label)


def _efficient_note(ctx: MechanismContext) -> str | None:
    if ctx.instance.allocation.rule != "efficient":
        return f"the allocation rule is {ctx.instance.allocation.rule!r}, not the efficient one"
    return None


MECHANISM_AXIOMS: tuple[MechanismAxiom, ...] = (
    MechanismAxiom("mechanism-ic", "truthful reporting is a best response: u_i(t_i) ≥ u_i(t'_i) for every "
                   "allowed misreport t'_i (t'_i ≤ t_i), others truthful",
                   "Chen et al. 2020, Def. 3 (Assumption 2)",
                   lambda ctx: ic_blocks(ctx.instance, ctx.payments)),
    MechanismAxiom("mechanism-ir", "participating truthfully is at least as good as not participating: "
                   "u_i(t_i, t_−i) ≥ v_i(x(∅, t_−i), t)", "Chen et al. 2020, Def. 4",
                   lambda ctx: ir_blocks(ctx.instance, ctx.payments)),
    MechanismAxiom("mechanism-efficiency", "the allocation maximises the participants' welfare over the "
                   "declared allocation space at every profile", "Chen et al. 2020, Def. 5",
                   lambda ctx: efficiency_blocks(ctx.instance), premise_note=_efficient_note),
    MechanismAxiom("weak-budget-balance", "the mechanism never loses money: Σ_i p_i(t) ≥ 0 at every profile",
                   "Chen et al. 2020, Def. 6", lambda ctx: wbb_blocks(ctx.instance, ctx.payments)),
    MechanismAxiom("desirable-mechanism-exists", "the maximal IC+IR payments of Algorithm 1 satisfy "
                   "Σ_i p_i^max(t) ≥ 0 at every profile, i.e. an IC, IR, efficient, weakly budget-balanced "
                   "mechanism exists", "Chen et al. 2020, Def. 7, Theorem 5, App. A.1",
                   lambda ctx: wbb_blocks(ctx.instance, _max_payments(ctx), label="Algorithm 1 p^max"),
                   premise_note=_efficient_note),
    MechanismAxiom("chen-theorem-1", "under quasi-monotone valuations MEP is IC and is the maximal IC+IR "
                   "payment (checked: IC of MEP, and Algorithm 1's p^max = MEP at every profile)",
                   "Chen et al. 2020, Theorem 1", _theorem1_blocks, precondition=_quasi_monotone),
    MechanismAxiom("chen-corollary-1", "with linear externalities, all α_ji ≥ 0 and the efficient allocation, "
                   "MEP is IC, IR, weakly budget balanced and efficient", "Chen et al. 2020, Corollary 1",
                   _corollary1_blocks, precondition=_corollary1_pre),
    MechanismAxiom("chen-theorem-4", "in a non-competitive market, the best model to every agent with no "
                   "payments is IC, IR, efficient and weakly budget balanced", "Chen et al. 2020, Theorem 4",
                   _theorem4_blocks, precondition=_theorem4_pre),
)

#: Short names accepted in model files.
ALIASES = {"ic": "mechanism-ic", "ir": "mechanism-ir", "efficiency": "mechanism-efficiency",
           "wbb": "weak-budget-balance", "desirable": "desirable-mechanism-exists",
           "theorem-1": "chen-theorem-1", "corollary-1": "chen-corollary-1", "theorem-4": "chen-theorem-4"}
#: The paper's four properties (Def. 7): the default checks of a mechanism-design model.
DEFAULT_CHECKS = ("mechanism-ic", "mechanism-ir", "mechanism-efficiency", "weak-budget-balance")

BY_NAME: dict[str, MechanismAxiom] = {a.name: a for a in MECHANISM_AXIOMS}


def get_mechanism_axiom(name: str) -> MechanismAxiom:
    """A mechanism axiom by name or alias (one readable error otherwise)."""
    from ...errors import InvalidModel

    key = ALIASES.get(name, name)
    if key not in BY_NAME:
        raise InvalidModel(f"unknown mechanism axiom {name!r}; valid: {', '.join(BY_NAME)} "
                           f"(aliases: {', '.join(ALIASES)})", field="check")
    return BY_NAME[key]


def evaluate_mechanism(axiom: str | MechanismAxiom, ctx: MechanismContext) -> Any:
    """Vectorised verdict of one mechanism axiom (a :class:`mechsolve.verify.check.Verdict`)."""
    from ..verdict import HOLDS, NOT_APPLICABLE, VIOLATED, Verdict

    ax = get_mechanism_axiom(axiom) if isinstance(axiom, str) else axiom
    tol = 0.0 if ctx.exact else ctx.tolerance
    reason = ax.precondition(ctx)
    if reason:
        return Verdict(ax.name, NOT_APPLICABLE, ax.statement, ax.source, tol, reason=reason)
    count, worst, worst_blk, worst_idx = 0, None, None, None
    for blk in ax.blocks(ctx):
        mg = blk.margins()
        if mg.size == 0:
            continue
        count += mg.size
        flat = mg.reshape(-1)
        j = int(np.argmax(flat.astype(float))) if flat.dtype == object else int(np.argmax(flat))
        if flat.dtype == object:  # exact: the float argmax may tie; confirm with exact comparisons
            j = max(range(flat.size), key=lambda q: flat[q])
        if worst is None or flat[j] > worst:
            worst, worst_blk, worst_idx = flat[j], blk, np.unravel_index(j, mg.shape)
    if count == 0:
        return Verdict(ax.name, NOT_APPLICABLE, ax.statement, ax.source, tol,
                       reason="nothing to test on this instance")
    if worst <= tol:
        return Verdict(ax.name, HOLDS, ax.statement, ax.source, tol, count, _as_py(worst))
    assert worst_blk is not None and worst_idx is not None
    idx = tuple(int(x) for x in worst_idx)
    e = worst_blk.expected[idx]
    g = worst_blk.got[idx]
    cex = {"witness": worst_blk.witness(idx), "relation": worst_blk.relation, "expected": _as_py(e),
           "got": _as_py(g), "margin": _as_py(worst)}
    return Verdict(ax.name, VIOLATED, ax.statement, ax.source, tol, count, _as_py(worst),
                   counterexample=cex, note=ax.premise_note(ctx))


def run_mechanism_checks(ctx: MechanismContext, names: Iterable[str]) -> Any:
    """A :class:`mechsolve.verify.check.CheckReport` of the named mechanism axioms."""
    from ..verdict import CheckReport

    verdicts = tuple(evaluate_mechanism(n, ctx) for n in names)
    return CheckReport(verdicts, 0.0 if ctx.exact else ctx.tolerance, ctx.exact)


# --------------------------------------------------------------------------- registry adapters

def _registry_axiom(ax: MechanismAxiom) -> Axiom:
    """The same axiom as a generic :class:`Axiom` yielding one :class:`Residual` per inequality."""

    def pre(ctx: Any) -> str | None:
        if not isinstance(ctx, MechanismContext):
            return "applies to mechanism-design models (kind: mechanism-design), not to cooperative games"
        return ax.precondition(ctx)

    def residuals(ctx: Any) -> Iterator[Residual]:
        for blk in ax.blocks(ctx):
            exp = np.broadcast_to(blk.expected, blk.got.shape)
            for idx in np.ndindex(blk.got.shape):
                yield Residual(blk.witness(idx), _as_py(exp[idx]), _as_py(blk.got[idx]), blk.relation)

    return Axiom(ax.name, ax.statement, ax.source, ("mechanism",), residuals, pre,
                 lambda ctx: ax.premise_note(ctx) if isinstance(ctx, MechanismContext) else None)


#: Registered in :data:`mechsolve.verify.axioms.AXIOMS`.
AXIOMS: tuple[Axiom, ...] = tuple(_registry_axiom(a) for a in MECHANISM_AXIOMS)
