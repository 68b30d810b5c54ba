"""Datasets bundled in scikit-learn (no network): rows, labels and the parties' non-iid shares.

The one loader of bundled datasets, for the MMD markets (:mod:`mechsolve.data.dataset_market`)
and the learned values (:mod:`mechsolve.data.learn`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import Unsupported
from .splits import split_non_iid

#: Datasets bundled in scikit-learn (no network): name → loader in :mod:`sklearn.datasets`.
BUILTIN_LOADERS = {"sklearn-digits": "load_digits", "sklearn-breast-cancer": "load_breast_cancer",
                   "sklearn-iris": "load_iris", "sklearn-wine": "load_wine", "sklearn-diabetes": "load_diabetes"}


def builtin_arrays(name: str, *, standardise: bool = False, pca: int | None = None,
                   field: str = "value.datasets.builtin") -> tuple[np.ndarray, np.ndarray, str]:
    """Rows ``X``, labels ``y`` and a description of a dataset bundled in scikit-learn.

    Standardised when asked (features with zero variance are only centred), then
    projected on ``pca`` principal components of the whole dataset (numpy SVD).
    The one loader of bundled datasets, for the MMD markets and the learned values.

    Examples
    --------
    >>> X, y, note = builtin_arrays("sklearn-iris", pca=2)
    >>> X.shape, note
    ((150, 2), 'sklearn-iris (150 rows, 4 features), PCA to 2 dims')
    """
    try:
        from sklearn import datasets as skd
    except ImportError:
        raise Unsupported("the built-in datasets need scikit-learn: pip install 'mechsolve[data]'",
                          field=field) from None
    bunch = getattr(skd, BUILTIN_LOADERS[name])()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    d0 = X.shape[1]
    if standardise:
        sd = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    if pca is not None and pca < X.shape[1]:
        Xc = X - X.mean(axis=0)
        _, _, vt = np.linalg.svd(Xc, full_matrices=False)
        X = Xc @ vt[:pca].T
    note = (f"{name} ({X.shape[0]} rows, {d0} features)" + (", standardised" if standardise else "")
            + (f", PCA to {X.shape[1]} dims" if pca is not None and pca < d0 else ""))
    return X, y, note


def load_builtin(spec: Any, n_parties: int) -> tuple[list[np.ndarray], str]:
    """Party datasets from a dataset bundled in scikit-learn, split non-iid (no network access).

    Standardised (features with zero variance are only centred), projected on
    ``spec.pca`` principal components of the whole dataset (numpy SVD), then
    split by :func:`split_non_iid`.
    """
    X, y, _ = builtin_arrays(spec.name, standardise=spec.standardise, pca=spec.pca)
    parts = split_non_iid(y, n_parties, split=spec.split, points_per_party=spec.points_per_party,
                          majority=spec.majority, seed=spec.seed)
    note = (f"{spec.name} ({X.shape[0]} points, {len(np.unique(y))} classes), "
            f"{'standardised, ' if spec.standardise else ''}"
            f"{f'PCA to {X.shape[1]} dims, ' if spec.pca else ''}{spec.split} split, "
            f"{spec.points_per_party} points per party, majority {spec.majority:g}, seed {spec.seed}")
    return [X[idx] for idx in parts], note


__all__ = ["BUILTIN_LOADERS", "builtin_arrays", "load_builtin"]
