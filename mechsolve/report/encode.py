"""The one JSON encoder: numpy arrays and scalars, fractions, non-finite floats."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np


def to_jsonable(x: Any) -> Any:
    """Convert numpy arrays/scalars and Fractions into JSON values (Fractions as ``"p/q"``)."""
    t = type(x)
    if t is float:  # the common leaves first (a mechanism report has ~10^6 of them)
        return x if x == x and x not in (float("inf"), float("-inf")) else str(x)
    if t is str or t is int or x is None:
        return x
    if isinstance(x, Fraction):
        return float(x)
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
