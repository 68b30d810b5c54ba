"""Whose welfare the efficient allocation maximises (Chen et al. 2020, Def. 5 and Sec. 3).

Def. 5 sums the valuations of all n agents, and Sec. 3's closed form gives agent i the best
model iff Σ_j α_ji ≥ 0 over every j — so a non-participant's externality counts. The option
``welfare_of="participants"`` counts only participants; both are checked by exhaustive search.
"""

from __future__ import annotations

import numpy as np

from mechsolve.mechanism.allocation import AllocationRule
from mechsolve.mechanism.valuations import Quality, Valuation

# agent 2 (not participating) is hurt a lot by agent 0's model; agent 0 values its own model
ALPHA = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-3.0, 0.0, 1.0]]
REPORTS = np.array([1.0, 2.0, 0.0])
PART = np.array([True, True, False])


def _search(welfare_of: str) -> np.ndarray:
    # a non-linear copy of the same valuation forces the exhaustive search path
    lin = Valuation.linear(ALPHA)
    rule = AllocationRule("efficient", Quality.parse("t"), lin, levels=2, welfare_of=welfare_of)
    return rule.search(REPORTS, PART)[0]


def test_all_agents_is_the_paper_reading_and_matches_the_closed_form():
    rule = AllocationRule("efficient", Quality.parse("t"), Valuation.linear(ALPHA))
    closed = rule(REPORTS, PART)
    # column sums: agent 0: 1 + 0 − 3 < 0 → no model; agent 1: 1 ≥ 0 → best = Q(1 + 2) = 3
    assert closed.tolist() == [0.0, 3.0, 0.0]
    searched = _search("all-agents")
    q_closed = np.maximum(closed, [1.0, 2.0, 0.0]) * PART
    q_search = np.maximum(searched, [1.0, 2.0, 0.0]) * PART
    w = np.asarray(ALPHA) @ q_closed
    assert np.allclose(q_closed, q_search) and np.isclose(w.sum(), (np.asarray(ALPHA) @ q_search).sum())


def test_participants_only_ignores_the_outsiders_loss():
    searched = _search("participants")
    assert searched[0] == 3.0  # agent 0 now gets the best model: agent 2's loss does not count
    rule = AllocationRule("efficient", Quality.parse("t"), Valuation.linear(ALPHA), welfare_of="participants")
    assert rule(REPORTS, PART).tolist() == searched.tolist()  # closed form is skipped, search used
