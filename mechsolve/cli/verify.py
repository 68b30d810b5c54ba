"""``verify``: search instance families for a violation of a scheme's axioms."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidModel
from .app import cli
from .options import FiniteFloatRange, code_options, digits, emit, output_options, render_out
from .progress import progress_bar


def load_table(path: str) -> Any:
    """A game from a model file (``kind: cooperative-market``) or a ``{players, values}`` JSON table."""
    from ..games.game import Game
    from ..model.io import read_mapping, resolve_model
    from ..data.market import build_game
    from ..model.schema import parse_model

    data = read_mapping(path)
    if isinstance(data, dict) and "kind" in data:
        model = parse_model(data)
        if model.kind != "cooperative-market":
            raise InvalidModel(f"from-table needs a cooperative market, got kind {model.kind!r}", field="family")
        return build_game(resolve_model(model, Path(path).parent), exact=False)
    if isinstance(data, dict) and "players" in data and "values" in data:
        return Game.from_values([str(p) for p in data["players"]], data["values"])
    raise InvalidModel(f"{path}: expected a cooperative-market model or a JSON table with `players` and "
                       "`values`", field="family")


def _families(items: tuple[str, ...], table_opt: str | None) -> tuple[list[str], Any]:
    fams: list[str] = []
    table_path = table_opt
    for f in items or ("normalised",):
        for part in f.split(","):
            part = part.strip()
            for sep in ("=", ":"):
                if part.startswith("from-table" + sep):
                    table_path = part.split(sep, 1)[1]
                    part = "from-table"
            if part:
                fams.append(part)
    table = load_table(table_path) if table_path else None
    if table is not None and "from-table" not in fams:
        fams.append("from-table")
    return fams, table


def _written_name(base: str, axiom: str, many: bool) -> str:
    if not many:
        return base
    p = Path(base)
    return str(p.with_name(f"{p.stem}-{axiom}{p.suffix or '.yaml'}"))


@cli.command()
@click.option("--scheme", "scheme_name", default=None, help="a registered scheme (see `mechsolve schemes`)")
@click.option("--scheme-formula", default=None,
              help="your scheme: one player's payment in phi_i, v_i, vN, n, sum_v, b_i, e.g. '(phi_i + vN/n)/2'")
@click.option("--scheme-callable", default=None,
              help="your scheme: file.py:function taking the game, returning payments (RUNS YOUR CODE)")
@click.option("--axiom", "-a", "axioms", multiple=True,
              help="axiom to verify (repeatable; default: every axiom the scheme claims)")
@click.option("--players", default="2..4", show_default=True, help="numbers of players: 2..5, 3 or 2,4")
@click.option("--family", "families", multiple=True,
              help="instance family (repeatable or comma-separated): any, normalised, monotone, supermodular, "
                   "unanimity, zero-one, small-integers, from-table=FILE  [default: normalised]")
@click.option("--table", default=None, type=click.Path(dir_okay=False),
              help="value table or market model for the from-table family")
@click.option("--budget", type=click.IntRange(min=1), default=None,
              help="instances per axiom [default: 300; 200 with --mechanism]")
@click.option("--time", "time_limit", type=FiniteFloatRange(min=0, min_open=True), default=None,
              help="seconds per axiom (with --budget: whichever comes first)")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="seed of the search")
@click.option("--param", "param_items", multiple=True,
              help="scheme parameter KEY=VALUE, or KEY=V1,V2,... to search over (part of the counterexample)")
@click.option("--tolerance", type=FiniteFloatRange(min=0), default=1e-9, show_default=True,
              help="absolute tolerance of the float screening (confirmation is exact)")
@click.option("--shrink/--no-shrink", default=True, show_default=True, help="shrink counterexamples")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="local worker processes (the result for a given --seed and --budget does not depend on it)")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="run the search chunks on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786)")
@click.option("--write-counterexample", "write_cx", default=None, type=click.Path(dir_okay=False),
              help="write the counterexample as a model file, YAML or (FILE.json) JSON; one per violated "
                   "axiom: FILE-AXIOM.yaml")
@click.option("--mechanism", default=None, type=click.Choice(["mep", "max-payment", "zero"]),
              help="search mechanism-design instances (Chen et al.) for a violation by this payment rule "
                   "instead of a cooperative scheme")
@click.option("--agents", default="2..3", show_default=True, help="[--mechanism] numbers of agents: 2..3, 2 or 2,4")
@click.option("--grid", "grid_text", default="1..3", show_default=True,
              help="[--mechanism] largest types D (disparity D/ε; types {0?, 1, …, D}): 1..3, 2 or 1,4")
@click.option("--valuation", "valuations", multiple=True,
              help="[--mechanism] linear (Example 1, α_ij ~ U[alpha-range]) and/or market-growth "
                   "((Σq)^α q_i, α ~ U[alpha-range])  [default: linear]")
@click.option("--alpha-range", "alpha_text", default="-1:1", show_default=True,
              help="[--mechanism] LO:HI for the α_ij (linear) or α (market-growth), or one value, e.g. -0.9")
@click.option("--alpha-premise", "alpha_premises", multiple=True,
              help="[--mechanism] premise variants of the linear α: any, diag-nonneg (α_ii ≥ 0), nonneg "
                   "(all α ≥ 0), offdiag-nonneg (α_ij ≥ 0 for i ≠ j)  [default: any]")
@click.option("--quality", "qualities", multiple=True,
              help="[--mechanism] model quality Q(t) formulas to draw from  [default: t/(1+t) and t]")
@click.option("--without-premise", is_flag=True, default=False,
              help="[--mechanism] for chen-theorem-1/corollary-1/theorem-4: drop the premise and search the "
                   "conclusion; the counterexample names the premise that fails on it")
@click.option("--kind", "kind_name", default=None,
              help="search the spaces of this model kind (see `mechsolve kinds`), configured by --option")
@click.option("--option", "option_items", multiple=True, metavar="KEY=VALUE",
              help="[--kind] an option of the kind's search spaces (repeatable), e.g. mechanism=mep, agents=2..3")
@output_options
@code_options
@click.pass_context
def verify(ctx: click.Context, scheme_name: str | None, scheme_formula: str | None, scheme_callable: str | None,
           axioms: tuple[str, ...], players: str, families: tuple[str, ...], table: str | None,
           budget: int | None, time_limit: float | None, seed: int, param_items: tuple[str, ...],
           tolerance: float, shrink: bool, workers: int, scheduler: str | None, write_cx: str | None, fmt: str,
           output: str | None, mechanism: str | None = None, agents: str = "2..3", grid_text: str = "1..3",
           valuations: tuple[str, ...] = (), alpha_text: str = "-1:1", alpha_premises: tuple[str, ...] = (),
           qualities: tuple[str, ...] = (), without_premise: bool = False, kind_name: str | None = None,
           option_items: tuple[str, ...] = ()) -> None:
    """Search for a counterexample to a scheme's (or a mechanism's) axioms; exit 1 when one is found.

    Instances are drawn from the families, screened in float64, shrunk towards
    fewer players and simpler numbers, and confirmed in exact rational
    arithmetic. "no-counterexample-found" says what was searched; it is never a proof.
    A search that checked nothing (no applicable instance, or every one raised) exits 2.
    The search runs in seeded chunks of 100 instances, over --workers processes or a
    Dask cluster (--scheduler), with or without --mechanism; a progress bar shows on a terminal.

    \b
    Example:
      mechsolve verify --scheme shapley --axiom individual-rationality --players 2..4
      mechsolve verify --scheme-formula "vN/n" --axiom null-player --write-counterexample cx.yaml
      mechsolve verify --scheme shapley --family from-table=models/data/mnist-5-parties.json --time 5
      mechsolve verify --scheme nguyen-budget --budget 2000 --workers 2
      mechsolve verify --mechanism max-payment --axiom wbb --valuation market-growth --alpha-range -0.9
      mechsolve verify --mechanism mep --axiom corollary-1 --alpha-premise offdiag-nonneg --without-premise
    """
    from ..kinds import KINDS, resolve
    from ..verify.search.space import SpaceOptions

    if write_cx:
        from ..model.io import writable_model_path

        writable_model_path(write_cx, "write-counterexample")       # refuse a bad file name before searching
    cooperative = {"--scheme": scheme_name, "--scheme-formula": scheme_formula, "--scheme-callable": scheme_callable,
                   "--family": families or None, "--table": table, "--param": param_items or None}
    if kind_name is not None:
        given = [o for o, v in {**cooperative, "--mechanism": mechanism}.items() if v is not None]
        if given:
            raise InvalidModel(f"with --kind, give the search's options as --option KEY=VALUE, not "
                               f"{', '.join(given)}", field="kind")
        kind, options = kind_name, _option_map(option_items)
    elif mechanism is not None:
        given = [o for o, v in cooperative.items() if v is not None]
        if given:
            raise InvalidModel(f"{', '.join(given)} belong to cooperative searches, not to --mechanism",
                               field="mechanism")
        kind, options = "mechanism-design", {
            "mechanism": mechanism, "agents": agents, "grid": grid_text, "valuation": list(valuations),
            "alpha-range": alpha_text, "alpha-premise": list(alpha_premises), "quality": list(qualities),
            "without-premise": without_premise}
    else:
        if option_items:
            raise InvalidModel("--option configures the spaces of --kind; give --kind too", field="option")
        fams, game_table = _families(families, table)
        kind, options = "cooperative-market", {
            "scheme": scheme_name, "scheme-formula": scheme_formula, "scheme-callable": scheme_callable,
            "players": players, "family": fams, "table": game_table, "param": list(param_items)}
    if isinstance(options.get("scheme-callable"), str):  # read now, with an absolute path: a written
        from ..model.io import read_code                   # counterexample reproduces from anywhere

        options["scheme-callable"] = read_code(Path.cwd(), options["scheme-callable"], "scheme.callable")
    if kind not in KINDS:
        raise InvalidModel(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}", field="kind")
    if KINDS[kind].spaces is None:
        raise InvalidModel(f"kind {kind!r} has no search spaces to verify", field="kind")
    spaces, header = resolve(KINDS[kind].spaces)(axioms, SpaceOptions(options), tolerance)
    if budget is None and time_limit is None:
        budget = int(getattr(spaces[0], "default_budget", 300)) if spaces else 300
    _search_and_report(ctx, spaces, header, budget=budget, time_limit=time_limit, seed=seed, shrink=shrink,
                       workers=workers, scheduler=scheduler, write_cx=write_cx, fmt=fmt, output=output)


def _option_map(items: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` items → {key: [values]} in the order given (:class:`SpaceOptions` reads a list of one
    as one value and refuses more where one is expected)."""
    out: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidModel(f"--option must look like KEY=VALUE, got {item!r}", field="option")
        out.setdefault(key, []).append(value)
    return out


def _search_and_report(ctx: click.Context, spaces: list[Any], header: dict[str, Any], *, budget: int | None,
                       time_limit: float | None, seed: int, shrink: bool, workers: int, scheduler: str | None,
                       write_cx: str | None, fmt: str, output: str | None) -> None:
    """Search every space, write the counterexamples, render; exit 1 on a violation, 2 if nothing was checked."""
    from . import interrupt
    from ..errors import bounded
    from ..report.documents import search_document
    from ..verify.search.engine import run
    from ..verify.search.space import SearchInterrupted

    results = []
    interrupted: str | None = None
    for space in spaces:
        with progress_bar(f"verify {space.axiom}", total=budget, time_limit=time_limit,
                          enabled=fmt == "text") as update:
            try:
                results.append(run(space, budget=budget, time_limit=time_limit, seed=seed, shrink_found=shrink,
                                   progress=lambda i, _u=update: _u(i), workers=workers, scheduler=scheduler))
            except SearchInterrupted as stop:          # keep what was searched so far
                results.append(stop.result)
                interrupted = space.axiom
            except KeyboardInterrupt:                  # interrupted outside the engine's loop
                interrupted = space.axiom
        if interrupted is not None or interrupt.received() is not None:
            interrupted = interrupted or space.axiom
            break
    violated = [r for r in results if r.counterexample is not None]
    written, reproduced = _write_counterexamples(write_cx, violated) if interrupted is None else ({}, {})
    nothing = [r for r in results if r.checked_nothing]
    code = interrupt.exit_code() if interrupted else 2 if nothing else 1 if violated else 0
    data = {**header, "results": [r.to_dict() for r in results], "written": written, "reproduced": reproduced,
            "exit_code": code}
    if results:
        emit(render_out(search_document(results, written, reproduced, digits=digits()), data, fmt), output)
    if nothing:  # one line, however many axioms
        why = "; ".join(f"{r.axiom}: {r.checked_nothing}" for r in nothing)
        click.echo(f"error: verify: nothing was checked — {bounded(why)}", err=True)
    if interrupted:
        done = sum(int(r.stats.get("instances", 0)) for r in results)
        names = [sp.axiom for sp in spaces]
        kept = any(r.axiom == interrupted for r in results)
        click.echo(f"error: interrupted ({interrupt.signal_name()}) while searching {interrupted}"
                   + ("" if kept else " (its partial count was lost)")
                   + f"; {len(results)} of {len(names)} axiom(s) reported, {done} instances searched", err=True)
    ctx.exit(code)


def _run_searches(names: list[str], run: Callable[[str, Any], Any], *, budget: int | None,
                  time_limit: float | None, show: bool) -> tuple[list[Any], str | None]:
    """Search each axiom in turn with a progress bar; stop at Ctrl-C/SIGTERM keeping what was searched.

    Returns the results and, when interrupted, the axiom being searched then. A search that
    itself stops at the interruption returns its partial result (``stats["interrupted"]``),
    which is kept; one that raises loses only its own axiom.
    """
    from . import interrupt

    results: list[Any] = []
    for ax in names:
        with progress_bar(f"verify {ax}", total=budget, time_limit=time_limit, enabled=show) as update:
            try:
                r = run(ax, lambda i, _u=update: _u(i))
            except KeyboardInterrupt:
                return results, ax
        results.append(r)
        if r.stats.get("interrupted") or interrupt.received() is not None:
            return results, ax
    return results, None


def _finish(ctx: click.Context, doc: Any, data: dict[str, Any], fmt: str, output: str | None, code: int,
            interrupted: str | None, names: list[str], results: list[Any]) -> None:
    """Print the report; after an interruption say what was searched and exit 130/143."""
    from .interrupt import exit_code, signal_name

    if interrupted is None:
        emit(render_out(doc, data, fmt), output)
        ctx.exit(code)
    kept = any(r.axiom == interrupted for r in results)
    data["interrupted"] = {"signal": signal_name(), "axiom": interrupted, "partial_result_kept": kept,
                           "not_searched": names[names.index(interrupted) + 1:]}
    if results:
        emit(render_out(doc, data, fmt), output)
    done = sum(int(r.stats.get("instances", 0)) for r in results)
    click.echo(f"error: interrupted ({signal_name()}) while searching {interrupted}"
               + ("" if kept else " (its partial count was lost)")
               + f"; {len(results)} of {len(names)} axiom(s) reported, {done} instances searched", err=True)
    ctx.exit(exit_code())


def _write_counterexamples(base: str | None, violated: list[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Write each violated axiom's counterexample as a model file and rerun it as `check` would."""
    written: dict[str, str] = {}
    reproduced: dict[str, str] = {}
    if base:
        from ..verify.search.written import reproduces, write_counterexample

        for r in violated:
            path = _written_name(base, r.axiom, len(violated) > 1)
            write_counterexample(path, r)
            written[r.axiom] = path
            reproduced[r.axiom] = reproduces(path)
            click.echo(f"wrote {path}", err=True)
    return written, reproduced
