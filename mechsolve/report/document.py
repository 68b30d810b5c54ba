"""What a report shows, independent of format: a :class:`Document` of :class:`Section` s.

Examples
--------
>>> label("payoff_unconstrained"), label("x_a"), label("v({i})")
('payoff unconstrained', 'x_a', 'v({i})')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SNAKE = re.compile(r"[a-z]{2,}(?:_[a-z]{2,})+")


def label(key: str) -> str:
    """A readable header for a data key: ``model_reward`` → ``model reward``.

    Only all-lowercase words of two or more letters joined by ``_`` are rewritten, so
    subscripts such as ``x_a`` or ``p_i`` keep their meaning.
    """
    return key.replace("_", " ") if _SNAKE.fullmatch(key) else key


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
