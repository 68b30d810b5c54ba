"""The one counterexample search engine: seeded chunks, screening, hill-climbing, shrinking, exact confirmation.

:func:`run` searches any :class:`~mechsolve.verify.search.space.Space` (cooperative games
under a scheme, :mod:`.games`; Chen et al.'s mechanism-design instances, :mod:`.mechanisms`):

1. **Seeded chunks.** The search is cut into chunks of :data:`CHUNK_SIZE` instances; chunk
   ``c`` draws from its own stream (:func:`chunk_rng`) and hill-climbs on its own near-misses.
   Chunks run in this process, in local worker processes or on a Dask cluster
   (:mod:`mechsolve.parallel`); the *lowest* chunk with a violation wins and the statistics
   count the chunks up to it, so for a given seed and budget the answer does not depend on
   where or on how many workers it ran.
2. **Screening** in float64 (:meth:`Space.assess`): not applicable (with the reason), raised
   (counted by error type), holds (a near-miss: the hill-climb mutates the best one with
   probability 0.4, step size decaying by 0.97) or violated.
3. **Confirmation** of a float violation (:meth:`Space.confirm`): exactly when the instance is
   rational, else in float64 and said so. A violation that does not confirm is discarded and
   counted — floating point is never the cause of a reported violation.
4. **Shrinking** (:func:`shrink`): the first of the space's reductions that is simpler, still a
   member of the family and still confirmed is taken, until none is; then the canonical
   instance (as the model file writes it) is confirmed once more.

Interrupted (Ctrl-C), :func:`run` raises :class:`~mechsolve.verify.search.space.SearchInterrupted`
whose ``result`` holds what was searched so far (and a confirmed violation, if one was found).

Examples
--------
>>> from mechsolve.verify.search.games import GameSpace
>>> r = run(GameSpace("shapley", "individual-rationality", sizes=(2, 3)), budget=200, seed=1)
>>> r.status, r.counterexample.game.n, r.stats["chunks"]
('violated', 2, 1)
"""

from __future__ import annotations

import functools
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .space import Confirmation, Counterexample, SearchInterrupted, SearchResult, Space
from ...errors import InvalidModel
from ...parallel import ExecutorSpec, imap_unordered

#: Instances per deterministic chunk of a search (chunk ``c`` draws from its own seeded stream).
CHUNK_SIZE = 100
#: Probability of mutating the best near-miss instead of drawing a fresh instance.
MUTATE = 0.4
#: Per-mutation decay and floor of the hill-climbing step.
STEP_DECAY, STEP_FLOOR = 0.97, 0.02


def chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    """The random stream of chunk ``chunk`` of a search with ``seed`` (chunk 0: ``default_rng(seed)``)."""
    if chunk == 0:
        return np.random.default_rng(seed)
    return np.random.default_rng(np.random.SeedSequence([int(seed) % 2**63, int(chunk)]))


@dataclass(frozen=True)
class _Task:
    space: Any
    seed: int
    chunk: int
    start: int               # global index of the chunk's first instance
    count: int               # instances in this chunk
    deadline: float | None   # wall clock (time.time()) after which the chunk stops


@dataclass
class _ChunkResult:
    chunk: int
    stats: dict[str, Any]
    found: tuple[Any, Confirmation, int] | None = None   # instance, its confirmation, found_at (1-based)
    interrupted: bool = False


def new_stats(space: Space[Any]) -> dict[str, Any]:
    """Empty statistics of a chunk of ``space``."""
    out: dict[str, Any] = {"instances": 0, "applicable": 0, "not_applicable": Counter(), "errors": Counter(),
                           "discarded": 0, "first_error": None, "mutations": 0}
    out.update({k: Counter() for k in space.counters})
    out.update({k: 0 for k in space.totals})
    return out


def run_chunk(task: _Task, progress: Callable[[int], None] | None = None) -> _ChunkResult:
    """Search one chunk: ``task.count`` instances from the chunk's own seeded stream.

    Stops at the first float violation that is confirmed (returned unshrunk) or at the
    deadline. A pure function of ``task`` (up to the deadline), so a chunk gives the same
    answer in this process, in a worker process or on a Dask worker. Interrupted in this
    process, it returns what it counted so far (``interrupted``).
    """
    space = task.space
    rng = chunk_rng(task.seed, task.chunk)
    stats = new_stats(space)
    best: tuple[float, Any] | None = None
    scale = float(space.step)
    try:
        for i in range(task.start, task.start + task.count):
            if task.deadline is not None and time.time() >= task.deadline:
                break
            if best is not None and rng.random() < MUTATE:
                inst = space.mutate(best[1], rng, scale)
                scale = max(scale * STEP_DECAY, STEP_FLOOR)
                stats["mutations"] += 1
            else:
                inst = space.draw(rng, i)
            stats["instances"] += 1
            for key, val in space.tally(inst).items():
                if key in space.totals:
                    stats[key] += int(bool(val))
                else:
                    stats[key][val] += 1
            if progress is not None:
                progress(i + 1)
            a = space.assess(inst)
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
                    best = (a.score, inst)
                continue
            c = space.confirm(inst)
            if c.verdict is None:
                stats["discarded"] += 1
                continue
            return _ChunkResult(task.chunk, stats, (inst, c, i + 1))
    except KeyboardInterrupt:
        return _ChunkResult(task.chunk, stats, interrupted=True)
    return _ChunkResult(task.chunk, stats)


def _merge(total: dict[str, Any], part: Mapping[str, Any]) -> None:
    for key, val in part.items():
        if isinstance(val, Counter):
            total[key].update(val)
        elif key == "first_error":
            total[key] = total[key] or val
        else:
            total[key] += val


def _finish(stats: dict[str, Any]) -> dict[str, Any]:
    """Counters as plain dicts, sorted (numerically when every key is a number)."""
    out = dict(stats)
    for key, val in stats.items():
        if isinstance(val, Counter):
            items = list(val.items())
            if all(isinstance(k, (int, np.integer)) for k, _ in items):
                out[key] = {int(k): v for k, v in sorted(items)}
            else:
                out[key] = dict(sorted(items, key=lambda kv: str(kv[0])))
    return out


def shrink(inst: Any, confirm: Callable[[Any], Confirmation], space: Space[Any], *,
           budget: int | None = None) -> tuple[Any, int, Confirmation | None]:
    """Greedy shrinking: take the first reduction that is simpler, in the family and still confirmed; repeat.

    The space lists its reductions simplest first (for games: fewer players, then all numbers at
    once, then one number at a time), so the first accepted is the simplest one found.
    ``confirm`` re-checks a candidate; at most ``budget`` confirmations are spent (default: the
    space's :attr:`~Space.shrink_budget`). Deterministic. Returns the shrunk instance, the
    number of accepted steps and the confirmation of the last accepted step (``None``: no step).

    Interrupted, it returns what it has (every accepted step was confirmed).
    """
    budget = space.shrink_budget if budget is None else budget
    steps, spent, last = 0, 0, None
    improved = True
    try:
        while improved and spent < budget:
            improved = False
            here = space.complexity(inst)
            for cand in space.reductions(inst):
                if not space.complexity(cand) < here or not space.member(cand):
                    continue
                spent += 1
                c = confirm(cand)
                if c.verdict is not None:
                    inst, steps, last, improved = cand, steps + 1, c, True
                    break
                if spent >= budget:
                    break
    except KeyboardInterrupt:
        raise _ShrinkInterrupted(inst, steps, last) from None
    return inst, steps, last


class _ShrinkInterrupted(KeyboardInterrupt):
    def __init__(self, inst: Any, steps: int, last: Confirmation | None) -> None:
        super().__init__("shrinking interrupted")
        self.inst, self.steps, self.last = inst, steps, last


def run(space: Space[Any], *, budget: int | None = 200, time_limit: float | None = None, seed: int = 0,
        shrink_found: bool = True, progress: Callable[[int], None] | None = None, workers: int | None = 1,
        scheduler: str | None = None, chunk_size: int = CHUNK_SIZE) -> SearchResult:
    """Search ``space`` for a violation; shrink and confirm the one of the lowest chunk that has one.

    Parameters
    ----------
    space : Space
        What to draw and what to check (:class:`~mechsolve.verify.search.games.GameSpace`,
        :class:`~mechsolve.verify.search.mechanisms.MechanismSpace`).
    budget, time_limit : int, float
        Stop after this many instances and/or seconds (at least one is needed). With only a
        time limit, how far the search gets depends on the machine.
    seed : int
        Seed of the search; chunk ``c`` draws from :func:`chunk_rng` ``(seed, c)``.
    shrink_found : bool
        Shrink the counterexample (it is confirmed in any case).
    progress : callable, optional
        ``progress(instances_done)``: per instance in process, per chunk otherwise.
    workers, scheduler
        ``workers`` local processes, or the Dask scheduler at ``scheduler``
        (:class:`mechsolve.parallel.ExecutorSpec`); the result does not depend on them.
    chunk_size : int
        Instances per chunk (part of what the seed means: keep it to reproduce a search).

    Returns
    -------
    SearchResult
        ``violated`` with a shrunk, confirmed counterexample, or ``no-counterexample-found``
        with what was searched.

    Raises
    ------
    SearchInterrupted
        On Ctrl-C; its ``result`` holds the instances searched so far.
    """
    if budget is None and time_limit is None:
        raise InvalidModel("give a budget (instances) or a time limit", field="budget")
    if budget is not None and budget < 1:
        raise InvalidModel(f"budget must be at least 1, got {budget}", field="budget")
    if chunk_size < 1:
        raise InvalidModel(f"chunk size must be at least 1, got {chunk_size}", field="chunk_size")
    spec = ExecutorSpec(workers, scheduler)
    t0 = time.perf_counter()
    deadline = time.time() + time_limit if time_limit is not None else None
    winner: list[int] = []        # the lowest chunk known to hold a counterexample

    def tasks() -> Iterator[_Task]:
        for c in itertools.count():
            start = c * chunk_size
            if budget is not None and start >= budget:
                return
            if winner and c > winner[0]:
                return
            if deadline is not None and time.time() >= deadline:
                return
            count = chunk_size if budget is None else min(chunk_size, budget - start)
            yield _Task(space, int(seed), c, start, count, deadline)

    in_process = spec.scheduler is None and spec.n_workers == 1
    fn: Callable[[_Task], _ChunkResult] = run_chunk
    if in_process and progress is not None:
        fn = functools.partial(run_chunk, progress=progress)
    results: dict[int, _ChunkResult] = {}
    interrupted = False
    done = 0
    gen = imap_unordered(fn, tasks(), workers=spec.workers, scheduler=spec.scheduler)
    try:
        for c, res in gen:
            results[c] = res
            done += res.stats["instances"]
            if progress is not None and not in_process:
                progress(done)
            if res.found is not None and (not winner or c < winner[0]):
                winner[:] = [c]
            if res.interrupted:
                interrupted = True
                break
            if winner and all(k in results for k in range(winner[0])):
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        gen.close()

    def stats_of(chunks: list[int]) -> dict[str, Any]:
        stats: dict[str, Any] = {"seed": seed, **space.stats_header(), **new_stats(space)}
        for c in chunks:
            _merge(stats, results[c].stats)
        stats["chunks"] = len(chunks)
        stats["chunk_size"] = chunk_size
        stats["executor"] = spec.where
        stats["interrupted"] = interrupted
        stats["seconds"] = time.perf_counter() - t0
        return stats

    if interrupted:   # what was searched so far; a violation found so far is kept, unshrunk
        stats = stats_of(sorted(results))
        found = [results[c].found for c in sorted(results) if results[c].found is not None]
        cx = None
        if found:
            inst, conf, at = found[0]
            cx = _counterexample(space, inst, conf, at, inst, 0)
        raise SearchInterrupted(SearchResult(space, cx, _finish(stats), interrupted=True))
    last = winner[0] if winner else (max(results) if results else -1)
    stats = stats_of([c for c in range(last + 1) if c in results])
    if not winner:
        return SearchResult(space, None, _finish(stats))
    found = results[winner[0]].found
    assert found is not None
    original, conf, at = found
    inst, steps = original, 0
    try:
        if shrink_found:
            inst, steps, last_conf = shrink(original, space.confirm, space)
            conf = last_conf or conf
        final = space.canonical(inst)
        final_conf = space.confirm(final)
        assert final_conf.verdict is not None  # shrinking only accepts confirmed violations
        inst, conf = final, final_conf
    except KeyboardInterrupt as stop:
        if isinstance(stop, _ShrinkInterrupted):
            inst, steps, conf = stop.inst, stop.steps, stop.last or conf
        interrupted = True
        stats["interrupted"] = True
        stats["seconds"] = time.perf_counter() - t0
        cx = _counterexample(space, inst, conf, at, original, steps)
        raise SearchInterrupted(SearchResult(space, cx, _finish(stats), interrupted=True)) from None
    stats["seconds"] = time.perf_counter() - t0
    return SearchResult(space, _counterexample(space, inst, conf, at, original, steps), _finish(stats))


def _counterexample(space: Space[Any], inst: Any, conf: Confirmation, at: int, original: Any,
                    steps: int) -> Counterexample:
    assert conf.verdict is not None
    return Counterexample(space.axiom, inst, conf.verdict, conf.how, conf.exact, at, original, steps,
                          dict(space.explain(inst)))


__all__ = ["run", "run_chunk", "shrink", "chunk_rng", "new_stats", "CHUNK_SIZE"]
