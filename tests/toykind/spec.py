"""The spec of the toy kind: a pydantic class with a ``kind`` Literal (what a model file declares)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SPLIT_AXIOMS = ("split-balance", "split-null", "split-monotone")


class ProportionalSplit(BaseModel):
    """A budget split among players by their weights."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["proportional-split"]
    name: str | None = None
    players: list[str] = Field(min_length=1, max_length=8)
    weights: list[int] = Field(min_length=1, max_length=8)
    budget: int = Field(gt=0, le=10**6)
    rule: Literal["proportional", "equal", "first"] = "proportional"
    check: list[Literal["split-balance", "split-null", "split-monotone"]] = list(SPLIT_AXIOMS)

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, w: list[int]) -> list[int]:
        if any(x < 0 or not math.isfinite(x) for x in w):
            raise ValueError("weights must be >= 0")
        return w
