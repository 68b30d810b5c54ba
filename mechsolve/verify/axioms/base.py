"""The axiom object: a statement, its source, what it needs, and its residuals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ...games.game import Game
from ...schemes.base import Outcome

Rule = Callable[[Game], np.ndarray]


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
            return abs(d)
        if self.relation == ">=":
            return max(-d, 0 * d)
        return max(d, 0 * d)


@dataclass(frozen=True)
class AxiomContext:
    """Everything an axiom may look at.

    ``rule`` re-runs the scheme on another game (same parameters), needed by
    axioms quantified over games (additivity, decomposition).
    """

    game: Game
    outcome: Outcome
    rule: Rule
    tolerance: float = 1e-9
    seed: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.game.exact


@dataclass(frozen=True)
class Axiom:
    """One axiom: name, statement, paper source, needs, and a residual generator.

    ``precondition(ctx)`` returns ``None`` when the axiom applies, else the reason it
    does not (the verdict is then ``not-applicable``). ``residuals(ctx)`` yields one
    :class:`Residual` per tested witness. ``premise_note(ctx)`` may explain why a
    violation is expected (e.g. a theorem's premise the game does not meet).
    """

    name: str
    statement: str
    source: str
    needs: tuple[str, ...]
    residuals: Callable[[AxiomContext], Iterable[Residual]]
    precondition: Callable[[AxiomContext], str | None] = lambda ctx: None
    premise_note: Callable[[AxiomContext], str | None] = lambda ctx: None
    tolerance: float | None = None  # overrides the run's tolerance (e.g. rounded published values)


def zero(ctx: AxiomContext) -> Any:
    """0 of the game's number type."""
    return Fraction(0) if ctx.exact else 0.0


def num(x: Any) -> Any:
    """A plain Python number (Fraction kept) for reports."""
    if isinstance(x, Fraction):
        return x
    return float(x)
