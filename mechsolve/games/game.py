"""Cooperative games as bitmask-indexed arrays.

A game on players ``N = {0, ..., n-1}`` is stored as one array ``values`` of
length ``2**n`` where ``values[m]`` is ``v(S)`` for ``S = {k : bit k of m is set}``.
Float games hold ``float64``; exact games hold :class:`fractions.Fraction` in an
object array, for exact-rational verdicts on small ``n``.

Examples
--------
>>> g = Game.from_table(["a", "b"], {"": 0, "a": 1, "b": 2, "a,b": 4})
>>> g.value(["a", "b"])
4.0
>>> g.marginal("a").names
('b',)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..model.io import available_memory_bytes
from . import protocols

#: Largest n accepted for exact (Fraction) games: object arrays cost ~100 bytes/entry.
MAX_EXACT_PLAYERS = 16
#: Separators accepted between player names in a written coalition.
COALITION_SEPARATORS = (",", ";", "+", "|")


def _human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} PiB"  # pragma: no cover


def guard_table_memory(n: int, *, bytes_per_entry: int = 8, copies: float = 3.0,
                       what: str = "value table") -> None:
    """Refuse, before allocating, a ``2**n`` table that would not fit in memory.

    The prediction is ``copies * bytes_per_entry * 2**n`` bytes (the table plus
    working arrays) against :func:`available_memory_bytes`.

    Raises
    ------
    Unsupported
        With the predicted size and the memory available.
    """
    if n < 0:
        raise InvalidModel(f"number of players must be >= 0, got {n}", field="players")
    need = copies * bytes_per_entry * 2.0**n
    have = available_memory_bytes()
    if need > have:
        raise Unsupported(
            f"n={n} players needs about {_human(need)} for the {what} "
            f"({copies:g} x {bytes_per_entry}*2^{n} bytes), more than the {_human(have)} available; "
            "for more players give `value: {callable: ...}` with "
            "`scheme: {name: shapley, method: monte-carlo}`: it is sampled, never tabulated",
            field="players",
        )


def _finite(x: Any) -> bool:
    """``math.isfinite(float(x))``, False (not an exception) for integers beyond float range."""
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def popcounts(n: int) -> np.ndarray:
    """Coalition sizes ``|S|`` for every bitmask ``0 .. 2**n - 1`` (``uint8``)."""
    return np.bitwise_count(np.arange(2**n, dtype=np.int64)).astype(np.uint8)


#: Values checked per slice by :func:`first_non_finite` (its temporaries stay this small).
FINITE_CHECK_SLICE = 2**20
#: Values per block of :func:`blocks` (a block and its temporaries stay in the L2 cache).
BLOCK_VALUES = 2**16


def blocks(shape: tuple[int, ...], limit: int = BLOCK_VALUES) -> Iterator[tuple[slice | int, ...]]:
    """Index tuples cutting an array of ``shape`` into blocks of at most ``limit`` values, in C order.

    Each block covers whole trailing axes and a contiguous range of one axis, so its values
    are consecutive in the array's logical (C) order: the ``k``-th value of the block at
    ``start`` is the array's value at flat index ``start + k`` (see :func:`block_start`).
    For comparing strided views of a table without a temporary the size of the table.

    Examples
    --------
    >>> [b for b in blocks((2, 3, 4), limit=8)]
    [(0, slice(0, 2, None)), (0, slice(2, 4, None)), (1, slice(0, 2, None)), (1, slice(2, 4, None))]
    >>> len(list(blocks((2, 3, 4), limit=24)))
    1
    """
    tail, k = 1, len(shape)
    while k > 0 and tail * shape[k - 1] <= limit:
        k -= 1
        tail *= shape[k]
    if k == 0:
        yield (slice(None),) * min(1, len(shape))
        return
    step = max(1, limit // tail)
    for lead in np.ndindex(*shape[:k - 1]):
        for s0 in range(0, shape[k - 1], step):
            yield lead + (slice(s0, s0 + step),)


def block_start(shape: tuple[int, ...], index: tuple[slice | int, ...]) -> int:
    """Flat (C-order) index of the first value of a block from :func:`blocks`.

    Examples
    --------
    >>> block_start((2, 3, 4), (1, slice(2, 4)))            # row 1, columns 2..3 of axis 1
    20
    """
    first = [i if isinstance(i, int) else (i.start or 0) for i in index] + [0] * (len(shape) - len(index))
    return int(np.ravel_multi_index(first, shape)) if shape else 0


def first_non_finite(values: np.ndarray) -> int | None:
    """Index of the first NaN or infinity in a float array, ``None`` if all are finite.

    Checked in slices of :data:`FINITE_CHECK_SLICE`: no temporary the size of the table
    (at 2^26 values a whole-table ``isfinite`` mask alone is 64 MiB of fresh pages).

    Examples
    --------
    >>> first_non_finite(np.array([0.0, 1.0, np.inf])), first_non_finite(np.zeros(3))
    (2, None)
    """
    for start in range(0, values.size, FINITE_CHECK_SLICE):
        part = values[start:start + FINITE_CHECK_SLICE]
        if not np.isfinite(part).all():
            return start + int(np.flatnonzero(~np.isfinite(part))[0])
    return None


def parse_coalition(text: str | Sequence[str] | frozenset[str], index: Mapping[str, int], *, field: str) -> int:
    """Turn a written coalition into a bitmask.

    ``text`` is ``""`` (the empty set), player names separated by one of
    ``, ; + |`` (optionally in braces), or a list, tuple or (frozen)set of names.
    """
    if isinstance(text, str):
        body = text.strip()
        if body.startswith("{") and body.endswith("}"):
            body = body[1:-1].strip()
        if body in ("", "∅", "()"):
            parts: list[str] = []
        else:
            sep = next((s for s in COALITION_SEPARATORS if s in body), None)
            parts = [p.strip() for p in body.split(sep)] if sep else [body]
    elif isinstance(text, (list, tuple, set, frozenset)):
        parts = [str(p).strip() for p in (sorted(text, key=str) if isinstance(text, (set, frozenset)) else text)]
    else:
        raise InvalidModel(f"a coalition must be a string of player names, got {text!r}", field=field)
    mask = 0
    for p in parts:
        if p not in index:
            valid = ", ".join(list(index)[:8]) + (", ..." if len(index) > 8 else "")
            raise InvalidModel(f"unknown player {p!r} in coalition {text!r}; players are: {valid}",
                               field=field)
        bit = 1 << index[p]
        if mask & bit:
            raise InvalidModel(f"player {p!r} appears twice in coalition {text!r}", field=field)
        mask |= bit
    return mask


@dataclass(frozen=True, eq=False)
class Game:
    """A transferable-utility game ``v: 2^N -> R`` stored by bitmask.

    Parameters
    ----------
    names : tuple of str
        Player names; player ``k`` is bit ``k``.
    values : numpy.ndarray
        Length ``2**n``; ``float64`` or, for exact games, an object array of
        :class:`~fractions.Fraction`.

    Examples
    --------
    >>> g = Game.from_values(["x", "y"], [0, 1, 1, 3])
    >>> g.n, g.grand_value
    (2, 3.0)
    """

    names: tuple[str, ...]
    values: np.ndarray
    #: Data about the market the game came from (e.g. datasets, per-party caps). Kept by
    #: conversions of the same game (to_exact, to_float, with_values); dropped by derived
    #: games (restrict, marginal, sums, scaling), whose players or values differ.
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.names)
        if self.values.shape != (2**n,):
            raise InvalidModel(f"value table has {self.values.shape} entries, expected 2^{n} = {2**n}",
                               field="value")
        if len(set(self.names)) != n:
            raise InvalidModel("player names must be unique", field="players")

    # ----------------------------------------------------------------- basics
    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.names)

    @property
    def exact(self) -> bool:
        """True when values are exact :class:`~fractions.Fraction` objects."""
        return self.values.dtype == object

    @property
    def grand(self) -> int:
        """Bitmask of the grand coalition ``N``."""
        return 2**self.n - 1

    @property
    def grand_value(self) -> Any:
        """``v(N)``."""
        return self.values[self.grand] if self.exact else float(self.values[self.grand])

    @property
    def index(self) -> dict[str, int]:
        """Map from player name to bit position."""
        return {p: k for k, p in enumerate(self.names)}

    def mask(self, coalition: str | Iterable[str] | int) -> int:
        """Bitmask of a coalition given as names, a written string or a mask."""
        if isinstance(coalition, (int, np.integer)):
            return int(coalition)
        if isinstance(coalition, str):
            return parse_coalition(coalition, self.index, field="coalition")
        return parse_coalition(list(coalition), self.index, field="coalition")

    def members(self, mask: int) -> tuple[str, ...]:
        """Player names of the coalition with bitmask ``mask``."""
        return tuple(p for k, p in enumerate(self.names) if mask >> k & 1)

    def value(self, coalition: str | Iterable[str] | int) -> Any:
        """``v(S)`` for a coalition given by names, string or mask."""
        x = self.values[self.mask(coalition)]
        return x if self.exact else float(x)

    def singletons(self) -> np.ndarray:
        """``[v({0}), ..., v({n-1})]``."""
        return self.values[[1 << k for k in range(self.n)]]

    def with_values(self, values: np.ndarray, names: Sequence[str] | None = None) -> Game:
        """A game with the same (or given) names and new values."""
        return Game(tuple(names) if names is not None else self.names, values, self.meta)

    # ------------------------------------------------------------ conversion
    def to_exact(self, max_denominator: int | None = None, *, decimals: bool = False) -> Game:
        """Exact copy: each float becomes the :class:`Fraction` it represents exactly.

        With ``decimals`` each float is read as the shortest decimal that prints as it
        (``0.1`` → 1/10, as model files are read); with ``max_denominator`` the fractions are
        rounded to the nearest with a bounded denominator.
        """
        if self.exact:
            return self
        if self.n > MAX_EXACT_PLAYERS:
            raise Unsupported(f"exact mode supports at most {MAX_EXACT_PLAYERS} players, got {self.n}",
                              field="players")
        vals = [Fraction(repr(float(x))) if decimals else Fraction(float(x)) for x in self.values]
        if max_denominator is not None:
            vals = [v.limit_denominator(max_denominator) for v in vals]
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
        return Game(self.names, arr, self.meta)

    def to_float(self) -> Game:
        """Float64 copy of the game."""
        if not self.exact:
            return self
        return Game(self.names, np.array([float(x) for x in self.values], dtype=np.float64), self.meta)

    # ------------------------------------------------------------ derived games
    def restrict(self, players: Iterable[str] | int) -> Game:
        """The subgame on a sub-coalition ``T``: ``v|_T(S) = v(S)`` for ``S ⊆ T``.

        Player order is kept.
        """
        tmask = self.mask(players) if not isinstance(players, int) else players
        keep = [k for k in range(self.n) if tmask >> k & 1]
        sub = np.zeros(1, dtype=np.int64)
        for k in keep:
            sub = np.concatenate([sub, sub | (1 << k)])
        return Game(tuple(self.names[k] for k in keep), self.values[sub].copy())

    def marginal(self, player: str | int) -> Game:
        """The marginal game ``v_{-i}(C) = v(C ∪ {i}) − v({i})`` on ``N \\ {i}``.

        Nguyen et al. (2022), Sec. 3.2: the Shapley value of ``j`` in this game is
        the conditional Shapley value ``φ_{j|i}``.
        """
        i = self.index[player] if isinstance(player, str) else int(player)
        with_i = self.values.reshape(2 ** (self.n - 1 - i), 2, 2**i)[:, 1, :].reshape(-1)
        vals = with_i - self.values[1 << i]
        names = self.names[:i] + self.names[i + 1:]
        return Game(names, vals.copy() if vals.base is not None else vals)

    def __add__(self, other: Game) -> Game:
        if other.names != self.names:
            raise InvalidModel("games must have the same players to be added", field="players")
        return Game(self.names, self.values + other.values)

    def scale(self, c: Any) -> Game:
        """The game ``c·v``."""
        return Game(self.names, self.values * c)

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_values(cls, names: Sequence[str], values: Sequence[float] | np.ndarray, *,
                    exact: bool = False, allow_nonzero_empty: bool = False) -> Game:
        """Game from a bitmask-ordered sequence of ``2**n`` values.

        Raises :class:`InvalidModel` on a wrong length, non-finite values or a
        non-zero ``v(∅)`` that is not allowed.
        """
        names = tuple(str(p) for p in names)
        n = len(names)
        guard_table_memory(n)
        if exact:
            if n > MAX_EXACT_PLAYERS:
                raise Unsupported(f"exact mode supports at most {MAX_EXACT_PLAYERS} players, got {n}",
                                  field="players")
            arr = np.empty(len(values), dtype=object)
            try:
                arr[:] = [x if isinstance(x, Fraction) else Fraction(x) for x in values]
            except (TypeError, ValueError) as exc:
                raise InvalidModel(f"values must be numbers: {exc}", field="value") from None
        else:
            try:
                arr = np.asarray(values, dtype=np.float64)
            except (TypeError, ValueError, OverflowError) as exc:
                raise InvalidModel(f"values must be numbers: {exc}", field="value") from None
            if arr.ndim != 1:
                raise InvalidModel(f"values must be a flat list, got shape {arr.shape}", field="value")
            if arr.shape[0] == 2**n:
                m = first_non_finite(arr)
                if m is not None:
                    raise InvalidModel(
                        f"v({{{','.join(p for k, p in enumerate(names) if m >> k & 1)}}}) = {arr[m]} "
                        "is not a finite number", field=f"value[{m}]")
        if len(arr) != 2**n:
            raise InvalidModel(f"got {len(arr)} values for {n} players, expected 2^{n} = {2**n}",
                               field="value")
        if not allow_nonzero_empty and arr[0] != 0:
            raise InvalidModel(f"v(∅) = {arr[0]} but the game is declared normalised; "
                               "declare `normalised: false` to allow a non-zero v(∅)", field="value")
        return cls(names, arr)

    @classmethod
    def from_table(cls, names: Sequence[str] | Mapping[Any, Any], table: Mapping[Any, Any] | None = None, *,
                   fill: str = "error", default: float | None = None, exact: bool = False,
                   allow_nonzero_empty: bool = False, field: str = "value.table") -> Game:
        """Game from a table keyed by coalitions (written names, tuples or frozensets of names, or bitmasks).

        ``Game.from_table(mapping)`` reads the players from the keys, in the order they first
        appear; ``Game.from_table(players, mapping)`` names them (and their bit order).

        Parameters
        ----------
        fill : {"error", "default", "monotone-closure"}
            What to do with coalitions the table does not list: refuse, use
            ``default``, or take the monotone closure ``v(S) = max_{T ⊆ S listed} v(T)``.

        Examples
        --------
        >>> g = Game.from_table({(): 0, ("a",): 1, ("b",): 1, ("a", "b"): 3})
        >>> g.names, g.value({"a", "b"})
        (('a', 'b'), 3.0)
        """
        if table is None:
            if not isinstance(names, Mapping):
                raise InvalidModel("give a table {coalition: value}, or the players and the table", field=field)
            table, names = names, players_in_table(names, field=field)
        elif isinstance(names, Mapping):
            raise InvalidModel("give the players as a list of names, then the table", field="players")
        names = tuple(str(p) for p in names)
        n = len(names)
        guard_table_memory(n)
        index = {p: k for k, p in enumerate(names)}
        given: dict[int, Any] = {}
        for key, val in table.items():
            fname = f"{field}[{key!r}]"
            mask = int(key) if isinstance(key, (int, np.integer)) and not isinstance(key, bool) \
                else parse_coalition(key, index, field=fname)
            if mask in given:
                raise InvalidModel(f"coalition {key!r} is listed twice", field=fname)
            if isinstance(val, bool) or not isinstance(val, (int, float, Fraction, np.number)):
                raise InvalidModel(f"value must be a number, got {val!r}", field=fname)
            if not exact and not _finite(val):
                raise InvalidModel(f"value must be a finite number, got {val!r}", field=fname)
            given[mask] = Fraction(val) if exact else float(val)
        if 0 not in given:
            given[0] = Fraction(0) if exact else 0.0
        if fill == "error" and len(given) < 2**n:
            missing = next(m for m in range(2**n) if m not in given)
            label = ",".join(p for k, p in enumerate(names) if missing >> k & 1)
            raise InvalidModel(
                f"{2**n - len(given)} of {2**n} coalitions are missing, e.g. {label!r}; list them all "
                "or set `fill: default` (with `default: 0`) or `fill: monotone-closure`", field=field)
        if fill == "default":
            if default is None:
                raise InvalidModel("`fill: default` needs a `default` value", field=field)
            vals: list[Any] = [given.get(m, Fraction(default) if exact else float(default))
                               for m in range(2**n)]
            return cls.from_values(names, vals, exact=exact, allow_nonzero_empty=allow_nonzero_empty)
        if fill == "monotone-closure":
            arr = np.full(2**n, -np.inf)
            for m, x in given.items():
                arr[m] = float(x)
            for k in range(n):
                view = arr.reshape(-1, 2, 2**k)
                np.maximum(view[:, 1, :], view[:, 0, :], out=view[:, 1, :])
            if exact:
                exact_given = {m: x for m, x in given.items()}
                vals = []
                for m in range(2**n):
                    vals.append(max((x for t, x in exact_given.items() if t & ~m == 0)))
                return cls.from_values(names, vals, exact=True, allow_nonzero_empty=allow_nonzero_empty)
            return cls.from_values(names, arr, allow_nonzero_empty=allow_nonzero_empty)
        if fill != "error":
            raise InvalidModel(f"unknown fill {fill!r}; valid: error, default, monotone-closure",
                               field="value.fill")
        return cls.from_values(names, [given[m] for m in range(2**n)], exact=exact,
                               allow_nonzero_empty=allow_nonzero_empty)

    @classmethod
    def from_callable(cls, names: Sequence[str], fn: Callable[[frozenset[str]], float], *,
                      exact: bool = False, allow_nonzero_empty: bool = False) -> Game:
        """Tabulate ``fn(frozenset_of_names)`` over all ``2**n`` coalitions.

        The callable runs user code once per coalition; any exception it raises
        is reported as an :class:`InvalidModel` naming the coalition.
        """
        names = tuple(str(p) for p in names)
        n = len(names)
        if protocols.is_matrix_game(fn) or protocols.is_index_utility(fn):
            return cls.from_object(fn, players=names, exact=exact, allow_nonzero_empty=allow_nonzero_empty)
        guard_table_memory(n)
        vals = []
        for m in range(2**n):
            members = frozenset(p for k, p in enumerate(names) if m >> k & 1)
            try:
                x = fn(members)
            except Exception as exc:  # user code: report, never turn into a number
                raise InvalidModel(f"the value function raised {type(exc).__name__}: {exc} "
                                   f"on coalition {sorted(members)}", field="value.callable") from None
            if isinstance(x, bool) or not isinstance(x, (int, float, Fraction, np.number)):
                raise InvalidModel(f"the value function returned {x!r} (not a number) on "
                                   f"coalition {sorted(members)}", field="value.callable")
            vals.append(x)
        return cls.from_values(names, vals, exact=exact, allow_nonzero_empty=allow_nonzero_empty)

    @classmethod
    def from_array(cls, values: Sequence[Any] | np.ndarray, players: Sequence[str] | None = None, *,
                   exact: bool = False, allow_nonzero_empty: bool = False) -> Game:
        """Game from ``2^n`` values in bitmask order: ``values[m] = v(S)``, ``S = {k : bit k of m}``.

        Parameters
        ----------
        values : array_like
            Length ``2^n`` (``values[0] = v(∅)``, 0 unless ``allow_nonzero_empty``).
        players : sequence of str, optional
            ``n`` names, player ``k`` first; default ``"0" … "n−1"`` (shapiq's and pyDVL's indices).
        exact : bool
            Hold the values as :class:`~fractions.Fraction` (each float as the decimal it prints as).

        Examples
        --------
        >>> import numpy as np
        >>> Game.from_array(np.array([0, 1, 2, 4])).names
        ('0', '1')
        >>> Game.from_array([0, 1, 2, 4], players=["alice", "bob"]).value("alice,bob")
        4.0
        """
        try:
            size = len(values)
        except TypeError:
            raise InvalidModel(f"values must be a flat sequence of 2^n numbers, got {type(values).__name__}",
                               field="values") from None
        arr = np.asarray(values) if not isinstance(values, np.ndarray) else values
        if arr.ndim != 1:
            raise InvalidModel(f"values must be a flat sequence of 2^n numbers in bitmask order, got shape "
                               f"{arr.shape}", field="values")
        n = size.bit_length() - 1
        if size < 1 or 2**n != size:
            raise InvalidModel(f"got {size} values: a game on n players has 2^n values (bitmask order), "
                               "so the length must be a power of two", field="values")
        names = tuple(str(k) for k in range(n)) if players is None else tuple(str(p) for p in players)
        if len(names) != n:
            raise InvalidModel(f"{len(names)} player names for {size} = 2^{n} values (expected {n} names)",
                               field="players")
        if exact and arr.dtype != object:
            vals: Any = [Fraction(int(x)) if float(x).is_integer() else Fraction(repr(float(x))) for x in arr]
        else:
            vals = arr
        return cls.from_values(names, vals, exact=exact, allow_nonzero_empty=allow_nonzero_empty)

    @classmethod
    def from_function(cls, players: Sequence[str] | int, f: Callable[[frozenset[str]], Any], *,
                      exact: bool = False, allow_nonzero_empty: bool = False) -> Game:
        """Tabulate ``f(frozenset of player names)`` over all ``2^n`` coalitions.

        ``players`` is a list of names or a number ``n`` (names ``"0" … "n−1"``). A shapiq game
        or a pyDVL utility is accepted as ``f`` too (see :meth:`from_object`). Whatever ``f``
        raises or returns that is not a finite number is an :class:`InvalidModel` naming the
        coalition.

        Examples
        --------
        >>> g = Game.from_function(["a", "b", "c"], lambda s: len(s) ** 2)
        >>> g.value("a,b"), g.grand_value
        (4.0, 9.0)
        """
        if isinstance(players, (int, np.integer)) and not isinstance(players, bool):
            players = [str(k) for k in range(int(players))]
        return cls.from_callable(players, f, exact=exact, allow_nonzero_empty=allow_nonzero_empty)

    @classmethod
    def from_object(cls, obj: Any, players: Sequence[str] | None = None, *, normalize: bool = True,
                    exact: bool = False, allow_nonzero_empty: bool = False) -> Game:
        """Tabulate a shapiq game or a pyDVL utility (:mod:`mechsolve.games.protocols`).

        A shapiq ``Game`` is called on the boolean coalition matrix of all ``2^n`` coalitions (its
        own normalisation applies, as in shapiq's ``ExactComputer``); a pyDVL ``Utility`` on every
        subset of its data indices. Names: ``players``, else shapiq's ``player_name_lookup`` or
        pyDVL's ``data_names``, else ``"0" … "n−1"``. With ``normalize`` (default) a non-zero
        ``v(∅)`` is subtracted from every value (``meta["baseline"]`` keeps it, as shapiq's
        ``baseline_value``); otherwise it is kept (``allow_nonzero_empty`` is then implied).
        The values are computed, not rational data: ``meta["rational"]`` is False.

        Examples
        --------
        >>> class Glove:                       # shapiq protocol: n_players + a coalition-matrix call
        ...     n_players = 3
        ...     player_name_lookup = {"L": 0, "R1": 1, "R2": 2}
        ...     def __call__(self, m):
        ...         return (m[:, 0] & (m[:, 1] | m[:, 2])).astype(float)
        >>> g = Game.from_object(Glove())
        >>> g.names, g.value("L,R2")
        (('L', 'R1', 'R2'), 1.0)
        """
        if protocols.is_matrix_game(obj):
            kind = "a coalition-matrix game (shapiq protocol)"
        elif protocols.is_index_utility(obj):
            kind = "an index utility (pyDVL protocol)"
        else:
            raise InvalidModel(f"{protocols.describe(obj)} is neither a shapiq-style game (an integer `n_players` "
                               "and a call on a boolean coalition matrix) nor a pyDVL-style utility (a call on "
                               "data indices and `data.indices`)", field="game")
        own = protocols.players_of(obj)
        names = own if players is None else tuple(str(p) for p in players)
        if len(names) != len(own):
            raise InvalidModel(f"{len(names)} player names given for {kind} with {len(own)} players",
                               field="players")
        guard_table_memory(len(names))
        vals = protocols.tabulate(obj)
        meta: dict[str, Any] = {"rational": False, "source": protocols.describe(obj)}
        if vals[0] != 0 and normalize:
            meta["baseline"] = float(vals[0])
            vals = vals - vals[0]
        game = cls.from_values(names, vals, allow_nonzero_empty=allow_nonzero_empty or not normalize)
        game = Game(game.names, game.values, meta)
        return game.to_exact(decimals=True) if exact else game


def players_in_table(table: Mapping[Any, Any], *, field: str = "value.table") -> tuple[str, ...]:
    """Player names of a table keyed by coalitions, in the order they first appear.

    Examples
    --------
    >>> players_in_table({"": 0, "b": 1, "a,b": 2, frozenset({"c"}): 0})
    ('b', 'a', 'c')
    """
    seen: dict[str, None] = {}
    for key in table:
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            raise InvalidModel(f"a table keyed by bitmasks ({key!r}) needs the players: "
                               "Game.from_table(players, table)", field=field)
        if isinstance(key, str):
            body = key.strip()
            if body.startswith("{") and body.endswith("}"):
                body = body[1:-1].strip()
            if body in ("", "∅", "()"):
                continue
            sep = next((c for c in COALITION_SEPARATORS if c in body), None)
            parts = [p.strip() for p in body.split(sep)] if sep else [body]
        elif isinstance(key, (list, tuple)):
            parts = [str(p).strip() for p in key]
        elif isinstance(key, (set, frozenset)):
            parts = sorted(str(p).strip() for p in key)
        else:
            raise InvalidModel(f"a coalition must be written as player names, got {key!r}", field=field)
        for p in parts:
            seen.setdefault(p, None)
    return tuple(seen)


# ------------------------------------------------------------------ replication
@dataclass(frozen=True, eq=False)
class DataMarket:
    """Players who own datasets; the value depends on the *set of distinct datasets*.

    ``owners[k]`` is the dataset held by player ``k``; ``base`` is a game on the
    distinct datasets. ``v(S) = base(datasets(S))`` — this is the replication
    invariance assumed by Ohrimenko et al. (2019, Sec. 3): duplicating a dataset
    adds nothing to the model's quality (their gain G is a function of the data,
    not of how many parties hold it).
    """

    base: Game
    owners: tuple[int, ...]
    names: tuple[str, ...]

    def game(self) -> Game:
        """Tabulate the player-level game ``v(S) = base(∪_{k∈S} {owners[k]})``."""
        n = len(self.owners)
        guard_table_memory(n)
        masks = np.zeros(1, dtype=np.int64)
        for k in range(n):
            masks = np.concatenate([masks, masks | (1 << self.owners[k])])
        return Game(self.names, self.base.values[masks].copy())


def replicate(game: Game, player: str | int, k: int, *, suffix: str = "replica") -> Game:
    """The ``(n+k)``-player game in which ``k`` new players hold copies of ``player``'s data.

    Assumes replication invariance (Ohrimenko et al. 2019, Sec. 3; Nguyen et al.
    2022, App. D): a coalition's value depends only on the distinct datasets it
    holds, so ``v'(S) = v(S ∩ N ∪ {i if S holds a replica})``.

    Examples
    --------
    >>> g = Game.from_values(["a", "b"], [0, 1, 1, 3])
    >>> r = replicate(g, "a", 1)
    >>> r.names, r.value(["a (replica 1)", "b"])
    (('a', 'b', 'a (replica 1)'), 3.0)
    """
    i = game.index[player] if isinstance(player, str) else int(player)
    if not 0 <= i < game.n:
        raise InvalidModel(f"no player {player!r} to replicate", field="player")
    if k < 0:
        raise InvalidModel(f"replica count must be >= 0, got {k}", field="k")
    names = game.names + tuple(f"{game.names[i]} ({suffix} {j + 1})" for j in range(k))
    owners = tuple(range(game.n)) + (i,) * k
    return DataMarket(game, owners, names).game()
