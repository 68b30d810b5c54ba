"""Stratified Monte Carlo Shapley values with a cross-fitted regression control variate.

The Shapley value is a sum over coalition sizes of stratum means (Shapley 1953;
the form used by stratified SVARM, Kolpaczki et al. 2024):

    φ_i = (1/n) Σ_{s=1}^{n} μ⁺_{i,s} − (1/n) Σ_{s=0}^{n−1} μ⁻_{i,s},
    μ⁺_{i,s} = mean{v(S) : |S| = s, i ∈ S},   μ⁻_{i,s} = mean{v(S) : |S| = s, i ∉ S}.

Per size ``s`` the estimator draws ``m_s`` *distinct* coalitions uniformly
(a simple random sample without replacement; a size whose allocation reaches
``C(n, s)`` is enumerated, the "border trick" of Fumagalli et al. 2023). For a
surrogate ``g_s(S) = α_s + Σ_{j∈S} β_{s,j}`` whose stratum means are known in
closed form, ``μ⁺_{i,s}(g_s) − μ⁻_{i,s}(g_s) = (nβ_{s,i} − Σ_j β_{s,j})/(n − 1)``,
each sampled ``S`` gives every player the unbiased term

    y_i(S) = (nβ_{s,i} − Σ_j β_{s,j}) / (n(n − 1)) + e(S)·([i ∈ S]/s − [i ∉ S]/(n − s)),
    e(S) = v(S) − g_s(S)

(a Horvitz–Thompson correction of the surrogate's stratum means: ``P(i ∈ S) = s/n``),
and ``φ̂_i`` is the exact part of the enumerated sizes plus ``Σ_s mean_S y_i(S)``.
The surrogate is a regression of ``v`` on membership indicators (one per size
where that size has enough samples, else one pooled over sizes), *cross-fitted*:
the samples are split into folds and each fold's ``e(S)`` uses a surrogate
fitted on the other folds only, so ``E[y(S)]`` is the true stratum difference
whatever the fit. It plays the part of KernelSHAP's regression (exact on
additive games, nearly exact on smooth ones) without its bias. The pooled fit
is one of six models (coefficients with or without a linear trend in ``s``; an
intercept per size or a quadratic in ``s``; or no membership terms), chosen for
each fold by cross-validation *inside* the other folds, each size's error
weighted by its share of ``Var φ̂``: with ~10 samples per size (n = 100 at
1,000 calls) an intercept per size plus a trend is ~3n parameters for ~8n
training rows, and that overfitting is paid for in variance.

Properties, each tested (tests/games/test_stratified.py):

* **exact efficiency**: ``Σ_i y_i(S) = 0`` for every sample and the enumerated
  sizes sum to ``v(N) − v(∅)``, so ``Σ_i φ̂_i = v(N) − v(∅)`` to rounding;
* **unbiased** for a fixed allocation; the default spends ``pilot`` of the
  budget on an allocation ``m_s ∝ 1/√(s(n − s))`` (the Neyman allocation for equal
  variances) and the rest on the Neyman allocation ``m_s ∝ σ_s`` estimated from
  the pilot (capped at ``C(n, s)``); per size the surrogate is the regression or a
  constant, whichever has the smaller out-of-fold variance;
* **standard error** ``SE_i² = Σ_s (1 − m_s/C(n, s)) · Var_S(y_i)/m_s`` (finite-population
  corrected; 0 for enumerated sizes), which covers the true error at the
  normal-approximation rate (tested over many seeds);
* **value calls** are distinct coalitions (``v(∅)`` and ``v(N)`` included), the
  accounting of shapiq's budget; once every size fits the budget the result is
  the exact Shapley value with zero standard error.

Examples
--------
>>> import numpy as np
>>> w = np.arange(1.0, 9.0)
>>> est = stratified_shapley(lambda m: (m @ w) ** 0.5, 8, budget=120, seed=0)
>>> bool(est.calls <= 120), bool(abs(est.values.sum() - w.sum() ** 0.5) < 1e-12)
(True, True)
>>> full = stratified_shapley(lambda m: (m @ w) ** 0.5, 8, budget=256, seed=0)
>>> full.calls, float(full.std_error.max())                  # 2^8 coalitions: exact
(256, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from ..errors import InvalidModel

#: Share of the sampling budget spent on the fixed pilot allocation before the Neyman allocation.
PILOT_SHARE = 0.5
#: Cross-fitting folds of the regression control variate.
FOLDS = 5
#: A size gets its own regression when its training rows are at least this many times n + 1.
PER_SIZE_ROWS = 4
#: Samples of a size needed before its surrogate is chosen by out-of-fold variance.
SELECT_MIN = 30
#: Largest stratum enumerated (then subsampled) instead of drawn by rejection.
ENUMERATE_MAX = 200_000
#: Above this many players the pooled surrogate is the diagonal (marginal) regression, O(rows·n).
OLS_MAX_PLAYERS = 200
#: The sampled coalitions are kept as booleans: at most this many cells (budget × n), 1 GiB.
MAX_CELLS = 2**30


@dataclass(frozen=True)
class StratifiedResult:
    """Values, standard errors, distinct coalitions evaluated, and samples per size."""

    values: np.ndarray
    std_error: np.ndarray
    calls: int
    per_size: np.ndarray          # m_s: coalitions of size s evaluated (C(n, s) where enumerated)
    converged: bool


def _base_weights(n: int) -> np.ndarray:
    s = np.arange(n + 1, dtype=np.float64)
    w = np.zeros(n + 1)
    w[1:n] = 1.0 / np.sqrt(s[1:n] * (n - s[1:n]))
    return w


def _capped(total: float, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Split ``total`` proportionally to ``weights`` with per-entry caps (water filling)."""
    out = np.zeros_like(weights, dtype=np.float64)
    free = weights > 0
    left = float(total)
    while free.any():
        share = left * weights * free / weights[free].sum()
        over = free & (share >= caps)
        if not over.any():
            out[free] = share[free]
            break
        out[over] = caps[over]
        left -= float(caps[over].sum())
        free &= ~over
        if left <= 0:
            break
    return out


class _Strata:
    """Distinct sampled coalitions per size, their values, and the value calls spent."""

    def __init__(self, f: Callable[[np.ndarray], np.ndarray], n: int, rng: np.random.Generator) -> None:
        self.f, self.n, self.rng = f, n, rng
        self.rows: dict[int, np.ndarray] = {}
        self.vals: dict[int, np.ndarray] = {}
        self.seen: dict[int, set[bytes]] = {}
        self.sizes_c = np.array([float(min(math.comb(n, s), 10**300)) for s in range(n + 1)])
        self.calls = 0

    def count(self, s: int) -> int:
        return 0 if s not in self.vals else int(self.vals[s].size)

    def _evaluate(self, rows: np.ndarray) -> np.ndarray:
        got = np.asarray(self.f(rows), dtype=np.float64).reshape(-1)
        if got.shape != (rows.shape[0],):
            raise InvalidModel(f"the value function returned {got.shape[0]} values for "
                               f"{rows.shape[0]} coalitions", field="value.callable")
        self.calls += rows.shape[0]
        return got

    def _append(self, s: int, rows: np.ndarray) -> None:
        if rows.shape[0] == 0:
            return
        vals = self._evaluate(rows)
        if s in self.rows:
            self.rows[s] = np.vstack([self.rows[s], rows])
            self.vals[s] = np.concatenate([self.vals[s], vals])
        else:
            self.rows[s], self.vals[s] = rows, vals

    def add(self, s: int, m: int) -> None:
        """Evaluate ``m`` more distinct coalitions of size ``s`` (uniform, without replacement)."""
        n = self.n
        have = self.seen.setdefault(s, set())
        total = int(self.sizes_c[s])
        m = min(m, total - len(have))
        if m <= 0:
            return
        if total <= ENUMERATE_MAX and (len(have) + m) * 3 >= total:
            rows = np.zeros((total, n), dtype=bool)
            for k, c in enumerate(combinations(range(n), s)):
                rows[k, list(c)] = True
            keys = [r.tobytes() for r in np.packbits(rows, axis=1)]
            fresh = np.array([k not in have for k in keys])
            pick = self.rng.permutation(np.flatnonzero(fresh))[:m]
            have.update(keys[k] for k in pick)
            self._append(s, rows[np.sort(pick)])
            return
        picked: list[np.ndarray] = []
        got = 0
        while got < m:
            want = m - got + 4
            keys = np.argpartition(self.rng.random((want, n)), s - 1, axis=1)[:, :s] if s else \
                np.zeros((want, 0), dtype=np.int64)
            rows = np.zeros((want, n), dtype=bool)
            np.put_along_axis(rows, keys, True, axis=1)
            keep = []
            for r, k in enumerate(np.packbits(rows, axis=1)):
                b = k.tobytes()
                if b not in have and got < m:
                    have.add(b)
                    keep.append(r)
                    got += 1
            picked.append(rows[keep])
        self._append(s, np.vstack(picked))


def _solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``gram⁻¹ rhs`` with a relative ridge of 1e-9 (collinear memberships stay finite)."""
    ridge = 1e-9 * max(float(np.trace(gram)) / max(gram.shape[0], 1), 1e-300)
    return np.linalg.solve(gram + ridge * np.eye(gram.shape[0]), rhs)


def _pooled_candidates(train: dict[int, tuple[int, np.ndarray, float, np.ndarray, float]],
                       raw: list[np.ndarray], t: dict[int, float], n: int) -> list[tuple[int, Any]]:
    """The pooled surrogates ``(p, (β, γ, a))`` fitted on one training set (None: the per-size means).

    ``v(S) ≈ α_s + Σ_{j∈S} (β_j + γ_j t_s)``, ``t_s = s/n − 1/2``, by least
    squares: with or without the trend ``γ``; with an intercept per size (``a``
    None: ``α_s`` is the size's mean residual) or a quadratic in ``t_s``
    (``α_s = a₀ + a₁t_s + a₂t_s²``: 3 parameters instead of one per size, which
    matters when sizes have few samples, n ≥ 50); the quadratic alone; and the
    per-size means alone. ``p`` is the rank of the design (``Σ_j x_j = s``: membership
    is collinear with the intercept). ``train[s]`` = (count, Σx, Σy, Σxy, Σy²) and
    ``raw[j] = Σ_s t_s^j Σ_S x xᵀ`` (uncentred) over the training rows.
    """
    live = [s for s, q in train.items() if q[0]]
    zero = np.zeros(n)
    cs = np.array([float(train[s][0]) for s in live])
    ts = np.array([t[s] for s in live])
    sx = np.array([train[s][1] for s in live])
    # centred per size: G = Σ_s t_s^j (Σxxᵀ − Σx Σxᵀ / c), h = Σ_s t_s^j (Σxy − Σx Σy / c)
    g = [raw[j] - (sx * (ts**j / cs)[:, None]).T @ sx for j in range(3)]
    h = np.array([train[s][3] for s in live]) - sx * (np.array([train[s][2] for s in live]) / cs)[:, None]
    h0, h1 = h.sum(axis=0), ts @ h
    nz = len(live)
    out: list[tuple[int, Any]] = [(nz, None), (nz + n - 1, (_solve(g[0], h0), zero, None))]
    coef = _solve(np.block([[g[0], g[1]], [g[1], g[2]]]), np.concatenate([h0, h1]))
    out.append((nz + 2 * n - 2, (coef[:n], coef[n:], None)))
    if len(live) > 3:                                 # uncentred, columns [1, t, t², x, x·t]
        c_pow = [sum(train[s][0] * t[s] ** j for s in live) for j in range(5)]
        x_pow = [sum(train[s][1] * t[s] ** j for s in live) for j in range(4)]
        y_pow = np.array([sum(train[s][2] * t[s] ** j for s in live) for j in range(3)])
        xy = [sum(train[s][3] * t[s] ** j for s in live) for j in range(2)]
        pp = np.array([[c_pow[a + b] for b in range(3)] for a in range(3)])
        px = np.array([x_pow[a] for a in range(3)])
        pxt = np.array([x_pow[a + 1] for a in range(3)])
        out.append((3, (zero, zero, _solve(pp, y_pow))))
        coef = _solve(np.block([[pp, px], [px.T, raw[0]]]), np.concatenate([y_pow, xy[0]]))
        out.append((n + 2, (coef[3:], zero, coef[:3])))
        coef = _solve(np.block([[pp, px, pxt], [px.T, raw[0], raw[1]], [pxt.T, raw[1], raw[2]]]),
                      np.concatenate([y_pow, xy[0], xy[1]]))
        out.append((2 * n + 1, (coef[3:3 + n], coef[3 + n:], coef[:3])))
    return out


def _surrogates(blocks: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]], n: int, folds: int,
                control: bool, weight: dict[int, float]) -> dict[tuple[int, int], tuple[float, np.ndarray, float]]:
    """Cross-fitted surrogate ``(α, β, ȳ)`` per (size, fold), fitted on the other folds only.

    A size with at least ``PER_SIZE_ROWS·(n + 1)`` training rows gets its own
    least-squares fit; the others share a fit pooled over sizes: for
    n ≤ ``OLS_MAX_PLAYERS`` the candidate of :func:`_pooled_candidates` with the
    smallest inner cross-validated ``Σ_s w_s·MSE_s`` (``w_s`` = ``weight[s]``, the
    size's factor in ``Var φ̂``; each inner fold predicted by a fit on the folds
    other than it and the outer one, its error scaled to the outer fit's size by
    least squares' out-of-sample factor ``r/(r − p)``), so the outer fold never
    enters its own surrogate; above, per player with the trend (the diagonal of
    the Gram matrix: memberships of uniform coalitions are nearly uncorrelated).
    With ``control=False`` (or too few rows) the surrogate is the training mean
    per size; ``ȳ`` is always that mean (the constant candidate of :func:`_estimate`).
    """
    ols = n <= OLS_MAX_PLAYERS
    sizes = sorted(blocks)
    t = {s: s / n - 0.5 for s in sizes}
    # per-size sums: count, Σx, Σy, Σxy; Σxx only as trend-weighted totals (or diagonals)
    tot: dict[int, tuple[int, np.ndarray, float, np.ndarray, float]] = {}
    part: dict[tuple[int, int], tuple[int, np.ndarray, float, np.ndarray, float]] = {}
    gram_tot = [np.zeros((n, n)) for _ in range(3)] if ols else None
    gram_part = [[np.zeros((n, n)) for _ in range(3)] for _ in range(folds)] if ols else None
    for s in sizes:
        x, y, fold = blocks[s]
        tot[s] = (y.size, x.sum(0), float(y.sum()), x.T @ y, float(y @ y))
        for k in range(folds):
            at = fold == k
            xk, yk = x[at], y[at]
            part[s, k] = (yk.size, xk.sum(0), float(yk.sum()), xk.T @ yk, float(yk @ yk))
            if ols and control and yk.size:
                g = xk.T @ xk
                for j in range(3):
                    gram_part[k][j] += g * t[s] ** j
    if ols and control:
        for j in range(3):
            gram_tot[j] = sum(gram_part[k][j] for k in range(folds))
    out: dict[tuple[int, int], tuple[float, np.ndarray, float]] = {}
    zero = np.zeros(n)

    def stats(excl: set[int]) -> dict[int, tuple[int, np.ndarray, float, np.ndarray, float]]:
        got = {}
        for s in sizes:
            q = [a - sum(part[s, k][i] for k in excl) for i, a in enumerate(tot[s])]
            got[s] = (int(q[0]), q[1], float(q[2]), q[3], float(q[4]))
        return got

    def raw(excl: set[int]) -> list[np.ndarray]:
        return [gram_tot[j] - sum(gram_part[k][j] for k in excl) for j in range(3)]

    inner_fits: dict[frozenset[int], tuple[Any, list[Any]]] = {}

    def inner_error(pair: frozenset[int], j: int, shared: list[int]) -> np.ndarray:
        """``w_s·MSE_s`` per (candidate, size) on fold j, each candidate fitted without the folds in ``pair``."""
        if pair not in inner_fits:                   # one fit per pair of left-out folds
            inner = stats(set(pair))
            inner_fits[pair] = (inner, [fit for _, fit in _pooled_candidates(inner, raw(set(pair)), t, n)])
        inner, fits = inner_fits[pair]
        err = np.zeros((len(fits), len(sizes)))
        use = [s for s in shared if inner[s][0] and (blocks[s][2] == j).any()]
        if not use:
            return err
        # fold j's rows of every size at once; per row its size's index, t_s and weight w_s / m_s,j
        at = [blocks[s][2] == j for s in use]
        xa = np.vstack([blocks[s][0][a] for s, a in zip(use, at)])
        ya = np.concatenate([blocks[s][1][a] for s, a in zip(use, at)])
        idx = np.repeat(np.arange(len(use)), [int(a.sum()) for a in at])
        tu = np.array([t[s] for s in use])
        wr = np.array([weight[s] / a.sum() for s, a in zip(use, at)])[idx]
        cu = np.array([float(inner[s][0]) for s in use])
        sxu = np.array([inner[s][1] for s in use])
        syu = np.array([inner[s][2] for s in use])
        col = np.array([sizes.index(s) for s in use])
        for q, fit in enumerate(fits):
            if fit is None:
                pred = (syu / cu)[idx]
            else:
                beta, gamma, a = fit
                pred = xa @ beta + tu[idx] * (xa @ gamma)
                if a is None:                         # each size's mean residual on its training rows
                    pred += ((syu - sxu @ beta - tu * (sxu @ gamma)) / cu)[idx]
                else:
                    pred += (a[0] + a[1] * tu + a[2] * tu * tu)[idx]
            r = ya - pred
            err[q, col] = np.bincount(idx, weights=wr * r * r, minlength=len(use))
        return err

    for k in range(folds):
        train = stats({k})
        rows = sum(c for c, *_ in train.values())
        pooled = None
        # the sizes without a regression of their own share the pooled one
        shared = [s for s in sizes if 0 < train[s][0] < PER_SIZE_ROWS * (n + 1) or not ols]
        if control and shared and rows >= 2 * (2 * n + len(sizes)):
            if ols:
                # the candidate with the smallest inner cross-validated variance of φ̂, Σ_s w_s·MSE_s
                # (w_s the size's weight in Var φ̂), each inner fold j ≠ k predicted by a fit on the
                # folds other than j and k: fold k plays no part, so its correction stays unbiased
                cands = _pooled_candidates(train, raw({k}), t, n)
                per = np.zeros((len(cands), len(sizes)))
                for j in range(folds):
                    if j != k:
                        per += inner_error(frozenset((k, j)), j, shared)[:len(cands)]
                # a size with SELECT_MIN samples later takes the regression or its constant, whichever
                # is better (_estimate), so there a candidate is charged the smaller of the two
                pick = np.array([blocks[s][1].size >= SELECT_MIN for s in sizes])
                per[:, pick] = np.minimum(per[:, pick], per[0, pick])
                crit = per.sum(axis=1)
                # the inner fits saw (folds − 2)/(folds − 1) of the training rows: each error is
                # scaled to the outer fit's size by least squares' out-of-sample factor r/(r − p)
                r_in = rows * (folds - 2) / (folds - 1)
                for q, (p, _) in enumerate(cands):
                    crit[q] *= (rows / (rows - p)) / (r_in / (r_in - p)) if r_in > p else np.inf
                pooled = cands[int(np.argmin(crit))][1]
            else:                                    # per player 2×2 systems (diagonal Gram)
                hs = {s: (sxy - sx * sy / c) if c else zero for s, (c, sx, sy, sxy, _) in train.items()}
                d = [np.zeros(n) for _ in range(3)]
                r = [np.zeros(n), np.zeros(n)]
                for s, (c, sx, *_) in train.items():
                    if c:
                        diag = sx - sx * sx / c      # Σx_j² = Σx_j for memberships
                        for j in range(3):
                            d[j] += diag * t[s] ** j
                        r[0] += hs[s]
                        r[1] += hs[s] * t[s]
                det = d[0] * d[2] - d[1] ** 2
                ok = det > 1e-12 * np.maximum(d[0] * d[2], 1e-300)
                beta = np.where(ok, (d[2] * r[0] - d[1] * r[1]) / np.where(ok, det, 1.0),
                                r[0] / np.maximum(d[0], 1e-300))
                gamma = np.where(ok, (d[0] * r[1] - d[1] * r[0]) / np.where(ok, det, 1.0), 0.0)
                pooled = (beta, gamma, None)
        for s in sizes:
            c, sx, sy, sxy, _ = train[s]
            if c == 0:
                out[s, k] = (0.0, zero, 0.0)
                continue
            b = zero
            if control and ols and c >= PER_SIZE_ROWS * (n + 1):
                x, y, fold = blocks[s]
                xt = x[fold != k]
                b = _solve(xt.T @ xt - np.outer(sx, sx) / c, sxy - sx * sy / c)
            elif pooled is not None:
                b = pooled[0] + pooled[1] * t[s]
                if pooled[2] is not None:                # intercept smooth in s (a quadratic)
                    out[s, k] = (float(pooled[2] @ [1.0, t[s], t[s] ** 2]), b, sy / c)
                    continue
            out[s, k] = ((sy - sx @ b) / c, b, sy / c)
    return out


def _fold_terms(x: np.ndarray, y: np.ndarray, fold: np.ndarray, fits: dict[tuple[int, int], Any], s: int,
                n: int, cs: float, folds: int, model: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Stratum estimate (mean of the fold estimates) and every sample's out-of-fold term ``y_i(S)``.

    ``model`` = ``(0, 1)``: the regression ``(α, β)``; ``(2,)``: the constant ``ȳ``.
    """
    ms = y.size
    scale = np.where(x > 0, 1.0 / s + 1.0 / (n - s), 0.0) - 1.0 / (n - s)
    known = ms / cs > 1e-9                           # the training rows' own terms are not negligible
    est = np.zeros(n)
    oof = np.empty((ms, n))
    used = 0
    for k in range(folds):
        test = fold == k
        mt = int(test.sum())
        if mt == 0:
            continue
        used += 1
        fit = fits[s, k]
        a, b = (fit[0], fit[1]) if model == (0, 1) else (fit[2], np.zeros(n))
        base = (n * b - b.sum()) / (n * (n - 1))
        rows = slice(None) if known else test
        c = base + (y[rows] - a - x[rows] @ b)[:, None] * scale[rows]
        ct = c[test] if known else c
        # the test fold is a simple random sample of the coalitions outside the training
        # folds, so (Σ_train y + (C − m_train)·mean_test y)/C is unbiased for the stratum
        rest = cs - (ms - mt)
        est += ((c[~test].sum(axis=0) if known else 0.0) + rest * ct.mean(axis=0)) / cs
        oof[test] = ct
    return est / used, oof


def _estimate(st: _Strata, exact: set[int], folds: int, rng: np.random.Generator,
              control: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``φ̂``, its variance, and the per-size unit variance ``V_s = mean_i Var(y_i)`` (for allocation)."""
    n = st.n
    phi = np.zeros(n)
    var = np.zeros(n)
    unit = np.zeros(n + 1)
    for s in sorted(exact):                          # enumerated sizes: exact stratum means
        x, y = st.rows[s], st.vals[s]
        if s > 0:
            phi += (x * y[:, None]).sum(0) / x.sum(0) / n
        if s < n:
            phi -= ((~x) * y[:, None]).sum(0) / (~x).sum(0) / n
    sampled = [s for s in range(1, n) if s not in exact and st.count(s) > 0]
    if not sampled:
        return phi, var, unit
    blocks = {}
    for s in sampled:                                # folds balanced within each size
        ms = st.count(s)
        blocks[s] = (st.rows[s].astype(np.float64), st.vals[s], rng.permutation(ms) % folds)
    # a size's residual variance enters φ̂'s variance with weight (1 − m_s/C_s)/(s(n − s)·m_s)
    weight = {s: (1.0 - st.count(s) / st.sizes_c[s]) / (s * (n - s) * st.count(s)) for s in sampled}
    fits = _surrogates(blocks, n, folds, control, weight)
    for s in sampled:
        x, y, fold = blocks[s]
        ms, cs = y.size, st.sizes_c[s]
        # per size, the regression or the constant surrogate, whichever has the smaller
        # out-of-fold variance (both are unbiased; the choice only moves the variance). Below
        # SELECT_MIN samples the variance estimates are too noisy to choose by: the regression
        # stays (choosing the smaller of two noisy estimates would understate the SE)
        best = None
        models = ((0, 1), (2,)) if ms >= SELECT_MIN else ((0, 1),)
        for model in models if control else ((2,),):
            est, oof = _fold_terms(x, y, fold, fits, s, n, cs, folds, model)
            v = oof.var(axis=0, ddof=1) if ms > 1 else np.full(n, np.inf)
            if best is None or v.mean() < best[1].mean():
                best = (est, v)
        est, v = best
        phi += est
        # variance of a simple random sample of m_s out of C(n, s), out-of-fold terms
        var += (1.0 - ms / cs) * v / ms
        unit[s] = float(v.mean())
    return phi, var, unit


def stratified_shapley(f: Callable[[np.ndarray], np.ndarray], n: int, *, budget: int,
                       seed: int | None = None, target_std_error: float | None = None,
                       pilot: float = PILOT_SHARE, neyman: bool = True, control: bool = True,
                       folds: int = FOLDS, ends: tuple[float, float] | None = None) -> StratifiedResult:
    """Stratified Shapley estimate of ``f`` (boolean ``(rows, n)`` coalitions → values), see the module.

    ``budget`` counts distinct coalitions evaluated, ``v(∅)`` and ``v(N)``
    included; it must be at least ``2 + 2(n − 1)`` unless ``2^n`` fits
    (``ends`` = ``(v(∅), v(N))`` when the caller has evaluated them already). With
    ``target_std_error`` the budget is spent in rounds that double the
    samples, stopping once every player's standard error is at most the target.
    """
    if n <= 0:
        raise InvalidModel(f"n must be positive, got {n}", field="n")
    total_coalitions = 2**n
    need = min(total_coalitions, 2 + 2 * (n - 1))
    if budget < need:
        raise InvalidModel(f"max_value_calls must be at least {int(need)} (v(∅), v(N) and 2 coalitions "
                           f"per size) for n={n}, got {budget}", field="max_value_calls")
    if min(budget, total_coalitions) * n > MAX_CELLS:
        raise InvalidModel(f"max_value_calls={budget} at n={n} would keep {budget * n:.3g} membership cells "
                           f"(limit {MAX_CELLS}); lower the budget or use method='permutation'",
                           field="max_value_calls")
    if not 0 < pilot <= 1:
        raise InvalidModel(f"pilot must be in (0, 1], got {pilot}", field="pilot")
    if folds < 2:
        raise InvalidModel(f"folds must be at least 2, got {folds}", field="folds")
    rng = np.random.default_rng(seed)
    st = _Strata(f, n, rng)
    if ends is None:
        st.add(0, 1)
        st.add(n, 1)
    else:
        st.rows[0], st.vals[0] = np.zeros((1, n), dtype=bool), np.array([float(ends[0])])
        st.rows[n], st.vals[n] = np.ones((1, n), dtype=bool), np.array([float(ends[1])])
        st.calls = 2
    exact = {0, n}
    caps = st.sizes_c.copy()
    base = _base_weights(n)
    left = budget - st.calls
    # border trick: sizes whose share of the whole budget covers them are enumerated
    while True:
        want = _capped(left, np.where([s in exact for s in range(n + 1)], 0.0, base), caps)
        full = [s for s in range(1, n) if s not in exact and want[s] >= caps[s]]
        if not full:
            break
        for s in full:
            if left < caps[s]:
                continue
            st.add(s, int(caps[s]))
            exact.add(s)
            left -= int(caps[s])
        if all(s in exact or left < caps[s] for s in full):
            break
    sampled = [s for s in range(1, n) if s not in exact]
    converged = False
    if sampled:
        left = budget - st.calls
        if left < 2 * len(sampled):
            raise InvalidModel(f"max_value_calls={budget} leaves fewer than 2 coalitions per size "
                               f"for n={n}", field="max_value_calls")
        mask = np.zeros(n + 1, dtype=bool)
        mask[sampled] = True
        if target_std_error is not None:
            first = min(left, max(2 * len(sampled), int(pilot * left), 20 * n))
        else:
            first = int(pilot * left) if neyman else left
        first = max(first, 2 * len(sampled))
        alloc = _capped(first, base * mask, caps)
        m1 = np.maximum(2, np.floor(alloc)).astype(np.int64)
        while m1[mask].sum() > first:
            m1[int(np.argmax(np.where(mask, m1, 0)))] -= 1
        for s in sampled:
            st.add(s, int(m1[s]))
        while True:
            phi, var, unit = _estimate(st, exact, folds, rng, control)
            if target_std_error is not None and np.sqrt(var).max() <= target_std_error:
                converged = True
                break
            room = budget - st.calls
            if room <= 0:
                break
            spent = sum(st.count(s) for s in sampled)
            goal = room if target_std_error is None else min(room, spent)
            counts = np.array([st.count(s) for s in range(n + 1)], dtype=np.float64)
            # Neyman allocation of the total (done + goal) by the estimated σ_s, plus a tenth of
            # the fixed allocation's shape so that no size starves on a lucky pilot
            # shrunk toward the mean over sizes (pseudo-count 2n): a size whose pilot saw only
            # equal values (rare events) keeps a share instead of starving
            finite = np.where(np.isfinite(unit), unit, 0.0) * mask
            mean_unit = finite[mask].mean()
            kappa = 2.0 * n
            sd = np.sqrt((counts * finite + kappa * mean_unit) / (counts + kappa)) * mask
            if neyman and sd.max() > 0:
                weight = sd / sd.sum() + 0.2 * base * mask / (base * mask).sum()
            else:
                weight = base * mask
            want = _capped(spent + goal, weight, caps)
            add = np.maximum(0, np.floor(want) - counts).astype(np.int64)
            add[~mask] = 0
            while add.sum() > goal:
                add[int(np.argmax(add))] -= 1
            # rounding leftovers go one by one to the sizes furthest below their share, so that
            # one round spends the whole goal (no trail of tiny rounds)
            room_s = (caps - counts - add) * mask
            order = np.argsort(-(want - counts - add) * (room_s > 0), kind="stable")
            short = int(goal - add.sum())
            while short > 0 and room_s.sum() > 0:
                for s in order:
                    if short == 0:
                        break
                    if room_s[s] > 0:
                        add[s] += 1
                        room_s[s] -= 1
                        short -= 1
            if add.sum() == 0:
                break
            for s in sampled:
                if add[s]:
                    st.add(s, int(add[s]))
    else:
        phi, var, _ = _estimate(st, exact, folds, rng, control)
    per_size = np.array([st.count(s) for s in range(n + 1)])
    return StratifiedResult(phi, np.sqrt(var), st.calls, per_size, converged)
