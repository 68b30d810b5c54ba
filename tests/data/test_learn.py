"""Learned coalition values (issue 16): every value is recomputed here by an independent training
(plain scikit-learn on the members' concatenated files), the cache is content-addressed and
never changes a value, and every executor gives the same table bit for bit."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("sklearn")

from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss, r2_score  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402

from mechsolve.data.learn import (LearnOptions, LearnedValue, _holdout, _split, learn_table, train_coalition,  # noqa: E402
                                  learned_game, learner_for)
from mechsolve.errors import InvalidModel, Unsupported  # noqa: E402
from mechsolve.games.shapley import shapley  # noqa: E402
from mechsolve.model.io import cache_path, load  # noqa: E402
from mechsolve.model.schema import parse_model  # noqa: E402
from mechsolve.verify.analysis import analyse  # noqa: E402
from mechsolve.model.io import resolve_model

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"


def write_csv(path: Path, X: np.ndarray, y: np.ndarray, header: list[str] | None = None) -> None:
    cols = header or [f"x{j}" for j in range(X.shape[1])] + ["y"]
    lines = [",".join(cols)] + [",".join(repr(float(v)) for v in row) + f",{int(y[i])}" for i, row in enumerate(X)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def iris_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Iris shuffled, three party files (unequal, all classes) and a test file."""
    d = tmp_path_factory.mktemp("iris")
    X, y = load_iris(return_X_y=True)
    perm = np.random.default_rng(3).permutation(len(y))
    X, y = X[perm], y[perm].astype(int)
    cuts = [0, 20, 50, 100, 150]
    names = ["a", "b", "c"]
    for k, p in enumerate(names):
        write_csv(d / f"{p}.csv", X[cuts[k]:cuts[k + 1]], y[cuts[k]:cuts[k + 1]])
    write_csv(d / "test.csv", X[100:], y[100:])
    return {"dir": d, "X": X, "y": y, "cuts": cuts, "names": names}


def market(learn: dict[str, Any], players: list[str], **extra: Any) -> Any:
    return parse_model({"kind": "cooperative-market", "players": players, "value": {"learn": learn}, **extra})


def files_market(iris: dict[str, Any], **learn: Any) -> Any:
    spec = {"parties": {p: f"{p}.csv" for p in iris["names"]}, "label": "y", "test": {"file": "test.csv"},
            "model": "gaussian-nb", **learn}
    return market(spec, iris["names"])


def independent_value(iris: dict[str, Any], members: list[int], make: Any, metric: str = "accuracy",
                      order: Any = None) -> float:
    """Train from the party files' rows with plain scikit-learn, concatenated in the documented order
    (by the digest of each party's data; ``order`` maps a player index to its sort key)."""
    X, y, c = iris["X"], iris["y"], iris["cuts"]
    members = sorted(members, key=order) if order is not None else members
    idx = np.concatenate([np.arange(c[k], c[k + 1]) for k in members])
    est = make().fit(X[idx], y[idx])
    Xt, yt = X[100:], y[100:]
    if metric == "accuracy":
        return float(accuracy_score(yt, est.predict(Xt)))
    return -float(log_loss(yt, est.predict_proba(Xt), labels=[0, 1, 2]))


# ------------------------------------------------------------------ the values
def test_every_value_equals_an_independent_training(iris_files: dict[str, Any]) -> None:
    m = files_market(iris_files)
    table = learn_table(learner_for(resolve_model(m, iris_files["dir"])))
    assert table.values[0] == 0.0 and table.trainings == 7 and table.cache_hits == 0
    for mask in range(1, 8):
        members = [k for k in range(3) if mask >> k & 1]
        assert table.values[mask] == pytest.approx(independent_value(iris_files, members, GaussianNB), abs=1e-12)


def test_log_loss_is_negated_and_gain_subtracts_the_empty_model(iris_files: dict[str, Any]) -> None:
    L = learner_for(resolve_model(files_market(iris_files, scorer="log-loss"), iris_files["dir"]))
    ll = learn_table(L)
    acc = learn_table(learner_for(resolve_model(files_market(iris_files), iris_files["dir"])))
    gain = learn_table(learner_for(resolve_model(files_market(iris_files, scorer="gain"), iris_files["dir"])))
    for mask in range(1, 8):
        members = [k for k in range(3) if mask >> k & 1]
        want = independent_value(iris_files, members, GaussianNB, "log-loss", order=lambda k: L.digests[k])
        assert ll.values[mask] == pytest.approx(want, abs=1e-12) and ll.values[mask] < 0
        assert gain.values[mask] == pytest.approx(acc.values[mask] - 1 / 3, abs=1e-15)   # 3 labels: s(∅) = 1/3
    assert gain.values[0] == 0.0 and acc.values[0] == 0.0


def test_members_are_concatenated_in_a_canonical_order(iris_files: dict[str, Any]) -> None:
    """Order-sensitive training (lbfgs) follows the documented order: by the digest of each party's data."""
    L = learner_for(resolve_model(files_market(iris_files, model={"name": "logistic-regression", "params": {"max_iter": 500}},
                                 scorer="log-loss"), iris_files["dir"]))
    make = lambda: LogisticRegression(max_iter=500, random_state=0)  # noqa: E731 - the learner's seed
    for members in ([0, 1], [0, 1, 2]):
        got = train_coalition(L, tuple(members))["score"]
        assert got == pytest.approx(independent_value(iris_files, members, make, "log-loss",
                                                      order=lambda k: L.digests[k]), abs=1e-12)


def test_empty_model_value_needs_a_non_normalised_market(iris_files: dict[str, Any]) -> None:
    spec = {"parties": {p: f"{p}.csv" for p in iris_files["names"]}, "label": "y", "test": {"file": "test.csv"},
            "model": "gaussian-nb", "empty": "model"}
    with pytest.raises(InvalidModel, match="normalised") as exc:
        learned_game(resolve_model(market(spec, iris_files["names"]), iris_files["dir"]))
    assert exc.value.field == "value.learn.empty"
    g = learned_game(resolve_model(market(spec, iris_files["names"], normalised=False), iris_files["dir"]))
    assert g.values[0] == pytest.approx(1 / 3, abs=1e-15)
    neg = learned_game(resolve_model(market({**spec, "scorer": "log-loss", "model": "logistic-regression"}, iris_files["names"],
                              normalised=False), iris_files["dir"]))
    assert neg.values[0] == pytest.approx(-math.log(3), abs=1e-15)


def test_regression_r2_on_diabetes_matches_scikit_learn() -> None:
    m = market({"builtin": {"name": "sklearn-diabetes"}, "split": {"by": "size", "shares": {"a": 1, "b": 3}},
                "test": {"holdout": 0.25, "seed": 2}, "model": "ridge", "scorer": "r2"}, ["a", "b"])
    L = learner_for(m)
    table = learn_table(L)
    X, y = load_diabetes(return_X_y=True)
    assert np.array_equal(L.X, X) and L.task == "regression"
    for mask in (1, 2, 3):
        members = [k for k in range(2) if mask >> k & 1]
        idx = np.concatenate([L.rows[k] for k in members])
        want = r2_score(L.y_test, Ridge(random_state=0).fit(X[idx], y[idx]).predict(L.X_test))
        assert table.values[mask] == pytest.approx(want, abs=1e-12)
    assert len(L.rows[1]) == pytest.approx(3 * len(L.rows[0]), abs=2)


def test_a_one_class_coalition_gets_the_constant_model() -> None:
    """Nguyen et al.'s party [0]: trained on one digit it predicts that digit, so its accuracy is that digit's share."""
    m = parse_model({"kind": "cooperative-market", "players": ["zero", "rest"], "value": {"learn": {
        "builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": {"zero": [0], "rest": [1, 2]}},
        "test": {"holdout": 0.3}, "model": "logistic-regression", "scorer": "log-loss"}}})
    L = learner_for(m)
    table = learn_table(L)
    assert table.constant_models == 1
    share = float(np.mean(L.y_test == 0))
    P = np.tile([1.0, 0.0, 0.0], (len(L.y_test), 1))
    assert table.values[1] == pytest.approx(-log_loss(L.y_test, P, labels=[0, 1, 2]), abs=1e-12)
    m_acc = parse_model({"kind": "cooperative-market", "players": ["zero", "rest"], "value": {"learn": {
        "builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": {"zero": [0], "rest": [1, 2]}},
        "test": {"holdout": 0.3}, "model": "logistic-regression"}}})
    assert learn_table(learner_for(m_acc)).values[1] == pytest.approx(share, abs=1e-15)


def test_training_is_deterministic_and_seeded(iris_files: dict[str, Any]) -> None:
    rf = {"name": "random-forest", "params": {"n_estimators": 5}}
    a = learn_table(learner_for(resolve_model(files_market(iris_files, model=rf), iris_files["dir"])))
    b = learn_table(learner_for(resolve_model(files_market(iris_files, model=rf), iris_files["dir"])))
    assert np.array_equal(a.values, b.values)
    c = learner_for(resolve_model(files_market(iris_files, model=rf, seed=7), iris_files["dir"]))
    assert dict(c.params)["random_state"] == 7
    assert c.key((0, 1)) != learner_for(resolve_model(files_market(iris_files, model=rf), iris_files["dir"])).key((0, 1))


# ------------------------------------------------------------------ splits
def test_label_split_shared_is_nguyens_every_row_of_the_label() -> None:
    labels = {"p0": [0], "p1": [1, 2], "p2": [0, 1, 2, 3], "p3": [3, 4, 5], "p4": [6, 7, 8, 9]}
    m = market({"builtin": {"name": "sklearn-digits"}, "split": {"by": "label", "labels": labels},
                "test": {"holdout": 0.3}, "model": "gaussian-nb"}, list(labels))
    L = learner_for(m)
    pool = np.setdiff1d(np.arange(len(L.y)), [])   # every row of the training pool: X is the whole dataset
    test_rows = len(L.y_test)
    train_pool = np.unique(np.concatenate(L.rows))
    assert len(train_pool) + test_rows == len(pool)
    for k, (p, ls) in enumerate(labels.items()):
        got = L.rows[k]
        assert set(np.unique(L.y[got]).tolist()) == set(ls)
        assert np.array_equal(got, train_pool[np.isin(L.y[train_pool], ls)])   # all of them, no more
    # overlapping parties hold the same rows: the union of [0] and [0-3] has every 0 twice (concatenate)
    assert len(L.training_rows((0, 2))) == len(L.rows[0]) + len(L.rows[2])


def test_label_split_disjoint_deals_shared_labels_out() -> None:
    labels = {"p0": [0], "p1": [0, 1], "p2": [1, 2]}
    m = market({"builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": labels, "overlap": "disjoint"},
                "test": {"holdout": 0.2}, "model": "gaussian-nb"}, list(labels))
    L = learner_for(m)
    allrows = np.concatenate(L.rows)
    assert len(np.unique(allrows)) == len(allrows) == 150 - len(L.y_test)
    zeros = [int(np.sum(L.y[r] == 0)) for r in L.rows]
    assert abs(zeros[0] - zeros[1]) <= 1 and zeros[2] == 0


def test_holdout_is_stratified_and_disjoint() -> None:
    y = np.repeat([0, 1, 2], [10, 21, 7])
    tr, te = _holdout(y, 0.3, 0, True)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(y)
    assert [int(np.sum(y[te] == c)) for c in (0, 1, 2)] == [3, 6, 2]    # floor(0.3 m + 1/2)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), rows=st.integers(6, 60), seed=st.integers(0, 10**6),
       shares=st.lists(st.floats(0.1, 10), min_size=6, max_size=6))
def test_iid_and_size_splits_partition_the_pool(n: int, rows: int, seed: int, shares: list[float]) -> None:
    from mechsolve.model.learn import SplitSpec

    owners = [f"p{k}" for k in range(n)]
    pool = np.arange(rows) * 2 + 1
    y = np.zeros(2 * rows + 2, dtype=int)
    for spec in (SplitSpec(by="iid", seed=seed), SplitSpec(by="size", seed=seed, shares=dict(zip(owners, shares)))):
        out = _split(spec, y, pool, owners)
        allrows = np.concatenate([out[p] for p in owners])
        assert np.array_equal(np.sort(allrows), pool)                       # a partition of the pool
        sizes = np.array([len(out[p]) for p in owners])
        want = (np.ones(n) if spec.by == "iid" else np.array(shares[:n])) / (
            n if spec.by == "iid" else sum(shares[:n])) * rows
        assert np.all(np.abs(sizes - want) < 1)                             # largest-remainder rounding


# ------------------------------------------------------------------ cache
def test_cache_hits_are_exact_and_keyed_by_content(iris_files: dict[str, Any], tmp_path: Path) -> None:
    opts = LearnOptions(cache=tmp_path / "c")
    m = files_market(iris_files)
    first = learn_table(learner_for(resolve_model(m, iris_files["dir"])), opts)
    again = learn_table(learner_for(resolve_model(m, iris_files["dir"])), opts)
    assert (first.trainings, first.cache_hits) == (7, 0)
    assert (again.trainings, again.cache_hits) == (0, 7)
    assert np.array_equal(first.values, again.values)
    # renamed players, same data: the same keys (content, not names)
    renamed = parse_model({"kind": "cooperative-market", "players": ["x", "y", "z"], "value": {"learn": {
        "parties": {"x": "a.csv", "y": "b.csv", "z": "c.csv"}, "label": "y", "test": {"file": "test.csv"},
        "model": "gaussian-nb"}}})
    assert learn_table(learner_for(resolve_model(renamed, iris_files["dir"])), opts).trainings == 0
    # another scorer shares nothing that depends on it; `gain` reuses the accuracy records
    assert learn_table(learner_for(resolve_model(files_market(iris_files, scorer="gain"), iris_files["dir"])), opts).trainings == 0
    other = learn_table(learner_for(resolve_model(files_market(iris_files, model={"name": "gaussian-nb",
                                                                    "params": {"var_smoothing": 1e-3}}), iris_files["dir"])), opts)
    assert other.trainings == 7
    # a torn record is ignored and retrained, never read as a number
    L = learner_for(resolve_model(m, iris_files["dir"]))
    p = cache_path(opts.cache_root, L.key((0,)))
    p.write_text('{"score": 0.5')
    again2 = learn_table(L, opts)
    assert again2.trainings == 1 and np.array_equal(again2.values, first.values)
    rec = json.loads(p.read_text())
    assert rec["key"] == L.key((0,)) and rec["score"] == first.values[1]


def test_no_cache_writes_nothing(iris_files: dict[str, Any], tmp_path: Path) -> None:
    table = learn_table(learner_for(resolve_model(files_market(iris_files), iris_files["dir"])), LearnOptions(cache=None))
    assert table.cache is None and not list(tmp_path.iterdir())


# ------------------------------------------------------------------ executors


@pytest.mark.slow
def test_the_same_values_in_process_in_workers_and_on_dask(iris_files: dict[str, Any], dask_address: str) -> None:
    m = files_market(iris_files, model={"name": "logistic-regression", "params": {"max_iter": 2000}})
    L = learner_for(resolve_model(m, iris_files["dir"]))
    seen: list[tuple[int, int]] = []
    a = learn_table(L, LearnOptions(progress=lambda d, t: seen.append((d, t))))
    b = learn_table(L, LearnOptions(workers=2))
    c = learn_table(L, LearnOptions(scheduler=dask_address))
    assert np.array_equal(a.values, b.values) and np.array_equal(a.values, c.values)
    assert seen[0] == (0, 7) and seen[-1] == (7, 7) and len(seen) == 8
    assert c.where.startswith("Dask cluster at")


# ------------------------------------------------------------------ replicas
def test_a_replica_trains_on_duplicated_rows() -> None:
    labels = {"p0": [0], "p1": [1], "p2": [2]}
    spec = {"builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": labels},
            "test": {"holdout": 0.3}, "model": {"name": "logistic-regression", "params": {"max_iter": 2000}}}
    m4 = market(spec, ["p0", "p1", "p2", "p1 copy"], replicas={"p1 copy": "p1"})
    m3 = market(spec, ["p0", "p1", "p2"])
    L4 = learner_for(m4)
    assert np.array_equal(L4.rows[3], L4.rows[1]) and L4.key((3,)) == L4.key((1,))
    assert len(L4.training_rows((1, 3))) == 2 * len(L4.rows[1])
    t4, t3 = learn_table(L4), learn_table(learner_for(m3))
    assert t4.distinct == 3 + 4 + 4        # without either, with one of them (shared), with both
    g4 = learned_game(m4)
    assert np.array_equal(g4.restrict(["p0", "p1", "p2"]).values, t3.values)   # the market without the replica
    assert t4.values[0b1000] == t4.values[0b0010]


def test_replica_declared_with_its_own_data_is_refused() -> None:
    spec = {"builtin": {"name": "sklearn-iris"}, "split": {"by": "iid"}, "test": {"holdout": 0.3},
            "model": "gaussian-nb"}
    m = market({**spec, "split": {"by": "size", "shares": {"a": 1, "b": 1}}}, ["a", "b"], replicas={"b": "a"})
    with pytest.raises(InvalidModel, match="replica"):
        learner_for(m)


@pytest.mark.parametrize("path, axiom, status", [
    ("learn-ohrimenko-digits-replica-of-1.yaml", "replication-robustness", "holds"),
    ("learn-shapley-digits-replica-of-4.yaml", "replication-robustness", "violated"),
])
def test_replication_robustness_on_learned_values(path: str, axiom: str, status: str) -> None:
    m = load(MODELS / path)
    res = analyse(resolve_model(m, MODELS), axioms=[axiom])
    (v,) = res.checks.verdicts
    assert v.status == status
    # recompute Condition 1 from the learned game: the party and its replica vs the party without it
    reps = dict(m.replicas)
    (r, o), = reps.items()
    g = res.game
    sch = res.outcome
    from mechsolve.schemes import get_scheme

    rule = get_scheme(m.scheme.name)
    base = rule.compute(g.restrict([p for p in g.names if p != r]), dict(m.scheme.params)).allocation
    idx0 = [p for p in g.names if p != r].index(o)
    total = sch.allocation[g.index[o]] + sch.allocation[g.index[r]]
    assert (total <= base[idx0] + 1e-9) == (status == "holds")


# ------------------------------------------------------------------ the bundled digits market
def test_bundled_digits_market_is_papers_shape() -> None:
    """The learned digits table has the shape of the measured MNIST table: v(∅) = 0, v(N) near 1, the same
    ranking of the parties by v({i}) and by Shapley value, not superadditive."""
    digits = analyse(load(MODELS / "learn-digits-5-parties.yaml"), check=False)
    mnist = analyse(load(MODELS / "mnist-5-parties.yaml"), check=False)
    gd, gm = digits.game, mnist.game
    assert gd.names == gm.names and gd.values[0] == 0 and gd.grand_value > 0.9
    assert list(np.argsort(gd.singletons())) == list(np.argsort(gm.singletons()))
    assert list(np.argsort(shapley(gd))) == list(np.argsort(shapley(gm)))
    assert np.max(np.abs(gd.values - gm.values)) < 0.1


# ------------------------------------------------------------------ sampled (too large to tabulate)
def test_monte_carlo_shapley_on_the_learner_uses_the_cache(tmp_path: Path) -> None:
    names = [f"p{k}" for k in range(12)]
    m = parse_model({"kind": "cooperative-market", "players": names, "value": {"learn": {
        "builtin": {"name": "sklearn-iris"}, "split": {"by": "iid", "seed": 0}, "test": {"holdout": 0.3},
        "model": "gaussian-nb", "max_trainings": 100}},
        "scheme": {"name": "shapley", "method": "monte-carlo", "permutations": 4, "seed": 1}, "check": ["efficiency"]})
    tab = parse_model({"kind": "cooperative-market", "players": names, "value": {"learn": {
        "builtin": {"name": "sklearn-iris"}, "split": {"by": "iid"}, "test": {"holdout": 0.3},
        "model": "gaussian-nb", "max_trainings": 100}}})
    with pytest.raises(Unsupported, match="max_trainings"):
        learner_for(tab)
    opts = LearnOptions(cache=tmp_path)
    a = analyse(resolve_model(m, "."), learn=opts)
    assert [v.status for v in a.checks.verdicts] == ["holds"] and a.learned["run"]["trainings"] > 0
    assert a.estimate.values.sum() == pytest.approx(a.grand_value - a.empty_value, abs=1e-12)
    b = analyse(resolve_model(m, "."), learn=LearnOptions(cache=tmp_path))
    assert b.learned["run"]["trainings"] == 0 and np.array_equal(a.estimate.values, b.estimate.values)
    f = LearnedValue(learner_for(m), LearnOptions(cache=tmp_path))
    assert f(frozenset(names)) == a.grand_value and f.trainings == 0


# ------------------------------------------------------------------ bad input (library level)
@pytest.mark.parametrize("learn, players, match, field", [
    ({"builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": {"a": [0], "b": [7]}}},
     ["a", "b"], "label 7 of 'b' is not in the dataset", "value.learn.split.labels['b']"),
    ({"builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": {"a": [0, 1]}}},
     ["a", "b"], "no label for player 'b'", "value.learn.split.labels"),
    ({"builtin": {"name": "sklearn-iris"}, "split": {"by": "label", "labels": {"a": [0], "b": [1]}}},
     ["a", "b"], "test labels [2] appear in no party", "value.learn.test"),
    ({"builtin": {"name": "sklearn-iris"}, "split": {"by": "size", "shares": {"a": 1, "b": 1000}}},
     ["a", "b"], "has no rows", "value.learn.split.shares['a']"),
])
def test_bad_learn_data_names_the_field(learn: dict[str, Any], players: list[str], match: str, field: str) -> None:
    spec = {"test": {"holdout": 0.3}, "model": "gaussian-nb", **learn}
    with pytest.raises(InvalidModel, match=match.replace("[", r"\[").replace("]", r"\]")) as exc:
        learner_for(market(spec, players))
    assert exc.value.field == field


def test_unknown_estimator_parameter_says_did_you_mean() -> None:
    m = market({"builtin": {"name": "sklearn-iris"}, "split": {"by": "iid"}, "test": {"holdout": 0.3},
                "model": {"name": "logistic-regression", "params": {"max_iters": 5}}}, ["a"])
    with pytest.raises(InvalidModel, match="did you mean 'max_iter'") as exc:
        learner_for(m)
    assert exc.value.field == "value.learn.model.params.max_iters"
    bad = market({"builtin": {"name": "sklearn-iris"}, "split": {"by": "iid"}, "test": {"holdout": 0.3},
                  "model": {"name": "logistic-regression", "params": {"C": -1}}}, ["a"])
    with pytest.raises(InvalidModel, match="'C' parameter"):
        learner_for(bad)


def test_a_failing_fit_names_the_coalition() -> None:
    m = market({"builtin": {"name": "sklearn-iris"}, "split": {"by": "iid"}, "test": {"holdout": 0.3},
                "model": {"name": "knn", "params": {"n_neighbors": 50}}}, ["a", "b", "c", "d"])
    with pytest.raises(InvalidModel, match=r"coalition \{a\}.*failed") as exc:
        learn_table(learner_for(m))
    assert exc.value.field == "value.learn.model"


# ------------------------------------------------------------------ one dataset file, union
def test_one_file_split_among_players_and_union_of_duplicates(tmp_path: Path) -> None:
    X, y = load_iris(return_X_y=True)
    write_csv(tmp_path / "all.csv", X, y.astype(int), header=["a", "b", "c", "d", "label"])
    spec = {"file": "all.csv", "label": "label", "split": {"by": "iid", "seed": 4},
            "test": {"holdout": 0.2, "seed": 1}, "model": "gaussian-nb"}
    m = market(spec, ["p", "q"])
    L = learner_for(resolve_model(m, tmp_path))
    assert np.array_equal(L.X, X) and L.X.shape[1] == 4 and len(L.y_test) == 30
    assert abs(len(L.rows[0]) - len(L.rows[1])) <= 1
    # `combine: union`: a replica adds no row, so v(S ∪ {i'}) = v(S ∪ {i}) = v(S ∪ {i, i'}) exactly
    mu = market({**spec, "combine": "union"}, ["p", "q", "q copy"], replicas={"q copy": "q"})
    Lu = learner_for(resolve_model(mu, tmp_path))
    assert len(Lu.training_rows((1, 2))) == len(Lu.rows[1]) and Lu.key((1, 2)) == Lu.key((1,))
    t = learn_table(Lu)
    assert t.values[0b110] == t.values[0b010] == t.values[0b100] and t.values[0b111] == t.values[0b011]
    assert t.distinct == 3
    mc = market(spec, ["p", "q", "q copy"], replicas={"q copy": "q"})
    tc = learn_table(learner_for(resolve_model(mc, tmp_path)))
    assert tc.distinct == 5 and tc.values[0b100] == tc.values[0b010]
