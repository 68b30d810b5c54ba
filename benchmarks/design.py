"""Benchmark: `mechsolve design` LP size and time (issue 19), with the all-rows LP as baseline in the same run.

* Chen et al. grids: 2 agents (market growth, D/ε up to 200) and 3 agents; axioms IC + IR + WBB,
  objective revenue. Rows: every IR, WBB and IC instance (downward reports); the IC rows are
  generated lazily. Baseline: the same LP with every IC row given up front (up to ``--full-max``),
  and Algorithm 1 (its DP; the revenue optimum must equal its total, checked). Beyond the
  boundary (α = −0.9) the time includes the exact certificate.
* Cooperative markets, n = 4 … 20: efficiency + core, objective closest-to Shapley (L1), on the two
  random families of ``benchmarks/stability.py`` (``quadratic``: non-empty core; ``scaled``: mostly an
  empty core, so the time includes the exact certificate). Rows: the 2^n − 2 core rows, generated
  lazily above n = 10. Baseline: all core rows up front (up to ``--coop-full-max``).

Times are single runs on a shared 2-core machine: read the ratios (same run), not absolute values.

    python benchmarks/design.py
    python benchmarks/design.py --chen-max 100 --coop-max 16
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stability import game_values  # noqa: E402

from mechsolve.games.game import Game  # noqa: E402
from mechsolve.mechanism.design import build_problem as chen_problem  # noqa: E402
from mechsolve.mechanism.design import design_mechanism  # noqa: E402
from mechsolve.mechanism.instance import build_instance  # noqa: E402
from mechsolve.mechanism.max_payment import max_payments  # noqa: E402
from mechsolve.model import parse_model  # noqa: E402
from mechsolve.schemes.design import build_problem as coop_problem  # noqa: E402
from mechsolve.solvers.design import solve_design  # noqa: E402


def chen(agents: int, top: int, alpha: float) -> object:
    return parse_model({"kind": "mechanism-design", "agents": agents, "types": {"step": 1, "max": top},
                        "valuation": {"family": "market-growth"}, "parameters": {"alpha": alpha}})


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chen-max", type=int, default=200)
    ap.add_argument("--full-max", type=int, default=50, help="largest D/ε for the all-IC-rows baseline")
    ap.add_argument("--coop-max", type=int, default=20)
    ap.add_argument("--coop-full-max", type=int, default=14)
    ap.add_argument("--only", choices=["chen", "coop"], default=None)
    args = ap.parse_args()
    design_mechanism(chen(2, 2, -0.7))   # warm-up (imports)
    if args.only != "coop":
        run_chen(args)
    if args.only != "chen":
        for family in ("quadratic", "scaled"):
            run_coop(args, family)


def run_chen(args: argparse.Namespace) -> None:
    print("## Chen et al. grids (IC + IR + WBB, revenue)\n")
    print("| agents | α | D/ε | variables | rows (all) | rows in LP | LP solves | design | all-rows LP | ratio "
          "| Algorithm 1 | status | revenue = Algorithm 1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cases = [(2, -0.68, d) for d in (10, 25, 50, 100, 150, 200) if d <= args.chen_max]
    cases += [(3, -0.5, d) for d in (3, 6, 10, 15) if d <= args.chen_max]
    cases += [(2, -0.9, d) for d in (50, 200) if d <= args.chen_max]
    for agents, alpha, top in cases:
        m = chen(agents, top, alpha)
        t_d, r = timed(lambda: design_mechanism(m))
        st = r.solution.stats
        full = "–"
        ratio = "–"
        if top <= args.full_max and agents == 2 or (agents == 3 and top <= 6):
            inst = build_instance(m)
            prob = chen_problem(inst, ("ic", "ir", "wbb"), "revenue", None, "l1", lazy_ic=False)
            t_f, _ = timed(lambda: solve_design(prob))
            full = f"{t_f:.2f} s"
            ratio = f"{t_f / t_d:.1f}×"
        inst = build_instance(m)
        t_a, pmax = timed(lambda: max_payments(inst))
        agrees = r.cross_check.get("agrees", "–") if r.solution.found else "– (certificate)"
        status = "found" if r.solution.found else f"infeasible ({len(r.solution.certificate.constraints)}-row proof)"
        print(f"| {agents} | {alpha} | {top} | {st['variables']:,} | {st['rows_total']:,} | {st['rows_in_lp']:,} "
              f"| {st['lp_solves']} | {t_d:.2f} s | {full} | {ratio} | {t_a:.3f} s | {status} | {agrees} |", flush=True)



def run_coop(args: argparse.Namespace, family: str) -> None:
    print(f"\n## Cooperative markets (efficiency + core, closest-to Shapley, L1), family {family}\n")
    print("| n | rows (all) | rows in LP | LP solves | design | all-rows LP | ratio | status |")
    print("|---|---|---|---|---|---|---|---|")
    for n in range(4, args.coop_max + 1):
        v = game_values(n, n, family)
        g = Game.from_values([f"p{i}" for i in range(n)], v.astype(float))
        prob = coop_problem(g, ["efficiency", "core"], "closest-to", "shapley", "l1")
        t_d, sol = timed(lambda: solve_design(prob))
        st = sol.stats
        full, ratio = "–", "–"
        if n <= args.coop_full_max and n > 10:
            prob_f = coop_problem(g, ["efficiency", "core"], "closest-to", "shapley", "l1")
            for b in prob_f.blocks:
                b.lazy = False
            t_f, _ = timed(lambda: solve_design(prob_f))
            full, ratio = f"{t_f:.3f} s", f"{t_f / t_d:.1f}×"
        status = "found" if sol.found else f"infeasible ({len(sol.certificate.constraints)}-row proof)"
        print(f"| {n} | {st['rows_total']:,} | {st['rows_in_lp']:,} | {st['lp_solves']} | {t_d:.3f} s | {full} "
              f"| {ratio} | {status} |", flush=True)


if __name__ == "__main__":
    main()
