"""`mechsolve verify --mechanism`: counterexample search over Chen et al. (2020) mechanism-design instances.

Expected results (Chen, Li, Sun, Wang & Zhou 2020):
* Theorem 1 — under quasi-monotone valuations (linear with α_ii ≥ 0) MEP is IC and IR: no counterexample;
* Sec. 6.2 / Fig. 3 — at market growth α = −0.9 a desirable mechanism stops existing beyond D/ε = 1, so the
  maximal IC+IR payments (Algorithm 1) are not weakly budget balanced: a counterexample;
* Corollary 1 without its premise α_ii ≥ 0 — MEP is not IC: a counterexample (z3 found it too,
  proofs/chen_corollary1.py).
Each counterexample is recomputed here through code the search does not use (literal Bellman–Ford,
hand-built utilities), and reproduced by `mechsolve check` from the written model file.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.cli import cli
from mechsolve.errors import InvalidModel
from mechsolve.mechanism.instance import build_instance
from mechsolve.mechanism.max_payment import max_payments_literal
from mechsolve.mechanism.mep import mep
from mechsolve.verify.search.mechanisms import ALPHA_PREMISES, MechanismSpace, parse_alpha_range, search_mechanism
from mechsolve.model.schema import parse_model


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["verify", *args])
    return res.exit_code, res.output


def test_theorem_1_mep_is_ic_and_ir_under_quasi_monotone_valuations() -> None:
    # Theorem 1: alpha_ii >= 0 makes linear valuations quasi-monotone (Def. 8), so MEP is IC; IR by Def. 9
    for axiom in ("mechanism-ic", "mechanism-ir", "chen-theorem-1"):
        r = search_mechanism("mep", axiom, agents=(2, 3), grid=(1, 2, 3), alpha_premises=("diag-nonneg",),
                             budget=60, seed=3)
        assert r.status == "no-counterexample-found", r.summary()
        assert r.stats["instances"] == 60 and r.stats["applicable"] > 40
        assert "not a proof" in r.summary()


def test_theorem_checks_count_failed_premises_as_not_applicable() -> None:
    r = search_mechanism("mep", "chen-theorem-1", budget=60, seed=1)
    s = r.stats
    assert r.status == "no-counterexample-found"
    assert s["applicable"] + sum(s["not_applicable"].values()) == s["instances"] == 60
    assert list(s["not_applicable"]) == ["premise fails: valuations are not quasi-monotone (Def. 8)"]
    assert f"{s['applicable']} applicable" in r.searched_line()


def test_max_payment_weak_budget_balance_fails_beyond_the_disparity_boundary() -> None:
    # Sec. 6.2: at alpha = -0.9 Algorithm 1's payments sum below zero once D/eps >= 2
    r = search_mechanism("max-payment", "weak-budget-balance", valuations=("market-growth",),
                         alpha_range=(-0.9, -0.9), agents=(2, 3), grid=(1, 2, 3, 4), budget=20)
    assert r.status == "violated"
    cx = r.counterexample
    assert (cx.instance.n, cx.instance.top, cx.instance.alpha) == (2, 2, -0.9)    # shrunk to the boundary
    assert "float64 only" in cx.confirmation                                        # (Σq)^-0.9 is irrational
    # recompute with the literal Bellman–Ford implementation of Algorithm 1
    inst = build_instance(parse_model(r.model()))
    rev = max_payments_literal(inst).sum(axis=0)
    assert rev.min() < -0.05
    prof = cx.verdict.counterexample["witness"]["profile"]
    idx = tuple(int(prof[a]) for a in ("a", "b"))                                   # types 0..2 are indices
    assert rev[idx] == pytest.approx(float(cx.verdict.counterexample["got"]))


def test_market_growth_counterexample_shrinks_to_an_integer_alpha_and_confirms_exactly() -> None:
    r = search_mechanism("max-payment", "weak-budget-balance", valuations=("market-growth",),
                         alpha_range=(-1.0, -0.6), agents=(2,), grid=(2, 3), budget=40)
    cx = r.counterexample
    assert r.status == "violated" and cx.instance.alpha == -1 and cx.exact
    inst = build_instance(parse_model(r.model()), exact=True)
    rev = max_payments_literal(inst).sum(axis=0)
    assert min(rev.reshape(-1)) < 0 and isinstance(rev.reshape(-1)[0], Fraction)


def test_corollary_1_without_alpha_ii_nonneg_is_refuted_and_the_premise_named() -> None:
    r = search_mechanism("mep", "chen-corollary-1", agents=(2, 3), grid=(1, 2), alpha_premises=("offdiag-nonneg",),
                         without_premise=True, budget=60)
    assert r.status == "violated" and r.counterexample.exact
    cx = r.counterexample
    m = np.array(cx.instance.matrix)
    off = m[~np.eye(len(m), dtype=bool)]
    assert (off >= 0).all() and (np.diag(m) < 0).any()        # only the alpha_ii >= 0 half of the premise fails
    assert cx.failed_premise.startswith("premise fails: α_") and "< 0" in cx.failed_premise
    k = [i for i in range(len(m)) if m[i, i] < 0][0]
    assert f"α_{k + 1}{k + 1}" in cx.failed_premise
    # recompute the IC violation by hand: u_i(true) < u_i(misreport) with MEP payments (Def. 3, Def. 9)
    w = cx.verdict.counterexample["witness"]
    inst = build_instance(parse_model(r.model()), exact=True)
    p = mep(inst)
    i = "ab".index(w["agent"])
    true = tuple(int(w["true profile"][a] - (0 if cx.instance.include_zero else 1)) for a in "ab")
    mis = list(true)
    mis[i] = int(w["misreport"] - (0 if cx.instance.include_zero else 1))
    u_true = inst.V[(i,) + true] - p[(i,) + true]
    u_mis = inst.misreport_values(i, true[i])[(mis[i],) + tuple(t for j, t in enumerate(true) if j != i)] \
        - p[(i,) + tuple(mis)]
    assert u_mis > u_true


def test_corollary_1_with_its_premise_has_no_counterexample() -> None:
    r = search_mechanism("mep", "chen-corollary-1", agents=(2, 3), grid=(1, 2), alpha_premises=("nonneg",),
                         budget=40, seed=2)
    assert r.status == "no-counterexample-found" and r.stats["applicable"] == 40


def test_search_is_deterministic_for_a_seed() -> None:
    kw = dict(agents=(2, 3), grid=(1, 2), alpha_premises=("offdiag-nonneg",), without_premise=True, budget=60,
              seed=5)
    a, b = (search_mechanism("mep", "corollary-1", **kw) for _ in range(2))
    assert a.to_dict()["counterexample"]["instance"] == b.to_dict()["counterexample"]["instance"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), i=st.integers(0, 50), premise=st.sampled_from(ALPHA_PREMISES),
       lo=st.sampled_from([-1.0, -0.5, 0.0]))
def test_draws_and_reductions_stay_in_the_family(seed: int, i: int, premise: str, lo: float) -> None:
    space = MechanismSpace(alpha_premises=(premise,), alpha_range=(lo, 1.0), valuations=("linear", "market-growth"))
    spec = space.draw(np.random.default_rng(seed), i)
    assert space.member(spec) and spec.premise in (premise, "any")
    parse_model(spec.model("mep", ["mechanism-ic"]))             # every draw is a valid model file
    for cand in space.reductions(spec):
        assert cand.n >= 2 and cand.top >= 1
        if cand.valuation == "linear":
            assert np.array(cand.matrix).shape == (cand.n, cand.n)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidModel) as e:
        search_mechanism("mep", "mechanism-ic", without_premise=True, budget=5)
    assert e.value.field == "without-premise"
    with pytest.raises(InvalidModel):
        search_mechanism("mep", "mechanism-ic", agents=(1,), budget=5)
    assert parse_alpha_range("-1:-0.5") == (-1.0, -0.5) and parse_alpha_range("-0.9") == (-0.9, -0.9)
    with pytest.raises(InvalidModel):
        parse_alpha_range("a:b")


def test_cli_writes_a_model_that_check_reproduces(tmp_path) -> None:
    cx = tmp_path / "cx.yaml"
    code, out = run("--mechanism", "mep", "--axiom", "corollary-1", "--alpha-premise", "offdiag-nonneg",
                    "--without-premise", "--agents", "2", "--grid", "1..2", "--budget", "40",
                    "--write-counterexample", str(cx))
    assert code == 1 and "violated" in out and "premise fails" in out
    assert "exits 1 in float and in --exact mode" in out
    res = CliRunner().invoke(cli, ["check", str(cx)])
    assert res.exit_code == 1 and "mechanism-ic" in res.output


def test_cli_no_counterexample_and_json() -> None:
    import json

    code, out = run("--mechanism", "mep", "-a", "ic", "-a", "ir", "--alpha-premise", "diag-nonneg",
                    "--budget", "30", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [r["status"] for r in data["results"]] == ["no-counterexample-found"] * 2
    assert data["results"][0]["searched"]["applicable"] > 0 and "proved" not in out


def test_cli_rejects_mixed_options() -> None:
    assert run("--mechanism", "mep", "--scheme", "shapley", "--budget", "5")[0] == 2
    assert run("--mechanism", "mep", "-a", "ic", "--without-premise", "--budget", "5")[0] == 2
    assert run("--mechanism", "mep", "--valuation", "cubic", "--budget", "5")[0] == 2
