"""Benchmark: all-pairs conditional Shapley + LP (P) (Nguyen et al. 2022), n = 8 … 18.

Compares, in the same run, mechsolve's vectorised path (``shapley.conditional_shapley`` + the
PuLP/HiGHS LP of ``solvers.flows``) with a literal loop implementation of eq. (5) (a Python loop
over pairs (i, j) and coalitions C ⊆ N∖{i,j}). The literal loop is skipped above ``--literal-max``
(its time grows as n²·2^(n−2); the estimate from the previous size is printed instead).
Target (issue 4): n = 16 under 5 s.

    python benchmarks/schemes.py            # n = 8..18
    python benchmarks/schemes.py --max-n 14
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from mechsolve.games.game import Game
from mechsolve.games.shapley import conditional_shapley
from mechsolve.solvers.flows import solve_flow_lp


def literal_conditional(v: np.ndarray, n: int) -> np.ndarray:
    """eq. (5) as written: φ_{j|i} = 1/(n−1) Σ_C C(n−2,|C|)^{-1} (v(C∪{i,j}) − v(C∪{i}))."""
    M = np.zeros((n, n))
    inv = [1.0 / math.comb(n - 2, s) for s in range(n - 1)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            rest = [k for k in range(n) if k not in (i, j)]
            tot = 0.0
            for bits in range(1 << (n - 2)):
                C = 0
                size = 0
                for b, k in enumerate(rest):
                    if bits >> b & 1:
                        C |= 1 << k
                        size += 1
                tot += (v[C | 1 << i | 1 << j] - v[C | 1 << i]) * inv[size]
            M[i, j] = tot / (n - 1)
    return M


def monotone_game(n: int, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    v = rng.random(2**n)
    v[0] = 0
    for k in range(n):
        view = v.reshape(-1, 2, 2**k)
        np.maximum(view[:, 1, :], view[:, 0, :], out=view[:, 1, :])
    return Game(tuple(f"p{k}" for k in range(n)), v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-n", type=int, default=8)
    ap.add_argument("--max-n", type=int, default=18)
    ap.add_argument("--literal-max", type=int, default=14, help="largest n for the literal loop")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'n':>3} {'cond. Shapley s':>16} {'LP (P) s':>9} {'total s':>9} {'literal s':>12} {'ratio':>8} "
          f"{'max |diff|':>11} {'λ unique':>8}")
    last_literal: tuple[int, float] | None = None
    for n in range(args.min_n, args.max_n + 1):
        g = monotone_game(n, n)
        budgets = [0.0] * n
        budgets[0] = 0.3
        t_cs = t_lp = math.inf
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            M = conditional_shapley(g)
            t1 = time.perf_counter()
            res = solve_flow_lp(M, budgets)
            t2 = time.perf_counter()
            t_cs, t_lp = min(t_cs, t1 - t0), min(t_lp, t2 - t1)
        total = t_cs + t_lp
        if n <= args.literal_max:
            t0 = time.perf_counter()
            L = literal_conditional(g.values, n)
            t_lit = time.perf_counter() - t0 + t_lp        # same LP on top
            diff = float(np.abs(L - M).max())
            last_literal = (n, t_lit)
            lit = f"{t_lit:12.3f}"
            ratio = f"{t_lit / total:8.1f}"
            dtxt = f"{diff:11.2e}"
        else:
            assert last_literal is not None
            n0, t0_ = last_literal
            est = t0_ * (n * n * 2 ** (n - 2)) / (n0 * n0 * 2 ** (n0 - 2))
            lit = f"~{est:11.1f}"
            ratio = f"~{est / total:7.0f}"
            dtxt = f"{'(skipped)':>11}"
        print(f"{n:3d} {t_cs:16.4f} {t_lp:9.4f} {total:9.4f} {lit} {ratio} {dtxt} {str(res.unique):>8}", flush=True)
    print("ratio = literal loop time / mechsolve time (same LP in both); ~ = extrapolated from the last "
          "literal run as n²·2^(n−2)")


if __name__ == "__main__":
    main()
