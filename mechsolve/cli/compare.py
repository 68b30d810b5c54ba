"""``compare``: several payment/reward schemes side by side on one market."""

from __future__ import annotations

from typing import Any

import click

from .app import cli
from .options import (code_options, digits, emit, learn_options, learn_session, numeric_options, output_options,
                      render_out)


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--schemes", "-s", "schemes", required=True,
              help="comma-separated registered schemes, e.g. shapley,nguyen-payoff,ohrimenko-single")
@click.option("--quantity", "-q", "quantities", multiple=True,
              help="also show this per-player quantity of each scheme that has it (repeatable), e.g. model_reward")
@click.option("--check/--no-check", default=True, show_default=True,
              help="check each scheme's own axioms and tabulate the verdicts")
@output_options
@numeric_options
@code_options
@learn_options
@click.pass_context
def compare(ctx: click.Context, model: str, schemes: str, quantities: tuple[str, ...], check: bool, fmt: str,
            output: str | None, exact: bool | None, tolerance: float | None, seed: int, confirm: bool,
            **learn: Any) -> None:
    """Put several schemes side by side for the same market: one row per player.

    Each scheme gets the model's parameters when it is the model's scheme, and the
    model's budgets when it takes budgets. Exit 1 when some checked axiom is violated.

    \b
    Example:
      mechsolve compare models/mnist-5-parties.yaml --schemes shapley,nguyen-payoff,ohrimenko-single
      mechsolve compare models/nguyen-mnist-budget-0.3.yaml -s nguyen-budget,nguyen-payoff -q model_reward
    """
    from ..model.io import load
    from ..verify.compare import compare as run_compare

    m = load(model)
    names = [s.strip() for s in schemes.split(",") if s.strip()]
    with learn_session(**learn) as opts:
        result = run_compare(m, schemes=names, check=check, quantities=quantities,
                             exact=exact, tolerance=tolerance, seed=seed, source_path=model,
                             learn=opts if m.kind == "cooperative-market" else None, confirm=confirm)
    from ..report.documents import document

    from .exit_codes import exit_code, with_exit_code

    emit(render_out(document(result, digits=digits()), with_exit_code(result, result.to_dict()), fmt), output)
    ctx.exit(exit_code(result))
