"""Algorithm 1 (Chen et al. 2020, App. A.1): maximal IC + IR payments by shortest paths.

For each agent i and each t_−i, the payments p_i(·, t_−i) must satisfy the difference
constraints

    p_i(t_i, t_−i) ≤ p̄_i(t_i, t_−i)                                  (IR, Def. 4)
    p_i(t_i, t_−i) − p_i(t'_i, t_−i) ≤ Gap_i(t'_i, t_i, t_−i),  t'_i ≤ t_i   (IC, Def. 3)

and the largest solution is the shortest-path distance from a base vertex VB (payment 0,
i.e. ∅) with edges VB → V_t (weight p̄) and V_t' → V_t (weight Gap) — Theorem 5.

Two implementations that give the same floats:

* :func:`max_payments_literal` — App. A.1 literally: one networkx graph per (i, t_−i) and
  ``single_source_bellman_ford_path_length`` (kept as the reference);
* :func:`max_payments_fast` — under Assumption 2 (downward reports only) each graph is a
  DAG in t_i, so the distances follow by dynamic programming in increasing t_i,

      p(t_i) = min(0 + p̄(t_i), min_{t'_i < t_i} p(t'_i) + Gap(t'_i, t_i)),

  vectorised over all t_−i at once. Each distance is the same floating-point expression
  ``dist(u) + w(u, v)`` Bellman–Ford settles on, so both agree to the last bit.

Examples
--------
>>> from mechsolve.spec import parse_model
>>> from mechsolve.mechanism.instance import build_instance
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 4},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.8}})
>>> inst = build_instance(m)
>>> fast, lit = max_payments_fast(inst), max_payments_literal(inst)
>>> bool((fast == lit).all())
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import Infeasible, Unsupported
from .instance import MechanismInstance


def dag_shortest_rows(pbar: np.ndarray, gap_rows: Callable[[int], np.ndarray]) -> np.ndarray:
    """Distances from VB in the DAG of one agent, for many t_−i at once.

    Parameters
    ----------
    pbar : ndarray, shape (m, *R)
        Edge weights VB → V_k.
    gap_rows : callable
        ``gap_rows(k)`` → Gap(k', k) for k' = 0..k, shape ``(k + 1, *R)`` (row k is the
        zero-weight self-loop of App. A.1, harmless).

    Returns
    -------
    ndarray, shape (m, *R)
    """
    p = np.empty_like(pbar)
    zero = pbar.dtype.type(0) if pbar.dtype != object else 0
    for k in range(pbar.shape[0]):
        best = zero + pbar[k]
        if k:
            cand = p[:k] + gap_rows(k)[:k]
            best = np.minimum(best, cand.min(axis=0))
        p[k] = best
    return p


def max_payments_fast(inst: MechanismInstance) -> np.ndarray:
    """Maximal IC + IR payments p_i^max(t), shape ``(n, *shape)`` (DAG dynamic programme)."""
    if inst.misreports != "downward":
        raise Unsupported("the DAG fast path needs downward misreports (Assumption 2); "
                          "use the literal Bellman–Ford path", field="misreports")
    out = np.empty_like(inst.pbar)
    for i in range(inst.n):
        pb = np.moveaxis(inst.pbar[i], i, 0)
        p = dag_shortest_rows(pb, lambda k, i=i: inst.gap(i, k))
        out[i] = np.moveaxis(p, 0, i)
    return out


def max_payments_literal(inst: MechanismInstance) -> np.ndarray:
    """Algorithm 1 as written: a networkx graph and Bellman–Ford per (i, t_−i).

    Raises
    ------
    Infeasible
        With misreports ``any`` a negative cycle means no payment is IC and IR at that t_−i.
    """
    import networkx as nx

    out = np.empty_like(inst.pbar)
    zero = 0 if inst.exact else 0.0
    for i in range(inst.n):
        m = inst.shape[i]
        pb = np.moveaxis(inst.pbar[i], i, 0)
        gaps = [inst.gap(i, k) for k in range(m)]
        reports = [list(inst.reports(k, m)) for k in range(m)]
        res = np.empty_like(pb)
        for r in np.ndindex(pb.shape[1:]):
            g = nx.DiGraph()
            g.add_node("VB")
            g.add_nodes_from(range(m))
            for k in range(m):
                g.add_edge("VB", k, weight=pb[(k,) + r])
                for row, kp in enumerate(reports[k]):
                    w = gaps[k][(row,) + r]
                    if g.has_edge(kp, k):  # cannot happen: one (t', t) pair per edge
                        raise AssertionError("duplicate edge")
                    g.add_edge(kp, k, weight=w)
            try:
                dist = nx.single_source_bellman_ford_path_length(g, "VB", weight="weight")
            except nx.NetworkXUnbounded:
                prof = {a: inst.grids.grids[j][r[j - (j > i)]] for j, a in enumerate(inst.grids.names)
                        if j != i}
                raise Infeasible(f"no IC and IR payments for agent {inst.grids.names[i]!r} at t_−i = {prof}: "
                                 "the difference constraints have a negative cycle", field="misreports") from None
            for k in range(m):
                res[(k,) + r] = dist[k] if k in dist else zero
        out[i] = np.moveaxis(res, 0, i)
    return out


def max_payments(inst: MechanismInstance, method: str = "auto") -> np.ndarray:
    """Algorithm 1 by ``method``: ``fast`` (DAG DP), ``literal`` (networkx), or ``auto``."""
    if method == "literal" or (method == "auto" and inst.misreports != "downward"):
        return max_payments_literal(inst)
    return max_payments_fast(inst)
