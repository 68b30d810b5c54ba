"""Games with known Shapley values for benchmarks/monte_carlo.py (numpy only: the pyDVL venv imports it too).

n = 16 (tables, exact values computed by the caller with mechsolve's exact kernel):

* ``saturating accuracy``: v(S) = 1 − exp(−Σ_{i∈S} a_i), a_i ~ Exp(1)/4 (a model's accuracy curve);
* ``random table``: v(S) ~ U(0, 1) independently, v(∅) = 0 (no structure to exploit);
* ``weighted voting``: v(S) = 1 iff Σ_{i∈S} w_i > Σ w / 2, w_i ∈ {1..9};
* ``real: <table>``: a measured 5-party table of ``models/data`` extended to 16
  players by replication: each player is a copy of one real party (every party
  at least once, the other 11 copies drawn uniformly), and v(S) is the real
  table's value of the set of parties that S holds a copy of. This is how
  replicated data behaves (a second copy adds nothing) and keeps the measured
  values, interactions and noise of the real table.

n = 50…100 (callables, values known without a table):

* ``airport (n=100)``: cost game v(S) = max_{i∈S} c_i, c_i ~ U(0, 1); with the costs
  sorted, φ_(k) = Σ_{j≤k} (c_(j) − c_(j−1)) / (n − j + 1) (Littlechild & Owen 1973);
* ``weighted voting (n=50)``: w_i ∈ {1..9}, quota > Σw/2; exact Shapley–Shubik
  index by counting coalitions per (size, weight) (dynamic programming);
* ``additive + noise (n=100)``: v(S) = Σ_{i∈S} w_i + σ·ε(S), w_i ~ Exp(1)/n,
  σ = 0.02 (≈ 2 % of v(N), like retraining noise), ε(S) ~ N(0, 1) drawn when a
  coalition is first evaluated and remembered (every method gets one noisy
  evaluation per distinct coalition); the value to recover is w, the Shapley
  value of the noise-free game.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "models" / "data"
REAL_TABLES = {"real: MNIST 5 parties": "mnist-5-parties.json", "real: IMDB 5 parties": "imdb-5-parties.json",
               "real: GMM MMD 5 parties": "gmm-5-parties-mmd.json"}
SMALL = ["saturating accuracy", "random table", "weighted voting", *REAL_TABLES]
LARGE = ["airport (n=100)", "weighted voting (n=50)", "additive + noise (n=100)"]


def subset_sums(a: np.ndarray) -> np.ndarray:
    """``out[mask] = Σ_{k ∈ mask} a_k`` in bitmask order."""
    out = np.zeros(1)
    for x in a:
        out = np.concatenate([out, out + x])
    return out


def small_table(family: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """The 2^n table of an n = 16 family (bitmask order, player k = bit k)."""
    if family == "saturating accuracy":
        return 1.0 - np.exp(-subset_sums(rng.exponential(0.25, n)))
    if family == "random table":
        return np.r_[0.0, rng.random(2**n - 1)]
    if family == "weighted voting":
        w = rng.integers(1, 10, n).astype(float)
        return (subset_sums(w) > w.sum() / 2).astype(float)
    if family in REAL_TABLES:
        d = json.loads((DATA / REAL_TABLES[family]).read_text(encoding="utf-8"))
        real = np.asarray(d["values"], dtype=np.float64)
        k = len(d["players"])
        types = np.r_[np.arange(k), rng.integers(0, k, n - k)]
        rng.shuffle(types)
        masks = np.arange(2**n, dtype=np.int64)
        held = np.zeros(2**n, dtype=np.int64)
        for p in range(n):
            held |= ((masks >> p) & 1) << types[p]
        return real[held]
    raise ValueError(family)


class Oracle:
    """A value function ``f(members) → values`` that counts distinct coalitions and rows asked for."""

    def __init__(self, f: Callable[[np.ndarray], np.ndarray], n: int, memo: bool = False) -> None:
        self.f, self.n, self.memo = f, n, memo
        self.seen: dict[bytes, float] = {}
        self.rows = 0

    def __call__(self, members: np.ndarray) -> np.ndarray:
        m = np.atleast_2d(np.asarray(members, dtype=bool))
        self.rows += m.shape[0]
        keys = [r.tobytes() for r in np.packbits(m, axis=1)]
        if not self.memo:
            vals = np.asarray(self.f(m), dtype=np.float64).reshape(-1)
            for k, x in zip(keys, vals):
                self.seen.setdefault(k, float(x))
            return vals
        new = [i for i, k in enumerate(keys) if k not in self.seen]
        if new:
            got = np.asarray(self.f(m[new]), dtype=np.float64).reshape(-1)
            for i, x in zip(new, got):
                self.seen.setdefault(keys[i], float(x))
        return np.array([self.seen[k] for k in keys])

    @property
    def distinct(self) -> int:
        return len(self.seen)


def _shapley_shubik(w: np.ndarray, quota: float) -> np.ndarray:
    """φ_i = Σ_s s!(n−s−1)!/n! · #{S ∌ i : |S| = s, quota − w_i ≤ w(S) < quota}, counts in float64 (no cancellation)."""
    n = w.size
    wi = w.astype(np.int64)
    total = int(wi.sum())
    from math import comb

    weight = np.array([1.0 / (n * comb(n - 1, s)) for s in range(n)])
    out = np.zeros(n)
    for i in range(n):
        count = np.zeros((n, total + 1))
        count[0, 0] = 1.0
        for j in range(n):
            if j == i:
                continue
            x = wi[j]
            count[1:, x:] += count[:-1, : total + 1 - x].copy()
        lo, hi = max(0, int(np.ceil(quota - wi[i]))), int(np.ceil(quota))     # quota − w_i ≤ w(S) < quota
        out[i] = float(weight @ count[:, lo:hi].sum(axis=1))
    return out


def large_game(family: str, rng: np.random.Generator) -> tuple[int, Callable[[np.ndarray], np.ndarray], np.ndarray, bool]:
    """``(n, f, exact, memo)`` of an n = 50…100 family; ``memo``: evaluate each coalition once (noisy game)."""
    if family == "airport (n=100)":
        n = 100
        c = rng.random(n)
        order = np.argsort(c)
        cs = c[order]
        steps = np.diff(np.r_[0.0, cs]) / (n - np.arange(n))
        exact = np.empty(n)
        exact[order] = np.cumsum(steps)
        return n, lambda m: np.where(m.any(axis=1), (m * c).max(axis=1), 0.0), exact, False
    if family == "weighted voting (n=50)":
        n = 50
        w = rng.integers(1, 10, n).astype(float)
        quota = w.sum() / 2
        # v(S) = 1 iff w(S) > W/2; integer weights: w(S) ≥ ⌊W/2⌋ + 1
        q = np.floor(quota) + 1
        return n, lambda m: (m @ w >= q).astype(float), _shapley_shubik(w, q), False
    if family == "additive + noise (n=100)":
        n = 100
        w = rng.exponential(1.0, n) / n
        noise = np.random.default_rng(rng.integers(2**63))

        def f(m: np.ndarray) -> np.ndarray:
            eps = noise.normal(0.0, 0.02, m.shape[0])
            eps[~m.any(axis=1)] = 0.0                        # v(∅) = 0 exactly
            return m @ w + eps
        return n, f, w.copy(), True
    raise ValueError(family)
