"""Mechanism axioms of Chen et al. (2020): IC, IR, efficiency, weak budget balance, and the
paper's theorems as checks.

Each axiom is an ordinary :class:`~mechsolve.verify.axioms.base.Axiom` (``needs`` declares the
mechanism kind) whose residuals are vectorised :class:`~mechsolve.verify.axioms.base.Block` s of
inequalities (expected vs got arrays plus a witness decoder); the one evaluator
(:func:`mechsolve.verify.check.evaluate`) reduces them with numpy. A violation names the agent, the
true type profile, the misreport and both utilities.

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
>>> from mechsolve.verify.check import evaluate_mechanism
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.9}})
>>> inst = build_instance(m)
>>> ctx = MechanismContext(inst, max_payments(inst), "max-payment")
>>> [str(evaluate_mechanism(n, ctx).status) for n in ("mechanism-ic", "mechanism-ir", "weak-budget-balance")]
['holds', 'holds', 'violated']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .base import Axiom, Block, MechanismContext


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

def _mech(name: str, statement: str, source: str, blocks: Callable[[MechanismContext], Iterable[Block]], *,
          precondition: Callable[[MechanismContext], str | None] | None = None,
          premise_note: Callable[[MechanismContext], str | None] | None = None) -> Axiom:
    """A mechanism axiom: ``needs`` the mechanism kind; residuals are blocks of inequalities."""
    kw: dict[str, Any] = {}
    if precondition is not None:
        kw["precondition"] = precondition
    if premise_note is not None:
        kw["premise_note"] = premise_note
    return Axiom(name, statement, source, ("mechanism",), blocks, **kw)


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


AXIOMS: tuple[Axiom, ...] = (
    _mech("mechanism-ic", "truthful reporting is a best response: u_i(t_i) ≥ u_i(t'_i) for every "
                   "allowed misreport t'_i (t'_i ≤ t_i), others truthful",
                   "Chen et al. 2020, Def. 3 (Assumption 2)",
                   lambda ctx: ic_blocks(ctx.instance, ctx.payments)),
    _mech("mechanism-ir", "participating truthfully is at least as good as not participating: "
                   "u_i(t_i, t_−i) ≥ v_i(x(∅, t_−i), t)", "Chen et al. 2020, Def. 4",
                   lambda ctx: ir_blocks(ctx.instance, ctx.payments)),
    _mech("mechanism-efficiency", "the allocation maximises the participants' welfare over the "
                   "declared allocation space at every profile", "Chen et al. 2020, Def. 5",
                   lambda ctx: efficiency_blocks(ctx.instance), premise_note=_efficient_note),
    _mech("weak-budget-balance", "the mechanism never loses money: Σ_i p_i(t) ≥ 0 at every profile",
                   "Chen et al. 2020, Def. 6", lambda ctx: wbb_blocks(ctx.instance, ctx.payments)),
    _mech("desirable-mechanism-exists", "the maximal IC+IR payments of Algorithm 1 satisfy "
                   "Σ_i p_i^max(t) ≥ 0 at every profile, i.e. an IC, IR, efficient, weakly budget-balanced "
                   "mechanism exists", "Chen et al. 2020, Def. 7, Theorem 5, App. A.1",
                   lambda ctx: wbb_blocks(ctx.instance, _max_payments(ctx), label="Algorithm 1 p^max"),
                   premise_note=_efficient_note),
    _mech("chen-theorem-1", "under quasi-monotone valuations MEP is IC and is the maximal IC+IR "
                   "payment (checked: IC of MEP, and Algorithm 1's p^max = MEP at every profile)",
                   "Chen et al. 2020, Theorem 1", _theorem1_blocks, precondition=_quasi_monotone),
    _mech("chen-corollary-1", "with linear externalities, all α_ji ≥ 0 and the efficient allocation, "
                   "MEP is IC, IR, weakly budget balanced and efficient", "Chen et al. 2020, Corollary 1",
                   _corollary1_blocks, precondition=_corollary1_pre),
    _mech("chen-theorem-4", "in a non-competitive market, the best model to every agent with no "
                   "payments is IC, IR, efficient and weakly budget balanced", "Chen et al. 2020, Theorem 4",
                   _theorem4_blocks, precondition=_theorem4_pre),
)

#: Short names accepted in model files.
ALIASES = {"ic": "mechanism-ic", "ir": "mechanism-ir", "efficiency": "mechanism-efficiency",
           "wbb": "weak-budget-balance", "desirable": "desirable-mechanism-exists",
           "theorem-1": "chen-theorem-1", "corollary-1": "chen-corollary-1", "theorem-4": "chen-theorem-4"}
#: The paper's four properties (Def. 7): the default checks of a mechanism-design model.
DEFAULT_CHECKS = ("mechanism-ic", "mechanism-ir", "mechanism-efficiency", "weak-budget-balance")

BY_NAME: dict[str, Axiom] = {a.name: a for a in AXIOMS}


def get_mechanism_axiom(name: str) -> Axiom:
    """A mechanism axiom by name or alias (one readable error otherwise)."""
    from ...errors import InvalidModel, did_you_mean, short_repr

    key = ALIASES.get(name, name)
    if key not in BY_NAME:
        hint = did_you_mean(name, [*BY_NAME, *ALIASES])
        raise InvalidModel(f"unknown mechanism axiom {short_repr(name)}" + (hint or f"; valid: {', '.join(BY_NAME)} "
                           f"(aliases: {', '.join(ALIASES)})"), field="check")
    return BY_NAME[key]
