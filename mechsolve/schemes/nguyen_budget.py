"""Nguyen, Low & Jaillet (2022) Sec. 4 and App. I: budgets, adjusted flows, model rewards, caps.

With budgets ``b_i ∈ [0, ∞]`` the flow scalings ``λ*`` solve LP (P) (Lemma 4.1); with
performance caps ``r_i`` they solve LP (Q) (Lemma I.1). Then, with ``M[i, j] = φ_{j|i}(v)``
and ``p_{i,−}(v) = Σ_j φ_{j|i}(v)``:

* adjusted flows (eq. 11):     ``p_ij = λ*_i φ_{j|i}(v)``;
* payoffs:                     ``p_i = Σ_k λ*_k φ_{i|k}(v) − λ*_i p_{i,−}(v)``;
* model rewards (Sec. 4):      ``v'_i(N) = v(i) + λ*_i p_{i,−}(v)``;
* adjusted value function (eq. 10): ``v'_i(C ∪ i) = λ*_i v(C ∪ i) + (1 − λ*_i) v(i)``.

Budgets come from the scheme mapping (``budgets: {party: b}``) or, when absent, from the
model's top-level ``budgets`` field; a party with no entry has budget 0 (Sec. 4), ``inf`` means
unconstrained. Caps (``caps: {party: r}``) switch (P) to (Q); an unlisted party has no cap.

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
>>> o = compute(g, {"budgets": {"a": 0, "b": 0}})
>>> [round(float(x), 6) for x in o.per_player["lambda"]]    # a can pay b only what b pays a
[0.666667, 1.0]
>>> [round(float(x), 6) for x in o.per_player["model_reward"]]
[3.0, 4.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..games.game import Game
from ..games.shapley import conditional_shapley, shapley
from ..solvers.flows import solve_flow_lp
from .base import Outcome, Scheme


def _per_party(game: Game, given: Any, field: str, default: float) -> list[Any]:
    """A per-party vector from a ``{party: number}`` mapping (``inf`` allowed; default for unlisted)."""
    if given is None:
        return [default] * game.n
    if not isinstance(given, Mapping):
        raise InvalidModel(f"must map party names to numbers, got {given!r}", field=field)
    out: list[Any] = [default] * game.n
    idx = game.index
    for p, x in given.items():
        if p not in idx:
            raise InvalidModel(f"unknown party {p!r}; parties are: {', '.join(game.names)}", field=f"{field}.{p}")
        if isinstance(x, str) and x.strip().lower() in ("inf", ".inf", "+inf", "infinity"):
            x = math.inf
        if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)) or (isinstance(x, float) and
                                                                              math.isnan(x)):
            raise InvalidModel(f"must be a number or inf, got {x!r}", field=f"{field}.{p}")
        if x < 0:
            raise InvalidModel(f"must be >= 0, got {x!r}", field=f"{field}.{p}")
        out[idx[p]] = float(x) if isinstance(x, float) and math.isinf(x) else x
    return out


def _exactify(x: Any, exact: bool) -> Any:
    if not exact or (isinstance(x, float) and math.isinf(x)):
        return float(x) if not isinstance(x, float) else x
    return x if isinstance(x, Fraction) else Fraction(str(x)) if isinstance(x, float) else Fraction(x)


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Solve (P) — or (Q) with ``caps`` — and derive flows, payoffs and model rewards.

    Parameters (``scheme:`` mapping)
    --------------------------------
    budgets : mapping, optional
        ``{party: b_i}``; default: the model's ``budgets``; unlisted → 0; ``inf`` allowed.
    caps : mapping, optional
        ``{party: r_i}`` desirable model values (App. I); unlisted → no cap.
    solver : {"auto", "highs", "cbc"}
    tie_break : {"greatest", "solver"}
        Which λ* to show when the optimum is not unique (always reported).
    """
    n = game.n
    exact = game.exact
    budgets = [_exactify(b, exact) for b in _per_party(game, params.get("budgets"), "scheme.budgets", 0.0)]
    caps_raw = params.get("caps")
    caps = None if caps_raw is None else [_exactify(r, exact) for r in
                                          _per_party(game, caps_raw, "scheme.caps", math.inf)]
    phi = shapley(game)
    M = conditional_shapley(game)
    single = game.singletons()
    res = solve_flow_lp(M, budgets, caps, single, names=game.names, solver=str(params.get("solver", "auto")),
                        tie_break=str(params.get("tie_break", "greatest")))
    lam = res.lam
    adjusted = M * lam[:, None]
    cost = adjusted.sum(axis=1)
    revenue = adjusted.sum(axis=0)
    pay = revenue - cost
    reward = single + cost
    unconstrained = n * phi - game.grand_value
    per: dict[str, np.ndarray] = {
        "shapley": phi, "payoff_unconstrained": unconstrained,
        "budget": np.array(budgets, dtype=object if exact else np.float64),
        "lambda": lam, "payoff": pay, "cost_flow": cost, "revenue_flow": revenue, "model_reward": reward,
    }
    if caps is not None:
        per["cap"] = np.array(caps, dtype=object if exact else np.float64)
    if res.ranges is not None:
        per["lambda_min"] = res.ranges[:, 0]
        per["lambda_max"] = res.ranges[:, 1]
    scalars: dict[str, Any] = {
        "v(N)": game.grand_value, "LP": "(Q) budgets + performance caps" if caps is not None else "(P) budgets",
        "LP objective Σ λ_i p_i,−": res.objective, "solver": res.solver,
        "LP recheck: worst residual": res.max_residual, "lambda unique": res.unique,
        "lambda exact": res.exact,
    }
    notes = list(res.notes)
    notes.append("budgets: parties without an entry have budget 0 (Nguyen et al. 2022, Sec. 4)")
    return Outcome("nguyen-budget", pay, "payoff", per, scalars,
                   {"flows": M, "adjusted_flows": adjusted}, tuple(notes),
                   status="solved" if res.unique else "solved (λ* not unique)")


SCHEME = Scheme(
    name="nguyen-budget",
    summary="budget-constrained payoff and model rewards: λ* from LP (P) (or (Q) with caps), "
            "flows λ_i φ_{j|i}, rewards v(i) + λ_i p_i,−",
    source="Nguyen, Low & Jaillet (2022) Sec. 4, Lemma 4.1, App. G-I",
    compute=compute,
    axioms=("balance", "budget-constraints", "budget-efficiency", "weak-efficiency", "flow-decomposition",
            "model-reward-ir", "performance-constraints"),
    params={"budgets": "{party: b_i} (default: the model's budgets; unlisted → 0; inf allowed)",
            "caps": "{party: r_i} desirable model values, LP (Q) of App. I (unlisted → no cap)",
            "solver": "auto | highs | cbc", "tie_break": "greatest (default) | solver: λ* shown when not unique"},
)
