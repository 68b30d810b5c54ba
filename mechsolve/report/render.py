"""Render a :class:`~mechsolve.report.document.Document` as text (rich tables), Markdown or HTML,
or a JSON-ready dict as JSON."""

from __future__ import annotations

import html
import io as _io
from typing import Any

from .document import Document
from .encode import render_json
from .numbers import fmt

FORMATS = ("text", "json", "markdown", "html")


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
