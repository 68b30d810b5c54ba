"""The toy kind's search space (``mechsolve verify --kind proportional-split --option rule=...``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechsolve.verify.check import evaluate
from mechsolve.verify.search.space import (Assessment, Confirmation, SearchResult, SpaceDefaults, SpaceOptions,
                                           parse_sizes, screen)
from mechsolve.verify.verdict import VIOLATED

from .analysis import AXIOMS, KIND, build


@dataclass(frozen=True)
class Split:
    """One drawn instance (what a toy model file holds)."""

    weights: tuple[int, ...]
    budget: int
    rule: str

    @property
    def players(self) -> list[str]:
        return [f"p{i}" for i in range(len(self.weights))]

    def model(self, axiom: str) -> dict[str, Any]:
        return {"kind": KIND, "players": self.players, "weights": list(self.weights), "budget": self.budget,
                "rule": self.rule, "check": [axiom]}


class SplitSpace(SpaceDefaults):
    """Random weights (some zero) and budgets, under one rule, against one toy axiom."""

    noun = "rule"

    def __init__(self, rule: str, axiom: str, sizes: Sequence[int] = (2, 3), tolerance: float = 1e-9) -> None:
        self.rule, self.axiom, self.sizes, self.tolerance = rule, axiom, tuple(sizes), tolerance

    def _spec(self, inst: Split) -> Any:
        from .spec import ProportionalSplit

        return ProportionalSplit.model_validate(inst.model(self.axiom))

    def draw(self, rng: np.random.Generator, i: int) -> Split:
        n = self.sizes[i % len(self.sizes)]
        return Split(tuple(int(x) for x in rng.integers(0, 4, size=n)), int(rng.integers(1, 10)), self.rule)

    def reductions(self, inst: Split) -> Iterable[Split]:
        for k in range(len(inst.weights)):
            if len(inst.weights) > 1:
                yield Split(inst.weights[:k] + inst.weights[k + 1:], inst.budget, inst.rule)
        if inst.budget > 1:
            yield Split(inst.weights, 1, inst.rule)

    def complexity(self, inst: Split) -> Any:
        return (len(inst.weights), inst.budget, sum(inst.weights))

    def assess(self, inst: Split) -> Assessment:
        return screen([AXIOMS[self.axiom]], lambda: build(self._spec(inst), exact=False, tolerance=self.tolerance),
                      lambda ctx: float(ctx.budget))

    def confirm(self, inst: Split) -> Confirmation:
        v = evaluate(AXIOMS[self.axiom], build(self._spec(inst), exact=True, tolerance=self.tolerance))
        return Confirmation(v if v.status == VIOLATED else None, "exactly (rational arithmetic)", True)

    def describe(self, inst: Split) -> str:
        return f"weights {list(inst.weights)}, budget {inst.budget}"

    def size(self, inst: Split) -> int:
        return len(inst.weights)

    def to_model(self, result: SearchResult) -> dict[str, Any]:
        assert result.counterexample is not None
        return result.counterexample.instance.model(self.axiom)


def spaces_from_options(axioms: Sequence[str], options: SpaceOptions | Mapping[str, Any],
                        tolerance: float = 1e-9) -> tuple[list[SplitSpace], dict[str, Any]]:
    """One space per axiom; options ``rule`` (default proportional) and ``players`` (``2..3``)."""
    opt = options if isinstance(options, SpaceOptions) else SpaceOptions(options)
    rule = opt.text("rule", "proportional") or "proportional"
    sizes = parse_sizes(opt.text("players", "2..3") or "", "players")
    opt.finish()
    return [SplitSpace(rule, a, sizes, tolerance) for a in (axioms or AXIOMS)], {"rule": rule}
