"""Turn a declared cooperative market into a :class:`~mechsolve.games.game.Game`."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from ..errors import InvalidModel
from ..games.game import Game, guard_table_memory
from ..model.io import load_callable, read_value_file, resolve
from ..model.market import CooperativeMarket


def build_game(model: CooperativeMarket, base_dir: str | os.PathLike[str] = ".", *,
               exact: bool | None = None, learn: Any = None) -> Game:
    """The game ``v`` a market declares, validated (finite, complete, ``v(∅)`` rule).

    ``exact`` (default: the model's ``exact``) gives a Fraction game; floats read
    from files are taken as the decimals they print as (``limit_denominator``
    free: ``Fraction(str(x))``) so that ``0.1`` is ``1/10``. ``learn`` (a
    :class:`~mechsolve.data.learn.LearnOptions`) says where a learned value's
    trainings run and are cached (default: :meth:`~mechsolve.data.learn.LearnOptions.from_env`).
    """
    base = Path(base_dir)
    exact = model.exact if exact is None else exact
    spec = model.value
    names = list(model.players)
    allow = not model.normalised
    kwargs = dict(fill=spec.fill, default=spec.default, allow_nonzero_empty=allow)
    if spec.table is not None:
        game = Game.from_table(names, _decimals(spec.table, exact), exact=exact, **kwargs)
    elif spec.values is not None:
        game = Game.from_values(names, _decimal_list(spec.values, exact), exact=exact,
                                allow_nonzero_empty=allow)
    elif spec.file is not None:
        path = resolve(base, spec.file, "value.file")
        vals, table = read_value_file(path, names)
        if vals is not None:
            try:
                game = Game.from_values(names, _decimal_list(list(vals), exact) if exact else vals,
                                        exact=exact, allow_nonzero_empty=allow)
            except InvalidModel as exc:  # name the file as well as the entry at fault
                at = f" at {exc.field}" if exc.field and exc.field != "value" else ""
                raise InvalidModel(exc.message, field=f"value.file ({path.name}){at}") from None
        else:
            assert table is not None
            where = f"value.file ({path.name})"
            game = Game.from_table(names, _decimals(table, exact, where), exact=exact, field=where, **kwargs)
    elif getattr(spec, "learn", None) is not None:  # trained models (Nguyen et al. 2022; Ohrimenko et al. 2019)
        from .learn import learned_game

        game = learned_game(model, base, options=learn, exact=exact)
    elif getattr(spec, "datasets", None) is not None:  # MMD data value (Tay et al. 2022)
        from .dataset_market import dataset_game

        game = dataset_game(model, base, exact=exact)
    else:
        assert spec.callable is not None
        guard_table_memory(len(names))  # refuse the table before running any user code
        fn = load_callable(base, spec.callable)
        game = Game.from_callable(names, fn, exact=exact, allow_nonzero_empty=allow)
        if not exact:  # computed values: no exact reading of them decides a tie (mechsolve.decide)
            game = Game(game.names, game.values, {**game.meta, "rational": False})
    return game


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
