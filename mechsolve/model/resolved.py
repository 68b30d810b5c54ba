"""What a model's file references resolved to: the data and code :func:`mechsolve.model.io.load` read.

A model file names other files: a value table (``value.file``), per-party datasets
(``value.datasets``, ``value.learn``), Python code (``value.callable``, ``scheme.callable``)
and per-party task tables (``scheme.tasks.<party>.file``). :func:`mechsolve.model.io.load`
reads every one of them once, at load time, and attaches a :class:`Resolved` bundle to the
spec (:func:`attach`); everything after load takes its data from the bundle
(:func:`resolved_of`) and never sees a path or a folder. This module holds the types only;
reading is :mod:`mechsolve.model.io`'s job (the only file I/O).

* :class:`Reference` — one file a spec names: the field (``value.file``), where it sits in the
  model mapping, the declared name and what kind of file it is;
* :class:`ValueTable` — a value table file: bitmask-ordered values (a read-only float64
  array; a ``.npy`` table is held once, never copied) or a coalition table;
* :class:`DataTable` — a dataset file: the header (or ``None``) and the rows (read-only);
* :class:`Code` — a ``file.py:function`` reference: the source read and compiled at load. It
  *is* the string it stands for (``str`` subclass: reports, JSON and written models show the
  reference), and the code runs only with the user's consent
  (:func:`mechsolve.model.io.load_code`).

Examples
--------
>>> import numpy as np
>>> ref = Reference("value.file", ("value", "file"), "v.npy", "table")
>>> t = ValueTable(ref, "/data/v.npy", np.zeros(4), None)
>>> bundle = Resolved({"value.file": t})
>>> bundle.table("value.file").values.flags.writeable, list(bundle)
(False, ['value.file'])
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import CodeType
from typing import Any, Literal

import numpy as np

from ..errors import InvalidModel, shorten

#: What a referenced file holds: a value table, a dataset (header + rows), Python code.
RefKind = Literal["table", "data", "code"]


@dataclass(frozen=True)
class Reference:
    """One file a model names.

    ``field`` is the name errors use (``value.file``, ``value.datasets.parties['a']``,
    ``scheme.tasks.a.file``); ``location`` the keys leading to it in the model mapping (to
    write the reference again); ``name`` the text declared (``file.py:function`` for code).
    """

    field: str
    location: tuple[str, ...]
    name: str
    kind: RefKind


def _readonly(a: np.ndarray) -> np.ndarray:
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class ValueTable:
    """A value table read at load: ``values`` (bitmask order, read-only float64) or ``table``.

    ``path`` is the absolute path the file had at load — kept only to write the reference
    into a model file again (:func:`mechsolve.model.io.written_references`), never read.
    """

    ref: Reference
    path: str
    values: np.ndarray | None
    table: Mapping[str, Any] | None

    def __post_init__(self) -> None:
        if self.values is not None:
            object.__setattr__(self, "values", _readonly(self.values))

    @property
    def file(self) -> str:
        """The file's name (as errors show it)."""
        return os.path.basename(self.path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValueTable):
            return NotImplemented
        if (self.values is None) != (other.values is None):
            return False
        same = np.array_equal(self.values, other.values) if self.values is not None else self.table == other.table
        return self.ref == other.ref and bool(same)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class DataTable:
    """A dataset read at load (CSV or NPY): column names (``None`` without a header) and rows (read-only)."""

    ref: Reference
    path: str
    header: list[str] | None
    rows: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _readonly(self.rows))

    @property
    def file(self) -> str:
        return os.path.basename(self.path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataTable):
            return NotImplemented
        return self.ref == other.ref and self.header == other.header and bool(np.array_equal(self.rows, other.rows))

    __hash__ = None  # type: ignore[assignment]


class Code(str):
    """A ``file.py:function`` reference whose source was read (and compiled) at load.

    The string value is the reference as reports show it (the file joined to the model's
    folder, ``:function``). The source is compiled at load; a syntax error is kept and
    reported where the code would run, after consent is checked (the same line as before).
    Pickling carries the source, never a path: a worker process compiles it again and runs
    it under its own consent.
    """

    path: str
    function: str
    field: str
    source: bytes
    code: CodeType | None
    error: str | None
    ref: Reference

    def __new__(cls, text: str, *, path: str, function: str, field: str, source: bytes,
                ref: Reference | None = None) -> Code:
        self = super().__new__(cls, text)
        self.path, self.function, self.field, self.source = path, function, field, source
        self.ref = ref if ref is not None else Reference(field, tuple(field.split(".")), str(text), "code")
        try:
            self.code, self.error = compile(source, path, "exec", dont_inherit=True), None
        except (SyntaxError, ValueError) as exc:  # ValueError: NUL bytes in the source
            self.code, self.error = None, f"{type(exc).__name__}: {shorten(str(exc))}"
        return self

    @property
    def file(self) -> str:
        return os.path.basename(self.path)

    def __reduce__(self) -> Any:
        return (_code, (str(self), self.path, self.function, self.field, self.source, self.ref))

    def __repr__(self) -> str:
        return f"Code({str(self)!r})"


def _code(text: str, path: str, function: str, field: str, source: bytes, ref: Reference) -> Code:
    return Code(text, path=path, function=function, field=field, source=source, ref=ref)


Item = ValueTable | DataTable | Code


@dataclass(frozen=True)
class Resolved(Mapping[str, Item]):
    """Every file reference of one model, read at load: field → :class:`ValueTable`,
    :class:`DataTable` or :class:`Code`. Equal bundles hold equal data."""

    files: Mapping[str, Item] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Item:
        return self.files[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def _get(self, key: str, cls: type) -> Any:
        item = self.files.get(key)
        if item is None:
            raise InvalidModel("this reference was not read: a model's files are read when it is loaded "
                               "(mechsolve.load(path), or Model.from_dict(data, base_dir=...))", field=key)
        if not isinstance(item, cls):  # pragma: no cover - a bundle built by hand
            raise InvalidModel(f"expected a {cls.__name__}, the bundle holds a {type(item).__name__}", field=key)
        return item

    def table(self, key: str) -> ValueTable:
        """The value table read for ``key`` (e.g. ``value.file``)."""
        return self._get(key, ValueTable)  # type: ignore[no-any-return]

    def data(self, key: str) -> DataTable:
        """The dataset read for ``key`` (e.g. ``value.datasets.parties['a']``)."""
        return self._get(key, DataTable)  # type: ignore[no-any-return]

    def code(self, key: str) -> Code:
        """The code read for ``key`` (``value.callable``, ``scheme.callable``)."""
        return self._get(key, Code)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Resolved):
            return NotImplemented
        if set(self.files) != set(other.files):
            return False
        for k, a in self.files.items():
            b = other.files[k]
            if isinstance(a, Code):
                if not (isinstance(b, Code) and str(a) == str(b) and a.source == b.source):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]


EMPTY = Resolved()


def references(model: Any) -> list[Reference]:
    """The file references ``model`` declares (a spec without a ``references()`` method has none)."""
    refs = getattr(model, "references", None)
    return list(refs()) if callable(refs) else []


def resolved_of(model: Any) -> Resolved:
    """The bundle :func:`mechsolve.model.io.load` attached to ``model`` (empty if none was)."""
    r = getattr(model, "_resolved", None)
    return r if isinstance(r, Resolved) else EMPTY


def attach(model: Any, bundle: Resolved) -> Any:
    """A copy of ``model`` carrying ``bundle`` — restricted to the references ``model`` declares, so
    a model derived from another (a designed rule, another scheme) keeps the data it still names."""
    wanted = {r.field for r in references(model)}
    out = model.model_copy()
    out._resolved = Resolved({k: v for k, v in bundle.items() if k in wanted})
    return out


def scheme_params(model: Any) -> dict[str, Any]:
    """The market's scheme parameters as the scheme computes with them: declared values, with a
    ``callable`` read at load as its :class:`Code` and a per-party task table ``{file: ...}`` as its
    :class:`ValueTable`. Reports show the declared parameters (``model.scheme.params``)."""
    params = dict(model.scheme.params)
    bundle = resolved_of(model)
    if "scheme.callable" in bundle:
        params["callable"] = bundle.code("scheme.callable")
    tasks = params.get("tasks")
    if isinstance(tasks, Mapping):
        params["tasks"] = {p: bundle[f"scheme.tasks.{p}.file"] if f"scheme.tasks.{p}.file" in bundle else t
                           for p, t in tasks.items()}
    return params


__all__ = ["Code", "DataTable", "EMPTY", "Reference", "Resolved", "ValueTable", "attach", "references",
           "resolved_of", "scheme_params"]
