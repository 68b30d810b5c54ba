"""The declared dataset-valued market (Tay et al. 2022, Sec. 3 and 5): parties' data, ``G``, ``v_c``.

:func:`dataset_market` reads or builds the parties' data (files, or a bundled dataset split
non-iid) and the reference pool ``G`` (a file, or a seeded generator), chooses the RBF
length-scale and values every coalition with the MMD of eq. (2); :func:`dataset_game` is that
market as a :class:`~mechsolve.games.game.Game`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..model.resolved import Resolved, resolved_of
from .builtin import load_builtin
from .generators import gaussian_mixture_sample, kde_sample
from .mmd import MMDData


@dataclass(frozen=True, eq=False)
class DatasetMarket:
    """A dataset-valued market, assembled and valued (Tay et al. 2022, Sec. 3 and 5).

    Attributes
    ----------
    data : MMDData
        ``D_1..D_n`` and ``G``.
    lengthscale : float
        The kernel length-scale used (given, or chosen by ``search``).
    search : LengthscaleSearch or None
        The bisection record when ``lengthscale: auto``.
    blocks : BlockSums
        Group kernel sums at ``lengthscale`` (with the kernel pass plan).
    values : numpy.ndarray
        ``v_c(C)`` for every bitmask ``C``.
    caps : numpy.ndarray
        ``v(D_i ∪ G)`` per party: the largest reward a party can get (R2, Def. 1).
    reference_note : str
        Where ``G`` came from (file, or the generator and its seed).
    """

    data: MMDData
    lengthscale: float
    search: Any
    blocks: Any
    values: np.ndarray
    caps: np.ndarray
    estimator: str
    reference_note: str
    sampling: Any = None
    max_kernel_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "parties": {p: int(len(x)) for p, x in zip(self.data.names, self.data.parties)},
            "reference_points": int(len(self.data.G)), "dimension": self.data.dim, "t": self.data.t,
            "kernel": "rbf", "lengthscale": self.lengthscale, "estimator": self.estimator,
            "reference": self.reference_note, "kernel_plan": self.blocks.plan.describe(),
            "caps": {p: float(c) for p, c in zip(self.data.names, self.caps)},
        }
        if self.search is not None:
            d["lengthscale_search"] = self.search.to_dict()
        return d


def _same_width(names: Sequence[str], parties: Sequence[np.ndarray], G: np.ndarray | None) -> None:
    """All points live in one feature space: same number of columns everywhere, else bad input."""
    dims = [(f"value.datasets.parties[{p!r}]", x.shape[1]) for p, x in zip(names, parties)]
    if G is not None:
        dims.append(("value.datasets.reference", G.shape[1]))
    odd = next(((w, d) for w, d in dims if d != dims[0][1]), None)
    if odd is not None:
        raise InvalidModel(f"points have {odd[1]} columns but {dims[0][0]} has {dims[0][1]}", field=odd[0])


def dataset_market(spec: Any, players: Sequence[str], files: Resolved) -> DatasetMarket:
    """Take (from ``files``, read at load) or build the parties' data and ``G``, choose the length-scale,
    value every coalition."""
    from .mmd import block_sums, coalition_values, select_lengthscale, union_value

    names = list(players)
    source_note = ""
    if spec.parties is not None:
        unknown = [p for p in spec.parties if p not in names]
        if unknown:
            raise InvalidModel(f"names unknown player {unknown[0]!r}; players are {names}",
                               field="value.datasets.parties")
        missing = [p for p in names if p not in spec.parties]
        if missing:
            raise InvalidModel(f"no dataset for player {missing[0]!r}", field="value.datasets.parties")
        parties = [files.data(f"value.datasets.parties[{p!r}]").rows for p in names]
    else:
        parties, source_note = load_builtin(spec.builtin, len(names))
    _same_width(names, parties, None)
    ref = spec.reference
    if ref is None:
        G, ref_note = None, "none: T is the pooled data; no synthetic rewards can be drawn"
    elif ref.file is not None:
        G = files.data("value.datasets.reference.file").rows
        ref_note = f"file {ref.file} ({len(G)} points)"
    else:
        pooled = np.concatenate(parties, axis=0)
        if ref.generator == "kde":
            G = kde_sample(pooled, int(ref.size), seed=ref.seed, bandwidth=ref.bandwidth)
            ref_note = (f"{ref.size} points from a Gaussian KDE fit to the pooled data "
                        f"(bandwidth {ref.bandwidth}, seed {ref.seed})")
        else:
            G = gaussian_mixture_sample(pooled, int(ref.size), components=ref.components, seed=ref.seed)
            ref_note = (f"{ref.size} points from a {ref.components}-component Gaussian mixture fit to "
                        f"the pooled data by EM (seed {ref.seed})")
    if source_note:
        ref_note = f"parties: {source_note}; G: {ref_note}"
    _same_width(names, parties, G)
    data = MMDData(tuple(names), tuple(parties), G)
    search = None
    if spec.lengthscale == "auto":
        search = select_lengthscale(data, estimator=spec.estimator, rtol=spec.search.rtol,
                                    max_iter=spec.search.max_iter, initial=spec.search.initial,
                                    max_bytes=spec.max_kernel_bytes)
        ell = search.lengthscale
    else:
        ell = float(spec.lengthscale)
    bs = block_sums(data, ell, max_bytes=spec.max_kernel_bytes)
    values = coalition_values(bs, estimator=spec.estimator)
    n = data.n
    caps = np.array([union_value(bs, [i, n], estimator=spec.estimator) for i in range(n)])
    return DatasetMarket(data, ell, search, bs, values, caps, spec.estimator, ref_note, spec.sampling,
                         spec.max_kernel_bytes)


def dataset_game(model: Any, *, exact: bool = False) -> Any:
    """The game ``v_c`` of a ``value: {datasets: ...}`` market; ``meta`` carries the market.

    ``game.meta["datasets"]`` is the :class:`DatasetMarket`; ``game.meta["caps"]``
    maps each player to ``v(D_i ∪ G)`` (the upper bounds of the rectified
    ρ-Shapley LP, Tay et al. 2022, Sec. 4.1).
    """
    from ..games.game import Game

    dm = dataset_market(model.value.datasets, model.players, resolved_of(model))
    game = Game.from_values(model.players, dm.values, allow_nonzero_empty=not model.normalised)
    if exact:
        game = game.to_exact()
    meta = {"datasets": dm, "caps": {p: float(c) for p, c in zip(model.players, dm.caps)}, "rational": False}
    return Game(game.names, game.values, meta)


__all__ = ["DatasetMarket", "dataset_market", "dataset_game"]
