"""Every bundled model loads, solves and checks; published values are reproduced."""

from __future__ import annotations

from fractions import Fraction

import pytest

from mechsolve.verify.analysis import analyse
from mechsolve.model.io import load
from mechsolve.games.shapley import shapley
from mechsolve.cli.exit_codes import exit_code
from mechsolve.model.io import resolve_model

from strategies import MODELS, allow_code  # noqa: F401  (fixture: two bundled models run .py files)

MARKETS = sorted(p for p in MODELS.glob("*.yaml") if load(p).kind == "cooperative-market")


def _expected_exit(path):
    """A model that is meant to fail an axiom says so on its first line: `# expect-exit: 1` (README)."""
    first = (path.read_text().splitlines() or [""])[0]
    return int(first.split(":", 1)[1]) if first.startswith("# expect-exit:") else 0


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.yaml")), ids=lambda p: p.name)
def test_expect_exit_is_on_the_first_line_or_nowhere(path):
    lines = path.read_text().splitlines()
    assert not [k + 1 for k, line in enumerate(lines[1:], 1) if "expect-exit" in line], \
        f"{path.name}: `# expect-exit` must be the first line (README, Bundled models)"


@pytest.mark.parametrize("path", MARKETS, ids=lambda p: p.name)
def test_bundled_market_solves_and_its_axioms_hold(path, allow_code):
    model = load(path)
    if "builtin:" in path.read_text():
        pytest.importorskip("sklearn", reason="built-in datasets need the `data` extra (scikit-learn)")
    result = analyse(resolve_model(model, path.parent), source_path=str(path))
    bad = [v for v in result.checks.verdicts if v.status == "violated"]
    assert exit_code(result) == _expected_exit(path), [(v.axiom, v.counterexample) for v in bad]
    # recompute: the allocation of a Shapley-based scheme sums to what its scheme promises
    if model.scheme.name == "shapley":
        grand = result.game.grand_value if hasattr(result, "game") else result.grand_value  # sampled
        assert sum(result.outcome.allocation) == pytest.approx(grand)


def test_glove_exact():
    """Maschler, Solan & Zamir (2013) Ex. 18.7: φ = (2/3, 1/6, 1/6)."""
    m = load(MODELS / "glove-game.yaml")
    a = analyse(resolve_model(m, MODELS), exact=True)
    assert list(a.outcome.allocation) == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    assert exit_code(a) == 0


def test_airport_littlechild_owen():
    """Littlechild & Owen (1973): φ_i = Σ_{k ≤ i} (c_k − c_{k−1}) / (n − k + 1) → (2, 3, 4, 9)."""
    m = load(MODELS / "airport-game.yaml")
    a = analyse(resolve_model(m, MODELS), exact=True)
    assert list(a.outcome.allocation) == [2, 3, 4, 9]


def test_un_security_council_shapley_shubik(allow_code):
    """Shapley–Shubik index of the UN Security Council: 421/2145 (permanent), 4/2145 (elected)."""
    m = load(MODELS / "un-security-council.yaml")
    a = analyse(resolve_model(m, MODELS), check=False)
    phi = a.outcome.allocation
    assert phi[:5] == pytest.approx([421 / 2145] * 5, abs=1e-12)
    assert phi[5:] == pytest.approx([4 / 2145] * 10, abs=1e-12)
    # the game is a simple game: check the values define one (v ∈ {0, 1}, monotone)
    assert set(a.game.values.tolist()) == {0.0, 1.0}


def test_real_tables_match_shared_copy():
    """models/data are byte-for-byte copies of shared/data/value-tables (the source of truth)."""
    shared = MODELS.parent.parent / "shared" / "data" / "value-tables"
    if not shared.exists():
        pytest.skip("../shared not beside the checkout")
    for f in shared.glob("*.json"):
        assert (MODELS / "data" / f.name).read_bytes() == f.read_bytes()


def test_replica_table_shapley_is_close_for_replicas():
    """MNIST replica-of-1: players 1 and 2 hold the same data, so their Shapley values should be close
    (training noise only; the table's README says replicas do not give exactly equal values)."""
    m = load(MODELS / "mnist-6-parties-replica-of-1.yaml")
    a = analyse(resolve_model(m, MODELS), check=False)
    phi = shapley(a.game)
    assert abs(phi[1] - phi[2]) < 0.02
