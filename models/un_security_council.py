"""Value function of the UN Security Council weighted majority game [39; 7,7,7,7,7,1,...,1]."""

QUOTA = 39


def value(coalition: frozenset) -> int:
    """1 if the coalition's weight reaches the quota (permanent members P* weigh 7), else 0."""
    weight = sum(7 if p.startswith("P") else 1 for p in coalition)
    return 1 if weight >= QUOTA else 0
