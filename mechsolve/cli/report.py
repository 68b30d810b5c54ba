"""``report``: one readable, self-contained document for a model (HTML or Markdown).

The document shows the market, the outcome of the model's scheme and of every other
registered scheme that runs on it, each axiom's verdict with its witness, the game's
properties, plots (payoffs per party; payment flows) as inline SVG, and how to reproduce.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np

from .app import cli
from .exit_codes import exit_code, with_exit_code
from .options import emit, render_out

#: Schemes never run implicitly: they need user input (a formula, a file of code).
_EXPLICIT_ONLY = ("formula", "callable")
_COLORS = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb")


def bar_chart_svg(players: Sequence[str], series: dict[str, Sequence[float]], title: str) -> str:
    """Grouped bar chart (one group per player, one bar per series) as standalone SVG."""
    e = html.escape
    vals = [float(x) for s in series.values() for x in s if math.isfinite(float(x))] or [0.0]
    lo, hi = min(0.0, *vals), max(0.0, *vals)
    span = (hi - lo) or 1.0
    w_group = max(40, 18 * len(series) + 16)
    width, height, top, bottom, left = left_w = 70 + w_group * len(players), 260, 30, 60, 60
    plot_h = height - top - bottom
    y = lambda v: top + (hi - v) / span * plot_h  # noqa: E731
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width + 150}' height='{height}' "
           f"font-family='sans-serif' font-size='11'>", f"<text x='{left}' y='16' font-size='13'>{e(title)}</text>",
           f"<line x1='{left}' x2='{width}' y1='{y(0):.1f}' y2='{y(0):.1f}' stroke='#333'/>",
           f"<text x='4' y='{y(hi) + 4:.1f}'>{hi:.3g}</text><text x='4' y='{y(lo) + 4:.1f}'>{lo:.3g}</text>"]
    for gi, p in enumerate(players):
        x0 = left + 8 + gi * w_group
        for si, (name, s) in enumerate(series.items()):
            v = float(s[gi])
            if not math.isfinite(v):
                continue
            y1, y2 = sorted((y(0), y(v)))
            out.append(f"<rect x='{x0 + si * 18}' y='{y1:.1f}' width='15' height='{max(y2 - y1, 0.5):.1f}' "
                       f"fill='{_COLORS[si % len(_COLORS)]}'><title>{e(name)} {e(p)}: {v:.6g}</title></rect>")
        out.append(f"<text x='{x0}' y='{height - bottom + 16}' transform='rotate(20 {x0} {height - bottom + 16})'>"
                   f"{e(p[:18])}</text>")
    for si, name in enumerate(series):
        out.append(f"<rect x='{width + 10}' y='{top + si * 16}' width='10' height='10' "
                   f"fill='{_COLORS[si % len(_COLORS)]}'/><text x='{width + 24}' y='{top + si * 16 + 9}'>"
                   f"{e(name[:20])}</text>")
    out.append("</svg>")
    _ = left_w
    return "".join(out)


def flow_graph_svg(players: Sequence[str], matrix: np.ndarray, title: str) -> str:
    """Directed flow graph ``i → j`` (edge width ∝ |m_ij|) on a circle, as standalone SVG."""
    e = html.escape
    n = len(players)
    size, r = 360, 130
    cx = cy = size / 2
    pos = [(cx + r * math.cos(2 * math.pi * k / max(n, 1) - math.pi / 2),
            cy + r * math.sin(2 * math.pi * k / max(n, 1) - math.pi / 2)) for k in range(n)]
    m = np.asarray([[float(x) for x in row] for row in matrix])
    big = float(np.abs(m).max()) or 1.0
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size + 20}' font-family='sans-serif' "
           "font-size='11'><defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' "
           "markerHeight='6' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#4477aa'/></marker></defs>",
           f"<text x='8' y='14' font-size='13'>{e(title)}</text>"]
    for i in range(n):
        for j in range(n):
            v = m[i, j]
            if i == j or not math.isfinite(v) or abs(v) < 1e-12 * big:
                continue
            (x1, y1), (x2, y2) = pos[i], pos[j]
            dx, dy = x2 - x1, y2 - y1
            d = math.hypot(dx, dy) or 1.0
            ox, oy = -dy / d * 5, dx / d * 5      # offset so i→j and j→i do not overlap
            out.append(f"<line x1='{x1 + ox + dx / d * 18:.1f}' y1='{y1 + oy + dy / d * 18:.1f}' "
                       f"x2='{x2 + ox - dx / d * 18:.1f}' y2='{y2 + oy - dy / d * 18:.1f}' stroke='#4477aa' "
                       f"stroke-opacity='0.7' stroke-width='{0.5 + 5 * abs(v) / big:.2f}' marker-end='url(#arrow)'>"
                       f"<title>{e(players[i])} → {e(players[j])}: {v:.6g}</title></line>")
    for k, (x, yy) in enumerate(pos):
        out.append(f"<circle cx='{x:.1f}' cy='{yy:.1f}' r='16' fill='#fff' stroke='#333'/>"
                   f"<text x='{x:.1f}' y='{yy + 4:.1f}' text-anchor='middle'>{e(players[k][:6])}</text>")
    out.append("</svg>")
    return "".join(out)


def build_report(path: str, *, seed: int = 0, tolerance: float | None = None,
                 exact: bool | None = None) -> tuple[Any, dict[str, Any], list[tuple[str, str]], int]:
    """(document, JSON data, figures [(caption, svg)], exit code) for the model at ``path``."""
    from ..report.documents import document
    from ..report.sections import checks_section
    from ..verify.analysis import analyse
    from ..errors import MechsolveError
    from ..model.io import load
    from ..report import Section, Table
    from ..schemes import SCHEMES

    model = load(path)
    base = Path(path).parent
    figures: list[tuple[str, str]] = []
    if model.kind != "cooperative-market":
        result = analyse(model, base, exact=exact, tolerance=tolerance, seed=seed, source_path=path)
        doc = document(result)
        doc.sections.append(_reproduce_section(path, model))
        return doc, with_exit_code(result, result.to_dict()), figures, exit_code(result)
    main = analyse(model, base, exact=exact, tolerance=tolerance, seed=seed, inspect=True, source_path=path)
    doc = document(main)
    data: dict[str, Any] = {"model": with_exit_code(main, main.to_dict()), "other_schemes": {}}
    g = main.game
    series = {f"{main.outcome.scheme}: {main.outcome.allocation_name}": list(main.outcome.allocation)}
    skipped = []
    for name, sch in SCHEMES.items():
        if name == main.outcome.scheme or name in _EXPLICIT_ONLY:
            continue
        try:
            other = analyse(model, base, exact=exact, tolerance=tolerance, seed=seed, scheme=name,
                            axioms=list(sch.axioms), source_path=path)
        except MechsolveError as exc:
            skipped.append(f"{name}: not applicable to this model ({' '.join(str(exc).split())})")
            continue
        o = other.outcome
        cols = ["player", "v({i})"] + list(o.per_player)
        rows = [[p, g.singletons()[i]] + [vec[i] for vec in o.per_player.values()] for i, p in enumerate(g.names)]
        sec = Section(f"Other scheme: {name}", [(k, v) for k, v in o.scalars.items()], [Table(cols, rows)],
                      list(o.notes))
        doc.sections.append(sec)
        if other.checks is not None:
            cs = checks_section(other.checks)
            cs.heading = f"Axioms of {name}"
            doc.sections.append(cs)
        series[f"{name}: {o.allocation_name}"] = list(o.allocation)
        data["other_schemes"][name] = with_exit_code(other, other.to_dict())
    if skipped:
        doc.sections.append(Section("Schemes not shown", notes=skipped))
    figures.append(("Payoffs per party", bar_chart_svg(list(g.names), series, "allocation per party, by scheme")))
    for mname, mat in main.outcome.matrices.items():
        try:
            figures.append((f"Flow graph: {mname}", flow_graph_svg(list(g.names), mat, f"{mname} (i → j)")))
        except (TypeError, ValueError):
            continue
    doc.sections.append(_reproduce_section(path, model))
    return doc, data, figures, exit_code(main)


def _reproduce_section(path: str, model: Any) -> Any:
    from .._version import __version__
    from ..report import Section

    return Section("How to reproduce", [("mechsolve version", __version__)], notes=[
        f"mechsolve solve {path}", f"mechsolve check {path} --exact",
        f"mechsolve inspect {path}",
        f"mechsolve report {path} --format html -o report.html"])


def render_report(doc: Any, data: dict[str, Any], figures: list[tuple[str, str]], fmt: str) -> str:
    """HTML (figures inline as SVG) or Markdown (figures as data-URI images); ``json`` is the data."""

    text = render(doc, data, fmt)
    if not figures:
        return text
    if fmt == "html":
        figs = "<h2>Figures</h2>\n" + "\n".join(f"<figure>{svg}<figcaption>{html.escape(cap)}</figcaption></figure>"
                                                for cap, svg in figures)
        return text.replace("</body></html>", figs + "\n</body></html>")
    if fmt == "markdown":
        parts = ["", "## Figures", ""]
        for cap, svg in figures:
            b64 = base64.b64encode(svg.encode()).decode()
            parts += [f"![{cap}](data:image/svg+xml;base64,{b64})", ""]
        return text + "\n".join(parts)
    return text


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--format", "-f", "fmt", type=click.Choice(("html", "markdown", "json")), default="html",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="write to FILE")
@click.option("--seed", type=int, default=0, show_default=True, help="seed for randomised checks")
@click.option("--tolerance", type=click.FloatRange(min=0), default=None, help="absolute tolerance")
@click.option("--exact/--float", "exact", default=None, help="exact rational arithmetic")
@click.pass_context
def report(ctx: click.Context, model: str, fmt: str, output: str | None, seed: int, tolerance: float | None,
           exact: bool | None) -> None:
    """Write one readable document for MODEL: market, schemes, axioms, properties, plots.

    Exit 1 when an axiom of the model's scheme is violated (the document says where).

    \b
    Example:
      mechsolve report models/glove-game.yaml -o glove.html
      mechsolve report models/mnist-5-parties.yaml --format markdown -o mnist.md
    """
    doc, data, figures, code = build_report(model, seed=seed, tolerance=tolerance, exact=exact)
    emit(render_report(doc, data, figures, fmt), output)
    ctx.exit(code)
