"""Turn a declared cooperative market into a :class:`~mechsolve.games.game.Game`."""

from __future__ import annotations

from typing import Any

from ..games.game import Game, guard_table_memory
from ..games.tables import _decimal_list, _decimals, table_game
from ..model.io import load_code
from ..model.market import CooperativeMarket
from ..model.resolved import resolved_of


def build_game(model: CooperativeMarket, *, exact: bool | None = None, learn: Any = None) -> Game:
    """The game ``v`` a market declares, validated (finite, complete, ``v(∅)`` rule).

    Files the market names were read when it was loaded (:func:`mechsolve.model.io.load`);
    they are taken from its resolved bundle here, never read again.

    ``exact`` (default: the model's ``exact``) gives a Fraction game; floats read
    from files are taken as the decimals they print as (``limit_denominator``
    free: ``Fraction(str(x))``) so that ``0.1`` is ``1/10``. ``learn`` (a
    :class:`~mechsolve.data.learn.LearnOptions`) says where a learned value's
    trainings run and are cached (default: :meth:`~mechsolve.data.learn.LearnOptions.from_env`).
    """
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
        game = table_game(names, resolved_of(model).table("value.file"), exact=exact, field="value.file",
                          **kwargs)
    elif getattr(spec, "learn", None) is not None:  # trained models (Nguyen et al. 2022; Ohrimenko et al. 2019)
        from .learn import learned_game

        game = learned_game(model, options=learn, exact=exact)
    elif getattr(spec, "datasets", None) is not None:  # MMD data value (Tay et al. 2022)
        from .dataset_market import dataset_game

        game = dataset_game(model, exact=exact)
    else:
        assert spec.callable is not None
        guard_table_memory(len(names))  # refuse the table before running any user code
        fn = load_code(resolved_of(model).code("value.callable"))
        game = Game.from_callable(names, fn, exact=exact, allow_nonzero_empty=allow)
        if not exact:  # computed values: no exact reading of them decides a tie (mechsolve.decide)
            game = Game(game.names, game.values, {**game.meta, "rational": False})
    return game
