"""The command line through click's runner: output, formats, exit codes, help, JSON contract.

Numbers are recomputed from the model's own game (efficiency, individual
rationality witnesses) instead of only compared with stored values; the
published ones cited are the glove game's φ = (2/3, 1/6, 1/6) (Maschler, Solan &
Zamir 2013, Ex. 18.7) and the MNIST table of Nguyen et al. (2022), Sec. 5.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from mechsolve import __version__
from mechsolve.cli import cli
from mechsolve.model.io import load
from mechsolve.data.market import build_game
from mechsolve.report import FORMATS

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
GLOVE = MODELS / "glove-game.yaml"
MNIST = MODELS / "mnist-5-parties.yaml"

#: Top-level keys of `--format json`, as documented in README.md, section "JSON output".
ALWAYS = {"mechsolve", "kind", "model", "players", "exact", "scheme", "allocation", "values", "scalars",
          "matrices", "notes", "exit_code"}
SOMETIMES = {"checks", "properties", "exact_values"}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def run_json(*args: str) -> tuple[Result, dict[str, Any]]:
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return result, json.loads(result.stdout)


def game_of(path: Path, exact: bool = False) -> Any:
    return build_game(load(path), exact=exact)


# ---------------------------------------------------------------- solve
def test_solve_text_report_and_exit_0() -> None:
    result = invoke("solve", GLOVE)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    for needle in ("glove game", "Scheme: shapley", "L", "R1", "R2", "0.666667", "0.166667",
                   "all checked axioms hold", "published-values"):
        assert needle in out, needle


def test_solve_json_is_keyed_by_player_names_and_efficient() -> None:
    result, data = run_json("solve", GLOVE)
    assert result.exit_code == 0 and data["exit_code"] == 0
    assert ALWAYS <= set(data) <= ALWAYS | SOMETIMES
    assert data["mechsolve"] == __version__ and data["kind"] == "cooperative-market"
    assert data["players"] == ["L", "R1", "R2"]
    assert data["scheme"] == {"name": "shapley"} and data["allocation"] == "shapley"
    phi = data["values"]["shapley"]
    assert list(phi) == data["players"]
    game = game_of(GLOVE)
    assert sum(phi.values()) == pytest.approx(game.grand_value, abs=1e-12)  # efficiency, from v
    assert phi["R1"] == pytest.approx(phi["R2"], abs=1e-12)  # R1, R2 symmetric in v
    assert phi["L"] == pytest.approx(2 / 3, abs=1e-12)  # Maschler et al. Ex. 18.7
    checks = data["checks"]
    assert checks["all_hold"] is True and checks["tolerance"] == 1e-9
    assert {v["axiom"] for v in checks["verdicts"]} >= {"efficiency", "symmetry", "published-values"}
    for v in checks["verdicts"]:
        assert set(v) >= {"axiom", "status", "statement", "source", "tolerance", "checked", "worst_margin",
                          "counterexample", "reason", "note"}


def test_solve_exact_gives_fractions() -> None:
    result, data = run_json("solve", GLOVE, "--exact")
    assert data["exact"] is True and result.exit_code == 0
    exact = {p: Fraction(s) for p, s in data["exact_values"]["shapley"].items()}
    assert exact == {"L": Fraction(2, 3), "R1": Fraction(1, 6), "R2": Fraction(1, 6)}
    assert sum(exact.values()) == game_of(GLOVE, exact=True).grand_value  # exact efficiency
    assert data["checks"]["tolerance"] == 0.0


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_every_format_renders_the_players(fmt: str) -> None:
    result = invoke("solve", GLOVE, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert all(p in out for p in ("L", "R1", "R2")) and "0.666667" in out and "0.6666667" not in out
    more = invoke("solve", GLOVE, "--format", fmt, "--digits", "10").stdout
    assert "0.6666666667" in more
    if fmt == "markdown":
        assert out.startswith("# ") and "| player |" in out
    if fmt == "html":
        assert out.lower().startswith("<!doctype html>") and "</html>" in out and "<table" in out


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "glove.json"
    result = invoke("solve", GLOVE, "-f", "json", "-o", out)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr.strip() == f"wrote {out}"
    _, direct = run_json("solve", GLOVE)
    assert json.loads(out.read_text(encoding="utf-8")) == direct
    assert sorted(p.name for p in out.parent.iterdir()) == ["glove.json"]  # no temporary left


def test_scheme_override_and_no_check() -> None:
    result, data = run_json("solve", GLOVE, "--scheme", "shapley", "--no-check")
    assert "checks" not in data and data["exit_code"] == 0 and result.exit_code == 0


def _readme_json_keys() -> set[str]:
    """Every backticked word of README.md's "JSON output" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## JSON output", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", section))


@pytest.mark.parametrize(("args", "extra"), [
    (("solve", GLOVE), ()), (("solve", GLOVE, "--exact"), ()), (("inspect", GLOVE), ()),
    (("solve", MODELS / "chen-market-growth.yaml"), ()), (("inspect", MODELS / "chen-market-growth.yaml"), ()),
], ids=["market", "market-exact", "market-inspect", "mechanism", "mechanism-inspect"])
def test_json_keys_are_documented_in_the_readme(args: tuple[Any, ...], extra: tuple[str, ...]) -> None:
    """README.md, section "JSON output", documents every top-level key of every kind."""
    _, data = run_json(*args)
    undocumented = set(data) - _readme_json_keys()
    assert not undocumented, f"document these keys in README.md 'JSON output': {sorted(undocumented)}"


def test_mechanism_json_is_keyed_by_agent_names() -> None:
    """Chen et al. (2020) Sec. 6.2 market growth: rows keyed by agents; IR recomputed from the rows."""
    result, data = run_json("solve", MODELS / "chen-market-growth.yaml")
    assert result.exit_code == data["exit_code"] == 0
    agents = data["agents"]
    assert set(data["types"]) == set(agents)
    for row in data["profiles"][:50]:
        for key in ("profile", "allocation", "payment", "utility"):
            assert list(row[key]) == agents
        # revenue is the sum of the payments (Chen et al. Def. 6)
        assert row["revenue"] == pytest.approx(sum(row["payment"].values()), abs=1e-9)


# ---------------------------------------------------------------- check
def test_check_violation_exits_1_with_a_witness_recomputed_from_the_game() -> None:
    """Shapley on the MNIST table is not individually rational (Nguyen et al. 2022, Sec. 5)."""
    result, data = run_json("check", MNIST, "--axiom", "individual-rationality")
    assert result.exit_code == 1 and data["exit_code"] == 1
    (verdict,) = data["checks"]["verdicts"]
    assert verdict["status"] == "violated"
    cex = verdict["counterexample"]
    player = cex["witness"]["player"]
    game = game_of(MNIST)
    alone = game.value([player])
    got = data["values"]["shapley"][player]
    assert cex["expected"] == pytest.approx(alone) and cex["got"] == pytest.approx(got)
    assert got < alone and cex["margin"] == pytest.approx(alone - got)
    # and that player is the worst one: no other player falls further below v({i})
    worst = max(game.value([p]) - data["values"]["shapley"][p] for p in game.names)
    assert cex["margin"] == pytest.approx(worst)


def test_check_text_names_the_violation() -> None:
    result = invoke("check", MNIST, "-a", "individual-rationality")
    assert result.exit_code == 1 and result.stderr == ""
    assert "individual-rationality violated at" in result.stdout and "1 axiom(s) violated" in result.stdout


def test_tolerance_option_changes_the_verdict() -> None:
    """The MNIST violation has margin ~0.208; a tolerance of 0.5 accepts it (exit 0)."""
    result, data = run_json("check", MNIST, "-a", "individual-rationality", "--tolerance", "0.5")
    assert result.exit_code == 0 and data["checks"]["tolerance"] == 0.5
    assert data["checks"]["verdicts"][0]["status"] == "holds"


def test_check_repeated_axioms_in_order() -> None:
    _, data = run_json("check", GLOVE, "-a", "efficiency", "-a", "symmetry")
    assert [v["axiom"] for v in data["checks"]["verdicts"]] == ["efficiency", "symmetry"]


# ---------------------------------------------------------------- inspect
def test_inspect_reports_properties_recomputed_from_v() -> None:
    result, data = run_json("inspect", GLOVE)
    assert result.exit_code == 0 and "checks" not in data
    props = data["properties"]
    assert set(props) >= {"normalised", "monotone", "superadditive", "supermodular"}
    game = game_of(GLOVE)
    v = game.value
    # the glove game is monotone and superadditive but not supermodular:
    # v(L,R1) + v(L,R2) = 2 > v(L,R1,R2) + v(L) = 1
    assert props["monotone"]["holds"] is True
    assert props["superadditive"]["holds"] is True
    assert v(["L", "R1"]) + v(["L", "R2"]) > v(["L", "R1", "R2"]) + v(["L"])
    assert props["supermodular"]["holds"] is False and props["supermodular"]["witness"]


def test_inspect_text() -> None:
    result = invoke("inspect", GLOVE)
    assert result.exit_code == 0 and "Game properties" in result.stdout


# ---------------------------------------------------------------- meta commands
def test_schema_is_json_schema_of_every_kind() -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "cooperative-market" in json.dumps(schema)
    one = json.loads(invoke("schema", "cooperative-market").stdout)
    assert {"kind", "players", "value"} <= set(one["properties"]) and "players" in one["required"]


def test_schemes_lists_registered_schemes_with_parameters() -> None:
    from mechsolve.schemes import SCHEMES

    result = invoke("schemes")
    assert result.exit_code == 0
    for s in SCHEMES.values():
        assert re.search(rf"^{re.escape(s.name)}: ", result.stdout, re.M), s.name
    assert "    method: " in result.stdout  # shapley's parameter


def test_axioms_lists_every_registered_axiom() -> None:
    from mechsolve.verify.axioms import AXIOMS

    result = invoke("axioms")
    assert result.exit_code == 0
    listed = {line.split(":")[0] for line in result.stdout.splitlines() if line and not line[0].isspace()}
    assert listed >= set(AXIOMS)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append(prefix + (name,))
        if isinstance(cmd, click.Group):
            out.extend(_all_commands(cmd, prefix + (name,)))
    return out


@pytest.mark.parametrize("path", [()] + _all_commands(cli), ids=lambda p: " ".join(p) or "mechsolve")
def test_help_of_every_command_shows_an_example(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example" in result.stdout, f"`mechsolve {' '.join(path)} --help` shows no example"
    example = result.stdout.split("Example", 1)[1]
    assert "mechsolve" in example


# ---------------------------------------------------------------- errors
def test_internal_error_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (not bad input) still gives one line and exit 2, no traceback."""
    import mechsolve.verify.analysis as analysis

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated\nbug")

    monkeypatch.delenv("MECHSOLVE_DEBUG", raising=False)
    monkeypatch.setitem(analysis.HANDLERS, "cooperative-market", boom)
    result = invoke("solve", GLOVE)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "internal error (RuntimeError: simulated bug)" in result.stderr
    assert "Traceback" not in result.output


def test_bad_input_message_is_one_line_even_with_newlines_in_user_text(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"kind": "cooperative-market", "players": ["a", "b"],
                               "value": {"values": [0, 1, 1, 3]}, "weird\nfield": 1}))
    result = invoke("solve", bad)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and "weird" in result.stderr


# ---------------------------------------------------------------- the two launchers
def _launchers() -> list[list[str]]:
    script = shutil.which("mechsolve")
    if script is None:  # pragma: no cover - console script not installed
        pytest.skip("the `mechsolve` console script is not on PATH")
    return [[sys.executable, str(ROOT / "cli.py")], [script]]


def test_python_cli_py_and_console_script_behave_the_same(tmp_path: Path) -> None:
    """`python cli.py ARGS` == `mechsolve ARGS`: same stdout, stderr and exit code (good and bad input)."""
    bad = ROOT / "tests" / "bad_models" / "duplicate-players.yaml"
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("MECHSOLVE_DEBUG", None)
    seen = []
    for launcher in _launchers():
        good = subprocess.run(launcher + ["solve", str(GLOVE), "-f", "json"], capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=120)
        poor = subprocess.run(launcher + ["check", str(bad)], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=120)
        seen.append((good.returncode, good.stdout, good.stderr, poor.returncode, poor.stdout, poor.stderr))
    assert seen[0] == seen[1]
    rc, out, err, bad_rc, bad_out, bad_err = seen[0]
    assert rc == 0 and err == "" and json.loads(out)["values"]["shapley"]["L"] == pytest.approx(2 / 3)
    assert bad_rc == 2 and bad_out == "" and bad_err.startswith("error: ") and "players[2]" in bad_err
    assert bad_err.count("\n") == 1 and "Traceback" not in bad_err
    # and the in-process runner agrees with the real processes
    assert json.loads(out) == json.loads(invoke("solve", GLOVE, "-f", "json").stdout)


# ---------------------------------------------------------------- hostile input (issue 18)
def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.stdout)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "internal error" not in lines[0], result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("value", ["inf", "nan", "1e309", "-inf"])
def test_tolerance_option_must_be_finite(value: str) -> None:
    """--tolerance inf turned the equal-split scheme's null-player violation into exit 0."""
    line = _one_error_line(invoke("check", MODELS / "user-scheme-equal-split.yaml", "--tolerance", value))
    assert "--tolerance" in line
    assert invoke("check", MODELS / "user-scheme-equal-split.yaml", "--tolerance", "1e300").exit_code in (0, 1)


def test_outputs_under_a_file_or_into_a_fifo_fail_cleanly(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    line = _one_error_line(invoke("solve", GLOVE, "-o", tmp_path / "afile" / "out.json"))
    assert "--output" in line and "a file stands where a folder is needed" in line
    os.mkfifo(tmp_path / "fifo")
    line = _one_error_line(invoke("solve", GLOVE, "-o", tmp_path / "fifo"))
    assert "nothing reads from it" in line and (tmp_path / "fifo").exists()


def test_user_code_needs_allow_code_and_cannot_corrupt_json(tmp_path: Path) -> None:
    (tmp_path / "v.py").write_text("def value(s):\n    print('chatty user code')\n    return len(s) ** 2\n",
                                   encoding="utf-8")
    model = tmp_path / "m.yaml"
    model.write_text("kind: cooperative-market\nplayers: [a, b, c]\nvalue: {callable: v.py:value}\n"
                     "check: [efficiency]\n", encoding="utf-8")
    line = _one_error_line(invoke("solve", model, "--format", "json"))
    assert "v.py is Python code; running it needs --allow-code" in line and "value.callable" in line
    result = invoke("solve", model, "--format", "json", "--allow-code")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)                      # stdout is the report, nothing else
    assert sum(data["values"]["shapley"].values()) == pytest.approx(9.0)   # efficiency: v(N) = 9
    assert "printed output, which is not part of the report" in result.stderr
    assert "chatty user code" in result.stderr            # the first line is quoted in the warning


def test_code_timeout_and_exit_in_user_code(tmp_path: Path) -> None:
    (tmp_path / "v.py").write_text("import sys, time\ndef slow(s):\n    time.sleep(30)\n    return 0\n"
                                   "def bye(s):\n    sys.exit(0)\n", encoding="utf-8")
    for fn, extra, fragment in (("slow", ["--code-timeout", "0.3"], "ran longer than the code timeout"),
                                ("bye", [], "called sys.exit(0)")):
        model = tmp_path / f"{fn}.yaml"
        model.write_text(f"kind: cooperative-market\nplayers: [a, b]\nvalue: {{callable: v.py:{fn}}}\n",
                         encoding="utf-8")
        line = _one_error_line(invoke("solve", model, "--allow-code", *extra))
        assert fragment in line and "v.py" in line


@pytest.mark.parametrize("args", [
    ["verify", "--scheme", "shapley", "--players", "2..100000000000", "--budget", "5"],
    ["verify", "--scheme", "shapley", "--players", "2..10^11", "--budget", "5"],
    ["verify", "--mechanism", "mep", "--agents", "2..100000000000", "--budget", "5"],
    ["verify", "--scheme", "shapley", "--time", "inf"],
    ["boundary", str(MODELS / "chen-market-growth.yaml"), "--alpha", "-1:1:1e-300"],
    ["boundary", str(MODELS / "chen-market-growth.yaml"), "--alpha", "nan"],
    ["boundary", str(MODELS / "chen-market-growth.yaml"), "--alpha", ""],
    ["verify", "--mechanism", "mep", "--alpha-range", "nan", "--budget", "5"],
])
def test_ranges_are_bounded_before_they_are_built(args: list[str]) -> None:
    import time

    t0 = time.perf_counter()
    _one_error_line(invoke(*args))
    assert time.perf_counter() - t0 < 10


def test_verify_exits_2_when_every_instance_raised() -> None:
    """It said no-counterexample-found and exit 0 although nothing was verified."""
    line = _one_error_line(invoke("verify", "--scheme", "nguyen-budget", "--param", "budgets=x", "--budget", "20",
                                  "-a", "balance"))
    assert "nothing was checked" in line and "every one of the 20 instances raised an error" in line


def test_a_missing_optional_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)
    line = _one_error_line(invoke("verify", "--scheme", "shapley", "--budget", "5",
                                  "--scheduler", "tcp://127.0.0.1:1"))
    assert "pip install 'mechsolve[dask]'" in line and "internal error" not in line


def test_misspelt_names_get_close_suggestions_only() -> None:
    line = _one_error_line(invoke("check", GLOVE, "--axiom", "symetry"))
    assert "did you mean `symmetry`" in line and line.count("`") <= 6
    line = _one_error_line(invoke("solve", GLOVE, "--scheme", "shapely"))
    assert "did you mean `shapley`" in line


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into a read-only folder")
def test_output_into_a_read_only_folder_fails_cleanly(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        line = _one_error_line(invoke("solve", GLOVE, "-o", ro / "out.json"))
        assert "--output" in line and "Permission denied" in line
    finally:
        ro.chmod(0o755)


def test_design_with_a_large_epsilon_stays_exact() -> None:
    """ε = 10^6 times the exact vertex's denominator left int64: an internal OverflowError (issue 18)."""
    result = invoke("design", "models/glove-game.yaml", "-a", "epsilon-core", "--epsilon", "1e6", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "found"
