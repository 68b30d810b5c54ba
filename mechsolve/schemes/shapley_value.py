"""The Shapley value as an allocation (Shapley 1953).

``φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S))``; the
allocation every other scheme in the papers starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidModel
from ..games.game import Game
from ..games.semivalues import Semivalue
from ..games.shapley import monte_carlo_shapley, shapley
from .base import Outcome, Scheme


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
        if params.get("estimator", "permutation") not in ("permutation", "stratified"):
            raise InvalidModel(f"estimator must be 'permutation' or 'stratified', got {params['estimator']!r}",
                               field="scheme.estimator")
        try:
            est = monte_carlo_shapley(game, max_permutations=int(params.get("permutations", 2000)),
                                      target_std_error=params.get("target_std_error"),
                                      seed=params.get("seed", 0),
                                      method=str(params.get("estimator", "permutation")),
                                      max_value_calls=None if params.get("value_calls") is None
                                      else int(params["value_calls"]))
        except (TypeError, ValueError) as exc:
            raise InvalidModel(f"bad Monte Carlo parameter: {exc}", field="scheme") from None
        return Outcome("shapley", est.values, "shapley", {"shapley": est.values, "std_error": est.std_error},
                       {"v(N)": game.grand_value, "method": "monte-carlo", "estimator": est.method,
                        "permutations": est.permutations, "value calls": est.value_calls,
                        "converged": est.converged, "seed": est.seed},
                       notes=("Monte Carlo estimate: values carry sampling error (see std_error)",))
    raise InvalidModel(f"unknown method {method!r}; valid: exact, monte-carlo", field="scheme.method")


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
