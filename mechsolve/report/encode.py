"""The one JSON encoder: numpy arrays and scalars, fractions, non-finite floats.

The README's "JSON output" contract: numbers are JSON numbers, exact values are strings.
Results' ``to_dict()`` decide which is which — fields documented as numbers hold floats
(:func:`mechsolve.result.numbers`), exact fields hold :class:`~fractions.Fraction` — and this
encoder writes every Fraction as ``"p/q"`` (``"p"`` when the denominator is 1).

Examples
--------
>>> to_jsonable({"value": 0.5, "exact": Fraction(1, 2), "whole": Fraction(3), "inf": float("inf")})
{'value': 0.5, 'exact': '1/2', 'whole': '3', 'inf': 'inf'}
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

from ..numtext import exact_text


def to_jsonable(x: Any) -> Any:
    """Convert numpy arrays/scalars and Fractions into JSON values (Fractions as ``"p/q"`` strings)."""
    t = type(x)
    if t is float:  # the common leaves first (a mechanism report has ~10^6 of them)
        return x if x == x and x not in (float("inf"), float("-inf")) else str(x)
    if t is str or t is int or x is None:
        return x
    if isinstance(x, Fraction):
        return exact_text(x)
    if isinstance(x, np.ndarray):
        return [to_jsonable(v) for v in x.tolist()] if x.dtype == object else x.tolist()
    if isinstance(x, (np.floating, np.integer, np.bool_)):
        return x.item()
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return str(x)
    return x


def render_json(data: dict[str, Any]) -> str:
    """Stable, indented JSON."""
    return json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n"
