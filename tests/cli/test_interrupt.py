"""Ctrl-C and SIGTERM sent to a real ``mechsolve`` process: work kept, workers reaped, 130/143, no traceback.

Each test starts the command in its own session (as a terminal would start a job), waits
until its worker processes exist, sends the signal and checks: how long the process needed
to report (≤ 2 s for cancelling and reaping, plus a margin for printing), the exit code, one
error line and no traceback on stderr, no worker process left alive (nothing orphaned holding
stdout), and that what finished before the signal is printed with the right numbers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "chen-market-growth.yaml"
#: Boundaries with types from 0 (README, "Fig. 3, the disparity boundary"; tests/mechanism).
KNOWN = {-1.0: 1, -0.8: 3, -0.7: 38}


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from mechsolve.cli import main; main()", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_workers(p: subprocess.Popen[bytes], n: int, timeout: float = 60) -> list[int]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        kids = _children(p.pid)
        if len(kids) >= n:
            return kids
        if p.poll() is not None:
            break
        time.sleep(0.1)
    p.kill()
    pytest.fail(f"the workers never started (exit {p.poll()}): {p.stderr.read().decode()[-500:]}")


def _interrupt(sig: int, *, group: bool, settle: float) -> tuple[int, float, str, str, list[int]]:
    alphas = "-1,-0.8,-0.7,-0.6625,-0.662,-0.6615"        # three fast, then ~10-100 s each
    p = _start("boundary", str(MODEL), f"--alpha={alphas}", "--k-max", "5000000", "--verify-limit", "0",
               "--workers", "2", "--format", "json")
    kids = _wait_for_workers(p, 2)
    time.sleep(settle)                                      # the fast α values finish meanwhile
    t0 = time.monotonic()
    if group:
        os.killpg(p.pid, sig)                               # what Ctrl-C in a terminal does
    else:
        os.kill(p.pid, sig)                                 # what `kill PID` / a supervisor does
    out, err = p.communicate(timeout=30)
    return p.returncode, time.monotonic() - t0, out.decode(), err.decode(), kids


@pytest.mark.slow
@pytest.mark.parametrize("sig, group, code", [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)])
def test_boundary_interrupted_keeps_finished_alphas_and_reaps_workers(sig: int, group: bool, code: int) -> None:
    rc, seconds, out, err, kids = _interrupt(sig, group=group, settle=4.0)
    assert rc == code, err
    assert "Traceback" not in err and "Traceback" not in out
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: interrupted (" + signal.Signals(sig).name), err
    assert seconds < 6.0, seconds                           # cancel + reap ≤ 2 s, the rest is printing
    assert not [k for k in kids if _alive(k)], "a worker survived its parent"
    data = json.loads(out)
    assert data["interrupted"]["signal"] == signal.Signals(sig).name
    done = {r["alpha"]: r["boundary"] for r in data["results"]}
    assert data["interrupted"]["finished"] == len(done) < 6
    assert set(KNOWN) <= set(done), done                    # the three fast ones finished before the signal
    for a, b in KNOWN.items():
        assert done[a] == b


@pytest.mark.slow
def test_second_signal_exits_at_once() -> None:
    p = _start("boundary", str(MODEL), "--alpha=-0.6615,-0.661", "--k-max", "5000000", "--verify-limit", "0",
               "--workers", "2")
    kids = _wait_for_workers(p, 2)
    os.kill(p.pid, signal.SIGINT)
    os.kill(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 130 and "Traceback" not in err.decode()
    time.sleep(0.5)
    assert not [k for k in kids if _alive(k)]


@pytest.mark.slow
def test_verify_interrupted_exits_130_with_one_line() -> None:
    p = _start("verify", "--scheme", "shapley", "--axiom", "efficiency", "--budget", "100000000",
               "--workers", "2", "--format", "json")
    kids = _wait_for_workers(p, 2)
    time.sleep(1.0)
    t0 = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=30)
    seconds = time.monotonic() - t0
    text = err.decode()
    assert p.returncode == 130, text
    assert "Traceback" not in text and text.strip().splitlines()[-1].startswith("error: interrupted (SIGINT)")
    assert seconds < 6.0
    assert not [k for k in kids if _alive(k)]
    if out.strip():                                          # a search that returns what it searched so far
        r = json.loads(out)["results"][0]
        assert r["searched"]["instances"] > 0
