"""``proofs``: list the machine-checked claims in proofs/ with their current verdicts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .app import cli
from .options import code_options, emit, output_options, render_out


#: The project's own proof files (a checkout): running them needs no consent.
OWN_PROOFS = Path(__file__).resolve().parents[2] / "proofs"


def proofs_dir(given: str | None) -> Path:
    """``--dir``, else ``./proofs``, else the ``proofs/`` next to the installed package (a checkout).

    Any other folder holds someone's Python files: running them needs ``--allow-code``.
    """
    from ..errors import InvalidModel
    from ..model.io import _POLICY

    for cand in ([Path(given)] if given else [Path("proofs"), OWN_PROOFS]):
        if cand.is_dir():
            if cand.resolve() != OWN_PROOFS and not _POLICY.allowed:
                raise InvalidModel(f"{cand} is not mechsolve's own proofs/ folder; running its .py files needs "
                                   "--allow-code (or MECHSOLVE_ALLOW_CODE=1)", field="dir")
            return cand
    raise InvalidModel(f"no proofs directory at {given or './proofs'}; pass --dir", field="dir")


def load_proof(path: Path) -> Any:
    """Import one proof file (the project's own code) as a module."""
    import sys

    from ..model.io import import_file

    sys.path.insert(0, str(path.parent))
    try:
        return import_file(path, f"mechsolve_proof_{path.stem}", "proofs")
    finally:
        sys.path.remove(str(path.parent))


#: Proof modules loaded for the current ``proofs`` run, by path: forked workers inherit them (and
#: every module they imported) instead of importing the file again. Emptied before and after each run,
#: so every run loads the files afresh (a claim file may memoise its results within a module).
_LOADED: dict[str, Any] = {}


def _module(path: Path) -> Any:
    key = str(path)
    if key not in _LOADED:
        _LOADED[key] = load_proof(path)
    return _LOADED[key]


def run_proof_file(path: str) -> tuple[dict[str, Any] | None, list[Any]]:
    """``(CLAIM, run())`` of one proof file (``(None, [])`` when it declares no claim); a worker task."""
    mod = _module(Path(path))
    claim = getattr(mod, "CLAIM", None)
    if claim is None:
        return None, []
    return dict(claim), list(mod.run())


def cost_hint(mod: Any) -> float:
    """A claim file's ``COST`` (CPU seconds of its ``run()``, measured, written in the file); 0 when absent.

    It only orders the work (:func:`longest_first`): a stale hint can make a run slower, never
    change a result.
    """
    try:
        return max(0.0, float(getattr(mod, "COST", 0.0)))
    except (TypeError, ValueError):
        return 0.0


def longest_first(costs: list[float]) -> list[int]:
    """Indices of the tasks by decreasing cost, ties in the given order: the LPT rule.

    Workers that each take the next task when they are free then finish within 4/3 of the best
    possible makespan (Graham 1969); in file order the longest claim could start last.

    >>> longest_first([0.1, 0.9, 0.1, 0.4])
    [1, 3, 0, 2]
    """
    return sorted(range(len(costs)), key=lambda k: -costs[k])


def _claims(files: list[Path], do_run: bool, workers: int) -> list[tuple[dict[str, Any] | None, list[Any]]]:
    """Every file's claim and (when run) its results, in file order; files in parallel when ``workers > 1``.

    Each claim is proved (or refuted) afresh in its worker: nothing is cached between runs.
    The files are loaded here first (their imports are then shared), and sympy and z3 are
    imported here, so the forked worker processes share those modules instead of importing
    them again. Files start longest first (their ``COST`` hints), each worker taking the next
    one when it is free; the results come back in file order whatever the schedule.
    """
    _LOADED.clear()
    try:
        return _load_and_run(files, do_run, workers)
    finally:
        _LOADED.clear()


def _load_and_run(files: list[Path], do_run: bool, workers: int) -> list[tuple[dict[str, Any] | None, list[Any]]]:
    mods = [_module(p) for p in files]
    if not do_run:
        return [(dict(c) if (c := getattr(m, "CLAIM", None)) is not None else None, []) for m in mods]
    from ..parallel import parallel_map

    workers = max(1, min(workers, len(files)))
    if workers > 1:
        import sympy  # noqa: F401  (shared by the forked workers)
        import sympy.tensor.tensor  # noqa: F401  (sympy's Add.flatten imports it on its first call, ~0.05 s)
        import z3  # noqa: F401
    order = longest_first([cost_hint(m) for m in mods])
    done = parallel_map(run_proof_file, [str(files[k]) for k in order], workers=workers)
    out: list[tuple[dict[str, Any] | None, list[Any]]] = [(None, [])] * len(files)
    for k, res in zip(order, done):
        out[k] = res
    return out


@cli.command()
@click.option("--dir", "directory", default=None, type=click.Path(file_okay=False),
              help="folder of proof files [default: ./proofs]")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="proof files run in this many processes [default: one per CPU]")
@click.option("--run/--no-run", "do_run", default=True, show_default=True,
              help="rerun each claim now (else list the recorded statement and expected verdict)")
@click.option("--claim", "only", multiple=True, help="only these proof files (stem, repeatable)")
@output_options
@code_options
@click.pass_context
def proofs(ctx: click.Context, directory: str | None, workers: int | None, do_run: bool, only: tuple[str, ...],
           fmt: str, output: str | None) -> None:
    """List the papers' claims in proofs/ with their current verdicts.

    `proved` comes from a sympy identity or a z3 unsat, for the stated n and premises;
    `violated` from a z3 model re-checked exactly. Exit 1 when a verdict differs from the
    one recorded in the file.

    \b
    Example:
      mechsolve proofs
      mechsolve proofs --claim ohrimenko_theorem1 --format markdown
    """
    from ..report.proofs import proofs_document

    folder = proofs_dir(directory)
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_") and p.name != "conftest.py")
    if only:
        files = [p for p in files if p.stem in only]
    rows, notes, data, bad = [], [], [], 0
    for path, (claim, results) in zip(files, _claims(files, do_run, workers or os.cpu_count() or 1)):
        if claim is None:
            continue
        entry: dict[str, Any] = {"file": path.name, **claim}
        if do_run:
            entry["results"] = [r.to_dict() for r in results]
            multi = len({r.claim for r in results}) > 1
            current = "; ".join((f"{r.claim} " if multi else "") + f"n={r.n}: {r.status}" for r in results)
            if any(r.status != claim["expected"] for r in results):
                bad += 1
            for r in results:
                for p in r.premise_checks:
                    notes.append(f"{r.claim} n={r.n}: dropping '{p.premise}' → {p.verdict}")
        else:
            current = "(not run)"
        rows.append([path.stem, claim["statement"], claim["source"], claim["n"], claim["method"], current])
        data.append(entry)
    doc = proofs_document(str(folder), rows, notes)
    emit(render_out(doc, {"proofs": data, "exit_code": 1 if bad else 0}, fmt), output)
    ctx.exit(1 if bad else 0)
