"""``mechsolve proofs``: claim files scheduled longest first, results in file order, loaded afresh each run."""

from __future__ import annotations

from pathlib import Path

import pytest

from mechsolve.cli.proofs import _claims, cost_hint, longest_first

CLAIM_FILE = '''
CLAIM = {{"statement": "toy {k}", "expected": "proved"}}
COST = {cost}
CALLS = []


def run():
    CALLS.append(1)            # a fresh module per run: always one call
    return [("{k}", len(CALLS))]
'''


@pytest.mark.parametrize("costs", [[0.1, 0.9, 0.1, 0.4], [], [1.0], [0, 0, 0], [3, 2, 1], [1, 2, 3, 2]])
def test_longest_first_is_a_stable_decreasing_order(costs) -> None:
    order = longest_first(costs)
    assert sorted(order) == list(range(len(costs)))
    for a, b in zip(order, order[1:]):
        assert costs[a] > costs[b] or (costs[a] == costs[b] and a < b)


def test_cost_hint_is_never_a_failure() -> None:
    class M:
        COST = "slow"

    assert cost_hint(M) == 0.0 and cost_hint(object()) == 0.0
    M.COST = -1
    assert cost_hint(M) == 0.0
    M.COST = 0.25
    assert cost_hint(M) == 0.25


def _toys(tmp_path: Path) -> list[Path]:
    files = []
    for k, cost in enumerate([0.01, 0.5, 0.02, 0.3]):     # the schedule is 1, 3, 2, 0
        p = tmp_path / f"toy{k}.py"
        p.write_text(CLAIM_FILE.format(k=k, cost=cost), encoding="utf-8")
        files.append(p)
    return files


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_back_in_file_order_whatever_the_schedule(tmp_path, workers) -> None:
    files = _toys(tmp_path)
    out = _claims(files, True, workers)
    assert [c["statement"] for c, _ in out] == [f"toy {k}" for k in range(4)]
    assert [r for _, r in out] == [[(str(k), 1)] for k in range(4)]


def test_every_run_loads_the_claim_files_afresh(tmp_path) -> None:
    """A claim file's module state (a memoised result) never carries over to the next run."""
    files = _toys(tmp_path)
    assert _claims(files, True, 1) == _claims(files, True, 1)
    assert [r for _, r in _claims(files, True, 2)] == [[(str(k), 1)] for k in range(4)]
    assert [c for c, _ in _claims(files, False, 1)] == [c for c, _ in _claims(files, True, 1)]


def test_every_project_claim_file_has_a_cost_hint() -> None:
    from mechsolve.cli.proofs import OWN_PROOFS, load_proof

    files = [p for p in sorted(OWN_PROOFS.glob("*.py")) if not p.name.startswith("_") and p.name != "conftest.py"]
    assert files and all(cost_hint(load_proof(p)) > 0 for p in files)
