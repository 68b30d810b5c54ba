"""The search space of mechanism-design instances (Chen et al. 2020).

:class:`MechanismSpace` draws small mechanism-design instances and looks for one on which a
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
(the signed worst residual steers a hill-climb on α). The engine
(:func:`mechsolve.verify.search.engine.run`) runs it like every space: seeded chunks of 100
instances, ``--workers`` processes or a Dask cluster, the same answer wherever it runs. A float
violation is

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import CHUNK_SIZE, run
from .space import Assessment, Confirmation, Counterexample, SearchResult, SpaceOptions, screen
from ..axioms.base import MechanismContext
from ..axioms.mechanism import get_mechanism_axiom
from ..mechanism_analysis import analyse_mechanism, payments_for
from ..verdict import VIOLATED
from ...errors import InvalidModel, MechsolveError, Unsupported, short_repr
from ...mechanism.instance import build_instance
from ...mechanism.valuations import Quality
from ...model.schema import parse_model

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
    #: The premise variant of the linear α it was drawn under (shrinking keeps it).
    premise: str = "any"

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


def _tup(m: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(x) for x in row) for row in m)


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



#: What a space checks unless told otherwise: MEP and incentive compatibility.
DEFAULT_TARGET = Target("mechanism-ic", "mep", None, ("mechanism-ic",))


def _simpler_numbers(x: float, lo: float, hi: float) -> list[float]:
    out = [0.0, 1.0, -1.0, float(round(x)), round(2 * x) / 2, round(10 * x) / 10]
    return [c for c in dict.fromkeys(out) if c != x and lo <= c <= hi]



@dataclass(frozen=True)
class MechanismSpace:
    """Mechanism-design instances to draw, and the target checked on them.

    ``agents``, ``grid`` (largest types D), ``valuations``, ``alpha_range``, ``alpha_premises``,
    ``qualities`` and ``include_zero`` span the family; ``member`` keeps shrunk instances inside
    it. ``mechanism`` is the payment rule asked for, ``target`` what is checked
    (:func:`make_target`: a theorem searched without its premise checks its conclusion).

    Examples
    --------
    >>> space = MechanismSpace(agents=(2,), grid=(2,), alpha_premises=("nonneg",))
    >>> inst = space.draw(np.random.default_rng(0), 0)
    >>> inst.n, inst.premise, space.member(inst), bool((np.array(inst.matrix) >= 0).all())
    (2, 'nonneg', True, True)
    """

    agents: tuple[int, ...] = (2, 3)
    grid: tuple[int, ...] = (1, 2, 3)
    valuations: tuple[str, ...] = ("linear",)
    alpha_range: tuple[float, float] = (-1.0, 1.0)
    alpha_premises: tuple[str, ...] = ("any",)
    qualities: tuple[str, ...] = QUALITIES
    include_zero: tuple[bool, ...] = (True, False)
    mechanism: str = "mep"
    target: Target = DEFAULT_TARGET
    tolerance: float = 1e-9

    step = 0.3
    shrink_budget = SHRINK_BUDGET
    counters = ("by_valuation", "by_agents")
    totals = ()
    noun = "mechanism"
    size_label = "agents"
    default_budget = 200

    def __post_init__(self) -> None:
        self.validate()

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
        for q in self.qualities:        # a formula that cannot parse is bad input, not an error per instance
            Quality.parse(q)

    @property
    def axiom(self) -> str:
        return self.target.axiom

    @property
    def rule(self) -> str:
        return self.target.rule

    # ------------------------------------------------------------------ drawing
    def draw(self, rng: np.random.Generator, i: int) -> MechanismInstanceSpec:
        n = self.agents[i % len(self.agents)]
        val = self.valuations[(i // len(self.agents)) % len(self.valuations)]
        top = int(rng.choice(self.grid))
        z = bool(rng.choice(self.include_zero))
        qual = str(rng.choice(list(self.qualities)))
        lo, hi = self.alpha_range
        if val == "linear":
            premise = self.alpha_premises[int(rng.integers(len(self.alpha_premises)))]
            m = np.clip(_apply_premise(np.round(rng.uniform(lo, hi, (n, n)), 2), premise), lo, hi)
            return MechanismInstanceSpec(n, top, z, qual, val, matrix=_tup(m), premise=premise)
        a = lo if lo == hi else round(float(rng.uniform(lo, hi)), 3)
        return MechanismInstanceSpec(n, top, z, qual, val, alpha=a)

    def mutate(self, spec: MechanismInstanceSpec, rng: np.random.Generator, scale: float) -> MechanismInstanceSpec:
        lo, hi = self.alpha_range
        if spec.valuation == "linear":
            assert spec.matrix is not None
            m = np.round(np.asarray(spec.matrix) + rng.normal(0.0, scale, (spec.n, spec.n)), 2)
            return dataclasses.replace(spec, matrix=_tup(np.clip(_apply_premise(np.clip(m, lo, hi), spec.premise),
                                                                 lo, hi)))
        if lo == hi:
            return spec
        return dataclasses.replace(spec, alpha=round(float(np.clip((spec.alpha or 0) + rng.normal(0, scale),
                                                                   lo, hi)), 3))

    def tally(self, spec: MechanismInstanceSpec) -> dict[str, Any]:
        return {"by_valuation": spec.valuation, "by_agents": spec.n}

    def stats_header(self) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------------ shrinking
    def member(self, spec: MechanismInstanceSpec) -> bool:
        lo, hi = self.alpha_range
        if spec.valuation == "linear":
            m = np.asarray(spec.matrix, dtype=float)
            return bool(((m >= lo) & (m <= hi)).all()) and _premise_holds(m, spec.premise)
        return spec.alpha is not None and lo <= spec.alpha <= hi

    def reductions(self, spec: MechanismInstanceSpec) -> list[MechanismInstanceSpec]:
        """Candidate simplifications, simplest first: fewer agents, smaller grids, simpler α and Q."""
        lo, hi = self.alpha_range
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
        if spec.quality != "t" and "t" in self.qualities:
            out.append(dataclasses.replace(spec, quality="t"))
        return out

    def complexity(self, spec: MechanismInstanceSpec) -> float:
        return spec.complexity()

    def canonical(self, spec: MechanismInstanceSpec) -> MechanismInstanceSpec:
        return spec

    # ------------------------------------------------------------------ screening and confirmation
    def _context(self, spec: MechanismInstanceSpec, target: Target) -> MechanismContext:
        model = parse_model(spec.model(target.rule, target.axioms, allocation=target.allocation))
        inst = build_instance(model, exact=False)
        return MechanismContext(inst, payments_for(inst, target.rule), target.rule, self.tolerance)

    def assess(self, spec: MechanismInstanceSpec) -> Assessment:
        """Float screening of the target's axioms (:func:`~mechsolve.verify.search.space.screen`); the
        score is divided by ``1 + max |v_i|``; not-applicable reasons without the instance's numbers."""
        a = screen([get_mechanism_axiom(name) for name in self.target.axioms],
                   lambda: self._context(spec, self.target),
                   lambda ctx: 1.0 + float(np.abs(np.asarray(ctx.instance.V, dtype=float)).max()))
        return dataclasses.replace(a, reason=_reason_kind(a.reason)) if a.reason else a

    def confirm(self, spec: MechanismInstanceSpec) -> Confirmation:
        """Rerun the target the way ``mechsolve check`` runs the written model: in exact rational
        arithmetic with zero tolerance when the data are rational, else in float64 with the
        tolerance (and why)."""
        target, tol = self.target, self.tolerance
        model = parse_model(spec.model(target.rule, target.axioms, allocation=target.allocation, tolerance=tol))
        try:
            a = analyse_mechanism(model, exact=True)
            how, exact = "exactly (rational arithmetic, zero tolerance)", True
        except Unsupported as why:
            try:
                a = analyse_mechanism(model, exact=False)
            except MechsolveError:
                return Confirmation(None, "the mechanism raised an error", False)
            how, exact = f"in float64 only with tolerance {tol:g} (no exact mode: {why})", False
        except MechsolveError:
            return Confirmation(None, "the mechanism raised an error", False)
        bad = [v for v in a.checks.verdicts if v.status == VIOLATED]
        return Confirmation(bad[0] if bad else None, how, exact)

    def explain(self, spec: MechanismInstanceSpec) -> dict[str, Any]:
        """For a theorem searched without its premise: which premise fails on the counterexample."""
        if not self.target.without_premise:
            return {"failed_premise": None}
        pre = get_mechanism_axiom(self.target.axiom).precondition
        try:
            base = Target(self.target.axiom, self.target.rule, None, (self.target.axiom,))
            reason = pre(self._context(spec, base))
        except MechsolveError as exc:
            return {"failed_premise": f"could not evaluate the premise ({exc})"}
        return {"failed_premise": reason or "none: every premise holds, so the theorem itself is refuted"}

    # ------------------------------------------------------------------ what results and reports show
    def describe(self, spec: MechanismInstanceSpec) -> str:
        return spec.describe()

    def size(self, spec: MechanismInstanceSpec) -> int:
        return spec.n

    @property
    def title(self) -> str:
        return f"mechanism {self.mechanism}"

    @property
    def heading(self) -> str:
        return self.axiom + (" (without premise)" if self.target.without_premise else "")

    def family_dict(self) -> dict[str, Any]:
        return {"agents": list(self.agents), "grid": list(self.grid), "valuations": list(self.valuations),
                "alpha_range": list(self.alpha_range), "alpha_premises": list(self.alpha_premises),
                "qualities": list(self.qualities), "include_zero": list(self.include_zero)}

    def to_dict(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism, "payment": self.target.rule, "checks": list(self.target.axioms),
                "without_premise": self.target.without_premise, "space": self.family_dict()}

    def setting(self) -> list[tuple[str, Any]]:
        return [("mechanism", self.mechanism)]

    def searched(self, stats: Mapping[str, Any]) -> str:
        lo, hi = self.alpha_range
        return (f"({', '.join(self.valuations)}; agents {','.join(map(str, self.agents))}; D/ε "
                f"{','.join(map(str, self.grid))}; α in [{lo:g}, {hi:g}]"
                + (f", premise variants {', '.join(self.alpha_premises)}" if "linear" in self.valuations else "")
                + f"; Q(t) {', '.join(self.qualities)})")

    def facts(self) -> list[tuple[str, Any]]:
        t = self.target
        if not t.without_premise:
            return []
        return [("premise dropped", f"searching the conclusion: {t.rule} payments, {', '.join(t.axioms)}")]

    def counterexample_dict(self, cx: Counterexample) -> dict[str, Any]:
        return {"instance": cx.instance.to_dict(), "description": cx.instance.describe(),
                "premise_variant": cx.instance.premise, "original": cx.original.to_dict(),
                "failed_premise": cx.facts.get("failed_premise")}

    def counterexample_facts(self, cx: Counterexample) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if cx.instance.valuation == "linear":
            out.append(("α premise variant searched", cx.instance.premise))
        if cx.facts.get("failed_premise"):
            out.append(("premise on the counterexample", cx.facts["failed_premise"]))
        return out

    def tables(self, spec: MechanismInstanceSpec) -> list[tuple[str, list[str], list[list[Any]]]]:
        return []

    def to_model(self, result: SearchResult) -> dict[str, Any]:
        """A ``mechanism-design`` model mapping (``mechsolve check`` exits 1 on it)."""
        cx = result.counterexample
        assert cx is not None
        t = self.target
        what = f"{t.axiom} without its premise" if t.without_premise else t.axiom
        desc = (f"Counterexample found by `mechsolve verify --mechanism` (seed {result.stats['seed']}, instance "
                f"{cx.found_at}, shrunk in {cx.shrink_steps} steps from {cx.original.describe()}). "
                f"{what}: {cx.witness_line()}; confirmed {cx.confirmation}.")
        failed = cx.facts.get("failed_premise")
        if failed:
            desc += f" The theorem's premise fails here: {failed}."
        return cx.instance.model(t.rule, t.axioms, allocation=t.allocation, name=f"{t.rule} violates {what}",
                                 description=desc, exact=cx.exact, tolerance=self.tolerance)


def _reason_kind(reason: str) -> str:
    """A not-applicable reason without the instance's numbers (so the counts group)."""
    head = ":".join(reason.split(":")[:2])
    return re.sub(r"α_\d\d = -?[0-9.e-]+", "α_ij", head)



def search_mechanism(mechanism: str, axiom: str, *, agents: Sequence[int] = (2, 3),
                     grid: Sequence[int] = (1, 2, 3), valuations: Sequence[str] = ("linear",),
                     alpha_range: tuple[float, float] = (-1.0, 1.0),
                     alpha_premises: Sequence[str] = ("any",), qualities: Sequence[str] = QUALITIES,
                     without_premise: bool = False, budget: int | None = 200, time_limit: float | None = None,
                     seed: int = 0, tolerance: float = 1e-9, do_shrink: bool = True,
                     progress: Callable[[int], None] | None = None, workers: int | None = 1,
                     scheduler: str | None = None, chunk_size: int = CHUNK_SIZE) -> SearchResult:
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
    budget, time_limit, seed, progress, workers, scheduler, chunk_size
        As for :func:`mechsolve.verify.search.engine.run` (``do_shrink`` is ``shrink_found``): seeded
        chunks, so the result for a seed and budget does not depend on ``workers``/``scheduler``.
    tolerance : float
        Absolute tolerance of the float screening (confirmation is exact when the data are rational).

    Returns
    -------
    SearchResult
        ``violated`` with a shrunk, confirmed counterexample, or ``no-counterexample-found``.

    Examples
    --------
    >>> r = search_mechanism("mep", "chen-corollary-1", agents=(2,), grid=(1, 2), budget=30,
    ...                      alpha_premises=("offdiag-nonneg",), without_premise=True)
    >>> r.status, r.counterexample.failed_premise.startswith("premise fails")
    ('violated', True)
    """
    space = MechanismSpace(tuple(sorted(set(int(a) for a in agents))), tuple(sorted(set(int(g) for g in grid))),
                           tuple(valuations), (float(alpha_range[0]), float(alpha_range[1])),
                           tuple(alpha_premises), tuple(qualities), mechanism=mechanism,
                           target=make_target(mechanism, axiom, without_premise), tolerance=float(tolerance))
    return run(space, budget=budget, time_limit=time_limit, seed=seed, shrink_found=do_shrink, progress=progress,
               workers=workers, scheduler=scheduler, chunk_size=chunk_size)



def spaces_from_options(axioms: Sequence[str], options: SpaceOptions | Mapping[str, Any],
                        tolerance: float = 1e-9) -> tuple[list[MechanismSpace], dict[str, Any]]:
    """One :class:`MechanismSpace` per axiom, from the options of ``mechsolve verify`` (Chen et al. 2020).

    Options: ``mechanism`` (``mep``, ``max-payment``, ``zero``; required), ``agents`` (``2..3``),
    ``grid`` (largest types D, ``1..3``), ``valuation`` (``linear``, ``market-growth``),
    ``alpha-range`` (``LO:HI`` or one value), ``alpha-premise`` (:data:`ALPHA_PREMISES`),
    ``quality`` (formulas Q(t), default :data:`QUALITIES`), ``without-premise``. Default
    axioms: IC, IR and weak budget balance (``chen-corollary-1`` without its premise).

    Examples
    --------
    >>> spaces, header = spaces_from_options(["weak-budget-balance"], {"mechanism": "zero", "agents": "2"})
    >>> header, spaces[0].agents, spaces[0].axiom
    ({'mechanism': 'zero'}, (2,), 'weak-budget-balance')
    """
    from .space import parse_sizes

    opt = options if isinstance(options, SpaceOptions) else SpaceOptions(options)
    mechanism = opt.text("mechanism")
    if mechanism not in MECHANISMS:
        raise InvalidModel(f"a mechanism search needs mechanism= one of {', '.join(MECHANISMS)}, got "
                           f"{short_repr(mechanism)}", field="mechanism")
    without_premise = opt.flag("without-premise")
    agents = parse_sizes(opt.text("agents", "2..3") or "", "agents")
    grid = parse_sizes(opt.text("grid", "1..3") or "", "grid")
    family = dict(agents=tuple(sorted(set(agents))), grid=tuple(sorted(set(grid))),
                  valuations=tuple(opt.texts("valuation") or ["linear"]),
                  alpha_range=parse_alpha_range(opt.text("alpha-range", "-1:1") or ""),
                  alpha_premises=tuple(opt.texts("alpha-premise") or ["any"]),
                  qualities=tuple(opt.texts("quality", split=False)) or QUALITIES)
    opt.finish()
    names = list(axioms) if axioms else (["chen-corollary-1"] if without_premise else
                                         ["mechanism-ic", "mechanism-ir", "weak-budget-balance"])
    return [MechanismSpace(**family, mechanism=mechanism, target=make_target(mechanism, ax, without_premise),
                           tolerance=tolerance) for ax in names], {"mechanism": mechanism}

def parse_alpha_range(text: str) -> tuple[float, float]:
    """``"-1:1"`` → ``(-1.0, 1.0)``; ``"-0.9"`` → ``(-0.9, -0.9)``; finite numbers with LO ≤ HI."""
    try:
        parts = [float(p) for p in text.split(":")] if ":" in text[1:] else [float(text)] * 2
    except ValueError:
        raise InvalidModel(f"alpha range must look like LO:HI or a number, got {short_repr(text)}",
                           field="alpha-range") from None
    if len(parts) != 2 or not all(math.isfinite(x) for x in parts) or parts[0] > parts[1]:
        raise InvalidModel(f"alpha range must look like LO:HI (finite, LO <= HI) or a number, got {short_repr(text)}",
                           field="alpha-range")
    return parts[0], parts[1]


__all__ = ["search_mechanism", "spaces_from_options", "MechanismSpace", "MechanismInstanceSpec", "Target", "make_target",
           "parse_alpha_range", "MECHANISMS", "VALUATIONS", "ALPHA_PREMISES", "QUALITIES", "CONCLUSIONS"]
