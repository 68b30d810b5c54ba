"""Report sections shared by several documents: verdict tables, game-property tables, witnesses,
learned values.

Examples
--------
>>> witness_text({"player": "a", "why": "ψ_i ≥ v({i})"})
'player a (ψ_i ≥ v({i}))'
>>> witness_text({"S": ["a", "b"], "i": "c", "v(S)": 0.7783508301})
'S = {a, b}, i = c, v(S) = 0.778351'
>>> natural_key("D/ε = 215") < natural_key("D/ε = 1512")
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..verify.verdict import CheckReport
from .document import Section, Table
from ..numtext import natural_key
from .numbers import fmt

_WORD_KEY = re.compile(r"[A-Za-z][a-z]+(?: [a-z]+)*")


def _value_text(v: Any, digits: int) -> str:
    if isinstance(v, (list, tuple, set, frozenset)):
        return "{" + ", ".join(_value_text(x, digits) for x in v) + "}"
    if isinstance(v, Mapping):
        return witness_text(v, digits)
    return fmt(v, digits)


def witness_text(w: Any, digits: int = 6) -> str:
    """A witness (a dict from an axiom or property) as a phrase: ``player a (why)``, ``S = {a, b}``."""
    if not isinstance(w, Mapping):
        return _value_text(w, digits)
    why = w.get("why")
    parts = [f"{k} {_value_text(v, digits)}" if _WORD_KEY.fullmatch(str(k)) else f"{k} = {_value_text(v, digits)}"
             for k, v in w.items() if k != "why"]
    text = ", ".join(parts)
    if why:
        text = f"{text} ({why})" if text else str(why)
    return text


def properties_section(props: Mapping[str, Any], digits: int = 6) -> Section:
    """Table of game properties with worst violations and witnesses."""
    rows = [[k, "unknown" if r.holds is None else ("yes" if r.holds else "no"), r.worst,
             witness_text(r.witness, digits) if r.witness else "", r.note] for k, r in props.items()]
    cols = ["property", "holds", "worst violation", "witness", "note"]
    keep = [j for j in range(len(cols)) if j < 3 or any(r[j] for r in rows)]   # no empty columns
    return Section("Game properties", tables=[Table([cols[j] for j in keep], [[r[j] for j in keep] for r in rows])])


def violation_detail(c: Mapping[str, Any], digits: int = 6) -> str:
    """``WITNESS: expected REL X, got Y (margin M)`` for a verdict's counterexample dict."""
    return (f"{witness_text(c.get('witness'), digits)}: expected {c.get('relation')} "
            f"{fmt(c.get('expected'), digits)}, got {fmt(c.get('got'), digits)} "
            f"(margin {fmt(c.get('margin'), digits)})")


def violation_text(axiom: str, c: Mapping[str, Any], digits: int = 6) -> str:
    """``AXIOM violated at WITNESS: expected REL X, got Y (margin M)``."""
    return f"{axiom} violated at {violation_detail(c, digits)}"


def checks_section(rep: CheckReport, digits: int = 6) -> Section:
    """Table of verdicts, then one note per violation or non-applicable axiom."""
    # nothing tested, no margin: a dash rather than a "0" that reads as "holds with no slack"
    rows = [[v.axiom, v.status, v.checked, v.worst_margin if v.checked else None, v.source] for v in rep.verdicts]
    notes = []
    for v in rep.verdicts:
        if v.counterexample:
            notes.append(violation_text(v.axiom, v.counterexample, digits) + (f" — {v.note}" if v.note else ""))
        elif v.reason:
            notes.append(f"{v.axiom} not applicable: {v.reason}")
        if v.confirmation == "exact":
            notes.append(f"{v.axiom}: decided in exact rational arithmetic (the float margin was within the "
                         f"band of the tolerance)")
        elif v.confirmation:
            notes.append(f"{v.axiom}: {v.confirmation}")
    tol = "0 (exact)" if rep.exact else f"{rep.tolerance:g}"
    return Section("Axioms", [("tolerance", tol), ("verdict", rep.message)],
                   [Table(["axiom", "verdict", "tested", "worst margin", "source"], rows)], notes)


def learned_section(d: Mapping[str, Any]) -> Section:
    """How learned values were obtained (``LearnedTable.to_dict()`` or ``LearnedValue.to_dict()``):
    the data, the estimator, the scorer, v(∅), and the trainings run now or read from the cache."""
    run = d.get("run", {})
    facts: list[tuple[str, Any]] = [
        ("v(S)", f"{d['scorer']} on {d['test_rows']} test rows of {d['estimator']} ({d['estimator_class']}) "
                 f"trained on the members' rows ({d['combine']})"),
        ("estimator parameters", d["params"] or "defaults"), ("feature scaling", d["scale"]),
        ("v(∅)", d["v(empty)"]), ("empty-model score", d["empty_model_score"]),
        ("features", d["features"]), ("rows per party", d["rows"]),
    ]
    if "replicas" in d:
        facts.append(("replicas (duplicated rows)", d["replicas"]))
    where = (f" ({d['distinct_trainings']} distinct training sets for {d['coalitions']} coalitions)"
             if "coalitions" in d else f" ({d['distinct_trainings']} distinct training sets)")
    facts += [("trainings", f"{run.get('trainings', 0)} now, {run.get('cache_hits', 0)} from the cache{where}"),
              ("where", run.get("where")), ("cache", run.get("cache") or "off")]
    if "seconds" in run:
        facts.append(("seconds", round(float(run["seconds"]), 3)))
    return Section("Learned values (a model trained per coalition)", facts, notes=list(d.get("notes", [])))


__all__ = ["natural_key", "witness_text", "violation_detail", "violation_text", "properties_section", "checks_section",
           "learned_section"]
