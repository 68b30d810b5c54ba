"""The spec of the toy kind: a pydantic class with a ``kind`` Literal (what a model file declares)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator, model_validator

from mechsolve.model.common import ModelSpec
from mechsolve.model.resolved import Reference

SPLIT_AXIOMS = ("split-balance", "split-null", "split-monotone")


class ProportionalSplit(ModelSpec):
    """A budget split among players by their weights (inline, or one per row of a CSV/NPY file)."""

    kind: Literal["proportional-split"]
    name: str | None = None
    players: list[str] = Field(min_length=1, max_length=8)
    weights: list[int] | None = Field(default=None, min_length=1, max_length=8)
    weights_file: str | None = None
    budget: int = Field(gt=0, le=10**6)
    rule: Literal["proportional", "equal", "first"] = "proportional"
    check: list[Literal["split-balance", "split-null", "split-monotone"]] = list(SPLIT_AXIOMS)

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, w: list[int] | None) -> list[int] | None:
        if w is not None and any(x < 0 or not math.isfinite(x) for x in w):
            raise ValueError("weights must be >= 0")
        return w

    @model_validator(mode="after")
    def _one_source(self) -> "ProportionalSplit":
        if (self.weights is None) == (self.weights_file is None):
            raise ValueError("give exactly one of weights and weights_file")
        return self

    def references(self) -> list[Reference]:
        """The weights file, read once by mechsolve.model.io.load (a dataset: one row per player)."""
        return [] if self.weights_file is None else [Reference("weights_file", ("weights_file",), self.weights_file,
                                                                   "data")]
