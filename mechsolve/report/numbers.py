"""Numbers as text for reports (the pure formatter lives in :mod:`mechsolve.numtext`)."""

from __future__ import annotations

from ..numtext import fmt

__all__ = ["fmt"]
