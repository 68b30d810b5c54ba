"""Efficiency of the Shapley value: sum_i phi_i(v) = v(N).

Source:   Shapley (1953); Nguyen et al. (2022) Sec. 3.1
Premises: v(empty) = 0
n range:  2..5
Method:   sympy identity over symbolic v(S), Shapley by its definition
Verdict:  proved for n = 2..5 (every game)

Run standalone (`python proofs/shapley_efficiency.py`) or through pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main, run_range  # noqa: E402

from mechsolve.verify.symbolic.identities import shapley_efficiency  # noqa: E402

CLAIM = {"statement": "Efficiency of the Shapley value: sum_i phi_i(v) = v(N).", "source": "Shapley (1953); Nguyen et al. (2022) Sec. 3.1", "premises": ["v(empty) = 0"], "n": "2..5", "method": "sympy identity over symbolic v(S), Shapley by its definition",
         "expected": "proved", "verdict": "proved for n = 2..5 (every game)"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.03
N_RANGE = range(2, 5 + 1)


def run() -> list:
    return run_range(shapley_efficiency, N_RANGE)


def test_claim() -> None:
    for r in run():
        assert r.status == CLAIM["expected"], r.summary()


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
