"""Families of cooperative games a search draws from, and structure planted into them.

Each family is a generator that builds valid members directly from any real vector
(``transform(raw, n, aux)``: so a hill-climbing mutation of ``raw`` stays in the family) and
a membership predicate used while shrinking (``member(game, tol)``).

Families
--------
``any``            arbitrary values, ``v(∅)`` too
``normalised``     arbitrary values with ``v(∅) = 0``
``monotone``       ``v(S) ≤ v(S ∪ i)``, ``v(∅) = 0`` (max-closure of non-negative draws)
``supermodular``   monotone and supermodular (convex), ``v(∅) = 0``: non-negative
                   Möbius coefficients — Ohrimenko et al.'s gain assumptions (ii)–(iii)
``unanimity``      non-negative combinations of at most two unanimity games ``u_T``
``zero-one``       monotone simple games, ``v(S) ∈ {0, 1}``
``small-integers`` normalised games with values in ``{-3, …, 3}``
``from-table``     a real value table (``table=``): random sub-markets, perturbed

Every family also plants structure with some probability (:func:`plant`) — a null player or
a replicated (symmetric) pair — so that axioms whose premise needs one (null player, symmetry,
replication) are applicable often.

Examples
--------
>>> import numpy as np
>>> v = FAMILIES["monotone"].transform(np.array([0.0, -1.0, 0.5, -0.2]), 2, {})
>>> v.tolist(), FAMILIES["monotone"].member(Game(("a", "b"), v), 1e-9)
([0.0, 1.0, 0.5, 1.0], True)
>>> make_null(np.array([0.0, 1.0, 2.0, 4.0]), 2, 1).tolist()     # player 1 made null
[0.0, 1.0, 0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import InvalidModel
from ...games.game import Game
from ...games.properties import monotone as _monotone
from ...games.properties import supermodular as _supermodular


# --------------------------------------------------------------------------- families
def _zeta(c: np.ndarray, n: int) -> np.ndarray:
    """``v(S) = Σ_{T ⊆ S} c_T`` (zeta transform over the subset lattice)."""
    v = c.astype(np.float64).copy()
    for k in range(n):
        view = v.reshape(-1, 2, 2**k)
        view[:, 1, :] += view[:, 0, :]
    return v


def mobius(values: np.ndarray, n: int) -> np.ndarray:
    """Möbius coefficients ``c_T = Σ_{S ⊆ T} (−1)^{|T∖S|} v(S)`` (inverse of :func:`_zeta`)."""
    c = np.asarray(values, dtype=np.float64).copy()
    for k in range(n):
        view = c.reshape(-1, 2, 2**k)
        view[:, 1, :] -= view[:, 0, :]
    return c


def _closure(u: np.ndarray, n: int) -> np.ndarray:
    """``v(S) = max_{T ⊆ S} u(T)`` (monotone closure)."""
    v = u.astype(np.float64).copy()
    for k in range(n):
        view = v.reshape(-1, 2, 2**k)
        np.maximum(view[:, 1, :], view[:, 0, :], out=view[:, 1, :])
    return v


def _t_any(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    return raw.copy()


def _t_normalised(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    v = raw.copy()
    v[0] = 0.0
    return v


def _t_monotone(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    u = np.abs(raw)
    u[0] = 0.0
    return _closure(u, n)


def _t_supermodular(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    c = np.abs(raw)
    c[0] = 0.0
    return _zeta(c, n)


def _t_unanimity(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    c = np.abs(raw)
    c[0] = 0.0
    keep = 1 + np.argsort(-c[1:], kind="stable")[:2]     # never the empty coalition
    sparse = np.zeros_like(c)
    sparse[keep] = np.maximum(np.round(c[keep] * 2) / 2, 0.5)
    return _zeta(sparse, n)


def _t_zero_one(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    w = (raw > 0.9).astype(np.float64)
    w[0] = 0.0
    w[-1] = 1.0
    return _closure(w, n)


def _t_small_integers(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    v = np.clip(np.round(raw * 1.5), -3, 3)
    v[0] = 0.0
    return v


def _t_from_table(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    base = np.asarray(aux["base"], dtype=np.float64)
    v = base + aux["eps"] * aux["scale"] * raw
    v[0] = 0.0
    return v


def _is_normalised(g: Game, tol: float) -> bool:
    return abs(float(g.values[0])) <= tol


def _m_any(g: Game, tol: float) -> bool:
    return True


def _m_monotone(g: Game, tol: float) -> bool:
    return _is_normalised(g, tol) and bool(_monotone(g, tol).holds)


def _m_supermodular(g: Game, tol: float) -> bool:
    return _m_monotone(g, tol) and bool(_supermodular(g, tol).holds)


def _m_unanimity(g: Game, tol: float) -> bool:
    c = mobius(g.values.astype(np.float64), g.n)
    return _is_normalised(g, tol) and bool((c >= -tol).all())


def _m_zero_one(g: Game, tol: float) -> bool:
    v = g.values.astype(np.float64)
    return _is_normalised(g, tol) and bool(np.isin(v, (0.0, 1.0)).all())


def _m_small_integers(g: Game, tol: float) -> bool:
    v = g.values.astype(np.float64)
    return _is_normalised(g, tol) and bool((v == np.round(v)).all() and (np.abs(v) <= 3).all())


@dataclass(frozen=True)
class Family:
    """A family of games: a generator ``raw ↦ game`` and a membership predicate.

    ``transform(raw, n, aux)`` maps any real vector of length ``2**n`` to a
    member (so mutation of ``raw`` stays in the family); ``member(game, tol)``
    decides membership of a shrunk candidate.
    """

    name: str
    summary: str
    transform: Callable[[np.ndarray, int, Mapping[str, Any]], np.ndarray]
    member: Callable[[Game, float], bool]


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("any", "arbitrary values, v(∅) included", _t_any, _m_any),
    Family("normalised", "arbitrary values with v(∅) = 0", _t_normalised, _is_normalised),
    Family("monotone", "monotone, v(∅) = 0", _t_monotone, _m_monotone),
    Family("supermodular", "monotone and supermodular (non-negative Möbius coefficients), v(∅) = 0",
           _t_supermodular, _m_supermodular),
    Family("unanimity", "non-negative combinations of at most two unanimity games u_T", _t_unanimity,
           _m_unanimity),
    Family("zero-one", "monotone simple games, v(S) ∈ {0, 1}", _t_zero_one, _m_zero_one),
    Family("small-integers", "normalised, integer values in [-3, 3]", _t_small_integers, _m_small_integers),
    Family("from-table", "random sub-markets of a real table, perturbed by 0, 1% or 10%", _t_from_table,
           _is_normalised),
)}


def get_family(name: str) -> Family:
    """The family called ``name`` (one readable error otherwise)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise InvalidModel(f"unknown family {name!r}; valid: {', '.join(FAMILIES)}", field="family") from None


# --------------------------------------------------------------------------- structure
def make_null(values: np.ndarray, n: int, k: int) -> np.ndarray:
    """Player ``k`` made null: ``v'(S) = v(S ∖ {k})``."""
    v = values.copy()
    view = v.reshape(-1, 2, 2**k)
    view[:, 1, :] = view[:, 0, :]
    return v


def make_replica(values: np.ndarray, n: int, i: int, j: int) -> np.ndarray:
    """Player ``j`` made a replica of ``i`` (replication invariance): ``v'(S) = v(π(S))``,
    ``π`` replacing ``j`` by ``i``. Then ``i`` and ``j`` are symmetric and ``v'(S ∪ {i,j}) = v'(S ∪ i)``."""
    masks = np.arange(2**n, dtype=np.int64)
    has_j = (masks >> j) & 1
    mapped = (masks & ~(1 << j)) | (has_j << i)
    return values[mapped].copy()


def sample_raw(rng: np.random.Generator, size: int) -> np.ndarray:
    """A raw vector for :attr:`Family.transform`: normal, small integers, or sparse normal."""
    kind = rng.integers(3)
    if kind == 0:
        return rng.normal(0.0, 1.0, size)
    if kind == 1:
        return rng.integers(-3, 4, size).astype(np.float64)
    raw = rng.normal(0.0, 1.0, size)
    raw[rng.random(size) < 0.6] = 0.0
    return raw


def plant(values: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, str | None]:
    """With probability 0.4 (n ≥ 2) a null player or a replica planted; returns the values and what was planted."""
    if n < 2 or rng.random() >= 0.4:
        return values, None
    k = int(rng.integers(n))
    if rng.random() < 0.5:
        return make_null(values, n, k), f"player p{k + 1} made null"
    j = int((k + 1 + rng.integers(n - 1)) % n)
    return make_replica(values, n, k, j), f"p{j + 1} made a replica of p{k + 1}"


__all__ = ["FAMILIES", "Family", "get_family", "mobius", "make_null", "make_replica", "sample_raw", "plant"]
