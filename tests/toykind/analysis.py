"""The toy kind's instance builder, axioms and analysis (the verify room's part of a kind)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from mechsolve.errors import InvalidModel
from mechsolve.model.resolved import resolved_of
from mechsolve.result import Result, Status
from mechsolve.verify.axioms.base import Axiom, BaseContext, Residual
from mechsolve.verify.check import check_context
from mechsolve.verify.verdict import CheckReport

KIND = "proportional-split"


def payments(weights: Sequence[Any], budget: Any, rule: str) -> list[Any]:
    """p_i under ``rule``; Fractions in, Fractions out (the exact twin), floats otherwise."""
    n, total = len(weights), sum(weights)
    if rule == "equal":
        return [budget / n] * n
    if rule == "first":
        return [budget] + [budget * 0] * (n - 1)
    return [budget * w / total for w in weights] if total else [budget / n] * n


@dataclass(frozen=True)
class SplitContext(BaseContext):
    """What the toy axioms read: weights, budget, payments, in float or exact arithmetic."""

    players: tuple[str, ...] = ()
    weights: tuple[Any, ...] = ()
    budget: Any = 0
    pay: tuple[Any, ...] = ()
    is_exact: bool = False
    kind: str = field(default=KIND)

    @property
    def exact(self) -> bool:
        return self.is_exact


def weights_of(model: Any) -> list[int]:
    """Inline weights, or the first column of the weights file load read (never the file itself)."""
    if model.weights is not None:
        return list(model.weights)
    rows = resolved_of(model).data("weights_file").rows
    if rows.ndim != 2 or rows.shape[0] != len(model.players) or (rows < 0).any() or (rows != rows.round()).any():
        raise InvalidModel(f"needs one row per player with a whole weight >= 0, got shape {rows.shape}",
                           field="weights_file")
    return [int(x) for x in rows[:, 0]]


def build(model: Any, *, exact: bool, tolerance: float = 1e-9) -> SplitContext:
    """The instance of a spec, float or exact (with its exact twin for borderline verdicts)."""
    num = Fraction if exact else float
    w = tuple(num(x) for x in weights_of(model))
    b = num(model.budget)
    twin = None if exact else (lambda: build(model, exact=True, tolerance=tolerance))
    return SplitContext(tolerance=tolerance, exact_twin=twin, players=tuple(model.players), weights=w, budget=b,
                        pay=tuple(payments(w, b, model.rule)), is_exact=exact)


def _balance(ctx: SplitContext) -> Iterable[Residual]:
    yield Residual({}, ctx.budget, sum(ctx.pay))


def _null(ctx: SplitContext) -> Iterable[Residual]:
    for p, w, x in zip(ctx.players, ctx.weights, ctx.pay):
        if w == 0:
            yield Residual({"player": p}, 0 * x, x)


def _no_null(ctx: SplitContext) -> str | None:
    return None if any(w == 0 for w in ctx.weights) else "no player has weight 0"


def _monotone(ctx: SplitContext) -> Iterable[Residual]:
    for i, (wi, pi) in enumerate(zip(ctx.weights, ctx.pay)):
        for j, (wj, pj) in enumerate(zip(ctx.weights, ctx.pay)):
            if wi > wj:
                yield Residual({"i": ctx.players[i], "j": ctx.players[j]}, pj, pi, ">=")


AXIOMS = {a.name: a for a in (
    Axiom("split-balance", "Σ p_i = B", "toy", (KIND,), _balance),
    Axiom("split-null", "w_i = 0 ⇒ p_i = 0", "toy", (KIND,), _null, precondition=_no_null),
    Axiom("split-monotone", "w_i > w_j ⇒ p_i ≥ p_j", "toy", (KIND,), _monotone),
)}


@dataclass(frozen=True, eq=False)
class SplitAnalysis(Result):
    """Payments and verdicts of one toy model."""

    model: Any
    pay: tuple[Any, ...]
    checks: CheckReport | None
    source_path: str | None = None

    @property
    def status(self) -> Status:
        return Status.VIOLATED if self.checks is not None and self.checks.status == Status.VIOLATED else Status.SOLVED

    def to_dict(self) -> dict[str, Any]:
        return {"kind": KIND, "name": self.model.name, "status": str(self.status), "rule": self.model.rule,
                "payments": {p: float(x) for p, x in zip(self.model.players, self.pay)},
                "checks": [v.to_dict() for v in self.checks] if self.checks is not None else None}


def analyse_split(model: Any, *, exact: bool | None = None, tolerance: float | None = None,
                  check: bool = True, axioms: Sequence[str] | None = None, source_path: str | None = None,
                  **_options: Any) -> SplitAnalysis:
    """Build, pay, check (options of other kinds, e.g. ``scheme`` or ``learn``, do not apply here)."""
    ctx = build(model, exact=bool(exact), tolerance=1e-9 if tolerance is None else tolerance)
    names = list(axioms) if axioms else list(model.check)
    rep = check_context(ctx, [AXIOMS[a] for a in names]) if check else None
    return SplitAnalysis(model, ctx.pay, rep, source_path)
