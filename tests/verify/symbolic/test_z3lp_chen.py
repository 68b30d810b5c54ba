"""z3 encodings of LP (P)'s optimality conditions (Nguyen Sec. 4) and of Chen Corollary 1: the pieces
agree with the package's numeric code, and bad requests are InvalidModel."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.games.shapley import conditional_shapley
from mechsolve.model.schema import parse_model
from mechsolve.verify.symbolic.z3chen import chen_corollary1, counterexample_mechanism_model
from mechsolve.verify.symbolic.z3lp import conditional_matrix, kkt_holds, lp_rows, nguyen_budget_efficiency


def test_conditional_matrix_matches_the_package() -> None:
    g = Game.from_values(["a", "b", "c"], [0, 1, 2, 4, 1, 3, 3, 7], exact=True)
    assert (conditional_matrix(g) == conditional_shapley(g)).all()


def test_kkt_certificate_on_the_docstring_lp() -> None:
    # flows.py example: M = [[0, 1], [3, 0]], b = 0: λ* = (1, 1/3); budget row of party 2 binds
    M = np.array([[Fraction(0), Fraction(1)], [Fraction(3), Fraction(0)]], dtype=object)
    b = [Fraction(0), Fraction(0)]
    pm, A = lp_rows(M)
    assert pm == [1, 3]
    lam = [Fraction(1), Fraction(1, 3)]
    # reduced costs r = p − Aᵀy must be ≥ 0 at λ = 1 and 0 where 0 < λ < 1: y = (0, 1) works
    assert kkt_holds(M, b, lam, [Fraction(0), Fraction(1)])
    assert not kkt_holds(M, b, [Fraction(1), Fraction(1, 4)], [Fraction(0), Fraction(1)])   # not tight
    assert not kkt_holds(M, b, [Fraction(1), Fraction(1, 2)], [Fraction(0), Fraction(1)])   # infeasible


def test_interpolated_quality_hits_the_grid_values() -> None:
    cex = {"Q": {"1": Fraction(1, 4), "2": Fraction(1, 2), "3": Fraction(3, 4), "4": Fraction(1)},
           "alpha": [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]]}
    m = parse_model(counterexample_mechanism_model(cex, 2, "t"))
    from mechsolve.mechanism.instance import build_instance

    inst = build_instance(m, exact=True)
    assert [inst.quality(np.array([Fraction(s)], dtype=object))[0] for s in range(5)] == \
        [0, Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), 1]


def test_bad_requests() -> None:
    with pytest.raises(InvalidModel, match="n <= 3"):
        nguyen_budget_efficiency(4)
    with pytest.raises(InvalidModel, match="conclusion"):
        nguyen_budget_efficiency(2, "budget-efficiency-9")
    with pytest.raises(InvalidModel, match="parts"):
        chen_corollary1(2, ("truthful",))
    with pytest.raises(InvalidModel, match="K"):
        chen_corollary1(9)


def test_ir_alone_needs_no_premise_on_alpha() -> None:
    # MEP charges exactly the gain over non-participation: IR holds with equality whatever α is
    r = chen_corollary1(2, ("ir",))
    assert r.status == "proved" and {p.status for p in r.premise_checks} == {"proved"}


def test_conclusion_in_parts_decides_as_its_conjunction() -> None:
    """DirectEncoding asks one query per part of the conclusion: unsat for every part is unsat for the
    conjunction, and a sat part gives a model of premises ∧ ¬conclusion."""
    import z3

    from mechsolve.verify.symbolic.z3chen import DirectEncoding

    def build(split: bool):
        def make(env):
            x, y = env["x"], env["y"]
            premises = {"x > 0": [x > 0], "y > 0": [y > 0], "x < 1": [x < 1]}
            parts = [x + y > 0, x * y > 0, x * x < 1]
            return premises, (parts if split else z3.And(*parts))
        return DirectEncoding(["x", "y"], make)

    for drop in (None, "x > 0", "y > 0", "x < 1"):
        whole, parts = build(False).solve(drop), build(True).solve(drop)
        assert whole[0] == parts[0], drop
        if parts[0] == "violated":
            m = parts[1]
            assert all(c for name, c in (("x > 0", m["x"] > 0), ("y > 0", m["y"] > 0), ("x < 1", m["x"] < 1))
                       if name != drop)
            assert not (m["x"] + m["y"] > 0 and m["x"] * m["y"] > 0 and m["x"] ** 2 < 1)
    assert build(True).solve(None)[0] == "proved" and build(True).solve("x < 1")[0] == "violated"
