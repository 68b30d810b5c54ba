"""MMD data valuation (Tay et al. 2022, Sec. 3 and 5): kernel sums, all coalitions, kernel selection.

The reference dataset is ``T = D_1 ∪ … ∪ D_n ∪ G`` (``t = |T|``); for a dataset
``S ⊆ T`` of ``s`` points the value of eq. (2) is

.. math::

    v(S) = \\frac{2}{s t} \\sum_{x \\in S, x' \\in T} k(x, x')
           - \\frac{1}{s^2} \\sum_{x, x' \\in S} k(x, x'),

the negative biased squared MMD between ``S`` and ``T`` plus the constant
``⟨t^{-2} 1, K⟩``. The *unbiased* variant (an option, not the paper's choice)
replaces the second term by ``(s(s-1))^{-1} Σ_{x ≠ x' ∈ S} k(x, x')`` (from
``MMD_u^2`` of eq. (1) plus its constant ``(t(t-1))^{-1} Σ_{x≠x'∈T} k``).
``v(∅) := 0``.

Every quantity depends on the data only through *group block sums*
``B[a, b] = Σ_{x ∈ D_a, x' ∈ D_b} k(x, x')`` (groups: the ``n`` parties, then
``G``), so the value of all ``2^n`` coalitions ``v_c(C) = v(∪_{i∈C} D_i)`` is
computed from one pass over the kernel matrix (in row chunks, its memory
predicted first) plus ``O(n 2^n)`` arithmetic.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> data = MMDData(("a", "b"), (rng.normal(size=(20, 2)), rng.normal(1, 1, size=(20, 2))))
>>> bs = block_sums(data, 1.0)
>>> v = coalition_values(bs)
>>> v.shape, float(v[0])
((4,), 0.0)
>>> bool(abs(v[3] - direct_value(data.points, data.points, 1.0)) < 1e-12)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..games.game import _human, available_memory_bytes, guard_table_memory

#: Kernels understood by :func:`kernel_matrix`.
KERNELS = ("rbf",)
#: Estimators of the value: the paper's biased one (eq. 2) or the unbiased variant.
ESTIMATORS = ("biased", "unbiased")
Estimator = Literal["biased", "unbiased"]

#: Default cap on the memory one kernel chunk (plus temporaries) may use.
DEFAULT_MAX_KERNEL_BYTES = 256 * 2**20
#: Temporaries per kernel entry while a chunk is computed (distances, exp, sums).
_WORK_COPIES = 3


# ---------------------------------------------------------------------- data
@dataclass(frozen=True, eq=False)
class MMDData:
    """The parties' datasets ``D_1..D_n`` and the synthetic pool ``G`` (rows = points).

    Parameters
    ----------
    names : tuple of str
        Party names, party ``k`` is bit ``k`` of a coalition.
    parties : tuple of numpy.ndarray
        ``D_k`` as ``(m_k, d)`` float64 arrays, ``m_k >= 1``.
    reference : numpy.ndarray, optional
        ``G`` as a ``(g, d)`` array (``g`` may be 0: then ``T`` is the pooled data).
    """

    names: tuple[str, ...]
    parties: tuple[np.ndarray, ...]
    reference: np.ndarray | None = None
    description: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.names) != len(self.parties):
            raise InvalidModel(f"{len(self.names)} names for {len(self.parties)} datasets",
                               field="value.datasets")
        if not self.parties:
            raise InvalidModel("at least one party dataset is needed", field="value.datasets")
        d = None
        for name, x in zip(self.names, self.parties):
            _check_points(x, f"value.datasets.parties[{name!r}]", d)
            d = x.shape[1]
        g = self.G
        _check_points(g, "value.datasets.reference", d, allow_empty=True)

    @property
    def n(self) -> int:
        """Number of parties."""
        return len(self.parties)

    @property
    def dim(self) -> int:
        """Dimension ``d`` of a data point."""
        return int(self.parties[0].shape[1])

    @property
    def G(self) -> np.ndarray:
        """The synthetic pool ``G`` (``(0, d)`` when absent)."""
        if self.reference is None:
            return np.empty((0, self.parties[0].shape[1]))
        return self.reference

    @property
    def sizes(self) -> np.ndarray:
        """Group sizes ``(m_1, …, m_n, |G|)``."""
        return np.array([len(x) for x in self.parties] + [len(self.G)], dtype=np.int64)

    @property
    def points(self) -> np.ndarray:
        """``T`` as one array: ``D_1``, …, ``D_n``, then ``G``."""
        return np.concatenate([*self.parties, self.G], axis=0)

    @property
    def t(self) -> int:
        """``t = |T|``."""
        return int(self.sizes.sum())


def _check_points(x: np.ndarray, where: str, d: int | None, *, allow_empty: bool = False) -> None:
    if not isinstance(x, np.ndarray) or x.ndim != 2:
        raise InvalidModel(f"expected a 2-D array (rows = points), got shape {getattr(x, 'shape', None)}",
                           field=where)
    if x.dtype.kind not in "fiu":
        raise InvalidModel(f"expected numbers, got dtype {x.dtype}", field=where)
    if len(x) == 0 and not allow_empty:
        raise InvalidModel("dataset has no points", field=where)
    if d is not None and x.shape[1] != d:
        raise InvalidModel(f"points have {x.shape[1]} columns, other datasets have {d}", field=where)
    if x.size and not np.all(np.isfinite(x)):
        row = int(np.flatnonzero(~np.all(np.isfinite(x), axis=1))[0])
        raise InvalidModel(f"row {row} has a non-finite entry", field=where)


# -------------------------------------------------------------------- kernel
def check_lengthscale(lengthscale: float) -> float:
    """A positive finite length-scale, else :class:`InvalidModel`."""
    x = float(lengthscale)
    if not math.isfinite(x) or x <= 0:
        raise InvalidModel(f"length-scale must be a positive number, got {lengthscale!r}",
                           field="value.datasets.lengthscale")
    return x


def sq_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances ``‖x − y‖²`` (clipped at 0), shape ``(len(X), len(Y))``."""
    d2 = (np.einsum("ij,ij->i", X, X)[:, None] + np.einsum("ij,ij->i", Y, Y)[None, :]
          - 2.0 * (X @ Y.T))
    np.maximum(d2, 0.0, out=d2)
    return d2


def kernel_matrix(X: np.ndarray, Y: np.ndarray, lengthscale: float, kernel: str = "rbf", *,
                  self_offset: int | None = None) -> np.ndarray:
    """The RBF (squared exponential) kernel ``k(x, y) = exp(−‖x − y‖² / (2ℓ²))``.

    Tay et al. (2022), Sec. 6: "the squared exponential kernel with its
    length-scale computed using the binary search algorithm in Sec. 5";
    ``k* = k(x, x) = 1``.

    Examples
    --------
    >>> kernel_matrix(np.zeros((1, 2)), np.array([[0.0, 0.0], [1.0, 0.0]]), 1.0).round(4).tolist()
    [[1.0, 0.6065]]

    ``self_offset`` says that ``X`` is the block of ``Y`` starting at that row, so
    the diagonal is set to exactly ``k* = 1`` (the expansion ``‖x‖² + ‖y‖² − 2x·y``
    leaves ~1e-15 there, which matters at tiny length-scales).
    """
    if kernel not in KERNELS:
        raise InvalidModel(f"unknown kernel {kernel!r}; valid: {', '.join(KERNELS)}",
                           field="value.datasets.kernel")
    ell = check_lengthscale(lengthscale)
    K = sq_distances(X, Y)
    if self_offset is not None:  # row r of X is column self_offset + r of Y: exactly k(x, x) = k* = 1
        r = np.arange(len(X))
        K[r, self_offset + r] = 0.0
    K *= -0.5 / (ell * ell)
    np.exp(K, out=K)
    return K


# --------------------------------------------------------------- memory plan
@dataclass(frozen=True)
class KernelPlan:
    """How a ``rows × t`` kernel pass will be computed.

    ``full_bytes`` is the predicted size of the whole ``rows × t`` float64
    kernel matrix (plus temporaries); above ``limit_bytes`` the pass runs in
    ``n_chunks`` chunks of ``chunk_rows`` rows.
    """

    rows: int
    cols: int
    full_bytes: int
    limit_bytes: int
    chunk_rows: int
    n_chunks: int

    @property
    def chunked(self) -> bool:
        return self.n_chunks > 1

    def describe(self) -> str:
        """One line for reports."""
        size = f"{self.rows}×{self.cols} kernel ≈ {_human(self.full_bytes)} with temporaries"
        if not self.chunked:
            return f"{size}, computed at once (limit {_human(self.limit_bytes)})"
        return (f"{size} > limit {_human(self.limit_bytes)}: {self.n_chunks} chunks of "
                f"{self.chunk_rows} rows")


def plan_kernel(rows: int, cols: int, max_bytes: int | None = None) -> KernelPlan:
    """Predict the memory of a ``rows × cols`` kernel pass and choose its chunking.

    Examples
    --------
    >>> p = plan_kernel(10_000, 10_000, max_bytes=100 * 2**20)
    >>> p.chunked, p.chunk_rows
    (True, 436)
    """
    limit = int(max_bytes) if max_bytes is not None else min(DEFAULT_MAX_KERNEL_BYTES,
                                                             available_memory_bytes() // 4)
    if limit <= 0:
        raise InvalidModel(f"kernel memory limit must be positive, got {max_bytes!r}",
                           field="value.datasets.max_kernel_bytes")
    per_row = _WORK_COPIES * 8 * max(cols, 1)
    full = per_row * rows
    chunk = max(1, min(rows, limit // per_row)) if rows else 1
    if per_row > limit:
        raise Unsupported(f"one kernel row of {cols} points needs {_human(per_row)}, more than the "
                          f"limit {_human(limit)}; raise `max_kernel_bytes`",
                          field="value.datasets.max_kernel_bytes")
    return KernelPlan(rows, cols, full, limit, chunk, max(1, math.ceil(rows / chunk)) if rows else 1)


def _group_starts(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets of every group and the non-empty ones (for ``reduceat``)."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return starts, sizes > 0


def _column_group_sums(K: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``(rows, groups)`` sums of the columns of ``K`` over each group (empty groups → 0)."""
    starts, nonempty = _group_starts(sizes)
    out = np.zeros((K.shape[0], len(sizes)))
    if K.shape[1]:
        out[:, nonempty] = np.add.reduceat(K, starts[nonempty], axis=1)
    return out


# ---------------------------------------------------------------- block sums
@dataclass(frozen=True, eq=False)
class BlockSums:
    """Kernel sums between groups (parties ``0..n−1``, then ``G`` as group ``n``).

    Attributes
    ----------
    sizes : numpy.ndarray
        ``(m_1, …, m_n, |G|)``.
    blocks : numpy.ndarray
        ``blocks[a, b] = Σ_{x ∈ group a, x' ∈ group b} k(x, x')`` (symmetric).
    diag : numpy.ndarray
        ``diag[a] = Σ_{x ∈ group a} k(x, x)`` (the unbiased estimator drops it).
    lengthscale : float
    plan : KernelPlan
        How the kernel pass was run (memory prediction, chunks).
    """

    sizes: np.ndarray
    blocks: np.ndarray
    diag: np.ndarray
    lengthscale: float
    plan: KernelPlan
    kernel: str = "rbf"

    @property
    def n(self) -> int:
        return len(self.sizes) - 1

    @property
    def t(self) -> int:
        return int(self.sizes.sum())

    @property
    def to_T(self) -> np.ndarray:
        """``Σ_{x ∈ group a, x' ∈ T} k(x, x')`` per group."""
        return self.blocks.sum(axis=1)


def block_sums(data: MMDData, lengthscale: float, *, kernel: str = "rbf",
               max_bytes: int | None = None) -> BlockSums:
    """All group block sums of the kernel matrix over ``T``, in row chunks.

    One pass over the ``t × t`` kernel matrix: ``O(t² d)`` time, memory at most
    the plan's limit (see :func:`plan_kernel`).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0]])
    >>> bs = block_sums(MMDData(("a", "b"), (x[:1], x[1:])), 1.0)
    >>> bs.blocks.round(4).tolist()
    [[1.0, 0.6065, 0.0], [0.6065, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """
    ell = check_lengthscale(lengthscale)
    T = data.points
    sizes = data.sizes
    t = len(T)
    plan = plan_kernel(t, t, max_bytes)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    blocks = np.zeros((len(sizes), len(sizes)))
    for lo in range(0, t, plan.chunk_rows):
        hi = min(t, lo + plan.chunk_rows)
        colsums = _column_group_sums(kernel_matrix(T[lo:hi], T, ell, kernel, self_offset=lo), sizes)
        np.add.at(blocks, groups[lo:hi], colsums)
    blocks = 0.5 * (blocks + blocks.T)  # exact symmetry despite summation order
    diag = sizes.astype(np.float64)  # RBF: k(x, x) = 1
    return BlockSums(sizes, blocks, diag, ell, plan, kernel)


def _subset_sums(w: np.ndarray) -> np.ndarray:
    """``out[m] = Σ_{k ∈ m} w[k]`` for every bitmask ``m`` of ``len(w)`` bits."""
    out = np.zeros(1)
    for x in w:
        out = np.concatenate([out, out + x])
    return out


def value_from_sums(s: np.ndarray | float, cross_T: np.ndarray | float, within: np.ndarray | float,
                    diag: np.ndarray | float, t: int, estimator: Estimator = "biased") -> np.ndarray:
    """Eq. (2) from its sums: ``2 A/(s t) − Q/s²`` (biased) or ``2 A/(s t) − (Q − D)/(s(s−1))``.

    ``A = Σ_{S×T} k``, ``Q = Σ_{S×S} k``, ``D = Σ_{x∈S} k(x, x)``; ``s = 0`` gives 0.
    """
    s = np.asarray(s, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = 2.0 * np.asarray(cross_T) / (s * t)
        if estimator == "biased":
            second = np.asarray(within) / (s * s)
        elif estimator == "unbiased":
            second = (np.asarray(within) - np.asarray(diag)) / (s * (s - 1.0))
        else:
            raise InvalidModel(f"unknown estimator {estimator!r}; valid: {', '.join(ESTIMATORS)}",
                               field="value.datasets.estimator")
        v = first - second
    return np.where(s > 0, v, 0.0)


def coalition_values(bs: BlockSums, *, estimator: Estimator = "biased",
                     groups: Sequence[int] | None = None) -> np.ndarray:
    """``v_c(C) = v(∪_{i∈C} D_i)`` for every bitmask ``C`` over ``groups`` (default: the parties).

    Built by doubling over groups: ``s``, ``A`` and ``Q`` of ``C ∪ {k}`` follow from
    those of ``C`` and the subset sums of ``blocks[k, :k]`` — ``O(n 2^n)`` in all.
    Passing ``groups=range(n + 1)`` includes ``G`` as the last bit.

    Raises
    ------
    Unsupported
        For the unbiased estimator when a non-empty coalition has a single point.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [3.0]])
    >>> bs = block_sums(MMDData(("a", "b", "c"), (x[:1], x[1:2], x[2:])), 1.0)
    >>> v = coalition_values(bs)
    >>> bool(abs(v[0b011] - direct_value(x[:2], x, 1.0)) < 1e-12)
    True
    """
    gs = list(range(bs.n)) if groups is None else [int(g) for g in groups]
    guard_table_memory(len(gs), copies=6.0, what="MMD coalition sums")
    s = np.zeros(1)
    A = np.zeros(1)
    Q = np.zeros(1)
    D = np.zeros(1)
    to_T = bs.to_T
    for j, g in enumerate(gs):
        cross = _subset_sums(bs.blocks[g, gs[:j]]) if j else np.zeros(1)
        s = np.concatenate([s, s + bs.sizes[g]])
        A = np.concatenate([A, A + to_T[g]])
        Q = np.concatenate([Q, Q + 2.0 * cross + bs.blocks[g, g]])
        D = np.concatenate([D, D + bs.diag[g]])
    if estimator == "unbiased" and np.any(s == 1):
        m = int(np.flatnonzero(s == 1)[0])
        raise Unsupported(f"the unbiased estimator needs at least 2 points in every non-empty "
                          f"coalition; coalition with bitmask {m} has 1", field="value.datasets.estimator")
    return value_from_sums(s, A, Q, D, bs.t, estimator)


def union_value(bs: BlockSums, groups: Sequence[int], *, estimator: Estimator = "biased") -> float:
    """``v`` of the union of the given groups (e.g. ``[i, n]`` for ``v(D_i ∪ G)``)."""
    gs = sorted(set(int(g) for g in groups))
    s = float(bs.sizes[gs].sum())
    A = float(bs.to_T[gs].sum())
    Q = float(bs.blocks[np.ix_(gs, gs)].sum())
    D = float(bs.diag[gs].sum())
    return float(value_from_sums(s, A, Q, D, bs.t, estimator))


def direct_value(S: np.ndarray, T: np.ndarray, lengthscale: float, *,
                 estimator: Estimator = "biased") -> float:
    """Eq. (2) straight from the kernel matrix (``O(s t d)``): the literal reference.

    Written as the Frobenius inner product of the paper:
    ``v(S) = ⟨2(st)^{-1} 1_{[x∈S, x'∈T]} − s^{-2} 1_{[x,x'∈S]}, K⟩``.
    """
    s, t = len(S), len(T)
    if s == 0:
        return 0.0
    K_ST = kernel_matrix(S, T, lengthscale)
    K_SS = kernel_matrix(S, S, lengthscale, self_offset=0)
    if estimator == "biased":
        return float(2.0 * K_ST.sum() / (s * t) - K_SS.sum() / s**2)
    if s < 2:
        raise Unsupported("the unbiased estimator needs at least 2 points", field="value.datasets.estimator")
    return float(2.0 * K_ST.sum() / (s * t) - (K_SS.sum() - np.trace(K_SS)) / (s * (s - 1)))


def direct_mmd2(S: np.ndarray, T: np.ndarray, lengthscale: float, *,
                estimator: Estimator = "biased") -> float:
    """``MMD²(F, S, T)`` of eq. (1), biased or unbiased, from the full kernel matrices."""
    s, t = len(S), len(T)
    K_SS, K_ST, K_TT = (kernel_matrix(S, S, lengthscale), kernel_matrix(S, T, lengthscale),
                        kernel_matrix(T, T, lengthscale))
    if estimator == "biased":
        return float(K_SS.sum() / s**2 - 2 * K_ST.sum() / (s * t) + K_TT.sum() / t**2)
    return float((K_SS.sum() - np.trace(K_SS)) / (s * (s - 1)) - 2 * K_ST.sum() / (s * t)
                 + (K_TT.sum() - np.trace(K_TT)) / (t * (t - 1)))


# ---------------------------------------------------------- kernel selection
@dataclass(frozen=True)
class LengthscaleSearch:
    """Result of the bisection of Tay et al. (2022), Sec. 5.

    ``lengthscale`` is the upper end of the final bracket: the smallest tried
    length-scale at which every ``v(D_i) >= 0`` (``condition_holds``). The
    lower end ``interval[0]`` fails the condition (unless ``at_floor``).
    """

    lengthscale: float
    interval: tuple[float, float]
    initial_interval: tuple[float, float]
    iterations: int
    evaluations: int
    singleton_values: tuple[float, ...]
    condition_holds: bool
    rtol: float
    at_floor: bool = False
    plan: KernelPlan | None = None

    def to_dict(self) -> dict[str, object]:
        return {"lengthscale": self.lengthscale, "interval": list(self.interval),
                "initial_interval": list(self.initial_interval), "iterations": self.iterations,
                "evaluations": self.evaluations, "singleton_values": list(self.singleton_values),
                "condition_holds": self.condition_holds, "rtol": self.rtol, "at_floor": self.at_floor}


class _SingletonEvaluator:
    """``v(D_i)`` for all parties at any length-scale, reusing squared distances when they fit."""

    def __init__(self, data: MMDData, estimator: Estimator, max_bytes: int | None) -> None:
        self.data, self.estimator = data, estimator
        self.T = data.points
        self.sizes = data.sizes
        m = int(self.sizes[:-1].sum())
        self.rows = m
        self.plan = plan_kernel(m, len(self.T), max_bytes)
        self.groups = np.repeat(np.arange(data.n), self.sizes[:-1])
        self.d2 = sq_distances(self.T[:m], self.T) if not self.plan.chunked else None
        if self.d2 is not None:
            self.d2[np.arange(m), np.arange(m)] = 0.0
        if estimator == "unbiased" and np.any(self.sizes[:-1] < 2):
            raise Unsupported("the unbiased estimator needs at least 2 points per party",
                              field="value.datasets.estimator")

    def __call__(self, ell: float) -> np.ndarray:
        n = self.data.n
        A = np.zeros(n)
        Q = np.zeros(n)
        step = self.plan.chunk_rows
        for lo in range(0, self.rows, step):
            hi = min(self.rows, lo + step)
            if self.d2 is not None:
                K = np.exp(self.d2[lo:hi] * (-0.5 / (ell * ell)))
            else:
                K = kernel_matrix(self.T[lo:hi], self.T, ell, self_offset=lo)
            cs = _column_group_sums(K, self.sizes)
            g = self.groups[lo:hi]
            np.add.at(A, g, cs.sum(axis=1))
            np.add.at(Q, g, cs[np.arange(hi - lo), g])
        s = self.sizes[:-1].astype(np.float64)
        return value_from_sums(s, A, Q, s, int(self.sizes.sum()), self.estimator)


def _median_distance(T: np.ndarray, max_points: int = 1000) -> float:
    step = max(1, len(T) // max_points)
    sub = T[::step][:max_points]
    d2 = sq_distances(sub, sub)
    iu = np.triu_indices(len(sub), 1)
    med = float(np.sqrt(np.median(d2[iu]))) if len(iu[0]) else 1.0
    return med if med > 0 else 1.0


def select_lengthscale(data: MMDData, *, estimator: Estimator = "biased", rtol: float = 1e-3,
                       max_iter: int = 100, initial: float | None = None,
                       max_bytes: int | None = None) -> LengthscaleSearch:
    """Smallest RBF length-scale with ``v(D_i) >= 0`` for every party, by bisection.

    Tay et al. (2022), Sec. 5: "a simple binary search algorithm to find the min.
    length-scale of a kernel s.t. v(D_1), …, v(D_n) are non-negative". As
    ``ℓ → ∞`` every ``k → 1`` and ``v(S) → 1``; as ``ℓ → 0`` (distinct points)
    ``v(S) → 2/t − 1/s < 0`` when ``s < t/2``. Starting at ``initial`` (default:
    the median pairwise distance) the bracket ``[lo, hi]`` is grown by factors of
    2 until the condition fails at ``lo`` and holds at ``hi``, then bisected
    geometrically until ``hi/lo − 1 <= rtol``. The condition need not be monotone
    in ``ℓ``; the result is a boundary point where it holds at ``hi``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> data = MMDData(("a", "b", "c"), tuple(rng.normal(k, 1, size=(30, 2)) for k in range(3)))
    >>> r = select_lengthscale(data)
    >>> r.condition_holds, min(r.singleton_values) >= 0, r.interval[1] / r.interval[0] - 1 <= 1e-3
    (True, True, True)
    """
    if not (0 < rtol < 1):
        raise InvalidModel(f"rtol must be in (0, 1), got {rtol!r}", field="value.datasets.search.rtol")
    ev = _SingletonEvaluator(data, estimator, max_bytes)
    evals = 0

    def ok(ell: float) -> tuple[bool, np.ndarray]:
        nonlocal evals
        evals += 1
        v = ev(ell)
        return bool(np.all(v >= 0)), v

    start = check_lengthscale(initial) if initial is not None else _median_distance(data.points)
    hi, lo = start, start
    good, v_hi = ok(hi)
    for _ in range(200):
        if good:
            break
        lo, hi = hi, hi * 2.0
        good, v_hi = ok(hi)
    else:
        raise Unsupported(f"no length-scale up to {hi:.3g} makes every v(D_i) >= 0",
                          field="value.datasets.lengthscale")
    if lo == hi:  # the condition holds at the start: halve until it fails
        floor = start * 2.0**-60
        while True:
            cand = lo / 2.0
            good_c, v = ok(cand)
            if not good_c:
                lo = cand
                break
            hi, v_hi, lo = cand, v, cand
            if cand <= floor:
                return LengthscaleSearch(hi, (0.0, hi), (0.0, start), 0, evals, tuple(map(float, v_hi)),
                                         True, rtol, at_floor=True, plan=ev.plan)
    initial_interval = (lo, hi)
    it = 0
    while hi / lo - 1.0 > rtol and it < max_iter:
        it += 1
        mid = math.sqrt(lo * hi)
        good, v = ok(mid)
        if good:
            hi, v_hi = mid, v
        else:
            lo = mid
    return LengthscaleSearch(hi, (lo, hi), initial_interval, it, evals, tuple(map(float, v_hi)),
                             bool(np.all(v_hi >= 0)), rtol, plan=ev.plan)


__all__ = ["MMDData", "BlockSums", "KernelPlan", "LengthscaleSearch", "KERNELS", "ESTIMATORS",
           "kernel_matrix", "sq_distances", "plan_kernel", "block_sums", "coalition_values",
           "union_value", "value_from_sums", "direct_value", "direct_mmd2", "select_lengthscale"]
