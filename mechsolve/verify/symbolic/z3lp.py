"""Budget feasibility and efficiency of LP (P)'s solution, from its optimality conditions (z3).

Nguyen et al. (2022), Sec. 4 and App. G.2: with conditional Shapley values
``M[i, j] = φ_{j|i}(v)``, ``p_{i,−} = Σ_j M[i, j]`` and budgets ``b_i ≥ 0``,

    (P)  max Σ_i λ_i p_{i,−}   s.t.  (Aλ)_i = λ_i p_{i,−} − Σ_{k≠i} λ_k φ_{i|k} ≤ b_i,   0 ≤ λ ≤ 1.

A point ``λ`` is *an* optimum of (P) exactly when the KKT conditions hold (LP duality):
primal feasibility, multipliers ``y ≥ 0`` on the budget rows with complementary slackness
``y_i = 0 ∨ (Aλ)_i = b_i``, and reduced costs ``r = p_{·,−} − Aᵀy`` with
``r_k > 0 ⇒ λ_k = 1`` and ``r_k < 0 ⇒ λ_k = 0``. The encoding leaves the game ``v``,
the budgets, ``λ`` and ``y`` all unknown (degree 2: ``v·λ`` and ``v·y``) and asks z3 for an
optimum of (P) that breaks the paper's conclusion for party 1 (players are symmetric in
the encoding, so party 1 stands for every party):

* ``budget-efficiency-1`` (App. G.2, Statement 1): ``−p_1(v) ≤ b_1 ⇒ λ_1 = 1``;
* ``budget-efficiency-1-value``: the same in model values, ``v'_1(N) = v(1) + λ_1 p_{1,−} = v(N)``;
* ``budget-efficiency-2`` (Statement 2): ``−p_1(v) > b_1 ⇒ (Aλ)_1 = b_1`` (the budget is used up);
* ``weak-efficiency`` (Remark 4.2, App. H): some party gets ``v'_i(N) = v(N)``.

Budget *feasibility* — ``(Aλ)_i ≤ b_i`` — is part of the optimality conditions; the claims
above are what the paper derives from it. ``sat`` models are re-checked in exact rational
arithmetic with the package's own conditional Shapley values: the KKT certificate is
verified (so ``λ`` is optimal) and the conclusion recomputed.

Examples
--------
>>> nguyen_budget_efficiency(2, "budget-efficiency-2", analyse_premises=False).status
'proved'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import InvalidModel
from ...games.game import Game
from .identities import shapley_formula, symbolic_game
from .result import ProofResult
from .z3claims import DEFAULT_TIMEOUT_MS, Encoding, Eq, Ge, Gt, Le, _check_n, _monotone, _run, _table

#: The conclusions that can be asked for (see the module docstring).
CONCLUSIONS = ("budget-efficiency-1", "budget-efficiency-1-value", "budget-efficiency-2", "weak-efficiency")
#: Largest n encoded (3 players: 22 unknowns, seconds; 4 players is beyond z3's nonlinear solver here).
MAX_LP_N = 3


def conditional_matrix(game: Game) -> np.ndarray:
    """``M[i, j] = φ_{j|i}(v)``: Shapley value of ``j`` in ``v_{−i}(C) = v(C ∪ i) − v(i)`` (any number type)."""
    n = game.n
    M = np.empty((n, n), dtype=object)
    for i in range(n):
        phi = shapley_formula(game.marginal(i))
        others = [j for j in range(n) if j != i]
        M[i, i] = 0
        for pos, j in enumerate(others):
            M[i, j] = phi[pos]
    return M


def lp_rows(M: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """``(p_{·,−}, A)`` of (P): ``p_{i,−} = Σ_j M[i, j]`` and ``A = diag(p_{·,−}) − Mᵀ``."""
    n = M.shape[0]
    pminus = [sum(M[i, j] for j in range(n)) for i in range(n)]
    A = np.empty((n, n), dtype=object)
    for i in range(n):
        for k in range(n):
            A[i, k] = (pminus[i] if i == k else 0) - M[k, i]
    return pminus, A


def kkt_holds(M: np.ndarray, b: Sequence[Fraction], lam: Sequence[Fraction], y: Sequence[Fraction]) -> bool:
    """Exact check that ``λ`` is optimal for (P), certified by the budget multipliers ``y``."""
    n = M.shape[0]
    pminus, A = lp_rows(M)
    row = [sum(A[i, k] * lam[k] for k in range(n)) for i in range(n)]
    if any(not 0 <= x <= 1 for x in lam) or any(row[i] > b[i] for i in range(n)) or any(x < 0 for x in y):
        return False
    if any(y[i] != 0 and row[i] != b[i] for i in range(n)):
        return False
    for k in range(n):
        r = pminus[k] - sum(A[i, k] * y[i] for i in range(n))
        if (r > 0 and lam[k] != 1) or (r < 0 and lam[k] != 0):
            return False
    return True


def _conclusion(kind: str, M: np.ndarray, b: Sequence[Any], lam: Sequence[Any], v1: Any, vN: Any) -> Any:
    """The conclusion as a sympy relation (symbolic inputs) for party 0."""
    import sympy as sp

    n = M.shape[0]
    pminus, A = lp_rows(M)
    row0 = sum(A[0, k] * lam[k] for k in range(n))
    minus_p0 = pminus[0] - sum(M[k, 0] for k in range(n))          # −p_1(v) = p_{1,−} − p_{1,+}
    if kind == "budget-efficiency-1":
        return sp.Or(Gt(minus_p0, b[0]), Eq(lam[0], 1))
    if kind == "budget-efficiency-1-value":
        return sp.Or(Gt(minus_p0, b[0]), Eq(v1 + lam[0] * pminus[0], vN))
    if kind == "budget-efficiency-2":
        return sp.Or(Le(minus_p0, b[0]), Eq(row0, b[0]))
    if kind == "weak-efficiency":
        return sp.Or(*[Eq(lam[i] * pminus[i], pminus[i]) for i in range(n)])
    raise InvalidModel(f"unknown conclusion {kind!r}; valid: {', '.join(CONCLUSIONS)}", field="claim")


def _holds_exact(kind: str, M: np.ndarray, b: Sequence[Fraction], lam: Sequence[Fraction], game: Game) -> bool:
    n = M.shape[0]
    pminus, A = lp_rows(M)
    row0 = sum(A[0, k] * lam[k] for k in range(n))
    minus_p0 = pminus[0] - sum(M[k, 0] for k in range(n))
    if kind == "budget-efficiency-1":
        return minus_p0 > b[0] or lam[0] == 1
    if kind == "budget-efficiency-1-value":
        return minus_p0 > b[0] or game.values[1] + lam[0] * pminus[0] == game.grand_value
    if kind == "budget-efficiency-2":
        return minus_p0 <= b[0] or row0 == b[0]
    return any(lam[i] * pminus[i] == pminus[i] for i in range(n))


def nguyen_budget_efficiency(n: int, conclusion: str = "budget-efficiency-1", *,
                             implicit_premise: bool = False, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                             analyse_premises: bool | Sequence[str] = True) -> ProofResult:
    """Is every optimum of LP (P) budget efficient (Nguyen et al. 2022, Lemma 4.1, App. G.2)?

    Premises: ``v(∅) = 0``; ``v`` monotone (the paper's assumption, used in (42) for
    ``φ_{j|i} ≥ 0``); budgets ``b_i ≥ 0``. Always: ``λ`` is an optimum of (P) (KKT).
    With ``implicit_premise`` the premise ``p_{1,−}(v) > 0`` is added — what the proof of
    Statement 1 uses without saying (the objective grows with ``λ_1`` only if ``p_{1,−} > 0``).
    """
    import sympy as sp

    _check_n(n, 2)
    if n > MAX_LP_N:
        raise InvalidModel(f"the LP (P) encoding supports n <= {MAX_LP_N}, got {n}", field="n")
    if conclusion not in CONCLUSIONS:
        raise InvalidModel(f"unknown conclusion {conclusion!r}; valid: {', '.join(CONCLUSIONS)}", field="claim")
    g = symbolic_game(n)
    vsyms = [x for x in g.values if getattr(x, "is_Symbol", False)]
    b = [sp.Symbol(f"b_{k + 1}", real=True) for k in range(n)]
    lam = [sp.Symbol(f"lambda_{k + 1}", real=True) for k in range(n)]
    y = [sp.Symbol(f"y_{k + 1}", real=True) for k in range(n)]
    M = conditional_matrix(g)
    pminus, A = lp_rows(M)
    kkt: list[Any] = []
    for i in range(n):
        row = sp.expand(sum(A[i, k] * lam[k] for k in range(n)))
        kkt += [Ge(lam[i], 0), Le(lam[i], 1), Le(row, b[i]), Ge(y[i], 0),
                sp.Or(Eq(y[i], 0), Eq(row, b[i]))]
        r = sp.expand(pminus[i] - sum(A[k, i] * y[k] for k in range(n)))
        kkt += [sp.Or(Le(r, 0), Eq(lam[i], 1)), sp.Or(Ge(r, 0), Eq(lam[i], 0))]
    premises: dict[str, list[Any]] = {"v monotone": _monotone(g.values, n),
                                      "b ≥ 0": [Ge(x, 0) for x in b]}
    if implicit_premise:
        premises["p_1,−(v) > 0"] = [Gt(sp.expand(pminus[0]), 0)]
    concl = _conclusion(conclusion, M, b, lam, g.values[1], g.values[-1])
    enc = Encoding([*vsyms, *b, *lam, *y], premises, concl, always=kkt)

    def confirm(model: dict[str, Fraction]) -> tuple[bool, dict[str, Any]]:
        vals = np.empty(2**n, dtype=object)
        vals[:] = [Fraction(0) if m == 0 else model[g.values[m].name] for m in range(2**n)]
        gm = Game(tuple(f"p{k + 1}" for k in range(n)), vals)
        from ...games.shapley import conditional_shapley

        Mx = conditional_shapley(gm)
        bx = [model[s.name] for s in b]
        lx = [model[s.name] for s in lam]
        yx = [model[s.name] for s in y]
        ok = kkt_holds(Mx, bx, lx, yx) and not _holds_exact(conclusion, Mx, bx, lx, gm)
        pm, Ax = lp_rows(Mx)
        return ok, {"game": _table(gm), "budgets": dict(zip(gm.names, bx)), "lambda (an optimum of (P))":
                    dict(zip(gm.names, lx)), "budget multipliers y": dict(zip(gm.names, yx)),
                    "p_1,- (v)": pm[0], "-p_1(v)": pm[0] - sum(Mx[k, 0] for k in range(n)),
                    "(A lambda)_1": sum(Ax[0, k] * lx[k] for k in range(n))}

    name = f"nguyen-lp-{conclusion}" + ("-with-p1-positive" if implicit_premise else "")
    statements = {
        "budget-efficiency-1": "every optimum of (P): −p_1(v) ≤ b_1 ⇒ λ_1 = 1",
        "budget-efficiency-1-value": "every optimum of (P): −p_1(v) ≤ b_1 ⇒ v'_1(N) = v(1) + λ_1 p_1,− = v(N)",
        "budget-efficiency-2": "every optimum of (P): −p_1(v) > b_1 ⇒ −p_1(λv) = b_1 (budget used up)",
        "weak-efficiency": "every optimum of (P): some party gets v'_i(N) = v(N)",
    }
    sources = {"budget-efficiency-1": "Nguyen et al. (2022) Sec. 4, Lemma 4.1; App. G.2 Statement 1",
               "budget-efficiency-1-value": "Nguyen et al. (2022) Sec. 4 (budget efficiency); App. G.2",
               "budget-efficiency-2": "Nguyen et al. (2022) Sec. 4, Lemma 4.1; App. G.2 Statement 2, eqs. (35)–(43)",
               "weak-efficiency": "Nguyen et al. (2022) Remark 4.2, App. H"}
    return _run(name, statements[conclusion], sources[conclusion], n, enc, confirm, timeout_ms=timeout_ms,
                analyse_premises=analyse_premises)


def counterexample_budget_model(cex: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A ``cooperative-market`` model (scheme ``nguyen-budget`` with the model's budgets) for a z3 model."""
    from .z3claims import counterexample_model

    model = counterexample_model(cex, "nguyen-budget", "budget-efficiency", name)
    model["scheme"]["budgets"] = {p: (int(x) if x.denominator == 1 else float(x))
                                  for p, x in cex["budgets"].items()}
    return model


__all__ = ["nguyen_budget_efficiency", "conditional_matrix", "lp_rows", "kkt_holds", "CONCLUSIONS",
           "counterexample_budget_model"]
