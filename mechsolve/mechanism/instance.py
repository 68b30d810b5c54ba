"""A mechanism-design instance on a type grid: the value tables every payment rule and check reads.

For agent i, true profile t (others truthful, Def. 3) and report t'_i, agent i's value is
v_i(q) with q_k = max(x_k(t'_i, t_−i), Q(t_k)) (Sec. 2.2). The tables:

* ``V[i][t]`` — truthful value v_i(x(t), t);
* ``Vout[i][t]`` — value of non-participation v_i(x(∅, t_−i), t) (own-model outside option),
  or 0 (``zero-utility``);
* ``pbar[i][t] = V − Vout`` — the IR upper bound of App. A.1, which is also MEP (Def. 9)
  at a truthful report;
* ``gap(i, k)`` — Gap_i(t'_i, t_i, t_−i) = v_i(x(t_i, t_−i), t) − v_i(x(t'_i, t_−i), t) for the
  true type t_i = grid_i[k] and every report t'_i = grid_i[k'] (k' ≤ k under Assumption 2),
  array of shape ``(k+1 or m_i, *others)``.

Both implementations of Algorithm 1 read the same ``pbar`` and ``gap`` floats, so they can
agree to the last bit.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 2},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.5}})
>>> inst = build_instance(m)
>>> inst.grids.shape, inst.pbar.shape
((3, 3), (2, 3, 3))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .allocation import AllocationRule, build_allocation
from .types import TypeGrids, build_type_grids
from .valuations import Quality, Valuation, build_valuation

#: Largest Σ (profiles × reports) one instance is evaluated on by `solve`/`check`/`boundary`
#: (Algorithm 1 on all profiles costs m^(n+1) for m grid points; `mechsolve boundary` goes further
#: on the two-agent market-growth model with its row search).
MAX_WORK = 60_000_000


def _zero(exact: bool) -> Any:
    from fractions import Fraction

    return Fraction(0) if exact else 0.0


@dataclass(frozen=True, eq=False)
class MechanismInstance:
    """Grids + quality + valuation + allocation + options, with lazily computed tables."""

    grids: TypeGrids
    quality: Quality
    valuation: Valuation
    allocation: AllocationRule
    misreports: str = "downward"
    outside_option: str = "own-model"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return self.grids.n

    @property
    def exact(self) -> bool:
        return self.grids.exact

    @property
    def shape(self) -> tuple[int, ...]:
        return self.grids.shape

    @cached_property
    def profiles(self) -> np.ndarray:
        """Truthful profiles, shape ``shape + (n,)``."""
        return self.grids.mesh()

    @cached_property
    def own(self) -> np.ndarray:
        """Q(t_k) at every profile, shape ``shape + (n,)``."""
        return self.quality(self.profiles)

    @cached_property
    def X(self) -> np.ndarray:
        """Allocation at every (truthful = reported) profile, everyone participating."""
        t = self.profiles
        return self.allocation(t, np.ones(t.shape, dtype=bool))

    @cached_property
    def q(self) -> np.ndarray:
        """Final qualities at truth: max(x_k, Q(t_k))."""
        return np.maximum(self.X, self.own)

    @cached_property
    def values_truth(self) -> np.ndarray:
        """v_k at truth for all k, shape ``shape + (n,)``."""
        return self.valuation.values(self.q, self.profiles)

    @cached_property
    def V(self) -> np.ndarray:
        """``V[i]`` = v_i(x(t), t), shape ``(n, *shape)``."""
        return np.moveaxis(self.values_truth, -1, 0)

    def outside_values(self, i: int) -> np.ndarray:
        """v_i(x(∅, t_−i), t) at every profile (or 0 under ``zero-utility``)."""
        t = self.profiles
        if self.outside_option == "zero-utility":
            return np.full(self.shape, _zero(self.exact), dtype=object if self.exact else float)
        part = np.ones(t.shape, dtype=bool)
        part[..., i] = False
        x = self.allocation(t, part)
        q = np.maximum(x, self.own)
        return self.valuation.value_of(i, q, t)

    @cached_property
    def Vout(self) -> np.ndarray:
        """``Vout[i]`` = value of non-participation, shape ``(n, *shape)``."""
        return np.stack([self.outside_values(i) for i in range(self.n)])

    @cached_property
    def pbar(self) -> np.ndarray:
        """IR upper bound p̄_i(t) = V_i − Vout_i (App. A.1); equals MEP (Def. 9) at truth."""
        return self.V - self.Vout

    def misreport_values(self, i: int, k: int, upto: int | None = None) -> np.ndarray:
        """v_i when agent i's true type is grid_i[k] and it reports grid_i[k'] for every k' < ``upto``.

        Shape ``(upto or m_i, *others)`` (axis 0: the report k'; other agents truthful).
        """
        X = np.moveaxis(self.X, i, 0)[:upto]   # (m_i, ..., n) reports along axis 0
        t = np.moveaxis(self.profiles, i, 0)[k]  # true profile, (..., n) with t_i = grid_i[k]
        own_true = self.quality(t)
        q = np.maximum(X, own_true[None])
        return self.valuation.value_of(i, q, np.broadcast_to(t[None], q.shape))

    def reports(self, k: int, m: int) -> range:
        """Report indices k' an agent of true type index k may use (Assumption 2, or all)."""
        return range(k + 1) if self.misreports == "downward" else range(m)

    def gap(self, i: int, k: int) -> np.ndarray:
        """Gap_i(t'_i, t_i, t_−i) for true type index k and every allowed report k'.

        Shape ``(len(reports), *others)``; row k' is V_i(t_i = k) − v_i(report k').
        """
        key = f"gap{i},{k}"
        if key in self._cache:
            return self._cache[key]
        m = self.shape[i]
        vm = self.misreport_values(i, k, k + 1) if self.misreports == "downward" \
            else self.misreport_values(i, k)
        # asarray: with one agent (exact), indexing an object array yields a bare Fraction
        vt = np.asarray(np.moveaxis(self.V[i], i, 0)[k], dtype=self.V[i].dtype)
        g = vt[None] - vm
        if self.exact or self.size * m <= 4_000_000:
            self._cache[key] = g
        return g

    @property
    def size(self) -> int:
        return self.grids.size

    def with_decisions_of(self, exact: "MechanismInstance") -> "MechanismInstance":
        """This float instance with the allocations of ``exact`` (its ties and selections decided in
        rational arithmetic), every other table recomputed in float from them.

        The efficient allocation is a selection (an argmax over candidates); when float arithmetic
        could not make it beyond doubt, the main job decides it exactly and continues in float with
        this view. ``X`` (truthful allocations) and ``Vout`` (the non-participation values, which need
        the allocation without agent i) are taken from ``exact``; ``V``, ``pbar`` and every Gap follow.
        """
        view = MechanismInstance(self.grids, self.quality, self.valuation, self.allocation, self.misreports,
                                 self.outside_option)
        view.__dict__["X"] = np.asarray(exact.X, dtype=object).astype(float)
        view.__dict__["Vout"] = np.asarray(exact.Vout, dtype=object).astype(float)
        return view


def build_instance(model: Any, *, exact: bool | None = None, grids: TypeGrids | None = None,
                   parameters: dict[str, float] | None = None) -> MechanismInstance:
    """Build the instance a :class:`~mechsolve.model.mechanism.MechanismDesign` declares.

    ``parameters`` overrides model parameters (e.g. α in a sweep); ``grids`` overrides the types.
    """
    if parameters:
        model = model.model_copy(update={"parameters": {**model.parameters, **parameters}})
        if model.valuation.family == "market-growth" and "alpha" in parameters:
            model = model.model_copy(update={"valuation": model.valuation.model_copy(update={"alpha": None})})
    ex = model.exact if exact is None else exact
    g = grids if grids is not None else build_type_grids(model, exact=ex)
    quality = Quality.parse(model.quality, model.parameters)
    val = build_valuation(model)
    alloc = build_allocation(model, quality, val)
    return MechanismInstance(g, quality, val, alloc, model.misreports, model.outside_option)
