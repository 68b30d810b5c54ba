"""The one rule for every decision on computed numbers: clearly true, clearly false, or borderline.

A verifier's verdicts are only as good as the comparisons behind them. Every comparison that
decides a premise (``−p_i ≤ b_i``), a selection (a threshold ``φ_j ≥ τ``, the set
``C_i = {j : φ_j ≤ φ_i}``, a tie, an argmax), a branch (``v(N) = 0``, a negative cycle) or a
verdict goes through this module, which knows the run's tolerance ``tol`` and its arithmetic:

* **exact** operands (``int``, :class:`~fractions.Fraction`, object arrays of them) are compared
  exactly, against the tolerance given (0 for scheme decisions and ``--exact`` verdicts);
* **float** operands are compared with ``tol`` (``a ≤ b`` reads ``a − b ≤ tol``) and the decision
  is *three-valued*: with ``d`` the amount by which the strict reading fails,

  - ``d ≤ tol / BAND``                  → clearly decided (float error cannot flip it),
  - ``d > max(tol · BAND, FLOOR)``      → clearly decided the other way,
  - otherwise                            → **borderline**: decided by the tolerance reading and
    *recorded*, so that the caller can decide it again in exact arithmetic.

``BAND = 1000`` and ``FLOOR = 1e-6`` are generous on purpose: float Shapley sums are accurate to
~1e-15, polished LP vertices to ~1e-13, and an LP back-end's raw point to ~1e-7; anything
closer to the tolerance than that is re-decided exactly when the data are rational.

Borderline decisions are collected by :func:`recording`; the main job (:mod:`mechsolve.verify`)
records while a scheme runs and while an axiom is evaluated, and when anything was borderline
on rational data it recomputes in :class:`~fractions.Fraction` arithmetic and says so in the
report ("decided exactly"). On data that are not rational (MMD values, sampled values) the
decision stays the tolerance reading and is reported as borderline.

Examples
--------
>>> from fractions import Fraction
>>> leq(4.4e-16, 0.0, tol=1e-9)          # clearly true: float noise
True
>>> with recording() as log:
...     leq(2e-9, 0.0, tol=1e-9)          # fails the tolerance reading, but only just: borderline
False
>>> [b.what for b in log]
['2e-09 ≤ 0']
>>> leq(Fraction(1, 10**12), 0, tol=0)   # exact operands: decided exactly
False
>>> ties([0.5, 0.5 + 1e-16, 0.2], 1, tol=1e-9)
[0, 1]
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

#: Decisions whose failing amount is within ``[tol / BAND, max(tol · BAND, FLOOR)]`` are borderline.
BAND = 1e3
#: The upper edge of the borderline band is never below this (LP back-ends are accurate to ~1e-7).
FLOOR = 1e-6
#: Tolerance of scheme decisions when no run has set one (the models' default).
DEFAULT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Borderline:
    """One decision that float arithmetic could not make with certainty.

    Attributes
    ----------
    what : str
        The comparison, readable (``"φ_b ≤ φ_a"``, ``"2e-09 ≤ 0"``).
    amount : float
        By how much the strict reading failed (``a − b`` for ``a ≤ b``).
    tolerance : float
        The tolerance the decision was taken with.
    """

    what: str
    amount: float
    tolerance: float


_LOG: ContextVar[list[Borderline] | None] = ContextVar("mechsolve_decide_log", default=None)
_TOL: ContextVar[float] = ContextVar("mechsolve_decide_tolerance", default=DEFAULT_TOLERANCE)


@contextlib.contextmanager
def recording(*, propagate: bool = True) -> Iterator[list[Borderline]]:
    """Collect the borderline decisions taken inside the block.

    An enclosing recorder sees them too, unless ``propagate`` is false: a caller that settles
    its borderline decisions itself (exactly) passes on only those it could not settle, with
    :func:`relay`.
    """
    log: list[Borderline] = []
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)
        if propagate:
            relay(log)


def relay(decisions: Sequence[Borderline]) -> None:
    """Record ``decisions`` in the enclosing recorder (if any)."""
    outer = _LOG.get()
    if outer is not None:
        outer.extend(decisions)


@contextlib.contextmanager
def tolerance(tol: float) -> Iterator[None]:
    """Set the tolerance of float decisions taken without an explicit ``tol`` (a run's tolerance)."""
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tol!r}")
    token = _TOL.set(float(tol))
    try:
        yield
    finally:
        _TOL.reset(token)


def current_tolerance() -> float:
    """The tolerance float decisions use when none is given."""
    return _TOL.get()


def is_exact(*xs: Any) -> bool:
    """True when every operand is an exact number (int, Fraction, or an object array of them)."""
    for x in xs:
        if isinstance(x, np.ndarray):
            if x.dtype != object:
                return False
            continue
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, Fraction, np.integer)):
            return False
    return True


def _exact_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Both operands as exact numbers when one is exact and the other exact or a finite float
    (read as the decimal it prints as, as model files are read); else ``None``."""
    ea, eb = is_exact(a), is_exact(b)
    if ea and eb:
        return a, b
    if ea and isinstance(b, (float, np.floating)) and math.isfinite(b):
        return a, Fraction(repr(float(b)))
    if eb and isinstance(a, (float, np.floating)) and math.isfinite(a):
        return Fraction(repr(float(a))), b
    return None


def band(tol: float) -> tuple[float, float]:
    """``(lo, hi)``: amounts in ``(lo, hi]`` are borderline for a decision taken at tolerance ``tol``."""
    return tol / BAND, max(tol * BAND, FLOOR)


def classify(amount: float, tol: float) -> str:
    """``"clear"`` (the tolerance reading holds beyond doubt), ``"fails"`` or ``"borderline"``.

    ``amount`` is by how much the strict reading fails (≤ 0 when it holds strictly). A NaN amount
    (a value that is not a number) fails: no exact arithmetic can rescue it.

    >>> classify(float("nan"), 1e-9), classify(2e-9, 1e-9), classify(-1.0, 1e-9)
    ('fails', 'borderline', 'clear')
    """
    if amount != amount:
        return "fails"
    lo, hi = band(tol)
    if amount <= lo:
        return "clear"
    if amount > hi:
        return "fails"
    return "borderline"


def _record(what: str, amount: float, tol: float) -> None:
    log = _LOG.get()
    if log is not None:
        log.append(Borderline(what, float(amount), float(tol)))


def _tol(tol: float | None, exact: bool = False) -> float:
    """The tolerance of one decision: given, else 0 for exact operands (scheme decisions are
    exact in exact arithmetic), else the run's."""
    if tol is not None:
        return float(tol)
    return 0.0 if exact else current_tolerance()


def _label(a: Any, op: str, b: Any, what: str | None) -> str:
    if what:
        return what
    return f"{_short(a)} {op} {_short(b)}"


def _short(x: Any) -> str:
    if isinstance(x, Fraction):
        return str(x)
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError, OverflowError):
        return str(x)[:40]


def leq(a: Any, b: Any, *, tol: float | None = None, what: str | None = None) -> bool:
    """``a ≤ b`` within ``tol`` (``a − b ≤ tol``), exactly for exact operands, recorded when borderline.

    Infinite ``b`` (a budget ``inf``) makes it true; infinite ``a`` false unless ``b`` is infinite too.
    """
    pair = _exact_pair(a, b)
    if pair is not None:
        t = _tol(tol, True)
        return bool(pair[0] - pair[1] <= (Fraction(repr(t)) if t else 0))
    t = _tol(tol)
    fa, fb = float(a), float(b)
    if math.isinf(fb) and fb > 0 or math.isinf(fa) and fa < 0:
        return True
    if math.isinf(fa) or math.isinf(fb):
        return fa <= fb
    d = fa - fb
    state = classify(d, t)
    if state == "borderline":
        _record(_label(a, "≤", b, what), d, t)
    return state == "clear" or (state == "borderline" and d <= t)


def geq(a: Any, b: Any, *, tol: float | None = None, what: str | None = None) -> bool:
    """``a ≥ b`` within ``tol`` (see :func:`leq`)."""
    return leq(b, a, tol=tol, what=what or _label(a, "≥", b, None))


def eq(a: Any, b: Any, *, tol: float | None = None, what: str | None = None) -> bool:
    """``|a − b| ≤ tol``, exactly for exact operands, recorded when borderline."""
    pair = _exact_pair(a, b)
    if pair is not None:
        t = _tol(tol, True)
        return bool(abs(pair[0] - pair[1]) <= (Fraction(repr(t)) if t else 0))
    t = _tol(tol)
    fa, fb = float(a), float(b)
    if math.isinf(fa) or math.isinf(fb):
        return fa == fb
    d = abs(fa - fb)
    state = classify(d, t)
    if state == "borderline":
        _record(_label(a, "=", b, what), d, t)
    return state == "clear" or (state == "borderline" and d <= t)


def is_zero(x: Any, *, tol: float | None = None, what: str | None = None) -> bool:
    """``|x| ≤ tol`` (see :func:`eq`)."""
    return eq(x, 0 if is_exact(x) else 0.0, tol=tol, what=what or f"{_short(x)} = 0")


def lt(a: Any, b: Any, *, tol: float | None = None, what: str | None = None) -> bool:
    """``a < b`` beyond tolerance: the negation of ``a ≥ b`` within ``tol``."""
    return not geq(a, b, tol=tol, what=what or _label(a, "<", b, None))


def gt(a: Any, b: Any, *, tol: float | None = None, what: str | None = None) -> bool:
    """``a > b`` beyond tolerance: the negation of ``a ≤ b`` within ``tol``."""
    return not leq(a, b, tol=tol, what=what or _label(a, ">", b, None))


def all_zero(x: Any, *, tol: float | None = None, what: str = "array = 0") -> bool:
    """Every entry of ``x`` is zero within ``tol`` (one recorded decision for the largest entry)."""
    arr = np.asarray(x)
    if arr.size == 0:
        return True
    if arr.dtype == object:
        if is_exact(arr):
            t = _tol(tol, True)
            return all(abs(v) <= (Fraction(repr(t)) if t else 0) for v in arr.flat)
        arr = arr.astype(np.float64)
    worst = float(np.max(np.abs(arr)))
    return is_zero(worst, tol=tol, what=what)


def ties(values: Sequence[Any] | np.ndarray, i: int, *, tol: float | None = None,
         label: Sequence[str] | None = None) -> list[int]:
    """Indices ``j`` with ``values[j] = values[i]`` within ``tol`` (``i`` included)."""
    vals = list(values)
    names = list(label) if label is not None else [str(k) for k in range(len(vals))]
    return [j for j, v in enumerate(vals)
            if j == i or eq(v, vals[i], tol=tol, what=f"{names[j]} = {names[i]} ({_short(v)} vs {_short(vals[i])})")]


def argmax_set(values: Sequence[Any] | np.ndarray, *, tol: float | None = None,
               label: Sequence[str] | None = None) -> list[int]:
    """Indices attaining the maximum within ``tol`` (the float maximum, then its ties)."""
    vals = list(values)
    if not vals:
        return []
    top = max(range(len(vals)), key=lambda k: vals[k])
    return ties(vals, top, tol=tol, label=label)


__all__ = ["Borderline", "relay", "BAND", "FLOOR", "DEFAULT_TOLERANCE", "recording", "tolerance", "current_tolerance",
           "is_exact", "band", "classify", "leq", "geq", "eq", "is_zero", "lt", "gt", "all_zero", "ties",
           "argmax_set"]
