"""Verdict types: the status vocabulary, one axiom's :class:`Verdict`, a :class:`CheckReport`.

They sit at the bottom of :mod:`mechsolve.verify` so that axioms, the evaluator, searches and
reports all use the same types without importing each other. Statuses come from
:class:`mechsolve.result.Status`:

* ``holds`` — every residual within tolerance, on this instance;
* ``violated`` — with the worst witness, expected vs got and the margin;
* ``not-applicable`` — with the reason: a premise the instance does not meet (``scope``
  ``"instance"``), or a need the scheme or model kind cannot meet (``"scheme"``, ``"kind"``);
* ``no-counterexample-found`` — a search that found none (never called a proof);
* ``proved`` — a sympy identity or z3 ``unsat``, for a stated n and stated premises.

``confirmation`` says how a float verdict near its tolerance was decided: ``"exact"`` when it
was re-decided in exact rational arithmetic (the data are rational), ``"borderline: …"`` when
that was not possible, ``None`` when float arithmetic decided it beyond doubt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..result import Result, Status, has_fraction, number, numbers

HOLDS = Status.HOLDS
VIOLATED = Status.VIOLATED
NOT_APPLICABLE = Status.NOT_APPLICABLE
NO_COUNTEREXAMPLE = Status.NO_COUNTEREXAMPLE
PROVED = Status.PROVED
STATUSES = (HOLDS, VIOLATED, NOT_APPLICABLE, NO_COUNTEREXAMPLE, PROVED)


@dataclass(frozen=True)
class Verdict(Result):
    """The verdict of one axiom on one instance."""

    axiom: str
    status: Status
    statement: str
    source: str
    tolerance: float
    checked: int = 0
    worst_margin: Any = 0.0
    counterexample: Mapping[str, Any] | None = None
    reason: str | None = None
    note: str | None = None
    confirmation: str | None = None
    scope: str = "instance"

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

    @property
    def witness(self) -> Mapping[str, Any] | None:
        """The counterexample's witness (coalition, party, profile, ...), if violated."""
        return self.counterexample.get("witness") if self.counterexample else None

    @property
    def margin(self) -> Any:
        """The worst margin: by how much the axiom fails (0 when it holds exactly)."""
        return self.worst_margin

    @property
    def message(self) -> str:
        if self.status == VIOLATED and self.counterexample:
            c = self.counterexample
            return (f"{self.axiom} violated at {c['witness']}: expected {c['relation']} {c['expected']}, "
                    f"got {c['got']}")
        if self.status == NOT_APPLICABLE:
            return f"{self.axiom} not applicable: {self.reason}"
        return f"{self.axiom} {self.status}"

    @property
    def expected(self) -> Any:
        """What the worst witness should have got (``None`` unless violated)."""
        return self.counterexample.get("expected") if self.counterexample else None

    @property
    def got(self) -> Any:
        """What the worst witness got (``None`` unless violated)."""
        return self.counterexample.get("got") if self.counterexample else None

    def __repr__(self) -> str:   # short: a notebook shows the HTML table, a console this line
        extra = f", margin {self.worst_margin!r}, witness {dict(self.witness)!r}" if self.witness else ""
        return f"Verdict({self.axiom}: {self.status}{extra})"

    def record(self) -> dict[str, Any]:
        """One row of :meth:`CheckReport.to_frame`: the verdict's fields, the witness flattened in."""
        c = self.counterexample or {}
        return {"axiom": self.axiom, "status": str(self.status), "margin": self.worst_margin,
                "witness": c.get("witness"), "relation": c.get("relation"), "expected": c.get("expected"),
                "got": c.get("got"), "checked": self.checked, "tolerance": self.tolerance,
                "reason": self.reason, "note": self.note, "confirmation": self.confirmation,
                "statement": self.statement, "source": self.source}

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the margin, expected, got and witness numbers as numbers; when they are exact
        (rational arithmetic decided the verdict) also ``exact_values`` with them as Fractions."""
        cex = _plain(self.counterexample)
        out = {"axiom": self.axiom, "status": str(self.status), "statement": self.statement,
               "source": self.source, "tolerance": number(self.tolerance), "checked": self.checked,
               "worst_margin": number(self.worst_margin), "counterexample": numbers(cex) if cex else cex,
               "reason": self.reason, "note": self.note, "confirmation": self.confirmation,
               "scope": self.scope}
        exact = {"worst_margin": self.worst_margin, **(cex or {})}
        exact = {k: v for k, v in exact.items() if has_fraction(v)}
        if exact:
            out["exact_values"] = exact
        return out


@dataclass(frozen=True)
class CheckReport(Result):
    """Verdicts of several axioms on one instance.

    Iterable (:class:`Verdict` s with ``status``, ``witness``, ``margin``), indexed by axiom name,
    and convertible to a DataFrame (``to_frame()``) and the CLI's ``checks`` JSON (``to_json()``).

    Examples
    --------
    >>> from mechsolve.result import Status
    >>> ok = Verdict("efficiency", Status.HOLDS, "Σ ψ = v(N)", "Shapley (1953)", 1e-9, checked=1)
    >>> bad = Verdict("symmetry", Status.VIOLATED, "ψ_i = ψ_j", "Shapley (1953)", 1e-9, checked=1,
    ...               worst_margin=1.0, counterexample={"witness": {"i": "a", "j": "b"}, "expected": 2, "got": 1})
    >>> rep = CheckReport((ok, bad), 1e-9, False)
    >>> rep, str(rep.status), rep["symmetry"].margin
    (CheckReport(efficiency=holds, symmetry=violated), 'violated', 1.0)
    >>> [(v.axiom, str(v.status), v.witness) for v in rep]
    [('efficiency', 'holds', None), ('symmetry', 'violated', {'i': 'a', 'j': 'b'})]
    >>> rep["symmetry"]
    Verdict(symmetry: violated, margin 1.0, witness {'i': 'a', 'j': 'b'})
    """

    verdicts: tuple[Verdict, ...]
    tolerance: float
    exact: bool

    def __iter__(self) -> Any:
        return iter(self.verdicts)

    def __repr__(self) -> str:   # one word per axiom; the verdicts themselves are ``list(report)``
        return f"CheckReport({', '.join(f'{v.axiom}={v.status}' for v in self.verdicts)})"

    def __len__(self) -> int:
        return len(self.verdicts)

    def __getitem__(self, name: str) -> Verdict:
        for v in self.verdicts:
            if v.axiom == name:
                return v
        raise KeyError(name)

    @property
    def violated(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == VIOLATED]

    @property
    def tested(self) -> list[Verdict]:
        """Verdicts that tested something (not ``not-applicable``)."""
        return [v for v in self.verdicts if v.status != NOT_APPLICABLE]

    @property
    def status(self) -> Status:  # type: ignore[override]
        if self.violated:
            return VIOLATED
        return HOLDS if self.tested else NOT_APPLICABLE

    @property
    def message(self) -> str:
        k, m = len(self.tested), len(self.verdicts)
        if self.violated:
            return f"{len(self.violated)} axiom(s) violated ({k} of {m} axioms tested)"
        if not k:
            return f"nothing tested: none of the {m} axioms applies"
        return f"all checked axioms hold ({k} of {m} axioms tested)"

    def to_frame(self) -> Any:
        """The verdicts as a :class:`pandas.DataFrame`, one row per axiom (needs pandas).

        Columns: ``status``, ``margin`` (the worst), ``witness``, ``relation``, ``expected``,
        ``got`` (of the worst witness when violated), ``checked``, ``tolerance``, ``reason``,
        ``note``, ``confirmation``, ``statement``, ``source``.
        """
        from ..result import pandas

        pd = pandas()
        return pd.DataFrame([v.record() for v in self.verdicts]).set_index("axiom")

    def to_dict(self) -> dict[str, Any]:
        return {"tolerance": self.tolerance, "exact": self.exact, "all_hold": not self.violated,
                "tested": len(self.tested), "verdicts": [v.to_dict() for v in self.verdicts]}


def _plain(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, tuple):
        return [_plain(v) for v in x]
    return x


__all__ = ["HOLDS", "VIOLATED", "NOT_APPLICABLE", "NO_COUNTEREXAMPLE", "PROVED", "STATUSES", "Verdict",
           "CheckReport"]
