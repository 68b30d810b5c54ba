"""Seeded generators of a synthetic pool ``G`` fit to the pooled data (Tay et al. 2022, Sec. 5).

``kde``: a Gaussian kernel density estimate (Scott's bandwidth or a given one);
``gaussian-mixture``: a full-covariance mixture fit by EM. Both are pure numpy and seeded, so a
model file's ``reference: {generator: ..., seed: ...}`` always draws the same points.

Examples
--------
>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(40, 2))
>>> kde_sample(X, 5, seed=1).shape, gaussian_mixture_sample(X, 5, components=2, seed=1).shape
((5, 2), (5, 2))
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidModel

GENERATORS = ("kde", "gaussian-mixture")


def kde_sample(X: np.ndarray, size: int, *, seed: int = 0, bandwidth: float | str = "scott") -> np.ndarray:
    """Draw from a Gaussian KDE of ``X``: a random row plus ``N(0, h² Σ)`` noise.

    ``Σ`` is the sample covariance of ``X``; ``h`` is Scott's factor
    ``m^{−1/(d+4)}`` (``bandwidth="scott"``) or a given number.

    Examples
    --------
    >>> kde_sample(np.zeros((5, 2)) + np.arange(5)[:, None], 3, seed=0).shape
    (3, 2)
    """
    m, d = X.shape
    if m < 2:
        raise InvalidModel("a KDE needs at least 2 points", field="value.datasets.reference")
    h = m ** (-1.0 / (d + 4)) if bandwidth == "scott" else float(bandwidth)
    if not (math.isfinite(h) and h > 0):
        raise InvalidModel(f"bandwidth must be 'scott' or a positive number, got {bandwidth!r}",
                           field="value.datasets.reference.bandwidth")
    rng = np.random.default_rng(seed)
    cov = np.atleast_2d(np.cov(X, rowvar=False)) + 1e-12 * np.eye(d)
    L = np.linalg.cholesky(cov)
    rows = rng.integers(0, m, size=size)
    return X[rows] + h * rng.standard_normal((size, d)) @ L.T


def gaussian_mixture_sample(X: np.ndarray, size: int, *, components: int = 5, seed: int = 0,
                            iterations: int = 200) -> np.ndarray:
    """Fit a full-covariance Gaussian mixture to ``X`` by EM (k-means++ start) and draw ``size`` points.

    Pure numpy, seeded; a small ridge keeps covariances positive definite.
    """
    m, d = X.shape
    k = int(components)
    if not 1 <= k <= m:
        raise InvalidModel(f"components must be in 1..{m}, got {components!r}",
                           field="value.datasets.reference.components")
    rng = np.random.default_rng(seed)
    centers = [X[rng.integers(m)]]
    for _ in range(1, k):
        d2 = np.min(((X[:, None, :] - np.array(centers)[None]) ** 2).sum(-1), axis=1)
        centers.append(X[rng.choice(m, p=d2 / d2.sum())] if d2.sum() > 0 else X[rng.integers(m)])
    mu = np.array(centers)
    ridge = 1e-6 * np.trace(np.atleast_2d(np.cov(X, rowvar=False))) / d + 1e-12
    cov = np.array([np.atleast_2d(np.cov(X, rowvar=False)) + ridge * np.eye(d)] * k)
    w = np.full(k, 1.0 / k)
    prev = -np.inf
    for _ in range(iterations):
        logp = np.empty((m, k))
        for j in range(k):
            L = np.linalg.cholesky(cov[j])
            z = np.linalg.solve(L, (X - mu[j]).T)
            logp[:, j] = (math.log(w[j]) - 0.5 * (z * z).sum(0) - np.log(np.diag(L)).sum()
                          - 0.5 * d * math.log(2 * math.pi))
        mx = logp.max(axis=1, keepdims=True)
        ll = float((mx[:, 0] + np.log(np.exp(logp - mx).sum(1))).sum())
        resp = np.exp(logp - mx)
        resp /= resp.sum(axis=1, keepdims=True)
        nk = resp.sum(0) + 1e-12
        w = nk / m
        mu = (resp.T @ X) / nk[:, None]
        for j in range(k):
            diff = X - mu[j]
            cov[j] = (resp[:, j, None] * diff).T @ diff / nk[j] + ridge * np.eye(d)
        if ll - prev < 1e-8 * abs(ll):
            break
        prev = ll
    comp = rng.choice(k, size=size, p=w / w.sum())
    out = np.empty((size, d))
    for j in range(k):
        idx = np.flatnonzero(comp == j)
        if idx.size:
            out[idx] = rng.multivariate_normal(mu[j], cov[j], size=idx.size)
    return out


__all__ = ["GENERATORS", "kde_sample", "gaussian_mixture_sample"]
