"""Payment and reward schemes: one module each, one registry line each."""

from __future__ import annotations

from ..errors import InvalidModel, unknown_name
from .base import Outcome, Scheme
from .shapley_value import SCHEME as _SHAPLEY
from .nguyen import SCHEME as _NGUYEN_PAYOFF
from .nguyen_budget import SCHEME as _NGUYEN_BUDGET
from .ohrimenko import SCHEMES as _OHRIMENKO
from .rho_shapley import SCHEMES as _RHO_SHAPLEY
from .user import SCHEMES as _USER
from .stability import SCHEMES as _STABILITY
from .vector import SCHEME as _VECTOR
from .banzhaf import SCHEME as _BANZHAF
from .beta_shapley import SCHEME as _BETA_SHAPLEY
from .semivalue import SCHEME as _SEMIVALUE

#: Registered schemes by name.
SCHEMES: dict[str, Scheme] = {
    _SHAPLEY.name: _SHAPLEY,
    _NGUYEN_PAYOFF.name: _NGUYEN_PAYOFF,
    _NGUYEN_BUDGET.name: _NGUYEN_BUDGET,
    **{s.name: s for s in _OHRIMENKO},
    **{s.name: s for s in _RHO_SHAPLEY},
    **{s.name: s for s in _USER},
    **{s.name: s for s in _STABILITY},
    _VECTOR.name: _VECTOR,
    _BANZHAF.name: _BANZHAF,
    _BETA_SHAPLEY.name: _BETA_SHAPLEY,
    _SEMIVALUE.name: _SEMIVALUE,
}


def get_scheme(name: str) -> Scheme:
    """The registered scheme called ``name`` (one readable error otherwise)."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise InvalidModel(unknown_name("scheme", name, sorted(SCHEMES), "mechsolve schemes"),
                           field="scheme.name") from None


__all__ = ["Outcome", "Scheme", "SCHEMES", "get_scheme"]
