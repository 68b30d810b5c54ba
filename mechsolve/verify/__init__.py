"""Axioms, the verdict evaluator, the main job, searches and symbolic proofs.

Called, the package runs the counterexample search of the Python API:
``mechsolve.verify("shapley", "null-player")`` is :func:`mechsolve.api.verify` (see
:mod:`mechsolve`).
"""
