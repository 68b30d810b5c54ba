"""Error hierarchy of mechsolve.

Every error a user can cause is a :class:`MechsolveError`; the CLI prints its
message on one line and exits with code 2. Library code never turns an
exception into a number.
"""

from __future__ import annotations


class MechsolveError(Exception):
    """Base class of every error mechsolve raises on purpose.

    Parameters
    ----------
    message : str
        One readable sentence: what is wrong and what would be valid.
    field : str, optional
        Dotted path of the model field at fault (e.g. ``value.table['a,b']``).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class InvalidModel(MechsolveError):
    """The declared model (file, field or value) is not valid."""


class Unsupported(MechsolveError):
    """The request is valid but mechsolve cannot do it (e.g. too large for memory)."""


class Infeasible(MechsolveError):
    """An optimisation problem has no feasible point."""


class Unbounded(MechsolveError):
    """An optimisation problem is unbounded."""


class SolverError(MechsolveError):
    """A back-end solver failed or returned a result that does not recheck."""
