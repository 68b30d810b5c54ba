"""Declared models (mechsolve.model.schema): validation at the boundary, one-line errors, frozen specs.

Covers :func:`parse_model`, :func:`json_schema`, :func:`format_validation_error`, the shared
validators (names, numbers) and the cooperative-market fields; every bundled model file
must parse. Generated valid markets round-trip through ``model_dump``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mechsolve.errors import InvalidModel
from mechsolve.model.io import MODEL_SUFFIXES, load
from mechsolve.model.schema import MODEL_KINDS, format_validation_error, json_schema, parse_model
from mechsolve.model.common import RESERVED_NAME_CHARS, check_number, validate_names
from mechsolve.model.market import CooperativeMarket

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = sorted(p for p in (ROOT / "models").iterdir() if p.suffix in MODEL_SUFFIXES)


def market(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": "cooperative-market", "players": ["a", "b"],
                            "value": {"values": [0, 1, 1, 3]}}
    base.update(fields)
    return base


def refused(data: Any) -> str:
    with pytest.raises(InvalidModel) as exc:
        parse_model(data)
    text = str(exc.value)
    assert text and "\n" not in text
    return text


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_every_bundled_model_parses(path: Path) -> None:
    model = load(path)
    assert model.kind in MODEL_KINDS


def test_defaults_and_shorthands() -> None:
    m = parse_model(market(scheme="shapley"))
    assert isinstance(m, CooperativeMarket)
    assert m.scheme.name == "shapley" and m.scheme.params == {}
    assert m.normalised is True and m.tolerance == 1e-9 and m.exact is False and m.check is None
    m2 = parse_model(market(scheme={"name": "shapley", "method": "monte-carlo", "permutations": 50}))
    assert m2.scheme.params == {"method": "monte-carlo", "permutations": 50}
    assert parse_model(market()).scheme.name == "shapley"  # default scheme


def test_budgets_inf_and_unlisted_players_get_zero() -> None:
    """Nguyen et al. (2022), Sec. 4: b_i ∈ [0, ∞]; unlisted players have budget 0."""
    m = parse_model(market(players=["a", "b", "c"], value={"values": [0] * 8},
                           budgets={"a": "inf", "b": 0.3}))
    assert m.budget_vector() == [math.inf, 0.3, 0.0]
    assert parse_model(market(budgets={"a": ".inf"})).budget_vector()[0] == math.inf
    assert parse_model(market(budgets={"a": float("inf")})).budget_vector()[0] == math.inf


def test_specs_are_frozen_and_closed() -> None:
    m = parse_model(market())
    with pytest.raises(ValidationError):
        m.players = ["x"]  # type: ignore[misc]
    assert "colour: unknown field" in refused(market(colour="red"))
    assert "value.colour" in refused(market(value={"values": [0, 1, 1, 3], "colour": 1}))


def test_names_are_stripped_and_checked() -> None:
    assert parse_model(market(players=[" a ", "b"])).players == ["a", "b"]
    for ch in RESERVED_NAME_CHARS:
        assert "separates names" in refused(market(players=[f"x{ch}y", "b"]))
    assert validate_names(["p", "q"], "players") == ["p", "q"]
    with pytest.raises(ValueError, match="duplicate"):
        validate_names(["p", "p"], "players")


@pytest.mark.parametrize(("value", "ok"), [
    (1, 1.0), (2.5, 2.5), ("inf", math.inf), (".inf", math.inf), ("Infinity", math.inf), ("+inf", math.inf),
])
def test_check_number_accepts(value: Any, ok: float) -> None:
    assert check_number(value, "x", allow_inf=True) == ok


@pytest.mark.parametrize("value", [True, None, "1", "nan", float("nan"), [1], {"a": 1}, 10**400])
def test_check_number_refuses(value: Any) -> None:
    with pytest.raises(ValueError, match="^x: expected a"):
        check_number(value, "x")


def test_check_number_inf_only_when_allowed() -> None:
    with pytest.raises(ValueError, match="finite"):
        check_number(math.inf, "x")


@pytest.mark.parametrize(("data", "fragments"), [
    (None, ["empty"]),
    ([], ["must be a mapping", "list"]),
    ("kind: x", ["must be a mapping", "str"]),
    ({"players": ["a"]}, ["kind: missing"]),
    ({"kind": ["cooperative-market"]}, ["kind: kind must be a string"]),
    ({"kind": {"x": 1}}, ["kind must be a string"]),
    ({"kind": 7}, ["kind must be a string", "cooperative-market"]),
    ({"kind": "auction"}, ["unknown kind 'auction'", "valid kinds", "cooperative-market"]),
    (market(players="ab"), ["players", "valid list"]),
    (market(players=[]), ["players", "at least 1"]),
    (market(value={}), ["value", "exactly one of"]),
    (market(value={"values": [0, 1, 1, 3], "fill": "default"}), ["needs `default"]),
    (market(value={"callable": "f.py"}), ["file.py:function"]),
    (market(tolerance=-1), ["tolerance", "greater than or equal to 0"]),
    (market(tolerance=10**400), ["tolerance"]),
    (market(expected={"shapley": {"z": 1}}), ["unknown player 'z'"]),
    (market(budgets={"a": -0.5}), ["budgets['a']", ">= 0"]),
])
def test_parse_model_refusals_name_the_field(data: Any, fragments: list[str]) -> None:
    text = refused(data)
    for f in fragments:
        assert f in text, (f, text)


def test_format_validation_error_lists_every_problem() -> None:
    """Issue 17: every problem on the one line, not "(and 2 more problems)"."""
    with pytest.raises(ValidationError) as exc:
        CooperativeMarket.model_validate({"kind": "cooperative-market", "players": "x", "value": 3,
                                          "tolerance": "tight"})
    line = format_validation_error(exc.value, CooperativeMarket)
    assert "\n" not in line and line.startswith("3 problems: players")
    assert "value:" in line and "tolerance:" in line and "more problem" not in line


@pytest.mark.parametrize(("data", "fragment"), [
    (market(tolerence=1e-9), "tolerence: unknown field (did you mean `tolerance`?)"),
    (market(value={"tabel": {"": 0, "a": 1, "b": 1, "a,b": 3}}), "value.tabel: unknown field (did you mean `table`?)"),
    (market(value={"values": [0, 1, 1, 3], "fill": "defualt"}), "did you mean `default`?"),
    (dict(market(), kind="cooperative-markt"), "did you mean `cooperative-market`?"),
])
def test_misspelt_names_get_the_closest_valid_ones(data: Any, fragment: str) -> None:
    text = refused(data)
    assert fragment in text, text
    assert text.count("`") <= 6, "closest names only, never the whole list"


def test_format_validation_error_shortens_long_inputs() -> None:
    text = refused(market(exact="y" * 500))
    assert "exact" in text and len(text) < 200


def test_json_schema_of_each_kind_and_of_all() -> None:
    union = json_schema()
    text = json.dumps(union)
    for kind in MODEL_KINDS:
        assert kind in text
        one = json_schema(kind)
        assert "kind" in one["properties"] and "kind" in one["required"]
    with pytest.raises(InvalidModel, match="unknown kind"):
        json_schema("auction")
    props = json_schema("cooperative-market")["properties"]
    assert {"players", "value", "budgets", "scheme", "check", "tolerance", "exact", "expected"} <= set(props)


# ---------------------------------------------------------------- generated valid markets
names_st = st.lists(st.text(st.characters(codec="utf-8", exclude_characters=RESERVED_NAME_CHARS,
                                          exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                            min_size=1, max_size=5), min_size=1, max_size=4, unique=True)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def valid_markets(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(names_st)
    n = len(names)
    values = [0.0] + draw(st.lists(finite, min_size=2**n - 1, max_size=2**n - 1))
    data = market(players=names, value={"values": values})
    if draw(st.booleans()):
        data["budgets"] = {p: draw(st.one_of(st.floats(0, 1e9), st.just("inf")))
                           for p in draw(st.lists(st.sampled_from(names), unique=True))}
    if draw(st.booleans()):
        data["tolerance"] = draw(st.floats(0, 1))
    return data


@settings(max_examples=60, deadline=None)
@given(valid_markets())
def test_valid_markets_parse_and_round_trip(data: dict[str, Any]) -> None:
    m = parse_model(data)
    assert m.players == data["players"]
    again = parse_model(m.model_dump(exclude_none=True))
    assert again == m
    assert all(b >= 0 for b in m.budget_vector())
