"""``report``: one readable, self-contained document for a model (HTML or Markdown).

The document (built by :mod:`mechsolve.report.model_report`) shows the market, the outcome of
the model's scheme and of every other registered scheme that runs on it (computed once, by
:func:`mechsolve.verify.compare.compare`), each axiom's verdict with its witness, the game's
properties, figures (inline SVG) and the commands that reproduce it.
"""

from __future__ import annotations

from typing import Any

import click

from .app import cli
from .exit_codes import exit_code, with_exit_code
from .options import (FiniteFloatRange, code_options, digits, display_options, emit, learn_options, learn_session,
                      render_out)

@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--format", "-f", "fmt", type=click.Choice(("html", "markdown", "json")), default="html",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="write to FILE")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="seed for randomised checks")
@click.option("--tolerance", type=FiniteFloatRange(min=0), default=None, help="absolute tolerance")
@click.option("--exact/--float", "exact", default=None, help="exact rational arithmetic")
@display_options
@code_options
@learn_options
@click.pass_context
def report(ctx: click.Context, model: str, fmt: str, output: str | None, seed: int, tolerance: float | None,
           exact: bool | None, **learn: Any) -> None:
    """Write one readable document for MODEL: market, schemes, axioms, properties, figures.

    Exit 1 when an axiom of the model's scheme is violated (the document says where).

    \b
    Example:
      mechsolve report models/glove-game.yaml -o glove.html
      mechsolve report models/mnist-5-parties.yaml --format markdown -o mnist.md
    """
    from ..model.io import load
    from ..report.model_report import analysis_report, market_report, market_report_data
    from ..verify.analysis import analyse
    from ..verify.compare import compare, report_schemes

    m = load(model)
    if m.kind != "cooperative-market":
        result = analyse(m, exact=exact, tolerance=tolerance, seed=seed, source_path=model)
        doc = analysis_report(result, path=model, kind=m.kind, fmt=fmt, output=output, digits=digits())
        emit(render_out(doc, with_exit_code(result, result.to_dict()), fmt), output)
        ctx.exit(exit_code(result))
    names = report_schemes(m)
    with learn_session(**learn) as opts:
        comp = compare(m, schemes=names, check=True, exact=exact, tolerance=tolerance, seed=seed,
                       source_path=model, inspect=True, skip_inapplicable=True, learn=opts)
    doc = market_report(comp, path=model, fmt=fmt, output=output, figures=fmt != "json", digits=digits())
    data = market_report_data(comp)
    data["model"] = with_exit_code(comp.analyses[m.scheme.name], data["model"])
    data["other_schemes"] = {s: with_exit_code(comp.analyses[s], d) for s, d in data["other_schemes"].items()}
    emit(render_out(doc, data, fmt), output)
    ctx.exit(exit_code(comp.analyses[m.scheme.name]))
