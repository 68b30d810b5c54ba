"""Symbolic verification: sympy identities for every game of a given n, z3 proof-or-counterexample.

``proved`` here means: for the stated ``n`` and the stated premises, by a sympy
identity (:mod:`.identities`) or a z3 ``unsat`` (:mod:`.z3claims`) — never from a
search. ``violated`` comes with a model re-checked in exact arithmetic; which
premise makes the difference is found by dropping premises one at a time.

Encodings: :mod:`.z3claims` (Ohrimenko Thm 1, Nguyen App. D), :mod:`.z3lp` (budget
efficiency of LP (P)'s optima from its KKT conditions, Nguyen Sec. 4 / App. G),
:mod:`.z3chen` (Chen Corollary 1 on small type grids).

Examples
--------
>>> from mechsolve.verify.symbolic import IDENTITIES
>>> IDENTITIES["decomposition"](3).status
'proved'
"""

from .identities import IDENTITIES, shapley_formula, symbolic_game
from .result import PROVED, UNKNOWN, VIOLATED, PremiseCheck, ProofResult
from .z3claims import CLAIMS, counterexample_model
from .z3chen import chen_corollary1
from .z3lp import nguyen_budget_efficiency

CLAIMS.update({"nguyen-lp-budget-efficiency": nguyen_budget_efficiency, "chen-corollary-1": chen_corollary1})

__all__ = ["IDENTITIES", "CLAIMS", "ProofResult", "PremiseCheck", "PROVED", "VIOLATED", "UNKNOWN",
           "symbolic_game", "shapley_formula", "counterexample_model", "nguyen_budget_efficiency", "chen_corollary1"]
