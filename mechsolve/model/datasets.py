"""``value: {datasets: ...}`` — a characteristic function given by the parties' data (Tay et al. 2022).

The value of a coalition is the MMD data value (eq. 2) of the union of its
members' datasets against the reference set ``T = D_1 ∪ … ∪ D_n ∪ G``.

Example (YAML)::

    value:
      datasets:
        parties: {bank-a: data/tay-gmm/party-0.csv, bank-b: data/tay-gmm/party-1.csv}
        reference: {file: data/tay-gmm/G.csv}      # or {generator: kde, size: 1000, seed: 0}
        kernel: rbf
        lengthscale: auto                          # bisection of Sec. 5, or a number
        estimator: biased                          # the paper's eq. (2); or unbiased
        sampling: {beta: 2, seed: 0}               # weighted sampling of Sec. 4.2

This module does not import :mod:`.common` (which imports it).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


#: Length-scales whose square is a normal float64 (the RBF kernel divides by 2ℓ²).
LENGTHSCALE_RANGE = (1e-150, 1e150)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class ReferenceSpec(_Frozen):
    """The synthetic pool ``G``: a data file, or a seeded generator fit to the pooled data."""

    file: str | None = Field(default=None, description="CSV/NPY of synthetic points (rows)")
    generator: Literal["kde", "gaussian-mixture"] | None = Field(
        default=None, description="fit to the union of the parties' data, then sample `size` points")
    size: int | None = Field(default=None, gt=0, description="number of points the generator draws")
    seed: int = Field(default=0, description="generator seed")
    bandwidth: float | Literal["scott"] = Field(default="scott", description="KDE bandwidth factor")
    components: int = Field(default=5, ge=1, description="mixture components")

    @model_validator(mode="after")
    def _one(self) -> "ReferenceSpec":
        if (self.file is None) == (self.generator is None):
            raise ValueError("give exactly one of `file` and `generator`")
        if self.generator is not None and self.size is None:
            raise ValueError("a generator needs `size: <number of points>`")
        if isinstance(self.bandwidth, float) and not (math.isfinite(self.bandwidth) and self.bandwidth > 0):
            raise ValueError(f"bandwidth must be `scott` or a positive number, got {self.bandwidth!r}")
        return self


class BuiltinSpec(_Frozen):
    """A labelled dataset bundled in an installed package, split non-iid among the players.

    Labels only drive the split (Tay et al. 2022, Sec. 6: the framework is not
    given the class labels).
    """

    name: Literal["sklearn-digits", "sklearn-breast-cancer", "sklearn-iris", "sklearn-wine"]
    split: Literal["equal-disjoint", "unequal"] = "equal-disjoint"
    points_per_party: int = Field(default=150, gt=1)
    majority: float = Field(default=0.8, ge=0, le=1, description="share of a party's points from its own classes")
    pca: int | None = Field(default=8, gt=0, description="project onto this many principal components")
    standardise: bool = Field(default=True, description="zero mean, unit variance per feature")
    seed: int = 0


class SearchSpec(_Frozen):
    """Length-scale bisection (Sec. 5) settings."""

    rtol: float = Field(default=1e-3, gt=0, lt=1, description="stop when hi/lo − 1 <= rtol")
    max_iter: int = Field(default=100, gt=0)
    initial: float | None = Field(default=None, gt=0, description="start (default: median distance)")


class SamplingSpec(_Frozen):
    """Weighted sampling (Sec. 4.2) settings."""

    beta: float = Field(default=1.0, ge=0, description="inverse temperature β (0 = uniform)")
    seed: int = 0
    max_points: int | None = Field(default=None, gt=0, description="stop a party after this many points")
    tolerance: float = Field(default=1e-12, ge=0, description="a target r_i counts as reached at v >= r_i − tol")

    @field_validator("beta")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError(f"beta must be finite, got {v!r}")
        return v


class DatasetsSpec(_Frozen):
    """Per-party datasets, the pool ``G``, the kernel and the estimator."""

    parties: dict[str, str] | None = Field(default=None, description="player name → CSV/NPY file (rows = points)")
    builtin: BuiltinSpec | None = Field(default=None, description="a packaged dataset split among the players")
    reference: ReferenceSpec | None = Field(default=None, description="the synthetic pool G (absent: T = pooled data)")
    kernel: Literal["rbf"] = "rbf"
    lengthscale: float | Literal["auto"] = Field(default="auto", description="RBF length-scale or `auto` (Sec. 5)")
    estimator: Literal["biased", "unbiased"] = Field(default="biased", description="eq. (2) (paper) or unbiased")
    search: SearchSpec = Field(default_factory=SearchSpec)
    sampling: SamplingSpec = Field(default_factory=SamplingSpec)
    max_kernel_bytes: int | None = Field(default=None, gt=0, description="memory cap of one kernel chunk")

    @field_validator("lengthscale", mode="before")
    @classmethod
    def _ell(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError(f"lengthscale must be a positive number or `auto`, got {v!r}")
        if isinstance(v, (int, float)) and not (math.isfinite(v) and v > 0):
            raise ValueError(f"lengthscale must be a positive number or `auto`, got {v!r}")
        lo, hi = LENGTHSCALE_RANGE
        if isinstance(v, (int, float)) and not lo <= v <= hi:
            raise ValueError(f"lengthscale = {v!r} is outside [{lo:g}, {hi:g}], where 2ℓ² is a normal float64")
        return v

    @model_validator(mode="after")
    def _source(self) -> "DatasetsSpec":
        if (self.parties is None) == (self.builtin is None):
            raise ValueError("give exactly one of `parties` (files) and `builtin`")
        return self
