"""Seeded generators of the synthetic pool G (Tay et al. 2022, Sec. 5)."""

from __future__ import annotations

import numpy as np

from mechsolve.data.generators import gaussian_mixture_sample, kde_sample


def test_generators_are_seeded() -> None:
    X = np.random.default_rng(0).normal(size=(200, 2)) + np.repeat([[0, 0], [6, 6]], 100, axis=0)
    a, b = kde_sample(X, 50, seed=1), kde_sample(X, 50, seed=1)
    assert a.shape == (50, 2) and np.array_equal(a, b)
    m = gaussian_mixture_sample(X, 400, components=2, seed=1)
    assert m.shape == (400, 2) and np.array_equal(m, gaussian_mixture_sample(X, 400, components=2, seed=1))
    assert abs(m[:, 0].mean() - X[:, 0].mean()) < 0.6
