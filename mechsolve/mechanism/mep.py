"""Maximal exploitation payment (MEP), Chen et al. (2020) Def. 9.

    p_i(t'_i, t'_−i) = v_i(x(t'_i, t'_−i), t'_i, t'_−i) − v_i(x(∅, t'_−i), t'_i, t'_−i)

charges agent i everything it gains from the model the platform gives it, at its report.
Theorem 1: under quasi-monotone valuations (Def. 8) MEP is IC and revenue-maximal among
IR mechanisms. On the grid the MEP table is the IR bound p̄ of App. A.1 evaluated at the
reported profile.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> from mechsolve.mechanism.instance import build_instance
>>> m = parse_model({"kind": "mechanism-design", "agents": 2, "types": {"values": [1]},
...                  "valuation": {"family": "linear", "matrix": [[1, -0.5], [-0.5, 1]]}})
>>> mep(build_instance(m))[:, 0, 0].tolist()   # both get Q(2) = 2: 1·2 − 0.5·2 − (1·1 − 0.5·1)
[0.5, 0.5]
"""

from __future__ import annotations

import numpy as np

from .instance import MechanismInstance


def mep(inst: MechanismInstance) -> np.ndarray:
    """MEP for every agent at every reported profile, shape ``(n, *shape)``."""
    return inst.pbar.copy()
