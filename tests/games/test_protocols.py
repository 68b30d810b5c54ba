"""Reading the field's game objects by protocol (mechsolve/games/protocols.py), without their packages.

The real shapiq and pyDVL objects are tested in tests/api/test_interop.py; here stand-ins that
follow the same protocols check detection, the bitmask order, the names, and that every
failure of the object is one InvalidModel naming the coalition, never a number.
"""

from __future__ import annotations

import numpy as np
import pytest

from mechsolve.errors import InvalidModel
from mechsolve.games import protocols as pr


class Matrix:
    def __init__(self, n, f=None, lookup=None):
        self.n_players = n
        self.f = f or (lambda m: m.sum(axis=1).astype(float))
        self.calls = []
        if lookup is not None:
            self.player_name_lookup = lookup

    def __call__(self, coalitions):
        self.calls.append(coalitions.shape[0])
        return self.f(coalitions)


class Data:
    def __init__(self, n, names=None):
        self.indices = np.arange(n)
        if names is not None:
            self.data_names = np.array(names)


class Utility:
    """pyDVL's protocol: called with a tuple of data indices; ``data.indices``, ``data.data_names``."""

    def __init__(self, n, names=None, f=None):
        self.data = Data(n, names)
        self.f = f or (lambda idx: float(sum(i + 1 for i in idx)))

    def __call__(self, indices):
        return self.f(tuple(indices))


def test_detection():
    assert pr.is_matrix_game(Matrix(2)) and not pr.is_index_utility(Matrix(2))
    assert pr.is_index_utility(Utility(2)) and not pr.is_matrix_game(Utility(2))
    for other in (lambda s: 0.0, 3, "x", np.zeros(4)):
        assert not pr.is_matrix_game(other) and not pr.is_index_utility(other)

    class BoolPlayers(Matrix):
        n_players = True   # not an integer count

    assert not pr.is_matrix_game(BoolPlayers.__new__(BoolPlayers))


def test_coalition_matrix_is_bitmask_order():
    m = pr.coalition_matrix(3, 0, 8)
    for mask in range(8):
        assert [bool(mask >> k & 1) for k in range(3)] == m[mask].tolist()
    assert pr.coalition_matrix(3, 5, 7).tolist() == m[5:7].tolist()


def test_matrix_game_tabulated_in_chunks(monkeypatch):
    monkeypatch.setattr(pr, "CHUNK_ROWS", 4)
    g = Matrix(4)
    vals = pr.tabulate_matrix_game(g)
    assert vals.tolist() == [bin(m).count("1") for m in range(16)] and g.calls == [4, 4, 4, 4]


def test_names_from_shapiq_lookup_else_indices():
    assert pr.matrix_game_players(Matrix(2, lookup={"b": 1, "a": 0})) == ("a", "b")
    assert pr.matrix_game_players(Matrix(2, lookup={"a": 0})) == ("0", "1")      # incomplete: indices
    assert pr.utility_players(Utility(2, names=["x", "y"])) == ("x", "y")
    assert pr.utility_players(Utility(2)) == ("0", "1")


def test_index_utility_tabulated_on_subsets_of_indices():
    vals = pr.tabulate_index_utility(Utility(3))
    assert vals.tolist() == [sum(k + 1 for k in range(3) if m >> k & 1) for m in range(8)]


@pytest.mark.parametrize("f, match", [
    (lambda m: 1 / 0, "raised ZeroDivisionError"),
    (lambda m: np.zeros(m.shape[0] + 1), "returned 5 values for 4 coalitions"),
    (lambda m: np.where(m[:, 0] & m[:, 1], np.nan, 0.0), r"returned nan on the coalition of players \[0, 1\]"),
    (lambda m: ["a"] * m.shape[0], "not numbers"),
])
def test_matrix_game_failures_are_one_invalid_model(f, match):
    with pytest.raises(InvalidModel, match=match):
        pr.tabulate_matrix_game(Matrix(2, f))


def test_utility_failures_name_the_subset():
    with pytest.raises(InvalidModel, match=r"raised KeyError.*on the subset \[\]"):
        pr.tabulate_index_utility(Utility(2, f=lambda idx: {}[idx]))
    with pytest.raises(InvalidModel, match=r"returned inf on the subset \[0, 1\]"):
        pr.tabulate_index_utility(Utility(2, f=lambda idx: float("inf") if len(idx) == 2 else 0.0))


def test_matrix_function_for_both_protocols_matches_the_table():
    rows = pr.coalition_matrix(3, 0, 8)
    for obj in (Matrix(3), Utility(3)):
        f = pr.matrix_function(obj)
        assert f(rows).tolist() == pr.tabulate(obj).tolist()
