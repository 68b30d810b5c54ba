"""mechsolve: solve and verify payment and reward mechanisms for collaborative ML and data markets.

The public API (:mod:`mechsolve.api`) is imported on first use, so ``import mechsolve`` stays
fast (no pydantic, PuLP, sympy, z3, pandas or matplotlib until a function needs them):

>>> import mechsolve as ms
>>> g = ms.Game.from_array([0, 1, 2, 4], players=["alice", "bob"])
>>> ms.shapley(g).to_dict()
{'alice': 1.5, 'bob': 2.5}
"""

from __future__ import annotations

import importlib
import inspect
import types
from typing import TYPE_CHECKING, Any

from . import verify
from ._version import __version__
from .errors import InvalidModel, MechsolveError, SolverError, Unsupported

#: Public name → the module that defines it (imported on first access, PEP 562).
_LAZY = {
    **{name: "mechsolve.api" for name in (
        "load", "Model", "solve", "check", "design", "shapley", "banzhaf", "semivalue", "beta_shapley",
        "Solution", "MechanismSolution", "PaymentCheck", "CheckReport", "Verdict", "as_game", "to_shapiq", "to_pydvl",
        "python_scheme", "PAYMENT_AXIOMS")},
    "Game": "mechsolve.games.game",
    "replicate": "mechsolve.games.game",
    "conditional_shapley": "mechsolve.games.shapley",
    "monte_carlo_shapley": "mechsolve.games.shapley",
    "Status": "mechsolve.result",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and documentation tools
    from .api import (PAYMENT_AXIOMS, CheckReport, MechanismSolution, Model, PaymentCheck, Solution, Verdict, as_game, banzhaf,
                      beta_shapley, check, design, load, python_scheme, semivalue, shapley, solve, to_pydvl,
                      to_shapiq)
    from .games.game import Game, replicate
    from .games.shapley import conditional_shapley, monte_carlo_shapley
    from .result import Status


class _CallablePackage(types.ModuleType):
    """``mechsolve.verify`` is the verification package *and*, called, the search :func:`mechsolve.api.verify`.

    The import system binds the subpackage ``mechsolve.verify`` to the name ``verify`` of this
    package whenever it is first imported, which would hide the public function of the same
    name; so the package itself is callable: ``mechsolve.verify("shapley", "null-player")``
    runs the search, and ``import mechsolve.verify.analysis`` keeps working.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .api.functions import verify as search

        return search(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        from .api.functions import verify as search

        return inspect.signature(search)


verify.__class__ = _CallablePackage


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mechsolve' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    if module != "mechsolve.api":
        importlib.import_module("mechsolve.api")   # results render as HTML and JSON from first use
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = sorted(["__version__", "MechsolveError", "InvalidModel", "Unsupported", "SolverError", "verify", *_LAZY])
