"""Labelled results of the Python API: a :class:`Solution` maps player names to numbers.

A :class:`Solution` wraps what the main job computed for a market (a scheme's outcome, its
checks when asked for) and reads like a mapping from player names to the scheme's primary
quantity (payoff, payment, reward or value): ``solution["alice"]``, ``dict(solution)``,
``solution.to_dict()``. The other per-player quantities, the scalars and the matrices are
attributes; ``to_frame()`` is a :class:`pandas.DataFrame` of every per-player quantity,
``to_json()`` the JSON that ``mechsolve solve --format json`` prints for the same market
(less ``exit_code``: exit codes belong to the command line), and a notebook shows the
same tables as the HTML report. A :class:`MechanismSolution` does the same for a
mechanism-design model (its rows are type profiles).

Examples
--------
>>> from mechsolve.games.game import Game
>>> from mechsolve.verify.analysis import analyse_game
>>> sol = Solution(analyse_game(Game.from_values(["alice", "bob"], [0, 1, 2, 4]), check=False))
>>> sol["alice"], sol.to_dict(), sol.scheme
(1.5, {'alice': 1.5, 'bob': 2.5}, 'shapley')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..report.encode import render_json
from ..result import Result, Status, pandas
from ..games.game import Game  # noqa: F401  (the examples build games)
from ..verify.verdict import CheckReport


def _number(x: Any) -> Any:
    """A plain Python number: Fractions kept, numpy scalars unwrapped."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, np.generic):
        return x.item()
    return x


class Solution(Result, Mapping[str, Any]):
    """A scheme's outcome on a market, labelled by player (see the module docstring).

    Attributes
    ----------
    players : tuple of str
        Player names, in the game's order (player ``k`` is bit ``k``).
    scheme : str
        The registered scheme that produced it.
    allocation : numpy.ndarray
        The primary per-player quantity, in player order (what ``solution[name]`` reads).
    allocation_name : str
        Its name (``shapley``, ``banzhaf``, ``payoff``, ``reward``, ...).
    quantities : dict of str to numpy.ndarray
        Every per-player quantity the scheme reports (``std_error`` for a Monte Carlo estimate).
    scalars, matrices, notes
        The outcome's named numbers, ``n × n`` arrays (e.g. payoff flows) and caveats.
    checks : CheckReport or None
        The verdicts, when the axioms were checked.
    game : Game or None
        The tabulated game (``None`` when the market was sampled, not tabulated).
    exact : bool
        True when every number is an exact :class:`~fractions.Fraction`.
    analysis
        The underlying analysis object (:class:`~mechsolve.verify.analysis.MarketAnalysis` or
        :class:`~mechsolve.verify.sampled.SampledMarketAnalysis`).

    Examples
    --------
    >>> from mechsolve.api import shapley
    >>> s = shapley(Game.from_array([0, 1, 2, 4], players=["alice", "bob"]))
    >>> s["alice"], s.to_dict(), s.tolist(), s.allocation_name
    (1.5, {'alice': 1.5, 'bob': 2.5}, [1.5, 2.5], 'shapley')
    >>> s.to_frame()  # doctest: +NORMALIZE_WHITESPACE
            v({i})  shapley
    player
    alice      1.0      1.5
    bob        2.0      2.5
    >>> import json; json.loads(s.to_json())["values"]
    {'shapley': {'alice': 1.5, 'bob': 2.5}}
    """

    def __init__(self, analysis: Any) -> None:
        self.analysis = analysis
        o = analysis.outcome
        self.outcome = o
        self.game = getattr(analysis, "game", None)
        self.players: tuple[str, ...] = tuple(self.game.names if self.game is not None else analysis.players)
        self.scheme: str = o.scheme
        self.allocation: np.ndarray = o.allocation
        self.allocation_name: str = o.allocation_name
        self.quantities: dict[str, np.ndarray] = dict(o.per_player)
        self.scalars: dict[str, Any] = dict(o.scalars)
        self.matrices: dict[str, np.ndarray] = dict(o.matrices)
        self.notes: tuple[str, ...] = tuple(o.notes)
        self.checks: CheckReport | None = analysis.checks
        self.exact: bool = bool(self.game.exact) if self.game is not None else False
        self._index = {p: k for k, p in enumerate(self.players)}

    # ------------------------------------------------------------------ result
    @property
    def status(self) -> Status:  # type: ignore[override]
        """``violated`` when a checked axiom is violated, else ``solved``."""
        return Status(self.analysis.status)

    @property
    def message(self) -> str:
        head = f"{self.scheme} on {len(self.players)} players"
        return head + (f"; {self.checks.message}" if self.checks is not None else "")

    @property
    def std_error(self) -> np.ndarray | None:
        """Standard errors of a Monte Carlo estimate (``None`` for an exact computation)."""
        return self.quantities.get("std_error")

    # ------------------------------------------------------------------ mapping
    def __getitem__(self, player: str) -> Any:
        try:
            k = self._index[player]
        except (KeyError, TypeError):
            raise KeyError(player) from None
        return _number(self.allocation[k])

    def __iter__(self) -> Iterator[str]:
        return iter(self.players)

    def __len__(self) -> int:
        return len(self.players)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.allocation, dtype=np.float64 if dtype is None else dtype)

    def tolist(self) -> list[Any]:
        """The allocation in player order, as Python numbers (Fractions when exact)."""
        return [_number(x) for x in self.allocation]

    def quantity(self, name: str) -> dict[str, Any]:
        """``{player: number}`` of one per-player quantity (``solution.quantity("std_error")``)."""
        if name not in self.quantities:
            raise InvalidModel(f"scheme {self.scheme!r} has no per-player {name!r}; it has: "
                               f"{', '.join(self.quantities)}", field="quantity")
        vec = self.quantities[name]
        return {p: _number(vec[k]) for k, p in enumerate(self.players)}

    # ------------------------------------------------------------------ conversions
    def to_dict(self) -> dict[str, Any]:
        """``{player: number}`` of the allocation (Fractions when exact)."""
        return {p: _number(x) for p, x in zip(self.players, self.allocation)}

    @property
    def data(self) -> dict[str, Any]:
        """The whole result as plain data: the object ``mechsolve solve --format json`` prints."""
        return self.analysis.to_dict()

    def to_json(self) -> str:
        """The JSON of ``mechsolve solve --format json`` on the same market, less ``exit_code``."""
        return render_json(self.data)

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame`: one row per player (index ``player``), one column per quantity.

        The first columns are ``v({i})`` (when the game is tabulated) and the allocation; exact
        solutions keep :class:`~fractions.Fraction` cells (``.astype(float)`` converts).
        """
        pd = pandas()
        cols: dict[str, Any] = {}
        if self.game is not None and "v({i})" not in self.quantities:
            cols["v({i})"] = [_number(x) for x in self.game.singletons()]
        cols[self.allocation_name] = self.tolist()
        for k, vec in self.quantities.items():
            if k != self.allocation_name:
                cols[k] = [_number(x) for x in vec]
        return pd.DataFrame(cols, index=pd.Index(list(self.players), name="player"))

    def to_shapiq(self) -> Any:
        """The values as shapiq ``InteractionValues`` (Shapley → ``"SV"``, Banzhaf → ``"BV"``; needs shapiq)."""
        from .interop import to_shapiq

        return to_shapiq(self)

    def to_pydvl(self) -> Any:
        """The values as a pyDVL ``ValuationResult`` (needs pyDVL; see :func:`mechsolve.api.interop.to_pydvl`)."""
        from .interop import to_pydvl

        return to_pydvl(self)

    def __repr__(self) -> str:
        shown = ", ".join(f"{p}={x}" for p, x in list(self.to_dict().items())[:6])
        more = ", ..." if len(self) > 6 else ""
        return f"Solution({self.scheme}: {shown}{more})"



@dataclass(frozen=True, repr=False)
class PaymentCheck(CheckReport):
    """The verdicts on your own payment vector (:func:`mechsolve.check` with ``payments``).

    A :class:`~mechsolve.verify.verdict.CheckReport` (iterable verdicts, ``report[axiom]``,
    ``to_frame()``, ``to_json()`` — the same ``checks`` JSON) that also keeps what was checked:
    ``payments`` is the vector as a labelled :class:`Solution` on the game (``payments["alice"]``,
    ``payments.game``), and a notebook shows the payments table above the verdicts.

    Examples
    --------
    >>> from mechsolve.api import check
    >>> from mechsolve.games.game import Game
    >>> rep = check(Game.from_array([0, 1, 1, 3], ["a", "b"]), payments=[1, 2])
    >>> rep, rep.payments.to_dict()
    (CheckReport(efficiency=holds, symmetry=violated, null-player=not-applicable, individual-rationality=holds), {'a': 1.0, 'b': 2.0})
    """

    payments: Solution | None = field(default=None, compare=False)


class MechanismSolution(Result):
    """A mechanism-design model solved: payments for every type profile (Chen et al. 2020).

    ``payments`` is the ``(agents, *profile shape)`` table of the payment rule; ``to_frame()``
    has one row per profile (``profile``, then ``payment``, ``utility``, ``allocation``,
    ``quality`` and ``value`` per agent, ``revenue``, ``welfare``); ``to_json()`` is the JSON of
    ``mechsolve solve --format json`` on the model (less ``exit_code``).

    Examples
    --------
    >>> from pathlib import Path
    >>> from mechsolve.api import load, solve
    >>> sol = solve(load(Path(__file__).parents[2] / "models" / "chen-linear-example1.yaml"))
    >>> sol.agents, sol.payments.shape[0] == len(sol.agents), str(sol.checks.status)
    (('alice', 'bob', 'carol'), True, 'holds')
    >>> list(sol.to_frame().columns[:2])
    ['profile alice', 'profile bob']
    """

    def __init__(self, analysis: Any) -> None:
        self.analysis = analysis
        self.agents: tuple[str, ...] = tuple(analysis.instance.grids.names)
        self.payment_rule: str = analysis.payment_rule
        self.payments: np.ndarray = analysis.payments
        self.checks: CheckReport | None = analysis.checks
        self.desirable = analysis.desirable

    @property
    def status(self) -> Status:  # type: ignore[override]
        return Status(self.analysis.status)

    @property
    def message(self) -> str:
        return f"{self.payment_rule} payments for {self.analysis.instance.size} profiles" + (
            f"; {self.checks.message}" if self.checks is not None else "")

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain data: the object ``mechsolve solve --format json`` prints."""
        return self.analysis.to_dict()

    def to_json(self) -> str:
        return render_json(self.to_dict())

    def to_frame(self, limit: int | None = None) -> Any:
        """One row per type profile (C order; the first ``limit`` when given)."""
        pd = pandas()
        rows = self.analysis.rows(self.analysis.instance.size if limit is None else limit)
        flat = []
        for r in rows:
            row: dict[str, Any] = {}
            for key in ("profile", "payment", "utility", "allocation", "quality", "value"):
                for a, x in r[key].items():
                    row[f"{key} {a}"] = x
            row["revenue"], row["welfare"] = r["revenue"], r["welfare"]
            flat.append(row)
        return pd.DataFrame(flat)

    def __repr__(self) -> str:
        return f"MechanismSolution({self.payment_rule}: {len(self.agents)} agents, {self.analysis.instance.size} profiles)"


__all__ = ["Solution", "PaymentCheck", "MechanismSolution"]
