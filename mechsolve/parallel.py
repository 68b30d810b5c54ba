"""Executors: run a picklable function over tasks in this process, in local processes, or on Dask.

One small API for every parallel loop of the package (counterexample search chunks,
parameter sweeps such as the data-disparity boundary of Chen et al. 2020, Sec. 6.2):

* :func:`imap_unordered` — a generator of ``(index, result)`` pairs as tasks finish.
  Tasks are pulled *lazily* from an iterable (at most ``window`` in flight), so a
  caller can stop early: closing the generator (``break``) cancels what has not
  started. This is what a search that stops at its first counterexample needs.
* :func:`parallel_map` — every result, in task order, with a progress callback.

Where the work runs is an :class:`ExecutorSpec`:

========================  ====================================================
``workers=1`` (default)   in this process, one task after the other
``workers=N``             ``N`` local processes (:mod:`concurrent.futures`)
``scheduler=ADDRESS``     a Dask cluster (``dask.distributed.Client(ADDRESS)``)
========================  ====================================================

Results never depend on where they ran: a task is a pure function of its
arguments (seeds travel inside the task), and :func:`parallel_map` returns them
in task order. Exceptions raised by a task are re-raised in the caller unchanged
(never turned into a value).

Cancellation: when the caller stops early (closing the generator) or is
interrupted (``KeyboardInterrupt`` from Ctrl-C, or the CLI's SIGTERM handler),
queued tasks are cancelled and running local workers are terminated and reaped
at once (no orphan keeps running or holds the caller's stdout); on Dask every
submitted future not yet consumed is cancelled. Local workers ignore SIGINT, so
Ctrl-C in a terminal interrupts only the caller, which then cleans up.

Examples
--------
>>> parallel_map(abs, [-2, 3, -5])
[2, 3, 5]
>>> sorted(imap_unordered(abs, [-1, -4]))
[(0, 1), (1, 4)]
"""

from __future__ import annotations

import itertools
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import InvalidModel, Unsupported

T = TypeVar("T")
R = TypeVar("R")

#: Tasks kept in flight per worker (enough to keep a worker busy while results are read).
IN_FLIGHT_PER_WORKER = 2
#: Seconds to wait for a terminated worker to exit before killing it.
REAP_SECONDS = 1.0
#: Seconds to wait for a killed worker to be gone (tearing down a large forked process takes time on a
#: loaded machine; a 1 s wait once left a worker behind).
KILL_SECONDS = 10.0


def _worker_init() -> None:
    """Local workers leave SIGINT to the caller (a terminal sends Ctrl-C to the whole process group)
    and die on SIGTERM (whatever handler the caller had when it forked them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks, terminate and reap every worker process of ``pool`` now."""
    procs = list((getattr(pool, "_processes", None) or {}).values())   # no public API before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(REAP_SECONDS)
        if p.is_alive():
            p.kill()
            p.join(KILL_SECONDS)    # SIGKILL cannot be refused; a large forked worker may take a while to exit
    # The pool's manager thread may reap a worker at the same moment (then our waitpid sees ECHILD and the
    # worker reads as alive until that thread records its exit code): wait until every exit is recorded.
    deadline = time.monotonic() + KILL_SECONDS
    for p in procs:
        while p.exitcode is None and time.monotonic() < deadline:
            time.sleep(0.005)


@dataclass(frozen=True)
class ExecutorSpec:
    """Where tasks run: ``workers`` local processes, or the Dask scheduler at ``scheduler``.

    ``workers=None`` means one per CPU; ``workers=1`` runs in this process (no pickling).
    With ``scheduler`` set, ``workers`` is ignored: the cluster decides.
    """

    workers: int | None = 1
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and (isinstance(self.workers, bool) or int(self.workers) < 1):
            raise InvalidModel(f"workers must be at least 1, got {self.workers!r}", field="workers")
        if self.scheduler is not None and not str(self.scheduler).strip():
            raise InvalidModel("scheduler address is empty; give e.g. tcp://127.0.0.1:8786", field="scheduler")

    @property
    def n_workers(self) -> int:
        """Local worker processes (1 = in this process)."""
        return int(self.workers) if self.workers is not None else (os.cpu_count() or 1)

    @property
    def where(self) -> str:
        """A phrase for reports: ``"in process"``, ``"4 local processes"``, ``"Dask at tcp://…"``."""
        if self.scheduler:
            return f"Dask cluster at {self.scheduler}"
        k = self.n_workers
        return "in process" if k == 1 else f"{k} local processes"


def _check_picklable(fn: Callable[..., Any], first: Any) -> None:
    try:
        pickle.dumps((fn, first))
    except Exception as exc:  # noqa: BLE001 - any pickling failure means: cannot ship it
        raise Unsupported(f"the work cannot be sent to worker processes ({type(exc).__name__}: {exc}); "
                          "run with one worker, or register the scheme/axiom by name", field="workers") from None


DASK_HINT = "--scheduler needs dask.distributed: pip install 'mechsolve[dask]' (or 'dask[distributed]')"


def _dask_client(address: str) -> Any:
    try:
        from dask.distributed import Client  # type: ignore[import-not-found]
    except ImportError:
        raise Unsupported(DASK_HINT, field="scheduler") from None
    try:
        return Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise Unsupported(f"cannot reach the Dask scheduler at {address}: {exc}", field="scheduler") from None


def imap_unordered(fn: Callable[[T], R], tasks: Iterable[T], *, workers: int | None = 1,
                   scheduler: str | None = None, window: int | None = None) -> Iterator[tuple[int, R]]:
    """Yield ``(index, fn(task))`` as tasks finish; tasks are drawn lazily from ``tasks``.

    Parameters
    ----------
    fn : callable
        A picklable (module-level) function of one task, when run out of process.
    tasks : iterable
        Possibly infinite or produced on demand; the ``k``-th task has index ``k``.
    workers, scheduler
        See :class:`ExecutorSpec`.
    window : int, optional
        Tasks in flight at once (default ``2 × workers``; 1 in process).

    Notes
    -----
    Closing the generator (``break`` out of the loop, or ``.close()``) or an exception
    in the caller (``KeyboardInterrupt``) stops drawing tasks, cancels those not
    started and terminates the local workers running the others (their results are
    not wanted); on Dask the outstanding futures are cancelled. In process, order is
    task order.

    Examples
    --------
    >>> list(imap_unordered(len, ["ab", "c"]))
    [(0, 2), (1, 1)]
    """
    spec = ExecutorSpec(workers, scheduler)
    it = enumerate(tasks)
    if spec.scheduler is None and spec.n_workers == 1:
        for k, t in it:
            yield k, fn(t)
        return
    first = next(it, None)
    if first is None:
        return
    _check_picklable(fn, first[1])
    it = itertools.chain([first], it)
    if spec.scheduler is not None:
        yield from _dask_imap(fn, it, str(spec.scheduler), window)
        return
    width = window or IN_FLIGHT_PER_WORKER * spec.n_workers
    pool = ProcessPoolExecutor(max_workers=spec.n_workers, initializer=_worker_init)
    running: dict[Future[R], int] = {}
    finished = False
    try:
        for k, t in itertools.islice(it, width):
            running[pool.submit(fn, t)] = k
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: running[f]):
                k = running.pop(fut)
                result = fut.result()          # a task's exception is raised here, unchanged
                nxt = next(it, None)
                if nxt is not None:
                    running[pool.submit(fn, nxt[1])] = nxt[0]
                yield k, result
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:                                  # stopped early, failed or interrupted: nothing left running
            for fut in running:
                fut.cancel()
            _stop_pool(pool)


def _dask_imap(fn: Callable[[T], R], it: Iterator[tuple[int, T]], address: str,
               window: int | None) -> Iterator[tuple[int, R]]:
    client = _dask_client(address)
    from dask.distributed import as_completed  # type: ignore[import-not-found]

    pending: dict[str, Any] = {}                   # submitted and not yet consumed
    try:
        width = window or max(2, IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info().get("workers", {}))))
        index: dict[str, int] = {}
        futs = []
        for k, t in itertools.islice(it, width):
            f = client.submit(fn, t, pure=False)
            index[f.key] = k
            pending[f.key] = f
            futs.append(f)
        if not futs:
            return
        ac = as_completed(futs, loop=client.loop)
        for fut in ac:
            k = index[fut.key]
            pending.pop(fut.key, None)
            result = fut.result()              # re-raises the task's exception
            nxt = next(it, None)
            if nxt is not None:
                f = client.submit(fn, nxt[1], pure=False)
                index[f.key] = nxt[0]
                pending[f.key] = f
                ac.add(f)
            yield k, result
    finally:
        try:
            if pending:
                client.cancel(list(pending.values()), force=True)
        finally:
            client.close(timeout=2)


def parallel_map(fn: Callable[[T], R], tasks: Iterable[T], *, workers: int | None = 1,
                 scheduler: str | None = None,
                 progress: Callable[[int, int, R], None] | None = None) -> list[R]:
    """``[fn(t) for t in tasks]`` in task order, run where :class:`ExecutorSpec` says.

    ``progress(done, total, result)`` is called as each task finishes (in finishing order).

    Examples
    --------
    >>> parallel_map(str, [1, 2], progress=lambda d, t, r: None)
    ['1', '2']
    """
    items = list(tasks)
    out: dict[int, R] = {}
    for k, r in imap_unordered(fn, items, workers=workers, scheduler=scheduler):
        out[k] = r
        if progress is not None:
            progress(len(out), len(items), r)
    return [out[k] for k in range(len(items))]


__all__ = ["ExecutorSpec", "imap_unordered", "parallel_map", "IN_FLIGHT_PER_WORKER", "REAP_SECONDS"]
