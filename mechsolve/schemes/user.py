"""Schemes the user proposes: a formula, or a Python function ``game → payments``.

Two registered schemes run user rules through the same :class:`~mechsolve.schemes.base.Scheme`
interface as the built-ins, so every axiom, ``mechsolve verify`` search and report applies:

* ``formula`` — ``scheme: {name: formula, formula: "(phi_i + vN/n)/2"}``. The formula is one
  player's payment in the symbols

  ========  ==============================================
  ``phi_i``  Shapley value ``φ_i`` of ``v`` (Shapley 1953)
  ``v_i``    ``v({i})``
  ``vN``     ``v(N)``
  ``n``      number of players
  ``sum_v``  ``Σ_j v({j})``
  ``b_i``    budget of ``i`` (``budgets`` parameter: list or ``{player: b}``)
  ========  ==============================================

  parsed by :func:`mechsolve.model.formula.parse_formula` (an AST whitelist, never ``eval``).
  On exact games it is evaluated in rational arithmetic when the formula is rational
  (``+ − × ÷``, integer powers, ``min``/``max``/``abs``), so counterexamples confirm exactly.
* ``callable`` — ``scheme: {name: callable, callable: "my_rule.py:payments"}``. **Runs user
  code**: ``payments(game)`` gets the :class:`~mechsolve.games.game.Game` (``game.names``,
  ``game.values`` by bitmask, ``game.exact``) and returns one number per player (a sequence in
  player order or a ``{name: number}`` mapping). In a model file the path is relative to the
  model file's folder, on the command line (``verify --scheme-callable``) to the working
  directory; either way the file is read when the model (or option) is loaded, and the rule
  gets it as a :class:`~mechsolve.model.resolved.Code` (:func:`load_rule`).

Examples
--------
>>> from mechsolve.games.game import Game
>>> g = Game.from_values(["a", "b"], [0, 1, 0, 3])
>>> FORMULA_SCHEME.rule(g, {"formula": "vN / n"}).tolist()
[1.5, 1.5]
>>> FORMULA_SCHEME.rule(g.to_exact(), {"formula": "(phi_i + vN/n)/2"}).tolist()
[Fraction(7, 4), Fraction(5, 4)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import InvalidModel, MechsolveError, Unsupported, short_repr, shorten
from ..model.formula import compile_formula, exact_evaluator, parse_formula
from ..games.game import Game, _finite
from .base import Outcome, Scheme
from ..games.shapley import shapley

#: Symbols a user formula may use, in the order the compiled function takes them.
FORMULA_SYMBOLS = ("phi_i", "v_i", "vN", "n", "sum_v", "b_i")

#: Axioms checked by default for a user scheme (the Shapley axioms: a proposal is compared with them).
DEFAULT_AXIOMS = ("efficiency", "symmetry", "null-player", "additivity", "individual-rationality")


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[Any, Callable[..., Any]]:
    expr = parse_formula(text, FORMULA_SYMBOLS, field="scheme.formula")
    return expr, compile_formula(expr, FORMULA_SYMBOLS)


@lru_cache(maxsize=64)
def _exact_formula(text: str) -> Callable[..., Fraction | None]:
    expr, _ = _parsed(text)
    return exact_evaluator(expr, FORMULA_SYMBOLS, field="scheme.formula")


def _budgets(game: Game, params: Mapping[str, Any], needed: bool) -> list[Any]:
    raw = params.get("budgets")
    if raw is None:
        if needed:
            raise InvalidModel("the formula uses b_i but the scheme has no `budgets` "
                               "(a list in player order or {player: budget})", field="scheme.budgets")
        return [0] * game.n
    if isinstance(raw, Mapping):
        unknown = sorted(set(map(str, raw)) - set(game.names))
        if unknown:
            raise InvalidModel(f"budgets name unknown player {unknown[0]!r}", field="scheme.budgets")
        vals = [raw.get(p, 0) for p in game.names]
    elif isinstance(raw, (list, tuple)):
        if len(raw) != game.n:
            raise InvalidModel(f"{len(raw)} budgets for {game.n} players", field="scheme.budgets")
        vals = list(raw)
    else:
        raise InvalidModel(f"budgets must be a list or a mapping, got {raw!r}", field="scheme.budgets")
    out = []
    for p, b in zip(game.names, vals):
        if isinstance(b, str) and b.strip().lower() in ("inf", ".inf", "infinity"):
            b = math.inf
        if isinstance(b, bool) or not isinstance(b, (int, float, Fraction)) or (
                isinstance(b, float) and math.isnan(b)) or b < 0:
            raise InvalidModel(f"budget of {p!r} must be a number >= 0 (inf allowed), got {b!r}",
                               field=f"scheme.budgets[{p!r}]")
        out.append(b)
    return out


def formula_payments(game: Game, text: str, budgets: Sequence[Any] | None = None) -> np.ndarray:
    """Evaluate a payment formula for every player.

    Exact games give :class:`~fractions.Fraction` payments when the formula is
    rational; otherwise (and on float games) float64.

    Raises
    ------
    InvalidModel
        The formula is not valid, or gives a non-finite payment (e.g. ``phi_i / vN`` with ``v(N) = 0``).
    """
    expr, fn = _parsed(str(text))
    uses_b = any(s.name == "b_i" for s in expr.free_symbols)
    phi = shapley(game)
    n = game.n
    v_i = game.singletons()
    vn = game.grand_value
    b = list(budgets) if budgets is not None else [0] * n
    if uses_b and budgets is None:
        raise InvalidModel("the formula uses b_i but no budgets were given", field="scheme.budgets")
    if game.exact and not (uses_b and any(isinstance(x, float) and math.isinf(x) for x in b)):
        sv = sum(v_i, Fraction(0))
        exact = _exact_formula(str(text))
        out = np.empty(n, dtype=object)
        rational = True
        for i in range(n):
            try:  # bounded sizes (mechsolve.formula.exact_evaluator); too large: float64 below
                y = exact(phi[i], v_i[i], vn, n, sv, b[i] if uses_b else 0)
            except Unsupported:
                y = None
            if y is None:
                rational = False
                break
            out[i] = y
        if rational:
            return out
    fphi = np.asarray(phi, dtype=np.float64)
    fv = np.asarray(v_i, dtype=np.float64)
    with np.errstate(all="ignore"):
        y = fn(fphi, fv, float(vn), float(n), float(fv.sum()), np.asarray(b, dtype=np.float64))
        y = np.broadcast_to(np.asarray(y, dtype=np.float64), (n,)).copy()
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise InvalidModel(f"the formula {short_repr(text)} gives {y[bad[0]]} for player {game.names[bad[0]]!r} "
                           "(division by zero or overflow on this game)", field="scheme.formula")
    return y


def _compute_formula(game: Game, params: Mapping[str, Any]) -> Outcome:
    text = params.get("formula")
    if text is None:
        raise InvalidModel("scheme `formula` needs `formula: \"...\"` (one player's payment in "
                           f"{', '.join(FORMULA_SYMBOLS)})", field="scheme.formula")
    expr, _ = _parsed(str(text))
    uses_b = any(s.name == "b_i" for s in expr.free_symbols)
    b = _budgets(game, params, uses_b)
    pay = formula_payments(game, str(text), b)
    return Outcome("formula", pay, "payment", {"payment": pay, "shapley": shapley(game)},
                   {"formula": str(expr), "v(N)": game.grand_value},
                   notes=(f"user-proposed scheme: payment_i = {expr}",))


def load_rule(spec: Any) -> Callable[[Game], Any]:
    """The rule a ``scheme.callable`` names, read at load (a :class:`~mechsolve.model.resolved.Code`):
    runs user code, only with consent (:func:`mechsolve.model.io.load_code`)."""
    from ..model.io import load_code
    from ..model.resolved import Code

    if not isinstance(spec, str) or ":" not in spec:
        raise InvalidModel(f"callable must be `file.py:function`, got {spec!r}", field="scheme.callable")
    if not isinstance(spec, Code):
        raise InvalidModel(f"{short_repr(spec)} names a file, which is read when the model is loaded: load the "
                           "model (mechsolve.load), or give the rule's code (mechsolve.model.io.read_code)",
                           field="scheme.callable")
    return load_code(spec)


def callable_payments(game: Game, fn: Callable[[Game], Any], where: str = "the scheme") -> np.ndarray:
    """Run a user rule on ``game`` and validate its answer (one finite number per player).

    Exact games keep exact numbers when the rule returns ints or Fractions.
    """
    try:
        raw = fn(game)
    except MechsolveError:
        raise
    except Exception as exc:  # user code: report it, never turn it into a number
        raise InvalidModel(f"{where} raised {type(exc).__name__}: {shorten(str(exc))}",
                           field="scheme.callable") from None
    if isinstance(raw, Mapping):
        missing = [p for p in game.names if p not in raw]
        if missing:
            raise InvalidModel(f"{where} returned no payment for player {missing[0]!r}", field="scheme.callable")
        vals = [raw[p] for p in game.names]
    else:
        try:
            vals = list(np.asarray(raw, dtype=object).reshape(-1))
        except Exception:
            raise InvalidModel(f"{where} returned {short_repr(raw)}, not a sequence of numbers",
                               field="scheme.callable") from None
    if len(vals) != game.n:
        raise InvalidModel(f"{where} returned {len(vals)} payments for {game.n} players", field="scheme.callable")
    for p, x in zip(game.names, vals):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, Fraction, np.number)) or \
                not _finite(x):
            raise InvalidModel(f"{where} returned {short_repr(x)} for player {p!r} (not a finite number within "
                               "float range)", field="scheme.callable")
    if game.exact and all(isinstance(x, (int, Fraction, np.integer)) for x in vals):
        out = np.empty(game.n, dtype=object)
        out[:] = [Fraction(int(x)) if isinstance(x, (int, np.integer)) else x for x in vals]
        return out
    return np.asarray([float(x) for x in vals], dtype=np.float64)


def _compute_callable(game: Game, params: Mapping[str, Any]) -> Outcome:
    spec = params.get("callable")
    if spec is None:
        raise InvalidModel("scheme `callable` needs `callable: file.py:function`", field="scheme.callable")
    fn = load_rule(spec)
    pay = callable_payments(game, fn, where=str(spec))
    return Outcome("callable", pay, "payment", {"payment": pay, "shapley": shapley(game)},
                   {"callable": str(spec), "v(N)": game.grand_value},
                   notes=(f"user-proposed scheme {spec} (runs user code)",))


FORMULA_SCHEME = Scheme(
    name="formula",
    summary="user-proposed payment formula in phi_i, v_i, vN, n, sum_v, b_i (parsed safely, never eval'd)",
    source="user-proposed; compared with the Shapley axioms (Shapley 1953)",
    compute=_compute_formula,
    axioms=DEFAULT_AXIOMS,
    params={"formula": "one player's payment, e.g. \"(phi_i + vN/n)/2\"",
            "budgets": "b_i: list in player order or {player: budget} (inf allowed)"},
)

CALLABLE_SCHEME = Scheme(
    name="callable",
    summary="user-proposed payment rule `file.py:function` (game -> payments; RUNS USER CODE)",
    source="user-proposed; compared with the Shapley axioms (Shapley 1953)",
    compute=_compute_callable,
    axioms=DEFAULT_AXIOMS,
    params={"callable": "`file.py:function`, relative to the model file's folder"},
)


#: The user-rule schemes, registered in :data:`mechsolve.schemes.SCHEMES`.
SCHEMES = (FORMULA_SCHEME, CALLABLE_SCHEME)


def user_scheme_params(formula: str | None = None, code: Any = None) -> tuple[Scheme, dict[str, Any]]:
    """The scheme and parameters for a formula or a callable given on the command line.

    ``code`` is the rule's file as read by :func:`mechsolve.model.io.read_code` (the command
    line reads it with an absolute path, so that a written counterexample reproduces from any
    working directory); it is run once now (with consent) so errors surface early, as is the
    formula parsed.
    """
    if (formula is None) == (code is None):
        raise InvalidModel("give exactly one of a formula and a callable", field="scheme")
    if formula is not None:
        _parsed(formula)
        return FORMULA_SCHEME, {"formula": formula}
    load_rule(code)
    return CALLABLE_SCHEME, {"callable": code}


__all__ = ["FORMULA_SCHEME", "CALLABLE_SCHEME", "FORMULA_SYMBOLS", "formula_payments", "callable_payments",
           "load_rule", "user_scheme_params"]
