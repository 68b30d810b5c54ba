"""Algorithm 1 (Chen et al. 2020, App. A.1): DAG fast path vs literal networkx Bellman–Ford.

Two agents, market-growth valuation (α = -0.7), types {0..K}. Both paths run in the same
process on the same tables; the ratio is literal / fast, and the payments are compared
bitwise. Then the fast path alone at larger K, and the boundary search time per α.

    python benchmarks/max_payment.py [--max-literal 150] [--max-fast 2000]
"""

from __future__ import annotations

import argparse
import time

from mechsolve.mechanism import build_instance, max_payments_fast, max_payments_literal
from mechsolve.mechanism.boundary import growth_boundary
from mechsolve.spec import parse_model


def instance(k: int):
    """The instance with p̄ and every Gap table built once, outside the timed region."""
    m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": k},
                     "valuation": {"family": "market-growth", "alpha": -0.7}})
    inst = build_instance(m)
    for i in range(2):
        for j in range(k + 1):
            inst._cache[f"gap{i},{j}"] = inst.gap(i, j)
    return inst


def timed(f, *a):
    t = time.perf_counter()
    r = f(*a)
    return r, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-literal", type=int, default=150)
    ap.add_argument("--max-fast", type=int, default=500)
    args = ap.parse_args()
    print("Algorithm 1, 2 agents, market growth α=-0.7, grid {0..K}")
    print(f"{'K':>6} {'literal s':>10} {'fast s':>9} {'ratio':>8}  bitwise-equal")
    for k in [50, 100, 150, 200, 300]:
        if k > args.max_literal:
            break
        inst = instance(k)
        fast, tf = timed(max_payments_fast, inst)
        lit, tl = timed(max_payments_literal, inst)
        print(f"{k:>6} {tl:>10.3f} {tf:>9.4f} {tl / tf:>8.0f}  {fast.tobytes() == lit.tobytes()}")
    print("\nfast path alone, end to end (gap tables of the generic valuation included: O(K³) values)")
    print(f"{'K':>6} {'fast s':>9}")
    for k in [250, 500, 1000]:
        if k > args.max_fast:
            break
        m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": k},
                         "valuation": {"family": "market-growth", "alpha": -0.7}})
        t = time.perf_counter()
        max_payments_fast(build_instance(m))
        print(f"{k:>6} {time.perf_counter() - t:>9.3f}")
    print("\nboundary search per α (extreme-family row DP, k_max = 100000, no full-grid verification)")
    print(f"{'α':>8} {'boundary':>9} {'s':>8}")
    for a in (-0.9, -0.8, -0.7, -0.68, -0.67, -0.668, -0.665, -0.663, -0.66):
        r = growth_boundary(a, k_max=100_000, verify_limit=0)
        b = r.boundary if r.boundary is not None else "> 1e5"
        print(f"{a:>8} {b!s:>9} {r.seconds:>8.2f}")


if __name__ == "__main__":
    main()
