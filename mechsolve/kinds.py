"""Every model kind in one place: where its spec, its analysis and its search spaces live.

A model file selects its kind with ``kind:``. Each kind is three parts, each in the room of the
pipeline it belongs to, named here by ``"module:attribute"`` so that this registry imports
nothing and every room resolves only the parts of its own room (the model room the spec, the
verification room the analysis and the spaces):

* ``spec`` — a pydantic class with a ``kind`` Literal, in :mod:`mechsolve.model`
  (:func:`mechsolve.model.schema.parse_model` validates a file against it, ``mechsolve schema``
  publishes its JSON Schema);
* ``analyse`` — ``analyse(model, **options) -> result``, in :mod:`mechsolve.verify`: builds the
  instance from the spec, computes the payments or allocation and checks the axioms; the result
  has a ``status`` (:class:`mechsolve.result.Status`) and ``to_dict()``. ``mechsolve solve``,
  ``check``, ``report``, the Python API (``ms.solve``) and the exit code (from ``status``) work from
  it; the text report is the kind's registered document or, without one, a generic document
  built from ``to_dict()`` (:func:`mechsolve.report.documents.document`);
* ``spaces`` (optional) — ``spaces(axioms, options, tolerance) -> list[Space]``, in
  :mod:`mechsolve.verify.search`: the search spaces of ``mechsolve verify --kind NAME
  --option KEY=VALUE``; the engine, parallel runs, shrinking, exact confirmation and the written
  counterexample model come with the :class:`mechsolve.verify.search.space.Space` interface.

A new kind is therefore three new modules and one entry of :data:`KINDS` (four files).

Examples
--------
>>> sorted(KINDS)
['cooperative-market', 'mechanism-design']
>>> KINDS["mechanism-design"].spec
'mechsolve.model.mechanism:MechanismDesign'
>>> resolve("mechsolve.result:Status").HOLDS.value
'holds'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    """One model kind: its name and where its parts live (``"module:attribute"``).

    Parameters
    ----------
    name : str
        The ``kind:`` of its model files.
    spec : str
        The pydantic spec class (model room).
    analyse : str
        ``analyse(model, **options)`` returning a result with ``status`` and ``to_dict()`` (verify room).
    spaces : str or None
        ``spaces(axioms, options, tolerance)`` returning search spaces for ``mechsolve verify --kind``.
    summary : str
        One line for listings.
    """

    name: str
    spec: str
    analyse: str
    spaces: str | None = None
    summary: str = ""


#: Model kind → its parts. A new kind is one entry here (plus its three modules).
KINDS: dict[str, Kind] = {
    "cooperative-market": Kind(
        "cooperative-market", spec="mechsolve.model.market:CooperativeMarket",
        analyse="mechsolve.verify.analysis:analyse_market",
        spaces="mechsolve.verify.search.games:spaces_from_options",
        summary="parties pooling data, paid from a coalition value (Ohrimenko, Nguyen, Sim/Tay)"),
    "mechanism-design": Kind(
        "mechanism-design", spec="mechsolve.model.mechanism:MechanismDesign",
        analyse="mechsolve.verify.mechanism_analysis:analyse_mechanism",
        spaces="mechsolve.verify.search.mechanisms:spaces_from_options",
        summary="agents reporting private data sizes to a model-sharing mechanism (Chen et al. 2020)"),
}


def resolve(ref: str) -> Any:
    """The object a ``"module:attribute"`` reference names (the module is imported on first use).

    Raises
    ------
    ValueError
        When ``ref`` is not of the form ``module:attribute``.
    """
    module, sep, attr = ref.partition(":")
    if not sep or not module or not attr:
        raise ValueError(f"a kind's part must be named 'module:attribute', got {ref!r}")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


__all__ = ["Kind", "KINDS", "resolve"]
