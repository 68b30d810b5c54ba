"""``synthesize``: the synthetic-data reward pipeline of Tay et al. (2022) on a dataset market."""

from __future__ import annotations

from pathlib import Path

import click

from .app import cli
from .exit_codes import exit_code, with_exit_code
from .options import FiniteFloatRange, code_options, digits, emit, output_options, render_out

REPORT_SUFFIX = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="folder for the per-party synthetic data, the report and the plot")
@click.option("--beta", type=FiniteFloatRange(min=0), default=None,
              help="inverse temperature β of the weighted sampling (default: the model's)")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="sampling seed (default: the model's)")
@click.option("--files", "file_fmt", type=click.Choice(["csv", "npy"]), default="csv", show_default=True,
              help="format of the per-party synthetic data files")
@click.option("--axiom", "-a", "axioms", multiple=True, help="check this axiom (default: the model's / scheme's)")
@click.option("--tolerance", type=FiniteFloatRange(min=0), default=None, help="tolerance of float verdicts")
@click.option("--plot/--no-plot", default=True, show_default=True, help="write plot.png (needs matplotlib)")
@output_options
@code_options
@click.pass_context
def synthesize(ctx: click.Context, model: str, out_dir: str, beta: float | None, seed: int | None,
               file_fmt: str, axioms: tuple[str, ...], tolerance: float | None, plot: bool, fmt: str,
               output: str | None) -> None:
    """Value the parties' data (MMD), compute rewards, draw synthetic-data rewards, check the axioms.

    Writes OUT/rewards/<party>.csv (the synthetic points of each party, in draw
    order), OUT/report.<format>, OUT/report.json and OUT/plot.png, and prints the
    report. Exit 0 when every axiom and reward check holds, 1 otherwise.

    \b
    Example:
      mechsolve synthesize models/tay-gmm-market.yaml --out out/tay-gmm
      mechsolve synthesize models/digits-market.yaml --out out/digits --beta 8 --files npy
    """
    from ..errors import Unsupported
    from ..model.io import load, staged_dir, write_bytes, write_rewards, write_text
    from ..report import render_json
    from ..report.documents import document
    from ..report.figures import figure_bytes, synthesis_figure
    from ..verify.synthesis import run_synthesis

    spec = load(model)
    run = run_synthesis(spec, beta=beta, seed=seed, tolerance=tolerance,
                        axioms=list(axioms) or None, source_path=model)
    out = Path(out_dir)
    data = with_exit_code(run, run.to_dict())
    written: list[str] = []
    with staged_dir(out) as stage:   # everything lands in OUT together at the end, or not at all
        if run.sampling is not None:
            paths = write_rewards(run.sampling, run.market.data.G, stage / "rewards", fmt=file_fmt)
            data["files"] = {p: str(out / path.relative_to(stage)) for p, path in paths.items()}
            written.append(f"{len(paths)} reward files in {out / 'rewards'}")
            if plot:
                try:
                    write_bytes(stage / "plot.png", figure_bytes(synthesis_figure(run), "png"))
                    data["plot"] = str(out / "plot.png")
                    written.append(str(out / "plot.png"))
                except Unsupported:  # no matplotlib: the report has everything but the picture
                    pass
        doc = document(run, digits=digits())
        if plot and run.sampling is not None and fmt in ("html", "markdown"):
            try:                               # the same figure, inline in the page
                from ..report.document import Figure, Section
                from ..report.figures import svg_markup

                doc.sections.append(Section("Figures", figures=[Figure(
                    "reward value per party (target vs achieved) and the value during weighted sampling",
                    svg_markup(synthesis_figure(run)))]))
            except Unsupported:
                pass
        write_text(stage / "report.json", render_json(data))
        written.append(str(out / "report.json"))
        if fmt != "json":
            name = f"report.{REPORT_SUFFIX[fmt]}"
            write_text(stage / name, render_out(doc, data, fmt))
            written.append(str(out / name))
    emit(render_out(doc, data, fmt), output)
    click.echo("wrote " + ", ".join(written), err=True)
    ctx.exit(exit_code(run))
