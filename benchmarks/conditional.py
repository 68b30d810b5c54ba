"""All-pairs conditional Shapley φ_{j|i} (Nguyen et al. 2022, Sec. 3.2): mechsolve against a per-pair baseline.

Usage::

    python benchmarks/conditional.py              # n = 10..22
    python benchmarks/conditional.py --max-n 16

For each n, on a seeded random table: the time of
:func:`mechsolve.games.shapley.conditional_shapley` (one pass over the
table: pair member sums), the time of the baseline measured in the same run (for each i, the
marginal game ``v_{-i}`` and one numpy reshape pass per remaining player:
``O(n²·2^n)``), their ratio, the largest disagreement, and the residual of the
decomposition ``n·φ_i = v(i) + Σ_{j≠i} φ_{i|j}`` (App. F). The baseline stops
after the first n above ``--stop-after`` seconds. Target: n = 20 ≤ 2 s.
Results go to ``benchmarks/results/conditional.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from _harness import RESULTS, fmt_time, machine, markdown_table, numpy_per_player

from mechsolve.games.game import Game
from mechsolve.games.shapley import conditional_shapley, shapley


def baseline(g: Game) -> np.ndarray:
    n = g.n
    m = np.zeros((n, n))
    for i in range(n):
        mg = g.marginal(i)
        m[i, [j for j in range(n) if j != i]] = numpy_per_player(mg.values, n - 1)
    return m


def best_of(fn, budget_s: float = 3.0, repeats: int = 3):
    t0 = time.perf_counter()
    out = fn()
    best = time.perf_counter() - t0
    spent, k = best, 1
    while k < repeats and spent + best < budget_s:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, spent, k = min(best, dt), spent + dt, k + 1
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-n", type=int, default=10)
    ap.add_argument("--max-n", type=int, default=22)
    ap.add_argument("--stop-after", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    print(f"machine: {machine()}", flush=True)
    rows, data, base_on = [], [], True
    for n in range(args.min_n, args.max_n + 1):
        v = np.random.default_rng(n).random(2**n)
        v[0] = 0.0
        g = Game(tuple(f"p{k}" for k in range(n)), v)
        t, m = best_of(lambda: conditional_shapley(g))
        phi = shapley(g)
        resid = float(np.abs(n * phi - g.singletons() - m.sum(axis=0)).max())
        row = {"n": n, "mechsolve": t, "decomposition_residual": resid}
        if base_on:
            tb, mb = best_of(lambda: baseline(g), budget_s=0.0)
            row.update(baseline=tb, disagreement=float(np.abs(m - mb).max()))
            base_on = tb <= args.stop_after
        data.append(row)
        rows.append([str(n), fmt_time(t), fmt_time(row.get("baseline")),
                     f"{row['baseline'] / t:.0f}×" if "baseline" in row else "–",
                     f"{row['disagreement']:.1e}" if "disagreement" in row else "–", f"{resid:.1e}"])
        print(" | ".join(rows[-1]), flush=True)
    md = (f"All-pairs conditional Shapley φ_(j|i), random table, best of ≤3 repeats.\n\nMachine: {machine()}\n\n"
          + markdown_table(["n", "mechsolve", "baseline (marginal game + per-player pass)", "ratio",
                            "max |Δ|", "decomposition residual"], rows))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "conditional.md").write_text(md + "\n", encoding="utf-8")
    (args.out / "conditional.json").write_text(json.dumps({"machine": machine(), "rows": data}, indent=1) + "\n",
                                               encoding="utf-8")
    print()
    print(md)


if __name__ == "__main__":
    sys.exit(main())
