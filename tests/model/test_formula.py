"""Safe formulas: what is allowed parses to the right sympy expression; everything else is refused."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel
from mechsolve.model.formula import compile_formula, parse_formula


def test_market_growth_valuation():
    """Chen et al. (2020) §6.2: v_i = (Σ_j q_j)^α · q_i."""
    syms = ["q_1", "q_2", "q_i"]
    e = parse_formula("(q_1 + q_2)**alpha * q_i", syms, constants={"alpha": -0.7})
    f = compile_formula(e, syms)
    assert float(f(1.0, 2.0, 2.0)) == pytest.approx(3.0**-0.7 * 2.0)
    assert np.allclose(f(np.array([1.0, 2.0]), 1.0, 1.0), np.array([2.0, 3.0]) ** -0.7)


@pytest.mark.parametrize("text,fragment", [
    ("__import__('os').system('true')", "not allowed"),
    ("().__class__.__bases__", "Attribute"),
    ("q[0]", "Subscript"),
    ("q ^ 2", "use **"),
    ("lambda: 0", "Lambda"),
    ("'abc'", "numbers"),
    ("x +", "not a formula"),
    ("unknown_name * 2", "unknown name"),
    ("exp(q, base=2)", "keyword"),
    ("[q for q in ()]", "not allowed"),
    ("q if q else 1", "IfExp"),
    ("True", "numbers"),
    ("q" * 3000, "longer than"),
])
def test_rejected(text, fragment):
    with pytest.raises(InvalidModel, match=re.escape(fragment)) as exc:
        parse_formula(text, ["q"], field="valuation")
    assert exc.value.field == "valuation"


def test_non_string_input():
    with pytest.raises(InvalidModel):
        parse_formula(["q"], ["q"])
    assert parse_formula(3, ["q"]) == 3


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_arbitrary_text_never_escapes(text):
    try:
        parse_formula(text, ["q", "t"])
    except InvalidModel:
        pass
