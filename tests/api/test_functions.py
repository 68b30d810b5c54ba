"""The public functions (mechsolve/api/functions.py): solve, check, verify, design and the values.

Every verdict is recomputed here from the game (sums, singleton values, symmetric pairs and null
players found by brute force over coalitions), every value from its literal definition, and
every model result against what the command line prints for the same file.
"""

from __future__ import annotations

import json
import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mechsolve as ms
from mechsolve.cli import cli
from mechsolve.errors import InvalidModel, Unsupported

from strategies import MODELS, games

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cli_json(*args: str) -> dict:
    r = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    data = json.loads(r.stdout)
    data.pop("exit_code")
    return data


def literal_shapley(g: ms.Game) -> list[float]:
    n = g.n
    return [sum(math.factorial(bin(m).count("1")) * math.factorial(n - 1 - bin(m).count("1")) / math.factorial(n)
                * (g.values[m | 1 << i] - g.values[m]) for m in range(2**n) if not m >> i & 1) for i in range(n)]


def brute_symmetric(g: ms.Game, i: int, j: int) -> bool:
    return all(g.values[m | 1 << i] == g.values[m | 1 << j] for m in range(2**g.n) if not m >> i & 1 and not m >> j & 1)


def brute_null(g: ms.Game, i: int) -> bool:
    return all(g.values[m | 1 << i] == g.values[m] for m in range(2**g.n) if not m >> i & 1)


# --------------------------------------------------------------------------- the five lines of the issue
def test_five_lines_array_to_shapley_banzhaf_own_payments_and_a_frame():
    """Issue 15's "done": a game from a numpy array, Shapley and Banzhaf, one's own payments checked for
    efficiency, symmetry, null player and IR, and a DataFrame of the verdicts — each verdict recomputed."""
    values = np.array([0, 4, 4, 10, 0, 4, 4, 10.0])            # players a, b symmetric; c null
    g = ms.Game.from_array(values, players=["a", "b", "c"])
    phi, beta = ms.shapley(g), ms.banzhaf(g)
    report = ms.check(g, payments={"a": 5, "b": 4, "c": 1})
    frame = report.to_frame()

    assert phi.to_dict() == pytest.approx(dict(zip("abc", literal_shapley(g)))) == {"a": 5, "b": 5, "c": 0}
    assert beta.to_dict() == {"a": 5.0, "b": 5.0, "c": 0.0}      # a: (4 + 6 + 4 + 6)/4; c adds nothing
    assert list(frame.index) == ["efficiency", "symmetry", "null-player", "individual-rationality"]
    assert brute_symmetric(g, 0, 1) and brute_null(g, 2)
    assert frame.loc["efficiency", "status"] == "holds"                     # 5 + 4 + 1 = v(N) = 10
    assert frame.loc["symmetry", "status"] == "violated"                    # a, b symmetric, 5 ≠ 4
    assert frame.loc["symmetry", "margin"] == 1 and frame.loc["symmetry", "witness"]["i"] == "a"
    assert frame.loc["null-player", "status"] == "violated"                 # c is null and gets 1
    assert frame.loc["null-player", "witness"]["player"] == "c"
    assert frame.loc["individual-rationality", "status"] == "holds"         # 5 ≥ 4, 4 ≥ 4, 1 ≥ 0


@FAST
@given(games(min_n=1, max_n=5), st.data())
def test_own_payments_verdicts_match_a_recomputation(g, data):
    pay = [data.draw(st.floats(-5, 5, allow_nan=False, width=32)) for _ in range(g.n)]
    if data.draw(st.booleans()):                       # often efficient, so both verdicts occur
        pay[-1] = g.grand_value - sum(pay[:-1])
    rep = ms.check(g, payments=pay, tolerance=1e-9)
    q = lambda x: Fraction(repr(float(x)))             # noqa: E731  (what an exact confirmation reads)
    eff, ir = rep["efficiency"], rep["individual-rationality"]
    gap = abs(sum(map(q, pay)) - q(g.grand_value)) if eff.confirmation == "exact" else abs(sum(pay) - g.grand_value)
    assert (str(eff.status) == "holds") == (gap <= 1e-9)
    ir_gap = max(max(float(g.values[1 << i]) - pay[i], 0.0) for i in range(g.n))
    assert ir.confirmation is None or ir.confirmation == "exact"
    if ir.confirmation is None:
        assert (str(ir.status) == "holds") == (ir_gap <= 1e-9)
    if str(ir.status) == "violated":
        assert ir.margin == pytest.approx(ir_gap, abs=1e-12)


def test_payments_as_sequence_mapping_or_fractions_agree():
    g = ms.Game.from_array([0, 1, 1, 3], players=["a", "b"])
    by_map = ms.check(g, payments={"b": 1.5, "a": 1.5})
    by_seq = ms.check(g, payments=np.array([1.5, 1.5]))
    assert [str(v.status) for v in by_map] == [str(v.status) for v in by_seq] == ["holds", "holds", "not-applicable",
                                                                                    "holds"]
    exact = ms.check(g, payments=["3/2", "3/2"], exact=True)
    assert exact.exact and exact.tolerance == 0
    assert exact["efficiency"].margin == 0 and isinstance(exact["efficiency"].margin, Fraction)
    off = ms.check(g, payments=["1/3", "8/3"], exact=True)
    assert off["efficiency"].status == "holds" and off["symmetry"].margin == Fraction(7, 3)


def test_a_borderline_float_verdict_is_decided_exactly():
    """0.5 + 0.500000001 − 1 is 1.00000008e-9 in float (above the tolerance 1e-9) but exactly 1e-9 as written."""
    g = ms.Game.from_array([0, 0.5, 0.5, 1.0], players=["a", "b"])
    v = ms.check(g, payments=[0.5, 0.500000001], axioms=["efficiency"], tolerance=1e-9)["efficiency"]
    assert sum([0.5, 0.500000001]) - 1.0 > 1e-9
    assert str(v.status) == "holds" and v.confirmation == "exact"


@pytest.mark.parametrize("payments, match", [
    ({"a": 1}, "no value for player 'b'"),
    ({"a": 1, "b": 1, "z": 1}, "unknown player 'z'"),
    ([1, 2, 3], "3 payments for 2 players"),
    ([1, float("nan")], "finite"),
    ([1, "x"], "fraction"),
    ("1.5, 1.5", "got the string"),
])
def test_bad_payments_are_one_invalid_model(payments, match):
    with pytest.raises(InvalidModel, match=match):
        ms.check(ms.Game.from_array([0, 1, 1, 3], players=["a", "b"]), payments=payments)


def test_payments_refuse_axioms_that_need_a_scheme():
    g = ms.Game.from_array([0, 1, 1, 3], players=["a", "b"])
    with pytest.raises(InvalidModel, match="'additivity' needs rule"):
        ms.check(g, payments=[1.5, 1.5], axioms=["additivity"])
    with pytest.raises(InvalidModel, match="not both"):
        ms.check(g, payments=[1.5, 1.5], scheme="shapley")
    assert str(ms.check(g, payments=[1.5, 1.5], axioms=["core"])["core"].status) == "holds"


# --------------------------------------------------------------------------- models: the same numbers as the CLI
@pytest.mark.parametrize("name", ["glove-game", "mnist-5-parties", "nguyen-mnist-budget-0.3", "airport-game"])
def test_solve_a_model_is_the_cli_json(name):
    path = MODELS / f"{name}.yaml"
    sol = ms.solve(ms.load(path), check=True)
    assert json.loads(sol.to_json()) == cli_json("solve", str(path))


def _without_exit_code(text: str) -> str:
    """The CLI's JSON text less its last key, ``"exit_code"`` (exit codes belong to the command line)."""
    lines = text.rstrip("\n").splitlines()
    assert lines[-2].lstrip().startswith('"exit_code"') and lines[-1] == "}", lines[-3:]
    return "\n".join([*lines[:-3], lines[-3].rstrip(","), "}"]) + "\n"


BANZHAF_MODEL = """kind: cooperative-market
players: [a, b, c]
value: {values: [0, 1, 1, 3, 0, 1, 1, 3.5]}
scheme: banzhaf
check: [efficiency, symmetry, null-player]
"""


@pytest.mark.parametrize("name", ["glove-game", "mnist-5-parties", "talmud-bankruptcy", "pooled-data-60-parties", "banzhaf"])
def test_to_json_is_the_cli_json_byte_for_byte(name, tmp_path):
    """`ms.solve(ms.load(path)).to_json()` with no options is what `mechsolve solve path --format json` prints."""
    if name == "banzhaf":
        path = tmp_path / "banzhaf.yaml"
        path.write_text(BANZHAF_MODEL, encoding="utf-8")
    else:
        path = MODELS / f"{name}.yaml"
    code = name == "pooled-data-60-parties"     # its values come from Python code: consent on both sides
    r = CliRunner().invoke(cli, ["solve", str(path), "--format", "json"] + (["--allow-code"] if code else []))
    assert r.exit_code in (0, 1), r.output
    sol = ms.solve(ms.load(path, allow_code=code))
    assert sol.checks is not None and sol.to_json() == _without_exit_code(r.stdout)
    assert json.loads(r.stdout)["exit_code"] == (1 if str(sol.status) == "violated" else 0)
    if name == "banzhaf":                       # not efficient: 3 + 1/8·(…) ≠ v(N); the verdict says so
        assert str(sol.checks["efficiency"].status) == "violated" and str(sol.checks["symmetry"].status) == "holds"
    assert ms.solve(ms.Game.from_array([0, 1, 2, 4])).checks is None    # a bare game: values only, as asked


def test_check_a_model_is_the_cli_check():
    path = MODELS / "mnist-5-parties.yaml"
    rep = ms.check(ms.load(path), axioms=["individual-rationality", "efficiency"])
    want = cli_json("check", str(path), "-a", "individual-rationality", "-a", "efficiency")["checks"]
    assert json.loads(rep.to_json()) == want
    assert str(rep.status) == "violated" and rep["individual-rationality"].witness["player"]


def test_solve_a_model_under_another_scheme_with_parameters():
    m = ms.load(MODELS / "mnist-5-parties.yaml")
    g = m.game()
    sol = ms.solve(m, "beta-shapley", alpha=4, beta=2)
    from mechsolve.games.semivalues import beta_shapley

    assert np.array_equal(np.asarray(sol), beta_shapley(g, 4.0, 2.0))
    assert sol.data["scheme"] == {"name": "beta-shapley", "alpha": 4, "beta": 2}
    with pytest.raises(InvalidModel, match="no parameter 'gamma'"):
        ms.solve(m, "beta-shapley", gamma=1)


def test_load_resolves_value_files_from_any_working_directory(tmp_path):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        sol = ms.solve(ms.load(MODELS / "mnist-5-parties.yaml"))
    finally:
        os.chdir(old)
    assert sol.players[0] == "digits [0]" and abs(sum(sol.values()) - sol.game.grand_value) < 1e-12


def test_a_mechanism_model_solves_to_profiles():
    path = MODELS / "chen-linear-example1.yaml"
    sol = ms.solve(ms.load(path), check=True)
    assert isinstance(sol, ms.MechanismSolution)
    got, want = json.loads(sol.to_json()), cli_json("solve", str(path))
    got.pop("timings_s"), want.pop("timings_s")           # wall times differ between two runs
    assert got == want
    frame = sol.to_frame()
    assert len(frame) == sol.analysis.instance.size
    p = sol.payments.reshape(len(sol.agents), -1)
    assert np.allclose(frame[[f"payment {a}" for a in sol.agents]].to_numpy().T, p)
    assert np.allclose(frame["revenue"], p.sum(axis=0))


# --------------------------------------------------------------------------- schemes as Python functions
def test_a_python_function_is_a_scheme_everywhere():
    def equal_split(game):
        return [game.grand_value / game.n] * game.n

    g = ms.Game.from_array([0, 1, 0, 1, 0, 1, 0, 1], players=["a", "idle", "b"][::1])
    sol = ms.solve(g, equal_split, check=True)
    assert sol.to_dict() == {"a": 1 / 3, "idle": 1 / 3, "b": 1 / 3}
    assert brute_null(g, 1) and sol.checks["null-player"].status == "violated"
    r = ms.verify(equal_split, "null-player", players=(2, 3), budget=100, seed=0)
    assert str(r.status) == "violated"
    cx = r.counterexample
    null = [k for k in range(cx.game.n) if brute_null(cx.game.to_float(), k)]
    assert null and cx.verdict.witness["player"] in [cx.game.names[k] for k in null]


def test_a_callable_that_is_not_a_scheme_is_named():
    with pytest.raises(InvalidModel, match="scheme"):
        ms.solve(ms.Game.from_array([0, 1]), 42)


# --------------------------------------------------------------------------- verify and design
def test_verify_finds_a_counterexample_that_check_reproduces():
    r = ms.verify("shapley", "individual-rationality", players="2..3", budget=200, seed=1)
    assert str(r.status) == "violated"
    rep = ms.check(ms.Model.from_dict(r.model()))
    assert str(rep["individual-rationality"].status) == "violated"
    none = ms.verify("banzhaf", "symmetry", players=(2, 3), budget=30)
    assert str(none.status) == "no-counterexample-found" and "not a proof" in none.message


def test_own_payments_on_a_mechanism_model_say_what_to_do_instead():
    with pytest.raises(InvalidModel, match="mechanism-design model has no game: check its payment rule") as exc:
        ms.check(ms.load(MODELS / "chen-linear-example1.yaml"), payments=[0, 0, 0])
    assert exc.value.field == "payments"


def test_verify_a_mechanism():
    r = ms.verify(mechanism="mep", axiom="chen-corollary-1", agents=(2,), grid=(1, 2), budget=30,
                  alpha_premises=("offdiag-nonneg",), without_premise=True)
    assert str(r.status) == "violated"


def test_design_on_a_game_gives_a_rule_that_check_confirms():
    g = ms.Game.from_array([0, 1, 1, 3, 1, 3, 3, 6], players=["a", "b", "c"], exact=True)
    r = ms.design(g)
    assert str(r.status) == "solved"
    x = r.rule["vector"]
    rep = ms.check(g, payments=x, axioms=["efficiency", "individual-rationality", "core"], exact=True)
    assert str(rep.status) == "holds"
    assert sum(Fraction(v) for v in x.values()) == 6
    pay = r.payments                                    # labelled, exact numbers (the rule writes "p/q" strings)
    assert pay == {p: Fraction(v) for p, v in x.items()} and all(isinstance(v, Fraction) for v in pay.values())
    assert sum(pay.values()) == g.grand_value and all(pay[p] >= g.value(p) for p in g.names)   # recomputed
    frame = r.to_frame()
    assert list(frame.index) == ["a", "b", "c"] and frame["payment"].to_dict() == pay


def test_design_proves_the_empty_core_of_majority():
    r = ms.design(ms.Game.from_array([0, 0, 0, 1, 0, 1, 1, 1], players=["a", "b", "c"], exact=True))
    assert str(r.status) == "infeasible" and r.solution.certificate.verified
    assert r.payments is None
    with pytest.raises(Unsupported, match="infeasible"):
        r.to_frame()


# --------------------------------------------------------------------------- the values
@FAST
@given(games(min_n=1, max_n=6))
def test_value_functions_are_their_definitions(g):
    assert np.allclose(ms.shapley(g), literal_shapley(g), atol=1e-9)
    from mechsolve.games.semivalues import banzhaf, beta_shapley, semivalue

    assert np.array_equal(np.asarray(ms.banzhaf(g)), banzhaf(g))
    assert np.array_equal(np.asarray(ms.beta_shapley(g, 3, 2)), beta_shapley(g, 3.0, 2.0))
    w = [1.0 / (k + 1) for k in range(g.n)]
    assert np.array_equal(np.asarray(ms.semivalue(g, w)), semivalue(g, w))


def test_values_accept_arrays_tables_models_and_exact():
    assert ms.shapley([0, 1, 2, 4]).to_dict() == {"0": 1.5, "1": 2.5}
    assert ms.shapley({"": 0, "x": 1, "y": 2, "x,y": 4})["y"] == 2.5
    glove = ms.load(MODELS / "glove-game.yaml")
    assert ms.shapley(glove, exact=True).to_dict() == {"L": Fraction(2, 3), "R1": Fraction(1, 6), "R2": Fraction(1, 6)}
    mc = ms.shapley(ms.Game.from_array([0, 1, 2, 4]), method="monte-carlo", permutations=64, seed=0)
    assert mc.std_error is not None and np.allclose(mc, [1.5, 2.5])


def test_large_games_refuse_tables_they_cannot_hold():
    with pytest.raises(InvalidModel, match="expected a game"):
        ms.shapley(object())
    with pytest.raises(Unsupported):
        ms.solve(ms.Game.from_array(np.zeros(2**18)), exact=True)


def test_numpy_payments_are_read_as_numbers():
    """Values from numpy (np.float64, np.int64) — what a rule computed with numpy returns — are numbers."""
    g = ms.Game.from_array([0, 1, 1, 3], players=["a", "b"])
    a = ms.check(g, payments={"a": np.float64(1.5), "b": np.int64(1)})
    b = ms.check(g, payments=np.array([1.5, 1.0]))
    assert a["efficiency"].got == b["efficiency"].got == 2.5


def test_python_code_in_a_model_runs_only_with_consent(tmp_path):
    """As the CLI without --allow-code: a model naming a callable is refused (field named) until allow_code=True."""
    (tmp_path / "v.py").write_text("def v(s):\n    return float(len(s))\n")
    (tmp_path / "m.yaml").write_text("kind: cooperative-market\nplayers: [a, b]\nvalue: {callable: 'v.py:v'}\n")
    with pytest.raises(InvalidModel, match="allow-code|allow_code") as exc:
        ms.solve(ms.load(tmp_path / "m.yaml"))
    assert exc.value.field == "value.callable"
    sol = ms.solve(ms.load(tmp_path / "m.yaml", allow_code=True))
    assert sol["a"] == sol["b"] == 1.0
