"""What a counterexample search searches: the :class:`Space` protocol, and the one result shape.

A *space* is a family of instances together with what is checked on them (a scheme and an
axiom on cooperative games, :mod:`.games`; a payment rule and a mechanism axiom on Chen et
al.'s mechanism-design instances, :mod:`.mechanisms`). The engine (:mod:`.engine`) knows
nothing else about instances: it draws them, screens them, hill-climbs on the residual,
shrinks and confirms through the space's methods, and returns one :class:`SearchResult`
with at most one :class:`Counterexample`, whatever the space.

The verdict of a search is ``violated`` (a shrunk counterexample whose violation was
re-checked by :meth:`Space.confirm`: in exact rational arithmetic when the instance is
rational, else in float64 and said so) or ``no-counterexample-found`` with what was
searched — never "proved".

Examples
--------
>>> signed_excess(">=", got=0.5, expected=1.0)      # got ≥ expected fails by 0.5
0.5
>>> signed_excess("=", got=[1.0, 2.5], expected=2.0)
1.0
>>> parse_sizes("2..4"), parse_sizes("3"), parse_sizes("2,5")
([2, 3, 4], [3], [2, 5])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol, TypeVar

import numpy as np

from ..axioms.base import Axiom, Block, unmet_need
from ..verdict import NO_COUNTEREXAMPLE, NOT_APPLICABLE, VIOLATED, Verdict
from ...errors import InvalidModel, MechsolveError, short_repr
from ...numtext import exact_text, fmt
from ...result import Result, Status

I = TypeVar("I")


# --------------------------------------------------------------------------- screening and confirmation
@dataclass(frozen=True)
class Assessment:
    """The float screening of one instance.

    ``score`` is the signed worst residual divided by the instance's scale (positive: violated by
    that much; negative: how far from a violation), the quantity the hill-climb maximises.
    """

    applicable: bool
    violated: bool
    score: float = -math.inf
    reason: str | None = None     # why the axiom does not apply (premise fails, nothing to test)
    error: str | None = None      # "ErrorType: message" when the rule raised


@dataclass(frozen=True)
class Confirmation:
    """The re-check of a float violation: the violated verdict (``None``: not confirmed), and how."""

    verdict: Verdict | None
    how: str
    exact: bool


def signed_excess(relation: str, got: Any, expected: Any) -> float:
    """The largest signed violation of ``got relation expected`` (positive = violated).

    ``=``: ``|got − expected|``; ``>=``: ``expected − got``; ``<=``: ``got − expected``
    (Hypothesis' ``target()`` idea: a gradient towards violations, also where none is found).
    """
    d = np.asarray(got, dtype=float) - np.asarray(expected, dtype=float)
    s = np.abs(d) if relation == "=" else (-d if relation == ">=" else d)
    return float(np.max(s)) if s.size else -math.inf


def screen(axioms: Sequence[Axiom], context: Callable[[], Any], scale: Callable[[Any], float]) -> Assessment:
    """The float screening of one instance against every axiom of ``axioms`` (all must hold).

    ``context()`` builds the float context (running the scheme or the mechanism); an axiom whose
    needs (:func:`~mechsolve.verify.axioms.base.unmet_need`) or premise the instance does not meet
    makes it not applicable, with the reason. Otherwise every residual — single ones and vectorised
    blocks alike — gives its :func:`signed_excess`; the instance is violated when one exceeds the
    axiom's tolerance, and its score is the largest excess divided by ``scale(ctx)``. A
    :class:`~mechsolve.errors.MechsolveError` is an error of the instance, never a number.
    """
    try:
        ctx = context()
        worst, count, violated = -math.inf, 0, False
        for ax in axioms:
            unmet = unmet_need(ax, ctx)
            reason = unmet[1] if unmet else ax.precondition(ctx)
            if reason:
                return Assessment(False, False, reason=reason)
            tol = ax.tolerance if ax.tolerance is not None else ctx.tolerance
            for r in ax.residuals(ctx):
                size = r.got.size if isinstance(r, Block) else 1
                if not size:
                    continue
                count += size
                s = signed_excess(r.relation, r.got, r.expected)
                worst = max(worst, s)
                violated = violated or s > tol
        factor = scale(ctx)
    except MechsolveError as exc:
        return Assessment(False, False, error=f"{type(exc).__name__}: {exc}")
    if count == 0:
        return Assessment(False, False, reason="nothing to test on this instance")
    return Assessment(True, violated, worst / factor)


# --------------------------------------------------------------------------- the protocol
class Space(Protocol[I]):
    """A searched family of instances and what is checked on them.

    Instances are any picklable values (they travel to worker processes and Dask workers).
    Every method is a pure function of the space and its arguments; randomness comes only
    through the ``rng`` the engine passes, so a chunk gives the same answer wherever it runs.
    """

    #: Name of the searched axiom (or theorem check).
    axiom: str
    #: Absolute tolerance of the float screening.
    tolerance: float
    #: Initial standard deviation of a hill-climbing step (it decays by 0.97 per mutation).
    step: float
    #: Confirmations the shrinker may spend.
    shrink_budget: int
    #: Names of the per-instance tallies in the statistics (``by_size``, ...; see :meth:`tally`).
    counters: tuple[str, ...]
    #: Names of per-instance totals in the statistics (``planted``, ...; see :meth:`tally`).
    totals: tuple[str, ...]
    #: What raises when an instance cannot be evaluated ("scheme", "mechanism").
    noun: str
    #: What the size of an instance counts ("players", "agents").
    size_label: str

    def draw(self, rng: np.random.Generator, i: int) -> I:
        """A fresh instance; ``i`` is its global index in the search (round-robin over sizes)."""

    def mutate(self, inst: I, rng: np.random.Generator, scale: float) -> I:
        """A random neighbour of a near-miss ``inst`` (hill-climbing step of size ``scale``)."""

    def reductions(self, inst: I) -> Iterable[I]:
        """Candidate simplifications of ``inst``, simplest first (fewer players, simpler numbers)."""

    def complexity(self, inst: I) -> Any:
        """How hard ``inst`` is to read (any ordered value); shrinking only accepts smaller ones."""

    def member(self, inst: I) -> bool:
        """Whether ``inst`` (a shrunk candidate) is still in the searched family."""

    def assess(self, inst: I) -> Assessment:
        """The float screening verdict and residual of ``inst``."""

    def confirm(self, inst: I) -> Confirmation:
        """Re-check ``inst``: exactly when it is rational, else in float64 (and say so)."""

    def canonical(self, inst: I) -> I:
        """The instance as the written model file denotes it (confirmed again after this)."""

    def explain(self, inst: I) -> Mapping[str, Any]:
        """Extra facts about a confirmed counterexample (e.g. which theorem premise fails on it)."""

    def tally(self, inst: I) -> Mapping[str, Any]:
        """Per-instance statistics: ``{counter: key}`` for :attr:`counters`, ``{total: bool}`` for :attr:`totals`."""

    def describe(self, inst: I) -> str:
        """A short phrase naming the instance ("a 2-player normalised game", "2 agents, types 0..2, …")."""

    def size(self, inst: I) -> int:
        """Number of players or agents of ``inst``."""

    def to_model(self, result: SearchResult) -> dict[str, Any]:
        """The counterexample as a model mapping that ``mechsolve check`` reproduces (exit 1)."""

    def stats_header(self) -> dict[str, Any]:
        """Statistics keys describing the space, first in :attr:`SearchResult.stats` (sizes, families)."""

    # -- what results and reports show (plain data; report/ lays it out)
    @property
    def rule(self) -> str:
        """The checked payment rule or scheme, for "violated by …"."""

    @property
    def title(self) -> str:
        """What a report on this search is about ("scheme shapley", "mechanism mep")."""

    @property
    def heading(self) -> str:
        """What is checked, as a report's row names it (the axiom, "... (without premise)")."""

    def to_dict(self) -> dict[str, Any]:
        """The space's keys of :meth:`SearchResult.to_dict` (scheme and parameters, or the mechanism family)."""

    def setting(self) -> list[tuple[str, Any]]:
        """Facts for a report's summary (the scheme, its parameters, ...)."""

    def searched(self, stats: Mapping[str, Any]) -> str:
        """What was drawn, for the "searched" line ("of sizes 2,3 from families normalised")."""

    def facts(self) -> list[tuple[str, Any]]:
        """Facts about this search for its report section (e.g. a dropped premise)."""

    def counterexample_dict(self, cx: Counterexample) -> dict[str, Any]:
        """The space's keys of a counterexample in :meth:`SearchResult.to_dict`."""

    def counterexample_facts(self, cx: Counterexample) -> list[tuple[str, Any]]:
        """Facts about a counterexample for its report section."""

    def tables(self, inst: I) -> list[tuple[str, list[str], list[list[Any]]]]:
        """Tables showing ``inst`` in a report: ``(title, columns, rows)``."""


class SpaceDefaults:
    """Defaults for the optional parts of :class:`Space`, so a new space writes only what it must.

    A space that inherits these implements :attr:`axiom`, :attr:`tolerance`, :attr:`rule`,
    :meth:`draw`, :meth:`assess`, :meth:`confirm`, :meth:`describe`, :meth:`size` and
    :meth:`to_model`; it adds :meth:`mutate` for hill-climbing and :meth:`reductions` with
    :meth:`complexity` for shrinking (without them the first confirmed violation is reported as
    found). Everything else — statistics, report facts and tables — has a plain default.
    """

    step = 0.5
    shrink_budget = 200
    counters: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()
    noun = "rule"
    size_label = "players"
    default_budget = 300

    def mutate(self, inst: Any, rng: np.random.Generator, scale: float) -> Any:
        return inst

    def reductions(self, inst: Any) -> Iterable[Any]:
        return ()

    def complexity(self, inst: Any) -> Any:
        return 0

    def member(self, inst: Any) -> bool:
        return True

    def canonical(self, inst: Any) -> Any:
        return inst

    def explain(self, inst: Any) -> Mapping[str, Any]:
        return {}

    def tally(self, inst: Any) -> Mapping[str, Any]:
        return {}

    def stats_header(self) -> dict[str, Any]:
        return {}

    @property
    def title(self) -> str:
        return f"{self.noun} {getattr(self, 'rule', '')}".strip()

    @property
    def heading(self) -> str:
        return str(getattr(self, "axiom", ""))

    def to_dict(self) -> dict[str, Any]:
        return {self.noun: getattr(self, "rule", None)}

    def setting(self) -> list[tuple[str, Any]]:
        return [(self.noun, getattr(self, "rule", None))]

    def searched(self, stats: Mapping[str, Any]) -> str:
        return ""

    def facts(self) -> list[tuple[str, Any]]:
        return []

    def counterexample_dict(self, cx: Counterexample) -> dict[str, Any]:
        return {}

    def counterexample_facts(self, cx: Counterexample) -> list[tuple[str, Any]]:
        return []

    def tables(self, inst: Any) -> list[tuple[str, list[str], list[list[Any]]]]:
        return []


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Counterexample:
    """A confirmed, shrunk violation.

    ``instance`` is the space's instance (a game with its scheme parameters, a mechanism-design
    instance, ...), ``original`` the one the search found before shrinking; their attributes and
    those of ``facts`` (e.g. ``failed_premise``) read as attributes of the counterexample:
    ``cx.game``, ``cx.params``, ``cx.family`` for games.
    """

    axiom: str
    instance: Any
    verdict: Verdict
    confirmation: str
    exact: bool
    found_at: int
    original: Any
    shrink_steps: int
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        d = self.__dict__
        if "facts" in d and name in d["facts"]:
            return d["facts"][name]
        if "instance" in d and hasattr(d["instance"], name):
            return getattr(d["instance"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def witness_line(self) -> str:
        """``[axiom] at WITNESS: expected REL X, got Y (margin M)``; the axiom is named when it is
        not the searched one (a theorem's conclusion)."""
        c = self.verdict.counterexample or {}
        head = f"{self.verdict.axiom} at" if self.verdict.axiom != self.axiom else "at"
        return (f"{head} {readable(c.get('witness'))}: expected {c.get('relation')} {fmt(c.get('expected'))}, "
                f"got {fmt(c.get('got'))} (margin {fmt(c.get('margin'))})")


@dataclass(frozen=True, eq=False)
class SearchResult(Result):
    """Outcome of a search: ``violated`` with a :class:`Counterexample`, ``no-counterexample-found``,
    or ``not-applicable`` when it tested nothing (:attr:`checked_nothing` says why).

    ``stats`` counts what was searched (instances, applicable, not applicable by reason, errors
    by type, float violations discarded, mutations, chunks, where it ran, seconds, and the
    space's tallies). ``interrupted`` is true when the search was stopped (Ctrl-C) before its
    budget: the result then holds what was searched so far.
    """

    space: Any
    counterexample: Counterexample | None
    stats: Mapping[str, Any]
    interrupted: bool = False

    @property
    def status(self) -> Status:  # type: ignore[override]
        if self.counterexample is not None:
            return VIOLATED
        return NOT_APPLICABLE if self.checked_nothing else NO_COUNTEREXAMPLE

    @property
    def axiom(self) -> str:
        return self.space.axiom

    @property
    def tolerance(self) -> float:
        return self.space.tolerance

    @property
    def checked_nothing(self) -> str | None:
        """Why the search tested no instance at all (``None`` when it tested some).

        A search that ran to its end and checked nothing has no verdict to give; ``mechsolve
        verify`` exits 2 on it. (An interrupted search says it was interrupted instead.)
        """
        s = self.stats
        if s["applicable"] or self.counterexample is not None or self.interrupted:
            return None
        if not s["instances"]:
            return "no instance was searched"
        errors = sum(s["errors"].values())
        if errors == s["instances"]:
            return (f"every one of the {s['instances']} instances raised an error in the {self.space.noun} "
                    f"(first: {s['first_error']})")
        why = "; ".join(f"{k} ({v})" for k, v in list(s["not_applicable"].items())[:3])
        return (f"none of the {s['instances']} instances was applicable" + (f": {why}" if why else "")
                + (f"; {errors} raised an error (first: {s['first_error']})" if errors else ""))

    def searched_line(self) -> str:
        s = self.stats
        where = s.get("executor", "in process")
        line = (f"{s['instances']} instances {self.space.searched(s)} in {s['seconds']:.2f} s (seed {s['seed']}"
                f"{', ' + where if where != 'in process' else ''}): {s['applicable']} applicable")
        if s["not_applicable"]:
            line += f", {sum(s['not_applicable'].values())} not applicable"
        if s["errors"]:
            line += f", {sum(s['errors'].values())} where the {self.space.noun} raised an error"
        if s["discarded"]:
            line += f", {s['discarded']} float violations discarded (not confirmed exactly)"
        if self.interrupted:
            line += "; interrupted before the end of the budget"
        return line

    def summary(self) -> str:
        """One line: the verdict with the witness, or what was searched (never "proved")."""
        if self.counterexample is not None:
            cx = self.counterexample
            return (f"{self.axiom}: violated by {self.space.rule} on {self.space.describe(cx.instance)}: "
                    f"{cx.witness_line()}; confirmed {cx.confirmation}"
                    + (" (search interrupted: not shrunk further)" if self.interrupted else ""))
        nothing = self.checked_nothing
        if nothing:
            return f"{self.axiom}: nothing checked for {self.space.rule} — {nothing}"
        return (f"{self.axiom}: no-counterexample-found for {self.space.rule} — searched {self.searched_line()} "
                "(not a proof)")

    @property
    def message(self) -> str:
        """The verdict in one line without wall times or places (the same wherever the search ran)."""
        if self.counterexample is not None or self.checked_nothing:
            return self.summary()
        s = self.stats
        return (f"{self.axiom}: no-counterexample-found for {self.space.rule} in {s['instances']} instances, "
                f"{s['applicable']} applicable" + (" (interrupted)" if self.interrupted else "")
                + " (not a proof)")

    def model(self) -> dict[str, Any]:
        """The counterexample as a model mapping that ``mechsolve check`` reproduces (exit 1)."""
        if self.counterexample is None:
            raise InvalidModel("no counterexample to write: the search found none", field="write-counterexample")
        return self.space.to_model(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the JSON of ``mechsolve verify``)."""
        out: dict[str, Any] = {**self.space.to_dict(), "axiom": self.axiom, "status": str(self.status),
                               "tolerance": self.tolerance, "searched": dict(self.stats),
                               "message": self.message, "interrupted": self.interrupted}
        cx = self.counterexample
        if cx is not None:
            out["counterexample"] = {**self.space.counterexample_dict(cx), "confirmation": cx.confirmation,
                                     "exact": cx.exact, "verdict": cx.verdict.to_dict(),
                                     "found_at_instance": cx.found_at, "shrink_steps": cx.shrink_steps}
        return out


class SearchInterrupted(KeyboardInterrupt):
    """Raised when a search is interrupted (Ctrl-C); :attr:`result` holds what it searched so far."""

    def __init__(self, result: SearchResult) -> None:
        super().__init__("search interrupted")
        self.result = result


# --------------------------------------------------------------------------- text helpers
def readable(x: Any) -> Any:
    """Witnesses without ``Fraction(…)`` noise: exact numbers as ``p/q`` (integers bare).

    Examples
    --------
    >>> readable({"x": Fraction(1, 2), "y": [Fraction(2)]})
    {'x': 1/2, 'y': [2]}
    """
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else Rational(x)
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, dict):
        return {k: readable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [readable(v) for v in x]
    return x


class Rational(Fraction):
    """A Fraction that prints as ``p/q`` inside containers."""

    def __repr__(self) -> str:
        return exact_text(self)


def plain(x: Any) -> Any:
    """Model-file data: numpy scalars as Python numbers, Fractions as floats, containers recursively
    (a :class:`~mechsolve.model.resolved.Code` as the reference it prints as)."""
    if isinstance(x, str):
        return str(x)
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, Fraction):
        return float(x)
    if isinstance(x, Mapping):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


#: Largest number accepted in a size list (``--players``, ``--agents``, ``--grid``) before its range is built.
MAX_SIZE_VALUE = 1000


def parse_sizes(text: str, field: str = "players") -> list[int]:
    """``"2..5"`` → ``[2, 3, 4, 5]``; ``"3"`` → ``[3]``; ``"2,4"`` → ``[2, 4]`` (players, agents, grids).

    Numbers beyond :data:`MAX_SIZE_VALUE` are refused before a range is built
    (``2..10^11`` must not allocate a hundred billion integers); each search checks its own bounds.

    Examples
    --------
    >>> parse_sizes("2..4"), parse_sizes("3,5")
    ([2, 3, 4], [3, 5])
    """
    try:
        if ".." in text:
            lo_text, hi_text = text.split("..", 1)
            parts = [int(lo_text), int(hi_text)]
        else:
            parts = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise InvalidModel(f"sizes must look like 2..5 or 2,3, got {short_repr(text)}", field=field) from None
    big = [x for x in parts if not 0 <= x <= MAX_SIZE_VALUE]
    if big:
        raise InvalidModel(f"size {short_repr(big[0])} is outside 0..{MAX_SIZE_VALUE}", field=field)
    out = list(range(parts[0], parts[1] + 1)) if ".." in text else parts
    if not out:
        raise InvalidModel(f"no sizes in {short_repr(text)}", field=field)
    return out



class SpaceOptions:
    """The options a kind's search spaces are built from (``mechsolve verify --option KEY=VALUE``).

    Values are the text the user gave (a key given twice holds a list) or, from the CLI's own
    flags, objects it already loaded (a value table). Every key must be read: :meth:`finish`
    refuses the ones no space understood, naming them.

    Examples
    --------
    >>> opts = SpaceOptions({"agents": "2..3", "valuation": ["linear", "market-growth"]})
    >>> opts.text("agents"), opts.texts("valuation"), opts.flag("without-premise")
    ('2..3', ['linear', 'market-growth'], False)
    >>> opts.finish()
    """

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._items = {k: v for k, v in (items or {}).items() if v is not None}
        self._read: set[str] = set()

    def value(self, key: str, default: Any = None) -> Any:
        """The value as given (text, list or object), else ``default``."""
        self._read.add(key)
        return self._items.get(key, default)

    def text(self, key: str, default: str | None = None) -> str | None:
        """One textual value (a key given twice is refused)."""
        v = self.value(key)
        if v is None:
            return default
        if isinstance(v, (list, tuple)):
            if len(v) != 1:
                raise InvalidModel(f"give {key} once, got {len(v)} values", field=f"option.{key}")
            v = v[0]
        return str(v)

    def texts(self, key: str, *, split: bool = True) -> list[str]:
        """Every value of a repeatable key, also comma-separated ones (``split``)."""
        v = self.value(key)
        items = [] if v is None else list(v) if isinstance(v, (list, tuple)) else [v]
        if not split:
            return [str(x) for x in items]
        return [p.strip() for x in items for p in str(x).split(",") if p.strip()]

    def flag(self, key: str) -> bool:
        """A yes/no option: ``true``/``yes``/``1`` or a bare flag set by the CLI."""
        v = self.value(key)
        if v is None or isinstance(v, bool):
            return bool(v)
        text = self.text(key) or ""
        if text.lower() in ("true", "yes", "1", "on"):
            return True
        if text.lower() in ("false", "no", "0", "off"):
            return False
        raise InvalidModel(f"{key} must be true or false, got {short_repr(text)}", field=f"option.{key}")

    def finish(self) -> None:
        """Refuse the keys no space read (a misspelt option must not be silently ignored)."""
        unknown = sorted(set(self._items) - self._read)
        if unknown:
            raise InvalidModel(f"unknown option(s) {', '.join(unknown)}; this search reads "
                               f"{', '.join(sorted(self._read))}", field="option")

__all__ = ["Space", "SpaceDefaults", "SpaceOptions", "Assessment", "Confirmation", "Counterexample", "SearchResult", "SearchInterrupted",
           "signed_excess", "screen", "readable", "Rational", "plain", "parse_sizes", "VIOLATED", "NO_COUNTEREXAMPLE"]
