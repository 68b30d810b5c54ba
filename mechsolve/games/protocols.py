"""The field's game objects read by protocol, without importing their packages.

Two protocols are recognised wherever mechsolve takes a game:

* a **coalition-matrix game** — shapiq's ``Game`` (Muschalik et al. 2024), or anything with an
  integer ``n_players`` that is called with a boolean ``(rows, n_players)`` matrix (row ``r``
  is one coalition, column ``k`` is player ``k``) and returns ``rows`` values. Player names come
  from shapiq's ``player_name_lookup`` (``{name: index}``) when it names every player, else
  they are the indices ``"0" … "n−1"``;
* an **index utility** — pyDVL's ``Utility`` (``pydvl.utils.Utility``, pyDVL ≤ 0.10), or
  anything callable with an iterable of data indices that has ``data.indices``; names come
  from ``data.data_names`` (else the indices).

Tabulating evaluates the object on all ``2^n`` coalitions in bitmask order (bit ``k`` of the
mask ``m`` is player ``k``), in chunks of :data:`CHUNK_ROWS` rows; whatever the object raises
or returns that is not a finite number is an :class:`~mechsolve.errors.InvalidModel` naming
the coalition, never a number.

Examples
--------
>>> class Majority:                    # a shapiq-style game without shapiq
...     n_players = 3
...     def __call__(self, coalitions):
...         return (coalitions.sum(axis=1) >= 2).astype(float)
>>> is_matrix_game(Majority()), matrix_game_players(Majority())
(True, ('0', '1', '2'))
>>> tabulate_matrix_game(Majority(), 3).tolist()
[0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]
>>> coalition_matrix(2, 0, 4).astype(int).tolist()
[[0, 0], [1, 0], [0, 1], [1, 1]]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidModel, MechsolveError

#: Coalitions evaluated per call of a coalition-matrix game while tabulating.
CHUNK_ROWS = 2**14


def _int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def is_matrix_game(obj: Any) -> bool:
    """True for a coalition-matrix game: callable, with an integer ``n_players``."""
    return callable(obj) and _int(getattr(obj, "n_players", None))


def is_index_utility(obj: Any) -> bool:
    """True for a pyDVL-style utility: callable on data indices, with ``data.indices``."""
    data = getattr(obj, "data", None)
    return callable(obj) and not is_matrix_game(obj) and data is not None and hasattr(data, "indices")


def describe(obj: Any) -> str:
    """``shapiq.Game``-like, ``pyDVL Utility``-like, or the type name: what the object was read as."""
    mod = type(obj).__module__.split(".")[0]
    return f"{mod}.{type(obj).__qualname__}" if mod not in ("builtins", "__main__") else type(obj).__qualname__


def matrix_game_players(game: Any) -> tuple[str, ...]:
    """Player names of a coalition-matrix game: shapiq's ``player_name_lookup``, else ``"0" … "n−1"``."""
    n = int(game.n_players)
    lookup = getattr(game, "player_name_lookup", None)
    if isinstance(lookup, Mapping) and len(lookup) == n and sorted(lookup.values()) == list(range(n)):
        by_index = {int(k): str(name) for name, k in lookup.items()}
        return tuple(by_index[k] for k in range(n))
    return tuple(str(k) for k in range(n))


def coalition_matrix(n: int, start: int, stop: int) -> np.ndarray:
    """Boolean rows for the bitmasks ``start … stop−1``: ``M[r, k]`` = bit ``k`` of ``start + r``."""
    masks = np.arange(start, stop, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)[None, :]) & 1).astype(bool)


def _members(mask: int, n: int) -> list[int]:
    return [k for k in range(n) if mask >> k & 1]


def _check_values(out: Any, rows: int, coalition: Callable[[int], list[int]], what: str, field: str) -> np.ndarray:
    try:
        arr = np.asarray(out, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InvalidModel(f"{what} returned values that are not numbers ({exc})", field=field) from None
    if arr.shape != (rows,):
        raise InvalidModel(f"{what} returned {arr.size} values for {rows} coalitions (expected one value per row "
                           "of the coalition matrix)", field=field)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InvalidModel(f"{what} returned {arr[bad[0]]} on the coalition of players {coalition(int(bad[0]))} "
                           "(values must be finite numbers)", field=field)
    return arr


def _one_value(x: Any, subset: Sequence[Any], what: str, field: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.number)) or not np.isfinite(float(x)):
        raise InvalidModel(f"{what} returned {x!r} on the subset {list(subset)} (values must be finite numbers)",
                           field=field)
    return float(x)


def evaluate_matrix_game(game: Any, coalitions: np.ndarray, *, field: str = "game") -> np.ndarray:
    """The values of ``game`` on a boolean ``(rows, n)`` coalition matrix, checked (finite, one per row)."""
    what = f"the game ({describe(game)})"
    out = _guarded(game, coalitions, what, f"a batch of {coalitions.shape[0]} coalitions", field)
    return _check_values(out, coalitions.shape[0], lambda r: np.flatnonzero(coalitions[r]).tolist(), what, field)


def tabulate_matrix_game(game: Any, n: int | None = None, *, field: str = "game") -> np.ndarray:
    """``v`` of a coalition-matrix game on all ``2^n`` coalitions, bitmask order (float64)."""
    n = int(game.n_players) if n is None else n
    total = 2**n
    out = np.empty(total, dtype=np.float64)
    what = f"the game ({describe(game)})"
    for start in range(0, total, CHUNK_ROWS):
        stop = min(total, start + CHUNK_ROWS)
        rows = coalition_matrix(n, start, stop)
        vals = _guarded(game, rows, what, f"the coalitions of bitmasks {start}..{stop - 1}", field)
        out[start:stop] = _check_values(vals, stop - start, lambda r, s0=start: _members(s0 + r, n), what, field)
    return out


def utility_players(utility: Any) -> tuple[str, ...]:
    """Player names of an index utility: ``data.data_names`` when it names every index, else the indices."""
    idx = list(np.asarray(utility.data.indices).reshape(-1))
    names = getattr(utility.data, "data_names", None)
    if names is not None and len(names) == len(idx):
        return tuple(str(x) for x in names)
    return tuple(str(i) for i in idx)


def utility_indices(utility: Any) -> list[Any]:
    """The data indices an index utility is called with (``data.indices``, as Python ints when integral)."""
    return [i.item() if isinstance(i, np.generic) else i for i in np.asarray(utility.data.indices).reshape(-1)]


def tabulate_index_utility(utility: Any, *, field: str = "utility") -> np.ndarray:
    """``u(S)`` of an index utility on all ``2^n`` subsets of its data indices, bitmask order (float64)."""
    idx = utility_indices(utility)
    n = len(idx)
    out = np.empty(2**n, dtype=np.float64)
    what = f"the utility ({describe(utility)})"
    for m in range(2**n):
        out[m] = _call_utility(utility, tuple(idx[k] for k in range(n) if m >> k & 1), what, field)
    return out


def _guarded(fn: Any, arg: Any, what: str, on: str, field: str) -> Any:
    """``fn(arg)``, its exceptions (user or library code) one line naming ``field``, never a number."""
    try:
        return fn(arg)
    except MechsolveError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of foreign code is reported, not swallowed
        raise InvalidModel(f"{what} raised {type(exc).__name__}: {exc} on {on}", field=field) from None


def _call_utility(utility: Any, subset: tuple[Any, ...], what: str, field: str) -> float:
    """``utility(subset)`` checked: its exceptions and non-numbers become one line naming ``field``."""
    return _one_value(_guarded(utility, subset, what, f"the subset {list(subset)}", field), subset, what, field)


def matrix_function(obj: Any, *, field: str = "game") -> Callable[[np.ndarray], np.ndarray]:
    """``f(coalitions)`` on boolean ``(rows, n)`` matrices for either protocol, values checked.

    The form :func:`mechsolve.games.shapley.monte_carlo_shapley` samples, so neither a
    shapiq game nor a pyDVL utility is tabulated when it is sampled.
    """
    if is_matrix_game(obj):
        return lambda coalitions: evaluate_matrix_game(obj, coalitions, field=field)
    idx = utility_indices(obj)
    what = f"the utility ({describe(obj)})"

    def f(coalitions: np.ndarray) -> np.ndarray:
        out = np.empty(coalitions.shape[0])
        for r, row in enumerate(coalitions):
            out[r] = _call_utility(obj, tuple(idx[k] for k in np.flatnonzero(row)), what, field)
        return out

    return f


def players_of(obj: Any) -> tuple[str, ...]:
    """Player names of an object of either protocol."""
    return matrix_game_players(obj) if is_matrix_game(obj) else utility_players(obj)


def tabulate(obj: Any, *, field: str = "game") -> np.ndarray:
    """All ``2^n`` values of an object of either protocol, bitmask order."""
    return tabulate_matrix_game(obj, field=field) if is_matrix_game(obj) else tabulate_index_utility(obj, field=field)


__all__ = ["CHUNK_ROWS", "is_matrix_game", "is_index_utility", "describe", "matrix_game_players",
           "coalition_matrix", "evaluate_matrix_game", "tabulate_matrix_game", "utility_players",
           "utility_indices", "tabulate_index_utility", "matrix_function", "players_of", "tabulate"]
