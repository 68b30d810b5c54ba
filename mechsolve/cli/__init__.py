"""The ``mechsolve`` command line: a thin shell over the API (parse, call, render).

Exit codes: 0 every checked axiom holds, 1 some axiom is violated, 2 bad input
or error — always with one line on stderr, never a traceback (set
``MECHSOLVE_DEBUG=1`` to see one). The group is :mod:`mechsolve.cli.app`; each
command module registers its commands on it when imported here.
"""

from __future__ import annotations

from .app import cli
from . import market as _market  # noqa: E402,F401  (registers solve, check, inspect)
from . import meta as _meta  # noqa: E402,F401  (registers schema, schemes, axioms)
from . import mechanism as _mechanism  # noqa: E402,F401  (registers boundary, reproduce)
from . import verify as _verify  # noqa: E402,F401  (registers verify)
from . import proofs as _proofs  # noqa: E402,F401  (registers proofs)
from . import report as _report  # noqa: E402,F401  (registers report)
from . import compare as _compare  # noqa: E402,F401  (registers compare)
from . import synthetic as _synthetic  # noqa: E402,F401  (registers synthesize)
from . import design as _design  # noqa: E402,F401  (registers design)
from . import learn as _learn  # noqa: E402,F401  (registers learn)


def main() -> None:
    """Console-script entry point."""
    cli()


__all__ = ["cli", "main"]
