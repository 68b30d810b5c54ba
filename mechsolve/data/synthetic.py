"""Synthetic-data rewards (Tay et al. 2022, Sec. 4.2): weighted sampling with incremental MMD sums.

Party ``i`` is rewarded with points ``G_i ⊆ G`` drawn one at a time, without
replacement, until ``v(D_i ∪ G_i)`` reaches its reward value ``r_i``. Each step
computes, for every candidate ``x ∈ G ∖ G_i``, the marginal gain
``Δ_x = v(D_i ∪ G_i ∪ {x}) − v(D_i ∪ G_i)``, min–max normalises it to
``Δ̄_x ∈ [0, 1]`` and samples ``x`` with probability
``p(x) = exp(β Δ̄_x) / Σ_{x'} exp(β Δ̄_{x'})`` (``β`` the inverse temperature).

Incremental updates: with ``S = D_i ∪ G_i`` the sums ``A = Σ_{S×T} k`` and
``Q = Σ_{S×S} k`` are kept, and per candidate ``r_x = Σ_{x'∈T} k(x, x')``
(fixed) and ``c_x = Σ_{x'∈S} k(x, x')`` (updated by one kernel column when a
point joins ``S``). Then ``v(S ∪ {x}) = 2(A + r_x)/((s+1)t) − (Q + 2c_x + k(x,x))/(s+1)²``
for all candidates at once in ``O(|G|)``, and each accepted point costs
``O(|G| d)`` — the paper's ``O(s + t)`` per ``Δ_x`` (Sec. 4.2), amortised further.

This module also holds the seeded generators of a synthetic pool ``G`` (a
Gaussian KDE or a Gaussian mixture fit to the pooled data) and the non-iid
splits of a labelled dataset among parties used by the bundled models.

Examples
--------
>>> import numpy as np
>>> from mechsolve.data.mmd import MMDData
>>> rng = np.random.default_rng(0)
>>> data = MMDData(("a", "b"), (rng.normal(0, 1, (30, 2)), rng.normal(3, 1, (30, 2))),
...                rng.normal(1.5, 2, (200, 2)))
>>> res = weighted_sampling(data, [0.05, 0.05], lengthscale=1.0, beta=2.0, seed=0)
>>> [r.reached for r in res.rewards]
[True, True]
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..model.io import read_points
from .mmd import Estimator, MMDData, kernel_matrix, plan_kernel, value_from_sums


def _chunked_kernel_sum(X: np.ndarray, Y: np.ndarray, ell: float, max_bytes: int | None, *,
                        axis: int, self_offset: int | None = None) -> np.ndarray:
    """Row sums (``axis=1``, length ``len(X)``) or column sums (``axis=0``) of ``k(X, Y)``, chunked."""
    out = np.zeros(len(X) if axis == 1 else len(Y))
    if len(X) == 0 or len(Y) == 0:
        return out
    plan = plan_kernel(len(X), len(Y), max_bytes)
    for lo in range(0, len(X), plan.chunk_rows):
        hi = min(len(X), lo + plan.chunk_rows)
        K = kernel_matrix(X[lo:hi], Y, ell, self_offset=None if self_offset is None else self_offset + lo)
        if axis == 1:
            out[lo:hi] = K.sum(axis=1)
        else:
            out += K.sum(axis=0)
    return out


# ----------------------------------------------------------- incremental value
class IncrementalValue:
    """``v(S)`` of eq. (2) for a growing ``S = D_i ∪ G_i`` and all one-point extensions from ``G``.

    Parameters
    ----------
    data : MMDData
        Gives ``T`` (``t`` points) and the candidate pool ``G``.
    party : int
        ``S`` starts as ``D_party``.
    lengthscale : float
    estimator : {"biased", "unbiased"}
    max_bytes : int, optional
        Memory limit of the initial ``|G| × t`` kernel pass (chunked above it).

    Examples
    --------
    >>> import numpy as np
    >>> from mechsolve.data.mmd import MMDData, direct_value
    >>> x = np.arange(6.0).reshape(-1, 1)
    >>> data = MMDData(("a",), (x[:2],), x[2:])
    >>> inc = IncrementalValue(data, 0, 1.0)
    >>> inc.add(1)
    >>> bool(abs(inc.value - direct_value(x[[0, 1, 3]], x, 1.0)) < 1e-12)
    True
    """

    def __init__(self, data: MMDData, party: int, lengthscale: float, *,
                 estimator: Estimator = "biased", max_bytes: int | None = None) -> None:
        self.G = data.G
        self.ell = float(lengthscale)
        self.estimator = estimator
        T = data.points
        self.t = len(T)
        D = data.parties[party]
        g = len(self.G)
        # r_x = Σ_{x' ∈ T} k(x, x') for every candidate; c_x = Σ_{x' ∈ S} k(x, x'), S = D_i
        g_start = int(data.sizes[:-1].sum())  # G is the last block of T
        self.r = _chunked_kernel_sum(self.G, T, self.ell, max_bytes, axis=1, self_offset=g_start)
        self.c = _chunked_kernel_sum(D, self.G, self.ell, max_bytes, axis=0)
        self.s = float(len(D))
        d_start = int(data.sizes[:party].sum())
        self.A = float(_chunked_kernel_sum(D, T, self.ell, max_bytes, axis=1, self_offset=d_start).sum())
        self.Q = float(_chunked_kernel_sum(D, D, self.ell, max_bytes, axis=1, self_offset=0).sum())
        self.D = float(len(D))  # Σ_{x∈S} k(x, x) = s for the RBF kernel
        self.available = np.ones(g, dtype=bool)
        self.kdiag = 1.0

    @property
    def value(self) -> float:
        """``v(S)`` now."""
        return float(value_from_sums(self.s, self.A, self.Q, self.D, self.t, self.estimator))

    def candidate_values(self) -> np.ndarray:
        """``v(S ∪ {x})`` for every ``x ∈ G`` (``nan`` for points already taken)."""
        s1 = self.s + 1.0
        vals = value_from_sums(s1, self.A + self.r, self.Q + 2.0 * self.c + self.kdiag,
                               self.D + self.kdiag, self.t, self.estimator)
        return np.where(self.available, vals, np.nan)

    def deltas(self) -> np.ndarray:
        """``Δ_x = v(S ∪ {x}) − v(S)`` for every candidate (``nan`` for taken points)."""
        return self.candidate_values() - self.value

    def add(self, j: int) -> None:
        """Move candidate ``j`` of ``G`` into ``S``: ``O(|G| d)``."""
        if not self.available[j]:
            raise InvalidModel(f"synthetic point {j} was already taken", field="sampling")
        x = self.G[j:j + 1]
        self.A += self.r[j]
        self.Q += 2.0 * self.c[j] + self.kdiag
        self.D += self.kdiag
        self.s += 1.0
        self.c += kernel_matrix(self.G, x, self.ell)[:, 0]
        self.available[j] = False


def sampling_probabilities(deltas: np.ndarray, beta: float) -> np.ndarray:
    """Softmax of ``β`` times the min–max normalised gains over the available candidates.

    ``nan`` entries (taken points) get probability 0; equal gains give the
    uniform distribution (``β = 0`` always does).

    Examples
    --------
    >>> sampling_probabilities(np.array([0.0, 1.0, np.nan]), 0.0).tolist()
    [0.5, 0.5, 0.0]
    """
    ok = ~np.isnan(deltas)
    p = np.zeros(len(deltas))
    if not ok.any():
        return p
    d = deltas[ok]
    lo, hi = float(d.min()), float(d.max())
    norm = (d - lo) / (hi - lo) if hi > lo else np.zeros_like(d)
    z = beta * norm
    z -= z.max()
    w = np.exp(z)
    p[ok] = w / w.sum()
    return p


# ---------------------------------------------------------------- sampling
@dataclass(frozen=True)
class PartyReward:
    """Synthetic reward of one party.

    ``indices`` are rows of ``G`` in the order drawn; ``trace[k]`` is
    ``v(D_i ∪ G_i)`` after ``k`` draws (``trace[0] = v(D_i)``).
    """

    party: str
    target: float
    start_value: float
    achieved: float
    indices: np.ndarray
    trace: np.ndarray
    reached: bool

    @property
    def points(self) -> int:
        return int(len(self.indices))

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "target": self.target, "start_value": self.start_value,
                "achieved": self.achieved, "points": self.points, "reached": self.reached}


@dataclass(frozen=True)
class SamplingResult:
    """Rewards of all parties and the settings that produced them."""

    rewards: tuple[PartyReward, ...]
    beta: float
    seed: int
    lengthscale: float
    estimator: str
    tolerance: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"beta": self.beta, "seed": self.seed, "lengthscale": self.lengthscale,
                "estimator": self.estimator, "tolerance": self.tolerance,
                "parties": [r.to_dict() for r in self.rewards], "notes": list(self.notes)}


def sample_party(data: MMDData, party: int, target: float, *, lengthscale: float, beta: float = 1.0,
                 rng: np.random.Generator, estimator: Estimator = "biased", tolerance: float = 1e-12,
                 max_points: int | None = None, max_bytes: int | None = None) -> PartyReward:
    """Weighted sampling for one party until ``v(D_i ∪ G_i) >= target − tolerance``.

    Stops early (``reached = False``) when ``G`` is exhausted or ``max_points``
    are drawn. ``v`` need not be monotone, so the value may dip on the way.
    """
    if not math.isfinite(target):
        raise InvalidModel(f"target reward of {data.names[party]!r} is {target!r}", field="targets")
    inc = IncrementalValue(data, party, lengthscale, estimator=estimator, max_bytes=max_bytes)
    start = inc.value
    trace = [start]
    taken: list[int] = []
    cap = len(inc.G) if max_points is None else min(len(inc.G), int(max_points))
    while trace[-1] < target - tolerance and len(taken) < cap:
        p = sampling_probabilities(inc.deltas(), beta)
        j = int(rng.choice(len(p), p=p))
        inc.add(j)
        taken.append(j)
        trace.append(inc.value)
    return PartyReward(data.names[party], float(target), float(start), float(trace[-1]),
                       np.asarray(taken, dtype=np.int64), np.asarray(trace), trace[-1] >= target - tolerance)


def party_rngs(seed: int, n: int) -> list[np.random.Generator]:
    """One independent generator per party from ``seed`` (results do not depend on party order)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n)]


def weighted_sampling(data: MMDData, targets: Sequence[float], *, lengthscale: float, beta: float = 1.0,
                      seed: int = 0, estimator: Estimator = "biased", tolerance: float = 1e-12,
                      max_points: int | None = None, max_bytes: int | None = None) -> SamplingResult:
    """Synthetic rewards ``G_1, …, G_n ⊆ G`` for target values ``r_1, …, r_n`` (Sec. 4.2).

    Parameters
    ----------
    targets : sequence of float
        ``r_i`` per party (e.g. rectified ρ-Shapley rewards, eq. 6).
    beta : float
        Inverse temperature ``β >= 0``; 0 is uniform random sampling.
    seed : int
        Party ``i`` uses the ``i``-th child of ``SeedSequence(seed)``.
    tolerance : float
        A target counts as reached at ``v >= r_i − tolerance``.
    """
    if len(targets) != data.n:
        raise InvalidModel(f"{len(targets)} targets for {data.n} parties", field="targets")
    if not (isinstance(beta, (int, float)) and math.isfinite(beta) and beta >= 0):
        raise InvalidModel(f"beta must be a finite number >= 0, got {beta!r}", field="sampling.beta")
    if len(data.G) == 0:
        raise Unsupported("no synthetic pool G to sample rewards from; give `reference:` (a file or "
                          "a generator)", field="value.datasets.reference")
    rngs = party_rngs(seed, data.n)
    rewards = tuple(sample_party(data, i, float(targets[i]), lengthscale=lengthscale, beta=float(beta),
                                 rng=rngs[i], estimator=estimator, tolerance=tolerance,
                                 max_points=max_points, max_bytes=max_bytes)
                    for i in range(data.n))
    notes = tuple(f"{r.party}: target {r.target:.6g} not reached (value {r.achieved:.6g} after "
                  f"{r.points} points)" for r in rewards if not r.reached)
    return SamplingResult(rewards, float(beta), int(seed), float(lengthscale), estimator, tolerance, notes)


def recomputed_trace(data: MMDData, reward: PartyReward, party: int, lengthscale: float, *,
                     estimator: Estimator = "biased") -> np.ndarray:
    """``v(D_i ∪ G_i)`` after each draw, recomputed from scratch (the check of the incremental sums)."""
    from .mmd import direct_value

    T = data.points
    D = data.parties[party]
    return np.array([direct_value(np.concatenate([D, data.G[reward.indices[:k]]]), T, lengthscale,
                                  estimator=estimator) for k in range(reward.points + 1)])


# ------------------------------------------------------------ pool generators
GENERATORS = ("kde", "gaussian-mixture")


def kde_sample(X: np.ndarray, size: int, *, seed: int = 0, bandwidth: float | str = "scott") -> np.ndarray:
    """Draw from a Gaussian KDE of ``X``: a random row plus ``N(0, h² Σ)`` noise.

    ``Σ`` is the sample covariance of ``X``; ``h`` is Scott's factor
    ``m^{−1/(d+4)}`` (``bandwidth="scott"``) or a given number.

    Examples
    --------
    >>> kde_sample(np.zeros((5, 2)) + np.arange(5)[:, None], 3, seed=0).shape
    (3, 2)
    """
    m, d = X.shape
    if m < 2:
        raise InvalidModel("a KDE needs at least 2 points", field="value.datasets.reference")
    h = m ** (-1.0 / (d + 4)) if bandwidth == "scott" else float(bandwidth)
    if not (math.isfinite(h) and h > 0):
        raise InvalidModel(f"bandwidth must be 'scott' or a positive number, got {bandwidth!r}",
                           field="value.datasets.reference.bandwidth")
    rng = np.random.default_rng(seed)
    cov = np.atleast_2d(np.cov(X, rowvar=False)) + 1e-12 * np.eye(d)
    L = np.linalg.cholesky(cov)
    rows = rng.integers(0, m, size=size)
    return X[rows] + h * rng.standard_normal((size, d)) @ L.T


def gaussian_mixture_sample(X: np.ndarray, size: int, *, components: int = 5, seed: int = 0,
                            iterations: int = 200) -> np.ndarray:
    """Fit a full-covariance Gaussian mixture to ``X`` by EM (k-means++ start) and draw ``size`` points.

    Pure numpy, seeded; a small ridge keeps covariances positive definite.
    """
    m, d = X.shape
    k = int(components)
    if not 1 <= k <= m:
        raise InvalidModel(f"components must be in 1..{m}, got {components!r}",
                           field="value.datasets.reference.components")
    rng = np.random.default_rng(seed)
    centers = [X[rng.integers(m)]]
    for _ in range(1, k):
        d2 = np.min(((X[:, None, :] - np.array(centers)[None]) ** 2).sum(-1), axis=1)
        centers.append(X[rng.choice(m, p=d2 / d2.sum())] if d2.sum() > 0 else X[rng.integers(m)])
    mu = np.array(centers)
    ridge = 1e-6 * np.trace(np.atleast_2d(np.cov(X, rowvar=False))) / d + 1e-12
    cov = np.array([np.atleast_2d(np.cov(X, rowvar=False)) + ridge * np.eye(d)] * k)
    w = np.full(k, 1.0 / k)
    prev = -np.inf
    for _ in range(iterations):
        logp = np.empty((m, k))
        for j in range(k):
            L = np.linalg.cholesky(cov[j])
            z = np.linalg.solve(L, (X - mu[j]).T)
            logp[:, j] = (math.log(w[j]) - 0.5 * (z * z).sum(0) - np.log(np.diag(L)).sum()
                          - 0.5 * d * math.log(2 * math.pi))
        mx = logp.max(axis=1, keepdims=True)
        ll = float((mx[:, 0] + np.log(np.exp(logp - mx).sum(1))).sum())
        resp = np.exp(logp - mx)
        resp /= resp.sum(axis=1, keepdims=True)
        nk = resp.sum(0) + 1e-12
        w = nk / m
        mu = (resp.T @ X) / nk[:, None]
        for j in range(k):
            diff = X - mu[j]
            cov[j] = (resp[:, j, None] * diff).T @ diff / nk[j] + ridge * np.eye(d)
        if ll - prev < 1e-8 * abs(ll):
            break
        prev = ll
    comp = rng.choice(k, size=size, p=w / w.sum())
    out = np.empty((size, d))
    for j in range(k):
        idx = np.flatnonzero(comp == j)
        if idx.size:
            out[idx] = rng.multivariate_normal(mu[j], cov[j], size=idx.size)
    return out


# ---------------------------------------------------------- non-iid splits
def split_non_iid(labels: np.ndarray, n_parties: int, *, split: str = "equal-disjoint",
                  points_per_party: int = 200, majority: float = 0.8, seed: int = 0) -> list[np.ndarray]:
    """Row indices per party for the two splits of Tay et al. (2022), Sec. 6.

    ``equal-disjoint``: party ``k`` draws a ``majority`` share of its points from
    its own block of classes (classes split into ``n_parties`` disjoint blocks)
    and the rest from the other classes. ``unequal``: the first 2 parties draw
    uniformly over all classes; the others draw the majority share from a block
    of ~60% of the classes (3 of 5, 6 of 10). Sampling is without replacement,
    seeded; classes that run out are reported.
    """
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    c = len(classes)
    if n_parties < 1 or c < n_parties and split == "equal-disjoint":
        raise InvalidModel(f"cannot split {c} classes among {n_parties} parties", field="split")
    pools = {y: list(rng.permutation(np.flatnonzero(labels == y))) for y in classes}
    blocks = np.array_split(classes, n_parties)

    def take(ys: np.ndarray, count: int) -> list[int]:
        out: list[int] = []
        for q in range(count):
            order = [ys[(q + r) % len(ys)] for r in range(len(ys))]
            for y in order:
                if pools[y]:
                    out.append(int(pools[y].pop()))
                    break
            else:
                raise InvalidModel(f"not enough points in classes {list(ys)} for this split",
                                   field="split.points_per_party")
        return out

    parts = []
    for k in range(n_parties):
        if split == "equal-disjoint":
            own = blocks[k]
        elif split == "unequal":
            if k < 2:
                parts.append(np.array(take(rng.permutation(classes), points_per_party)))
                continue
            size = max(1, round(0.6 * c))
            own = rng.choice(classes, size=size, replace=False)
        else:
            raise InvalidModel(f"unknown split {split!r}; valid: equal-disjoint, unequal", field="split")
        rest = np.setdiff1d(classes, own)
        n_own = int(round(majority * points_per_party))
        idx = take(rng.permutation(own), n_own)
        if len(rest):
            idx += take(rng.permutation(rest), points_per_party - n_own)
        else:
            idx += take(rng.permutation(own), points_per_party - n_own)
        parts.append(np.array(idx))
    return parts


# ------------------------------------------------------- the declared market
@dataclass(frozen=True, eq=False)
class DatasetMarket:
    """A dataset-valued market, assembled and valued (Tay et al. 2022, Sec. 3 and 5).

    Attributes
    ----------
    data : MMDData
        ``D_1..D_n`` and ``G``.
    lengthscale : float
        The kernel length-scale used (given, or chosen by ``search``).
    search : LengthscaleSearch or None
        The bisection record when ``lengthscale: auto``.
    blocks : BlockSums
        Group kernel sums at ``lengthscale`` (with the kernel pass plan).
    values : numpy.ndarray
        ``v_c(C)`` for every bitmask ``C``.
    caps : numpy.ndarray
        ``v(D_i ∪ G)`` per party: the largest reward a party can get (R2, Def. 1).
    reference_note : str
        Where ``G`` came from (file, or the generator and its seed).
    """

    data: MMDData
    lengthscale: float
    search: Any
    blocks: Any
    values: np.ndarray
    caps: np.ndarray
    estimator: str
    reference_note: str
    sampling: Any = None
    max_kernel_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "parties": {p: int(len(x)) for p, x in zip(self.data.names, self.data.parties)},
            "reference_points": int(len(self.data.G)), "dimension": self.data.dim, "t": self.data.t,
            "kernel": "rbf", "lengthscale": self.lengthscale, "estimator": self.estimator,
            "reference": self.reference_note, "kernel_plan": self.blocks.plan.describe(),
            "caps": {p: float(c) for p, c in zip(self.data.names, self.caps)},
        }
        if self.search is not None:
            d["lengthscale_search"] = self.search.to_dict()
        return d


#: Datasets bundled in scikit-learn (no network): name → loader in :mod:`sklearn.datasets`.
BUILTIN_LOADERS = {"sklearn-digits": "load_digits", "sklearn-breast-cancer": "load_breast_cancer",
                   "sklearn-iris": "load_iris", "sklearn-wine": "load_wine", "sklearn-diabetes": "load_diabetes"}


def builtin_arrays(name: str, *, standardise: bool = False, pca: int | None = None,
                   field: str = "value.datasets.builtin") -> tuple[np.ndarray, np.ndarray, str]:
    """Rows ``X``, labels ``y`` and a description of a dataset bundled in scikit-learn.

    Standardised when asked (features with zero variance are only centred), then
    projected on ``pca`` principal components of the whole dataset (numpy SVD).
    The one loader of bundled datasets, for the MMD markets and the learned values.

    Examples
    --------
    >>> X, y, note = builtin_arrays("sklearn-iris", pca=2)
    >>> X.shape, note
    ((150, 2), 'sklearn-iris (150 rows, 4 features), PCA to 2 dims')
    """
    try:
        from sklearn import datasets as skd
    except ImportError:
        raise Unsupported("the built-in datasets need scikit-learn: pip install 'mechsolve[data]'",
                          field=field) from None
    bunch = getattr(skd, BUILTIN_LOADERS[name])()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    d0 = X.shape[1]
    if standardise:
        sd = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    if pca is not None and pca < X.shape[1]:
        Xc = X - X.mean(axis=0)
        _, _, vt = np.linalg.svd(Xc, full_matrices=False)
        X = Xc @ vt[:pca].T
    note = (f"{name} ({X.shape[0]} rows, {d0} features)" + (", standardised" if standardise else "")
            + (f", PCA to {X.shape[1]} dims" if pca is not None and pca < d0 else ""))
    return X, y, note


def load_builtin(spec: Any, n_parties: int) -> tuple[list[np.ndarray], str]:
    """Party datasets from a dataset bundled in scikit-learn, split non-iid (no network access).

    Standardised (features with zero variance are only centred), projected on
    ``spec.pca`` principal components of the whole dataset (numpy SVD), then
    split by :func:`split_non_iid`.
    """
    X, y, _ = builtin_arrays(spec.name, standardise=spec.standardise, pca=spec.pca)
    parts = split_non_iid(y, n_parties, split=spec.split, points_per_party=spec.points_per_party,
                          majority=spec.majority, seed=spec.seed)
    note = (f"{spec.name} ({X.shape[0]} points, {len(np.unique(y))} classes), "
            f"{'standardised, ' if spec.standardise else ''}"
            f"{f'PCA to {X.shape[1]} dims, ' if spec.pca else ''}{spec.split} split, "
            f"{spec.points_per_party} points per party, majority {spec.majority:g}, seed {spec.seed}")
    return [X[idx] for idx in parts], note


def _same_width(names: Sequence[str], parties: Sequence[np.ndarray], G: np.ndarray | None) -> None:
    """All points live in one feature space: same number of columns everywhere, else bad input."""
    dims = [(f"value.datasets.parties[{p!r}]", x.shape[1]) for p, x in zip(names, parties)]
    if G is not None:
        dims.append(("value.datasets.reference", G.shape[1]))
    odd = next(((w, d) for w, d in dims if d != dims[0][1]), None)
    if odd is not None:
        raise InvalidModel(f"points have {odd[1]} columns but {dims[0][0]} has {dims[0][1]}", field=odd[0])


def dataset_market(spec: Any, players: Sequence[str], base_dir: str | os.PathLike[str] = ".") -> DatasetMarket:
    """Read or build the parties' data and ``G``, choose the length-scale, value every coalition."""
    from ..model.io import resolve
    from .mmd import block_sums, coalition_values, select_lengthscale, union_value

    base = Path(base_dir)
    names = list(players)
    source_note = ""
    if spec.parties is not None:
        unknown = [p for p in spec.parties if p not in names]
        if unknown:
            raise InvalidModel(f"names unknown player {unknown[0]!r}; players are {names}",
                               field="value.datasets.parties")
        missing = [p for p in names if p not in spec.parties]
        if missing:
            raise InvalidModel(f"no dataset for player {missing[0]!r}", field="value.datasets.parties")
        parties = [read_points(resolve(base, spec.parties[p], f"value.datasets.parties[{p!r}]"),
                               f"value.datasets.parties[{p!r}]") for p in names]
    else:
        parties, source_note = load_builtin(spec.builtin, len(names))
    _same_width(names, parties, None)
    ref = spec.reference
    if ref is None:
        G, ref_note = None, "none: T is the pooled data; no synthetic rewards can be drawn"
    elif ref.file is not None:
        G = read_points(resolve(base, ref.file, "value.datasets.reference.file"), "value.datasets.reference.file")
        ref_note = f"file {ref.file} ({len(G)} points)"
    else:
        pooled = np.concatenate(parties, axis=0)
        if ref.generator == "kde":
            G = kde_sample(pooled, int(ref.size), seed=ref.seed, bandwidth=ref.bandwidth)
            ref_note = (f"{ref.size} points from a Gaussian KDE fit to the pooled data "
                        f"(bandwidth {ref.bandwidth}, seed {ref.seed})")
        else:
            G = gaussian_mixture_sample(pooled, int(ref.size), components=ref.components, seed=ref.seed)
            ref_note = (f"{ref.size} points from a {ref.components}-component Gaussian mixture fit to "
                        f"the pooled data by EM (seed {ref.seed})")
    if source_note:
        ref_note = f"parties: {source_note}; G: {ref_note}"
    _same_width(names, parties, G)
    data = MMDData(tuple(names), tuple(parties), G)
    search = None
    if spec.lengthscale == "auto":
        search = select_lengthscale(data, estimator=spec.estimator, rtol=spec.search.rtol,
                                    max_iter=spec.search.max_iter, initial=spec.search.initial,
                                    max_bytes=spec.max_kernel_bytes)
        ell = search.lengthscale
    else:
        ell = float(spec.lengthscale)
    bs = block_sums(data, ell, max_bytes=spec.max_kernel_bytes)
    values = coalition_values(bs, estimator=spec.estimator)
    n = data.n
    caps = np.array([union_value(bs, [i, n], estimator=spec.estimator) for i in range(n)])
    return DatasetMarket(data, ell, search, bs, values, caps, spec.estimator, ref_note, spec.sampling,
                         spec.max_kernel_bytes)


def dataset_game(model: Any, base_dir: str | os.PathLike[str] = ".", *, exact: bool = False) -> Any:
    """The game ``v_c`` of a ``value: {datasets: ...}`` market; ``meta`` carries the market.

    ``game.meta["datasets"]`` is the :class:`DatasetMarket`; ``game.meta["caps"]``
    maps each player to ``v(D_i ∪ G)`` (the upper bounds of the rectified
    ρ-Shapley LP, Tay et al. 2022, Sec. 4.1).
    """
    from ..games.game import Game

    dm = dataset_market(model.value.datasets, model.players, base_dir)
    game = Game.from_values(model.players, dm.values, allow_nonzero_empty=not model.normalised)
    if exact:
        game = game.to_exact()
    meta = {"datasets": dm, "caps": {p: float(c) for p, c in zip(model.players, dm.caps)}, "rational": False}
    return Game(game.names, game.values, meta)


__all__ = ["IncrementalValue", "PartyReward", "SamplingResult", "sampling_probabilities", "sample_party",
           "weighted_sampling", "recomputed_trace", "party_rngs", "kde_sample", "gaussian_mixture_sample",
           "split_non_iid", "DatasetMarket", "dataset_market", "dataset_game", "load_builtin", "builtin_arrays",
           "BUILTIN_LOADERS", "GENERATORS"]
