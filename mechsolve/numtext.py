"""Numbers as text: fractions as ``p/q (≈decimal)``, floats to a few significant digits (any room may use it).

Examples
--------
>>> fmt(-0.0), fmt(0.09799999744, 6), fmt(Fraction(8, 9), 6)
('0', '0.098', '8/9 (≈0.888889)')
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import numpy as np


def exact_text(x: Fraction) -> str:
    """An exact value as data writes it: ``"p/q"``, or ``"p"`` when the denominator is 1.

    The one spelling of a Fraction in JSON (:func:`mechsolve.report.encode.to_jsonable`) and in
    written model files.

    Examples
    --------
    >>> exact_text(Fraction(-3, 4)), exact_text(Fraction(6, 3))
    ('-3/4', '2')
    """
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def plain_number(x: Any) -> Any:
    """A number as a written model file holds it: integers bare, other Fractions ``"p/q"``, numpy
    scalars as Python numbers, integral floats as ints (YAML and JSON read them back exactly).

    Examples
    --------
    >>> plain_number(Fraction(3, 2)), plain_number(Fraction(4, 2)), plain_number(np.float64(2.0)), plain_number(0.5)
    ('3/2', 2, 2, 0.5)
    """
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else exact_text(x)
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def fmt(x: Any, digits: int = 10) -> str:
    """A number as text: Fractions as ``p/q (≈float)``, floats to ``digits`` significant digits."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return exact_text(x)
        return f"{exact_text(x)} (≈{float(x):.{digits}g})"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (float, np.floating)):
        return "0" if x == 0 else f"{float(x):.{digits}g}"   # never "-0"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if x is None:
        return "—"
    if isinstance(x, (list, tuple)):
        return "{" + ", ".join(fmt(v, digits) for v in x) + "}"
    if isinstance(x, dict):
        return ", ".join(f"{k}={fmt(v, digits)}" for k, v in x.items())
    return str(x)


def natural_key(text: str) -> list[Any]:
    """Sort key that reads the numbers in ``text`` as numbers (``"D/ε = 215"`` before ``"D/ε = 1512"``).

    Examples
    --------
    >>> sorted(["K = 1512", "K = 215", "K = 2974", "K = 286"], key=natural_key)
    ['K = 215', 'K = 286', 'K = 1512', 'K = 2974']
    """
    out: list[Any] = []
    for part in re.split(r"(-?\d+(?:\.\d+)?)", text):
        if re.fullmatch(r"-?\d+(?:\.\d+)?", part):
            out.append((0, float(part), ""))
        elif part:
            out.append((1, 0.0, part))
    return out
