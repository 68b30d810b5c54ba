"""Mechanism design for multi-party ML (Chen, Liu, Shen, Shen, Tang, Yang 2020), Sec. 2–6, App. A.1.

Modules, one concept each:

* :mod:`.types` — type grids (ε-grid on [0, D] or explicit lists);
* :mod:`.valuations` — Q(t) and valuations with externalities (linear, market growth,
  quasi-monotone, formulas);
* :mod:`.allocation` — efficient allocation (Def. 5) and other rules;
* :mod:`.instance` — the value tables (p̄, Gap) every payment and check reads;
* :mod:`.mep` — maximal exploitation payment (Def. 9);
* :mod:`.max_payment` — Algorithm 1, literal (networkx Bellman–Ford) and fast (DAG DP);
* :mod:`.desirability` — Theorem 5: does a desirable mechanism exist?;
* :mod:`.boundary` — the data-disparity boundary D/ε per market growth rate α (Sec. 6.2, Fig. 3);
* :mod:`.analysis` — the `solve`/`check` handler.
"""

from __future__ import annotations

from .desirability import Desirability, desirability
from .instance import MechanismInstance, build_instance
from .max_payment import max_payments, max_payments_fast, max_payments_literal
from .mep import mep

__all__ = ["MechanismInstance", "build_instance", "mep", "max_payments", "max_payments_fast",
           "max_payments_literal", "desirability", "Desirability"]
