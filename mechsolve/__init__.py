"""mechsolve: solve and verify payment and reward mechanisms for collaborative ML and data markets."""

from .errors import InvalidModel, MechsolveError, SolverError, Unsupported
from .games.game import Game, replicate
from .games.shapley import conditional_shapley, monte_carlo_shapley, shapley

from ._version import __version__

__all__ = ["Game", "replicate", "shapley", "conditional_shapley", "monte_carlo_shapley",
           "MechsolveError", "InvalidModel", "Unsupported", "SolverError", "__version__"]
