"""The Python API: load, solve, check, verify, design, and labelled values.

The face of the rooms below it (``model`` → ``games`` → ``schemes`` … → ``verify`` → ``report``):
:func:`load` a model file (or build a :class:`Model`), build a :class:`Game` from an array, a
function or a table (or hand over a shapiq game or a pyDVL utility), then :func:`solve`,
:func:`check` (a scheme, or your own payments), :func:`verify` (search for a counterexample) or
:func:`design` (a rule from axioms). Results are labelled by player and convert to dicts,
JSON (the CLI's) and DataFrames; notebooks show the HTML report's tables.

Examples
--------
>>> g = Game.from_array([0, 1, 2, 4], players=["alice", "bob"])
>>> shapley(g)["alice"], banzhaf(g).to_dict()
(1.5, {'alice': 1.5, 'bob': 2.5})
"""

from ..games.game import Game
from ..verify.verdict import CheckReport, Verdict
from . import display as _display  # noqa: F401  (installs the HTML and JSON renderers on every result)
from .functions import (PAYMENT_AXIOMS, banzhaf, beta_shapley, check, design, python_scheme, semivalue, shapley, solve,
                        verify)
from .interop import as_game, to_pydvl, to_shapiq
from .model import Model, load
from .results import MechanismSolution, PaymentCheck, Solution

__all__ = ["load", "Model", "Game", "solve", "check", "verify", "design", "shapley", "banzhaf", "semivalue",
           "beta_shapley", "Solution", "MechanismSolution", "PaymentCheck", "CheckReport", "Verdict", "as_game", "to_shapiq",
           "to_pydvl", "python_scheme", "PAYMENT_AXIOMS"]
