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
from ..games.semivalues import Semivalue


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
    #: ``semivalue(params)``: the :class:`~mechsolve.games.semivalues.Semivalue` the rule is
    #: with these parameters, or ``None`` (see :class:`BoundRule`).
    semivalue: Callable[[Mapping[str, Any]], Semivalue | None] | None = None

    def rule(self, game: Game, params: Mapping[str, Any] | None = None) -> np.ndarray:
        return self.compute(game, params or {}).allocation

    def rule_for(self, params: Mapping[str, Any], players: Sequence[str]) -> BoundRule:
        """The scheme as a rule on *other* games (derived games of axioms: v_{-j}, sums, replicas).

        Per-party parameters (``budgets``, ``caps``, ``tasks``, ``tau`` as mappings keyed by the
        market's ``players``) are restricted to the players of the game the rule runs on; a
        player the mapping does not name gets the scheme's default for an unlisted party.
        """
        return BoundRule(self, dict(params), frozenset(players))

    def bind(self, params: Mapping[str, Any] | None = None) -> BoundRule:
        """The rule with fixed parameters, as the callable the axioms re-run on other games."""
        return BoundRule(self, dict(params or {}), frozenset())

    def validate_params(self, params: Mapping[str, Any]) -> None:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise InvalidModel(f"scheme {self.name!r} has no parameter {unknown[0]!r}; valid: {valid}",
                               field=f"scheme.{unknown[0]}")


@dataclass(frozen=True, eq=False)
class BoundRule:
    """``scheme.rule(game, params)`` with the parameters fixed (see :meth:`Scheme.rule_for`).

    Per-party parameters keyed by ``players`` are restricted to the players of the game the
    rule runs on. :attr:`semivalue` is the scheme's declaration that this rule is a
    semivalue (``None`` otherwise): axioms quantified over other games use it to evaluate
    the rule on games they never materialise (additivity, decomposition).

    Examples
    --------
    >>> from mechsolve.schemes import get_scheme
    >>> r = get_scheme("shapley").bind({})
    >>> r(Game.from_values(["a", "b"], [0, 1, 2, 4])).tolist(), r.semivalue
    ([1.5, 2.5], Semivalue(kind='shapley', alpha=1, beta=1))
    """

    scheme: Scheme
    params: Mapping[str, Any]
    players: frozenset[str] = frozenset()

    def __call__(self, game: Game) -> np.ndarray:
        here = set(game.names)
        p = {k: ({q: x for q, x in v.items() if q in here}
                 if isinstance(v, Mapping) and v and set(map(str, v)) <= self.players else v)
             for k, v in self.params.items()}
        return self.scheme.compute(game, p).allocation

    @property
    def semivalue(self) -> Semivalue | None:
        return self.scheme.semivalue(self.params) if self.scheme.semivalue is not None else None

