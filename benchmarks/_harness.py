"""Shared helpers for the benchmarks: timing, peak memory in a fresh process, tables, plots.

Each measurement runs in a fresh worker process (the same interpreter as the
benchmark) so that its peak memory is its own: the worker builds the input,
resets the kernel's peak-RSS counter (``/proc/self/clear_refs``), runs the
timed call, and reports ``VmHWM − VmRSS`` (extra memory at the peak) with the
best wall time over a few repeats.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def rss_kib(field: str = "VmRSS") -> int:
    """A ``/proc/self/status`` memory field in KiB (0 where unavailable)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> bool:
    """Reset the peak RSS (``VmHWM``) to the current RSS; False where the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def measure(fn: Callable[[], Any], *, budget_s: float = 3.0, max_repeats: int = 5) -> tuple[float, int, Any]:
    """Best wall time of ``fn`` over repeats that fit ``budget_s``, extra peak memory (bytes), result."""
    import gc

    gc.collect()
    reset_peak()
    before = rss_kib()
    t0 = time.perf_counter()
    out = fn()
    best = time.perf_counter() - t0
    extra = max(0, rss_kib("VmHWM") - before) * 1024
    spent = best
    repeats = 1
    while repeats < max_repeats and spent + best < budget_s:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        repeats += 1
    return best, extra, out


def run_worker(script: str, args: list[str], timeout_s: float) -> dict[str, Any]:
    """Run ``python script --worker ARGS`` and parse its last stdout line as JSON."""
    cmd = [sys.executable, script, "--worker", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        return {"status": f"timeout > {timeout_s:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"status": f"failed: {err[:120]}"}
    return json.loads(lines[-1])


def pycache_env(pycache: Path) -> dict[str, str]:
    """The environment of a timed child: bytecode cached in ``pycache`` (as an installed package runs;
    without it every run recompiles mechsolve's sources, ~0.2 s) and warnings off."""
    e = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    e.update(PYTHONPYCACHEPREFIX=str(pycache), PYTHONWARNINGS="ignore")
    return e


def run_process(cmd: list[str], environ: dict[str, str], *, cwd: Path, capture: bool = False) -> dict[str, Any]:
    """One fresh process: wall time, CPU time (user + system, its waited-for children included) and peak
    RSS of the child (``os.wait4``); its stdout when ``capture``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=environ, cwd=cwd)
    out = proc.stdout.read() if capture and proc.stdout else b""
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss * 1024,
            "code": proc.returncode, "out": out.decode() if capture else None}


def machine() -> str:
    """One line naming the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = int(fh.readline().split()[1]) // 2**20
    except (OSError, ValueError, IndexError):
        pass
    import numpy as np

    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB; Python {platform.python_version()}, "
            f"numpy {np.__version__}")


def fmt_time(t: float | None) -> str:
    if t is None:
        return "–"
    return f"{t * 1e3:.2f} ms" if t < 0.1 else f"{t:.2f} s"


def fmt_mem(b: int | None) -> str:
    if b is None:
        return "–"
    return f"{b / 2**20:.0f} MiB" if b >= 2**20 else f"{b / 2**10:.0f} KiB"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def plot(series: dict[str, list[tuple[int, float]]], path: Path, title: str) -> str:
    """Log-scale time-against-n plot, one line per system; returns a note."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no plot (pip install -e '.[bench]')"
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, pts in series.items():
        if pts:
            xs, ys = zip(*pts)
            ax.plot(xs, ys, marker="o", label=name)
    ax.set_yscale("log")
    ax.set_xlabel("players n (table of 2^n values)")
    ax.set_ylabel("wall time (s)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"plot written to {path}"


def numpy_per_player(v: np.ndarray, n: int) -> np.ndarray:
    """Baseline: one reshape pass per player, ``φ_i = Σ_{S∌i} w(|S|)(v(S∪i) − v(S))``."""
    import math

    sizes = np.zeros(1, dtype=np.uint8)
    for _ in range(n):
        sizes = np.concatenate([sizes, sizes + 1])
    w = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])
    out = np.empty(n)
    for i in range(n):
        view = v.reshape(2 ** (n - 1 - i), 2, 2**i)
        sz = sizes.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 0, :]
        out[i] = np.sum(w[sz] * (view[:, 1, :] - view[:, 0, :]))
    return out
