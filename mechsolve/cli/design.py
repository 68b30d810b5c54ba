"""``design``: synthesise a payment rule from axioms on a model, or print the proof that none exists."""

from __future__ import annotations

from pathlib import Path

import click

from .app import cli
from .exit_codes import exit_code, with_exit_code
from .options import FiniteFloatRange, emit


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--axiom", "-a", "axioms", multiple=True,
              help="axiom the rule must satisfy (repeatable; default: the model's `design.axioms`, else "
                   "ic, ir, wbb for a mechanism and efficiency, individual-rationality, core for a market)")
@click.option("--objective", default=None,
              help="revenue | max-min-utility | 'closest-to RULE' | budget-balance-gap | none "
                   "(default: revenue for a mechanism, 'closest-to shapley' for a market)")
@click.option("--rule", default=None, help="the RULE of closest-to (mep, max-payment, zero; or a market scheme)")
@click.option("--norm", type=click.Choice(["l1", "linf"]), default=None, help="distance of closest-to / gap (default l1)")
@click.option("--delta", type=FiniteFloatRange(min=0), default=None, help="δ of the shapley-within axiom")
@click.option("--epsilon", type=FiniteFloatRange(min=-1e12, max=1e12), default=None,
              help="ε of the epsilon-core axiom (|ε| ≤ 1e12: beyond, float LPs cannot resolve the data)")
@click.option("--exact/--float", "exact", default=None,
              help="design in exact rational arithmetic (default: the model's `exact`)")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="write the designed rule as a model file that `mechsolve check` runs (when one exists)")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="write the report to FILE instead of stdout")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True, help="report format")
@click.pass_context
def design(ctx: click.Context, model: str, axioms: tuple[str, ...], objective: str | None, rule: str | None,
           norm: str | None, delta: float | None, epsilon: float | None, exact: bool | None, output: str | None,
           report_path: str | None, fmt: str) -> None:
    """Design a rule from axioms: a payment table (mechanism) or payoff vector (market) — or a proof that none exists.

    The rule's unknowns (p_i(t) per agent and profile, or x_i per player) get one named linear
    row per axiom instance; HiGHS solves the LP by row generation. When no rule exists the
    report prints an irreducible set of named rows whose weighted sum reads 0 ≤ −c, verified in
    exact arithmetic. Exit 0: a rule was found; 1: none exists; 2: bad input.

    \b
    Example:
      mechsolve design models/chen-market-growth.yaml -o designed.yaml && mechsolve check designed.yaml
      mechsolve design models/chen-market-growth-beyond-boundary.yaml      # exit 1: the proof
      mechsolve design models/mnist-5-parties.yaml -a efficiency -a individual-rationality -a core
      mechsolve design models/glove-game.yaml --objective "closest-to shapley" --norm linf --format json
    """
    from ..model.io import load, write_text
    from ..report import render
    from ..report.documents import document
    from ..verify.design import design as run_design
    from ..verify.design import rule_yaml

    m = load(model)
    out_dir = Path(output).parent if output else None
    result = run_design(m, axioms=list(axioms) or None, objective=objective, rule=rule,
                        norm=norm, delta=delta, epsilon=epsilon, exact=exact, source_path=model, output_dir=out_dir)
    if output:
        if result.found:
            write_text(output, rule_yaml(result))
            click.echo(f"wrote {output} (run `mechsolve check {output}`)", err=True)
        else:
            click.echo(f"no rule exists, so {output} was not written; the certificate is in the report", err=True)
    emit(render(document(result), with_exit_code(result, result.to_dict()), fmt), report_path)
    ctx.exit(exit_code(result))
