"""The main job on a declared model: build, solve, check — one call per model kind.

:func:`analyse` dispatches on the model's ``kind`` through :data:`HANDLERS`;
each handler returns a result with ``status`` and ``to_dict()``
(:func:`mechsolve.report.documents.document` lays it out for people). Adding a model kind is one handler plus one line.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b"],
...                  "value": {"values": [0, 1, 1, 3]}, "check": ["efficiency"]})
>>> a = analyse(m)
>>> a.outcome.allocation.tolist(), str(a.status)
([1.5, 1.5], 'solved')
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from .. import decide
from .axioms.base import AxiomContext
from .check import CheckReport, published_axiom, run_checks
from ..games.game import MAX_EXACT_PLAYERS, Game
from ..errors import InvalidModel, MechsolveError, Unsupported
from ..kinds import KINDS, resolve
from ..result import Status, exact_value, number, numbers
from ..data.market import build_game
from .sampled import analyse_sampled, is_sampled
from ..games.properties import PropertyResult, inspect_game
from ..schemes import get_scheme
from ..schemes.base import Outcome, Scheme
from ..model.market import CooperativeMarket
from ..model.resolved import scheme_params


@dataclass(frozen=True)
class MarketAnalysis:
    """Everything computed for a cooperative market.

    ``model`` is the declared market; it is ``None`` for a game given directly (the Python
    API's :func:`analyse_game`), whose scheme parameters are then ``params``.
    """

    model: CooperativeMarket | None
    game: Game
    outcome: Outcome
    checks: CheckReport | None
    properties: dict[str, PropertyResult] | None = None
    source_path: str | None = None
    params: dict[str, Any] | None = None
    name: str | None = None

    @property
    def scheme_params(self) -> dict[str, Any]:
        """The parameters the scheme ran with, as declared (the model's when it names this scheme)."""
        if self.params is not None:
            return dict(self.params)
        if self.model is not None and self.outcome.scheme == self.model.scheme.name:
            return dict(self.model.scheme.params)
        return {}

    @property
    def title(self) -> str | None:
        """The market's name: the model's ``name``, the given one, or the model file's stem."""
        if self.model is not None and self.model.name:
            return self.model.name
        if self.name:
            return self.name
        return Path(self.source_path).stem if self.source_path else None

    @property
    def status(self) -> Status:
        """``violated`` when a checked axiom is violated, else ``solved``."""
        return Status.VIOLATED if self.checks is not None and self.checks.violated else Status.SOLVED

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON object keyed by player names (see README, "JSON output")."""
        names = self.game.names
        per = {q: {p: number(vec[i]) for i, p in enumerate(names)} for q, vec in self.outcome.per_player.items()}
        out: dict[str, Any] = {
            "mechsolve": __version__,
            "kind": "cooperative-market",
            "model": self.title,
            "players": list(names),
            "exact": self.game.exact,
            "scheme": {"name": self.outcome.scheme, **self.scheme_params},
            "allocation": self.outcome.allocation_name,
            "values": per,
            "scalars": numbers(dict(self.outcome.scalars)),
            "matrices": {k: {p: {q: number(m[i, j]) for j, q in enumerate(names)}
                             for i, p in enumerate(names)} for k, m in self.outcome.matrices.items()},
            "notes": list(self.outcome.notes),
        }
        if self.outcome.certificates:   # exact certificates of stability schemes (JSON-ready)
            out["certificates"] = dict(self.outcome.certificates)
        if self.game.exact:
            out["exact_values"] = {q: {p: exact_value(vec[i]) for i, p in enumerate(names)}
                                   for q, vec in self.outcome.per_player.items()}
        if "learned" in self.game.meta:
            out["learned"] = self.game.meta["learned"].to_dict()
        if self.properties is not None:
            out["properties"] = {k: numbers(r.to_dict()) for k, r in self.properties.items()}
        if self.checks is not None:
            out["checks"] = self.checks.to_dict()
        return out

def analyse_market(model: CooperativeMarket, *,
                   exact: bool | None = None, tolerance: float | None = None,
                   axioms: Sequence[str] | None = None, check: bool = True, inspect: bool = False,
                   scheme: str | None = None, seed: int = 0, source_path: str | None = None,
                   confirm: bool = True, learn: Any = None) -> MarketAnalysis:
    """Build the game, apply the scheme, check the axioms (model's list unless given).

    A callable value with ``scheme: {name: shapley, method: monte-carlo}`` is sampled, never
    tabulated (:mod:`mechsolve.verify.sampled`), so markets of 30…1000 players work; so is a
    learned value (``value: {learn: ...}``), training only the coalitions the samples visit.
    ``learn`` (:class:`~mechsolve.data.learn.LearnOptions`): where trainings run and are cached.
    """
    sch = get_scheme(scheme or model.scheme.name)
    params = scheme_params(model) if scheme is None or scheme == model.scheme.name else {}
    if is_sampled(model, sch.name, params):
        sch.validate_params(params)
        if inspect:
            raise Unsupported("game properties need the whole 2^n table; this market is sampled "
                              "(Monte Carlo on a callable)", field="scheme.method")
        if exact:
            raise InvalidModel("exact mode needs the whole table; Monte Carlo is float64", field="exact")
        return analyse_sampled(model, params, axioms=axioms, check=check,  # type: ignore[return-value]
                               tolerance=model.tolerance if tolerance is None else tolerance, seed=seed,
                               source_path=source_path, learn=learn)
    game = build_game(model, exact=exact, learn=learn)
    if model.budgets is not None and "budgets" in sch.params and "budgets" not in params:
        params = {**params, "budgets": dict(model.budgets)}  # the model's budgets (Nguyen et al. Sec. 4)
    sch.validate_params(params)
    tol = model.tolerance if tolerance is None else tolerance
    names: list[Any] | None = None
    if check:
        names = list(axioms if axioms else (model.check if model.check is not None else sch.axioms))
        if model.expected and not axioms:
            names.append(published_axiom(model.expected, model.expected_tolerance))
    outcome, report = solve_and_check(game, sch, params, _ExactTwin(model, game) if confirm else None,
                                      names, tolerance=tol, seed=seed, extra={"model": model}, confirm=confirm)
    props = inspect_game(game, 0.0 if game.exact else tol) if inspect else None
    return MarketAnalysis(model, game, outcome, report, props, source_path)


def solve_and_check(game: Game, sch: Scheme, params: Any, twin: Any, axioms: Sequence[Any] | None, *,
                    tolerance: float, seed: int = 0, extra: dict[str, Any] | None = None, confirm: bool = True
                    ) -> tuple[Outcome, CheckReport | None]:
    """Apply the scheme (borderline decisions re-decided exactly) and check ``axioms`` (``None``: no check).

    ``twin`` builds the exact rational twin (``game()``, ``outcome(scheme, params)``) for borderline
    decisions and verdicts; ``None`` when the data have none (or ``confirm`` is off: borderline
    verdicts are then reported as such).
    """
    with decide.tolerance(tolerance):
        outcome = solve_decided(sch, game, params, twin)
        if axioms is None:
            return outcome, None
        rule = sch.rule_for(params, game.names)

        def exact_context() -> AxiomContext | None:
            assert twin is not None
            return AxiomContext(twin.game(), twin.outcome(sch, params), rule, tolerance, seed, extra or {},
                                keep_tolerance=True)

        report = run_checks(game, outcome, rule, list(axioms), tolerance=tolerance, seed=seed, extra=extra or {},
                            exact_twin=None if game.exact or twin is None else exact_context, confirm=confirm)
    return outcome, report


def analyse_game(game: Game, scheme: str | Scheme = "shapley", params: dict[str, Any] | None = None, *,
                 axioms: Sequence[Any] | None = None, check: bool = True, tolerance: float = 1e-9, seed: int = 0,
                 exact: bool = False, inspect: bool = False, name: str | None = None,
                 extra: dict[str, Any] | None = None, confirm: bool = True) -> MarketAnalysis:
    """The main job on a game given directly (no model file): apply ``scheme``, check its axioms.

    ``axioms`` default to the scheme's own list. With ``exact`` the game is taken in exact
    rational arithmetic (each float as the decimal it prints as) and verdicts have zero
    tolerance. In float arithmetic a borderline decision or verdict is re-decided on the exact
    twin — the game's values read as the decimals they print as, the reading of model files —
    unless the game says its values are computed (``meta["rational"]`` False: values of a shapiq
    game, a pyDVL utility, a callable), when it is reported as borderline.

    Examples
    --------
    >>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
    >>> a = analyse_game(g, "banzhaf", axioms=["symmetry", "efficiency"])
    >>> a.outcome.allocation.tolist(), [str(v.status) for v in a.checks]
    ([1.5, 2.5], ['not-applicable', 'holds'])
    """
    sch = scheme if isinstance(scheme, Scheme) else get_scheme(scheme)
    params = dict(params or {})
    sch.validate_params(params)
    if exact and not game.exact:
        game = game.to_exact(decimals=True)
    twin = None if (game.exact or not confirm or game.meta.get("rational") is False
                    or game.n > MAX_EXACT_PLAYERS) else _GameTwin(game)
    names = None if not check else list(axioms if axioms else sch.axioms)
    outcome, report = solve_and_check(game, sch, params, twin, names, tolerance=tolerance, seed=seed, extra=extra,
                                      confirm=confirm)
    props = inspect_game(game, 0.0 if game.exact else tolerance) if inspect else None
    return MarketAnalysis(None, game, outcome, report, props, None, params, name)


class _GameTwin:
    """The exact twin of a float game given directly: its values as the decimals they print as."""

    def __init__(self, game: Game) -> None:
        self.float_game = game
        self._game: Game | None = None
        self._outcomes: dict[str, Outcome] = {}

    def game(self) -> Game:
        if self._game is None:
            self._game = self.float_game.to_exact(decimals=True)
        return self._game

    def outcome(self, sch: Scheme, params: Any) -> Outcome:
        if sch.name not in self._outcomes:
            self._outcomes[sch.name] = sch.compute(self.game(), params)
        return self._outcomes[sch.name]


class _ExactTwin:
    """The exact rational twin of a float market, built on demand (and once).

    Tables, value lists and value files are rational as written (decimals read as the
    fractions they denote, as ``--exact`` reads them); values computed from datasets (MMD) or
    returned by a callable are not, and have no twin.
    """

    def __init__(self, model: CooperativeMarket, game: Game) -> None:
        self.model, self.float_game = model, game
        self._game: Game | None = None
        self._outcomes: dict[str, Outcome] = {}

    def game(self) -> Game:
        if self._game is None:
            v = self.model.value
            if (getattr(v, "datasets", None) is not None or v.callable is not None
                    or getattr(v, "learn", None) is not None):
                raise Unsupported("the values are computed (from datasets, trained models or a callable), not "
                                  "rational data", field="exact")
            if self.float_game.n > MAX_EXACT_PLAYERS:
                raise Unsupported(f"n = {self.float_game.n} is above the exact-arithmetic limit of "
                                  f"{MAX_EXACT_PLAYERS} players", field="exact")
            self._game = build_game(self.model, exact=True)  # from the data read at load: no file read again
        return self._game

    def outcome(self, sch: Scheme, params: Any) -> Outcome:
        if sch.name not in self._outcomes:
            self._outcomes[sch.name] = sch.compute(self.game(), params)
        return self._outcomes[sch.name]


def solve_decided(sch: Scheme, game: Game, params: Any, twin: Any) -> Outcome:
    """Apply the scheme; when a decision inside it was borderline in float, decide it exactly.

    Every comparison a scheme makes on computed numbers goes through :mod:`mechsolve.decide`;
    if one was borderline (a tie, a threshold, a premise within the band of the tolerance) and
    the data are rational, the scheme is recomputed in exact arithmetic and its outcome shown
    in float with a note; otherwise the note says the decision was borderline.
    """
    with decide.recording() as log:
        outcome = sch.compute(game, params)
    if not log or game.exact:
        return outcome
    what = "; ".join(dict.fromkeys(b.what for b in log))
    try:
        exact = twin.outcome(sch, params) if twin is not None else None
    except MechsolveError as why:
        return dataclasses.replace(outcome, notes=outcome.notes + (
            f"borderline decision(s) within the band of the tolerance: {what}; not decided exactly: "
            f"{' '.join(str(why).split())}",))
    if exact is None:
        return outcome
    return exact.as_float(note=f"decided exactly (rational arithmetic) because float arithmetic could not "
                               f"decide: {what}")


#: Overrides of a kind's analysis (tests); otherwise the kind's ``analyse`` in :data:`mechsolve.kinds.KINDS`.
HANDLERS: dict[str, Callable[..., Any]] = {}


def handler(kind: str) -> Callable[..., Any]:
    """The analysis function of model kind ``kind`` (registered in :data:`mechsolve.kinds.KINDS`)."""
    if kind in HANDLERS:
        return HANDLERS[kind]
    if kind not in KINDS:
        raise Unsupported(f"no analysis for kind {kind!r}; registered: {', '.join(KINDS)}", field="kind")
    return resolve(KINDS[kind].analyse)  # type: ignore[no-any-return]


def analyse(model: Any, **kwargs: Any) -> Any:
    """Run the main job for any model kind (``learn``, the options of learned values, only reaches markets).

    ``model`` is a validated spec; the files it names were read when it was loaded
    (:func:`mechsolve.model.io.load`), so nothing here reads a file.
    """
    if model.kind != "cooperative-market":
        kwargs.pop("learn", None)
    return handler(model.kind)(model, **kwargs)


def analyse_file(path: str | os.PathLike[str], **kwargs: Any) -> Any:
    """The main job on a model file, as ``mechsolve solve/check`` run it (its references read at load)."""
    from ..model.io import load

    return analyse(load(path), source_path=str(path), **kwargs)
