"""Declared, validated models (pydantic v2, frozen) and ``io``, the only file I/O.

The first room of the pipeline ``model → games → schemes/solvers/mechanism/data →
verify → report → cli``: nothing here imports a room above it.

``parse_model``, ``json_schema`` and ``MODEL_KINDS`` are imported on first use (PEP 562):
importing a submodule such as :mod:`mechsolve.model.io` (which :mod:`mechsolve.games`
does) must not build the pydantic classes of every model kind (~0.1–0.2 s of every
process that never reads a model file, e.g. ``mechsolve proofs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # pragma: no cover
    from .schema import MODEL_KINDS, json_schema, parse_model

__all__ = ["MODEL_KINDS", "json_schema", "parse_model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import schema

        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
