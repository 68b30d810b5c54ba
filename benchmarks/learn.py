"""Learned coalition values (issue 16): all 2^n − 1 trainings on scikit-learn digits, n = 5…10 parties.

The machine is shared (2 cores, load average 12–15 from other jobs while this was measured), so absolute
times drift by ±40 % within minutes; only ratios between runs made next to each other mean anything.
Per n:

* ``overhead``: mechsolve in process vs a **literal loop** — the same rows (``Learner.training_rows``), the
  same estimator (standardised logistic regression, max_iter 1000, random_state 0), one BLAS thread, none
  of mechsolve's machinery (no keys, no records, no executor) — **interleaved** in blocks of 16 coalitions
  (literal block, then the same block through :func:`mechsolve.data.learn.learn_scores`), so both see the
  same load. The ratio is mechsolve's time over the literal loop's.
* ``1 process`` (whole table, no cache), ``2 workers`` (``--workers 2``), ``Dask`` (a local
  dask.distributed cluster of 2 worker processes × 1 thread, ``--scheduler ADDRESS``; started, and its
  workers warmed up, before the clock), ``cache write`` (an empty cache filled), ``cache hit`` (every
  record read back), and ``1 process`` again; the parallel and cache ratios are against the mean of the
  two ``1 process`` runs around them.
* ``pyDVL``: pyDVL's ``Utility`` over a ``GroupedDataset`` (one group per party) on the same rows, every
  subset of groups, cache off — run in a separate venv (pyDVL 0.10 pins numpy < 2), pointed to by
  ``--pydvl PYTHON`` (skipped when not given); against the same mean.

Every variant's table is compared with the 1-process table (max |Δ|; mechsolve's must be exactly 0).
The parties are an iid split of the 1,258 training images (539 held out, stratified, seed 0), so that
pyDVL's groups (one party per row) can hold them.

Run:  python benchmarks/learn.py [--sizes 5..10] [--pydvl /path/to/venv/bin/python] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def make_learner(n: int) -> Any:
    from mechsolve.data.learn import learner_for
    from mechsolve.model.schema import parse_model

    m = parse_model({"kind": "cooperative-market", "players": [f"p{k}" for k in range(n)], "value": {"learn": {
        "builtin": {"name": "sklearn-digits"}, "split": {"by": "iid", "seed": 0}, "test": {"holdout": 0.3, "seed": 0},
        "model": {"name": "logistic-regression", "params": {"max_iter": 1000}, "scale": "standard"}}}})
    return learner_for(m)


def literal_scores(L: Any, coalitions: list[tuple[int, ...]]) -> list[float]:
    """The plain loop: fit and score each coalition, nothing else."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    out = []
    with threadpool_limits(limits=1):
        for c in coalitions:
            idx = L.training_rows(c)
            est = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
            est.fit(L.X[idx], L.y[idx])
            out.append(float(np.mean(est.predict(L.X_test) == L.y_test)))
    return out


def overhead(L: Any, block: int = 16) -> tuple[float, float, float]:
    """(literal seconds, mechsolve seconds, max |Δ|), interleaved block by block on the same coalitions."""
    from mechsolve.data.learn import learn_scores

    n = L.n
    coalitions = [tuple(k for k in range(n) if m >> k & 1) for m in range(1, 1 << n)]
    t_lit = t_ms = 0.0
    diff = 0.0
    for i in range(0, len(coalitions), block):
        part = coalitions[i:i + block]
        t0 = time.perf_counter()
        lit = literal_scores(L, part)
        t1 = time.perf_counter()
        run = learn_scores(L, part)
        t2 = time.perf_counter()
        t_lit += t1 - t0
        t_ms += t2 - t1
        diff = max(diff, max(abs(a - r["score"]) for a, r in zip(lit, run.records)))
    return t_lit, t_ms, diff


def timed(L: Any, **opts: Any) -> tuple[float, Any]:
    from mechsolve.data.learn import LearnOptions, learn_table

    t0 = time.perf_counter()
    table = learn_table(L, LearnOptions(**opts))
    return time.perf_counter() - t0, table


def pydvl_run(python: str, L: Any) -> dict[str, Any]:
    """pyDVL's Utility over every subset of party groups, in its own interpreter (numpy < 2)."""
    n = L.n
    with tempfile.TemporaryDirectory() as d:
        groups = np.concatenate([np.full(len(r), k) for k, r in enumerate(L.rows)])
        idx = np.concatenate(L.rows)
        np.savez(Path(d) / "data.npz", X=L.X[idx], y=L.y[idx], Xt=L.X_test, yt=L.y_test, groups=groups)
        proc = subprocess.run([python, __file__, "--pydvl-worker", str(Path(d) / "data.npz"), str(n)],
                              capture_output=True, text=True, timeout=3600,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"status": f"failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"}
    return json.loads(lines[-1])


def pydvl_worker(path: str, n: int) -> None:
    """Runs inside the pyDVL venv: time Utility on all 2^n − 1 subsets of groups."""
    from itertools import combinations

    import pydvl
    from pydvl.utils import Dataset, GroupedDataset, Utility
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    z = np.load(path)
    data = Dataset(z["X"], z["y"], z["Xt"], z["yt"])
    grouped = GroupedDataset.from_dataset(data, z["groups"])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
    u = Utility(model, grouped, "accuracy", catch_errors=False, show_warnings=False)
    out = np.zeros(1 << n)
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        for size in range(1, n + 1):
            for S in combinations(range(n), size):
                out[sum(1 << k for k in S)] = float(u(frozenset(S)))
    dt = time.perf_counter() - t0
    print(json.dumps({"status": "ok", "seconds": dt, "values": out.tolist(), "pydvl": pydvl.__version__,
                      "numpy": np.__version__}))


def fmt_s(x: float) -> str:
    return f"{x * 1e3:.0f} ms" if x < 1 else f"{x:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5..10", help="n range, e.g. 5..10")
    ap.add_argument("--pydvl", default=None, metavar="PYTHON", help="python of a venv with pyDVL (numpy<2)")
    ap.add_argument("--quick", action="store_true", help="n = 5..7 only")
    ap.add_argument("--pydvl-worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pydvl_worker:
        pydvl_worker(args.pydvl_worker[0], int(args.pydvl_worker[1]))
        return
    lo, hi = (int(x) for x in args.sizes.split(".."))
    if args.quick:
        hi = min(hi, 7)
    import platform

    import sklearn
    from dask.distributed import LocalCluster

    rows = []
    t_cluster = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        t_cluster = time.perf_counter() - t_cluster
        t_warm = time.perf_counter()
        timed(make_learner(2), scheduler=cluster.scheduler_address)   # workers import scikit-learn once
        t_warm = time.perf_counter() - t_warm
        for n in range(lo, hi + 1):
            L = make_learner(n)
            t_lit, t_ms, d_lit = overhead(L)
            t1, a = timed(L)
            t2, b = timed(L, workers=2)
            td, c = timed(L, scheduler=cluster.scheduler_address)
            with tempfile.TemporaryDirectory() as cache:
                tw, w = timed(L, cache=cache)
                th, h = timed(L, cache=cache)
            t1b, a2 = timed(L)
            same = all(np.array_equal(a.values, t.values) for t in (b, c, w, h, a2))
            row: dict[str, Any] = {
                "n": n, "trainings": (1 << n) - 1, "literal_interleaved_s": t_lit, "mechsolve_interleaved_s": t_ms,
                "overhead_ratio": t_ms / t_lit, "one_process_runs_s": [t1, t1b], "two_workers_s": t2, "dask_s": td,
                "cache_write_s": tw, "cache_hit_s": th, "cache_hits": h.cache_hits, "hit_trainings": h.trainings,
                "mechsolve_tables_identical": same, "max_abs_diff_literal": d_lit, "v(N)": float(a.values[-1]),
            }
            if args.pydvl:
                p = pydvl_run(args.pydvl, L)
                row["pydvl"] = {k: v for k, v in p.items() if k != "values"}
                if p.get("status") == "ok":
                    row["pydvl"]["max_abs_diff"] = float(np.max(np.abs(np.asarray(p["values"]) - a.values)))
            rows.append(row)
            print(json.dumps(row), flush=True)
    meta = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared)",
            "python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn.__version__,
            "dask_cluster_start_s": t_cluster, "dask_warmup_s": t_warm, "load_average": os.getloadavg()}
    lines = ["| n | trainings | literal loop | mechsolve, interleaved | 1 process (2 runs) | 2 workers | "
             "Dask (2 procs) | cache write | cache hit | pyDVL Utility | max \\|Δ\\| literal / pyDVL | identical |",
             "|" + "---|" * 12]
    for r in rows:
        one = sum(r["one_process_runs_s"]) / 2
        cell = lambda x: f"{fmt_s(x)} ({x / one:.2f}×)"  # noqa: E731
        p = r.get("pydvl", {})
        pcell = cell(p["seconds"]) if p.get("status") == "ok" else (p.get("status", "–") if p else "–")
        pdiff = f"{p['max_abs_diff']:.1g}" if "max_abs_diff" in p else "–"
        lines.append(f"| {r['n']} | {r['trainings']} | {fmt_s(r['literal_interleaved_s'])} | "
                     f"{fmt_s(r['mechsolve_interleaved_s'])} ({r['overhead_ratio']:.2f}×) | "
                     f"{fmt_s(r['one_process_runs_s'][0])}, {fmt_s(r['one_process_runs_s'][1])} | "
                     f"{cell(r['two_workers_s'])} | {cell(r['dask_s'])} | {cell(r['cache_write_s'])} | "
                     f"{cell(r['cache_hit_s'])} | {pcell} | {r['max_abs_diff_literal']:.1g} / {pdiff} | "
                     f"{'yes' if r['mechsolve_tables_identical'] else 'NO'} |")
    text = "\n".join(lines)
    print(text)
    print(json.dumps(meta))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learn.md").write_text(f"# benchmarks/learn.py\n\n{json.dumps(meta)}\n\n{text}\n")
    (RESULTS / "learn.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
