"""Payoff vectors synthesised from axioms on a cooperative market, or a proof that none exists.

Unknowns: the payoff vector ``x ∈ ℝ^N``. Axioms (each a named family of rows):

* ``efficiency``: ``Σ_i x_i = v(N)``;
* ``individual-rationality``: ``x_i ≥ v({i})`` — "IR of a";
* ``core``: ``x(S) ≥ v(S)`` for every coalition (2^n − 2 rows, generated lazily) — "core row of {a, b}";
* ``epsilon-core``: ``x(S) ≥ v(S) − ε``;
* ``budgets``: ``x_i ≥ −b_i`` (a party pays at most its budget, Nguyen et al. 2022 Sec. 4; unlisted
  parties have budget 0, ``inf`` is no limit);
* ``non-negativity``: ``x_i ≥ 0`` (Tay et al. 2022 R1);
* ``symmetry``: ``x_i = x_j`` for every pair symmetric in ``v``; ``null-player``: ``x_i = 0`` for null players;
* ``shapley-within``: ``|x_i − φ_i| ≤ δ``.

Objectives: ``closest-to RULE`` (any registered scheme, default ``shapley``; L1 or L∞),
``max-min-utility`` (max min_i (x_i − v({i}))), ``revenue`` (max v(N) − Σ_i x_i: what a platform
keeps), ``budget-balance-gap`` (min |Σ_i x_i − v(N)|) and ``none``.

Examples
--------
>>> from mechsolve.games import Game
>>> g = Game.from_values(["a", "b", "c"], [0, 0, 0, 1, 0, 1, 1, 1])          # majority game
>>> prob = build_problem(g, ["efficiency", "core"], "closest-to", "shapley", "l1")
>>> from mechsolve.solvers.design import solve_design
>>> cert = solve_design(prob).certificate                                      # the core is empty
>>> sorted(c.name for c in cert.constraints)
['core row of {a, b}', 'core row of {a, c}', 'core row of {b, c}', 'efficiency']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..games.game import Game, popcounts
from ..games.properties import null_players, symmetric_pairs
from ..solvers.certificates import Constraint, as_fraction
from ..solvers.design import Block, CSRBlock, DesignProblem
from .stability import ALL_ROWS_UP_TO, ExactTable, _common_denominator, _members, _scaled, coalition_sums

AXIOMS = ("efficiency", "individual-rationality", "core", "epsilon-core", "budgets", "non-negativity",
          "symmetry", "null-player", "shapley-within")
ALIASES = {"ir": "individual-rationality", "r1-non-negativity": "non-negativity", "budget": "budgets"}
DEFAULT_AXIOMS = ("efficiency", "individual-rationality", "core")
#: The registered axiom `check` runs for a design axiom (None: no registered counterpart).
CHECK_NAMES = {"efficiency": "efficiency", "individual-rationality": "individual-rationality", "core": "core",
               "epsilon-core": "epsilon-core", "non-negativity": "r1-non-negativity", "symmetry": "symmetry",
               "null-player": "null-player", "budgets": None, "shapley-within": None}


def _obj(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


class CoalitionBlock(Block):
    """``−x(S) ≤ −v(S) + ε`` for every coalition ``S ≠ ∅, N`` (row r ↔ bitmask r + 1), lazy above n = 10."""

    sense = "<="

    def __init__(self, game: Game, eps: Fraction, label: str = "core") -> None:
        self.game, self.n = game, game.n
        self.label = label
        self.eps = eps
        self.count = max(2**game.n - 2, 0)
        self.lazy = game.n > ALL_ROWS_UP_TO
        self.v = game.values.astype(np.float64) if game.exact else np.asarray(game.values, dtype=np.float64)
        self.tab = ExactTable.of(game)

    def initial(self) -> np.ndarray:
        if not self.lazy:
            return np.arange(self.count)
        pc = popcounts(self.n)[1:-1]
        return np.flatnonzero((pc == 1) | (pc == self.n - 1))

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        masks = np.asarray(idx, dtype=np.int64) + 1
        mem = _members(masks, self.n)
        lens = np.array([len(m) for m in mem], dtype=np.int64)
        starts = np.zeros(len(masks), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        index = np.concatenate(mem) if len(mem) else np.zeros(0, dtype=np.int64)
        return starts, index, -np.ones(len(index)), -self.v[masks] + float(self.eps)

    def residual(self, x: np.ndarray) -> np.ndarray:
        return (self.v - float(self.eps) - coalition_sums(np.asarray(x[:self.n], dtype=np.float64), self.n))[1:-1]

    def exact_row(self, r: int) -> Constraint:
        m = r + 1
        return Constraint(self.name(r), {i: Fraction(-1) for i in range(self.n) if m >> i & 1}, "<=",
                          -self.tab[m] + self.eps, self.label)

    def exact_worst(self, x: Sequence[Fraction]) -> tuple[Fraction, int]:
        xs = [as_fraction(v) for v in x[:self.n]]
        den = lcm(_common_denominator(xs), self.tab.den, self.eps.denominator)
        tab, eps = self.tab.scaled(den), int(self.eps * den)
        if tab.dtype != object and abs(eps) >= 2**62 // 64:  # a large ε (1e6) times den leaves int64
            tab = tab.astype(object)
        d = tab - eps - coalition_sums(_scaled(xs, den), self.n)
        d = d[1:-1]
        if d.size == 0:
            return Fraction(0), -1
        j = int(np.argmax(d)) if d.dtype != object else max(range(d.size), key=lambda q: d[q])
        return Fraction(int(d[j]), den), j

    def name(self, r: int) -> str:
        m = r + 1
        return f"{self.label} row of {{{', '.join(self.game.members(m))}}}"

    def scale(self) -> float:
        return float(np.abs(self.v).max(initial=0.0))


def _exact_vec(game: Game, vec: np.ndarray) -> np.ndarray:
    return _obj([as_fraction(v) for v in vec])


def _rows1(n: int, cols: Sequence[Sequence[int]], vals: Sequence[Sequence[float]]) -> tuple[np.ndarray, ...]:
    lens = np.array([len(c) for c in cols], dtype=np.int64)
    starts = np.zeros(len(cols), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    return starts, np.concatenate([np.asarray(c, dtype=np.int64) for c in cols]), \
        np.concatenate([np.asarray(v, dtype=np.float64) for v in vals])


def _axioms(names: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for a in names:
        key = ALIASES.get(a, a)
        if key not in AXIOMS:
            raise InvalidModel(f"axiom {a!r} cannot be designed for a cooperative market; valid: {', '.join(AXIOMS)}",
                               field="design.axioms")
        if key not in out:
            out.append(key)
    return tuple(out)


def reference(game: Game, rule: str, params: Mapping[str, Any] | None = None) -> np.ndarray:
    """The allocation of a registered scheme (the target of ``closest-to``)."""
    from . import get_scheme

    return get_scheme(rule).rule(game, params or {})


def build_problem(game: Game, axioms: Sequence[str], objective: str, rule: str | None, norm: str, *,
                  budgets: Sequence[float] | None = None, delta: float | None = None,
                  epsilon: float | None = None, tolerance: float = 1e-9,
                  rule_params: Mapping[str, Any] | None = None) -> DesignProblem:
    """The design LP over the payoff vector: one block per axiom plus the objective's rows."""
    ax = _axioms(axioms)
    n = game.n
    names = [f"x_{p}" for p in game.names]
    tab = ExactTable.of(game)
    vN = tab[2**n - 1]
    single = [tab[1 << i] for i in range(n)]
    blocks: list[Block] = []
    sym_tol = 0.0 if game.exact else tolerance
    if "efficiency" in ax:
        st, ix, va = _rows1(n, [list(range(n))], [[1.0] * n])
        blocks.append(CSRBlock("efficiency", st, ix, va, np.array([float(vN)]), "=", lambda r: "efficiency",
                               rhs_exact=_obj([vN])))
    if "individual-rationality" in ax:
        blocks.append(CSRBlock("IR", np.arange(n), np.arange(n), -np.ones(n), -np.array([float(v) for v in single]),
                               "<=", lambda r: f"IR of {game.names[r]}", rhs_exact=_obj([-v for v in single])))
    if "core" in ax and n >= 2:
        blocks.append(CoalitionBlock(game, Fraction(0), "core"))
    if "epsilon-core" in ax and n >= 2:
        if epsilon is None:
            raise InvalidModel("axiom epsilon-core needs `epsilon` (design.epsilon or --epsilon)", field="design.epsilon")
        blocks.append(CoalitionBlock(game, Fraction(repr(float(epsilon))), "ε-core"))
    if "budgets" in ax:
        b = list(budgets) if budgets is not None else [0.0] * n
        fin = [i for i in range(n) if math.isfinite(b[i])]
        if fin:
            bx = [Fraction(repr(float(b[i]))) for i in fin]
            blocks.append(CSRBlock("budgets", np.arange(len(fin)), np.array(fin), -np.ones(len(fin)),
                                   np.array([float(v) for v in bx]), "<=",
                                   lambda r: f"budget of {game.names[fin[r]]}: x ≥ −{b[fin[r]]:g}",
                                   rhs_exact=_obj(bx)))
    if "non-negativity" in ax:
        blocks.append(CSRBlock("non-negativity", np.arange(n), np.arange(n), -np.ones(n), np.zeros(n), "<=",
                               lambda r: f"non-negativity of {game.names[r]}"))
    if "symmetry" in ax:
        pairs = symmetric_pairs(game, sym_tol)
        if pairs:
            st, ix, va = _rows1(n, [[i, j] for i, j in pairs], [[1.0, -1.0]] * len(pairs))
            blocks.append(CSRBlock("symmetry", st, ix, va, np.zeros(len(pairs)), "=",
                                   lambda r: f"symmetry of {game.names[pairs[r][0]]} and {game.names[pairs[r][1]]}"))
    if "null-player" in ax:
        nulls = null_players(game, sym_tol)
        if nulls:
            blocks.append(CSRBlock("null player", np.arange(len(nulls)), np.array(nulls), np.ones(len(nulls)),
                                   np.zeros(len(nulls)), "=", lambda r: f"null player {game.names[nulls[r]]}"))
    if "shapley-within" in ax:
        if delta is None:
            raise InvalidModel("axiom shapley-within needs `delta` (design.delta or --delta)", field="design.delta")
        from ..games.shapley import shapley

        phi = shapley(game)
        d = Fraction(repr(float(delta)))
        pe = [as_fraction(v) for v in phi]
        up = [p + d for p in pe]
        lo = [-p + d for p in pe]
        blocks.append(CSRBlock("shapley-within (upper)", np.arange(n), np.arange(n), np.ones(n),
                               np.array([float(v) for v in up]), "<=",
                               lambda r: f"x_{game.names[r]} ≤ φ + δ", rhs_exact=_obj(up)))
        blocks.append(CSRBlock("shapley-within (lower)", np.arange(n), np.arange(n), -np.ones(n),
                               np.array([float(v) for v in lo]), "<=",
                               lambda r: f"x_{game.names[r]} ≥ φ − δ", rhs_exact=_obj(lo)))
    cost = np.zeros(n)
    sense = "min"
    if objective == "closest-to":
        ref = reference(game, rule or "shapley", rule_params)
        re_ = [as_fraction(v) for v in ref]
        nd = n if norm == "l1" else 1
        names = names + ([f"d_{p}" for p in game.names] if norm == "l1" else ["d (max distance)"])
        cost = np.concatenate([np.zeros(n), np.ones(nd)])
        dcol = n + (np.arange(n) if norm == "l1" else np.zeros(n, dtype=np.int64))
        idx = np.stack([np.arange(n), dcol], axis=1).reshape(-1)
        blocks.append(CSRBlock("objective (+)", np.arange(0, 2 * n, 2), idx, np.tile([1.0, -1.0], n),
                               np.array([float(v) for v in re_]), "<=", lambda r: f"distance row (+) of {game.names[r]}",
                               rhs_exact=_obj(re_)))
        blocks.append(CSRBlock("objective (−)", np.arange(0, 2 * n, 2), idx, np.tile([-1.0, -1.0], n),
                               -np.array([float(v) for v in re_]), "<=",
                               lambda r: f"distance row (−) of {game.names[r]}", rhs_exact=_obj([-v for v in re_])))
        desc = f"minimise the {'L1' if norm == 'l1' else 'L∞'} distance to {rule or 'shapley'}"
    elif objective == "max-min-utility":
        names = names + ["z (min gain over standing alone)"]
        cost = np.concatenate([np.zeros(n), [1.0]])
        sense = "max"
        idx = np.stack([np.arange(n), np.full(n, n)], axis=1).reshape(-1)
        blocks.append(CSRBlock("objective: z ≤ x_i − v(i)", np.arange(0, 2 * n, 2), idx, np.tile([-1.0, 1.0], n),
                               -np.array([float(v) for v in single]), "<=",
                               lambda r: f"objective row z ≤ x_{game.names[r]} − v({game.names[r]})",
                               rhs_exact=_obj([-v for v in single])))
        desc = "maximise min_i (x_i − v({i})), the least gain over standing alone"
    elif objective == "revenue":
        cost = np.ones(n)
        desc = "maximise the platform's revenue v(N) − Σ_i x_i (minimise Σ_i x_i)"
    elif objective == "budget-balance-gap":
        ng = 1
        names = names + ["g (|Σx − v(N)|)"]
        cost = np.concatenate([np.zeros(n), [1.0]])
        st, ix, va = _rows1(n + 1, [list(range(n + 1)), list(range(n + 1))], [[1.0] * n + [-1.0], [-1.0] * n + [-1.0]])
        blocks.append(CSRBlock("objective: |Σx − v(N)| ≤ g", st, ix, va, np.array([float(vN), -float(vN)]), "<=",
                               lambda r: f"gap row ({'+−'[r]})", rhs_exact=_obj([vN, -vN])))
        del ng
        desc = "minimise the budget imbalance |Σ_i x_i − v(N)|"
    elif objective == "none":
        desc = "any payoff vector satisfying the axioms"
    else:
        raise InvalidModel(f"unknown objective {objective!r}; valid: closest-to RULE, max-min-utility, revenue, "
                           "budget-balance-gap, none", field="design.objective")
    return DesignProblem(names, blocks, cost, sense, objective=desc)
