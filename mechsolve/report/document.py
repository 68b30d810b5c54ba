"""What a report shows, independent of format: a :class:`Document` of :class:`Section` s.

Examples
--------
>>> label("payoff_unconstrained"), label("x_a"), label("v({i})")
('payoff unconstrained', 'x_a', 'v({i})')
>>> label("shapley_G"), label("task_gain_alone G_i({j})")
('shapley (G)', 'task gain alone G_i({j})')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SNAKE = re.compile(r"[a-z]{2,}(?:_[a-z]{2,})+")
_OF = re.compile(r"([a-z]{3,})_([A-Za-z])")          # shapley_G: the Shapley value of G


def label(key: str) -> str:
    """A readable header for a data key: ``model_reward`` → ``model reward``.

    Only all-lowercase words of two or more letters joined by ``_`` are rewritten, so
    subscripts such as ``x_a`` or ``p_i`` keep their meaning.
    """
    head, sep, rest = key.partition(" ")
    if _SNAKE.fullmatch(head):
        return head.replace("_", " ") + sep + rest
    m = _OF.fullmatch(key)
    return f"{m.group(1)} ({m.group(2)})" if m else key


@dataclass
class Table:
    """A table: column headers and rows of cells (numbers are formatted on render)."""

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None


@dataclass
class Figure:
    """A picture already rendered to SVG markup (built in :mod:`mechsolve.report.figures`)."""

    caption: str
    svg: str


@dataclass
class Section:
    """A titled block of facts, tables, notes, commands (shown as code) and figures."""

    heading: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Document:
    """What a report shows, independent of format."""

    title: str
    sections: list[Section] = field(default_factory=list)
