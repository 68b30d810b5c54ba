"""Axiom registry: one declarative object per axiom, one line per module."""

from __future__ import annotations

from ...errors import InvalidModel, unknown_name
from .allocation import AXIOMS as _ALLOCATION
from .base import Axiom, AxiomContext, Block, MechanismContext, Residual
from .mechanism import AXIOMS as _MECHANISM
from .rewards import AXIOMS as _REWARDS
from .payments import AXIOMS as _PAYMENTS
from .stability import AXIOMS as _STABILITY

#: Registered axioms by name.
AXIOMS: dict[str, Axiom] = {a.name: a for a in _ALLOCATION}
AXIOMS.update({a.name: a for a in _MECHANISM})
AXIOMS.update({a.name: a for a in _REWARDS})
AXIOMS.update({a.name: a for a in _PAYMENTS})
AXIOMS.update({a.name: a for a in _STABILITY})


def get_axiom(name: str) -> Axiom:
    """The registered axiom ``name`` (one readable error otherwise)."""
    try:
        return AXIOMS[name]
    except KeyError:
        raise InvalidModel(unknown_name("axiom", name, sorted(AXIOMS), "mechsolve axioms"), field="check") from None


__all__ = ["Axiom", "AxiomContext", "MechanismContext", "Block", "Residual", "AXIOMS", "get_axiom"]
