"""Decomposition: n phi_i = v(i) + sum_{j != i} phi_{i|j}, phi_{i|j} the Shapley value of i in v_{-j}(C) = v(C u j) - v(j).

Source:   Nguyen et al. (2022) Sec. 3.2, App. F
Premises: v(empty) = 0
n range:  2..5
Method:   sympy identity over symbolic v(S)
Verdict:  proved for n = 2..5 (every game)

Run standalone (`python proofs/nguyen_decomposition.py`) or through pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main, run_range  # noqa: E402

from mechsolve.verify.symbolic.identities import decomposition  # noqa: E402

CLAIM = {"statement": "Decomposition: n phi_i = v(i) + sum_{j != i} phi_{i|j}, phi_{i|j} the Shapley value of i in v_{-j}(C) = v(C u j) - v(j).", "source": "Nguyen et al. (2022) Sec. 3.2, App. F", "premises": ["v(empty) = 0"], "n": "2..5", "method": "sympy identity over symbolic v(S)",
         "expected": "proved", "verdict": "proved for n = 2..5 (every game)"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.05
N_RANGE = range(2, 5 + 1)


def run() -> list:
    return run_range(decomposition, N_RANGE)


def test_claim() -> None:
    for r in run():
        assert r.status == CLAIM["expected"], r.summary()


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
