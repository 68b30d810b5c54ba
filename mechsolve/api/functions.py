"""The public functions: solve, check, verify, design, and the values (Shapley, Banzhaf, semivalues).

Every function takes a *model or a game*: a :class:`~mechsolve.api.model.Model` (:func:`load`), a
:class:`~mechsolve.games.game.Game`, a shapiq ``Game`` or pyDVL ``Utility``
(:mod:`mechsolve.api.interop`), an array of ``2^n`` values in bitmask order, or a
``{coalition: value}`` mapping. A *scheme* is a registered name (``mechsolve schemes`` lists them:
``shapley``, ``banzhaf``, ``beta-shapley``, ``semivalue``, ``nguyen-payoff``, ...) or a Python
function ``game -> payments`` (one number per player, a sequence in player order or a
``{player: number}`` mapping). Results are labelled by player
(:class:`~mechsolve.api.results.Solution`, :class:`~mechsolve.verify.verdict.CheckReport`).

Examples
--------
>>> import numpy as np
>>> g = Game.from_array(np.array([0, 1, 2, 4]), players=["alice", "bob"])
>>> shapley(g).to_dict(), banzhaf(g)["bob"]
({'alice': 1.5, 'bob': 2.5}, 2.5)
>>> [(v.axiom, str(v.status)) for v in check(g, payments={"alice": 2, "bob": 2})]
[('efficiency', 'holds'), ('symmetry', 'not-applicable'), ('null-player', 'not-applicable'), ('individual-rationality', 'holds')]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..games import protocols
from ..games.game import Game
from ..schemes import get_scheme
from ..schemes.base import Outcome, Scheme
from ..schemes.user import callable_payments
from ..verify.analysis import analyse, analyse_game
from ..verify.axioms import get_axiom
from ..verify.design import DesignResult
from ..verify.design import design as _design
from ..verify.sampled import sample_function
from ..verify.search import SearchResult, parse_sizes, search, search_mechanism
from ..verify.verdict import CheckReport
from .interop import EXACT_LIMIT, as_game, foreign_size, is_foreign
from .model import Model
from .results import MechanismSolution, PaymentCheck, Solution


def _consented(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` under the code policy of its first argument when that is a :class:`Model`."""

    @functools.wraps(fn)
    def run(model_or_game: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(model_or_game, Model):
            with model_or_game.consent():
                return fn(model_or_game, *args, **kwargs)
        return fn(model_or_game, *args, **kwargs)

    return run

#: What a "model or game" argument may be.
GameLike = Any
#: A scheme: a registered name, a :class:`~mechsolve.schemes.base.Scheme`, or ``f(game) -> payments``.
SchemeLike = Any

#: Axioms :func:`check` runs on a given payment vector by default (those that need only the vector).
PAYMENT_AXIOMS = ("efficiency", "symmetry", "null-player", "individual-rationality")
#: What an axiom may need to be checked on a payment vector alone (no rule to re-run, no other quantity).
VECTOR_NEEDS = {"game", "allocation"}
#: Default tolerance of float verdicts on a game given directly (a model file declares its own).
TOLERANCE = 1e-9


# --------------------------------------------------------------------------- schemes
def python_scheme(fn: Callable[[Game], Any], name: str | None = None) -> Scheme:
    """A Python function ``game -> payments`` as a :class:`~mechsolve.schemes.base.Scheme`.

    It gets the :class:`Game` (names, bitmask-ordered values, ``exact``) and returns one number
    per player; the answer is validated (:func:`mechsolve.schemes.user.callable_payments`).
    Checked, by default, against the axioms of the built-in user rules (the Shapley axioms). Its
    name is ``python:NAME`` (not a registered scheme: a model file cannot name a Python function;
    write it to a file and use ``scheme: {name: callable, callable: file.py:function}``).

    Examples
    --------
    >>> equal = python_scheme(lambda g: [g.grand_value / g.n] * g.n, "equal_split")
    >>> equal.name, equal.rule(Game.from_values(["a", "b"], [0, 1, 0, 3])).tolist()
    ('python:equal_split', [1.5, 1.5])
    """
    label = name or getattr(fn, "__name__", None) or "python function"
    where = f"the Python scheme {label!r}"

    scheme = f"python:{label}"

    def compute(game: Game, params: Mapping[str, Any]) -> Outcome:
        pay = callable_payments(game, fn, where=where)
        return Outcome(scheme, pay, "payment", {"payment": pay}, {"function": label, "v(N)": game.grand_value},
                       notes=(f"user-proposed scheme: the Python function {label}",))

    from ..schemes.user import DEFAULT_AXIOMS

    return Scheme(scheme, f"the Python function {label} (game -> payments)", "user-proposed", compute,
                  DEFAULT_AXIOMS)


def _scheme(scheme: SchemeLike) -> Scheme:
    if isinstance(scheme, Scheme):
        return scheme
    if isinstance(scheme, str):
        return get_scheme(scheme)
    if callable(scheme) and not is_foreign(scheme):
        return python_scheme(scheme)
    raise InvalidModel(f"a scheme is a registered name (see `mechsolve schemes`) or a Python function "
                       f"game -> payments, got {protocols.describe(scheme)}", field="scheme")


# --------------------------------------------------------------------------- solve
def _sampled(obj: Any, params: Mapping[str, Any], *, check: bool, axioms: Sequence[str] | None,
             tolerance: float) -> Solution:
    """Shapley values of a shapiq game / pyDVL utility by Monte Carlo, never tabulated."""
    allowed = {"permutations", "target_std_error", "seed"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidModel(f"Monte Carlo has no parameter {unknown[0]!r}; valid: {', '.join(sorted(allowed))}",
                           field=f"scheme.{unknown[0]}")
    names = protocols.players_of(obj)
    return Solution(sample_function(names, protocols.matrix_function(obj), dict(params), axioms=axioms,
                                    check=check, tolerance=tolerance))


@_consented
def solve(model_or_game: GameLike, scheme: SchemeLike | None = None, *, exact: bool | None = None,
          tolerance: float | None = None, check: bool | None = None, axioms: Sequence[str] | None = None,
          **params: Any) -> Solution | MechanismSolution:
    """Apply a scheme to a model or a game: the payments, rewards or values, labelled by player.

    Parameters
    ----------
    model_or_game
        A :class:`Model`, a :class:`Game`, a shapiq game or pyDVL utility, an array of ``2^n``
        values (bitmask order) or a ``{coalition: value}`` mapping.
    scheme : str or callable, optional
        A registered scheme, or a Python function ``game -> payments``. Default: the model's own
        scheme, ``shapley`` for a game.
    exact : bool, optional
        Exact rational arithmetic (default: the model's ``exact``; float64 for a game).
    tolerance : float, optional
        Tolerance of decisions and verdicts (default: the model's; 1e-9 for a game).
    check : bool, optional
        Also check the axioms (``axioms``, else the model's or the scheme's list): ``.checks``.
        Default: as ``mechsolve solve`` does — checked for a :class:`Model` (so ``to_json()`` is
        the command's JSON for the same file), not for a game given directly.
    **params
        The scheme's parameters (``mechsolve schemes`` lists them), e.g. ``alpha=4`` for
        ``beta-shapley``, ``budgets={...}`` for ``nguyen-budget``. For ``shapley``,
        ``method="auto"`` (default) computes exactly, except for a shapiq game or pyDVL
        utility of more than :data:`~mechsolve.api.interop.EXACT_LIMIT` players, which is
        sampled (``method="monte-carlo"``: ``permutations``, ``target_std_error``, ``seed``).

    Returns
    -------
    Solution
        For a market (a :class:`MechanismSolution` for a mechanism-design model).

    Examples
    --------
    >>> g = Game.from_table({"": 0, "a": 1, "b": 2, "a,b": 4})
    >>> solve(g).to_dict()
    {'a': 1.5, 'b': 2.5}
    >>> solve(g, "beta-shapley", alpha=1, beta=1)["b"]          # Beta(1, 1) is Shapley
    2.5
    >>> solve(g, exact=True)["a"]
    Fraction(3, 2)
    """
    if params.get("method") == "auto":          # the default: exact, or sampled for a large foreign game
        params = {k: v for k, v in params.items() if k != "method"}
    if check is None:                            # `mechsolve solve MODEL` checks; a bare game asks for values
        check = isinstance(model_or_game, Model)
    if isinstance(model_or_game, Model):
        return _solve_model(model_or_game, scheme, exact=exact, tolerance=tolerance, check=check, axioms=axioms,
                            params=params)
    sch = _scheme(scheme if scheme is not None else "shapley")
    tol = TOLERANCE if tolerance is None else tolerance
    if is_foreign(model_or_game):
        n = foreign_size(model_or_game)
        method = params.get("method")
        if sch.name == "shapley" and (method == "monte-carlo" or (method is None and n > EXACT_LIMIT)):
            if exact:
                raise InvalidModel("exact mode needs the whole table; Monte Carlo is float64", field="exact")
            return _sampled(model_or_game, {k: v for k, v in params.items() if k != "method"}, check=check,
                            axioms=axioms, tolerance=tol)
        if n > EXACT_LIMIT and method != "exact":
            raise Unsupported(f"{protocols.describe(model_or_game)} has {n} players: {sch.name} needs its values on "
                              f"all 2^{n} coalitions, which are evaluated only up to n = {EXACT_LIMIT} unless asked "
                              "(method='exact'); use shapley (sampled), or tabulate it with Game.from_object(...) "
                              "first", field="method")
        if method == "exact" and "method" not in sch.params:    # "asked": tabulate it for any scheme
            params = {k: v for k, v in params.items() if k != "method"}
        game = as_game(model_or_game, exact=bool(exact), limit=None)
    else:
        game = as_game(model_or_game, exact=bool(exact))
    return Solution(analyse_game(game, sch, params, check=check, axioms=axioms, tolerance=tol, exact=bool(exact)))


def _solve_model(model: Model, scheme: SchemeLike | None, *, exact: bool | None, tolerance: float | None,
                 check: bool, axioms: Sequence[str] | None, params: Mapping[str, Any]) -> Any:
    spec = model.spec
    if model.kind != "cooperative-market":
        if params:
            raise InvalidModel(f"a {model.kind} model takes no scheme parameters (got {sorted(params)[0]!r})",
                               field="scheme")
        a = analyse(spec, exact=exact, tolerance=tolerance, check=check, axioms=axioms,
                    scheme=scheme, source_path=model.source_path)
        # a kind without a Solution wrapper of its own returns its analysis (a Result: status, to_dict)
        return MechanismSolution(a) if model.kind == "mechanism-design" else a
    if scheme is not None and not isinstance(scheme, str):          # a Python rule: on the model's game
        g = model.game(exact=exact)
        tol = spec.tolerance if tolerance is None else tolerance
        names = axioms if axioms else (spec.check if spec.check is not None else None)
        return Solution(analyse_game(g, _scheme(scheme), dict(params), check=check, axioms=names, tolerance=tol,
                                     extra={"model": spec}, name=model.name))
    if scheme is not None or params:
        name = scheme or spec.scheme.name
        base = dict(spec.scheme.params) if name == spec.scheme.name else {}
        model = model.with_scheme(name, **{**base, **params})
    a = analyse(model.spec, exact=exact, tolerance=tolerance, check=check, axioms=axioms,
                source_path=model.source_path)
    return Solution(a)


# --------------------------------------------------------------------------- check
def _payment_mapping(game: Game, payments: Any) -> dict[str, Any]:
    """A user's payments as ``{player: number}``: a mapping, or a sequence in player order."""
    if isinstance(payments, Solution):
        return payments.to_dict()
    if isinstance(payments, Mapping):
        return {str(k): v for k, v in payments.items()}
    if isinstance(payments, (str, bytes)):          # one string is not a vector (it would read as 1 payment)
        raise InvalidModel(f"payments must be a {{player: number}} mapping or a sequence in player order, got the "
                           f"string {payments!r}", field="payments")
    try:
        vals = list(np.asarray(payments, dtype=object).reshape(-1))
    except Exception:
        raise InvalidModel(f"payments must be a {{player: number}} mapping or a sequence in player order, got "
                           f"{type(payments).__name__}", field="payments") from None
    if len(vals) != game.n:
        raise InvalidModel(f"{len(vals)} payments for {game.n} players ({', '.join(game.names)})", field="payments")
    return {p: (x.item() if isinstance(x, np.generic) else x) for p, x in zip(game.names, vals)}


def _vector_axioms(axioms: Sequence[str] | None) -> list[str]:
    names = list(axioms) if axioms else list(PAYMENT_AXIOMS)
    for name in names:
        ax = get_axiom(name)
        extra = set(ax.needs) - VECTOR_NEEDS
        if extra or ax.kind != "market":
            raise InvalidModel(f"axiom {name!r} needs {', '.join(sorted(extra)) or 'a mechanism'}, not only a payment "
                               "vector (it re-runs or reads a scheme); check a scheme instead (scheme=...)",
                               field="axioms")
    return names


@_consented
def check(model_or_game: GameLike, *, scheme: SchemeLike | None = None, payments: Any = None,
          axioms: Sequence[str] | None = None, tolerance: float | None = None, exact: bool | None = None,
          params: Mapping[str, Any] | None = None, seed: int = 0) -> CheckReport:
    """Check axioms on a scheme's outcome, or on your own payment vector.

    Parameters
    ----------
    model_or_game
        As for :func:`solve`.
    scheme : str or callable, optional
        The scheme to check (default: the model's own, ``shapley`` for a game).
    payments : mapping or sequence, optional
        Your payments: ``{player: number}`` or one number per player in player order (numbers
        or ``"p/q"`` strings). They are checked against the axioms that need only a payment
        vector — by default :data:`PAYMENT_AXIOMS` (efficiency, symmetry, null player,
        individual rationality); ``core`` and ``epsilon-core`` may be asked for too.
    axioms : list of str, optional
        Axiom names (``mechsolve axioms`` lists them); default: the model's ``check`` list, else
        the scheme's own.
    tolerance : float, optional
        Absolute tolerance of float verdicts (default: the model's; 1e-9 for a game).
    exact : bool, optional
        Exact rational arithmetic, zero tolerance (default: the model's ``exact``; float for a game).
    params : mapping, optional
        The scheme's parameters.
    seed : int
        Seed of the companion games of ``additivity``.

    Returns
    -------
    CheckReport
        Iterable verdicts (``status``, ``witness``, ``margin``), ``report["efficiency"]``,
        ``report.to_frame()``; with ``payments`` a :class:`~mechsolve.api.results.PaymentCheck`,
        which also keeps the payments (``report.payments["a"]``) and shows them in a notebook.

    Examples
    --------
    >>> g = Game.from_array([0, 1, 1, 3], players=["a", "b"])
    >>> rep = check(g, payments=[1, 1])
    >>> str(rep["efficiency"].status), rep["efficiency"].margin
    ('violated', 1.0)
    >>> str(check(g, scheme="banzhaf", axioms=["symmetry"]).status)
    'holds'
    """
    if payments is not None:
        if scheme is not None:
            raise InvalidModel("give a scheme or your payments, not both", field="payments")
        spec = model_or_game.spec if isinstance(model_or_game, Model) else None
        if spec is not None and model_or_game.kind != "cooperative-market":
            raise InvalidModel(f"payments= is a payoff vector on a market's game; a {model_or_game.kind} model has "
                               "no game: check its payment rule with check(model) (or check(model, scheme=...))",
                               field="payments")
        game = as_game(model_or_game, exact=bool(exact) or bool(spec is not None and spec.exact and exact is None))
        tol = (spec.tolerance if spec is not None else TOLERANCE) if tolerance is None else tolerance
        vec = _payment_mapping(game, payments)
        a = analyse_game(game, "vector", {"values": vec}, axioms=_vector_axioms(axioms), tolerance=tol, seed=seed,
                         exact=bool(exact), extra={"model": spec} if spec is not None else None)
        assert a.checks is not None
        return PaymentCheck(a.checks.verdicts, a.checks.tolerance, a.checks.exact, payments=Solution(a))
    sol = solve(model_or_game, scheme, exact=exact, tolerance=tolerance, check=True, axioms=axioms,
                **dict(params or {}))
    assert sol.checks is not None
    return sol.checks


# --------------------------------------------------------------------------- verify and design
def verify(scheme: SchemeLike = "shapley", axiom: str = "efficiency", *, players: Sequence[int] | str | int = (2, 3, 4),
           families: Sequence[str] | str = ("normalised",), budget: int | None = 200, seed: int = 0,
           tolerance: float = TOLERANCE, params: Mapping[str, Any] | None = None,
           time_limit: float | None = None, workers: int | None = 1, mechanism: str | None = None,
           **options: Any) -> SearchResult:
    """Search for a counterexample: a game on which ``scheme`` violates ``axiom``, shrunk and confirmed exactly.

    The search of ``mechsolve verify`` (:mod:`mechsolve.verify.search`): games drawn from
    ``families`` (``normalised``, ``monotone``, ``supermodular``, ``any``, ``unanimity``,
    ``zero-one``, ``small-integers``) of ``players`` sizes, steered by the residual, a violation
    shrunk to fewer players and simpler numbers and re-checked in exact rational arithmetic.
    ``status`` is ``violated`` (``.counterexample``: ``.game``, ``.verdict``; ``.model()`` is a
    model mapping that :func:`check` reproduces) or ``no-counterexample-found`` — never a proof.

    With ``mechanism`` (``mep``, ``max-payment``, ``zero``) it searches Chen et al.'s
    mechanism-design instances instead; ``options`` are then those of
    :func:`mechsolve.verify.search.search_mechanism` (``agents``, ``grid``, ``valuations``,
    ``alpha_range``, ``alpha_premises``, ``qualities``, ``without_premise``). For games,
    ``options`` go to :func:`mechsolve.verify.search.search` (``param_grid``, ``min_players``, ...).

    Examples
    --------
    >>> r = verify("shapley", "individual-rationality", players=(2, 3), budget=200, seed=1)
    >>> str(r.status), r.counterexample.game.n
    ('violated', 2)
    >>> str(verify("banzhaf", "null-player", players="2..3", budget=20).status)
    'no-counterexample-found'
    """
    if mechanism is not None:
        return search_mechanism(mechanism, axiom, budget=budget, seed=seed, tolerance=tolerance, time_limit=time_limit,
                                workers=workers, **options)
    if isinstance(players, str):
        sizes: Sequence[int] = parse_sizes(players)
    elif isinstance(players, int):
        sizes = (players,)
    else:
        sizes = tuple(int(k) for k in players)
    fams = (families,) if isinstance(families, str) else tuple(families)
    return search(_scheme(scheme), axiom, sizes=sizes, families=fams, budget=budget, seed=seed, tolerance=tolerance,
                  params=dict(params or {}), time_limit=time_limit, workers=workers, **options)


@_consented
def design(model_or_game: GameLike, *, axioms: Sequence[str] | None = None, objective: str | None = None,
           rule: str | None = None, norm: str | None = None, delta: float | None = None,
           epsilon: float | None = None, exact: bool | None = None) -> DesignResult:
    """Design a rule from axioms (an LP with exact certificates), or prove that none exists.

    As ``mechsolve design``: for a market, a payoff vector satisfying ``axioms`` (default
    efficiency, individual rationality, core) and optimising ``objective`` (default ``closest-to
    shapley``); for a mechanism-design model, a payment table (default IC, IR, WBB; revenue).
    ``status`` is ``solved`` (``.rule``; ``.confirmation`` is :func:`check` on it) or
    ``infeasible`` with an exact Farkas certificate (``.solution.certificate``).

    Examples
    --------
    >>> majority = Game.from_array([0, 0, 0, 1, 0, 1, 1, 1], players=["a", "b", "c"], exact=True)
    >>> r = design(majority)                       # the core of the majority game is empty
    >>> str(r.status), r.solution.certificate.verified
    ('infeasible', True)
    >>> design(Game.from_array([0, 1, 1, 3], ["a", "b"]), objective="closest-to shapley").rule
    {'vector': {'a': Fraction(3, 2), 'b': Fraction(3, 2)}}
    """
    model = model_or_game if isinstance(model_or_game, Model) else Model.from_game(as_game(model_or_game))
    return _design(model.spec, axioms=axioms, objective=objective, rule=rule, norm=norm, delta=delta,
                   epsilon=epsilon, exact=exact, source_path=model.source_path)


# --------------------------------------------------------------------------- values
def shapley(game: GameLike, *, method: str = "auto", exact: bool = False, **params: Any) -> Solution:
    """Shapley values ``φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! (v(S∪{i}) − v(S))`` (Shapley 1953), by player.

    ``method="auto"`` computes exactly (one pass over the ``2^n`` table) except for a shapiq game or
    pyDVL utility above :data:`~mechsolve.api.interop.EXACT_LIMIT` players, which is sampled
    (``"monte-carlo"``: ``permutations`` (default 2000), ``target_std_error``, ``seed``;
    ``.std_error`` gives the standard errors). ``exact=True`` gives :class:`~fractions.Fraction` s.

    Examples
    --------
    >>> shapley(Game.from_array([0, 1, 2, 4], players=["a", "b"])).to_dict()
    {'a': 1.5, 'b': 2.5}
    """
    return solve(game, "shapley", exact=exact, method=method, **params)  # type: ignore[return-value]


def banzhaf(game: GameLike, *, exact: bool = False) -> Solution:
    """Banzhaf values ``β_i = 2^{−(n−1)} Σ_{S ⊆ N∖{i}} (v(S∪{i}) − v(S))`` (Banzhaf 1965), by player; not efficient.

    Examples
    --------
    >>> banzhaf(Game.from_array([0, 1, 2, 4], players=["a", "b"])).to_dict()
    {'a': 1.5, 'b': 2.5}
    >>> banzhaf(Game.from_array([0, 1, 1, 1, 1, 1, 1, 3], players=["a", "b", "c"]), exact=True)["a"]
    Fraction(3, 4)
    """
    return solve(game, "banzhaf", exact=exact)  # type: ignore[return-value]


def semivalue(game: GameLike, weights: Sequence[Any], *, exact: bool = False) -> Solution:
    """The semivalue ``ψ_i = Σ_{S ⊆ N∖{i}} p(|S|) (v(S∪{i}) − v(S))`` with ``weights = [p(0), …, p(n−1)]``.

    Weights may be numbers or ``"p/q"`` strings (exact with ``exact=True``); Dubey, Neyman &
    Weber (1981).

    Examples
    --------
    >>> g = Game.from_array([0, 1, 2, 4], players=["a", "b"])
    >>> semivalue(g, [1, 0]).to_dict()                 # p = (1, 0): what each gets alone
    {'a': 1.0, 'b': 2.0}
    """
    return solve(game, "semivalue", exact=exact, weights=list(weights))  # type: ignore[return-value]


def beta_shapley(game: GameLike, alpha: Any = 16, beta: Any = 1, *, exact: bool = False) -> Solution:
    """Beta(α, β)-Shapley values (Kwon & Zou 2022): the semivalue with ``p(s) = B(s+β, n−1−s+α)/B(α, β)``.

    Beta(16, 1) (the default) weighs small coalitions most; Beta(1, 1) is the Shapley value.

    Examples
    --------
    >>> g = Game.from_array([0, 1, 2, 4], players=["a", "b"])
    >>> beta_shapley(g, 16, 1, exact=True).tolist()
    [Fraction(18, 17), Fraction(35, 17)]
    """
    return solve(game, "beta-shapley", exact=exact, alpha=alpha, beta=beta)  # type: ignore[return-value]


__all__ = ["solve", "check", "verify", "design", "shapley", "banzhaf", "semivalue", "beta_shapley", "python_scheme",
           "PAYMENT_AXIOMS", "TOLERANCE"]
