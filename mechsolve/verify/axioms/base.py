"""The axiom object: a statement, its source, what it needs, and its residuals.

One type for every model kind. An axiom yields *residuals* — one :class:`Residual` per tested
witness, or a vectorised :class:`Block` of many — and the one evaluator
(:func:`mechsolve.verify.check.evaluate`) turns them into a verdict with the tolerance rule of
:mod:`mechsolve.decide`.

What an axiom ``needs`` is declared and read: ``"game"`` (a cooperative market) or ``"mechanism"``
(a mechanism-design model), and outcome quantities ``"per_player:NAME"``, ``"matrix:NAME"``,
``"scalar:NAME"``, ``"allocation:A|B"``. A need the model kind or the scheme does not meet makes
the verdict ``not-applicable`` *to the scheme or kind* (asked for explicitly, that is bad input);
a premise the instance does not meet (``precondition``) makes it ``not-applicable`` *on this
instance*, which is a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Union

import numpy as np

from ...games.game import Game
from ...schemes.base import Outcome

Rule = Callable[[Game], np.ndarray]
Witness = Callable[[tuple[int, ...]], dict[str, Any]]


@dataclass(frozen=True)
class Residual:
    """One tested instance of an axiom: ``got`` must stand in ``relation`` to ``expected``.

    ``relation`` is ``"="``, ``">="`` (got ≥ expected) or ``"<="``; :attr:`margin`
    is by how much it fails (0 when it holds exactly).
    """

    witness: Mapping[str, Any]
    expected: Any
    got: Any
    relation: str = "="

    @property
    def margin(self) -> Any:
        d = self.got - self.expected
        if self.relation == "=":
            m = abs(d)
        elif self.relation == ">=":
            m = max(-d, 0 * d)
        else:
            m = max(d, 0 * d)
        return m + 0.0 if isinstance(m, float) else m   # never a "-0" margin


@dataclass(frozen=True)
class Block:
    """Many inequalities ``got relation expected`` over an array; ``witness(idx)`` names one."""

    expected: np.ndarray
    got: np.ndarray
    relation: str
    witness: Witness

    def margins(self) -> np.ndarray:
        """By how much each inequality fails (0 where it holds), same shape as ``got``."""
        d = self.got - self.expected
        if self.relation == "=":
            return abs(d)
        if d.dtype == object:
            f = (lambda x: max(-x, 0 * x)) if self.relation == ">=" else (lambda x: max(x, 0 * x))
            return np.vectorize(f, otypes=[object])(d)
        return np.maximum(-d, 0 * d) if self.relation == ">=" else np.maximum(d, 0 * d)

    def residual(self, idx: tuple[int, ...]) -> Residual:
        """The inequality at ``idx`` as a :class:`Residual`."""
        exp = np.broadcast_to(self.expected, self.got.shape)
        return Residual(self.witness(idx), _as_py(exp[idx]), _as_py(self.got[idx]), self.relation)


def _as_py(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


@dataclass(frozen=True)
class _Context:
    """What every context has: the run's tolerance, a seed, extras, and an exact twin.

    ``tolerance`` is the run's tolerance; :attr:`tol` is the one verdicts use: 0 in exact
    arithmetic (``--exact``), except in a twin built to *confirm* a float run's borderline
    verdict exactly (``keep_tolerance``), which decides at the run's tolerance.
    ``exact_twin()`` returns the same context in exact rational arithmetic, or ``None`` when
    the data are not rational (then borderline verdicts are reported as such).
    """

    tolerance: float = 1e-9
    seed: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)
    exact_twin: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    keep_tolerance: bool = False

    @property
    def exact(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def tol(self) -> float:
        """The tolerance of verdicts and premises in this context."""
        return self.tolerance if (self.keep_tolerance or not self.exact) else 0.0


@dataclass(frozen=True, kw_only=True)
class AxiomContext(_Context):
    """Everything a cooperative-market axiom may look at.

    ``rule`` re-runs the scheme on another game (same parameters), needed by
    axioms quantified over games (additivity, decomposition).
    """

    game: Game
    outcome: Outcome
    rule: Rule

    kind = "market"

    def __init__(self, game: Game, outcome: Outcome, rule: Rule, tolerance: float = 1e-9, seed: int = 0,
                 extra: Mapping[str, Any] | None = None, exact_twin: Callable[[], Any] | None = None,
                 keep_tolerance: bool = False) -> None:
        object.__setattr__(self, "game", game)
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "tolerance", tolerance)
        object.__setattr__(self, "seed", seed)
        object.__setattr__(self, "extra", extra if extra is not None else {})
        object.__setattr__(self, "exact_twin", exact_twin)
        object.__setattr__(self, "keep_tolerance", keep_tolerance)

    @property
    def exact(self) -> bool:
        return self.game.exact


@dataclass(frozen=True, eq=False, kw_only=True)
class MechanismContext(_Context):
    """What a mechanism axiom looks at: the instance, the payment table, tolerance."""

    instance: Any  # mechsolve.mechanism.instance.MechanismInstance
    payments: np.ndarray
    payment_rule: str = "max-payment"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    kind = "mechanism"

    def __init__(self, instance: Any, payments: np.ndarray, payment_rule: str = "max-payment",
                 tolerance: float = 1e-9, seed: int = 0, extra: Mapping[str, Any] | None = None,
                 exact_twin: Callable[[], Any] | None = None, keep_tolerance: bool = False) -> None:
        object.__setattr__(self, "instance", instance)
        object.__setattr__(self, "payments", payments)
        object.__setattr__(self, "payment_rule", payment_rule)
        object.__setattr__(self, "tolerance", tolerance)
        object.__setattr__(self, "seed", seed)
        object.__setattr__(self, "extra", extra if extra is not None else {})
        object.__setattr__(self, "exact_twin", exact_twin)
        object.__setattr__(self, "keep_tolerance", keep_tolerance)
        object.__setattr__(self, "_cache", {})

    @property
    def exact(self) -> bool:
        return bool(self.instance.exact)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


Context = Union[AxiomContext, MechanismContext]
#: The base a new model kind's context derives from (tolerance, seed, extras, exact twin; set ``kind``).
BaseContext = _Context


def _no_premise(ctx: Any) -> str | None:
    return None


@dataclass(frozen=True)
class Axiom:
    """One axiom: name, statement, paper source, declared needs, and a residual generator.

    ``residuals(ctx)`` yields :class:`Residual` s and/or :class:`Block` s.
    ``precondition(ctx)`` returns ``None`` when the axiom's premise holds on the instance,
    else the reason it does not (the verdict is then ``not-applicable`` on this instance).
    ``premise_note(ctx)`` may explain why a violation is expected (e.g. a theorem's
    premise the game does not meet). ``tolerance`` overrides the run's (published values
    rounded by their authors).
    """

    name: str
    statement: str
    source: str
    needs: tuple[str, ...]
    residuals: Callable[[Any], Iterable[Residual | Block]]
    precondition: Callable[[Any], str | None] = _no_premise
    premise_note: Callable[[Any], str | None] = _no_premise
    tolerance: float | None = None

    @property
    def kind(self) -> str:
        """The model kind the axiom is stated for: ``"mechanism"``, ``"market"`` (it needs a ``"game"``)
        or, for a new kind, its first plain need (the context's ``kind``)."""
        if "mechanism" in self.needs:
            return "mechanism"
        plain = [n for n in self.needs if ":" not in n and n not in ("game", "outcome")]
        return plain[0] if plain and "game" not in self.needs else "market"


def unmet_need(axiom: Axiom, ctx: Any) -> tuple[str, str] | None:
    """``(scope, reason)`` when ``ctx`` cannot meet a declared need of ``axiom``, else ``None``.

    ``scope`` is ``"kind"`` (the axiom is stated for another model kind) or ``"scheme"`` (the
    scheme does not produce a quantity the axiom reads).
    """
    kind = getattr(ctx, "kind", "market")
    if axiom.kind != kind:
        what = ("mechanism-design models (kind: mechanism-design)" if axiom.kind == "mechanism"
                else "cooperative markets (kind: cooperative-market)" if axiom.kind == "market"
                else f"{axiom.kind} models")
        return "kind", f"applies to {what}, not to this model's kind"
    if kind != "market":
        return None
    o = ctx.outcome
    for need in axiom.needs:
        key, _, arg = need.partition(":")
        if not arg:
            continue
        if key == "per_player":
            missing = [q for q in arg.split(",") if q not in o.per_player]
            if missing:
                return "scheme", f"scheme {o.scheme!r} does not produce {', '.join(missing)}"
        elif key == "matrix" and arg not in o.matrices:
            return "scheme", f"scheme {o.scheme!r} has no payoff {arg}" if arg == "flows" else \
                f"scheme {o.scheme!r} has no {arg} matrix"
        elif key == "scalar" and arg not in o.scalars:
            return "scheme", f"scheme {o.scheme!r} has no {arg!r}"
        elif key == "allocation" and o.allocation_name not in arg.split("|"):
            return "scheme", (f"the allocation of {o.scheme!r} is {o.allocation_name!r}, not a transfer "
                              f"({' or '.join(arg.split('|'))}) that should sum to zero")
    return None


def zero(ctx: Any) -> Any:
    """0 of the context's number type."""
    return Fraction(0) if ctx.exact else 0.0


def num(x: Any) -> Any:
    """A plain Python number (Fraction kept) for reports."""
    if isinstance(x, Fraction):
        return x
    return float(x)


__all__ = ["Residual", "Block", "AxiomContext", "MechanismContext", "Context", "BaseContext", "Axiom", "unmet_need", "zero",
           "num", "Rule", "Witness"]
