"""``solve``, ``check`` and ``inspect``: the main job on a model file."""

from __future__ import annotations

from typing import Any

import click

from .app import cli
from .exit_codes import exit_code, with_exit_code
from .options import digits, emit, learn_options, learn_session, numeric_options, output_options, render_out


def _run(path: str, *, fmt: str, output: str | None, exact: bool | None, tolerance: float | None,
         seed: int, axioms: tuple[str, ...] = (), check: bool = True, inspect: bool = False,
         scheme: str | None = None, replicate: tuple[str, ...] = (), graph: str | None = None,
         confirm: bool = True, learn: dict | None = None) -> int:
    from ..verify.analysis import analyse_file

    kwargs: dict[str, Any] = dict(exact=exact, tolerance=tolerance, seed=seed, check=check, inspect=inspect,
                                  confirm=confirm)
    if axioms:
        kwargs["axioms"] = list(axioms)
    if scheme:
        kwargs["scheme"] = scheme
    with learn_session(**(learn or _DEFAULT_LEARN)) as opts:
        result = analyse_file(path, learn=opts, **kwargs)
    if axioms:
        _refuse_inapplicable(result, scheme)
    # the JSON data (every profile of a mechanism, up to 20,000) is built only when it is printed, and
    # the document only when it is shown (its module imports every result type: ~30 ms of start-up)
    data = with_exit_code(result, result.to_dict()) if fmt == "json" else {}
    doc = None
    if fmt != "json" or replicate:
        from ..report.documents import document

        doc = document(result, digits=digits())
    if replicate or graph:
        _extras(result.model, result, doc, data, replicate, graph)
    emit(render_out(doc, data, fmt), output)
    return exit_code(result)


def _refuse_inapplicable(result: Any, scheme: str | None) -> None:
    """Axioms asked for with ``-a`` that cannot apply to the scheme or model kind are bad input.

    (An axiom whose premise this instance does not meet stays a ``not-applicable`` verdict.)
    """
    from ..errors import InvalidModel

    checks = getattr(result, "checks", None)
    for v in (checks.verdicts if checks is not None else ()):
        if str(v.status) == "not-applicable" and v.scope in ("scheme", "kind"):
            what = (f"scheme {result.outcome.scheme!r}" if v.scope == "scheme" and hasattr(result, "outcome")
                    else f"a {getattr(result.model, 'kind', 'model')} model")
            raise InvalidModel(f"axiom {v.axiom!r} does not apply to {what}: {v.reason}", field="axiom")


def _extras(model, result, doc, data, replicate: tuple[str, ...], graph: str | None) -> None:  # type: ignore[no-untyped-def]
    """``--replicate PLAYER:K`` sections and the ``--graph FILE`` export of the payoff flows."""
    from ..errors import InvalidModel
    from ..model.io import write_text
    from ..verify.compare import parse_replicate, replication_report, scheme_params
    from ..report.documents import replication_section
    from ..schemes.nguyen import flow_graph, graph_format, graph_text

    name = result.outcome.scheme
    for spec in replicate:
        player, k = parse_replicate(spec)
        rep = replication_report(result.game, name, scheme_params(model, name), player, k)
        doc.sections.append(replication_section(rep))
        data.setdefault("replication", []).append(rep.to_dict())
    if graph:
        mats = result.outcome.matrices
        key = "adjusted_flows" if "adjusted_flows" in mats else "flows" if "flows" in mats else None
        if key is None:
            raise InvalidModel(f"scheme {name!r} has no payoff flows to export; use nguyen-payoff or nguyen-budget",
                               field="graph")
        fmt_name = graph_format(graph)
        write_text(graph, graph_text(flow_graph(result.game.names, mats[key], result.outcome.per_player), fmt_name))
        click.echo(f"wrote {graph} ({key}, {fmt_name})", err=True)


MODEL = click.argument("model", type=click.Path(dir_okay=False))
_DEFAULT_LEARN = {"cache": None, "no_cache": False, "workers": 1, "scheduler": None}


@cli.command()
@MODEL
@click.option("--scheme", default=None, help="apply this registered scheme instead of the model's")
@click.option("--check/--no-check", default=True, show_default=True,
              help="also check the axioms the model (or its scheme) lists")
@click.option("--replicate", "replicate", multiple=True, metavar="PLAYER:K",
              help="also solve the market where PLAYER has K replicas and show each party's change (repeatable)")
@click.option("--graph", type=click.Path(dir_okay=False), default=None,
              help="write the payoff flows as a graph: FILE.json (node-link), .graphml or .dot")
@output_options
@numeric_options
@learn_options
@click.pass_context
def solve(ctx: click.Context, model: str, scheme: str | None, check: bool, replicate: tuple[str, ...],
          graph: str | None, fmt: str, output: str | None, exact: bool | None, tolerance: float | None,
          seed: int, confirm: bool, **learn: Any) -> None:
    """Compute the model's scheme (payments, rewards) and check its axioms.

    \b
    Example:
      mechsolve solve models/glove-game.yaml
      mechsolve solve models/mnist-5-parties.yaml --format json -o out/mnist.json
      mechsolve solve models/nguyen-mnist-unlimited.yaml --replicate "digits [6-9]:1" --graph out/flows.dot
    """
    ctx.exit(_run(model, fmt=fmt, output=output, exact=exact, tolerance=tolerance, seed=seed,
                  check=check, scheme=scheme, replicate=replicate, graph=graph, confirm=confirm, learn=learn))


@cli.command()
@MODEL
@click.option("--axiom", "-a", "axioms", multiple=True,
              help="check this axiom (repeatable; default: the model's list). See `mechsolve axioms`.")
@click.option("--scheme", default=None, help="check this registered scheme instead of the model's")
@output_options
@numeric_options
@learn_options
@click.pass_context
def check(ctx: click.Context, model: str, axioms: tuple[str, ...], scheme: str | None, fmt: str,
          output: str | None, exact: bool | None, tolerance: float | None, seed: int, confirm: bool, **learn: Any) -> None:
    """Check axioms on the model; exit 0 if all hold, 1 if any is violated.

    \b
    Example:
      mechsolve check models/airport-game.yaml --axiom efficiency --axiom symmetry
      mechsolve check models/imdb-5-parties.yaml --exact
    """
    ctx.exit(_run(model, fmt=fmt, output=output, exact=exact, tolerance=tolerance, seed=seed,
                  axioms=axioms, scheme=scheme, confirm=confirm, learn=learn))


@cli.command()
@MODEL
@output_options
@numeric_options
@learn_options
@click.pass_context
def inspect(ctx: click.Context, model: str, fmt: str, output: str | None, exact: bool | None,
            tolerance: float | None, seed: int, confirm: bool, **learn: Any) -> None:
    """Print the game's properties (normalised, monotone, superadditive, supermodular, essential).

    Each property shows its worst violation and a witness: measured tables are
    noisy, so "no" comes with how far it fails.

    \b
    Example:
      mechsolve inspect models/gmm-5-parties-mmd.yaml
    """
    _run(model, fmt=fmt, output=output, exact=exact, tolerance=tolerance, seed=seed, check=False,
         inspect=True, confirm=confirm, learn=learn)
    ctx.exit(0)
