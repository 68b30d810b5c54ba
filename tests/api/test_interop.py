"""shapiq games and pyDVL utilities in, InteractionValues and ValuationResult out (mechsolve/api/interop.py).

Against the real packages (the ``compat`` extra, part of ``test``; these tests skip without them):
mechsolve's values of a shapiq game are compared with shapiq's own ``ExactComputer``, and those of a
pyDVL ``Utility`` with pyDVL's own exact Shapley computation. Large games are sampled: checked
against the closed form of ``v(S) = (Σ_{i∈S} w_i)²``, whose Shapley value is ``φ_i = w_i Σ_j w_j``.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import mechsolve as ms
from mechsolve.api import interop
from mechsolve.errors import InvalidModel, Unsupported

# pyDVL 0.9.2 and its pyDeprecate announce their own deprecations on import; they are not ours
pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore:.*deprecated.*:UserWarning")]


class PowerOfSum:
    """``v(S) = (Σ_{i∈S} w_i)^k`` in the shapiq protocol (no shapiq needed); counts the rows it is called on.

    Its Shapley value has a closed form: expanding ``v`` into monomials ``w_{j1}…w_{jk}``, each is
    ``Π w`` times the unanimity game of its support ``T``, whose Shapley value is ``1/|T|`` for each
    member (Shapley 1953), so ``φ_i = Σ_{(j1..jk) ∋ i} w_{j1}…w_{jk} / |{j1..jk}|``.
    """

    def __init__(self, n: int, k: int = 3) -> None:
        self.n_players = n
        self.k = k
        self.w = np.linspace(0.5, 1.5, n)
        self.rows = 0

    def __call__(self, coalitions: np.ndarray) -> np.ndarray:
        self.rows += coalitions.shape[0]
        return (coalitions @ self.w) ** self.k

    def shapley(self) -> np.ndarray:
        n, w = self.n_players, self.w
        phi = np.zeros(n)
        if self.k == 2:
            return w * w.sum()
        for j in range(n):
            for k in range(n):
                for l in range(n):
                    support = {j, k, l}
                    for i in support:
                        phi[i] += w[j] * w[k] * w[l] / len(support)
        return phi


# --------------------------------------------------------------------------- protocols, no packages needed
def test_small_protocol_games_are_tabulated_exactly():
    g = PowerOfSum(6)
    s = ms.shapley(g)
    assert g.rows == 2**6 and s.std_error is None
    assert np.allclose(s, g.shapley(), rtol=0, atol=1e-12)
    assert ms.banzhaf(g).players == tuple(str(k) for k in range(6))


def test_large_protocol_games_are_sampled_never_tabulated():
    g = PowerOfSum(40)
    s = ms.shapley(g, permutations=300, seed=3)
    assert g.rows == s.scalars["value calls"] < 300 * 40 + 100 and s.std_error is not None
    err = np.abs(np.asarray(s) - g.shapley())
    assert np.all(err <= 5 * s.std_error), (err / s.std_error).max()   # within 5 standard errors of the truth
    assert abs(np.asarray(s).sum() - g.shapley().sum()) < 1e-6 * g.shapley().sum()  # efficient per permutation
    # (Σ w)²: an antithetic pair's mean marginal is w_i (W − w_i) + w_i² = φ_i, so the estimate is exact
    sq = PowerOfSum(40, k=2)
    assert np.allclose(ms.shapley(sq, permutations=20, seed=0), sq.shapley(), rtol=1e-12)
    rep = ms.check(g, scheme="shapley", axioms=["efficiency", "symmetry"])
    assert [str(v.status) for v in rep] == ["holds", "not-applicable"]
    with pytest.raises(Unsupported, match="40 players: banzhaf"):
        ms.banzhaf(g)


def test_large_protocol_games_are_never_tabulated_unasked():
    """check(payments=...) and design on a foreign game above EXACT_LIMIT used to evaluate all 2^n coalitions
    silently (for a pyDVL utility: 2^n model trainings, an unbounded wait); now they refuse before one call."""
    n = interop.EXACT_LIMIT + 1
    g = PowerOfSum(n)
    with pytest.raises(Unsupported, match=f"{n} players: this needs its values on all 2\\^{n} coalitions"):
        ms.check(g, payments=[0.0] * n)
    with pytest.raises(Unsupported, match="evaluated only up to n = 16"):
        ms.design(g)
    assert g.rows == 0
    asked = ms.solve(g, "banzhaf", method="exact")            # asked: tabulated, for a scheme without `method`
    assert g.rows == 2**n
    table = ms.Game.from_object(PowerOfSum(n))
    assert np.allclose(asked, ms.banzhaf(table), rtol=0, atol=0) and asked.std_error is None


def test_index_utilities_are_read_by_protocol():
    class Data:
        indices = np.arange(3)
        data_names = np.array(["x", "y", "z"])

    class U:
        data = Data()

        def __call__(self, idx):
            return float(len(tuple(idx))) ** 2

    s = ms.shapley(U())
    assert s.to_dict() == pytest.approx({"x": 3.0, "y": 3.0, "z": 3.0})


def test_exports_say_what_is_missing(monkeypatch):
    s = ms.shapley(ms.Game.from_array([0, 1, 2, 4]))
    for name in ("shapiq", "pydvl", "pydvl.value", "pydvl.utils", "pydvl.utils.status"):
        monkeypatch.setitem(sys.modules, name, None)      # an import of it fails, as when it is not installed
    with pytest.raises(Unsupported, match=r"pip install 'mechsolve\[compat\]'"):
        s.to_shapiq()
    with pytest.raises(Unsupported, match=r"pip install 'mechsolve\[compat\]'"):
        s.to_pydvl()
    with pytest.raises(Unsupported, match="no interaction index for scheme 'beta-shapley'"):
        ms.beta_shapley(ms.Game.from_array([0, 1, 2, 4])).to_shapiq()


# --------------------------------------------------------------------------- shapiq itself
@pytest.fixture(scope="module")
def shapiq():
    return pytest.importorskip("shapiq")


def _shapiq_game(shapiq, n: int, names=None):
    class Game(shapiq.Game):
        def __init__(self) -> None:
            super().__init__(n_players=n, normalize=True, normalization_value=0.25, player_names=names)
            self.w = np.linspace(1, 2, n)

        def value_function(self, coalitions):
            return np.sqrt(coalitions @ self.w) + 0.25 * coalitions[:, 0] * coalitions[:, -1] + 0.25

    return Game()


def test_shapiq_game_values_equal_shapiqs_exact_computer(shapiq):
    g = _shapiq_game(shapiq, 5, names=list("abcde"))
    exact = shapiq.ExactComputer(g, n_players=5)
    for scheme, index in (("shapley", "SV"), ("banzhaf", "BV")):
        ours = ms.solve(g, scheme)
        assert ours.players == tuple("abcde")
        assert np.allclose(ours, exact(index).get_n_order_values(1), rtol=0, atol=1e-12)
        iv = ours.to_shapiq()
        assert isinstance(iv, shapiq.InteractionValues) and iv.index == index and iv.n_players == 5
        assert np.allclose(iv.get_n_order_values(1), exact(index).get_n_order_values(1), atol=1e-12)
        assert iv.baseline_value == 0.0 and iv[()] == 0.0     # the normalised game's v(∅), as shapiq has it
    # Game.from_callable(names, shapiq_game): the coalition matrix, with the given names
    h = ms.Game.from_callable(list("vwxyz"), g)
    assert h.names == tuple("vwxyz") and np.allclose(ms.shapley(h), exact("SV").get_n_order_values(1))


def test_a_large_shapiq_game_is_sampled(shapiq):
    g = _shapiq_game(shapiq, 24)
    s = ms.shapley(g, permutations=50, seed=0)
    assert s.std_error is not None and s.scalars["value calls"] < 50 * 24 + 50
    assert abs(np.asarray(s).sum() - (g(np.ones((1, 24), bool))[0] - g(np.zeros((1, 24), bool))[0])) < 1e-9
    iv = s.to_shapiq()
    assert iv.estimated and iv.estimation_budget == s.scalars["value calls"]


# --------------------------------------------------------------------------- pyDVL itself
@pytest.fixture(scope="module")
def pydvl():
    pytest.importorskip("pydvl")
    value, status = interop.import_pydvl()
    from pydvl.utils import Dataset, Utility

    return value, status, Dataset, Utility


def _utility(Dataset, Utility, n: int = 6):
    from sklearn.datasets import load_iris
    from sklearn.naive_bayes import GaussianNB

    x, y = load_iris(return_X_y=True)
    keep = np.random.default_rng(0).permutation(len(y))[: n * 10]
    data = Dataset.from_arrays(x[keep], y[keep], train_size=0.1, random_state=0)
    assert len(data.indices) == n
    return Utility(GaussianNB(), data, "accuracy")


def test_pydvl_utility_values_equal_pydvls_exact_shapley(pydvl):
    value, status, Dataset, Utility = pydvl
    u = _utility(Dataset, Utility)
    ours = ms.shapley(u)
    from pydvl.value.shapley.naive import combinatorial_exact_shapley

    theirs = combinatorial_exact_shapley(u, n_jobs=1, progress=False)
    assert ours.players == tuple(str(i) for i in theirs.indices)
    assert np.allclose(ours, theirs.values, rtol=0, atol=1e-12)
    r = ours.to_pydvl()
    assert isinstance(r, value.ValuationResult) and r.status == status.Status.Converged
    assert np.allclose(r.values, theirs.values, atol=1e-12) and list(r.names) == list(ours.players)
    assert list(r.to_dataframe().index) == list(range(len(ours)))
    rep = ms.check(u, payments=ours.to_dict())
    assert str(rep["efficiency"].status) == "holds"


def test_a_large_pydvl_utility_is_sampled_and_not_tabulated(pydvl):
    """n = 20 data points: Shapley by Monte Carlo (120 trainings), a payment check refused instead of 2^20 trainings."""
    value, status, Dataset, Utility = pydvl
    from sklearn.datasets import load_iris
    from sklearn.naive_bayes import GaussianNB

    x, y = load_iris(return_X_y=True)
    data = Dataset.from_arrays(x, y, train_size=20 / 150, random_state=0)
    u = Utility(GaussianNB(), data, "accuracy")
    assert len(data.indices) == 20
    s = ms.shapley(u, permutations=5, seed=0)
    assert s.std_error is not None and s.scalars["value calls"] <= 5 * 20 + 20
    grand, empty = u(data.indices), u([])
    assert abs(np.asarray(s).sum() - (grand - empty)) < 1e-9       # each permutation telescopes to v(N) − v(∅)
    r = s.to_pydvl()
    assert isinstance(r, value.ValuationResult) and r.status == status.Status.Pending
    assert np.allclose(r.variances, s.std_error ** 2)
    with pytest.raises(Unsupported, match="20 players"):
        ms.check(u, payments=s)


def test_a_pydvl_estimate_carries_its_variances(pydvl):
    value, status, *_ = pydvl
    s = ms.shapley(ms.Game.from_array(np.arange(16.0) * (np.arange(16) > 0)), method="monte-carlo",
                   permutations=40, seed=0)
    r = s.to_pydvl()
    assert np.allclose(r.variances, s.std_error ** 2) and set(r.counts) == {40}


def test_as_game_names_what_it_accepts():
    with pytest.raises(InvalidModel, match="shapiq Game"):
        interop.as_game("not a game")
