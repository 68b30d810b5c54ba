"""Bad: raises ZeroDivisionError on the empty coalition."""


def value(coalition: frozenset) -> float:
    return 1 / len(coalition)
