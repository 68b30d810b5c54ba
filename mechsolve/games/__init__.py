"""Games: the bitmask-indexed characteristic function, its properties, and its values.

:class:`~mechsolve.games.game.Game` (float or exact), replication, property
predicates, exact / conditional / Monte Carlo Shapley and semivalues.
"""

from .game import Game, replicate

__all__ = ["Game", "replicate"]
