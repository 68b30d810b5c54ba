"""Declared, validated data models. The only place user input is validated.

Model files select their type by ``kind``; :data:`Model` is the discriminated
union of every kind and :func:`parse_model` validates a loaded mapping.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any, Union

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ..errors import InvalidModel, did_you_mean, short_repr, shorten
from ..kinds import KINDS, resolve
from .common import SchemeSpec, ValueSpec
from .market import CooperativeMarket

class _KindSpecs(Mapping[str, type]):
    """Kind name → its spec class, read from :data:`mechsolve.kinds.KINDS` (each imported on first use)."""

    def __getitem__(self, kind: str) -> type:
        if kind not in KINDS:
            raise KeyError(kind)
        return resolve(KINDS[kind].spec)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


#: Every model kind's spec class; a new kind is registered in :data:`mechsolve.kinds.KINDS`.
MODEL_KINDS: Mapping[str, type] = _KindSpecs()


def _model_type() -> Any:
    """The discriminated union of every registered kind's spec."""
    kinds = tuple(MODEL_KINDS.values())
    if len(kinds) == 1:
        return kinds[0]
    return Annotated[Union[kinds], Field(discriminator="kind")]  # type: ignore[valid-type]


def __getattr__(name: str) -> Any:
    if name == "Model":          # built on use: a kind registered after import is part of it
        return _model_type()
    raise AttributeError(name)


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """JSON Schema of one model kind, or of the union of all kinds."""
    if kind is None:
        return TypeAdapter(_model_type()).json_schema()
    if kind not in MODEL_KINDS:
        raise InvalidModel(f"unknown kind {kind!r}; valid: {', '.join(MODEL_KINDS)}", field="kind")
    return MODEL_KINDS[kind].model_json_schema()


def _short_repr(x: Any, limit: int = 60) -> str:
    """``repr(x)`` cut to ``limit`` characters (huge integers cannot even be printed)."""
    return short_repr(x, limit)


_UNION_TAG = re.compile(r"^(float|int|str|bool|none|list\[.*|dict\[.*|set\[.*|literal\[.*|function-.*|"
                        r"tagged-union\[.*|[A-Z]\w*(Spec|Space|Market|Design))$")


def _unwrap(annotation: Any) -> tuple[type | None, bool]:
    """(the pydantic model inside ``annotation``, whether a dict/list level comes first)."""
    origin = typing.get_origin(annotation)
    if origin in (dict, list, tuple, set, frozenset):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        inner, _ = _unwrap(args[-1]) if args else (None, False)
        return inner, True
    if origin is not None:  # Union, Optional, Annotated, Literal
        for arg in typing.get_args(annotation):
            inner, container = _unwrap(arg)
            if inner is not None:
                return inner, container
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _fields_at(model: type | None, loc: Sequence[Any]) -> list[str] | None:
    """The field names of the pydantic model found at ``loc`` inside ``model`` (None if not a model)."""
    cls = model
    skip = False
    for part in loc:
        if skip:
            skip = False
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return None
        field = cls.model_fields.get(str(part))
        if field is None:
            return None
        cls, skip = _unwrap(field.annotation)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [k for k in cls.model_fields if k != "kind"]
    return None


def _path(loc: Sequence[Any]) -> str:
    out = ""
    for p in loc:
        p = shorten(str(p) if str(p).isprintable() else repr(str(p)), 60)
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def _problem(err: Any, model: type | None) -> tuple[str, str, str]:
    """(path, message, what was given) of one pydantic error, with close names where they help."""
    loc = [p for p in err["loc"] if str(p) not in MODEL_KINDS]
    while loc and isinstance(loc[-1], str) and _UNION_TAG.match(loc[-1]) and _fields_at(model, loc[:-1]) is None \
            and err["type"] != "extra_forbidden":
        loc = loc[:-1]
    msg = " ".join(str(err["msg"]).removeprefix("Value error, ").split())
    kind = err["type"]
    got = ""
    if kind == "extra_forbidden" and loc:
        allowed = _fields_at(model, loc[:-1]) or []
        hint = did_you_mean(str(loc[-1]), allowed)
        msg = f"unknown field{hint}" + (f"; valid: {', '.join(allowed)}" if allowed and not hint else "")
    elif "input" in err and kind not in ("missing", "value_error") and not isinstance(err["input"], (dict, list)):
        got = f"got {short_repr(err['input'])}"
        if kind == "literal_error" and isinstance(err["input"], str):
            expected = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
            hint = did_you_mean(err["input"], expected)
            if hint:
                got += "; " + hint.strip(" ()")
    return _path(loc) or "model", msg, got


def format_validation_error(exc: ValidationError, model: type | None = None) -> str:
    """One readable line listing every problem pydantic found: the field path, the problem, the value.

    A misspelt field gets the closest valid names (``did you mean``); alternatives of one
    union (e.g. a number or ``auto``) are reported once.
    """
    problems: list[list[str]] = []
    for err in exc.errors():
        path, msg, got = _problem(err, model)
        same = [p for p in problems if p[0] == path]
        if same and err["type"] not in ("extra_forbidden", "missing"):
            if msg not in same[0][1]:
                same[0][1] += f", or {msg[0].lower()}{msg[1:]}"
            same[0][2] = same[0][2] or got
            continue
        problems.append([path, msg, got])
    lines = [f"{path}: {msg}" + (f" ({got})" if got else "") for path, msg, got in problems]
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} problems: " + "; ".join(lines)


def parse_model(data: Any) -> Any:
    """Validate a loaded mapping as a model of its declared ``kind``.

    Raises
    ------
    InvalidModel
        One line naming the field, the problem and what is valid.
    """
    if data is None:
        raise InvalidModel("the model is empty; a model must be a mapping with a `kind` field")
    if not isinstance(data, dict):
        raise InvalidModel(f"a model must be a mapping with a `kind` field, got {type(data).__name__}")
    kind = data.get("kind")
    if kind is None:
        raise InvalidModel(f"missing; valid kinds: {', '.join(MODEL_KINDS)}", field="kind")
    if not isinstance(kind, str):
        raise InvalidModel(f"kind must be a string, got {short_repr(kind)}; valid kinds: {', '.join(MODEL_KINDS)}",
                           field="kind")
    if kind not in MODEL_KINDS:
        raise InvalidModel(f"unknown kind {short_repr(kind)}{did_you_mean(kind, list(MODEL_KINDS))}; "
                           f"valid kinds: {', '.join(MODEL_KINDS)}", field="kind")
    try:
        return MODEL_KINDS[kind].model_validate(data)
    except ValidationError as exc:
        raise InvalidModel(format_validation_error(exc, MODEL_KINDS[kind])) from None
    except RecursionError:  # pragma: no cover - read_mapping bounds the nesting first
        raise InvalidModel("the model is nested too deep to validate") from None


__all__ = ["CooperativeMarket", "SchemeSpec", "ValueSpec", "Model", "MODEL_KINDS", "parse_model",
           "json_schema", "format_validation_error", "did_you_mean"]
