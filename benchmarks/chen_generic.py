"""Chen et al. generic path, whole process: ``mechsolve solve`` on a 4-agent D/ε = 16 mechanism-design model
with a formula valuation and Q(t) = t/(1 + t) (models/chen-four-agents-formula.yaml; issue 14 target:
≤ 1.5 s whole process, per-profile rendering no more than the payment time).

Usage::

    python benchmarks/chen_generic.py            # 5 alternating runs of each command
    python benchmarks/chen_generic.py --runs 9

In the same run, alternating fresh processes (so disk cache and machine load hit all alike):

* ``new text`` / ``new json`` — ``cli.py solve MODEL`` (``--format json``: all 20,000 listed profiles);
* ``baseline`` — the same ``solve`` the way it ran before issue 14, rebuilt here as a literal baseline:
  every formula through sympy (``parse_formula`` + ``lambdify``, so sympy is imported), the efficient
  allocation searched on stacked allocations (welfare = ``ndarray.sum`` over the agent axis, per
  combination), each agent's
  misreport/outside value taken as one column of all agents' values, per-profile rows read by indexing
  the arrays once per profile and agent, and the JSON data built for the text report too (the rest is
  today's code);
* ``import numpy`` — the floor of any Python process using numpy.

Each is timed as wall clock and as CPU (user + sys of the child): on a shared machine the wall clock
counts other jobs' time, the CPU time does not. Then, in this process, the split of one solve: payments
(Algorithm 1 and the instance it needs), the checks, and the per-profile rendering (text report; the
JSON data and its encoding), so "rendering ≤ payments" is measured, not assumed.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "chen-four-agents-formula.yaml"

BASELINE = r'''
import itertools, sys
import numpy as np
import sympy as sp
from mechsolve.model import formula as F
from mechsolve.mechanism import allocation as A, instance as I, valuations as V
from mechsolve.verify import mechanism_analysis as MA


class SympyFormula:  # the float path before issue 14: sympy expression, substituted, lambdified
    def __init__(self, text, symbols, *, field="formula", constants=None, aliases=None):
        aliases = dict(aliases or {})
        expr = F.parse_formula(text, list(symbols) + list(aliases), field=field, constants=constants)
        expr = expr.subs({sp.Symbol(a, real=True): sp.Symbol(s, real=True) for a, s in aliases.items()})
        self.names = frozenset(s.name for s in expr.free_symbols)
        self.f = F.compile_formula(expr, list(symbols))

    def __call__(self, *args):
        with np.errstate(all="ignore"):
            return self.f(*args)


V.compile_numpy = A.compile_numpy = SympyFormula


def stacked_search(self, reports, part):
    lv = self.candidates(reports, part)
    n = reports.shape[-1]
    own = self.quality(reports)
    best_x = best_w = None
    for combo in itertools.product(range(len(lv)), repeat=n):
        x = np.stack([lv[c][..., k] for k, c in enumerate(combo)], axis=-1)
        w = self.welfare(x, reports, part, own)
        if best_x is None:
            best_x, best_w = x, w
        else:
            better = w > best_w
            best_x, best_w = np.where(better[..., None], x, best_x), np.where(better, w, best_w)
    return best_x, best_w


def rows(self, limit):
    inst, names = self.instance, self.instance.grids.names
    out = []
    for c, idx in enumerate(np.ndindex(inst.shape)):
        if c >= limit:
            break
        p = [self.payments[(i,) + idx] for i in range(inst.n)]
        v = [inst.V[(i,) + idx] for i in range(inst.n)]
        out.append({"profile": inst.grids.profile(idx),
                    "allocation": {a: inst.X[idx + (i,)] for i, a in enumerate(names)},
                    "quality": {a: inst.q[idx + (i,)] for i, a in enumerate(names)},
                    "value": dict(zip(names, v)), "payment": dict(zip(names, p)),
                    "utility": {a: v[i] - p[i] for i, a in enumerate(names)},
                    "revenue": sum(p[1:], p[0]), "welfare": sum(v[1:], v[0])})
    return out


def summed_welfare(self, x, reports, part, own=None):  # ndarray.sum over the agent axis
    own = self.quality(reports) if own is None else own
    z = A._zero_like(reports)
    v = self.valuation.values(np.where(part, np.maximum(x, own), z), reports)
    if self.welfare_of == "participants":
        v = np.where(part, v, z)
    return v.sum(axis=-1)


A.AllocationRule.search = stacked_search
A.AllocationRule.welfare = summed_welfare
V.Valuation.value_of = lambda self, i, q, t: self.values(q, t)[..., i]
MA.MechanismAnalysis.rows = rows
_plain = MA.MechanismAnalysis.to_dict
import mechsolve.report.documents as D
_doc = D.document
D.document = lambda r, **kw: (r.to_dict(), _doc(r, **kw))[1]  # the JSON data was built for every format
from mechsolve.cli import main
sys.argv = ["mechsolve", "solve", sys.argv[1]]
main()
'''


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall, cpu) of one fresh process; cpu = the child's user + sys time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process_split() -> dict[str, float]:
    """CPU seconds of the parts of one solve, in this process (imports already paid)."""
    from mechsolve.model.io import load
    from mechsolve.report import render
    from mechsolve.report.documents import document
    from mechsolve.verify.analysis import analyse

    from mechsolve.mechanism.instance import build_instance
    from mechsolve.mechanism.max_payment import max_payments

    T = time.process_time
    m = load(str(MODEL))
    t0 = T()
    max_payments(build_instance(m))
    t1 = T()
    r = analyse(m, source_path=str(MODEL))
    t2 = T()
    text = render(document(r), {}, "text")
    t3 = T()
    js = render(document(r), r.to_dict(), "json")
    t4 = T()
    assert text and js
    return {"payments (instance + Algorithm 1)": t1 - t0, "analyse (payments + Theorem 5 + checks)": t2 - t1,
            "render text (40 rows)": t3 - t2, "JSON data + encoding (20,000 rows)": t4 - t3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    cmds = {"new text": [sys.executable, str(ROOT / "cli.py"), "solve", str(MODEL)],
            "new json": [sys.executable, str(ROOT / "cli.py"), "solve", str(MODEL), "--format", "json"],
            "baseline": [sys.executable, "-c", BASELINE, str(MODEL)],
            "import numpy": [sys.executable, "-c", "import numpy"]}
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(args.runs):
        for k, c in cmds.items():
            times[k].append(run(c))
    print(f"mechsolve solve {MODEL.relative_to(ROOT)} — 4 agents, 17^4 = 83,521 profiles, {args.runs} alternating "
          "runs, medians (s)")
    print(f"{'command':>14} {'wall':>8} {'cpu':>8} {'cpu / baseline':>15}")
    base_cpu = statistics.median(c for _, c in times["baseline"])
    for k, v in times.items():
        w, c = statistics.median(x for x, _ in v), statistics.median(y for _, y in v)
        print(f"{k:>14} {w:>8.3f} {c:>8.3f} {c / base_cpu:>15.2f}")
    new = statistics.median(c for _, c in times["new text"])
    print(f"\nwhole process, text report: {new:.2f} s cpu (target ≤ 1.5 s: {'met' if new <= 1.5 else 'MISSED'}), "
          f"{base_cpu / new:.1f}× less than the baseline")
    split = in_process_split()
    print("\none solve in this process (cpu s):")
    for k, v in split.items():
        print(f"  {k:<42} {v:.3f}")
    pay = split["payments (instance + Algorithm 1)"]
    ren = split["render text (40 rows)"]
    print(f"per-profile rendering / payments: text {ren / pay:.2f}, JSON {split['JSON data + encoding (20,000 rows)'] / pay:.2f}"
          " (target ≤ 1 for the report `solve` prints)")


if __name__ == "__main__":
    main()
