"""Ohrimenko et al. (2019) Theorem 1: the single-task market is robust to replication.

Statement: a party i that joins with k = 1 extra replica of its training data does not raise
its total net gain: t^R = 2(psi^R_i a^R - a_i) <= t = psi_i a - a_i (Condition 1), where
v(S) = G(S) + sum_{j in S}(G(S) - G(j)), psi = phi(v)/v(N), a_i = G(N) - G(i), a^R = a + a_i.
Source:   Ohrimenko, Tople & Tschiatschek (2019) Sec. 4.1, Theorem 1, Lemmas 1-2, App. A.
Premises: G(empty) = 0; G >= 0; (ii) G monotone; (iii) G supermodular; (iv) G <= 1;
          (i) replication invariance (built into the replicated market); v(N) > 0.
n range:  n = 2 (default run, about 2 s); n = 3 with MECHSOLVE_SLOW_PROOFS=1 (about 20 s).
Method:   z3 nonlinear real arithmetic on premises and not(claim), denominators cleared.
Verdict:  proved for n = 2 and n = 3. Dropping premises one at a time (n = 2, 3): only
          (iii) supermodularity is needed; without it z3 finds a market where replication pays
          (re-checked exactly). Monotonicity (ii), which Lemma 2 also assumes, is not needed
          for n <= 3.

Run standalone (`python proofs/ohrimenko_theorem1.py [--premises]`) or through pytest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main  # noqa: E402

from mechsolve.verify.symbolic.z3claims import ohrimenko_net_gains, ohrimenko_theorem1  # noqa: E402

CLAIM = {"statement": "t^R <= t: one replica does not raise a party's net gain (Condition 1)",
         "source": "Ohrimenko et al. (2019) Sec. 4.1 Theorem 1, App. A",
         "premises": ["G(empty) = 0", "G >= 0", "(ii) G monotone", "(iii) G supermodular", "(iv) G <= 1",
                      "(i) replication invariance", "v(N) > 0"],
         "n": "2 (3 with MECHSOLVE_SLOW_PROOFS=1)", "method": "z3 nonlinear real arithmetic",
         "expected": "proved",
         "verdict": "proved for n = 2, 3; (iii) supermodularity is the premise that makes the difference"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.15
SLOW = bool(os.environ.get("MECHSOLVE_SLOW_PROOFS"))
N_RANGE = range(2, 4 if SLOW else 3)


def run(premises: bool | list[str] = ("(iii) G supermodular", "(ii) G monotone")) -> list:
    return [ohrimenko_theorem1(n, analyse_premises=list(premises) if premises is not True else True)
            for n in N_RANGE]


def test_claim() -> None:
    for r in run():
        assert r.status == "proved", r.summary()
        by = {p.premise: p for p in r.premise_checks}
        # supermodularity makes the difference: without it a counterexample exists, re-checked exactly
        sup = by["(iii) G supermodular"]
        assert sup.status == "violated" and sup.counterexample is not None
        assert sup.counterexample["t^R (net gain of p1 and its replicas)"] > sup.counterexample["t (net gain before)"]
        # monotonicity is not needed for n <= 3 (a finding beyond the paper's Lemma 2)
        assert by["(ii) G monotone"].status == "proved"


def test_counterexample_without_supermodularity_rechecks() -> None:
    """The n=2 market z3 finds without (iii): recomputed with the package's exact Shapley."""
    from fractions import Fraction

    from mechsolve.games.game import Game

    r = ohrimenko_theorem1(2, analyse_premises=["(iii) G supermodular"])
    cex = r.premise_checks[0].counterexample
    g = Game.from_values(["p1", "p2"], list(cex["gain table G"].values()), exact=True)
    t, tr = ohrimenko_net_gains(g)
    assert isinstance(tr, Fraction) and tr > t


if __name__ == "__main__":
    sys.exit(main(CLAIM, run(True if "--premises" in sys.argv else ("(iii) G supermodular", "(ii) G monotone"))))
