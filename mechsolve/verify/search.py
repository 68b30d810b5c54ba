"""Counterexample search over instance families, with shrinking and exact confirmation.

:func:`search` looks for a game on which a registered scheme violates a
registered axiom. It draws instances from *families* of games (each family is
a generator that builds valid members directly, plus a membership predicate
used while shrinking), evaluates the axiom's residuals in float64, and steers
towards violations by hill-climbing on the signed residual (the largest
``expected − got`` for ``≥``, ``|got − expected|`` for ``=``; Hypothesis'
``target()`` idea). A violation is then

1. **shrunk**: players are dropped while it stays a violation and a family
   member — deleted (:meth:`Game.restrict`), conditioned on
   (:meth:`Game.marginal`) or merged into another player
   (:func:`merge_players`) — then numbers are simplified (integers, halves,
   tenths, ...), all at once and one coalition at a time;
2. **confirmed exactly**: the scheme and the axiom are rerun on the game as the
   decimals written in the counterexample file denote them
   (``Fraction(repr(x))``, what ``mechsolve check --exact`` reads), with zero
   tolerance. A float violation that does not confirm is *discarded* (and
   counted) — floating point is never the cause of a reported violation.

The search is cut into seeded chunks of :data:`CHUNK_SIZE` instances that run in
this process, in local worker processes or on a Dask cluster
(:mod:`mechsolve.parallel`); the lowest chunk with a violation wins, so for a
given seed and budget the answer does not depend on where it ran.

The verdict is ``violated`` (with the shrunk counterexample and a model file
that ``mechsolve check`` reproduces with exit 1) or ``no-counterexample-found``
with what was searched — never "proved": proofs come from
:mod:`mechsolve.verify.symbolic`.

Families
--------
``any``            arbitrary values, ``v(∅)`` too
``normalised``     arbitrary values with ``v(∅) = 0``
``monotone``       ``v(S) ≤ v(S ∪ i)``, ``v(∅) = 0`` (max-closure of non-negative draws)
``supermodular``   monotone and supermodular (convex), ``v(∅) = 0``: non-negative
                   Möbius coefficients — Ohrimenko et al.'s gain assumptions (ii)–(iii)
``unanimity``      non-negative combinations of at most two unanimity games ``u_T``
``zero-one``       monotone simple games, ``v(S) ∈ {0, 1}``
``small-integers`` normalised games with values in ``{-3, …, 3}``
``from-table``     a real value table (``table=``): random sub-markets, perturbed

Every family also plants structure with some probability — a null player or a
replicated (symmetric) pair — so that axioms whose premise needs one
(null player, symmetry, replication) are applicable often.

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

import functools
import itertools
import math
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .axioms import Axiom, AxiomContext, get_axiom
from .check import NO_COUNTEREXAMPLE, VIOLATED, Verdict, evaluate
from ..errors import InvalidModel, MechsolveError
from ..games.game import Game
from ..games.properties import monotone as _monotone
from ..games.properties import supermodular as _supermodular
from ..schemes import Scheme, get_scheme

#: Largest number of players a search draws (exact confirmation is ~2^n Fractions per rule call).
MAX_SEARCH_PLAYERS = 8
#: Judgements (scheme + axiom evaluations) the shrinker may spend.
SHRINK_BUDGET = 600


# --------------------------------------------------------------------------- families
def _zeta(c: np.ndarray, n: int) -> np.ndarray:
    """``v(S) = Σ_{T ⊆ S} c_T`` (zeta transform over the subset lattice)."""
    v = c.astype(np.float64).copy()
    for k in range(n):
        view = v.reshape(-1, 2, 2**k)
        view[:, 1, :] += view[:, 0, :]
    return v


def mobius(values: np.ndarray, n: int) -> np.ndarray:
    """Möbius coefficients ``c_T = Σ_{S ⊆ T} (−1)^{|T∖S|} v(S)`` (inverse of :func:`_zeta`)."""
    c = np.asarray(values, dtype=np.float64).copy()
    for k in range(n):
        view = c.reshape(-1, 2, 2**k)
        view[:, 1, :] -= view[:, 0, :]
    return c


def _closure(u: np.ndarray, n: int) -> np.ndarray:
    """``v(S) = max_{T ⊆ S} u(T)`` (monotone closure)."""
    v = u.astype(np.float64).copy()
    for k in range(n):
        view = v.reshape(-1, 2, 2**k)
        np.maximum(view[:, 1, :], view[:, 0, :], out=view[:, 1, :])
    return v


def _t_any(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    return raw.copy()


def _t_normalised(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    v = raw.copy()
    v[0] = 0.0
    return v


def _t_monotone(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    u = np.abs(raw)
    u[0] = 0.0
    return _closure(u, n)


def _t_supermodular(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    c = np.abs(raw)
    c[0] = 0.0
    return _zeta(c, n)


def _t_unanimity(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    c = np.abs(raw)
    c[0] = 0.0
    keep = 1 + np.argsort(-c[1:], kind="stable")[:2]     # never the empty coalition
    sparse = np.zeros_like(c)
    sparse[keep] = np.maximum(np.round(c[keep] * 2) / 2, 0.5)
    return _zeta(sparse, n)


def _t_zero_one(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    w = (raw > 0.9).astype(np.float64)
    w[0] = 0.0
    w[-1] = 1.0
    return _closure(w, n)


def _t_small_integers(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    v = np.clip(np.round(raw * 1.5), -3, 3)
    v[0] = 0.0
    return v


def _t_from_table(raw: np.ndarray, n: int, aux: Mapping[str, Any]) -> np.ndarray:
    base = np.asarray(aux["base"], dtype=np.float64)
    v = base + aux["eps"] * aux["scale"] * raw
    v[0] = 0.0
    return v


def _is_normalised(g: Game, tol: float) -> bool:
    return abs(float(g.values[0])) <= tol


def _m_any(g: Game, tol: float) -> bool:
    return True


def _m_monotone(g: Game, tol: float) -> bool:
    return _is_normalised(g, tol) and bool(_monotone(g, tol).holds)


def _m_supermodular(g: Game, tol: float) -> bool:
    return _m_monotone(g, tol) and bool(_supermodular(g, tol).holds)


def _m_unanimity(g: Game, tol: float) -> bool:
    c = mobius(g.values.astype(np.float64), g.n)
    return _is_normalised(g, tol) and bool((c >= -tol).all())


def _m_zero_one(g: Game, tol: float) -> bool:
    v = g.values.astype(np.float64)
    return _is_normalised(g, tol) and bool(np.isin(v, (0.0, 1.0)).all())


def _m_small_integers(g: Game, tol: float) -> bool:
    v = g.values.astype(np.float64)
    return _is_normalised(g, tol) and bool((v == np.round(v)).all() and (np.abs(v) <= 3).all())


@dataclass(frozen=True)
class Family:
    """A family of games: a generator ``raw ↦ game`` and a membership predicate.

    ``transform(raw, n, aux)`` maps any real vector of length ``2**n`` to a
    member (so mutation of ``raw`` stays in the family); ``member(game, tol)``
    decides membership of a shrunk candidate.
    """

    name: str
    summary: str
    transform: Callable[[np.ndarray, int, Mapping[str, Any]], np.ndarray]
    member: Callable[[Game, float], bool]


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("any", "arbitrary values, v(∅) included", _t_any, _m_any),
    Family("normalised", "arbitrary values with v(∅) = 0", _t_normalised, _is_normalised),
    Family("monotone", "monotone, v(∅) = 0", _t_monotone, _m_monotone),
    Family("supermodular", "monotone and supermodular (non-negative Möbius coefficients), v(∅) = 0",
           _t_supermodular, _m_supermodular),
    Family("unanimity", "non-negative combinations of at most two unanimity games u_T", _t_unanimity,
           _m_unanimity),
    Family("zero-one", "monotone simple games, v(S) ∈ {0, 1}", _t_zero_one, _m_zero_one),
    Family("small-integers", "normalised, integer values in [-3, 3]", _t_small_integers, _m_small_integers),
    Family("from-table", "random sub-markets of a real table, perturbed by 0, 1% or 10%", _t_from_table,
           _is_normalised),
)}


def get_family(name: str) -> Family:
    """The family called ``name`` (one readable error otherwise)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise InvalidModel(f"unknown family {name!r}; valid: {', '.join(FAMILIES)}", field="family") from None


# --------------------------------------------------------------------------- structure
def make_null(values: np.ndarray, n: int, k: int) -> np.ndarray:
    """Player ``k`` made null: ``v'(S) = v(S ∖ {k})``."""
    v = values.copy()
    view = v.reshape(-1, 2, 2**k)
    view[:, 1, :] = view[:, 0, :]
    return v


def make_replica(values: np.ndarray, n: int, i: int, j: int) -> np.ndarray:
    """Player ``j`` made a replica of ``i`` (replication invariance): ``v'(S) = v(π(S))``,
    ``π`` replacing ``j`` by ``i``. Then ``i`` and ``j`` are symmetric and ``v'(S ∪ {i,j}) = v'(S ∪ i)``."""
    masks = np.arange(2**n, dtype=np.int64)
    has_j = (masks >> j) & 1
    mapped = (masks & ~(1 << j)) | (has_j << i)
    return values[mapped].copy()


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Counterexample:
    """A confirmed, shrunk violation: the game, the scheme parameters, the exact verdict."""

    game: Game
    params: Mapping[str, Any]
    verdict: Verdict
    family: str
    confirmation: str
    found_at: int
    original_players: int
    shrink_steps: int
    search_seed: int
    axiom_seed: int = 0

    def witness_line(self) -> str:
        c = self.verdict.counterexample or {}
        return (f"at {c.get('witness')}: expected {c.get('relation')} {_show(c.get('expected'))}, "
                f"got {_show(c.get('got'))} (margin {_show(c.get('margin'))})")


@dataclass(frozen=True)
class SearchResult:
    """Outcome of :func:`search`: ``violated`` with a counterexample, or ``no-counterexample-found``."""

    scheme: str
    axiom: str
    status: str
    counterexample: Counterexample | None
    stats: Mapping[str, Any]
    params: Mapping[str, Any]
    tolerance: float

    @property
    def exit_code(self) -> int:
        return 1 if self.status == VIOLATED else 0

    def searched_line(self) -> str:
        s = self.stats
        line = (f"{s['instances']} instances of sizes {','.join(map(str, s['sizes']))} from "
                f"families {', '.join(s['families'])} in {s['seconds']:.2f} s (seed {s['seed']}"
                f"{', ' + s['executor'] if s.get('executor', 'in process') != 'in process' else ''}): "
                f"{s['applicable']} applicable")
        if s["not_applicable"]:
            line += f", {sum(s['not_applicable'].values())} not applicable"
        if s["errors"]:
            line += f", {sum(s['errors'].values())} where the scheme raised an error"
        if s["discarded"]:
            line += f", {s['discarded']} float violations discarded (not confirmed exactly)"
        return line

    def summary(self) -> str:
        if self.status == VIOLATED:
            assert self.counterexample is not None
            cx = self.counterexample
            return (f"{self.axiom}: violated by {self.scheme} on a {cx.game.n}-player {cx.family} game "
                    f"{cx.witness_line()}; confirmed {cx.confirmation}")
        return (f"{self.axiom}: no-counterexample-found for {self.scheme} — searched {self.searched_line()} "
                "(not a proof)")

    def to_dict(self) -> dict[str, Any]:

        out: dict[str, Any] = {"scheme": self.scheme, "axiom": self.axiom, "status": self.status,
                               "params": dict(self.params), "tolerance": self.tolerance,
                               "searched": dict(self.stats)}
        if self.counterexample is not None:
            cx = self.counterexample
            out["counterexample"] = {
                "players": list(cx.game.names),
                "values": {",".join(cx.game.members(m)): _decimal_text(cx.game.values[m])
                           for m in range(2**cx.game.n)},
                "params": dict(cx.params), "family": cx.family,
                "confirmation": cx.confirmation, "verdict": cx.verdict.to_dict(),
                "found_at_instance": cx.found_at, "original_players": cx.original_players,
                "shrink_steps": cx.shrink_steps}
        return out


def _show(x: Any) -> str:
    from ..numtext import fmt

    return fmt(x)


# --------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class _Assessment:
    applicable: bool
    violated: bool
    score: float
    reason: str | None = None
    error: str | None = None


def _exact_decimal(x: Any) -> Fraction:
    """The rational a written number denotes: ints exactly, floats as their shortest decimal."""
    if isinstance(x, Fraction):
        return x
    f = float(x)
    return Fraction(int(f)) if f.is_integer() else Fraction(repr(f))


def _decimal_text(x: Any) -> Any:
    """A model-file number: an int when integral, else the float whose repr is the decimal."""
    q = _exact_decimal(x)
    return int(q) if q.denominator == 1 else float(q)


def decimal_game(game: Game) -> Game:
    """The exact game the decimals of ``game`` denote (what ``check --exact`` reads from the file)."""
    arr = np.empty(2**game.n, dtype=object)
    arr[:] = [_exact_decimal(x) for x in game.values]
    return Game(game.names, arr, game.meta)


def _signed(r: Any) -> float:
    d = float(r.got) - float(r.expected)
    if r.relation == "=":
        return abs(d)
    return -d if r.relation == ">=" else d


def _context(scheme: Scheme, game: Game, params: Mapping[str, Any], tolerance: float,
             axiom_seed: int) -> AxiomContext:
    outcome = scheme.compute(game, params)
    return AxiomContext(game, outcome, lambda g: scheme.rule(g, params), tolerance, axiom_seed)


def _assess(scheme: Scheme, axiom: Axiom, game: Game, params: Mapping[str, Any], tolerance: float,
            axiom_seed: int) -> _Assessment:
    """Float evaluation with a signed, scale-free score (positive = violated by that much)."""
    try:
        ctx = _context(scheme, game, params, tolerance, axiom_seed)
        reason = axiom.precondition(ctx)
        if reason:
            return _Assessment(False, False, -math.inf, reason=reason)
        tol = axiom.tolerance if axiom.tolerance is not None else tolerance
        worst_margin, score, count = 0.0, -math.inf, 0
        for r in axiom.residuals(ctx):
            count += 1
            worst_margin = max(worst_margin, float(r.margin))
            score = max(score, _signed(r))
    except MechsolveError as exc:
        return _Assessment(False, False, -math.inf, error=f"{type(exc).__name__}: {exc}")
    if count == 0:
        return _Assessment(False, False, -math.inf, reason="nothing to test on this instance")
    scale = 1.0 + float(np.abs(game.values.astype(np.float64)).max())
    return _Assessment(True, worst_margin > tol, score / scale)


def judge(scheme: Scheme, axiom: Axiom, game: Game, params: Mapping[str, Any], tolerance: float,
          axiom_seed: int = 0) -> tuple[Verdict | None, str]:
    """Rerun ``axiom`` on the exact game the decimals of ``game`` denote.

    Returns ``(verdict, how)``: the verdict when it is ``violated`` (else
    ``None``) and how it was confirmed — ``"exactly (rational arithmetic, zero
    tolerance)"``, or ``"in float64 only (...)"`` when the scheme does not
    compute exactly.
    """
    exact = decimal_game(game)
    try:
        ctx = _context(scheme, exact, params, 0.0, axiom_seed)
        alloc = np.asarray(ctx.outcome.allocation)
        if alloc.dtype == object and all(isinstance(x, (Fraction, int)) for x in alloc):
            v = evaluate(axiom, ctx)
            how = "exactly (rational arithmetic, zero tolerance)"
        else:
            raise _NoExact(f"scheme {scheme.name!r} returned float results on an exact game")
    except _NoExact as why:
        fctx = _context(scheme, game.to_float(), params, tolerance, axiom_seed)
        v = evaluate(axiom, fctx)
        how = f"in float64 only with tolerance {tolerance:g} ({why})"
    except MechsolveError:
        return None, "the scheme raised an error"
    return (v if v.status == VIOLATED else None), how


class _NoExact(Exception):
    pass


# --------------------------------------------------------------------------- shrinking
def _complexity(game: Game) -> float:
    """How hard the numbers are to read: total length of the written decimals, plus players."""
    return 40 * game.n + sum(10 * len(str(_decimal_text(x))) + min(abs(float(x)), 100.0) for x in game.values)


def _candidates(x: float) -> list[float]:
    out = [0.0, 1.0, -1.0, float(round(x)), round(2 * x) / 2, round(10 * x) / 10, round(100 * x) / 100]
    return [c for c in dict.fromkeys(out) if c != x]


def _rename(game: Game) -> Game:
    return Game(tuple(f"p{k + 1}" for k in range(game.n)), game.values, game.meta)


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
    """Every game with one player fewer that :func:`shrink` tries, simplest first.

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


def shrink(game: Game, bad: Callable[[Game], bool], member: Callable[[Game], bool], *,
           min_players: int = 1, budget: int = SHRINK_BUDGET) -> tuple[Game, int]:
    """Greedy shrinking: first towards fewer players, then towards simpler numbers.

    1. **Fewer players**, as long as one reduction keeps the violation and family
       membership: delete a player, condition on it, or merge it into another
       (:func:`player_reductions`); repeated until no player can go.
    2. **Simpler numbers**: all values at once (integers, possibly after scaling,
       halves, tenths, hundredths), then one coalition at a time (0, ±1, rounded);
       after any accepted number step, step 1 is tried again.

    ``bad(g)`` says whether ``g`` still violates (judged exactly); ``member(g)``
    whether it is still in the searched family. Returns the shrunk game and the
    number of accepted steps. Deterministic; at most ``budget`` judgements.

    Examples
    --------
    >>> g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 0, 0, 1])   # u_{ab}, c is null
    >>> equal_split_pays_null = lambda h: h.n >= 2 and float(h.grand_value) != 0 and any(
    ...     all(h.values[m | 1 << k] == h.values[m] for m in range(2**h.n)) for k in range(h.n))
    >>> shrink(g, equal_split_pays_null, lambda h: True)[0].n
    2
    """
    steps, spent = 0, 0

    def ok(g: Game) -> bool:
        nonlocal spent
        spent += 1
        return member(g) and bad(g)

    improved = True
    while improved and spent < budget:
        improved = False
        # 1. fewer players: delete, condition on, or merge one player
        if game.n > min_players:
            for _, cand in player_reductions(game):
                if spent >= budget:
                    break
                if ok(cand):
                    game, steps, improved = cand, steps + 1, True
                    break
        if improved:
            continue
        # 2. all numbers at once: integers (possibly after scaling), halves, tenths, hundredths
        v = game.values.astype(np.float64)
        whole = [np.round(v), np.round(v * 2), np.round(v * 4), np.round(v * 10), np.round(v * 2) / 2,
                 np.round(v * 10) / 10, np.round(v * 100) / 100]
        for w in whole:
            cand = game.with_values(w.astype(np.float64))
            if _complexity(cand) < _complexity(game) and ok(cand):
                game, steps, improved = cand, steps + 1, True
                break
        if improved:
            continue
        # 3. one coalition at a time
        for m in range(2**game.n):
            x = float(game.values[m])
            for c in _candidates(x):
                w = game.values.astype(np.float64).copy()
                w[m] = c
                cand = game.with_values(w)
                if _complexity(cand) < _complexity(game) and ok(cand):
                    game, steps, improved = cand, steps + 1, True
                    break
                if spent >= budget:
                    break
            if improved or spent >= budget:
                break
    return game, steps


# --------------------------------------------------------------------------- search
#: Instances per deterministic chunk of a search (chunk ``c`` draws from its own seeded stream).
CHUNK_SIZE = 100


def _sample_raw(rng: np.random.Generator, size: int) -> np.ndarray:
    kind = rng.integers(3)
    if kind == 0:
        return rng.normal(0.0, 1.0, size)
    if kind == 1:
        return rng.integers(-3, 4, size).astype(np.float64)
    raw = rng.normal(0.0, 1.0, size)
    raw[rng.random(size) < 0.6] = 0.0
    return raw


def _plant(values: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, str | None]:
    if n < 2 or rng.random() >= 0.4:
        return values, None
    k = int(rng.integers(n))
    if rng.random() < 0.5:
        return make_null(values, n, k), f"player p{k + 1} made null"
    j = int((k + 1 + rng.integers(n - 1)) % n)
    return make_replica(values, n, k, j), f"p{j + 1} made a replica of p{k + 1}"


def chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    """The random stream of chunk ``chunk`` of a search with ``seed`` (chunk 0: ``default_rng(seed)``)."""
    if chunk == 0:
        return np.random.default_rng(seed)
    return np.random.default_rng(np.random.SeedSequence([int(seed) % 2**63, int(chunk)]))


@dataclass(frozen=True)
class _Plan:
    """Everything a chunk needs; picklable (scheme and axiom by name when registered)."""

    scheme: Any
    axiom: Any
    sizes: tuple[int, ...]
    families: tuple[str, ...]
    base_params: Mapping[str, Any]
    grid: Mapping[str, Sequence[Any]]
    table: Game | None
    tolerance: float
    axiom_seed: int
    seed: int


@dataclass(frozen=True)
class _Task:
    plan: _Plan
    chunk: int
    start: int           # global index of the chunk's first instance
    count: int           # instances in this chunk
    deadline: float | None   # wall clock (time.time()) after which the chunk stops


@dataclass
class _ChunkResult:
    chunk: int
    stats: dict[str, Any]
    found: tuple[Game, dict[str, Any], str, int] | None = None   # game, params, family, found_at
    seconds: float = 0.0


def _resolve(plan: _Plan) -> tuple[Scheme, Axiom]:
    sch = get_scheme(plan.scheme) if isinstance(plan.scheme, str) else plan.scheme
    ax = get_axiom(plan.axiom) if isinstance(plan.axiom, str) else plan.axiom
    return sch, ax


def _new_stats() -> dict[str, Any]:
    return {"instances": 0, "applicable": 0, "not_applicable": Counter(), "errors": Counter(), "discarded": 0,
            "by_size": Counter(), "first_error": None, "mutations": 0, "planted": 0}


def run_chunk(task: _Task, progress: Callable[[int], None] | None = None) -> _ChunkResult:
    """Search one chunk: ``task.count`` instances from the chunk's own seeded stream.

    Stops at the first float violation that is confirmed exactly (returned unshrunk)
    or at the deadline. A pure function of ``task`` (up to the deadline), so a chunk
    gives the same answer in this process, in a worker process or on a Dask worker.
    """
    t0 = time.perf_counter()
    plan = task.plan
    sch, ax = _resolve(plan)
    fams = [get_family(f) for f in plan.families]
    sizes, table, grid = list(plan.sizes), plan.table, plan.grid
    rng = chunk_rng(plan.seed, task.chunk)
    stats = _new_stats()
    best: tuple[float, np.ndarray, int, Family, dict[str, Any], dict[str, Any]] | None = None
    step_scale = 0.5
    for i in range(task.start, task.start + task.count):
        if task.deadline is not None and time.time() >= task.deadline:
            break
        # ---- draw an instance: mutate the near-miss, or sample fresh
        if best is not None and rng.random() < 0.4:
            _, raw0, n, fam, aux, inst_params = best
            raw = raw0 + rng.normal(0.0, step_scale, raw0.size)
            step_scale = max(step_scale * 0.97, 0.02)
            stats["mutations"] += 1
            planted = aux.get("planted")
        else:
            n = sizes[i % len(sizes)]
            fam = fams[(i // len(sizes)) % len(fams)]
            aux = {}
            if fam.name == "from-table":
                assert table is not None
                n = min(n, table.n)
                keep = sorted(rng.choice(table.n, size=n, replace=False).tolist())
                sub = table.restrict(sum(1 << k for k in keep)).to_float()
                vals = sub.values
                aux = {"base": vals, "scale": float(np.abs(vals).max()) or 1.0,
                       "eps": float(rng.choice([0.0, 0.01, 0.1])), "players": [table.names[k] for k in keep]}
            raw = _sample_raw(rng, 2**n)
            inst_params = {k: v[int(rng.integers(len(v)))] for k, v in grid.items()}
            planted = "plant" if rng.random() < 0.4 else None
            aux["planted"] = planted
        values = fam.transform(raw, n, aux)
        if planted:
            # a stable hash (crc32), not hash(): the planted structure must not depend on the process
            planted_values, what = _plant(values, n, np.random.default_rng(zlib.crc32(raw.tobytes())))
            if what and fam.member(Game(tuple(f"p{k + 1}" for k in range(n)), planted_values), 1e-9):
                values = planted_values
                stats["planted"] += 1
        game = Game(tuple(f"p{k + 1}" for k in range(n)), values.astype(np.float64))
        all_params = {**plan.base_params, **inst_params}
        stats["instances"] += 1
        stats["by_size"][n] += 1
        if progress is not None:
            progress(i + 1)
        a = _assess(sch, ax, game, all_params, plan.tolerance, plan.axiom_seed)
        if a.error:
            stats["errors"][a.error.split(":")[0]] += 1
            stats["first_error"] = stats["first_error"] or a.error
            continue
        if not a.applicable:
            stats["not_applicable"][a.reason or "?"] += 1
            continue
        stats["applicable"] += 1
        if not a.violated:
            if best is None or a.score > best[0]:
                best = (a.score, raw, n, fam, aux, inst_params)
            continue
        # ---- a float violation: keep it only when it is confirmed exactly
        verdict, _ = judge(sch, ax, game, all_params, plan.tolerance, plan.axiom_seed)
        if verdict is None:
            stats["discarded"] += 1
            continue
        return _ChunkResult(task.chunk, stats, (game, all_params, fam.name, i + 1), time.perf_counter() - t0)
    return _ChunkResult(task.chunk, stats, None, time.perf_counter() - t0)


def _merge_stats(total: dict[str, Any], part: Mapping[str, Any]) -> None:
    for key in ("instances", "applicable", "discarded", "mutations", "planted"):
        total[key] += part[key]
    for key in ("not_applicable", "errors", "by_size"):
        total[key].update(part[key])
    total["first_error"] = total["first_error"] or part["first_error"]


def _by_name(obj: Any, registry: Mapping[str, Any]) -> Any:
    return obj.name if registry.get(obj.name) is obj else obj


def search(scheme: str | Scheme, axiom: str | Axiom, *, sizes: Sequence[int] = (2, 3, 4),
           families: Sequence[str] = ("normalised",), budget: int | None = 200,
           time_limit: float | None = None, seed: int = 0, tolerance: float = 1e-9,
           params: Mapping[str, Any] | None = None,
           param_grid: Mapping[str, Sequence[Any]] | None = None, table: Game | None = None,
           do_shrink: bool = True, axiom_seed: int = 0, min_players: int = 1,
           progress: Callable[[int], None] | None = None, workers: int | None = 1,
           scheduler: str | None = None, chunk_size: int = CHUNK_SIZE) -> SearchResult:
    """Search for a game on which ``scheme`` violates ``axiom``.

    The search is split into deterministic chunks of ``chunk_size`` instances;
    chunk ``c`` draws from its own stream (:func:`chunk_rng`) and hill-climbs on
    its own near-misses. Chunks run where ``workers``/``scheduler`` say
    (:mod:`mechsolve.parallel`); the counterexample is the one of the *lowest*
    chunk that has one, and the statistics count chunks up to it, so with a
    ``budget`` the result does not depend on the number of workers. (With only a
    ``time_limit``, how far the search gets depends on the machine.)

    Parameters
    ----------
    sizes : sequence of int
        Numbers of players to draw (smallest first, round robin).
    families : sequence of str
        Names from :data:`FAMILIES`; ``from-table`` needs ``table``.
    budget, time_limit : int, float
        Stop after this many instances and/or seconds (at least one is needed).
    params : mapping
        Fixed scheme parameters; ``param_grid`` adds parameters drawn per
        instance from the given values (they become part of the counterexample).
    tolerance : float
        Absolute tolerance of the float screening (confirmation is exact).
    progress : callable, optional
        ``progress(instances_done)``: per instance in process, per chunk otherwise.
    workers, scheduler
        ``workers`` local processes, or the Dask scheduler at ``scheduler``.

    Returns
    -------
    SearchResult
        ``violated`` with a shrunk, exactly confirmed :class:`Counterexample`,
        or ``no-counterexample-found`` with what was searched.

    Examples
    --------
    >>> search("shapley", "null-player", sizes=(3,), budget=30).status
    'no-counterexample-found'
    """
    from .axioms import AXIOMS
    from ..parallel import ExecutorSpec, imap_unordered
    from ..schemes import SCHEMES

    sch = get_scheme(scheme) if isinstance(scheme, str) else scheme
    ax = get_axiom(axiom) if isinstance(axiom, str) else axiom
    fams = [get_family(f) for f in families]
    if not fams:
        raise InvalidModel("give at least one family", field="family")
    if budget is None and time_limit is None:
        raise InvalidModel("give a budget (instances) or a time limit", field="budget")
    if budget is not None and budget < 1:
        raise InvalidModel(f"budget must be at least 1, got {budget}", field="budget")
    if chunk_size < 1:
        raise InvalidModel(f"chunk size must be at least 1, got {chunk_size}", field="chunk_size")
    sizes = sorted(set(int(s) for s in sizes))
    if not sizes or sizes[0] < 1 or sizes[-1] > MAX_SEARCH_PLAYERS:
        raise InvalidModel(f"sizes must lie in 1..{MAX_SEARCH_PLAYERS}, got {sizes}", field="players")
    if any(f.name == "from-table" for f in fams):
        if table is None:
            raise InvalidModel("family from-table needs a value table (from-table FILE)", field="family")
        if sizes[0] > table.n:
            raise InvalidModel(f"the table has {table.n} players; sizes {sizes} exceed it", field="players")
    base_params = dict(params or {})
    grid = {k: list(v) for k, v in (param_grid or {}).items()}
    for k, vals in grid.items():
        if not vals:
            raise InvalidModel(f"parameter {k!r} has no values to search", field=f"param.{k}")
    sch.validate_params({**base_params, **{k: v[0] for k, v in grid.items()}})
    spec = ExecutorSpec(workers, scheduler)

    plan = _Plan(_by_name(sch, SCHEMES), _by_name(ax, AXIOMS), tuple(sizes), tuple(f.name for f in fams),
                 base_params, grid, table, float(tolerance), int(axiom_seed), int(seed))
    t0 = time.perf_counter()
    deadline = time.time() + time_limit if time_limit is not None else None
    winner: list[int] = []        # the lowest chunk known to hold a counterexample

    def tasks() -> Any:
        for c in itertools.count():
            start = c * chunk_size
            if budget is not None and start >= budget:
                return
            if winner and c > winner[0]:
                return
            if deadline is not None and time.time() >= deadline:
                return
            count = chunk_size if budget is None else min(chunk_size, budget - start)
            yield _Task(plan, c, start, count, deadline)

    in_process = spec.scheduler is None and spec.n_workers == 1
    fn: Callable[[_Task], _ChunkResult] = run_chunk
    if in_process and progress is not None:
        fn = functools.partial(run_chunk, progress=progress)
    results: dict[int, _ChunkResult] = {}
    done_instances = 0
    gen = imap_unordered(fn, tasks(), workers=spec.workers, scheduler=spec.scheduler)
    try:
        for c, res in gen:
            results[c] = res
            done_instances += res.stats["instances"]
            if progress is not None and not in_process:
                progress(done_instances)
            if res.found is not None and (not winner or c < winner[0]):
                winner[:] = [c]
            if winner and all(k in results for k in range(winner[0])):
                break
    finally:
        gen.close()
    last = winner[0] if winner else (max(results) if results else -1)
    stats: dict[str, Any] = {"seed": seed, "sizes": sizes, "families": [f.name for f in fams], **_new_stats()}
    for c in range(last + 1):
        if c in results:
            _merge_stats(stats, results[c].stats)
    stats["chunks"] = last + 1
    stats["chunk_size"] = chunk_size
    stats["executor"] = spec.where
    if not winner:
        stats["seconds"] = time.perf_counter() - t0
        return SearchResult(sch.name, ax.name, NO_COUNTEREXAMPLE, None, _finish(stats), base_params, tolerance)
    # ---- the lowest chunk's violation: shrink (players first, then numbers), confirm exactly
    found = results[winner[0]].found
    assert found is not None
    game, all_params, fam_name, found_at = found
    fam = get_family(fam_name)
    original_n, steps = game.n, 0
    if do_shrink:
        def bad(g: Game) -> bool:
            return judge(sch, ax, g, all_params, tolerance, axiom_seed)[0] is not None

        def member(g: Game) -> bool:
            return fam.member(g, 0.0)

        game, steps = shrink(game, bad, member, min_players=min_players)
    game = _rename(decimal_game(game).to_float())
    verdict, how = judge(sch, ax, game, all_params, tolerance, axiom_seed)
    assert verdict is not None  # shrinking only accepts confirmed violations
    stats["seconds"] = time.perf_counter() - t0
    cx = Counterexample(game, all_params, verdict, fam.name, how, found_at, original_n, steps, seed, axiom_seed)
    return SearchResult(sch.name, ax.name, VIOLATED, cx, _finish(stats), base_params, tolerance)


def _finish(stats: dict[str, Any]) -> dict[str, Any]:
    out = dict(stats)
    out["not_applicable"] = dict(stats["not_applicable"])
    out["errors"] = dict(stats["errors"])
    out["by_size"] = {int(k): v for k, v in sorted(stats["by_size"].items())}
    out.setdefault("seconds", 0.0)
    return out


# --------------------------------------------------------------------------- model files
def counterexample_model(result: SearchResult) -> dict[str, Any]:
    """The counterexample as a ``cooperative-market`` model mapping (``mechsolve check`` exits 1 on it)."""
    cx = result.counterexample
    if cx is None:
        raise InvalidModel("no counterexample to write: the search found none", field="write-counterexample")
    g = cx.game
    table = {(",".join(g.members(m)) or "∅"): _decimal_text(g.values[m]) for m in range(2**g.n)}
    scheme = {"name": result.scheme, **{k: _plain(v) for k, v in cx.params.items()}}
    desc = (f"Counterexample found by `mechsolve verify` (search seed {cx.search_seed}, instance "
            f"{cx.found_at}, family {cx.family}, shrunk from {cx.original_players} to {g.n} players in "
            f"{cx.shrink_steps} steps). {result.axiom} is violated {cx.witness_line()}; confirmed "
            f"{cx.confirmation}.")
    model: dict[str, Any] = {"kind": "cooperative-market",
                             "name": f"{result.scheme} violates {result.axiom}",
                             "description": desc, "players": list(g.names), "value": {"table": table}}
    if table["∅"] != 0:
        model["normalised"] = False
    model["scheme"] = scheme
    model["check"] = [result.axiom]
    model["tolerance"] = result.tolerance
    return model


def _plain(x: Any) -> Any:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, Fraction):
        return float(x)
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def model_yaml(model: Mapping[str, Any]) -> str:
    """YAML text of a model mapping (keys in the given order)."""
    import yaml

    return "# written by mechsolve verify; reproduce with: mechsolve check THIS_FILE\n" + yaml.safe_dump(
        dict(model), sort_keys=False, allow_unicode=True, width=100)


def parse_sizes(text: str) -> list[int]:
    """``"2..5"`` → ``[2, 3, 4, 5]``; ``"3"`` → ``[3]``; ``"2,4"`` → ``[2, 4]``."""
    try:
        if ".." in text:
            lo, hi = text.split("..", 1)
            out = list(range(int(lo), int(hi) + 1))
        else:
            out = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise InvalidModel(f"player sizes must look like 2..5 or 2,3, got {text!r}", field="players") from None
    if not out:
        raise InvalidModel(f"no player sizes in {text!r}", field="players")
    return out


__all__ = ["FAMILIES", "Family", "get_family", "search", "shrink", "judge", "SearchResult", "Counterexample",
           "merge_players", "player_reductions", "run_chunk", "chunk_rng", "CHUNK_SIZE",
           "counterexample_model", "model_yaml", "parse_sizes", "decimal_game", "make_null", "make_replica",
           "mobius"]
