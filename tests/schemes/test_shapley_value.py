"""The Shapley scheme (mechsolve/schemes/shapley_value.py): its rule is the semivalue it declares."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from mechsolve.games.semivalues import Semivalue
from mechsolve.schemes import SCHEMES, get_scheme

from strategies import games

SHAPLEY = get_scheme("shapley")


@given(games(min_n=1, max_n=6, integers=True))
@settings(max_examples=30, deadline=None)
def test_the_exact_method_is_the_declared_semivalue(g):
    rule = SHAPLEY.bind({})
    assert rule.semivalue == Semivalue("shapley")
    for game in (g, g.to_exact()):
        want = rule.semivalue(game)
        got = rule(game)
        assert got.dtype == want.dtype and list(got) == list(want)    # the same computation, bitwise


def test_monte_carlo_declares_nothing_and_no_other_scheme_declares_a_semivalue():
    assert SHAPLEY.bind({"method": "monte-carlo"}).semivalue is None
    others = [s.name for s in SCHEMES.values() if s.name != "shapley" and s.semivalue is not None]
    assert others == []         # a new declaration needs its own test like the one above
