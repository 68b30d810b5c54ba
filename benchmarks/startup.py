"""Start-up: ``mechsolve --help`` and ``python -c "import mechsolve"`` against ``python -c "import numpy"``.

Targets: ``--help`` ≤ 0.3 s more than importing numpy (issue 9); ``import mechsolve`` no slower than
importing numpy (issue 15: the package __init__ imports the API lazily, PEP 562).

Usage::

    python benchmarks/startup.py            # 15 interleaved runs of each, median and min

Runs the three commands interleaved in fresh processes (so disk cache and machine
load hit all alike), prints the median and minimum wall time of each, the
differences and ratios against numpy, and which heavy libraries (sympy, z3, PuLP,
networkx, scipy, matplotlib, dask, highspy, pandas) ``--help`` and
``import mechsolve`` imported (target: none).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sympy", "z3", "pulp", "networkx", "scipy", "matplotlib", "dask", "highspy", "pandas", "torch")
HELP = [sys.executable, str(ROOT / "cli.py"), "--help"]
NUMPY = [sys.executable, "-c", "import numpy"]
PACKAGE = [sys.executable, "-c", "import mechsolve"]


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t0


def heavy_loaded(code: str | None = None) -> list[str]:
    code = (code or ("import sys; sys.argv = ['mechsolve', '--help']\n"
                     "from mechsolve.cli import cli\n"
                     "try:\n    cli.main(standalone_mode=False)\nexcept SystemExit:\n    pass\n")
            + f"\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    return [m for m in last.split(",") if m in HEAVY]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    wall(NUMPY), wall(HELP), wall(PACKAGE)      # warm the file cache
    t_np, t_help, t_pkg = [], [], []
    for _ in range(args.runs):
        t_np.append(wall(NUMPY))
        t_help.append(wall(HELP))
        t_pkg.append(wall(PACKAGE))
    med_np, med_help, med_pkg = (statistics.median(t) for t in (t_np, t_help, t_pkg))
    heavy = heavy_loaded()
    heavy_pkg = heavy_loaded("import mechsolve")
    print(f"python -c 'import numpy'     : median {med_np:.3f} s, min {min(t_np):.3f} s  ({args.runs} runs)")
    print(f"mechsolve --help             : median {med_help:.3f} s, min {min(t_help):.3f} s")
    print(f"  difference                 : median {med_help - med_np:+.3f} s, min {min(t_help) - min(t_np):+.3f} s "
          f"(target ≤ 0.300 s); ratio {med_help / med_np:.2f}")
    print(f"python -c 'import mechsolve' : median {med_pkg:.3f} s, min {min(t_pkg):.3f} s")
    print(f"  difference                 : median {med_pkg - med_np:+.3f} s, min {min(t_pkg) - min(t_np):+.3f} s "
          f"(target ≤ 0); ratio {med_pkg / med_np:.2f}")
    print(f"heavy libraries imported by --help: {', '.join(heavy) if heavy else 'none'}")
    print(f"heavy libraries imported by `import mechsolve`: {', '.join(heavy_pkg) if heavy_pkg else 'none'}")


if __name__ == "__main__":
    sys.exit(main())
