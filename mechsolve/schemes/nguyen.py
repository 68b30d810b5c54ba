"""Nguyen, Low & Jaillet (2022): Shapley-fair payoffs and payoff flows (no budget constraints).

Sec. 3.1, Lemma 3.1 — the unique payoff vector with balance, symmetry, linearity and
the dummy-party property (a dummy pays ``v(N)``):

    p_i(v) = n·φ_i(v) − v(N).

Remark 3.6 — the (α, β) family (generalised efficiency ``Σ p_i = β`` and dummy payoff
``(−α v(N) + β)/n``):

    p_i(v) = α·φ_i(v) + (β − α·v(N))/n,

with ``α = n, β = 0`` the paper's scheme (default) and ``α = 1, β = v(N)`` the Shapley value.
The remark claims linearity for the whole family, but a *fixed* ``β ≠ 0`` makes ``p`` affine
(``p(0) = β/n ≠ 0``); ``beta: v(N)`` (β read as the linear functional ``v ↦ v(N)``) keeps it linear.
Both readings are offered; the additivity axiom exposes the first.

Sec. 3.2, Lemma 3.7 — fair payoff flows ``p_ij = φ_{j|i}(v)`` (conditional Shapley value
of ``j`` given ``i``, eq. 5), total cost flow ``p_{i,−} = Σ_j φ_{j|i} = v(N) − v(i)``
(fair cost, eq. 4) and total revenue flow ``p_{i,+} = Σ_j φ_{i|j} = nφ_i − v(i)`` (eq. 6);
``p_i = p_{i,+} − p_{i,−}`` (eq. 7). The flows are exportable as a directed graph
(:func:`flow_graph`, :func:`graph_text`: JSON node-link, GraphML or DOT).

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
>>> compute(g, {}).allocation.tolist()          # p = 2φ − v(N), φ = (1.5, 2.5)
[-1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..numtext import exact_text
from ..games.game import Game
from ..games.shapley import conditional_shapley, shapley
from .base import Outcome, Scheme


def _number(x: Any, field: str, game: Game) -> Any:
    if isinstance(x, str) and x.strip() == "n":
        return Fraction(game.n) if game.exact else float(game.n)
    if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)):
        raise InvalidModel(f"expected a number (or `n`), got {x!r}", field=field)
    if isinstance(x, float) and not np.isfinite(x):
        raise InvalidModel(f"expected a finite number, got {x!r}", field=field)
    if game.exact:
        return x if isinstance(x, Fraction) else Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    return float(x)


def payoffs(game: Game, alpha: Any = None, beta: Any = None) -> np.ndarray:
    """``p_i = α φ_i + (β − α v(N))/n`` (Remark 3.6); default ``α = n, β = 0`` (Lemma 3.1).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> payoffs(g, alpha=1, beta=4).tolist()        # the Shapley value
    [1.5, 2.5]
    """
    n = game.n
    phi = shapley(game)
    zero = Fraction(0) if game.exact else 0.0
    a = (Fraction(n) if game.exact else float(n)) if alpha is None else alpha
    b = zero if beta is None else beta
    return a * phi + (b - a * game.grand_value) / n


def flow_totals(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(p_{i,−}, p_{i,+}) = (Σ_j M[i, j], Σ_j M[j, i])`` for a flow matrix (payer row, payee column)."""
    return M.sum(axis=1), M.sum(axis=0)


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Payoffs ``p`` (Lemma 3.1 / Remark 3.6), conditional Shapley flows and their totals.

    Parameters (``scheme:`` mapping)
    --------------------------------
    alpha, beta : number or ``n``
        Remark 3.6 family; default ``alpha: n, beta: 0`` (Lemma 3.1).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> o = compute(Game.from_values(["a", "b"], [0, 1, 2, 4]), {})
    >>> o.matrices["flows"].tolist()                 # φ_{b|a} = 3, φ_{a|b} = 2
    [[0.0, 3.0], [2.0, 0.0]]
    """
    n = game.n
    alpha = _number(params["alpha"], "scheme.alpha", game) if "alpha" in params else None
    beta_raw = params.get("beta")
    if isinstance(beta_raw, str) and beta_raw.replace(" ", "") == "v(N)":
        beta = game.grand_value            # linear in v: the reading under which Remark 3.6 is linear
    else:
        beta = _number(beta_raw, "scheme.beta", game) if "beta" in params else None
    phi = shapley(game)
    p = payoffs(game, alpha, beta)
    M = conditional_shapley(game)
    cost, revenue = flow_totals(M)
    default = alpha is None or alpha == n
    default = default and (beta is None or beta == 0)
    notes = []
    if beta is not None and beta != 0 and not isinstance(beta_raw, str):
        notes.append("a fixed β ≠ 0 makes p affine, not linear: p(v + w) = p(v) + p(w) − β/n (Remark 3.6 "
                     "claims linearity; use `beta: v(N)` for the linear reading)")
    if not default:
        notes.append("payoffs use the (α, β) family of Remark 3.6; the flows φ_{j|i} add up to the α = n, "
                     "β = 0 payoffs (eq. 7), not to these")
    a_shown = alpha if alpha is not None else n
    b_shown = beta if beta is not None else 0
    return Outcome(
        "nguyen-payoff", p, "payoff",
        {"shapley": phi, "payoff": p, "cost_flow": cost, "revenue_flow": revenue,
         "model_reward": np.array([game.grand_value] * n, dtype=object if game.exact else np.float64)},
        {"v(N)": game.grand_value, "alpha": a_shown, "beta": b_shown, "sum of payoffs": p.sum()},
        {"flows": M}, tuple(notes))


# ---------------------------------------------------------------------------- graphs
def flow_graph(names: Sequence[str], flows: np.ndarray,
               per_player: Mapping[str, np.ndarray] | None = None) -> Any:
    """A :class:`networkx.DiGraph` with an edge ``i → j`` of weight ``flows[i, j]`` (payer → payee).

    Zero flows are left out; node attributes are the per-player quantities.

    Examples
    --------
    >>> import numpy as np
    >>> G = flow_graph(["a", "b"], np.array([[0.0, 3.0], [0.0, 0.0]]))
    >>> list(G.edges(data="weight"))
    [('a', 'b', 3.0)]
    """
    import networkx as nx

    G = nx.DiGraph()
    for k, p in enumerate(names):
        attrs = {q: float(v[k]) for q, v in (per_player or {}).items()}
        G.add_node(p, **attrs)
    for i, p in enumerate(names):
        for j, q in enumerate(names):
            w = flows[i, j]
            if i != j and w != 0:
                G.add_edge(p, q, weight=float(w), **({"exact": exact_text(w)} if isinstance(w, Fraction) else {}))
    return G


#: File suffix → graph format.
GRAPH_FORMATS = {".json": "json", ".graphml": "graphml", ".dot": "dot", ".gv": "dot"}


def graph_text(G: Any, fmt: str) -> str:
    """Serialise a flow graph: ``json`` (networkx node-link), ``graphml`` or ``dot``.

    Examples
    --------
    >>> import numpy as np
    >>> print(graph_text(flow_graph(["a", "b"], np.array([[0, 1.5], [0, 0]])), "dot"), end="")
    digraph flows {
      "a";
      "b";
      "a" -> "b" [weight=1.5, label="1.5"];
    }
    """
    import json

    import networkx as nx

    if fmt == "json":
        try:
            data = nx.node_link_data(G, edges="links")
        except TypeError:  # networkx < 3.4
            data = nx.node_link_data(G)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(G)) + "\n"
    if fmt == "dot":
        def q(s: str) -> str:
            return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = ["digraph flows {"]
        for node in G.nodes:
            lines.append(f"  {q(node)};")
        for u, v, w in G.edges(data="weight"):
            lines.append(f"  {q(u)} -> {q(v)} [weight={w:.10g}, label=\"{w:.4g}\"];")
        lines.append("}")
        return "\n".join(lines) + "\n"
    raise InvalidModel(f"unknown graph format {fmt!r}; valid: json, graphml, dot", field="graph")


def graph_format(path: str) -> str:
    """The graph format named by a file's suffix (``.json``, ``.graphml``, ``.dot``/``.gv``)."""
    import os

    suffix = os.path.splitext(path)[1].lower()
    if suffix not in GRAPH_FORMATS:
        raise InvalidModel(f"cannot tell the graph format from {path!r}; use a .json, .graphml or .dot file",
                           field="graph")
    return GRAPH_FORMATS[suffix]


SCHEME = Scheme(
    name="nguyen-payoff",
    summary="Shapley-fair payoffs p_i = nφ_i − v(N) (or the (α, β) family) and payoff flows φ_{j|i}",
    source="Nguyen, Low & Jaillet (2022) Sec. 3, Lemma 3.1, Remark 3.6, Lemma 3.7",
    compute=compute,
    axioms=("balance", "symmetry", "additivity", "dummy-party", "fair-cost", "flow-decomposition",
            "replication-robustness"),
    params={"alpha": "Remark 3.6 α (number or `n`; default n)",
            "beta": "Remark 3.6 β (default 0): Σ_i p_i = β; a number, or `v(N)` (β = v(N), linear in v)"},
)
