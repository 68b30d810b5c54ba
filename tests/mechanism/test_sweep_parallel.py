"""The Fig. 3 boundary sweep gives the same boundaries in-process, on local processes and on a
local Dask cluster (Chen et al. 2020, Sec. 6.2; issue: sweeps run in parallel)."""

from __future__ import annotations

import pytest

from mechsolve.mechanism.boundary import sweep

ALPHAS = [-1.0, -0.9, -0.8, -0.75]


def _key(results):
    return [(r.alpha, r.boundary, r.first_profile, r.revenue, r.scope) for r in results]


def test_sweep_is_the_same_on_one_and_two_processes():
    seen = []
    one = sweep(ALPHAS, workers=1, k_max=200)
    two = sweep(ALPHAS, workers=2, k_max=200, progress=seen.append)
    assert _key(one) == _key(two)
    assert sorted(r.alpha for r in seen) == sorted(ALPHAS)
    # the boundary rises with α (Sec. 6.2, Fig. 3)
    b = [r.boundary for r in one]
    assert all(x is not None for x in b) and b == sorted(b)


def test_sweep_on_a_local_dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        on_dask = sweep(ALPHAS, scheduler=cluster.scheduler_address, k_max=200)
    assert _key(on_dask) == _key(sweep(ALPHAS, workers=1, k_max=200))
