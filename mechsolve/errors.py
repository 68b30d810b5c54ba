"""Error hierarchy of mechsolve.

Every error a user can cause is a :class:`MechsolveError`; the CLI prints its
message on one line and exits with code 2. Library code never turns an
exception into a number.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

#: A value quoted in an error message is shortened to about this many characters.
MAX_VALUE_CHARS = 80
#: Any unbroken run of characters longer than this is shortened, whoever built the message.
MAX_RUN_CHARS = 160
#: The longest error message (one line on the terminal, never megabytes of a quoted value).
MAX_MESSAGE_CHARS = 1000

_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN_CHARS + 1))


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut in the middle to about ``limit`` characters, saying how long it was.

    Examples
    --------
    >>> shorten("abc")
    'abc'
    >>> shorten("x" * 1000, 40)
    'xxxxxxxxxxxxxxxxxx…[1,000 chars]…xxxxxxx'
    """
    if len(text) <= limit:
        return text
    note = f"…[{len(text):,} chars]…"
    keep = max(limit - len(note), 8)
    head = keep * 3 // 4
    return text[:head] + note + text[len(text) - (keep - head):]


def short_repr(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """``repr(value)`` shortened to about ``limit`` characters (never fails, never huge).

    Examples
    --------
    >>> short_repr("a" * 200, 30)
    "'aaaaaaaaaaaa…[202 chars]…aaaa'"
    >>> short_repr(10**5000)
    'an integer of about 5001 digits'
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of about {int(value.bit_length() * 0.30102999566) + 1} digits"
    if isinstance(value, str) and len(value) > 4 * limit:  # repr of a huge string costs its length
        text = repr(value[: 2 * limit])[:-1] + repr(value[-limit:])[1:]
        return shorten(text, limit).replace(f"[{len(text):,} chars]", f"[{len(value) + 2:,} chars]")
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails still gives a readable message
        return f"a {type(value).__name__}"
    return shorten(text, limit)


def short_list(items: Iterable[Any], limit: int = 6) -> str:
    """At most ``limit`` items, comma-separated, then how many there are in all.

    Examples
    --------
    >>> short_list(["a", "b"])
    'a, b'
    >>> short_list([f"p{k}" for k in range(100)], 3)
    'p0, p1, p2, … (100 in all)'
    """
    seq = list(items)
    shown = ", ".join(shorten(str(x), 40) for x in seq[:limit])
    return shown if len(seq) <= limit else f"{shown}, … ({len(seq)} in all)"


def did_you_mean(word: Any, choices: Sequence[str], *, n: int = 3) -> str:
    """`` (did you mean `x`?)`` with the closest names only, or nothing when none is close.

    Examples
    --------
    >>> did_you_mean("tolerence", ["tolerance", "players", "value"])
    ' (did you mean `tolerance`?)'
    >>> did_you_mean("zzz", ["tolerance"])
    ''
    """
    close = difflib.get_close_matches(str(word)[:200], [str(c) for c in choices], n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"`{c}`" for c in close) + "?)"


def unknown_name(what: str, name: Any, choices: Sequence[str], listing: str) -> str:
    """``unknown axiom 'symetry' (did you mean `symmetry`?)``: the closest names, never the whole list.

    With nothing close, the message says where the list is (``listing``, e.g. ``mechsolve axioms``).

    Examples
    --------
    >>> unknown_name("axiom", "symetry", ["symmetry", "efficiency"], "mechsolve axioms")
    "unknown axiom 'symetry' (did you mean `symmetry`?)"
    >>> unknown_name("axiom", "zzz", ["symmetry", "efficiency"], "mechsolve axioms")
    "unknown axiom 'zzz'; `mechsolve axioms` lists the 2 valid names"
    """
    hint = did_you_mean(name, choices)
    head = f"unknown {what} {short_repr(name)}"
    return head + hint if hint else f"{head}; `{listing}` lists the {len(choices)} valid names"


def bounded(message: str) -> str:
    """``message`` with every over-long run shortened and the whole cut to :data:`MAX_MESSAGE_CHARS`.

    Examples
    --------
    >>> len(bounded("unknown kind " + "z" * 10**6)) < 200
    True
    """
    if len(message) > 20 * MAX_MESSAGE_CHARS:  # do not even scan megabytes
        message = message[: 10 * MAX_MESSAGE_CHARS] + " … " + message[-2 * MAX_RUN_CHARS:]
    message = _LONG_RUN.sub(lambda m: shorten(m.group(), MAX_VALUE_CHARS), message)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 12] + " … [cut]"
    return message


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
        message = bounded(str(message))
        field = bounded(str(field)) if field is not None else None
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
