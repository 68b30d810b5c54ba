"""Declared, validated data models. The only place user input is validated.

Model files select their type by ``kind``; :data:`Model` is the discriminated
union of every kind and :func:`parse_model` validates a loaded mapping.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from ..errors import InvalidModel
from .common import SchemeSpec, ValueSpec
from .market import CooperativeMarket

#: Every model kind: add a class here (with a ``kind`` Literal) to register a new kind.
MODEL_KINDS: dict[str, type] = {"cooperative-market": CooperativeMarket}

try:  # the mechanism-design kind lives in its own module when present
    from .mechanism import MechanismDesign  # type: ignore[attr-defined]

    MODEL_KINDS["mechanism-design"] = MechanismDesign
except ImportError:  # pragma: no cover - kind not built yet
    pass


def _model_type() -> Any:
    kinds = tuple(MODEL_KINDS.values())
    if len(kinds) == 1:
        return kinds[0]
    return Annotated[Union[kinds], Field(discriminator="kind")]  # type: ignore[valid-type]


Model = _model_type()
_ADAPTER = TypeAdapter(Model)


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """JSON Schema of one model kind, or of the union of all kinds."""
    if kind is None:
        return _ADAPTER.json_schema()
    if kind not in MODEL_KINDS:
        raise InvalidModel(f"unknown kind {kind!r}; valid: {', '.join(MODEL_KINDS)}", field="kind")
    return MODEL_KINDS[kind].model_json_schema()


def _short_repr(x: Any, limit: int = 60) -> str:
    """``repr(x)`` cut to ``limit`` characters (huge integers cannot even be printed)."""
    try:
        text = repr(x)
    except ValueError:  # int beyond sys.get_int_max_str_digits()
        return f"a {type(x).__name__} too large to print"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def format_validation_error(exc: ValidationError) -> str:
    """One readable line from a pydantic error: the field path, the problem, the value."""
    errors = exc.errors()
    first = errors[0]
    loc = [str(p) if str(p).isprintable() else repr(str(p)) for p in first["loc"]
           if str(p) not in MODEL_KINDS]
    path = ""
    for p in loc:
        path += f"[{p}]" if p.isdigit() else (f".{p}" if path else p)
    msg = " ".join(first["msg"].removeprefix("Value error, ").split())
    line = f"{path or 'model'}: {msg}"
    if "input" in first and first["type"] not in ("missing", "value_error") and not isinstance(
            first["input"], (dict, list)):
        line += f" (got {_short_repr(first['input'])})"
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return line


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
        raise InvalidModel(f"kind must be a string, got {kind!r}; valid kinds: {', '.join(MODEL_KINDS)}",
                           field="kind")
    if kind not in MODEL_KINDS:
        raise InvalidModel(f"unknown kind {kind!r}; valid kinds: {', '.join(MODEL_KINDS)}", field="kind")
    try:
        return MODEL_KINDS[kind].model_validate(data)
    except ValidationError as exc:
        raise InvalidModel(format_validation_error(exc)) from None


__all__ = ["CooperativeMarket", "SchemeSpec", "ValueSpec", "Model", "MODEL_KINDS", "parse_model",
           "json_schema", "format_validation_error"]
