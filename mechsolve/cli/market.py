"""``solve``, ``check`` and ``inspect``: the main job on a model file."""

from __future__ import annotations

from pathlib import Path

import click

from . import cli
from .options import emit, numeric_options, output_options


def _run(path: str, *, fmt: str, output: str | None, exact: bool | None, tolerance: float | None,
         seed: int, axioms: tuple[str, ...] = (), check: bool = True, inspect: bool = False,
         scheme: str | None = None) -> int:
    from ..analysis import analyse
    from ..io import load
    from ..report import render

    model = load(path)
    kwargs = dict(exact=exact, tolerance=tolerance, seed=seed, check=check, inspect=inspect,
                  source_path=path)
    if axioms:
        kwargs["axioms"] = list(axioms)
    if scheme:
        kwargs["scheme"] = scheme
    result = analyse(model, Path(path).parent, **kwargs)
    emit(render(result.document(), result.to_dict(), fmt), output)
    return result.exit_code


MODEL = click.argument("model", type=click.Path(dir_okay=False))


@cli.command()
@MODEL
@click.option("--scheme", default=None, help="apply this registered scheme instead of the model's")
@click.option("--check/--no-check", default=True, show_default=True,
              help="also check the axioms the model (or its scheme) lists")
@output_options
@numeric_options
@click.pass_context
def solve(ctx: click.Context, model: str, scheme: str | None, check: bool, fmt: str, output: str | None,
          exact: bool | None, tolerance: float | None, seed: int) -> None:
    """Compute the model's scheme (payments, rewards) and check its axioms.

    \b
    Example:
      mechsolve solve models/glove-game.yaml
      mechsolve solve models/mnist-5-parties.yaml --format json -o out/mnist.json
    """
    ctx.exit(_run(model, fmt=fmt, output=output, exact=exact, tolerance=tolerance, seed=seed,
                  check=check, scheme=scheme))


@cli.command()
@MODEL
@click.option("--axiom", "-a", "axioms", multiple=True,
              help="check this axiom (repeatable; default: the model's list). See `mechsolve axioms`.")
@click.option("--scheme", default=None, help="check this registered scheme instead of the model's")
@output_options
@numeric_options
@click.pass_context
def check(ctx: click.Context, model: str, axioms: tuple[str, ...], scheme: str | None, fmt: str,
          output: str | None, exact: bool | None, tolerance: float | None, seed: int) -> None:
    """Check axioms on the model; exit 0 if all hold, 1 if any is violated.

    \b
    Example:
      mechsolve check models/airport-game.yaml --axiom efficiency --axiom symmetry
      mechsolve check models/imdb-5-parties.yaml --exact
    """
    ctx.exit(_run(model, fmt=fmt, output=output, exact=exact, tolerance=tolerance, seed=seed,
                  axioms=axioms, scheme=scheme))


@cli.command()
@MODEL
@output_options
@numeric_options
@click.pass_context
def inspect(ctx: click.Context, model: str, fmt: str, output: str | None, exact: bool | None,
            tolerance: float | None, seed: int) -> None:
    """Print the game's properties (normalised, monotone, superadditive, supermodular, essential).

    Each property shows its worst violation and a witness: measured tables are
    noisy, so "no" comes with how far it fails.

    \b
    Example:
      mechsolve inspect models/gmm-5-parties-mmd.yaml
    """
    _run(model, fmt=fmt, output=output, exact=exact, tolerance=tolerance, seed=seed, check=False,
         inspect=True)
    ctx.exit(0)
