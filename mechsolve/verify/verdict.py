"""Verdict types: the status vocabulary, one axiom's :class:`Verdict`, a :class:`CheckReport`.

They sit at the bottom of :mod:`mechsolve.verify` so that axioms, the evaluator, searches and
reports all use the same types without importing each other.

Statuses: ``holds`` (every residual within tolerance on this instance), ``violated`` (with the
worst witness, expected vs got and the margin), ``not-applicable`` (with the reason),
``no-counterexample-found`` (a search that found none: never called a proof) and ``proved``
(a sympy identity or z3 ``unsat``, for a stated n and stated premises).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

HOLDS = "holds"
VIOLATED = "violated"
NOT_APPLICABLE = "not-applicable"
NO_COUNTEREXAMPLE = "no-counterexample-found"
PROVED = "proved"
STATUSES = (HOLDS, VIOLATED, NOT_APPLICABLE, NO_COUNTEREXAMPLE, PROVED)


@dataclass(frozen=True)
class Verdict:
    """The verdict of one axiom on one instance."""

    axiom: str
    status: str
    statement: str
    source: str
    tolerance: float
    checked: int = 0
    worst_margin: Any = 0.0
    counterexample: Mapping[str, Any] | None = None
    reason: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"axiom": self.axiom, "status": self.status, "statement": self.statement,
                "source": self.source, "tolerance": self.tolerance, "checked": self.checked,
                "worst_margin": _jsonable(self.worst_margin),
                "counterexample": _jsonable(self.counterexample), "reason": self.reason,
                "note": self.note}


@dataclass(frozen=True)
class CheckReport:
    """Verdicts of several axioms; :attr:`exit_code` is 1 when any is violated."""

    verdicts: tuple[Verdict, ...]
    tolerance: float
    exact: bool

    @property
    def violated(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == VIOLATED]

    @property
    def exit_code(self) -> int:
        return 1 if self.violated else 0

    def to_dict(self) -> dict[str, Any]:
        return {"tolerance": self.tolerance, "exact": self.exact,
                "all_hold": not self.violated, "verdicts": [v.to_dict() for v in self.verdicts]}


def _jsonable(x: Any) -> Any:
    if isinstance(x, Fraction):
        return {"fraction": f"{x.numerator}/{x.denominator}", "float": float(x)}
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x
