"""Render a :class:`~mechsolve.report.document.Document` as text (rich tables), Markdown or HTML,
or a JSON-ready dict as JSON.

Text fits a given width: every column gets at least its longest number (numbers are never
split across lines) or its longest word, and a table too wide for the width is laid out as
several narrower tables that each repeat the first (row label) column. Numbers print with
``digits`` significant digits (6 by default); exact values as ``p/q (≈decimal)``.

Examples
--------
>>> from mechsolve.report.document import Document, Section, Table
>>> doc = Document("demo", [Section("S", [("v(N)", 0.975300014)],
...                                [Table(["player"] + [f"quantity {k}" for k in range(12)],
...                                       [["a"] + [1 / 3] * 12])])])
>>> out = render_text(doc, width=80)
>>> max(len(line) for line in out.splitlines()) <= 80, "0.333333" in out, "part 1 of" in out
(True, True, True)
"""

from __future__ import annotations

import html
import io as _io
import re
from fractions import Fraction
from typing import Any

import numpy as np

from .document import Document, Section, Table
from .encode import render_json
from .numbers import fmt

FORMATS = ("text", "json", "markdown", "html")

#: Width used when the caller gives none (the CLI passes the terminal's).
DEFAULT_WIDTH = 100
#: Significant digits of floats in reports (``--digits``).
DEFAULT_DIGITS = 6
#: Narrowest width the text renderer lays out for.
MIN_WIDTH = 30


def is_number(x: Any) -> bool:
    """True for the cells printed as numbers (never split across lines)."""
    return isinstance(x, (int, float, Fraction, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _cell_len(s: str) -> int:
    from rich.cells import cell_len

    return cell_len(s)


def _longest_word(s: str) -> int:
    return max((_cell_len(w) for w in s.split()), default=0)


class _Column:
    """Width bounds of one column: ``lo`` keeps every number and word whole, ``hi`` fits every cell."""

    def __init__(self, header: str, cells: list[str], numeric: bool, cap: int) -> None:
        self.header, self.numeric = header, numeric
        longest = max((_cell_len(c) for c in cells), default=0)
        words = max((_longest_word(c) for c in cells), default=0)
        self.hi = max(longest, _cell_len(header), 1)
        if numeric:
            self.lo = max(longest, _longest_word(header), 1)
        else:  # a text column may wrap between words; a word longer than `cap` folds
            self.lo = max(min(max(words, _longest_word(header)), cap), 1)
        self.lo = min(self.lo, self.hi)


def _chunks(cols: list[_Column], width: int) -> list[list[int]]:
    """Column indices of each sub-table (the first column repeated in each) fitting ``width``."""
    def cost(ix: list[int]) -> int:
        return 1 + sum(cols[i].lo + 3 for i in ix)   # borders + one space of padding each side

    if cost(list(range(len(cols)))) <= width or len(cols) <= 2:
        return [list(range(len(cols)))]
    out: list[list[int]] = []
    cur = [0]
    for j in range(1, len(cols)):
        if len(cur) > 1 and cost(cur + [j]) > width:
            out.append(cur)
            cur = [0]
        cur.append(j)
    out.append(cur)
    rest = list(range(1, len(cols)))          # balance: as many columns in each part as fit
    per = -(-len(rest) // len(out))
    even = [[0] + rest[k:k + per] for k in range(0, len(rest), per)]
    return even if len(even) == len(out) and all(cost(ix) <= width for ix in even) else out


def _widths(cols: list[_Column], width: int) -> list[int]:
    """Widths between each column's bounds: spare room raises the narrowest columns first (a water level)."""
    room = width - 1 - 3 * len(cols)
    lo_sum = sum(c.lo for c in cols)
    if lo_sum >= room or sum(c.hi for c in cols) <= room:
        return [c.lo if lo_sum >= room else c.hi for c in cols]
    lo, hi = 0, max(c.hi for c in cols)
    while lo < hi:                       # the highest level whose widths still fit
        mid = (lo + hi + 1) // 2
        if sum(max(c.lo, min(c.hi, mid)) for c in cols) <= room:
            lo = mid
        else:
            hi = mid - 1
    w = [max(c.lo, min(c.hi, lo)) for c in cols]
    spare = room - sum(w)
    for i, c in enumerate(cols):         # what is left: one more column each, left to right
        if spare > 0 and w[i] < c.hi:
            w[i] += 1
            spare -= 1
    return w


def _text_table(t: Table, width: int, digits: int) -> list[Any]:
    """One or more rich tables for ``t`` that fit ``width`` without splitting a number."""
    from rich import box
    from rich.table import Table as RichTable

    cells = [[fmt(c, digits) for c in row] for row in t.rows]
    ncol = len(t.columns)
    cols = []
    for j, h in enumerate(t.columns):
        col = [r[j] for r in t.rows if j < len(r)]
        numeric = any(is_number(c) for c in col) and all(is_number(c) or c is None for c in col)
        cols.append(_Column(str(h), [r[j] for r in cells if j < len(r)], numeric, max(8, (width - 4) // 2)))
    parts = _chunks(cols, width)
    out = []
    for k, ix in enumerate(parts):
        title = t.title
        if len(parts) > 1:
            title = f"{t.title + ' — ' if t.title else ''}part {k + 1} of {len(parts)}"
        sub = [cols[i] for i in ix]
        rt = RichTable(title=title, box=box.HEAVY_HEAD, title_justify="left")
        for c, w in zip(sub, _widths(sub, width)):
            rt.add_column(c.header, width=w, overflow="fold",
                          justify="right" if c.numeric else "left")
        for row in cells:
            rt.add_row(*[row[i] if i < len(row) else "" for i in ix])
        out.append(rt)
    _ = ncol
    return out


def _facts_grid(facts: list[tuple[str, Any]], width: int, digits: int, *, prefix: str = "") -> Any:
    """``key: value`` lines with the value wrapped under itself (a hanging indent)."""
    from rich.padding import Padding
    from rich.table import Table as RichTable

    keys = [f"{prefix}{k}:" for k, _ in facts]
    kw = min(max((_cell_len(k) for k in keys), default=1), max(8, (width - 2) // 2))
    grid = RichTable.grid(padding=(0, 1))
    grid.add_column(width=kw, overflow="fold")
    grid.add_column(overflow="fold", max_width=max(10, width - kw - 3))
    for k, (_, v) in zip(keys, facts):
        grid.add_row(k, fmt(v, digits))
    return Padding(grid, (0, 0, 0, 2))


def render_text(doc: Document, *, width: int | None = None, digits: int = DEFAULT_DIGITS,
                color: bool = False) -> str:
    """Rich tables rendered to plain text at ``width`` columns (no colour unless asked)."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    width = max(MIN_WIDTH, int(width or DEFAULT_WIDTH))
    buf = _io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
                      highlight=False, emoji=False, soft_wrap=False)
    console.print(Text(doc.title, style="bold"))
    for sec in doc.sections:
        console.print()
        console.print(Text(sec.heading, style="bold underline"))
        if sec.facts:
            console.print(_facts_grid(sec.facts, width, digits))
        for t in sec.tables:
            for rt in _text_table(t, width, digits):
                console.print(rt)
        for n in sec.notes:
            console.print(_facts_grid([("note", n)], width, digits))
        for cmd in sec.code:
            console.print(Padding(Text(f"$ {cmd}"), (0, 0, 0, 2)))
        for f in sec.figures:
            console.print(_facts_grid([("figure", f"{f.caption} (in the HTML and Markdown reports)")], width,
                                      digits))
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def _md_cell(x: Any, digits: int) -> str:
    return fmt(x, digits).replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Document, *, digits: int = DEFAULT_DIGITS) -> str:
    """GitHub-flavoured Markdown (figures as SVG data-URI images)."""
    import base64

    out = [f"# {doc.title}", ""]
    for sec in doc.sections:
        out += [f"## {sec.heading}", ""]
        for k, v in sec.facts:
            out.append(f"- **{k}**: {_md_cell(v, digits)}")
        if sec.facts:
            out.append("")
        for t in sec.tables:
            if t.title:
                out += [f"**{t.title}**", ""]
            out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in t.columns) + " |")
            out.append("|" + "".join("---:|" if _numeric_column(t, j) else "---|" for j in range(len(t.columns))))
            for row in t.rows:
                out.append("| " + " | ".join(_md_cell(c, digits) for c in row) + " |")
            out.append("")
        for n in sec.notes:
            out.append(f"> {n}")
        if sec.notes:
            out.append("")
        if sec.code:
            out += ["```console"] + [f"$ {c}" for c in sec.code] + ["```", ""]
        for f in sec.figures:
            b64 = base64.b64encode(f.svg.encode()).decode()
            out += [f"![{f.caption}](data:image/svg+xml;base64,{b64})", "", f"*{f.caption}*", ""]
    return "\n".join(out)


def _numeric_column(t: Table, j: int) -> bool:
    col = [r[j] for r in t.rows if j < len(r)]
    return any(is_number(c) for c in col) and all(is_number(c) or c is None for c in col)


#: The HTML report's stylesheet: readable type, tables that scroll inside their box, verdict colours.
STYLESHEET = """
:root{--fg:#1d1d1f;--muted:#5f6368;--line:#d0d4da;--head:#f1f3f6;--ok:#0a7a32;--bad:#b3261e;--na:#6b6b6b}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
 line-height:1.45;max-width:72em;margin:2em auto;padding:0 1.5em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid var(--line);
 padding-bottom:.2em}h3{font-size:1.05em}
nav.toc{background:#f8f9fb;border:1px solid var(--line);border-radius:6px;padding:.6em 1.2em;margin:1em 0}
nav.toc ol{margin:.3em 0;padding-left:1.4em}nav.toc a{text-decoration:none}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.6em 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;width:fit-content;max-width:100%;margin:.6em 0;border:1px solid var(--line);
 border-radius:4px}
table{border-collapse:collapse;font-size:.92em}
td,th{border-bottom:1px solid var(--line);padding:.25em .7em;text-align:left;vertical-align:top}
th{background:var(--head)}th.num{text-align:right}tbody td:first-child{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
caption{caption-side:top;text-align:left;font-weight:600;padding:.3em .7em}
.holds,.proved,.yes{color:var(--ok);font-weight:600}.violated,.no{color:var(--bad);font-weight:600}
.not-applicable,.no-counterexample-found{color:var(--na)}
td.holds,td.violated,td.not-applicable,td.no-counterexample-found,td.proved{white-space:nowrap}
p.note{color:var(--muted);margin:.3em 0}
pre{background:#f5f6f8;border:1px solid var(--line);border-radius:4px;padding:.6em .9em;white-space:pre-wrap;
 overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:var(--muted);font-size:.9em}
"""

_VERDICT_CLASSES = ("holds", "violated", "not-applicable", "no-counterexample-found", "proved", "yes", "no")


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, k = base, 2
    while slug in used:
        slug, k = f"{base}-{k}", k + 1
    used.add(slug)
    return slug


def render_html(doc: Document, *, digits: int = DEFAULT_DIGITS) -> str:
    """A self-contained HTML page: stylesheet, table of contents, tables, notes, code and inline SVG."""
    e = html.escape
    parts = ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{e(doc.title)}</title>", f"<style>{STYLESHEET}</style></head><body>",
             f"<h1>{e(doc.title)}</h1>", *_html_sections(doc, digits, toc=True), "</body></html>"]
    return "\n".join(parts) + "\n"


#: The class of the element that holds an HTML fragment (notebooks); the stylesheet is scoped to it.
FRAGMENT_CLASS = "mechsolve-report"


def scoped_stylesheet(scope: str = f".{FRAGMENT_CLASS}") -> str:
    """:data:`STYLESHEET` with every rule limited to ``scope`` (``:root`` and ``body`` become the scope itself).

    Examples
    --------
    >>> scoped_stylesheet(".r").split("}")[0].startswith(".r{")
    True
    >>> ".r table{" in scoped_stylesheet(".r")
    True
    """
    rules = []
    for rule in STYLESHEET.replace("\n", "").split("}"):
        if "{" not in rule:
            continue
        sel, body = rule.split("{", 1)
        scoped = []
        for one in sel.split(","):
            one = one.strip()
            scoped.append(scope if one in (":root", "body") else f"{scope} {one}")
        rules.append(",".join(scoped) + "{" + body + "}")
    return "".join(rules)


def render_html_fragment(doc: Document, *, digits: int = DEFAULT_DIGITS) -> str:
    """The body of :func:`render_html` as one ``<div>`` with its stylesheet scoped to it.

    What a notebook shows for a result (``_repr_html_``): the same sections and tables as the
    HTML report, without a page around them and without restyling the rest of the notebook.

    Examples
    --------
    >>> from mechsolve.report.document import Document, Section, Table
    >>> out = render_html_fragment(Document("t", [Section("S", tables=[Table(["a"], [[1.5]])])]))
    >>> out.startswith("<div class='mechsolve-report'>"), "<td class='num'>1.5</td>" in out, "<body" in out
    (True, True, False)
    """
    e = html.escape
    fit = f".{FRAGMENT_CLASS}{{margin:0;padding:0;max-width:none}}"     # sits in the page, not centred on it
    parts = [f"<div class='{FRAGMENT_CLASS}'>", f"<style>{scoped_stylesheet()}{fit}</style>",
             f"<h3>{e(doc.title)}</h3>", *_html_sections(doc, digits, toc=False), "</div>"]
    return "\n".join(parts) + "\n"


def _html_sections(doc: Document, digits: int, *, toc: bool) -> list[str]:
    """Contents (with ``toc`` and more than one section), then every section: facts, tables, notes, code, figures."""
    e = html.escape
    used: set[str] = set()
    ids = [_slug(sec.heading, used) for sec in doc.sections]
    parts = []
    if toc and len(doc.sections) > 1:
        parts.append("<nav class='toc'><b>Contents</b><ol>" + "".join(
            f"<li><a href='#{i}'>{e(sec.heading)}</a></li>" for i, sec in zip(ids, doc.sections)) + "</ol></nav>")
    for sid, sec in zip(ids, doc.sections):
        parts.append(f"<section id='{sid}'><h2>{e(sec.heading)}</h2>" if toc else
                     f"<section><h4>{e(sec.heading)}</h4>")
        if sec.facts:
            parts.append("<dl class='facts'>" + "".join(
                f"<dt>{e(k)}</dt><dd>{_html_value(v, digits, k)}</dd>" for k, v in sec.facts) + "</dl>")
        for t in sec.tables:
            cap = f"<caption>{e(t.title)}</caption>" if t.title else ""
            parts.append(f"<div class='table-wrap'><table>{cap}<thead><tr>"
                         + "".join(f"<th class='num'>{e(str(c))}</th>" if _numeric_column(t, j) else
                                   f"<th>{e(str(c))}</th>" for j, c in enumerate(t.columns))
                         + "</tr></thead><tbody>")
            for row in t.rows:
                parts.append("<tr>" + "".join(_html_cell(c, digits) for c in row) + "</tr>")
            parts.append("</tbody></table></div>")
        for n in sec.notes:
            parts.append(f"<p class='note'>{e(n)}</p>")
        if sec.code:
            parts.append("<pre><code>" + "\n".join(e(f"$ {c}") for c in sec.code) + "</code></pre>")
        for f in sec.figures:
            parts.append(f"<figure>{f.svg}<figcaption>{e(f.caption)}</figcaption></figure>")
        parts.append("</section>")
    return parts


def _html_value(v: Any, digits: int, key: str = "") -> str:
    s = fmt(v, digits)
    cls = f" class='{s}'" if s in _VERDICT_CLASSES else ""
    if key == "verdict" and not cls:        # "all checked axioms hold" / "2 axiom(s) violated"
        cls = " class='violated'" if "violated" in s else " class='holds'" if "hold" in s else ""
    return f"<span{cls}>{html.escape(s)}</span>" if cls else html.escape(s)


def _html_cell(c: Any, digits: int) -> str:
    s = fmt(c, digits)
    classes = []
    if is_number(c):
        classes.append("num")
    if s in _VERDICT_CLASSES:
        classes.append(s)
    cls = f" class='{' '.join(classes)}'" if classes else ""
    return f"<td{cls}>{html.escape(s)}</td>"


def render(doc: Document, data: dict[str, Any], fmt_name: str, *, width: int | None = None,
           digits: int = DEFAULT_DIGITS) -> str:
    """Render in the named format (``json`` uses ``data``, the others ``doc``)."""
    if fmt_name == "json":
        return render_json(data)
    if fmt_name == "markdown":
        return render_markdown(doc, digits=digits)
    if fmt_name == "html":
        return render_html(doc, digits=digits)
    return render_text(doc, width=width, digits=digits)


__all__ = ["FORMATS", "DEFAULT_WIDTH", "DEFAULT_DIGITS", "STYLESHEET", "FRAGMENT_CLASS", "is_number", "render",
           "render_text", "render_markdown", "render_html", "render_html_fragment", "scoped_stylesheet"]
