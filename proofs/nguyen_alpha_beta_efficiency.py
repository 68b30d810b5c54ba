"""The (alpha, beta) family p_i = alpha phi_i + (beta - alpha v(N))/n sums to beta for every alpha, beta.

Source:   Nguyen et al. (2022) Remark 3.6, App. C
Premises: v(empty) = 0
n range:  2..5
Method:   sympy identity over symbolic v(S), alpha, beta
Verdict:  proved for n = 2..5 (every game, every alpha, beta)

Run standalone (`python proofs/nguyen_alpha_beta_efficiency.py`) or through pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main, run_range  # noqa: E402

from mechsolve.verify.symbolic.identities import alpha_beta_efficiency  # noqa: E402

CLAIM = {"statement": "The (alpha, beta) family p_i = alpha phi_i + (beta - alpha v(N))/n sums to beta for every alpha, beta.", "source": "Nguyen et al. (2022) Remark 3.6, App. C", "premises": ["v(empty) = 0"], "n": "2..5", "method": "sympy identity over symbolic v(S), alpha, beta",
         "expected": "proved", "verdict": "proved for n = 2..5 (every game, every alpha, beta)"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.06
N_RANGE = range(2, 5 + 1)


def run() -> list:
    return run_range(alpha_beta_efficiency, N_RANGE)


def test_claim() -> None:
    for r in run():
        assert r.status == CLAIM["expected"], r.summary()


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
