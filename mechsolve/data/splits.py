"""Non-iid splits of a labelled dataset among parties (Tay et al. 2022, Sec. 6).

Examples
--------
>>> import numpy as np
>>> parts = split_non_iid(np.repeat(np.arange(4), 50), 2, points_per_party=20, seed=0)
>>> [len(p) for p in parts]
[20, 20]
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidModel


def split_non_iid(labels: np.ndarray, n_parties: int, *, split: str = "equal-disjoint",
                  points_per_party: int = 200, majority: float = 0.8, seed: int = 0) -> list[np.ndarray]:
    """Row indices per party for the two splits of Tay et al. (2022), Sec. 6.

    ``equal-disjoint``: party ``k`` draws a ``majority`` share of its points from
    its own block of classes (classes split into ``n_parties`` disjoint blocks)
    and the rest from the other classes. ``unequal``: the first 2 parties draw
    uniformly over all classes; the others draw the majority share from a block
    of ~60% of the classes (3 of 5, 6 of 10). Sampling is without replacement,
    seeded; classes that run out are reported.
    """
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    c = len(classes)
    if n_parties < 1 or c < n_parties and split == "equal-disjoint":
        raise InvalidModel(f"cannot split {c} classes among {n_parties} parties", field="split")
    pools = {y: list(rng.permutation(np.flatnonzero(labels == y))) for y in classes}
    blocks = np.array_split(classes, n_parties)

    def take(ys: np.ndarray, count: int) -> list[int]:
        out: list[int] = []
        for q in range(count):
            order = [ys[(q + r) % len(ys)] for r in range(len(ys))]
            for y in order:
                if pools[y]:
                    out.append(int(pools[y].pop()))
                    break
            else:
                raise InvalidModel(f"not enough points in classes {list(ys)} for this split",
                                   field="split.points_per_party")
        return out

    parts = []
    for k in range(n_parties):
        if split == "equal-disjoint":
            own = blocks[k]
        elif split == "unequal":
            if k < 2:
                parts.append(np.array(take(rng.permutation(classes), points_per_party)))
                continue
            size = max(1, round(0.6 * c))
            own = rng.choice(classes, size=size, replace=False)
        else:
            raise InvalidModel(f"unknown split {split!r}; valid: equal-disjoint, unequal", field="split")
        rest = np.setdiff1d(classes, own)
        n_own = int(round(majority * points_per_party))
        idx = take(rng.permutation(own), n_own)
        if len(rest):
            idx += take(rng.permutation(rest), points_per_party - n_own)
        else:
            idx += take(rng.permutation(own), points_per_party - n_own)
        parts.append(np.array(idx))
    return parts


__all__ = ["split_non_iid"]
