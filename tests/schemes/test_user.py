"""User-proposed schemes: safe formulas and callables run through the same axioms as the built-ins."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from mechsolve.verify.analysis import analyse
from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.model.io import code_policy, load, read_code
from mechsolve.schemes import SCHEMES, get_scheme
from mechsolve.games.shapley import shapley
from mechsolve.schemes.user import formula_payments, user_scheme_params
from mechsolve.cli.exit_codes import exit_code
from strategies import MODELS, allow_code  # noqa: F401  (fixture)

GLOVE = Game.from_values(["L", "R1", "R2"], [0, 0, 0, 1, 0, 1, 0, 1])


def test_registered_like_builtins() -> None:
    assert SCHEMES["formula"] is get_scheme("formula") and "callable" in SCHEMES


def test_formula_is_exact_on_exact_games() -> None:
    g = GLOVE.to_exact()
    pay = formula_payments(g, "(phi_i + vN/n)/2")
    phi = shapley(g)
    assert list(pay) == [(phi[i] + Fraction(1, 3)) / 2 for i in range(3)]
    assert sum(pay) == g.grand_value          # efficiency, recomputed


def test_formula_float_matches_exact() -> None:
    f = formula_payments(GLOVE, "phi_i**2 + v_i - n/3")
    e = formula_payments(GLOVE.to_exact(), "phi_i**2 + v_i - n/3")
    assert np.allclose(f, [float(x) for x in e])


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "phi_i.__class__", "[phi_i]",
                                  "lambda: 1", "open('x')", "phi_i ^ 2"])
def test_formula_never_evaluates_code(text: str) -> None:
    with pytest.raises(InvalidModel) as exc:
        get_scheme("formula").compute(GLOVE, {"formula": text})
    assert exc.value.field == "scheme.formula"


def test_formula_errors_name_the_field() -> None:
    zero = Game.from_values(["a", "b"], [0, 0, 0, 0])
    with pytest.raises(InvalidModel, match="division by zero") as exc:
        get_scheme("formula").compute(zero, {"formula": "phi_i / vN"})
    assert exc.value.field == "scheme.formula"
    with pytest.raises(InvalidModel, match="budgets"):
        get_scheme("formula").compute(GLOVE, {"formula": "phi_i + b_i"})
    with pytest.raises(InvalidModel, match="formula"):
        get_scheme("formula").compute(GLOVE, {})
    out = get_scheme("formula").compute(GLOVE, {"formula": "min(phi_i, b_i)", "budgets": {"L": 0.5}})
    assert np.allclose(out.allocation, [0.5, 0, 0])


def test_callable_scheme(tmp_path, allow_code) -> None:
    (tmp_path / "rule.py").write_text(
        "from mechsolve.games.shapley import shapley\n"
        "def half(game):\n    return [x / 2 for x in shapley(game)]\n"
        "def named(game):\n    return {p: 1 for p in game.names}\n"
        "def broken(game):\n    raise RuntimeError('boom')\n"
        "def short(game):\n    return [1]\n", encoding="utf-8")
    def code(fn: str) -> Any:
        return read_code(tmp_path, f"rule.py:{fn}", "scheme.callable")

    sch, params = user_scheme_params(code=code("half"))
    ex = sch.compute(GLOVE.to_exact(), params).allocation
    assert list(ex) == [Fraction(1, 3), Fraction(1, 12), Fraction(1, 12)]     # exact stays exact
    assert list(sch.compute(GLOVE, {"callable": code("named")}).allocation) == [1.0, 1.0, 1.0]
    for fn, msg in (("broken", "raised RuntimeError: boom"), ("short", "1 payments for 3 players")):
        with pytest.raises(InvalidModel, match=msg):
            sch.compute(GLOVE, {"callable": code(fn)})
    with pytest.raises(InvalidModel, match="no function"):
        user_scheme_params(code=code("missing"))
    # a path string is not read after load: the rule names the field and says where files are read
    with pytest.raises(InvalidModel, match="read when the model is loaded") as exc:
        sch.compute(GLOVE, {"callable": f"{tmp_path}/rule.py:named"})
    assert exc.value.field == "scheme.callable"


def test_worked_examples_in_models() -> None:
    # passes: (φ_i + v(N)/n)/2 is efficient, symmetric and additive
    ok = analyse(load(MODELS / "user-scheme-egalitarian-shapley.yaml"), exact=True)
    st = {v.axiom: v.status for v in ok.checks.verdicts}
    assert exit_code(ok) == 0 and st["efficiency"] == st["additivity"] == "holds" and "violated" not in st.values()
    assert sum(ok.outcome.allocation) == ok.game.grand_value
    # fails: equal split pays the null player `idle`
    bad = analyse(load(MODELS / "user-scheme-equal-split.yaml"), exact=True)
    assert exit_code(bad) == 1
    v = {x.axiom: x for x in bad.checks.verdicts}
    assert v["null-player"].status == "violated"
    assert v["null-player"].counterexample["witness"]["player"] == "idle"
    assert v["efficiency"].status == "holds"


def test_callable_in_a_model_file_is_relative_to_the_model_folder(tmp_path, monkeypatch, allow_code) -> None:
    folder = tmp_path / "market"
    folder.mkdir()
    (folder / "rule.py").write_text("def pay(game):\n    n = game.n\n    return [game.grand_value / n] * n\n",
                                    encoding="utf-8")
    (folder / "m.yaml").write_text(
        "kind: cooperative-market\nplayers: [a, b, idle]\n"
        "value: {table: {'': 0, a: 1, b: 1, idle: 0, 'a,b': 3, 'a,idle': 1, 'b,idle': 1, 'a,b,idle': 3}}\n"
        "scheme: {name: callable, callable: rule.py:pay}\ncheck: [efficiency, null-player]\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)                       # the working directory has no rule.py
    from click.testing import CliRunner

    from mechsolve.cli import cli

    with code_policy(allow=False):
        res = CliRunner().invoke(cli, ["check", str(folder / "m.yaml"), "--format", "json"])
    assert res.exit_code == 2 and "needs --allow-code" in res.stderr    # user code: only with consent
    res = CliRunner().invoke(cli, ["check", str(folder / "m.yaml"), "--format", "json", "--allow-code"])
    assert res.exit_code == 1, res.output              # equal split pays the null player `idle`
    import json

    verdicts = {v["axiom"]: v["status"] for v in json.loads(res.output)["checks"]["verdicts"]}
    assert verdicts == {"efficiency": "holds", "null-player": "violated"}
    # the same relative name, analysed from the API with the model's folder
    a = analyse(load(folder / "m.yaml"), exact=True)
    assert list(a.outcome.allocation) == [1, 1, 1]
