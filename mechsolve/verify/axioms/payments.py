"""Axioms of payment schemes and budget-constrained flows (Ohrimenko et al. 2019; Nguyen et al. 2022).

Each axiom recomputes its property from the game and the scheme's outcome; quantities a
scheme does not produce make the axiom ``not-applicable`` (with the reason), as do failed
premises of the theorem the axiom restates (e.g. monotone ``v`` for Lemma H.1).

Examples
--------
>>> from mechsolve.games.game import Game
>>> from mechsolve.schemes import get_scheme
>>> from mechsolve.verify.check import run_checks
>>> g = Game.from_values(["a", "b"], [0, 1, 2, 4])
>>> s = get_scheme("nguyen-budget")
>>> o = s.compute(g, {"budgets": {"a": 0, "b": 0}})
>>> rep = run_checks(g, o, lambda h: s.rule(h, {}), ["budget-constraints", "weak-efficiency"])
>>> [v.status for v in rep.verdicts]
['holds', 'holds']
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ... import decide
from ...errors import MechsolveError
from ...games.game import Game, replicate
from ...games.properties import monotone, supermodular
from .base import Axiom, AxiomContext, Residual, num, zero

#: Largest n for which replication robustness builds the replicated markets itself.
MAX_GENERATED_REPLICATION_N = 12

_PAYMENT_ALLOCATIONS = ("payoff", "net_gain")


def _tol(ctx: AxiomContext) -> float:
    return ctx.tol


def _monotone_reason(ctx: AxiomContext, what: str) -> str | None:
    r = monotone(ctx.game, _tol(ctx))
    if r.holds is False:
        w = r.witness or {}
        return (f"{what} assumes a monotone v, but v(S ∪ {{{w.get('i')}}}) < v(S) by {r.worst:.6g} at "
                f"S = {w.get('S')} (tolerance {_tol(ctx):g})")
    return None


# ---------------------------------------------------------------------------- balance
def _balance(ctx: AxiomContext) -> Iterator[Residual]:
    target = ctx.outcome.scalars.get("beta", 0)
    yield Residual({"sum over parties": f"Σ_i {ctx.outcome.allocation_name}_i"}, num(target),
                   num(ctx.outcome.allocation.sum()))


def _payout_balance(ctx: AxiomContext) -> Iterator[Residual]:
    per = ctx.outcome.per_player
    c = ctx.outcome.scalars.get("c (price per unit gain)", 1)
    yield Residual({"sum over parties": "Σ_i b_i vs c·Σ_i a_i"}, num(c * per["gain"].sum()),
                   num(per["payout"].sum()))


def _fees(ctx: AxiomContext) -> Iterator[Residual]:
    o = ctx.outcome
    per = o.per_player
    c = o.scalars.get("c (price per unit gain)", 1)
    g = ctx.game
    n = g.n
    psi_sum = per["psi"].sum()
    yield Residual({"shares": "Σ_i ψ_i = 1"}, num(psi_sum * 0 + 1), num(psi_sum))
    a_total = per["gain"].sum()
    for i, p in enumerate(g.names):
        if o.scheme == "ohrimenko-single":   # recompute from the gain table itself
            Gi = g.values[1 << i]
            yield Residual({"party": p, "what": "a_i = G(N) − G({i})"}, num(g.grand_value - Gi), num(per["gain"][i]))
            yield Residual({"party": p, "what": "A_i = c(1 − G({i}))"}, num(c * (1 - Gi)), num(per["fee"][i]))
        yield Residual({"party": p, "what": "b_i = c·ψ_i·a"}, num(c * per["psi"][i] * a_total), num(per["payout"][i]))
        yield Residual({"party": p, "what": "t_i = (A_i − c·a_i) + b_i"},
                       num(per["fee"][i] - c * per["gain"][i] + per["payout"][i]), num(per["total"][i]))
        yield Residual({"party": p, "what": "net gain = t_i − A_i = c(ψ_i a − a_i)"},
                       num(c * (per["psi"][i] * a_total - per["gain"][i])), num(per["net_gain"][i]))
    del n


def _zero_buyers(ctx: AxiomContext) -> list[int]:
    gain = ctx.outcome.per_player["gain"]
    return [i for i in range(ctx.game.n)
            if decide.is_zero(gain[i], tol=_tol(ctx), what=f"a_{ctx.game.names[i]} = 0")]


def _zero_pre(ctx: AxiomContext) -> str | None:
    return None if _zero_buyers(ctx) else "no party has a_i = 0 (nobody is a zero-element buyer)"


def _zero(ctx: AxiomContext) -> Iterator[Residual]:
    per = ctx.outcome.per_player
    for i in _zero_buyers(ctx):
        yield Residual({"party": ctx.game.names[i], "why": "a_i = 0: gets at least its fee back, t_i ≥ A_i"},
                       num(per["fee"][i]), num(per["total"][i]), ">=")


# ---------------------------------------------------------------------------- budgets (Nguyen Sec. 4)
def _budget_constraints(ctx: AxiomContext) -> Iterator[Residual]:
    per = ctx.outcome.per_player
    for i, p in enumerate(ctx.game.names):
        b = per["budget"][i]
        if not (isinstance(b, float) and math.isinf(b)):
            yield Residual({"party": p, "why": "payment −p_i ≤ b_i"}, num(b), num(-per["payoff"][i]), "<=")
        yield Residual({"party": p, "why": "λ_i ≥ 0"}, num(zero(ctx)), num(per["lambda"][i]), ">=")
        yield Residual({"party": p, "why": "λ_i ≤ 1"}, num(zero(ctx) + 1), num(per["lambda"][i]), "<=")


def _desirable(ctx: AxiomContext, i: int) -> Any:
    """``min(v(N), max(v(i), r_i))`` (App. I); ``v(N)`` without a cap."""
    per = ctx.outcome.per_player
    vN = ctx.game.grand_value
    if "cap" not in per:
        return vN
    r = per["cap"][i]
    if isinstance(r, float) and math.isinf(r):
        return vN
    vi = ctx.game.values[1 << i]
    return min(vN, max(vi, r))


def _budget_efficiency(ctx: AxiomContext) -> Iterator[Residual]:
    per = ctx.outcome.per_player
    caps = "cap" in per
    for i, p in enumerate(ctx.game.names):
        b = per["budget"][i]
        pay = -per["payoff"][i]
        inf = isinstance(b, float) and math.isinf(b)
        if caps:
            # performance-budget efficiency (App. I): the desirable model, or the whole budget spent
            d = _desirable(ctx, i)
            gap_model = abs(per["model_reward"][i] - d)
            gap_budget = math.inf if inf else abs(pay - b)
            yield Residual({"party": p, "why": "model reward = min(v(N), max(v(i), r_i)) or payment = b_i"},
                           num(zero(ctx)), num(min(gap_model, gap_budget)) if not (inf and gap_model == math.inf)
                           else num(gap_model))
        elif inf or decide.leq(-per["payoff_unconstrained"][i], b, tol=_tol(ctx),
                               what=f"−p_{p}(v) ≤ b_{p} (can afford v(N))"):
            yield Residual({"party": p, "why": "can afford v(N) (−p_i(v) ≤ b_i) ⇒ λ_i = 1 (Statement 1)"},
                           num(zero(ctx) + 1), num(per["lambda"][i]))
        else:
            yield Residual({"party": p, "why": "cannot afford v(N) ⇒ budget fully spent, −p_i = b_i (Statement 2)"},
                           num(b), num(pay))


def _weak_efficiency(ctx: AxiomContext) -> Iterator[Residual]:
    per = ctx.outcome.per_player
    if "cap" in per:
        gaps = [abs(per["model_reward"][i] - _desirable(ctx, i)) for i in range(ctx.game.n)]
        k = int(np.argmin([float(x) for x in gaps]))
        yield Residual({"best party": ctx.game.names[k], "why": "∃i: model reward = min(v(N), max(v(i), r_i))"},
                       num(zero(ctx)), num(gaps[k]))
        return
    lam = per["lambda"]
    k = int(np.argmax([float(x) for x in lam]))
    yield Residual({"best party": ctx.game.names[k], "why": "∃i: λ*_i = 1 (gets the model of value v(N))"},
                   num(zero(ctx) + 1), num(lam[k]))


def _performance(ctx: AxiomContext) -> Iterator[Residual]:
    per = ctx.outcome.per_player
    for i, p in enumerate(ctx.game.names):
        r = per["cap"][i]
        if isinstance(r, float) and math.isinf(r):
            continue
        vi = ctx.game.values[1 << i]
        yield Residual({"party": p, "why": "v(i) + λ_i p_i,− ≤ max(v(i), r_i)"}, num(max(vi, r)),
                       num(per["model_reward"][i]), "<=")


def _model_reward_ir(ctx: AxiomContext) -> Iterator[Residual]:
    """eq. (8): v(C∪i) ≥ v'_i(C∪i) ≥ v(i), v'_i = λ_i v(C∪i) + (1 − λ_i) v(i) (eq. 10)."""
    g = ctx.game
    lam = ctx.outcome.per_player["lambda"]
    for i, p in enumerate(g.names):
        with_i = g.values.reshape(2 ** (g.n - 1 - i), 2, 2**i)[:, 1, :].reshape(-1)
        vi = g.values[1 << i]
        adj = lam[i] * with_i + (1 - lam[i]) * vi
        upper = with_i - adj          # must be >= 0
        lower = adj - vi              # must be >= 0
        fu = np.asarray(upper, dtype=np.float64)
        fl = np.asarray(lower, dtype=np.float64)
        ku, kl = int(np.argmin(fu)), int(np.argmin(fl))
        rest = [k for k in range(g.n) if k != i]

        def coalition(k: int) -> list[str]:
            return [g.names[p_] for b, p_ in enumerate(rest) if k >> b & 1] + [p]

        yield Residual({"party": p, "C ∪ i": coalition(ku), "why": "v'_i(C∪i) ≤ v(C∪i) (feasibility)"},
                       num(with_i[ku]), num(adj[ku]), "<=")
        yield Residual({"party": p, "C ∪ i": coalition(kl), "why": "v'_i(C∪i) ≥ v(i) (individual rationality)"},
                       num(vi), num(adj[kl]), ">=")


def _efficiency_note(ctx: AxiomContext) -> str | None:
    return ("Statement 1 of Nguyen et al. (2022) App. G.2 does not follow from (P): its proof bounds "
            "−p_i(λ') from below where an upper bound is needed, so a party that could afford v(N) at λ = 1 "
            "may be held below 1 when its payers are budget-constrained (λ* is still the greatest feasible λ)")


def _mono_note(ctx: AxiomContext) -> str | None:
    r = monotone(ctx.game, _tol(ctx))
    if r.holds is False:
        return f"v is not monotone (worst {r.worst:.6g} at {r.witness}); eq. (8) holds for every λ only on monotone v"
    return None


# ---------------------------------------------------------------------------- flows (Nguyen Sec. 3)
def _default_family(ctx: AxiomContext) -> str | None:
    s = ctx.outcome.scalars
    if "alpha" in s and (s.get("alpha") != ctx.game.n or s.get("beta", 0) != 0):
        return "payoffs use the (α, β) family of Remark 3.6; flows add up to the α = n, β = 0 payoffs only"
    return None


def _fair_cost(ctx: AxiomContext) -> Iterator[Residual]:
    M = ctx.outcome.matrices["flows"]
    g = ctx.game
    for i, p in enumerate(g.names):
        yield Residual({"party": p, "why": "Σ_j φ_{j|i} = v(N) − v(i) (eq. 4)"},
                       num(g.grand_value - g.values[1 << i]), num(M[i].sum()))


def _flow_decomposition(ctx: AxiomContext) -> Iterator[Residual]:
    o = ctx.outcome
    F = o.matrices.get("adjusted_flows", o.matrices["flows"])
    for i, p in enumerate(ctx.game.names):
        yield Residual({"party": p, "why": "p_i = Σ_k p_ki − Σ_j p_ij (eq. 7)"},
                       num(F[:, i].sum() - F[i].sum()), num(o.allocation[i]))


def _nulls(ctx: AxiomContext) -> list[int]:
    g = ctx.game
    out = []
    for i in range(g.n):
        view = g.values.reshape(2 ** (g.n - 1 - i), 2, 2**i)
        if decide.all_zero(view[:, 1, :] - view[:, 0, :], tol=_tol(ctx), what=f"{g.names[i]} is a dummy"):
            out.append(i)
    return out


def _dummy_pre(ctx: AxiomContext) -> str | None:
    return None if _nulls(ctx) else "no party is a dummy in v (the premise never holds)"


def _dummy(ctx: AxiomContext) -> Iterator[Residual]:
    s = ctx.outcome.scalars
    alpha, beta = s["alpha"], s.get("beta", 0)
    for i in _nulls(ctx):
        yield Residual({"party": ctx.game.names[i], "why": "dummy pays: p_i = (−α v(N) + β)/n"},
                       num((-alpha * ctx.game.grand_value + beta) / ctx.game.n), num(ctx.outcome.allocation[i]))


# ---------------------------------------------------------------------------- replication
def declared_replicas(ctx: AxiomContext) -> dict[str, str]:
    """``{replica: original}`` from ``ctx.extra['replicas']`` or the model's ``replicas`` field."""
    rep = ctx.extra.get("replicas")
    if rep is None and ctx.extra.get("model") is not None:
        rep = getattr(ctx.extra["model"], "replicas", None)
    return dict(rep or {})


def _replication_pre(ctx: AxiomContext) -> str | None:
    if ctx.outcome.scalars.get("tasks declared"):
        return ("per-party task tables are declared: the replica's own task is not part of the game, so "
                "the replicated market is not determined")
    reps = declared_replicas(ctx)
    if reps:
        idx = ctx.game.index
        bad = [f"{r}→{o}" for r, o in reps.items() if r not in idx or o not in idx or r == o]
        if bad:
            return f"declared replicas name unknown players: {', '.join(bad)}"
        g0 = ctx.game.restrict([p for p in ctx.game.names if p not in reps])
        try:
            ctx.rule(g0)
        except MechsolveError as exc:
            return f"the scheme cannot run on the market without the replicas: {exc}"
        return None
    if ctx.game.n > MAX_GENERATED_REPLICATION_N:
        return (f"n = {ctx.game.n} > {MAX_GENERATED_REPLICATION_N}: too large to build every replicated market; "
                "declare `replicas` in the model")
    return None


def _replication(ctx: AxiomContext) -> Iterator[Residual]:
    g = ctx.game
    alloc = ctx.outcome.allocation
    what = ctx.outcome.allocation_name
    reps = declared_replicas(ctx)
    if reps:
        g0 = g.restrict([p for p in g.names if p not in reps])
        base = ctx.rule(g0)
        idx0 = g0.index
        idx = g.index
        groups: dict[str, list[str]] = {}
        for r, o in reps.items():
            groups.setdefault(o, []).append(r)
        for o, rs in groups.items():
            total = alloc[idx[o]] + sum((alloc[idx[r]] for r in rs), 0 * alloc[idx[o]])
            yield Residual({"party": o, "replicas": rs, "instance": "declared (measured) replica market",
                            "why": f"Σ {what} of the party and its replicas ≤ its {what} without them"},
                           num(base[idx0[o]]), num(total), "<=")
        return
    counts = ctx.extra.get("replica_counts", (1,))
    for i, p in enumerate(g.names):
        for k in counts:
            gr = replicate(g, i, int(k))
            out = ctx.rule(gr)
            total = out[i] + sum((out[g.n + j] for j in range(int(k))), 0 * out[i])
            yield Residual({"party": p, "replicas": int(k), "original " + what: num(alloc[i]),
                            "instance": "generated: games.replicate (replication-invariant values)",
                            "why": f"Σ {what} of the party and its replicas ≤ its {what} without them"},
                           num(alloc[i]), num(total), "<=")


def _replication_note(ctx: AxiomContext) -> str | None:
    s = ctx.outcome.scheme
    if s.startswith("ohrimenko"):
        g = ctx.game
        m = monotone(g, _tol(ctx))
        sm = supermodular(g, _tol(ctx)) if g.n <= 16 else None
        bad = []
        if m.holds is False:
            bad.append(f"G is not monotone (worst {m.worst:.4g})")
        if sm is not None and sm.holds is False:
            bad.append(f"G is not supermodular (worst {sm.worst:.4g} at {sm.witness})")
        if bad:
            return "Theorem 1 (Ohrimenko et al. 2019) assumes a monotone, supermodular G: " + "; ".join(bad)
        return "G meets Theorem 1's premises: this is a counterexample to the theorem — check it in exact mode"
    if s.startswith("nguyen"):
        return ("Nguyen et al. (2022) App. D: replication robustness holds only for parties with payoff ≤ 0 "
                "(n φ_i ≤ v(N)) and monotone v; the Shapley-fair payoff gives it up by design")
    if s == "shapley":
        return "the Shapley value is not replication-robust (Nguyen et al. 2022, App. D; Agarwal et al. 2019)"
    return None


AXIOMS = [
    Axiom("balance", "Σ_i p_i = 0 (β for Remark 3.6): no outside money; for Ohrimenko Σ_i (b_i − a_i) = 0",
          "Nguyen et al. (2022) Sec. 3.1; Ohrimenko et al. (2019) §3.1, §4.1", ("game", "allocation:payoff|net_gain"),
          _balance),
    Axiom("payout-balance", "Σ_i b_i = c·Σ_i a_i: the payouts distribute exactly the gains paid in",
          "Ohrimenko et al. (2019) §3.1 (Balance), §4.1", ("game", "per_player:payout,gain"), _payout_balance),
    Axiom("fees-consistent", "a_i = G(N) − G(i), A_i = c(1 − G(i)), b_i = cψ_i a, t_i = A_i − c a_i + b_i, "
          "net gain = c(ψ_i a − a_i), Σψ = 1",
          "Ohrimenko et al. (2019) §3 (step 3, 5), §4.1", ("game", "per_player:psi,gain,fee,payout,total,net_gain"),
          _fees),
    Axiom("zero-element-buyer", "a party whose performance does not increase (a_i = 0) gets its fee back: t_i ≥ A_i",
          "Ohrimenko et al. (2019) §3.1, §4.1", ("game", "per_player:gain,fee,total"), _zero, _zero_pre),
    Axiom("budget-constraints", "every payment is within budget, −p_i ≤ b_i, and λ_i ∈ [0, 1]",
          "Nguyen et al. (2022) Sec. 4, LP (P)", ("game", "per_player:budget,lambda,payoff"), _budget_constraints),
    Axiom("budget-efficiency", "a party that can afford v(N) gets it (λ_i = 1); one that cannot spends its "
          "whole budget (−p_i = b_i); with caps: the desirable model or the whole budget",
          "Nguyen et al. (2022) Sec. 4 (budget efficiency), App. G.2; App. I",
          ("game", "per_player:budget,lambda,payoff,payoff_unconstrained,model_reward"), _budget_efficiency,
          lambda ctx: _monotone_reason(ctx, "Lemma 4.1 (App. G.2, Statement 2)"),
          premise_note=_efficiency_note),
    Axiom("weak-efficiency", "some party receives the model of value v(N): ∃i λ*_i = 1 "
          "(with caps: the desirable model min(v(N), max(v(i), r_i)))",
          "Nguyen et al. (2022) Remark 4.2, Lemma H.1, App. I; Tay et al. (2022) R3",
          ("game", "per_player:lambda,model_reward"), _weak_efficiency,
          lambda ctx: _monotone_reason(ctx, "Lemma H.1")),
    Axiom("performance-constraints", "v(i) + λ_i p_i,− ≤ max(v(i), r_i) for every party with a cap r_i",
          "Nguyen et al. (2022) App. I, LP (Q)", ("game", "per_player:cap,model_reward,lambda"), _performance),
    Axiom("model-reward-ir", "v(C∪i) ≥ v'_i(C∪i) ≥ v(i) for every C, with v'_i = λ_i v + (1 − λ_i) v(i)",
          "Nguyen et al. (2022) Sec. 4 eq. (8) (feasibility & individual rationality), eq. (10)",
          ("game", "per_player:lambda"), _model_reward_ir, premise_note=_mono_note),
    Axiom("fair-cost", "the total cost flow is the value added for the payer: Σ_j φ_{j|i} = v(N) − v(i)",
          "Nguyen et al. (2022) Sec. 3.2 eq. (4)", ("game", "matrix:flows"), _fair_cost),
    Axiom("flow-decomposition", "payoffs are revenue minus cost flows: p_i = Σ_k p_ki − Σ_j p_ij",
          "Nguyen et al. (2022) Sec. 3.2 eq. (7); Sec. 4", ("game", "matrix:flows"), _flow_decomposition,
          _default_family),
    Axiom("dummy-party", "a dummy party (v(C∪i) = v(C) for all C) pays the whole model: p_i = −v(N) "
          "((−α v(N) + β)/n in Remark 3.6)",
          "Nguyen et al. (2022) Sec. 3.1, Remark 3.6", ("game", "scalar:alpha"), _dummy, _dummy_pre),
    Axiom("replication-robustness", "a party and its replicas together get no more than the party alone "
          "(on declared measured replicas, else on games.replicate copies)",
          "Ohrimenko et al. (2019) Condition 1, Theorem 1; Nguyen et al. (2022) App. D", ("game", "rule"),
          _replication, _replication_pre, premise_note=_replication_note),
]


def replication_study(game: Game, rule: Any, player: str | int, k: int) -> dict[str, Any]:
    """Outcome of ``rule`` before and after ``player`` replicates itself ``k`` times.

    Returns ``{"original": vector on N, "replicated": vector on N ∪ replicas, "game": replicated game,
    "total_with_replicas": Σ over the party and its replicas}``.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> from mechsolve.games.shapley import shapley
    >>> r = replication_study(Game.from_values(["a", "b"], [0, 1, 1, 1]), shapley, "a", 1)
    >>> round(float(r["total_with_replicas"]), 6), float(r["original"][0])     # Shapley: 2/3 > 1/2
    (0.666667, 0.5)
    """
    i = game.index[player] if isinstance(player, str) else int(player)
    gr = replicate(game, i, k)
    before = rule(game)
    after = rule(gr)
    total = after[i] + sum((after[game.n + j] for j in range(k)), 0 * after[i])
    return {"original": before, "replicated": after, "game": gr, "total_with_replicas": total, "player": i}


__all__ = ["AXIOMS", "replication_study", "declared_replicas", "MAX_GENERATED_REPLICATION_N"]
