"""Exact Shapley benchmark: mechsolve against a literal loop, a per-player numpy pass and peers.

Usage::

    pip install -e ".[bench]"          # coopgame-py, shapiq, pyDVL, matplotlib (peers are optional)
    python benchmarks/shapley.py                   # n = 10..26, ~10 minutes on 2 cores
    python benchmarks/shapley.py --max-n 16        # quick look
    python benchmarks/shapley.py --only-mc --mc-reps 100   # Monte Carlo vs shapiq only (~1.5 min)

One run measures, on the same random table ``v`` (seeded, ``v(∅) = 0``, in
memory before the clock starts), the wall time (best of up to 5 repeats
within 3 s) and the extra peak memory of each system for n = 10…max-n:

* ``mechsolve``: :func:`mechsolve.games.shapley.shapley` (one blocked pass, graded member sums);
* ``numpy per-player``: the textbook vectorisation, one reshape pass per player
  ``φ_i = Σ_{S∌i} w(|S|)(v(S∪i) − v(S))`` (baseline measured in the same run);
* ``literal loop``: a Python loop over coalitions (n ≤ 16);
* ``coopgame-py`` (Rust), ``shapiq`` ``ExactComputer`` and ``pyDVL`` exact
  (``DeterministicUniformSampler``), where installed.

Each measurement runs in a fresh process (peak memory is its own). A system
stops after the first n that takes more than ``--stop-after`` seconds (60).
The table gives each time, the ratio to mechsolve at the same n, the extra
peak memory, and the largest disagreement with mechsolve. Further sections:
semivalues (Banzhaf against coopgame-py and the definition, Beta-Shapley),
and Monte Carlo against shapiq's permutation sampling at an equal number of
value calls on n = 16 games with known exact values. Results go to
``benchmarks/results/shapley.{json,md,png}``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from _harness import (RESULTS, fmt_mem, fmt_time, machine, markdown_table, measure, plot, rss_kib,
                      numpy_per_player, run_worker)

SYSTEMS = ["mechsolve", "numpy per-player", "literal loop", "coopgame-py", "shapiq", "pyDVL"]
LITERAL_MAX_N = 16


# ------------------------------------------------------------------ inputs and systems
def table(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed + n).random(2**n)
    v[0] = 0.0
    return v


def shapley_weights(n: int) -> np.ndarray:
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])


def literal_loop(v: np.ndarray, n: int) -> np.ndarray:
    """The definition, one coalition at a time (Python floats)."""
    w = shapley_weights(n).tolist()
    vals = v.tolist()
    out = [0.0] * n
    for i in range(n):
        bit = 1 << i
        tot = 0.0
        for s in range(2**n):
            if not s & bit:
                tot += w[bin(s).count("1")] * (vals[s | bit] - vals[s])
        out[i] = tot
    return np.array(out)


def make_runner(system: str, v: np.ndarray, n: int) -> Any:
    """A zero-argument callable computing all n Shapley values with ``system`` (input prepared)."""
    if system == "mechsolve":
        from mechsolve.games.game import Game
        from mechsolve.games.shapley import shapley

        g = Game(tuple(f"p{k}" for k in range(n)), v)
        return lambda: shapley(g)
    if system == "numpy per-player":
        return lambda: numpy_per_player(v, n)
    if system == "literal loop":
        return lambda: literal_loop(v, n)
    if system == "coopgame-py":
        import coopgame

        cg = coopgame.Game(v[1:])                   # bitmask order without ∅ (conversion not timed)
        return lambda: np.asarray(coopgame.shapley(cg))
    weights = 1 << np.arange(n, dtype=np.int64)

    def lookup(coalitions: np.ndarray) -> np.ndarray:
        c = np.atleast_2d(coalitions)
        return v[c.astype(np.int64) @ weights]

    if system == "shapiq":
        from shapiq import ExactComputer

        def run() -> np.ndarray:
            iv = ExactComputer(lookup, n_players=n)("SV")
            return np.array([iv[(i,)] for i in range(n)])
        return run
    if system == "pyDVL":
        from pydvl.valuation import DeterministicUniformSampler, ShapleyValuation
        from pydvl.valuation.games import Game as PGame
        from pydvl.valuation.stopping import NoStopping

        class TableGame(PGame):
            def _score(self, X: np.ndarray) -> float:
                return float(v[int(np.sum(weights[X.reshape(-1).astype(np.int64)]))])

        game = TableGame(n)

        def run() -> np.ndarray:
            sampler = DeterministicUniformSampler()
            val = ShapleyValuation(game.u, sampler=sampler, is_done=NoStopping(sampler), progress=False)
            val.fit(game.data)
            res = val.result
            return np.asarray(res.values)[np.argsort(res.indices)]
        return run
    raise ValueError(system)


def installed(system: str) -> bool:
    import importlib.util

    mod = {"coopgame-py": "coopgame", "shapiq": "shapiq", "pyDVL": "pydvl"}.get(system)
    return mod is None or importlib.util.find_spec(mod) is not None


def worker(system: str, n: int, seed: int) -> None:
    v = table(n, seed)
    run = make_runner(system, v, n)
    budget = 3.0 if system in ("mechsolve", "coopgame-py", "numpy per-player") else 0.0
    t, extra, out = measure(run, budget_s=budget)
    ref = make_runner("mechsolve", v, n)() if system != "mechsolve" else out
    print(json.dumps({"status": "ok", "time": t, "extra": extra, "values": np.asarray(out).tolist(),
                      "disagreement": float(np.abs(np.asarray(out) - ref).max()),
                      "efficiency": float(abs(np.sum(out) - v[-1])), "table_bytes": v.nbytes,
                      "rss_mib": rss_kib() / 1024}))


# ------------------------------------------------------------------ semivalues and Monte Carlo
def semivalue_section(ns: list[int], seed: int) -> tuple[str, dict[str, Any]]:
    """Banzhaf: mechsolve against coopgame-py and the per-player definition; Beta(16,1) timing."""
    from mechsolve.games.game import Game
    from mechsolve.games.semivalues import banzhaf, beta_shapley

    rows, data = [], []
    have_cg = installed("coopgame-py")
    for n in ns:
        v = table(n, seed)
        g = Game(tuple(f"p{k}" for k in range(n)), v)
        t_b, _, b = measure(lambda: banzhaf(g))
        t_beta, _, _ = measure(lambda: beta_shapley(g, 16, 1))

        def per_player() -> np.ndarray:
            return np.array([(v.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 1, :]
                              - v.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 0, :]).mean() for i in range(n)])
        t_pp, _, b_pp = measure(per_player)
        row = {"n": n, "banzhaf": t_b, "beta16_1": t_beta, "per_player": t_pp,
               "vs_definition": float(np.abs(b - b_pp).max())}
        if have_cg:
            import coopgame

            cg = coopgame.Game(v[1:])
            t_cg, _, b_cg = measure(lambda: np.asarray(coopgame.banzhaf(cg)))
            row.update(coopgame=t_cg, vs_coopgame=float(np.abs(b - b_cg).max()))
        data.append(row)
        rows.append([str(n), fmt_time(t_b), fmt_time(t_beta), fmt_time(t_pp), f"{t_pp / t_b:.0f}×",
                     f"{row['vs_definition']:.1e}",
                     fmt_time(row.get("coopgame")) if have_cg else "not installed",
                     f"{row['coopgame'] / t_b:.0f}×" if have_cg else "–",
                     f"{row['vs_coopgame']:.1e}" if have_cg else "–"])
    md = markdown_table(["n", "mechsolve Banzhaf", "mechsolve Beta(16,1)", "numpy per-player Banzhaf",
                         "ratio", "max |Δ| vs definition", "coopgame-py Banzhaf", "ratio",
                         "max |Δ| vs coopgame"], rows)
    return md, {"rows": data}


def _ml_like_game(n: int, rng: np.random.Generator) -> np.ndarray:
    """A saturating 'accuracy' game: v(S) = 1 − exp(−Σ_{i∈S} a_i) with a_i ~ Exp(1)/4."""
    a = rng.exponential(0.25, size=n)
    sums = np.zeros(1)
    for k in range(n):
        sums = np.concatenate([sums, sums + a[k]])
    return 1.0 - np.exp(-sums)


def _voting_game(n: int, rng: np.random.Generator) -> np.ndarray:
    """Weighted majority: v(S) = 1 iff Σ_{i∈S} w_i > Σ w / 2, w_i ∈ {1..9}."""
    w = rng.integers(1, 10, size=n).astype(float)
    sums = np.zeros(1)
    for k in range(n):
        sums = np.concatenate([sums, sums + w[k]])
    return (sums > w.sum() / 2).astype(float)


def _ratio_se(num: list[float], den: list[float]) -> tuple[float, float]:
    """Ratio of means ``mean(num)/mean(den)`` of paired samples and its delta-method standard error."""
    a, b = np.asarray(num), np.asarray(den)
    k = a.size
    r = a.mean() / b.mean()
    if k < 2:
        return float(r), float("nan")
    cov = np.cov(a, b)                       # paired: the same game and budget for both
    var = (cov[0, 0] / a.mean() ** 2 + cov[1, 1] / b.mean() ** 2
           - 2 * cov[0, 1] / (a.mean() * b.mean())) / k
    return float(r), float(abs(r) * math.sqrt(max(var, 0.0)))


def monte_carlo_section(n: int, budgets: list[int], reps: int, seed: int) -> tuple[str, dict[str, Any]]:
    """RMSE against the exact value at equal value calls: mechsolve vs shapiq PermutationSamplingSV.

    Both get the same budget in value calls, counted the same way (``v(∅)``,
    ``v(N)`` once, ``n − 1`` per permutation; mechsolve's self-duality probe
    counts too): ``monte_carlo_shapley(g, max_value_calls=budget)`` and
    ``PermutationSamplingSV(n).approximate(budget, game)``. Each row is the
    mean over ``reps`` games (a new game and seed per rep) of the per-game
    RMSE over players; the ratio shapiq/mechsolve (> 1: mechsolve better)
    comes with its delta-method standard error over the paired games.
    """
    from mechsolve.games.game import Game
    from mechsolve.games.shapley import monte_carlo_shapley, shapley

    have_sq = installed("shapiq")
    if have_sq:
        from shapiq.approximator import PermutationSamplingSV
    games = {"random table": lambda r: np.r_[0.0, r.random(2**n - 1)],
             "saturating accuracy": lambda r: _ml_like_game(n, r),
             "weighted voting": lambda r: _voting_game(n, r)}
    rows, data = [], []
    weights = 1 << np.arange(n, dtype=np.int64)
    for gname, make in games.items():
        for budget in budgets:
            err_ms, err_plain, err_sq, t_ms, t_sq = [], [], [], 0.0, 0.0
            calls_ms, calls_sq, pairs_ms = [], [], []
            for rep in range(reps):
                rng = np.random.default_rng(seed * 1000 + rep)
                v = make(rng)
                g = Game(tuple(f"p{k}" for k in range(n)), v)
                exact = shapley(g)
                t0 = time.perf_counter()
                est = monte_carlo_shapley(g, max_value_calls=budget, max_permutations=10**9, seed=rep)
                t_ms += time.perf_counter() - t0
                calls_ms.append(est.value_calls)
                pairs_ms.append(2 * est.antithetic_pairs / est.permutations)
                err_ms.append(np.sqrt(np.mean((est.values - exact) ** 2)))
                plain = monte_carlo_shapley(g, max_value_calls=budget, max_permutations=10**9,
                                            seed=rep, antithetic=False)
                err_plain.append(np.sqrt(np.mean((plain.values - exact) ** 2)))
                if have_sq:
                    def lookup(c: np.ndarray) -> np.ndarray:
                        return v[np.atleast_2d(c).astype(np.int64) @ weights]
                    t0 = time.perf_counter()
                    iv = PermutationSamplingSV(n, random_state=rep).approximate(budget, lookup)
                    t_sq += time.perf_counter() - t0
                    calls_sq.append(int(iv.estimation_budget))
                    err_sq.append(np.sqrt(np.mean((np.array([iv[(i,)] for i in range(n)]) - exact) ** 2)))
            row = {"game": gname, "budget": budget, "value_calls_max": int(max(calls_ms)),
                   "rmse_mechsolve": float(np.mean(err_ms)), "rmse_plain": float(np.mean(err_plain)),
                   "pair_share": float(np.mean(pairs_ms)),
                   "time_mechsolve": t_ms / reps}
            if have_sq:
                ratio, ratio_se = _ratio_se(err_sq, err_ms)
                row.update(rmse_shapiq=float(np.mean(err_sq)), time_shapiq=t_sq / reps,
                           value_calls_shapiq=int(max(calls_sq)), ratio=ratio, ratio_se=ratio_se)
            data.append(row)
            rows.append([gname, f"{budget} ({row['value_calls_max']} / "
                         f"{row['value_calls_shapiq'] if have_sq else '–'})",
                         f"{row['pair_share']:.0%}",
                         f"{row['rmse_mechsolve']:.2e}", f"{row['rmse_plain']:.2e}",
                         f"{row['rmse_shapiq']:.2e}" if have_sq else "not installed",
                         f"{row['ratio']:.3f} ± {row['ratio_se']:.3f}" if have_sq else "–",
                         fmt_time(row["time_mechsolve"]),
                         fmt_time(row["time_shapiq"]) if have_sq else "–"])
    md = markdown_table(["game (n=%d)" % n, "budget (calls used: mechsolve / shapiq)",
                         "permutations in antithetic pairs",
                         "mechsolve RMSE (default, antithetic=auto)", "mechsolve RMSE (plain)",
                         "shapiq PermutationSamplingSV RMSE", "shapiq / mechsolve error ± SE",
                         "mechsolve time", "shapiq time"], rows)
    return md, {"n": n, "reps": reps, "rows": data}


# ------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-n", type=int, default=10)
    ap.add_argument("--max-n", type=int, default=26)
    ap.add_argument("--stop-after", type=float, default=60.0, help="a system stops after the first n above this (s)")
    ap.add_argument("--timeout", type=float, default=400.0, help="hard limit for one measurement (s)")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--mc-reps", type=int, default=20)
    ap.add_argument("--skip-extra", action="store_true", help="only the exact Shapley table")
    ap.add_argument("--only-mc", action="store_true",
                    help="only the Monte Carlo section (results/shapley_mc.{md,json})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--worker", nargs=3, metavar=("SYSTEM", "N", "SEED"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    if args.only_mc:
        mmd, mdata = monte_carlo_section(16, [1000, 5000, 20000], args.mc_reps, args.seed)
        text = (f"### Monte Carlo at equal value calls (n=16, mean RMSE over {args.mc_reps} games "
                f"and seeds)\n\nMachine: {machine()}\n\n{mmd}")
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "shapley_mc.md").write_text(text + "\n", encoding="utf-8")
        (args.out / "shapley_mc.json").write_text(json.dumps({"machine": machine(), "monte_carlo": mdata},
                                                             indent=1) + "\n", encoding="utf-8")
        print(text)
        return
    systems = [s for s in args.systems.split(",") if s]
    script = str(Path(__file__).resolve())
    print(f"machine: {machine()}", flush=True)
    results: dict[str, dict[int, dict[str, Any]]] = {s: {} for s in systems}
    stopped: dict[str, str] = {}
    for s in systems:
        if not installed(s):
            stopped[s] = "not installed"
    for n in range(args.min_n, args.max_n + 1):
        for s in systems:
            if s in stopped or (s == "literal loop" and n > LITERAL_MAX_N):
                continue
            r = run_worker(script, [s, str(n), str(args.seed)], args.timeout)
            results[s][n] = r
            msg = (f"{fmt_time(r['time'])}, +{fmt_mem(r['extra'])}, max|Δ| {r['disagreement']:.1e}"
                   if r["status"] == "ok" else r["status"])
            print(f"n={n:2d} {s:17s} {msg}", flush=True)
            if r["status"] != "ok":
                stopped[s] = f"stopped at n={n}: {r['status']}"
            elif r["time"] > args.stop_after:
                stopped[s] = f"stopped after n={n} (> {args.stop_after:.0f} s)"
    # table: one row per n; per system time (ratio to mechsolve) and memory
    header = ["n", "table"]
    for s in systems:
        header += [s, "×" if s != "mechsolve" else "extra mem"]
    header += ["max |Δ| vs mechsolve"]
    rows = []
    for n in range(args.min_n, args.max_n + 1):
        ms = results.get("mechsolve", {}).get(n, {})
        row = [str(n), fmt_mem(8 * 2**n)]
        worst = 0.0
        for s in systems:
            r = results[s].get(n)
            if r is None:
                row += ["not installed" if stopped.get(s) == "not installed" else "–", ""]
            elif r["status"] != "ok":
                row += [r["status"], ""]
            else:
                if s == "mechsolve":
                    share = (f" ({r['extra'] / r['table_bytes']:.2f}× table)" if r["table_bytes"] >= 2**26
                             else "")
                    row += [fmt_time(r["time"]), f"{fmt_mem(r['extra'])}{share}"]
                else:
                    ratio = r["time"] / ms["time"] if ms.get("status") == "ok" else float("nan")
                    row += [fmt_time(r["time"]), f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"]
                    worst = max(worst, r["disagreement"])
        row.append(f"{worst:.1e}")
        rows.append(row)
    md = [f"Exact Shapley, random table in memory, best of ≤5 repeats; × = time / mechsolve time "
          f"at the same n; extra mem = peak RSS above the table.\n\nMachine: {machine()}\n",
          markdown_table(header, rows)]
    for s, why in stopped.items():
        md.append(f"- {s}: {why}")
    series = {s: [(n, r["time"]) for n, r in sorted(results[s].items()) if r.get("status") == "ok"]
              for s in systems}
    args.out.mkdir(parents=True, exist_ok=True)
    note = plot(series, args.out / "shapley.png", "Exact Shapley value: time against n")
    md.append(f"\n{note}")
    payload: dict[str, Any] = {"machine": machine(), "exact": {s: {str(n): {k: v for k, v in r.items()
                                                                          if k != "values"}
                                                                   for n, r in res.items()}
                                                               for s, res in results.items()},
                               "stopped": stopped}
    if not args.skip_extra:
        print("semivalues ...", flush=True)
        smd, sdata = semivalue_section([n for n in (12, 16, 20, 22, 24) if n <= args.max_n], args.seed)
        md += ["\n### Semivalues (same kernel)\n", smd]
        payload["semivalues"] = sdata
        print("Monte Carlo ...", flush=True)
        mmd, mdata = monte_carlo_section(16, [1000, 5000, 20000], args.mc_reps, args.seed)
        md += [f"\n### Monte Carlo at equal value calls (n=16, mean RMSE over {args.mc_reps} games and seeds)\n",
               mmd]
        payload["monte_carlo"] = mdata
    text = "\n".join(md)
    (args.out / "shapley.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "shapley.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    sys.exit(main())
