"""The ``design`` job: synthesise a rule from axioms on a model, or prove that none exists.

:func:`design` dispatches on the model's ``kind``:

* ``mechanism-design`` — a payment table over every type profile
  (:mod:`mechsolve.mechanism.design`);
* ``cooperative-market`` — a payoff vector (:mod:`mechsolve.schemes.design`).

The result (:class:`DesignResult`) carries the rule, its exact rational form when the data are
rational (or the exact binary values of float data), the LP's size and time, and either the
rule written as a model that ``mechsolve check`` runs (``rule_model``; the result already ran
that check: ``confirmation``) or the exact infeasibility certificate. Status ``solved`` (a rule;
the CLI exits 0), ``infeasible`` (none exists, certificate given; exit 1) or ``violated`` (the
written rule failed its own check — never expected; exit 1).

Examples
--------
>>> from mechsolve.model import parse_model
>>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b", "c"],
...                  "value": {"values": [0, 0, 0, 1, 0, 1, 1, 1]}, "exact": True})
>>> r = design(m)                      # efficiency + IR + core on the majority game: the core is empty
>>> r.status, r.solution.certificate.verified
('infeasible', True)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any


from .._version import __version__
from ..errors import InvalidModel, Unsupported
from ..model.io import written_references
from ..model.resolved import attach, resolved_of, scheme_params
from ..numtext import exact_text
from ..result import Result, Status, exact_value, number, pandas


@dataclass(frozen=True, eq=False)
class DesignResult(Result):
    """A designed rule or an infeasibility certificate, for one model."""

    kind: str
    model: Any
    axioms: tuple[str, ...]
    objective: str
    norm: str
    solution: Any                      # mechsolve.solvers.design.DesignSolution
    exact: bool
    rule: dict[str, Any] | None        # {"vector": {player: x}} or {"table": rows}
    rule_model: dict[str, Any] | None  # the model `check` runs on the designed rule
    confirmation: Any = None           # CheckReport of `check` on rule_model
    cross_check: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    source_path: str | None = None
    objective_note: str = ""

    @property
    def found(self) -> bool:
        return bool(self.solution.found)

    @property
    def status(self) -> Status:  # type: ignore[override]
        if not self.found:
            return Status.INFEASIBLE
        if self.confirmation is not None and self.confirmation.violated:
            return Status.VIOLATED
        return Status.SOLVED

    @property
    def message(self) -> str:
        if not self.found:
            return f"no rule satisfies {', '.join(self.axioms)} (certificate of {len(self.solution.certificate.constraints)} rows)"
        return f"a rule satisfying {', '.join(self.axioms)} was found ({self.objective})"

    @property
    def payments(self) -> dict[str, Fraction] | None:
        """A designed payoff vector labelled by player, as exact numbers (``None`` when infeasible or a table).

        Examples
        --------
        >>> from mechsolve.model import parse_model
        >>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b"], "value": {"values": [0, 1, 1, 3]}})
        >>> design(m).payments
        {'a': Fraction(3, 2), 'b': Fraction(3, 2)}
        """
        if not self.rule or "vector" not in self.rule:
            return None
        return {str(p): Fraction(str(x)) for p, x in self.rule["vector"].items()}

    def to_frame(self) -> Any:
        """The designed payoffs as a :class:`pandas.DataFrame` (index ``player``, column ``payment``; needs pandas).

        Raises
        ------
        Unsupported
            When there is no payoff vector (an infeasible design, or a mechanism's payment table).
        """
        pay = self.payments
        if pay is None:
            raise Unsupported("no designed payoff vector to tabulate: " + (
                "the design is infeasible (see .solution.certificate)" if not self.found
                else "a mechanism's rule is a payment table (.rule['table'])"), field="to_frame")
        pd = pandas()
        return pd.DataFrame({"payment": list(pay.values())}, index=pd.Index(list(pay), name="player"))

    def to_dict(self) -> dict[str, Any]:
        sol = self.solution
        out: dict[str, Any] = {
            "mechsolve": __version__, "kind": self.kind,
            "model": self.model.name or (Path(self.source_path).stem if self.source_path else None),
            "status": "found" if self.found else "infeasible", "result": str(self.status),
            "axioms": list(self.axioms), "objective": self.objective, "objective_description": self.objective_note,
            "norm": self.norm, "exact": self.exact, "problem": dict(sol.stats),
        }
        if self.found:
            out["objective_value"] = number(sol.objective)
            out["objective_value_exact"] = sol.objective_exact       # a Fraction: JSON "p/q"
            out["rule"] = self.rule                                  # exact entries Fractions: JSON "p/q"
            out["max_residual"] = number(sol.max_residual)
            if sol.exact is not None:
                out["exact_point"] = {"method": sol.exact.method, "feasible_exactly": sol.exact.feasible,
                                      "worst_violation": exact_value(sol.exact.worst), "worst_row": sol.exact.worst_row}
            out["cross_check"] = dict(self.cross_check)           # exact revenues on exact instances
            out["confirmation"] = self.confirmation.to_dict() if self.confirmation is not None else None
            out["certificate"] = None
        else:
            cert = sol.certificate
            out["rule"] = None
            out["certificate"] = {**cert.to_dict(), "chain": cert.chain()}
        out["notes"] = list(self.notes)
        return out


def design(model: Any, *, axioms: Sequence[str] | None = None,
           objective: str | None = None, rule: str | None = None, norm: str | None = None,
           delta: float | None = None, epsilon: float | None = None, exact: bool | None = None,
           confirm: bool = True, source_path: str | None = None, output_dir: str | os.PathLike[str] | None = None
           ) -> DesignResult:
    """Design a rule for ``model`` (see the module docstring); arguments override ``model.design``."""
    if model.kind == "mechanism-design":
        return _design_mechanism(model, axioms, objective, rule, norm, exact, confirm, source_path)
    if model.kind == "cooperative-market":
        return _design_market(model, axioms, objective, rule, norm, delta, epsilon, exact, confirm,
                              source_path, output_dir)
    raise Unsupported(f"`design` does not handle kind {model.kind!r}", field="kind")


def _design_mechanism(model: Any, axioms: Any, objective: Any, rule: Any, norm: Any, exact: Any,
                      confirm: bool, source_path: Any) -> DesignResult:
    from ..mechanism.design import CHECK_NAMES, design_mechanism, table_rows

    r = design_mechanism(model, axioms=axioms, objective=objective, rule=rule, norm=norm, exact=exact)
    inst = r.instance
    rule_d = rule_model = conf = None
    if r.solution.found and r.payments is not None:
        rows = table_rows(inst, r.payments)
        rule_d = {"table": table_rows(inst, r.payments, plain=False)}
        data = model.model_dump(mode="json", exclude_none=True)
        data.pop("design", None)
        data["payment"] = "table"
        data["payment_table"] = {"rows": rows, "source": f"mechsolve design ({', '.join(r.axioms)}; {r.objective})"}
        data["check"] = sorted({CHECK_NAMES[a] for a in r.axioms})
        data["exact"] = bool(inst.exact)
        data["name"] = f"{model.name or 'mechanism'} — designed payments ({r.objective})"
        rule_model = data
        if confirm:
            from ..model.schema import parse_model
            from .analysis import analyse

            conf = analyse(parse_model(data)).checks
    prob_desc = _desc(r)
    return DesignResult("mechanism-design", model, r.axioms, r.objective, r.norm, r.solution, bool(inst.exact),
                        rule_d, rule_model, conf, r.cross_check, r.notes, source_path, prob_desc)


def _desc(r: Any) -> str:
    return getattr(r, "description", "") or ""


def _design_market(model: Any, axioms: Any, objective: Any, rule: Any, norm: Any, delta: Any,
                   epsilon: Any, exact: Any, confirm: bool, source_path: Any, output_dir: Any) -> DesignResult:
    from ..data.market import build_game
    from ..mechanism.design import parse_objective
    from ..schemes.design import CHECK_NAMES, DEFAULT_AXIOMS, _axioms, build_problem
    from ..solvers.design import solve_design

    spec = model.design
    names = list(axioms) if axioms else (list(spec.axioms) if spec and spec.axioms else list(DEFAULT_AXIOMS))
    ax = _axioms(names)
    obj, rl = parse_objective(objective or (spec.objective if spec else None), rule or (spec.rule if spec else None),
                              "closest-to shapley")
    nm = norm or (spec.norm if spec else "l1")
    dl = delta if delta is not None else (spec.delta if spec else None)
    ep = epsilon if epsilon is not None else (spec.epsilon if spec else model.epsilon)
    ex = model.exact if exact is None else exact
    game = build_game(model, exact=ex)
    rule_params: dict[str, Any] = {}
    if rl and rl == model.scheme.name:
        rule_params = scheme_params(model)
    prob = build_problem(game, ax, obj, rl, nm, budgets=model.budget_vector(), delta=dl, epsilon=ep,
                         tolerance=model.tolerance, rule_params=rule_params)
    sol = solve_design(prob, exact=True)   # n variables: the exact vertex is cheap; float games use their binary values
    notes: list[str] = []
    if not game.exact:
        notes.append("float64 table: the exact checks use the exact binary values of its floats")
    rule_d = rule_model = conf = None
    if sol.found:
        n = game.n
        if sol.exact is not None and sol.exact.feasible:
            x = list(sol.exact.x[:n])
            vec = {p: exact_value(v) for p, v in zip(game.names, x)}
        else:
            vec = {p: float(v) for p, v in zip(game.names, sol.x[:n])}
            if sol.exact is not None:
                notes.append(f"the exact vertex is not exactly feasible ({sol.exact.worst_row}); float payoffs reported")
        rule_d = {"vector": vec}
        # the written model names the files the loaded one read, relative to where it is written
        data = written_references(model.model_dump(mode="json", exclude_none=True), resolved_of(model), output_dir)
        data.pop("design", None)
        data.pop("expected", None)
        exact_vec = {p: (exact_text(v) if isinstance(v, Fraction) else v) for p, v in vec.items()}
        data["scheme"] = {"name": "vector", "values": exact_vec}
        data["check"] = [c for c in (CHECK_NAMES[a] for a in ax) if c]
        if "epsilon-core" in ax and ep is not None:
            data["epsilon"] = ep
        data["exact"] = bool(game.exact)
        data["name"] = f"{model.name or 'market'} — designed payoff ({obj if rl is None else f'closest-to {rl}'})"
        rule_model = data
        if confirm:
            from ..model.schema import parse_model
            from .analysis import analyse

            conf = analyse(attach(parse_model(data), resolved_of(model))).checks   # the data read at load
        if any(CHECK_NAMES[a] is None for a in ax):
            notes.append("budgets / shapley-within have no registered axiom: they are confirmed by the design's own "
                         "exact recheck of every row, not by `check`")
    desc = prob.objective
    return DesignResult("cooperative-market", model, ax, obj if rl is None else f"closest-to {rl}", nm, sol,
                        bool(game.exact), rule_d, rule_model, conf, {}, tuple(notes), source_path, desc)


def rule_yaml(result: DesignResult) -> str:
    """The designed rule as a model file (YAML) that ``mechsolve check`` runs."""
    import yaml

    if result.rule_model is None:
        raise InvalidModel("no rule was found, so there is no rule model to write", field="output")
    head = (f"# Written by `mechsolve design` ({', '.join(result.axioms)}; {result.objective}).\n"
            f"# `mechsolve check` on this file re-checks the designed rule"
            f"{' in exact rational arithmetic' if result.exact else ''}.\n")
    return head + yaml.safe_dump(result.rule_model, sort_keys=False, allow_unicode=True, width=100)
