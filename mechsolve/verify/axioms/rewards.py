"""Incentive conditions R1–R7 and fairness properties F1–F4 of reward schemes.

Source: papers/tay2022-synthetic-data-rewards.md §4 and §4.1, which restates Sim et al. (2020)
and redefines R2, R3 and F4 for synthetic-data rewards (Definitions 1–3). ``r`` is the
outcome's allocation (the rewards), ``v`` the characteristic function ``v_c``:

* **R1** non-negativity ``r_i ≥ 0``;
* **R2** feasibility ``r_i ≤ v(D_i ∪ G)`` (Def. 1; the outcome's per-party ``cap``, else
  ``v(N)`` as in Sim et al.);
* **R3** weak efficiency ``∃i: r_i = v*`` (Def. 2; the outcome's ``v*``, else ``v(N)``);
* **R4** individual rationality ``r_i ≥ v({i})``;
* **R5** fairness = F1 ∧ F2 ∧ F3 ∧ F4:

  - F1 uselessness: ``v(C ∪ {i}) = v(C)`` for all ``C ⊆ N∖{i}`` ⇒ ``r_i = 0``;
  - F2 symmetry: ``v(C ∪ {i}) = v(C ∪ {j})`` for all ``C ⊆ N∖{i,j}`` ⇒ ``r_i = r_j``;
  - F3 strict desirability: ``∃B ⊆ N∖{i,j}: v(B ∪ {i}) > v(B ∪ {j})`` and
    ``∀C ⊆ N∖{i,j}: v(C ∪ {i}) ≥ v(C ∪ {j})`` ⇒ ``r_i > r_j``;
  - F4 strict monotonicity (Def. 3): for ``v'`` with ``v'(C ∪ {i}) > v(C ∪ {i})`` for some
    ``C``, ``v'(B ∪ {i}) ≥ v(B ∪ {i})`` for all ``B``, ``v'(A) = v(A)`` for all ``A ∌ i``,
    and ``v'* > r_i``: ``r'_i > r_i``. Tested on companion games ``v'`` that raise
    ``v(C ∪ {i})`` for ``C = ∅``, ``C = N∖{i}`` and one seeded ``C``; ``v'*`` is read as
    ``max_j r'_j`` (equal to ``v'*`` whenever R3 holds under ``v'``);

* **R6** stability: ``∀C ⊆ N, ∀i ∈ C: φ_i = max_{j∈C} φ_j ⇒ v(C) ≤ r_i``, i.e. for every
  ``i``: ``max {v(C) : i ∈ C ⊆ C_i} ≤ r_i`` with ``C_i = {j : φ_j ≤ φ_i}``;
* **R7** group welfare ``Σ_i r_i`` is a quantity to maximise, not a yes/no property: the
  axiom reports it (its witness, and the schemes' scalars) against the ceiling
  ``Σ_i v(D_i ∪ G)`` and only tests ``Σ r_i ≤ Σ_i v_i^max``.

Each axiom answers ``not-applicable`` when its own premise has no instance (no useless
player, no symmetric pair, ...). Tay's Prop. 3 *guarantees* R1–R6 only under premises
(``v`` non-negative and monotone, ``ρ > 0``, the LP's bounds); the axioms never assume
them — they recompute each property from the game — and, when one is violated, the
verdict's note says which premise of the guarantee the instance fails.

Examples
--------
>>> from mechsolve.games.game import Game
>>> from mechsolve.verify.check import run_checks
>>> from mechsolve.schemes import get_scheme
>>> g = Game.from_values(["a", "b", "c"], [0, 1, 1, 3, 0, 1, 1, 3])   # c is useless
>>> s = get_scheme("rho-shapley")
>>> rep = run_checks(g, s.compute(g, {"rho": 0.5}), lambda h: s.rule(h, {"rho": 0.5}),
...                  ["f1-uselessness", "f2-symmetry", "r4-individual-rationality"])
>>> [v.status for v in rep.verdicts]
['holds', 'holds', 'holds']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ... import decide
from ...errors import Infeasible, InvalidModel, Unsupported
from ...games.game import Game
from ...games.properties import monotone
from ...schemes.rho_shapley import _power, coalitions_below, lower_bounds, max_rho, normalised_shapley
from ...games.shapley import shapley
from .allocation import _ir, _ir_note
from .base import Axiom, AxiomContext, Residual, num

TAY = "Tay et al. (2022) Sec. 4"
#: The LP back-end's feasibility tolerance (mechsolve.solvers.lp): bounds recheck to this.
LP_TOLERANCE = 1e-6


@dataclass(frozen=True)
class StrictResidual(Residual):
    """``got > expected`` strictly (F3, F4).

    It holds when ``got − expected`` exceeds the tolerance ``slack``; otherwise the margin is
    the shortfall plus ``2·slack`` (so it exceeds the tolerance). In exact arithmetic
    (``slack = 0``) equality fails by ``0⁺``, shown as ``1e-18``.
    """

    slack: Any = 0.0

    @property
    def margin(self) -> Any:
        d = self.got - self.expected
        if d > self.slack:
            return 0 * d
        if self.slack == 0:
            return -d if d < 0 else Fraction(1, 10**18)
        return -d + 2 * self.slack


# --------------------------------------------------------------------------- helpers
def _tol(ctx: AxiomContext) -> Any:
    return ctx.tol


def _rewards(ctx: AxiomContext) -> np.ndarray:
    return ctx.outcome.allocation


def _caps(ctx: AxiomContext) -> tuple[np.ndarray, str]:
    cap = ctx.outcome.per_player.get("cap")
    if cap is not None:
        return np.asarray(cap), "v(D_i ∪ G)"
    out = np.empty(ctx.game.n, dtype=object if ctx.exact else np.float64)
    out[:] = [ctx.game.grand_value] * ctx.game.n
    return out, "v(N)"


def _vstar(ctx: AxiomContext) -> tuple[Any, str]:
    vs = ctx.outcome.scalars.get("v*")
    return (vs, "v*") if vs is not None else (ctx.game.grand_value, "v(N)")


def _phi(ctx: AxiomContext) -> np.ndarray:
    return shapley(ctx.game)


def _rho(ctx: AxiomContext) -> float | None:
    r = ctx.outcome.scalars.get("ρ")
    return None if r is None else float(r)


def _monotone_note(ctx: AxiomContext) -> str | None:
    if ctx.game.n > 20:
        return None
    r = monotone(ctx.game, _tol(ctx))
    if r.holds is False and r.witness:
        w = r.witness
        return (f"v is not monotone (v({_fmt(w['S'])} ∪ {{{w['i']}}}) = {w['v(S+i)']:.6g} < v({_fmt(w['S'])}) = "
                f"{w['v(S)']:.6g}), a premise of Tay et al. (2022) Sec. 4 / Prop. 3")
    return None


def _nonneg_note(ctx: AxiomContext) -> str | None:
    v = ctx.game.values
    k = int(np.argmin(v.astype(np.float64)))
    if v[k] < 0:
        return (f"v is negative at {_fmt(ctx.game.members(k))} (v = {float(v[k]):.6g}); Tay et al. (2022) "
                "Sec. 5 (Prop. 4) assumes v ≥ 0")
    return None


def _fmt(members: Any) -> str:
    return "{" + ", ".join(members) + "}"


def _join(*notes: str | None) -> str | None:
    out = [n for n in notes if n]
    return "; ".join(out) if out else None


def _differences(ctx: AxiomContext, i: int, j: int) -> np.ndarray:
    """``v(S ∪ {i}) − v(S ∪ {j})`` over all ``S ⊆ N∖{i,j}`` (``i < j``)."""
    g = ctx.game
    view = g.values.reshape(2 ** (g.n - 1 - j), 2, 2 ** (j - i - 1), 2, 2**i)
    return (view[:, 0, :, 1, :] - view[:, 1, :, 0, :]).reshape(-1)


def _relations(ctx: AxiomContext) -> tuple[list[tuple[int, int]], list[tuple[int, int, Any]]]:
    """Symmetric pairs (F2 premise) and dominance pairs ``(i, j, B)`` with i ≻ j (F3 premise)."""
    tol = _tol(ctx)
    sym, dom = [], []
    n = ctx.game.n
    for i in range(n):
        for j in range(i + 1, n):
            d = _differences(ctx, i, j)
            lo, hi = min(d), max(d)
            names = ctx.game.names
            lo_ok = decide.geq(lo, 0 * lo, tol=tol, what=f"v(S∪{names[i]}) ≥ v(S∪{names[j]}) for all S")
            hi_ok = decide.leq(hi, 0 * hi, tol=tol, what=f"v(S∪{names[i]}) ≤ v(S∪{names[j]}) for all S")
            if lo_ok and hi_ok:
                sym.append((i, j))
            elif lo_ok:
                dom.append((i, j, int(np.argmax(d))))
            elif hi_ok:
                dom.append((j, i, int(np.argmin(d))))
    return sym, dom


def _useless(ctx: AxiomContext) -> list[int]:
    g, tol = ctx.game, _tol(ctx)
    out = []
    for i in range(g.n):
        view = g.values.reshape(2 ** (g.n - 1 - i), 2, 2**i)
        d = (view[:, 1, :] - view[:, 0, :]).reshape(-1)
        if decide.all_zero(d, tol=tol, what=f"{g.names[i]} is useless"):
            out.append(i)
    return out


def _others(n: int, i: int, j: int, k: int) -> tuple[int, ...]:
    """The coalition ``S ⊆ N∖{i,j}`` at flat index ``k`` of :func:`_differences` (as player indices)."""
    rest = [p for p in range(n) if p not in (i, j)]
    # flat index enumerates bits of N∖{i,j} in increasing bit order (the reshape keeps that order)
    return tuple(p for b, p in enumerate(rest) if k >> b & 1)


# --------------------------------------------------------------------------- R1–R4
def _r1(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    for i, p in enumerate(ctx.game.names):
        yield Residual({"player": p, "why": "r_i ≥ 0"}, num(0 * r[i]), num(r[i]), ">=")


def _r1_note(ctx: AxiomContext) -> str | None:
    vs, _ = _vstar(ctx)
    extra = f"v* = {float(vs):.6g} ≤ 0" if vs is not None and vs <= 0 else None
    return _join(_nonneg_note(ctx), extra)


def _r2(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    caps, what = _caps(ctx)
    for i, p in enumerate(ctx.game.names):
        yield Residual({"player": p, "why": f"r_i ≤ {what}"}, num(caps[i]), num(r[i]), "<=")


def _r2_note(ctx: AxiomContext) -> str | None:
    caps, what = _caps(ctx)
    s = ctx.game.singletons()
    bad = [p for k, p in enumerate(ctx.game.names) if s[k] > caps[k]]
    if bad:
        return (f"v({{i}}) exceeds the cap {what} for {', '.join(bad)}: a reward rectified to v({{i}}) cannot "
                f"meet R2 (Prop. 3's premise v_c({{i}}) ≤ v(D_i ∪ G) fails)")
    return _nonneg_note(ctx)


def _r3(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    vs, what = _vstar(ctx)
    k = min(range(len(r)), key=lambda m: abs(float(r[m]) - float(vs)))
    yield Residual({"closest party": ctx.game.names[k], "why": f"∃i: r_i = {what}"}, num(vs), num(r[k]))


def _r3_note(ctx: AxiomContext) -> str | None:
    vs, what = _vstar(ctx)
    s = ctx.game.singletons()
    bad = [p for k, p in enumerate(ctx.game.names) if s[k] > vs]
    if bad:
        return f"v({{i}}) > {what} for {', '.join(bad)} (Prop. 3 needs v_c({{i}}) ≤ v*)"
    return None


def _r4_note(ctx: AxiomContext) -> str | None:
    if ctx.outcome.scheme == "rho-shapley":
        rho = _rho(ctx)
        try:
            bound = max_rho(ctx.game.to_float(), "R4")
        except Infeasible as exc:
            return f"no ρ ∈ [0, 1] makes ρ-Shapley individually rational here ({exc.message})"
        return (f"ρ-Shapley with v* = v(N) meets R4 only for ρ ≤ {bound:.6g} (Sim et al. 2020; "
                f"Tay et al. 2022 Sec. 4.1 motivates the rectification by this); here ρ = {rho:.6g}")
    if ctx.outcome.scheme == "rectified-rho-shapley":
        return "the rectification max{v({i}), ·} makes R4 hold by construction; a violation is a bug"
    return _ir_note(ctx)


# --------------------------------------------------------------------------- F1–F4, R5
def _f1(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    for i in _useless(ctx):
        yield Residual({"player": ctx.game.names[i], "property": "F1",
                        "why": "v(C ∪ {i}) = v(C) for all C, so r_i = 0"}, num(0 * r[i]), num(r[i]))


def _f2(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    names = ctx.game.names
    for i, j in _relations(ctx)[0]:
        yield Residual({"i": names[i], "j": names[j], "property": "F2",
                        "why": "v(C ∪ {i}) = v(C ∪ {j}) for all C ⊆ N∖{i,j}, so r_i = r_j"},
                       num(r[j]), num(r[i]))


def _f3(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    g = ctx.game
    for i, j, k in _relations(ctx)[1]:
        lo, hi = sorted((i, j))
        b = _others(g.n, lo, hi, k)
        yield StrictResidual({"i": g.names[i], "j": g.names[j], "property": "F3",
                              "B": [g.names[p] for p in b],
                              "why": "v(C ∪ {i}) ≥ v(C ∪ {j}) for all C ⊆ N∖{i,j}, > at C = B, so r_i > r_j"},
                             num(r[j]), num(r[i]), ">", _tol(ctx))


def _companions(ctx: AxiomContext) -> Iterator[tuple[int, int, Game]]:
    """``(i, mask of C ∪ {i}, v')`` raising ``v(C ∪ {i})`` by δ (F4, Tay Def. 3)."""
    g = ctx.game
    n = g.n
    rng = np.random.default_rng(ctx.seed)
    scale = max(abs(float(x)) for x in g.values) or 1.0
    delta: Any = Fraction(scale).limit_denominator(10**6) / 100 if ctx.exact else 0.01 * scale
    for i in range(n):
        full = g.grand & ~(1 << i)
        choices = [0, full]
        if n > 2:
            choices.append(int(rng.integers(0, 2**n)) & full)
        for c in dict.fromkeys(choices):
            vals = g.values.copy()
            vals[c | 1 << i] = vals[c | 1 << i] + delta
            yield i, c | 1 << i, g.with_values(vals)


def _f4(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    g = ctx.game
    tol = _tol(ctx)
    for i, mask, h in _companions(ctx):
        try:
            r2 = ctx.rule(h)
        except (Infeasible, InvalidModel, Unsupported):
            continue                      # the scheme has no outcome on v' (e.g. infeasible LP,
            #                               a negative φ): nothing to compare for this companion
        vstar2 = max(r2)
        if not vstar2 - r[i] > tol:       # premise v'* > r_i fails for this v'
            continue
        yield StrictResidual({"player": g.names[i], "property": "F4", "raised": _fmt(g.members(mask)),
                              "why": "v'(C ∪ {i}) > v(C ∪ {i}) at the raised coalition, v' = v elsewhere, "
                                     f"v'* = {float(vstar2):.6g} > r_i, so r'_i > r_i"},
                             num(r[i]), num(r2[i]), ">", tol)


def _r5(ctx: AxiomContext) -> Iterator[Residual]:
    yield from _f1(ctx)
    yield from _f2(ctx)
    yield from _f3(ctx)
    yield from _f4(ctx)


def _fair_note(ctx: AxiomContext) -> str | None:
    notes: list[str | None] = [_nonneg_note(ctx), _monotone_note(ctx)]
    rho = _rho(ctx)
    if rho is not None and rho <= 0:
        notes.append("ρ = 0 (Prop. 3b needs ρ > 0)")
    if ctx.outcome.scheme == "rectified-rho-shapley":
        scaled = ctx.outcome.per_player.get("α^ρ·v*")
        s = ctx.game.singletons()
        if scaled is not None:
            cl = [p for k, p in enumerate(ctx.game.names) if s[k] > scaled[k]]
            if cl:
                notes.append(f"α_i^ρ v* < v({{i}}) for {', '.join(cl)}: Prop. 2 — the rectification may break F3")
        if ctx.outcome.scalars.get("lower bounds") == "R4":
            notes.append("the LP used the R4 bounds (Prop. 3a), which guarantee R1–R4 only, not R5")
    return _join(*notes)


def _has_useless(ctx: AxiomContext) -> str | None:
    return None if _useless(ctx) else "no party is useless in v (the premise of F1 never holds)"


def _has_symmetric(ctx: AxiomContext) -> str | None:
    if ctx.game.n < 2:
        return "needs at least 2 parties"
    return None if _relations(ctx)[0] else "no two parties are symmetric in v (the premise of F2 never holds)"


def _has_dominance(ctx: AxiomContext) -> str | None:
    if ctx.game.n < 2:
        return "needs at least 2 parties"
    return None if _relations(ctx)[1] else ("no party weakly dominates another in every coalition "
                                            "(the premise of F3 never holds)")


# --------------------------------------------------------------------------- R6, R7
def _r6(ctx: AxiomContext) -> Iterator[Residual]:
    g = ctx.game
    r = _rewards(ctx)
    phi = _phi(ctx)
    ci = coalitions_below(phi)
    idx = np.arange(2**g.n, dtype=np.int64)
    v = g.values
    for i, p in enumerate(g.names):
        sel = np.flatnonzero(((idx & ~ci[i]) == 0) & ((idx >> i) & 1 == 1))
        vals = v[sel]
        k = int(np.argmax(vals.astype(np.float64))) if not ctx.exact else max(range(len(sel)),
                                                                                key=lambda m: vals[m])
        c = int(sel[k])
        yield Residual({"player": p, "C": list(g.members(c)), "C_i": list(g.members(int(ci[i]))),
                        "why": "φ_i = max_{j∈C} φ_j, so v(C) ≤ r_i"}, num(v[c]), num(r[i]), ">=")


def _r6_note(ctx: AxiomContext) -> str | None:
    g = ctx.game
    notes: list[str | None] = []
    sch = ctx.outcome.scheme
    if sch == "rectified-rho-shapley" and ctx.outcome.scalars.get("lower bounds") != "R6":
        notes.append(f"the LP used the {ctx.outcome.scalars.get('lower bounds')} bounds; only Prop. 3c "
                     "(lower: R6, v_i^min = v(C_i)) aims at R6")
    if sch == "rho-shapley" and ctx.outcome.scalars.get("ρ chosen as", "").find("v(C_i)") < 0:
        try:
            notes.append(f"ρ-Shapley meets v(C_i) ≤ r_i only for ρ ≤ {max_rho(g.to_float(), 'R6'):.6g} "
                         f"(Sim et al. 2020); here ρ = {_rho(ctx):.6g}")
        except Infeasible as exc:
            notes.append(f"no ρ makes ρ-Shapley meet v(C_i) ≤ r_i ({exc.message})")
    # Prop. 3c bounds v(C_i) only; R6 needs every C ⊆ C_i: equal when v is monotone.
    phi = _phi(ctx)
    ci = coalitions_below(phi)
    idx = np.arange(2**g.n, dtype=np.int64)
    v = g.values.astype(np.float64)
    for i, p in enumerate(g.names):
        sel = np.flatnonzero(((idx & ~ci[i]) == 0) & ((idx >> i) & 1 == 1))
        k = int(sel[int(np.argmax(v[sel]))])
        if v[k] > v[ci[i]] + _tol(ctx):
            notes.append(f"v is not monotone: v({_fmt(g.members(k))}) = {v[k]:.6g} > v(C_{p}) = "
                         f"v({_fmt(g.members(int(ci[i])))}) = {v[ci[i]]:.6g}, so bounding v(C_i) (Prop. 3c) does "
                         "not bound every coalition R6 quantifies over (monotone v is the premise)")
            break
    return _join(*notes)


def _r7(ctx: AxiomContext) -> Iterator[Residual]:
    r = _rewards(ctx)
    caps, what = _caps(ctx)
    total = sum(r)
    ceiling = sum(caps)
    share = float(total) / float(ceiling) if math.isfinite(float(ceiling)) and float(ceiling) > 0 else None
    yield Residual({"group welfare Σr_i": num(total), f"ceiling Σ {what}": num(ceiling),
                    "share": share, "why": "reported; R2 summed: Σ r_i ≤ Σ v_i^max"},
                   num(ceiling), num(total), "<=")


# --------------------------------------------------------------------------- LP bounds
def _lp_bounds(ctx: AxiomContext) -> Iterator[Residual]:
    o = ctx.outcome
    g = ctx.game.to_float()
    lower = str(o.scalars["lower bounds"])
    vstar, rho = float(o.scalars["v*"]), float(o.scalars["ρ"])
    phi = shapley(g)
    alpha = normalised_shapley(phi, negative="clip")
    scaled = _power(alpha, rho) * vstar
    vmin = lower_bounds(g, phi, lower)
    caps = np.asarray(o.per_player["cap"], dtype=np.float64)
    for i, p in enumerate(g.names):
        if lower == "R4":
            yield Residual({"player": p, "bound": "v({i}) ≤ v*"}, vmin[i], vstar, ">=")
        elif alpha[i] > 0:
            yield Residual({"player": p, "bound": f"{'v(C_i)' if lower == 'R6' else 'v({i})'} ≤ α_i^ρ v*"},
                           vmin[i], float(scaled[i]), ">=")
        if math.isfinite(caps[i]) and alpha[i] > 0:
            yield Residual({"player": p, "bound": "α_i^ρ v* ≤ v(D_i ∪ G)"}, caps[i], float(scaled[i]), "<=")
    yield Residual({"bound": "0 ≤ ρ ≤ 1"}, min(max(rho, 0.0), 1.0), rho)


def _axiom(name: str, statement: str, source: str, fn: Callable[[AxiomContext], Iterator[Residual]],
           pre: Callable[[AxiomContext], str | None] | None = None,
           note: Callable[[AxiomContext], str | None] | None = None, tolerance: float | None = None,
           needs: tuple[str, ...] = ()) -> Axiom:
    return Axiom(name, statement, source, ("game", "allocation") + needs, fn,
                 pre or (lambda ctx: None), note or (lambda ctx: None), tolerance)


AXIOMS = [
    _axiom("r1-non-negativity", "R1: r_i ≥ 0 for every party", f"{TAY}; Sim et al. (2020)", _r1, note=_r1_note),
    _axiom("r2-feasibility", "R2: r_i ≤ v(D_i ∪ G) (the outcome's cap; v(N) when none, as in Sim et al.)",
           f"{TAY}.1, Definition 1; Sim et al. (2020)", _r2, note=_r2_note),
    _axiom("r3-weak-efficiency", "R3: some party gets the maximum reward value, ∃i: r_i = v* (v(N) if no v*)",
           f"{TAY}.1, Definition 2; Sim et al. (2020)", _r3, note=_r3_note),
    _axiom("r4-individual-rationality", "R4: r_i ≥ v({i}): no party is worse off than with its own data",
           f"{TAY}; Sim et al. (2020)", _ir, note=_r4_note),
    _axiom("f1-uselessness", "F1: a party with v(C ∪ {i}) = v(C) for all C gets r_i = 0",
           f"{TAY}, footnote 3; Sim et al. (2020)", _f1, _has_useless, _fair_note),
    _axiom("f2-symmetry", "F2: parties with v(C ∪ {i}) = v(C ∪ {j}) for all C ⊆ N∖{i,j} get r_i = r_j",
           f"{TAY}, footnote 3; Sim et al. (2020)", _f2, _has_symmetric, _fair_note),
    _axiom("f3-strict-desirability",
           "F3: v(C ∪ {i}) ≥ v(C ∪ {j}) for all C ⊆ N∖{i,j}, with > for some B, implies r_i > r_j",
           f"{TAY}; Sim et al. (2020)", _f3, _has_dominance, _fair_note),
    _axiom("f4-strict-monotonicity",
           "F4: raising i's value on some C ∪ {i} (others unchanged), with v'* > r_i, implies r'_i > r_i "
           "(companion games: C = ∅, N∖{i} and one seeded C)",
           f"{TAY}.1, Definition 3; Sim et al. (2020)", _f4, note=_fair_note),
    _axiom("r5-fairness", "R5: F1 uselessness, F2 symmetry, F3 strict desirability and F4 strict monotonicity",
           f"{TAY} and Sec. 4.1 (Def. 3); Sim et al. (2020)", _r5, note=_fair_note),
    _axiom("r6-stability", "R6: for every C and i ∈ C with φ_i = max_{j∈C} φ_j: v(C) ≤ r_i",
           f"{TAY}; Sim et al. (2020)", _r6, note=_r6_note),
    _axiom("r7-group-welfare", "R7: group welfare Σ_i r_i, reported against Σ_i v(D_i ∪ G) (tests Σ r_i ≤ Σ caps)",
           f"{TAY}.1 (after Prop. 3); Sim et al. (2020)", _r7),
    _axiom("rectified-lp-bounds",
           "the LP solution meets Prop. 3's bounds v_i^min ≤ α_i^ρ v* ≤ v(D_i ∪ G), 0 ≤ ρ ≤ 1 "
           "(recomputed from the game; tolerance = the LP back-end's 1e-6)",
           f"{TAY}.1, Prop. 3 and the LP", _lp_bounds, tolerance=LP_TOLERANCE,
           needs=("scalar:lower bounds", "scalar:v*", "scalar:ρ", "per_player:cap")),
]

__all__ = ["AXIOMS", "StrictResidual"]
