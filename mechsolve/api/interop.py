"""Interoperability with shapiq and pyDVL: their games in, their result types out.

**In.** Wherever the API takes a game it also takes a shapiq ``Game`` (or anything with an integer
``n_players`` called on a boolean coalition matrix) and a pyDVL ``Utility`` (called on data
indices, with ``data.indices``), read by protocol (:mod:`mechsolve.games.protocols`), so
neither package is imported for it. With ``method="auto"`` such a game is tabulated — every
one of its ``2^n`` coalitions evaluated once — when ``n ≤`` :data:`EXACT_LIMIT`, and sampled
(Monte Carlo permutations, :func:`mechsolve.games.shapley.monte_carlo_shapley`) above it.

**Out.** :func:`to_shapiq` gives shapiq ``InteractionValues`` (index ``"SV"`` for Shapley,
``"BV"`` for Banzhaf, with the empty interaction holding ``v(∅)`` as shapiq's own
``ExactComputer`` does); :func:`to_pydvl` a pyDVL ``ValuationResult`` (values, variances
``std_error²`` of an estimate, data names). Both need their package (``pip install
'mechsolve[compat]'``).

pyDVL: its last release, 0.10.0, pins ``numpy<2`` and mechsolve needs numpy ≥ 2, so the two
cannot share an environment; pyDVL 0.9.2 installs alongside numpy 2 but still names
``np.float_``, which numpy 2 removed (pyDVL issue #617). :func:`to_pydvl` therefore imports
pyDVL after restoring that one alias (``np.float_ = np.float64``, what it was in numpy 1.x) when
the import fails on exactly it; nothing else of numpy is touched. This is what the test suite
runs (pyDVL 0.9.2 with numpy 2).

Examples
--------
>>> class Majority:                                   # the shapiq protocol, without shapiq
...     n_players = 3
...     def __call__(self, coalitions):
...         return (coalitions.sum(axis=1) >= 2).astype(float)
>>> as_game(Majority()).names, as_game(Majority()).grand_value
(('0', '1', '2'), 1.0)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..games import protocols
from ..games.game import Game
from .model import Model

#: Largest n for which ``method="auto"`` tabulates a shapiq game or pyDVL utility (2^16 = 65,536 calls).
EXACT_LIMIT = 16
#: Scheme → shapiq index of the values it computes.
SHAPIQ_INDEX = {"shapley": "SV", "banzhaf": "BV"}


def is_foreign(obj: Any) -> bool:
    """True for a shapiq-style game or a pyDVL-style utility (not a mechsolve :class:`Game`)."""
    return not isinstance(obj, Game) and (protocols.is_matrix_game(obj) or protocols.is_index_utility(obj))


def foreign_size(obj: Any) -> int:
    """Number of players of a shapiq-style game or pyDVL-style utility."""
    return len(protocols.players_of(obj))


def as_game(obj: Any, *, exact: bool = False, limit: int | None = EXACT_LIMIT) -> Game:
    """A :class:`Game` from anything the API accepts as a game.

    ``Game`` (as is, or exact), :class:`Model` (its game), a shapiq game or pyDVL utility
    (tabulated: all ``2^n`` coalitions, for ``n ≤ limit``), a 1-D array of ``2^n`` values in
    bitmask order (:meth:`Game.from_array`) or a ``{coalition: value}`` mapping
    (:meth:`Game.from_table`).

    Examples
    --------
    >>> as_game([0, 1, 2, 4]).names, as_game({"": 0, "x": 1, "y": 1, "x,y": 3}).value("x,y")
    (('0', '1'), 3.0)

    Raises
    ------
    InvalidModel
        For anything else, naming what would be accepted.
    Unsupported
        For a shapiq game or pyDVL utility of more than ``limit`` players (default
        :data:`EXACT_LIMIT`): ``2^n`` calls of its code (model trainings, for a pyDVL utility)
        are not made unasked; ``limit=None`` or :meth:`Game.from_object` tabulates it anyway.
    """
    if isinstance(obj, Game):
        return obj.to_exact(decimals=True) if exact and not obj.exact else obj
    if isinstance(obj, Model):
        return obj.game(exact=exact or None)
    if is_foreign(obj):
        n = foreign_size(obj)
        if limit is not None and n > limit:
            raise Unsupported(f"{protocols.describe(obj)} has {n} players: this needs its values on all 2^{n} "
                              f"coalitions, which are evaluated only up to n = {limit} unless asked; "
                              "Shapley values are sampled (ms.shapley), or tabulate it with "
                              "Game.from_object(...) (or method='exact' in solve)", field="game")
        return Game.from_object(obj, exact=exact)
    if isinstance(obj, np.ndarray) or (isinstance(obj, (list, tuple)) and obj and
                                       all(isinstance(x, (int, float, np.number)) for x in obj)):
        return Game.from_array(obj, exact=exact)
    if isinstance(obj, Mapping):
        return Game.from_table(obj, exact=exact)
    raise InvalidModel(f"expected a game: a mechsolve Game or Model, a shapiq Game (an integer `n_players` and a "
                       f"call on a boolean coalition matrix), a pyDVL Utility, an array of 2^n values or a "
                       f"{{coalition: value}} mapping; got {protocols.describe(obj)}", field="game")


def _module(name: str, extra: str = "compat") -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise Unsupported(f"this needs {name.split('.')[0]}: pip install 'mechsolve[{extra}]'", field=name) from None


def to_shapiq(solution: Any) -> Any:
    """``shapiq.InteractionValues`` of a Shapley or Banzhaf solution (order 1, the empty interaction = ``v(∅)``).

    Raises
    ------
    Unsupported
        Without shapiq, or for a scheme shapiq has no index for (only ``SV`` and ``BV`` are values).

    Examples
    --------
    >>> from mechsolve.api import banzhaf
    >>> iv = to_shapiq(banzhaf(Game.from_array([0, 1, 2, 4], players=["a", "b"])))
    >>> iv.index, iv.n_players, iv.get_n_order_values(1).tolist()
    ('BV', 2, [1.5, 2.5])
    """
    index = SHAPIQ_INDEX.get(solution.scheme)
    if index is None:
        raise Unsupported(f"shapiq has no interaction index for scheme {solution.scheme!r}; it exports "
                          f"{', '.join(SHAPIQ_INDEX)} (as {', '.join(SHAPIQ_INDEX.values())})", field="to_shapiq")
    shapiq = _module("shapiq")
    n = len(solution.players)
    game = solution.game
    empty = float(game.values[0]) if game is not None else float(getattr(solution.analysis, "empty_value", 0.0))
    values = np.concatenate([[empty], np.asarray(solution.allocation, dtype=np.float64)])
    lookup = {(): 0, **{(k,): k + 1 for k in range(n)}}
    estimated = solution.std_error is not None
    budget = solution.scalars.get("value calls") if estimated else None
    return shapiq.InteractionValues(values, index=index, max_order=1, min_order=0, n_players=n,
                                    interaction_lookup=lookup, estimated=estimated,
                                    estimation_budget=int(budget) if budget is not None else None,
                                    baseline_value=empty)


def import_pydvl() -> Any:
    """``pydvl.value`` (ValuationResult) and ``pydvl.utils.status`` (Status), importable under numpy 2.

    pyDVL ≤ 0.9.2 names ``np.float_`` (removed in numpy 2; pyDVL 0.10 pins numpy<2 instead). When
    the import fails on exactly that name, the alias numpy 1.x had (``np.float64``) is restored
    and the import retried; any other failure is reported as it is.
    """
    try:
        return _module("pydvl.value"), _module("pydvl.utils.status")
    except AttributeError as exc:
        if "float_" not in str(exc) or hasattr(np, "float_"):
            raise
    for name in [m for m in sys.modules if m == "pydvl" or m.startswith("pydvl.")]:
        del sys.modules[name]       # the half-imported package, before the retry
    np.float_ = np.float64  # type: ignore[attr-defined]
    return _module("pydvl.value"), _module("pydvl.utils.status")


def to_pydvl(solution: Any) -> Any:
    """A pyDVL ``ValuationResult``: values in player order, ``data_names`` = player names.

    ``variances`` are the squared standard errors of a Monte Carlo estimate (0 when exact),
    ``counts`` its permutations (1 when exact); the status is ``Converged`` for an exact value
    or a converged estimate, else ``Pending``. Exact (Fraction) values are converted to float.

    Examples
    --------
    >>> import warnings
    >>> from mechsolve.api import shapley
    >>> with warnings.catch_warnings():                   # pyDVL 0.9.2 announces its own deprecations
    ...     warnings.simplefilter("ignore")
    ...     r = to_pydvl(shapley(Game.from_array([0, 1, 2, 4], players=["a", "b"])))
    >>> r.values.tolist(), [str(x) for x in r.names], r.status.name
    ([1.5, 2.5], ['a', 'b'], 'Converged')
    """
    value_mod, status_mod = import_pydvl()
    n = len(solution.players)
    se = solution.std_error
    variances = np.zeros(n) if se is None else np.asarray(se, dtype=np.float64) ** 2
    perms = solution.scalars.get("permutations")
    counts = np.full(n, int(perms) if se is not None and perms else 1, dtype=np.int_)
    converged = se is None or bool(solution.scalars.get("converged", False))
    status = status_mod.Status.Converged if converged else status_mod.Status.Pending
    return value_mod.ValuationResult(values=np.asarray(solution.allocation, dtype=np.float64), variances=variances,
                                     counts=counts, indices=np.arange(n),
                                     data_names=np.array(solution.players, dtype=object),
                                     algorithm=f"mechsolve {solution.scheme}", status=status)


__all__ = ["EXACT_LIMIT", "SHAPIQ_INDEX", "is_foreign", "foreign_size", "as_game", "to_shapiq", "to_pydvl",
           "import_pydvl"]
