"""Nguyen et al. (2022) App. G.2 Statement 1 (budget efficiency, first half) is FALSE from n = 3 on.

Statement (Sec. 4 "Budget efficiency", App. G.2 Statement 1): if party i can afford the optimal
model, -p_i(v) <= b_i, then lambda*_i = 1, i.e. v'_i(N) = v(N).
Source:   Nguyen, Lim, Kuo, Low & Liu (2022) Sec. 4, Lemma 4.1, App. G.2 Statement 1.
Premises: v(empty) = 0; v monotone; budgets b_i >= 0; lambda an optimum of (P) (KKT conditions).
          Variant: plus p_{1,-}(v) > 0, which the proof uses without stating it.
n range:  2..3 (the n = 3 lambda form with p_{1,-}(v) > 0 only with MECHSOLVE_SLOW_PROOFS=1, ~10 s)
Method:   z3 nonlinear real arithmetic on the KKT conditions of (P); every sat model is re-checked
          exactly (KKT certificate, the package's conditional Shapley values) and written as a
          nguyen-budget model file on which `mechsolve check` reports budget-efficiency violated.
Verdict:  violated.
          n = 2: only degenerately -- with p_{1,-}(v) = 0 every lambda_1 is optimal; adding the
                 implicit premise p_{1,-}(v) > 0 gives `proved`, and the model-value form
                 v'_1(N) = v(N) is proved without it.
          n = 3: violated even with p_{1,-}(v) > 0 and in the model-value form, for monotone v
                 and unique lambda*. The proof's chain "p_{i,-}(v) - sum_j lambda*_j phi_{i|j}(v)
                 >= ... >= -b_i" bounds the payment of lambda' from BELOW, not above: when other
                 parties are budget-constrained (lambda*_j < 1) they pay i less, so raising lambda_i
                 to 1 can break i's own budget. The package's LP solution (greatest optimum)
                 violates it too: the written model files reproduce with `mechsolve check`.

Run standalone (`python proofs/nguyen_lp_statement1.py`) or through pytest.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main  # noqa: E402

from mechsolve.verify.symbolic.z3lp import nguyen_budget_efficiency  # noqa: E402

CLAIM = {"statement": "-p_i(v) <= b_i  =>  lambda*_i = 1 (v'_i(N) = v(N)) for the optimum of LP (P)",
         "source": "Nguyen et al. (2022) Sec. 4, Lemma 4.1, App. G.2 Statement 1",
         "premises": ["v(empty) = 0", "v monotone", "b >= 0", "lambda optimal for (P) (KKT)",
                      "(variant) p_{1,-}(v) > 0"],
         "n": "2..3", "method": "z3 nonlinear real arithmetic on the KKT conditions of (P)",
         "expected": "violated",
         "verdict": "violated: n = 2 only when p_{1,-}(v) = 0 (implicit premise); n = 3 even with it, "
                    "and in model values -- the proof bounds the payment in the wrong direction"}
#: CPU seconds of run() on one core, measured: orders the claim files across `mechsolve proofs`
#: workers (longest first); never a result
COST = 0.2


SLOW = bool(os.environ.get("MECHSOLVE_SLOW_PROOFS"))


@functools.lru_cache(maxsize=1)
def _results() -> tuple:
    out = [nguyen_budget_efficiency(2, "budget-efficiency-1", analyse_premises=False),
           nguyen_budget_efficiency(3, "budget-efficiency-1", analyse_premises=False),
           nguyen_budget_efficiency(3, "budget-efficiency-1-value", analyse_premises=False)]
    if SLOW:   # about 10 s: the lambda form with the implicit premise p_{1,-}(v) > 0 (the value form implies it)
        out.append(nguyen_budget_efficiency(3, "budget-efficiency-1", implicit_premise=True,
                                            analyse_premises=False))
    return tuple(out)


def run() -> list:
    return list(_results())


def _reproduce(cex: dict, tmp: Path) -> list:
    """Write the counterexample as a nguyen-budget model; `mechsolve check` must exit 1 on it."""
    import yaml
    from click.testing import CliRunner

    from mechsolve.cli import cli
    from mechsolve.verify.symbolic.z3lp import counterexample_budget_model

    path = tmp / "cx.yaml"
    path.write_text(yaml.safe_dump(counterexample_budget_model(cex, "Statement 1 counterexample"),
                                   allow_unicode=True), encoding="utf-8")
    codes = [CliRunner().invoke(cli, ["check", str(path), *extra]).exit_code for extra in ([], ["--exact"])]
    return codes


def test_claim(tmp_path) -> None:
    from mechsolve.games.game import Game
    from mechsolve.games.shapley import conditional_shapley
    from mechsolve.verify.symbolic.z3lp import kkt_holds, lp_rows

    results = run()
    assert [r.status for r in results] == ["violated"] * len(results), [r.summary() for r in results]
    for r in results[2:]:       # n = 3, model-value form (so p_{1,-}(v) > 0): non-degenerate counterexamples
        cex = r.counterexample
        assert cex["p_1,- (v)"] > 0
        g = Game.from_values(["p1", "p2", "p3"], list(cex["game"].values()), exact=True)
        M = conditional_shapley(g)
        b = [cex["budgets"][p] for p in g.names]
        lam = [cex["lambda (an optimum of (P))"][p] for p in g.names]
        assert kkt_holds(M, b, lam, [cex["budget multipliers y"][p] for p in g.names])   # lambda is optimal
        pm, _ = lp_rows(M)
        minus_p1 = pm[0] - sum(M[k, 0] for k in range(3))
        assert minus_p1 <= b[0] and lam[0] < 1                                            # affordable, not given
        assert all(M[i, j] >= 0 for i in range(3) for j in range(3))                      # v is monotone
        assert _reproduce(cex, tmp_path) == [1, 1]                                        # the package agrees


def test_n2_needs_only_the_implicit_premise() -> None:
    r = nguyen_budget_efficiency(2, "budget-efficiency-1", implicit_premise=True, analyse_premises=False)
    assert r.status == "proved"
    assert nguyen_budget_efficiency(2, "budget-efficiency-1-value", analyse_premises=False).status == "proved"
    cex = run()[0].counterexample                                  # the degenerate n = 2 one
    assert cex["p_1,- (v)"] == 0


if __name__ == "__main__":
    sys.exit(main(CLAIM, run()))
