"""Counterexample search over mechanism-design instances (Chen et al. 2020).

:func:`search_mechanism` looks for a small mechanism-design instance on which a
payment rule (``mep``, Def. 9; ``max-payment``, Algorithm 1; ``zero``) violates a
mechanism axiom of :mod:`mechsolve.verify.axioms.mechanism` (IC Def. 3, IR Def. 4,
efficiency Def. 5, weak budget balance Def. 6, Theorem 5's desirability, and the
paper's Theorem 1, Corollary 1 and Theorem 4). The family's parameters are part of
the search space and of the counterexample: the number of agents, the disparity
``D/ε`` of the type grid ``{0?, 1, …, D}``, whether type 0 participates, the quality
``Q(t)`` and the valuation —

* ``linear`` (Example 1): ``v_i = Σ_j α_ij q_j`` with ``α_ij ~ U[lo, hi]`` (Sec. 6.1
  uses ``U[−1, 1]``) under a *premise variant*: ``any``, ``diag-nonneg``
  (``α_ii ≥ 0``: linear valuations are then quasi-monotone, Theorem 1's premise),
  ``nonneg`` (all ``α_ij ≥ 0``: Corollary 1's premise) or ``offdiag-nonneg``
  (Corollary 1 without ``α_ii ≥ 0``);
* ``market-growth`` (Sec. 6.2): ``v_i = (Σ_j q_j)^α q_i`` with ``α ~ U[lo, hi]``.

Every instance is a ``kind: mechanism-design`` model mapping, evaluated in float64
(the signed worst residual steers a hill-climb on α). A float violation is

1. **confirmed** through exactly the path ``mechsolve check`` takes on the model
   (:func:`mechsolve.verify.mechanism_analysis.analyse_mechanism`): in exact rational
   arithmetic (zero tolerance) when the data are rational — linear α, a rational
   ``Q`` such as ``t/(1+t)``, integer market-growth α — else in float64 with the
   stated tolerance, and said so; a violation that does not confirm is discarded;
2. **shrunk** towards fewer agents, smaller grids and simpler α (integers, halves,
   tenths), each step re-confirmed and kept inside the searched family;
3. written as a model file that ``mechsolve check`` reproduces with exit 1.

Theorem checks whose premises fail on an instance count as *not applicable*
(with the reason). With ``without_premise=True`` a theorem's premise is dropped
and its conclusion is searched (Corollary 1: MEP is IC, IR, WBB and efficient;
Theorem 1: MEP is IC; Theorem 4: the best model to all with no payments is IC,
IR, WBB and efficient); the counterexample then names the premise that fails on
it — e.g. ``α_11 < 0`` for Corollary 1, which the z3 proof
(``proofs/chen_corollary1.py``) also found to be needed.

The verdict is ``violated`` (exit 1) or ``no-counterexample-found`` with what
was searched — never "proved".

Examples
--------
>>> r = search_mechanism("max-payment", "weak-budget-balance", valuations=("market-growth",),
...                      alpha_range=(-0.9, -0.9), agents=(2,), grid=(1, 2, 3), budget=10)
>>> r.status, r.counterexample.instance.top
('violated', 2)
>>> search_mechanism("mep", "mechanism-ic", agents=(2,), grid=(1, 2), alpha_premises=("diag-nonneg",),
...                  budget=10).status
'no-counterexample-found'
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .check import NO_COUNTEREXAMPLE, VIOLATED
from ..errors import InvalidModel, MechsolveError, Unsupported

#: Payment rules a search can verify.
MECHANISMS = ("mep", "max-payment", "zero")
#: Valuation families drawn by the search.
VALUATIONS = ("linear", "market-growth")
#: Premise variants of the linear α matrix.
ALPHA_PREMISES = ("any", "diag-nonneg", "nonneg", "offdiag-nonneg")
#: Quality functions drawn by default: rational for rational types (exact confirmation), increasing.
QUALITIES = ("t/(1+t)", "t")
#: Largest number of agents / largest disparity D/ε a search draws (exact confirmation cost).
MAX_AGENTS = 4
MAX_TOP = 12
#: Confirmations the shrinker may spend.
SHRINK_BUDGET = 200
#: A theorem's conclusion as plain axioms: (payment rule, allocation override, axioms).
CONCLUSIONS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "chen-theorem-1": ("mep", None, ("mechanism-ic",)),
    "chen-corollary-1": ("mep", None, ("mechanism-ic", "mechanism-ir", "weak-budget-balance",
                                       "mechanism-efficiency")),
    "chen-theorem-4": ("zero", "best-to-all", ("mechanism-ic", "mechanism-ir", "weak-budget-balance",
                                               "mechanism-efficiency")),
}
_AGENT_NAMES = "abcdefgh"


# --------------------------------------------------------------------------- instances
@dataclass(frozen=True)
class MechanismInstanceSpec:
    """One searched instance: agents, type grid, quality and valuation (all written to the model file)."""

    n: int
    top: int
    include_zero: bool
    quality: str
    valuation: str
    matrix: tuple[tuple[float, ...], ...] | None = None
    alpha: float | None = None

    def model(self, rule: str, checks: Sequence[str], *, allocation: str | None = None,
              name: str | None = None, description: str | None = None, exact: bool = False,
              tolerance: float = 1e-9) -> dict[str, Any]:
        """The ``kind: mechanism-design`` model mapping of this instance."""
        val: dict[str, Any] = {"family": self.valuation}
        if self.valuation == "linear":
            assert self.matrix is not None
            val["matrix"] = [[_num(x) for x in row] for row in self.matrix]
        else:
            assert self.alpha is not None
            val["alpha"] = _num(self.alpha)
        out: dict[str, Any] = {"kind": "mechanism-design"}
        if name:
            out["name"] = name
        if description:
            out["description"] = description
        out.update({"agents": list(_AGENT_NAMES[:self.n]),
                    "types": {"step": 1, "max": self.top, "include_zero": self.include_zero},
                    "quality": self.quality, "valuation": val,
                    "allocation": {"rule": allocation or "efficient"}, "payment": rule,
                    "check": list(checks), "tolerance": tolerance, "exact": exact})
        return out

    def describe(self) -> str:
        types = f"types {'0' if self.include_zero else '1'}..{self.top}"
        if self.valuation == "linear":
            assert self.matrix is not None
            v = "linear α = " + "; ".join(" ".join(_fmt(x) for x in row) for row in self.matrix)
        else:
            v = f"market growth α = {_fmt(self.alpha)}"
        return f"{self.n} agents, {types}, Q(t) = {self.quality}, {v}"

    def complexity(self) -> float:
        nums = [x for row in self.matrix or () for x in row] + ([self.alpha] if self.alpha is not None else [])
        return (100 * self.n + 20 * (self.top + self.include_zero) + 3 * len(self.quality)
                + sum(10 * len(_fmt(x)) for x in nums))

    def to_dict(self) -> dict[str, Any]:
        return {"agents": self.n, "max_type": self.top, "include_zero": self.include_zero,
                "quality": self.quality, "valuation": self.valuation,
                "matrix": [list(r) for r in self.matrix] if self.matrix is not None else None,
                "alpha": self.alpha}


def _num(x: Any) -> Any:
    f = float(x)
    return int(f) if f.is_integer() else f


def _fmt(x: Any) -> str:
    return str(_num(x))


def _premise_holds(m: np.ndarray, premise: str) -> bool:
    diag = np.diag(m)
    off = m[~np.eye(len(m), dtype=bool)]
    if premise == "diag-nonneg":
        return bool((diag >= 0).all())
    if premise == "nonneg":
        return bool((m >= 0).all())
    if premise == "offdiag-nonneg":
        return bool((off >= 0).all())
    return True


def _apply_premise(m: np.ndarray, premise: str) -> np.ndarray:
    m = m.copy()
    n = len(m)
    mask = {"any": np.zeros((n, n), bool), "diag-nonneg": np.eye(n, dtype=bool),
            "nonneg": np.ones((n, n), bool), "offdiag-nonneg": ~np.eye(n, dtype=bool)}[premise]
    m[mask] = np.abs(m[mask])
    return m


# --------------------------------------------------------------------------- the search space
@dataclass(frozen=True)
class MechanismSpace:
    """What a search draws from; ``member`` keeps shrunk instances inside it."""

    agents: tuple[int, ...] = (2, 3)
    grid: tuple[int, ...] = (1, 2, 3)
    valuations: tuple[str, ...] = ("linear",)
    alpha_range: tuple[float, float] = (-1.0, 1.0)
    alpha_premises: tuple[str, ...] = ("any",)
    qualities: tuple[str, ...] = QUALITIES
    include_zero: tuple[bool, ...] = (True, False)

    def validate(self) -> None:
        if not self.agents or min(self.agents) < 2 or max(self.agents) > MAX_AGENTS:
            raise InvalidModel(f"agents must lie in 2..{MAX_AGENTS}, got {list(self.agents)}", field="agents")
        if not self.grid or min(self.grid) < 1 or max(self.grid) > MAX_TOP:
            raise InvalidModel(f"grid (largest type D/ε) must lie in 1..{MAX_TOP}, got {list(self.grid)}",
                               field="grid")
        bad = [v for v in self.valuations if v not in VALUATIONS] or ([] if self.valuations else ["(none)"])
        if bad:
            raise InvalidModel(f"unknown valuation {bad[0]!r}; valid: {', '.join(VALUATIONS)}", field="valuation")
        bad = [p for p in self.alpha_premises if p not in ALPHA_PREMISES] or \
            ([] if self.alpha_premises else ["(none)"])
        if bad:
            raise InvalidModel(f"unknown α premise {bad[0]!r}; valid: {', '.join(ALPHA_PREMISES)}",
                               field="alpha-premise")
        lo, hi = self.alpha_range
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
            raise InvalidModel(f"alpha range must be finite with LO <= HI, got {lo}:{hi}", field="alpha-range")
        if "linear" in self.valuations and hi < 0 and any(p != "any" for p in self.alpha_premises):
            raise InvalidModel(f"alpha range {lo}:{hi} has no non-negative values for the premise variants "
                               f"{[p for p in self.alpha_premises if p != 'any']}", field="alpha-premise")
        if not self.qualities:
            raise InvalidModel("give at least one quality Q(t)", field="quality")

    def draw(self, rng: np.random.Generator, i: int) -> tuple[MechanismInstanceSpec, str]:
        n = self.agents[i % len(self.agents)]
        val = self.valuations[(i // len(self.agents)) % len(self.valuations)]
        top = int(rng.choice(self.grid))
        z = bool(rng.choice(self.include_zero))
        qual = str(rng.choice(list(self.qualities)))
        lo, hi = self.alpha_range
        if val == "linear":
            premise = self.alpha_premises[int(rng.integers(len(self.alpha_premises)))]
            m = self._fit(np.round(rng.uniform(lo, hi, (n, n)), 2), premise)
            return MechanismInstanceSpec(n, top, z, qual, val, matrix=_tup(m)), premise
        a = lo if lo == hi else round(float(rng.uniform(lo, hi)), 3)
        return MechanismInstanceSpec(n, top, z, qual, val, alpha=a), "any"

    def _fit(self, m: np.ndarray, premise: str) -> np.ndarray:
        lo, hi = self.alpha_range
        return np.clip(_apply_premise(m, premise), lo, hi)

    def mutate(self, spec: MechanismInstanceSpec, premise: str, rng: np.random.Generator,
               scale: float) -> MechanismInstanceSpec:
        lo, hi = self.alpha_range
        if spec.valuation == "linear":
            assert spec.matrix is not None
            m = np.round(np.asarray(spec.matrix) + rng.normal(0.0, scale, (spec.n, spec.n)), 2)
            return dataclasses.replace(spec, matrix=_tup(np.clip(_apply_premise(np.clip(m, lo, hi), premise),
                                                                 lo, hi)))
        if lo == hi:
            return spec
        return dataclasses.replace(spec, alpha=round(float(np.clip((spec.alpha or 0) + rng.normal(0, scale),
                                                                   lo, hi)), 3))

    def member(self, spec: MechanismInstanceSpec, premise: str) -> bool:
        lo, hi = self.alpha_range
        if spec.valuation == "linear":
            m = np.asarray(spec.matrix, dtype=float)
            return bool(((m >= lo) & (m <= hi)).all()) and _premise_holds(m, premise)
        return spec.alpha is not None and lo <= spec.alpha <= hi

    def to_dict(self) -> dict[str, Any]:
        return {"agents": list(self.agents), "grid": list(self.grid), "valuations": list(self.valuations),
                "alpha_range": list(self.alpha_range), "alpha_premises": list(self.alpha_premises),
                "qualities": list(self.qualities), "include_zero": list(self.include_zero)}


def _tup(m: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(x) for x in row) for row in m)


# --------------------------------------------------------------------------- target and evaluation
@dataclass(frozen=True)
class Target:
    """What is checked: the payment rule, an allocation override and the axioms (all must hold)."""

    axiom: str
    rule: str
    allocation: str | None
    axioms: tuple[str, ...]
    without_premise: bool = False


def make_target(mechanism: str, axiom: str, without_premise: bool = False) -> Target:
    """The target of ``verify --mechanism M --axiom A [--without-premise]``."""
    from .axioms.mechanism import get_mechanism_axiom

    if mechanism not in MECHANISMS:
        raise InvalidModel(f"unknown mechanism {mechanism!r}; valid: {', '.join(MECHANISMS)}", field="mechanism")
    name = get_mechanism_axiom(axiom).name
    if without_premise:
        if name not in CONCLUSIONS:
            raise InvalidModel(f"--without-premise applies to the theorem checks {', '.join(CONCLUSIONS)}, "
                               f"not {name!r}", field="without-premise")
        rule, alloc, axes = CONCLUSIONS[name]
        return Target(name, rule, alloc, axes, True)
    return Target(name, mechanism, None, (name,))


def _build(spec: MechanismInstanceSpec, target: Target, exact: bool) -> Any:
    from .axioms.mechanism import MechanismContext
    from .mechanism_analysis import payments_for
    from ..mechanism.instance import build_instance
    from ..model.schema import parse_model

    model = parse_model(spec.model(target.rule, target.axioms, allocation=target.allocation))
    inst = build_instance(model, exact=exact)
    return MechanismContext(inst, payments_for(inst, target.rule), target.rule)


@dataclass(frozen=True)
class _Assessment:
    applicable: bool
    violated: bool
    score: float
    reason: str | None = None
    error: str | None = None


def assess(spec: MechanismInstanceSpec, target: Target, tolerance: float) -> _Assessment:
    """Float screening: the signed worst residual (positive = violated by that much) of the target."""
    from .axioms.mechanism import get_mechanism_axiom

    try:
        ctx = _build(spec, target, exact=False)
        worst, count = -math.inf, 0
        for name in target.axioms:
            ax = get_mechanism_axiom(name)
            reason = ax.precondition(ctx)
            if reason:
                return _Assessment(False, False, -math.inf, reason=reason)
            for blk in ax.residuals(ctx):
                if blk.got.size == 0:
                    continue
                d = np.asarray(blk.got, dtype=float) - np.asarray(blk.expected, dtype=float)
                s = np.abs(d) if blk.relation == "=" else (-d if blk.relation == ">=" else d)
                count += s.size
                worst = max(worst, float(s.max()))
        scale = 1.0 + float(np.abs(np.asarray(ctx.instance.V, dtype=float)).max())
    except MechsolveError as exc:
        return _Assessment(False, False, -math.inf, error=f"{type(exc).__name__}: {exc}")
    if count == 0:
        return _Assessment(False, False, -math.inf, reason="nothing to test on this instance")
    return _Assessment(True, worst > tolerance, worst / scale)


def confirm(spec: MechanismInstanceSpec, target: Target, tolerance: float) -> tuple[Any | None, str, bool]:
    """Rerun the target the way ``mechsolve check`` runs the written model.

    Returns ``(violated verdict or None, how it was confirmed, exact)``: exact rational
    arithmetic with zero tolerance when the data are rational, else float64 with
    ``tolerance`` (and why).
    """
    from .mechanism_analysis import analyse_mechanism
    from ..model.schema import parse_model

    model = parse_model(spec.model(target.rule, target.axioms, allocation=target.allocation,
                                   tolerance=tolerance))
    try:
        a = analyse_mechanism(model, exact=True)
        how, exact = "exactly (rational arithmetic, zero tolerance)", True
    except Unsupported as why:
        try:
            a = analyse_mechanism(model, exact=False)
        except MechsolveError:
            return None, "the mechanism raised an error", False
        how, exact = f"in float64 only with tolerance {tolerance:g} (no exact mode: {why})", False
    except MechsolveError:
        return None, "the mechanism raised an error", False
    bad = [v for v in a.checks.verdicts if v.status == VIOLATED]
    return (bad[0] if bad else None), how, exact


# --------------------------------------------------------------------------- shrinking
def _simpler_numbers(x: float, lo: float, hi: float) -> list[float]:
    out = [0.0, 1.0, -1.0, float(round(x)), round(2 * x) / 2, round(10 * x) / 10]
    return [c for c in dict.fromkeys(out) if c != x and lo <= c <= hi]


def reductions(spec: MechanismInstanceSpec, space: MechanismSpace) -> list[MechanismInstanceSpec]:
    """Candidate simplifications, simplest first: fewer agents, smaller grids, simpler α and Q."""
    lo, hi = space.alpha_range
    out: list[MechanismInstanceSpec] = []
    if spec.n > 2:  # two agents at least: one agent has no externalities (and no exact tables, n = 1)
        for k in range(spec.n):
            if spec.valuation == "linear":
                assert spec.matrix is not None
                m = np.delete(np.delete(np.asarray(spec.matrix), k, 0), k, 1)
                out.append(dataclasses.replace(spec, n=spec.n - 1, matrix=_tup(m)))
            else:
                out.append(dataclasses.replace(spec, n=spec.n - 1))
                break
    if spec.top > 1:
        out.append(dataclasses.replace(spec, top=spec.top - 1))
    if spec.include_zero:
        out.append(dataclasses.replace(spec, include_zero=False))
    if spec.valuation == "linear":
        assert spec.matrix is not None
        m = np.asarray(spec.matrix)
        for f in (np.round, lambda a: np.round(2 * a) / 2, lambda a: np.round(10 * a) / 10):
            r = np.clip(f(m), lo, hi)
            if not np.array_equal(r, m):
                out.append(dataclasses.replace(spec, matrix=_tup(r)))
        for i, j in np.ndindex(m.shape):
            for c in _simpler_numbers(float(m[i, j]), lo, hi):
                r = m.copy()
                r[i, j] = c
                out.append(dataclasses.replace(spec, matrix=_tup(r)))
    elif spec.alpha is not None:
        for c in _simpler_numbers(spec.alpha, lo, hi):
            out.append(dataclasses.replace(spec, alpha=c))
    if spec.quality != "t" and "t" in space.qualities:
        out.append(dataclasses.replace(spec, quality="t"))
    return out


def shrink_instance(spec: MechanismInstanceSpec, bad: Callable[[MechanismInstanceSpec], bool],
                    member: Callable[[MechanismInstanceSpec], bool], space: MechanismSpace, *,
                    budget: int = SHRINK_BUDGET) -> tuple[MechanismInstanceSpec, int]:
    """Greedy: take the first reduction that is simpler, in the family and still violated; repeat."""
    steps, spent = 0, 0
    improved = True
    while improved and spent < budget:
        improved = False
        for cand in reductions(spec, space):
            if cand.complexity() >= spec.complexity() or not member(cand):
                continue
            spent += 1
            if bad(cand):
                spec, steps, improved = cand, steps + 1, True
                break
            if spent >= budget:
                break
    return spec, steps


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class MechanismCounterexample:
    """A confirmed, shrunk violation: the instance, the verdict, how it was confirmed."""

    instance: MechanismInstanceSpec
    verdict: Any
    confirmation: str
    exact: bool
    premise: str
    found_at: int
    original: MechanismInstanceSpec
    shrink_steps: int
    failed_premise: str | None = None

    def witness_line(self) -> str:
        from ..numtext import fmt

        c = self.verdict.counterexample or {}
        return (f"{self.verdict.axiom} at {_readable(c.get('witness'))}: expected {c.get('relation')} "
                f"{fmt(c.get('expected'))}, got {fmt(c.get('got'))} (margin {fmt(c.get('margin'))})")


@dataclass(frozen=True)
class MechanismSearchResult:
    """Outcome of :func:`search_mechanism`."""

    mechanism: str
    target: Target
    status: str
    counterexample: MechanismCounterexample | None
    stats: Mapping[str, Any]
    space: MechanismSpace
    tolerance: float

    @property
    def axiom(self) -> str:
        return self.target.axiom

    @property
    def exit_code(self) -> int:
        return 1 if self.status == VIOLATED else 0

    def searched_line(self) -> str:
        s, sp = self.stats, self.space
        lo, hi = sp.alpha_range
        line = (f"{s['instances']} instances ({', '.join(sp.valuations)}; agents "
                f"{','.join(map(str, sp.agents))}; D/ε {','.join(map(str, sp.grid))}; α in [{lo:g}, {hi:g}]"
                + (f", premise variants {', '.join(sp.alpha_premises)}" if "linear" in sp.valuations else "")
                + f"; Q(t) {', '.join(sp.qualities)}) in {s['seconds']:.2f} s (seed {s['seed']}): "
                  f"{s['applicable']} applicable")
        if s["not_applicable"]:
            line += f", {sum(s['not_applicable'].values())} not applicable"
        if s["errors"]:
            line += f", {sum(s['errors'].values())} where the mechanism raised an error"
        if s["discarded"]:
            line += f", {s['discarded']} float violations discarded (not confirmed)"
        return line

    def summary(self) -> str:
        if self.counterexample is not None:
            cx = self.counterexample
            return (f"{self.axiom}: violated by {self.target.rule} on {cx.instance.describe()}: "
                    f"{cx.witness_line()}; confirmed {cx.confirmation}")
        return (f"{self.axiom}: no-counterexample-found for {self.target.rule} — searched "
                f"{self.searched_line()} (not a proof)")

    def model(self) -> dict[str, Any]:
        """The counterexample as a ``mechanism-design`` model mapping (``mechsolve check`` exits 1)."""
        cx = self.counterexample
        if cx is None:
            raise InvalidModel("no counterexample to write: the search found none", field="write-counterexample")
        what = f"{self.axiom} without its premise" if self.target.without_premise else self.axiom
        desc = (f"Counterexample found by `mechsolve verify --mechanism` (seed {self.stats['seed']}, instance "
                f"{cx.found_at}, shrunk in {cx.shrink_steps} steps from {cx.original.describe()}). "
                f"{what}: {cx.witness_line()}; confirmed {cx.confirmation}.")
        if cx.failed_premise:
            desc += f" The theorem's premise fails here: {cx.failed_premise}."
        return cx.instance.model(self.target.rule, self.target.axioms, allocation=self.target.allocation,
                                 name=f"{self.target.rule} violates {what}", description=desc,
                                 exact=cx.exact, tolerance=self.tolerance)

    def to_dict(self) -> dict[str, Any]:

        out: dict[str, Any] = {"mechanism": self.mechanism, "axiom": self.axiom, "status": self.status,
                               "payment": self.target.rule, "checks": list(self.target.axioms),
                               "without_premise": self.target.without_premise, "tolerance": self.tolerance,
                               "space": self.space.to_dict(), "searched": dict(self.stats)}
        cx = self.counterexample
        if cx is not None:
            out["counterexample"] = {"instance": cx.instance.to_dict(), "description": cx.instance.describe(),
                                     "premise_variant": cx.premise, "confirmation": cx.confirmation,
                                     "exact": cx.exact, "verdict": cx.verdict.to_dict(),
                                     "found_at_instance": cx.found_at, "original": cx.original.to_dict(),
                                     "shrink_steps": cx.shrink_steps, "failed_premise": cx.failed_premise}
        return out


def _readable(x: Any) -> Any:
    """Witnesses without ``Fraction(…)`` noise: exact numbers as ``p/q`` (integers bare)."""
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else Rational(x)
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, dict):
        return {k: _readable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_readable(v) for v in x]
    return x


class Rational(Fraction):
    """A Fraction that prints as ``p/q`` inside containers."""

    def __repr__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


def _reason_kind(reason: str) -> str:
    """A not-applicable reason without the instance's numbers (so the counts group)."""
    head = ":".join(reason.split(":")[:2])
    return re.sub(r"α_\d\d = -?[0-9.e-]+", "α_ij", head)


def _new_stats(seed: int) -> dict[str, Any]:
    return {"seed": seed, "instances": 0, "applicable": 0, "discarded": 0, "mutations": 0,
            "not_applicable": Counter(), "errors": Counter(), "first_error": None,
            "by_valuation": Counter(), "by_agents": Counter()}


def _failed_premise(spec: MechanismInstanceSpec, target: Target) -> str | None:
    """For a theorem searched without its premise: which premise fails on the counterexample."""
    from .axioms.mechanism import get_mechanism_axiom

    if not target.without_premise:
        return None
    pre = get_mechanism_axiom(target.axiom).precondition
    try:
        base = Target(target.axiom, target.rule, None, (target.axiom,))
        reason = pre(_build(spec, base, exact=False))
    except MechsolveError as exc:
        return f"could not evaluate the premise ({exc})"
    return reason or "none: every premise holds, so the theorem itself is refuted"


def search_mechanism(mechanism: str, axiom: str, *, agents: Sequence[int] = (2, 3),
                     grid: Sequence[int] = (1, 2, 3), valuations: Sequence[str] = ("linear",),
                     alpha_range: tuple[float, float] = (-1.0, 1.0),
                     alpha_premises: Sequence[str] = ("any",), qualities: Sequence[str] = QUALITIES,
                     without_premise: bool = False, budget: int | None = 200, time_limit: float | None = None,
                     seed: int = 0, tolerance: float = 1e-9, do_shrink: bool = True,
                     progress: Callable[[int], None] | None = None) -> MechanismSearchResult:
    """Search small mechanism-design instances for a violation of ``axiom`` by ``mechanism``.

    Parameters
    ----------
    mechanism : str
        Payment rule: ``mep`` (Def. 9), ``max-payment`` (Algorithm 1) or ``zero``.
    axiom : str
        A mechanism axiom or alias (``mechanism-ic``, ``weak-budget-balance``, ``chen-corollary-1``, ...).
    agents, grid : sequence of int
        Numbers of agents, and largest types D (grid ``{0?, 1, …, D}``, disparity D/ε).
    valuations, alpha_range, alpha_premises, qualities
        The family: ``linear`` α_ij ~ U[lo, hi] under premise variants, ``market-growth`` α ~ U[lo, hi],
        and the quality functions Q(t).
    without_premise : bool
        For a theorem check, drop its premise and search its conclusion (:data:`CONCLUSIONS`).
    budget, time_limit
        Stop after this many instances and/or seconds.
    tolerance : float
        Absolute tolerance of the float screening (confirmation is exact when the data are rational).

    Returns
    -------
    MechanismSearchResult
        ``violated`` with a shrunk, confirmed counterexample, or ``no-counterexample-found``.

    Examples
    --------
    >>> r = search_mechanism("mep", "chen-corollary-1", agents=(2,), grid=(1, 2), budget=30,
    ...                      alpha_premises=("offdiag-nonneg",), without_premise=True)
    >>> r.status, r.counterexample.failed_premise.startswith("premise fails")
    ('violated', True)
    """
    if budget is None and time_limit is None:
        raise InvalidModel("give a budget (instances) or a time limit", field="budget")
    if budget is not None and budget < 1:
        raise InvalidModel(f"budget must be at least 1, got {budget}", field="budget")
    target = make_target(mechanism, axiom, without_premise)
    space = MechanismSpace(tuple(sorted(set(int(a) for a in agents))), tuple(sorted(set(int(g) for g in grid))),
                           tuple(valuations), (float(alpha_range[0]), float(alpha_range[1])),
                           tuple(alpha_premises), tuple(qualities))
    space.validate()
    rng = np.random.default_rng(seed)
    stats = _new_stats(seed)
    t0 = time.perf_counter()
    best: tuple[float, MechanismInstanceSpec, str] | None = None
    scale = 0.3
    found: tuple[MechanismInstanceSpec, str, int] | None = None
    i = 0
    while budget is None or i < budget:
        if time_limit is not None and time.perf_counter() - t0 >= time_limit:
            break
        if best is not None and rng.random() < 0.4:
            spec, premise = space.mutate(best[1], best[2], rng, scale), best[2]
            scale = max(scale * 0.97, 0.02)
            stats["mutations"] += 1
        else:
            spec, premise = space.draw(rng, i)
        i += 1
        stats["instances"] += 1
        stats["by_valuation"][spec.valuation] += 1
        stats["by_agents"][spec.n] += 1
        if progress is not None:
            progress(i)
        a = assess(spec, target, tolerance)
        if a.error:
            stats["errors"][a.error.split(":")[0]] += 1
            stats["first_error"] = stats["first_error"] or a.error
            continue
        if not a.applicable:
            stats["not_applicable"][_reason_kind(a.reason or "?")] += 1
            continue
        stats["applicable"] += 1
        if not a.violated:
            if best is None or a.score > best[0]:
                best = (a.score, spec, premise)
            continue
        verdict, _, _ = confirm(spec, target, tolerance)
        if verdict is None:
            stats["discarded"] += 1
            continue
        found = (spec, premise, i)
        break
    stats["seconds"] = time.perf_counter() - t0
    if found is None:
        return MechanismSearchResult(mechanism, target, NO_COUNTEREXAMPLE, None, _finish(stats), space, tolerance)
    spec, premise, at = found
    original, steps = spec, 0
    if do_shrink:
        spec, steps = shrink_instance(spec, lambda s: confirm(s, target, tolerance)[0] is not None,
                                      lambda s: space.member(s, premise), space)
    verdict, how, exact = confirm(spec, target, tolerance)
    assert verdict is not None  # shrinking only accepts confirmed violations
    cx = MechanismCounterexample(spec, verdict, how, exact, premise, at, original, steps,
                                 _failed_premise(spec, target))
    stats["seconds"] = time.perf_counter() - t0
    return MechanismSearchResult(mechanism, target, VIOLATED, cx, _finish(stats), space, tolerance)


def _finish(stats: dict[str, Any]) -> dict[str, Any]:
    out = dict(stats)
    for k in ("not_applicable", "errors", "by_valuation", "by_agents"):
        out[k] = {(int(a) if isinstance(a, (int, np.integer)) else a): v for a, v in sorted(stats[k].items(),
                                                                                         key=lambda kv: str(kv[0]))}
    return out


def reproduces(path: str) -> str:
    """Run a written model through ``mechsolve check``'s path (float, and exact when the data allow)."""
    from pathlib import Path

    from .analysis import analyse
    from ..model.io import load

    model = load(path)
    codes: dict[str, int] = {}
    for mode, e in (("float", False), ("--exact", True)):
        try:
            codes[mode] = 1 if analyse(model, Path(path).parent, exact=e, source_path=path).status == "violated" else 0
        except Unsupported:
            continue
    if codes and all(c == 1 for c in codes.values()):
        return "checked: exits 1 in " + " and ".join(f"{m} mode" for m in codes) + \
            ("" if "--exact" in codes else " (no exact mode for these data)")
    return f"WARNING: check exits {codes}, expected 1"


def parse_alpha_range(text: str) -> tuple[float, float]:
    """``"-1:1"`` → ``(-1.0, 1.0)``; ``"-0.9"`` → ``(-0.9, -0.9)``."""
    try:
        parts = [float(p) for p in text.split(":")] if ":" in text[1:] else [float(text)] * 2
    except ValueError:
        raise InvalidModel(f"alpha range must look like LO:HI or a number, got {text!r}",
                           field="alpha-range") from None
    if len(parts) != 2:
        raise InvalidModel(f"alpha range must look like LO:HI or a number, got {text!r}", field="alpha-range")
    return parts[0], parts[1]


__all__ = ["search_mechanism", "MechanismSearchResult", "MechanismCounterexample", "MechanismInstanceSpec",
           "MechanismSpace", "Target", "make_target", "assess", "confirm", "reductions", "shrink_instance",
           "reproduces", "parse_alpha_range", "MECHANISMS", "VALUATIONS",
           "ALPHA_PREMISES", "QUALITIES", "CONCLUSIONS"]
