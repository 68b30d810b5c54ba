"""The result of a symbolic proof attempt: ``proved``, ``violated`` (with a model) or ``unknown``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROVED = "proved"
VIOLATED = "violated"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class PremiseCheck:
    """What happens to a claim when one premise is dropped (the others kept)."""

    premise: str
    status: str            # proved (not needed at this n) | violated (needed) | unknown
    counterexample: Mapping[str, Any] | None = None

    @property
    def verdict(self) -> str:
        return {PROVED: "not needed at this n (still proved without it)",
                VIOLATED: "needed (without it the claim fails)"}.get(self.status, "unknown (solver gave up)")


@dataclass(frozen=True)
class ProofResult:
    """One claim for one ``n``: the verdict, how it was reached, and under which premises.

    ``proved`` comes only from a sympy identity (the difference expands to 0 for
    symbolic ``v(S)``) or a z3 ``unsat`` of premises ∧ ¬claim, for the stated
    ``n`` and premises; ``violated`` carries a model (exact rationals) that was
    re-checked in exact arithmetic; ``unknown`` says why (timeout, solver gave up).
    """

    claim: str
    statement: str
    source: str
    n: int
    method: str
    premises: tuple[str, ...]
    status: str
    detail: str = ""
    counterexample: Mapping[str, Any] | None = None
    premise_checks: tuple[PremiseCheck, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    def summary(self) -> str:
        head = f"{self.claim} (n={self.n}): {self.status} by {self.method}"
        if self.premises:
            head += f" under premises [{'; '.join(self.premises)}]"
        if self.detail:
            head += f" — {self.detail}"
        return head

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "statement": self.statement, "source": self.source, "n": self.n,
                "method": self.method, "premises": list(self.premises), "status": self.status,
                "detail": self.detail, "seconds": round(self.seconds, 3),
                "counterexample": _plain(self.counterexample) if self.counterexample else None,
                "premise_checks": [{"premise": p.premise, "status": p.status, "verdict": p.verdict}
                                   for p in self.premise_checks]}


def _plain(x: Any) -> Any:
    """Containers as plain data; the exact values of the model stay Fractions (JSON ``"p/q"``)."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x
