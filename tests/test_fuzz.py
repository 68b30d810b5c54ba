"""Hostile and broken input (issue 18): the seeded mutation fuzzer of ``tests/fuzzing.py`` finds nothing.

1,000 cases mutated from the bundled models, each run as ``mechsolve`` in a forked child with
``RLIMIT_AS`` (2 GiB), ``RLIMIT_CPU``, ``RLIMIT_FSIZE`` and a wall-clock limit (the parent kills the
child's process group), one BLAS thread, at most two children at a time; the parent draws cases
lazily and keeps a few KB per outcome (measured: parent ~290 MiB, largest child ~400 MiB RSS): exit code 0/1/2 (0/1 only for inputs that may be valid),
exactly one ``error:`` line on exit 2, no traceback, no internal error, no hang, no memory
blow-up, JSON stdout intact. The fuzzer runs in its own process (a clean parent to fork from:
earlier tests may leave Dask threads behind). Each case that once found a bug is kept as a
regression file in ``tests/bad_models/`` (run by ``tests/test_bad_models.py``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fuzzing import Fuzzer, judge, Outcome

HERE = Path(__file__).parent
CASES = int(os.environ.get("MECHSOLVE_FUZZ_CASES", "1000"))
SEED = int(os.environ.get("MECHSOLVE_FUZZ_SEED", "18"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32",
                                reason="the fuzzer forks and uses resource.setrlimit (POSIX)")


@pytest.mark.slow
@pytest.mark.timeout(900)  # ~150 s of CPU for 1,000 cases: ~1.5 min on 2 free cores, longer on a loaded machine
def test_fuzzer_finds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "failures.json"
    jobs = str(min(2, os.cpu_count() or 1))
    proc = subprocess.run([sys.executable, str(HERE / "fuzzing.py"), "--cases", str(CASES), "--seed", str(SEED),
                           "--jobs", jobs, "--time-limit", "30", "--json", str(out), "--show", "2"],
                          capture_output=True, text=True, timeout=840, cwd=HERE.parent)
    failures = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    summary = proc.stdout.splitlines()[:1]
    assert failures is not None, proc.stderr[-2000:]
    assert proc.returncode == 0 and not failures, "\n".join(summary + [proc.stdout[-6000:]])
    assert f"{CASES} cases" in proc.stdout, proc.stdout[:500]
    rss = re.search(r"largest child RSS (\d+) MiB.*parent RSS (\d+) MiB \(after the imports: (\d+) MiB\)",
                    proc.stdout)
    # children bounded; the parent does not accumulate (its peak grows < 200 MiB over 1,000 cases beyond
    # what importing the package and its optional extras takes)
    assert rss and int(rss.group(1)) < 1536 and int(rss.group(2)) - int(rss.group(3)) < 200, summary


def test_fuzzer_is_seeded_and_covers_every_operator() -> None:
    """Same seed, same cases; every mutation class is drawn within the suite's 1,000 cases."""
    cases = list(Fuzzer(SEED).cases(CASES))
    again = [(c.op, c.detail, c.argv) for c in Fuzzer(SEED).cases(100)]
    assert [(c.op, c.detail, c.argv) for c in cases[:100]] == again
    expected = {name.removeprefix("op_") for name in dir(Fuzzer) if name.startswith("op_")}
    assert {c.op for c in cases} == expected
    assert sum(c.must_fail for c in cases) > CASES // 3, "most cases are built to be invalid: they must exit 2"


def test_the_oracle_rejects_what_issue_18_forbids() -> None:
    """The oracle itself: a traceback, an internal error, two lines, exit 0 on invalid input all fail."""
    case = next(iter(Fuzzer(SEED).cases(1)))
    case.must_fail, case.json_out = True, True

    def verdict(code: int | None, err: str, out: str = "{}", **kw: object) -> list[str]:
        return judge(Outcome(case, code, out, err, 0.1, 10 * 2**20, **kw))  # type: ignore[arg-type]

    assert verdict(2, "error: players: bad\n") == []
    assert "internal error" in verdict(2, "error: internal error (KeyError: 'x'); rerun ...\n")
    assert "not one error line" in verdict(2, "\nerror: aborted\n")
    assert "traceback" in verdict(1, "Traceback (most recent call last):\n  ...\n")
    assert "wrong exit code (invalid input accepted)" in verdict(0, "")
    assert "exit code 3" in verdict(3, "")
    assert verdict(None, "", timed_out=True) == ["timeout"]
    assert "error line too long" in verdict(2, "error: " + "z" * 5000 + "\n")
    case.must_fail = False
    assert "stdout is not JSON" in verdict(0, "", out="noise{}")
