"""Non-iid splits of a labelled dataset among parties (Tay et al. 2022, Sec. 6)."""

from __future__ import annotations

import numpy as np
import pytest

from mechsolve.data.splits import split_non_iid


def test_equal_disjoint_split_gives_each_party_a_majority_of_its_own_classes() -> None:
    y = np.repeat(np.arange(10), 100)
    parts = split_non_iid(y, 5, points_per_party=50, majority=0.8, seed=0)
    allidx = np.concatenate(parts)
    assert len(set(allidx.tolist())) == len(allidx) == 250
    for k, idx in enumerate(parts):
        assert np.mean(np.isin(y[idx], [2 * k, 2 * k + 1])) == pytest.approx(0.8)
