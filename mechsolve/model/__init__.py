"""Declared, validated models (pydantic v2, frozen) and ``io``, the only file I/O.

The first room of the pipeline ``model → games → schemes/solvers/mechanism/data →
verify → report → cli``: nothing here imports a room above it.
"""

from .schema import MODEL_KINDS, json_schema, parse_model

__all__ = ["MODEL_KINDS", "json_schema", "parse_model"]
