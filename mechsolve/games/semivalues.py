"""Semivalues: Banzhaf, Beta-Shapley and any value given by weights per coalition size.

A semivalue (Dubey, Neyman & Weber 1981) pays player ``i``

    ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S ∪ {i}) − v(S)),

with a weight ``p(s)`` per coalition size ``s = 0..n−1``; it is a *probabilistic*
value when ``Σ_s C(n−1, s) p(s) = 1``. Every ``p`` of the form
``p(s) = ∫ t^s (1−t)^{n−1−s} dμ(t)`` for a probability measure ``μ`` on [0, 1]
is one. Named cases:

* Shapley (1953): ``μ`` uniform, ``p(s) = s!(n−1−s)!/n!``;
* Banzhaf (1965): ``μ = δ_{1/2}``, ``p(s) = 2^{−(n−1)}`` (not efficient);
* Beta-Shapley(α, β) (Kwon & Zou 2022, AISTATS, Sec. 3): ``μ`` the Beta density
  ``∝ t^{β−1}(1−t)^{α−1}``, ``p(s) = B(s+β, n−1−s+α)/B(α, β)``; Beta(1, 1) is
  Shapley, Beta(16, 1) puts most weight on small coalitions.

All of them come from the same one-pass kernel as the Shapley value
(:class:`mechsolve.games.shapley.SemivalueKernel`; exact games: the integer
graded sums of :func:`mechsolve.games.shapley.graded_sums`), exact games give
exact :class:`~fractions.Fraction` results (rational ``α, β``). A scheme whose
rule is a semivalue says so with a :class:`Semivalue` declaration.

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b", "c"], [0, 1, 1, 3, 1, 3, 3, 6])
>>> banzhaf(g).tolist()
[2.0, 2.0, 2.0]
>>> beta_shapley(g, 1, 1).tolist()        # Beta(1, 1) = Shapley
[2.0, 2.0, 2.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from .game import Game
from .shapley import shapley_weights, weighted_semivalue

#: Named semivalues accepted by :func:`semivalue_weights`.
SEMIVALUE_KINDS = ("shapley", "banzhaf", "beta-shapley")


def _rising(x: Fraction, k: int) -> Fraction:
    """Rising factorial ``x (x+1) ... (x+k−1)``."""
    out = Fraction(1)
    for j in range(k):
        out *= x + j
    return out


def _positive(x: Any, field: str) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, (int, float, Fraction, np.number)):
        raise InvalidModel(f"{field} must be a positive number, got {x!r}", field=field)
    try:
        fx = Fraction(x) if not isinstance(x, np.number) else Fraction(float(x))
    except (ValueError, OverflowError):
        raise InvalidModel(f"{field} must be a finite positive number, got {x!r}", field=field) from None
    if fx <= 0:
        raise InvalidModel(f"{field} must be > 0, got {x!r}", field=field)
    return fx


def beta_weights(n: int, alpha: Any, beta: Any, exact: bool = False) -> list[Any]:
    """Beta-Shapley weights ``p(s) = B(s+β, n−1−s+α)/B(α, β)``, ``s = 0..n−1`` (Kwon & Zou 2022).

    Computed exactly as ``[β]_s [α]_{n−1−s} / [α+β]_{n−1}`` (rising factorials),
    so rational ``α, β`` give exact weights.

    Examples
    --------
    >>> [str(x) for x in beta_weights(3, 1, 1, exact=True)]      # = Shapley weights
    ['1/3', '1/6', '1/3']
    >>> [str(x) for x in beta_weights(3, 16, 1, exact=True)]
    ['8/9', '8/153', '1/153']
    """
    a = _positive(alpha, "alpha")
    b = _positive(beta, "beta")
    if n < 1:
        return []
    den = _rising(a + b, n - 1)
    out = [_rising(b, s) * _rising(a, n - 1 - s) / den for s in range(n)]
    return out if exact else [float(x) for x in out]


def semivalue_weights(n: int, kind: str = "shapley", *, alpha: Any = 1, beta: Any = 1,
                      exact: bool = False) -> list[Any]:
    """Per-size weights ``p(0..n−1)`` of a named semivalue (see the module docstring).

    Examples
    --------
    >>> semivalue_weights(3, "banzhaf")
    [0.25, 0.25, 0.25]
    """
    if kind == "shapley":
        return shapley_weights(n, exact) if n else []
    if kind == "banzhaf":
        return [Fraction(1, 2 ** (n - 1)) if exact else 0.5 ** (n - 1) for _ in range(n)]
    if kind == "beta-shapley":
        return beta_weights(n, alpha, beta, exact)
    raise InvalidModel(f"unknown semivalue {kind!r}; valid: {', '.join(SEMIVALUE_KINDS)}", field="kind")


def semivalue(game: Game, weights: Sequence[Any]) -> np.ndarray:
    """``ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S ∪ {i}) − v(S))`` for given ``p(0..n−1)``.

    Parameters
    ----------
    game : Game
        Float or exact game; exact games need exact (int or ``Fraction``) weights
        to give exact results (floats are taken at their exact binary value).
    weights : sequence of n numbers
        ``weights[s]`` is the weight of each coalition of size ``s`` not
        containing ``i``; need not sum to a probabilistic value.

    Raises
    ------
    InvalidModel
        Wrong number of weights, or a weight that is not a finite number.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> semivalue(g, [1, 0]).tolist()                 # p = (1, 0): the singleton values
    [1.0, 2.0]
    """
    ws = list(weights)
    for s, w in enumerate(ws):
        if isinstance(w, bool) or not isinstance(w, (int, float, Fraction, np.number)) \
                or not math.isfinite(float(w)):
            raise InvalidModel(f"weight p({s}) must be a finite number, got {w!r}", field=f"weights[{s}]")
    return weighted_semivalue(game, ws)


def banzhaf(game: Game) -> np.ndarray:
    """Banzhaf value ``β_i = 2^{−(n−1)} Σ_{S ⊆ N∖{i}} (v(S ∪ {i}) − v(S))`` (Banzhaf 1965), not normalised.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> banzhaf(g).tolist()
    [1.5, 2.5]
    """
    return weighted_semivalue(game, semivalue_weights(game.n, "banzhaf", exact=game.exact))


def beta_shapley(game: Game, alpha: Any = 16, beta: Any = 1) -> np.ndarray:
    """Beta-Shapley value (Kwon & Zou 2022): the semivalue with ``p(s) = B(s+β, n−1−s+α)/B(α, β)``.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> [str(x) for x in beta_shapley(g.to_exact(), 16, 1)]
    ['18/17', '35/17']
    """
    return weighted_semivalue(game, beta_weights(game.n, alpha, beta, exact=game.exact))


@dataclass(frozen=True)
class Semivalue:
    """A declaration: a rule *is* the named semivalue, on every number of players.

    ``weights(n, exact)`` are its per-size weights ``p(0..n−1)`` on ``n`` players
    (:func:`semivalue_weights`), and calling it computes the value
    (:func:`~mechsolve.games.shapley.weighted_semivalue`). Axioms quantified over
    other games (additivity's companion games, decomposition's marginal games)
    evaluate a rule that carries this declaration with the streaming and the
    conditional kernels instead of materialising each game; a scheme declares it
    only when its rule is exactly that computation (its tests check the rule
    against the declaration).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> sv = Semivalue("shapley")
    >>> sv.weights(3)
    [0.3333333333333333, 0.16666666666666666, 0.3333333333333333]
    >>> sv(Game.from_values(["a", "b"], [0, 1, 2, 4])).tolist()
    [1.5, 2.5]
    """

    kind: str = "shapley"
    alpha: Any = 1
    beta: Any = 1

    def weights(self, n: int, exact: bool = False) -> list[Any]:
        """Per-size weights ``p(0..n−1)`` on ``n`` players."""
        return semivalue_weights(n, self.kind, alpha=self.alpha, beta=self.beta, exact=exact)

    def __call__(self, game: Game) -> np.ndarray:
        return weighted_semivalue(game, self.weights(game.n, game.exact))

