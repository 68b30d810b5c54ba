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


#: Texts both the sympy parser and the numpy compiler refuse, with a fragment of the message.
REJECTED = [
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
]


@pytest.mark.parametrize("text,fragment", REJECTED)
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


# --------------------------------------------------------------------------- the numpy compiler (issue 14)

import sympy  # noqa: E402

from mechsolve.model.formula import _NUMPY_ARITY, _functions, compile_numpy  # noqa: E402

LEAVES = ["q", "t", "alpha", "2", "0.5", "3", "pi", "e", "1e-3"]
FUNCS = sorted(_NUMPY_ARITY)


@st.composite
def formulas(draw: st.DrawFn, depth: int = 3) -> str:
    """Formulas of the whitelist (and, sometimes, just outside it)."""
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(LEAVES + ["zz", "q[0]", "'s'", "True"]
                                    if draw(st.integers(0, 9)) == 0 else LEAVES))
    kind = draw(st.integers(0, 3))
    if kind == 0:
        op = draw(st.sampled_from(["+", "-", "*", "/", "**"] + (["%", "^", "//"] if draw(st.integers(0, 9)) == 0
                                                                 else [])))
        return f"({draw(formulas(depth - 1))} {op} {draw(formulas(depth - 1))})"
    if kind == 1:
        return f"-{draw(formulas(depth - 1))}"
    name = draw(st.sampled_from(FUNCS + (["open", "max.x"] if draw(st.integers(0, 9)) == 0 else [])))
    nargs = draw(st.integers(0, 3))
    return f"{name}({', '.join(draw(formulas(depth - 1)) for _ in range(nargs))})"


def _outcome(f, text):
    try:
        return "ok", f()
    except InvalidModel as exc:
        return "refused", str(exc)


def test_numpy_compiler_has_the_same_functions():
    assert set(_NUMPY_ARITY) == set(_functions())


@given(formulas())
@settings(max_examples=300, deadline=None)
def test_numpy_compiler_accepts_and_evaluates_what_parse_formula_does(text):
    """Same whitelist: both accept or both refuse (same message up to sympy's wording of an arity error),
    and where both accept they give the same floats up to rounding."""
    syms, consts = ["q", "t"], {"alpha": -0.7}
    a = _outcome(lambda: parse_formula(text, syms, constants=consts), text)
    b = _outcome(lambda: compile_numpy(text, syms, constants=consts), text)
    if ("not comparable" in a[1] or "is not a real number" in a[1]) if a[0] == "refused" else a[1].has(sympy.I):
        # sympy carried a complex intermediate (a negative base to a fractional power): it then refuses
        # Max/Min or takes Abs of it; in floats that intermediate is nan, refused later as not finite
        # (or the text is refused by a later check of the whitelist)
        assert b[0] == "ok" or "is not a valid formula" in b[1] or "not a real number" in b[1]
        return
    if a[0] == "refused" and "infinite or undefined" in a[1] and b[0] == "ok":
        return  # sympy folded a division by zero (2q/(q − q) = zoo); the float path refuses it when evaluated
    assert a[0] == b[0], (text, a, b)
    if a[0] == "refused":
        if "is not a valid formula" in a[1]:
            assert b[1].split(" is not a valid formula")[0] == a[1].split(" is not a valid formula")[0]
        else:
            assert a[1] == b[1]
        return
    q, t = np.array([0.3, 1.0, 2.5, 7.0]), np.array([1.5, 0.2, 3.0, 0.9])
    with np.errstate(all="ignore"):
        try:
            x = np.broadcast_to(np.asarray(compile_formula(a[1], syms)(q, t)), q.shape)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError, KeyError, NotImplementedError):
            return  # sympy's lambdify cannot print or evaluate it (zoo, huge ints): the numpy path gives ±inf/nan
        y = np.broadcast_to(np.asarray(b[1](q, t), dtype=float), q.shape)
    if np.iscomplexobj(x):  # sympy simplified to a complex constant; numpy's real path gives nan there
        real = np.imag(x) == 0
        x, y = np.real(x)[real], y[real]
    x = x.astype(float)
    # where the floats are finite they agree; sympy may also have simplified a removable singularity away
    # (log(q, q) = 1 at q = 1, where the floats are 0/0): the float path then refuses it as not finite
    fin = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 1e12)
    assert np.allclose(x[fin], y[fin], rtol=1e-9, atol=1e-12), (text, x, y)


@pytest.mark.parametrize("text,fragment", REJECTED + [
    ("exp(q, 2)", "exactly 1 argument"),
])
def test_numpy_compiler_rejects(text, fragment):
    with pytest.raises(InvalidModel, match=re.escape(fragment)) as exc:
        compile_numpy(text, ["q"], field="valuation")
    assert exc.value.field == "valuation"


def test_numpy_compiler_aliases_constants_and_names():
    f = compile_numpy("q_i * (q_1 + q_2)**alpha + 0*t_2", ["q_1", "q_2", "t_1", "t_2"],
                      constants={"alpha": -0.5}, aliases={"q_i": "q_2"})
    assert sorted(f.names) == ["q_1", "q_2", "t_2"]
    assert float(f(1.0, 3.0, 0.0, 0.0)) == pytest.approx(3.0 * 4.0 ** -0.5)
    with pytest.raises(TypeError):
        f(1.0)
    assert float(compile_numpy(3, [])()) == 3.0
    for empty in ("min()", "max()"):  # no arguments is bad input, named, not inf/-inf (issue 18)
        with pytest.raises(InvalidModel, match="takes at least 1 argument"):
            compile_numpy(empty, [])
    assert float(compile_numpy("log(8, 2)", [])()) == pytest.approx(3.0)
    for text, why in (("10**400", "beyond float range"), ("1/0", "divides by zero")):  # refused, not inf
        with pytest.raises(InvalidModel, match=why):
            compile_numpy(text, [])


def test_float_formulas_never_import_sympy():
    """The float path (Q(t) = t/(1 + t), any valuation formula, a Chen solve) runs without sympy."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from mechsolve.model import parse_model\n"
            "from mechsolve.verify.analysis import analyse\n"
            "m = parse_model({'kind': 'mechanism-design', 'agents': 3, 'types': {'step': 1, 'max': 4},\n"
            "                 'quality': 't/(1 + t)', 'valuation': {'family': 'formula',\n"
            "                 'formula': 'q_i/(1 + gamma*(q_1 + q_2 + q_3 - q_i))'}, 'parameters': {'gamma': 0.5}})\n"
            "a = analyse(m)\n"
            "assert str(a.status) == 'solved', a.status\n"
            "print('sympy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_decimals_and_parameters_are_the_rationals_they_are_written_as():
    """Exact mode reads 0.1 as 1/10 and a parameter 0.3333 as 3333/10000, never a guessed 1/3."""
    import sympy as sp

    e = parse_formula("0.1*t + c", ["t"], constants={"c": 0.3333})
    t = sp.Symbol("t", real=True)
    assert e.coeff(t) == sp.Rational(1, 10) and e.subs(t, 0) == sp.Rational(3333, 10000)
    assert parse_formula("0.3333", []) == sp.Rational(3333, 10000)
    assert parse_formula("t**c", ["t"], constants={"c": 2}) == t**2


def test_a_number_to_a_huge_exponent_is_refused_not_computed():
    """1e308 is read exactly (10^308): 2**1e308 would be computed in full by sympy, here or inside a sum."""
    import time

    from mechsolve.errors import InvalidModel, Unsupported
    from mechsolve.model.formula import EXACT_EXPONENT_LIMIT, huge_exponents

    start = time.perf_counter()
    # the literal is refused by the bounds on the text (issue 18); a constant substituted later by the exact check
    for text in ("2**1e308 * q", "q + 0.5**a"):   # refused by the bounds on the text (issue 18) or as inexact
        with pytest.raises((InvalidModel, Unsupported), match="float range|cannot be computed exactly") as exc:
            parse_formula(text, ["q"], field="valuation", constants={"a": 1e308})
        assert exc.value.field == "valuation"
    assert time.perf_counter() - start < 5
    assert parse_formula("2**1000", []) == 2**1000        # the text bounds allow exponents up to 1024
    q = sympy.Symbol("q")
    assert huge_exponents(q**EXACT_EXPONENT_LIMIT + q ** sympy.Rational(-1, 2)) == []
    assert len(huge_exponents(q ** (EXACT_EXPONENT_LIMIT + 1) + q)) == 1


# ---------------------------------------------------------------- bounds (issue 18)
HOSTILE = [
    ("9**9**9", "9**9**9 is beyond float range"),
    ("2**(10**9)", "2**(10**9) is beyond float range"),
    ("floor(exp(10**8))", "exp(10**8) is beyond float range"),
    ("(3/2)**(10**8)", "beyond float range"),
    ("10**400", "beyond float range"),
    ("sin(10**400)", "10**400 is beyond float range"),
    ("10**(10**6)", "beyond float range"),
    ("1/0", "divides by zero"),
    ("t/0", "divides by zero"),
    ("0**-1", "divides by zero"),
    ("log(0)", "not finite"),
    ("log(t, 1)", "invalid base"),
    ("sqrt(-1)", "not a real number"),
    ("(-8)**(1/3)", "not a real number"),
    ("1e999", "not a finite number"),
    ("1e-320", "below float range"),
    ("exp(1000)", "beyond float range"),
    ("max()", "takes at least 1 argument"),
    ("open()", "function 'open' is not allowed"),
    ("open(alpha)", "function 'open' is not allowed"),
    ("sin(t, t)", "takes exactly 1 argument"),
    ("t**(10**8)", "at most 1024"),
    ("t**alpha", "at most 1024"),
    ("1/(t - t)", "infinite or undefined"),
    ("-" * 100 + "t", "nested more than 60 levels"),
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE, ids=[t[:20] for t, _ in HOSTILE])
def test_hostile_formulas_are_refused_before_any_arithmetic(text: str, fragment: str) -> None:
    import time

    t0 = time.perf_counter()
    with pytest.raises(InvalidModel) as exc:
        parse_formula(text, ["t"], field="quality", constants={"alpha": 1e6})
    assert fragment in str(exc.value) and exc.value.field == "quality"
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text", ["t**1024", "2**t", "exp(-1000)", "floor(10**30)/3", "pi**2", "log(8, 2)",
                                  "min(1)", "(t + 1)**3 - t", "t**0.5", "10**300 * t"])
def test_large_but_bounded_formulas_still_parse(text: str) -> None:
    e = parse_formula(text, ["t"])
    f = compile_formula(e, ["t"])
    with np.errstate(all="ignore"):
        np.asarray(f(np.array([0.5, 2.0])), dtype=float)   # numpy never gets an int it cannot take


def test_exact_evaluation_is_size_checked() -> None:
    from fractions import Fraction

    from mechsolve.errors import Unsupported
    from mechsolve.model.formula import MAX_EXACT_DIGITS, exact_evaluator

    f = exact_evaluator(parse_formula("t**t", ["t"]), ["t"], field="quality")
    assert f(Fraction(3)) == 27 and f(Fraction(1, 2)) is None          # (1/2)**(1/2) is irrational
    with pytest.raises(Unsupported, match=f"more than {MAX_EXACT_DIGITS:,} digits") as exc:
        f(Fraction(10**6))                                            # 6 million digits: refused, not computed
    assert exc.value.field == "quality"
    g = exact_evaluator(parse_formula("1/(t - 1)", ["t"]), ["t"], field="quality")
    assert g(Fraction(3)) == Fraction(1, 2)
    with pytest.raises(InvalidModel, match="divides by zero"):
        g(Fraction(1))
    h = exact_evaluator(parse_formula("sqrt(t) + exp(0) + max(t, 2)", ["t"]), ["t"])
    assert h(Fraction(9, 4)) == Fraction(3, 2) + 1 + Fraction(9, 4)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.sampled_from(["t", "2", "9", "0", "0.5", "400", "10"]),
                    lambda inner: st.one_of(
                        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
                            lambda x: f"({x[0]}){x[1]}({x[2]})"),
                        st.tuples(st.sampled_from(["exp", "log", "sqrt", "sin", "floor"]), inner).map(
                            lambda x: f"{x[0]}({x[1]})")), max_leaves=10))
def test_random_formulas_parse_or_fail_cleanly_and_fast(text: str) -> None:
    import time

    t0 = time.perf_counter()
    try:
        e = parse_formula(text, ["t"])
    except InvalidModel as exc:
        assert "\n" not in str(exc)
    else:
        from fractions import Fraction

        from mechsolve.errors import Unsupported
        from mechsolve.model.formula import exact_evaluator

        try:
            exact_evaluator(e, ["t"])(Fraction(3, 2))
        except (InvalidModel, Unsupported):
            pass
    assert time.perf_counter() - t0 < 5.0
