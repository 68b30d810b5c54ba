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
>>> from mechsolve.model.schema import parse_model
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
from fractions import Fraction
from typing import Any

import numpy as np

from .. import decide
from ..errors import Infeasible, Unsupported
from .instance import MechanismInstance


class RoundingCycle(Infeasible):
    """Bellman–Ford found a negative cycle whose weight is within the borderline band of 0.

    Float arithmetic cannot tell a cycle of weight −2e-16 from a zero-weight cycle (equal Gaps
    that round differently); the main job decides it again on the exact instance when the model's
    numbers are rational (:func:`mechsolve.verify.mechanism_analysis.analyse_mechanism`), else
    reports it as borderline. ``weight`` is the float cycle weight.
    """

    def __init__(self, message: str, weight: float, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.weight = weight


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


def growth_grid(inst: MechanismInstance) -> tuple[float, float, int, int] | None:
    """``(α, ε, lo, K)`` when the instance is the two-agent market-growth grid of Sec. 6.2, else None.

    Conditions: 2 agents, v_i = (q_1 + q_2)^α q_i with α ≥ −1 (so the efficient allocation gives
    both participants Q(Σ t')), Q(t) = t, float64, downward misreports, own-model outside option,
    and both type grids equal to {lo, …, K}·ε with ε a power of two (every sum of grid points is
    then exact, so table look-ups equal the generic evaluation bit for bit).
    """
    v, rule = inst.valuation, inst.allocation
    if (inst.n != 2 or inst.exact or v.family != "market-growth" or v.alpha is None or v.alpha < -1
            or rule.rule not in ("efficient", "best-to-all") or inst.misreports != "downward"
            or inst.outside_option != "own-model" or not inst.quality.is_identity):
        return None
    g0, g1 = inst.grids.grids
    if len(g0) != len(g1) or not np.array_equal(g0, g1) or len(g0) < 2:
        return None
    eps = float(g0[1] - g0[0])
    mant, _ = np.frexp(eps)
    lo = int(round(g0[0] / eps))
    if mant != 0.5 or lo not in (0, 1) or not np.array_equal(g0, eps * np.arange(lo, lo + len(g0), dtype=float)):
        return None
    return float(v.alpha), eps, lo, lo + len(g0) - 1


def growth_table(alpha: float, eps: float, lo: int, K: int) -> np.ndarray:
    """Agent 1's p^max(t_1, t_2) on the market-growth grid (Sec. 6.2), all t_2 at once.

    The DP of :func:`dag_shortest_rows` with the Gap rows read from tables: for true type
    a = grid[k], report a' = grid[k'] and the other's type b, the allocated model is a' + b, so
    q_1 = max(a' + b, a), q_2 = a' + b and

        W = V(a', b)                    if a' + b ≥ a   (the agent keeps the allocated model)
        W = (a + a' + b)^α · a          otherwise        (own model; a Hankel slice of one power table)

    Each candidate is ``p[k'] + (V[k] − W)`` as in the generic path, so the result is bitwise
    equal to :func:`max_payments_fast` on the generic instance (and to Bellman–Ford). O(K³) work,
    vectorised per k over (k', b) with no gather: K = 2,000 in seconds rather than hours.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    m = K - lo + 1
    t = eps * np.arange(lo, K + 1, dtype=float)
    T = t[:, None] + t[None, :]
    with np.errstate(all="ignore"):
        V = np.where(T + T > 0, np.power(np.where(T + T > 0, T + T, 1.0), alpha) * T, 0.0)
        S = t[:, None] + t[None, :]
        Vout = np.where(S > 0, np.power(np.where(S > 0, S, 1.0), alpha) * t[:, None], 0.0)
        idx = eps * np.arange(0, 3 * K + 6, dtype=float)
        pw = np.where(idx > 0, np.power(np.where(idx > 0, idx, 1.0), alpha), 0.0)
    pbar = V - Vout
    p = np.empty_like(pbar)
    buf = np.empty((m, m))
    # Hankel views built once: Hall[j, b] = pw[3·lo + j + b]; Wall[j, b] = (j + b ≥ m)
    Hall = sliding_window_view(pw[3 * lo: 3 * lo + 3 * m], m)
    Wall = sliding_window_view(np.arange(3 * m) >= m, m)
    for k in range(m):
        best = 0.0 + pbar[k]
        if k:
            a = t[k]
            # H[k', b] = (a + a' + b)^α: index (k + lo) + (k' + lo) + (b + lo) of the power table
            H = Hall[k: 2 * k]
            # window[k', b] = a' + b ≥ a ⇔ k' + b ≥ k − lo: the agent keeps the allocated model
            window = Wall[m - k + lo: m + lo]
            w = buf[:k]
            np.multiply(H, a, out=w)
            np.copyto(w, V[:k], where=window)
            np.subtract(V[k][None, :], w, out=w)
            np.add(p[:k], w, out=w)
            best = np.minimum(best, w.min(axis=0))
        p[k] = best
    return p


def max_payments_fast(inst: MechanismInstance, *, specialise: bool = True) -> np.ndarray:
    """Maximal IC + IR payments p_i^max(t), shape ``(n, *shape)`` (DAG dynamic programme).

    On the two-agent market-growth grid (:func:`growth_grid`) the Gap rows come from tables
    (:func:`growth_table`, bitwise equal); ``specialise=False`` forces the generic rows.
    """
    if inst.misreports != "downward":
        raise Unsupported("the DAG fast path needs downward misreports (Assumption 2); "
                          "use the literal Bellman–Ford path", field="misreports")
    spec = growth_grid(inst) if specialise else None
    if spec is not None:
        p1 = growth_table(*spec)
        return np.stack([p1, p1.T.copy()])
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
    RoundingCycle
        (float instances) when every negative cycle found weighs within the borderline band of 0
        (:func:`mechsolve.decide.classify`; weights summed exactly): only exact arithmetic can say
        whether one is negative. Raised after every graph was searched, so that a clearly negative
        cycle anywhere is reported as :class:`~mechsolve.errors.Infeasible` first.
    """
    import networkx as nx

    out = np.empty_like(inst.pbar)
    zero = 0 if inst.exact else 0.0
    rounding: RoundingCycle | None = None
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
                prof = {a: (lambda x: str(x) if inst.exact else float(x))(inst.grids.grids[j][r[j - (j > i)]])
                        for j, a in enumerate(inst.grids.names) if j != i}
                where = f"agent {inst.grids.names[i]!r} at t_−i = {prof}"
                w = None if inst.exact else _clear_cycle_weight(nx, g, m)
                if w is not None and w <= 0:   # no cycle beyond the band: only exact arithmetic can tell
                    rounding = rounding or RoundingCycle(
                        f"the difference constraints of {where} have a cycle of weight {w:.3g}, within "
                        "rounding of 0 (borderline): float arithmetic cannot decide whether IC and IR "
                        "payments exist", w, field="misreports")
                    res[(slice(None),) + r] = zero
                    continue
                raise Infeasible(f"no IC and IR payments for {where}: the difference constraints have a "
                                 "negative cycle", field="misreports") from None
            for k in range(m):
                res[(k,) + r] = dist[k] if k in dist else zero
        out[i] = np.moveaxis(res, 0, i)
    if rounding is not None:   # raised only now: a clearly negative cycle elsewhere is decisive first
        raise rounding
    return out


def _clear_cycle_weight(nx: Any, g: Any, m: int) -> float:
    """The weight of a negative cycle of the float graph ``g``, or ``+1`` when one is clearly negative.

    A cycle's weight is summed exactly (the edge floats added as the rationals they are). When
    networkx's cycle is within the borderline band of 0 (:func:`mechsolve.decide.classify`), the
    graph with every edge raised by ``ε = hi / m`` (``hi`` the band's upper edge; a simple cycle has
    at most ``m`` edges, so only cycles of weight below ``−ε`` stay negative) is searched for a
    cycle beyond the band. Returns ``+1.0`` for "clearly negative" (a certificate of infeasibility),
    else the (≤ 0) weight of the borderline cycle. The zero-weight self-loops of App. A.1 are left
    out (networkx may return one as "the" cycle).
    """
    tol = decide.current_tolerance()
    _, hi = decide.band(tol)
    h = g.copy()
    h.remove_edges_from([(u, u) for u in list(h.nodes) if h.has_edge(u, u) and h[u][u]["weight"] >= 0])

    def weight(graph: Any) -> float | None:
        try:
            cyc = nx.find_negative_cycle(graph, "VB", weight="weight")
        except nx.NetworkXError:   # no negative cycle
            return None
        return float(sum((Fraction(float(h[u][v]["weight"])) for u, v in zip(cyc[:-1], cyc[1:])), Fraction(0)))

    w = weight(h)
    if w is None:   # Bellman–Ford's own float path sums saw a cycle of weight 0 as negative
        return 0.0
    if decide.classify(-w, tol) == "fails":
        return 1.0
    eps = hi / max(m, 1)
    raised = h.copy()
    for u, v, data in raised.edges(data=True):
        if u != "VB":
            data["weight"] = float(data["weight"]) + eps
    w2 = weight(raised)
    if w2 is not None and decide.classify(-w2, tol) == "fails":
        return 1.0
    return min(w, 0.0)


def max_payments(inst: MechanismInstance, method: str = "auto") -> np.ndarray:
    """Algorithm 1 by ``method``: ``fast`` (DAG DP), ``literal`` (networkx), or ``auto``."""
    if method == "literal" or (method == "auto" and inst.misreports != "downward"):
        return max_payments_literal(inst)
    return max_payments_fast(inst)
