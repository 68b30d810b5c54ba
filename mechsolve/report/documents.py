"""Documents: what each result of the main jobs shows, built from the result, never recomputed.

:func:`document` dispatches on the result's type. Every builder only reads the result object
(numbers were computed by the room that produced it) and lays them out as sections, facts,
tables and notes for :mod:`mechsolve.report.render`.

Examples
--------
>>> from mechsolve.model import parse_model
>>> from mechsolve.verify.analysis import analyse
>>> a = analyse(parse_model({"kind": "cooperative-market", "players": ["a", "b"],
...                          "value": {"values": [0, 1, 1, 3]}, "check": ["efficiency"]}))
>>> [s.heading for s in document(a).sections]
['Market', 'Scheme: shapley', 'Axioms']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import singledispatch
from pathlib import Path
from typing import Any

from ..data.learn import LearnedTable
from ..numtext import plain_number
from ..mechanism.reproduce import Figure
from ..verify.analysis import MarketAnalysis
from ..verify.compare import Comparison, ReplicationReport
from ..verify.design import DesignResult
from ..verify.mechanism_analysis import MAX_TEXT_ROWS, MechanismAnalysis
from ..verify.search.space import SearchResult
from ..verify.sampled import SampledMarketAnalysis
from ..verify.synthesis import SynthesisRun
from ..verify.verdict import CheckReport, Verdict
from .document import Document, Section, Table, label
from .numbers import fmt
from .proofs import proofs_document  # noqa: F401  (re-exported: its own module, light to import)
from .sections import checks_section, learned_section, natural_key, properties_section, violation_detail, witness_text

#: Significant digits of numbers written into notes and phrases (cells are formatted on render).
DIGITS = 6


@singledispatch
def document(result: Any, *, digits: int = DIGITS) -> Document:
    """The human-readable report of ``result`` (a market, mechanism, comparison, ... analysis).

    ``digits`` is the number of significant digits of numbers written into phrases
    (witnesses, notes); table cells and facts keep their values and are formatted on render.
    """
    if not callable(getattr(result, "to_dict", None)):
        raise TypeError(f"no document for {type(result).__name__}")
    return generic_document(result, digits=digits)


def generic_document(result: Any, *, digits: int = DIGITS) -> Document:
    """The document of a result no builder is registered for (a new model kind's analysis).

    Its ``to_dict()`` scalars become facts, lists of equal-length rows and per-name mappings
    become tables, and its ``checks`` (a :class:`CheckReport`) the usual verdict section, so a
    new kind is readable before it has a document of its own.

    Examples
    --------
    >>> class R:
    ...     status, checks = "solved", None
    ...     def to_dict(self): return {"kind": "toy", "status": "solved", "payments": {"a": 1, "b": 2}}
    >>> [s.heading for s in generic_document(R()).sections], generic_document(R()).sections[1].tables[0].rows
    (['Result', 'payments'], [['a', 1], ['b', 2]])
    """
    data = result.to_dict()
    name = data.get("name") if isinstance(data.get("name"), str) else None
    doc = Document(_title(name, getattr(result, "source_path", None), str(data.get("kind", "result"))))
    facts = [(label(k), v) for k, v in data.items()
             if k not in ("checks", "exit_code") and (v is None or isinstance(v, (str, int, float, bool)))]
    doc.sections.append(Section("Result", facts))
    for k, v in data.items():
        if isinstance(v, Mapping) and v and all(v2 is None or isinstance(v2, (str, int, float, bool))
                                                for v2 in v.values()):
            doc.sections.append(Section(label(k), tables=[Table(["", label(k)], [[a, b] for a, b in v.items()])]))
    checks = getattr(result, "checks", None)
    if isinstance(checks, CheckReport):
        doc.sections.append(checks_section(checks, digits))
    return doc


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def _title(name: str | None, source_path: str | None, fallback: str) -> str:
    return f"mechsolve — {name or (Path(source_path).name if source_path else fallback)}"


@document.register
def market_document(a: MarketAnalysis, *, digits: int = DIGITS) -> Document:
    """Market facts, the scheme's per-player table and matrices, properties, verdicts."""
    m, g, o = a.model, a.game, a.outcome
    doc = Document(_title(m.name if m is not None else a.name, a.source_path, "market"))
    facts: list[tuple[str, Any]] = [("players", g.n), ("v(N)", g.grand_value),
                                    ("arithmetic", "exact rational" if g.exact else "float64")]
    if m is not None and m.source:
        facts.append(("source", m.source))
    doc.sections.append(Section("Market", facts))
    if "learned" in g.meta:
        doc.sections.append(learned_section(g.meta["learned"].to_dict()))
    doc.sections.append(scheme_section(f"Scheme: {o.scheme}", g, o))
    if a.properties is not None:
        doc.sections.append(properties_section(a.properties, digits))
    if a.checks is not None:
        doc.sections.append(checks_section(a.checks, digits))
    return doc


@document.register
def checks_document(rep: CheckReport, *, digits: int = DIGITS) -> Document:
    """A check report alone (the Python API's ``check``): the verdict table and one note per verdict."""
    return Document(f"mechsolve — {rep.message}", [checks_section(rep, digits)])


@document.register
def verdict_document(v: Verdict, *, digits: int = DIGITS) -> Document:
    """One verdict: the same table and note as in a report, for one axiom."""
    return checks_document(CheckReport((v,), v.tolerance, False), digits=digits)


def scheme_section(heading: str, g: Any, o: Any) -> Section:
    """One scheme's outcome: its scalars, the per-player table and its matrices (``i → j``)."""
    own = "v({i})" in o.per_player          # the scheme reports its own v({i}) (e.g. Ohrimenko's v from G)
    cols = ["player"] + ([] if own else ["v({i})"]) + [label(k) for k in o.per_player]
    solo = g.singletons()
    rows = [[p] + ([] if own else [solo[i]]) + [vec[i] for vec in o.per_player.values()]
            for i, p in enumerate(g.names)]
    sec = Section(heading, [(label(k), v) for k, v in o.scalars.items()], [Table(cols, rows)], list(o.notes))
    for name, mat in o.matrices.items():
        sec.tables.append(Table(["from i \\ to j" if "flow" in name else "i \\ j"] + list(g.names),
                                [[p] + list(mat[i]) for i, p in enumerate(g.names)], title=label(name)))
    return sec


@document.register
def sampled_document(a: SampledMarketAnalysis, *, digits: int = DIGITS) -> Document:
    """Monte Carlo estimates with their standard errors, and the verdicts."""
    players = a.players
    rows = [[p, a.singletons[i], a.estimate.values[i], a.estimate.std_error[i]] for i, p in enumerate(players)]
    target = a.scheme_params.get("target_std_error")
    facts: list[tuple[str, Any]] = []
    for k, v in a.scalars().items():
        if k == "converged":   # "converged: no" beside a tiny error reads as a failure; say what stopped it
            v = ("the fixed number of permutations (no target_std_error was given)" if target is None else
                 f"target std error {fmt(target, digits)} " + ("reached" if v else "NOT reached within the "
                                                               "permutation budget"))
            k = "stopped by"
        facts.append((label(k) if k != "largest std_error" else "largest std error", v))
    doc = Document(_title(a.model.name if a.model is not None else a.name, a.source_path, "market"), [
        Section("Market", [("players", len(players)), ("v(N)", a.grand_value),
                           ("arithmetic", "float64, sampled")]),
        Section("Scheme: shapley (Monte Carlo)", facts,
                [Table(["player", "v({i})", "shapley", "std error"], rows)], list(a.notes())),
    ])
    if a.learned is not None:
        doc.sections.insert(1, learned_section(a.learned))
    if a.checks is not None:
        doc.sections.append(checks_section(a.checks, digits))
    return doc


@document.register
def learned_table_document(t: LearnedTable, *, digits: int = DIGITS) -> Document:
    """``mechsolve learn``: how the table was learned, v({i}), v(N) and each party's last marginal."""
    n = len(t.names)
    full = (1 << n) - 1
    rows = [[p, float(t.values[1 << k]), float(t.values[full] - t.values[full & ~(1 << k)])]
            for k, p in enumerate(t.names)]
    return Document(f"mechsolve learn — {t.title or 'market'}", [
        learned_section(t.to_dict()),
        Section("Values", [("coalitions", len(t.values)), ("v(∅)", float(t.values[0])),
                           ("v(N)", float(t.values[full]))],
                [Table(["player", "v({i})", "v(N) − v(N∖{i})"], rows)]),
    ])


@document.register
def mechanism_document(a: MechanismAnalysis, *, digits: int = DIGITS) -> Document:
    """The mechanism, its payments per profile (first rows), Theorem 5, properties, verdicts."""
    m, inst = a.model, a.instance
    doc = Document(_title(m.name, a.source_path, "mechanism"))
    g = inst.grids
    facts: list[tuple[str, Any]] = [
        ("agents", ", ".join(g.names)),
        ("types", "; ".join(f"{n}: {len(t)} points in [{t[0]}, {t[-1]}]" for n, t in zip(g.names, g.grids))),
        ("quality Q(t)", m.quality), ("valuation", inst.valuation.family),
        ("allocation", inst.allocation.rule), ("payment", a.payment_rule),
        ("misreports", inst.misreports + (" (Assumption 2)" if inst.misreports == "downward" else "")),
        ("outside option ∅", inst.outside_option),
        ("arithmetic", "exact rational" if inst.exact else "float64")]
    if m.parameters:
        facts.append(("parameters", dict(m.parameters)))
    if m.source:
        facts.append(("source", m.source))
    doc.sections.append(Section("Mechanism", facts))
    rows = a.rows(MAX_TEXT_ROWS)
    cols = ["profile"] + [f"x_{n}" for n in g.names] + [f"p_{n}" for n in g.names] + \
           [f"u_{n}" for n in g.names] + ["revenue", "welfare"]
    trs = [[", ".join(f"{k}={fmt(v, digits)}" for k, v in r["profile"].items())]
           + [r["allocation"][n] for n in g.names] + [r["payment"][n] for n in g.names]
           + [r["utility"][n] for n in g.names] + [r["revenue"], r["welfare"]] for r in rows]
    notes = [f"first {MAX_TEXT_ROWS} of {inst.size} profiles shown (--format json lists them all)"] \
        if inst.size > MAX_TEXT_ROWS else []
    notes += list(a.notes)   # decisions float arithmetic could not make (decided exactly, or borderline)
    doc.sections.append(Section(f"Payments: {a.payment_rule}", [(label(k), v) for k, v in a.summary().items()],
                                [Table(cols, trs)], notes))
    if a.desirable is not None:
        d = a.desirable
        dfacts: list[tuple[str, Any]] = [("desirable mechanism exists", d.exists),
                                         ("min Σ p^max", d.min_revenue), ("at", d.worst_profile)]
        if not d.exists:
            dfacts += [("first failing profile", d.first_profile), ("Σ p^max there", d.first_revenue),
                       ("failing profiles", f"{d.failing} of {d.checked}")]
        dnotes = [] if inst.allocation.rule == "efficient" else [
            f"allocation is {inst.allocation.rule!r}: this answers IC+IR+WBB for that allocation"]
        doc.sections.append(Section("Desirable mechanism (Def. 7, Theorem 5, Algorithm 1)", dfacts, notes=dnotes))
    if a.properties is not None:
        doc.sections.append(Section("Valuation properties", [
            (k, "yes" if v is None else f"no — {v}") for k, v in a.properties.items()]))
    if a.checks is not None:
        doc.sections.append(checks_section(a.checks, digits))
    return doc


@document.register
def comparison_document(c: Comparison, *, digits: int = DIGITS) -> Document:
    """One row per player, one column per scheme (and quantity); verdicts per scheme."""
    g = c.game
    doc = Document(f"mechsolve compare — {c.model.name or 'market'}")
    doc.sections.append(Section("Market", [("players", g.n), ("v(N)", g.grand_value),
                                           ("schemes", ", ".join(c.analyses))]))
    # the Shapley value has its own column: the shapley scheme's allocation would repeat it
    cols = [(s, q, v) for s, q, v in c.columns() if not (s == "shapley" and q == "shapley")]
    phi = c.shapley
    rows = [[p, g.singletons()[i], phi[i]] + [v[i] for _, _, v in cols] for i, p in enumerate(g.names)]
    rows.append(["Σ", g.singletons().sum(), phi.sum()] + [v.sum() for _, _, v in cols])
    notes = []
    for s, a in c.analyses.items():
        notes += [f"{s}: {n}" for n in a.outcome.notes]
    doc.sections.append(Section("Side by side (one row per player)", [],
                                [Table(["player", "v({i})", "shapley φ"] + [f"{s}: {label(q)}" for s, q, _ in cols],
                                       rows)], notes))
    checked = {s: a.checks for s, a in c.analyses.items() if a.checks is not None}
    if checked:
        axioms: list[str] = []
        for rep in checked.values():
            for v in rep.verdicts:
                if v.axiom not in axioms:
                    axioms.append(v.axiom)
        rows2 = []
        for ax in axioms:
            row: list[Any] = [ax]
            for s in c.analyses:
                rep = checked.get(s)
                found = [v for v in rep.verdicts if v.axiom == ax] if rep else []
                row.append(found[0].status if found else "—")
            rows2.append(row)
        doc.sections.append(Section("Axioms (each scheme's own list)", [],
                                    [Table(["axiom"] + list(c.analyses), rows2)]))
    return doc


def replication_section(r: ReplicationReport, *, digits: int = DIGITS) -> Section:
    """Before/after table of one party replicating itself ``k`` times."""
    cols = ["player", f"{r.allocation_name} before", f"{r.allocation_name} after",
            "after, incl. replicas", "change"]
    facts = [("replicated party", r.player), ("replicas", r.k),
             ("values", "replication-invariant copies (games.replicate)")]
    notes = [f"{r.player} {'GAINS' if r.gains else 'does not gain'} by replicating itself "
             f"{r.k} time(s) under {r.scheme}" + (" (not replication-robust here)" if r.gains else "")]
    return Section(f"Replication: {r.player} × {r.k + 1}", facts, [Table(cols, r.rows())], notes)


@document.register
def synthesis_document(run: SynthesisRun, *, digits: int = DIGITS) -> Document:
    """The market report plus the datasets, kernel selection, sampling and reward-check sections."""
    doc = document(run.analysis, digits=digits)
    dm = run.market
    facts: list[tuple[str, Any]] = [
        ("parties", ", ".join(f"{p}: {len(x)} points" for p, x in zip(dm.data.names, dm.data.parties))),
        ("dimension", dm.data.dim), ("synthetic pool G", dm.reference_note), ("t = |T|", dm.data.t),
        ("kernel", "RBF k(x, y) = exp(−‖x − y‖²/(2ℓ²))"), ("estimator", dm.estimator),
        ("length-scale ℓ", dm.lengthscale), ("kernel pass", dm.blocks.plan.describe()),
    ]
    notes = []
    if dm.search is not None:
        s = dm.search
        facts += [("ℓ chosen by", "bisection: smallest ℓ with every v(D_i) ≥ 0 (Tay et al. 2022, Sec. 5)"),
                  ("initial bracket", list(s.initial_interval)), ("final bracket", list(s.interval)),
                  ("iterations", s.iterations), ("value evaluations", s.evaluations),
                  ("condition holds at ℓ", s.condition_holds)]
        if s.at_floor:
            notes.append("the condition held down to the smallest length-scale tried")
    doc.sections.insert(1, Section("Datasets and kernel (MMD value, eq. 2)", facts, notes=notes))
    if run.sampling is not None:
        sp = run.sampling
        single = run.analysis.game.singletons()
        rows = [[r.party, float(single[i]), r.target, r.achieved, r.achieved - r.target, r.points,
                 float(dm.caps[i]), r.reached] for i, r in enumerate(sp.rewards)]
        doc.sections.append(Section(
            "Synthetic rewards (weighted sampling, Sec. 4.2)",
            [("inverse temperature β", sp.beta), ("seed", sp.seed), ("target tolerance", sp.tolerance)],
            [Table(["party", "v(D_i)", "target r_i", "achieved v(D_i ∪ G_i)", "overshoot", "points |G_i|",
                    "cap v(D_i ∪ G)", "reached"], rows)], list(sp.notes)))
    if run.reward_checks is not None:
        rc = checks_section(run.reward_checks, digits)
        rc.heading = "Checks on the synthetic rewards"
        doc.sections.append(rc)
    if run.notes:
        doc.sections.append(Section("Notes", notes=list(run.notes)))
    return doc


@document.register
def figure_document(fig: Figure, *, digits: int = DIGITS) -> Document:
    """A reproduced figure: setup, the paper's claims with verdicts, the data table."""
    claim_rows = [[c.statement, c.source, c.test, "holds" if c.holds else "DOES NOT HOLD", c.evidence]
                  for c in fig.claims]
    return Document(f"mechsolve — {fig.title}", [
        Section("Setup", list(fig.setup.items())),
        Section("Paper's claims", tables=[Table(["claim", "source", "test", "verdict", "numbers"], claim_rows)]),
        Section("Data", tables=[Table(fig.columns, _data_rows(fig))], notes=fig.notes)])


def _data_rows(fig: Figure) -> list[list[Any]]:
    """The figure's rows; a boundary beyond the search (NaN) reads "> k_max", as in the plot."""
    if fig.name != "chen-fig3" or "boundary D/eps" not in fig.columns:
        return fig.rows
    j, k = fig.columns.index("boundary D/eps"), fig.setup.get("k_max")
    return [[f"> {k}" if i == j and isinstance(c, float) and c != c else c for i, c in enumerate(r)]
            for r in fig.rows]


#: What the two verdicts of a search mean (every search report says it).
SEARCH_MEANING = ("violated = a shrunk counterexample, confirmed exactly when the data are rational (else in "
                  "float64, and said so); no-counterexample-found = none in what was searched (never a proof)")


def search_document(results: Sequence[SearchResult], written: Mapping[str, str] | None = None,
                    reproduced: Mapping[str, str] | None = None, *, digits: int = DIGITS) -> Document:
    """The readable report of one or more counterexample searches over the same space kind.

    ``written`` maps an axiom to the model file its counterexample was written to, and
    ``reproduced`` to what ``mechsolve check`` said on that file.
    """
    written, reproduced = written or {}, reproduced or {}
    first = results[0].space
    doc = Document(f"mechsolve verify — {first.title}")
    rows = [[r.space.heading, r.space.rule, r.status, r.space.size(r.counterexample.instance) if r.counterexample else "—",
             r.stats["instances"], r.stats["applicable"], _seconds(r.stats["seconds"])] for r in results]
    facts: list[tuple[str, Any]] = first.setting() + [("tolerance of the float screening", first.tolerance),
                                                      ("meaning", SEARCH_MEANING)]
    doc.sections.append(Section("Summary", facts, [Table(
        ["axiom", "checked rule", "verdict", first.size_label, "instances", "applicable", "seconds"], rows)]))
    for r in results:
        s, space = r.stats, r.space
        sec = Section(f"{r.axiom}: {r.status}", [("searched", r.searched_line())] + space.facts())
        if r.interrupted:
            sec.notes.append("the search was interrupted: these are the instances searched until then")
        if r.checked_nothing:
            sec.facts.append(("nothing checked", r.checked_nothing))
        if s["not_applicable"]:
            reasons = list(s["not_applicable"].items())
            sec.facts.append(("not applicable because", "; ".join(f"{k} ({v})" for k, v in reasons[:5])
                              + (f"; and {len(reasons) - 5} more reasons" if len(reasons) > 5 else "")))
        if s["errors"]:
            sec.facts.append((f"{space.noun} errors", f"{dict(s['errors'])}; first: {s['first_error']}"))
        cx = r.counterexample
        if cx is not None:
            c = cx.verdict.counterexample or {}
            found = (f"instance {cx.found_at}, shrunk in {_plural(cx.shrink_steps, 'step')} from "
                     f"{space.describe(cx.original)}" if cx.shrink_steps else
                     f"instance {cx.found_at}, already as small as the shrinker could make it")
            sec.facts += [("instance", space.describe(cx.instance)), ("witness", violation_detail(c, digits)),
                          ("confirmed", cx.confirmation), ("found", found)]
            sec.facts += space.counterexample_facts(cx)
            if cx.verdict.note:
                sec.notes.append(cx.verdict.note)
            for title, cols, trs in space.tables(cx.instance):
                sec.tables.append(Table(cols, trs, title=title))
            _reproduce_facts(sec, r.axiom, written, reproduced)
        doc.sections.append(sec)
    return doc


@document.register
def _search_result_document(r: SearchResult, *, digits: int = DIGITS) -> Document:
    return search_document([r], digits=digits)


@document.register
def design_document(r: DesignResult, *, digits: int = DIGITS) -> Document:
    """`mechsolve design`: the LP's size, then the rule (and `check` on it) or the certificate as a table."""
    sol = r.solution
    doc = Document(f"mechsolve design — {r.model.name or (Path(r.source_path).name if r.source_path else 'model')}")
    st = sol.stats
    doc.sections.append(Section("Design problem", [
        ("kind", r.kind), ("axioms", ", ".join(r.axioms)), ("objective", r.objective_note or r.objective),
        ("arithmetic", "exact rational" if r.exact else "float64 (certificates exact on the floats' values)"),
        ("variables", st.get("variables")), ("rows (all axiom instances)", st.get("rows_total")),
        ("rows in the final LP", st.get("rows_in_lp")), ("LP solves", st.get("lp_solves")),
        ("time (s)", st.get("seconds"))],
        tables=[Table(["block", "rows", "in LP", "rows added"],   # a setting, not a verdict: no yes/no colours
                      [[k, v["rows"], v["in_lp"], "lazily" if v["lazy"] else "upfront"]
                       for k, v in st.get("blocks", {}).items()])]))
    if r.found:
        facts: list[tuple[str, Any]] = [("status", "a rule satisfying every axiom was found"),
                                        ("objective value", sol.objective_exact if sol.objective_exact is not None
                                         else sol.objective)]
        if sol.exact is not None:
            facts.append(("exact rule", sol.exact.method + ("; every row holds exactly" if sol.exact.feasible
                                                            else f"; NOT exactly feasible ({sol.exact.worst_row})")))
        for k in ("check", "lp_revenue", "algorithm_1_revenue", "agrees"):
            if k in r.cross_check:
                facts.append((f"cross-check: {k}", r.cross_check[k]))
        sec = Section("Result: rule found", facts, notes=list(r.notes))
        if r.rule and "vector" in r.rule:
            sec.tables.append(Table(["player", "designed payoff"], [[p, v] for p, v in r.rule["vector"].items()]))
        elif r.rule and "table" in r.rule:
            rows = r.rule["table"]
            agents = list(rows[0]["payment"]) if rows else []
            sec.tables.append(Table(["profile"] + [f"p_{a}" for a in agents],
                                    [[", ".join(f"{a}={plain_number(v)}" for a, v in row["profile"].items())]
                                     + [row["payment"][a] for a in agents] for row in rows[:MAX_TEXT_ROWS]]))
            if len(rows) > MAX_TEXT_ROWS:
                sec.notes.append(f"first {MAX_TEXT_ROWS} of {len(rows)} profiles shown (--format json or -o lists them all)")
        doc.sections.append(sec)
        if r.confirmation is not None:
            confirm = checks_section(r.confirmation)
            confirm.heading = "Check of the designed rule (what `mechsolve check` on the written model says)"
            doc.sections.append(confirm)
    else:
        cert = sol.certificate
        chain = cert.chain()
        rows = [[str(y) if y.denominator < 10_000 else fmt(float(y), 6), c.name, cert.row_text(c)]
                for y, c in zip(cert.multipliers, cert.constraints)]
        doc.sections.append(Section("Result: no rule satisfies these axioms", [
            ("certificate", f"{len(cert.constraints)} named rows whose weighted sum reads 0 ≤ −c, c = "
                            f"{fmt(float(cert.bound), 6)} > 0"),
            ("irreducible", "yes (unique multipliers: dropping any row leaves a feasible system)"
             if cert.irreducible else "not shown"),
            ("verified", "exactly, in rational arithmetic" if cert.verified else "NO"),
            ("weighted sum", chain[-1].removeprefix("sum: "))],
            [Table(["×", "named row", "inequality"], rows, title="the proof: add these rows with these weights")],
            notes=list(r.notes)))
    return doc


def _reproduce_facts(sec: Section, axiom: str, written: Mapping[str, str], reproduced: Mapping[str, str]) -> None:
    if axiom in written:
        sec.facts += [("model file", written[axiom]), ("reproduced", reproduced[axiom])]
        sec.code.append(f"mechsolve check {written[axiom]}")


def _seconds(x: float) -> float:
    return round(float(x), 2)


def boundary_document(results: Sequence[Any], *, model_name: str, include_zero: bool, k_max: int,
                      total_seconds: float, special: bool, interrupted: bool = False,
                      planned: int | None = None, digits: int = DIGITS) -> Document:
    """The data-disparity boundary per α (Chen et al. 2020, Sec. 6.2, Fig. 3), sorted by α."""
    res = sorted(results, key=lambda r: r.alpha)
    rows = [[r.alpha, r.boundary if r.boundary is not None else f"> {r.k_max}",
             "(" + ", ".join(str(x) for x in r.first_profile) + ")·ε" if r.first_profile else "none found",
             r.revenue, r.normalised_revenue, r.scope, _seconds(r.seconds)] for r in res]
    notes = sorted({n for r in res for n in r.notes}, key=natural_key)
    if special:
        notes.append("Σp^max/K^(α+1) tends to 2^α + c(α) as K grows (continuum limit); it changes sign at "
                     "α* ≈ -0.6609, above which no disparity is too large (the boundary stops existing).")
    lo = "0" if include_zero else "ε"
    facts: list[tuple[str, Any]] = [("model", model_name), ("types", f"{{{lo}, …, D}} on an ε-grid"),
                                    ("α values", len(res) if planned is None or planned == len(res)
                                     else f"{len(res)} of {planned}"),
                                    ("k_max (largest D/ε examined)", k_max),
                                    ("total time (s)", round(total_seconds, 3))]
    if interrupted:
        facts.append(("interrupted", f"yes: {len(res)} α value(s) finished before the interruption are shown"))
    return Document("mechsolve — data-disparity boundary (Chen et al. 2020, Sec. 6.2, Fig. 3)", [
        Section("Search", facts),
        Section("Boundary per α", tables=[Table(
            ["α", "largest D/ε", "first failing profile", "Σ p^max there", "Σp^max/K^(α+1)", "verified on",
             "time (s)"], rows)], notes=notes)])


__all__ = ["document", "market_document", "sampled_document", "mechanism_document", "comparison_document",
           "replication_section", "synthesis_document", "figure_document", "search_document", "design_document",
           "boundary_document", "proofs_document", "scheme_section"]
