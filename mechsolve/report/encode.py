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
        if x.dtype == object or (x.dtype.kind in "fc" and not np.isfinite(x).all()):
            return [to_jsonable(v) for v in x.tolist()]        # Fractions, and inf/nan as strings
        return x.tolist()
    if isinstance(x, (np.floating, np.integer, np.bool_)):
        return x.item()
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return str(x)
    return x


#: Lists longer than this whose items are mappings or lists are written one item per line.
ROW_LIST = 8


def _default(x: Any) -> Any:
    """What the C encoder cannot write itself (Fractions, numpy values): as :func:`to_jsonable`."""
    out = to_jsonable(x)
    if out is x:
        raise TypeError(f"cannot write {type(x).__name__} as JSON")
    return out


def _line(x: Any) -> str:
    """One value on one line through the C encoder; non-finite floats (which it would write as the
    invalid ``Infinity``/``NaN``) are converted first."""
    try:
        return json.dumps(x, ensure_ascii=False, allow_nan=False, default=_default)
    except (ValueError, TypeError):            # non-finite floats; keys the C encoder refuses
        return json.dumps(to_jsonable(x), ensure_ascii=False)


def _write(x: Any, level: int, out: list[str]) -> None:
    pad = "  " * (level + 1)
    if isinstance(x, dict) and x:
        out.append("{\n")
        for k, (key, v) in enumerate(x.items()):
            out.append(f"{pad}{json.dumps(str(key), ensure_ascii=False)}: ")
            _write(v, level + 1, out)
            out.append(",\n" if k < len(x) - 1 else "\n")
        out.append("  " * level + "}")
    elif isinstance(x, (list, tuple)) and x and any(isinstance(v, (dict, list, tuple)) for v in x):
        rows = len(x) > ROW_LIST
        out.append("[\n")
        for k, v in enumerate(x):
            out.append(pad)
            if rows:
                out.append(_line(v))            # a long list of records: one record per line
            else:
                _write(v, level + 1, out)
            out.append(",\n" if k < len(x) - 1 else "\n")
        out.append("  " * level + "]")
    else:
        out.append(_line(x))                    # scalars and lists of scalars: one line


def render_json(data: Any) -> str:
    """Stable, indented JSON: mappings one key per line, lists of scalars on one line, long lists of
    records one record per line (so 20,000 mechanism profiles are written by the C encoder).

    Examples
    --------
    >>> print(render_json({"a": [1, 2], "b": {"c": Fraction(1, 3)}, "d": float("nan")}), end="")
    {
      "a": [1, 2],
      "b": {
        "c": "1/3"
      },
      "d": "nan"
    }
    """
    if isinstance(data, np.ndarray) or not isinstance(data, (dict, list, tuple)):
        data = to_jsonable(data)
    out: list[str] = []
    _write(data, 0, out)
    return "".join(out) + "\n"
