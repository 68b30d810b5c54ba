"""Nguyen et al. (2022) Lemma 4.1 / App. G.2 Statement 2 and Remark 4.2 (weak efficiency), for every
optimum of LP (P), from its optimality (KKT) conditions.

Statement: let lambda be ANY optimum of (P) (budget rows (A lambda)_i <= b_i, 0 <= lambda <= 1).
  Statement 2:      -p_1(v) > b_1  =>  -p_1(lambda v) = (A lambda)_1 = b_1   (the budget is used up)
  Weak efficiency:  some party i gets v'_i(N) = v(i) + lambda_i p_{i,-}(v) = v(N)
Budget feasibility (A lambda)_i <= b_i is part of the optimality conditions.
Source:   Nguyen, Lim, Kuo, Low & Liu (2022) Sec. 4, Lemma 4.1, Remark 4.2, App. G.2, App. H.
Premises: v(empty) = 0; v monotone (so phi_{j|i} >= 0, used in (42)); budgets b_i >= 0.
          Always: lambda is an optimum of (P) (primal feasibility, multipliers y >= 0 with
          complementary slackness, reduced-cost signs) -- the game, budgets, lambda and y are
          all unknowns.
n range:  2..3
Method:   z3 nonlinear real arithmetic (products v*lambda and v*y); sat models re-checked exactly
          with the package's conditional Shapley values and the KKT certificate.
Verdict:  proved for n = 2, 3. Dropping premises: monotonicity is needed for both claims
          (without it z3 finds optima that leave budget unspent / give nobody v(N)); b >= 0 is not.

Run standalone (`python proofs/nguyen_lp_budget_efficiency.py`) or through pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main  # noqa: E402

from mechsolve.verify.symbolic.z3lp import nguyen_budget_efficiency  # noqa: E402

CLAIM = {"statement": "every optimum of LP (P): Statement 2 (budget used up when v(N) is unaffordable) and "
                      "weak efficiency (some party gets v(N))",
         "source": "Nguyen et al. (2022) Lemma 4.1, App. G.2 Statement 2, Remark 4.2, App. H",
         "premises": ["v(empty) = 0", "v monotone", "b >= 0", "lambda optimal for (P) (KKT)"],
         "n": "2..3", "method": "z3 nonlinear real arithmetic on the KKT conditions of (P)",
         "expected": "proved",
         "verdict": "proved for n = 2, 3; monotonicity is the premise that makes the difference"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.35
N_RANGE = range(2, 4)


def run() -> list:
    return [nguyen_budget_efficiency(n, c) for n in N_RANGE for c in ("budget-efficiency-2", "weak-efficiency")]


def test_claim() -> None:
    from fractions import Fraction

    from mechsolve.games.shapley import conditional_shapley
    from mechsolve.games.game import Game
    from mechsolve.verify.symbolic.z3lp import kkt_holds, lp_rows

    for r in run():
        assert r.status == "proved", r.summary()
        by = {p.premise: p for p in r.premise_checks}
        assert by["b ≥ 0"].status == "proved"
        mono = by["v monotone"]
        assert mono.status == "violated", r.summary()
        # the optimum z3 found without monotonicity: recompute (P)'s optimality and the failure exactly
        cex = mono.counterexample
        n = r.n
        g = Game.from_values([f"p{k + 1}" for k in range(n)], list(cex["game"].values()), exact=True)
        M = conditional_shapley(g)
        names = g.names
        b = [cex["budgets"][p] for p in names]
        lam = [cex["lambda (an optimum of (P))"][p] for p in names]
        y = [cex["budget multipliers y"][p] for p in names]
        assert kkt_holds(M, b, lam, y)
        pm, A = lp_rows(M)
        assert any(M[i, j] < 0 for i in range(n) for j in range(n))          # only a non-monotone v does this
        if r.claim.endswith("weak-efficiency"):
            assert all(lam[i] * pm[i] != pm[i] for i in range(n))
        else:
            assert cex["-p_1(v)"] > b[0] and cex["(A lambda)_1"] < b[0] and isinstance(b[0], Fraction)


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
