"""Data-level valuation: MMD (Tay et al.), datasets, synthetic-data rewards."""
