"""The ``mechsolve`` click group: every failure is one line on stderr and exit code 2.

Exit codes: 0 every checked axiom holds, 1 some axiom is violated, 2 bad input
or error — always with one line on stderr, never a traceback (set
``MECHSOLVE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import click

from ..errors import MechsolveError, bounded
from .options import display_options

#: Optional packages and how to install them (an ImportError of one is bad setup, not a bug).
OPTIONAL_PACKAGES = {"dask": "mechsolve[dask]", "distributed": "mechsolve[dask]", "matplotlib": "mechsolve[plot]",
                     "sklearn": "mechsolve[data]", "scipy": "scipy"}


class MechsolveGroup(click.Group):
    """A click group whose every failure is one line on stderr and exit code 2."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = self._run(args, prog_name, complete_var, **extra)
        if code != 2:  # after an error the one error line is all that is printed
            seen: set[str] = set()
            for w in caught:
                line = f"warning: {' '.join(str(w.message).split())} ({w.category.__name__})"
                if line not in seen:
                    seen.add(line)
                    click.echo(line, err=True)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Any, prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        """Run the command; every failure becomes one ``error:`` line and code 2.

        User code runs only if this invocation consents (``--allow-code``): the policy is
        reset to the environment's say at the start and restored at the end.
        """
        from ..model.io import code_policy

        with code_policy():
            return self._run_command(args, prog_name, complete_var, **extra)

    def _run_command(self, args: Any, prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        from . import interrupt

        try:
            with interrupt.signals():
                rv = super().main(args, prog_name or "mechsolve", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except (click.exceptions.Abort, KeyboardInterrupt) as exc:
            cause = exc.__cause__ or exc.__context__ if isinstance(exc, click.exceptions.Abort) else exc
            if isinstance(cause, KeyboardInterrupt) or isinstance(exc, KeyboardInterrupt):
                click.echo(f"error: interrupted ({interrupt.signal_name(cause)}); nothing was written", err=True)
                code = interrupt.exit_code(cause)
            else:
                click.echo("error: aborted", err=True)
                code = 2
        except click.ClickException as exc:
            where = f"{exc.ctx.command_path}: " if getattr(exc, "ctx", None) is not None else ""
            click.echo(f"error: {where}{bounded(' '.join(exc.format_message().split()))}", err=True)
            code = 2
        except MechsolveError as exc:  # one line even if a message quotes user text with newlines
            click.echo(f"error: {' '.join(str(exc).split())}", err=True)
            code = 2
        except ImportError as exc:  # an optional package is missing: say how to install it
            name = exc.name or (str(exc).split("'")[1] if str(exc).count("'") >= 2 else "")
            top = name.split(".")[0]
            if top not in OPTIONAL_PACKAGES and os.environ.get("MECHSOLVE_DEBUG"):
                raise
            hint = f" (pip install '{OPTIONAL_PACKAGES[top]}')" if top in OPTIONAL_PACKAGES else ""
            click.echo(f"error: this needs the package {top or 'that is missing'}, which is not installed{hint}",
                       err=True)
            code = 2
        except OSError as exc:  # the file system said no (full disk, permissions): name the file
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            click.echo(f"error: cannot use{bounded(str(where))}: {exc.strerror or exc}", err=True)
            code = 2
        except Exception as exc:  # a bug: still one line, exit 2; MECHSOLVE_DEBUG=1 shows the traceback
            if os.environ.get("MECHSOLVE_DEBUG"):
                raise
            msg = bounded(" ".join(str(exc).split()))
            click.echo(f"error: internal error ({type(exc).__name__}: {msg}); "
                       "rerun with MECHSOLVE_DEBUG=1 and report it", err=True)
            code = 2
        return code


@click.group(cls=MechsolveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mechsolve", prog_name="mechsolve")
@display_options
def cli() -> None:
    """Solve and verify payment and reward mechanisms for collaborative ML and data markets.

    \b
    Example:
      mechsolve solve models/glove-game.yaml
      mechsolve check models/mnist-5-parties.yaml --axiom individual-rationality
    """
