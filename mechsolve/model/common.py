"""Shared pieces of declared models: schemes, value sources, budgets."""

from __future__ import annotations

import math
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ..errors import short_repr
from .datasets import DatasetsSpec
from .learn import LearnSpec
from .resolved import Reference

#: Characters that separate player names in written coalitions; names may not contain them.
RESERVED_NAME_CHARS = ",;+|{}"
#: Longest player or agent name (characters).
MAX_NAME_CHARS = 200
#: Longest model title (``name``) and free text (``description``, ``source``), in characters.
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 10_000
#: Most players a market may declare (a table stops far earlier, at the memory limit; a
#: callable with Monte Carlo is sampled, never tabulated).
MAX_PLAYERS = 4096


class Frozen(BaseModel):
    """Base of every spec: immutable, unknown fields rejected, no ``inf``/``nan`` in float fields
    (a field that allows ``inf`` says so and validates it itself)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class ModelSpec(Frozen):
    """Base of every model kind's spec (a class with a ``kind`` Literal, registered in
    :data:`mechsolve.kinds.KINDS`): the files it names and what :func:`mechsolve.model.io.load`
    read for them (:mod:`mechsolve.model.resolved`). A kind that names files overrides
    :meth:`references`; io reads them, whatever the kind.
    """

    #: What load read for :meth:`references` (a :class:`~mechsolve.model.resolved.Resolved` bundle).
    _resolved: Any = PrivateAttr(default=None)

    def references(self) -> list[Reference]:
        """The files this model names (none by default)."""
        return []


def name_list(value: Any, what: str) -> Any:
    """A ``before`` validator: names must come as a YAML/JSON sequence (a ``!!set`` has no order)."""
    if isinstance(value, (set, frozenset)):
        raise ValueError(f"{what} must be a list (a YAML/JSON sequence): a set has no order, and player k is bit k")
    if isinstance(value, (list, tuple)) and len(value) > MAX_PLAYERS:
        raise ValueError(f"{what}: {len(value):,} names, more than the {MAX_PLAYERS:,} mechsolve accepts")
    return value


class TaskTable(Frozen):
    """One party's own task gain table ``G_i`` (Ohrimenko et al. 2019, Sec. 4.2): exactly one of
    ``table``, ``values`` and ``file`` — the formats of ``value`` (a ``file`` is a JSON, CSV or
    ``.npy`` value table relative to the model file, read when the model is loaded)."""

    table: dict[str, Any] | None = Field(default=None, description="coalition (player names) → gain")
    values: list[Any] | None = Field(default=None, description="2^n gains in bitmask order")
    file: str | None = Field(default=None, description="a JSON, CSV or .npy value table (as `value.file`)")
    fill: Literal["error", "default", "monotone-closure"] = Field(
        default="error", description="what to do with coalitions not listed")
    default: float | None = Field(default=None, description="gain of unlisted coalitions with `fill: default`")

    @model_validator(mode="after")
    def _one_source(self) -> "TaskTable":
        given = [k for k in ("table", "values", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `table`, `values`, `file`"
                             + (f" (got {', '.join(given)})" if given else ""))
        if self.fill == "default" and self.default is None:
            raise ValueError("`fill: default` needs `default: <number>`")
        for k, v in (self.table or {}).items():
            check_number(v, f"table[{short_repr(k)}]")
        for i, v in enumerate(self.values or []):
            check_number(v, f"values[{i}]")
        return self


class SchemeSpec(BaseModel):
    """The payment or reward scheme to apply: a registered ``name`` plus its parameters.

    Parameters other than ``name`` are passed to the scheme, which validates them.
    A bare string ``scheme: shapley`` is shorthand for ``scheme: {name: shapley}``.
    ``tasks`` (the Ohrimenko multi-task schemes) is validated here: per-party gain tables,
    inline or from files.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    name: str = Field(description="registered scheme name, e.g. `shapley`")
    tasks: dict[str, TaskTable] | None = Field(
        default=None, description="per-party task gain tables G_i (ohrimenko-multi, ohrimenko-selection): "
                                  "party → {table | values | file}")

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as declared (``tasks`` as the mappings written in the model)."""
        out = dict(self.model_extra or {})
        if self.tasks is not None:
            out["tasks"] = {p: t.model_dump(exclude_unset=True) for p, t in self.tasks.items()}
        return out


def check_number(value: Any, where: str, *, allow_inf: bool = False) -> float:
    """A finite float (or ±inf when allowed) from a YAML/JSON scalar, else ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, str) and value.strip().lower() in ("inf", "+inf", "infinity", ".inf"):
        value = math.inf
    if not isinstance(value, (int, float)):
        raise ValueError(f"{where}: expected a number, got {short_repr(value)}")
    try:
        x = float(value)
    except OverflowError:  # an integer beyond float range
        raise ValueError(f"{where}: expected a finite number, got an integer of "
                         f"{value.bit_length()} bits, beyond float range") from None
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise ValueError(f"{where}: expected a finite number, got {short_repr(value)}")
    return x


def check_tolerance(value: float, where: str = "tolerance") -> float:
    """A tolerance is a finite number >= 0 (``inf`` would turn every violation into "holds")."""
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{where} must be a finite number >= 0, got {short_repr(value)}")
    return value

#: The fields of :class:`ValueSpec` that each define ``v`` on their own.
VALUE_SOURCES = ("table", "values", "file", "callable", "datasets", "learn")


class ValueSpec(Frozen):
    """Where the characteristic function ``v(S)`` comes from: exactly one source.

    * ``table``: coalitions written as player names (``"a,b"``; ``""`` is ∅) → values;
    * ``values``: a list of ``2^n`` values in bitmask order (bit k = player k);
    * ``file``: a path, relative to the model file, to a JSON value table (the format of
      the bundled tables: ``players`` and ``values`` in bitmask order), a CSV with
      columns ``coalition,value`` (names separated by ``;`` or ``+``), or a ``.npy`` array;
    * ``callable``: ``path/to/file.py:function`` — **runs user code**: the function gets a
      ``frozenset`` of player names and returns a number;
    * ``datasets``: per-party data files and a kernel: MMD data value (Tay et al. 2022,
      eq. 2), see :class:`~mechsolve.model.datasets.DatasetsSpec`;
    * ``learn``: per-party data, a test set, an estimator and a scorer: ``v(S)`` is the
      test score of the model trained on the members' data (Nguyen et al. 2022, Sec. 5;
      Ohrimenko et al. 2019, Sec. 2), see :class:`~mechsolve.model.learn.LearnSpec`.
    """

    table: dict[str, Any] | None = None
    values: list[Any] | None = None
    file: str | None = None
    callable: str | None = Field(default=None, description="`file.py:function` (runs user code)")
    datasets: DatasetsSpec | None = Field(default=None, description="per-party data + kernel (MMD value)")
    learn: LearnSpec | None = Field(default=None, description="per-party data + estimator + scorer (learned value)")
    fill: Literal["error", "default", "monotone-closure"] = Field(
        default="error", description="what to do with coalitions not listed")
    default: float | None = Field(default=None, description="value of unlisted coalitions with `fill: default`")

    @model_validator(mode="after")
    def _one_source(self) -> "ValueSpec":
        given = [k for k in VALUE_SOURCES if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(f'`{k}`' for k in VALUE_SOURCES)}"
                             + (f" (got {', '.join(given)})" if given else ""))
        if self.fill == "default" and self.default is None:
            raise ValueError("`fill: default` needs `default: <number>`")
        if self.default is not None:
            check_number(self.default, "default")
        if self.table is not None:
            for k, v in self.table.items():
                check_number(v, f"table[{short_repr(k)}]")
        if self.values is not None:
            for i, v in enumerate(self.values):
                check_number(v, f"values[{i}]")
        if self.callable is not None and ":" not in self.callable:
            raise ValueError(f"callable must be `file.py:function`, got {short_repr(self.callable)}")
        return self


def validate_names(names: list[str], what: str) -> list[str]:
    """Names must be unique, non-empty, at most :data:`MAX_NAME_CHARS` long, free of control
    characters (they would rewrite the terminal) and of coalition separators."""
    if len(names) > MAX_PLAYERS:
        raise ValueError(f"{what}: {len(names):,} names, more than the {MAX_PLAYERS:,} mechsolve accepts")
    seen: set[str] = set()
    for i, p in enumerate(names):
        if not p:
            raise ValueError(f"{what}[{i}] is empty")
        if len(p) > MAX_NAME_CHARS:
            raise ValueError(f"{what}[{i}] is {len(p):,} characters long; a name has at most {MAX_NAME_CHARS}")
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in p):
            raise ValueError(f"{what}[{i}] = {short_repr(p)} contains a control character")
        bad = [c for c in RESERVED_NAME_CHARS if c in p]
        if bad:
            raise ValueError(f"{what}[{i}] = {p!r} contains {bad[0]!r}, which separates names in coalitions")
        if p in seen:
            raise ValueError(f"{what}[{i}] = {p!r} is a duplicate name")
        seen.add(p)
    return names


#: Objectives of `mechsolve design` (``closest-to`` takes a rule: ``closest-to mep``).
DESIGN_OBJECTIVES = ("revenue", "max-min-utility", "closest-to", "budget-balance-gap", "none")


class DesignSpec(Frozen):
    """What ``mechsolve design`` synthesises on this model (command-line options override it).

    * ``axioms`` — the linear axioms the rule must satisfy (mechanism: ``ic``, ``ir``, ``wbb``,
      ``budget-balance``; market: ``efficiency``, ``individual-rationality``, ``core``,
      ``epsilon-core``, ``budgets``, ``symmetry``, ``null-player``, ``non-negativity``,
      ``shapley-within``);
    * ``objective`` — ``revenue``, ``max-min-utility``, ``closest-to RULE`` (``rule``, ``norm``),
      ``budget-balance-gap`` or ``none`` (any feasible rule);
    * ``delta`` (``shapley-within``: |x_i − φ_i| ≤ δ) and ``epsilon`` (``epsilon-core``).
    """

    axioms: list[str] | None = Field(default=None, description="axioms the designed rule must satisfy")
    objective: str | None = Field(default=None, description="revenue | max-min-utility | closest-to RULE | "
                                                            "budget-balance-gap | none")
    rule: str | None = Field(default=None, description="the rule of `closest-to` (e.g. mep, shapley)")
    norm: Literal["l1", "linf"] = Field(default="l1", description="distance of `closest-to` and `budget-balance-gap`")
    delta: float | None = Field(default=None, ge=0, description="δ of `shapley-within`: |x_i − φ_i| ≤ δ")
    epsilon: float | None = Field(default=None, description="ε of `epsilon-core`: x(S) ≥ v(S) − ε")

    @model_validator(mode="after")
    def _objective(self) -> "DesignSpec":
        if self.objective is not None:
            head = self.objective.split()[0] if self.objective.split() else ""
            if head not in DESIGN_OBJECTIVES:
                raise ValueError(f"objective {self.objective!r} is not one of {', '.join(DESIGN_OBJECTIVES)}")
            if head != "closest-to" and len(self.objective.split()) > 1:
                raise ValueError(f"objective {self.objective!r}: only closest-to takes a rule")
        return self
