"""Monte Carlo Shapley at equal value calls: mechsolve against shapiq's and pyDVL's approximators.

Usage::

    pip install -e ".[bench]"                     # shapiq (pyDVL pins numpy<2: separate venv below)
    python3 -m venv /tmp/pydvl && /tmp/pydvl/bin/pip install "pyDVL>=0.10"
    python benchmarks/monte_carlo.py --pydvl-python /tmp/pydvl/bin/python      # ~1 h on 2 cores
    python benchmarks/monte_carlo.py --families large ... --out DIR            # halves side by side, then
    python benchmarks/monte_carlo.py --merge DIR1/monte_carlo.json DIR2/monte_carlo.json
    python benchmarks/monte_carlo.py --reps 3 --budgets 1000 --families small  # quick look
    python benchmarks/monte_carlo.py --methods mechsolve --out DIR              # re-run mechsolve only, then
    python benchmarks/monte_carlo.py --merge benchmarks/results/monte_carlo.json DIR/monte_carlo.json

One run measures, per family of games with known Shapley values (``_mc_games``:
n = 16 tables with exact values, n = 50…100 callables with closed-form or
counted values) and per budget (1,000 / 5,000 / 20,000 value calls), the RMSE
over players of every method against the true value, averaged over ``--reps``
games (a new game and a new seed per rep; every method sees the same games),
with its standard error over reps. Printed per row: each method's mean RMSE
± SE, the best peer, and the ratio best-peer RMSE / mechsolve RMSE (> 1:
mechsolve better) with its delta-method SE over the paired reps.

How calls are counted (shapiq's accounting, the same for every method): each
method gets the budget in its own interface (``max_value_calls``, shapiq's
``approximate(budget, game)``, a pyDVL stopping rule on distinct
coalitions), and the benchmark's :class:`~_mc_games.Oracle` counts the
distinct coalitions the method asked for (``v(∅)`` and ``v(N)`` included);
the table shows the largest count per method, never above the budget
(permutation methods ask for some coalitions twice, and are charged ``n − 1``
per permutation by their own budget, so their distinct count is lower).

Methods: mechsolve ``method="stratified"`` (the default Neyman allocation and
the fixed allocation ``neyman=False``) and ``method="permutation"`` (antithetic
auto); shapiq 1.4 ``PermutationSamplingSV``, ``KernelSHAP`` (without and with
the pairing trick), ``UnbiasedKernelSHAP``, ``SVARM`` (stratified SVARM),
``StratifiedSamplingSV``, ``OwenSamplingSV``, ``kADDSHAP`` (2-additive, n = 16
only: at n ≥ 50 it has ≥ 1,275 unknowns); pyDVL 0.10 ``ShapleyValuation`` with
``PermutationSampler``, ``AntitheticPermutationSampler``, ``UniformSampler``,
``AntitheticSampler``, ``VRDSSampler`` (stratified, harmonic sizes) and
``OwenSampler`` (in a worker under ``--pydvl-python``, ``--pydvl-reps`` games).
A method whose single run takes more than ``--max-seconds`` is not run again
in that family (the table says "stopped (slow)"). Ratios pair each peer with
mechsolve on the reps both ran; the best peer is the one with the lowest ratio. shapiq's ``SPEX``/``ProxySPEX`` (sparse Fourier
interaction recovery; ProxySPEX needs lightgbm) run only with ``--spex``
(one rep: 27–225 s per run at n = 16).

Results: ``benchmarks/results/monte_carlo.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mc_games import LARGE, SMALL, Oracle, large_game, small_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
N_SMALL = 16
MECHSOLVE = "mechsolve stratified"


def game(family: str, rep: int, seed: int) -> tuple[int, Callable[[np.ndarray], np.ndarray], np.ndarray | None,
                                                   bool, np.ndarray | None]:
    """``(n, f, exact or None, memo, table)``: exact is None for tables (the caller computes it)."""
    rng = np.random.default_rng([seed, rep, sum(map(ord, family))])
    if family in SMALL:
        v = small_table(family, N_SMALL, rng)
        bits = 1 << np.arange(N_SMALL, dtype=np.int64)
        return N_SMALL, lambda m: v[np.atleast_2d(m).astype(np.int64) @ bits], None, False, v
    n, f, exact, memo = large_game(family, rng)
    return n, f, exact, memo, None


# ------------------------------------------------------------------ methods (main process)
def mechsolve_methods() -> dict[str, Callable[..., np.ndarray]]:
    from mechsolve.games.shapley import monte_carlo_shapley

    def run(kind: str) -> Callable[..., np.ndarray]:
        def go(f: Oracle, n: int, budget: int, seed: int) -> np.ndarray:
            if kind == "permutation":
                return monte_carlo_shapley(f, n, max_value_calls=budget, max_permutations=10**9, seed=seed).values
            from mechsolve.games.stratified import stratified_shapley

            if kind == "fixed":
                from threadpoolctl import threadpool_limits

                with threadpool_limits(1, user_api="blas"):       # as monte_carlo_shapley does
                    return stratified_shapley(f, n, budget=budget, seed=seed, neyman=False).values
            return monte_carlo_shapley(f, n, max_value_calls=budget, method="stratified", seed=seed).values
        return go

    return {MECHSOLVE: run("stratified"), "mechsolve stratified, fixed allocation": run("fixed"),
            "mechsolve permutation": run("permutation")}


def shapiq_methods(spex: bool) -> dict[str, Callable[..., np.ndarray]]:
    try:
        import shapiq.approximator as A
    except ImportError:
        return {}

    def run(name: str, small_only: bool = False, **kw: Any) -> Callable[..., np.ndarray]:
        def go(f: Oracle, n: int, budget: int, seed: int) -> np.ndarray | None:
            if small_only and n > N_SMALL:
                return None
            cls = getattr(A, name)
            approx = cls(n=n, random_state=seed, **kw) if name in ("SPEX", "ProxySPEX") else \
                cls(n, random_state=seed, **kw)
            iv = approx.approximate(budget, f)
            return np.array([iv[(i,)] for i in range(n)])
        return go

    out = {"shapiq PermutationSamplingSV": run("PermutationSamplingSV"),
           "shapiq KernelSHAP": run("KernelSHAP"),
           "shapiq KernelSHAP (paired)": run("KernelSHAP", pairing_trick=True),
           "shapiq UnbiasedKernelSHAP": run("UnbiasedKernelSHAP"),
           "shapiq SVARM": run("SVARM"),
           "shapiq StratifiedSamplingSV": run("StratifiedSamplingSV"),
           "shapiq OwenSamplingSV": run("OwenSamplingSV"),
           "shapiq kADDSHAP (k=2)": run("kADDSHAP", small_only=True, max_order=2)}
    if spex:
        out["shapiq SPEX"] = run("SPEX", small_only=True, index="SV", max_order=1)
        out["shapiq ProxySPEX"] = run("ProxySPEX", small_only=True, index="SV", max_order=1)
    return out


# ------------------------------------------------------------------ pyDVL (worker under numpy<2)
PYDVL = ["pyDVL PermutationSampler", "pyDVL AntitheticPermutationSampler", "pyDVL UniformSampler",
         "pyDVL AntitheticSampler", "pyDVL VRDSSampler", "pyDVL OwenSampler"]


def pydvl_run(name: str, f: Oracle, n: int, budget: int, seed: int) -> np.ndarray:
    """pyDVL's ShapleyValuation with one sampler, stopped once ``budget`` distinct coalitions were asked for."""
    from pydvl.utils.status import Status
    from pydvl.valuation import ShapleyValuation
    from pydvl.valuation import samplers as S
    from pydvl.valuation.games import Game as PGame
    from pydvl.valuation.stopping import StoppingCriterion

    kind = name.split()[-1]
    reserve = n + 1 if "Permutation" in kind else 2      # one more batch must still fit the budget

    class Budget(StoppingCriterion):
        def _check(self, result: Any) -> Status:
            if f.distinct + reserve > budget:
                self._converged = np.full_like(result.indices, True, dtype=bool)
                return Status.Converged
            return Status.Pending

        def completion(self) -> float:
            return min(1.0, f.distinct / budget)

        def __str__(self) -> str:
            return f"Budget({budget})"

    class OracleGame(PGame):
        def _score(self, X: np.ndarray) -> float:
            row = np.zeros((1, n), dtype=bool)
            row[0, np.asarray(X, dtype=np.int64).reshape(-1)] = True
            return float(f(row)[0])

    g = OracleGame(n)
    if kind == "VRDSSampler":
        sampler = S.VRDSSampler(n_samples_per_index=max(1, budget // (2 * n)), seed=seed)
    elif kind == "OwenSampler":
        sampler = S.OwenSampler(outer_sampling_strategy=S.owen.GridOwenStrategy(n_samples_outer=max(2, budget // (4 * n))),
                                n_samples_inner=2, seed=seed)
    else:
        sampler = getattr(S, kind)(seed=seed)
    val = ShapleyValuation(g.u, sampler=sampler, is_done=Budget(), progress=False)
    val.fit(g.data)
    res = val.result
    out = np.zeros(n)
    out[np.asarray(res.indices, dtype=np.int64)] = np.asarray(res.values, dtype=np.float64)
    return out


def pydvl_worker(families: list[str], budgets: list[int], reps: int, seed: int, max_seconds: float) -> None:
    warnings.filterwarnings("ignore")
    for family in families:
        slow: set[str] = set()
        for budget in budgets:
            for rep in range(reps):
                for name in PYDVL:
                    if name in slow:
                        continue
                    n, f, _, memo, _ = game(family, rep, seed)
                    oracle = Oracle(f, n, memo)
                    t0 = time.perf_counter()
                    try:
                        est = pydvl_run(name, oracle, n, budget, rep)
                        status = "ok"
                    except Exception as exc:  # a peer's failure is reported, never turned into a number
                        est, status = None, f"failed: {type(exc).__name__}: {str(exc)[:80]}"
                    dt = time.perf_counter() - t0
                    if dt > max_seconds:
                        slow.add(name)
                    print(json.dumps({"family": family, "budget": budget, "rep": rep, "method": name,
                                      "values": None if est is None else est.tolist(), "status": status,
                                      "distinct": oracle.distinct, "time": dt}), flush=True)


# ------------------------------------------------------------------ main
def _ratio_se(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """Ratio of means of paired samples and its delta-method standard error."""
    r = num.mean() / den.mean()
    k = num.size
    if k < 2:
        return float(r), float("nan")
    c = np.cov(num, den)
    var = (c[0, 0] / num.mean() ** 2 + c[1, 1] / den.mean() ** 2 - 2 * c[0, 1] / (num.mean() * den.mean())) / k
    return float(r), float(abs(r) * math.sqrt(max(var, 0.0)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", default="all", help="all, small, large, or names separated by ';'")
    ap.add_argument("--budgets", default="1000,5000,20000")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=30.0,
                    help="a method whose run takes longer is not run again in that family")
    ap.add_argument("--pydvl-python", default=None, help="python of a venv with pyDVL (numpy<2)")
    ap.add_argument("--pydvl-reps", type=int, default=5, help="reps for pyDVL (slow per call); ratios are paired")
    ap.add_argument("--spex", action="store_true", help="also shapiq SPEX and ProxySPEX (slow; needs lightgbm)")
    ap.add_argument("--methods", default=None,
                    help="only the methods whose name contains one of these strings (separated by ';')")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--merge", nargs="+", type=Path, default=None,
                    help="only re-render the report from the runs of earlier monte_carlo.json files")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    fams = {"all": SMALL + LARGE, "small": SMALL, "large": LARGE}.get(args.families) or args.families.split(";")
    budgets = [int(b) for b in args.budgets.split(",")]
    if args.worker:
        pydvl_worker(fams, budgets, args.reps, args.seed, args.max_seconds)
        return
    if args.merge:
        runs = []
        for path in args.merge:                     # reports' runs, or raw pyDVL worker lines (.jsonl)
            text = path.read_text(encoding="utf-8")
            runs += worker_runs(text.splitlines(), args.seed, {}) if path.suffix == ".jsonl" \
                else json.loads(text)["runs"]
        # a later file's run replaces an earlier one's (same family, budget, rep and method): re-run
        # one method with --methods and merge it over a full report
        keyed = {(r["family"], r["budget"], r["rep"], r["method"]): r for r in runs}
        runs = list(keyed.values())
        fams = [f for f in fams if any(r["family"] == f for r in runs)]
        write(runs, fams, budgets, args.reps, args.out)
        return
    warnings.filterwarnings("ignore")
    from mechsolve.games.game import Game
    from mechsolve.games.shapley import shapley

    worker = None
    if args.pydvl_python:
        cmd = [args.pydvl_python, __file__, "--worker", "--families", ";".join(fams), "--budgets", args.budgets,
               "--reps", str(min(args.reps, args.pydvl_reps)), "--seed", str(args.seed), "--max-seconds", str(args.max_seconds)]
        # to a file, not a pipe: a full pipe would stall the worker until the main loop ends
        worker_out = tempfile.TemporaryFile("w+", encoding="utf-8")
        worker = subprocess.Popen(cmd, stdout=worker_out, stderr=subprocess.DEVNULL, text=True,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore"})
    methods = {**mechsolve_methods(), **shapiq_methods(args.spex)}
    if args.methods:
        methods = {k: m for k, m in methods.items() if any(w in k for w in args.methods.split(";"))}
    reps = {name: (1 if "SPEX" in name else args.reps) for name in methods}
    runs: list[dict[str, Any]] = []
    exact_cache: dict[tuple[str, int], np.ndarray] = {}
    t_start = time.perf_counter()
    for family in fams:
        slow: set[str] = set()
        for budget in budgets:
            for rep in range(args.reps):
                n, f, exact, memo, table = game(family, rep, args.seed)
                if exact is None:
                    key = (family, rep)
                    if key not in exact_cache:
                        exact_cache[key] = shapley(Game(tuple(f"p{k}" for k in range(n)), table))
                    exact = exact_cache[key]
                for name, run in methods.items():       # interleaved: every method on the same game
                    if name in slow or rep >= reps[name]:
                        continue
                    n, f, _, memo, _ = game(family, rep, args.seed)   # the same noise stream, restarted
                    oracle = Oracle(f, n, memo)
                    t0 = time.perf_counter()
                    est = run(oracle, n, budget, rep)
                    dt = time.perf_counter() - t0
                    if est is None:
                        continue
                    if dt > args.max_seconds:
                        slow.add(name)
                    runs.append({"family": family, "budget": budget, "rep": rep, "method": name, "time": dt,
                                 "distinct": oracle.distinct, "rmse": float(np.sqrt(np.mean((est - exact) ** 2)))})
            print(f"[{time.perf_counter() - t_start:6.0f} s] {family} budget {budget} done", file=sys.stderr,
                  flush=True)
    if worker is not None:
        worker.wait()
        worker_out.seek(0)
        runs += worker_runs(worker_out.read().splitlines(), args.seed, exact_cache)
    write(runs, fams, budgets, args.reps, args.out)


def worker_runs(lines: list[str], seed: int, exact_cache: dict[tuple[str, int], np.ndarray]
                ) -> list[dict[str, Any]]:
    """The pyDVL worker's JSON lines as runs (RMSE against the exact values, recomputed here)."""
    from mechsolve.games.game import Game
    from mechsolve.games.shapley import shapley

    runs: list[dict[str, Any]] = []
    for line in lines:
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if d["values"] is None:
            runs.append({**d, "rmse": None})
            continue
        n, _, exact, _, table = game(d["family"], d["rep"], seed)
        if exact is None:
            key = (d["family"], d["rep"])
            if key not in exact_cache:
                exact_cache[key] = shapley(Game(tuple(f"p{k}" for k in range(n)), table))
            exact = exact_cache[key]
        runs.append({k: d[k] for k in ("family", "budget", "rep", "method", "time", "distinct")}
                    | {"rmse": float(np.sqrt(np.mean((np.asarray(d["values"]) - exact) ** 2)))})
    return runs


def write(runs: list[dict[str, Any]], fams: list[str], budgets: list[int], reps: int, out: Path) -> None:
    md, rows = report(runs, fams, budgets, reps)
    out.mkdir(parents=True, exist_ok=True)
    from _harness import machine

    text = (f"### Monte Carlo Shapley at equal value calls (mean RMSE over {reps} games ± SE)\n\n"
            f"Machine: {machine()}\n\n{md}\n")
    (out / "monte_carlo.md").write_text(text, encoding="utf-8")
    (out / "monte_carlo.json").write_text(json.dumps({"reps": reps, "rows": rows, "runs": runs}, indent=1),
                                          encoding="utf-8")
    print(text)


def report(runs: list[dict[str, Any]], fams: list[str], budgets: list[int], reps: int) -> tuple[str, list[Any]]:
    """One markdown table per family: methods as rows, budgets as columns; then the ratio summary."""
    out, rows = [], []
    summary = ["| family | budget | mechsolve stratified RMSE | best peer (lowest paired ratio) | its RMSE | "
               "best peer / mechsolve ± SE (paired reps) |", "|---|---|---|---|---|---|"]
    for family in fams:
        names = list(dict.fromkeys(r["method"] for r in runs if r["family"] == family))
        head = "| method | " + " | ".join(f"{b} calls: RMSE ± SE (distinct calls, time)" for b in budgets) + " |"
        lines = [f"**{family}**", "", head, "|---|" + "---|" * len(budgets)]
        for name in names:
            cells = []
            for b in budgets:
                sel = [r for r in runs if r["family"] == family and r["budget"] == b and r["method"] == name]
                ok = [r for r in sel if r.get("rmse") is not None]
                if not ok:
                    cells.append("failed" if sel else "stopped (slow)")
                    continue
                e = np.array([r["rmse"] for r in ok])
                se = e.std(ddof=1) / math.sqrt(e.size) if e.size > 1 else float("nan")
                cells.append(f"{e.mean():.2e} ± {se:.0e} ({max(r['distinct'] for r in ok)}, "
                             f"{np.mean([r['time'] for r in ok]):.2f} s)" + (f" [{e.size} rep]" if e.size < reps else ""))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
        for b in budgets:
            def errs(name: str) -> dict[int, float]:
                return {r["rep"]: r["rmse"] for r in runs if r["family"] == family and r["budget"] == b
                        and r["method"] == name and r.get("rmse") is not None}
            ours = errs(MECHSOLVE)
            peers = {nm: errs(nm) for nm in names if not nm.startswith("mechsolve")}
            paired = {}
            for nm, e in peers.items():                  # paired on the reps both ran
                keys = sorted(set(e) & set(ours))
                if len(keys) >= 2:
                    paired[nm] = (_ratio_se(np.array([e[k] for k in keys]), np.array([ours[k] for k in keys])),
                                  float(np.mean([e[k] for k in keys])), len(keys))
            if not ours or not paired:
                continue
            best = min(paired, key=lambda nm: paired[nm][0][0])
            (ratio, rse), best_rmse, k = paired[best]
            rows.append({"family": family, "budget": b, "mechsolve": float(np.mean(list(ours.values()))),
                         "best_peer": best, "best_peer_rmse": best_rmse, "paired_reps": k,
                         "ratio": ratio, "ratio_se": rse})
            summary.append(f"| {family} | {b} | {rows[-1]['mechsolve']:.2e} | {best} | "
                           f"{rows[-1]['best_peer_rmse']:.2e} | {ratio:.2f} ± {rse:.2f} ({k}) |")
    return "\n\n".join(out) + "\n\n" + "\n".join(summary), rows


if __name__ == "__main__":
    main()
