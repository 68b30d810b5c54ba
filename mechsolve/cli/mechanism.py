"""``boundary``: the data-disparity boundary D/ε per market growth rate α (Chen et al. 2020, Fig. 3)."""

from __future__ import annotations

import time
from typing import Any

import click

from .app import cli
from .interrupt import exit_code, signal_name
from .options import digits, emit, output_options, render_out
from .progress import progress_bar


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--alpha", "alpha_text", default=None,
              help="α values: START:STOP:STEP or a comma list (default: the model's α)")
@click.option("--k-max", type=click.IntRange(min=2, max=10_000_000), default=100_000, show_default=True,
              help="largest D/ε examined per α")
@click.option("--verify-limit", type=click.IntRange(min=0), default=200, show_default=True,
              help="check all profiles (not only the extreme ones) when the boundary is at most this")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="local worker processes (default: one per core)")
@click.option("--scheduler", default=None, help="Dask scheduler ADDRESS (needs dask.distributed)")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="write the curve (log y-axis) as an image (needs matplotlib)")
@output_options
@click.pass_context
def boundary(ctx: click.Context, model: str, alpha_text: str | None, k_max: int, verify_limit: int,
             workers: int | None, scheduler: str | None, plot_path: str | None, fmt: str,
             output: str | None) -> None:
    """Largest data disparity D/ε with a desirable mechanism, for each market growth rate α.

    MODEL is a `mechanism-design` model on an ε-grid; its `types.include_zero` selects the grid
    reading. The two-agent market-growth model with Q(t) = t (Sec. 6.2) uses the extreme-family row
    search (D/ε up to --k-max); any other model runs Algorithm 1 on all profiles once at the largest
    D that `solve` could handle (exact; --alpha then sets parameters.alpha).

    \b
    Example:
      mechsolve boundary models/chen-market-growth.yaml --alpha -1:-0.66:0.002
      mechsolve boundary models/chen-market-growth.yaml --alpha -0.67 --k-max 100000 --plot fig3.png
    """
    from ..model.io import load
    from ..mechanism.boundary import plan_boundary, run_boundary
    from ..report.documents import boundary_document

    m = load(model)
    plan = plan_boundary(m, alpha_text, k_max=k_max, verify_limit=verify_limit)
    alphas, k_max, notes = list(plan.alphas), plan.k_max, plan.notes
    t0 = time.perf_counter()
    done: list[Any] = []
    interrupted: BaseException | None = None
    with progress_bar("boundary", total=len(alphas), enabled=len(alphas) > 1) as update:
        def progress(r: Any) -> None:
            done.append(r)
            b = r.boundary if r.boundary is not None else f"> {r.k_max}"
            update(len(done), f"last: α = {r.alpha:+.4f} → D/ε {b}")

        try:
            run_boundary(plan, workers=workers, scheduler=scheduler, progress=progress)
        except KeyboardInterrupt as exc:       # Ctrl-C / SIGTERM: keep the α values that finished
            interrupted = exc
    for n in notes:
        click.echo(f"  {n}", err=True)
    order = {a: k for k, a in enumerate(alphas)}
    res = sorted(done, key=lambda r: order.get(r.alpha, len(order)))
    total = time.perf_counter() - t0
    doc = boundary_document(res, model_name=m.name or model, include_zero=m.types.include_zero, k_max=k_max,
                            total_seconds=total, special=plan.row_search, interrupted=interrupted is not None,
                            planned=len(alphas), digits=digits())
    data = {"model": m.name, "include_zero": m.types.include_zero, "k_max": k_max,
            "total_seconds": total, "results": [r.to_dict() for r in res]}
    if interrupted is not None:
        data["interrupted"] = {"signal": signal_name(interrupted), "finished": len(res), "planned": len(alphas)}
        emit(render_out(doc, data, fmt), output)
        click.echo(f"error: interrupted ({signal_name(interrupted)}) after {len(res)} of {len(alphas)} α values; "
                   "the table shows those" + ("; no plot written" if plot_path else ""), err=True)
        ctx.exit(exit_code(interrupted))
    if plot_path:
        from ..model.io import write_bytes
        from ..report.figures import boundary_figure, figure_bytes, image_format

        write_bytes(plot_path, figure_bytes(boundary_figure(res), image_format(plot_path)))
        click.echo(f"wrote {plot_path}", err=True)
    emit(render_out(doc, data, fmt), output)
    ctx.exit(0)


@cli.command()
@click.argument("figure", type=click.Choice(["chen-fig1", "chen-fig2", "chen-fig3"]))
@click.option("--samples", type=click.IntRange(min=2), default=50, show_default=True,
              help="seeded samples averaged per point (Figs. 1, 2)")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the samples (Figs. 1, 2)")
@click.option("--diagonal", type=click.Choice(["positive", "signed"]), default="positive", show_default=True,
              help="α_ii ~ U[0, 1] (Example 1: α_ii > 0) or U[-1, 1] like every α_ij (Sec. 6.1 literally)")
@click.option("--max-agents", type=click.IntRange(min=2, max=64), default=20, show_default=True,
              help="Fig. 1: n = 2 … this")
@click.option("--alpha", "alpha_text", default=None,
              help="Fig. 3: α values START:STOP:STEP or a comma list (default: the paper's range and beyond)")
@click.option("--k-max", type=click.IntRange(min=2, max=10_000_000), default=100_000, show_default=True,
              help="Fig. 3: largest D/ε examined per α")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Fig. 3: local worker processes")
@click.option("--scheduler", default=None, help="Fig. 3: Dask scheduler ADDRESS")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="image to write (default FIGURE.png; needs matplotlib, else the plot is skipped)")
@click.option("--no-plot", is_flag=True, help="write no image")
@output_options
@click.pass_context
def reproduce(ctx: click.Context, figure: str, samples: int, seed: int, diagonal: str, max_agents: int,
              alpha_text: str | None, k_max: int, workers: int | None, scheduler: str | None,
              plot_path: str | None, no_plot: bool, fmt: str, output: str | None) -> None:
    """Reproduce a figure of Chen et al. (2020) as a table, a plot, and a verdict on each of the paper's claims.

    \b
    chen-fig1  MEP revenue, welfare, best model quality vs number of agents (Sec. 6.1)
    chen-fig2  one agent's type fixed at 1, the other's from 0 to 2 (Sec. 6.1)
    chen-fig3  the data-disparity boundary D/ε per market growth rate α (Sec. 6.2)

    Exit 0 when every claim holds on the computed numbers, 1 when one does not (the report
    gives the numbers), 2 on bad input.

    \b
    Example:
      mechsolve reproduce chen-fig1 --samples 50 --plot fig1.png
      mechsolve reproduce chen-fig3 --alpha -1:-0.668:0.002 --format json -o fig3.json
    """
    from ..errors import Unsupported
    from ..mechanism.boundary import parse_range
    from ..mechanism.reproduce import fig1, fig2, fig3
    from ..model.io import write_bytes
    from ..report.documents import document
    from ..report.figures import figure_bytes, image_format, reproduce_figure

    t0 = time.perf_counter()
    if figure == "chen-fig1":
        fig = fig1(range(2, max_agents + 1), samples=samples, seed=seed, diagonal=diagonal)
    elif figure == "chen-fig2":
        fig = fig2(samples=samples, seed=seed, diagonal=diagonal)
    else:
        fig = fig3(parse_range(alpha_text) if alpha_text is not None else None, k_max=k_max, workers=workers,
                   scheduler=scheduler)
    data = {**fig.to_dict(), "seconds": round(time.perf_counter() - t0, 3), "plot": None}
    doc = document(fig, digits=digits())
    if not no_plot:
        path = plot_path or f"{figure}.png"
        try:
            write_bytes(path, figure_bytes(reproduce_figure(fig), image_format(path)))
            data["plot"] = path
            click.echo(f"wrote {path}", err=True)
        except Unsupported as exc:
            msg = f"plot skipped: {exc}"
            doc.sections[-1].notes.append(msg)
            data["plot_skipped"] = str(exc)
            click.echo(msg, err=True)
    emit(render_out(doc, data, fmt), output)
    ctx.exit(0 if fig.all_hold else 1)
