"""Markets too large to tabulate: Monte Carlo through the user's callable, never a 2^n table."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
from click.testing import CliRunner

from mechsolve.verify.analysis import analyse
from mechsolve.cli import cli
from mechsolve.model.io import load
from mechsolve.verify.sampled import sample_shapley
from mechsolve.cli.exit_codes import exit_code

from strategies import MODELS, allow_code  # noqa: F401  (fixture)

MODEL = MODELS / "pooled-data-60-parties.yaml"


def _sizes():
    spec = importlib.util.spec_from_file_location("pooled", MODELS / "pooled-data-60-parties.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.SIZES, mod.TOTAL


def test_bundled_60_party_market_lands_within_its_reported_error(allow_code):
    """v(S) = (Σ_S w / W)²  ⇒  φ_i = w_i / W exactly (the .py file's docstring)."""
    sizes, total = _sizes()
    a = analyse(load(MODEL), source_path=str(MODEL))
    exact = np.array([sizes[p] / total for p in a.model.players])
    est = a.estimate
    # 60 players, Bonferroni-sized margin; antithetic pairs are exact on this quadratic game
    # (π and its reverse give i marginals summing to 2·w_i·W/W²), so SE ≈ 0 up to rounding
    assert np.all(np.abs(est.values - exact) <= 5.0 * est.std_error + 1e-12)
    assert abs(est.values.sum() - 1.0) < 1e-12  # efficiency: every permutation sums to v(N) − v(∅)
    assert a.calls < 2**20 and exit_code(a) == 0
    assert [v.status for v in a.checks.verdicts] == ["holds", "not-applicable"]


def test_calls_are_counted_and_far_below_the_table():
    seen = []

    def v(s: frozenset) -> float:
        seen.append(s)
        return float(len(s))

    names = [f"p{k}" for k in range(200)]
    est, calls = sample_shapley(names, v, permutations=10, seed=0)
    assert calls == len(seen) and calls < 10 * 201 + 10
    assert np.allclose(est.values, 1.0)  # additive game: φ_i = 1 for every sampled permutation


def test_cli_json_and_bad_inputs(tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["solve", str(MODEL), "-f", "json"])
    assert r.exit_code == 2 and "--allow-code" in r.stderr, "the model names a .py file: consent first"
    r = runner.invoke(cli, ["solve", str(MODEL), "-f", "json", "--allow-code"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert len(d["values"]["shapley"]) == 60 and "std_error" in d["values"]
    bad = tmp_path / "bad.py"
    bad.write_text("def value(s):\n    return 'x' if len(s) == 3 else 1.0\n")
    m = tmp_path / "m.yaml"
    m.write_text("kind: cooperative-market\nplayers: [a, b, c, d]\nnormalised: false\n"
                 "value: {callable: bad.py:value}\nscheme: {name: shapley, method: monte-carlo}\n")
    for args in (["solve", str(m)], ["inspect", str(MODEL)], ["solve", str(MODEL), "--exact"],
                 ["check", str(MODEL), "-a", "no-such-axiom"]):
        r = runner.invoke(cli, [*args, "--allow-code"])
        assert r.exit_code == 2, (args, r.output)
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr


@pytest.mark.parametrize("n", [3, 5])
def test_sampled_agrees_with_the_tabulated_monte_carlo_path(n):
    """Same seed, same permutations: the callable path equals Monte Carlo on the tabulated game."""
    from mechsolve.games.game import Game
    from mechsolve.games.shapley import monte_carlo_shapley

    rng = np.random.default_rng(n)
    vals = rng.random(2**n)
    vals[0] = 0
    names = [f"p{k}" for k in range(n)]
    g = Game.from_values(names, vals)
    est, _ = sample_shapley(names, lambda s: g.value(list(s)), permutations=50, seed=3)
    ref = monte_carlo_shapley(g, max_permutations=50, seed=3)
    assert np.allclose(est.values, ref.values, atol=1e-12)


def _shapley_shubik(weights: list[int], quota: int) -> np.ndarray:
    """Exact Shapley–Shubik index by counting: φ_i = Σ_s s!(n−s−1)!/n! · #{S ∌ i, |S| = s, q − w_i ≤ w(S) < q}."""
    from math import factorial

    n = len(weights)
    total = sum(weights)
    out = np.zeros(n)
    for i, wi in enumerate(weights):
        count = np.zeros((n, total + 1), dtype=object)  # count[s][w]: subsets of the others
        count[0][0] = 1
        for j, wj in enumerate(weights):
            if j == i:
                continue
            for s in range(n - 2, -1, -1):
                count[s + 1][wj:] = count[s + 1][wj:] + count[s][: total + 1 - wj]
        phi = 0
        for s in range(n):
            swing = sum(count[s][w] for w in range(max(0, quota - wi), min(quota, total + 1)))
            phi += factorial(s) * factorial(n - s - 1) * swing
        out[i] = phi / factorial(n)
    return out


def test_weighted_majority_with_40_voters_matches_shapley_shubik():
    """A game where antithetic pairs do not help (nearly self-dual): estimates land within 5 SE."""
    weights = [1 + (5 * k) % 9 for k in range(40)]
    quota = sum(weights) // 2 + 1
    names = [f"v{k}" for k in range(40)]
    w = dict(zip(names, weights))
    est, calls = sample_shapley(names, lambda s: float(sum(w[p] for p in s) >= quota), permutations=3000, seed=7)
    exact = _shapley_shubik(weights, quota)
    assert abs(exact.sum() - 1) < 1e-12
    assert np.all(np.abs(est.values - exact) <= 5.0 * est.std_error + 1e-12)
    assert calls < 3000 * 40 + 100


def test_bundled_60_party_market_with_the_stratified_estimator(tmp_path, allow_code):
    """`estimator: stratified` samples distinct coalitions (budget `value_calls`): exactly efficient, within SE."""
    import shutil

    sizes, total = _sizes()
    shutil.copy(MODELS / "pooled-data-60-parties.py", tmp_path)
    text = (MODELS / "pooled-data-60-parties.yaml").read_text(encoding="utf-8")
    text = text.replace("permutations: 400, seed: 1", "estimator: stratified, value_calls: 6000, seed: 1")
    assert "estimator: stratified" in text
    model = tmp_path / "m.yaml"
    model.write_text(text, encoding="utf-8")
    a = analyse(load(model), source_path=str(model))
    exact = np.array([sizes[p] / total for p in a.model.players])
    est = a.estimate
    assert est.method == "stratified" and est.value_calls <= 6000
    assert abs(est.values.sum() - 1.0) < 1e-12
    assert np.all(np.abs(est.values - exact) <= 5.0 * est.std_error + 1e-12)
    assert a.outcome.scalars["estimator"] == "stratified" and exit_code(a) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("estimator: stratified", "estimator: kernel"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["solve", str(bad)])
    assert r.exit_code == 2 and "scheme.estimator" in r.stderr


def test_tabulated_scheme_accepts_the_stratified_estimator():
    from mechsolve.games.game import Game
    from mechsolve.games.shapley import shapley
    from mechsolve.schemes.shapley_value import compute

    rng = np.random.default_rng(0)
    vals = rng.random(2**8)
    vals[0] = 0
    g = Game.from_values([f"p{k}" for k in range(8)], vals)
    out = compute(g, {"method": "monte-carlo", "estimator": "stratified", "value_calls": 2**8})
    assert out.scalars["estimator"] == "stratified" and out.scalars["value calls"] == 256
    assert np.allclose(out.allocation, shapley(g), atol=1e-9)            # every coalition fits: exact
