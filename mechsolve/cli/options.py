"""Options shared by several commands, and output writing."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click

from ..report import FORMATS

_WIDTH, _DIGITS = "mechsolve.width", "mechsolve.digits"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Store a display option in the context chain's shared ``meta`` (the command's wins over the group's)."""
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.meta[key] = value
        return value
    return callback


def display_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--width`` and ``--digits`` (also accepted before the command: ``mechsolve --width 80 solve ...``)."""
    f = click.option("--digits", type=click.IntRange(min=1, max=17), default=None, expose_value=False,
                     callback=_remember(_DIGITS), is_eager=True,
                     help="significant digits of numbers in text, Markdown and HTML  [default: 6]")(f)
    f = click.option("--width", type=click.IntRange(min=30, max=1000), default=None, expose_value=False,
                     callback=_remember(_WIDTH), is_eager=True,
                     help="text width in columns  [default: the terminal's, or $COLUMNS, else 100]")(f)
    return f


class FiniteFloatRange(click.FloatRange):
    """A :class:`click.FloatRange` that also refuses ``inf`` and ``nan``.

    ``--tolerance inf`` would turn every violation into "holds"; ``--time nan`` would never end.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        rv = super().convert(value, param, ctx)
        if isinstance(rv, float) and not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return rv


def _allow_code(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    from ..model.io import _POLICY, set_code_policy

    if value:
        set_code_policy(allow=True, timeout=_POLICY.timeout)
    return value


def _code_timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    from ..model.io import _POLICY, set_code_policy

    if value is not None:
        set_code_policy(allow=_POLICY.allow, timeout=value)
    return value


def code_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--allow-code`` and ``--code-timeout``: consent to run the user's Python files, and a time limit.

    A model file (``value: {callable: f.py:v}``, ``scheme: {name: callable, ...}``) or an option
    (``--scheme-callable``) can name Python code; it runs only with ``--allow-code`` (or
    ``MECHSOLVE_ALLOW_CODE=1``), because a model file from someone else is as dangerous as a pickle.
    """
    f = click.option("--code-timeout", type=FiniteFloatRange(min=0, min_open=True), default=None,
                     expose_value=False, callback=_code_timeout, metavar="SECONDS",
                     help="stop user code when one call runs longer than SECONDS (exit 2)")(f)
    f = click.option("--allow-code", is_flag=True, default=False, expose_value=False, callback=_allow_code,
                     help="run the Python files (.py) the model or an option names: YOUR code (off by default; "
                          "or MECHSOLVE_ALLOW_CODE=1)")(f)
    return f


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--format``, ``--output``, ``--width`` and ``--digits``."""
    f = display_options(f)
    f = click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
                     help="write the report to FILE (atomically) instead of stdout")(f)
    f = click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text = rich tables; json = stable object keyed by player names")(f)
    return f


def numeric_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--exact``, ``--tolerance``, ``--seed``, ``--confirm/--no-confirm``."""
    f = click.option("--confirm/--no-confirm", "confirm", default=True, show_default=True,
                     help="decide float verdicts and scheme decisions near the tolerance again in exact rational "
                          "arithmetic when the data are rational (see README, 'Decisions near the tolerance')")(f)
    f = click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                     help="seed for randomised checks and Monte Carlo")(f)
    f = click.option("--tolerance", type=FiniteFloatRange(min=0), default=None,
                     help="absolute tolerance of float verdicts (default: the model's, else 1e-9)")(f)
    f = click.option("--exact/--float", "exact", default=None,
                     help="exact rational arithmetic (verdicts with zero tolerance) or float64")(f)
    return f


def text_width() -> int:
    """``--width``, else ``$COLUMNS``, else the terminal's width, else 100."""
    from ..report.render import DEFAULT_WIDTH

    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_WIDTH):
        return int(ctx.meta[_WIDTH])
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def digits() -> int:
    """``--digits``, else 6."""
    from ..report.render import DEFAULT_DIGITS

    ctx = click.get_current_context(silent=True)
    return int(ctx.meta[_DIGITS]) if ctx is not None and ctx.meta.get(_DIGITS) else DEFAULT_DIGITS


def render_out(doc: Any, data: dict[str, Any], fmt: str) -> str:
    """Render ``doc``/``data`` in ``fmt`` at the width and digits the user asked for."""
    from ..report import render

    return render(doc, data, fmt, width=text_width(), digits=digits())


def emit(text: str, output: str | None) -> None:
    """Print, or write to ``output`` atomically and say so."""
    if output:
        from ..model.io import write_text

        write_text(output, text, field="--output")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def learn_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers``, ``--scheduler``, ``--cache``, ``--no-cache``: where learned values are trained and kept."""
    f = click.option("--no-cache", "no_cache", is_flag=True, default=False,
                     help="learned values: train every coalition, read and write no cache")(f)
    f = click.option("--cache", "cache", type=click.Path(file_okay=False), default=None, metavar="DIR",
                     help="learned values: cache folder (default: $MECHSOLVE_CACHE, else ~/.cache/mechsolve)")(f)
    f = click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="learned values: train on the Dask cluster at ADDRESS (needs dask.distributed)")(f)
    f = click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="learned values: train in N local processes")(f)
    return f


@contextmanager
def learn_session(cache: str | None, no_cache: bool, workers: int, scheduler: str | None, *,
                  show_progress: bool = True) -> Iterator[Any]:
    """The :class:`~mechsolve.data.learn.LearnOptions` of a command, with a progress bar on a terminal.

    The CLI caches by default (:func:`~mechsolve.data.learn.default_cache_dir`); the bar
    (:func:`~mechsolve.cli.progress.progress_bar`) shows only while trainings run, on a terminal.
    """
    from ..data.learn import LearnOptions, default_cache_dir
    from ..errors import InvalidModel
    from .progress import progress_bar

    if cache is not None and no_cache:
        raise InvalidModel("give --cache DIR or --no-cache, not both", field="--cache")
    root = None if no_cache else (cache if cache is not None else default_cache_dir())
    stack = ExitStack()
    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if total == 0:
            return
        if state.get("total") != total:          # a new batch of trainings (Monte Carlo asks in batches)
            stack.close()
            state["update"] = stack.enter_context(progress_bar("training coalitions", total=total))
            state["total"] = total
        state["update"](done)

    try:
        yield LearnOptions(root, workers, scheduler, progress if show_progress else None, {})
    finally:
        stack.close()
