"""The Shapley value as an allocation (Shapley 1953).

``φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S))``; the
allocation every other scheme in the papers starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import math

from ..errors import InvalidModel, short_repr
from ..games.game import Game
from ..games.semivalues import Semivalue
from ..games.shapley import monte_carlo_shapley, shapley
from .base import Outcome, Scheme


#: Most Monte Carlo permutations a model may ask for (each costs n value calls).
MAX_PERMUTATIONS = 1_000_000


def monte_carlo_params(params: Mapping[str, Any], default_seed: int | None = 0
                       ) -> tuple[int, float | None, int | None]:
    """``(permutations, target_std_error, seed)`` of a Monte Carlo request, validated.

    ``permutations`` is an integer in 1 … :data:`MAX_PERMUTATIONS`, ``target_std_error``
    a positive finite number (or absent), ``seed`` a non-negative integer.

    Examples
    --------
    >>> monte_carlo_params({"permutations": 500, "seed": 3})
    (500, None, 3)
    """
    perms = params.get("permutations", 2000)
    if isinstance(perms, float) and perms.is_integer():
        perms = int(perms)
    if isinstance(perms, bool) or not isinstance(perms, int) or not 1 <= perms <= MAX_PERMUTATIONS:
        raise InvalidModel(f"permutations must be an integer from 1 to {MAX_PERMUTATIONS:,}, got {short_repr(perms)}",
                           field="scheme.permutations")
    target = params.get("target_std_error")
    if target is not None:
        if isinstance(target, bool) or not isinstance(target, (int, float)) or not (
                0 < target < 2**1024 and math.isfinite(target)):  # 10**400 is never converted to float
            raise InvalidModel(f"target_std_error must be a positive number, got {short_repr(target)}",
                               field="scheme.target_std_error")
        target = float(target)
    seed = params.get("seed", default_seed)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InvalidModel(f"seed must be a non-negative integer, got {short_repr(seed)}", field="scheme.seed")
    return perms, target, seed


#: Most value calls a Monte Carlo budget may ask for (``value_calls``; bounded time, issue 18).
MAX_VALUE_CALLS = 10_000_000


def estimator_params(params: Mapping[str, Any]) -> tuple[str, int | None]:
    """``(estimator, value_calls)`` of a Monte Carlo request, validated.

    ``estimator`` is ``permutation`` (default) or ``stratified``; ``value_calls`` an integer
    in 1 … :data:`MAX_VALUE_CALLS` (or absent).

    Examples
    --------
    >>> estimator_params({"estimator": "stratified", "value_calls": 4000})
    ('stratified', 4000)
    """
    estimator = params.get("estimator", "permutation")
    if estimator not in ("permutation", "stratified"):
        raise InvalidModel(f"estimator must be 'permutation' or 'stratified', got {short_repr(estimator)}",
                           field="scheme.estimator")
    calls = params.get("value_calls")
    if isinstance(calls, float) and calls.is_integer():
        calls = int(calls)
    if calls is not None and (isinstance(calls, bool) or not isinstance(calls, int)
                              or not 1 <= calls <= MAX_VALUE_CALLS):
        raise InvalidModel(f"value_calls must be an integer from 1 to {MAX_VALUE_CALLS:,}, got {short_repr(calls)}",
                           field="scheme.value_calls")
    return str(estimator), calls


def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Shapley allocation; ``method: exact`` (default) or ``monte-carlo``.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> compute(Game.from_values(["a", "b"], [0, 1, 2, 4]), {}).allocation.tolist()
    [1.5, 2.5]
    """
    method = params.get("method", "exact")
    if method == "exact":
        phi = shapley(game)
        return Outcome("shapley", phi, "shapley", {"shapley": phi},
                       {"v(N)": game.grand_value, "method": "exact"})
    if method == "monte-carlo":
        perms, target, seed = monte_carlo_params(params)
        estimator, calls = estimator_params(params)
        est = monte_carlo_shapley(game, max_permutations=perms, target_std_error=target, seed=seed,
                                  method=estimator, max_value_calls=calls)
        return Outcome("shapley", est.values, "shapley", {"shapley": est.values, "std_error": est.std_error},
                       {"v(N)": game.grand_value, "method": "monte-carlo", "estimator": est.method,
                        "permutations": est.permutations, "value calls": est.value_calls,
                        "converged": est.converged, "seed": est.seed},
                       notes=("Monte Carlo estimate: values carry sampling error (see std_error)",))
    raise InvalidModel(f"unknown method {short_repr(method)}; valid: exact, monte-carlo", field="scheme.method")


#: The exact method's rule is the Shapley value (:func:`~mechsolve.games.shapley.shapley`).
SHAPLEY = Semivalue("shapley")

SCHEME = Scheme(
    name="shapley",
    summary="Shapley value φ_i of the characteristic function",
    source="Shapley (1953); Nguyen et al. (2022) Sec. 3.1",
    compute=compute,
    axioms=("efficiency", "symmetry", "null-player", "additivity", "individual-rationality",
            "decomposition"),
    params={"method": "exact | monte-carlo", "permutations": "Monte Carlo permutations (default 2000)",
            "estimator": "monte-carlo estimator: permutation (default) | stratified (distinct coalitions per "
                         "size, regression control variate; lower error at equal value calls)",
            "value_calls": "Monte Carlo budget in value calls (default: what the permutations would use)",
            "target_std_error": "stop when every standard error is below this", "seed": "random seed"},
    semivalue=lambda params: SHAPLEY if params.get("method", "exact") == "exact" else None,
)
