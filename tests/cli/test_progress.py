"""Progress bars: drawn on stderr only when it is a terminal (a pseudo-terminal here), with the total
when it is known and a countdown against ``--time``; nothing on stderr otherwise."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pty = pytest.importorskip("pty")


def _on_a_terminal(*args: str) -> tuple[int, str]:
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-c", "from mechsolve.cli import main; main()", *args], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    buf = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            buf += data
        elif p.poll() is not None:
            break
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.decode(errors="replace"))


@pytest.mark.slow
def test_verify_bar_shows_the_total_and_the_time_left() -> None:
    code, err = _on_a_terminal("verify", "--scheme", "shapley", "-a", "efficiency", "--budget", "300")
    assert code == 0 and "verify efficiency" in err and "/300" in err
    code, err = _on_a_terminal("verify", "--scheme", "shapley", "-a", "efficiency", "--budget", "100000000",
                               "--time", "2")
    assert code == 0 and "s left (--time)" in err and "/100000000" in err


@pytest.mark.slow
def test_boundary_shows_one_bar_not_a_line_per_alpha() -> None:
    code, err = _on_a_terminal("boundary", "models/chen-market-growth.yaml", "--alpha=-1:-0.9:0.02",
                               "--k-max", "50")
    assert code == 0 and "boundary" in err and "/6" in err
    assert "D/ε boundary" not in err              # the old one-line-per-α output


def test_no_bar_without_a_terminal() -> None:
    r = subprocess.run([sys.executable, "-c", "from mechsolve.cli import main; main()", "verify", "--scheme",
                        "shapley", "-a", "efficiency", "--budget", "50"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
