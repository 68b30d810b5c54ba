"""Any semivalue given by its weights per coalition size (Dubey, Neyman & Weber 1981).

``ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S ∪ {i}) − v(S))`` with the model's ``weights: [p(0), …, p(n−1)]``
(numbers or ``"p/q"``; exact on exact games). The value is a *probabilistic* semivalue when
``Σ_s C(n−1, s) p(s) = 1``; the scheme does not require it (its ``Σ C(n−1,s) p(s)`` is reported as a
scalar). Every semivalue is symmetric, gives null players 0 and is additive; Shapley
(``p(s) = s!(n−1−s)!/n!``) is the only efficient one.

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
>>> compute(g, {"weights": [1, 0]}).allocation.tolist()           # p = (1, 0): the singleton values
[1.0, 2.0]
>>> compute(g, {"weights": ["1/2", "1/2"]}).allocation.tolist()   # Shapley for n = 2
[1.5, 2.5]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidModel
from ..games.game import Game
from ..games.semivalues import semivalue
from .base import Outcome, Scheme
from .vector import parse_number


def weights_for(game: Game, params: Mapping[str, Any]) -> list[Any]:
    """The declared ``weights`` as n numbers (Fractions on exact games), validated."""
    raw = params.get("weights")
    if not isinstance(raw, (list, tuple)):
        raise InvalidModel("scheme `semivalue` needs `weights: [p(0), ..., p(n-1)]`, one weight per coalition "
                           "size", field="scheme.weights")
    if len(raw) != game.n:
        raise InvalidModel(f"{len(raw)} weights for a game of {game.n} players (expected p(0), ..., p({game.n - 1}))",
                           field="scheme.weights")
    ws = [parse_number(w, f"scheme.weights[{s}]") for s, w in enumerate(raw)]
    return ws if game.exact else [float(w) for w in ws]


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """The semivalue with the declared per-size weights."""
    ws = weights_for(game, params)
    x = semivalue(game, ws)
    mass = sum((math.comb(game.n - 1, s) * w for s, w in enumerate(ws)), 0 * ws[0] if ws else 0)
    return Outcome("semivalue", x, "semivalue", {"semivalue": x},
                   {"v(N)": game.grand_value, "Σ_s C(n−1,s) p(s)": mass, "Σ semivalue": x.sum()})


SCHEME = Scheme("semivalue", "semivalue with given weights p(|S|): ψ_i = Σ_S p(|S|)(v(S∪i) − v(S))",
                "Dubey, Neyman & Weber (1981); Kwon & Zou (2022) Sec. 2", compute,
                ("symmetry", "null-player", "additivity"),
                {"weights": "[p(0), ..., p(n-1)]: one weight per coalition size (numbers or 'p/q')"})
