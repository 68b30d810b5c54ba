"""What every scheme returns, and the scheme registry.

A scheme is one module exposing a :class:`Scheme`; adding one is one line in
:data:`mechsolve.schemes.SCHEMES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..games.game import Game


@dataclass(frozen=True)
class Outcome:
    """Result of applying a scheme to a game.

    Attributes
    ----------
    scheme : str
        Registered name of the scheme.
    allocation : numpy.ndarray
        The primary per-player quantity (payoff, payment or reward) the axioms test.
    per_player : dict
        Named per-player vectors shown in reports (includes ``allocation``'s name).
    scalars : dict
        Named numbers (e.g. ``v(N)``, LP optimum, solver used).
    matrices : dict
        Named ``n×n`` arrays (e.g. conditional Shapley flows).
    notes : tuple of str
        Caveats the user must read (non-unique optimum, assumptions, ...).
    certificates : dict
        JSON-ready exact certificates backing the result (e.g. the nucleolus's stage duals,
        a Bondareva–Shapley proof that the core is empty).
    """

    scheme: str
    allocation: np.ndarray
    allocation_name: str
    per_player: Mapping[str, np.ndarray]
    scalars: Mapping[str, Any] = field(default_factory=dict)
    matrices: Mapping[str, np.ndarray] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    status: str = "solved"
    certificates: Mapping[str, Any] = field(default_factory=dict)

    def as_float(self, *, note: str | None = None) -> Outcome:
        """The same outcome in float64 (an exact outcome shown in a float run), with an extra note."""
        def f(x: Any) -> Any:
            if isinstance(x, np.ndarray):
                return x.astype(np.float64) if x.dtype == object else x
            if isinstance(x, Fraction):
                return float(x)
            return x

        return Outcome(self.scheme, f(self.allocation), self.allocation_name,
                       {k: f(v) for k, v in self.per_player.items()}, {k: f(v) for k, v in self.scalars.items()},
                       {k: f(v) for k, v in self.matrices.items()}, self.notes + ((note,) if note else ()),
                       self.status)


@dataclass(frozen=True)
class Scheme:
    """A registered payment or reward rule.

    ``compute(game, params)`` returns an :class:`Outcome`; ``rule(game, params)``
    returns only the allocation vector (used by axioms that re-run the scheme
    on other games, e.g. additivity). ``axioms`` are checked by default.
    """

    name: str
    summary: str
    source: str
    compute: Callable[[Game, Mapping[str, Any]], Outcome]
    axioms: tuple[str, ...]
    params: Mapping[str, str] = field(default_factory=dict)

    def rule(self, game: Game, params: Mapping[str, Any] | None = None) -> np.ndarray:
        return self.compute(game, params or {}).allocation

    def rule_for(self, params: Mapping[str, Any], players: Sequence[str]) -> Callable[[Game], np.ndarray]:
        """The scheme as a rule on *other* games (derived games of axioms: v_{-j}, sums, replicas).

        Per-party parameters (``budgets``, ``caps``, ``tasks``, ``tau`` as mappings keyed by the
        market's ``players``) are restricted to the players of the game the rule runs on; a
        player the mapping does not name gets the scheme's default for an unlisted party.
        """
        known = set(players)

        def rule(game: Game) -> np.ndarray:
            here = set(game.names)
            p = {k: ({q: x for q, x in v.items() if q in here}
                     if isinstance(v, Mapping) and v and set(map(str, v)) <= known else v)
                 for k, v in params.items()}
            return self.compute(game, p).allocation

        return rule

    def validate_params(self, params: Mapping[str, Any]) -> None:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise InvalidModel(f"scheme {self.name!r} has no parameter {unknown[0]!r}; valid: {valid}",
                               field=f"scheme.{unknown[0]}")
