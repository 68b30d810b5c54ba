"""Does a desirable mechanism exist? Chen et al. (2020) Def. 7 and Theorem 5.

A mechanism is desirable when it is IC, IR, efficient and weakly budget balanced.
Theorem 5: with the efficient allocation fixed, one exists iff the maximal IC + IR
payments of Algorithm 1 satisfy Σ_i p_i^max(t) ≥ 0 at every profile t (any IC + IR
payment is pointwise ≤ p^max, so if p^max loses money at t, every mechanism does).

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> from mechsolve.mechanism.instance import build_instance
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"step": 1, "max": 3},
...                  "valuation": {"family": "market-growth"}, "parameters": {"alpha": -0.9}})
>>> d = desirability(build_instance(m))
>>> d.exists, d.first_profile
(False, {'1': 0.0, '2': 2.0})
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..result import number, numbers
from .instance import MechanismInstance
from .max_payment import max_payments


@dataclass(frozen=True)
class Desirability:
    """Theorem 5's answer on a grid.

    ``first_profile`` is the failing profile with the smallest largest type (the one a
    disparity search meets first), ``worst_profile`` the one with the most negative revenue.
    """

    exists: bool
    min_revenue: Any
    worst_profile: dict[str, Any] | None
    first_profile: dict[str, Any] | None
    first_revenue: Any
    failing: int
    checked: int
    tolerance: float

    def to_dict(self) -> dict[str, Any]:
        return {"exists": self.exists, "min_revenue": number(self.min_revenue),
                "worst_profile": numbers(self.worst_profile), "first_profile": numbers(self.first_profile),
                "first_revenue": number(self.first_revenue), "failing_profiles": self.failing,
                "profiles_checked": self.checked, "tolerance": self.tolerance}


def revenue_check(inst: MechanismInstance, payments: np.ndarray, tolerance: float = 1e-9) -> Desirability:
    """Σ_i p_i(t) ≥ −tolerance at every profile (0 tolerance in exact mode)."""
    tol = 0.0 if inst.exact else tolerance
    rev = payments.sum(axis=0)
    fail = rev < -tol
    nfail = int(np.count_nonzero(fail))
    worst_idx = np.unravel_index(int(np.argmin(rev.astype(float) if inst.exact else rev)), rev.shape)
    if nfail:
        idx = np.argwhere(fail)
        # rank by the largest type index of the profile, then lexicographically
        order = np.lexsort(tuple(idx[:, j] for j in range(idx.shape[1] - 1, -1, -1)) + (idx.max(axis=1),))
        first = tuple(idx[order[0]])
        return Desirability(False, rev[worst_idx], inst.grids.profile(worst_idx), inst.grids.profile(first),
                            rev[first], nfail, rev.size, tol)
    return Desirability(True, rev[worst_idx], inst.grids.profile(worst_idx), None, None, 0, rev.size, tol)


def desirability(inst: MechanismInstance, payments: np.ndarray | None = None, *, tolerance: float = 1e-9,
                 method: str = "auto") -> Desirability:
    """Theorem 5 on the instance's grid (computes Algorithm 1 unless ``payments`` is given)."""
    p = max_payments(inst, method) if payments is None else payments
    return revenue_check(inst, p, tolerance)
