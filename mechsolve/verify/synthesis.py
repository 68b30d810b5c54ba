"""The synthetic-data reward pipeline of Tay et al. (2022) on a dataset-valued market.

Valuation (MMD, :mod:`mechsolve.data.mmd`) → the scheme's rewards → its axioms → weighted
sampling of synthetic points (:mod:`mechsolve.data.sampling`) → checks on the sampled rewards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.market import build_game
from ..data.dataset_market import DatasetMarket
from ..data.sampling import SamplingResult, weighted_sampling
from ..errors import InvalidModel, Unsupported
from ..result import Status
from ..model.resolved import scheme_params
from ..schemes import get_scheme
from .analysis import MarketAnalysis
from .axioms.base import Axiom, Residual
from .check import published_axiom, run_checks


@dataclass(frozen=True, eq=False)
class SynthesisRun:
    """Valuation → scheme rewards → axiom checks → synthetic rewards, for one dataset market.

    ``analysis`` is the :class:`~mechsolve.verify.analysis.MarketAnalysis` of the
    scheme on ``v_c`` (with ``caps = v(D_i ∪ G)`` passed to schemes that take
    them); ``sampling`` the weighted-sampling result; ``reward_checks`` the
    checks on the sampled rewards (target reached, preferred to working alone).
    """

    analysis: Any
    market: DatasetMarket
    sampling: SamplingResult | None
    reward_checks: Any
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        """``violated`` when an axiom of the scheme or a reward check is violated, else ``solved``."""
        bad = self.analysis.status == Status.VIOLATED or bool(self.reward_checks and self.reward_checks.violated)
        return Status.VIOLATED if bad else Status.SOLVED

    def to_dict(self) -> dict[str, Any]:
        d = self.analysis.to_dict()
        d["datasets"] = self.market.to_dict()
        d["synthetic_rewards"] = self.sampling.to_dict() if self.sampling else None
        d["reward_checks"] = self.reward_checks.to_dict() if self.reward_checks else None
        d["notes"] = list(d.get("notes", [])) + list(self.notes)
        return d


def _reward_axioms(run_targets: np.ndarray, sampling: SamplingResult, singletons: np.ndarray) -> list[Any]:
    def reached(ctx: Any) -> Any:
        for r in sampling.rewards:
            yield Residual({"party": r.party, "points": r.points}, r.target, r.achieved, ">=")

    def alone(ctx: Any) -> Any:
        for r, v1 in zip(sampling.rewards, singletons):
            yield Residual({"party": r.party, "points": r.points}, float(v1), r.achieved, ">=")

    return [
        Axiom("target-reached", "v(D_i ∪ G_i) ≥ r_i: the sampled synthetic data reaches the reward value",
              "Tay et al. (2022) Sec. 2 and 4.2", ("sampling",), reached),
        Axiom("prefers-reward", "v(D_i ∪ G_i) ≥ v(D_i): each party prefers its reward to working alone",
              "Tay et al. (2022) Sec. 4 (R4, on the data actually given)", ("sampling",), alone),
    ]


def run_synthesis(model: Any, *, beta: float | None = None,
                  seed: int | None = None, tolerance: float | None = None, axioms: Sequence[str] | None = None,
                  sample: bool = True, source_path: str | None = None) -> SynthesisRun:
    """The whole pipeline of Tay et al. (2022) on a ``value: {datasets: ...}`` market.

    1. ``v_c`` of all coalitions (MMD, eq. 2; length-scale by bisection when ``auto``);
    2. the model's scheme on ``v_c``; schemes with a ``caps`` parameter get
       ``v(D_i ∪ G)`` unless the model gives caps; its axioms are checked;
    3. weighted sampling (β, seed: the model's ``sampling`` unless given) until
       ``v(D_i ∪ G_i)`` reaches the scheme's reward ``r_i``;
    4. checks on the sampled rewards: target reached, preferred to working alone.
    """
    if getattr(model.value, "datasets", None) is None:
        raise InvalidModel("this command needs a dataset-valued market (`value: {datasets: ...}`)",
                           field="value.datasets")
    game = build_game(model, exact=False)
    dm: DatasetMarket = game.meta["datasets"]
    sch = get_scheme(model.scheme.name)
    params = scheme_params(model)
    notes: list[str] = [f"G: {dm.reference_note}"]
    if "caps" in sch.params and "caps" not in params:
        params["caps"] = dict(game.meta["caps"])
        notes.append("scheme caps v_i^max = v(D_i ∪ G) computed from the data (Tay et al. 2022, Def. 1)")
    sch.validate_params(params)
    outcome = sch.compute(game, params)
    tol = model.tolerance if tolerance is None else tolerance
    names: list[Any] = list(axioms if axioms else (model.check if model.check is not None else sch.axioms))
    if model.expected and not axioms:
        names.append(published_axiom(model.expected, model.expected_tolerance))
    report = run_checks(game, outcome, lambda g: sch.rule(g, params), names, tolerance=tol, seed=0)
    analysis = MarketAnalysis(model, game, outcome, report, None, source_path)
    if outcome.allocation_name != "reward":
        notes.append(f"targets r_i are the scheme's {outcome.allocation_name!r} allocation")
    sampling = reward_checks = None
    if sample:
        if len(dm.data.G) == 0:
            raise Unsupported("no synthetic pool G to draw rewards from; declare `reference:`",
                              field="value.datasets.reference")
        sp = dm.sampling
        targets = np.asarray(outcome.allocation, dtype=np.float64)
        sampling = weighted_sampling(dm.data, targets, lengthscale=dm.lengthscale,
                                     beta=sp.beta if beta is None else beta,
                                     seed=sp.seed if seed is None else seed, estimator=dm.estimator,
                                     tolerance=sp.tolerance, max_points=sp.max_points,
                                     max_bytes=dm.max_kernel_bytes)
        reward_checks = run_checks(game, outcome, lambda g: sch.rule(g, params),
                                   _reward_axioms(targets, sampling, game.singletons()), tolerance=tol)
        notes += list(sampling.notes)
    return SynthesisRun(analysis, dm, sampling, reward_checks, tuple(notes))


__all__ = ["SynthesisRun", "run_synthesis"]
