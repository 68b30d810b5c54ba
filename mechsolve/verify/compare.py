"""Several schemes side by side on one market, and a market before/after replication.

:func:`compare` runs :func:`mechsolve.verify.analysis.analyse_market` once per scheme (same game,
same checks machinery) and :class:`Comparison` holds them for one table with a row per player
and a column per scheme, plus the axiom verdicts of every scheme. :func:`replication_report`
solves the market in which one party replicates itself ``k`` times
(:func:`mechsolve.games.game.replicate`: replication-invariant values, Ohrimenko et al. 2019 §2 (i),
Nguyen et al. 2022 App. D) and shows how every party's outcome changes.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b"],
...                  "value": {"values": [0, 0.5, 0.25, 1]}})
>>> c = compare(m, schemes=["shapley", "nguyen-payoff", "ohrimenko-single"], check=False)
>>> [round(float(x), 4) for x in c.analyses["nguyen-payoff"].outcome.allocation]
[0.25, -0.25]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..result import Status, number
from ..games.game import Game
from ..games.shapley import shapley
from ..schemes import get_scheme


def scheme_params(model: Any, name: str) -> dict[str, Any]:
    """The parameters :func:`~mechsolve.verify.analysis.analyse_market` uses for scheme ``name`` on ``model``.

    The model's own ``scheme`` parameters when ``name`` is the model's scheme, else none; the
    model's ``budgets`` for schemes that take budgets and were not given any.
    """
    sch = get_scheme(name)
    params = dict(model.scheme.params) if name == model.scheme.name else {}
    if getattr(model, "budgets", None) is not None and "budgets" in sch.params and "budgets" not in params:
        params["budgets"] = dict(model.budgets)
    sch.validate_params(params)
    return params


@dataclass(frozen=True)
class Comparison:
    """Analyses of one market under several schemes (``analyses[scheme]``)."""

    model: Any
    game: Game
    analyses: Mapping[str, Any]
    shapley: np.ndarray
    quantities: tuple[str, ...] = ()
    source_path: str | None = None
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """``violated`` when an axiom of some scheme is violated, else ``solved``."""
        bad = any(a.status == Status.VIOLATED for a in self.analyses.values())
        return Status.VIOLATED if bad else Status.SOLVED

    def columns(self) -> list[tuple[str, str, np.ndarray]]:
        """``(scheme, quantity, vector)`` for every table column after the Shapley value."""
        out = []
        for name, a in self.analyses.items():
            o = a.outcome
            out.append((name, o.allocation_name, o.allocation))
            for q in self.quantities:
                if q in o.per_player and q != o.allocation_name:
                    out.append((name, q, o.per_player[q]))
        return out

    def to_dict(self) -> dict[str, Any]:
        names = self.game.names
        return {
            "model": self.model.name or (Path(self.source_path).stem if self.source_path else None),
            "players": list(names),
            "table": {f"{s}: {q}": {p: number(v[i]) for i, p in enumerate(names)}
                      for s, q, v in self.columns()},
            "schemes": {s: a.to_dict() for s, a in self.analyses.items()},
        }


#: Schemes never run implicitly (by :func:`report_schemes`): they need user input (a formula, a file of code).
EXPLICIT_ONLY = ("formula", "callable")


def report_schemes(model: Any) -> list[str]:
    """The schemes a whole-model report compares: the model's own first, then every registered
    scheme that needs no user input (:data:`EXPLICIT_ONLY` are left out).

    Examples
    --------
    >>> from mechsolve.model.schema import parse_model
    >>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b"], "value": {"values": [0, 1, 1, 3]},
    ...                  "scheme": {"name": "banzhaf"}})
    >>> names = report_schemes(m)
    >>> names[0], "shapley" in names, "callable" in names
    ('banzhaf', True, False)
    """
    from ..schemes import SCHEMES

    own = model.scheme.name
    return [own] + [s for s in SCHEMES if s != own and s not in EXPLICIT_ONLY]


def compare(model: Any, *, schemes: Sequence[str],
            check: bool = True, quantities: Sequence[str] = (), exact: bool | None = None,
            tolerance: float | None = None, seed: int = 0, source_path: str | None = None,
            inspect: bool = False, skip_inapplicable: bool = False, confirm: bool = True,
            learn: Any = None) -> Comparison:
    """Analyse ``model`` under each of ``schemes`` (see :func:`scheme_params` for parameters).

    ``inspect`` also computes the game's properties with the model's own scheme. With
    ``skip_inapplicable`` a scheme other than the model's own that refuses this market (bad
    input or unsupported, e.g. it needs budgets) is left out and its reason kept in
    :attr:`Comparison.skipped`; otherwise the error propagates. ``learn``
    (:class:`~mechsolve.data.learn.LearnOptions`): where a learned value is trained; one options
    object shares its in-memory records, so the market is trained once.
    """
    from ..errors import MechsolveError

    if learn is None and getattr(model.value, "learn", None) is not None:
        from ..data.learn import LearnOptions

        learn = LearnOptions(LearnOptions.from_env().cache, memo={})
    from .analysis import analyse_market

    if not schemes:
        raise InvalidModel("name at least one scheme", field="schemes")
    dup = sorted({s for s in schemes if list(schemes).count(s) > 1})
    if dup:
        raise InvalidModel(f"scheme {dup[0]!r} is listed twice", field="schemes")
    analyses = {}
    skipped: dict[str, str] = {}
    for s in schemes:
        mine = s == model.scheme.name
        own = None if mine else list(get_scheme(s).axioms)   # each scheme's own axioms
        try:
            analyses[s] = analyse_market(model, scheme=s, check=check, exact=exact, tolerance=tolerance,
                                         seed=seed, source_path=source_path, axioms=own, inspect=inspect and mine,
                                         confirm=confirm, learn=learn)
        except MechsolveError as exc:
            if mine or not skip_inapplicable:
                raise
            skipped[s] = " ".join(str(exc).split())
    if not analyses:
        raise InvalidModel("no scheme could be applied to this market", field="schemes")
    game = next(iter(analyses.values())).game
    sh = analyses["shapley"].outcome.allocation if "shapley" in analyses else shapley(game)
    return Comparison(model, game, analyses, sh, tuple(quantities), source_path, skipped)


@dataclass(frozen=True)
class ReplicationReport:
    """One scheme on the original market and on the market where ``player`` has ``k`` replicas."""

    scheme: str
    player: str
    k: int
    names: tuple[str, ...]
    quantities: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    allocation_name: str = ""

    def rows(self) -> list[list[Any]]:
        n = len(self.names)
        before, after = self.quantities[self.allocation_name]
        out = []
        for i, p in enumerate(self.names):
            extra = after[n:].sum() if p == self.player else 0 * after[i]
            out.append([p, before[i], after[i], after[i] + extra, after[i] + extra - before[i]])
        return out

    @property
    def gains(self) -> bool:
        """True when the replicating party and its replicas together get more than before."""
        i = self.names.index(self.player)
        return bool(self.rows()[i][4] > 1e-12)

    def to_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "player": self.player, "replicas": self.k,
                "quantity": self.allocation_name,
                "rows": [dict(zip(["player", "before", "after", "after_incl_replicas", "change"],
                                  [r[0], *map(number, r[1:])])) for r in self.rows()],
                "gains_by_replicating": self.gains}


def replication_report(game: Game, scheme: str, params: Mapping[str, Any], player: str, k: int
                       ) -> ReplicationReport:
    """Solve ``scheme`` before and after ``player`` replicates itself ``k`` times.

    Replicas have no budget entry (budget 0) and no cap.
    """
    from .axioms.payments import replication_study

    if player not in game.index:
        raise InvalidModel(f"no player {player!r}; players are: {', '.join(game.names)}", field="replicate")
    if k < 1:
        raise InvalidModel(f"the replica count must be >= 1, got {k}", field="replicate")
    sch = get_scheme(scheme)
    outcomes: dict[str, Any] = {}

    def rule(g: Game) -> np.ndarray:
        o = sch.compute(g, params)
        outcomes[len(g.names)] = o
        return o.allocation

    replication_study(game, rule, player, k)
    o0, o1 = outcomes[game.n], outcomes[game.n + k]
    qty = {q: (o0.per_player[q], o1.per_player[q]) for q in o0.per_player if q in o1.per_player}
    qty[o0.allocation_name] = (o0.allocation, o1.allocation)
    return ReplicationReport(scheme, player, k, game.names, qty, o0.allocation_name)


def parse_replicate(text: str) -> tuple[str, int]:
    """``"PLAYER:K"`` → ``(PLAYER, K)`` (the last ``:`` separates; names may contain ``:``)."""
    name, sep, count = text.rpartition(":")
    if not sep or not name:
        raise InvalidModel(f"expected PLAYER:K, got {text!r}", field="replicate")
    try:
        k = int(count)
    except ValueError:
        raise InvalidModel(f"K must be an integer, got {count!r}", field="replicate") from None
    return name, k


__all__ = ["compare", "report_schemes", "EXPLICIT_ONLY", "Comparison", "scheme_params", "replication_report", "ReplicationReport",
           "parse_replicate"]
