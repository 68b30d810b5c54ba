"""A valid value function: v(S) = |S|^2 (used where another field is at fault)."""

QUOTA = 3


def value(coalition: frozenset) -> int:
    return len(coalition) ** 2
