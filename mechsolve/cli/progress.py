"""Progress bars on stderr (rich), drawn only when stderr is a terminal.

:func:`progress_bar` yields an ``update(completed, note="")`` function. With a known total the
bar shows ``done/total`` and the time left at the current rate. With a time limit (``--time``) it
counts down to it, and the bar shows whichever of the two limits is nearer (a search stops at
the first), so an unreachable budget never shows a time left of hours. Without a terminal
nothing is drawn and ``update`` does nothing.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

#: Width of the bar itself, in columns (the rest of the line is counts and times).
BAR_WIDTH = 24


def _columns(total: float | None, time_limit: float | None) -> list[Any]:
    from rich.progress import (BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class Deadline(ProgressColumn):
        """Seconds left before ``--time`` runs out."""

        def render(self, task: Any) -> Text:
            end = task.fields.get("deadline")
            if end is None:
                return Text("")
            return Text(f"{max(0.0, end - time.monotonic()):.0f} s left (--time)", style="progress.remaining")

    cols: list[Any] = [TextColumn("{task.description}"), BarColumn(bar_width=BAR_WIDTH)]
    if time_limit is None and total is not None:
        cols += [MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    else:
        cols += [TextColumn("{task.fields[count]}"), TimeElapsedColumn()]
        if time_limit is not None:
            cols.append(Deadline())
    cols.append(TextColumn("{task.fields[note]}"))
    return cols


@contextlib.contextmanager
def progress_bar(description: str, *, total: float | None = None, time_limit: float | None = None,
                 enabled: bool = True) -> Iterator[Callable[..., None]]:
    """A transient rich bar on stderr; ``update(completed, note="")`` moves it."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda *a, **k: None
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(*_columns(total, time_limit), console=Console(stderr=True), transient=True,
                   refresh_per_second=4)
    start = time.monotonic()
    fraction = time_limit is not None        # the bar is the nearer of the two limits, as a fraction
    task = bar.add_task(description, total=1.0 if fraction else total, note="", count="",
                        deadline=start + time_limit if time_limit is not None else None)

    def update(completed: float, note: str = "") -> None:
        if not fraction:
            bar.update(task, completed=completed, note=note)
            return
        near = (time.monotonic() - start) / time_limit if time_limit else 0.0
        if total:
            near = max(near, completed / total)
        count = f"{completed:.0f}" + (f"/{total:.0f}" if total else " done")
        bar.update(task, completed=min(near, 1.0), count=count, note=note)

    with bar:
        yield update


__all__ = ["progress_bar", "BAR_WIDTH"]
