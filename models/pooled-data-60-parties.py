"""Value of pooling data for 60 parties: v(S) = (Σ_{i∈S} w_i / W)², w_i = data size of party i.

(Σ w)² = Σ_i w_i² + 2 Σ_{i<j} w_i w_j is a sum of unanimity-like terms, so the Shapley value is
exactly φ_i = w_i (Σ_j w_j) / W² = w_i / W: each party's share of the data.
"""

SIZES = {f"party-{k:02d}": 10 + (7 * k) % 23 for k in range(60)}
TOTAL = sum(SIZES.values())


def value(coalition: frozenset) -> float:
    """Squared share of the pooled data held by the coalition."""
    return (sum(SIZES[p] for p in coalition) / TOTAL) ** 2
