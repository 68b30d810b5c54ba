"""Render results for people and programs: text (rich tables), Markdown, HTML, JSON.

Formats, never computes: every renderer takes a :class:`Document` (title,
sections of key/value facts, tables and notes) or a JSON-ready dict.
"""

from __future__ import annotations

import html
import io as _io
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

FORMATS = ("text", "json", "markdown", "html")


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


def fmt(x: Any, digits: int = 10) -> str:
    """A number as text: Fractions as ``p/q (≈float)``, floats to ``digits`` significant digits."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        return f"{x.numerator}/{x.denominator} (≈{float(x):.{digits}g})"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{digits}g}"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if x is None:
        return "—"
    if isinstance(x, (list, tuple)):
        return "{" + ", ".join(fmt(v, digits) for v in x) + "}"
    if isinstance(x, dict):
        return ", ".join(f"{k}={fmt(v, digits)}" for k, v in x.items())
    return str(x)


def to_jsonable(x: Any) -> Any:
    """Convert numpy arrays/scalars and Fractions into JSON values (Fractions as ``"p/q"``)."""
    if isinstance(x, Fraction):
        return float(x)
    if isinstance(x, np.ndarray):
        return [to_jsonable(v) for v in x.tolist()] if x.dtype == object else x.tolist()
    if isinstance(x, (np.floating, np.integer, np.bool_)):
        return x.item()
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return str(x)
    return x


def render_json(data: dict[str, Any]) -> str:
    """Stable, indented JSON."""
    return json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n"


def render_text(doc: Document, *, width: int = 110, color: bool = False) -> str:
    """Rich tables rendered to plain text (no colour unless asked)."""
    from rich.console import Console
    from rich.table import Table as RichTable

    buf = _io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
                      highlight=False, emoji=False)
    console.print(f"[bold]{doc.title}[/bold]", markup=True)
    for sec in doc.sections:
        console.print()
        console.print(f"[bold underline]{sec.heading}[/bold underline]", markup=True)
        for k, v in sec.facts:
            console.print(f"  {k}: {fmt(v)}", markup=False)
        for t in sec.tables:
            rt = RichTable(title=t.title, show_lines=False)
            for c in t.columns:
                rt.add_column(c, overflow="fold")
            for row in t.rows:
                rt.add_row(*[fmt(c) for c in row])
            console.print(rt)
        for n in sec.notes:
            console.print(f"  note: {n}", markup=False)
    return buf.getvalue()


def _md_cell(x: Any) -> str:
    return fmt(x).replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Document) -> str:
    """GitHub-flavoured Markdown."""
    out = [f"# {doc.title}", ""]
    for sec in doc.sections:
        out += [f"## {sec.heading}", ""]
        for k, v in sec.facts:
            out.append(f"- **{k}**: {_md_cell(v)}")
        if sec.facts:
            out.append("")
        for t in sec.tables:
            if t.title:
                out += [f"**{t.title}**", ""]
            out.append("| " + " | ".join(t.columns) + " |")
            out.append("|" + "---|" * len(t.columns))
            for row in t.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
            out.append("")
        for n in sec.notes:
            out.append(f"> {n}")
        if sec.notes:
            out.append("")
    return "\n".join(out)


def render_html(doc: Document) -> str:
    """A self-contained HTML page."""
    e = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{e(doc.title)}</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em}"
             "th{background:#f4f4f4}.violated{color:#b00}.holds{color:#070}</style></head><body>",
             f"<h1>{e(doc.title)}</h1>"]
    for sec in doc.sections:
        parts.append(f"<h2>{e(sec.heading)}</h2>")
        if sec.facts:
            parts.append("<ul>" + "".join(f"<li><b>{e(k)}</b>: {e(fmt(v))}</li>" for k, v in sec.facts) + "</ul>")
        for t in sec.tables:
            if t.title:
                parts.append(f"<h3>{e(t.title)}</h3>")
            parts.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in t.columns) + "</tr>")
            for row in t.rows:
                cells = []
                for c in row:
                    s = fmt(c)
                    cls = f" class='{s}'" if s in ("violated", "holds") else ""
                    cells.append(f"<td{cls}>{e(s)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</table>")
        for n in sec.notes:
            parts.append(f"<p><i>{e(n)}</i></p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(doc: Document, data: dict[str, Any], fmt_name: str) -> str:
    """Render in the named format (``json`` uses ``data``, the others ``doc``)."""
    if fmt_name == "json":
        return render_json(data)
    if fmt_name == "markdown":
        return render_markdown(doc)
    if fmt_name == "html":
        return render_html(doc)
    return render_text(doc)
