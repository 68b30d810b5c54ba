"""``synthesize``: the synthetic-data reward pipeline of Tay et al. (2022) on a dataset market."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .app import cli
from .options import emit, output_options

REPORT_SUFFIX = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}


def synthesis_document(run: Any) -> Any:
    """The market report plus the datasets, kernel selection, sampling and reward-check sections."""
    from ..verify.analysis import checks_section
    from ..report import Section, Table

    doc = run.analysis.document()
    dm = run.market
    facts: list[tuple[str, Any]] = [
        ("parties", ", ".join(f"{p}: {len(x)} points" for p, x in zip(dm.data.names, dm.data.parties))),
        ("dimension", dm.data.dim), ("synthetic pool G", dm.reference_note), ("t = |T|", dm.data.t),
        ("kernel", "RBF k(x, y) = exp(−‖x − y‖²/(2ℓ²))"), ("estimator", dm.estimator),
        ("length-scale ℓ", dm.lengthscale), ("kernel pass", dm.blocks.plan.describe()),
    ]
    notes = []
    if dm.search is not None:
        s = dm.search
        facts += [("ℓ chosen by", "bisection: smallest ℓ with every v(D_i) ≥ 0 (Tay et al. 2022, Sec. 5)"),
                  ("initial bracket", list(s.initial_interval)), ("final bracket", list(s.interval)),
                  ("iterations", s.iterations), ("value evaluations", s.evaluations),
                  ("condition holds at ℓ", s.condition_holds)]
        if s.at_floor:
            notes.append("the condition held down to the smallest length-scale tried")
    sec = Section("Datasets and kernel (MMD value, eq. 2)", facts, notes=notes)
    doc.sections.insert(1, sec)
    if run.sampling is not None:
        sp = run.sampling
        single = run.analysis.game.singletons()
        rows = [[r.party, float(single[i]), r.target, r.achieved, r.achieved - r.target, r.points,
                 float(dm.caps[i]), r.reached] for i, r in enumerate(sp.rewards)]
        doc.sections.append(Section(
            "Synthetic rewards (weighted sampling, Sec. 4.2)",
            [("inverse temperature β", sp.beta), ("seed", sp.seed), ("target tolerance", sp.tolerance)],
            [Table(["party", "v(D_i)", "target r_i", "achieved v(D_i ∪ G_i)", "overshoot", "points |G_i|",
                    "cap v(D_i ∪ G)", "reached"], rows)], list(sp.notes)))
    if run.reward_checks is not None:
        rc = checks_section(run.reward_checks)
        rc.heading = "Checks on the synthetic rewards"
        doc.sections.append(rc)
    if run.notes:
        doc.sections.append(Section("Notes", notes=list(run.notes)))
    return doc


def write_plot(run: Any, path: Path) -> bool:
    """Achieved vs target value per party and the value curves during sampling (matplotlib, if installed)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sp = run.sampling
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    names = [r.party for r in sp.rewards]
    x = range(len(names))
    a1.bar([i - 0.2 for i in x], [r.target for r in sp.rewards], width=0.4, label="target r_i")
    a1.bar([i + 0.2 for i in x], [r.achieved for r in sp.rewards], width=0.4, label="achieved v(D_i ∪ G_i)")
    a1.set_xticks(list(x), names, rotation=30)
    a1.set_title("reward value per party")
    a1.legend()
    for r in sp.rewards:
        a2.plot(range(len(r.trace)), r.trace, label=r.party)
        a2.axhline(r.target, ls=":", lw=0.8, color=a2.lines[-1].get_color())
    a2.set_xlabel("synthetic points drawn")
    a2.set_ylabel("v(D_i ∪ G_i)")
    a2.set_title(f"value during weighted sampling (β = {sp.beta:g})")
    a2.legend(fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return True


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="folder for the per-party synthetic data, the report and the plot")
@click.option("--beta", type=click.FloatRange(min=0), default=None,
              help="inverse temperature β of the weighted sampling (default: the model's)")
@click.option("--seed", type=int, default=None, help="sampling seed (default: the model's)")
@click.option("--files", "file_fmt", type=click.Choice(["csv", "npy"]), default="csv", show_default=True,
              help="format of the per-party synthetic data files")
@click.option("--axiom", "-a", "axioms", multiple=True, help="check this axiom (default: the model's / scheme's)")
@click.option("--tolerance", type=click.FloatRange(min=0), default=None, help="tolerance of float verdicts")
@click.option("--plot/--no-plot", default=True, show_default=True, help="write plot.png (needs matplotlib)")
@output_options
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
    from ..model.io import load, write_text
    from ..report import render, render_json
    from ..data.synthetic import run_synthesis, write_rewards

    spec = load(model)
    run = run_synthesis(spec, Path(model).parent, beta=beta, seed=seed, tolerance=tolerance,
                        axioms=list(axioms) or None, source_path=model)
    out = Path(out_dir)
    data = run.to_dict()
    written: list[str] = []
    if run.sampling is not None:
        paths = write_rewards(run.sampling, run.market.data.G, out / "rewards", fmt=file_fmt)
        data["files"] = {p: str(path) for p, path in paths.items()}
        written.append(f"{len(paths)} reward files in {out / 'rewards'}")
        if plot and write_plot(run, out / "plot.png"):
            data["plot"] = str(out / "plot.png")
            written.append(str(out / "plot.png"))
    doc = synthesis_document(run)
    write_text(out / "report.json", render_json(data))
    written.append(str(out / "report.json"))
    if fmt != "json":
        report_path = out / f"report.{REPORT_SUFFIX[fmt]}"
        write_text(report_path, render(doc, data, fmt))
        written.append(str(report_path))
    emit(render(doc, data, fmt), output)
    click.echo("wrote " + ", ".join(written), err=True)
    ctx.exit(run.exit_code)
