"""A payment rule written as Python, for `mechsolve verify --scheme-callable models/my_rule.py:payments`.

The rule gets the game (:class:`mechsolve.games.Game`: ``game.n``, ``game.names``, ``game.values``
in bitmask order, ``game.grand_value``) and returns one payment per player. This one is the
egalitarian Shapley value, half the Shapley value plus half the equal split of v(N): efficient,
symmetric and additive, but it pays a null player v(N)/(2n) (and need not be individually
rational), so `verify` finds a null-player counterexample (exit 1). Running it runs this file: only pass files you trust.
"""

from mechsolve.games.shapley import shapley


def payments(game):
    """(φ_i + v(N)/n) / 2 for every player i (exact games stay exact)."""
    phi = shapley(game)
    return [(p + game.grand_value / game.n) / 2 for p in phi]
