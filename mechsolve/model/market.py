"""``kind: cooperative-market`` — players, a characteristic function and what to do with it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .resolved import Reference
from .common import (MAX_TEXT_CHARS, MAX_TITLE_CHARS, DesignSpec, Frozen, ModelSpec, SchemeSpec, ValueSpec, check_number,
                     check_tolerance, name_list, validate_names)


class CooperativeMarket(ModelSpec):
    """A data market as a cooperative game.

    Example (YAML)::

        kind: cooperative-market
        players: [a, b, c]
        value: {table: {"": 0, a: 1, b: 1, c: 1, "a,b": 3, "a,c": 3, "b,c": 3, "a,b,c": 6}}
        scheme: shapley
        check: [efficiency, symmetry]
    """

    kind: Literal["cooperative-market"]
    name: str | None = Field(default=None, max_length=MAX_TITLE_CHARS, description="title shown in reports")
    description: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    source: str | None = Field(default=None, max_length=MAX_TEXT_CHARS,
                               description="where the data or published values come from")
    players: list[str] = Field(min_length=1, description="unique player names; player k is bit k")
    value: ValueSpec
    normalised: bool = Field(default=True, description="require v(∅) = 0 (set false to allow another v(∅))")
    budgets: dict[str, Any] | None = Field(
        default=None, description="per-player budget b_i >= 0 (`inf` allowed); unlisted players get 0")
    scheme: SchemeSpec = Field(default_factory=lambda: SchemeSpec(name="shapley"),
                               description="payment/reward scheme; default `shapley`")
    check: list[str] | None = Field(default=None, description="axioms to check; default: the scheme's own list")
    tolerance: float = Field(default=1e-9, ge=0, description="absolute tolerance of float verdicts")
    design: DesignSpec | None = Field(default=None, description="what `mechsolve design` synthesises")
    epsilon: float | None = Field(default=None, description="ε of the `epsilon-core` axiom "
                                  "(x(S) ≥ v(S) − ε); default: the game's least-core value")
    exact: bool = Field(default=False, description="compute and check in exact rational arithmetic")
    replicas: dict[str, str] | None = Field(
        default=None, description="players holding a copy of another player's data: {replica: original} "
                                  "(used by the replication-robustness axiom on measured replica tables)")
    expected: dict[str, Any] | None = Field(
        default=None, description="published values to compare with, e.g. {shapley: {a: 0.5}}")
    expected_tolerance: float = Field(default=1e-6, ge=0,
                                      description="absolute tolerance for `expected` (published values are rounded)")
    def references(self) -> list[Reference]:
        """The files this market names, in the order they are read at load (see :mod:`mechsolve.model.resolved`).

        Examples
        --------
        >>> m = CooperativeMarket(kind="cooperative-market", players=["a", "b"], value={"file": "v.npy"})
        >>> [(r.field, r.kind) for r in m.references()]
        [('value.file', 'table')]
        """
        v = self.value
        out: list[Reference] = []
        if v.file is not None:
            out.append(Reference("value.file", ("value", "file"), v.file, "table"))
        if v.callable is not None:
            out.append(Reference("value.callable", ("value", "callable"), v.callable, "code"))
        ds = v.datasets
        if ds is not None:
            for p, name in (ds.parties or {}).items():
                if p in self.players:  # an unknown player is reported by the market, not as a file
                    out.append(Reference(f"value.datasets.parties[{p!r}]", ("value", "datasets", "parties", p),
                                         name, "data"))
            if ds.reference is not None and ds.reference.file is not None:
                out.append(Reference("value.datasets.reference.file", ("value", "datasets", "reference", "file"),
                                     ds.reference.file, "data"))
        ln = v.learn
        if ln is not None:
            for p, name in (ln.parties or {}).items():
                if p in self.players:
                    out.append(Reference(f"value.learn.parties[{p!r}]", ("value", "learn", "parties", p), name,
                                         "data"))
            if ln.file is not None:
                out.append(Reference("value.learn.file", ("value", "learn", "file"), ln.file, "data"))
            if ln.test.file is not None:
                out.append(Reference("value.learn.test.file", ("value", "learn", "test", "file"), ln.test.file,
                                     "data"))
        params = self.scheme.params
        code = params.get("callable")
        if self.scheme.name == "callable" and isinstance(code, str) and ":" in code:
            out.append(Reference("scheme.callable", ("scheme", "callable"), code, "code"))
        for p, t in (self.scheme.tasks or {}).items():
            if t.file is not None:
                out.append(Reference(f"scheme.tasks.{p}.file", ("scheme", "tasks", p, "file"), t.file, "table"))
        return out

    @field_validator("players", mode="before")
    @classmethod
    def _sequence(cls, v: Any) -> Any:
        return name_list(v, "players")

    @field_validator("players")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        return validate_names(v, "players")

    @field_validator("tolerance", "expected_tolerance")
    @classmethod
    def _tolerance(cls, v: float, info: Any) -> float:
        return check_tolerance(v, info.field_name)

    @field_validator("scheme", mode="before")
    @classmethod
    def _scheme_shorthand(cls, v: Any) -> Any:
        return {"name": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _budgets(self) -> "CooperativeMarket":
        if self.budgets is not None:
            for p, b in self.budgets.items():
                if p not in self.players:
                    raise ValueError(f"budgets names unknown player {p!r}")
                x = check_number(b, f"budgets[{p!r}]", allow_inf=True)
                if x < 0:
                    raise ValueError(f"budgets[{p!r}] = {b!r} must be >= 0")
        return self

    @model_validator(mode="after")
    def _replicas(self) -> "CooperativeMarket":
        for r, o in (self.replicas or {}).items():
            for who in (r, o):
                if who not in self.players:
                    raise ValueError(f"replicas names unknown player {who!r}")
            if r == o:
                raise ValueError(f"replicas[{r!r}]: a player cannot be its own replica")
            if o in (self.replicas or {}):
                raise ValueError(f"replicas[{r!r}] = {o!r} is itself a replica; name the original")
        return self

    @model_validator(mode="after")
    def _expected(self) -> "CooperativeMarket":
        for qty, per in (self.expected or {}).items():
            if not isinstance(per, dict):
                raise ValueError(f"expected[{qty!r}] must map player names to numbers")
            for p, x in per.items():
                if p not in self.players:
                    raise ValueError(f"expected[{qty!r}] names unknown player {p!r}")
                check_number(x, f"expected[{qty!r}][{p!r}]")
        return self

    def budget_vector(self) -> list[float]:
        """Budgets in player order; unlisted players get 0 (Nguyen et al. 2022, Sec. 4)."""
        b = self.budgets or {}
        return [check_number(b[p], p, allow_inf=True) if p in b else 0.0 for p in self.players]
