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
from ..model.io import load_code, session
from ..model.resolved import resolved_of
from ..schemes.base import Outcome
from ..games.shapley import MonteCarloEstimate, monte_carlo_shapley
from ..model.market import CooperativeMarket


def _value_of(fn: Callable[[frozenset[str]], Any], members: frozenset[str]) -> float:
    return float(value_of(fn, members))


def _members(names: Sequence[str], m: int) -> frozenset[str]:
    return frozenset(p for k, p in enumerate(names) if m >> k & 1)


def sample_shapley(names: Sequence[str], fn: Callable[[frozenset[str]], Any], *, permutations: int = 2000,
                   target_std_error: float | None = None, seed: int | None = 0,
                   estimator: str = "permutation", value_calls: int | None = None
                   ) -> tuple[MonteCarloEstimate, int]:
    """Monte Carlo Shapley values of ``fn`` (frozenset of names → number) without tabulating it.

    ``estimator`` is ``monte_carlo_shapley``'s ``method`` (``"stratified"``:
    distinct coalitions per size with a regression control variate, budget
    ``value_calls`` or the calls of ``permutations`` permutations).
    Returns the estimate and the number of calls of ``fn``. If ``fn`` has a
    ``batch(members)`` method (boolean rows → values, e.g.
    :class:`~mechsolve.data.learn.LearnedValue`), each batch of coalitions goes to it at once.
    """
    names = list(names)
    calls = 0

    many = getattr(fn, "batch", None)  # a learned value trains a batch's coalitions together (in parallel)

    def batch(members: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += members.shape[0]
        if many is not None:
            return np.asarray(many(members), dtype=np.float64)
        out = np.empty(members.shape[0])
        for r, row in enumerate(members):
            out[r] = _value_of(fn, frozenset(names[k] for k in np.flatnonzero(row)))
        return out

    est = monte_carlo_shapley(batch, len(names), max_permutations=permutations,
                              target_std_error=target_std_error, seed=seed, method=estimator,
                              max_value_calls=value_calls)
    return est, calls


@dataclass(frozen=True)
class SampledMarketAnalysis:
    """Shapley estimates of a market sampled through its value function."""

    model: CooperativeMarket | None
    estimate: MonteCarloEstimate
    singletons: np.ndarray
    empty_value: float
    grand_value: float
    calls: int
    checks: CheckReport | None
    source_path: str | None = None
    #: Without a model (a value function given directly, :func:`sample_function`): the players,
    #: the scheme's parameters and the market's name.
    names: tuple[str, ...] | None = None
    params: dict[str, Any] | None = None
    name: str | None = None
    learned: dict[str, Any] | None = None

    @property
    def players(self) -> list[str]:
        """Player names."""
        return list(self.model.players) if self.model is not None else list(self.names or ())

    @property
    def scheme_params(self) -> dict[str, Any]:
        """The Monte Carlo parameters as declared."""
        return dict(self.model.scheme.params) if self.model is not None else dict(self.params or {})

    @property
    def title(self) -> str | None:
        """The market's name, else the model file's stem."""
        if self.model is not None and self.model.name:
            return self.model.name
        return self.name or (Path(self.source_path).stem if self.source_path else None)

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
        names = self.players
        per = {"shapley": self.estimate.values, "std_error": self.estimate.std_error}
        out: dict[str, Any] = {
            "mechsolve": __version__, "kind": "cooperative-market",
            "model": self.title,
            "players": list(names), "exact": False,
            "scheme": {"name": "shapley", **self.scheme_params}, "allocation": "shapley",
            "values": {q: {p: v[i] for i, p in enumerate(names)} for q, v in per.items()},
            "scalars": self.scalars(), "matrices": {}, "notes": list(self.notes()),
        }
        if self.learned is not None:
            out["learned"] = self.learned
        if self.checks is not None:
            out["checks"] = self.checks.to_dict()
        return out

    def scalars(self) -> dict[str, Any]:
        e = self.estimate
        return {"v(N)": self.grand_value, "method": "monte-carlo (sampled, not tabulated)",
                "estimator": e.method, "permutations": e.permutations, "converged": e.converged,
                "seed": e.seed, "value calls": self.calls, "largest std_error": float(e.std_error.max())}

    def notes(self) -> tuple[str, ...]:
        notes = (f"the value function was called on {self.calls} sampled coalitions, never tabulated over "
                 f"all 2^{len(self.players)}; values carry sampling error (see std_error)",)
        if self.learned is not None:
            run = self.learned["run"]
            notes += (f"learned values: {run['trainings']} trainings now, {run['cache_hits']} from the cache "
                      f"({run['where']}; cache {run['cache'] or 'off'})",)
        return notes

def is_sampled(model: CooperativeMarket, scheme: str, params: dict[str, Any]) -> bool:
    """True when the market must be sampled rather than tabulated."""
    return ((model.value.callable is not None or getattr(model.value, "learn", None) is not None)
            and scheme == "shapley" and params.get("method") == "monte-carlo")


def analyse_sampled(model: CooperativeMarket, params: dict[str, Any], *,
                    axioms: Sequence[str] | None, check: bool, tolerance: float, seed: int,
                    source_path: str | None, confirm: bool = True, learn: Any = None) -> SampledMarketAnalysis:
    """Sample the market's Shapley values; check efficiency, mark table-bound axioms not applicable."""
    if model.exact:
        raise InvalidModel("exact mode needs the whole table; Monte Carlo is float64", field="exact")
    from ..schemes.shapley_value import estimator_params, monte_carlo_params

    permutations, target, mc_seed = monte_carlo_params(params, seed)
    estimator, value_calls = estimator_params(params)
    learned = getattr(model.value, "learn", None) is not None
    if learned:  # train only the coalitions the samples visit
        from ..data.learn import LearnedValue, LearnOptions, learner_for

        fn: Any = LearnedValue(learner_for(model), learn if learn is not None else LearnOptions.from_env())
    else:
        assert model.value.callable is not None
        fn = load_code(resolved_of(model).code("value.callable"))
    names = list(model.players)
    with session(fn):  # user code: stdout captured, timeout; a no-op for a learned value
        empty = _value_of(fn, frozenset())
        if model.normalised and empty != 0:
            raise InvalidModel(f"v(∅) = {empty} but the game is declared normalised; declare `normalised: false` "
                               "to allow a non-zero v(∅)", field="value")
        grand = _value_of(fn, frozenset(names))
        singles = np.array([_value_of(fn, frozenset([p])) for p in names])
        if not learned:  # user code: ask a few coalitions again (a learned value is deterministic by design)
            first = {0: empty, (1 << len(names)) - 1: grand}
            first.update({1 << k: x for k, x in enumerate(singles)})
            probe_deterministic(fn, names, lambda m: first[m] if m in first else _value_of(fn, _members(names, m)))
        est, calls = sample_shapley(names, fn, permutations=permutations, target_std_error=target, seed=mc_seed,
                                    estimator=estimator, value_calls=value_calls)
    report = None
    if check:
        wanted = list(axioms) if axioms else (model.check if model.check is not None else ["efficiency"])
        report = _sampled_checks(wanted, est, empty, grand, tolerance)
    calls += 2 + len(names)
    learned = fn.to_dict() if hasattr(fn, "learner") else None
    return SampledMarketAnalysis(model, est, singles, empty, grand, calls, report, source_path,
                                 learned=learned)


def sample_function(names: Sequence[str], f: Callable[[np.ndarray], np.ndarray], params: dict[str, Any], *,
                    axioms: Sequence[str] | None = None, check: bool = False, tolerance: float = 1e-9,
                    seed: int = 0, name: str | None = None) -> SampledMarketAnalysis:
    """Sample the Shapley values of ``f`` on boolean ``(rows, n)`` coalition matrices, never tabulating it.

    The form of a shapiq game or of :func:`mechsolve.games.protocols.matrix_function`; ``params`` are
    the Monte Carlo parameters of ``scheme: {name: shapley, method: monte-carlo}`` (``permutations``,
    ``target_std_error``, ``seed``). ``v(∅)`` need not be 0 (efficiency is ``Σ φ̂ = v(N) − v(∅)``).
    Checks as for a sampled model: efficiency, and every other axiom not applicable.

    Examples
    --------
    >>> a = sample_function([f"p{k}" for k in range(30)], lambda m: m.sum(axis=1) ** 2.0,
    ...                     {"permutations": 10}, check=True)
    >>> round(float(a.estimate.values[0]), 6), str(a.checks["efficiency"].status)
    (30.0, 'holds')
    """
    names = tuple(str(p) for p in names)
    n = len(names)
    calls = 0

    def counted(m: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += m.shape[0]
        return np.asarray(f(m), dtype=np.float64).reshape(-1)

    rows = np.zeros((n + 2, n), dtype=bool)
    rows[1] = True
    rows[np.arange(2, n + 2), np.arange(n)] = True
    first = counted(rows)
    empty, grand, singles = float(first[0]), float(first[1]), first[2:].copy()
    try:
        if params.get("estimator", "permutation") not in ("permutation", "stratified"):
            raise InvalidModel(f"estimator must be 'permutation' or 'stratified', got {params['estimator']!r}",
                               field="scheme.estimator")
        est = monte_carlo_shapley(counted, n, max_permutations=int(params.get("permutations", 2000)),
                                  target_std_error=params.get("target_std_error"), seed=params.get("seed", seed),
                                  method=str(params.get("estimator", "permutation")))
    except (TypeError, ValueError) as exc:
        raise InvalidModel(f"bad Monte Carlo parameter: {exc}", field="scheme") from None
    report = _sampled_checks(list(axioms) if axioms else ["efficiency"], est, empty, grand, tolerance) \
        if check else None
    return SampledMarketAnalysis(None, est, singles, empty, grand, calls, report, None, names,
                                 {"method": "monte-carlo", **params}, name)


def _sampled_checks(wanted: Sequence[str], est: MonteCarloEstimate, empty: float, grand: float,
                    tolerance: float) -> CheckReport:
    """Efficiency of a sampled estimate; every other axiom not applicable (it needs the whole table)."""
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
    return CheckReport(tuple(verdicts), tolerance, False)
