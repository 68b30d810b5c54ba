"""Nguyen et al. (2022) App. D: replication robustness of the payoff p_i = n phi_i(v) - v(N).

Claims (one replica i+ of party i, replication invariance eq. 14 built into v+):
  D.1  p_i(v) <= 0  =>  p_i(v+) + p_{i+}(v+) <= p_i(v)            (eqs. 15-19)
  D.2  p_i(v+) <= p_i(v)                                          (eq. 20)
  D.2  2 p_i(v+1) <= p_i(v)  =>  3 p_i(v+2) <= p_i(v)             (eq. 21, K = 2 replicas)
Source:   Nguyen, Lim, Kuo, Low & Liu (2022), App. D.1 and D.2.
Premises: v(empty) = 0; v monotone; replication invariance; (D.1) p_i(v) <= 0;
          (D.2 multiple) no gain from one replica in the original market.
n range:  2..4 (original players; the replicated market has n+1 or n+2).
Method:   z3 linear real arithmetic (the payoffs are linear in v).
Verdict:  all three proved for n = 2..4. Premise analysis: monotonicity is needed for every
          claim (n >= 3); p_i(v) <= 0 is needed for D.1 from n = 3 (for n = 2 the claim holds
          for every monotone game).

Run standalone (`python proofs/nguyen_replication.py`) or through pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main  # noqa: E402

from mechsolve.verify.symbolic.z3claims import nguyen_replication_multiple, nguyen_replication_once, nguyen_replication_shrinks_payoff

CLAIM = {"statement": "App. D.1, D.2 (eq. 20) and D.2 (eq. 21, K = 2) replication robustness of Nguyen payoffs",
         "source": "Nguyen et al. (2022) App. D", "premises": ["v(empty) = 0", "v monotone",
                                                               "replication invariance (eq. 14)",
                                                               "p_i(v) <= 0 (D.1)",
                                                               "no gain from one replica (D.2, K = 2)"],
         "n": "2..4", "method": "z3 linear real arithmetic", "expected": "proved",
         "verdict": "proved for n = 2..4; monotonicity needed (n >= 3), p_i(v) <= 0 needed for D.1 (n >= 3)"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.2
N_RANGE = range(2, 5)


def run() -> list:
    out = []
    for n in N_RANGE:
        out += [nguyen_replication_once(n), nguyen_replication_shrinks_payoff(n), nguyen_replication_multiple(n)]
    return out


def test_claim() -> None:
    results = run()
    for r in results:
        assert r.status == "proved", r.summary()
    once3 = next(r for r in results if r.claim == "nguyen-replication-once" and r.n == 3)
    by = {p.premise: p.status for p in once3.premise_checks}
    assert by == {"v monotone": "violated", "p_i(v) ≤ 0": "violated"}
    once2 = next(r for r in results if r.claim == "nguyen-replication-once" and r.n == 2)
    assert {p.premise: p.status for p in once2.premise_checks}["p_i(v) ≤ 0"] == "proved"


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
