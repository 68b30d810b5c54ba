"""Shapley values: exact (float and rational), conditional, and Monte Carlo.

Exact formula (Shapley 1953): for ``w(s) = s!(n-s-1)!/n!``,

    φ_i = Σ_{S ⊆ N∖{i}} w(|S|) (v(S ∪ {i}) − v(S)).

The weight of ``v(S)`` in ``φ_i`` depends only on ``|S|`` and on whether
``i ∈ S``. For any semivalue with per-size weights ``p`` (``p(n) = 0``)

    ψ_i = Σ_{S ∋ i} c(|S|) v(S) − Σ_S b(|S|) v(S),   c(s) = p(s−1) + p(s),  b(s) = p(s),

so one pass over the table suffices (:class:`SemivalueKernel`, float games):
the table is read as ``2^h`` rows of ``2^l`` values (``l = min(n, ROW_BITS)``:
row ``r`` holds the coalitions whose high ``h`` players are ``r``, a row fits in
the L2 cache). For row ``r`` with ``|r| = m``, one dot product
``d[r] = Σ_lo c(m + |lo|) v(r ∪ lo)`` and one add ``M[m] += row`` (``h + 1``
accumulators of one row each) are all the work: a player ``j`` among the high
``h`` gets ``Σ_{r ∋ j} d[r]``, a player ``i`` among the low ``l`` gets the
member sum over ``lo ∋ i`` of ``z[lo] = Σ_m c(m + |lo|) M[m][lo]``, and
``B = Σ_m Σ_lo b(m + |lo|) M[m][lo]``. About two memory operations per value,
no 2^n temporary, ``O((h + 1)·2^l)`` extra memory. The kernel can be fed rows
that are never stored as a table (the additivity check streams its companion
games through it). :func:`conditional_semivalue` gets every ``ψ_j(v_{-i})`` of
the ``n`` marginal games in one pass of the same kind (pair member sums).

:func:`graded_sums` gives the *graded member sums*
``P[i, s] = Σ_{S ∋ i, |S| = s} v(S)`` and ``Q[s] = Σ_{|S| = s} v(S)`` in one
blocked pass (the table viewed as a ``2^h × 2^l`` matrix, ``l = ⌊n/2⌋``; per
block of rows, one product with the one-hot matrix of column sizes and one with
that of row sizes). Exact games (``Fraction`` values) use that plan in integer
arithmetic: values scaled to integers by their common denominator, split into
int64 limbs that cannot overflow, and one :class:`~fractions.Fraction` per
player at the end.

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_table(["a", "b"], {"": 0, "a": 1, "b": 2, "a,b": 4})
>>> shapley(g).tolist()
[1.5, 2.5]
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from .game import Game
from .stratified import stratified_shapley

#: Bytes of table processed per block in :func:`graded_sums` (fits the L2/L3 cache).
BLOCK_BYTES = 2 * 2**20
#: BLAS threads inside the kernel (``MECHSOLVE_BLAS_THREADS``). The products are
#: memory-bound; on a shared machine a second spinning BLAS thread made n=26 6x
#: slower (benchmarks/shapley.py), so one thread is the default.
BLAS_THREADS = int(os.environ.get("MECHSOLVE_BLAS_THREADS", "1"))

_controller: list[Any] = []


def _blas_threads() -> contextlib.AbstractContextManager[Any]:
    """Limit BLAS to :data:`BLAS_THREADS` threads (threadpoolctl), a no-op without threadpoolctl."""
    if BLAS_THREADS <= 0:
        return contextlib.nullcontext()
    if not _controller:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _controller.append(None)
        else:
            _controller.append(ThreadpoolController())
    ctrl = _controller[0]
    return ctrl.limit(limits=BLAS_THREADS, user_api="blas") if ctrl is not None else contextlib.nullcontext()


# ------------------------------------------------------------------ helpers
def _small_popcounts(k: int) -> np.ndarray:
    """``|S|`` for the ``2^k`` bitmasks of ``k`` players (``intp``; built by doubling, no 2^n arange)."""
    p = np.zeros(1, dtype=np.intp)
    for _ in range(k):
        p = np.concatenate([p, p + 1])
    return p


def _bits(k: int, dtype: Any) -> np.ndarray:
    """The ``2^k × k`` 0/1 matrix ``B[m, j] = bit j of m``."""
    m = np.arange(2**k)
    return ((m[:, None] >> np.arange(k)[None, :]) & 1).astype(dtype)


def _onehot(sizes: np.ndarray, width: int, dtype: Any) -> np.ndarray:
    """``E[m, s] = 1`` iff ``sizes[m] == s`` (``len(sizes) × width``)."""
    e = np.zeros((sizes.size, width), dtype=dtype)
    e[np.arange(sizes.size), sizes] = 1
    return e


def member_sums(x: np.ndarray, n: int) -> np.ndarray:
    """``[Σ_{S∋i} x(S) for i in range(n)]`` for a bitmask-indexed array ``x``.

    Examples
    --------
    >>> member_sums(np.arange(4.0), 2).tolist()      # x(∅)=0, x(a)=1, x(b)=2, x(ab)=3
    [4.0, 5.0]
    """
    out = np.empty(n, dtype=x.dtype)
    for i in range(n):
        out[i] = x.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 1, :].sum()
    return out


# ------------------------------------------------------------------ the kernel
@functools.lru_cache(maxsize=64)
def _plan(n: int, dtype_name: str) -> tuple[np.ndarray, ...]:
    """The small constant matrices of the kernel for ``n`` players (cached, read-only)."""
    dtype = np.dtype(dtype_name)
    lo_n = n // 2
    hi_n = n - lo_n
    pl, ph = _small_popcounts(lo_n), _small_popcounts(hi_n)
    out = (_onehot(pl, lo_n + 1, dtype),                                    # e_lo: 2^l × (l+1)
           _onehot(ph, hi_n + 1, dtype),                                    # e_hi: 2^h × (h+1)
           _bits(lo_n, dtype).T.copy(), _bits(hi_n, dtype).T.copy(),
           (np.arange(2**hi_n)[:, None], ph[:, None] + np.arange(lo_n + 1)[None, :]),
           (np.arange(2**lo_n)[:, None], pl[:, None] + np.arange(hi_n + 1)[None, :]))
    for a in out[:4]:
        a.flags.writeable = False
    return out


def _graded_matrix(v: np.ndarray, n: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Graded member sums of one numeric (float64 or int64) table; see :func:`graded_sums`."""
    lo_n = n // 2
    hi_n = n - lo_n
    rows, cols = 2**hi_n, 2**lo_n
    e_lo, e_hi, bits_lo_t, bits_hi_t, shift_r, shift_c = _plan(n, np.dtype(dtype).name)
    table = v.reshape(rows, cols)
    r = np.empty((rows, lo_n + 1), dtype=dtype)    # r[hi, k] = Σ_{|lo|=k} v(hi ∪ lo)
    c = np.zeros((hi_n + 1, cols), dtype=dtype)    # c[m, lo] = Σ_{|hi|=m} v(hi ∪ lo)
    step = max(1, BLOCK_BYTES // (v.itemsize * cols))
    if rows <= step:                               # one block: no loop, no thread limit needed
        np.matmul(table, e_lo, out=r)
        np.matmul(e_hi.T, table, out=c)
    else:
        tmp = np.empty_like(c)
        with _blas_threads():
            for r0 in range(0, rows, step):
                block = table[r0:r0 + step]
                np.matmul(block, e_lo, out=r[r0:r0 + step])
                np.matmul(e_hi[r0:r0 + step].T, block, out=tmp)
                c += tmp
    # shift to absolute sizes: rr[hi, |hi| + k] = r[hi, k]; cc[lo, |lo| + m] = c[m, lo]
    rr = np.zeros((rows, n + 1), dtype=dtype)
    rr[shift_r] = r
    cc = np.zeros((cols, n + 1), dtype=dtype)
    cc[shift_c] = c.T
    p = np.empty((n, n + 1), dtype=dtype)
    p[:lo_n] = bits_lo_t @ cc
    p[lo_n:] = bits_hi_t @ rr
    q = rr.sum(axis=0)
    return p, q


def _exact_graded(values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer graded sums ``(P·D, Q·D, D)`` of a Fraction table, ``D`` the common denominator."""
    fr = [x if isinstance(x, Fraction) else Fraction(x) for x in values]
    den = math.lcm(*{x.denominator for x in fr})
    ints = [x.numerator * (den // x.denominator) for x in fr]
    # limbs of |x| narrow enough that 2^n of them sum without int64 overflow
    width = max(1, 62 - n)
    mask = (1 << width) - 1
    biggest = max((abs(x) for x in ints), default=0)
    nlimbs = max(1, -(-biggest.bit_length() // width))
    sign = np.array([-1 if x < 0 else 1 for x in ints], dtype=np.int64)
    mags = [abs(x) for x in ints]
    p_tot = np.zeros((n, n + 1), dtype=object)
    p_tot[:] = 0
    q_tot = np.zeros(n + 1, dtype=object)
    q_tot[:] = 0
    for k in range(nlimbs):
        shift = width * k
        limb = np.fromiter(((x >> shift) & mask for x in mags), dtype=np.int64, count=len(mags)) * sign
        p, q = _graded_matrix(limb, n, np.int64)
        p_tot = p_tot + p.astype(object) * (1 << shift)
        q_tot = q_tot + q.astype(object) * (1 << shift)
    return p_tot, q_tot, den


# ------------------------------------------------------------------ the streaming kernel (float)
#: The float kernels read the table as ``2^h`` rows of ``2^ROW_BITS`` values (64 KiB: a row stays in
#: L2). Below 10,000 values OpenBLAS computes a dot product in the calling thread: a threaded dot per
#: row was up to 10x slower on a shared 2-core machine, and limiting the threads (threadpoolctl)
#: costs 20-60 ms of start-up.
ROW_BITS = 13


def row_split(n: int) -> tuple[int, int]:
    """``(h, l)``: the float kernels read a table of ``n`` players as ``2^h`` rows of ``2^l`` values.

    ``l = min(n, ROW_BITS)``; row ``r`` holds ``v(S)`` for the ``S`` whose players ``l..n−1``
    are the bits of ``r`` (``values.reshape(2**h, 2**l)[r]``).

    Examples
    --------
    >>> row_split(24), row_split(3)
    ((11, 13), (0, 3))
    """
    low = min(n, ROW_BITS)
    return n - low, low


def _bit_sums(x: np.ndarray, k: int) -> np.ndarray:
    """``[Σ_{m ∋ i} x[m] for i < k]`` for a length-``2^k`` array, from its row and column sums."""
    a = k // 2
    sq = x.reshape(2 ** (k - a), 2**a)
    out = np.empty(k)
    out[:a] = member_sums(sq.sum(axis=0), a)
    out[a:] = member_sums(sq.sum(axis=1), k - a)
    return out


def _pair_bit_sums(x: np.ndarray, k: int) -> np.ndarray:
    """``P[i, j] = Σ_{m ∋ i, j} x[m]`` for ``i, j < k`` (the diagonal holds the member sums).

    Einsum loops, not BLAS: these products are small, and a threaded BLAS on a
    shared machine costs more than it saves here.
    """
    a = k // 2
    sq = x.reshape(2 ** (k - a), 2**a)
    ba, bb = _bits(a, np.float64), _bits(k - a, np.float64)
    out = np.empty((k, k))
    out[:a, :a] = np.einsum("mi,m,mj->ij", ba, sq.sum(axis=0), ba)
    out[a:, a:] = np.einsum("mi,m,mj->ij", bb, sq.sum(axis=1), bb)
    mixed = np.einsum("hj,hl,li->ij", bb, sq, ba)            # i low (< a), j high
    out[:a, a:] = mixed
    out[a:, :a] = mixed.T
    return out


def semivalue_coefficients(weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per-size coefficients ``(c, b)`` with ``ψ_i = Σ_{S∋i} c(|S|) v(S) − Σ_S b(|S|) v(S)``.

    For weights ``p(0..n−1)`` (and ``p(n) = 0``): ``c(s) = p(s−1) + p(s)``,
    ``b(s) = p(s)``, ``s = 0..n`` (``c(0)`` is never used: no ``S ∋ i`` is empty).

    Examples
    --------
    >>> c, b = semivalue_coefficients([0.5, 0.5])        # Shapley, n = 2
    >>> c.tolist(), b.tolist()
    ([0.0, 1.0, 0.5], [0.5, 0.5, 0.0])
    """
    p = np.asarray([float(x) for x in weights], dtype=np.float64)
    n = p.size
    c = np.zeros(n + 1)
    c[1:] += p
    c[1:n] += p[1:]
    b = np.zeros(n + 1)
    b[:n] = p
    return c, b


class SemivalueKernel:
    """The float semivalue kernel, fed the table one row at a time (see the module docstring).

    ``ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S ∪ {i}) − v(S))`` for per-size weights
    ``p(0..n−1)``. Feed every row ``r`` of the ``2^h × 2^l`` view (:func:`row_split`)
    exactly once, in any order, with :meth:`add` (or a whole table with
    :meth:`add_table`), then read :meth:`values`. With ``games = G`` it runs ``G``
    games side by side: :meth:`add_rows` takes row ``r`` of each (a ``G × 2^l``
    block; one accumulator update for all of them), and ``values(g)`` is game
    ``g``'s value, computed by exactly the operations a kernel of its own would
    perform. Rows may come from a buffer that is overwritten afterwards: nothing
    keeps a reference to them.

    Examples
    --------
    >>> k = SemivalueKernel(2, [0.5, 0.5])
    >>> k.add_table(np.array([0.0, 1.0, 2.0, 4.0])).values().tolist()
    [1.5, 2.5]
    """

    def __init__(self, n: int, weights: Sequence[float], games: int = 1) -> None:
        if len(weights) != n:
            raise InvalidModel(f"need {n} weights p(0..{n - 1}), got {len(weights)}", field="weights")
        self.n = n
        self.games = games
        self.high, self.low = row_split(n)
        c, b = semivalue_coefficients(weights)
        sizes = np.arange(self.high + 1)[:, None] + _small_popcounts(self.low)[None, :]
        self._c = c[sizes]                                  # c(m + |lo|), one row per m = |r|
        self._b = b[sizes]
        self._pop = _small_popcounts(self.high).tolist()
        self._d = np.zeros((games, 2**self.high))          # d[g, r] = Σ_lo c(|r| + |lo|) v_g(r ∪ lo)
        self._acc = np.zeros((self.high + 1, games, 2**self.low))   # acc[m, g] = Σ_{|r| = m} row r of v_g
        self._c_rows = list(self._c)                        # views made once (add runs 2^h times)
        self._acc_rows = list(self._acc)
        self._acc_first = [a[0] for a in self._acc_rows]
        self._d_cols = list(self._d.T)

    @property
    def rows(self) -> int:
        """Number of rows ``2^h``."""
        return 2**self.high

    @property
    def row_length(self) -> int:
        """Values per row ``2^l``."""
        return 2**self.low

    def add(self, r: int, row: np.ndarray) -> None:
        """Add row ``r`` (``2^l`` float64 values) of game 0."""
        m = self._pop[r]
        self._d[0, r] = np.dot(row, self._c_rows[m])
        acc = self._acc_first[m]
        np.add(acc, row, out=acc)

    def add_rows(self, r: int, rows: np.ndarray) -> None:
        """Add row ``r`` of every game (a ``games × 2^l`` float64 block)."""
        m = self._pop[r]
        np.vecdot(rows, self._c_rows[m], out=self._d_cols[r])   # per game the dot product of add()
        acc = self._acc_rows[m]
        np.add(acc, rows, out=acc)

    def add_table(self, values: np.ndarray) -> SemivalueKernel:
        """Add every row of a whole bitmask-ordered float64 table (game 0); returns ``self``."""
        table = values.reshape(self.rows, self.row_length)
        for r in range(self.rows):
            self.add(r, table[r])
        return self

    def values(self, game: int = 0) -> np.ndarray:
        """``ψ`` of every player of game ``game`` from the rows added so far."""
        acc = np.ascontiguousarray(self._acc[:, game, :])   # the layout a one-game kernel has
        z = np.einsum("mi,mi->i", self._c, acc)
        total = float(np.einsum("mi,mi->", self._b, acc))
        out = np.empty(self.n)
        out[:self.low] = _bit_sums(z, self.low)
        out[self.low:] = _bit_sums(self._d[game], self.high)
        return out - total


def graded_sums(game: Game) -> tuple[np.ndarray, np.ndarray]:
    """Graded member sums ``P[i, s] = Σ_{S∋i, |S|=s} v(S)`` and ``Q[s] = Σ_{|S|=s} v(S)``.

    One pass over the ``2^n`` table, ``O(n·2^{n/2})`` extra memory (see the
    module docstring). Every semivalue, the Shapley value included, is a
    weighted combination of these ``n(n+1) + (n+1)`` numbers. Exact games give
    :class:`~fractions.Fraction` entries (computed in integer arithmetic).

    Returns
    -------
    P : ndarray, shape (n, n+1)
    Q : ndarray, shape (n+1,)

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> P, Q = graded_sums(Game.from_values(["a", "b"], [0, 1, 2, 4]))
    >>> P.tolist(), Q.tolist()
    ([[0.0, 1.0, 4.0], [0.0, 2.0, 4.0]], [0.0, 3.0, 4.0])
    """
    n = game.n
    if game.exact:
        p, q, den = _exact_graded(game.values, n)
        p = np.array([[Fraction(int(x), den) for x in row] for row in p], dtype=object).reshape(n, n + 1)
        qf = np.empty(n + 1, dtype=object)
        qf[:] = [Fraction(int(x), den) for x in q]
        return p, qf
    v = np.ascontiguousarray(game.values, dtype=np.float64)
    return _graded_matrix(v, n, np.float64)


def weighted_semivalue(game: Game, weights: Sequence[Any]) -> np.ndarray:
    """``ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S ∪ {i}) − v(S))`` for per-size weights ``p(0..n−1)``.

    Float games: one pass of :class:`SemivalueKernel`. Exact games need exact
    weights (``Fraction`` or int) and give exact results, computed as
    ``Σ_{s≥1} p(s−1) P[i,s] − Σ_{s<n} p(s) (Q[s] − P[i,s])`` from
    :func:`graded_sums` in integer arithmetic with one
    :class:`~fractions.Fraction` per player.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> weighted_semivalue(g, [0.5, 0.5]).tolist()      # Shapley weights for n = 2
    [1.5, 2.5]
    """
    n = game.n
    if len(weights) != n:
        raise InvalidModel(f"need {n} weights p(0..{n - 1}), got {len(weights)}", field="weights")
    if n == 0:
        return np.zeros(0, dtype=object if game.exact else np.float64)
    if game.exact:
        wf = [w if isinstance(w, Fraction) else Fraction(w) for w in weights]
        wden = math.lcm(*{w.denominator for w in wf})
        wi = [w.numerator * (wden // w.denominator) for w in wf]
        p, q, den = _exact_graded(game.values, n)
        inside = [0] + wi                   # weight of v(T), T ∋ i, |T| = s: p(s−1)
        outside = wi + [0]                  # weight of v(S), S ∌ i, |S| = s: p(s)
        out = np.empty(n, dtype=object)
        for i in range(n):
            tot = sum(inside[s] * int(p[i, s]) - outside[s] * (int(q[s]) - int(p[i, s]))
                      for s in range(n + 1))
            out[i] = Fraction(tot, den * wden)
        return out
    v = np.ascontiguousarray(game.values, dtype=np.float64)
    return SemivalueKernel(n, weights).add_table(v).values()


def shapley_weights(n: int, exact: bool = False) -> list[Any]:
    """``p(s) = s!(n−s−1)!/n! = 1/(n·C(n−1, s))`` for ``s = 0..n−1`` (Shapley 1953).

    Examples
    --------
    >>> [str(x) for x in shapley_weights(3, exact=True)]
    ['1/3', '1/6', '1/3']
    """
    if exact:
        return [Fraction(1, n * math.comb(n - 1, s)) for s in range(n)]
    return [1.0 / (n * math.comb(n - 1, s)) for s in range(n)]


def shapley(game: Game) -> np.ndarray:
    """Exact Shapley value of every player: one pass over the table.

    Float games: :class:`SemivalueKernel` with the Shapley weights (:func:`weighted_semivalue`).

    Exact games (``game.exact``) give :class:`~fractions.Fraction` results,
    computed in integer arithmetic (weights ``s!(n−s−1)!`` and values scaled
    to integers by their common denominator).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> glove = Game.from_table(["L", "R1", "R2"], {"": 0, "L": 0, "R1": 0, "R2": 0,
    ...     "L,R1": 1, "L,R2": 1, "R1,R2": 0, "L,R1,R2": 1})
    >>> shapley(glove).round(6).tolist()
    [0.666667, 0.166667, 0.166667]
    >>> [str(x) for x in shapley(glove.to_exact())]
    ['2/3', '1/6', '1/6']
    """
    n = game.n
    if n == 0:
        return np.zeros(0, dtype=object if game.exact else np.float64)
    if game.exact:   # integer weights s!(n−s−1)!, divided by n! at the end
        ints = [math.factorial(s) * math.factorial(n - s - 1) for s in range(n)]
        raw = weighted_semivalue(game, ints)
        out = np.empty(n, dtype=object)
        out[:] = [x / math.factorial(n) for x in raw]
        return out
    return weighted_semivalue(game, shapley_weights(n))


def _conditioned(game: Game, i: int) -> Game:
    """``v(C ∪ {i})`` on ``N∖{i}`` (float games: minus ``v({i})``, the marginal game).

    Shapley values ignore a constant added to every coalition, so for exact
    games the shift is skipped (it is exact either way); for floats it is kept
    because it shrinks the numbers being cancelled.
    """
    n = game.n
    half = game.values.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 1, :]
    names = game.names[:i] + game.names[i + 1:]
    if game.exact:
        return Game(names, half.reshape(-1).copy())
    return Game(names, (half - game.values[1 << i]).reshape(-1))


def _conditional_kernel(values: np.ndarray, n: int, weights: Sequence[float]) -> np.ndarray:
    """``M[i, j] = ψ_j(v_{-i})`` of a float table in one pass (see :func:`conditional_semivalue`)."""
    q = np.zeros(n)                                   # q(0..n−2) for n−1 players, q(n−1) = 0
    q[:n - 1] = [float(x) for x in weights]
    pair = np.zeros(n + 1)                            # c'(s) = q(s−2) + q(s−1): weight of S ∋ i, j
    pair[2:] = q[:n - 1] + q[1:]
    single = np.zeros(n + 1)                          # b'(s) = q(s−1): weight of S ∋ i
    single[1:] = q
    high, low = row_split(n)
    a = low // 2
    rows, cols = 2**high, 2**low
    sizes = np.arange(high + 1)[:, None] + _small_popcounts(low)[None, :]
    cw, bw = pair[sizes], single[sizes]
    pop = _small_popcounts(high).tolist()
    table = values.reshape(rows, cols)
    acc = np.zeros((high + 1, cols))                  # acc[m] = Σ_{|r| = m} row r
    col_sums = np.empty((rows, 2**a))                 # per row, u = row · c'(|r| + |lo|) summed over
    row_sums = np.empty((rows, 2 ** (low - a)))       # the high / the low bits of lo
    ys = np.empty(rows)                               # Σ_lo b'(|r| + |lo|) v(r ∪ lo)
    u = np.empty(cols)
    sq = u.reshape(2 ** (low - a), 2**a)
    ones_a, ones_b = np.ones(2**a), np.ones(2 ** (low - a))
    cw_rows, bw_rows, acc_rows = list(cw), list(bw), list(acc)
    for r in range(rows):
        row, m = table[r], pop[r]
        np.multiply(row, cw_rows[m], out=u)
        np.matmul(ones_b, sq, out=col_sums[r])      # products of 2^13 values: BLAS stays on this thread
        np.matmul(sq, ones_a, out=row_sums[r])
        ys[r] = np.dot(row, bw_rows[m])
        np.add(acc_rows[m], row, out=acc_rows[m])
    # X[i, j] = Σ_{S ∋ i, j} c'(|S|) v(S) (symmetric), Y[i] = Σ_{S ∋ i} b'(|S|) v(S)
    x = np.empty((n, n))
    x[:low, :low] = _pair_bit_sums(np.einsum("mi,mi->i", cw, acc), low)
    x[low:, low:] = _pair_bit_sums(row_sums.sum(axis=1), high)
    lows = np.empty((rows, low))                      # lows[r, i] = Σ_{lo ∋ i} u_r[lo]
    lows[:, :a] = np.einsum("rm,mi->ri", col_sums, _bits(a, np.float64))
    lows[:, a:] = np.einsum("rm,mi->ri", row_sums, _bits(low - a, np.float64))
    mixed = np.einsum("rj,ri->ij", _bits(high, np.float64), lows)   # i low, j high
    x[:low, low:] = mixed
    x[low:, :low] = mixed.T
    y = np.empty(n)
    y[:low] = _bit_sums(np.einsum("mi,mi->i", bw, acc), low)
    y[low:] = _bit_sums(ys, high)
    out = x - y[:, None]
    np.fill_diagonal(out, 0.0)
    return out


def conditional_semivalue(game: Game, weights: Sequence[Any]) -> np.ndarray:
    """``M[i, j] = ψ_j(v_{-i})``: the semivalue of ``j`` in every marginal game ``v_{-i}``.

    ``v_{-i}(C) = v(C ∪ {i}) − v({i})`` on ``N∖{i}`` (Nguyen et al. 2022, Sec. 3.2) and
    ``ψ`` has the ``n − 1``-player weights ``q(0..n−2)``: with ``q(n−1) = 0``,

        ψ_j(v_{-i}) = Σ_{S ∋ i, j} (q(|S|−2) + q(|S|−1)) v(S) − Σ_{S ∋ i} q(|S|−1) v(S),

    a pair member sum minus a member sum. Float games: both come out of one pass
    over the table (rows as in :class:`SemivalueKernel`; per row, the weighted row
    is summed over the high and the low half of its bits, and the small per-row
    sums give the pairs across the split); ``O(2^h·2^{l/2})`` extra memory.
    Exact games: the exact kernel on each half table (one at a time). ``M[i, i] = 0``.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b", "c"], [0, 1, 2, 4, 1, 3, 4, 7])
    >>> m = conditional_semivalue(g, shapley_weights(2))
    >>> bool(np.allclose(m, conditional_shapley(g)))
    True
    """
    n = game.n
    if n >= 1 and len(weights) != n - 1:
        raise InvalidModel(f"need {n - 1} weights q(0..{n - 2}) for the marginal games, got {len(weights)}",
                           field="weights")
    if n == 0 or not game.exact:
        if n <= 1:
            return np.zeros((n, n))
        return _conditional_kernel(np.ascontiguousarray(game.values, dtype=np.float64), n, weights)
    m = np.zeros((n, n), dtype=object)
    m[:] = Fraction(0)
    for i in range(n):
        m[i, [j for j in range(n) if j != i]] = weighted_semivalue(_conditioned(game, i), weights)
    return m


def conditional_shapley(game: Game) -> np.ndarray:
    """All conditional Shapley values ``φ_{j|i}`` (Nguyen et al. 2022, Sec. 3.2, App. F).

    ``φ_{j|i}`` is the Shapley value of ``j`` in the marginal game
    ``v_{-i}(C) = v(C ∪ {i}) − v({i})`` on ``N∖{i}``. Returns the ``n×n``
    matrix ``M`` with ``M[i, j] = φ_{j|i}`` and ``M[i, i] = 0``. Float games:
    one pass over the table (:func:`conditional_semivalue`); exact games: the
    exact kernel on each half table, one half-table copy alive at a time.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> conditional_shapley(g).tolist()
    [[0.0, 3.0], [2.0, 0.0]]
    """
    n = game.n
    if game.exact and n >= 1:
        m = np.zeros((n, n), dtype=object)
        m[:] = Fraction(0)
        for i in range(n):
            m[i, [j for j in range(n) if j != i]] = shapley(_conditioned(game, i))
        return m
    return conditional_semivalue(game, shapley_weights(n - 1) if n >= 2 else [0.0] * max(n - 1, 0))


# ------------------------------------------------------------------ Monte Carlo
#: Coalitions whose complement is evaluated by the self-duality probe of ``antithetic="auto"``.
DUALITY_PROBES = 3


@dataclass(frozen=True)
class MonteCarloEstimate:
    """Monte Carlo Shapley estimate with a standard error per player.

    ``permutations`` counts sampled permutations (an antithetic pair counts
    two, ``antithetic_pairs`` of them came in pairs); ``value_calls`` counts
    coalitions evaluated (``v(∅)`` and ``v(N)`` once, then ``n − 1`` per
    permutation, plus at most :data:`DUALITY_PROBES` for the self-duality
    probe of ``antithetic="auto"``), the accounting of shapiq's budget.
    With ``method="stratified"``, ``permutations`` is 0 and ``value_calls``
    counts the distinct coalitions evaluated (:mod:`mechsolve.games.stratified`).
    """

    values: np.ndarray
    std_error: np.ndarray
    permutations: int
    converged: bool
    seed: int | None
    value_calls: int = 0
    antithetic_pairs: int = 0
    method: str = "permutation"

    def to_dict(self) -> dict[str, Any]:
        return {"values": self.values.tolist(), "std_error": self.std_error.tolist(),
                "permutations": self.permutations, "value_calls": self.value_calls,
                "antithetic_pairs": self.antithetic_pairs, "method": self.method,
                "converged": self.converged, "seed": self.seed}


def _table_walk(table: np.ndarray, n: int) -> Callable[[np.ndarray], np.ndarray]:
    """Marginal contributions along permutations of a tabulated game, via integer masks."""
    v_empty = table[0]

    def walk(perms: np.ndarray) -> np.ndarray:
        masks = np.cumsum(np.left_shift(np.int64(1), perms.astype(np.int64)), axis=1)
        vals = table[masks]
        marg = np.empty_like(vals)
        marg[:, 0] = vals[:, 0] - v_empty
        np.subtract(vals[:, 1:], vals[:, :-1], out=marg[:, 1:])
        out = np.empty_like(marg)
        np.put_along_axis(out, perms, marg, axis=1)
        return out

    return walk


def _callable_walk(f: Callable[[np.ndarray], np.ndarray], n: int, v_empty: float, v_full: float,
                   chunk_cells: int = 4_000_000) -> Callable[[np.ndarray], np.ndarray]:
    """Marginal contributions along permutations of a callable ``f(members)``.

    The ``n − 1`` proper non-empty prefixes of each permutation are evaluated
    in stacked calls of at most ``chunk_cells`` booleans; ``v(∅)``, ``v(N)`` are given.
    """
    def walk(perms: np.ndarray) -> np.ndarray:
        b = perms.shape[0]
        rank = np.empty_like(perms)
        np.put_along_axis(rank, perms, np.arange(n)[None, :].repeat(b, 0), axis=1)
        vals = np.empty((b, n + 1))
        vals[:, 0] = v_empty
        vals[:, n] = v_full
        per_call = max(1, chunk_cells // max(1, b * n))
        for p0 in range(1, n, per_call):
            pos = np.arange(p0, min(n, p0 + per_call))
            members = rank[None, :, :] < pos[:, None, None]          # (k, b, n): prefix of length pos
            got = np.asarray(f(members.reshape(-1, n)), dtype=np.float64).reshape(-1)
            if got.shape != (pos.size * b,):
                raise InvalidModel(f"the value function returned {got.shape[0]} values for "
                                   f"{pos.size * b} coalitions", field="value.callable")
            vals[:, pos] = got.reshape(pos.size, b).T
        marg = np.diff(vals, axis=1)
        out = np.empty_like(marg)
        np.put_along_axis(out, perms, marg, axis=1)
        return out

    return walk


def _self_dual_probe(perm: np.ndarray, marg: np.ndarray, value_of: Callable[[np.ndarray], np.ndarray],
                     v_empty: float, v_full: float, rtol: float = 1e-12) -> tuple[bool, int]:
    """Test ``v(S) + v(N∖S) = v(∅) + v(N)`` on prefixes ``S`` of an already walked permutation.

    For a self-dual game the reversed order gives every player exactly the same
    marginal contribution (its predecessors in the reverse are ``N∖(P ∪ {i})``
    and ``v(N∖P) − v(N∖P∖{i}) = v(P ∪ {i}) − v(P)``), so antithetic pairs
    would spend half their value calls on copies. ``v(S)`` of a prefix is read
    off the walked marginals; each complement costs one value call, and the
    probe stops at the first coalition that is not self-dual. Prefix sizes
    ``n/2, n/4, 3n/4`` (distinct, within ``1..n−1``).

    Returns ``(self_dual, value_calls)``.
    """
    n = perm.size
    sizes = list(dict.fromkeys(min(max(s, 1), n - 1) for s in (n // 2, n // 4, (3 * n) // 4)))
    prefix_values = v_empty + np.cumsum(marg[perm])           # v(P_s) for s = 1..n
    used = 0
    for s in sizes[:DUALITY_PROBES]:
        members = np.ones((1, n), dtype=bool)
        members[0, perm[:s]] = False                          # N ∖ P_s
        comp = float(np.asarray(value_of(members), dtype=np.float64).reshape(-1)[0])
        used += 1
        lhs, rhs = prefix_values[s - 1] + comp, v_empty + v_full
        scale = abs(prefix_values[s - 1]) + abs(comp) + abs(v_empty) + abs(v_full)
        if not abs(lhs - rhs) <= rtol * scale:
            return False, used
    return True, used


def monte_carlo_shapley(value: Game | Callable[[np.ndarray], np.ndarray], n: int | None = None, *,
                        max_permutations: int = 10_000, target_std_error: float | None = None,
                        batch: int = 64, antithetic: bool | str = "auto", seed: int | None = None,
                        max_value_calls: int | None = None, method: str = "permutation") -> MonteCarloEstimate:
    """Monte Carlo estimate of the Shapley value: permutation sampling or stratified regression.

    ``method="stratified"`` is :func:`mechsolve.games.stratified.stratified_shapley`:
    distinct coalitions sampled per size (sizes that fit the budget enumerated),
    a Neyman allocation over sizes, and a cross-fitted membership regression as
    control variate; unbiased, exactly efficient (``Σ φ̂ = v(N) − v(∅)``), with a
    finite-population standard error. At equal value calls its error is the
    lowest of the estimators compared in ``benchmarks/monte_carlo.py``
    (shapiq's KernelSHAP, SVARM, kADD-SHAP, ..., pyDVL's samplers). Its budget
    is ``max_value_calls``, else the calls ``max_permutations`` permutations
    would make (``2 + max_permutations·(n − 1)``); ``batch`` and
    ``antithetic`` apply to permutations only.

    The default ``method="permutation"`` is the estimator of Castro et al. (2009):

    Each sampled permutation ``π`` gives every player its marginal contribution
    ``v(P_i^π ∪ {i}) − v(P_i^π)``; the estimate is the mean over all sampled
    permutations and the standard error ``sd/√m`` over the ``m`` sampling
    units. With ``antithetic=True`` each permutation is paired with its
    reverse and the pair mean is one unit (negatively correlated halves: lower
    variance at equal value calls, e.g. for saturating "accuracy" games).

    ``"auto"`` (default) first walks one permutation and probes self-duality,
    ``v(S) + v(N∖S) = v(∅) + v(N)``, on up to :data:`DUALITY_PROBES` of its
    prefixes (one value call each, stopping at the first failure). A self-dual
    game (e.g. majority voting) gives reversed orders exactly the same marginal
    contributions, so it is sampled with independent permutations only (the
    probe's ≤ 3 calls are the whole cost). Otherwise the probed permutation
    opens a pilot of ``max(4, min(batch, max_permutations/64))`` antithetic
    pairs, kept only if their halves are negatively correlated (pooled over
    players); else sampling continues with independent permutations. The total
    number of permutations is fixed in advance (an odd one left over after
    pairs is a single), and every permutation is drawn uniformly before the
    data it is added to is seen, so the estimate stays unbiased.

    Permutations are drawn and walked in vectorised batches. Sampling stops
    when every player's standard error is at most ``target_std_error``
    (checked after each batch, once at least 2 batches and 30 units are in) or
    after ``max_permutations``, or when ``max_value_calls`` (shapiq's budget:
    ``v(∅)``, ``v(N)``, the probe, then ``n − 1`` per permutation) would be
    exceeded. A ``z``-sided interval ``values ± z·std_error`` covers the true
    value with the normal-approximation confidence (``z = 3``: 99.7 %).

    Parameters
    ----------
    value : Game or callable
        A tabulated game, or ``f(members)`` taking a boolean ``(rows, n)``
        array of coalitions and returning their ``rows`` values (``v(∅)`` is
        read as ``f`` of the empty row; no normalisation is assumed).
    n : int
        Number of players (required with a callable).
    max_value_calls : int, optional
        Budget in value calls; the number of permutations is
        ``(max_value_calls − 2 − probe) // (n − 1)`` (``probe`` = 3 with
        ``"auto"``, else 0), capped by ``max_permutations``.
    method : {"permutation", "stratified"}
        The estimator (see above).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> est = monte_carlo_shapley(g, max_permutations=200, seed=1)
    >>> bool(abs(est.values - shapley(g)).max() < 1e-12)   # n=2: antithetic pairs are exact
    True
    >>> f = lambda m: m.sum(axis=1) ** 2 * 1.0              # v(S) = |S|^2: φ_i = n
    >>> est = monte_carlo_shapley(f, 50, max_permutations=256, seed=0)
    >>> bool(abs(est.values - 50).max() < 1e-9)
    True
    >>> maj = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])   # self-dual
    >>> est = monte_carlo_shapley(maj, max_value_calls=1000, seed=0)
    >>> est.antithetic_pairs, est.permutations, est.value_calls     # (1000 - 2 - 3) // 2
    (0, 497, 998)
    >>> est = monte_carlo_shapley(maj, max_value_calls=1000, method="stratified")
    >>> est.value_calls, est.std_error.tolist()                     # all 2^3 coalitions fit: exact
    (8, [0.0, 0.0, 0.0])
    """
    if method not in ("permutation", "stratified"):
        raise InvalidModel(f"method must be 'permutation' or 'stratified', got {method!r}", field="method")
    if isinstance(value, Game):
        n = value.n
        if n > 62:
            raise InvalidModel("tabulated games support at most 62 players", field="players")
        table = np.ascontiguousarray(value.to_float().values, dtype=np.float64)
        walk = _table_walk(table, n)
        bit = np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))

        def value_of(members: np.ndarray) -> np.ndarray:
            return table[members.astype(np.int64) @ bit]

        v_empty, v_full = float(table[0]), float(table[-1])
    else:
        if n is None:
            raise InvalidModel("n is required with a callable value function", field="n")
        if n <= 0:
            raise InvalidModel(f"n must be positive, got {n}", field="n")
        ends = np.zeros((2, n), dtype=bool)
        ends[1] = True
        got = np.asarray(value(ends), dtype=np.float64).reshape(-1)
        if got.shape != (2,):
            raise InvalidModel(f"the value function returned {got.shape[0]} values for 2 coalitions",
                               field="value.callable")
        v_empty, v_full = float(got[0]), float(got[1])
        walk = _callable_walk(value, n, v_empty, v_full)
        value_of = value
    if n <= 0:
        raise InvalidModel(f"n must be positive, got {n}", field="n")
    if max_permutations < 2:
        raise InvalidModel("max_permutations must be at least 2", field="max_permutations")
    if method == "stratified":
        budget = max_value_calls if max_value_calls is not None else 2 + max_permutations * max(n - 1, 1)
        with _blas_threads():
            res = stratified_shapley(value_of, n, budget=budget, seed=seed, target_std_error=target_std_error,
                                     ends=(v_empty, v_full))
        return MonteCarloEstimate(res.values, res.std_error, 0, res.converged, seed, res.calls, 0, "stratified")
    if batch < 1:
        raise InvalidModel("batch must be at least 1", field="batch")
    if antithetic not in (True, False, "auto"):
        raise InvalidModel(f"antithetic must be true, false or 'auto', got {antithetic!r}", field="antithetic")
    probe = antithetic == "auto" and n >= 2
    total = max_permutations                 # fixed in advance: keeps the mean unbiased
    if max_value_calls is not None:
        reserved = 2 + (DUALITY_PROBES if probe else 0)
        if n >= 2:
            need = reserved + 2 * (n - 1)
            if max_value_calls < need:
                raise InvalidModel(f"max_value_calls must be at least {need} (v(∅), v(N), "
                                   f"{reserved - 2} probe calls and 2 permutations of {n - 1} calls) "
                                   f"for n={n}, got {max_value_calls}", field="max_value_calls")
            total = min(total, (max_value_calls - reserved) // (n - 1))
    rng = np.random.default_rng(seed)
    pairs = _Moments(n)          # pair means (antithetic units, 2 permutations each)
    singles = _Moments(n)        # single permutations
    halves = np.zeros((5, n))    # pilot sums of a, b, a², b², ab for the two halves of each pair
    use_pairs = antithetic is not False
    decided = antithetic != "auto"
    pilot = max(4, min(batch, max_permutations // 64))
    converged = False
    perms_used = 0
    probe_calls = 0
    base = np.arange(n)

    def add_pairs(first: np.ndarray, second: np.ndarray) -> None:
        nonlocal decided, use_pairs
        pairs.add(0.5 * (first + second))
        if not decided:
            halves[:] += [first.sum(0), second.sum(0), (first**2).sum(0), (second**2).sum(0),
                          (first * second).sum(0)]
            if pairs.count >= pilot:
                decided = True
                use_pairs = _pairs_help(halves, pairs.count)

    if probe:
        perm0 = rng.permutation(n)[None, :]
        first = walk(perm0)
        self_dual, probe_calls = _self_dual_probe(perm0[0], first[0], value_of, v_empty, v_full)
        if self_dual:
            decided, use_pairs = True, False
            singles.add(first)
            perms_used = 1
        else:
            add_pairs(first, walk(perm0[:, ::-1]))
            perms_used = 2
    while True:
        left = total - perms_used
        per = 2 if use_pairs and left >= 2 else 1
        b = min(batch, left // per)
        if not decided and per == 2:
            b = min(b, pilot - pairs.count)
        if b < 1:
            break
        perms = rng.permuted(np.broadcast_to(base, (b, n)), axis=1)
        first = walk(perms)
        if per == 2:
            add_pairs(first, walk(perms[:, ::-1]))
        else:
            singles.add(first)
        perms_used += b * per
        if target_std_error is not None and pairs.count + singles.count >= max(2 * batch, 30):
            if _combined(pairs, singles)[1].max() <= target_std_error:
                converged = True
                break
    mean, se = _combined(pairs, singles)
    calls = 2 + probe_calls + perms_used * max(n - 1, 0)
    return MonteCarloEstimate(mean, se, perms_used, converged, seed, calls, pairs.count)


class _Moments:
    """Running count, sum and sum of squares per player."""

    def __init__(self, n: int) -> None:
        self.count = 0
        self.total = np.zeros(n)
        self.total_sq = np.zeros(n)

    def add(self, sample: np.ndarray) -> None:
        self.count += sample.shape[0]
        self.total += sample.sum(axis=0)
        self.total_sq += np.einsum("ij,ij->j", sample, sample)

    def variance(self) -> np.ndarray:
        m = self.count
        mean = self.total / m
        return np.maximum(self.total_sq / m - mean**2, 0.0) * m / max(m - 1, 1)


def _pairs_help(h: np.ndarray, m: int) -> bool:
    """True when the two halves of antithetic pairs are negatively correlated (pooled over players).

    A pair of permutations then has variance ``(1+ρ)σ²/2 < σ²/2``; for nearly
    self-dual games (``v(S) + v(N∖S)`` constant, e.g. majority voting) the
    reversed order repeats the marginal contributions (``ρ ≈ 1``) and
    independent permutations are better.
    """
    sa, sb, saa, sbb, sab = h
    cov = (sab - sa * sb / m).sum()
    var = 0.5 * ((saa - sa**2 / m) + (sbb - sb**2 / m)).sum()
    return bool(var > 0 and cov < 0)


def _combined(pairs: _Moments, singles: _Moments) -> tuple[np.ndarray, np.ndarray]:
    """Mean over all permutations and its standard error (pairs count as units of two)."""
    perms = 2 * pairs.count + singles.count
    mean = (2 * pairs.total + singles.total) / perms
    var = np.zeros_like(mean)
    if pairs.count:
        var += 4 * pairs.count * pairs.variance()
    if singles.count:
        var += singles.count * singles.variance()
    return mean, np.sqrt(var) / perms
