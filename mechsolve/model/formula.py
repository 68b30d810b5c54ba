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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..errors import InvalidModel

MAX_FORMULA_LENGTH = 2000


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
            return sp.nsimplify(node.value) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in allowed:
                return allowed[node.id]
            if node.id in consts:
                return sp.sympify(consts[node.id]) if not isinstance(consts[node.id], float) \
                    else sp.Float(consts[node.id])
            if node.id in ("pi", "e", "E"):
                return sp.pi if node.id == "pi" else sp.E
            valid = ", ".join(sorted(set(allowed) | set(consts)))
            raise InvalidModel(f"unknown name {node.id!r} in {text!r}; allowed: {valid}", field=field)
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b, ast.Pow: lambda: a**b}
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


def compile_formula(expr: Any, symbols: Iterable[str]) -> Callable[..., np.ndarray]:
    """A numpy function of the ``symbols`` (positional, in order) computing ``expr``."""
    import sympy as sp

    syms = [sp.Symbol(s, real=True) for s in symbols]
    return sp.lambdify(syms, expr, modules="numpy")
