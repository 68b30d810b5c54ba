"""``kind: mechanism-design`` — Chen et al. (2020): agents with private types, externalities, payments.

The model declares the agents, their type spaces (an ε-grid on [0, D] or explicit
lists), the model-quality function Q(t), the valuations v_i(q_1..q_n) (a built-in
family or formulas), the allocation rule, the payment rule and the checks.
Formulas are parsed by :mod:`mechsolve.model.formula` (never ``eval``).

Modelling options the paper leaves open are explicit fields, the paper's reading
being the default:

* ``types.include_zero`` — whether type 0 is a participating type. Default ``true``:
  Algorithm 1 (App. A.1) loops ``t_i = 0 to D``.
* ``outside_option`` — what non-participation ∅ gives. Default ``own-model``: x_i(∅, t_−i) = 0,
  p_i(∅, t_−i) = 0 and agent i keeps serving customers with its own model Q(t_i)
  (Sec. 2.2, Sec. 2.3 "no exit choice"; the base vertex of Algorithm 1). ``zero-utility``
  is the standard mechanism-design exit option (utility 0), for comparison.
* ``misreports`` — ``downward`` (Assumption 2, default: the action space is [0, t_i])
  or ``any`` (the standard interdependent-value setting of Sec. 2.3).

Example (YAML)::

    kind: mechanism-design
    agents: [a, b]
    types: {step: 1, max: 20}
    quality: "t"
    valuation: {family: market-growth}
    parameters: {alpha: -0.7}
    allocation: efficient
    payment: max-payment
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..errors import short_repr
from .common import (MAX_TEXT_CHARS, MAX_TITLE_CHARS, DesignSpec, Frozen, ModelSpec, check_number, check_tolerance, name_list,
                     validate_names)

#: Most types on one agent's grid (or in one explicit list).
MAX_GRID_POINTS = 10_000_000

#: Built-in valuation families (Chen et al. Example 1, Sec. 6.2, Def. 8) plus free formulas.
VALUATION_FAMILIES = ("linear", "market-growth", "quasi-monotone", "formula")
#: Registered payment rules of this kind.
PAYMENT_RULES = ("max-payment", "mep", "zero", "table")
#: Allocation rules of this kind.
ALLOCATION_RULES = ("efficient", "best-to-all", "own-models")


class TypeSpace(Frozen):
    """Each agent's type space: an ε-grid ``{0?, ε, 2ε, …, D}`` or explicit lists.

    Give either ``step`` (ε) and ``max`` (D), with ``include_zero``; or ``values``
    (one sorted list for all agents); or ``per_agent`` (agent name → sorted list).
    """

    step: float | None = Field(default=None, gt=0, description="grid step ε (the minimal data size)")
    max: float | None = Field(default=None, gt=0, description="largest type D (a multiple of ε)")
    include_zero: bool = Field(default=True, description="type 0 is a participating type "
                                                         "(Algorithm 1 loops t_i = 0..D)")
    values: list[float] | None = Field(default=None, description="explicit type list shared by all agents")
    per_agent: dict[str, list[float]] | None = Field(default=None, description="explicit type list per agent")

    @model_validator(mode="after")
    def _one_source(self) -> "TypeSpace":
        grid = self.step is not None or self.max is not None
        given = [k for k, v in (("step/max", grid), ("values", self.values is not None),
                                ("per_agent", self.per_agent is not None)) if v]
        if len(given) != 1:
            raise ValueError("give exactly one of `step`+`max`, `values`, `per_agent`"
                             + (f" (got {', '.join(given)})" if given else ""))
        if grid:
            if self.step is None or self.max is None:
                raise ValueError("an ε-grid needs both `step` and `max`")
            k = self.max / self.step
            if not math.isfinite(k) or k > MAX_GRID_POINTS:
                raise ValueError(f"max/step = {self.max!r}/{self.step!r} is more than {MAX_GRID_POINTS:,} grid points")
            if abs(k - round(k)) > 1e-9 * max(1.0, k):
                raise ValueError(f"max = {self.max!r} is not a multiple of step = {self.step!r}")
        lists = [("values", self.values)] if self.values is not None else []
        lists += [(f"per_agent[{a!r}]", v) for a, v in (self.per_agent or {}).items()]
        for where, vals in lists:
            if not vals:
                raise ValueError(f"{where} is empty")
            if len(vals) > MAX_GRID_POINTS:
                raise ValueError(f"{where} has {len(vals):,} types, more than {MAX_GRID_POINTS:,}")
            xs = [check_number(x, where) for x in vals]
            if any(x < 0 for x in xs):
                raise ValueError(f"{where}: types are valid data sizes, so >= 0 (got {min(xs)!r})")
            if any(b <= a for a, b in zip(xs, xs[1:])):
                raise ValueError(f"{where} must be strictly increasing")
        return self


class ValuationSpec(Frozen):
    """Valuations v_i(q_1, …, q_n) with externalities.

    * ``linear`` (Example 1): v_i = Σ_j α_ij q_j with ``matrix`` (n×n) or ``random`` U[low, high]
      entries drawn with ``seed`` (Sec. 6.1 uses U[−1, 1]);
    * ``market-growth`` (Sec. 6.2): v_i = (Σ_j q_j)^α · q_i, α from ``alpha`` or ``parameters.alpha``;
    * ``quasi-monotone`` (Def. 8): v_i = F_i(q_i) + θ_i(q_−i) with formulas ``F`` (in ``q_i``)
      and ``theta`` (in ``q_1..q_n`` other than the agent's own, and ``q_others`` = Σ_{j≠i} q_j);
    * ``formula``: any formula in ``q_1..q_n``, ``q_i``, ``t_1..t_n``, ``t_i`` and the parameters
      (one string for all agents, or one per agent). A bare string is shorthand for this.
    """

    family: Literal["linear", "market-growth", "quasi-monotone", "formula"]
    matrix: list[list[float]] | None = Field(default=None, description="α_ij, row i = agent i's coefficients")
    random: dict[str, Any] | None = Field(default=None, description="{seed, low=-1, high=1}: α_ij ~ U[low, high]")
    alpha: float | None = Field(default=None, description="market growth rate α (market-growth)")
    F: str | list[str] | None = Field(default=None, description="F_i(q_i) (quasi-monotone)")
    theta: str | list[str] | None = Field(default=None, description="θ_i(q_−i) (quasi-monotone)")
    formula: str | list[str] | None = Field(default=None, description="v_i as a formula")

    @model_validator(mode="after")
    def _family_fields(self) -> "ValuationSpec":
        need = {"linear": (), "market-growth": (), "quasi-monotone": ("F", "theta"), "formula": ("formula",)}
        for f in need[self.family]:
            if getattr(self, f) is None:
                raise ValueError(f"family {self.family!r} needs `{f}`")
        allowed = {"linear": {"matrix", "random"}, "market-growth": {"alpha"},
                   "quasi-monotone": {"F", "theta"}, "formula": {"formula"}}[self.family]
        for f in ("matrix", "random", "alpha", "F", "theta", "formula"):
            if getattr(self, f) is not None and f not in allowed:
                raise ValueError(f"`{f}` does not apply to family {self.family!r}")
        if self.family == "linear":
            if (self.matrix is None) == (self.random is None):
                raise ValueError("family 'linear' needs exactly one of `matrix`, `random`")
            if self.matrix is not None:
                for r, row in enumerate(self.matrix):
                    for c, x in enumerate(row):
                        check_number(x, f"matrix[{r}][{c}]")
            if self.random is not None:
                bad = set(self.random) - {"seed", "low", "high"}
                if bad:
                    raise ValueError(f"random: unknown key {sorted(bad)[0]!r}; valid: seed, low, high")
                lo = check_number(self.random.get("low", -1.0), "random.low")
                hi = check_number(self.random.get("high", 1.0), "random.high")
                if hi < lo:
                    raise ValueError(f"random.high = {hi!r} is below random.low = {lo!r}")
                seed = self.random.get("seed", 0)
                if isinstance(seed, bool) or not isinstance(seed, int):
                    raise ValueError(f"random.seed must be an integer, got {seed!r}")
        if self.alpha is not None:
            check_number(self.alpha, "alpha")
        return self


class AllocationSpec(Frozen):
    """The allocation rule x(t'): a named rule or a formula.

    * ``efficient`` (Def. 5): maximise the welfare; closed forms for the linear
      (Sec. 3) and market-growth families, else a search over ``levels`` qualities per agent
      between its own model Q(t_i) and the best model Q(Σ t_j). ``welfare`` says whose
      valuations count: ``all-agents`` (default, Def. 5: WEL = Σ_{i=1}^n v_i, and the closed
      form of Sec. 3 sums α_ji over every j — non-participants stay in the market, Sec. 2.3,
      with quality 0 since their type is not reported) or ``participants`` only;
    * ``best-to-all``: every participant gets the best model (Theorem 4's mechanism);
    * ``own-models``: nobody gets more than their own model;
    * ``formula``: x_i in ``best`` (= Q(Σ_participants t_j)), ``own`` (= Q(t_i)), ``T``, ``t_i``.
    """

    rule: Literal["efficient", "best-to-all", "own-models", "formula"] = "efficient"
    levels: int = Field(default=2, ge=2, le=64, description="qualities per agent searched by `efficient`")
    formula: str | None = None
    welfare: Literal["all-agents", "participants"] = Field(
        default="all-agents", description="whose valuations `efficient` maximises (Def. 5: all agents)")

    @model_validator(mode="after")
    def _formula(self) -> "AllocationSpec":
        if (self.rule == "formula") != (self.formula is not None):
            raise ValueError("`formula` is needed with, and only with, rule 'formula'")
        return self


def _exact_number(x: Any, where: str) -> Fraction:
    """A number or a ``"p/q"`` string as the rational it denotes."""
    if isinstance(x, bool):
        raise ValueError(f"{where}: expected a number, got {x!r}")
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{where}: expected a number or 'p/q', got {x!r}") from None
    check_number(x, where)
    return Fraction(repr(float(x))) if isinstance(x, float) else Fraction(x)


class PaymentRow(Frozen):
    """One profile of a payment table: the types and every agent's payment (numbers or ``"p/q"``)."""

    profile: dict[str, Any]
    payment: dict[str, Any]


class PaymentTable(Frozen):
    """A payment rule given as a table over every type profile (``mechsolve design -o`` writes one).

    Example (YAML)::

        payment: table
        payment_table:
          rows:
            - {profile: {a: 0, b: 0}, payment: {a: 0, b: 0}}
            - {profile: {a: 0, b: 1}, payment: {a: 0, b: "1/3"}}
    """

    rows: list[PaymentRow] = Field(min_length=1, description="one row per type profile")
    source: str | None = Field(default=None, description="where the table comes from (e.g. mechsolve design)")

    @model_validator(mode="after")
    def _numbers(self) -> "PaymentTable":
        for r, row in enumerate(self.rows):
            for what, d in (("profile", row.profile), ("payment", row.payment)):
                for a, x in d.items():
                    _exact_number(x, f"rows[{r}].{what}[{a!r}]")
        return self


class MechanismDesign(ModelSpec):
    """A mechanism-design problem in the setting of Chen et al. (2020), Sec. 2–6.

    Example (YAML)::

        kind: mechanism-design
        agents: [a, b]
        types: {step: 1, max: 20}
        quality: "t"
        valuation: {family: market-growth}
        parameters: {alpha: -0.7}
        payment: max-payment
        check: [ic, ir, efficiency, weak-budget-balance]
    """

    kind: Literal["mechanism-design"]
    name: str | None = Field(default=None, max_length=MAX_TITLE_CHARS, description="title shown in reports")
    description: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    source: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    agents: list[str] = Field(min_length=1, max_length=8, description="agent names (or an integer n)")
    types: TypeSpace
    quality: str = Field(default="t", description="model quality Q(t), a formula in t (Assumption 1)")
    valuation: ValuationSpec
    parameters: dict[str, float] = Field(default_factory=dict, description="constants usable in formulas")
    allocation: AllocationSpec = Field(default_factory=AllocationSpec)
    payment: Literal["max-payment", "mep", "zero", "table"] = Field(
        default="max-payment", description="Algorithm 1 maximal IC+IR payments, MEP (Def. 9), none, or "
                                           "`table` (the payments of `payment_table`)")
    payment_table: PaymentTable | None = Field(default=None, description="the payments of `payment: table`")
    design: DesignSpec | None = Field(default=None, description="what `mechsolve design` synthesises")
    misreports: Literal["downward", "any"] = Field(
        default="downward", description="action space [0, t_i] (Assumption 2) or every type")
    outside_option: Literal["own-model", "zero-utility"] = Field(
        default="own-model", description="non-participation ∅: keep own model Q(t_i), or utility 0")
    check: list[str] | None = Field(default=None, description="axioms to check; default: the paper's four")
    tolerance: float = Field(default=1e-9, ge=0, description="absolute tolerance of float verdicts")
    exact: bool = Field(default=False, description="evaluate in exact rational arithmetic (small grids)")

    @field_validator("agents", mode="before")
    @classmethod
    def _agents(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            if not 1 <= v <= 8:
                raise ValueError(f"agents = {short_repr(v)} must be between 1 and 8")
            return [str(k + 1) for k in range(v)]
        return name_list(v, "agents")

    @field_validator("tolerance")
    @classmethod
    def _tolerance(cls, v: float) -> float:
        return check_tolerance(v)

    @field_validator("agents")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        return validate_names(v, "agents")

    @field_validator("valuation", mode="before")
    @classmethod
    def _valuation_shorthand(cls, v: Any) -> Any:
        return {"family": "formula", "formula": v} if isinstance(v, str) else v

    @field_validator("allocation", mode="before")
    @classmethod
    def _allocation_shorthand(cls, v: Any) -> Any:
        return {"rule": v} if isinstance(v, str) else v

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for k, x in v.items():
                check_number(x, f"parameters[{k!r}]")
                if not isinstance(k, str) or not k.isidentifier():
                    raise ValueError(f"parameters: {short_repr(k)} is not a valid name")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "MechanismDesign":
        n = len(self.agents)
        ts = self.types
        if ts.per_agent is not None:
            missing = [a for a in self.agents if a not in ts.per_agent]
            extra = [a for a in ts.per_agent if a not in self.agents]
            if missing or extra:
                raise ValueError(f"types.per_agent must list every agent exactly: "
                                 + (f"missing {missing[0]!r}" if missing else f"unknown {extra[0]!r}"))
        v = self.valuation
        if v.family == "linear" and v.matrix is not None:
            if len(v.matrix) != n or any(len(r) != n for r in v.matrix):
                raise ValueError(f"valuation.matrix must be {n}×{n} (one row and column per agent)")
        for f in ("F", "theta", "formula"):
            val = getattr(v, f)
            if isinstance(val, list) and len(val) != n:
                raise ValueError(f"valuation.{f}: give one formula, or one per agent ({n}), got {len(val)}")
        if v.family == "market-growth" and v.alpha is None and "alpha" not in self.parameters:
            raise ValueError("family 'market-growth' needs `valuation.alpha` or `parameters.alpha`")
        if (self.payment == "table") != (self.payment_table is not None):
            raise ValueError("`payment_table` is needed with, and only with, `payment: table`")
        if self.payment_table is not None:
            for r, row in enumerate(self.payment_table.rows):
                for what, d in (("profile", row.profile), ("payment", row.payment)):
                    if set(d) != set(self.agents):
                        bad = sorted(set(d) ^ set(self.agents))[0]
                        raise ValueError(f"payment_table.rows[{r}].{what} must name every agent exactly once "
                                         f"({bad!r} is {'unknown' if bad in d else 'missing'})")
        return self

    @property
    def n(self) -> int:
        return len(self.agents)
