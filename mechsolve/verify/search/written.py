"""Counterexample model files: written through :mod:`mechsolve.model.io`, re-checked as ``mechsolve check`` would.

Examples
--------
>>> import pathlib, shutil, tempfile
>>> from mechsolve.verify.search import search
>>> r = search("formula", "null-player", params={"formula": "vN/n"}, families=("monotone",), budget=100)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cx.yaml"
>>> write_counterexample(path, r)
>>> reproduces(path)
'checked: exits 1 in float and in --exact mode'
>>> shutil.rmtree(path.parent)
"""

from __future__ import annotations

import os
from typing import Any

from ..analysis import analyse_file
from ...errors import MechsolveError, Unsupported
from ...model.io import write_model
from ...result import Status

#: First line of every written counterexample.
HEADER = "written by mechsolve verify; reproduce with: mechsolve check THIS_FILE"


def write_counterexample(path: str | os.PathLike[str], result: Any) -> None:
    """Write ``result``'s counterexample as a model file (YAML, or JSON by the suffix)."""
    write_model(path, result.model(), comment=HEADER, field="write-counterexample")


def reproduces(path: str | os.PathLike[str]) -> str:
    """Run a written model through ``mechsolve check``'s path in float and in exact mode; say what it gave.

    A model whose data have no exact mode (e.g. an irrational market-growth exponent) is
    checked in float only, and the answer says so.
    """
    codes: dict[str, int] = {}
    for mode, exact in (("float", False), ("--exact", True)):
        try:
            codes[mode] = 1 if Status(analyse_file(path, exact=exact).status).is_failure else 0   # as check exits
        except MechsolveError as exc:
            if exact and isinstance(exc, Unsupported):   # no exact mode for these data
                continue
            return f"WARNING: check fails in {mode} mode ({exc}), expected exit 1"
    if all(c == 1 for c in codes.values()):
        if "--exact" in codes:
            return "checked: exits 1 in float and in --exact mode"
        return "checked: exits 1 in float mode (no exact mode for these data)"
    return "WARNING: check exits " + " and ".join(f"{c} in {m} mode" for m, c in codes.items()) + ", expected 1"


__all__ = ["write_counterexample", "reproduces", "HEADER"]
