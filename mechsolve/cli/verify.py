"""``verify``: search instance families for a violation of a scheme's axioms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .app import cli
from .exit_codes import exit_code
from .options import digits, emit, output_options, render_out
from .progress import progress_bar


def _parse_param(items: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """``KEY=V`` (fixed) or ``KEY=V1,V2,...`` (searched) → (params, grid); values are YAML scalars."""
    import yaml

    from ..errors import InvalidModel

    fixed: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InvalidModel(f"--param must look like KEY=VALUE or KEY=V1,V2, got {item!r}", field="param")
        try:
            vals = [yaml.safe_load(t) for t in text.split(",")] if text.strip() else [None]
        except yaml.YAMLError:
            raise InvalidModel(f"cannot read the values of --param {item!r}", field="param") from None
        if len(vals) == 1:
            fixed[key.strip()] = vals[0]
        else:
            grid[key.strip()] = vals
    return fixed, grid


def load_table(path: str) -> Any:
    """A game from a model file (``kind: cooperative-market``) or a ``{players, values}`` JSON table."""
    from ..errors import InvalidModel
    from ..games.game import Game
    from ..model.io import read_mapping
    from ..data.market import build_game
    from ..model.schema import parse_model

    data = read_mapping(path)
    if isinstance(data, dict) and "kind" in data:
        model = parse_model(data)
        if model.kind != "cooperative-market":
            raise InvalidModel(f"from-table needs a cooperative market, got kind {model.kind!r}", field="family")
        return build_game(model, Path(path).parent, exact=False)
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


def _write_counterexamples(base: str | None, violated: list[Any], to_yaml: Callable[[Any], str],
                           reproduce: Callable[[str, Any], str]) -> tuple[dict[str, str], dict[str, str]]:
    """Write each violated axiom's counterexample as a model file and rerun it as `check` would."""
    written: dict[str, str] = {}
    reproduced: dict[str, str] = {}
    if base:
        from ..model.io import write_text

        for r in violated:
            path = _written_name(base, r.axiom, len(violated) > 1)
            write_text(path, to_yaml(r))
            written[r.axiom] = path
            reproduced[r.axiom] = reproduce(path, r)
            click.echo(f"wrote {path}", err=True)
    return written, reproduced


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
@click.option("--budget", type=click.IntRange(min=1), default=None, help="instances per axiom [default: 300]")
@click.option("--time", "time_limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="seconds per axiom (with --budget: whichever comes first)")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the search")
@click.option("--param", "param_items", multiple=True,
              help="scheme parameter KEY=VALUE, or KEY=V1,V2,... to search over (part of the counterexample)")
@click.option("--tolerance", type=click.FloatRange(min=0), default=1e-9, show_default=True,
              help="absolute tolerance of the float screening (confirmation is exact)")
@click.option("--shrink/--no-shrink", default=True, show_default=True, help="shrink counterexamples")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="local worker processes (the result for a given --seed and --budget does not depend on it)")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="run the search chunks on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786)")
@click.option("--write-counterexample", "write_cx", default=None, type=click.Path(dir_okay=False),
              help="write the counterexample as a model file (one per violated axiom: FILE-AXIOM.yaml)")
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
@output_options
@click.pass_context
def verify(ctx: click.Context, scheme_name: str | None, scheme_formula: str | None, scheme_callable: str | None,
           axioms: tuple[str, ...], players: str, families: tuple[str, ...], table: str | None,
           budget: int | None, time_limit: float | None, seed: int, param_items: tuple[str, ...],
           tolerance: float, shrink: bool, workers: int, scheduler: str | None, write_cx: str | None, fmt: str,
           output: str | None, mechanism: str | None = None, agents: str = "2..3", grid_text: str = "1..3",
           valuations: tuple[str, ...] = (), alpha_text: str = "-1:1", alpha_premises: tuple[str, ...] = (),
           qualities: tuple[str, ...] = (), without_premise: bool = False) -> None:
    """Search for a counterexample to a scheme's axioms; exit 1 when one is found.

    Instances are drawn from the families, screened in float64, shrunk towards
    fewer players and simpler numbers, and confirmed in exact rational
    arithmetic. "no-counterexample-found" says what was searched; it is never a proof.
    The search runs in seeded chunks of 100 instances, over --workers processes or a
    Dask cluster (--scheduler); a progress bar shows on a terminal.

    \b
    Example:
      mechsolve verify --scheme shapley --axiom individual-rationality --players 2..4
      mechsolve verify --scheme-formula "vN/n" --axiom null-player --write-counterexample cx.yaml
      mechsolve verify --scheme shapley --family from-table=models/data/mnist-5-parties.json --time 5
      mechsolve verify --scheme nguyen-budget --budget 2000 --workers 2
      mechsolve verify --mechanism max-payment --axiom wbb --valuation market-growth --alpha-range -0.9
      mechsolve verify --mechanism mep --axiom corollary-1 --alpha-premise offdiag-nonneg --without-premise
    """
    if mechanism is not None:
        _verify_mechanism(ctx, mechanism, axioms, agents, grid_text, valuations, alpha_text, alpha_premises,
                          qualities, without_premise, budget, time_limit, seed, tolerance, shrink, workers,
                          scheduler, write_cx, fmt, output,
                          cooperative=[o for o, v in (("--scheme", scheme_name), ("--scheme-formula", scheme_formula),
                                                      ("--scheme-callable", scheme_callable),
                                                      ("--family", families or None), ("--table", table),
                                                      ("--param", param_items or None)) if v is not None])
        return
    from ..errors import InvalidModel
    from ..schemes import get_scheme
    from ..verify.search import counterexample_model, model_yaml, parse_sizes, search
    from ..schemes.user import user_scheme_params

    given = [x for x in (scheme_name, scheme_formula, scheme_callable) if x is not None]
    if len(given) != 1:
        raise InvalidModel("give exactly one of --scheme, --scheme-formula, --scheme-callable", field="scheme")
    fixed, grid = _parse_param(param_items)
    if scheme_name is not None:
        sch = get_scheme(scheme_name)
        params: dict[str, Any] = {}
    else:
        sch, params = user_scheme_params(scheme_formula, scheme_callable)
    params.update(fixed)
    fams, game_table = _families(families, table)
    sizes = parse_sizes(players)
    if budget is None and time_limit is None:
        budget = 300
    names = list(axioms) if axioms else list(sch.axioms)
    results, interrupted = _run_searches(
        names, lambda ax, progress: search(sch, ax, sizes=sizes, families=fams, budget=budget,
                                           time_limit=time_limit, seed=seed, tolerance=tolerance, params=params,
                                           param_grid=grid, table=game_table, do_shrink=shrink, progress=progress,
                                           workers=workers, scheduler=scheduler),
        budget=budget, time_limit=time_limit, show=fmt == "text")
    violated = [r for r in results if r.counterexample is not None]
    written, reproduced = _write_counterexamples(
        write_cx, violated, lambda r: model_yaml(counterexample_model(r)), lambda path, r: _reproduces(path, r.axiom))
    data = {"scheme": sch.name, "params": params, "results": [r.to_dict() for r in results],
            "written": written, "reproduced": reproduced, "exit_code": 1 if violated else 0}
    from ..report.documents import verify_document

    _finish(ctx, verify_document(results, written, reproduced, digits=digits()) if results else None, data, fmt, output,
            1 if violated else 0, interrupted, names, results)


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


def _reproduces(path: str, axiom: str) -> str:
    """Run the written model through the same path as ``mechsolve check`` (float and exact)."""
    from ..verify.analysis import analyse
    from ..model.io import load

    model = load(path)
    codes = [exit_code(analyse(model, Path(path).parent, exact=e, source_path=path)) for e in (False, True)]
    if codes == [1, 1]:
        return "checked: exits 1 in float and in --exact mode"
    return f"WARNING: check exits {codes[0]} (float) and {codes[1]} (--exact), expected 1"


def _split(items: tuple[str, ...]) -> list[str]:
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


def _verify_mechanism(ctx: click.Context, mechanism: str, axioms: tuple[str, ...], agents: str, grid_text: str,
                      valuations: tuple[str, ...], alpha_text: str, alpha_premises: tuple[str, ...],
                      qualities: tuple[str, ...], without_premise: bool, budget: int | None,
                      time_limit: float | None, seed: int, tolerance: float, shrink: bool, workers: int,
                      scheduler: str | None, write_cx: str | None, fmt: str, output: str | None,
                      cooperative: list[str]) -> None:
    """``verify --mechanism``: search mechanism-design instances (:mod:`mechsolve.verify.mechanism_search`)."""
    from ..errors import InvalidModel, Unsupported
    from ..report.documents import mechanism_verify_document
    from ..verify.mechanism_search import QUALITIES, parse_alpha_range, reproduces, search_mechanism
    from ..verify.search import model_yaml, parse_sizes

    if cooperative:
        raise InvalidModel(f"{', '.join(cooperative)} belong to cooperative searches, not to --mechanism",
                           field="mechanism")
    if workers != 1 or scheduler is not None:
        raise Unsupported("--mechanism searches run in this process (no --workers/--scheduler yet)",
                          field="workers")
    if budget is None and time_limit is None:
        budget = 200
    names = list(axioms) if axioms else (["chen-corollary-1"] if without_premise else
                                         ["mechanism-ic", "mechanism-ir", "weak-budget-balance"])
    alpha_range = parse_alpha_range(alpha_text)
    results, interrupted = _run_searches(
        names, lambda ax, _progress: search_mechanism(
            mechanism, ax, agents=parse_sizes(agents), grid=parse_sizes(grid_text),
            valuations=_split(valuations) or ["linear"], alpha_range=alpha_range,
            alpha_premises=_split(alpha_premises) or ["any"], qualities=list(qualities) or list(QUALITIES),
            without_premise=without_premise, budget=budget, time_limit=time_limit, seed=seed,
            tolerance=tolerance, do_shrink=shrink), budget=None, time_limit=time_limit, show=fmt == "text")
    violated = [r for r in results if r.counterexample is not None]
    written, reproduced = _write_counterexamples(write_cx, violated, lambda r: model_yaml(r.model()),
                                                 lambda path, r: reproduces(path))
    data = {"mechanism": mechanism, "results": [r.to_dict() for r in results], "written": written,
            "reproduced": reproduced, "exit_code": 1 if violated else 0}
    doc = mechanism_verify_document(results, written, reproduced, digits=digits()) if results else None
    _finish(ctx, doc, data, fmt, output, 1 if violated else 0, interrupted, names, results)
