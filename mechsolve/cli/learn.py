"""``learn``: train a model per coalition and write the learned value table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .app import cli
from .options import digits, display_options, emit, learn_options, learn_session, render_out


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "table_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="write the learned table: FILE.json (players + values, bitmask order) or FILE.npy")
@click.option("--format", "-f", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="the summary on stdout")
@display_options
@learn_options
@click.pass_context
def learn(ctx: click.Context, model: str, table_path: str | None, fmt: str, **options: Any) -> None:
    """Train the model of every coalition of MODEL (`value: {learn: ...}`) and write the table.

    Every coalition's model is trained once and cached by a content hash of its data,
    the estimator, the scorer, the seed and the library versions: a second run, or
    another scheme on the same market, trains nothing. The written table is a value
    file: a model with `value: {file: FILE}` re-checks it without retraining.

    \b
    Example:
      mechsolve learn models/learn-digits-5-parties.yaml -o out/digits.json
      mechsolve learn models/learn-digits-5-parties.yaml --workers 2 --no-cache
      mechsolve learn models/learn-digits-5-parties.yaml --scheduler tcp://127.0.0.1:8786
    """
    from ..data.learn import learned_game
    from ..errors import InvalidModel
    from ..model.io import load, write_value_table
    from ..report.documents import document

    m = load(model)
    if m.kind != "cooperative-market" or getattr(m.value, "learn", None) is None:
        raise InvalidModel("`mechsolve learn` needs a market whose value is learned (`value: {learn: ...}`)",
                           field="value.learn")
    with learn_session(**options) as opts:
        game = learned_game(m, options=opts)
    table = game.meta["learned"]
    data: dict[str, Any] = {"model": m.name or Path(model).stem, "players": list(table.names),
                            "values": table.values, "learned": table.to_dict()}
    if table_path:
        write_value_table(table_path, list(table.names), table.values,
                          description=f"learned by mechsolve from {Path(model).name}: {data['learned']['scorer']} "
                                      f"of {table.learner.estimator} trained per coalition",
                          source=m.source, extra={"learned": table.learner.describe()})
        data["written"] = table_path
    emit(render_out(document(table, digits=digits()), data, fmt), None)
    if table_path:
        click.echo(f"wrote {table_path}", err=True)
    ctx.exit(0)
