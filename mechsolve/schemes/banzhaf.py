"""The Banzhaf value as an allocation (Banzhaf 1965; Dubey & Shapley 1979).

``β_i = 2^{−(n−1)} Σ_{S ⊆ N∖{i}} (v(S ∪ {i}) − v(S))``: every coalition not containing ``i``
weighs the same. It is symmetric, gives null players 0 and is additive, but it is **not
efficient** (``Σ_i β_i ≠ v(N)`` in general), so ``efficiency`` is not among its default axioms
(check it explicitly to see by how much it fails). In data valuation it is the most robust
semivalue to noise in ``v`` (Wang & Jia 2023, "Data Banzhaf", AISTATS).

Examples
--------
>>> from mechsolve.games.game import Game
>>> compute(Game.from_values(["a", "b"], [0, 1, 2, 4]), {}).allocation.tolist()
[1.5, 2.5]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..games.game import Game
from ..games.semivalues import banzhaf
from .base import Outcome, Scheme


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """The Banzhaf value (exact on exact games)."""
    b = banzhaf(game)
    return Outcome("banzhaf", b, "banzhaf", {"banzhaf": b}, {"v(N)": game.grand_value, "Σ banzhaf": b.sum()})


SCHEME = Scheme("banzhaf", "Banzhaf value β_i = 2^{−(n−1)} Σ_S (v(S∪i) − v(S)) (not efficient)",
                "Banzhaf (1965); Wang & Jia (2023) Data Banzhaf", compute,
                ("symmetry", "null-player", "additivity"))
