"""The one JSON encoder and the README's "JSON output" contract on every bundled model.

Contract: numbers are JSON numbers, exact values are ``"p/q"`` strings (``"p"`` for integers).
Every bundled model that runs with ``--exact`` is solved through the CLI; the test walks its JSON
and checks that each field the README documents as a number is a JSON number (non-finite ones
are spelled ``"inf"``, ``"-inf"``, ``"nan"``), that each exact field is a ``"p/q"`` string, and
that the exact values parse to Fractions equal to the float values beside them within 1e-9.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from mechsolve.cli import cli
from mechsolve.report.encode import render_json, to_jsonable
from mechsolve.result import exact_value, number, numbers

MODELS = Path(__file__).resolve().parents[2] / "models"
EXACT_TEXT = re.compile(r"-?\d+(/\d+)?")
NON_FINITE = {"inf", "-inf", "nan"}

#: Bundled models that cannot run exactly, with the reason the CLI gives (exit 2): irrational data
#: or a float-only method. Any other model must run with --exact.
NO_EXACT = {
    "chen-linear-example1": "irrational",            # Q(t) with exp
    "chen-market-growth-beyond-boundary": "irrational",  # (Σq)^α, α = -0.9
    "chen-market-growth": "irrational",
    "digits-market": "float64 only",                  # rectified ρ-Shapley: an LP in log v*
    "pooled-data-60-parties": "Monte Carlo is float64",
    "tay-gmm-market": "float64 only",
    "tay-gmm-rectified-r6": "float64 only",
    "tay-gmm-rho-shapley-r6": "irrational",
    "tay-imdb-5-parties-rho-shapley": "irrational",
    "tay-mnist-5-parties-rho-shapley": "irrational",
}
#: Exact but too slow for the suite: 17^4 profiles of Fractions (> 60 s); its float JSON is in tests/mechanism.
TOO_SLOW = {"chen-four-agents-formula"}
#: Learned values train models (several seconds each): still run, marked slow.
SLOW = {p.stem for p in MODELS.glob("learn-*.yaml")} | {"un-security-council"}


def _models() -> list[Any]:
    out = []
    for p in sorted(MODELS.glob("*.yaml")):
        if p.stem in NO_EXACT or p.stem in TOO_SLOW:
            continue
        marks = [pytest.mark.slow] if p.stem in SLOW else []
        out.append(pytest.param(p, id=p.stem, marks=marks))
    return out


def test_to_jsonable_writes_fractions_as_p_over_q() -> None:
    data = {"a": Fraction(1, 3), "b": Fraction(-4, 2), "c": np.array([Fraction(1, 2)], dtype=object),
            "d": [np.float64(0.25), np.int64(2)], "e": float("inf")}
    assert to_jsonable(data) == {"a": "1/3", "b": "-2", "c": ["1/2"], "d": [0.25, 2], "e": "inf"}
    assert json.loads(render_json(data))["a"] == "1/3"


def test_number_and_exact_value_decide_the_json_type() -> None:
    assert to_jsonable(number(Fraction(1, 4))) == 0.25                 # a documented number stays a number
    assert to_jsonable(exact_value(3)) == "3"                           # an exact field is always a string
    assert to_jsonable(exact_value(0.1)) == str(Fraction(0.1))          # a float's exact binary value
    assert numbers({"x": (Fraction(1, 2), None, True)}) == {"x": [0.5, None, True]}


def _is_number(x: Any) -> bool:
    return (isinstance(x, (int, float)) and not isinstance(x, bool)) or x in NON_FINITE


def _exact(x: Any) -> Fraction | float:
    assert isinstance(x, str) and (EXACT_TEXT.fullmatch(x) or x in NON_FINITE), f"not a p/q string: {x!r}"
    return float(x) if x in NON_FINITE else Fraction(x)


def _close(exact: Fraction | float, x: Any) -> bool:
    f = float(x) if not isinstance(x, str) else float(x)
    if math.isinf(f) or math.isinf(exact):
        return f == exact
    return abs(float(exact) - f) <= 1e-9 * max(1.0, abs(f))


def _leaves(x: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v, f"{path}[]")
    else:
        yield path, x


def _check_verdicts(checks: dict[str, Any]) -> int:
    """Numbers in every verdict; exact_values strings equal to them. Returns the exact values seen."""
    seen = 0
    assert _is_number(checks["tolerance"])
    for v in checks["verdicts"]:
        assert _is_number(v["tolerance"]) and _is_number(v["worst_margin"]), v
        cex = v["counterexample"] or {}
        for key in ("expected", "got", "margin"):
            if key in cex:
                assert _is_number(cex[key]), (v["axiom"], key, cex[key])
        for path, x in _leaves(cex.get("witness")):
            assert not (isinstance(x, str) and EXACT_TEXT.fullmatch(x) and "/" in x), (v["axiom"], path, x)
        for key, ex in (v.get("exact_values") or {}).items():
            if key == "worst_margin":
                assert _close(_exact(ex), v["worst_margin"]), (v["axiom"], ex, v["worst_margin"])
            elif key == "witness":
                floats = dict(_leaves(cex["witness"]))
                for path, e in _leaves(ex):
                    if isinstance(e, str) and EXACT_TEXT.fullmatch(e):
                        assert _close(_exact(e), floats[path]), (v["axiom"], path)
            else:
                assert _close(_exact(ex), cex[key]), (v["axiom"], key, ex, cex[key])
            seen += 1
    return seen


def _check_market(data: dict[str, Any]) -> None:
    for q, per in data["values"].items():
        for p, x in per.items():
            assert _is_number(x), ("values", q, p, x)
    for k, x in data["scalars"].items():
        assert not (isinstance(x, str) and EXACT_TEXT.fullmatch(x)), ("scalars", k, x)
    for path, x in _leaves(data["matrices"]):
        assert _is_number(x), ("matrices" + path, x)
    assert data["exact"] is True and data["exact_values"].keys() == data["values"].keys()
    for q, per in data["exact_values"].items():
        assert per.keys() == data["values"][q].keys()
        for p, ex in per.items():
            assert _close(_exact(ex), data["values"][q][p]), (q, p, ex, data["values"][q][p])
    for name, cert in (data.get("certificates") or {}).items():
        for path, x in _leaves(cert):
            if path.endswith(("multiplier", "level", "point[]", "lambda", "efficiency_dual", "gap")):
                _exact(x)


def _check_mechanism(data: dict[str, Any]) -> None:
    assert data["exact"] is True
    for path, x in _leaves({k: data[k] for k in ("types", "scalars", "profiles")}):
        assert _is_number(x), (path, x)
    for path, x in _leaves(data["desirable"]):
        if not path.endswith(".exists"):
            assert x is None or _is_number(x), ("desirable" + path, x)
    exact_rows = data["exact_payments"]
    assert len(exact_rows) == len(data["profiles"]) > 0
    for ex, row in zip(exact_rows, data["profiles"]):
        for key in ("profile", "payment"):
            for a, e in ex[key].items():
                assert _close(_exact(e), row[key][a]), (key, a, e, row[key][a])


@pytest.mark.parametrize("path", _models())
def test_exact_json_numbers_are_numbers_and_exact_values_are_p_over_q(path: Path) -> None:
    res = CliRunner().invoke(cli, ["solve", str(path), "--exact", "--format", "json", "--allow-code"])
    assert res.exit_code in (0, 1), res.stderr
    data = json.loads(res.stdout)
    if data["kind"] == "mechanism-design":
        _check_mechanism(data)
    else:
        _check_market(data)
    if "checks" in data:
        _check_verdicts(data["checks"])


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.slow] if n == "digits-market" else [])
                                  for n in sorted(NO_EXACT)])
def test_models_without_exact_mode_say_why(name: str) -> None:
    """The models left out above refuse --exact with one line naming why (so none is skipped silently)."""
    res = CliRunner().invoke(cli, ["solve", str(MODELS / f"{name}.yaml"), "--exact", "--format", "json", "--allow-code"])
    assert res.exit_code == 2 and res.stdout == ""
    assert NO_EXACT[name].split()[0] in res.stderr.lower() or "exact" in res.stderr.lower(), res.stderr


def test_design_rule_and_certificate_are_exact_strings() -> None:
    """`design --format json`: the rule and the objective's exact value are "p/q", the float value a number."""
    res = CliRunner().invoke(cli, ["design", str(MODELS / "glove-game.yaml"), "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert _is_number(data["objective_value"])
    assert _close(_exact(data["objective_value_exact"]), data["objective_value"])
    for p, x in data["rule"]["vector"].items():
        _exact(x)
    assert sum(Fraction(x) for x in data["rule"]["vector"].values()) == 1   # efficient: v(N) = 1


def _reject_constants(name: str) -> None:
    raise AssertionError(f"invalid JSON constant {name}")


_json_leaves = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(),
                    st.fractions(max_denominator=10**6), st.text(max_size=5))
_values = st.recursive(_json_leaves, lambda inner: st.one_of(st.lists(inner, max_size=12),
                                                         st.dictionaries(st.text(max_size=4), inner, max_size=5)),
                       max_leaves=60)


@given(_values)
@settings(max_examples=300, deadline=None)
def test_render_json_writes_the_values_of_to_jsonable_as_valid_json(x) -> None:
    """The fast writer (records one per line through the C encoder) changes layout only, never a value."""
    import json

    from mechsolve.report.encode import render_json, to_jsonable

    text = render_json(x)
    assert json.loads(text, parse_constant=_reject_constants) == json.loads(json.dumps(to_jsonable(x)))


def test_render_json_non_finite_arrays_are_strings_and_long_record_lists_one_per_line() -> None:
    import json

    from mechsolve.report.encode import render_json

    text = render_json({"a": np.array([1.0, np.inf, np.nan]), "rows": [{"p": i, "q": [i, i + 1]} for i in range(20)]})
    data = json.loads(text, parse_constant=_reject_constants)
    assert data["a"] == [1.0, "inf", "nan"]
    assert '    {"p": 3, "q": [3, 4]},\n' in text and text.count("\n") == 2 + 1 + 20 + 2
