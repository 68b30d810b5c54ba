"""Beta-Shapley as an allocation (Kwon & Zou 2022, AISTATS, Sec. 3).

The semivalue ``ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S ∪ {i}) − v(S))`` with
``p(s) = B(s+β, n−1−s+α)/B(α, β)``, computed exactly as ``[β]_s [α]_{n−1−s} / [α+β]_{n−1}``
(rising factorials), so rational ``α, β`` on an exact game give exact values. ``alpha``
(default 16) and ``beta`` (default 1) are Kwon & Zou's ``(α, β)``: Beta(16, 1) puts most weight on
small coalitions (their recommendation for noisy data values), Beta(1, 1) is the Shapley value.
Symmetric, null players get 0, additive; efficient only for ``α = β = 1``.

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 2, 4], exact=True)
>>> [str(x) for x in compute(g, {"alpha": 16, "beta": 1}).allocation]
['18/17', '35/17']
>>> compute(g, {"alpha": 1, "beta": 1}).allocation.tolist() == [1.5, 2.5]   # Beta(1, 1) = Shapley
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..games.game import Game
from ..games.semivalues import beta_shapley
from .base import Outcome, Scheme
from .vector import parse_number


def _param(params: Mapping[str, Any], key: str, default: Any, exact: bool) -> Any:
    x = parse_number(params.get(key, default), f"scheme.{key}")
    return x if exact else float(x)


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Beta-Shapley values with ``alpha``, ``beta`` (numbers or ``"p/q"``; defaults 16, 1)."""
    a, b = _param(params, "alpha", 16, game.exact), _param(params, "beta", 1, game.exact)
    x = beta_shapley(game, a, b)
    return Outcome("beta-shapley", x, "beta_shapley", {"beta_shapley": x},
                   {"v(N)": game.grand_value, "alpha": a, "beta": b, "Σ beta_shapley": x.sum()})


SCHEME = Scheme("beta-shapley", "Beta(α, β)-Shapley semivalue, p(s) = B(s+β, n−1−s+α)/B(α, β) (default α=16, β=1)",
                "Kwon & Zou (2022) Beta Shapley, Sec. 3", compute, ("symmetry", "null-player", "additivity"),
                {"alpha": "α > 0 (default 16; number or 'p/q')", "beta": "β > 0 (default 1; number or 'p/q')"})
