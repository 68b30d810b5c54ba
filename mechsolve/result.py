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
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np


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


def number(x: Any) -> Any:
    """A field documented as a number, as a plain Python number: Fractions and numpy floats to ``float``.

    ``to_dict()`` calls it on purpose for values, scalars, matrices, payments, margins, ...: the
    JSON encoder writes every :class:`~fractions.Fraction` left in a result as an exact ``"p/q"``
    string, so a number field must not hold one. ints, bools, ``None`` and text pass through.

    Examples
    --------
    >>> number(Fraction(1, 4)), number(np.float64(2.5)), number(np.int64(3)), number(None)
    (0.25, 2.5, 3, None)
    """
    t = type(x)
    if t is float or t is int or t is bool or t is str or x is None:
        return x
    if isinstance(x, (np.integer, np.bool_)):
        return x.item()
    return float(x)


def numbers(x: Any) -> Any:
    """:func:`number` on every leaf of nested mappings, lists, tuples and arrays (a fresh tree).

    Examples
    --------
    >>> numbers({"a": [Fraction(1, 2), 1], "b": {"c": np.array([Fraction(3)], dtype=object)}})
    {'a': [0.5, 1], 'b': {'c': [3.0]}}
    """
    if isinstance(x, Mapping):
        return {k: numbers(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [numbers(v) for v in x]
    if isinstance(x, np.ndarray):
        return numbers(x.tolist()) if x.dtype == object else x.tolist()
    return number(x)


def exact_value(x: Any) -> Any:
    """A field documented as exact, kept exact: a :class:`~fractions.Fraction` (JSON ``"p/q"``).

    Integers and finite floats become the Fraction they denote (a float's exact binary value);
    an infinite float (an unlimited budget) stays ``inf``, which JSON writes as ``"inf"``.

    Examples
    --------
    >>> exact_value(Fraction(2, 6)), exact_value(3), exact_value(0.5), exact_value(float("inf"))
    (Fraction(1, 3), Fraction(3, 1), Fraction(1, 2), inf)
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        return Fraction(int(x))
    f = float(x)
    return Fraction(f) if np.isfinite(f) else f


def has_fraction(x: Any) -> bool:
    """True when some leaf of ``x`` is a :class:`~fractions.Fraction` (an exact value to keep).

    Examples
    --------
    >>> has_fraction({"a": [0.5, Fraction(1, 3)]}), has_fraction([1, 2.0])
    (True, False)
    """
    if isinstance(x, Fraction):
        return True
    if isinstance(x, Mapping):
        return any(has_fraction(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(has_fraction(v) for v in x)
    if isinstance(x, np.ndarray):
        return x.dtype == object and any(has_fraction(v) for v in x.flat)
    return False


def pandas() -> Any:
    """The ``pandas`` module, or an :class:`~mechsolve.errors.Unsupported` naming the extra that installs it."""
    try:
        import pandas as pd
    except ImportError:
        from .errors import Unsupported

        raise Unsupported("DataFrames need pandas: pip install 'mechsolve[dataframe]'", field="to_frame") from None
    return pd


__all__ = ["Status", "Result", "register_html", "register_json", "number", "numbers", "exact_value", "has_fraction", "pandas"]
