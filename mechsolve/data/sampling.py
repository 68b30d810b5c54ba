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

The pool ``G`` comes from :mod:`mechsolve.data.generators` (or a file), the parties'
data from :mod:`mechsolve.data.builtin` or files, the market from
:mod:`mechsolve.data.dataset_market`; :mod:`mechsolve.verify.synthesis` runs the whole pipeline.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
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


__all__ = ["IncrementalValue", "PartyReward", "SamplingResult", "sampling_probabilities", "sample_party",
           "weighted_sampling", "recomputed_trace", "party_rngs"]
