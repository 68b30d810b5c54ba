"""Suite-wide fixtures."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _learned_values_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Learned values (``value: {learn: ...}``) are cached in one folder for the whole session, never in
    the user's ``~/.cache``: the bundled digits markets share their trainings across tests."""
    old = os.environ.get("MECHSOLVE_CACHE")
    os.environ["MECHSOLVE_CACHE"] = str(tmp_path_factory.mktemp("mechsolve-cache"))
    yield
    if old is None:
        os.environ.pop("MECHSOLVE_CACHE", None)
    else:
        os.environ["MECHSOLVE_CACHE"] = old


@pytest.fixture(scope="module")
def dask_address() -> object:
    """The address of a local Dask cluster (2 in-process workers, one thread each), one per test module."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address
