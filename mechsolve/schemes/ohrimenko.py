"""Ohrimenko, Tople & Tschiatschek (2019): replication-robust payments in collaborative ML markets.

For these schemes the model's ``value`` is the **gain table** ``G(S) = 𝒢(𝒱; ℳ_S)`` (e.g. the
accuracy on the common validation task of a model trained on the data of ``S``, with
``G(∅) = 0``); the characteristic function is derived from it.

* **Single task** (§4.1): ``v(S) = G(S) + Σ_{j∈S} (G(S) − G({j}))``; shares
  ``ψ_i = φ_i(v)/v(N)``; gains ``a_i = G(N) − G({i})``, ``a = Σ_i a_i``; fees
  ``A_i = c(1 − G({i}))``; payouts ``b_i = c·ψ_i·a``; refunds ``A_i − c·a_i``; totals
  ``t_i = (A_i − c a_i) + b_i``; net gains ``t_i − A_i = c(ψ_i a − a_i)``.
* **Multi task** (§4.2): party ``i`` has its own task table ``G_i``;
  ``w(S) = Σ_{i∈N} G_i(S) + Σ_{i∈S} (G_i(S) − G_i({i}))``, ``a_i = G_i(N) − G_i({i})``,
  fees ``A_i = c(1 − G_i({i}))``; payment division as in §4.1 with ``w``.
* **Training-data selection** (§5): ``u_i(S) = G_i(S)``,
  ``D_i = {j : φ_j(u_i) ≥ τ_i}`` and every gain is recomputed on the selected data,
  ``G_i(S) := G_i(S ∩ D_i)`` (single task: one common ``D``).

Money is in units of ``c`` (the price of a unit increase in performance, default 1).
The scheme's allocation is the **net gain** ``c(ψ_i a − a_i)``, which sums to 0 (balance).

Per-party task tables are declared in the scheme mapping, inline or as files::

    scheme:
      name: ohrimenko-multi
      tasks:                       # party -> its gain table G_i (the formats of `value`)
        a: {table: {"": 0, a: 0.5, b: 0.1, "a,b": 0.7}}
        b: {values: [0, 0.2, 0.6, 0.8]}
        c: {file: tables/task-c.npy}   # JSON, CSV or .npy, relative to the model file, read at load

A party without an entry uses the model's ``value`` as its task table.

Examples
--------
>>> from mechsolve.games.game import Game
>>> G = Game.from_values(["a", "b"], [0, 0.5, 0.5, 1.0])
>>> o = compute_single(G, {})
>>> o.per_player["net_gain"].tolist()               # symmetric parties: nobody gains
[0.0, 0.0]
>>> o.per_player["payout"].tolist()                 # a = 0.5 + 0.5, shared equally
[0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .. import decide
from ..errors import InvalidModel
from ..games.game import Game, popcounts
from ..games.shapley import shapley
from .base import Outcome, Scheme


# ------------------------------------------------------------------ characteristic functions
def singleton_sums(x: Sequence[Any] | np.ndarray, n: int, exact: bool = False) -> np.ndarray:
    """``s(S) = Σ_{j∈S} x_j`` for every bitmask ``S`` (doubling construction, no Python loop over S)."""
    out = np.zeros(1, dtype=object if exact else np.float64)
    if exact:
        out[0] = Fraction(0)
    for k in range(n):
        out = np.concatenate([out, out + x[k]])
    return out


def single_task_value(G: Game) -> Game:
    """``v(S) = G(S) + Σ_{j∈S} (G(S) − G({j})) = (|S|+1) G(S) − Σ_{j∈S} G({j})`` (§4.1).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> single_task_value(Game.from_values(["a", "b"], [0, 0.25, 0.5, 1.0])).values.tolist()
    [0.0, 0.25, 0.5, 2.25]
    """
    n = G.n
    sizes = popcounts(n).astype(np.int64)
    s = singleton_sums(G.singletons(), n, G.exact)
    if G.exact:
        v = np.empty(2**n, dtype=object)
        v[:] = [int(sizes[m] + 1) * G.values[m] - s[m] for m in range(2**n)]
    else:
        v = (sizes + 1) * G.values - s
    return Game(G.names, v, G.meta)


def multi_task_value(tasks: Sequence[Game]) -> Game:
    """``w(S) = Σ_{i∈N} G_i(S) + Σ_{i∈S} (G_i(S) − G_i({i}))`` (§4.2).

    ``tasks[i]`` is party ``i``'s gain table, all on the same players.

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> G = Game.from_values(["a", "b"], [0, 0.25, 0.5, 1.0])
    >>> multi_task_value([G, G]).values.tolist()     # = 2G(S) + Σ_{i∈S}(G(S) − G(i))
    [0.0, 0.5, 1.0, 3.25]
    """
    n = len(tasks)
    exact = tasks[0].exact
    total = sum((t.values for t in tasks[1:]), tasks[0].values.copy())
    own = np.zeros(2**n, dtype=object if exact else np.float64)
    if exact:
        own[:] = Fraction(0)
    for i, t in enumerate(tasks):
        member = ((np.arange(2**n) >> i) & 1).astype(bool)
        own[member] = own[member] + (t.values[member] - t.values[1 << i])
    return Game(tasks[0].names, total + own, tasks[0].meta)


# ------------------------------------------------------------------ data selection (§5)
def restrict_to(G: Game, mask: int) -> Game:
    """``G'(S) = G(S ∩ D)`` for the coalition ``D`` given as a bitmask."""
    idx = np.arange(2**G.n) & mask
    return Game(G.names, G.values[idx].copy(), G.meta)


def select(G: Game, tau: Any) -> tuple[int, np.ndarray]:
    """``D = {j : φ_j(G) ≥ τ}`` as a bitmask, and the Shapley values of ``G`` (§5, step 1-2)."""
    phi = shapley(G)
    mask = 0
    for j in range(G.n):   # a threshold decision: tolerance-aware, exact on exact games
        if decide.geq(phi[j], tau, what=f"φ_{G.names[j]} ≥ τ ({float(phi[j]):.6g} vs {float(tau):.6g})"):
            mask |= 1 << j
    return mask, phi


# ------------------------------------------------------------------ payments
def _money(x: Any, exact: bool, field: str) -> Any:
    if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)) or (isinstance(x, float)
                                                                          and not np.isfinite(x)):
        raise InvalidModel(f"expected a finite number, got {x!r}", field=field)
    if exact:
        return x if isinstance(x, Fraction) else Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    return float(x)


def payments(v: Game, gains_full: np.ndarray, gains_alone: np.ndarray, c: Any) -> dict[str, np.ndarray]:
    """The §4.1 payment division for characteristic function ``v`` (also used with ``w``).

    ``gains_full[i] = G_i(N)``, ``gains_alone[i] = G_i({i})``; returns ψ, a_i, fees, payouts,
    refunds, totals and net gains (money scaled by ``c``).
    """
    phi = shapley(v)
    vN = v.grand_value
    if decide.is_zero(vN, what="v(N) = 0"):
        raise InvalidModel("v(N) = 0: the shares ψ_i = φ_i(v)/v(N) are undefined (all gains are zero?)",
                           field="value")
    psi = phi / vN
    a = gains_full - gains_alone
    total_a = a.sum()
    one = Fraction(1) if v.exact else 1.0
    fee = c * (one - gains_alone)
    payout = c * psi * total_a
    refund = fee - c * a
    total = refund + payout
    net = total - fee
    return {"shapley_v": phi, "psi": psi, "gain": a, "fee": fee, "payout": payout, "refund": refund,
            "total": total, "net_gain": net}


def _check_gain(G: Game, field: str) -> None:
    if G.values[0] != 0:
        raise InvalidModel(f"the gain table needs G(∅) = 0, got {G.values[0]}", field=field)


def _tasks(game: Game, params: Mapping[str, Any]) -> list[Game]:
    """Per-party gain tables from ``scheme.tasks`` (``table``, ``values``, or a ``file`` read at load); default ``value``."""
    from ..games.tables import _decimals, table_game
    from ..model.common import TaskTable
    from ..model.resolved import ValueTable

    spec = params.get("tasks") or {}
    if not isinstance(spec, Mapping):
        raise InvalidModel("must map party names to gain tables ({table: ...}, {values: [...]} or {file: ...})",
                           field="scheme.tasks")
    out = [game] * game.n
    idx = game.index
    for p, t in spec.items():
        field = f"scheme.tasks.{p}"
        if p not in idx:
            raise InvalidModel(f"unknown party {p!r}; parties are: {', '.join(game.names)}", field=field)
        if isinstance(t, ValueTable):   # a task file, read when the model was loaded
            out[idx[p]] = table_game(list(game.names), t, exact=game.exact, field=f"{field}.file")
            continue
        try:
            vs = TaskTable.model_validate(t)
        except Exception as exc:  # pydantic ValidationError: one readable line
            msg = str(exc).splitlines()
            raise InvalidModel(f"not a gain table: {msg[-1].strip() if msg else exc}", field=field) from None
        if vs.table is not None:   # decimals are the fractions they denote in exact arithmetic, as in `value`
            g = Game.from_table(game.names, _decimals(vs.table, game.exact, f"{field}.table"), fill=vs.fill,
                                default=vs.default, exact=game.exact, field=f"{field}.table")
        elif vs.values is not None:
            vals = [Fraction(str(x)) if isinstance(x, float) else Fraction(x) for x in vs.values] \
                if game.exact else vs.values
            g = Game.from_values(game.names, vals, exact=game.exact)
        else:
            raise InvalidModel(f"the task file {vs.file!r} was not read: a model's files are read when it is "
                               "loaded (mechsolve.load); here give the table inline as `table` or `values`",
                               field=f"{field}.file")
        out[idx[p]] = g
    return out


def _tau(params: Mapping[str, Any], game: Game, required: bool) -> list[Any] | None:
    if "tau" not in params:
        if required:
            raise InvalidModel("training-data selection needs a threshold `tau` (a number, or {party: τ_i})",
                               field="scheme.tau")
        return None
    t = params["tau"]
    if isinstance(t, Mapping):
        idx = game.index
        out: list[Any] = [None] * game.n
        for p, x in t.items():
            if p not in idx:
                raise InvalidModel(f"unknown party {p!r}", field=f"scheme.tau.{p}")
            out[idx[p]] = _money(x, game.exact, f"scheme.tau.{p}")
        missing = [game.names[i] for i in range(game.n) if out[i] is None]
        if missing:
            raise InvalidModel(f"no threshold for {', '.join(missing)}; give every party a τ_i or one number",
                               field="scheme.tau")
        return out
    return [_money(t, game.exact, "scheme.tau")] * game.n


def _outcome(name: str, game: Game, v: Game, tasks: Sequence[Game], c: Any, extra_per: dict[str, np.ndarray],
             matrices: dict[str, np.ndarray], notes: list[str], tasks_declared: bool = False) -> Outcome:
    n = game.n
    full = np.array([t.grand_value for t in tasks], dtype=object if game.exact else np.float64)
    alone = np.array([t.values[1 << i] for i, t in enumerate(tasks)], dtype=object if game.exact else np.float64)
    pay = payments(v, full, alone, c)
    per = {"shapley_G": shapley(game), **extra_per, **pay}
    scalars = {"c (price per unit gain)": c, "v(N)": v.grand_value, "a = Σ a_i": pay["gain"].sum(),
               "Σ payouts": pay["payout"].sum(), "Σ net gains": pay["net_gain"].sum(),
               "characteristic function": "w (§4.2)" if tasks_declared or name == "ohrimenko-multi" else "v (§4.1)",
               "tasks declared": tasks_declared}
    notes = list(notes) + ["`value` is the gain table G (G(∅) = 0); v/w is derived from it; "
                           "money is in units of c"]
    if n == 0:
        raise InvalidModel("a market needs at least one party", field="players")
    return Outcome(name, pay["net_gain"], "net_gain", per, scalars, matrices, tuple(notes))


def compute_single(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Single-task market (§4.1) on the gain table ``game``; parameter ``c`` (default 1).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> G = Game.from_values(["a", "b"], [0, 0.25, 0.5, 1.0])
    >>> o = compute_single(G, {"c": 2})
    >>> [round(x, 6) for x in o.allocation.tolist()], round(float(o.allocation.sum()), 12)
    ([-0.388889, 0.388889], 0.0)
    """
    _check_gain(game, "value")
    c = _money(params.get("c", 1), game.exact, "scheme.c")
    v = single_task_value(game)
    return _outcome("ohrimenko-single", game, v, [game] * game.n, c, {"v({i})": v.singletons()}, {}, [])


def compute_multi(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Multi-task market (§4.2): per-party gain tables ``tasks`` (default: ``value``); ``c``."""
    tasks = _tasks(game, params)
    for i, t in enumerate(tasks):
        _check_gain(t, f"scheme.tasks.{game.names[i]}")
    c = _money(params.get("c", 1), game.exact, "scheme.c")
    w = multi_task_value(tasks)
    own = {"G_i(N)": np.array([t.grand_value for t in tasks], dtype=object if game.exact else np.float64)}
    mats = {"task_gain_alone G_i({j})": np.array([[t.values[1 << j] for j in range(game.n)] for t in tasks],
                                                 dtype=object if game.exact else np.float64)}
    return _outcome("ohrimenko-multi", game, w, tasks, c, own, mats, [], bool(params.get("tasks")))


def compute_selection(game: Game, params: Mapping[str, Any]) -> Outcome:
    """Training-data selection (§5) followed by the §4.1 (one task) or §4.2 (``tasks``) market.

    Parameters: ``tau`` (number or ``{party: τ_i}``, required), ``tasks`` (optional; with
    none, the single-task market with one common ``D``), ``c``, ``include_own``
    (default ``false``: the paper's ``D_i`` is the threshold set only; ``true`` always keeps
    party ``i``'s own data in ``D_i``).

    Examples
    --------
    >>> from mechsolve.games.game import Game
    >>> G = Game.from_values(["a", "b", "z"], [0, .5, .5, 1, 0, .5, .5, 1])   # z adds nothing
    >>> o = compute_selection(G, {"tau": 0.01})
    >>> o.matrices["selected D_i"][0].tolist()                                # z is dropped
    [1, 1, 0]
    """
    multi = bool(params.get("tasks"))
    tasks = _tasks(game, params)
    for i, t in enumerate(tasks):
        _check_gain(t, f"scheme.tasks.{game.names[i]}" if multi else "value")
    tau = _tau(params, game, required=True)
    assert tau is not None
    include_own = params.get("include_own", False)
    if not isinstance(include_own, bool):
        raise InvalidModel(f"must be true or false, got {include_own!r}", field="scheme.include_own")
    c = _money(params.get("c", 1), game.exact, "scheme.c")
    n = game.n
    if not multi and len(set(map(str, tau))) > 1:
        raise InvalidModel("a single task has one common D: give one threshold `tau`, or declare `tasks`",
                           field="scheme.tau")
    selected = np.zeros((n, n), dtype=np.int64)
    task_phi = np.zeros((n, n), dtype=object if game.exact else np.float64)
    new_tasks = []
    for i, t in enumerate(tasks):
        mask, phi = select(t, tau[i])
        if include_own:
            mask |= 1 << i
        selected[i] = [(mask >> j) & 1 for j in range(n)]
        task_phi[i] = phi
        new_tasks.append(restrict_to(t, mask))
    notes = [f"D_i = {{j : φ_j(u_i) ≥ τ_i}} (§5)" + (" plus party i itself (include_own: true)" if include_own
                                                     else "; a party's own data is kept only if it passes τ")]
    mats = {"selected D_i": selected, "task shapley φ_j(u_i)": task_phi}
    if multi:
        w = multi_task_value(new_tasks)
        return _outcome("ohrimenko-selection", game, w, new_tasks, c, {}, mats, notes, True)
    v = single_task_value(new_tasks[0])
    return _outcome("ohrimenko-selection", game, v, [new_tasks[0]] * n, c, {"v({i})": v.singletons()}, mats,
                    notes)


_AXIOMS = ("balance", "payout-balance", "fees-consistent", "symmetry", "zero-element-buyer",
           "replication-robustness")

SINGLE = Scheme(
    name="ohrimenko-single",
    summary="single-task market: v(S) = G(S) + Σ_{j∈S}(G(S) − G(j)), payouts ψ_i·a, fees c(1 − G(i)); "
            "`value` is the gain table G",
    source="Ohrimenko, Tople & Tschiatschek (2019) §4.1",
    compute=compute_single, axioms=_AXIOMS,
    params={"c": "price of a unit increase in performance (default 1)"},
)

MULTI = Scheme(
    name="ohrimenko-multi",
    summary="multi-task market: w(S) = Σ_i G_i(S) + Σ_{i∈S}(G_i(S) − G_i(i)); per-party gain tables in `tasks`",
    source="Ohrimenko, Tople & Tschiatschek (2019) §4.2",
    compute=compute_multi, axioms=_AXIOMS,
    params={"c": "price of a unit increase in performance (default 1)",
            "tasks": "{party: {table: ...} | {values: [...]}} gain table G_i (default: the model's value)"},
)

SELECTION = Scheme(
    name="ohrimenko-selection",
    summary="training-data selection D_i = {j : φ_j(G_i) ≥ τ_i}, then the §4.1/§4.2 market on G_i(S ∩ D_i)",
    source="Ohrimenko, Tople & Tschiatschek (2019) §5",
    compute=compute_selection, axioms=_AXIOMS,
    params={"tau": "threshold τ (number, or {party: τ_i} with `tasks`)",
            "tasks": "{party: gain table} (optional; none = single task with one common D)",
            "include_own": "keep party i's own data in D_i (default false: the paper's threshold set)",
            "c": "price of a unit increase in performance (default 1)"},
)

SCHEMES = (SINGLE, MULTI, SELECTION)
