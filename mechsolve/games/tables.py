"""Games from declared value tables: inline, or read from a file when the model was loaded.

Decimals in a model are read as the fractions they denote in exact arithmetic
(``0.1`` is ``1/10``), as the float they are otherwise.

Examples
--------
>>> table_game(["a", "b"], _table([0, 1, 1, 3]), exact=True, field="value.file").values.tolist()
[Fraction(0, 1), Fraction(1, 1), Fraction(1, 1), Fraction(3, 1)]
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InvalidModel
from ..model.resolved import Reference, ValueTable
from .game import Game


def _table(values: list[float]) -> ValueTable:
    import numpy as np

    return ValueTable(Reference("value.file", ("value", "file"), "t.npy", "table"), "/t.npy",
                      np.asarray(values, dtype=np.float64), None)


def table_game(names: list[str], t: ValueTable, *, exact: bool, field: str, fill: str = "error",
               default: float | None = None, allow_nonzero_empty: bool = False) -> Game:
    """The game of a value table read at load (``value.file``, a task table's ``file``).

    Bitmask-ordered values are used as read (a read-only array, no copy in float); in exact
    arithmetic each float becomes the decimal it prints as. Errors name ``field`` and the file.
    """
    where = f"{field} ({t.file})"
    if t.values is not None:
        try:
            return Game.from_values(names, _decimal_list(list(t.values), exact) if exact else t.values,
                                    exact=exact, allow_nonzero_empty=allow_nonzero_empty)
        except InvalidModel as exc:  # name the file as well as the entry at fault
            at = f" at {exc.field}" if exc.field and exc.field != "value" else ""
            raise InvalidModel(exc.message, field=f"{where}{at}") from None
    assert t.table is not None
    return Game.from_table(names, _decimals(dict(t.table), exact, where), exact=exact, field=where, fill=fill,
                           default=default, allow_nonzero_empty=allow_nonzero_empty)


def _decimals(table: dict, exact: bool, field: str = "value.table") -> dict:
    if not exact:
        return table
    from fractions import Fraction

    out = {}
    for k, v in table.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InvalidModel(f"value must be a number, got {v!r}", field=f"{field}[{k!r}]")
        if isinstance(v, float) and not math.isfinite(v):
            raise InvalidModel(f"value must be a finite number, got {v!r}", field=f"{field}[{k!r}]")
        out[k] = Fraction(str(v)) if isinstance(v, float) else Fraction(v)
    return out


def _decimal_list(values: list, exact: bool) -> list:
    if not exact:
        return values
    from fractions import Fraction

    out = []
    for i, v in enumerate(values):
        if isinstance(v, int):
            out.append(Fraction(v))
            continue
        x = float(v)
        if not math.isfinite(x):
            raise InvalidModel(f"v(bitmask {i}) = {x} is not a finite number", field=f"value[{i}]")
        out.append(Fraction(repr(x)))
    return out


__all__ = ["table_game"]
