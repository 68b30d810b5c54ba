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
4. **Cost.** On the paper's grid (lo = 0) with −1 < α < 0 the row comes from
   :class:`EnvelopeRow`: the same payments (proved equal in real arithmetic, tested bit for bit
   against the quadratic :class:`GrowthRow` up to K = 5,000), O(K log K) candidate evaluations
   with O(1) numpy calls per row — D/ε = 10^6 in about two minutes on one core. Elsewhere
   (types from ε, α ∉ (−1, 0)) the quadratic row DP is used: O(K²) work (vectorised, table
   look-ups), D/ε = 10^5 in seconds.

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

from ..errors import InvalidModel, Unsupported

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
    r"""The extreme row p^max(a, 0), a = 0, 1, …, of :class:`GrowthRow` (lo = b = 0) without the O(K²) scan.

    Requires −1 < α < 0. With b = 0 the window branch is empty and the base vertex is the
    report a' = 0 (p(0) = 0, same float), so

        p(a) = min_{0 ≤ s < a} c_a(s),   c_a(s) = p(s) + (V(a) − a·(a + s)^α),   V(a) = (2a)^α·a.

    Write φ_s(a) = a(a + s)^α − p(s) (so c_a(s) = V(a) − φ_s(a)). Two facts, both proved here
    and both checked by the tests on every grid they use:

    **Lemma 1 (dominance below |α|a).** ∂²[a(a + s)^α]/∂a∂s = α(a + s)^(α−2)·(s + αa), which is
    ≥ 0 for s ≤ |α|a. Hence for s₁ < s₂ ≤ |α|a₀: d/da[φ_{s₂} − φ_{s₁}] ≥ 0 for every a ≥ a₀
    (the interval [s₁, s₂] stays inside [0, |α|a]), so once s₂ is at least as good as s₁ it
    stays so. Consequence (Topkis-style): over the *lower region* L(a) = {s ≤ |α|a, s < a}, the
    largest minimiser j(a) of c_a is non-decreasing in a (for a < m: the largest minimiser at a
    is ≤ j(m), else by Lemma 1 it would also be a minimiser at m, larger than j(m)). The lower
    region of the rows a ∈ [A, A'] only reads p(s) for s ≤ |α|A' < A, all known at A, so the
    rows of such a chunk are solved offline by divide and conquer on the monotone minimiser:
    O((rows + columns)·log rows) evaluations.

    **Lemma 2 (block bound above |α|a).** The candidate s = t − 1 at row t gives
    p(t) ≤ p(t − 1) + δ(t), δ(t) = V(t) − t(2t − 1)^α < 0. So for s < e,
    p(s) ≥ p(e) + (e − s)·d(e) with d(e) = min_{t ≤ e} |δ(t)|, and by the mean value theorem
    a(a + s)^α − a(a + e)^α ≤ (e − s)·|α|a(a + u)^(α−1) for u ≤ s. For a block [u, e]:

        min_{u ≤ s ≤ e} c_a(s) ≥ c_a(e) − (e − u)·max(0, |α|a(a + u)^(α−1) − d(e)).

    The two slopes nearly cancel (both ≈ |α|2^(α−1)a^α near s = a), so the bound is tight to
    second order. Blocks of the *upper region* (|α|a, a) whose bound exceeds the best candidate
    by more than a float margin (1e-12 + 1e-15·width, relative) are skipped; the others are
    split (×8) and, at ≤ 48 candidates, evaluated exactly. A skipped block cannot hold the
    float minimum, so the upper region is exact in floating point.

    Every candidate that is evaluated is the same float expression as in :class:`GrowthRow`,
    and ``min`` is exact, so the row is bitwise equal whenever the divide and conquer keeps the
    float minimiser — which Lemma 1 guarantees in real arithmetic; a float near-tie (relative
    gaps ≈ 1e-16) could at worst move a payment by an ulp. Tests compare bit for bit up to
    K = 5,000 on every α they use.

    Examples
    --------
    >>> fast, slow = EnvelopeRow(-0.7).extend(300), GrowthRow(-0.7, 0, 0).extend(300)
    >>> fast.tobytes() == slow.tobytes()
    True
    """

    #: Rows up to this K go through the quadratic DP (tiny anyway; keeps the chunking simple).
    SMALL = 64
    #: Upper-region blocks at or below this size are evaluated exactly.
    EXACT_BLOCK = 48
    #: Rows per batch: the known upper part is bounded for a whole batch in one numpy pass.
    BATCH = 32
    #: Block layout of the known upper part (speed only: any layout is exact).
    GROWTH, WIDEST = 0.1, 3e-3

    def __init__(self, alpha: float) -> None:
        if not -1.0 < float(alpha) < 0.0:
            raise InvalidModel(f"EnvelopeRow needs -1 < alpha < 0, got {alpha}", field="alpha")
        super().__init__(alpha, 0, 0)
        self.beta = -self.alpha
        #: Candidate evaluations and bounded blocks, for the benchmark.
        self.stats: dict[str, int] = {"lower": 0, "upper_exact": 0, "upper_blocks": 0, "refined": 0}

    def _cap(self, rows: np.ndarray) -> np.ndarray:
        """Largest s of the lower region, floor(|α|a) (strictly inside, by a 1e-9 margin), and < a."""
        return np.minimum(np.floor(self.beta * rows - 1e-9).astype(np.int64), rows - 1)

    def extend(self, kmax: int) -> np.ndarray:
        """Compute p(a) for a = 0..kmax, reusing every value computed so far."""
        kmax = int(kmax)
        if len(self.p) <= self.SMALL or kmax <= self.SMALL:
            GrowthRow.extend(self, min(kmax, self.SMALL))
            if kmax <= self.SMALL:
                return self.p
        start = len(self.p)
        if kmax < start:
            return self.p
        a_all = np.arange(0, kmax + 1, dtype=float)
        V = self.value(a_all, a_all)
        self._ensure_pw(2 * kmax + 2)
        pw = self._pw
        # |δ(t)| = −(V(t) − t·(2t − 1)^α), t = 1..kmax, and its running minimum d(e)
        neg = np.maximum(-(V[1:] - pw[1:2 * kmax:2] * a_all[1:]), 0.0)
        dmin = np.concatenate([[0.0], np.minimum.accumulate(neg)])
        p = np.concatenate([self.p, np.empty(kmax + 1 - start)])
        self.V = V
        a = start
        while a <= kmax:
            # chunk [a, A2]: every row's lower region reads only p(s), s ≤ a − 1 (already known)
            A2 = min(kmax, max(a, int((a - 1) / self.beta)))
            while A2 > a and int(self._cap(np.array([A2]))[0]) > a - 1:
                A2 -= 1
            rows = np.arange(a, A2 + 1)
            cap = self._cap(rows)
            low = self._lower(rows, cap, p, V, pw)
            for b0 in range(0, len(rows), self.BATCH):
                self._batch(rows[b0:b0 + self.BATCH], cap[b0:b0 + self.BATCH], low[b0:b0 + self.BATCH],
                            p, V, pw, dmin)
            a = A2 + 1
        self.p = p
        return p

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
        en = s_hi - d[:-1]
        st = s_hi - d[1:] + 1
        return st, en

    def _batch(self, rows: np.ndarray, cap: np.ndarray, low: np.ndarray, P: np.ndarray, V: np.ndarray,
               pw: np.ndarray, dmin: np.ndarray) -> None:
        """Rows r0..r1: the known upper part (s < r0) by Lemma 2 on all rows at once, then row by row
        the online part s ∈ [r0, r), evaluated exactly."""
        r0 = int(rows[0])
        best = low.astype(float)
        s_lo, s_hi = int(cap[0]) + 1, r0 - 1
        if s_lo <= s_hi:
            st, en = self._layout(s_lo, s_hi)
            R = rows[:, None].astype(float)
            ce = P[en][None, :] + (V[rows][:, None] - pw[rows[:, None] + en[None, :]] * R)
            best = np.minimum(best, ce.min(axis=1))
            w = (en - st).astype(float)[None, :]
            slope = np.maximum(0.0, self.beta * R * np.power(R + st[None, :], self.alpha - 1.0) - dmin[en][None, :])
            scale = 1.0 + np.abs(V[rows])[:, None] + np.abs(best)[:, None] + np.abs(P[st])[None, :]
            bound = ce - w * slope - (1e-12 + 1e-15 * w) * scale
            fail = (bound <= best[:, None]) & (w > 0)
            self.stats["upper_blocks"] += ce.size
            self.stats["refined"] += int(fail.sum())
            for i, k in zip(*np.nonzero(fail)):
                r = int(rows[i])
                best[i] = self._upper(r, float(V[r]), float(best[i]), int(st[k]), int(en[k]), P, pw, dmin)
        for i in range(len(rows)):
            r = r0 + i
            b = float(best[i])
            if r > r0:
                b = min(b, float((P[r0:r] + (V[r] - pw[r + r0: 2 * r] * float(r))).min()))
                self.stats["upper_exact"] += r - r0
            P[r] = b

    def _lower(self, rows: np.ndarray, cap: np.ndarray, P: np.ndarray, V: np.ndarray,
               pw: np.ndarray) -> np.ndarray:
        """min over the lower region per row, divide and conquer on the monotone largest minimiser."""
        out = np.empty(len(rows))
        stack = [(0, len(rows) - 1, 0, int(cap.max()))]
        while stack:
            i0, i1, c0, c1 = stack.pop()
            if i0 > i1:
                continue
            m = (i0 + i1) // 2
            r = int(rows[m])
            hi = min(c1, int(cap[m]))
            lo = min(c0, hi)
            vals = P[lo:hi + 1] + (V[r] - pw[r + lo: r + hi + 1] * float(r))
            self.stats["lower"] += hi - lo + 1
            rev = vals[::-1]
            t = int(np.argmin(rev))  # first minimum of the reversed slice = the largest minimiser
            out[m] = rev[t]
            j = hi - t
            stack.append((i0, m - 1, c0, j))
            stack.append((m + 1, i1, j, c1))
        return out

    def _upper(self, r: int, Vk: float, best: float, j0: int, j1: int, P: np.ndarray, pw: np.ndarray,
               dmin: np.ndarray) -> float:
        """min(best, min_{j0 ≤ s ≤ j1} c_r(s)) with Lemma 2's block bounds (exact in floats)."""
        ra = float(r)
        ka = ra * self.beta
        am1 = self.alpha - 1.0
        n = j1 - j0 + 1
        off = (np.arange(33) * n) // 32
        st, en = j0 + off[:-1], j0 + off[1:] - 1
        keep = en >= st
        st, en = st[keep], en[keep]
        while len(st):
            ce = P[en] + (Vk - pw[r + en] * ra)  # c_r(e), evaluated: also a candidate
            m = float(ce.min())
            best = min(best, m)
            w = (en - st).astype(float)
            slope = np.maximum(0.0, ka * np.power(ra + st, am1) - dmin[en])
            scale = 1.0 + abs(Vk) + abs(best) + np.abs(P[st])
            bound = ce - w * slope - (1e-12 + 1e-15 * w) * scale
            self.stats["upper_blocks"] += len(st)
            keep = (bound <= best) & (en > st)
            st, en = st[keep], en[keep]
            if not len(st):
                break
            small = en - st + 1 <= self.EXACT_BLOCK
            if small.any():
                ss, ee = st[small], en[small]
                cnt = ee - ss + 1
                idx = np.repeat(ss - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt) + np.arange(int(cnt.sum()))
                vals = P[idx] + (Vk - pw[r + idx] * ra)
                self.stats["upper_exact"] += len(idx)
                best = min(best, float(vals.min()))
                st, en = st[~small], en[~small]
            if len(st):
                off8 = (np.arange(9)[None, :] * (en - st + 1)[:, None]) // 8
                nst, nen = (st[:, None] + off8[:, :-1]).ravel(), (st[:, None] + off8[:, 1:] - 1).ravel()
                keep = nen >= nst
                st, en = nst[keep], nen[keep]
        return best


# --------------------------------------------------------------------------- search

def growth_boundary(alpha: float, *, include_zero: bool = True, k_max: int = DEFAULT_K_MAX,
                    verify_limit: int = DEFAULT_VERIFY_LIMIT, first_chunk: int = 256,
                    tolerance: float = 1e-9, method: str = "auto") -> BoundaryResult:
    """The disparity boundary of the two-agent market-growth model at ``alpha``.

    Doubling chunks of the extreme-family row DP (prefix-stable, so nothing is recomputed),
    stopping at the first failing profile or at ``k_max``; verification on all profiles
    when the boundary is ≤ ``verify_limit``. A profile fails when Σ p^max < −tolerance·scale,
    scale = max(1, |p_1| + |p_2|), so float noise at exact ties (α = −1) cannot flip a verdict.

    ``method``: ``"envelope"`` (:class:`EnvelopeRow`, lo = 0 and −1 < α < 0 only: O(K log K),
    D/ε = 10^6 in minutes), ``"quadratic"`` (:class:`GrowthRow`, O(K²)), or ``"auto"`` (envelope
    where it applies). Both give the same payments (bitwise on every grid tested).
    """
    if not -10 <= alpha <= 10:
        raise InvalidModel(f"alpha = {alpha} is out of range [-10, 10]", field="alpha")
    t0 = time.perf_counter()
    lo = 0 if include_zero else 1
    envelope_ok = lo == 0 and -1.0 < alpha < 0.0
    if method not in ("auto", "envelope", "quadratic"):
        raise InvalidModel(f"method {method!r} is not auto, envelope or quadratic", field="method")
    if method == "envelope" and not envelope_ok:
        raise Unsupported("the envelope row needs types from 0 (include_zero) and -1 < alpha < 0",
                          field="method")
    row: GrowthRow = EnvelopeRow(alpha) if method != "quadratic" and envelope_ok else GrowthRow(alpha, lo, lo)
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
        K *= 2
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


def parse_range(text: str) -> list[float]:
    """``start:stop:step`` (inclusive of stop when it lands on the grid) or ``a,b,c`` → α values."""
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
                raise ValueError
            n = int(math.floor((parts[1] - parts[0]) / parts[2] + 1e-9))
            return [round(parts[0] + k * parts[2], 12) for k in range(n + 1)]
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidModel(f"{text!r} is not START:STOP:STEP (STEP > 0, STOP ≥ START) or a comma list",
                           field="alpha") from None


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
