"""Counterexample search (``mechsolve verify``): counterexamples per second and time to the first one,
on seeded *planted* violations, against a naive random search measured in the same run.

Usage::

    python benchmarks/verify.py                       # 12 seeds per case, budget 1500 instances
    python benchmarks/verify.py --seeds 5 --budget 600 --workers 1,2

Planted cases are schemes built to break one chosen axiom on a small, hard-to-hit part of the
instance space (user formulas, so they run through the same code as any scheme):

* ``ir-threshold``   payment ``max(φ_i, v(i)) + (3 − v(N))/10``: individual rationality (Nguyen eq. 8,
  Tay R4) fails only when ``v(N) > 3`` — rare for random values; the residual gives a gradient;
* ``null-bonus``     payment ``φ_i + max(0, v(N) − 1.5)/n``: the null-player axiom fails only on games
  that *have* a null player and ``v(N) > 1.5`` — random values almost never have a null player;
* ``shapley-ir``     the Shapley value and individual rationality (a genuine, easy violation:
  non-superadditive games), the control case.

Methods (same families, sizes 2..4, same exact confirmation of a hit):

* ``verify``: :func:`mechsolve.verify.search.games.search` (the one engine) — structured draws (normal, small integers, sparse),
  planted null players and replicas, hill-climbing on the residual, shrinking, exact confirmation;
* ``naive`` (baseline): pure random search — i.i.d. normal values, no planting, no guidance, no
  shrinking; a float violation counts once it is confirmed exactly (as in ``verify``).

Reported per case and method, over ``--seeds`` seeded runs with ``--budget`` instances each: the
fraction of runs that found a counterexample, the median time to the first one (including shrinking
for ``verify``), counterexamples per second (found / total time) and the mean number of players of
what is reported. Then scaling: time to the first counterexample of ``ir-threshold`` per number of
players, and the parallel search (``--workers``) on a budget with no violation (instances/s; each instance
solves LP (P) of Nguyen et al. Sec. 4, ~20 ms, so chunks are worth shipping to processes).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mechsolve.games.game import Game  # noqa: E402
from mechsolve.verify.search.families import get_family  # noqa: E402
from mechsolve.verify.search.games import GameInstance, GameSpace, search  # noqa: E402

CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "ir-threshold": ("formula", "individual-rationality", {"formula": "max(phi_i, v_i) + (3 - vN)/10"}),
    "null-bonus": ("formula", "null-player", {"formula": "phi_i + max(0, vN - 3/2)/n"}),
    "shapley-ir": ("shapley", "individual-rationality", {}),
}


def naive(scheme: str, axiom: str, params: dict[str, Any], sizes: tuple[int, ...], budget: int,
          seed: int) -> tuple[bool, float, int]:
    """Pure random search: i.i.d. N(0, 1) values (v(∅) = 0), first exactly confirmed violation."""
    space = GameSpace(scheme, axiom, sizes=sizes, params=params)      # the same screening and confirmation
    fam = get_family("normalised")
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for i in range(budget):
        n = sizes[i % len(sizes)]
        g = Game(tuple(f"p{k + 1}" for k in range(n)), fam.transform(rng.normal(0, 1, 2**n), n, {}))
        inst = GameInstance(g, space.params, fam.name)
        if space.assess(inst).violated and space.confirm(inst).verdict is not None:
            return True, time.perf_counter() - t0, n
    return False, time.perf_counter() - t0, 0


def guided(scheme: str, axiom: str, params: dict[str, Any], sizes: tuple[int, ...], budget: int,
           seed: int, workers: int = 1) -> tuple[bool, float, int]:
    t0 = time.perf_counter()
    r = search(scheme, axiom, sizes=sizes, budget=budget, seed=seed, params=params, workers=workers)
    dt = time.perf_counter() - t0
    return r.counterexample is not None, dt, r.counterexample.game.n if r.counterexample else 0


def summarise(runs: list[tuple[bool, float, int]]) -> dict[str, Any]:
    found = [r for r in runs if r[0]]
    total = sum(r[1] for r in runs)
    return {"found": len(found), "runs": len(runs),
            "ttf_median": statistics.median(r[1] for r in found) if found else None,
            "per_s": len(found) / total if total else 0.0,
            "players": statistics.mean(r[2] for r in found) if found else None}


def fmt_t(x: float | None) -> str:
    return "—" if x is None else (f"{x * 1e3:.0f} ms" if x < 1 else f"{x:.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--budget", type=int, default=1500)
    ap.add_argument("--workers", default="1,2", help="worker counts for the parallel part")
    args = ap.parse_args()
    sizes = (2, 3, 4)
    print(f"# benchmarks/verify.py — {platform.python_version()}, {platform.machine()}, "
          f"seeds {args.seeds}, budget {args.budget} instances per run, sizes {sizes}")
    print("\n## Planted violations: verify vs naive random search (same run)\n")
    print("| case | method | found | median time to first | counterexamples/s | players reported |"
          " ratio (cx/s, verify ÷ naive) |")
    print("|---|---|---|---|---|---|---|")
    for name, (scheme, axiom, params) in CASES.items():
        res = {}
        for method, fn in (("naive", naive), ("verify", guided)):
            res[method] = summarise([fn(scheme, axiom, params, sizes, args.budget, s)
                                     for s in range(args.seeds)])
        base = res["naive"]["per_s"]
        for method in ("naive", "verify"):
            r = res[method]
            ratio = "1 (baseline)" if method == "naive" else (
                f"{r['per_s'] / base:.1f}×" if base else ("∞ (naive found none)" if r["found"] else "—"))
            pl = "—" if r["players"] is None else f"{r['players']:.2f}"
            print(f"| {name} | {method} | {r['found']}/{r['runs']} | {fmt_t(r['ttf_median'])} | "
                  f"{r['per_s']:.2f} | {pl} | {ratio} |")
    print("\n## Scaling: ir-threshold, time to the first counterexample per number of players\n")
    print("| players | naive found | naive median | verify found | verify median | shrunk to |")
    print("|---|---|---|---|---|---|")
    scheme, axiom, params = CASES["ir-threshold"]
    for n in (2, 3, 4, 5, 6):
        nv = summarise([naive(scheme, axiom, params, (n,), args.budget, s) for s in range(args.seeds)])
        gv = summarise([guided(scheme, axiom, params, (n,), args.budget, s) for s in range(args.seeds)])
        pl = "—" if gv["players"] is None else f"{gv['players']:.2f}"
        print(f"| {n} | {nv['found']}/{nv['runs']} | {fmt_t(nv['ttf_median'])} | {gv['found']}/{gv['runs']} | "
              f"{fmt_t(gv['ttf_median'])} | {pl} |")
    print("\n## Parallel chunks: a search with no violation (nguyen-budget balance: one LP (P) per instance), "
          "sizes 3..4\n")
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at the start (speed-up needs idle cores)\n")
    print("| workers | instances | seconds | instances/s | speed-up vs 1 worker |")
    print("|---|---|---|---|---|")
    base_rate = None
    n_inst = max(args.budget // 2, 200)
    for w in [int(x) for x in args.workers.split(",")]:
        t0 = time.perf_counter()
        r = search("nguyen-budget", "balance", sizes=(3, 4), budget=n_inst, seed=0, workers=w, chunk_size=25)
        dt = time.perf_counter() - t0
        rate = r.stats["instances"] / dt
        base_rate = base_rate or rate
        print(f"| {w} | {r.stats['instances']} | {dt:.2f} | {rate:.0f} | {rate / base_rate:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
