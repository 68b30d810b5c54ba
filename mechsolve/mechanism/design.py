"""Payment rules synthesised from axioms on a finite type space (automated mechanism design).

Chen et al. (2020) fix the efficient allocation and ask whether IC, IR and weakly budget-balanced
payments exist (Theorem 5 answers with Algorithm 1's maximal payments). Here the payments are
the **unknowns** of a linear programme, in the spirit of Conitzer & Sandholm's automated mechanism
design (UAI 2002) over finite type spaces: one variable ``p_i(t)`` per agent and profile, one
named row per axiom instance, with the allocation fixed as the model declares it:

* ``ic`` (Def. 3):  ``p_i(t) − p_i(t'_i, t_−i) ≤ Gap_i(t'_i, t_i, t_−i)`` for every allowed report
  (downward under Assumption 2) — "IC of a: 2 → 1 at (2, 2)";
* ``ir`` (Def. 4):  ``p_i(t) ≤ p̄_i(t) = v_i(x(t), t) − v_i(x(∅, t_−i), t)`` — "IR of b at (0, 2)";
* ``wbb`` (Def. 6): ``−Σ_i p_i(t) ≤ 0`` — "WBB at (0, 2)";
* ``budget-balance``: ``Σ_i p_i(t) = 0`` — "budget balance at (0, 2)".

Objectives: ``revenue`` (max Σ_t Σ_i p_i(t); with IC + IR its optimum is Algorithm 1's p^max —
the maximal solution of the difference constraints — so the totals agree on every instance, a
cross-check the result carries), ``max-min-utility`` (max min_{i,t} of the gain over the outside
option ``p̄_i(t) − p_i(t)``), ``closest-to RULE`` (``max-payment``, ``mep`` or ``zero``, in L1 or L∞),
``budget-balance-gap`` (min Σ_t |Σ_i p_i(t)|, or its max with L∞) and ``none``.

When no payments satisfy the axioms, the answer is a Farkas certificate over the named rows
(an irreducible infeasible subset, verified exactly): beyond Chen et al.'s boundary, a proof that
no desirable mechanism exists at that D/ε.

Examples
--------
>>> from mechsolve.model import parse_model
>>> m = parse_model({"kind": "mechanism-design", "agents": ["a", "b"], "types": {"step": 1, "max": 2},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.9}})
>>> r = design_mechanism(m)
>>> r.solution.status, [c.name for c in r.solution.certificate.constraints]
('infeasible', ['IR of a at (0, 2)', 'IR of b at (0, 1)', 'IC of b: 2 → 1 at (0, 2)', 'WBB at (0, 2)'])
>>> [str(y) for y in r.solution.certificate.multipliers], r.solution.certificate.verified
(['1', '1', '1', '1'], True)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..numtext import exact_text, plain_number
from ..solvers.certificates import Constraint, as_fraction
from ..solvers.design import Block, CSRBlock, DesignProblem, DesignSolution, solve_design
from .instance import MechanismInstance, build_instance
from .max_payment import max_payments
from .mep import mep

#: Axioms a payment table can be designed for, with their accepted spellings.
AXIOM_NAMES = {"ic": "ic", "mechanism-ic": "ic", "ir": "ir", "mechanism-ir": "ir", "wbb": "wbb",
               "weak-budget-balance": "wbb", "budget-balance": "budget-balance", "bb": "budget-balance"}
#: What `check` runs on a designed table, per design axiom.
CHECK_NAMES = {"ic": "mechanism-ic", "ir": "mechanism-ir", "wbb": "weak-budget-balance",
               "budget-balance": "weak-budget-balance"}
DEFAULT_AXIOMS = ("ic", "ir", "wbb")
RULES = ("max-payment", "mep", "zero")
#: Largest number of payment variables designed in one LP.
MAX_VARIABLES = 2_000_000


def _show(x: Any) -> str:
    if isinstance(x, Fraction):
        return exact_text(x)
    f = float(x)
    return str(int(f)) if f == int(f) and abs(f) < 1e15 else f"{f:g}"


class _Layout:
    """Variable ``p_i(t)`` ↔ column ``i·|T| + flat(t)``, and readable names of profiles."""

    def __init__(self, inst: MechanismInstance) -> None:
        self.inst = inst
        self.shape = inst.shape
        self.size = inst.size
        self.n = inst.n
        self.agents = inst.grids.names

    def col(self, i: int, flat: np.ndarray | int) -> np.ndarray | int:
        return i * self.size + flat

    def profile(self, flat: int) -> str:
        idx = np.unravel_index(int(flat), self.shape)
        return "(" + ", ".join(_show(self.inst.grids.grids[j][k]) for j, k in enumerate(idx)) + ")"

    def var_names(self) -> list[str]:
        return [f"p_{a}{self.profile(f)}" for a in self.agents for f in range(self.size)]


def _exact_rhs(arr: np.ndarray) -> np.ndarray | None:
    return arr.reshape(-1) if arr.dtype == object else None


class ICBlock(Block):
    """IC rows ``p_i(k, r) − p_i(k', r) ≤ Gap_i(k', k, r)``, generated lazily from the instance's Gap tables."""

    label = "IC"
    sense = "<="

    def __init__(self, lay: _Layout, lazy: bool) -> None:
        self.lay, self.lazy = lay, lazy
        inst = lay.inst
        self.parts: list[tuple[int, int, list[int], int]] = []   # (agent, k, reports k' ≠ k, offset)
        off = 0
        for i in range(inst.n):
            m = inst.shape[i]
            R = inst.size // m
            for k in range(m):
                reps = [kp for kp in inst.reports(k, m) if kp != k]
                if reps:
                    self.parts.append((i, k, reps, off))
                    off += len(reps) * R
        self.count = off
        self._gap: dict[tuple[int, int], np.ndarray] = {}
        flat = np.arange(inst.size).reshape(inst.shape)
        #: columns of p_i with agent i's own type index first: _flat[i][k, r]
        self._flat = [np.moveaxis(flat, i, 0).reshape(inst.shape[i], -1) + i * inst.size for i in range(inst.n)]

    def _R(self, i: int) -> int:
        return self.lay.size // self.lay.shape[i]

    def gap(self, i: int, k: int) -> np.ndarray:
        """Gap rows of (i, k) as a (reports, R) array, indexed by report k'."""
        key = (i, k)
        if key not in self._gap:
            g = self.lay.inst.gap(i, k)
            self._gap[key] = g.reshape(g.shape[0], -1)
        return self._gap[key]

    def _cols(self, i: int, k: int) -> np.ndarray:
        """Columns of p_i at true index k, shape (R,)."""
        return self._flat[i][k]

    def _decode(self, r: int) -> tuple[int, int, int, int]:
        j = int(np.searchsorted([p[3] for p in self.parts], r, side="right") - 1)
        i, k, reps, off = self.parts[j]
        R = self._R(i)
        q, rr = divmod(r - off, R)
        return i, k, reps[q], rr

    def initial(self) -> np.ndarray:
        if not self.lazy:
            return np.arange(self.count)
        out = []   # adjacent reports first (k' = k − 1): the chains Algorithm 1's shortest paths use most
        for i, k, reps, off in self.parts:
            R = self._R(i)
            q = reps.index(k - 1) if (k - 1) in reps else 0
            out.append(off + q * R + np.arange(R))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        idx = np.asarray(idx, dtype=np.int64)
        offs = np.array([p[3] for p in self.parts])
        part = np.searchsorted(offs, idx, side="right") - 1
        cols = np.empty((len(idx), 2), dtype=np.int64)
        rhs = np.empty(len(idx))
        for j in np.unique(part):
            sel = np.flatnonzero(part == j)
            i, k, reps, off = self.parts[j]
            R = self._R(i)
            q, rr = np.divmod(idx[sel] - off, R)
            kp = np.array(reps)[q]
            g = self.gap(i, k)
            cols[sel, 0] = self._flat[i][k, rr]
            cols[sel, 1] = self._flat[i][kp, rr]
            rhs[sel] = g[kp, rr].astype(np.float64)
        starts = np.arange(0, 2 * len(idx), 2, dtype=np.int64)
        vals = np.tile([1.0, -1.0], len(idx))
        return starts, cols.reshape(-1), vals, rhs

    def residual(self, x: np.ndarray) -> np.ndarray:
        out = np.empty(self.count)
        for i, k, reps, off in self.parts:
            R = self._R(i)
            P = np.moveaxis(x[i * self.lay.size:(i + 1) * self.lay.size].reshape(self.lay.shape), i, 0)
            P = P.reshape(self.lay.shape[i], R)
            g = self.gap(i, k)
            out[off:off + len(reps) * R] = (P[k][None, :] - P[reps] - g[reps].astype(np.float64)).reshape(-1)
        return out

    def exact_row(self, r: int) -> Constraint:
        i, k, kp, rr = self._decode(r)
        ck, ckp = int(self._cols(i, k)[rr]), int(self._cols(i, kp)[rr])
        return Constraint(self.name(r), {ck: Fraction(1), ckp: Fraction(-1)}, "<=",
                          as_fraction(self.gap(i, k)[kp, rr]), self.label)

    def exact_worst(self, x: Sequence[Fraction]) -> tuple[Fraction, int]:
        worst, where = Fraction(0), -1
        xe = np.empty(len(x), dtype=object)
        xe[:] = list(x)
        for i, k, reps, off in self.parts:
            R = self._R(i)
            P = np.moveaxis(xe[i * self.lay.size:(i + 1) * self.lay.size].reshape(self.lay.shape), i, 0)
            P = P.reshape(self.lay.shape[i], R)
            g = self.gap(i, k)
            for q, kp in enumerate(reps):
                gk = g[kp]
                for rr in range(R):
                    d = P[k][rr] - P[kp][rr] - as_fraction(gk[rr])
                    if d > worst:
                        worst, where = d, off + q * R + rr
        return worst, where

    def name(self, r: int) -> str:
        i, k, kp, rr = self._decode(r)
        g = self.lay.inst.grids
        flat = int(self._flat[i][k, rr]) - i * self.lay.size
        return (f"IC of {g.names[i]}: {_show(g.grids[i][k])} → {_show(g.grids[i][kp])} "
                f"at {self.lay.profile(int(flat))}")

    def scale(self) -> float:
        return 1.0


@dataclass(frozen=True)
class MechanismDesignResult:
    """A designed payment table (or the certificate that none exists) on one instance."""

    model: Any
    instance: MechanismInstance
    axioms: tuple[str, ...]
    objective: str
    norm: str
    solution: DesignSolution
    payments: np.ndarray | None = None
    cross_check: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    description: str = ""


def _axioms(names: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for a in names:
        key = AXIOM_NAMES.get(a)
        if key is None:
            raise InvalidModel(f"axiom {a!r} cannot be designed for a mechanism; valid: "
                               f"{', '.join(sorted(set(AXIOM_NAMES)))}", field="design.axioms")
        if key not in out:
            out.append(key)
    return tuple(out)


def parse_objective(objective: str | None, rule: str | None, default: str) -> tuple[str, str | None]:
    """``("closest-to", "mep")`` from ``"closest-to mep"`` or from ``objective`` + ``rule``."""
    text = (objective or default).strip()
    parts = text.split()
    head = parts[0]
    if head == "closest-to":
        r = parts[1] if len(parts) > 1 else rule
        if r is None:
            raise InvalidModel("objective closest-to needs a rule, e.g. `closest-to mep`", field="design.rule")
        return head, r
    return head, None


def build_problem(inst: MechanismInstance, axioms: Sequence[str], objective: str, rule: str | None,
                  norm: str, *, lazy_ic: bool | None = None) -> DesignProblem:
    """The design LP: payment variables, one block per axiom, the objective's variables and rows."""
    lay = _Layout(inst)
    n, size = inst.n, inst.size
    if n * size > MAX_VARIABLES:
        raise Unsupported(f"{n * size:,} payment variables is more than {MAX_VARIABLES:,}; use a coarser grid",
                          field="types")
    nv = n * size
    names = lay.var_names()
    blocks: list[Block] = []
    flat = np.arange(size)
    if "ir" in axioms:
        pb = inst.pbar.reshape(n, -1)
        blocks.append(CSRBlock("IR", np.arange(nv), np.arange(nv), np.ones(nv), pb.astype(np.float64).reshape(-1),
                               "<=", lambda r: f"IR of {lay.agents[r // size]} at {lay.profile(r % size)}",
                               rhs_exact=_exact_rhs(inst.pbar)))
    if "ic" in axioms:
        ic = ICBlock(lay, lazy=True if lazy_ic is None else lazy_ic)
        if ic.count:
            blocks.append(ic)
    sums_index = np.stack([flat + i * size for i in range(n)], axis=1).reshape(-1)
    sums_starts = np.arange(0, n * size, n, dtype=np.int64)
    if "wbb" in axioms:
        blocks.append(CSRBlock("WBB", sums_starts, sums_index, -np.ones(n * size), np.zeros(size), "<=",
                               lambda r: f"WBB at {lay.profile(r)}"))
    if "budget-balance" in axioms:
        blocks.append(CSRBlock("budget balance", sums_starts, sums_index, np.ones(n * size), np.zeros(size), "=",
                               lambda r: f"budget balance at {lay.profile(r)}"))
    cost = np.zeros(nv)
    sense = "min"
    desc = objective
    if objective == "revenue":
        cost, sense = np.ones(nv), "max"
        desc = "maximise the revenue Σ_t Σ_i p_i(t)"
    elif objective == "max-min-utility":
        names = names + ["z (min gain over the outside option)"]
        cost = np.zeros(nv + 1)
        cost[-1] = 1.0
        sense = "max"
        pb = inst.pbar.reshape(-1)
        blocks.append(CSRBlock("objective: z ≤ p̄ − p", np.arange(0, 2 * nv, 2),
                               np.stack([np.arange(nv), np.full(nv, nv)], axis=1).reshape(-1),
                               np.ones(2 * nv), pb.astype(np.float64), "<=",
                               lambda r: f"objective row z ≤ p̄ − p of {lay.agents[r // size]} at "
                                         f"{lay.profile(r % size)}", rhs_exact=_exact_rhs(inst.pbar)))
        desc = "maximise min_{i,t} (p̄_i(t) − p_i(t)), the least gain over the outside option"
    elif objective == "closest-to":
        if rule not in RULES:
            raise InvalidModel(f"closest-to rule {rule!r} is not a payment rule; valid: {', '.join(RULES)}",
                               field="design.rule")
        ref = {"max-payment": lambda: max_payments(inst), "mep": lambda: mep(inst), "zero": lambda: inst.V * 0}[rule]()
        r_flat = ref.reshape(-1)
        nd = nv if norm == "l1" else 1
        names = names + ([f"d{j}" for j in range(nv)] if norm == "l1" else ["d (max distance)"])
        cost = np.zeros(nv + nd)
        cost[nv:] = 1.0
        dcol = nv + (np.arange(nv) if norm == "l1" else np.zeros(nv, dtype=np.int64))
        idx = np.stack([np.arange(nv), dcol], axis=1).reshape(-1)
        rex = _exact_rhs(ref)
        neg = None if rex is None else -rex
        blocks.append(CSRBlock(f"objective: p − d ≤ {rule}", np.arange(0, 2 * nv, 2), idx,
                               np.tile([1.0, -1.0], nv), r_flat.astype(np.float64), "<=",
                               lambda r: f"distance row (+) at {lay.agents[r // size]} {lay.profile(r % size)}",
                               rhs_exact=rex))
        blocks.append(CSRBlock(f"objective: −p − d ≤ −{rule}", np.arange(0, 2 * nv, 2), idx,
                               np.tile([-1.0, -1.0], nv), -r_flat.astype(np.float64), "<=",
                               lambda r: f"distance row (−) at {lay.agents[r // size]} {lay.profile(r % size)}",
                               rhs_exact=neg))
        desc = f"minimise the {'L1' if norm == 'l1' else 'L∞'} distance to {rule}"
    elif objective == "budget-balance-gap":
        ng = size if norm == "l1" else 1
        names = names + ([f"g{j}" for j in range(size)] if norm == "l1" else ["g (max gap)"])
        cost = np.zeros(nv + ng)
        cost[nv:] = 1.0
        gcol = nv + (flat if norm == "l1" else np.zeros(size, dtype=np.int64))
        idx = np.concatenate([sums_index.reshape(size, n), gcol[:, None]], axis=1).reshape(-1)
        st = np.arange(0, (n + 1) * size, n + 1, dtype=np.int64)
        plus = np.concatenate([np.ones((size, n)), -np.ones((size, 1))], axis=1).reshape(-1)
        minus = np.concatenate([-np.ones((size, n)), -np.ones((size, 1))], axis=1).reshape(-1)
        blocks.append(CSRBlock("objective: Σp − g ≤ 0", st, idx, plus, np.zeros(size), "<=",
                               lambda r: f"gap row (+) at {lay.profile(r)}"))
        blocks.append(CSRBlock("objective: −Σp − g ≤ 0", st, idx, minus, np.zeros(size), "<=",
                               lambda r: f"gap row (−) at {lay.profile(r)}"))
        desc = f"minimise the {'total' if norm == 'l1' else 'largest'} budget imbalance |Σ_i p_i(t)|"
    elif objective == "none":
        desc = "any rule satisfying the axioms"
    else:
        raise InvalidModel(f"unknown objective {objective!r}; valid: revenue, max-min-utility, closest-to RULE, "
                           "budget-balance-gap, none", field="design.objective")
    return DesignProblem(names, blocks, cost, sense, objective=desc)


def design_mechanism(model: Any, *, axioms: Sequence[str] | None = None, objective: str | None = None,
                     rule: str | None = None, norm: str | None = None, exact: bool | None = None,
                     lazy_ic: bool | None = None) -> MechanismDesignResult:
    """Design payments for a ``mechanism-design`` model: a table, or a certificate that none exists.

    Arguments override the model's ``design`` block; defaults: axioms ``ic, ir, wbb``, objective
    ``revenue``, L1 norm, exact when the model is.
    """
    spec = getattr(model, "design", None)
    names = list(axioms) if axioms else (list(spec.axioms) if spec and spec.axioms else list(DEFAULT_AXIOMS))
    ax = _axioms(names)
    obj, rl = parse_objective(objective or (spec.objective if spec else None), rule or (spec.rule if spec else None),
                              "revenue")
    nm = norm or (spec.norm if spec else "l1")
    ex = model.exact if exact is None else exact
    inst = build_instance(model, exact=ex)
    prob = build_problem(inst, ax, obj, rl, nm, lazy_ic=lazy_ic)
    paths_apply = {"ir", "ic"} <= set(ax) and bool({"wbb", "budget-balance"} & set(ax)) \
        and inst.misreports == "downward"
    sol = solve_design(prob, exact=ex, certify=not paths_apply)
    notes: list[str] = []
    if not sol.found and sol.certificate is None:
        t0 = time.perf_counter()
        short = path_certificate(inst, prob)
        if short is not None:
            notes.append(f"certificate: Algorithm 1's shortest IC/IR paths at a failing profile (Theorem 5), "
                         f"{len(short.constraints)} rows; irreducible and verified exactly")
            cert = short
        else:
            assert sol.certify is not None
            cert = sol.certify()
            notes.append("certificate: a vertex of the Farkas system of the LP's rows (an irreducible "
                         "infeasible subsystem)")
        sol = dataclasses.replace(sol, certificate=cert,
                                  stats={**sol.stats, "certificate_seconds": round(time.perf_counter() - t0, 4)})
    if not inst.exact:
        notes.append("the instance's data are float64; exact checks use the exact binary values of those floats")
    payments = None
    cross: dict[str, Any] = {}
    if sol.found:
        n, size = inst.n, inst.size
        if sol.exact is not None and sol.exact.feasible:
            arr = np.empty(n * size, dtype=object)
            arr[:] = list(sol.exact.x[:n * size])
            payments = arr.reshape((n,) + inst.shape)
        else:
            payments = np.asarray(sol.x[:n * size], dtype=np.float64).reshape((n,) + inst.shape)
            if sol.exact is not None:
                notes.append(f"the exact vertex was not feasible (worst {float(sol.exact.worst):.3g} at "
                             f"{sol.exact.worst_row}); the float payments are reported")
        if obj == "revenue" and "ic" in ax and "ir" in ax and set(ax) <= {"ic", "ir", "wbb"} \
                and inst.misreports == "downward":
            pmax = max_payments(inst)
            tot_lp = payments.sum()
            tot_a1 = pmax.sum()
            diff = abs(float(tot_lp - tot_a1)) if not inst.exact else abs(tot_lp - tot_a1)
            cross = {"check": "LP revenue = Algorithm 1's total Σ p^max (Theorem 5: p^max is the largest IC+IR "
                              "payment, so it is the revenue-maximal one when WBB holds)",
                     "lp_revenue": tot_lp, "algorithm_1_revenue": tot_a1, "difference": diff,
                     "max_pointwise_difference": float(np.max(np.abs((payments - pmax).astype(np.float64)))),
                     "agrees": bool(diff == 0) if inst.exact else bool(diff <= 1e-7 * max(1.0, abs(float(tot_a1))))}
    return MechanismDesignResult(model, inst, ax, obj if rl is None else f"closest-to {rl}", nm, sol, payments,
                                 cross, tuple(notes), prob.objective)


def _paths(inst: MechanismInstance, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Algorithm 1's DP for agent i with predecessors: (p^max, pred, hops), each (m_i, R).

    ``pred[k, r] = −1`` when the shortest path to k is the IR edge VB → k, else the report k'
    of the last IC edge; ``hops`` counts the rows on the path.
    """
    m = inst.shape[i]
    pb = np.moveaxis(inst.pbar[i], i, 0).reshape(m, -1).astype(np.float64)
    R = pb.shape[1]
    p = np.empty((m, R))
    pred = np.full((m, R), -1, dtype=np.int64)
    hops = np.ones((m, R), dtype=np.int64)
    for k in range(m):
        best = pb[k].copy()
        if k:
            g = inst.gap(i, k).reshape(k + 1, R)[:k].astype(np.float64)
            cand = p[:k] + g
            j = np.argmin(cand, axis=0)
            cv = cand[j, np.arange(R)]
            take = cv < best
            best = np.where(take, cv, best)
            pred[k] = np.where(take, j, -1)
            hops[k] = np.where(take, hops[j, np.arange(R)] + 1, 1)
        p[k] = best
    return p, pred, hops


def path_certificate(inst: MechanismInstance, prob: DesignProblem) -> Any:
    """The infeasibility proof along Algorithm 1's shortest paths at the failing profile with fewest rows.

    At a profile t with Σ_i p_i^max(t) < 0, every IC + IR payment has p_i(t) ≤ p_i^max(t) (the sum of
    the IR and IC rows on agent i's shortest path, Theorem 5), so adding those rows (weight 1) and
    the budget row at t gives 0 ≤ Σ_i p_i^max(t) < 0. Returns None when no such profile exists or
    the certificate does not verify exactly (the generic Farkas certificate is used then).
    """
    from ..solvers.certificates import FarkasCertificate, _exact_farkas

    n, size = inst.n, inst.size
    flat = np.arange(size).reshape(inst.shape)
    paths = [_paths(inst, i) for i in range(n)]
    total = np.zeros(inst.shape)
    rows_needed = np.ones(inst.shape, dtype=np.int64)
    for i, (p, _, hops) in enumerate(paths):
        m = inst.shape[i]
        total += np.moveaxis(p.reshape((m,) + tuple(s for j, s in enumerate(inst.shape) if j != i)), 0, i)
        rows_needed += np.moveaxis(hops.reshape((m,) + tuple(s for j, s in enumerate(inst.shape) if j != i)), 0, i)
    fail = np.argwhere(total < 0)
    if fail.size == 0:
        return None
    order = np.lexsort((-total[tuple(fail.T)], fail.max(axis=1), rows_needed[tuple(fail.T)]))
    blocks = {b.label: b for b in prob.blocks}
    ic = blocks.get("IC")
    ir = blocks["IR"]
    bud = blocks.get("WBB") or blocks.get("budget balance")
    if ic is None or bud is None:
        return None
    for cand in order[:5]:
        t = tuple(int(v) for v in fail[cand])
        rows: list[Constraint] = []
        mult: list[Fraction] = []
        for i, (p, pred, hops) in enumerate(paths):
            r = int(np.moveaxis(flat, i, 0).reshape(inst.shape[i], -1)[t[i]].tolist().index(flat[t]))
            k = t[i]
            chain = []
            while pred[k, r] >= 0:
                kp = int(pred[k, r])
                chain.append(_ic_row(ic, i, k, kp, r))
                k = kp
            chain.append(ir.exact_row(i * size + int(np.moveaxis(flat, i, 0).reshape(inst.shape[i], -1)[k, r])))
            for c in reversed(chain):
                rows.append(c)
                mult.append(Fraction(1))
        brow = bud.exact_row(int(flat[t]))
        rows.append(brow)
        mult.append(Fraction(1) if brow.sense == "<=" else Fraction(-1))
        try:
            cert = _exact_farkas(rows, list(range(len(rows))), prob.nvars, list(prob.names))
        except Exception:  # not exact (a float tie chose another path): try the next profile
            continue
        if isinstance(cert, FarkasCertificate):
            return cert
    return None


def _ic_row(ic: Any, i: int, k: int, kp: int, r: int) -> Constraint:
    for j, (ii, kk, reps, off) in enumerate(ic.parts):
        if ii == i and kk == k:
            R = ic._R(i)
            return ic.exact_row(off + reps.index(kp) * R + r)
    raise KeyError((i, k, kp))


def table_rows(inst: MechanismInstance, payments: np.ndarray, *, plain: bool = True) -> list[dict[str, Any]]:
    """The rows of a ``payment_table``: ``{profile: {agent: type}, payment: {agent: p}}`` per profile.

    ``plain`` writes them as a model file holds them (:func:`~mechsolve.numtext.plain_number`:
    exact values as ``"p/q"`` strings, integers bare); otherwise they keep their values
    (Fractions on an exact instance, Python floats on a float one).
    """
    conv = plain_number if plain else (lambda x: x if isinstance(x, Fraction) else float(x))  # noqa: E731
    out = []
    names = inst.grids.names
    for idx in np.ndindex(inst.shape):
        prof = inst.grids.profile(idx)
        out.append({"profile": {a: conv(v) for a, v in prof.items()},
                    "payment": {a: conv(payments[(i,) + idx]) for i, a in enumerate(names)}})
    return out




def table_payments(inst: MechanismInstance, table: Any) -> np.ndarray:
    """The payment array of a declared ``payment_table`` on the instance's grid (every profile once).

    Raises
    ------
    InvalidModel
        A profile off the grid, listed twice, or missing.
    """
    from ..model.mechanism import _exact_number

    names = inst.grids.names
    lookup = [{as_fraction(v) if inst.exact else Fraction(repr(float(v))): k for k, v in enumerate(g)}
              for g in inst.grids.grids]
    out = np.empty((inst.n,) + inst.shape, dtype=object if inst.exact else np.float64)
    seen = np.zeros(inst.shape, dtype=bool)
    for r, row in enumerate(table.rows):
        idx = []
        for j, a in enumerate(names):
            t = _exact_number(row.profile[a], f"payment_table.rows[{r}].profile[{a!r}]")
            k = lookup[j].get(t)
            if k is None:
                raise InvalidModel(f"type {row.profile[a]!r} of {a!r} is not on the type grid",
                                   field=f"payment_table.rows[{r}].profile.{a}")
            idx.append(k)
        key = tuple(idx)
        if seen[key]:
            raise InvalidModel(f"profile {row.profile} is listed twice", field=f"payment_table.rows[{r}]")
        seen[key] = True
        for i, a in enumerate(names):
            p = _exact_number(row.payment[a], f"payment_table.rows[{r}].payment[{a!r}]")
            out[(i,) + key] = p if inst.exact else float(p)
    if not seen.all():
        miss = tuple(int(v) for v in np.argwhere(~seen)[0])
        raise InvalidModel(f"the table has no row for profile {inst.grids.profile(miss)} "
                           f"({int((~seen).sum())} of {seen.size} missing)", field="payment_table.rows")
    return out
