"""The ``mechsolve report`` document: one readable, self-contained page for a model.

For a cooperative market it lays out a :class:`~mechsolve.verify.compare.Comparison` (the
model's scheme and every other registered scheme that runs on the market, each computed once by
:func:`mechsolve.verify.compare.compare`): the market, the model's scheme with the game's
properties and its axioms, the schemes side by side, each other scheme with its own axioms,
figures (one panel per scheme and quantity; flow matrices as heat maps) and the commands that
reproduce it. Any other model kind gets its analysis document plus the reproduce section.
Nothing here computes: numbers come from the results, pictures from :mod:`.figures`.
"""

from __future__ import annotations

from typing import Any

from .._version import __version__
from ..errors import Unsupported
from ..verify.compare import Comparison
from .document import Document, Figure, Section, label
from .documents import DIGITS, checks_section, comparison_document, document, scheme_section


def reproduce_section(path: str, *, kind: str, fmt: str, output: str | None,
                      schemes: list[str] | None = None) -> Section:
    """The commands that reproduce the report, with the real output path (shown as code)."""
    code = [f"mechsolve solve {path}", f"mechsolve check {path} --exact", f"mechsolve inspect {path}"] \
        if kind == "cooperative-market" else [f"mechsolve solve {path}", f"mechsolve check {path}"]
    if schemes and len(schemes) > 1:
        code.append(f"mechsolve compare {path} -s {','.join(schemes)}")
    code.append(f"mechsolve report {path} --format {fmt}" + (f" -o {output}" if output else ""))
    return Section("How to reproduce", [("mechsolve version", __version__)], code=code)


def _figures(c: Comparison) -> tuple[list[Figure], list[str]]:
    """SVG figures of the comparison, or none and the reason (matplotlib is the ``plot`` extra)."""
    from .figures import allocation_figure, flow_figure, svg_markup, unit_of

    g = c.game
    try:
        panels = [(s, a.outcome.allocation_name, list(a.outcome.allocation)) for s, a in c.analyses.items()]
        figs = [Figure("Each scheme's allocation per party (one panel per scheme: the quantities differ)",
                       svg_markup(allocation_figure(list(g.names), panels)))]
        for a in c.analyses.values():
            o = a.outcome
            for name, mat in o.matrices.items():
                if "flow" not in name:          # only payoff flows are "from i to j"
                    continue
                figs.append(Figure(f"{o.scheme}: {label(name)} from party i (rows) to party j (columns)",
                                   svg_markup(flow_figure(list(g.names), mat, f"{o.scheme}: {label(name)}",
                                                          unit_of(o.scheme, name)))))
        return figs, []
    except Unsupported as exc:
        return [], [f"figures skipped: {exc}"]


def market_report(c: Comparison, *, path: str, fmt: str, output: str | None,
                  figures: bool = True, digits: int = DIGITS) -> Document:
    """The report of a cooperative market: the model's scheme first, then the others and the figures."""
    names = list(c.analyses)
    main = c.analyses[names[0]]
    doc = document(main, digits=digits)
    if len(names) > 1:
        side = comparison_document(c, digits=digits).sections[1]
        side.heading = "All schemes side by side (one row per player)"
        doc.sections.append(side)
    for name in names[1:]:
        a = c.analyses[name]
        doc.sections.append(scheme_section(f"Other scheme: {name}", c.game, a.outcome))
        if a.checks is not None:
            cs = checks_section(a.checks, digits)
            cs.heading = f"Axioms of {name}"
            doc.sections.append(cs)
    if c.skipped:
        doc.sections.append(Section("Schemes not shown", notes=[
            f"{s}: not applicable to this market ({why})" for s, why in c.skipped.items()]))
    if figures:
        figs, why = _figures(c)
        if figs or why:
            doc.sections.append(Section("Figures", notes=why, figures=figs))
    doc.sections.append(reproduce_section(path, kind="cooperative-market", fmt=fmt, output=output, schemes=names))
    return doc


def market_report_data(c: Comparison) -> dict[str, Any]:
    """``{"model": <the model's scheme>, "other_schemes": {name: ...}, "skipped": {name: reason}}``."""
    names = list(c.analyses)
    return {"model": c.analyses[names[0]].to_dict(),
            "other_schemes": {s: c.analyses[s].to_dict() for s in names[1:]},
            "skipped": dict(c.skipped)}


def analysis_report(result: Any, *, path: str, kind: str, fmt: str, output: str | None,
                    digits: int = DIGITS) -> Document:
    """The report of any other model kind: its analysis document and the reproduce section."""
    doc = document(result, digits=digits)
    doc.sections.append(reproduce_section(path, kind=kind, fmt=fmt, output=output))
    return doc


__all__ = ["market_report", "market_report_data", "analysis_report", "reproduce_section"]
