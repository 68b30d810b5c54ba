"""Progress bars on stderr (rich), drawn only when stderr is a terminal.

:func:`progress_bar` yields an ``update(completed, note="")`` function. With a known total
the bar shows ``done/total`` and the time left at the current rate; with a time limit
(``--time``) it also counts down to it, and a search limited only by time shows its bar
against the clock. Without a terminal nothing is drawn and ``update`` does nothing.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any


def _columns(total: float | None, time_limit: float | None, by_time: bool) -> list[Any]:
    from rich.progress import (BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class Deadline(ProgressColumn):
        """Seconds left before ``--time`` runs out."""

        def render(self, task: Any) -> Text:
            end = task.fields.get("deadline")
            if end is None:
                return Text("")
            return Text(f"{max(0.0, end - time.monotonic()):.0f} s left of --time", style="progress.remaining")

    cols: list[Any] = [TextColumn("{task.description}"), BarColumn()]
    if by_time:
        cols += [TimeElapsedColumn()]
    elif total is not None:
        cols += [MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    else:
        cols += [TextColumn("{task.completed:.0f}"), TimeElapsedColumn()]
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

    by_time = total is None and time_limit is not None
    bar = Progress(*_columns(total, time_limit, by_time), console=Console(stderr=True),
                   transient=True, refresh_per_second=4)
    start = time.monotonic()
    task = bar.add_task(description, total=time_limit if by_time else total, note="",
                        deadline=start + time_limit if time_limit is not None else None)

    def update(completed: float, note: str = "") -> None:
        if by_time:
            bar.update(task, completed=min(time.monotonic() - start, time_limit or 0.0),
                       note=f"{completed:.0f} done " + note)
        else:
            bar.update(task, completed=completed, note=note)

    with bar:
        yield update


__all__ = ["progress_bar"]
