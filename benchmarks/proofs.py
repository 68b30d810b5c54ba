"""``mechsolve proofs``, whole process, against the code before and a literal floor (issue 14: ≤ 2 s).

Usage::

    python benchmarks/proofs.py                      # 7 rounds; before = main, exported with git archive
    python benchmarks/proofs.py --rounds 11 --before-ref 1962ff4
    python benchmarks/proofs.py --before /tmp/old    # an older checkout (its cli.py and proofs/)
    python benchmarks/proofs.py --no-before

Systems, each a fresh process, with the same environment:

* ``mechsolve proofs``: ``python cli.py proofs --format json`` of this tree (every claim in proofs/
  proved or refuted afresh: nothing is cached between runs);
* ``before``: the same command in an older tree (``--before DIR``, or ``--before-ref REF`` exported
  with ``git archive`` into a temporary folder; default ``main``);
* ``python -c "import sympy, z3"``: the libraries every run of the claims needs, the floor of a
  design that imports them before anything else;
* ``python -c "import numpy"``: the interpreter and numpy, the floor of every mechsolve command.

Rounds are interleaved (every system once per round, the order rotating) after one untimed warm-up
run each. Reported: median wall time and median CPU time (user + system of the process and all its
worker processes, ``os.wait4``), the ratios before / now, and the load average (``os.getloadavg``,
1 min) before every round: the machine is shared, so absolute times move with the load and only
ratios measured in the same run compare. The warm-up outputs of this tree and ``before`` are
compared as JSON with every ``seconds`` field removed: they must be identical (same claims,
verdicts, details and counterexamples).

Bytecode: the runs use ``PYTHONPYCACHEPREFIX`` (a temporary folder, filled by the warm-up) and no
``PYTHONDONTWRITEBYTECODE``, as an installed package runs; without it every run recompiles
mechsolve's sources.

Results go to ``benchmarks/results/proofs.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _harness import RESULTS, fmt_time, machine, markdown_table, pycache_env, run_process

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0


def systems(before: Path | None, workers: int | None) -> dict[str, list[str]]:
    py = sys.executable
    extra = ["--workers", str(workers)] if workers else []
    out = {"mechsolve proofs": [py, str(ROOT / "cli.py"), "proofs", "--dir", str(ROOT / "proofs"),
                                "--format", "json", *extra]}
    if before is not None:
        out["before"] = [py, str(before / "cli.py"), "proofs", "--dir", str(before / "proofs"), "--format", "json",
                         *extra]
    out["python -c 'import sympy, z3'"] = [py, "-c", "import sympy, z3"]
    out["python -c 'import numpy'"] = [py, "-c", "import numpy"]
    return out


def without_seconds(x: Any) -> Any:
    """The JSON document with every ``seconds`` (timing) field removed."""
    if isinstance(x, dict):
        return {k: without_seconds(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [without_seconds(v) for v in x]
    return x


def same_output(a: str | None, b: str | None) -> str:
    try:
        da, db = without_seconds(json.loads(a or "")), without_seconds(json.loads(b or ""))
    except ValueError as exc:
        return f"not comparable ({exc})"
    if da == db:
        n = sum(len(e.get("results", [])) for e in da.get("proofs", []))
        return f"identical ({len(da.get('proofs', []))} claim files, {n} results; timings excluded)"
    return "DIFFERENT"


def measure(cmds: dict[str, list[str]], rounds: int, environ: dict[str, str]) -> dict[str, Any]:
    warm = {k: run_process(c, environ, cwd=ROOT, capture=k in ("mechsolve proofs", "before")) for k, c in cmds.items()}
    samples: dict[str, list[dict[str, Any]]] = {k: [] for k in cmds}
    loads = []
    names = list(cmds)
    for r in range(rounds):
        loads.append(os.getloadavg()[0])
        order = names[r % len(names):] + names[:r % len(names)]
        for k in order:
            samples[k].append(run_process(cmds[k], environ, cwd=ROOT))
        print(f"round {r + 1}/{rounds} (load {loads[-1]:.2f}): "
              + ", ".join(f"{k} {samples[k][-1]['wall']:.2f} s" for k in names), flush=True)
    loads.append(os.getloadavg()[0])
    out: dict[str, Any] = {"systems": {}, "load_1min": {"min": min(loads), "median": statistics.median(loads),
                                                        "max": max(loads)}}
    for k, v in samples.items():
        out["systems"][k] = {"wall": statistics.median(s["wall"] for s in v),
                             "cpu": statistics.median(s["cpu"] for s in v),
                             "wall_min": min(s["wall"] for s in v), "code": warm[k]["code"],
                             "walls": [round(s["wall"], 3) for s in v], "cpus": [round(s["cpu"], 3) for s in v]}
    if "before" in cmds:
        out["outputs"] = same_output(warm["mechsolve proofs"]["out"], warm["before"]["out"])
    return out


def markdown(res: dict[str, Any], rounds: int, before_label: str | None) -> str:
    sysd = res["systems"]
    now = sysd["mechsolve proofs"]
    rows = []
    for k, v in sysd.items():
        row = [k, fmt_time(v["wall"]), fmt_time(v["wall_min"]), f"{v['cpu']:.2f} s", str(v["code"])]
        rows.append(row)
    ld = res["load_1min"]
    lines = ["# `mechsolve proofs`, whole process (issue 14: ≤ 2 s)", "", f"Machine: {machine()}", "",
             f"`python benchmarks/proofs.py`: {rounds} interleaved rounds after one warm-up, medians; load average "
             f"(1 min) {ld['min']:.2f}–{ld['max']:.2f}, median {ld['median']:.2f}."
             + (f" before = {before_label}." if before_label else ""), "",
             markdown_table(["system", "wall (median)", "wall (min)", "cpu (median)", "exit"], rows), ""]
    if "before" in sysd:
        b = sysd["before"]
        lines += [f"before / now: {b['wall'] / now['wall']:.2f}× wall, {b['cpu'] / now['cpu']:.2f}× cpu; "
                  f"outputs: {res.get('outputs')}.", ""]
    floor = sysd["python -c 'import sympy, z3'"]
    lines += [f"now − `import sympy, z3`: {now['wall'] - floor['wall']:+.2f} s wall, {now['cpu'] - floor['cpu']:+.2f} s cpu. "
              f"Target ≤ {TARGET_S:.0f} s wall: {'met' if now['wall'] <= TARGET_S else 'NOT met'} "
              f"(median {now['wall']:.2f} s).", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--before", type=Path, default=None, help="an older checkout (its cli.py and proofs/)")
    ap.add_argument("--before-ref", default="main", help="git ref exported as the before tree [default: main]")
    ap.add_argument("--no-before", action="store_true")
    ap.add_argument("--workers", type=int, default=None, help="passed to both trees (default: theirs)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mechsolve-proofs-bench-") as tmp:
        before, label = args.before, (str(args.before) if args.before else None)
        if before is None and not args.no_before:
            before = Path(tmp) / "before"
            before.mkdir()
            ref = subprocess.run(["git", "rev-parse", "--short", args.before_ref], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.strip()
            archive = subprocess.run(["git", "archive", args.before_ref], cwd=ROOT, check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
            label = f"`git archive {args.before_ref}` ({ref})"
        pyc = Path(tmp) / "pycache"
        res = measure(systems(before, args.workers), args.rounds, pycache_env(pyc))
    text = markdown(res, args.rounds, label)
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "proofs.md").write_text(text + "\n")
    (args.out / "proofs.json").write_text(json.dumps({"machine": machine(), "rounds": args.rounds, "before": label,
                                                      **res}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
