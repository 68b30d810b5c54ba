"""The job a user runs, whole process: ``mechsolve solve MODEL --format json`` against a coopgame-py script.

Usage::

    pip install -e ".[bench]"                               # coopgame-py (the peer)
    python benchmarks/whole_job.py                          # n = 16..26, 5 rounds (~10 min on 2 cores)
    python benchmarks/whole_job.py --ns 20 24 --rounds 3
    python benchmarks/whole_job.py --before /tmp/old        # also an older checkout, in the same run

Issue 14's targets, each printed as a ratio measured in this run:

1. **solve vs the peer script.** For each ``n`` a seeded random ``.npy`` table (``v(∅) = 0``) and a
   model file with the Shapley scheme and *its default checks* (efficiency, symmetry, null player,
   additivity, individual rationality, decomposition). Systems, each a fresh process:

   * ``mechsolve``: ``python cli.py solve model.yaml --format json`` (load, validate, Shapley, the six
     axioms, the hints, JSON);
   * ``mechsolve, efficiency only``: the same model with ``check: [efficiency]`` (what the checks cost);
   * ``coopgame-py script``: ``np.load`` the table, ``coopgame.shapley``, print the values as JSON;
   * ``python -c "import numpy"``: the interpreter floor both pay;
   * ``before`` (with ``--before DIR``): ``python DIR/cli.py solve ...``, an older checkout.

   Rounds are interleaved (every system once per round, the order rotating), after one untimed
   warm-up run each (it also puts the table in the page cache). Reported: median wall time, median
   CPU time (user + system of the child, less disturbed by other jobs on a shared machine), the
   ratio peer / mechsolve of both, and the peak resident memory (``ru_maxrss``: includes the table's
   pages, mapped from the file) against the bound ``1.5 × table + 150 MiB``. Targets: n = 24 ≥ 3×,
   n = 26 ≥ 5× with that memory bound. The warm-up outputs are compared: max |Δ| between the two
   systems' Shapley values, and the verdicts mechsolve reports.

   Bytecode: the runs use ``PYTHONPYCACHEPREFIX`` (a temporary folder, filled by the warm-up) and no
   ``PYTHONDONTWRITEBYTECODE``, as an installed package runs; without it every run recompiles
   mechsolve's sources (~0.2 s).

2. **Hints never cost more than the verdict.** In process, on a random table where the Shapley value
   is not individually rational: the time of the IR hint (its superadditivity witness) against the
   time of one Shapley kernel pass (the verdict's cost), and against the exhaustive ``3^n`` scan the
   hint used before (n ≤ 16).

3. **Every default axiom at most one pass of the previous kernel, no 2^n buffer.** In process at
   ``--axioms-n`` (24): each axiom's time against one pass of the kernel and of the previous kernel
   (the graded sums), and the peak allocation :mod:`tracemalloc` sees during it.

4. **``mechsolve proofs`` ≤ 2 s**, whole process (median of the rounds; ``before`` too when given).

Results go to ``benchmarks/results/whole_job.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from _harness import RESULTS, fmt_mem, fmt_time, machine, markdown_table, pycache_env, run_process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PEER_SCRIPT = '''import json, sys
import numpy as np
import coopgame
v = np.load(sys.argv[1])
phi = coopgame.shapley(coopgame.Game(v[1:]))
print(json.dumps({"shapley": [float(x) for x in phi]}))
'''
MIB = 2**20


def env(pycache: Path) -> dict[str, str]:
    return pycache_env(pycache)


def run(cmd: list[str], environ: dict[str, str], capture: bool = False) -> dict[str, Any]:
    """One fresh process in the project folder (:func:`_harness.run_process`)."""
    return run_process(cmd, environ, cwd=ROOT, capture=capture)


def write_inputs(folder: Path, n: int, seed: int) -> None:
    v = np.random.default_rng(seed + n).random(2**n)
    v[0] = 0.0
    np.save(folder / "table.npy", v)
    players = ", ".join(f"p{k}" for k in range(n))
    base = f"kind: cooperative-market\nplayers: [{players}]\nvalue: {{file: table.npy}}\nscheme: {{name: shapley}}\n"
    (folder / "model.yaml").write_text(base)
    (folder / "efficiency.yaml").write_text(base + "check: [efficiency]\n")
    (folder / "peer.py").write_text(PEER_SCRIPT)


def systems(folder: Path, before: Path | None) -> dict[str, list[str]]:
    """The commands timed at one ``n`` (``before`` only when given)."""
    py = sys.executable
    out = {
        "mechsolve": [py, str(ROOT / "cli.py"), "solve", str(folder / "model.yaml"), "--format", "json"],
        "mechsolve, efficiency only": [py, str(ROOT / "cli.py"), "solve", str(folder / "efficiency.yaml"),
                                       "--format", "json"],
        "coopgame-py script": [py, str(folder / "peer.py"), str(folder / "table.npy")],
        "python -c 'import numpy'": [py, "-c", "import numpy"],
    }
    if before is not None:
        out["before"] = [py, str(before / "cli.py"), "solve", str(folder / "model.yaml"), "--format", "json"]
    return out


def compare_outputs(ms: str, peer: str, n: int) -> dict[str, Any]:
    try:
        data = json.loads(ms)
        phi = np.array([data["values"]["shapley"][f"p{k}"] for k in range(n)], dtype=float)
        ref = np.array(json.loads(peer)["shapley"], dtype=float)
        verdicts = {v["axiom"]: v["status"] for v in data["checks"]["verdicts"]}
        return {"max_abs_diff": float(np.abs(phi - ref).max()), "verdicts": verdicts}
    except (ValueError, KeyError, TypeError) as exc:
        return {"max_abs_diff": None, "verdicts": {}, "problem": str(exc)[:200]}


def solve_section(ns: list[int], rounds: int, seed: int, before: Path | None, environ: dict[str, str],
                  before_ns: list[int] | None = None) -> list[dict[str, Any]]:
    rows = []
    for n in ns:
        with tempfile.TemporaryDirectory(prefix=f"mechsolve-whole-{n}-") as tmp:
            folder = Path(tmp)
            write_inputs(folder, n, seed)
            cmds = systems(folder, before if before_ns is None or n in before_ns else None)
            names = list(cmds)
            warm = {k: run(c, environ, capture=k in ("mechsolve", "coopgame-py script")) for k, c in cmds.items()}
            check = compare_outputs(warm["mechsolve"]["out"] or "", warm["coopgame-py script"]["out"] or "", n)
            samples: dict[str, list[dict[str, Any]]] = {k: [] for k in names}
            for r in range(rounds):
                order = names[r % len(names):] + names[:r % len(names)]
                for k in order:
                    samples[k].append(run(cmds[k], environ))
            row: dict[str, Any] = {"n": n, "table_bytes": 8 * 2**n, "check": check,
                                   "codes": {k: warm[k]["code"] for k in names}}
            for k in names:
                row[k] = {"wall": statistics.median(s["wall"] for s in samples[k]),
                          "cpu": statistics.median(s["cpu"] for s in samples[k]),
                          "rss": max(s["rss"] for s in samples[k]),
                          "walls": [round(s["wall"], 4) for s in samples[k]]}
            ms, peer = row["mechsolve"], row["coopgame-py script"]
            row["ratio_wall"] = peer["wall"] / ms["wall"]
            row["ratio_cpu"] = peer["cpu"] / ms["cpu"]
            row["memory_bound"] = 1.5 * row["table_bytes"] + 150 * MIB
            if "before" in row:
                row["speedup_wall"] = row["before"]["wall"] / ms["wall"]
                row["speedup_cpu"] = row["before"]["cpu"] / ms["cpu"]
            rows.append(row)
            print(f"n={n}: mechsolve {fmt_time(ms['wall'])} (cpu {ms['cpu']:.2f} s, {fmt_mem(ms['rss'])}), "
                  f"peer {fmt_time(peer['wall'])} (cpu {peer['cpu']:.2f} s), ratio {row['ratio_wall']:.2f}x wall, "
                  f"{row['ratio_cpu']:.2f}x cpu" + (f", before {fmt_time(row['before']['wall'])}" if "before" in row else ""),
                  flush=True)
    return rows


def hint_section(ns: list[int], seed: int) -> list[dict[str, Any]]:
    from mechsolve.games.game import Game
    from mechsolve.games.properties import superadditive
    from mechsolve.games.shapley import shapley
    from mechsolve.schemes import get_scheme
    from mechsolve.schemes.base import Outcome
    from mechsolve.verify.axioms import get_axiom
    from mechsolve.verify.axioms.base import AxiomContext

    note = get_axiom("individual-rationality").premise_note
    rule = get_scheme("shapley").bind({})
    out = []
    for n in ns:
        v = np.random.default_rng(seed + n).random(2**n)
        v[0] = 0.0
        g = Game([f"p{k}" for k in range(n)], v)

        def best(fn: Any, reps: int = 3) -> tuple[float, Any]:
            times, res = [], None
            for _ in range(reps):
                t0 = time.perf_counter()
                res = fn()
                times.append(time.perf_counter() - t0)
            return min(times), res

        t_kernel, phi = best(lambda: shapley(g))
        ctx = AxiomContext(g, Outcome("shapley", phi, "shapley", {"shapley": phi}), rule)
        t_hint, text = best(lambda: note(ctx))
        t_old = best(lambda: superadditive(g), reps=1)[0] if n <= 16 else None
        out.append({"n": n, "kernel": t_kernel, "hint": t_hint, "exhaustive": t_old, "ratio": t_hint / t_kernel,
                    "has_witness": bool(text and "not superadditive" in text)})
        print(f"n={n}: IR hint {fmt_time(t_hint)} = {t_hint / t_kernel:.2f} kernel passes ({fmt_time(t_kernel)})"
              + (f"; exhaustive 3^n scan {fmt_time(t_old)}" if t_old is not None else ""), flush=True)
    return out


def axioms_section(n: int, seed: int) -> dict[str, Any]:
    """In process at one ``n``: each default Shapley axiom's time and peak traced allocation vs a kernel pass.

    Times are the best of 3 (precondition, residuals and note, as the evaluator runs them); memory is
    the peak of :mod:`tracemalloc` during one evaluation (numpy reports its buffers to it). The
    previous kernel's pass is :func:`~mechsolve.games.shapley.graded_sums` on the float table (the
    blocked one-hot products the Shapley value was computed with before).
    """
    import tracemalloc

    from mechsolve.games.game import Game
    from mechsolve.games.shapley import graded_sums, shapley
    from mechsolve.schemes import get_scheme
    from mechsolve.verify.axioms import get_axiom
    from mechsolve.verify.axioms.base import AxiomContext
    from mechsolve.verify.check import evaluate

    v = np.random.default_rng(seed + n).random(2**n)
    v[0] = 0.0
    g = Game([f"p{k}" for k in range(n)], v)
    scheme = get_scheme("shapley")
    outcome = scheme.compute(g, {})
    ctx = AxiomContext(g, outcome, scheme.bind({}))

    def best(fn: Any) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    def peak(fn: Any) -> int:
        tracemalloc.start()
        fn()
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    out: dict[str, Any] = {"n": n, "table_bytes": 8 * 2**n, "kernel": best(lambda: shapley(g)),
                           "previous kernel": best(lambda: graded_sums(g)), "axioms": {}}
    for name in scheme.axioms:
        ax = get_axiom(name)
        out["axioms"][name] = {"time": best(lambda: evaluate(ax, ctx)), "peak": peak(lambda: evaluate(ax, ctx)),
                               "status": evaluate(ax, ctx).status}
    print(f"n={n}: kernel {fmt_time(out['kernel'])}, previous kernel {fmt_time(out['previous kernel'])}; "
          + ", ".join(f"{k} {fmt_time(a['time'])} / {fmt_mem(a['peak'])}" for k, a in out["axioms"].items()),
          flush=True)
    return out


def proofs_section(rounds: int, before: Path | None, environ: dict[str, str]) -> dict[str, Any]:
    py = sys.executable
    cmds = {"mechsolve proofs": [py, str(ROOT / "cli.py"), "proofs", "--dir", str(ROOT / "proofs")]}
    if before is not None:
        cmds["before"] = [py, str(before / "cli.py"), "proofs", "--dir", str(before / "proofs")]
    warm = {k: run(c, environ) for k, c in cmds.items()}
    samples: dict[str, list[dict[str, Any]]] = {k: [] for k in cmds}
    for _ in range(rounds):
        for k, c in cmds.items():
            samples[k].append(run(c, environ))
    out = {k: {"wall": statistics.median(s["wall"] for s in v), "cpu": statistics.median(s["cpu"] for s in v),
               "code": warm[k]["code"]} for k, v in samples.items()}
    print("proofs: " + ", ".join(f"{k} {fmt_time(x['wall'])} (cpu {x['cpu']:.2f} s, exit {x['code']})"
                                 for k, x in out.items()), flush=True)
    return out


def markdown(solve: list[dict[str, Any]], hints: list[dict[str, Any]], proofs: dict[str, Any] | None,
             rounds: int, before: Path | None, axioms: dict[str, Any] | None = None) -> str:
    lines = ["# Whole-process benchmark (issue 14)", "", f"Machine: {machine()}", "",
             f"`python benchmarks/whole_job.py`: {rounds} interleaved rounds after one warm-up, medians; "
             "× = coopgame-py script / mechsolve (wall; CPU in brackets); memory = peak RSS "
             "(the table's mapped pages included).", ""]
    if solve:
        head = ["n", "table", "mechsolve (default checks)", "efficiency only", "coopgame-py script", "× wall (cpu)",
                "peak memory / bound", "import numpy"]
        if before is not None:
            head += ["before", "before / now"]
        rows = []
        for r in solve:
            ms, eff, peer, floor = r["mechsolve"], r["mechsolve, efficiency only"], r["coopgame-py script"], \
                r["python -c 'import numpy'"]
            row = [str(r["n"]), fmt_mem(r["table_bytes"]), f"{fmt_time(ms['wall'])} (cpu {ms['cpu']:.2f} s)",
                   f"{fmt_time(eff['wall'])} (cpu {eff['cpu']:.2f} s)", f"{fmt_time(peer['wall'])} (cpu {peer['cpu']:.2f} s)",
                   f"{r['ratio_wall']:.2f}× ({r['ratio_cpu']:.2f}×)",
                   f"{fmt_mem(ms['rss'])} / {fmt_mem(r['memory_bound'])}", fmt_time(floor["wall"])]
            if before is not None:
                b = r.get("before")
                row += [f"{fmt_time(b['wall'])} ({fmt_mem(b['rss'])})", f"{r['speedup_wall']:.2f}×"] if b else ["–", "–"]
            rows.append(row)
        lines += [markdown_table(head, rows), ""]
        diffs = [r["check"]["max_abs_diff"] for r in solve if r["check"]["max_abs_diff"] is not None]
        if diffs:
            lines.append(f"Shapley values agree with coopgame-py to {max(diffs):.1e} (max |Δ| over all n). "
                         f"Verdicts at n = {solve[-1]['n']}: " +
                         ", ".join(f"{k} {v}" for k, v in solve[-1]["check"]["verdicts"].items()) + ".")
        lines.append("")
        lines += ["| target | measured | |", "|---|---|---|"]
        for n, need in ((24, 3.0), (26, 5.0)):
            r = next((x for x in solve if x["n"] == n), None)
            if r is None:
                continue
            mem_ok = r["mechsolve"]["rss"] <= r["memory_bound"]
            met = r["ratio_wall"] >= need and (n != 26 or mem_ok)
            mem = (f"; peak {fmt_mem(r['mechsolve']['rss'])} ≤ {fmt_mem(r['memory_bound'])}: "
                   f"{'yes' if mem_ok else 'no'}") if n == 26 else ""
            lines.append(f"| n={n}: ≥ {need:g}× the coopgame-py script{', memory ≤ 1.5× table + 150 MiB' if n == 26 else ''} "
                         f"| {r['ratio_wall']:.2f}× wall, {r['ratio_cpu']:.2f}× cpu{mem} | {'met' if met else 'not met'} |")
        lines.append("")
    if axioms:
        k, prev = axioms["kernel"], axioms["previous kernel"]
        lines += [f"## Each default axiom at n = {axioms['n']} (in process; table {fmt_mem(axioms['table_bytes'])})", "",
                  f"One pass of the kernel: {fmt_time(k)}; of the previous kernel (graded sums): {fmt_time(prev)}.", "",
                  markdown_table(["axiom", "verdict", "time", "kernel passes", "previous-kernel passes",
                                  "peak traced allocation"],
                                 [[name, a["status"], fmt_time(a["time"]), f"{a['time'] / k:.2f}",
                                   f"{a['time'] / prev:.2f}", fmt_mem(a["peak"])]
                                  for name, a in axioms["axioms"].items()]), ""]
    if hints:
        lines += ["## IR hint against the verdict", "",
                  markdown_table(["n", "Shapley kernel pass", "IR hint (witness)", "hint / kernel", "exhaustive 3^n scan (old hint)"],
                                 [[str(h["n"]), fmt_time(h["kernel"]), fmt_time(h["hint"]), f"{h['ratio']:.2f}",
                                   fmt_time(h["exhaustive"]) if h["exhaustive"] is not None else "–"] for h in hints]), ""]
    if proofs:
        lines += ["## mechsolve proofs (target ≤ 2 s)", "",
                  markdown_table(["system", "wall (median)", "cpu", "exit"],
                                 [[k, fmt_time(v["wall"]), f"{v['cpu']:.2f} s", str(v["code"])] for k, v in proofs.items()]), ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns", type=int, nargs="*", default=[16, 18, 20, 22, 24, 25, 26])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--before", type=Path, default=None, help="an older checkout (its cli.py) timed in the same run")
    ap.add_argument("--before-ns", type=int, nargs="*", default=None, help="time --before only at these n")
    ap.add_argument("--hint-ns", type=int, nargs="*", default=[12, 14, 16, 20, 24])
    ap.add_argument("--skip-proofs", action="store_true")
    ap.add_argument("--axioms-n", type=int, default=24, help="n of the per-axiom section (0: skip)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mechsolve-pycache-") as pyc:
        environ = env(Path(pyc))
        solve = solve_section(args.ns, args.rounds, args.seed, args.before, environ, args.before_ns)
        hints = hint_section(args.hint_ns, args.seed) if args.hint_ns else []
        axioms = axioms_section(args.axioms_n, args.seed) if args.axioms_n else None
        proofs = None if args.skip_proofs else proofs_section(args.rounds, args.before, environ)
    text = markdown(solve, hints, proofs, args.rounds, args.before, axioms)
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "whole_job.md").write_text(text + "\n")
    (args.out / "whole_job.json").write_text(json.dumps({"machine": machine(), "rounds": args.rounds,
                                                        "solve": solve, "hints": hints, "axioms": axioms,
                                                        "proofs": proofs},
                                                       indent=1, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
