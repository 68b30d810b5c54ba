"""Shared test helpers: hypothesis strategies for games (import as `from strategies import games`),
and the ``allow_code`` fixture (``from strategies import allow_code``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

from mechsolve.games.game import Game
from mechsolve.model.io import CodePolicy, code_policy


@pytest.fixture
def allow_code() -> Iterator[CodePolicy]:
    """Consent to run user code (what ``--allow-code`` gives) for one test; withdrawn after it."""
    with code_policy(allow=True) as policy:
        yield policy

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"


def names(n: int) -> list[str]:
    return [f"p{k}" for k in range(n)]


@st.composite
def games(draw: st.DrawFn, min_n: int = 1, max_n: int = 6, integers: bool = False) -> Game:
    """Random normalised games; integer-valued when ``integers`` (exact-friendly)."""
    n = draw(st.integers(min_n, max_n))
    if integers:
        vals = draw(st.lists(st.integers(-20, 20), min_size=2**n, max_size=2**n))
    else:
        vals = draw(st.lists(st.floats(-10, 10, allow_nan=False, width=32), min_size=2**n, max_size=2**n))
    arr = np.asarray(vals, dtype=np.float64)
    arr[0] = 0.0
    return Game.from_values(names(n), arr)
