"""Markets too large to tabulate: Shapley values sampled through the user's value function.

A ``cooperative-market`` whose ``value`` is a ``callable`` and whose scheme is
``{name: shapley, method: monte-carlo}`` is never tabulated: the callable is
evaluated only on the coalitions that sampled permutations visit (Castro et al.
2009; :func:`mechsolve.games.shapley.monte_carlo_shapley`), so n = 30…1000 players
work where the ``2^n`` table would not fit in memory.

Only what the samples determine is checked: efficiency holds for every sampled
permutation (its marginal contributions sum to ``v(N) − v(∅)``), so the check
recomputes ``Σ_i φ̂_i`` against ``v(N) − v(∅)``; axioms that need the whole table
answer ``not-applicable`` and say so.

Examples
--------
>>> names = [f"p{k}" for k in range(40)]
>>> est, calls = sample_shapley(names, lambda s: float(len(s) ** 2), permutations=20, seed=0)
>>> round(float(est.values.sum()), 6), round(float(est.values[0]), 6)   # symmetric: v(N)/n each
(1600.0, 40.0)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from .axioms import get_axiom
from .check import HOLDS, NOT_APPLICABLE, VIOLATED, CheckReport, Verdict
from ..errors import InvalidModel
from ..result import Status
from ..games.game import probe_deterministic, value_of
from ..model.io import load_callable, session
from ..schemes.base import Outcome
from ..games.shapley import MonteCarloEstimate, monte_carlo_shapley
from ..model.market import CooperativeMarket


def _value_of(fn: Callable[[frozenset[str]], Any], members: frozenset[str]) -> float:
    return float(value_of(fn, members))


def _members(names: Sequence[str], m: int) -> frozenset[str]:
    return frozenset(p for k, p in enumerate(names) if m >> k & 1)


def sample_shapley(names: Sequence[str], fn: Callable[[frozenset[str]], Any], *, permutations: int = 2000,
                   target_std_error: float | None = None, seed: int | None = 0
                   ) -> tuple[MonteCarloEstimate, int]:
    """Monte Carlo Shapley values of ``fn`` (frozenset of names → number) without tabulating it.

    Returns the estimate and the number of calls of ``fn``.
    """
    names = list(names)
    calls = 0

    def batch(members: np.ndarray) -> np.ndarray:
        nonlocal calls
        out = np.empty(members.shape[0])
        for r, row in enumerate(members):
            out[r] = _value_of(fn, frozenset(names[k] for k in np.flatnonzero(row)))
        calls += members.shape[0]
        return out

    est = monte_carlo_shapley(batch, len(names), max_permutations=permutations,
                              target_std_error=target_std_error, seed=seed)
    return est, calls


@dataclass(frozen=True)
class SampledMarketAnalysis:
    """Shapley estimates of a market sampled through its value function."""

    model: CooperativeMarket
    estimate: MonteCarloEstimate
    singletons: np.ndarray
    empty_value: float
    grand_value: float
    calls: int
    checks: CheckReport | None
    source_path: str | None = None

    @property
    def status(self) -> Status:
        """``violated`` when a checked axiom is violated, else ``solved``."""
        return Status.VIOLATED if self.checks is not None and self.checks.violated else Status.SOLVED

    @property
    def outcome(self) -> Outcome:
        """The estimate as a scheme :class:`~mechsolve.schemes.base.Outcome` (allocation = φ̂)."""
        e = self.estimate
        return Outcome("shapley", e.values, "shapley", {"shapley": e.values, "std_error": e.std_error},
                       self.scalars(), notes=self.notes())

    def to_dict(self) -> dict[str, Any]:
        """The same JSON object as :class:`~mechsolve.verify.analysis.MarketAnalysis` (no matrices)."""
        names = self.model.players
        per = {"shapley": self.estimate.values, "std_error": self.estimate.std_error}
        out: dict[str, Any] = {
            "mechsolve": __version__, "kind": self.model.kind,
            "model": self.model.name or (Path(self.source_path).stem if self.source_path else None),
            "players": list(names), "exact": False,
            "scheme": {"name": "shapley", **dict(self.model.scheme.params)}, "allocation": "shapley",
            "values": {q: {p: v[i] for i, p in enumerate(names)} for q, v in per.items()},
            "scalars": self.scalars(), "matrices": {}, "notes": list(self.notes()),
        }
        if self.checks is not None:
            out["checks"] = self.checks.to_dict()
        return out

    def scalars(self) -> dict[str, Any]:
        e = self.estimate
        return {"v(N)": self.grand_value, "method": "monte-carlo (sampled, not tabulated)",
                "permutations": e.permutations, "converged": e.converged, "seed": e.seed,
                "value calls": self.calls, "largest std_error": float(e.std_error.max())}

    def notes(self) -> tuple[str, ...]:
        return (f"the value function was called on {self.calls} sampled coalitions, never tabulated over "
                f"all 2^{len(self.model.players)}; values carry sampling error (see std_error)",)

def is_sampled(model: CooperativeMarket, scheme: str, params: dict[str, Any]) -> bool:
    """True when the market must be sampled rather than tabulated."""
    return (model.value.callable is not None and scheme == "shapley"
            and params.get("method") == "monte-carlo")


def analyse_sampled(model: CooperativeMarket, base_dir: str | os.PathLike[str], params: dict[str, Any], *,
                    axioms: Sequence[str] | None, check: bool, tolerance: float, seed: int,
                    source_path: str | None, confirm: bool = True) -> SampledMarketAnalysis:
    """Sample the market's Shapley values; check efficiency, mark table-bound axioms not applicable."""
    if model.exact:
        raise InvalidModel("exact mode needs the whole table; Monte Carlo is float64", field="exact")
    assert model.value.callable is not None
    from ..schemes.shapley_value import monte_carlo_params

    permutations, target, mc_seed = monte_carlo_params(params, seed)
    fn = load_callable(Path(base_dir), model.value.callable)
    names = list(model.players)
    with session(fn):
        empty = _value_of(fn, frozenset())
        if model.normalised and empty != 0:
            raise InvalidModel(f"v(∅) = {empty} but the game is declared normalised; declare `normalised: false` "
                               "to allow a non-zero v(∅)", field="value")
        grand = _value_of(fn, frozenset(names))
        singles = np.array([_value_of(fn, frozenset([p])) for p in names])
        first = {0: empty, (1 << len(names)) - 1: grand}
        first.update({1 << k: x for k, x in enumerate(singles)})
        probe_deterministic(fn, names, lambda m: first[m] if m in first else _value_of(fn, _members(names, m)))
        est, calls = sample_shapley(names, fn, permutations=permutations, target_std_error=target, seed=mc_seed)
    report = None
    if check:
        wanted = list(axioms) if axioms else (model.check if model.check is not None else ["efficiency"])
        verdicts = []
        for name in wanted:
            if name == "efficiency":
                got = float(est.values.sum())
                margin = abs(got - (grand - empty))
                tol = tolerance * max(1.0, abs(grand))
                ok = margin <= tol
                verdicts.append(Verdict(
                    "efficiency", HOLDS if ok else VIOLATED, "Σ_i φ̂_i = v(N) − v(∅) (every sampled permutation)",
                    "Shapley (1953); Castro et al. (2009)", tol, 1, margin,
                    None if ok else {"witness": {"sum over players": "Σ_i φ̂_i"}, "relation": "=",
                                     "expected": grand - empty, "got": got, "margin": margin}))
            else:
                get_axiom(name)  # an unknown name is still bad input
                verdicts.append(Verdict(name, NOT_APPLICABLE, "", "", tolerance,
                                        reason="needs the whole 2^n table; this market is sampled "
                                               "(Monte Carlo on a callable)"))
        report = CheckReport(tuple(verdicts), tolerance, False)
    calls += 2 + len(names)
    return SampledMarketAnalysis(model, est, singles, empty, grand, calls, report, source_path)
