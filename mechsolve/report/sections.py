"""Report sections shared by several documents: verdict tables and game-property tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..verify.verdict import CheckReport
from .document import Section, Table


def properties_section(props: Mapping[str, Any]) -> Section:
    """Table of game properties with worst violations and witnesses."""
    rows = [[k, "unknown" if r.holds is None else ("yes" if r.holds else "no"), r.worst,
             r.witness if r.witness else "", r.note] for k, r in props.items()]
    return Section("Game properties", tables=[Table(["property", "holds", "worst violation", "witness", "note"],
                                                     rows)])


def checks_section(rep: CheckReport) -> Section:
    """Table of verdicts, then one note per violation or non-applicable axiom."""
    rows = [[v.axiom, v.status, v.checked, v.worst_margin, v.source] for v in rep.verdicts]
    notes = []
    for v in rep.verdicts:
        if v.counterexample:
            c = v.counterexample
            notes.append(f"{v.axiom} violated at {c['witness']}: expected {c['relation']} {c['expected']}, "
                         f"got {c['got']} (margin {c['margin']})" + (f" — {v.note}" if v.note else ""))
        elif v.reason:
            notes.append(f"{v.axiom} not applicable: {v.reason}")
    tol = "0 (exact)" if rep.exact else f"{rep.tolerance:g}"
    status = "all checked axioms hold" if not rep.violated else f"{len(rep.violated)} axiom(s) violated"
    return Section("Axioms", [("tolerance", tol), ("verdict", status)],
                   [Table(["axiom", "verdict", "tested", "worst margin", "source"], rows)], notes)
