"""The search space of cooperative games: a registered scheme (built-in or user-proposed) and one axiom.

:class:`GameSpace` draws games from *families* (:mod:`.families`: generators that build valid
members directly, with planted null players and replicas), with the scheme's parameters fixed
or drawn from a grid, and screens them in float64 (the signed residual steers the hill-climb).
A violation is shrunk by the engine (:func:`mechsolve.verify.search.engine.shrink`) through
:meth:`GameSpace.reductions`:

1. **fewer players**: a player deleted (:meth:`Game.restrict`), conditioned on
   (:meth:`Game.marginal`) or merged into another player (:func:`merge_players`);
2. **simpler numbers**: all values at once (integers, possibly after scaling, halves, tenths,
   hundredths), then one coalition at a time (0, ±1, rounded);

every step staying in the family and **confirmed exactly** (:meth:`GameSpace.confirm`): the
scheme and the axiom are rerun on the game as the decimals written in the counterexample file
denote them (``Fraction(repr(x))``, what ``mechsolve check --exact`` reads), with zero tolerance.
A scheme that only computes in float64 is confirmed in float64, and the result says so.

User schemes (``formula``, ``callable``; :mod:`mechsolve.schemes.user`) are registered schemes
with parameters, so they are searched the same way.

Examples
--------
>>> r = search("shapley", "efficiency", sizes=(2, 3), budget=20, seed=1)
>>> r.status
'no-counterexample-found'
>>> r = search("shapley", "individual-rationality", sizes=(2, 3), budget=200, seed=1)
>>> r.status, r.counterexample.game.n
('violated', 2)
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .engine import CHUNK_SIZE, run
from .families import FAMILIES, Family, get_family, plant, sample_raw
from .space import Assessment, Confirmation, Counterexample, SearchResult, SpaceOptions, plain, screen
from ..axioms import AXIOMS, Axiom, AxiomContext, get_axiom
from ..check import evaluate
from ..verdict import VIOLATED
from ...errors import InvalidModel, MechsolveError
from ...games.game import Game
from ...schemes import SCHEMES, Scheme, get_scheme

#: Largest number of players a search draws (exact confirmation is ~2^n Fractions per rule call).
MAX_SEARCH_PLAYERS = 8
#: Confirmations (scheme + axiom evaluations) the shrinker may spend.
SHRINK_BUDGET = 600
EXACTLY = "exactly (rational arithmetic, zero tolerance)"


# --------------------------------------------------------------------------- numbers as written
def _exact_decimal(x: Any) -> Fraction:
    """The rational a written number denotes: ints exactly, floats as their shortest decimal."""
    if isinstance(x, Fraction):
        return x
    f = float(x)
    return Fraction(int(f)) if f.is_integer() else Fraction(repr(f))


def decimal_text(x: Any) -> Any:
    """A model-file number: an int when integral, else the float whose repr is the decimal."""
    q = _exact_decimal(x)
    return int(q) if q.denominator == 1 else float(q)


def decimal_game(game: Game) -> Game:
    """The exact game the decimals of ``game`` denote (what ``check --exact`` reads from the file)."""
    arr = np.empty(2**game.n, dtype=object)
    arr[:] = [_exact_decimal(x) for x in game.values]
    return Game(game.names, arr, game.meta)


def _names(n: int) -> tuple[str, ...]:
    return tuple(f"p{k + 1}" for k in range(n))


def _rename(game: Game) -> Game:
    return Game(_names(game.n), game.values, game.meta)


# --------------------------------------------------------------------------- player reductions
def merge_players(game: Game, i: int, j: int) -> Game:
    """Players ``i`` and ``j`` merged into one (named after ``i``): ``v'(S) = v(S ∪ {j})`` when ``i ∈ S``,
    else ``v(S)``, on ``N ∖ {j}`` — the pair always joins together.

    Examples
    --------
    >>> g = Game.from_values(["a", "b", "c"], [0, 1, 1, 3, 0, 1, 1, 3])
    >>> merge_players(g, 0, 1).values.tolist()     # {ab, c}: v(ab) = 3
    [0.0, 3.0, 0.0, 3.0]
    """
    n = game.n
    if i == j or not (0 <= i < n and 0 <= j < n):
        raise InvalidModel(f"cannot merge players {i} and {j} of {n}", field="players")
    small = np.arange(2 ** (n - 1), dtype=np.int64)
    low = small & ((1 << j) - 1)
    full = low | ((small >> j) << (j + 1))                   # insert a 0 bit at position j
    ii = i if i < j else i + 1                               # position of i in the full mask
    full = full | (((full >> ii) & 1) << j)                  # j joins exactly when i does
    names = game.names[:j] + game.names[j + 1:]
    return Game(names, game.values[full].copy())


def player_reductions(game: Game) -> list[tuple[str, Game]]:
    """Every game with one player fewer that shrinking tries, simplest first.

    For each player ``k``: *delete* it (restrict to ``N ∖ {k}``), *condition* on it
    (the marginal game ``v(S ∪ k) − v(k)``), and *merge* it into another player ``j``.
    A violation that needs the interaction of ``k`` with the rest (e.g. a null
    player beside a unanimity pair) survives one of the last two even when deleting
    ``k`` removes it.
    """
    out: list[tuple[str, Game]] = []
    n = game.n
    for k in range(n):
        out.append((f"delete {game.names[k]}", game.restrict(game.grand & ~(1 << k))))
    for k in range(n):
        out.append((f"condition on {game.names[k]}", game.marginal(k)))
    for k in range(n):
        for j in range(n):
            if j != k:
                out.append((f"merge {game.names[k]} into {game.names[j]}", merge_players(game, j, k)))
    return out


def _number_complexity(game: Game) -> float:
    """How hard the numbers are to read: total length of the written decimals, plus players."""
    return 40 * game.n + sum(10 * len(str(decimal_text(x))) + min(abs(float(x)), 100.0) for x in game.values)


def _candidates(x: float) -> list[float]:
    out = [0.0, 1.0, -1.0, float(round(x)), round(2 * x) / 2, round(10 * x) / 10, round(100 * x) / 100]
    return [c for c in dict.fromkeys(out) if c != x]


# --------------------------------------------------------------------------- the space
@dataclass(frozen=True, eq=False)
class GameInstance:
    """A searched game with the scheme parameters it is checked under.

    ``raw``, ``aux`` and ``planted`` record how the family built it (a hill-climbing step
    mutates ``raw``); shrunk and canonical instances have ``raw = None``.
    """

    game: Game
    params: Mapping[str, Any]
    family: str
    raw: np.ndarray | None = None
    aux: Mapping[str, Any] = field(default_factory=dict)
    planted: bool = False

    def with_game(self, game: Game) -> GameInstance:
        return GameInstance(game, self.params, self.family)


class _NoExact(Exception):
    pass


class GameSpace:
    """Cooperative games from families, checked against one axiom under one scheme.

    Parameters
    ----------
    scheme, axiom : str, Scheme or Axiom
        Registered names (or objects: then the search runs in one process only).
    sizes : sequence of int
        Numbers of players to draw (smallest first, round robin), at most :data:`MAX_SEARCH_PLAYERS`.
    families : sequence of str
        Names from :data:`~mechsolve.verify.search.families.FAMILIES`; ``from-table`` needs ``table``.
    params, param_grid : mapping
        Fixed scheme parameters; ``param_grid`` adds parameters drawn per instance from the given
        values (they become part of the counterexample).
    tolerance : float
        Absolute tolerance of the float screening (confirmation is exact).
    axiom_seed : int
        Seed of randomised axioms (sampled coalitions).
    min_players : int
        Shrinking keeps at least this many players.

    Examples
    --------
    >>> space = GameSpace("shapley", "null-player", sizes=(3,))
    >>> inst = space.draw(np.random.default_rng(0), 0)
    >>> inst.game.n, space.member(inst), space.describe(inst)
    (3, True, 'a 3-player normalised game')
    """

    step = 0.5
    shrink_budget = SHRINK_BUDGET
    counters = ("by_size",)
    totals = ("planted",)
    noun = "scheme"
    size_label = "players"
    default_budget = 300

    def __init__(self, scheme: str | Scheme, axiom: str | Axiom, *, sizes: Sequence[int] = (2, 3, 4),
                 families: Sequence[str] = ("normalised",), params: Mapping[str, Any] | None = None,
                 param_grid: Mapping[str, Sequence[Any]] | None = None, table: Game | None = None,
                 tolerance: float = 1e-9, axiom_seed: int = 0, min_players: int = 1) -> None:
        sch = get_scheme(scheme) if isinstance(scheme, str) else scheme
        ax = get_axiom(axiom) if isinstance(axiom, str) else axiom
        fams = [get_family(f) for f in families]
        if not fams:
            raise InvalidModel("give at least one family", field="family")
        sizes = sorted(set(int(s) for s in sizes))
        if not sizes or sizes[0] < 1 or sizes[-1] > MAX_SEARCH_PLAYERS:
            raise InvalidModel(f"sizes must lie in 1..{MAX_SEARCH_PLAYERS}, got {sizes}", field="players")
        if any(f.name == "from-table" for f in fams):
            if table is None:
                raise InvalidModel("family from-table needs a value table (from-table FILE)", field="family")
            if sizes[0] > table.n:
                raise InvalidModel(f"the table has {table.n} players; sizes {sizes} exceed it", field="players")
        base = dict(params or {})
        grid = {k: list(v) for k, v in (param_grid or {}).items()}
        for k, vals in grid.items():
            if not vals:
                raise InvalidModel(f"parameter {k!r} has no values to search", field=f"param.{k}")
        sch.validate_params({**base, **{k: v[0] for k, v in grid.items()}})
        # registered rules travel by name (picklable for worker processes)
        self._scheme = sch.name if SCHEMES.get(sch.name) is sch else sch
        self._axiom = ax.name if AXIOMS.get(ax.name) is ax else ax
        self.sizes = tuple(sizes)
        self.families = tuple(f.name for f in fams)
        self.params = base
        self.grid = grid
        self.table = table
        self.tolerance = float(tolerance)
        self.axiom_seed = int(axiom_seed)
        self.min_players = int(min_players)

    # ------------------------------------------------------------------ what is checked
    @property
    def scheme(self) -> Scheme:
        return get_scheme(self._scheme) if isinstance(self._scheme, str) else self._scheme

    @property
    def axiom_object(self) -> Axiom:
        return get_axiom(self._axiom) if isinstance(self._axiom, str) else self._axiom

    @property
    def axiom(self) -> str:
        return self._axiom if isinstance(self._axiom, str) else self._axiom.name

    @property
    def rule(self) -> str:
        return self._scheme if isinstance(self._scheme, str) else self._scheme.name

    # ------------------------------------------------------------------ drawing
    def draw(self, rng: np.random.Generator, i: int) -> GameInstance:
        n = self.sizes[i % len(self.sizes)]
        fam = get_family(self.families[(i // len(self.sizes)) % len(self.families)])
        aux: dict[str, Any] = {}
        if fam.name == "from-table":
            table = self.table
            assert table is not None
            n = min(n, table.n)
            keep = sorted(rng.choice(table.n, size=n, replace=False).tolist())
            vals = table.restrict(sum(1 << k for k in keep)).to_float().values
            aux = {"base": vals, "scale": float(np.abs(vals).max()) or 1.0,
                   "eps": float(rng.choice([0.0, 0.01, 0.1])), "players": [table.names[k] for k in keep]}
        raw = sample_raw(rng, 2**n)
        drawn = {k: v[int(rng.integers(len(v)))] for k, v in self.grid.items()}
        aux["planted"] = "plant" if rng.random() < 0.4 else None
        return self._realise(raw, n, fam, aux, {**self.params, **drawn})

    def mutate(self, inst: GameInstance, rng: np.random.Generator, scale: float) -> GameInstance:
        assert inst.raw is not None
        raw = inst.raw + rng.normal(0.0, scale, inst.raw.size)
        return self._realise(raw, inst.game.n, get_family(inst.family), inst.aux, inst.params)

    def _realise(self, raw: np.ndarray, n: int, fam: Family, aux: Mapping[str, Any],
                 params: Mapping[str, Any]) -> GameInstance:
        values = fam.transform(raw, n, aux)
        planted = False
        if aux.get("planted"):
            # a stable hash (crc32), not hash(): the planted structure must not depend on the process
            with_structure, what = plant(values, n, np.random.default_rng(zlib.crc32(raw.tobytes())))
            if what and fam.member(Game(_names(n), with_structure), 1e-9):
                values, planted = with_structure, True
        return GameInstance(Game(_names(n), values.astype(np.float64)), params, fam.name, raw, aux, planted)

    def tally(self, inst: GameInstance) -> dict[str, Any]:
        return {"by_size": inst.game.n, "planted": inst.planted}

    def stats_header(self) -> dict[str, Any]:
        return {"sizes": list(self.sizes), "families": list(self.families)}

    # ------------------------------------------------------------------ shrinking
    def reductions(self, inst: GameInstance) -> Iterator[GameInstance]:
        """Fewer players (delete, condition on, merge), then all numbers at once, then one at a time."""
        game = inst.game
        if game.n > self.min_players:
            for _, cand in player_reductions(game):
                yield inst.with_game(cand)
        v = game.values.astype(np.float64)
        for w in (np.round(v), np.round(v * 2), np.round(v * 4), np.round(v * 10), np.round(v * 2) / 2,
                  np.round(v * 10) / 10, np.round(v * 100) / 100):
            yield inst.with_game(game.with_values(w.astype(np.float64)))
        for m in range(2**game.n):
            for c in _candidates(float(game.values[m])):
                w = game.values.astype(np.float64).copy()
                w[m] = c
                yield inst.with_game(game.with_values(w))

    def complexity(self, inst: GameInstance) -> tuple[int, float]:
        """Fewer players first, then shorter decimals (a player reduction is always simpler)."""
        return inst.game.n, _number_complexity(inst.game)

    def member(self, inst: GameInstance) -> bool:
        return get_family(inst.family).member(inst.game, 0.0)

    def canonical(self, inst: GameInstance) -> GameInstance:
        """Players renamed p1..pn, values as the written decimals denote them."""
        return inst.with_game(_rename(decimal_game(inst.game).to_float()))

    # ------------------------------------------------------------------ screening and confirmation
    def assess(self, inst: GameInstance) -> Assessment:
        """Float screening (:func:`~mechsolve.verify.search.space.screen`); the score is scale-free
        (divided by ``1 + max |v(S)|``)."""
        sch, game, params = self.scheme, inst.game, inst.params

        def context() -> AxiomContext:
            return AxiomContext(game, sch.compute(game, params), lambda g: sch.rule(g, params), self.tolerance,
                                self.axiom_seed)

        return screen([self.axiom_object], context,
                      lambda ctx: 1.0 + float(np.abs(game.values.astype(np.float64)).max()))

    def confirm(self, inst: GameInstance) -> Confirmation:
        """Rerun the axiom on the exact game the decimals of the game denote (zero tolerance).

        When the scheme does not compute exactly, the float game is judged with the search's
        tolerance instead, and ``how`` says so.
        """
        sch, ax, params = self.scheme, self.axiom_object, inst.params
        try:
            exact = decimal_game(inst.game)
            try:
                outcome = sch.compute(exact, params)
                alloc = np.asarray(outcome.allocation)
                if not (alloc.dtype == object and all(isinstance(x, (Fraction, int)) for x in alloc)):
                    raise _NoExact(f"scheme {sch.name!r} returned float results on an exact game")
                ctx = AxiomContext(exact, outcome, lambda g: sch.rule(g, params), 0.0, self.axiom_seed)
                v, how, is_exact = evaluate(ax, ctx), EXACTLY, True
            except _NoExact as why:
                game = inst.game.to_float()
                ctx = AxiomContext(game, sch.compute(game, params), lambda g: sch.rule(g, params),
                                   self.tolerance, self.axiom_seed)
                v, is_exact = evaluate(ax, ctx), False
                how = f"in float64 only with tolerance {self.tolerance:g} ({why})"
        except MechsolveError:
            return Confirmation(None, "the scheme raised an error", False)
        return Confirmation(v if v.status == VIOLATED else None, how, is_exact)

    def explain(self, inst: GameInstance) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------------ what results and reports show
    def describe(self, inst: GameInstance) -> str:
        return f"a {inst.game.n}-player {inst.family} game"

    def size(self, inst: GameInstance) -> int:
        return inst.game.n

    @property
    def title(self) -> str:
        return f"scheme {self.rule}"

    @property
    def heading(self) -> str:
        return self.axiom

    def to_dict(self) -> dict[str, Any]:
        return {"scheme": self.rule, "params": dict(self.params)}

    def setting(self) -> list[tuple[str, Any]]:
        return [("scheme", self.rule)] + ([("parameters", dict(self.params))] if self.params else [])

    def searched(self, stats: Mapping[str, Any]) -> str:
        return (f"of sizes {','.join(map(str, stats['sizes']))} from families "
                f"{', '.join(stats['families'])}")

    def facts(self) -> list[tuple[str, Any]]:
        return []

    def counterexample_dict(self, cx: Counterexample) -> dict[str, Any]:
        g = cx.instance.game
        return {"players": list(g.names),
                "values": {",".join(g.members(m)): decimal_text(g.values[m]) for m in range(2**g.n)},
                "params": dict(cx.instance.params), "family": cx.instance.family,
                "original_players": cx.original.game.n}

    def counterexample_facts(self, cx: Counterexample) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = [("family", cx.instance.family)]
        if cx.instance.params:
            out.append(("scheme parameters of the counterexample", dict(cx.instance.params)))
        return out

    def tables(self, inst: GameInstance) -> list[tuple[str, list[str], list[list[Any]]]]:
        g = inst.game
        return [("counterexample game", ["coalition", "v(S)"],
                 [["{" + ", ".join(g.members(m)) + "}", decimal_text(g.values[m])] for m in range(2**g.n)])]

    def to_model(self, result: SearchResult) -> dict[str, Any]:
        """A ``cooperative-market`` model mapping (``mechsolve check`` exits 1 on it)."""
        cx = result.counterexample
        assert cx is not None
        g = cx.instance.game
        table = {(",".join(g.members(m)) or "∅"): decimal_text(g.values[m]) for m in range(2**g.n)}
        desc = (f"Counterexample found by `mechsolve verify` (search seed {result.stats['seed']}, instance "
                f"{cx.found_at}, family {cx.instance.family}, shrunk from {cx.original.game.n} to {g.n} players "
                f"in {cx.shrink_steps} steps). {result.axiom} is violated {cx.witness_line()}; confirmed "
                f"{cx.confirmation}.")
        model: dict[str, Any] = {"kind": "cooperative-market", "name": f"{self.rule} violates {result.axiom}",
                                 "description": desc, "players": list(g.names), "value": {"table": table}}
        if table["∅"] != 0:
            model["normalised"] = False
        model["scheme"] = {"name": self.rule, **{k: plain(v) for k, v in cx.instance.params.items()}}
        model["check"] = [result.axiom]
        model["tolerance"] = self.tolerance
        return model


def parse_params(items: Sequence[str]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """``KEY=V`` (fixed) or ``KEY=V1,V2,...`` (searched) → (params, grid); values are YAML scalars.

    Examples
    --------
    >>> parse_params(["alpha=0.5", "beta=1,2"])
    ({'alpha': 0.5}, {'beta': [1, 2]})
    """
    import yaml

    fixed: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InvalidModel(f"--param must look like KEY=VALUE or KEY=V1,V2, got {item!r}", field="param")
        try:
            vals = [yaml.safe_load(t) for t in text.split(",")] if text.strip() else [None]
        except yaml.YAMLError:
            raise InvalidModel(f"cannot read the values of --param {item!r}", field="param") from None
        if len(vals) == 1:
            fixed[key.strip()] = vals[0]
        else:
            grid[key.strip()] = vals
    return fixed, grid


def spaces_from_options(axioms: Sequence[str], options: SpaceOptions | Mapping[str, Any],
                        tolerance: float = 1e-9) -> tuple[list[GameSpace], dict[str, Any]]:
    """One :class:`GameSpace` per axiom (default: those the scheme claims), from ``mechsolve verify``'s options.

    Options: exactly one of ``scheme`` (a registered name), ``scheme-formula``, ``scheme-callable``
    (a :class:`~mechsolve.model.resolved.Code` the caller read with :func:`mechsolve.model.io.read_code`,
    run only with consent); ``players`` (``2..4``); ``family`` (names of
    :data:`~mechsolve.verify.search.families.FAMILIES`, default ``normalised``); ``table`` (a
    :class:`~mechsolve.games.game.Game` the caller loaded, for ``from-table``); ``param``
    (``KEY=VALUE`` or ``KEY=V1,V2,...``).

    Examples
    --------
    >>> spaces, header = spaces_from_options(["null-player"], {"scheme": "shapley", "players": "3"})
    >>> header, spaces[0].sizes
    ({'scheme': 'shapley', 'params': {}}, (3,))
    """
    from ...schemes.user import user_scheme_params
    from .space import parse_sizes

    opt = options if isinstance(options, SpaceOptions) else SpaceOptions(options)
    name, formula = opt.text("scheme"), opt.text("scheme-formula")
    call = opt.value("scheme-callable")           # the rule's code, read by the caller (the CLI: read_code)
    if isinstance(call, (list, tuple)):
        call = call[0] if len(call) == 1 else opt.text("scheme-callable")
    if sum(x is not None for x in (name, formula, call)) != 1:
        raise InvalidModel("give exactly one of --scheme, --scheme-formula, --scheme-callable", field="scheme")
    sizes = parse_sizes(opt.text("players", "2..4") or "", "players")
    families = opt.texts("family") or ["normalised"]
    table = opt.value("table")
    if table is not None and not isinstance(table, Game):
        raise InvalidModel("a value table is loaded from a file: give it with --table FILE", field="table")
    fixed, grid = parse_params(opt.texts("param", split=False))
    opt.finish()
    if name is not None:
        sch = get_scheme(name)
        params: dict[str, Any] = {}
    else:
        sch, params = user_scheme_params(formula, call)
    params.update(fixed)
    names = list(axioms) if axioms else list(sch.axioms)
    return [GameSpace(sch, ax, sizes=sizes, families=families, params=params, param_grid=grid, table=table,
                      tolerance=tolerance) for ax in names], {"scheme": sch.name, "params": params}


def search(scheme: str | Scheme, axiom: str | Axiom, *, sizes: Sequence[int] = (2, 3, 4),
           families: Sequence[str] = ("normalised",), budget: int | None = 200,
           time_limit: float | None = None, seed: int = 0, tolerance: float = 1e-9,
           params: Mapping[str, Any] | None = None,
           param_grid: Mapping[str, Sequence[Any]] | None = None, table: Game | None = None,
           do_shrink: bool = True, axiom_seed: int = 0, min_players: int = 1,
           progress: Callable[[int], None] | None = None, workers: int | None = 1,
           scheduler: str | None = None, chunk_size: int = CHUNK_SIZE) -> SearchResult:
    """Search for a game on which ``scheme`` violates ``axiom`` (:class:`GameSpace` through
    :func:`mechsolve.verify.search.engine.run`).

    Parameters are those of :class:`GameSpace` and :func:`~mechsolve.verify.search.engine.run`
    (``do_shrink`` is ``shrink_found``). For a given ``seed`` and ``budget`` the result does
    not depend on ``workers``/``scheduler``.

    Examples
    --------
    >>> search("shapley", "null-player", sizes=(3,), budget=30).status
    'no-counterexample-found'
    """
    space = GameSpace(scheme, axiom, sizes=sizes, families=families, params=params, param_grid=param_grid,
                      table=table, tolerance=tolerance, axiom_seed=axiom_seed, min_players=min_players)
    return run(space, budget=budget, time_limit=time_limit, seed=seed, shrink_found=do_shrink,
               progress=progress, workers=workers, scheduler=scheduler, chunk_size=chunk_size)


__all__ = ["GameSpace", "GameInstance", "search", "spaces_from_options", "parse_params", "merge_players", "player_reductions", "decimal_game",
           "decimal_text", "FAMILIES", "MAX_SEARCH_PLAYERS", "SHRINK_BUDGET"]
