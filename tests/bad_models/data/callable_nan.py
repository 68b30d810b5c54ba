"""Bad: returns NaN for the grand coalition of two players."""


def value(coalition: frozenset) -> float:
    return float("nan") if len(coalition) == 2 else float(len(coalition))
