"""One result base for every computation: a status from one vocabulary and a message.

Modelled on :class:`scipy.optimize.OptimizeResult`: every result of mechsolve (a verdict, a
check report, a search, a proof, a solved market) carries a :class:`Status` and a one-line
``message`` and converts to plain data with ``to_dict()``. :class:`Status` is a ``str`` enum, so
``verdict.status == "holds"`` keeps working and JSON writes the plain word.

Results never carry exit codes: mapping a result to a process exit code is the CLI's job
(:mod:`mechsolve.cli.exit_codes`).

Examples
--------
>>> Status.HOLDS == "holds", str(Status.NO_COUNTEREXAMPLE)
(True, 'no-counterexample-found')
>>> Status("violated").is_failure
True
"""

from __future__ import annotations

import enum
from typing import Any


class Status(str, enum.Enum):
    """What a computation concluded."""

    HOLDS = "holds"                                 #: every residual within tolerance, on this instance
    VIOLATED = "violated"                           #: with a counterexample
    NOT_APPLICABLE = "not-applicable"               #: a premise or need is not met (with the reason)
    NO_COUNTEREXAMPLE = "no-counterexample-found"   #: a search that found none (never a proof)
    PROVED = "proved"                               #: z3 unsat / sympy identity, for a stated n and premises
    UNKNOWN = "unknown"                             #: a prover gave up (timeout)
    SOLVED = "solved"                               #: a scheme or LP produced its outcome
    INFEASIBLE = "infeasible"                       #: no point satisfies the constraints (with a certificate)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:  # reads as the plain word in lists, doctests and notebooks
        return repr(self.value)

    @property
    def is_failure(self) -> bool:
        """True for statuses that mean a property fails (exit code 1 in the CLI)."""
        return self in (Status.VIOLATED, Status.INFEASIBLE)


class Result:
    """Base of mechsolve's result objects: ``status``, ``message``, ``to_dict()``, ``to_json()``.

    Subclasses are frozen dataclasses that define ``status`` (a field or a property); the base
    supplies a default ``message``, ``to_json()`` and the notebook display hook. JSON and HTML
    are rendered by whatever the report room's renderers the API registered
    (:func:`register_json`, :func:`register_html`), so results never import the report room.
    """

    status: Any
    _html_renderer: Any = None
    _json_encoder: Any = None

    def to_json(self) -> str:
        """``to_dict()`` as JSON (the one encoder: exact values as ``"p/q"``, non-finite floats as strings).

        Raises
        ------
        RuntimeError
            When no encoder is registered (``import mechsolve.api`` registers it; ``import
            mechsolve`` does on first use of the API).
        """
        encode = Result._json_encoder
        if encode is None:
            raise RuntimeError("no JSON encoder registered: `import mechsolve.api` first")
        return str(encode(self.to_dict()))

    @property
    def message(self) -> str:
        """A one-line summary (subclasses say more)."""
        return str(self.status)

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _repr_html_(self) -> str | None:
        render = Result._html_renderer
        return render(self) if render is not None else None


def register_html(render: Any) -> None:
    """Install the function that renders any result as an HTML fragment (called by the API room)."""
    Result._html_renderer = render


def register_json(encode: Any) -> None:
    """Install the function that encodes a result's plain data as JSON text (called by the API room)."""
    Result._json_encoder = encode


def pandas() -> Any:
    """The ``pandas`` module, or an :class:`~mechsolve.errors.Unsupported` naming the extra that installs it."""
    try:
        import pandas as pd
    except ImportError:
        from .errors import Unsupported

        raise Unsupported("DataFrames need pandas: pip install 'mechsolve[dataframe]'", field="to_frame") from None
    return pd


__all__ = ["Status", "Result", "register_html", "register_json", "pandas"]
