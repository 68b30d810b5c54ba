"""Run axioms on an instance and collect verdicts.

Verdicts: ``holds`` (every residual within tolerance on this instance),
``violated`` (with the worst witness, expected vs got and the margin),
``not-applicable`` (with the reason), and — from searches and proofs in later
modules — ``no-counterexample-found`` and ``proved``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .axioms import AXIOMS, Axiom, AxiomContext, Residual, get_axiom
from .verdict import HOLDS, NO_COUNTEREXAMPLE, NOT_APPLICABLE, PROVED, STATUSES, VIOLATED, CheckReport, Verdict
from ..games.game import Game
from ..schemes.base import Outcome

def evaluate(axiom: Axiom, ctx: AxiomContext) -> Verdict:
    """Evaluate one axiom: precondition, every residual, worst margin, verdict."""
    tol = axiom.tolerance if axiom.tolerance is not None else (0.0 if ctx.exact else ctx.tolerance)
    reason = axiom.precondition(ctx)
    if reason:
        return Verdict(axiom.name, NOT_APPLICABLE, axiom.statement, axiom.source, tol, reason=reason)
    worst: Residual | None = None
    worst_margin: Any = 0
    count = 0
    for r in axiom.residuals(ctx):
        count += 1
        m = r.margin
        if worst is None or m > worst_margin:
            worst, worst_margin = r, m
    if count == 0:
        return Verdict(axiom.name, NOT_APPLICABLE, axiom.statement, axiom.source, tol,
                       reason="nothing to test on this instance")
    if worst_margin <= tol:
        return Verdict(axiom.name, HOLDS, axiom.statement, axiom.source, tol, count, worst_margin)
    assert worst is not None
    cex = {"witness": dict(worst.witness), "relation": worst.relation, "expected": worst.expected,
           "got": worst.got, "margin": worst_margin}
    return Verdict(axiom.name, VIOLATED, axiom.statement, axiom.source, tol, count, worst_margin,
                   counterexample=cex, note=axiom.premise_note(ctx))


def published_axiom(expected: Mapping[str, Mapping[str, Any]], tolerance: float) -> Axiom:
    """An axiom comparing computed per-player quantities with published values."""

    def residuals(ctx: AxiomContext) -> Iterable[Residual]:
        idx = ctx.game.index
        for qty, per in expected.items():
            if qty == "tolerance":
                continue
            got_vec = ctx.outcome.per_player.get(qty)
            if got_vec is None:
                yield Residual({"quantity": qty, "problem": "not computed by this scheme"}, 0.0, float("inf"))
                continue
            for p, val in per.items():
                yield Residual({"quantity": qty, "player": p}, float(val), float(got_vec[idx[p]]))

    return Axiom("published-values", f"computed values match the published ones within {tolerance:g}",
                 "the model's `expected` block (see its `source`)", ("outcome",), residuals,
                 tolerance=tolerance)


def run_checks(game: Game, outcome: Outcome, rule: Any, axioms: Sequence[str | Axiom], *,
               tolerance: float = 1e-9, seed: int = 0, extra: Mapping[str, Any] | None = None
               ) -> CheckReport:
    """Check the named axioms on ``game`` and the scheme's ``outcome``.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> from mechsolve.schemes import get_scheme
    >>> g = Game.from_values(["a", "b"], [0, 1, 1, 3])
    >>> s = get_scheme("shapley")
    >>> rep = run_checks(g, s.compute(g, {}), s.rule, ["efficiency", "symmetry"])
    >>> [v.status for v in rep.verdicts]
    ['holds', 'holds']
    """
    ctx = AxiomContext(game, outcome, rule, tolerance, seed, extra or {})
    verdicts = []
    for a in axioms:
        ax = a if isinstance(a, Axiom) else get_axiom(a)
        verdicts.append(evaluate(ax, ctx))
    return CheckReport(tuple(verdicts), 0.0 if game.exact else tolerance, game.exact)


__all__ = ["Verdict", "CheckReport", "run_checks", "evaluate", "published_axiom", "STATUSES", "AXIOMS",
           "HOLDS", "VIOLATED", "NOT_APPLICABLE", "NO_COUNTEREXAMPLE", "PROVED"]
