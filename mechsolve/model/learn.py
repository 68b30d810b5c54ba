"""``value: {learn: ...}`` — coalition values by training a model on the union of the members' data.

The value of a coalition ``S`` is the test score of a scikit-learn estimator
trained on ``D_S = ⊕_{i∈S} D_i`` (the members' rows, concatenated), as Nguyen et al. (2022, Sec. 2 and 5: ``v(C) = ν s(C)``, ``s`` the
validation accuracy, ``s(∅) = 0``) and Ohrimenko et al. (2019, Sec. 2 and 4.1:
``G(V, M(⊕_{k∈S} X_k))``) value coalitions.

Example (YAML)::

    value:
      learn:
        builtin: {name: sklearn-digits}             # or `file:` (one dataset) or `parties:` (a file each)
        split:                                      # how the dataset is shared among the players
          by: label                                 # Nguyen et al. Sec. 5: parties own digit ranges
          labels: {"digits [0]": [0], "digits [1-2]": [1, 2], "digits [0-3]": [0, 1, 2, 3]}
        test: {holdout: 0.3, seed: 0}               # or {file: data/test.csv}
        model: {name: logistic-regression, params: {max_iter: 1000}, scale: standard}
        scorer: accuracy                            # log-loss (negated), r2, gain (over the empty model)
        empty: 0                                    # v(∅): 0 (the papers), `model`, or a number
        seed: 0

Only registered estimator names are accepted (:data:`ESTIMATORS`): the model
file never names a module to import. This module imports neither scikit-learn
nor :mod:`.common`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

Task = Literal["classification", "regression"]

#: Registered estimators: name → {task: "module:Class"}. Only these are ever imported.
ESTIMATORS: dict[str, dict[str, str]] = {
    "logistic-regression": {"classification": "sklearn.linear_model:LogisticRegression"},
    "linear-regression": {"regression": "sklearn.linear_model:LinearRegression"},
    "ridge": {"classification": "sklearn.linear_model:RidgeClassifier",
              "regression": "sklearn.linear_model:Ridge"},
    "knn": {"classification": "sklearn.neighbors:KNeighborsClassifier",
            "regression": "sklearn.neighbors:KNeighborsRegressor"},
    "gaussian-nb": {"classification": "sklearn.naive_bayes:GaussianNB"},
    "decision-tree": {"classification": "sklearn.tree:DecisionTreeClassifier",
                      "regression": "sklearn.tree:DecisionTreeRegressor"},
    "random-forest": {"classification": "sklearn.ensemble:RandomForestClassifier",
                      "regression": "sklearn.ensemble:RandomForestRegressor"},
    "gradient-boosting": {"classification": "sklearn.ensemble:HistGradientBoostingClassifier",
                          "regression": "sklearn.ensemble:HistGradientBoostingRegressor"},
    "mlp": {"classification": "sklearn.neural_network:MLPClassifier",
            "regression": "sklearn.neural_network:MLPRegressor"},
    "svm": {"classification": "sklearn.svm:SVC", "regression": "sklearn.svm:SVR"},
}

#: Classifiers without ``predict_proba`` (``log-loss`` cannot score them); ``svm`` has it with
#: ``params: {probability: true}``.
NO_PROBABILITIES = {"ridge", "svm"}

#: Scorers: name → the task it scores (``gain`` scores either, through its base metric).
SCORERS: dict[str, Task | None] = {"accuracy": "classification", "log-loss": "classification",
                                   "r2": "regression", "gain": None}

#: Bundled datasets (scikit-learn, no network): name → task.
BUILTIN_DATASETS: dict[str, Task] = {"sklearn-digits": "classification", "sklearn-iris": "classification",
                                     "sklearn-wine": "classification",
                                     "sklearn-breast-cancer": "classification",
                                     "sklearn-diabetes": "regression"}


def did_you_mean(name: str, valid: list[str] | tuple[str, ...] | Any) -> str:
    """``"; did you mean 'x'?"`` for the closest valid name, or ``""``.

    Examples
    --------
    >>> did_you_mean("logistic-regresion", list(ESTIMATORS))
    "; did you mean 'logistic-regression'?"
    >>> did_you_mean("zzz", ["a"])
    ''
    """
    import difflib                  # lazy: only an unknown name needs it (start-up of every command)

    close = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _json_scalar(value: Any, where: str) -> Any:
    """Estimator parameters are plain data: numbers, strings, booleans, null or lists of them."""
    if isinstance(value, list):
        return [_json_scalar(v, where) for v in value]
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} must be finite, got {value!r}")
        return value
    raise ValueError(f"{where} must be a number, string, boolean, null or a list of them, got "
                     f"{type(value).__name__}")


class EstimatorSpec(_Frozen):
    """A registered estimator, its parameters, and optional feature scaling.

    ``params`` are passed to the scikit-learn constructor; names and values are
    checked against the estimator when the data is read. ``random_state`` is
    set to the learner's ``seed`` unless given. ``scale`` standardises
    (``standard``) or min–max scales (``minmax``) the features, fitted on each
    coalition's own training rows (a scikit-learn ``Pipeline``).
    """

    name: str = Field(description=f"one of: {', '.join(ESTIMATORS)}")
    params: dict[str, Any] = Field(default_factory=dict, description="constructor parameters")
    scale: Literal["none", "standard", "minmax"] = Field(default="none", description="feature scaling per coalition")

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in ESTIMATORS:
            raise ValueError(f"unknown estimator {v!r}{did_you_mean(v, list(ESTIMATORS))} "
                             f"(valid: {', '.join(ESTIMATORS)})")
        return v

    @field_validator("params")
    @classmethod
    def _plain(cls, v: dict[str, Any]) -> dict[str, Any]:
        return {str(k): _json_scalar(x, f"params[{k!r}]") for k, x in v.items()}


class ScorerSpec(_Frozen):
    """The test score ``s(S)``: ``accuracy``, ``log-loss`` (negated, so higher is better), ``r2``,
    or ``gain``: the base metric ``of`` minus its empty-model score, ``s(S) − s(∅)``."""

    name: Literal["accuracy", "log-loss", "r2", "gain"] = "accuracy"
    of: Literal["accuracy", "log-loss", "r2"] | None = Field(
        default=None, description="base metric of `gain` (default: accuracy, or r2 for regression)")

    @model_validator(mode="after")
    def _of(self) -> "ScorerSpec":
        if self.of is not None and self.name != "gain":
            raise ValueError(f"`of` is the base metric of `gain`; scorer {self.name!r} takes none")
        return self


class EvalSetSpec(_Frozen):
    """The common test set: a file, or rows held out (stratified by label for classification)."""

    file: str | None = Field(default=None, description="CSV/NPY with the same columns as the training data")
    holdout: float | None = Field(default=None, gt=0, lt=1, description="share of rows held out for testing")
    seed: int = Field(default=0, description="seed of the held-out draw")

    @model_validator(mode="after")
    def _one(self) -> "EvalSetSpec":
        if (self.file is None) == (self.holdout is None):
            raise ValueError("give exactly one of `file` and `holdout`")
        return self


class LearnBuiltin(_Frozen):
    """A dataset bundled in scikit-learn (no network), with the preprocessing of the dataset markets."""

    name: Literal["sklearn-digits", "sklearn-iris", "sklearn-wine", "sklearn-breast-cancer",
                  "sklearn-diabetes"]
    standardise: bool = Field(default=False, description="zero mean, unit variance over the whole dataset")
    pca: int | None = Field(default=None, gt=0, description="project onto this many principal components")


class SplitSpec(_Frozen):
    """How one dataset is shared among the players.

    * ``iid``: shuffled rows dealt in equal shares;
    * ``size``: shuffled rows dealt in the relative ``shares`` given per player;
    * ``label``: each player owns the rows whose label is in ``labels[player]``
      (Nguyen et al. 2022, Sec. 5: MNIST parties [0], [1-2], [0-3], [3-5], [6-9]). With
      ``overlap: shared`` (their code) players with a common label each hold every
      training row of it; with ``disjoint`` those rows are dealt out among them.
    """

    by: Literal["iid", "size", "label"]
    labels: dict[str, list[int | float]] | None = Field(default=None, description="player → its labels")
    shares: dict[str, float] | None = Field(default=None, description="player → relative size (by: size)")
    overlap: Literal["shared", "disjoint"] = "shared"
    seed: int = 0

    @model_validator(mode="after")
    def _fields(self) -> "SplitSpec":
        if self.by == "label":
            if not self.labels:
                raise ValueError("`by: label` needs `labels: {player: [labels...]}`")
            for p, ls in self.labels.items():
                if not ls:
                    raise ValueError(f"labels[{p!r}] is empty: the party would have no rows")
        elif self.labels is not None:
            raise ValueError(f"`labels` belongs to `by: label`, not `by: {self.by}`")
        if self.by == "size":
            if not self.shares:
                raise ValueError("`by: size` needs `shares: {player: relative size}`")
            for p, s in self.shares.items():
                if isinstance(s, bool) or not (math.isfinite(s) and s > 0):
                    raise ValueError(f"shares[{p!r}] must be a positive number, got {s!r}")
        elif self.shares is not None:
            raise ValueError(f"`shares` belongs to `by: size`, not `by: {self.by}`")
        return self


class LearnSpec(_Frozen):
    """Data, test set, estimator, scorer and ``v(∅)`` of a learned characteristic function.

    Exactly one data source: ``parties`` (a CSV/NPY file per player, the label
    in column ``label``), ``file`` (one dataset split among the players by
    ``split``) or ``builtin`` (a bundled scikit-learn dataset, split by ``split``).
    Players declared as ``replicas`` of another player in the market hold a copy
    of their original's rows and take no data of their own.
    """

    parties: dict[str, str] | None = Field(default=None, description="player → CSV/NPY file (one row per example)")
    file: str | None = Field(default=None, description="one CSV/NPY dataset, shared out by `split`")
    builtin: LearnBuiltin | None = Field(default=None, description="a bundled scikit-learn dataset")
    label: str | int = Field(default=-1, description="label column: a CSV header name or a column index")
    split: SplitSpec | None = Field(default=None, description="how `file`/`builtin` is shared among the players")
    test: EvalSetSpec
    task: Task | None = Field(default=None, description="classification or regression (default: from the scorer)")
    model: EstimatorSpec
    scorer: ScorerSpec = Field(default_factory=ScorerSpec)
    empty: float | Literal["model"] = Field(
        default=0.0, description="v(∅): 0 (Nguyen et al. s(∅) = 0), `model` (the empty model's score) or a number")
    combine: Literal["concatenate", "union"] = Field(
        default="concatenate", description="D_S: members' rows concatenated (duplicates kept), or their set union")
    seed: int = Field(default=0, description="random_state of every training (the same for every coalition)")
    max_trainings: int = Field(default=2**16, gt=0, description="refuse to tabulate more coalitions than this")

    @field_validator("model", mode="before")
    @classmethod
    def _model_shorthand(cls, v: Any) -> Any:
        return {"name": v} if isinstance(v, str) else v

    @field_validator("scorer", mode="before")
    @classmethod
    def _scorer_shorthand(cls, v: Any) -> Any:
        return {"name": v} if isinstance(v, str) else v

    @field_validator("scorer")
    @classmethod
    def _fits(cls, v: ScorerSpec, info: ValidationInfo) -> ScorerSpec:
        """The scorer fits the task and the estimator (checked here so the error names `scorer`)."""
        model = info.data.get("model")
        if model is None:  # the estimator was invalid: reported under `model`
            return v
        declared = info.data.get("task")
        metric = v.of if v.name == "gain" and v.of else v.name
        task = declared or SCORERS.get(metric) or (
            next(iter(ESTIMATORS[model.name])) if len(ESTIMATORS[model.name]) == 1 else "classification")
        if v.name == "gain" and not v.of:
            metric = "r2" if task == "regression" else "accuracy"
        if SCORERS[metric] != task:
            raise ValueError(f"{metric} scores a {SCORERS[metric]} task, but `task` is {task}")
        if task not in ESTIMATORS[model.name]:
            kind = "classifier" if "classification" in ESTIMATORS[model.name] else "regressor"
            raise ValueError(f"{metric} scores a {task} task, but estimator {model.name!r} is a {kind}")
        if metric == "log-loss" and model.name in NO_PROBABILITIES and not (
                model.name == "svm" and model.params.get("probability") is True):
            raise ValueError(f"log-loss needs predicted probabilities; estimator {model.name!r} gives none"
                             + (" (set params: {probability: true})" if model.name == "svm" else ""))
        return v

    @field_validator("empty", mode="before")
    @classmethod
    def _empty(cls, v: Any) -> Any:
        if isinstance(v, bool) or (isinstance(v, (int, float)) and not math.isfinite(v)):
            raise ValueError(f"empty must be a finite number or `model`, got {v!r}")
        return v

    @field_validator("label")
    @classmethod
    def _label(cls, v: Any) -> Any:
        if isinstance(v, str) and not v:
            raise ValueError("label must name a column (a header name or an index)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "LearnSpec":
        given = [k for k in ("parties", "file", "builtin") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one data source: `parties`, `file` or `builtin`"
                             + (f" (got {', '.join(given)})" if given else ""))
        if self.parties is not None and self.split is not None:
            raise ValueError("`split` shares out one dataset (`file` or `builtin`); `parties` are already split")
        if self.parties is None and self.split is None:
            raise ValueError(f"`{given[0]}` is one dataset: say how it is shared with `split: {{by: iid}}` "
                             "(or size, label)")
        task = self.resolved_task
        if self.builtin is not None and BUILTIN_DATASETS[self.builtin.name] != task:
            raise ValueError(f"{self.builtin.name} is a {BUILTIN_DATASETS[self.builtin.name]} dataset, but "
                             f"the scorer/estimator make this a {task} task")
        if self.split is not None and self.split.by == "label" and task == "regression":
            raise ValueError("`split: {by: label}` needs class labels; this is a regression task")
        return self

    @property
    def resolved_task(self) -> Task:
        """``task`` if given, else the scorer's, else the estimator's only one, else the dataset's."""
        if self.task is not None:
            return self.task
        s = SCORERS[self.scorer.name] or (SCORERS[self.scorer.of] if self.scorer.of else None)
        if s is not None:
            return s
        tasks = ESTIMATORS.get(self.model.name, {})
        if len(tasks) == 1:
            return next(iter(tasks))  # type: ignore[return-value]
        if self.builtin is not None:
            return BUILTIN_DATASETS[self.builtin.name]
        return "classification"

    @property
    def base_metric(self) -> str:
        """The metric that is trained for: the scorer, or the base metric of ``gain``."""
        if self.scorer.name != "gain":
            return self.scorer.name
        if self.scorer.of is not None:
            return self.scorer.of
        return "r2" if self.resolved_task == "regression" else "accuracy"


__all__ = ["ESTIMATORS", "SCORERS", "BUILTIN_DATASETS", "NO_PROBABILITIES", "EstimatorSpec", "ScorerSpec",
           "EvalSetSpec", "LearnBuiltin", "SplitSpec", "LearnSpec", "did_you_mean"]
