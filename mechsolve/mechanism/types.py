"""Type spaces: each agent's valid data sizes on an ε-grid (Chen et al. 2020, Sec. 2.1, 6.2, App. A.1).

A type t_i is agent i's *valid data size*. Algorithm 1 discretises [0, D] into
intervals of length ε, so every type is a multiple of ε; the data disparity is D/ε.
Non-participation ∅ is not a grid point: it is the base vertex of Algorithm 1
(payment 0, no model from the platform).

Examples
--------
>>> g = epsilon_grid(1, 3, include_zero=True)
>>> g.tolist()
[0.0, 1.0, 2.0, 3.0]
>>> epsilon_grid(1, 3, include_zero=False, exact=True)[0]
Fraction(1, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel


def as_fraction(x: Any) -> Fraction:
    """The exact rational a YAML number denotes: ``0.1`` → 1/10 (its shortest decimal repr)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    return Fraction(repr(float(x)))


def epsilon_grid(step: Any, top: Any, *, include_zero: bool = True, exact: bool = False) -> np.ndarray:
    """The grid ``{0?, ε, 2ε, …, D}`` as float64, or as Fractions when ``exact``.

    Grid points are computed as ``k·ε`` (never by accumulating ε), so the float grid
    is the rounding of the exact one.
    """
    eps, d = as_fraction(step), as_fraction(top)
    k = d / eps
    if k.denominator != 1:
        raise InvalidModel(f"max = {top!r} is not a multiple of step = {step!r}", field="types.max")
    ks = range(0 if include_zero else 1, int(k) + 1)
    if exact:
        return np.array([eps * j for j in ks], dtype=object)
    return np.array([float(eps * j) for j in ks], dtype=float)


@dataclass(frozen=True)
class TypeGrids:
    """Per-agent sorted type arrays (float64, or object arrays of Fraction when exact)."""

    names: tuple[str, ...]
    grids: tuple[np.ndarray, ...]
    exact: bool

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(g) for g in self.grids)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def mesh(self) -> np.ndarray:
        """All truthful profiles: array of shape ``shape + (n,)`` (``[..., j]`` = t_j)."""
        axes = np.meshgrid(*self.grids, indexing="ij")
        return np.stack(axes, axis=-1)

    def profile(self, index: Sequence[int]) -> dict[str, Any]:
        """A profile index as ``{agent: type}``."""
        out: dict[str, Any] = {}
        for j, (a, k) in enumerate(zip(self.names, index)):
            x = self.grids[j][int(k)]
            out[a] = x.item() if isinstance(x, np.generic) else x
        return out


def build_type_grids(model: Any, *, exact: bool = False) -> TypeGrids:
    """The type grids a :class:`~mechsolve.model.mechanism.MechanismDesign` declares."""
    ts = model.types
    names = tuple(model.agents)
    if ts.step is not None:
        g = epsilon_grid(ts.step, ts.max, include_zero=ts.include_zero, exact=exact)
        grids = tuple(g for _ in names)
    else:
        lists = [ts.values] * len(names) if ts.values is not None else [ts.per_agent[a] for a in names]
        grids = tuple(np.array([as_fraction(x) for x in v], dtype=object) if exact
                      else np.array([float(x) for x in v], dtype=float) for v in lists)
    return TypeGrids(names, grids, exact)


def with_max(grids: TypeGrids, k: int) -> TypeGrids:
    """The same grids cut to their first ``k`` points (prefix: Algorithm 1 only looks downward)."""
    return TypeGrids(grids.names, tuple(g[:k] for g in grids.grids), grids.exact)
