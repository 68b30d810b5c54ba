"""A given payoff vector as a scheme: check any allocation (a user's, or one ``mechsolve design`` wrote).

``scheme: {name: vector, values: {player: number}}``; numbers may be exact rationals written
``"p/q"`` (so a designed rule is checked exactly). Every player must be listed.

Examples
--------
>>> from mechsolve.games import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 1, 3], exact=True)
>>> [str(x) for x in compute(g, {"values": {"a": "3/2", "b": 1.5}}).allocation]
['3/2', '3/2']
>>> str(parse_number(np.float64(0.1), "x")), str(parse_number(np.int64(2), "x"))
('1/10', '2')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..games.game import Game
from .base import Outcome, Scheme


def parse_number(x: Any, field: str) -> Fraction:
    """A YAML number or a ``"p/q"`` / decimal string as the exact rational it denotes."""
    if isinstance(x, (bool, np.bool_)):
        raise InvalidModel(f"must be a number, got {x!r}", field=field)
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(x):
            raise InvalidModel(f"must be a finite number, got {x!r}", field=field)
        return Fraction(repr(float(x)))   # numpy 2's repr of np.float64 is "np.float64(...)"
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidModel(f"must be a number or a fraction 'p/q', got {x!r}", field=field) from None
    raise InvalidModel(f"must be a number, got {x!r}", field=field)


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """The declared vector, exact on exact games."""
    vals = params.get("values")
    if not isinstance(vals, Mapping):
        raise InvalidModel("scheme `vector` needs `values: {player: number}`", field="scheme.values")
    unknown = [p for p in vals if p not in game.index]
    if unknown:
        raise InvalidModel(f"unknown player {unknown[0]!r}; players are: {', '.join(game.names)}",
                           field=f"scheme.values.{unknown[0]}")
    missing = [p for p in game.names if p not in vals]
    if missing:
        raise InvalidModel(f"no value for player {missing[0]!r} (list every player)",
                           field=f"scheme.values.{missing[0]}")
    exact = [parse_number(vals[p], f"scheme.values.{p}") for p in game.names]
    if game.exact:
        x = np.empty(game.n, dtype=object)
        x[:] = exact
    else:
        x = np.array([float(v) for v in exact])
    return Outcome("vector", x, "payoff", {"payoff": x}, {"v(N)": game.grand_value, "Σ payoff": x.sum()})


SCHEME = Scheme("vector", "a given payoff vector (a user's rule, or one `mechsolve design` wrote)",
                "the model's `scheme.values`", compute, ("efficiency", "individual-rationality", "core"),
                {"values": "{player: number or 'p/q'} — every player"})
