"""Generate the 5-party Gaussian-mixture market of models/tay-gmm-market.yaml (fixed seed).

Tay et al. (2022), Sec. 6 (a) "simulated credit ratings": a 2-D Gaussian mixture with 5 clusters
(classes); 'equal disjoint' split: each party holds a large majority of its data in its own cluster
and a small quantity from the other clusters. Here: cluster means on a circle of radius 4, unit
isotropic covariance; each party 300 points, 80% (240) from its own cluster and 15 from each other
cluster; the synthetic pool G is 1500 points drawn from the mixture itself (equal weights), standing
in for a well-trained generator. Values are rounded to 6 decimals to keep the files small.

Run from the repository root:  python models/data/make_gmm.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20220222
K = 5
PER_PARTY = 300
OWN = 240
POOL = 1500
OUT = Path(__file__).resolve().parent / "tay-gmm"


def main() -> None:
    rng = np.random.default_rng(SEED)
    angles = 2 * np.pi * np.arange(K) / K
    means = 4.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)

    def draw(cluster: int, count: int) -> np.ndarray:
        return means[cluster] + rng.standard_normal((count, 2))

    OUT.mkdir(parents=True, exist_ok=True)
    other = (PER_PARTY - OWN) // (K - 1)
    for k in range(K):
        parts = [draw(k, OWN)] + [draw(j, other) for j in range(K) if j != k]
        X = rng.permutation(np.concatenate(parts))
        np.savetxt(OUT / f"party-{k}.csv", X, delimiter=",", fmt="%.6f", header="x0,x1", comments="")
    comp = rng.integers(0, K, size=POOL)
    G = means[comp] + rng.standard_normal((POOL, 2))
    np.savetxt(OUT / "G.csv", G, delimiter=",", fmt="%.6f", header="x0,x1", comments="")


if __name__ == "__main__":
    main()
