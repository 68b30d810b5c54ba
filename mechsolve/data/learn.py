"""Learned coalition values: ``v(S)`` = test score of a model trained on the members' data.

For a coalition ``S`` the training set is ``D_S = ⊕_{i∈S} D_i``, the members'
rows concatenated (duplicates kept: a replica party adds its original's rows a
second time, as Ohrimenko et al. 2019, Sec. 6.1, and the code of Nguyen et al.
2022 do), or with ``combine: union`` their set union. The members are
concatenated in a canonical order (by their data's digest), so ``v(S)`` depends
only on the multiset of the members' datasets. The value
is the estimator's score on the common test set,

    ``v(S) = s(S)``   (Nguyen et al. 2022, Sec. 2: ``v(C) = ν s(C)`` with ν = 1),

and ``v(∅)`` is declared: 0 as in both papers (``s(∅) = 0``), the empty model's
score, or a constant. ``gain`` scores ``s(S) − s(∅)``, the improvement over the
empty model, so ``v(∅) = 0`` by construction.

The **empty model** knows the task but no data: a classifier predicts the
uniform distribution over the label set ``L`` (its expected accuracy is
``1/|L|``, its log-loss ``log |L|``); a regressor predicts 0 (``r2 = 1 −
Σy²/Σ(y − ȳ)²``). A coalition whose rows hold one class only gets the constant
model of that class (probability 1), as a network trained on one digit does
(Nguyen et al.'s party [0]); scikit-learn's classifiers refuse to fit one class.

Every training is deterministic: ``random_state`` is the learner's seed (the
same for every coalition, as Nguyen et al. start every coalition from the same
initial weights), BLAS runs on one thread, and results travel back to the
caller, which alone writes the cache. A record is keyed by the SHA-256 of the
training set's content (each member's rows and labels, in order), the test
set, the label set, the estimator and its parameters, the metric, the seed and
the versions of numpy, scipy and scikit-learn — never by player names, so
coalitions with the same data (``S ∪ {i}`` and ``S ∪ {i'}`` for a replica
``i'`` of ``i``) share one training.

Examples
--------
>>> from mechsolve.model.schema import parse_model
>>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b", "c"],
...     "value": {"learn": {"builtin": {"name": "sklearn-iris"}, "split": {"by": "iid", "seed": 1},
...                         "test": {"holdout": 0.4, "seed": 0}, "model": "gaussian-nb"}}})
>>> table = learn_table(learner_for(m))
>>> table.trainings, table.cache_hits, len(table.values)
(7, 0, 8)
>>> bool(table.values[0] == 0.0 and 0.8 < table.values[7] <= 1.0)
True
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported
from ..model.io import cache_read, cache_write
from ..model.resolved import Resolved, resolved_of
from ..model.learn import ESTIMATORS, LearnSpec, did_you_mean

#: Bumped whenever training or scoring changes, so old cache records are never reused.
CACHE_FORMAT = 1

#: Environment variable naming the cache folder (the CLI's default; the library's when set).
CACHE_ENV = "MECHSOLVE_CACHE"


def default_cache_dir() -> Path:
    """``$MECHSOLVE_CACHE``, else ``$XDG_CACHE_HOME/mechsolve``, else ``~/.cache/mechsolve``.

    Examples
    --------
    >>> isinstance(default_cache_dir(), Path)
    True
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "mechsolve"


@dataclass(frozen=True)
class LearnOptions:
    """Where trainings run and where their results are kept.

    ``cache``: a folder (records go to ``cache/learn/``), or ``None`` for no cache.
    ``workers``/``scheduler``: see :class:`~mechsolve.parallel.ExecutorSpec`.
    ``progress(done, total)`` is called with ``done = 0`` before the first
    training and after each one (``total`` = trainings not found in the cache).
    ``memo``: a dict kept across calls that share these options (records by key),
    so analyses of one market in one process train once even without a disk cache.
    """

    cache: str | os.PathLike[str] | None = None
    workers: int | None = 1
    scheduler: str | None = None
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)
    memo: dict[str, dict[str, Any]] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_env(cls) -> LearnOptions:
        """The library default: cache only where ``$MECHSOLVE_CACHE`` says, in this process."""
        env = os.environ.get(CACHE_ENV)
        return cls(cache=Path(env).expanduser() if env else None)

    @property
    def cache_root(self) -> Path | None:
        return None if self.cache is None else Path(self.cache) / "learn"


# ------------------------------------------------------------------ the learner
@dataclass(frozen=True, eq=False)
class Learner:
    """Everything one training needs: pooled rows, each player's rows, the test set, the recipe.

    Picklable (module-level data only), so it travels to worker processes and
    Dask workers. ``rows[k]`` indexes ``X``/``y`` (a replica shares its
    original's array); ``canon`` maps every row to the first row with the same
    features and label (for ``combine: union``).
    """

    names: tuple[str, ...]
    X: np.ndarray
    y: np.ndarray
    rows: tuple[np.ndarray, ...]
    canon: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str
    classes: np.ndarray | None
    estimator: str
    estimator_class: str
    params: tuple[tuple[str, Any], ...]
    scale: str
    metric: str
    gain: bool
    empty: float | str
    combine: str
    seed: int
    digests: tuple[str, ...]
    test_digest: str
    replicas: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.names)

    def training_rows(self, members: Sequence[int]) -> np.ndarray:
        """Row indices of ``D_S``: the members' rows concatenated, or their set union by content.

        Members are concatenated in the order of their data's digests (not of their
        names), so ``D_S`` depends only on the multiset of the members' datasets:
        two parties with the same data (a party and its replica) are exactly
        symmetric in ``v``.
        """
        if not members:
            return np.zeros(0, dtype=np.int64)
        order = sorted(members, key=lambda k: (self.digests[k], k))
        idx = np.concatenate([self.rows[k] for k in order])
        if self.combine == "union":
            idx = np.unique(self.canon[idx])
        return idx

    def key_payload(self, members: Sequence[int]) -> dict[str, Any]:
        """What determines the training's result (hashed into the cache key)."""
        train = sorted(self.digests[k] for k in members)   # the multiset of the members' datasets
        if self.combine == "union":
            train = sorted(set(train))
        return {"format": CACHE_FORMAT, "train": train, "combine": self.combine, "test": self.test_digest,
                "task": self.task, "labels": None if self.classes is None else self.classes.tolist(),
                "estimator": self.estimator_class, "params": [list(p) for p in self.params],
                "scale": self.scale, "metric": self.metric, "seed": self.seed, "versions": library_versions()}

    def key(self, members: Sequence[int]) -> str:
        """SHA-256 (hex) of :meth:`key_payload`."""
        text = json.dumps(self.key_payload(members), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def empty_model_score(self) -> float:
        """The score of the empty model (module docstring): ``1/|L|``, ``−log|L|`` or r2 of predicting 0."""
        if self.metric == "accuracy":
            return 1.0 / len(self.classes)  # type: ignore[arg-type]
        if self.metric == "log-loss":
            return -math.log(len(self.classes))  # type: ignore[arg-type]
        y = self.y_test
        return float(1.0 - np.sum(y * y) / np.sum((y - y.mean()) ** 2))

    def value_from_score(self, score: float) -> float:
        """``v(S)`` from the raw metric ``s(S)`` of a non-empty coalition (``gain``: minus ``s(∅)``)."""
        return float(score - self.empty_model_score()) if self.gain else float(score)

    def empty_value(self) -> float:
        """``v(∅)``: 0 under ``gain``, else the declared constant or the empty model's score."""
        if self.gain:
            return 0.0
        return self.empty_model_score() if self.empty == "model" else float(self.empty)

    def describe(self) -> dict[str, Any]:
        """Data sizes and the recipe, for reports (no arrays)."""
        d: dict[str, Any] = {
            "rows": {p: int(len(r)) for p, r in zip(self.names, self.rows)},
            "test_rows": int(len(self.y_test)), "features": int(self.X.shape[1]), "task": self.task,
            "estimator": self.estimator, "estimator_class": self.estimator_class.replace(":", "."),
            "params": dict(self.params), "scale": self.scale,
            "scorer": f"gain over the empty model ({self.metric})" if self.gain else self.metric,
            "empty_model_score": self.empty_model_score(), "v(empty)": self.empty_value(),
            "combine": self.combine, "seed": self.seed,
        }
        if self.classes is not None:
            d["labels"] = self.classes.tolist()
        if self.replicas:
            d["replicas"] = {r: o for r, o in self.replicas}
        return d


@functools.lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Versions that can change a trained model's score (part of every cache key)."""
    import scipy
    import sklearn

    return {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__}


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ----------------------------------------------------------------- estimators
def estimator_class(name: str, task: str) -> type:
    """The scikit-learn class registered as ``name`` for ``task`` (:data:`~mechsolve.model.learn.ESTIMATORS`)."""
    try:
        path = ESTIMATORS[name][task]
    except KeyError:
        raise InvalidModel(f"estimator {name!r} has no {task} variant", field="value.learn.model.name") from None
    module, _, cls = path.partition(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError:
        raise Unsupported("learned values need scikit-learn: pip install 'mechsolve[data]'",
                          field="value.learn.model") from None


def _checked_params(name: str, task: str, params: dict[str, Any], seed: int) -> tuple[tuple[str, Any], ...]:
    """Parameter names and values checked against the estimator; ``random_state`` = seed unless given."""
    cls = estimator_class(name, task)
    known = cls().get_params()
    for k in params:
        if k not in known:
            raise InvalidModel(f"unknown parameter {k!r} of {cls.__name__}{did_you_mean(k, sorted(known))}",
                               field=f"value.learn.model.params.{k}")
    out = dict(params)
    if "random_state" in known and "random_state" not in out:
        out["random_state"] = int(seed)
    est = cls(**out)
    check = getattr(est, "_validate_params", None)  # scikit-learn >= 1.2 declares parameter constraints
    if check is not None:
        try:
            check()
        except (ValueError, TypeError) as exc:
            text = " ".join(str(exc).split())
            named = re.match(r"The '(\w+)' parameter", text)
            raise InvalidModel(text, field="value.learn.model.params" + (f".{named.group(1)}" if named else "")) from None
    return tuple(sorted(out.items()))


def _build(learner: Learner) -> Any:
    module, _, cls = learner.estimator_class.partition(":")
    est = getattr(importlib.import_module(module), cls)(**dict(learner.params))
    if learner.scale == "none":
        return est
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    return make_pipeline(StandardScaler() if learner.scale == "standard" else MinMaxScaler(), est)


def _score(learner: Learner, predict: Callable[[np.ndarray], np.ndarray],
           proba: Callable[[np.ndarray], np.ndarray] | None) -> float:
    from sklearn.metrics import log_loss, r2_score

    if learner.metric == "accuracy":
        return float(np.mean(predict(learner.X_test) == learner.y_test))
    if learner.metric == "r2":
        return float(r2_score(learner.y_test, predict(learner.X_test)))
    assert proba is not None and learner.classes is not None
    return -float(log_loss(learner.y_test, proba(learner.X_test), labels=learner.classes))


def train_coalition(learner: Learner, members: Sequence[int]) -> dict[str, Any]:
    """Train on ``D_S`` and score on the test set: a record ``{score, rows, constant, warnings, seconds}``.

    Raises :class:`~mechsolve.errors.InvalidModel` naming the coalition when the
    estimator fails to fit or predict (never a number in its place).
    """
    t0 = time.perf_counter()
    idx = learner.training_rows(members)
    Xs, ys = learner.X[idx], learner.y[idx]
    who = "{" + ", ".join(learner.names[k] for k in members) + "}"
    caught: dict[str, int] = {}
    first: dict[str, str] = {}
    constant = learner.task == "classification" and len(np.unique(ys)) == 1
    with _one_thread():
        if constant:  # one class: the model that always predicts it, with probability 1
            c = ys[0]
            assert learner.classes is not None
            onehot = (learner.classes == c).astype(np.float64)
            score = _score(learner, lambda X: np.full(len(X), c),
                           lambda X: np.tile(onehot, (len(X), 1)))
        else:
            est = _build(learner)
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                try:
                    est.fit(Xs, ys)
                    proba = None
                    if learner.metric == "log-loss":
                        cols = np.searchsorted(learner.classes, est.classes_)  # type: ignore[arg-type]

                        def proba(X: np.ndarray) -> np.ndarray:
                            P = np.zeros((len(X), len(learner.classes)))  # type: ignore[arg-type]
                            P[:, cols] = est.predict_proba(X)
                            return P
                    score = _score(learner, est.predict, proba)
                except Exception as exc:  # the estimator's own failure: say where, never a number
                    raise InvalidModel(f"training {learner.estimator} on coalition {who} ({len(idx)} rows) "
                                       f"failed: {type(exc).__name__}: {' '.join(str(exc).split())}",
                                       field="value.learn.model") from None
            for w in ws:
                cat = w.category.__name__
                caught[cat] = caught.get(cat, 0) + 1
                first.setdefault(cat, " ".join(str(w.message).split())[:200])
    if not math.isfinite(score):
        raise InvalidModel(f"{learner.metric} of coalition {who} is {score} (not finite)", field="value.learn.scorer")
    return {"score": score, "rows": int(len(idx)), "constant": bool(constant), "warnings": caught,
            "warning_text": first, "seconds": time.perf_counter() - t0}


_controller: list[Any] = []  # per process: threadpoolctl's controller, built once (discovery costs ~10 ms)


def _one_thread() -> Any:
    """BLAS and OpenMP on one thread during a training: the same numbers in every executor, and no
    oversubscription when several workers share the cores."""
    if not _controller:
        import sklearn.base  # noqa: F401 - load scikit-learn's OpenMP runtime before discovery
        from threadpoolctl import ThreadpoolController

        _controller.append(ThreadpoolController())
    return _controller[0].limit(limits=1)


def _train_chunk(learner: Learner, chunk: tuple[tuple[int, ...], ...]) -> list[dict[str, Any]]:
    """Module-level (picklable) task of the executors: a few coalitions, so that shipping the data
    and a scheduler round trip are paid once per chunk, not once per training."""
    return [train_coalition(learner, members) for members in chunk]


#: Coalitions per executor task: enough tasks to balance the workers (at least ``TASKS``), at most
#: ``MAX_CHUNK`` trainings per task.
TASKS, MAX_CHUNK = 32, 16


# --------------------------------------------------------------- the table
@dataclass(frozen=True, eq=False)
class LearnedTable:
    """A learned characteristic function and how it was obtained.

    ``values[m]`` is ``v(S)`` for the bitmask ``m``; ``scores[m]`` the raw metric
    (``nan`` at ``m = 0``, never trained). ``trainings`` ran now, ``cache_hits``
    were read from the cache (disk, or the options' in-memory memo), ``distinct``
    is the number of different training sets among the ``2^n − 1`` coalitions.
    """

    learner: Learner
    values: np.ndarray
    scores: np.ndarray
    trainings: int
    cache_hits: int
    distinct: int
    seconds: float
    where: str
    cache: str | None
    constant_models: int
    warnings: dict[str, int] = field(default_factory=dict)
    warning_text: dict[str, str] = field(default_factory=dict)
    title: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return self.learner.names

    def notes(self) -> list[str]:
        """Readable remarks: the data, warnings raised while training, constant (one-class) models."""
        out = list(self.learner.notes)
        for cat, k in sorted(self.warnings.items()):
            out.append(f"{k} training(s) raised {cat}: {self.warning_text.get(cat, '')}")
        if self.constant_models:
            out.append(f"{self.constant_models} coalition(s) hold one class only: their model predicts it "
                       "with probability 1")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The data, the recipe and the run (``run`` changes between runs: cache hits, seconds)."""
        return {**self.learner.describe(), "coalitions": int(len(self.values) - 1), "distinct_trainings": self.distinct,
                "constant_models": self.constant_models, "notes": self.notes(),
                "run": {"trainings": self.trainings, "cache_hits": self.cache_hits, "seconds": self.seconds,
                        "where": self.where, "cache": self.cache}}


@dataclass(frozen=True)
class ScoreRun:
    """Records of the coalitions asked for, and where they came from."""

    records: list[dict[str, Any]]
    trained: int
    cache_hits: int
    memo_hits: int
    distinct: int


def learn_scores(learner: Learner, coalitions: Sequence[tuple[int, ...]], options: LearnOptions | None = None,
                 memo: dict[str, dict[str, Any]] | None = None) -> ScoreRun:
    """Records for ``coalitions`` (non-empty member tuples): memo, then disk cache, then training.

    Identical training sets (equal keys) are trained once; every new record is
    written to the cache as it arrives (an interrupted run keeps what it
    finished). ``memo`` defaults to ``options.memo`` (or a fresh dict).
    """
    from ..parallel import ExecutorSpec, imap_unordered   # lazy: multiprocessing only for trainings
    opts = options or LearnOptions()
    root = opts.cache_root
    if memo is None:
        memo = opts.memo if opts.memo is not None else {}
    keys = [learner.key(c) for c in coalitions]
    todo: dict[str, tuple[int, ...]] = {}
    hits = memo_hits = 0
    seen: set[str] = set()
    for k, c in zip(keys, coalitions):
        if k in seen:
            continue
        seen.add(k)
        if k in memo:
            memo_hits += 1
            continue
        rec = cache_read(root, k) if root is not None else None
        if rec is not None and isinstance(rec.get("score"), (int, float)) and not isinstance(rec["score"], bool):
            memo[k] = rec
            hits += 1
        else:
            todo[k] = c
    pending = list(todo.items())
    if opts.progress is not None:
        opts.progress(0, len(pending))
    done = 0
    if pending:
        fn = functools.partial(_train_chunk, learner)
        inline = opts.scheduler is None and ExecutorSpec(opts.workers).n_workers == 1
        size = 1 if inline else max(1, min(MAX_CHUNK, len(pending) // TASKS))
        chunks = [pending[i:i + size] for i in range(0, len(pending), size)]
        tasks = [tuple(c for _, c in chunk) for chunk in chunks]
        for i, recs in imap_unordered(fn, tasks, workers=opts.workers, scheduler=opts.scheduler):
            for (k, c), rec in zip(chunks[i], recs):
                memo[k] = rec
                if root is not None:
                    cache_write(root, k, {kk: vv for kk, vv in rec.items() if kk != "seconds"}
                                | {"coalition_size": len(c)})
            done += len(recs)
            if opts.progress is not None:
                opts.progress(done, len(pending))
    return ScoreRun([memo[k] for k in keys], len(pending), hits, memo_hits, len(seen))


def learn_table(learner: Learner, options: LearnOptions | None = None) -> LearnedTable:
    """Train (or read from the cache) every non-empty coalition: the whole ``2^n`` table.

    Examples
    --------
    See the module docstring.
    """
    from ..parallel import ExecutorSpec
    opts = options or LearnOptions()
    n = learner.n
    t0 = time.perf_counter()
    coalitions = [tuple(k for k in range(n) if m >> k & 1) for m in range(1, 1 << n)]
    run = learn_scores(learner, coalitions, opts)
    records = run.records
    scores = np.full(1 << n, np.nan)
    values = np.empty(1 << n)
    values[0] = learner.empty_value()
    warn: dict[str, int] = {}
    text: dict[str, str] = {}
    const = 0
    for m, rec in enumerate(records, start=1):
        scores[m] = float(rec["score"])
        values[m] = learner.value_from_score(scores[m])
        const += bool(rec.get("constant"))
        for cat, k in (rec.get("warnings") or {}).items():
            warn[cat] = warn.get(cat, 0) + int(k)
        for cat, msg in (rec.get("warning_text") or {}).items():
            text.setdefault(cat, str(msg))
    where = ExecutorSpec(opts.workers, opts.scheduler).where
    return LearnedTable(learner, values, scores, run.trained, run.cache_hits + run.memo_hits, run.distinct,
                        time.perf_counter() - t0, where,
                        None if opts.cache_root is None else str(opts.cache_root), const, warn, text)


class LearnedValue:
    """``v`` as a function of coalitions, trained on demand (memo + cache + executor).

    For markets too large to tabulate: Monte Carlo Shapley calls :meth:`batch`
    with the coalitions its sampled permutations visit; each distinct one is
    trained once (in parallel where the options say) and cached.

    Examples
    --------
    >>> from mechsolve.model.schema import parse_model
    >>> m = parse_model({"kind": "cooperative-market", "players": ["a", "b"],
    ...     "value": {"learn": {"builtin": {"name": "sklearn-iris"}, "split": {"by": "iid"},
    ...                         "test": {"holdout": 0.4}, "model": "gaussian-nb"}}})
    >>> f = LearnedValue(learner_for(m))
    >>> f(frozenset()), f(frozenset(["a", "b"])) == f(frozenset(["b", "a"])), f.trainings
    (0.0, True, 1)
    """

    def __init__(self, learner: Learner, options: LearnOptions | None = None) -> None:
        self.learner = learner
        self.options = options or LearnOptions()
        self.memo: dict[str, dict[str, Any]] = self.options.memo if self.options.memo is not None else {}
        self.index = {p: k for k, p in enumerate(learner.names)}
        self.trainings = 0
        self.cache_hits = 0

    def _values(self, coalitions: list[tuple[int, ...]]) -> np.ndarray:
        out = np.empty(len(coalitions))
        nonempty = [c for c in coalitions if c]
        if nonempty:
            run = learn_scores(self.learner, nonempty, self.options, self.memo)
            self.trainings += run.trained
            self.cache_hits += run.cache_hits
            it = iter(run.records)
        for r, c in enumerate(coalitions):
            out[r] = self.learner.value_from_score(float(next(it)["score"])) if c else self.learner.empty_value()
        return out

    def __call__(self, members: frozenset[str]) -> float:
        return float(self._values([tuple(sorted(self.index[p] for p in members))])[0])

    def batch(self, members: np.ndarray) -> np.ndarray:
        """Values of the coalitions given as boolean rows ``(rows, n)``."""
        return self._values([tuple(int(k) for k in np.flatnonzero(row)) for row in members])

    def to_dict(self) -> dict[str, Any]:
        """The data, the recipe and the run so far (as :meth:`LearnedTable.to_dict`, without a table)."""
        from ..parallel import ExecutorSpec
        o = self.options
        return {**self.learner.describe(), "distinct_trainings": len(self.memo), "notes": list(self.learner.notes),
                "run": {"trainings": self.trainings, "cache_hits": self.cache_hits,
                        "where": ExecutorSpec(o.workers, o.scheduler).where,
                        "cache": None if o.cache_root is None else str(o.cache_root)}}


# ------------------------------------------------------------ reading the data
def _label_column(header: list[str] | None, width: int, label: str | int, field: str) -> int:
    if isinstance(label, str):
        if header is None:
            raise InvalidModel(f"label {label!r} names a column, but this file has no header; give a column "
                               "index (e.g. label: -1 for the last column)", field=field)
        if label not in header:
            raise InvalidModel(f"missing the label column {label!r}{did_you_mean(label, header)} "
                               f"(columns: {', '.join(header)})", field=field)
        return header.index(label)
    if not -width <= label < width:
        raise InvalidModel(f"label column {label} is out of range for {width} columns", field=field)
    return label % width


def _read_labelled(files: Resolved, field: str, label: str | int,
                   like: tuple[list[str] | None, int, str] | None) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """Features and labels of one data file (read at load); columns must match ``like`` (header, width, field)."""
    table = files.data(field)
    header, data = table.header, table.rows
    where = f"{field} ({table.file})"
    if data.shape[1] < 2:
        raise InvalidModel(f"needs feature columns and a label column, got {data.shape[1]} column(s)", field=where)
    if like is not None:
        h0, w0, f0 = like
        if h0 is not None and header is not None:
            missing = [c for c in h0 if c not in header]
            extra = [c for c in header if c not in h0]
            if missing:
                raise InvalidModel(f"missing column {missing[0]!r} that {f0} has (columns: {', '.join(header)})",
                                   field=where)
            if extra:
                raise InvalidModel(f"has column {extra[0]!r} that {f0} does not", field=where)
            data = data[:, [header.index(c) for c in h0]]
            header = list(h0)
        elif data.shape[1] != w0:
            raise InvalidModel(f"has {data.shape[1]} columns but {f0} has {w0}", field=where)
    j = _label_column(header, data.shape[1], label, where if like is None else f"value.learn.label")
    X = np.ascontiguousarray(np.delete(data, j, axis=1))
    return X, data[:, j], header


def _labels(y: np.ndarray, task: str, field: str) -> np.ndarray:
    if task == "regression":
        return np.asarray(y, dtype=np.float64)
    bad = np.flatnonzero(y != np.round(y))
    if bad.size:
        raise InvalidModel(f"the label column holds {float(y[bad[0]])!r}, not a class label (labels of a classification "
                           "task are integers; for a regression task set `task: regression` and scorer r2)",
                           field=field)
    return y.astype(np.int64)


def _holdout(y: np.ndarray, share: float, seed: int, stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of ``range(len(y))`` into (train, test); per class when ``stratify``.

    Each class (or the whole set) of ``m`` rows gives ``floor(share·m + 1/2)`` rows
    to the test set, drawn by a permutation of ``default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [np.arange(len(y))]
    test = []
    for g in groups:
        g = rng.permutation(g)
        test.append(g[: int(math.floor(share * len(g) + 0.5))])
    t = np.sort(np.concatenate(test)) if test else np.zeros(0, dtype=np.int64)
    mask = np.ones(len(y), dtype=bool)
    mask[t] = False
    return np.flatnonzero(mask), t


def _split(spec: Any, y: np.ndarray, pool: np.ndarray, owners: list[str]) -> dict[str, np.ndarray]:
    """Rows of the pool per player, as ``split`` says (see :class:`~mechsolve.model.learn.SplitSpec`)."""
    rng = np.random.default_rng(spec.seed)
    field = "value.learn.split"
    for key in ("labels", "shares"):
        given = getattr(spec, key) or {}
        for p in given:
            if p not in owners:
                raise InvalidModel(f"names {p!r}, which is not a player holding data (players: {', '.join(owners)})",
                                   field=f"{field}.{key}")
        missing = [p for p in owners if p not in given]
        if given and missing:
            raise InvalidModel(f"no {key[:-1]} for player {missing[0]!r}", field=f"{field}.{key}")
    if spec.by == "iid":
        parts = np.array_split(rng.permutation(pool), len(owners))
        return {p: np.sort(r) for p, r in zip(owners, parts)}
    if spec.by == "size":
        w = np.array([float(spec.shares[p]) for p in owners])
        exact = w / w.sum() * len(pool)
        counts = np.floor(exact).astype(int)
        left = len(pool) - counts.sum()
        counts[np.argsort(-(exact - counts), kind="stable")[:left]] += 1  # largest remainders
        perm = rng.permutation(pool)
        cuts = np.concatenate([[0], np.cumsum(counts)])
        return {p: np.sort(perm[cuts[k]:cuts[k + 1]]) for k, p in enumerate(owners)}
    present = set(np.unique(y).tolist())
    want: dict[str, set[Any]] = {}
    for p in owners:
        ls = spec.labels[p]
        unknown = [x for x in ls if x not in present]
        if unknown:
            raise InvalidModel(f"label {unknown[0]!r} of {p!r} is not in the dataset (its labels: "
                               f"{', '.join(str(v) for v in sorted(present))})", field=f"{field}.labels[{p!r}]")
        want[p] = set(ls)
    ypool = y[pool]
    if spec.overlap == "shared":
        return {p: pool[np.isin(ypool, list(want[p]))] for p in owners}
    out: dict[str, list[np.ndarray]] = {p: [] for p in owners}
    for c in sorted({c for s in want.values() for c in s}):
        claim = [p for p in owners if c in want[p]]
        rows = rng.permutation(pool[ypool == c])
        for p, part in zip(claim, np.array_split(rows, len(claim))):
            out[p].append(part)
    return {p: np.sort(np.concatenate(v)) for p, v in out.items()}


def learner_for(model: Any) -> Learner:
    """Read and check the data of a ``value: {learn: ...}`` market; the :class:`Learner` that trains it.

    Raises :class:`~mechsolve.errors.InvalidModel` (one line, naming the field) on
    missing columns, a label column that is not a class label, test labels no
    party holds, a player without data, a party with no rows, an unknown or
    invalid estimator parameter.
    """
    spec: LearnSpec = model.value.learn
    if spec is None:
        raise InvalidModel("this market's value is not learned (`value: {learn: ...}`)", field="value.learn")
    files = resolved_of(model)
    names = list(model.players)
    replicas = dict(model.replicas or {})
    owners = [p for p in names if p not in replicas]
    task = spec.resolved_task
    field = "value.learn"
    for r, o in replicas.items():
        listed = (spec.parties or {}).keys() | ((spec.split.labels or {}) if spec.split else {}).keys() | (
            (spec.split.shares or {}) if spec.split else {}).keys()
        if r in listed:
            raise InvalidModel(f"{r!r} is declared a replica of {o!r}: it holds the rows of {o!r} and takes no "
                               "data of its own", field=f"{field}.{'parties' if spec.parties else 'split'}")
    notes: list[str] = []
    if spec.parties is not None:
        unknown = [p for p in spec.parties if p not in names]
        if unknown:
            raise InvalidModel(f"names unknown player {unknown[0]!r}; players are {names}", field=f"{field}.parties")
        missing = [p for p in owners if p not in spec.parties]
        if missing:
            raise InvalidModel(f"no data file for player {missing[0]!r}", field=f"{field}.parties")
        Xs, ys = [], []
        like = None
        for p in owners:
            f = f"{field}.parties[{p!r}]"
            X, y, header = _read_labelled(files, f, spec.label, like)
            if like is None:
                like = (header, X.shape[1] + 1, f)
            Xs.append(X)
            ys.append(_labels(y, task, f))
        if spec.test.file is not None:
            Xt, yt, _ = _read_labelled(files, f"{field}.test.file", spec.label, like)
            yt = _labels(yt, task, f"{field}.test.file")
            parts = Xs, ys
        else:  # hold out a share of every party's rows
            Xt_l, yt_l, kept_X, kept_y = [], [], [], []
            for k, (X, y) in enumerate(zip(Xs, ys)):
                tr, te = _holdout(y, spec.test.holdout, spec.test.seed + k, task == "classification")
                kept_X.append(X[tr])
                kept_y.append(y[tr])
                Xt_l.append(X[te])
                yt_l.append(y[te])
            Xt, yt = np.concatenate(Xt_l), np.concatenate(yt_l)
            parts = kept_X, kept_y
            notes.append(f"test set: {spec.test.holdout:g} of every party's rows held out (seed {spec.test.seed})")
        X = np.concatenate(parts[0])
        y = np.concatenate(parts[1])
        sizes = [len(a) for a in parts[1]]
        cuts = np.concatenate([[0], np.cumsum(sizes)])
        own = {p: np.arange(cuts[k], cuts[k + 1]) for k, p in enumerate(owners)}
    else:
        if spec.builtin is not None:
            from .builtin import builtin_arrays

            X, y, note = builtin_arrays(spec.builtin.name, standardise=spec.builtin.standardise,
                                        pca=spec.builtin.pca, field=f"{field}.builtin")
            y = _labels(np.asarray(y, dtype=np.float64), task, f"{field}.builtin")
            like = (None, X.shape[1] + 1, f"{field}.builtin")
            notes.append(note)
        else:
            assert spec.file is not None
            X, yraw, header = _read_labelled(files, f"{field}.file", spec.label, None)
            y = _labels(yraw, task, f"{field}.file")
            like = (header, X.shape[1] + 1, f"{field}.file")
        if spec.test.file is not None:
            Xt, yt, _ = _read_labelled(files, f"{field}.test.file", spec.label, like)
            yt = _labels(yt, task, f"{field}.test.file")
            pool = np.arange(len(y))
        else:
            pool, te = _holdout(y, spec.test.holdout, spec.test.seed, task == "classification")
            Xt, yt = X[te], y[te]
            notes.append(f"test set: {spec.test.holdout:g} of the rows held out"
                         f"{' per label' if task == 'classification' else ''} (seed {spec.test.seed})")
        assert spec.split is not None
        own = _split(spec.split, y, pool, owners)
    for p in owners:
        if len(own[p]) == 0:
            raise InvalidModel(f"player {p!r} has no rows to train on", field=_rows_field(spec, p))
    if len(yt) == 0:
        raise InvalidModel("the test set has no rows", field=f"{field}.test")
    if X.shape[1] != Xt.shape[1]:
        raise InvalidModel(f"the test set has {Xt.shape[1]} feature columns, the training data {X.shape[1]}",
                           field=f"{field}.test")
    classes = None
    if task == "classification":
        held = np.unique(np.concatenate([y[own[p]] for p in owners]))
        stray = np.setdiff1d(np.unique(yt), held)
        if stray.size:
            raise InvalidModel(f"test labels {stray.tolist()[:6]} appear in no party's training data (the parties "
                               f"hold labels {held.tolist()}); no coalition could learn them", field=f"{field}.test")
        classes = held
    elif float(np.var(yt)) == 0.0:
        raise InvalidModel("the test labels are constant: r2 is undefined", field=f"{field}.test")
    rows = tuple(own[replicas.get(p, p)] for p in names)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    ycol = y.astype(np.float64)[:, None]
    _, first, inverse = np.unique(np.hstack([Xc, ycol]), axis=0, return_index=True, return_inverse=True)
    canon = first[inverse.reshape(-1)].astype(np.int64)
    digests = tuple(_digest(Xc[r], y[r]) for r in rows)
    params = _checked_params(spec.model.name, task, spec.model.params, spec.seed)
    n = len(names)
    if (1 << n) - 1 > spec.max_trainings and not _sampled(model):
        raise Unsupported(f"{(1 << n) - 1} coalitions to train exceed max_trainings = {spec.max_trainings}; raise "
                          "it, or sample: scheme {name: shapley, method: monte-carlo}", field=f"{field}.max_trainings")
    if replicas:
        notes.append("replicas hold their original's rows: " + ", ".join(f"{r} = copy of {o}"
                                                                            for r, o in replicas.items()))
    return Learner(tuple(names), Xc, y, rows, canon, np.ascontiguousarray(Xt, dtype=np.float64), yt, task,
                   classes, spec.model.name, ESTIMATORS[spec.model.name][task], params, spec.model.scale,
                   spec.base_metric, spec.scorer.name == "gain", spec.empty, spec.combine, spec.seed, digests,
                   _digest(Xt, yt), tuple(replicas.items()), tuple(notes))


def _rows_field(spec: LearnSpec, player: str) -> str:
    if spec.parties is not None:
        return f"value.learn.parties[{player!r}]"
    by = spec.split.by if spec.split else "iid"
    return {"label": f"value.learn.split.labels[{player!r}]", "size": f"value.learn.split.shares[{player!r}]"}.get(
        by, "value.learn.split")


def _sampled(model: Any) -> bool:
    s = model.scheme
    return s.name == "shapley" and s.params.get("method") == "monte-carlo"


def learned_game(model: Any, *, options: LearnOptions | None = None,
                 exact: bool = False) -> Any:
    """The game of a ``value: {learn: ...}`` market; ``game.meta["learned"]`` is the :class:`LearnedTable`.

    ``options`` default: :meth:`LearnOptions.from_env` (a cache only where
    ``$MECHSOLVE_CACHE`` points, in this process).
    """
    from ..games.game import Game

    learner = learner_for(model)
    if model.normalised and learner.empty_value() != 0:
        what = f"the empty model's {learner.metric}" if learner.empty == "model" else "declared"
        raise InvalidModel(f"v(∅) = {learner.empty_value():.6g} ({what}) but the market is normalised; declare "
                           "`normalised: false`, use `scorer: gain`, or `empty: 0`", field="value.learn.empty")
    table = learn_table(learner, options if options is not None else LearnOptions.from_env())
    table = dataclasses.replace(table, title=model.name)
    game = Game.from_values(model.players, table.values, allow_nonzero_empty=not model.normalised)
    if exact:
        game = game.to_exact()
    return Game(game.names, game.values, {"learned": table})


__all__ = ["CACHE_ENV", "CACHE_FORMAT", "LearnOptions", "Learner", "LearnedTable", "LearnedValue", "default_cache_dir",
           "ScoreRun", "estimator_class", "learn_scores", "learn_table", "learned_game", "learner_for", "library_versions",
           "train_coalition"]
