"""Optimisation back-ends: LPs through PuLP (HiGHS or CBC), difference constraints."""

from .lp import LinearProgram, LPResult, available_solvers, solve_lp

__all__ = ["LinearProgram", "LPResult", "solve_lp", "available_solvers"]
