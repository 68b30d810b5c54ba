"""`mechsolve learn` and the learned-value options of solve/check/inspect/compare/report (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("sklearn")

from mechsolve.cli import cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"

IRIS = {"kind": "cooperative-market", "name": "iris-3", "players": ["a", "b", "c"],
        "value": {"learn": {"builtin": {"name": "sklearn-iris"}, "split": {"by": "size", "shares": {"a": 1, "b": 2, "c": 3}},
                            "test": {"holdout": 0.3, "seed": 1}, "model": "gaussian-nb"}},
        "scheme": "nguyen-payoff", "check": ["balance"]}


def run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture()
def iris_model(tmp_path: Path) -> Path:
    p = tmp_path / "iris.yaml"
    p.write_text(yaml.safe_dump(IRIS))
    return p


def test_learn_writes_a_value_file_that_rechecks_without_training(iris_model: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    table = tmp_path / "out" / "iris.json"
    r = run("learn", str(iris_model), "-o", str(table), "--cache", str(cache), "-f", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["learned"]["run"]["trainings"] == 7 and d["learned"]["run"]["cache_hits"] == 0
    written = json.loads(table.read_text())
    assert written["players"] == ["a", "b", "c"] and written["values"] == d["values"]
    assert written["learned"]["estimator"] == "gaussian-nb"
    # the same market with `value: {file: ...}` gives the same payoffs, bit for bit
    from_file = {**IRIS, "value": {"file": str(table)}}
    fm = tmp_path / "from-file.yaml"
    fm.write_text(yaml.safe_dump(from_file))
    a = json.loads(run("solve", str(iris_model), "-f", "json", "--cache", str(cache)).stdout)
    b = json.loads(run("solve", str(fm), "-f", "json").stdout)
    assert a["values"] == b["values"] and "learned" in a and "learned" not in b
    assert a["learned"]["run"]["trainings"] == 0 and a["learned"]["run"]["cache_hits"] == 7
    npy = tmp_path / "iris.npy"
    assert run("learn", str(iris_model), "-o", str(npy), "--cache", str(cache)).exit_code == 0
    assert np.load(npy).tolist() == d["values"]


def test_no_cache_writes_nothing_and_conflicts_with_cache(iris_model: Path, tmp_path: Path) -> None:
    cache = tmp_path / "env-cache"
    r = run("solve", str(iris_model), "--no-cache", env={"MECHSOLVE_CACHE": str(cache)})
    assert r.exit_code == 0 and not cache.exists()
    r = run("solve", str(iris_model), env={"MECHSOLVE_CACHE": str(cache)})
    assert r.exit_code == 0 and len(list((cache / "learn").rglob("*.json"))) == 7   # the CLI caches by default
    r = run("learn", str(iris_model), "--cache", str(cache), "--no-cache")
    assert r.exit_code == 2 and r.stderr.startswith("error: --cache: give --cache DIR or --no-cache")


def test_workers_give_the_same_report(iris_model: Path) -> None:
    one = json.loads(run("check", str(iris_model), "-f", "json", "--no-cache").stdout)
    two = json.loads(run("check", str(iris_model), "-f", "json", "--no-cache", "--workers", "2").stdout)
    assert one["values"] == two["values"] and one["checks"] == two["checks"]
    assert two["learned"]["run"]["where"] == "2 local processes"


def test_learn_refuses_an_unknown_table_format(iris_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.txt"
    r = run("learn", str(iris_model), "-o", str(out), "--no-cache")
    assert r.exit_code == 2 and "use .json or .npy" in r.stderr and not out.exists()


def test_compare_and_report_train_once(iris_model: Path, tmp_path: Path) -> None:
    r = run("compare", str(iris_model), "-s", "shapley,nguyen-payoff,ohrimenko-single", "-f", "json", "--no-cache")
    assert r.exit_code in (0, 1) and r.stderr == "", r.output      # exit 1: a scheme's own axiom fails here
    assert json.loads(r.stdout)["schemes"]
    r = run("report", str(iris_model), "-f", "json", "--no-cache")
    assert r.exit_code in (0, 1) and r.stderr == "", r.output
    d = json.loads(r.stdout)
    assert d["model"]["learned"]["run"]["trainings"] == 7
    assert all(o["learned"]["run"]["trainings"] == 0 for o in d["other_schemes"].values())


def test_bundled_digits_learn_and_inspect() -> None:
    r = run("learn", str(MODELS / "learn-digits-5-parties.yaml"), "-f", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["learned"]["distinct_trainings"] == 31 and len(d["values"]) == 32
    assert d["learned"]["rows"]["digits [0-3]"] > d["learned"]["rows"]["digits [0]"]
    r = run("inspect", str(MODELS / "learn-digits-5-parties.yaml"), "-f", "json")
    props = json.loads(r.stdout)["properties"]
    assert props["superadditive"]["holds"] is False and props["normalised"]["holds"] is True
