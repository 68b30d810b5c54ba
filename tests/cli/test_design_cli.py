"""`mechsolve design` end to end: exit codes, JSON, the written rule that `check` re-runs, stability schemes."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from mechsolve.cli import cli
from mechsolve.solvers.certificates import Constraint, verify_farkas

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _recheck(cert: dict) -> Fraction:
    """Rebuild the certificate from its JSON and verify it exactly, independently of the run."""
    names = sorted({v for r in cert["rows"] for v in r["coefficients"]})
    col = {v: k for k, v in enumerate(names)}
    rows = [Constraint(r["name"], {col[v]: Fraction(c) for v, c in r["coefficients"].items()}, r["sense"],
                       Fraction(r["rhs"])) for r in cert["rows"]]
    return verify_farkas(rows, [Fraction(r["multiplier"]) for r in cert["rows"]], len(names))


def test_design_beyond_the_boundary_prints_a_verified_proof():
    res = invoke("design", MODELS / "chen-market-growth-beyond-boundary.yaml")
    assert res.exit_code == 1
    assert "WBB at (0, 2)" in res.stdout and "IC of b: 2 → 1 at (0, 2)" in res.stdout
    res = invoke("design", MODELS / "chen-market-growth-beyond-boundary.yaml", "--format", "json")
    data = json.loads(res.stdout)
    assert data["status"] == "infeasible" and data["exit_code"] == 1 and data["rule"] is None
    assert data["certificate"]["verified_exactly"] and _recheck(data["certificate"]) == Fraction(
        data["certificate"]["bound"])


def test_design_writes_a_rule_that_check_confirms(tmp_path):
    out = tmp_path / "sub" / "rule.yaml"
    res = invoke("design", MODELS / "chen-linear-cooperative.yaml", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert out.exists()
    chk = invoke("check", out, "--format", "json")
    data = json.loads(chk.stdout)
    assert chk.exit_code == 0 and data["exact"] and data["checks"]["all_hold"]
    # market: the written model finds its value file from another folder
    out2 = tmp_path / "elsewhere" / "glove.yaml"
    res = invoke("design", MODELS / "glove-game.yaml", "-o", out2, "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["rule"]["vector"] == {"L": "1", "R1": "0", "R2": "0"}   # exact values: "p/q" strings
    assert invoke("check", out2).exit_code == 0


def test_design_on_the_real_table_proves_the_core_empty():
    res = invoke("design", MODELS / "mnist-5-parties.yaml", "-a", "efficiency", "-a", "individual-rationality",
                 "-a", "core", "--format", "json")
    data = json.loads(res.stdout)
    assert res.exit_code == 1 and data["certificate"]["irreducible"]
    assert _recheck(data["certificate"]) > 0


def test_design_bad_input_exits_2_with_one_line():
    res = invoke("design", MODELS / "glove-game.yaml", "-a", "additivity")
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "design.axioms" in res.stderr
    res = invoke("design", MODELS / "chen-market-growth.yaml", "--objective", "max-min-utility", "-a", "ic",
                 "-a", "ir")
    assert res.exit_code == 2 and "unbounded" in res.stderr


def test_stability_schemes_through_solve_compare_and_check():
    res = invoke("check", MODELS / "glove-game.yaml", "--scheme", "nucleolus", "--exact", "-a", "efficiency",
                 "-a", "core", "--format", "json")
    data = json.loads(res.stdout)
    assert data["scheme"]["name"] == "nucleolus" and res.exit_code == 0
    assert data["exact_values"]["nucleolus"] == {"L": "1", "R1": "0", "R2": "0"}   # the glove game's core point
    res = invoke("check", MODELS / "mnist-5-parties.yaml", "--scheme", "least-core", "-a", "core", "-a",
                 "epsilon-core")
    assert res.exit_code == 1 and "Bondareva" in res.stdout
    res = invoke("compare", MODELS / "glove-game.yaml", "-s", "shapley,nucleolus,least-core")
    assert res.exit_code == 0
