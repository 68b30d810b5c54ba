"""Ctrl-C and SIGTERM for the command line: the first one interrupts, a second one exits at once.

:func:`signals` installs handlers for SIGINT and SIGTERM while a command runs. The first
signal raises :class:`Interrupted` (a ``KeyboardInterrupt``) in the main thread, so the work
unwinds normally: :mod:`mechsolve.parallel` cancels queued tasks and reaps its workers, a
command that has partial results prints them, temporary files are removed. The exit code is
``128 + signal number`` (130 for SIGINT, 143 for SIGTERM). A second signal while that cleanup
runs terminates the remaining child processes and exits immediately with the same code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any


class Interrupted(KeyboardInterrupt):
    """The command was interrupted by ``signum`` (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []


def received() -> int | None:
    """The signal that interrupted the running command, if any."""
    return _received[0] if _received else None


def exit_code(exc: BaseException | None = None) -> int:
    """``128 + signal``: 130 after Ctrl-C (also a plain KeyboardInterrupt), 143 after SIGTERM."""
    signum = getattr(exc, "signum", None) or received() or signal.SIGINT
    return 128 + int(signum)


def signal_name(exc: BaseException | None = None) -> str:
    signum = getattr(exc, "signum", None) or received() or signal.SIGINT
    return signal.Signals(signum).name


def _handler(signum: int, _frame: Any) -> None:
    if _received:                        # second signal: stop now
        import multiprocessing

        for p in multiprocessing.active_children():
            p.kill()
        os.write(2, f"\nerror: interrupted again ({signal.Signals(signum).name}); exiting now\n".encode())
        os._exit(128 + _received[0])
    _received.append(signum)
    raise Interrupted(signum)


@contextlib.contextmanager
def signals() -> Iterator[None]:
    """Interrupt handling for one command (only in the main thread; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)
        sys.stderr.flush()


__all__ = ["Interrupted", "signals", "received", "exit_code", "signal_name"]
