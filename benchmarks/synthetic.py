"""Benchmarks of the Tay et al. (2022) pipeline: incremental weighted sampling and all-coalition MMD values.

1. Weighted sampling (Sec. 4.2): each step needs Δ_x = v(S ∪ {x}) − v(S) for every candidate x ∈ G.
   Three ways, timed in the same run on the same draws:
   * ``recompute``: v(S ∪ {x}) from scratch by the literal formula (O(s (s + t) d) per candidate);
   * ``paper``: the paper's sequential update — stored Σ_{S×T} k and Σ_{S×S} k, then k(x, S) and
     k(x, T) per candidate (O((s + t) d) per candidate);
   * ``mechsolve``: :class:`mechsolve.data.sampling.IncrementalValue` — k(x, T) once, k(x, S) kept up to date
     by one kernel column per accepted point (O(|G| d) per step for all candidates).
   All three must give the same Δ (checked), so the ratios compare equal work.
2. MMD value of all 2^n coalitions for n = 5…10 parties and t = 1,000…10,000 points: block sums
   (one chunked kernel pass + O(n 2^n)) vs the literal per-coalition formula, which is timed on a
   few coalitions and extrapolated (marked ``~``) because it would take hours at the top sizes.

Run:  python benchmarks/synthetic.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mechsolve.data.mmd import MMDData, block_sums, coalition_values, direct_value, kernel_matrix
from mechsolve.data.sampling import IncrementalValue, sampling_probabilities


def gmm_data(n: int, t: int, d: int = 2, seed: int = 0, pool_share: float = 0.5) -> MMDData:
    rng = np.random.default_rng(seed)
    g = int(t * pool_share)
    m = (t - g) // n
    means = rng.normal(0, 4, size=(n, d))
    parties = tuple(means[k] + rng.standard_normal((m, d)) for k in range(n))
    G = means[rng.integers(0, n, size=t - m * n)] + rng.standard_normal((t - m * n, d))
    return MMDData(tuple(f"p{k}" for k in range(n)), parties, G)


def sampling_bench(g: int, steps: int, seed: int = 0, recompute: bool = True) -> tuple[float, float, float]:
    data = gmm_data(5, 2 * g, seed=seed, pool_share=0.5)
    ell = 1.5
    T, G, D = data.points, data.G, data.parties[0]
    t = len(T)
    rng = np.random.default_rng(seed)
    # mechsolve: also fixes the draws the other two replay
    t0 = time.perf_counter()
    inc = IncrementalValue(data, 0, ell)
    draws, deltas_inc = [], []
    for _ in range(steps):
        dlt = inc.deltas()
        deltas_inc.append(dlt)
        j = int(rng.choice(len(dlt), p=sampling_probabilities(dlt, 4.0)))
        inc.add(j)
        draws.append(j)
    t_inc = time.perf_counter() - t0

    # paper's O(s + t) per candidate with stored sums
    t0 = time.perf_counter()
    S = D.copy()
    A = kernel_matrix(S, T, ell).sum()
    Q = kernel_matrix(S, S, ell).sum()
    for k, j in enumerate(draws):
        s = len(S)
        v = 2 * A / (s * t) - Q / s**2
        avail = np.setdiff1d(np.arange(len(G)), draws[:k])
        dl = np.full(len(G), np.nan)
        for x in avail:
            kx_T = kernel_matrix(G[x:x + 1], T, ell).sum()
            kx_S = kernel_matrix(G[x:x + 1], S, ell).sum()
            dl[x] = 2 * (A + kx_T) / ((s + 1) * t) - (Q + 2 * kx_S + 1.0) / (s + 1) ** 2 - v
        assert np.allclose(dl, deltas_inc[k], atol=1e-10, equal_nan=True)
        A += kernel_matrix(G[j:j + 1], T, ell).sum()
        Q += 2 * kernel_matrix(G[j:j + 1], S, ell).sum() + 1.0
        S = np.concatenate([S, G[j:j + 1]])
    t_paper = time.perf_counter() - t0

    # literal recomputation of v(S ∪ {x}) for every candidate (skipped where it takes minutes)
    if not recompute:
        return t_inc, t_paper, float("nan")
    t0 = time.perf_counter()
    S = D.copy()
    for k, j in enumerate(draws[: max(1, steps // 4)]):     # a quarter of the steps, scaled up below
        v = direct_value(S, T, ell)
        avail = np.setdiff1d(np.arange(len(G)), draws[:k])
        dl = np.full(len(G), np.nan)
        for x in avail:
            dl[x] = direct_value(np.concatenate([S, G[x:x + 1]]), T, ell) - v
        assert np.allclose(dl, deltas_inc[k], atol=1e-10, equal_nan=True)
        S = np.concatenate([S, G[j:j + 1]])
    t_rec = (time.perf_counter() - t0) * steps / max(1, steps // 4)
    return t_inc, t_paper, t_rec


def valuation_bench(n: int, t: int, naive_coalitions: int = 6) -> tuple[float, float, str]:
    data = gmm_data(n, t)
    ell = 1.5
    t0 = time.perf_counter()
    bs = block_sums(data, ell)
    v = coalition_values(bs)
    t_fast = time.perf_counter() - t0
    T = data.points
    rng = np.random.default_rng(1)
    masks = rng.choice(np.arange(1, 2**n), size=min(naive_coalitions, 2**n - 1), replace=False)
    t0 = time.perf_counter()
    for m in masks:
        S = np.concatenate([x for k, x in enumerate(data.parties) if m >> k & 1])
        assert abs(direct_value(S, T, ell) - v[m]) < 1e-9
    per = (time.perf_counter() - t0) / len(masks)
    return t_fast, per * (2**n - 1), bs.plan.describe()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = ap.parse_args()

    print("1. weighted sampling, party 0 of 5, |G| candidates, same draws for all three (β = 4)")
    print(f"{'|G|':>6} {'steps':>6} {'mechsolve s':>12} {'paper O(s+t) s':>15} {'recompute s':>12} "
          f"{'paper/mechsolve':>16} {'recompute/mechsolve':>20}")
    sizes = [(100, 10), (200, 10)] if args.quick else [(200, 20), (400, 20), (800, 20), (1600, 20)]
    for g, steps in sizes:
        ti, tp, tr = sampling_bench(g, steps, recompute=g <= 400)
        rec = f"{tr:>12.3f}" if tr == tr else f"{'(skipped)':>12}"
        ratio = f"{tr / ti:>20.1f}" if tr == tr else f"{'—':>20}"
        print(f"{g:>6} {steps:>6} {ti:>12.4f} {tp:>15.3f} {rec} {tp / ti:>16.1f} {ratio}")

    print("\n2. MMD value of all 2^n coalitions (biased, eq. 2): block sums vs literal per-coalition formula")
    print(f"{'n':>3} {'t':>6} {'block sums s':>13} {'literal s (~extrapolated)':>26} {'ratio':>8}  kernel pass")
    grid = [(5, 1000), (10, 1000)] if args.quick else [(n, t) for t in (1000, 10_000) for n in range(5, 11)]
    for n, t in grid:
        tf, tn, plan = valuation_bench(n, t, naive_coalitions=3 if t > 5000 else 6)
        print(f"{n:>3} {t:>6} {tf:>13.3f} {'~' + format(tn, '.1f'):>26} {tn / tf:>8.0f}  {plan}")


if __name__ == "__main__":
    main()
