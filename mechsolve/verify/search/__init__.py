"""Counterexample search: one engine over search spaces (cooperative games, mechanism designs).

* :mod:`.space` — the :class:`Space` protocol (draw, mutate, reductions, complexity, assess,
  confirm, to-model, describe) and the one :class:`SearchResult` / :class:`Counterexample`;
* :mod:`.engine` — :func:`run`: seeded chunks over local processes or Dask, screening,
  hill-climbing on the residual, shrinking, exact confirmation, statistics;
* :mod:`.families` and :mod:`.games` — cooperative games from families under a registered
  scheme (built-in or user-proposed): :class:`GameSpace`, :func:`search`;
* :mod:`.mechanisms` — Chen et al.'s mechanism-design instances: :class:`MechanismSpace`,
  :func:`search_mechanism`.

A new kind of model is searched by writing its space; the engine, the results, the report
(:func:`mechsolve.report.documents.search_document`) and the written model file come with it.
"""

from .engine import CHUNK_SIZE, run
from .games import GameSpace, search
from .mechanisms import MechanismSpace, search_mechanism
from .space import Counterexample, SearchInterrupted, SearchResult, Space, parse_sizes

__all__ = ["run", "search", "search_mechanism", "GameSpace", "MechanismSpace", "Space", "SearchResult",
           "Counterexample", "SearchInterrupted", "parse_sizes", "CHUNK_SIZE"]
