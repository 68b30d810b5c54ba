"""Executors (mechsolve.parallel): in process, local processes and a local Dask cluster give the same
results; a seeded search does not depend on where or on how many workers its chunks ran."""

from __future__ import annotations

import itertools
import json

import pytest

from mechsolve.errors import InvalidModel, Unsupported
from mechsolve.parallel import ExecutorSpec, imap_unordered, parallel_map
from mechsolve.verify.search import search


def _square(x: int) -> int:
    return x * x


def _fails_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x




def _comparable(result) -> str:
    """The search result without what may differ between executors (wall time, where it ran)."""
    d = result.to_dict()
    d["searched"].pop("seconds")
    d["searched"].pop("executor")
    return json.dumps(d, sort_keys=True, default=str)


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_map_keeps_task_order_and_reports_progress(workers: int) -> None:
    seen: list[tuple[int, int]] = []
    out = parallel_map(_square, range(7), workers=workers, progress=lambda d, t, r: seen.append((d, t)))
    assert out == [k * k for k in range(7)]
    assert [d for d, _ in seen] == list(range(1, 8)) and {t for _, t in seen} == {7}


def test_dask_local_cluster_map_and_early_stop(dask_address: str) -> None:
    assert parallel_map(_square, range(9), scheduler=dask_address) == [k * k for k in range(9)]
    # an infinite task stream: closing the generator stops drawing tasks
    got = {}
    gen = imap_unordered(_square, itertools.count(), scheduler=dask_address)
    for k, r in gen:
        got[k] = r
        if len(got) >= 5:
            break
    gen.close()
    assert all(r == k * k for k, r in got.items())


@pytest.mark.parametrize("workers", [1, 2])
def test_task_exceptions_are_raised_not_returned(workers: int) -> None:
    with pytest.raises(ValueError, match="three"):
        parallel_map(_fails_on_three, range(6), workers=workers)


def test_unpicklable_work_and_bad_specs_are_refused() -> None:
    with pytest.raises(Unsupported, match="cannot be sent"):
        parallel_map(lambda x: x, range(3), workers=2)
    assert parallel_map(lambda x: x + 1, range(3)) == [1, 2, 3]       # in process: no pickling
    with pytest.raises(InvalidModel, match="workers"):
        ExecutorSpec(workers=0)
    assert ExecutorSpec(3).where == "3 local processes" and ExecutorSpec().where == "in process"


def test_search_results_do_not_depend_on_workers(dask_address: str) -> None:
    # a violation found in the 2nd chunk (equal split pays a null player, Shapley 1953 null-player axiom)
    runs = [search("formula", "null-player", params={"formula": "vN/n"}, budget=450, seed=5, chunk_size=40,
                   workers=w, scheduler=s) for w, s in ((1, None), (2, None), (1, dask_address))]
    assert [r.status for r in runs] == ["violated"] * 3
    assert len({_comparable(r) for r in runs}) == 1
    assert runs[0].stats["chunks"] == 2 and runs[0].counterexample.found_at > 40
    assert runs[2].stats["executor"].startswith("Dask cluster at ")
    # no violation: every instance of the budget is searched, in every executor
    runs = [search("shapley", "efficiency", budget=230, seed=2, chunk_size=50, workers=w, scheduler=s)
            for w, s in ((1, None), (2, None), (1, dask_address))]
    assert len({_comparable(r) for r in runs}) == 1
    assert runs[0].stats["instances"] == 230 and runs[0].stats["chunks"] == 5


def test_time_limited_search_in_parallel_stops() -> None:
    r = search("shapley", "efficiency", budget=None, time_limit=0.5, workers=2, chunk_size=20)
    assert r.status == "no-counterexample-found" and r.stats["instances"] >= 20
    assert r.stats["seconds"] < 10


# ---------------------------------------------------------------- cancellation
def _slow(x: float) -> float:
    import time

    time.sleep(x)
    return x


def test_interrupt_terminates_and_reaps_local_workers_at_once() -> None:
    """A KeyboardInterrupt in the caller (Ctrl-C) cancels queued tasks and reaps the running workers."""
    import multiprocessing
    import os
    import signal
    import threading
    import time

    before = {p.pid for p in multiprocessing.active_children()}
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    got = []
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        for k, r in imap_unordered(_slow, [0.05, 0.05, 30, 30, 30, 30], workers=2):
            got.append(k)
    elapsed = time.monotonic() - t0
    timer.join()
    assert sorted(got) == [0, 1]                        # what finished before the signal was delivered
    # cancelled and reaped soon after the signal (quiet machine: < 2 s; a loaded 2-core CI box gets 10 s),
    # never the 30 s the running tasks would take
    assert elapsed < 1.0 + 10.0, elapsed
    assert {p.pid for p in multiprocessing.active_children()} <= before    # no worker left


def test_early_stop_does_not_wait_for_running_tasks() -> None:
    import time

    t0 = time.monotonic()
    gen = imap_unordered(_slow, [0.05, 30, 30, 30], workers=2)
    k, _ = next(gen)
    gen.close()
    assert k == 0 and time.monotonic() - t0 < 5         # not the 30 s the running tasks would take


def test_dask_futures_are_cancelled_on_early_stop(dask_address: str) -> None:
    import time

    distributed = pytest.importorskip("dask.distributed")
    t0 = time.monotonic()
    gen = imap_unordered(_slow, [0.05] + [3.0] * 8, scheduler=dask_address)
    k, _ = next(gen)
    gen.close()
    assert k == 0 and time.monotonic() - t0 < 3.0
    with distributed.Client(dask_address, set_as_default=False) as c:
        end = time.monotonic() + 10
        while time.monotonic() < end and c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
            time.sleep(0.1)
        assert c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0   # nothing left queued
