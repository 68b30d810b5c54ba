"""The `value: {learn: ...}` spec (issue 16): shorthands, inferred task, scorer/estimator fit, and
junk that may only ever raise InvalidModel (one line)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel
from mechsolve.model.learn import ESTIMATORS, SCORERS, did_you_mean
from mechsolve.model.schema import json_schema, parse_model

BASE: dict[str, Any] = {"builtin": {"name": "sklearn-digits"}, "split": {"by": "iid"}, "test": {"holdout": 0.3},
                        "model": "logistic-regression"}


def learn(**over: Any) -> Any:
    spec = {**BASE, **over}
    return parse_model({"kind": "cooperative-market", "players": ["a", "b"], "value": {"learn": spec}}).value.learn


def test_shorthands_and_defaults() -> None:
    s = learn()
    assert s.model.name == "logistic-regression" and s.model.params == {} and s.model.scale == "none"
    assert s.scorer.name == "accuracy" and s.empty == 0 and s.combine == "concatenate" and s.seed == 0
    assert s.resolved_task == "classification" and s.base_metric == "accuracy"


@pytest.mark.parametrize("over, task, metric", [
    ({"scorer": "gain"}, "classification", "accuracy"),
    ({"scorer": {"name": "gain", "of": "log-loss"}}, "classification", "log-loss"),
    ({"builtin": {"name": "sklearn-diabetes"}, "model": "ridge", "scorer": "r2"}, "regression", "r2"),
    ({"builtin": {"name": "sklearn-diabetes"}, "model": "linear-regression", "scorer": "gain"}, "regression", "r2"),
])
def test_task_and_base_metric_are_inferred(over: dict[str, Any], task: str, metric: str) -> None:
    s = learn(**over)
    assert (s.resolved_task, s.base_metric) == (task, metric)


@pytest.mark.parametrize("over, fragment", [
    ({"model": "logistic-regresion"}, "did you mean 'logistic-regression'"),
    ({"scorer": "r2"}, "r2 scores a regression task, but estimator 'logistic-regression' is a classifier"),
    ({"model": "gaussian-nb", "task": "regression", "scorer": "gain"}, "is a classifier"),
    ({"model": "svm", "scorer": "log-loss"}, "set params: {probability: true}"),
    ({"scorer": {"name": "accuracy", "of": "r2"}}, "`of` is the base metric of `gain`"),
    ({"split": None}, "say how it is shared"),
    ({"split": {"by": "label"}}, "needs `labels"),
    ({"split": {"by": "size", "shares": {"a": 0}}}, "positive number"),
    ({"split": {"by": "iid", "shares": {"a": 1}}}, "`shares` belongs to `by: size`"),
    ({"test": {"holdout": 0.3, "file": "t.csv"}}, "exactly one of `file` and `holdout`"),
    ({"empty": float("nan")}, "finite number or `model`"),
    ({"model": {"name": "mlp", "params": {"x": {"nested": 1}}}}, "must be a number, string"),
    ({"builtin": {"name": "sklearn-diabetes"}}, "sklearn-diabetes is a regression dataset"),
])
def test_bad_specs_name_the_problem(over: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidModel, match=None) as exc:
        learn(**over)
    assert fragment in str(exc.value) and str(exc.value).startswith("value.learn")


def test_svm_log_loss_with_probabilities_is_accepted() -> None:
    assert learn(model={"name": "svm", "params": {"probability": True}}, scorer="log-loss").base_metric == "log-loss"


def test_registry_is_consistent() -> None:
    for name, tasks in ESTIMATORS.items():
        assert tasks and set(tasks) <= {"classification", "regression"}
        for path in tasks.values():
            assert path.startswith("sklearn.") and ":" in path
    assert set(SCORERS) == {"accuracy", "log-loss", "r2", "gain"}
    assert did_you_mean("knnn", list(ESTIMATORS)) == "; did you mean 'knn'?"


def test_json_schema_describes_learn() -> None:
    schema = json_schema("cooperative-market")
    assert "LearnSpec" in schema["$defs"] and "learn" in schema["$defs"]["ValueSpec"]["properties"]


junk = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-3, 10**20), st.floats(allow_nan=True),
                              st.text(max_size=6), st.sampled_from(["model", "iid", "label", "gain", "inf"])),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)
FIELDS = ["parties", "file", "builtin", "label", "split", "test", "task", "model", "scorer", "empty", "combine",
          "seed", "max_trainings"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3), data=st.data())
def test_junk_in_learn_only_raises_invalid_model(fields: list[str], data: st.DataObject) -> None:
    spec: dict[str, Any] = dict(BASE)
    for f in fields:
        spec[f] = data.draw(junk)
    try:
        parse_model({"kind": "cooperative-market", "players": ["a", "b"], "value": {"learn": spec}})
    except InvalidModel as exc:
        assert str(exc) and "\n" not in str(exc)
