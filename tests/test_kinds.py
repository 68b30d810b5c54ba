"""The model-kind registry: each kind's parts live in their rooms, and a new kind is four files.

``tests/toykind/`` is a kind written as a newcomer would — a spec, an analysis, a search space —
and registered by one entry of :data:`mechsolve.kinds.KINDS`; every command and the Python API
then handle it without another edit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mechsolve.cli.app import cli
from mechsolve.kinds import KINDS, Kind, resolve
from mechsolve.model.schema import MODEL_KINDS, json_schema, parse_model

TOY = Kind("proportional-split", spec="toykind.spec:ProportionalSplit", analyse="toykind.analysis:analyse_split",
           spaces="toykind.space:spaces_from_options", summary="a budget split by weights (test kind)")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_part_lives_in_its_room(name: str) -> None:
    k = KINDS[name]
    assert k.name == name
    assert k.spec.startswith("mechsolve.model.") and resolve(k.spec).model_fields["kind"].annotation.__args__ == (name,)
    assert k.analyse.startswith("mechsolve.verify.") and callable(resolve(k.analyse))
    assert k.spaces is None or (k.spaces.startswith("mechsolve.verify.search.") and callable(resolve(k.spaces)))


def test_resolve_refuses_a_malformed_reference() -> None:
    with pytest.raises(ValueError, match="module:attribute"):
        resolve("mechsolve.kinds")


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The toy kind registered (one entry), and a model file of it whose `equal` rule pays a weight-0 player."""
    monkeypatch.setitem(KINDS, TOY.name, TOY)
    path = tmp_path / "split.yaml"
    path.write_text(yaml.safe_dump({"kind": "proportional-split", "name": "toy", "players": ["a", "b", "c"],
                                    "weights": [2, 1, 0], "budget": 6, "rule": "equal"}), encoding="utf-8")
    return path


def test_a_registered_kind_validates_and_publishes_its_schema(toy: Path) -> None:
    assert "proportional-split" in MODEL_KINDS
    m = parse_model({"kind": "proportional-split", "players": ["a"], "weights": [1], "budget": 1})
    assert type(m).__name__ == "ProportionalSplit"
    union = json.dumps(json_schema())
    assert "ProportionalSplit" in union and "CooperativeMarket" in union
    r = CliRunner().invoke(cli, ["schema", "proportional-split"])
    assert r.exit_code == 0 and json.loads(r.output)["title"] == "ProportionalSplit", r.output
    listed = CliRunner().invoke(cli, ["kinds"]).output
    assert "proportional-split: a budget split by weights" in listed
    bad = toy.with_name("bad.yaml")
    bad.write_text("kind: proportional-split\nplayers: [a]\nweights: [-1]\nbudget: 1\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["solve", str(bad)])
    assert r.exit_code == 2 and "weights" in r.output and "Traceback" not in r.output


def test_solve_and_check_run_a_new_kind(toy: Path) -> None:
    r = CliRunner().invoke(cli, ["solve", str(toy), "--format", "json"])
    assert r.exit_code == 1, r.output                     # the equal rule pays the weight-0 player
    data = json.loads(r.output)
    assert data["status"] == "violated" and data["exit_code"] == 1
    assert data["payments"] == {"a": 2.0, "b": 2.0, "c": 2.0}
    verdicts = {v["axiom"]: v["status"] for v in data["checks"]}
    assert verdicts == {"split-balance": "holds", "split-null": "violated", "split-monotone": "holds"}
    text = CliRunner().invoke(cli, ["check", str(toy), "-a", "split-balance"])
    assert text.exit_code == 0 and "split-balance" in text.output and "holds" in text.output
    fair = toy.with_name("fair.yaml")
    fair.write_text(toy.read_text(encoding="utf-8").replace("rule: equal", "rule: proportional"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(fair)])
    assert r.exit_code == 0, r.output
    assert "mechsolve — toy" in CliRunner().invoke(cli, ["solve", str(toy)]).output


def test_the_python_api_runs_a_new_kind(toy: Path) -> None:
    import mechsolve as ms

    res = ms.solve(ms.load(toy))
    assert str(res.status) == "violated" and [float(x) for x in res.pay] == [2.0, 2.0, 2.0]
    assert res.checks["split-null"].witness == {"player": "c"}


def test_verify_searches_a_new_kinds_space_and_writes_a_reproducing_model(toy: Path) -> None:
    cx = toy.with_name("cx.yaml")
    args = ["verify", "--kind", "proportional-split", "--option", "rule=equal", "-a", "split-null", "--budget", "50",
            "--write-counterexample", str(cx), "--format", "json"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1, r.output
    data = json.loads(r.output[r.output.index("{"):])
    res = data["results"][0]
    assert res["status"] == "violated" and data["reproduced"]["split-null"].startswith("checked: exits 1")
    written = yaml.safe_load(cx.read_text(encoding="utf-8"))
    assert written["kind"] == "proportional-split" and 0 in written["weights"]
    assert len(written["weights"]) <= 2                   # shrunk: a weight-0 player and at most one other
    ok = CliRunner().invoke(cli, ["verify", "--kind", "proportional-split", "-a", "split-null", "--budget", "50"])
    assert ok.exit_code == 0 and "no-counterexample-found" in ok.output
    typo = CliRunner().invoke(cli, ["verify", "--kind", "proportional-split", "--option", "rul=equal"])
    assert typo.exit_code == 2 and "rul" in typo.output


def test_verify_kind_refuses_options_of_other_kinds_and_unknown_kinds() -> None:
    r = CliRunner().invoke(cli, ["verify", "--kind", "mechanism-design", "--scheme", "shapley"])
    assert r.exit_code == 2 and "--option" in r.output
    r = CliRunner().invoke(cli, ["verify", "--kind", "no-such-kind"])
    assert r.exit_code == 2 and "unknown kind" in r.output
    r = CliRunner().invoke(cli, ["verify", "--option", "agents=2"])
    assert r.exit_code == 2 and "--kind" in r.output


def test_verify_kind_equals_the_dedicated_flags() -> None:
    """`--kind mechanism-design --option ...` and `--mechanism ...` build the same search."""
    a = CliRunner().invoke(cli, ["verify", "--mechanism", "max-payment", "-a", "weak-budget-balance", "--agents", "2",
                                 "--valuation", "market-growth", "--alpha-range", "-0.9", "--budget", "20",
                                 "--format", "json"])
    b = CliRunner().invoke(cli, ["verify", "--kind", "mechanism-design", "--option", "mechanism=max-payment",
                                 "-a", "weak-budget-balance", "--option", "agents=2", "--option",
                                 "valuation=market-growth", "--option", "alpha-range=-0.9", "--budget", "20",
                                 "--format", "json"])
    assert a.exit_code == b.exit_code == 1

    def strip(out: str) -> object:
        def drop(x: object) -> object:        # the timings differ, nothing else may
            if isinstance(x, dict):
                return {k: drop(v) for k, v in x.items() if k != "seconds"}
            return [drop(v) for v in x] if isinstance(x, list) else x

        return drop(json.loads(out[out.index("{"):]))

    assert strip(a.output) == strip(b.output)
    c = CliRunner().invoke(cli, ["verify", "--kind", "cooperative-market", "--option", "scheme=shapley",
                                 "--option", "players=3", "-a", "efficiency", "--budget", "30", "--format", "json"])
    d = CliRunner().invoke(cli, ["verify", "--scheme", "shapley", "--players", "3", "-a", "efficiency",
                                 "--budget", "30", "--format", "json"])
    assert c.exit_code == d.exit_code == 0 and strip(c.output) == strip(d.output)


def test_a_new_kinds_files_are_read_at_load_from_its_references(toy: Path) -> None:
    """The toy spec names a weights file in `references()`; io reads it at load, so deleting it after
    load changes nothing, and a missing one is one line naming the field."""
    import mechsolve as ms

    (toy.parent / "w.csv").write_text("weight\n2\n1\n0\n", encoding="utf-8")
    path = toy.with_name("from-file.yaml")
    path.write_text("kind: proportional-split\nplayers: [a, b, c]\nweights_file: w.csv\nbudget: 6\nrule: equal\n",
                    encoding="utf-8")
    model = ms.load(path)
    (toy.parent / "w.csv").unlink()
    res = ms.solve(model)
    assert str(res.status) == "violated" and res.checks["split-null"].witness == {"player": "c"}
    r = CliRunner().invoke(cli, ["solve", str(path)])
    assert r.exit_code == 2 and r.output.startswith("error: weights_file:") and r.output.count("\n") == 1, r.output
