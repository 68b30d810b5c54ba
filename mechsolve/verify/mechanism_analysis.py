"""The main job on a ``mechanism-design`` model: build, pay, check (Chen et al. 2020).

:func:`analyse_mechanism` is registered in :data:`mechsolve.kinds.KINDS`; it
returns a :class:`MechanismAnalysis` with ``status`` and ``to_dict()``
like the market handler.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.6}})
>>> a = analyse_mechanism(m)
>>> str(a.status), a.desirable.exists
('solved', True)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import decide
from ..errors import Infeasible, InvalidModel, Unsupported
from ..result import Status, exact_value, numbers
from ..mechanism.desirability import Desirability, revenue_check
from ..mechanism.instance import MAX_WORK, MechanismInstance, build_instance
from ..mechanism.max_payment import RoundingCycle, max_payments
from ..mechanism.mep import mep

#: Profiles listed in text reports (JSON lists up to MAX_JSON_ROWS).
MAX_TEXT_ROWS = 40
MAX_JSON_ROWS = 20_000
#: Largest Σ (profiles × reports) a float run rebuilds in rational arithmetic to settle a borderline
#: decision (an allocation tie, a cycle of weight ~0): ~0.3 ms per evaluation, so ≲ 15 s.
MAX_DECIDE_WORK = 50_000


def payments_for(inst: MechanismInstance, rule: str) -> np.ndarray:
    """The payment table of a rule: ``max-payment`` (Algorithm 1), ``mep`` (Def. 9) or ``zero``."""
    if rule == "max-payment":
        return max_payments(inst)
    if rule == "mep":
        return mep(inst)
    if rule == "zero":
        return inst.V * 0
    raise InvalidModel(f"unknown payment rule {rule!r}; valid: max-payment, mep, zero", field="payment")


@dataclass(frozen=True, eq=False)
class MechanismAnalysis:
    """Everything computed for a mechanism-design model."""

    model: Any
    instance: MechanismInstance
    payment_rule: str
    payments: np.ndarray
    desirable: Desirability | None
    checks: Any
    properties: dict[str, str | None] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    source_path: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        """``violated`` when a checked axiom is violated, else ``solved``."""
        return Status.VIOLATED if self.checks is not None and self.checks.violated else Status.SOLVED

    # ------------------------------------------------------------------ rows
    def rows(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` profiles (C order) as dicts of plain numbers: profile, allocation, quality,
        value, payment, utility, revenue, welfare (the same floats as indexing the arrays, read in bulk)."""
        inst, names = self.instance, self.instance.grids.names
        n, c = inst.n, min(limit, inst.size)
        if c <= 0:
            return []
        idx = np.unravel_index(np.arange(c), inst.shape)
        grids = [inst.grids.grids[j][idx[j]] for j in range(n)]
        prof = [g.tolist() for g in grids]
        cols = lambda a: [a[..., k].reshape(-1)[:c].tolist() for k in range(n)]  # noqa: E731
        X, Q = cols(inst.X), cols(inst.q)
        P = [self.payments[k].reshape(-1)[:c].tolist() for k in range(n)]
        V = [inst.V[k].reshape(-1)[:c].tolist() for k in range(n)]
        out = []
        for r in range(c):
            p = [P[k][r] for k in range(n)]
            v = [V[k][r] for k in range(n)]
            out.append({"profile": {a: prof[k][r] for k, a in enumerate(names)},
                        "allocation": {a: X[k][r] for k, a in enumerate(names)},
                        "quality": {a: Q[k][r] for k, a in enumerate(names)},
                        "value": dict(zip(names, v)), "payment": dict(zip(names, p)),
                        "utility": {a: v[k] - p[k] for k, a in enumerate(names)},
                        "revenue": sum(p[1:], p[0]), "welfare": sum(v[1:], v[0])})
        return out

    def summary(self) -> dict[str, Any]:
        rev = self.payments.sum(axis=0)
        wel = self.instance.V.sum(axis=0)
        fl = (lambda a: a.astype(float)) if self.instance.exact else (lambda a: a)
        return {"profiles": int(rev.size), "min_revenue": float(fl(rev).min()),
                "mean_revenue": float(fl(rev).mean()), "mean_welfare": float(fl(wel).mean()),
                "mean_best_quality": float(fl(self.instance.q).max(axis=-1).mean())}

    def to_dict(self) -> dict[str, Any]:
        from .._version import __version__

        m, inst = self.model, self.instance
        rows = self.rows(MAX_JSON_ROWS)
        out: dict[str, Any] = {
            "mechsolve": __version__, "kind": m.kind,
            "model": m.name or (Path(self.source_path).stem if self.source_path else None),
            "agents": list(inst.grids.names), "exact": inst.exact,
            "types": {a: [float(x) for x in g] for a, g in zip(inst.grids.names, inst.grids.grids)},
            "quality": m.quality, "valuation": inst.valuation.family,
            "allocation": inst.allocation.rule, "payment": self.payment_rule,
            "misreports": inst.misreports, "outside_option": inst.outside_option,
            "scalars": self.summary(),
            "desirable": self.desirable.to_dict() if self.desirable else None,
            "profiles": numbers(rows) if inst.exact else rows,
            "profiles_truncated": inst.size > MAX_JSON_ROWS,
            "timings_s": numbers(self.timings),
            "notes": list(self.notes),
        }
        if inst.exact:
            out["exact_payments"] = [{"profile": {a: exact_value(x) for a, x in r["profile"].items()},
                                      "payment": {a: exact_value(x) for a, x in r["payment"].items()}}
                                     for r in rows]
        if self.properties is not None:
            out["properties"] = self.properties
        if self.checks is not None:
            out["checks"] = self.checks.to_dict()
        return out

def analyse_mechanism(model: Any, *, exact: bool | None = None,
                      tolerance: float | None = None, axioms: Sequence[str] | None = None, check: bool = True,
                      inspect: bool = False, scheme: str | None = None, seed: int = 0,
                      source_path: str | None = None, confirm: bool = True) -> MechanismAnalysis:
    """Build the instance, compute the payments, answer Theorem 5, check the axioms.

    ``scheme`` overrides the payment rule (``max-payment``, ``mep``, ``zero``). A float verdict near its tolerance is
    decided again on the exact instance when the model's numbers are rational (``confirm``).
    """
    from .axioms.base import MechanismContext
    from .axioms.mechanism import DEFAULT_CHECKS
    from .check import run_mechanism_checks
    from ..mechanism.types import build_type_grids

    ts = model.types
    if ts.step is not None and ts.max is not None:  # refuse a huge ε-grid before building it
        m = int(round(ts.max / ts.step)) + (1 if ts.include_zero else 0)
        work = m ** (len(model.agents) + 1)
        if work > MAX_WORK:
            raise Unsupported(f"{m ** len(model.agents)} profiles × {m} reports = {work:,} evaluations is more "
                              f"than {MAX_WORK:,}; use a coarser grid, or `mechsolve boundary` for disparity "
                              "sweeps", field="types")
    grids = build_type_grids(model, exact=model.exact if exact is None else exact)
    m_max = max(grids.shape)
    work = grids.size * m_max
    if work > MAX_WORK:
        raise Unsupported(f"{grids.size} profiles × {m_max} reports = {work:,} evaluations is more than "
                          f"{MAX_WORK:,}; use a coarser grid, or `mechsolve boundary` for disparity sweeps",
                          field="types")
    t0 = time.perf_counter()
    inst = build_instance(model, exact=exact, grids=grids)
    rule = scheme or model.payment
    if rule == "table" and model.payment_table is None:
        raise InvalidModel("payment rule `table` needs the model's `payment_table`", field="payment")
    if rule not in ("max-payment", "mep", "zero", "table"):
        raise InvalidModel(f"unknown payment rule {rule!r}; valid: max-payment, mep, zero, table", field="payment")
    tol = model.tolerance if tolerance is None else tolerance
    with decide.tolerance(tol):
        inst, pay, pmax, notes = _pay_decided(model, inst, rule, confirm)
    t1 = time.perf_counter()
    des = revenue_check(inst, pmax, tol)
    t2 = time.perf_counter()
    report = None
    if check:
        def exact_context() -> MechanismContext:
            ex = build_instance(model, exact=True)   # Unsupported when the numbers are not rational
            xpay = (table_payments(ex, model.payment_table) if rule == "table" else payments_for(ex, rule))
            return MechanismContext(ex, xpay, rule, tol, seed, keep_tolerance=True)

        if rule == "table":
            from ..mechanism.design import table_payments
        ctx = MechanismContext(inst, pay, rule, tol, seed,
                               exact_twin=exact_context if (confirm and not inst.exact) else None)
        ctx._cache["max"] = pmax
        names = list(axioms) if axioms else list(model.check if model.check is not None else DEFAULT_CHECKS)
        with decide.tolerance(tol):
            report = run_mechanism_checks(ctx, names)
    t3 = time.perf_counter()
    props = None
    if inspect:
        sq = inst.q.reshape(-1, inst.n).astype(float)
        props = {"quasi-monotone (Def. 8)": inst.valuation.quasi_monotone_reason(sq),
                 "non-competitive (Def. 10)": inst.valuation.noncompetitive_reason(sq)}
    return MechanismAnalysis(model, inst, rule, pay, des, report, props,
                             {"payments": round(t1 - t0, 6), "theorem_5": round(t2 - t1, 6),
                              "checks": round(t3 - t2, 6)}, source_path, tuple(notes))


def _payments(inst: MechanismInstance, rule: str, model: Any) -> tuple[np.ndarray, np.ndarray]:
    """The rule's payment table and Algorithm 1's (the same array for ``max-payment``)."""
    if rule == "table":
        from ..mechanism.design import table_payments

        pay = table_payments(inst, model.payment_table)
    else:
        pay = payments_for(inst, rule)
    return pay, pay if rule == "max-payment" else max_payments(inst)


def _pay_decided(model: Any, inst: MechanismInstance, rule: str, confirm: bool = True
                 ) -> tuple[MechanismInstance, np.ndarray, np.ndarray, list[str]]:
    """Payments, with every borderline float decision (an allocation tie, a cycle of weight ~0) decided exactly.

    The allocation search and Bellman–Ford decide through :mod:`mechsolve.decide`; when one of their
    decisions was borderline (or a "negative cycle" is only rounding, :class:`RoundingCycle`) and
    the model's numbers are rational, the instance is rebuilt in rational arithmetic: its
    allocations and payments are used (shown in float), and a note says so. Irrational numbers
    (α = −0.7 powers) cannot be decided exactly: the note says the decision was borderline, and a
    rounding cycle is an error that says so (exit 2), never a guess. ``confirm=False``
    (``--no-confirm``) keeps the float decisions and says they were borderline.
    """
    cycle: RoundingCycle | None = None
    with decide.recording() as log:
        try:
            pay, pmax = _payments(inst, rule, model)
        except RoundingCycle as exc:
            cycle, pay, pmax = exc, None, None
    if inst.exact or (not log and cycle is None):
        return inst, pay, pmax, []
    what = "; ".join(dict.fromkeys([b.what for b in log] + ([str(cycle.message)] if cycle else [])))
    if not confirm:
        return _undecided(inst, pay, pmax, cycle, what, "exact confirmation is off (--no-confirm)")
    work = inst.size * max(inst.shape)
    if work > MAX_DECIDE_WORK:
        return _undecided(inst, pay, pmax, cycle, what, f"{work:,} evaluations are more than the {MAX_DECIDE_WORK:,} "
                          "decided exactly in a float run (use --exact, or a coarser grid)")
    try:
        ex = build_instance(model, exact=True)
        xpay, xpmax = _payments(ex, rule, model)
    except Unsupported as why:
        return _undecided(inst, pay, pmax, cycle, what, " ".join(str(why).split()))
    except Infeasible as exc:
        raise Infeasible(f"{exc.message} (decided exactly: float arithmetic could not decide: {what})",
                         field=exc.field) from None
    view = inst.with_decisions_of(ex)
    f = lambda a: np.asarray(a, dtype=object).astype(float)  # noqa: E731
    return view, f(xpay), f(xpmax), [f"decided exactly (rational arithmetic) because float arithmetic could not "
                                     f"decide: {what}"]


def _undecided(inst: MechanismInstance, pay: Any, pmax: Any, cycle: RoundingCycle | None, what: str, reason: str
               ) -> tuple[MechanismInstance, np.ndarray, np.ndarray, list[str]]:
    """The float decisions kept, with a note that they were borderline; a rounding cycle is an error."""
    if cycle is not None:
        raise RoundingCycle(f"{cycle.message}; not decided exactly: {reason}", cycle.weight,
                            field=cycle.field) from None
    return inst, pay, pmax, [f"borderline decision(s) within the band of the tolerance: {what}; "
                             f"not decided exactly: {reason}"]
