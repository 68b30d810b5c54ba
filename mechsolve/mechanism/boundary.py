"""The data-disparity boundary (Chen et al. 2020, Sec. 6.2, Fig. 3): the largest D/ε at which a
desirable mechanism exists, per market growth rate α.

Setting: two agents, types on the grid ``{lo, …, K}·ε`` (lo = 0 when type 0 participates,
Algorithm 1's reading, else 1), efficient allocation, Algorithm 1's maximal payments.

What the search uses, and why it is sound:

1. **Prefix stability (proved).** Under Assumption 2 the shortest path to V_{t_i} only visits
   vertices t'_i ≤ t_i, so p_i^max(t_i, t_−i) does not depend on D. Growing D only adds
   profiles, hence "a desirable mechanism exists at D" is monotone: once Σ p^max < 0 at some
   profile, it stays so for every larger D. The boundary is therefore (the largest type of the
   first failing profile) − 1, found by one incremental pass in doubling chunks — each chunk
   reuses every payment already computed, no K is recomputed and no bisection is needed.
2. **Scale invariance (proved for market growth with Q(t) = t).** v_i(c·q) = c^(α+1) v_i(q),
   so every payment scales by ε^(α+1) and the boundary depends on D/ε only; ε = 1 is used.
3. **The extreme family (measured, then certified).** On every full grid tested (all
   profiles, see tests) the first failing profile is (lo, K): the smallest agent against the
   largest. The search scans that family with a row DP, O(K) memory; a failure it finds is a
   genuine failing profile, so the boundary it reports is a certified *upper* bound, and it is
   *exact* (verified on all profiles) whenever K ≤ ``verify_limit``.
4. **Cost.** With −1 < α < 0, on both grids, the row comes from :class:`EnvelopeRow`: the same
   payments as the quadratic :class:`GrowthRow` (proved equal in floating point, tested bit for bit
   on both grids and many α), O(K log K) candidate evaluations in O(1) numpy calls per batch of rows
   — D/ε = 3.5·10^6 (types from ε, α = −0.663) in about 26 s of one core. Elsewhere (α ∉ (−1, 0)) the
   quadratic row DP is used: O(K²) work (vectorised, table look-ups), D/ε = 10^5 in seconds.

Why the boundary stops existing: with lo = 0 and K → ∞ the payments are self-similar,
p^max(K, 0) ≈ c(α)·K^(α+1), and Σ p^max(0, K)/K^(α+1) → 2^α + c(α), where c solves the
continuum fixed point c = 2^α − sup_{x∈[0,1)} [(1 + x)^α − c·x^(α+1)]. That limit is negative
below α* ≈ −0.6609 (the boundary is finite and blows up as α ↑ α*) and positive above it
(no failing profile at large D: the boundary does not exist). :func:`continuum_alpha_star`
computes α*.

Examples
--------
>>> r = growth_boundary(-0.8)
>>> r.boundary, r.first_profile
(3, (0, 4))
>>> growth_boundary(-0.8, include_zero=False).boundary
59
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported, short_repr

#: Default largest D/ε a single-α search examines.
DEFAULT_K_MAX = 100_000
#: Full-grid verification of the boundary (all profiles) up to this K.
DEFAULT_VERIFY_LIMIT = 200


@dataclass(frozen=True)
class BoundaryResult:
    """The boundary for one α.

    ``boundary`` is the largest D/ε with a desirable mechanism (None: no failure found up to
    ``k_max``, reported as "> k_max"); ``first_profile`` (t_1, t_2) in units of ε is where
    Σ p^max < 0 first, with ``revenue`` there. ``scope`` says what was verified.
    """

    alpha: float
    boundary: int | None
    first_profile: tuple[int, int] | None
    revenue: float | None
    k_max: int
    include_zero: bool
    scope: str
    seconds: float
    normalised_revenue: float | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "boundary": self.boundary,
                "boundary_text": str(self.boundary) if self.boundary is not None else f"> {self.k_max}",
                "first_failing_profile": list(self.first_profile) if self.first_profile else None,
                "revenue_there": self.revenue, "k_max": self.k_max, "include_zero": self.include_zero,
                "scope": self.scope, "seconds": self.seconds,
                "revenue_over_K_pow_alpha_plus_1": self.normalised_revenue, "notes": list(self.notes)}


# --------------------------------------------------------------------------- the growth row DP

class GrowthRow:
    """p^max(a, b) of one agent for a = lo, lo+1, … with the other agent's type b fixed.

    Market growth, Q(t) = t, two agents, ε = 1. Extends incrementally (:meth:`extend`).
    The own-model branch reads (t + t' + b)^α from a table of powers as one contiguous slice
    per t (no power is evaluated in the O(K²) loop).

    The floating-point expressions mirror :class:`~mechsolve.mechanism.instance.MechanismInstance`
    (``np.power(s, α)·q`` with s = q_i + q_j, Gap = V − W, candidate = p + Gap), so the row
    equals Algorithm 1 on the generic instance bit for bit.
    """

    def __init__(self, alpha: float, b: int, lo: int) -> None:
        self.alpha, self.b, self.lo = float(alpha), int(b), int(lo)
        self.p = np.empty(0)
        self.V = np.empty(0)
        self._pw = np.empty(0)

    def _power(self, s: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, np.power(np.where(s > 0, s, 1.0), self.alpha), 0.0)

    def value(self, qi: np.ndarray, qj: np.ndarray) -> np.ndarray:
        """v_i = (q_i + q_j)^α·q_i (0 when q_i + q_j = 0), as the generic valuation computes it."""
        s = qi + qj
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, np.power(np.where(s > 0, s, 1.0), self.alpha) * qi, 0.0)

    def _ensure_pw(self, top: int) -> None:
        if len(self._pw) <= top:
            n = max(top + 1, 2 * len(self._pw))
            self._pw = self._power(np.arange(n, dtype=float))

    def __len__(self) -> int:
        return len(self.p)

    def extend(self, kmax: int) -> np.ndarray:
        """Compute p for a = lo..kmax (reusing every value computed so far)."""
        start = len(self.p)
        a_all = np.arange(self.lo, kmax + 1, dtype=float)
        if len(a_all) <= start:
            return self.p
        b, lo = float(self.b), self.lo
        T = a_all + b
        V = self.value(T, T)
        Vout = self.value(a_all, np.full_like(a_all, b))
        pbar = V - Vout
        p = np.concatenate([self.p, np.empty(len(a_all) - start)])
        self.V = V
        self._ensure_pw(2 * kmax + self.b + 2)
        pw = self._pw
        for k in range(start, len(a_all)):
            a = int(a_all[k])
            best = 0.0 + pbar[k]
            if k:
                # window branch: reports a' with a' + b >= a keep the allocated model, W = V(a')
                w0 = max(0, a - self.b - lo)  # first index with a' + b >= a
                if w0 < k:
                    c = p[w0:k] + (V[k] - V[w0:k])
                    best = min(best, c.min())
                # own-model branch: a' + b < a, W = (a + a' + b)^α · a (a contiguous slice of the table)
                if w0 > 0:
                    idx0 = a + lo + self.b
                    c = p[:w0] + (V[k] - pw[idx0: idx0 + w0] * float(a))
                    best = min(best, c.min())
            p[k] = best
        self.p = p
        return p


def small_agent_payment(alpha: float, lo: int, ks: np.ndarray) -> np.ndarray:
    """p^max(lo, K) for the lowest type against K: its only vertex, so 0 + p̄(lo, K)."""
    row = GrowthRow(alpha, 0, lo)
    T = lo + ks.astype(float)
    return 0.0 + (row.value(T, T) - row.value(np.full_like(T, float(lo)), ks.astype(float)))


class EnvelopeRow(GrowthRow):
    r"""The extreme row p^max(lo + k, lo), k = 0, 1, …, of :class:`GrowthRow` (b = lo) without the O(K²) scan.

    Both grids: ``lo = 0`` (types {0, ε, …, D}, the paper's) and ``lo = 1`` (types from ε);
    requires −1 < α < 0. Write a = lo + k for the own type, A = a (the multiplier), x = k + 3lo + j,
    V_k = (2(a + lo))^α (a + lo). Row k of :class:`GrowthRow` is the float minimum of

    * the base vertex ``0.0 + p̄_k``, p̄_k = V_k − A(a + lo)^α;
    * for lo = 1 the window report a' = a − 1: c = P[k − 1] + (V_k − V_{k−1});
    * the own-model reports j = 0 … k − 1 − lo:  c_k(j) = P[j] + (V_k − A·π_x),  π_x = x^α (table).

    Write φ_j(k) = A·x^α − P[j], so c_k(j) = V_k − φ_j(k). Three facts, each proved here and
    each checked by the tests:

    **Lemma 1 (dominance, lower region).** With F(k, j) = (k + lo)(k + 3lo + j)^α,
    ∂²F/∂k∂j = α x^(α−2)·[(j + 2lo) + α(k + lo)] ≥ 0 for j ≤ |α|(k + lo) − 2lo. Hence for
    j₁ < j₂ ≤ |α|(k₀ + lo) − 2lo, φ_{j₂} − φ_{j₁} is non-decreasing in k ≥ k₀. Over the lower region
    L(k) = {0 ≤ j ≤ cap(k)}, cap(k) = min(⌊|α|(k + lo) − 2lo⌋, k − 1 − lo), the largest minimiser is
    non-decreasing in k (Topkis). The lower regions of the rows of a chunk [k₀, k₁] with cap(k₁) < k₀
    read only known P, so the chunk is solved offline by divide and conquer on the monotone minimiser
    (O((rows + columns)·log rows) evaluations), starting at the previous chunk's minimiser.
    *In floats*: each node keeps, for its children, every column whose computed value is within
    τ = 1e-12·(1 + |min| + max|V|) of the node's minimum (not only the largest minimiser). A column s
    left out by a node m has ĉ_m(s) > ĉ_m(j) + τ for a kept j on the correct side; by Lemma 1 (in real
    arithmetic on the table values) c_{m'}(s) − c_{m'}(j) ≥ c_m(s) − c_m(j) at every row m' it is left
    out of, and every rounding error in the four computed values is ≤ 8u·(|V| + |c|) ≪ τ (u = 2⁻⁵³,
    |Aπ_x| ≤ 2|V_k|), so ĉ_{m'}(s) > ĉ_{m'}(j): a left-out column never holds the float minimum.

    **Lemma 2 (block bound from the measured decrements; any P).** Let Δ(t) = P[t − 1] − P[t] for
    computed P. For a block [u, e] of own-model reports and j in it,
    c_k(j) − c_k(e) = Σ_{t=j+1}^{e} Δ(t) − A(π_{x_j} − π_{x_e}) ≥ (e − j)·min Δ − (e − j)·|α|A x_u^(α−1)
    (mean value theorem: x^α is convex and decreasing), so

        min_{u ≤ j ≤ e} c_k(j) ≥ c_k(e) − (e − u)·max(0, |α|A x_u^(α−1) − min_{u < t ≤ e} Δ(t)).

    Nothing about the shape of P is assumed (for lo = 0 the report t − 1 proves Δ(t) ≥
    t[(2t − 1)^α − (2t)^α] > 0; for lo = 1 no such step bound exists for α > −2/3 — the README's
    δ₂ — and none is needed: the measured Δ are used). min Δ over a range comes from a pyramid of
    minima over aligned dyadic cells (≤ 3 cells per block: a lower bound over a superset, still
    valid). Where P has the self-similar shape the two slopes nearly cancel and the bound is tight to
    second order. A block is skipped when the bound exceeds the best candidate by the margin
    (1e-12 + 1e-15·width)·(1 + |V_k| + |best| + |P[u]| + |P[e]|): the rounding in ĉ(j), in the table
    π (≤ a few ulps), in Δ (y ↦ y − 2u|y| is increasing, so one rounded minimum bounds them all) and
    in evaluating the bound is < 64u of that scale (the slope is inflated by 1 + 1e-12 to cover the
    rounding of |α|A·π/x), so a skipped block holds no float value below the minimum. Other blocks are
    split (×8) and, at ≤ 48 candidates, evaluated.

    **Lemma 3 (speculative batches, exact).** Rows are settled in batches [r₀, r₁]. Every candidate
    that reads P[j], j < r₀ (lower region, blocks, base, the first row's window) gives q(k), an exact
    float minimum. The near candidates j ≥ r₀ − lo (and the window for lo = 1) are evaluated for all
    rows at once with P[r₀..r₁] := q; if none is below its row's q, then P = q on the batch (by
    induction on the row: each near candidate reads only rows already shown equal to q). Otherwise the
    batch is redone row by row from the first row that failed.

    Every candidate evaluated is the same float expression as in :class:`GrowthRow` (``p + (V − π·a)``,
    ``0.0 + p̄``, ``p + (V − V')``) and ``min`` is exact, so the row is **bitwise equal** to the
    quadratic row: the three lemmas only skip candidates that cannot hold the float minimum. Tests
    compare bit for bit on both grids, many α, up to K = 20,000.

    Examples
    --------
    >>> fast, slow = EnvelopeRow(-0.7).extend(300), GrowthRow(-0.7, 0, 0).extend(300)
    >>> fast.tobytes() == slow.tobytes()
    True
    >>> EnvelopeRow(-0.665, lo=1).extend(400).tobytes() == GrowthRow(-0.665, 1, 1).extend(400).tobytes()
    True
    """

    #: Rows up to this many go through the quadratic DP (tiny anyway; keeps the chunking simple).
    SMALL = 64
    #: Upper-region blocks at or below this size are evaluated exactly.
    EXACT_BLOCK = 48
    #: Rows per speculative batch (Lemma 3).
    BATCH = 128
    #: Block layout of the known upper part (speed only: any layout is exact).
    GROWTH, WIDEST = 0.2, 1e-2
    #: Lower-region evaluations per vectorised pass (bounds the temporaries to a few MB).
    LEVEL_CHUNK = 1 << 16

    def __init__(self, alpha: float, lo: int = 0) -> None:
        if not -1.0 < float(alpha) < 0.0:
            raise InvalidModel(f"EnvelopeRow needs -1 < alpha < 0, got {alpha}", field="alpha")
        if lo not in (0, 1):
            raise InvalidModel(f"EnvelopeRow needs lo = 0 or 1, got {lo}", field="include_zero")
        super().__init__(alpha, lo, lo)
        self.beta = -self.alpha
        self._jlast = 0  # smallest near-minimiser of the last settled chunk's last row (Lemma 1)
        self._P = np.empty(0)
        self._pbar = np.empty(0)
        self._flat = np.empty(0)
        self._off = np.zeros(1, dtype=np.int64)
        self._tau_scale = 1.0
        #: Candidate evaluations and bounded blocks, for the benchmark and the tests.
        self.stats: dict[str, int] = {"lower": 0, "upper_exact": 0, "upper_blocks": 0, "refined": 0,
                                      "near": 0, "fallback": 0}

    # ----------------------------------------------------------------- helpers
    def _cap(self, k: np.ndarray) -> np.ndarray:
        """Largest j of the lower region of row k (Lemma 1), by a 1e-9 margin, and own-model (≤ k − 1 − lo)."""
        lo = self.lo
        return np.minimum(np.floor(self.beta * (k + lo) - 2 * lo - 1e-9).astype(np.int64), k - 1 - lo)

    def _cand(self, r: np.ndarray, j: np.ndarray) -> np.ndarray:
        """c_r(j) = P[j] + (V_r − π_{r+3lo+j}·(r + lo)), the float expression of :class:`GrowthRow`."""
        lo = self.lo
        return self._P[j] + (self.V[r] - self._pw[r + 3 * lo + j] * (r + lo).astype(float))

    def _pyramid(self, n: int) -> None:
        """(Re)allocate the Δ pyramid for n rows and fill it from the settled rows."""
        levels = max(1, int(np.ceil(np.log2(max(n, 2))))) + 2
        sizes = [(n >> j) + 2 for j in range(levels)]
        self._off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._flat = np.full(int(self._off[-1]), np.inf)
        if len(self.p) > 1:
            self._pyr_update(1, len(self.p) - 1)

    def _pyr_update(self, t0: int, t1: int) -> None:
        """Δ(t) = P[t − 1] − P[t] for t = t0..t1 (t0 ≥ 1), then the cell minima above them."""
        P, flat, off = self._P, self._flat, self._off
        t0 = max(t0, 1)
        flat[t0:t1 + 1] = P[t0 - 1:t1] - P[t0:t1 + 1]
        for j in range(1, len(off) - 1):
            c0, c1 = t0 >> j, t1 >> j
            b = int(off[j - 1])
            flat[off[j] + c0:off[j] + c1 + 1] = np.minimum(flat[b + 2 * c0:b + 2 * c1 + 2:2],
                                                           flat[b + 2 * c0 + 1:b + 2 * c1 + 2:2])

    def _dmin(self, u: np.ndarray, e: np.ndarray) -> np.ndarray:
        """A lower bound on min Δ(t), u < t ≤ e (e > u): the ≤ 3 cells of level ⌊log₂(e − u)⌋ covering it."""
        j = np.floor(np.log2(np.maximum(e - u, 1))).astype(np.int64)
        a, b = (u + 1) >> j, e >> j
        base = self._off[j]
        f = self._flat
        return np.minimum(np.minimum(f[base + a], f[base + np.minimum(a + 1, b)]), f[base + np.minimum(a + 2, b)])

    def _bound(self, R: np.ndarray, st: np.ndarray, en: np.ndarray, ce: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Lemma 2 for rows R and blocks [st, en] (ce = c_R(en)), less the float margin."""
        lo = self.lo
        x = R + 3 * lo + st
        w = (en - st).astype(float)
        dm = self._dmin(st, np.maximum(en, st + 1))
        dm = dm - 2.2e-16 * np.abs(np.where(np.isfinite(dm), dm, 0.0))
        slope = np.maximum(0.0, self.beta * (R + lo).astype(float) * (self._pw[x] / x) * (1 + 1e-12) - dm)
        slope = np.where(en > st, slope, 0.0)
        scale = 1.0 + np.abs(self.V[R]) + np.abs(best) + np.abs(self._P[st]) + np.abs(self._P[en])
        return ce - w * slope - (1e-12 + 1e-15 * w) * scale

    # ----------------------------------------------------------------- driver
    def extend(self, kmax: int) -> np.ndarray:
        """Compute the row for a = lo..kmax, reusing every value computed so far."""
        kmax, lo = int(kmax), self.lo
        n = kmax - lo + 1
        if len(self.p) < self.SMALL or n <= self.SMALL:
            GrowthRow.extend(self, min(kmax, self.SMALL + lo - 1))
            if n <= self.SMALL:
                return self.p
        start = len(self.p)
        if n <= start:
            return self.p
        self._jlast = 0  # τ below is relative to this extend's rows: carry no minimiser across extends
        a_all = np.arange(lo, kmax + 1, dtype=float)
        T = a_all + lo
        self.V = self.value(T, T)
        self._pbar = self.V - self.value(a_all, np.full_like(a_all, float(lo)))
        self._ensure_pw(2 * kmax + 2 * lo + 2)
        self._P = np.concatenate([self.p, np.empty(n - start)])
        self._tau_scale = 1.0 + float(np.abs(self.V).max())
        self._pyramid(n)
        k = start
        while k < n:
            k1 = self._chunk_end(k, n)
            rows = np.arange(k, k1 + 1)
            cap = self._cap(rows)
            low = self._lower(rows, cap)
            for b0 in range(0, len(rows), self.BATCH):
                self._batch(rows[b0:b0 + self.BATCH], cap[b0:b0 + self.BATCH], low[b0:b0 + self.BATCH])
            k = k1 + 1
        self.p = self._P
        return self.p

    def _chunk_end(self, k: int, n: int) -> int:
        """Last row k1 of the chunk from k: every row's lower region reads only P[j], j ≤ k − 1 (settled)."""
        k1 = min(n - 1, max(k, int((k - 1 + 2 * self.lo) / self.beta) - self.lo + 1))
        while k1 > k and int(self._cap(np.array([k1]))[0]) > k - 1:
            k1 -= 1
        return k1

    def _lower(self, rows: np.ndarray, cap: np.ndarray) -> np.ndarray:
        """min over the lower region per row: divide and conquer on the monotone minimiser, one
        vectorised pass per level of the recursion (Lemma 1, with the float band τ)."""
        out = np.full(len(rows), np.inf)
        if cap[-1] < 0:
            return out
        i_first = int(np.argmax(cap >= 0))
        c_hi = int(cap[-1])
        last = len(rows) - 1
        I0, I1 = np.array([i_first]), np.array([last])
        C0, C1 = np.array([min(self._jlast, c_hi)]), np.array([c_hi])
        tau_scale = self._tau_scale
        while len(I0):
            m = (I0 + I1) // 2
            hi = np.minimum(C1, cap[m])
            lo_ = np.minimum(C0, hi)
            cnt = hi - lo_ + 1
            j_small, j_large = np.empty_like(m), np.empty_like(m)
            # one level of the recursion, in groups of ≤ LEVEL_CHUNK evaluations (bounded memory)
            group = np.cumsum(cnt) // self.LEVEL_CHUNK
            cuts = np.concatenate([[0], np.nonzero(np.diff(group))[0] + 1, [len(m)]])
            for g0, g1 in zip(cuts[:-1], cuts[1:]):
                c = cnt[g0:g1]
                starts = np.concatenate([[0], np.cumsum(c)[:-1]])
                idx = np.arange(int(c.sum())) - np.repeat(starts - lo_[g0:g1], c)
                vals = self._cand(np.repeat(rows[m[g0:g1]], c), idx)
                self.stats["lower"] += len(idx)
                mn = np.minimum.reduceat(vals, starts)
                near = vals <= np.repeat(mn + 1e-12 * (tau_scale + np.abs(mn)), c)
                j_small[g0:g1] = np.minimum.reduceat(np.where(near, idx, np.iinfo(np.int64).max), starts)
                j_large[g0:g1] = np.maximum.reduceat(np.where(near, idx, -1), starts)
                out[m[g0:g1]] = mn
            at_last = np.nonzero(m == last)[0]
            if len(at_last):
                self._jlast = int(j_small[at_last[0]])
            left, right = I0 <= m - 1, m + 1 <= I1
            I0, I1, C0, C1 = (np.concatenate([I0[left], (m + 1)[right]]), np.concatenate([(m - 1)[left], I1[right]]),
                              np.concatenate([C0[left], j_small[right]]), np.concatenate([j_large[left], C1[right]]))
        return out

    def _layout(self, s_lo: int, s_hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Blocks covering [s_lo, s_hi]: width ≈ GROWTH × the distance to s_hi, at most WIDEST × s_hi."""
        n = s_hi - s_lo + 1
        g = self.GROWTH
        wmax = max(1, int(s_hi * self.WIDEST))
        dg = np.unique(np.floor((1 + g) ** np.arange(0, int(np.log(max(2.0, wmax / g)) / np.log(1 + g)) + 2)))
        dg = dg[dg < min(n, wmax / g)].astype(np.int64)
        top = int(dg[-1]) + 1 if len(dg) else 0
        d = np.concatenate([[0], dg + 1 if len(dg) else dg, np.arange(top + wmax, n, wmax)])
        d = np.unique(np.concatenate([d[d < n], [n]]))
        return s_hi - d[1:] + 1, s_hi - d[:-1]

    def _batch(self, rows: np.ndarray, cap: np.ndarray, low: np.ndarray) -> None:
        """Settle rows r0..r1: the settled upper part by Lemma 2 (all rows at once), then Lemma 3."""
        lo, P, V = self.lo, self._P, self.V
        r0, r1 = int(rows[0]), int(rows[-1])
        best = np.minimum(low, 0.0 + self._pbar[rows])
        if lo == 1:
            best[0] = min(best[0], P[r0 - 1] + (V[r0] - V[r0 - 1]))
        s_lo, s_hi = max(0, int(cap[0]) + 1), r0 - 1 - lo
        if s_lo <= s_hi:
            st, en = self._layout(s_lo, s_hi)
            R = rows[:, None]
            ce = self._cand(R, en[None, :])
            best = np.minimum(best, ce.min(axis=1))
            bound = self._bound(R, st[None, :], en[None, :], ce, best[:, None])
            fail = ~(bound > best[:, None]) & (en > st)[None, :]  # a NaN bound never skips
            self.stats["upper_blocks"] += ce.size
            if fail.any():
                ii, kk = np.nonzero(fail)
                self.stats["refined"] += len(ii)
                self._refine(r0, best, rows[ii], st[kk], en[kk])
        # Lemma 3: near candidates j ≥ r0 − lo read rows of this batch; speculate P = q
        B = len(rows)
        P[r0:r1 + 1] = best
        ii, jj = np.tril_indices(B, -1)
        near = np.full(B, np.inf)
        if len(ii):
            np.minimum.at(near, ii, self._cand(r0 + ii, r0 - lo + jj))
            self.stats["near"] += len(ii)
        if lo == 1 and B > 1:
            kk = rows[1:]
            near[1:] = np.minimum(near[1:], P[kk - 1] + (V[kk] - V[kk - 1]))
        bad = np.nonzero(near < best)[0]
        if len(bad):
            self.stats["fallback"] += 1
            for i in range(int(bad[0]), B):
                k = r0 + i
                b = float(best[i])
                js = np.arange(r0 - lo, k - lo)
                if len(js):
                    b = min(b, float(self._cand(np.full(len(js), k), js).min()))
                if lo == 1:
                    b = min(b, float(P[k - 1] + (V[k] - V[k - 1])))
                P[k] = b
        self._pyr_update(r0, r1)

    def _refine(self, r0: int, best: np.ndarray, R: np.ndarray, st: np.ndarray, en: np.ndarray) -> None:
        """Lower ``best`` (in place, row R − r0) to the float minimum over the blocks that Lemma 2 could not skip."""
        while len(R):
            w = en - st + 1
            small = w <= self.EXACT_BLOCK
            if small.any():
                Rs, ss, cnt = R[small], st[small], w[small]
                starts = np.concatenate([[0], np.cumsum(cnt)[:-1]])
                idx = np.arange(int(cnt.sum())) - np.repeat(starts - ss, cnt)
                rr = np.repeat(Rs, cnt)
                np.minimum.at(best, rr - r0, self._cand(rr, idx))
                self.stats["upper_exact"] += len(idx)
            R, st, en = R[~small], st[~small], en[~small]
            if not len(R):
                break
            off8 = (np.arange(9)[None, :] * (en - st + 1)[:, None]) // 8
            nst, nen = (st[:, None] + off8[:, :-1]).ravel(), (st[:, None] + off8[:, 1:] - 1).ravel()
            keep = nen >= nst
            R, st, en = np.repeat(R, 8)[keep], nst[keep], nen[keep]
            ce = self._cand(R, en)
            np.minimum.at(best, R - r0, ce)
            bound = self._bound(R, st, en, ce, best[R - r0])
            self.stats["upper_blocks"] += len(R)
            keep = ~(bound > best[R - r0]) & (en > st)
            R, st, en = R[keep], st[keep], en[keep]


# --------------------------------------------------------------------------- search

def growth_boundary(alpha: float, *, include_zero: bool = True, k_max: int = DEFAULT_K_MAX,
                    verify_limit: int = DEFAULT_VERIFY_LIMIT, first_chunk: int = 256,
                    tolerance: float = 1e-9, method: str = "auto") -> BoundaryResult:
    """The disparity boundary of the two-agent market-growth model at ``alpha``.

    Growing chunks of the extreme-family row DP (prefix-stable, so nothing is recomputed),
    stopping at the first failing profile or at ``k_max``; verification on all profiles
    when the boundary is ≤ ``verify_limit``. A profile fails when Σ p^max < −tolerance·scale,
    scale = max(1, |p_1| + |p_2|), so float noise at exact ties (α = −1) cannot flip a verdict.

    ``method``: ``"envelope"`` (:class:`EnvelopeRow`, −1 < α < 0 on either grid: O(K log K),
    D/ε = 3.5·10^6 in well under a minute), ``"quadratic"`` (:class:`GrowthRow`, O(K²)), or ``"auto"``
    (envelope where it applies). Both give the same payments bit for bit.
    """
    if not -10 <= alpha <= 10:
        raise InvalidModel(f"alpha = {alpha} is out of range [-10, 10]", field="alpha")
    t0 = time.perf_counter()
    lo = 0 if include_zero else 1
    envelope_ok = -1.0 < alpha < 0.0
    if method not in ("auto", "envelope", "quadratic"):
        raise InvalidModel(f"method {method!r} is not auto, envelope or quadratic", field="method")
    if method == "envelope" and not envelope_ok:
        raise Unsupported("the envelope row needs -1 < alpha < 0", field="method")
    row: GrowthRow = EnvelopeRow(alpha, lo) if method != "quadratic" and envelope_ok else GrowthRow(alpha, lo, lo)
    done = lo - 1  # largest K examined
    K = max(first_chunk, lo + 1)
    first: tuple[int, int] | None = None
    rev: float | None = None
    while True:
        K = min(K, k_max)
        p = row.extend(K)
        ks = np.arange(done + 1, K + 1)
        big = p[ks - lo]
        small = small_agent_payment(alpha, lo, ks)
        r = small + big  # profile (lo, K) — and (K, lo) by symmetry
        bad = np.nonzero(r < -tolerance * np.maximum(1.0, np.abs(small) + np.abs(big)))[0]
        if len(bad):
            kf = int(ks[bad[0]])
            first, rev = (lo, kf), float(r[bad[0]])
            break
        done = K
        if K >= k_max:
            break
        # doubling, then ×1.25 past 2^17: the row is incremental, so a finer schedule only trims the
        # overshoot past the first failure (at most 25 % of extra rows instead of 100 %)
        K = 2 * K if K < 1 << 17 else K + K // 4
    kk = first[1] if first else done
    norm = float((small_agent_payment(alpha, lo, np.array([kk]))[0] + p[kk - lo]) / kk ** (alpha + 1)) \
        if kk > 0 else None
    boundary = first[1] - 1 if first else None
    scope = "extreme profiles (lo, K), (K, lo)"
    notes: list[str] = []
    if first and first[1] <= verify_limit:
        ok, msg = verify_full(alpha, first[1], include_zero, tolerance)
        scope = "all profiles (exact boundary)" if ok else scope
        if not ok:
            notes.append(msg)
    elif first:
        notes.append(f"boundary ≤ {boundary} is certified by the failing profile; profiles other than "
                     f"(lo, K) were not enumerated above K = {verify_limit}")
    else:
        notes.append(f"no failing profile up to D/ε = {k_max} in the extreme family"
                     + ("; α is above the continuum threshold α* ≈ -0.6609, where the boundary "
                        "stops existing" if alpha > -0.6609 else ""))
    return BoundaryResult(float(alpha), boundary, first, rev, int(k_max), include_zero, scope,
                          round(time.perf_counter() - t0, 4), norm, tuple(notes))


def uses_row_search(model: Any) -> bool:
    """True for the model the extreme-family row search covers (Sec. 6.2): two agents, market growth,
    Q(t) = t, downward misreports, the own model as outside option, efficient allocation."""
    from .valuations import Quality

    return (model.n == 2 and model.valuation.family == "market-growth" and Quality.parse(model.quality).is_identity
            and model.misreports == "downward" and model.outside_option == "own-model"
            and model.allocation.rule == "efficient")


def generic_k_cap(model: Any, max_work: int | None = None) -> int:
    """The largest D/ε at which Algorithm 1 on all profiles stays within ``max_work`` evaluations.

    The grid {lo, …, K} has m = K + 1 − lo points and Algorithm 1 costs m^(n+1) (profiles × reports);
    the cap is the largest K with (K + 1 − lo)^(n+1) ≤ ``max_work`` (default
    :data:`~mechsolve.mechanism.instance.MAX_WORK`, what `solve` runs).

    Examples
    --------
    >>> from mechsolve.model.schema import parse_model
    >>> m = parse_model({"kind": "mechanism-design", "agents": 3, "types": {"step": 1, "max": 4, "include_zero": False},
    ...                  "valuation": {"family": "market-growth", "alpha": -0.5}})
    >>> generic_k_cap(m, max_work=10_000)          # 10^4 = 10 grid points (1..10), n + 1 = 4
    10
    """
    from .instance import MAX_WORK

    limit = MAX_WORK if max_work is None else max_work
    lo = 0 if model.types.include_zero else 1
    cap = 1
    while (cap + 2 - lo) ** (model.n + 1) <= limit:
        cap += 1
    return cap


@dataclass(frozen=True)
class BoundaryPlan:
    """How `mechsolve boundary` answers a model: which search, which α values, up to which D/ε.

    ``row_search`` is the extreme-family row search (:func:`sweep`, the Sec. 6.2 model); otherwise
    Algorithm 1 runs on all profiles once per α at the largest D/ε it can afford
    (:func:`generic_boundary`, ``k_max`` capped by :func:`generic_k_cap`; ``notes`` says so).
    ``alpha_given``: the α values override the model's (``parameters.alpha``).
    """

    model: Any
    row_search: bool
    alphas: tuple[float, ...]
    alpha_given: bool
    k_max: int
    verify_limit: int
    notes: tuple[str, ...] = ()


def plan_boundary(model: Any, alpha_text: str | None = None, *, k_max: int = DEFAULT_K_MAX,
                  verify_limit: int = DEFAULT_VERIFY_LIMIT) -> BoundaryPlan:
    """Choose the search and its work cap for ``model`` (a mechanism-design model on an ε-grid).

    Raises
    ------
    Unsupported
        The model is not a mechanism-design model, or its types are not on an ε-grid.
    InvalidModel
        ``alpha_text`` is neither ``START:STOP:STEP`` nor a comma list.

    Examples
    --------
    >>> from mechsolve.model.schema import parse_model
    >>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 10},
    ...                  "valuation": {"family": "market-growth", "alpha": -0.8}})
    >>> p = plan_boundary(m, "-0.8,-0.7", k_max=500)
    >>> p.row_search, p.alphas, p.k_max
    (True, (-0.8, -0.7), 500)
    """
    if getattr(model, "kind", None) != "mechanism-design":
        raise Unsupported(f"`boundary` needs a mechanism-design model, got kind {model.kind!r}", field="kind")
    if model.types.step is None:
        raise Unsupported("`boundary` varies D on an ε-grid; give types.step and types.max", field="types")
    row = uses_row_search(model)
    default_alpha = model.valuation.alpha if model.valuation.alpha is not None else model.parameters.get("alpha")
    alphas = tuple(parse_range(alpha_text)) if alpha_text is not None else (default_alpha,)   # "" is bad input
    notes: list[str] = []
    if not row:
        cap = generic_k_cap(model)
        if cap < k_max:
            notes.append(f"generic model: D/ε capped at {cap} (Algorithm 1 on all profiles costs "
                         f"(D/ε)^{model.n + 1}; the row search covers only the 2-agent market-growth model)")
            k_max = cap
    return BoundaryPlan(model, row, alphas, alpha_text is not None, int(k_max), int(verify_limit), tuple(notes))


def run_boundary(plan: BoundaryPlan, *, workers: int | None = None, scheduler: str | None = None,
                 progress: Callable[[BoundaryResult], None] | None = None) -> list[BoundaryResult]:
    """Run ``plan``: the boundary per α, in the order of ``plan.alphas``.

    ``progress`` sees each result as it finishes (so an interrupted run keeps them); the row search
    runs in parallel (``workers`` local processes or a Dask ``scheduler``), the generic one in process.
    """
    m = plan.model
    if plan.row_search:
        return sweep(plan.alphas, workers=workers, scheduler=scheduler, progress=progress,
                     include_zero=m.types.include_zero, k_max=plan.k_max, verify_limit=plan.verify_limit)
    out = []
    for a in plan.alphas:   # prefix stability: one run at the largest D answers every smaller one
        r = generic_boundary(m, a if plan.alpha_given else None, k_max=plan.k_max)
        if progress is not None:
            progress(r)
        out.append(r)
    return out


def generic_boundary(model: Any, alpha: float | None = None, *, k_max: int = 60,
                     tolerance: float | None = None) -> BoundaryResult:
    """The disparity boundary of *any* mechanism-design model on an ε-grid, on all profiles.

    Prefix stability (1. above) holds for every model under downward misreports: p^max(t) reads only
    profiles with smaller own type. So one run of Algorithm 1 at D = k_max·ε answers every D ≤ k_max·ε
    at once: the boundary is the largest type (in units of ε) of the first failing profile, minus one.
    Exact on all profiles; the cost is the generic O(m^(n+1)) of Algorithm 1 (m = grid points), so
    k_max is what `solve` could run. ``alpha`` overrides ``parameters.alpha`` (market growth: the rate).
    """
    from .desirability import desirability
    from .instance import build_instance
    from .types import build_type_grids

    ts = model.types
    if ts.step is None:
        raise Unsupported("a disparity search varies D on an ε-grid; give types.step and types.max", field="types")
    if model.misreports != "downward":
        raise Unsupported("the boundary search relies on downward misreports (Assumption 2)", field="misreports")
    if alpha is not None and "alpha" not in model.parameters and model.valuation.family != "market-growth":
        raise InvalidModel("--alpha sets parameters.alpha, which this model does not use", field="alpha")
    t0 = time.perf_counter()
    lo = 0 if ts.include_zero else 1
    m = model.model_copy(update={"types": ts.model_copy(update={"max": ts.step * k_max})})
    grids = build_type_grids(m)
    inst = build_instance(m, grids=grids, parameters={"alpha": alpha} if alpha is not None else None)
    d = desirability(inst, tolerance=model.tolerance if tolerance is None else tolerance)
    a = float(alpha if alpha is not None else (model.valuation.alpha if model.valuation.alpha is not None
                                               else model.parameters.get("alpha", float("nan"))))
    if d.exists:
        return BoundaryResult(a, None, None, None, k_max, ts.include_zero, f"all profiles up to D/ε = {k_max}",
                              round(time.perf_counter() - t0, 4),
                              notes=(f"no failing profile up to D/ε = {k_max} (generic Algorithm 1)",))
    prof = tuple(int(round(float(v) / ts.step)) for v in d.first_profile.values())  # type: ignore[union-attr]
    return BoundaryResult(a, max(prof) - 1, prof, float(d.first_revenue), k_max, ts.include_zero,  # type: ignore[arg-type]
                          "all profiles (exact boundary)", round(time.perf_counter() - t0, 4))


def verify_full(alpha: float, k_fail: int, include_zero: bool, tolerance: float = 1e-9) -> tuple[bool, str]:
    """All profiles on {lo..k_fail}: no failure below k_fail and one at k_fail (generic Algorithm 1)."""
    from ..model.schema import parse_model
    from .desirability import desirability
    from .instance import build_instance

    m = parse_model({"kind": "mechanism-design", "agents": 2,
                     "types": {"step": 1, "max": k_fail, "include_zero": include_zero},
                     "valuation": {"family": "market-growth", "alpha": alpha}})
    d = desirability(build_instance(m), tolerance=tolerance)
    first = d.first_profile
    if d.exists or first is None or max(first.values()) != k_fail:
        return False, f"full-grid check disagrees: first failing profile {first}"
    return True, ""


#: Most α values one ``--alpha START:STOP:STEP`` may ask for.
MAX_ALPHAS = 10_000


def parse_range(text: str) -> list[float]:
    """``start:stop:step`` (inclusive of stop when it lands on the grid) or ``a,b,c`` → α values.

    Every value is finite and there are at most :data:`MAX_ALPHAS` of them (counted before
    the list is built: ``-1:1:1e-300`` is refused, not allocated).

    Examples
    --------
    >>> parse_range("-1:-0.9:0.05")
    [-1.0, -0.95, -0.9]
    """
    bad = InvalidModel(f"{short_repr(text)} is not START:STOP:STEP (finite, STEP > 0, STOP ≥ START) or a comma "
                       "list of finite numbers", field="alpha")
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) != 3 or not all(math.isfinite(x) for x in parts) or parts[2] <= 0 or parts[1] < parts[0]:
                raise bad
            count = (parts[1] - parts[0]) / parts[2] + 1e-9
            if not math.isfinite(count) or count >= MAX_ALPHAS:
                raise InvalidModel(f"{short_repr(text)} gives {count:.3g} α values, more than {MAX_ALPHAS:,}",
                                   field="alpha")
            n = int(math.floor(count))
            return [round(parts[0] + k * parts[2], 12) for k in range(n + 1)]
        out = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise bad from None
    if not out or not all(math.isfinite(x) for x in out):
        raise bad
    if len(out) > MAX_ALPHAS:
        raise InvalidModel(f"{len(out):,} α values, more than {MAX_ALPHAS:,}", field="alpha")
    return out


def _one(args: tuple[float, dict[str, Any]]) -> BoundaryResult:
    a, kw = args
    return growth_boundary(a, **kw)


def sweep(alphas: Sequence[float], *, workers: int | None = None, scheduler: str | None = None,
          progress: Callable[[BoundaryResult], None] | None = None, **kw: Any) -> list[BoundaryResult]:
    """Boundaries for many α, in parallel via :func:`mechsolve.parallel.parallel_map`.

    Local processes (``workers``, default: one per core, at most one per α) or a Dask
    cluster at ``scheduler``; results come back in the order of ``alphas`` and do not
    depend on where they ran.
    """
    from ..parallel import parallel_map

    jobs = [(float(a), kw) for a in alphas]
    if workers is None:
        workers = min(len(jobs), os.cpu_count() or 1)
    report = (lambda done, total, r: progress(r)) if progress else None
    return parallel_map(_one, jobs, workers=max(1, workers), scheduler=scheduler, progress=report)


def continuum_alpha_star(tol: float = 1e-9, grid: int = 200_001) -> float:
    """α* where the continuum limit of Σ p^max(0, K)/K^(α+1), 2^α + c(α), changes sign."""

    def c_of(alpha: float) -> float:
        x = np.linspace(0.0, 1.0, grid)[:-1]
        c = 2 ** alpha - 1
        for _ in range(5000):
            cn = 2 ** alpha - float(np.max((1 + x) ** alpha - c * x ** (alpha + 1)))
            if abs(cn - c) < 1e-15:
                break
            c = cn
        return c

    lo_a, hi_a = -0.9, -0.6
    f = lambda a: c_of(a) + 2 ** a  # noqa: E731
    flo = f(lo_a)
    while hi_a - lo_a > tol:
        mid = 0.5 * (lo_a + hi_a)
        fm = f(mid)
        if (fm < 0) == (flo < 0):
            lo_a, flo = mid, fm
        else:
            hi_a = mid
    return 0.5 * (lo_a + hi_a)
