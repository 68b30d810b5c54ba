"""What a report shows, independent of format: a :class:`Document` of :class:`Section` s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """A table: column headers and rows of cells (numbers are formatted on render)."""

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None


@dataclass
class Section:
    """A titled block of facts, tables and notes."""

    heading: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    """What a report shows, independent of format."""

    title: str
    sections: list[Section] = field(default_factory=list)
