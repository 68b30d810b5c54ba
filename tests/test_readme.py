"""The README is true to the letter: every `$ mechsolve …` line of its console blocks runs with the exit
code its comment states, and the numbers it quotes are the ones the commands print.

Every command line in a ```console block carries ``exit N`` in its comment (``python benchmarks/…``
lines are benchmarks and are not run). The commands run in order, in one scratch folder that
links ``models/`` (so files one command writes, such as ``cx.yaml``, are there for the next).
The quoted numbers are tested by :data:`QUOTES`: each names a README phrase (which must still
be in the README) and recomputes it from a command's JSON output.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mechsolve.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_commands(text: str) -> list[tuple[str, int, str]]:
    """``(command, expected exit code, comment)`` for every ``$ mechsolve`` line of the console blocks."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.splitlines()
        k = 0
        while k < len(lines):
            line = lines[k]
            k += 1
            if not line.startswith("$ "):
                continue
            while line.rstrip().endswith("\\") or (k < len(lines) and lines[k].startswith("    ")
                                                   and not lines[k].startswith("$")):
                line = line.rstrip().rstrip("\\") + " " + lines[k].strip()
                k += 1
            # a comment starts at " #" outside quotes
            cmd, comment = _split_comment(line[2:])
            for part in cmd.split(" ; "):
                if part.strip().startswith("mechsolve"):
                    m = re.search(r"\bexit (\d)", comment)
                    out.append((part.strip(), int(m.group(1)) if m else -1, comment))
    return out


def _split_comment(line: str) -> tuple[str, str]:
    quote = None
    for i, ch in enumerate(line):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None and (i == 0 or line[i - 1] == " "):
            return line[:i].strip(), line[i + 1:].strip()
    return line.strip(), ""


COMMANDS = console_commands(README)
#: Each distinct command once, in README order (a repeated example is the same run).
DISTINCT = list({c: (c, k) for c, k, _ in reversed(COMMANDS)}.values())[::-1]


def test_every_console_command_states_its_exit_code() -> None:
    assert len(COMMANDS) >= 30
    missing = [c for c, code, _ in COMMANDS if code < 0]
    assert not missing, f"README console commands without `exit N` in their comment: {missing}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("readme")
    (d / "models").symlink_to(ROOT / "models")
    return d


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(cli, args)
    finally:
        os.chdir(old)
    return r.exit_code, r.stdout + r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command, code", DISTINCT, ids=[c[:70] for c, _ in DISTINCT])
def test_readme_command_exit_code(command: str, code: int, scratch: Path) -> None:
    if "digits-market" in command:
        pytest.importorskip("sklearn")
    args = shlex.split(command)[1:]
    got, out = run(args, scratch)
    assert got == code, f"{command}: exit {got}, README says {code}\n{out[-2000:]}"
    assert "Traceback" not in out


# ---------------------------------------------------------------- quoted numbers
def _json(args: list[str], tmp: Path) -> Any:
    code, out = run(args + ["--format", "json"], tmp)
    assert code in (0, 1), out[-1500:]
    return json.loads(out[out.index("{"):out.rindex("}") + 1])


def _boundaries(tmp: Path) -> None:
    pairs = {-1.0: 1, -0.8: 3, -0.75: 6, -0.7: 38, -0.68: 215, -0.67: 1512, -0.668: 2974}
    data = _json(["boundary", "models/chen-market-growth.yaml", "--alpha", ",".join(map(str, pairs))], tmp)
    assert {r["alpha"]: r["boundary"] for r in data["results"]} == pairs


def _statement1(tmp: Path) -> None:
    # the search finds an exactly confirmed violation; which one depends on the float screening's path
    # (hill-climbing on float residuals: the Shapley kernel's summation order moves it)
    data = _json(["verify", "--scheme", "nguyen-budget", "-a", "budget-efficiency", "--family", "monotone",
                  "--players", "3"], tmp)
    r = data["results"][0]
    assert r["status"] == "violated" and len(r["counterexample"]["players"]) == 3
    assert r["counterexample"]["exact"] is True
    c = r["counterexample"]["verdict"]["counterexample"]
    got = c["got"]["fraction"] if isinstance(c["got"], dict) else c["got"]
    assert float(Fraction(got) if isinstance(got, str) else got) < 1
    # the README's game, checked exactly: p3 can afford v(N) yet λ*_3 = 8/9
    (tmp / "statement1.yaml").write_text(
        "kind: cooperative-market\nplayers: [p1, p2, p3]\nvalue: {values: [0, 0, 0, 1, 0, 3, 0, 3]}\n"
        "scheme: {name: nguyen-budget}\ncheck: [budget-efficiency]\n", encoding="utf-8")
    v = _json(["check", "statement1.yaml", "--exact"], tmp)["checks"]["verdicts"][0]
    got = v["counterexample"]["got"]
    got = got["fraction"] if isinstance(got, dict) else got
    assert v["status"] == "violated" and v["counterexample"]["witness"]["party"] == "p3"
    assert got in ("8/9", pytest.approx(8 / 9))


def _fig1(tmp: Path) -> None:
    data = _json(["reproduce", "chen-fig1", "--no-plot"], tmp)
    ev = {c["statement"][:20]: c["evidence"] for c in data["claims"]}
    first = next(v for k, v in ev.items() if k.startswith("When the number"))
    nums = [float(x) for x in re.findall(r"-?\d+\.\d+", first)]
    assert [round(nums[0], 3), round(nums[1], 2), round(nums[2], 2)] == [0.995, 0.25, 4.54], first
    q = next(v for k, v in ev.items() if k.startswith("the model quality"))
    lowest = float(re.findall(r"0\.\d+", q)[-1])
    assert f"{lowest:.4f}" == "0.9947", q                                      # "≥ 0.9947 for n > 12"
    gap = next(v for k, v in ev.items() if k.startswith("the revenue may"))
    assert round(float(re.findall(r"-?\d+\.\d+", gap)[-1]), 2) == -0.28, gap  # "(closest: −0.28)"


def _fig2(tmp: Path) -> None:
    data = _json(["reproduce", "chen-fig2", "--no-plot"], tmp)
    ratios = [re.search(r"ratio (\d\.\d\d)", c["evidence"]).group(1) for c in data["claims"] if "ratio" in c["evidence"]]
    assert ratios == ["0.16", "0.06"] and data["all_claims_hold"]


def _glove(tmp: Path) -> None:
    data = _json(["solve", "models/glove-game.yaml", "--exact"], tmp)
    assert data["exact_values"]["shapley"] == {"L": "2/3", "R1": "1/6", "R2": "1/6"}


def _wbb(tmp: Path) -> None:
    data = _json(["verify", "--mechanism", "max-payment", "-a", "wbb", "--valuation", "market-growth",
                  "--alpha-range", "-0.9", "--grid", "1..4"], tmp)
    c = data["results"][0]["counterexample"]
    got = c["verdict"]["counterexample"]["got"]
    assert f"{got:.3g}" == "-0.0595" or round(got, 4) == -0.0595


#: (phrase quoted in the README, check recomputing it from the command that prints it)
QUOTES = [
    ("α = −1 → 1, −0.8 → 3, −0.75 → 6, −0.7 → 38, −0.68 → 215, −0.67 → 1512, −0.668 → 2974", _boundaries),
    ("λ*_3 = 8/9", _statement1),
    ("revenue grows with n (Spearman 0.995, 0.25 → 4.54), best quality grows and is ≥ 0.9947 for n > 12", _fig1),
    ("range ratios 0.16, 0.06", _fig2),
    ("φ = (2/3, 1/6, 1/6)", _glove),
    ("Σp = −0.0595 at (0, 2)", _wbb),
]


@pytest.mark.slow
@pytest.mark.parametrize("phrase, check", QUOTES, ids=[q[0][:30] for q in QUOTES])
def test_readme_quoted_numbers(phrase: str, check: Any, scratch: Path) -> None:
    assert phrase in " ".join(README.split()), f"the README no longer says {phrase!r}"
    check(scratch)


# ---------------------------------------------------------------- the Python examples
def test_readme_python_examples_run_as_written() -> None:
    """Every ```pycon block of the README runs as a doctest (in order, one session, from the repository root)."""
    from doc_examples import blocks, run

    assert blocks(ROOT / "README.md"), "the README has no Python API example"
    failed, attempted, report = run(ROOT / "README.md")
    assert attempted >= 8 and not failed, report


def test_readme_five_lines_are_issue_15s_done() -> None:
    """Issue 15's "done": five lines build a game from a numpy array, compute Shapley and Banzhaf, check one's own
    payment vector for efficiency, symmetry, null player and individual rationality, and give a DataFrame of the
    verdicts. The README's first Python block is those five lines; its verdicts are recomputed here from the game."""
    import doctest

    from doc_examples import blocks

    _, text = blocks(ROOT / "README.md")[0]
    lines = [e.source for e in doctest.DocTestParser().get_examples(text)]
    assert len(lines) == 5, lines
    code = "".join(lines)
    for needed in ("Game.from_array(np.array(", "ms.shapley(", "ms.banzhaf(", "ms.check(", "payments=", "to_frame()"):
        assert needed in code, needed
    ns: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), ns)           # the README's own lines, nothing added
    g, verdicts = ns["g"], ns["verdicts"]
    pay = dict(zip(g.names, [5, 4, 1]))
    v, n = g.values, g.n
    sym = [(i, j) for i in range(n) for j in range(i + 1, n)
           if all(v[m | 1 << i] == v[m | 1 << j] for m in range(2**n) if not m >> i & 1 and not m >> j & 1)]
    null = [i for i in range(n) if all(v[m | 1 << i] == v[m] for m in range(2**n) if not m >> i & 1)]
    want = {"efficiency": sum(pay.values()) == v[-1],
            "symmetry": all(pay[g.names[i]] == pay[g.names[j]] for i, j in sym),
            "null-player": all(pay[g.names[i]] == 0 for i in null),
            "individual-rationality": all(pay[p] >= v[1 << k] for k, p in enumerate(g.names))}
    assert sym == [(0, 1)] and null == [2]                  # the premises are met, so every verdict tests something
    assert {a: verdicts.loc[a, "status"] for a in want} == {a: "holds" if ok else "violated" for a, ok in want.items()}
    assert verdicts.loc["symmetry", "witness"]["i"] == "alice" and verdicts.loc["null-player", "witness"]["player"] == "carol"


def test_layout_and_contributing_name_real_paths() -> None:
    """Every package path the "Layout" and "Contributing" sections name exists (they stay true to the tree)."""
    text = README[README.index("## Layout"):README.index("## Development")]
    paths = set(re.findall(r"mechsolve/[\w/]+(?:\.py)?", text))
    assert len(paths) > 15
    missing = [p for p in sorted(paths) if not (ROOT / p).exists()]
    assert not missing, f"README names paths that do not exist: {missing}"
    layout = text[:text.index("## Contributing")]
    pkg = ROOT / "mechsolve"
    rooms = {p.name for p in pkg.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert not [r for r in rooms if f"mechsolve/{r}/" not in layout], "a package room is missing from Layout"
