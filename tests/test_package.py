"""The package's face (mechsolve/__init__.py): fast to import, every public name resolves, `verify` callable.

``import mechsolve`` must not pull in the heavy libraries (benchmarks/startup.py measures its time);
the public names are imported on first use (PEP 562).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import mechsolve

HEAVY = ("pydantic", "pulp", "sympy", "z3", "pandas", "matplotlib", "scipy", "networkx", "highspy", "shapiq",
         "pydvl", "yaml", "rich", "click")


def test_import_mechsolve_loads_nothing_heavy():
    code = ("import sys, mechsolve\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"`import mechsolve` imported {out.stdout.strip()}"


def test_every_public_name_resolves():
    for name in mechsolve.__all__:
        assert getattr(mechsolve, name) is not None, name
    assert set(mechsolve.__all__) <= set(dir(mechsolve))
    assert mechsolve.Solution is __import__("mechsolve.api", fromlist=["Solution"]).Solution


def test_verify_is_the_package_and_the_search():
    import mechsolve.verify.analysis as analysis        # the subpackage keeps working as a package

    assert isinstance(mechsolve.verify, types.ModuleType) and callable(mechsolve.verify)
    assert analysis.analyse is not None
    assert "axiom" in inspect.signature(mechsolve.verify).parameters
    r = mechsolve.verify("shapley", "efficiency", players=(2,), budget=5)
    assert str(r.status) == "no-counterexample-found"


def test_unknown_attribute_is_an_attribute_error():
    try:
        mechsolve.no_such_thing  # noqa: B018
    except AttributeError as e:
        assert "no_such_thing" in str(e)
    else:  # pragma: no cover
        raise AssertionError("no AttributeError")
