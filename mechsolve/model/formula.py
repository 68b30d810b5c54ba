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
import sys
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported, short_repr, shorten

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

    text, tree = _syntax_tree(text, field)
    allowed = {s: sp.Symbol(s, real=True) for s in symbols}
    consts = dict(constants or {})
    funcs = _functions()
    check_formula_tree(tree, text, field, symbols=set(allowed), constants=consts)

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
        expr = walk(tree)
    except InvalidModel:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError) as exc:
        raise InvalidModel(f"{short_repr(text)} is not a valid formula: {shorten(str(exc))}", field=field) from None
    check_formula_value(expr, text, field)
    return expr


def _syntax_tree(text: Any, field: str) -> tuple[str, ast.Expression]:
    """The formula's text and syntax tree (both compilers start here: same checks, same messages)."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise InvalidModel(f"a formula must be a string or number, got {short_repr(text)}", field=field)
    text = str(text)
    if len(text) > MAX_FORMULA_LENGTH:
        raise InvalidModel(f"formula longer than {MAX_FORMULA_LENGTH} characters", field=field)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        msg = getattr(exc, "msg", None) or " ".join(str(exc).split()) or type(exc).__name__
        col = f" at column {exc.offset}" if getattr(exc, "offset", None) else ""
        raise InvalidModel(f"{short_repr(text)} is not a formula ({msg}{col})", field=field) from None
    return text, tree


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
    """Whether the rational exponent ``b`` is within :data:`EXACT_EXPONENT_LIMIT` in magnitude.

    The size of ``a**b`` grows with ``|b|``; a small exponent with a long denominator (``1e-3**2``,
    i.e. 1/10^6) leaves a root sympy keeps unevaluated, which costs nothing.

    >>> import sympy as sp
    >>> exponent_is_small(sp.Rational(1, 10**6)), exponent_is_small(sp.Integer(10) ** 308)
    (True, False)
    """
    return abs(int(b.p)) <= EXACT_EXPONENT_LIMIT * int(b.q)


def huge_exponents(expr: Any) -> list[Any]:
    """The powers of ``expr`` whose constant exponent is beyond :data:`EXACT_EXPONENT_LIMIT`.

    Exact evaluation refuses them: ``q**(10**308)`` at q = 2 has 10^308 bits.

    >>> import sympy as sp
    >>> q = sp.Symbol("q")
    >>> [p.exp == 10**308 for p in huge_exponents(q ** (sp.Integer(10) ** 308) + q**2)]
    [True]
    """
    import sympy as sp

    return [p for p in expr.atoms(sp.Pow) if p.exp.is_Rational and not exponent_is_small(p.exp)]


def compile_formula(expr: Any, symbols: Iterable[str]) -> Callable[..., np.ndarray]:
    """A numpy function of the ``symbols`` (positional, in order) computing ``expr``."""
    import sympy as sp

    syms = [sp.Symbol(s, real=True) for s in symbols]
    return sp.lambdify(syms, float_safe(expr), modules="numpy")


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
    text, tree = _syntax_tree(text, field)
    syms = tuple(symbols)
    index = {s: k for k, s in enumerate(syms)}
    for a, s in (aliases or {}).items():
        index[a] = index[s]
    allowed = list(syms) + [a for a in (aliases or {}) if a not in syms]
    check_formula_tree(tree, text, field, symbols=set(allowed), constants=dict(constants or {}))
    consts = {k: float(v) for k, v in (constants or {}).items()}
    used: set[str] = set()
    try:
        fn = _numpy_node(tree, text, field, index, allowed, consts, _numpy_functions(), used)
    except InvalidModel:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError) as exc:
        raise InvalidModel(f"{short_repr(text)} is not a valid formula: {shorten(str(exc))}", field=field) from None
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


# ---------------------------------------------------------------- bounds (issue 18)
# Guards on the syntax tree, checked before any arithmetic, and an exact evaluator that
# checks the size of every power before computing it. Kept apart from parsing/compiling.

#: Deepest nesting of a formula's syntax tree.
MAX_FORMULA_DEPTH = 60
#: Largest |exponent| written as a constant (a number or a parameter) over a non-constant base.
MAX_EXPONENT = 1024
#: Largest number of decimal digits (numerator plus denominator) exact evaluation may create.
MAX_EXACT_DIGITS = 20_000
_FLOAT_MAX = sys.float_info.max
_FLOAT_MIN = sys.float_info.min
_UNARY = {"exp", "log", "ln", "sqrt", "abs", "Abs", "sin", "cos", "tanh", "floor", "ceil"}
_LOG10_2 = math.log10(2)


class _Bad(Exception):
    """A constant sub-expression that cannot be a finite real float64."""


def _digits(x: Fraction) -> float:
    """Decimal digits of numerator plus denominator (from the bit lengths: no conversion)."""
    return (abs(x.numerator).bit_length() + x.denominator.bit_length()) * _LOG10_2


def _log10_abs(x: Fraction) -> float:
    return (math.log10(abs(x.numerator)) - math.log10(x.denominator)) if x else -math.inf


def _in_range(x: Fraction | float, what: str) -> Fraction | float:
    if isinstance(x, float):
        if not math.isfinite(x):
            raise _Bad(f"{what} is not a finite number")
        big, tiny = abs(x) > _FLOAT_MAX, 0 < abs(x) < _FLOAT_MIN
    else:
        lg = _log10_abs(x)
        big, tiny = lg > 308.25, x != 0 and lg < -307.65
    if big:
        raise _Bad(f"{what} is beyond float range (about 1.8e308)")
    if tiny:
        raise _Bad(f"{what} is below float range (about 2.2e-308)")
    return x


def check_formula_tree(tree: ast.AST, text: str, field: str, *, symbols: set[str],
                       constants: Mapping[str, Any]) -> None:
    """Refuse, before any arithmetic, a formula that cannot be evaluated in bounded time and memory.

    * the tree is at most :data:`MAX_FORMULA_DEPTH` deep;
    * every constant sub-expression (numbers, parameters, ``pi``, ``e`` and what they combine to)
      is folded with its size checked *before* each operation: it must be a finite real number
      within float64's range — ``9**9**9``, ``2**(10**9)``, ``10**400``, ``1/0``, ``log(0)``,
      ``sqrt(-1)``, ``exp(1000)`` and ``sin(10**400)`` are refused here, naming the part at fault;
    * a constant exponent over a non-constant base is at most :data:`MAX_EXPONENT` in size;
    * functions get the number of arguments they take (``max()`` is refused).

    Raises
    ------
    InvalidModel
        Naming ``field`` and the sub-expression at fault.
    """
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_FORMULA_DEPTH:
            raise InvalidModel(f"{short_repr(text)} is nested more than {MAX_FORMULA_DEPTH} levels deep", field=field)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))

    def seg(node: ast.AST) -> str:
        return shorten(ast.get_source_segment(text.strip(), node) or ast.dump(node), 60)

    def fold(node: ast.AST) -> Fraction | float | None:
        """The value of a constant sub-expression (Fraction when rational), None when it has symbols."""
        if isinstance(node, ast.Expression):
            return fold(node.body)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None  # the walk reports it
            if isinstance(v, float):
                _in_range(v, seg(node))
                return Fraction(repr(v))
            if v.bit_length() > 1100:
                raise _Bad(f"{seg(node)} is beyond float range (about 1.8e308)")
            return _in_range(Fraction(v), seg(node))
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return None
            if node.id in constants:
                c = constants[node.id]
                if isinstance(c, (int, float, Fraction)) and not isinstance(c, bool):
                    return _in_range(Fraction(c) if not isinstance(c, float) else Fraction(repr(c)), node.id)
                return None
            if node.id in ("pi", "e", "E"):
                return math.pi if node.id == "pi" else math.e
            return None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            x = fold(node.operand)
            return None if x is None else (-x if isinstance(node.op, ast.USub) else x)
        if isinstance(node, ast.BinOp):
            a, b = fold(node.left), fold(node.right)
            if isinstance(node.op, ast.Div) and b is not None and b == 0:
                raise _Bad(f"{seg(node)} divides by zero")
            if isinstance(node.op, ast.Pow):
                return power(node, a, b)
            if a is None or b is None:
                return None
            if isinstance(node.op, ast.Add):
                return _in_range(_mix(a) + _mix(b, a), seg(node))
            if isinstance(node.op, ast.Sub):
                return _in_range(_mix(a) - _mix(b, a), seg(node))
            if isinstance(node.op, ast.Mult):
                if a and b and _lg(a) + _lg(b) > 308.25:
                    raise _Bad(f"{seg(node)} is beyond float range (about 1.8e308)")
                return _in_range(_mix(a) * _mix(b, a), seg(node))
            if isinstance(node.op, ast.Div):
                if a and _lg(a) - _lg(b) > 308.25:  # type: ignore[arg-type]
                    raise _Bad(f"{seg(node)} is beyond float range (about 1.8e308)")
                return _in_range(_mix(a) / _mix(b, a), seg(node))
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            args = node.args
            if name in _UNARY and name not in ("log", "ln") and len(args) != 1:
                raise _Bad(f"{seg(node)}: {name} takes exactly 1 argument ({len(args)} given)")
            if name in ("log", "ln") and len(args) not in (1, 2):
                raise _Bad(f"{seg(node)}: {name} takes 1 or 2 arguments ({len(args)} given)")
            if name in ("min", "max", "Min", "Max") and not args:
                raise _Bad(f"{seg(node)}: {name} takes at least 1 argument (0 given)")
            vals = [fold(a) for a in args]
            if name in ("log", "ln") and len(vals) == 2 and vals[1] is not None and (vals[1] <= 0 or vals[1] == 1):
                raise _Bad(f"{seg(node)} has an invalid base (it must be > 0 and not 1)")
            if not vals or any(v is None for v in vals):  # `open()`: the whitelist walk names it
                return None
            return function(node, name, vals)  # type: ignore[arg-type]
        for child in ast.iter_child_nodes(node):  # anything else: the walk decides; fold its parts
            fold(child)
        return None

    def power(node: ast.BinOp, a: Fraction | float | None, b: Fraction | float | None) -> Fraction | float | None:
        if b is not None and a is None:
            if abs(b) > MAX_EXPONENT:
                raise _Bad(f"the exponent in {seg(node)} is {_fmt(b)}; at most {MAX_EXPONENT} is allowed")
            return None
        if a is None or b is None:
            return None
        if a == 0:
            if b < 0:
                raise _Bad(f"{seg(node)} divides by zero")
            return Fraction(0) if b > 0 else Fraction(1)
        integer = isinstance(b, Fraction) and b.denominator == 1
        if a < 0 and not integer:
            raise _Bad(f"{seg(node)} is not a real number (a negative base to a fractional power)")
        size = float(b) * _lg(a)
        if size > 308.25:
            raise _Bad(f"{seg(node)} is beyond float range (about 1.8e308)")
        if size < -307.65:
            raise _Bad(f"{seg(node)} is below float range (about 2.2e-308)")
        if integer and isinstance(a, Fraction):
            return _in_range(a ** int(b), seg(node))  # bounded: the result is within float range
        return _in_range(float(a) ** float(b), seg(node))

    def function(node: ast.Call, name: str, vals: list[Fraction | float]) -> Fraction | float | None:
        x = vals[0]
        where = seg(node)
        if name in ("min", "Min"):
            return min(vals)
        if name in ("max", "Max"):
            return max(vals)
        if name in ("abs", "Abs"):
            return abs(x)
        if name == "floor":
            return Fraction(math.floor(x))
        if name == "ceil":
            return Fraction(math.ceil(x))
        if name == "sqrt":
            if x < 0:
                raise _Bad(f"{where} is not a real number (the square root of a negative number)")
            return math.sqrt(x)
        if name in ("log", "ln"):
            if x <= 0:
                raise _Bad(f"{where} is not finite (the logarithm of a number <= 0)")
            if len(vals) == 2 and (vals[1] <= 0 or vals[1] == 1):
                raise _Bad(f"{where} has an invalid base (it must be > 0 and not 1)")
            return math.log(x) / (math.log(vals[1]) if len(vals) == 2 else 1.0)
        if name == "exp":
            if x > 709.78:
                raise _Bad(f"{where} is beyond float range (about 1.8e308)")
            return _in_range(math.exp(x), where)
        trig = {"sin": math.sin, "cos": math.cos, "tanh": math.tanh}.get(name)
        return None if trig is None else trig(x)  # not whitelisted (`open(1)`): the walk names it

    try:
        fold(tree)
    except _Bad as exc:
        raise InvalidModel(f"{short_repr(text, 60)}: {exc}", field=field) from None
    except (OverflowError, ValueError, ZeroDivisionError) as exc:  # pragma: no cover - the checks come first
        raise InvalidModel(f"{short_repr(text, 60)} cannot be evaluated: {exc}", field=field) from None


def _lg(x: Fraction | float) -> float:
    return _log10_abs(x) if isinstance(x, Fraction) else (math.log10(abs(x)) if x else -math.inf)


def _mix(x: Fraction | float, other: Fraction | float | None = None) -> Fraction | float:
    """Fractions stay exact; once a float (e.g. ``pi``, ``exp(1)``) is involved, arithmetic is float."""
    return float(x) if isinstance(other, float) else x


def _fmt(x: Fraction | float) -> str:
    return str(x.numerator) if isinstance(x, Fraction) and x.denominator == 1 and x.numerator.bit_length() < 200 \
        else f"{float(x):.3g}"


def check_formula_value(expr: Any, text: str, field: str) -> None:
    """Refuse a parsed formula that sympy already knows to be infinite, undefined or complex
    (``1/(t - t)``, ``0**-1`` hidden behind symbols)."""
    import sympy as sp

    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise InvalidModel(f"{short_repr(text, 60)} is infinite or undefined (a division by zero?)", field=field)
    if expr.has(sp.I):
        raise InvalidModel(f"{short_repr(text, 60)} is not a real number", field=field)


def float_safe(expr: Any) -> Any:
    """``expr`` with integers and rationals too large for numpy's integer types turned into floats,
    so the compiled function never hands numpy a Python int it cannot take (``sin(10**300)``)."""
    import sympy as sp

    big = {a: sp.Float(a, 17) for a in expr.atoms(sp.Rational)
           if abs(int(a.p)).bit_length() > 62 or int(a.q).bit_length() > 62}
    return expr.xreplace(big) if big else expr


def exact_evaluator(expr: Any, symbols: Iterable[str], *, field: str = "formula"
                    ) -> Callable[..., Fraction | None]:
    """Evaluate ``expr`` at rational points in exact arithmetic, within :data:`MAX_EXACT_DIGITS`.

    Returns a function of the ``symbols`` (positional, :class:`~fractions.Fraction` or int)
    giving a :class:`~fractions.Fraction`, or ``None`` where the value is irrational
    (``sqrt(2)``, ``exp(1)``). Every power's size is estimated from the bit lengths before it
    is computed; a result that would exceed the limit raises :class:`~mechsolve.errors.Unsupported`
    (run in float64 instead), a division by zero :class:`~mechsolve.errors.InvalidModel`.

    Examples
    --------
    >>> import sympy as sp
    >>> f = exact_evaluator(parse_formula("(t + 1)**2 / 3", ["t"]), ["t"])
    >>> f(Fraction(1, 2))
    Fraction(3, 4)
    >>> f2 = exact_evaluator(parse_formula("sqrt(t)", ["t"]), ["t"])
    >>> f2(Fraction(4)), f2(Fraction(2))
    (Fraction(2, 1), None)
    """
    import sympy as sp

    from ..errors import Unsupported

    syms = [sp.Symbol(s, real=True) for s in symbols]
    funcs = {sp.exp, sp.log, sp.sin, sp.cos, sp.tanh}

    class _Irrational(Exception):
        pass

    def big(x: Fraction) -> Fraction:
        if _digits(x) > MAX_EXACT_DIGITS:
            raise Unsupported(f"exact evaluation of {shorten(str(expr), 60)} needs numbers of more than "
                              f"{MAX_EXACT_DIGITS:,} digits; run in float64 (--float)", field=field)
        return x

    def ev(node: Any, env: dict[Any, Fraction]) -> Fraction:
        if node.is_Symbol:
            return env[node]
        if node.is_Rational:
            return Fraction(int(node.p), int(node.q))
        if node.is_Float:
            return Fraction(repr(float(node)))
        if node.is_Add:
            return big(sum((ev(a, env) for a in node.args), Fraction(0)))
        if node.is_Mul:
            out = Fraction(1)
            for a in node.args:
                out = big(out * ev(a, env))
            return out
        if node.is_Pow:
            base, e = ev(node.base, env), ev(node.exp, env)
            if e.denominator != 1:  # a rational power: exact only for perfect powers
                root = _exact_root(base, e.denominator)
                if root is None:
                    raise _Irrational
                base, e = root, Fraction(e.numerator)
            k = int(e)
            if base == 0:
                if k < 0:
                    raise InvalidModel(f"{shorten(str(expr), 60)} divides by zero at "
                                       f"{', '.join(f'{s}={v}' for s, v in env.items())}", field=field)
                return Fraction(0) if k else Fraction(1)
            if abs(k) * _digits(base) > MAX_EXACT_DIGITS and abs(base) != 1:
                big(Fraction(10) ** (MAX_EXACT_DIGITS + 1))  # raises, naming the limit
            return big(base ** k)
        if isinstance(node, sp.Abs):
            return abs(ev(node.args[0], env))
        if isinstance(node, (sp.Min, sp.Max)):
            vals = [ev(a, env) for a in node.args]
            return min(vals) if isinstance(node, sp.Min) else max(vals)
        if isinstance(node, sp.floor):
            return Fraction(math.floor(ev(node.args[0], env)))
        if isinstance(node, sp.ceiling):
            return Fraction(math.ceil(ev(node.args[0], env)))
        if node.func in funcs:
            args = [ev(a, env) for a in node.args]
            y = node.func(*[sp.Rational(a.numerator, a.denominator) for a in args])
            if y.is_Rational:
                return Fraction(int(y.p), int(y.q))
            raise _Irrational
        if node.is_number and not node.is_finite:
            raise InvalidModel(f"{shorten(str(expr), 60)} is not finite", field=field)
        raise _Irrational  # pi, E and anything without an exact rational value

    def call(*values: Any) -> Fraction | None:
        env = {s: (v if isinstance(v, Fraction) else Fraction(v)) for s, v in zip(syms, values)}
        try:
            return ev(expr, env)
        except _Irrational:
            return None

    return call


def _exact_root(x: Fraction, q: int) -> Fraction | None:
    """The rational ``q``-th root of ``x`` ≥ 0 when there is one, else None."""
    if x < 0 or q > 64:
        return None
    def iroot(n: int) -> int | None:
        r = round(n ** (1.0 / q)) if n.bit_length() < 1000 else int(math.exp(math.log(n) / q))
        for c in (r - 1, r, r + 1):
            if c >= 0 and c**q == n:
                return c
        return None
    a, b = iroot(x.numerator), iroot(x.denominator)
    return None if a is None or b is None else Fraction(a, b)
