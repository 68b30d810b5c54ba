"""Bad: returns a string, not a number."""


def value(coalition: frozenset) -> str:
    return "high" if coalition else "0"
