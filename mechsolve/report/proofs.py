"""The document of ``mechsolve proofs``: the papers' claims and the current verdict of each proof file.

Its own module, so that the ``proofs`` command does not import every result type the
other documents are built from (:mod:`mechsolve.report.documents` imports the market, mechanism,
search, design, synthesis and learned-values results: ~0.3 s before the first claim runs).

Examples
--------
>>> doc = proofs_document("proofs", [["shapley_efficiency", "Σφ = v(N)", "Shapley (1953)", "2..5",
...                                    "sympy identity", "n=2: proved"]], [])
>>> doc.title, doc.sections[0].tables[0].rows[0][-1]
('mechsolve proofs', 'n=2: proved')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..numtext import natural_key
from .document import Document, Section, Table


def proofs_document(folder: str, rows: Sequence[Sequence[Any]], notes: Sequence[str]) -> Document:
    """The claims of the papers and the current verdict of each proof file."""
    return Document("mechsolve proofs", [Section(
        "Claims", [("folder", folder), ("files", len(rows))],
        [Table(["proof", "claim", "source", "n", "method", "current verdict"], [list(r) for r in rows])],
        sorted(notes, key=natural_key))])


__all__ = ["proofs_document"]
