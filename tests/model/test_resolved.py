"""mechsolve.model.resolved: what a model's references resolve to, read once at load (issue 13.1)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import yaml

from mechsolve.errors import InvalidModel
from mechsolve.model.io import code_policy, load, load_code, read_code
from mechsolve.model.resolved import Code, Resolved, attach, resolved_of, scheme_params
from mechsolve.model.schema import parse_model


def _market(folder: Path, **scheme: object) -> Path:
    np.save(folder / "v.npy", np.array([0.0, 1.0, 1.0, 3.0]))
    (folder / "rule.py").write_text("def pay(game):\n    return [game.grand_value / game.n] * game.n\n")
    path = folder / "m.yaml"
    path.write_text(yaml.safe_dump({"kind": "cooperative-market", "players": ["a", "b"], "value": {"file": "v.npy"},
                                    "scheme": scheme or {"name": "callable", "callable": "rule.py:pay"}}))
    return path


def test_every_reference_is_in_the_bundle_under_its_field(tmp_path: Path) -> None:
    m = load(_market(tmp_path))
    bundle = resolved_of(m)
    assert sorted(bundle) == ["scheme.callable", "value.file"]
    assert bundle.table("value.file").values.tolist() == [0.0, 1.0, 1.0, 3.0]
    code = bundle.code("scheme.callable")
    assert isinstance(code, Code) and str(code) == f"{tmp_path}/rule.py:pay" and code.function == "pay"
    assert m.model_dump(mode="json")["scheme"]["callable"] == "rule.py:pay"      # the spec stays as declared
    assert scheme_params(m)["callable"] is code                               # the scheme computes with the code
    with pytest.raises(InvalidModel, match="files are read when it is loaded") as exc:
        bundle.data("value.datasets.parties['a']")
    assert exc.value.field == "value.datasets.parties['a']"


def test_equal_loads_are_equal_and_differing_data_are_not(tmp_path: Path) -> None:
    path = _market(tmp_path)
    a, b = load(path), load(path)
    assert a == b and resolved_of(a) == resolved_of(b)
    np.save(tmp_path / "v.npy", np.array([0.0, 1.0, 2.0, 3.0]))
    assert load(path) != a                                     # same declaration, other data read
    assert parse_model(a.model_dump(mode="json", exclude_none=True)) != a   # unresolved != resolved


def test_attach_keeps_only_what_the_new_model_names(tmp_path: Path) -> None:
    m = load(_market(tmp_path))
    data = m.model_dump(mode="json", exclude_none=True)
    data["scheme"] = {"name": "shapley"}
    derived = attach(parse_model(data), resolved_of(m))
    assert list(resolved_of(derived)) == ["value.file"]
    assert resolved_of(derived).table("value.file") is resolved_of(m).table("value.file")


def test_code_travels_as_source_and_compiles_again(tmp_path: Path) -> None:
    """A worker gets the source read at load, never a path to read: pickle, delete the file, run."""
    _market(tmp_path)
    code = read_code(tmp_path, "rule.py:pay", "scheme.callable")
    (tmp_path / "rule.py").unlink()
    again = pickle.loads(pickle.dumps(code))
    assert str(again) == str(code) and again.source == code.source and again.code is not None
    with code_policy(allow=True):
        fn = load_code(again)
        assert pickle.loads(pickle.dumps(fn)).fn.__name__ == "pay"


def test_a_syntax_error_is_reported_where_the_code_would_run(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def pay(game:\n")
    code = read_code(tmp_path, "bad.py:pay")                    # read at load: no error yet
    with code_policy(allow=False), pytest.raises(InvalidModel, match="needs --allow-code"):
        load_code(code)                                         # no consent: the refusal, as before
    with code_policy(allow=True), pytest.raises(InvalidModel, match="importing bad.py raised SyntaxError"):
        load_code(code)


def test_an_empty_bundle_is_falsy_and_equal() -> None:
    assert not Resolved() and Resolved() == Resolved({})
