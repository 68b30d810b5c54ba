"""Options shared by several commands, and output writing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..report import FORMATS


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--format`` and ``--output``."""
    f = click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
                     help="write the report to FILE (atomically) instead of stdout")(f)
    f = click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text = rich tables; json = stable object keyed by player names")(f)
    return f


def numeric_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--exact``, ``--tolerance``, ``--seed``."""
    f = click.option("--seed", type=int, default=0, show_default=True,
                     help="seed for randomised checks and Monte Carlo")(f)
    f = click.option("--tolerance", type=click.FloatRange(min=0), default=None,
                     help="absolute tolerance of float verdicts (default: the model's, else 1e-9)")(f)
    f = click.option("--exact/--float", "exact", default=None,
                     help="exact rational arithmetic (verdicts with zero tolerance) or float64")(f)
    return f


def emit(text: str, output: str | None) -> None:
    """Print, or write to ``output`` atomically and say so."""
    if output:
        from ..model.io import write_text

        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
