"""Balance of the single-task market: sum_i (psi_i a - a_i) = 0 with psi_i = phi_i(v)/v(N), v(S) = G(S) + sum_{j in S}(G(S) - G(j)).

Source:   Ohrimenko et al. (2019) Sec. 4.1 (Properties: Balance)
Premises: G(empty) = 0; v(N) != 0
n range:  2..4
Method:   sympy identity over a symbolic gain table G (rational function)
Verdict:  proved for n = 2..4 (every gain table with v(N) != 0)

Run standalone (`python proofs/ohrimenko_balance.py`) or through pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main, run_range  # noqa: E402

from mechsolve.verify.symbolic.identities import ohrimenko_balance  # noqa: E402

CLAIM = {"statement": "Balance of the single-task market: sum_i (psi_i a - a_i) = 0 with psi_i = phi_i(v)/v(N), v(S) = G(S) + sum_{j in S}(G(S) - G(j)).", "source": "Ohrimenko et al. (2019) Sec. 4.1 (Properties: Balance)", "premises": ["G(empty) = 0; v(N) != 0"], "n": "2..4", "method": "sympy identity over a symbolic gain table G (rational function)",
         "expected": "proved", "verdict": "proved for n = 2..4 (every gain table with v(N) != 0)"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.08
N_RANGE = range(2, 4 + 1)


def run() -> list:
    return run_range(ohrimenko_balance, N_RANGE)


def test_claim() -> None:
    for r in run():
        assert r.status == CLAIM["expected"], r.summary()


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
