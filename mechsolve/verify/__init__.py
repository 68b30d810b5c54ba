"""Axioms, the verdict evaluator, the main job, searches and symbolic proofs."""
