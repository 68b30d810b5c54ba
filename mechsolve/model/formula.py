"""Safe formulas: user text → sympy expression → numpy function, never ``eval``.

The text is parsed by Python's :mod:`ast` in expression mode and the tree is
walked under a whitelist: numbers, the declared symbols, ``+ - * / **``,
unary minus, and calls of whitelisted functions (``exp log sqrt abs min max
sin cos tanh floor ceil``). Anything else — attribute access, subscripts,
lambdas, strings, comprehensions, unknown names — is rejected with one line
naming the field. The resulting sympy expression is compiled with
:func:`sympy.lambdify` to numpy.

Examples
--------
>>> e = parse_formula("(q_1 + q_2)**alpha * q_i", ["q_1", "q_2", "q_i", "alpha"])
>>> str(e)
'q_i*(q_1 + q_2)**alpha'
>>> f = compile_formula(e, ["q_1", "q_2", "q_i", "alpha"])
>>> float(f(1.0, 3.0, 2.0, 0.5))
4.0
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported

MAX_FORMULA_LENGTH = 2000
#: The largest |numerator| or denominator of a constant exponent evaluated in exact rational arithmetic:
#: (p/q)^k holds ~k·log2(q) bits, so k = 10^308 (a literal ``1e308``, read exactly) would never finish.
EXACT_EXPONENT_LIMIT = 4096


def _functions() -> dict[str, Any]:
    import sympy as sp

    return {"exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "Abs": sp.Abs,
            "min": sp.Min, "max": sp.Max, "Min": sp.Min, "Max": sp.Max, "sin": sp.sin, "cos": sp.cos,
            "tanh": sp.tanh, "floor": sp.floor, "ceil": sp.ceiling}


def parse_formula(text: Any, symbols: Iterable[str], *, field: str = "formula",
                  constants: Mapping[str, Any] | None = None) -> Any:
    """Parse ``text`` into a sympy expression over the allowed ``symbols``.

    Parameters
    ----------
    symbols : iterable of str
        Names the formula may use (become sympy symbols, real-valued).
    constants : mapping, optional
        Names replaced by given numbers (e.g. model parameters).

    Raises
    ------
    InvalidModel
        Naming ``field`` and what is wrong (syntax, an unknown name, a forbidden construct).
    """
    import sympy as sp

    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise InvalidModel(f"a formula must be a string or number, got {text!r}", field=field)
    text = str(text)
    if len(text) > MAX_FORMULA_LENGTH:
        raise InvalidModel(f"formula longer than {MAX_FORMULA_LENGTH} characters", field=field)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InvalidModel(f"{text!r} is not a formula ({exc.msg} at column {exc.offset})", field=field) from None
    allowed = {s: sp.Symbol(s, real=True) for s in symbols}
    consts = dict(constants or {})
    funcs = _functions()

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise InvalidModel(f"only numbers may appear as constants, got {node.value!r}", field=field)
            # a literal is the decimal it is written as (0.1 → 1/10; 0.3333 → 3333/10000, never a guess)
            return sp.Rational(repr(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in allowed:
                return allowed[node.id]
            if node.id in consts:
                c = consts[node.id]   # a model parameter: the decimal it is written as, exactly
                return sp.Rational(repr(float(c))) if isinstance(c, float) and math.isfinite(c) else sp.sympify(c)
            if node.id in ("pi", "e", "E"):
                return sp.pi if node.id == "pi" else sp.E
            valid = ", ".join(sorted(set(allowed) | set(consts)))
            raise InvalidModel(f"unknown name {node.id!r} in {text!r}; allowed: {valid}", field=field)
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b, ast.Pow: lambda: _power(a, b, field)}
            op = ops.get(type(node.op))
            if op is None:
                hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
                raise InvalidModel(f"operator {type(node.op).__name__} is not allowed in {text!r}{hint}",
                                   field=field)
            return op()
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            x = walk(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in funcs:
                name = node.func.id if isinstance(node.func, ast.Name) else "this call"
                raise InvalidModel(f"function {name!r} is not allowed; allowed: {', '.join(sorted(funcs))}",
                                   field=field)
            if node.keywords:
                raise InvalidModel("keyword arguments are not allowed in formulas", field=field)
            return funcs[node.func.id](*[walk(a) for a in node.args])
        raise InvalidModel(f"{type(node).__name__} is not allowed in a formula ({text!r})", field=field)

    try:
        return walk(tree)
    except InvalidModel:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError) as exc:
        raise InvalidModel(f"{text!r} is not a valid formula: {exc}", field=field) from None


def _power(a: Any, b: Any, field: str) -> Any:
    """``a**b``; a number to a constant exponent beyond :data:`EXACT_EXPONENT_LIMIT` is refused
    (sympy would compute ``2**(10**308)`` exactly, here or when the power meets a sum)."""
    if a.is_Number and b.is_Rational and not exponent_is_small(b) and a not in (0, 1, -1):
        raise Unsupported(f"{a}**{_short(b)} cannot be computed exactly (exponents up to "
                          f"{EXACT_EXPONENT_LIMIT} in magnitude are); write the number itself", field=field)
    return a**b


def _short(b: Any) -> str:
    text = str(b)
    return text if len(text) <= 24 else f"{float(b):.6g}"


def exponent_is_small(b: Any) -> bool:
    """Whether the rational exponent ``b`` is within :data:`EXACT_EXPONENT_LIMIT` (numerator and denominator)."""
    return abs(int(b.p)) <= EXACT_EXPONENT_LIMIT and int(b.q) <= EXACT_EXPONENT_LIMIT


def huge_exponents(expr: Any) -> list[Any]:
    """The powers of ``expr`` whose constant exponent is beyond :data:`EXACT_EXPONENT_LIMIT`.

    Exact evaluation refuses them: ``q**(10**308)`` at q = 2 has 10^308 bits.

    >>> [float(p.exp) for p in huge_exponents(parse_formula("q**1e308 + q**2", ["q"]))]
    [1e+308]
    """
    import sympy as sp

    return [p for p in expr.atoms(sp.Pow) if p.exp.is_Rational and not exponent_is_small(p.exp)]


def compile_formula(expr: Any, symbols: Iterable[str]) -> Callable[..., np.ndarray]:
    """A numpy function of the ``symbols`` (positional, in order) computing ``expr``."""
    import sympy as sp

    syms = [sp.Symbol(s, real=True) for s in symbols]
    return sp.lambdify(syms, expr, modules="numpy")


# --------------------------------------------------------------------------- float evaluation, no sympy
#
# The same whitelist as :func:`parse_formula`, walked by a second, independent compiler that builds
# numpy closures directly (float64), so that float work never imports sympy (~0.5–1 s). Exact work
# (rational parameters, verdicts) keeps going through :func:`parse_formula`. The two are kept in
# step by tests/model/test_formula.py: every text is accepted or refused by both with the same
# message, and both evaluate to the same floats up to rounding. Any AST-level guard added to
# :func:`parse_formula` belongs in :func:`_numpy_node` too.

#: Functions of the whitelist and how many arguments each takes (as the sympy functions do:
#: ``log(x, b)`` = log x / log b; ``sqrt``'s second argument is sympy's ``evaluate`` flag and does not
#: change the value; ``min()``/``max()`` with no argument are +∞/−∞ as sympy's ``Min()``/``Max()``).
_NUMPY_ARITY: dict[str, tuple[int, int | None]] = {
    "exp": (1, 1), "log": (1, 2), "ln": (1, 2), "sqrt": (1, 2), "abs": (1, 1), "Abs": (1, 1),
    "min": (0, None), "max": (0, None), "Min": (0, None), "Max": (0, None), "sin": (1, 1), "cos": (1, 1),
    "tanh": (1, 1), "floor": (1, 1), "ceil": (1, 1)}

_SYMPY_NAME = {"abs": "Abs", "ln": "log", "min": "Min", "max": "Max", "ceil": "ceiling"}


def _reduce(ufunc: Any, empty: float) -> Callable[..., Any]:
    def f(*xs: Any) -> Any:
        if not xs:
            return np.float64(empty)
        out = xs[0]
        for x in xs[1:]:
            out = ufunc(out, x)
        return out
    return f


def _numpy_functions() -> dict[str, Callable[..., Any]]:
    log = lambda x, b=None: np.log(x) if b is None else np.log(x) / np.log(b)  # noqa: E731
    return {"exp": np.exp, "log": log, "ln": log, "sqrt": lambda x, evaluate=None: np.sqrt(x),
            "abs": np.abs, "Abs": np.abs, "min": _reduce(np.minimum, np.inf), "max": _reduce(np.maximum, -np.inf),
            "Min": _reduce(np.minimum, np.inf), "Max": _reduce(np.maximum, -np.inf), "sin": np.sin,
            "cos": np.cos, "tanh": np.tanh, "floor": np.floor, "ceil": np.ceil}


class NumpyFormula:
    """A validated formula compiled to numpy: ``f(*arrays)`` in the order of ``symbols`` → float64.

    ``names`` are the symbols the formula reads (after ``aliases``). Evaluation ignores floating
    point warnings (callers check the result is finite).

    Examples
    --------
    >>> f = compile_numpy("t/(1 + t)", ["t"])
    >>> f(np.array([0.0, 1.0, 3.0])).tolist()
    [0.0, 0.5, 0.75]
    >>> g = compile_numpy("q_i * max(q_1, q_2)**alpha", ["q_1", "q_2"], constants={"alpha": 2},
    ...                   aliases={"q_i": "q_2"})
    >>> float(g(1.0, 3.0)), sorted(g.names)
    (27.0, ['q_1', 'q_2'])
    """

    __slots__ = ("text", "symbols", "names", "_fn")

    def __init__(self, text: str, symbols: tuple[str, ...], names: frozenset[str],
                 fn: Callable[[tuple[Any, ...]], Any]) -> None:
        self.text, self.symbols, self.names, self._fn = text, symbols, names, fn

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.symbols):
            raise TypeError(f"formula takes {len(self.symbols)} arguments, got {len(args)}")
        with np.errstate(all="ignore"):
            return self._fn(tuple(np.asarray(a, dtype=float) for a in args))

    def __repr__(self) -> str:
        return f"NumpyFormula({self.text!r}, symbols={list(self.symbols)})"


def compile_numpy(text: Any, symbols: Iterable[str], *, field: str = "formula",
                  constants: Mapping[str, Any] | None = None,
                  aliases: Mapping[str, str] | None = None) -> NumpyFormula:
    """Validate ``text`` under the whitelist of :func:`parse_formula` and compile it to numpy floats.

    Parameters
    ----------
    symbols : iterable of str
        The compiled function's positional arguments, in order.
    constants : mapping, optional
        Names replaced by numbers (model parameters), as in :func:`parse_formula`.
    aliases : mapping, optional
        Extra names the formula may use that stand for one of ``symbols`` (``q_i`` → ``q_2``),
        the substitution :func:`parse_formula`'s callers do with sympy.

    Raises
    ------
    InvalidModel
        The same errors, with the same messages, as :func:`parse_formula`.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise InvalidModel(f"a formula must be a string or number, got {text!r}", field=field)
    text = str(text)
    if len(text) > MAX_FORMULA_LENGTH:
        raise InvalidModel(f"formula longer than {MAX_FORMULA_LENGTH} characters", field=field)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InvalidModel(f"{text!r} is not a formula ({exc.msg} at column {exc.offset})", field=field) from None
    syms = tuple(symbols)
    index = {s: k for k, s in enumerate(syms)}
    for a, s in (aliases or {}).items():
        index[a] = index[s]
    allowed = list(syms) + [a for a in (aliases or {}) if a not in syms]
    consts = {k: float(v) for k, v in (constants or {}).items()}
    used: set[str] = set()
    try:
        fn = _numpy_node(tree, text, field, index, allowed, consts, _numpy_functions(), used)
    except InvalidModel:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError) as exc:
        raise InvalidModel(f"{text!r} is not a valid formula: {exc}", field=field) from None
    return NumpyFormula(text, syms, frozenset(syms[index[u]] for u in used), fn)


def _numpy_node(node: ast.AST, text: str, field: str, index: Mapping[str, int], allowed: list[str],
                consts: Mapping[str, float], funcs: Mapping[str, Callable[..., Any]], used: set[str]
                ) -> Callable[[tuple[Any, ...]], Any]:
    """One AST node → a closure of the argument tuple (constants folded); the checks of parse_formula."""
    rec = lambda n: _numpy_node(n, text, field, index, allowed, consts, funcs, used)  # noqa: E731

    def const(v: Any) -> Callable[[tuple[Any, ...]], Any]:
        c = np.float64(v)
        f = lambda env: c  # noqa: E731
        f.const = c  # type: ignore[attr-defined]
        return f

    if isinstance(node, ast.Expression):
        return rec(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise InvalidModel(f"only numbers may appear as constants, got {node.value!r}", field=field)
        return const(float(node.value) if abs(node.value) < 1e308 else np.inf * np.sign(node.value))
    if isinstance(node, ast.Name):
        if node.id in index:
            k = index[node.id]
            used.add(node.id)
            return lambda env: env[k]
        if node.id in consts:
            return const(consts[node.id])
        if node.id in ("pi", "e", "E"):
            return const(np.pi if node.id == "pi" else np.e)
        valid = ", ".join(sorted(set(allowed) | set(consts)))
        raise InvalidModel(f"unknown name {node.id!r} in {text!r}; allowed: {valid}", field=field)
    if isinstance(node, ast.BinOp):
        a, b = rec(node.left), rec(node.right)
        ops = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide,
               ast.Pow: np.power}
        op = ops.get(type(node.op))
        if op is None:
            hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
            raise InvalidModel(f"operator {type(node.op).__name__} is not allowed in {text!r}{hint}", field=field)
        if hasattr(a, "const") and hasattr(b, "const"):
            with np.errstate(all="ignore"):
                return const(op(a.const, b.const))
        return lambda env: op(a(env), b(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        x = rec(node.operand)
        if isinstance(node.op, ast.UAdd):
            return x
        if hasattr(x, "const"):
            return const(-x.const)
        return lambda env: np.negative(x(env))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in funcs:
            name = node.func.id if isinstance(node.func, ast.Name) else "this call"
            raise InvalidModel(f"function {name!r} is not allowed; allowed: {', '.join(sorted(funcs))}", field=field)
        if node.keywords:
            raise InvalidModel("keyword arguments are not allowed in formulas", field=field)
        args = [rec(a) for a in node.args]
        name = node.func.id
        lo, hi = _NUMPY_ARITY[name]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = f"exactly {lo}" if lo == hi else f"{lo} or {hi}" if hi is not None else f"at least {lo}"
            raise TypeError(f"{_SYMPY_NAME.get(name, name)} takes {want} argument{'s' if hi != 1 else ''} "
                            f"({len(args)} given)")
        f = funcs[name]
        if all(hasattr(a, "const") for a in args):
            with np.errstate(all="ignore"):
                return const(f(*[a.const for a in args]))
        return lambda env: f(*[a(env) for a in args])
    raise InvalidModel(f"{type(node).__name__} is not allowed in a formula ({text!r})", field=field)
