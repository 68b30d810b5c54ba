"""The one evaluator: run axioms on an instance of any model kind and collect verdicts.

:func:`evaluate` turns one axiom's residuals into a :class:`~mechsolve.verify.verdict.Verdict`:

1. **needs** — a need the model kind or the scheme cannot meet gives ``not-applicable`` with
   ``scope`` ``"kind"`` or ``"scheme"`` (:func:`~mechsolve.verify.axioms.base.unmet_need`);
2. **premise** — ``precondition(ctx)`` gives ``not-applicable`` on this instance, with the reason;
   if computing the premise or a residual needs the scheme on a derived game it cannot handle
   (a parameter naming a player the derived game lacks, say), the verdict is ``not-applicable``
   with that reason, never an aborted run;
3. **residuals** — single :class:`~mechsolve.verify.axioms.base.Residual` s or vectorised
   :class:`~mechsolve.verify.axioms.base.Block` s; the worst margin decides: ``holds`` when it is
   at most the tolerance, ``violated`` (with the witness) otherwise;
4. **the tolerance rule** (:mod:`mechsolve.decide`) — in float arithmetic, when the worst margin
   lies within the band of the tolerance, or a premise decision inside the axiom was
   borderline, the axiom is decided again on the context's exact twin (exact rational
   arithmetic, the run's tolerance) and the verdict says ``confirmation: "exact"``; without an
   exact twin (data that are not rational) it says ``"borderline: …"``.

Examples
--------
>>> from mechsolve.games.game import Game
>>> from mechsolve.schemes import get_scheme
>>> g = Game.from_values(["a", "b"], [0, 1, 1, 3])
>>> s = get_scheme("shapley")
>>> rep = run_checks(g, s.compute(g, {}), s.rule, ["efficiency", "symmetry"])
>>> [str(v.status) for v in rep.verdicts], rep.message
(['holds', 'holds'], 'all checked axioms hold (2 of 2 axioms tested)')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import decide
from ..errors import MechsolveError
from ..games.game import Game
from ..schemes.base import Outcome
from .axioms import AXIOMS, Axiom, AxiomContext, Block, Residual, get_axiom
from .axioms.base import unmet_need
from .verdict import HOLDS, NO_COUNTEREXAMPLE, NOT_APPLICABLE, PROVED, STATUSES, VIOLATED, CheckReport, Verdict


def _worst_of_block(blk: Block) -> tuple[int, Any, tuple[int, ...] | None]:
    mg = blk.margins()
    if mg.size == 0:
        return 0, None, None
    flat = mg.reshape(-1)
    if flat.dtype == object:  # exact: compare exactly (a float argmax may tie)
        j = max(range(flat.size), key=lambda q: flat[q])
    else:
        j = int(np.argmax(flat))
    return int(mg.size), flat[j], tuple(int(x) for x in np.unravel_index(j, mg.shape))


def _scan(axiom: Axiom, ctx: Any) -> tuple[int, Any, Residual | None]:
    """Count, worst margin and worst residual over every residual and block of ``axiom``."""
    count = 0
    worst: Residual | None = None
    worst_margin: Any = 0
    for r in axiom.residuals(ctx):
        if isinstance(r, Block):
            k, m, idx = _worst_of_block(r)
            count += k
            if idx is not None and (worst is None or m > worst_margin):
                worst, worst_margin = r.residual(idx), m
            continue
        count += 1
        m = r.margin
        if worst is None or m > worst_margin:
            worst, worst_margin = r, m
    return count, worst_margin, worst


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def evaluate(axiom: Axiom, ctx: Any, *, confirm: bool = True) -> Verdict:
    """Evaluate one axiom: needs, premise, every residual, worst margin, the tolerance rule.

    Parameters
    ----------
    axiom : Axiom
    ctx : AxiomContext or MechanismContext
    confirm : bool
        Re-decide borderline float verdicts on ``ctx.exact_twin()`` (default). ``False`` takes
        the float tolerance reading and marks the verdict borderline.
    """
    tol = axiom.tolerance if axiom.tolerance is not None else ctx.tol
    unmet = unmet_need(axiom, ctx)
    if unmet is not None:
        scope, why = unmet
        return Verdict(axiom.name, NOT_APPLICABLE, axiom.statement, axiom.source, tol, reason=why, scope=scope)
    count, worst_margin, worst = 0, 0, None
    with decide.recording() as log:
        try:
            reason = axiom.precondition(ctx)
            if not reason:
                count, worst_margin, worst = _scan(axiom, ctx)
        except MechsolveError as exc:  # the scheme cannot run on a game the axiom needs
            reason = f"could not be tested on this instance: {' '.join(str(exc).split())}"
    borderline = [b.what for b in log]
    if not reason and not ctx.exact and count:
        state = decide.classify(float(worst_margin), tol)
        if state == "borderline":
            borderline.insert(0, f"worst margin {float(worst_margin):.3g} is within the band of the tolerance {tol:g}")
    if borderline and not ctx.exact:
        twin, why = None, "exact confirmation is off" if not confirm else "no exact twin of these data"
        if confirm and ctx.exact_twin is not None:
            try:
                twin = ctx.exact_twin()
            except MechsolveError as exc:  # not rational, too large, no exact mode for the scheme
                why = " ".join(str(exc).split())
        if twin is not None:
            if axiom.tolerance is None:
                twin = _with_tolerance(twin, tol)
            v = evaluate(axiom, twin, confirm=False)
            return _replace(v, confirmation="exact", tolerance=tol)
        confirmation = f"borderline ({'; '.join(borderline[:3])}); not confirmed exactly: {why}"
    else:
        confirmation = None
    if reason:
        return Verdict(axiom.name, NOT_APPLICABLE, axiom.statement, axiom.source, tol, reason=reason,
                       confirmation=confirmation)
    if count == 0:
        return Verdict(axiom.name, NOT_APPLICABLE, axiom.statement, axiom.source, tol,
                       reason="nothing to test on this instance", confirmation=confirmation)
    if worst_margin <= tol:
        return Verdict(axiom.name, HOLDS, axiom.statement, axiom.source, tol, count, _plain(worst_margin),
                       confirmation=confirmation)
    assert worst is not None
    cex = {"witness": dict(worst.witness), "relation": worst.relation, "expected": _plain(worst.expected),
           "got": _plain(worst.got), "margin": _plain(worst_margin)}
    return Verdict(axiom.name, VIOLATED, axiom.statement, axiom.source, tol, count, _plain(worst_margin),
                   counterexample=cex, note=axiom.premise_note(ctx), confirmation=confirmation)


def _replace(v: Verdict, **kw: Any) -> Verdict:
    import dataclasses

    return dataclasses.replace(v, **kw)


def _with_tolerance(ctx: Any, tol: float) -> Any:
    """The exact twin deciding at the float run's tolerance."""
    import copy

    twin = copy.copy(ctx)
    object.__setattr__(twin, "tolerance", tol)
    object.__setattr__(twin, "keep_tolerance", True)
    return twin


def evaluate_mechanism(axiom: str | Axiom, ctx: Any) -> Verdict:
    """The verdict of one mechanism axiom (a name or an alias such as ``ic``) on a mechanism context."""
    from .axioms.mechanism import get_mechanism_axiom

    return evaluate(get_mechanism_axiom(axiom) if isinstance(axiom, str) else axiom, ctx)


def run_mechanism_checks(ctx: Any, names: Iterable[str]) -> CheckReport:
    """A :class:`~mechsolve.verify.verdict.CheckReport` of the named mechanism axioms (aliases allowed)."""
    from .axioms.mechanism import get_mechanism_axiom

    return check_context(ctx, [get_mechanism_axiom(n) for n in names])


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
                 "the model's `expected` block (see its `source`)", ("game", "outcome"), residuals,
                 tolerance=tolerance)


def run_checks(game: Game, outcome: Outcome, rule: Any, axioms: Sequence[str | Axiom], *,
               tolerance: float = 1e-9, seed: int = 0, extra: Mapping[str, Any] | None = None,
               exact_twin: Callable[[], AxiomContext | None] | None = None, confirm: bool = True
               ) -> CheckReport:
    """Check the named axioms on ``game`` and the scheme's ``outcome``.

    ``exact_twin()`` builds the same context in exact arithmetic (exact game, the scheme's exact
    outcome) for borderline float verdicts; without it they are reported as borderline.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> from mechsolve.schemes import get_scheme
    >>> g = Game.from_values(["a", "b"], [0, 1, 1, 3])
    >>> s = get_scheme("shapley")
    >>> rep = run_checks(g, s.compute(g, {}), s.rule, ["efficiency", "symmetry"])
    >>> [str(v.status) for v in rep.verdicts]
    ['holds', 'holds']
    """
    ctx = AxiomContext(game, outcome, rule, tolerance, seed, extra or {}, exact_twin=exact_twin)
    return check_context(ctx, axioms, confirm=confirm)


def check_context(ctx: Any, axioms: Iterable[str | Axiom], *, confirm: bool = True) -> CheckReport:
    """Verdicts of the named axioms on a context of any model kind (the one loop over axioms)."""
    verdicts = tuple(evaluate(a if isinstance(a, Axiom) else get_axiom(a), ctx, confirm=confirm)
                     for a in axioms)
    return CheckReport(verdicts, ctx.tol, ctx.exact)


__all__ = ["Verdict", "CheckReport", "run_checks", "check_context", "evaluate", "published_axiom", "STATUSES",
           "AXIOMS", "evaluate_mechanism", "run_mechanism_checks", "HOLDS", "VIOLATED", "NOT_APPLICABLE", "NO_COUNTEREXAMPLE", "PROVED"]
