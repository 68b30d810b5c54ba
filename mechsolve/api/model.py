"""A declared model in Python: :func:`load` a model file, or build a :class:`Model` from a mapping.

A :class:`Model` wraps the validated, **resolved** spec (:mod:`mechsolve.model`, pydantic, frozen):
the value files, datasets, code and task tables it names are read when it is built, relative
to its folder (``base_dir``), so nothing later reads a file — the model keeps working if its
files move. Its game is built once, on first use.

Examples
--------
>>> m = Model.from_dict({"kind": "cooperative-market", "players": ["a", "b"],
...                      "value": {"values": [0, 1, 2, 4]}, "scheme": "banzhaf"})
>>> m.kind, m.players, m.scheme
('cooperative-market', ('a', 'b'), 'banzhaf')
>>> m.game().value("a,b")
4.0
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..data.market import build_game
from ..errors import InvalidModel, Unsupported
from ..games.game import Game
from ..model import io
from ..model.resolved import EMPTY, references, resolved_of
from ..model.schema import parse_model
from ..schemes import get_scheme


class Model:
    """A validated model whose file references were read when it was built (a load entry point).

    Parameters
    ----------
    spec : model spec or mapping
        A spec of any model kind (``CooperativeMarket``, ``MechanismDesign``) or a mapping
        validated as one (the same fields as a model file).
    base_dir : path, optional
        Folder that ``value: {file: ...}``, datasets, callables and task files are relative to
        (default: the working directory); they are read now (:func:`mechsolve.model.io.resolve_model`).
        A spec that :func:`mechsolve.model.io.load` returned is already resolved.
    source_path : path, optional
        The model file it was read from (named in reports and JSON).
    allow_code : bool
        Consent to run the Python code a ``value: {callable: ...}`` names (default: refused, as the
        CLI refuses it without ``--allow-code``).

    Examples
    --------
    >>> m = Model({"kind": "cooperative-market", "players": ["x", "y"], "value": {"values": [0, 1, 1, 3]}})
    >>> m.game().grand_value, m.spec.tolerance
    (3.0, 1e-09)
    """

    def __init__(self, spec: Any, base_dir: str | os.PathLike[str] | None = None, *,
                 source_path: str | os.PathLike[str] | None = None, allow_code: bool = False) -> None:
        if isinstance(spec, Mapping):
            spec = parse_model(dict(spec))
        if not hasattr(spec, "kind"):
            raise InvalidModel(f"a Model needs a model spec or a mapping with a `kind`, got {type(spec).__name__}")
        self.base_dir = Path(base_dir) if base_dir is not None else Path(".")
        if resolved_of(spec) is EMPTY and references(spec):  # read what it names, once, now
            spec = io.resolve_model(spec, self.base_dir)
        self.spec = spec
        self.source_path = str(source_path) if source_path is not None else None
        self.allow_code = bool(allow_code)
        self._games: dict[bool | None, Game] = {}
        self._resolve()

    def consent(self) -> contextlib.AbstractContextManager[Any]:
        """The code policy this model runs under: user code (a ``callable``) runs only if the model was
        built with ``allow_code=True`` (or ``MECHSOLVE_ALLOW_CODE=1`` is set) — the CLI's ``--allow-code``."""
        return io.code_policy(allow=True) if self.allow_code else contextlib.nullcontext()

    def _resolve(self) -> None:
        """Validate, now, what the model declares (so a bad model fails where it is built).

        Its files were read in the constructor. For a cooperative market: the scheme's parameters
        are checked against the registered scheme; a value ``table``, ``values`` list or value
        ``file`` is built into the game (complete, finite, the ``v(∅)`` rule — as ``mechsolve solve``
        would before anything else). A ``callable``'s code runs (with consent) only when the game
        is needed; MMD kernels and trainings of datasets and learned values too (they are the
        expensive part of solving them).
        """
        if self.kind != "cooperative-market":
            return
        spec = self.spec
        get_scheme(spec.scheme.name).validate_params(spec.scheme.params)
        value = spec.value
        if value.table is not None or value.values is not None or value.file is not None:
            self.game()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base_dir: str | os.PathLike[str] | None = None) -> Model:
        """Validate a mapping with the fields of a model file (``kind``, ``players``, ``value``, ...)."""
        return cls(data, base_dir)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, allow_code: bool = False) -> Model:
        """Read and validate a model file (YAML, TOML or JSON); see :func:`load`."""
        return cls(io.load(path), Path(path).parent, source_path=path, allow_code=allow_code)

    @classmethod
    def from_game(cls, game: Game, *, scheme: str | Mapping[str, Any] = "shapley", **fields: Any) -> Model:
        """A cooperative market declaring ``game``'s values as a bitmask-ordered ``values`` list.

        ``fields`` are further model fields (``check``, ``budgets``, ``tolerance``, ``name``, ...).
        Exact games are declared with ``exact: true`` and values that must print exactly as
        decimals (integers or terminating decimals); others are refused rather than rounded.

        Examples
        --------
        >>> m = Model.from_game(Game.from_values(["a", "b"], [0, 1, 1, 3]), check=["efficiency"])
        >>> m.spec.value.values, m.spec.check
        ([0.0, 1.0, 1.0, 3.0], ['efficiency'])
        """
        if game.exact:
            vals = []
            for m, x in enumerate(game.values):
                f = float(x)
                if type(x)(repr(f)) != x:
                    raise Unsupported(f"v(bitmask {m}) = {x} has no exact decimal form; a model file declares "
                                      "values as decimals", field="value")
                vals.append(f)
            fields.setdefault("exact", True)
        else:
            vals = [float(x) for x in game.values]
        data = {"kind": "cooperative-market", "players": list(game.names), "value": {"values": vals},
                "scheme": scheme, **fields}
        if vals and vals[0] != 0:
            data.setdefault("normalised", False)
        model = cls(data)
        model._games[bool(game.exact)] = game
        return model

    # ------------------------------------------------------------------ what it declares
    @property
    def kind(self) -> str:
        """The model kind (``cooperative-market``, ``mechanism-design``)."""
        return str(self.spec.kind)

    @property
    def name(self) -> str | None:
        """The model's ``name``, else the model file's stem."""
        return self.spec.name or (Path(self.source_path).stem if self.source_path else None)

    @property
    def players(self) -> tuple[str, ...]:
        """Player (market) or agent (mechanism) names."""
        if self.kind == "mechanism-design":
            return tuple(self.spec.agents)
        return tuple(self.spec.players)

    @property
    def scheme(self) -> str:
        """The registered scheme the model declares (markets) or its payment rule (mechanisms)."""
        if self.kind == "mechanism-design":
            return str(self.spec.payment)
        return str(self.spec.scheme.name)

    def game(self, *, exact: bool | None = None) -> Game:
        """The market's game ``v`` (built once per arithmetic; ``exact`` defaults to the model's ``exact``).

        Raises
        ------
        Unsupported
            For a model kind that has no characteristic function (``mechanism-design``).
        """
        if self.kind != "cooperative-market":
            raise Unsupported(f"a {self.kind} model has no characteristic function; solve or check it instead",
                              field="kind")
        key = bool(self.spec.exact if exact is None else exact)
        if key not in self._games:
            with self.consent():
                self._games[key] = build_game(self.spec, exact=key)
        return self._games[key]

    def to_dict(self) -> dict[str, Any]:
        """The model's fields as plain data (what a model file holds)."""
        return self.spec.model_dump(mode="json", exclude_none=True)

    def with_scheme(self, scheme: str, **params: Any) -> Model:
        """The same model under another registered scheme (with its parameters)."""
        if self.kind != "cooperative-market":
            raise Unsupported("only a cooperative market has a `scheme` to replace", field="scheme")
        from ..model.common import SchemeSpec

        spec = self.spec.model_copy(update={"scheme": SchemeSpec(name=scheme, **params)})
        get_scheme(scheme).validate_params(spec.scheme.params)
        # files the new scheme names (a callable, task tables) are read now; the rest is reused, not re-read
        spec = io.resolve_model(spec, self.base_dir, reuse=resolved_of(self.spec))
        out = Model.__new__(Model)                  # the same validated values: no re-reading
        out.spec, out.base_dir, out.source_path, out._games = spec, self.base_dir, self.source_path, self._games
        out.allow_code = self.allow_code
        return out

    def __repr__(self) -> str:
        where = f", from {self.source_path!r}" if self.source_path else ""
        return f"Model({self.kind}: {self.name or 'unnamed'}, {len(self.players)} players, scheme {self.scheme}{where})"


def load(path: str | os.PathLike[str], *, allow_code: bool = False) -> Model:
    """Read and validate a model file (YAML, TOML or JSON) into a :class:`Model`.

    Every file the model names (value tables, datasets, callables, task tables) is read now,
    relative to the model file's folder (as ``mechsolve solve FILE`` reads them); the model keeps
    working if the files move afterwards. A model whose values come
    from Python code (``value: {callable: ...}``) runs it only with ``allow_code=True`` — the
    CLI's ``--allow-code`` (issue 18: no user code without the user's consent).

    Raises
    ------
    InvalidModel
        One line naming the field, the problem and what is valid (as the CLI's exit 2).

    Examples
    --------
    >>> from pathlib import Path
    >>> m = load(Path(__file__).parents[2] / "models" / "glove-game.yaml")
    >>> m.players, m.scheme
    (('L', 'R1', 'R2'), 'shapley')
    """
    return Model.from_file(path, allow_code=allow_code)


__all__ = ["Model", "load"]
