"""The bad-input corpus (issue 3): every bad model file fails cleanly.

Each file in ``tests/bad_models/`` is wrong in one way, stated in its header
(``# bad:``, ``# expect:``, ``# field:``, optionally ``# command:`` and ``# args:`` — extra
command-line arguments such as ``--allow-code``; JSON files, which cannot hold comments,
are described in ``tests/bad_models/_json_cases.yaml``). Running it through the
CLI must give exit code 2, exactly one stderr line ``error: ...`` that contains the
expected fragment and names the field (or file) at fault, an empty stdout, no
traceback, and no output file left behind by ``--output``.

The second half feeds random junk to :func:`mechsolve.model.schema.parse_model` and
:func:`mechsolve.model.io.load`: they may only ever raise ``InvalidModel``.
"""

from __future__ import annotations

import json
import math
import os
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechsolve.cli import cli
from mechsolve.errors import MAX_MESSAGE_CHARS, InvalidModel
from mechsolve.model.io import MODEL_SUFFIXES, load
from mechsolve.model.schema import parse_model

CORPUS = Path(__file__).parent / "bad_models"
SIDECAR = CORPUS / "_json_cases.yaml"
HEADER_KEYS = ("bad", "expect", "field", "command", "args")


def _header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a YAML/TOML corpus file."""
    meta: dict[str, str] = {}
    for raw in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("#"):
            break
        key, _, value = raw.lstrip("# ").partition(":")
        if key in HEADER_KEYS:
            meta[key] = value.strip()
    return meta


def _cases() -> list[tuple[Path, dict[str, str]]]:
    sidecar = yaml.safe_load(SIDECAR.read_text(encoding="utf-8"))
    out = []
    for p in sorted(CORPUS.iterdir()):
        if p.name.startswith("_") or p.suffix not in MODEL_SUFFIXES or not (p.is_symlink() or p.is_file()):
            continue
        meta = sidecar.get(p.name, {}) if _in_sidecar(p) else _header(p)
        out.append((p, meta))
    return out


def _in_sidecar(p: Path) -> bool:
    """JSON files (no comments) and links (e.g. to /dev/zero: never read for a header) are described there."""
    return p.suffix == ".json" or p.is_symlink()


CASES = _cases()


def _runner() -> CliRunner:
    return CliRunner()


def assert_clean_failure(result: Any, *, expect: str | None = None, field: str | None = None) -> str:
    """Exit 2, one ``error:`` line on stderr naming ``field``, empty stdout, no traceback."""
    err = result.stderr
    assert result.exit_code == 2, (result.exit_code, err, result.stdout)
    assert "Traceback" not in result.output and "Traceback" not in err
    assert result.stdout == "", result.stdout
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    line = lines[0]
    assert line.startswith("error: "), line
    assert "internal error" not in line, line
    assert len(line) <= MAX_MESSAGE_CHARS + 100, f"a {len(line)}-character error line (values are quoted shortened)"
    if expect is not None:
        assert expect in line, f"expected {expect!r} in {line!r}"
    if field is not None:
        assert field in line, f"expected the field {field!r} named in {line!r}"
    return line


def test_corpus_is_large_and_documented() -> None:
    """Issue 3 asks for >= 50 bad model files; the assignment for >= 60, in three formats."""
    assert len(CASES) >= 60
    assert {p.suffix for p, _ in CASES} >= {".yaml", ".toml", ".json"}
    sidecar = yaml.safe_load(SIDECAR.read_text(encoding="utf-8"))
    json_files = {p.name for p, _ in CASES if _in_sidecar(p)}
    assert set(sidecar) == json_files, "every JSON case and link (and only those) has a sidecar entry"
    for p, meta in CASES:
        assert meta.get("bad") and meta.get("expect") and meta.get("field"), f"{p.name} lacks its header"


@pytest.mark.parametrize(("path", "meta"), CASES, ids=[p.name for p, _ in CASES])
def test_bad_model_fails_cleanly(path: Path, meta: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = meta.get("command", "solve")
    extra = shlex.split(meta.get("args", ""))
    result = _runner().invoke(cli, [command, str(path), "--format", "json", "--output", str(out), *extra])
    assert_clean_failure(result, expect=meta["expect"], field=meta["field"])
    assert not out.exists(), "--output must not leave a file behind"
    assert not list(tmp_path.iterdir()), "no temporary files either"


@pytest.mark.parametrize("command", ["check", "inspect", "report"])
def test_other_commands_fail_the_same(command: str, tmp_path: Path) -> None:
    """`check`, `inspect` and `report` load models the same way as `solve`."""
    for name in ("duplicate-players.yaml", "value-nan.yaml", "value-file-npy-object.yaml"):
        meta = _header(CORPUS / name)
        result = _runner().invoke(cli, [command, str(CORPUS / name), "-o", str(tmp_path / "x.txt")])
        assert_clean_failure(result, expect=meta["expect"], field=meta["field"])
    assert not list(tmp_path.iterdir())


def test_memory_refusal_states_predicted_bytes() -> None:
    """n = 40: the 2^40 table of float64 is 8·2^40 bytes = 8 TiB per copy; refused up front."""
    result = _runner().invoke(cli, ["solve", str(CORPUS / "n-too-large.yaml")])
    line = assert_clean_failure(result, field="players")
    assert "n=40" in line and "8*2^40 bytes" in line and "TiB" in line, line


# ---------------------------------------------------------------- CLI-level misuse
MISUSE = [
    (["solve", "tests/bad_models/no-such-model.yaml"], "file not found", "file"),
    (["solve", "tests/bad_models"], "is a directory", "MODEL"),
    (["solve", "tests/bad_models/data/table.txt"], "unknown model file type '.txt'", "file"),
    (["check", "models/glove-game.yaml", "--no-such-option"], "No such option", "--no-such-option"),
    (["check", "models/glove-game.yaml", "--axiom", "fairness-magic"], "unknown axiom 'fairness-magic'",
     "check"),
    (["solve", "models/glove-game.yaml", "--format", "pdf"], "'pdf' is not one of", "--format"),
    (["solve", "models/glove-game.yaml", "--tolerance", "-1"], "not in the range x>=0", "--tolerance"),
    (["solve", "models/glove-game.yaml", "--tolerance", "tight"], "is not a valid float", "--tolerance"),
    (["solve", "models/glove-game.yaml", "--seed", "abc"], "is not a valid integer", "--seed"),
    (["solve", "models/glove-game.yaml", "--scheme", "magic"], "unknown scheme 'magic'", "scheme"),
    (["solve"], "Missing argument", "MODEL"),
    (["frobnicate"], "No such command", "frobnicate"),
    (["design", "models/glove-game.yaml", "-a", "shapley-within", "--delta", "nan"], "is not a finite number",
     "--delta"),
    (["schema", "auction"], "unknown kind 'auction'", "kind"),
    (["inspect", "models/glove-game.yaml", "extra-arg"], "unexpected extra argument", "extra-arg"),
]


@pytest.mark.parametrize(("args", "expect", "field"), MISUSE, ids=[" ".join(a) for a, _, _ in MISUSE])
def test_cli_misuse_fails_cleanly(args: list[str], expect: str, field: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[1])
    out = tmp_path / "out.txt"
    with_output = args + (["-o", str(out)] if args and args[0] in ("solve", "check", "inspect")
                          and len(args) > 1 else [])
    result = _runner().invoke(cli, with_output)
    assert_clean_failure(result, expect=expect, field=field)
    assert not out.exists()


def test_output_into_a_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[1])
    result = _runner().invoke(cli, ["solve", "models/glove-game.yaml", "-o", str(tmp_path)])
    assert_clean_failure(result, expect="is a directory", field="--output")


# ---------------------------------------------------------------- random junk
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                    st.sampled_from(["inf", ".inf", "nan", "", ",", "a,a", "a;b", "{}"]))
junk = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), inner,
                                                 max_size=4)), max_leaves=12)
FIELDS = ["kind", "players", "value", "normalised", "budgets", "scheme", "check", "tolerance", "exact",
          "expected", "expected_tolerance", "name", "fill"]
VALUE_FIELDS = ["table", "values", "file", "callable", "fill", "default"]


@st.composite
def near_models(draw: st.DrawFn) -> dict[Any, Any]:
    """Mostly-valid markets with a few fields replaced by junk (reaches the deep validators)."""
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "a,b", "", " ", "z"]), max_size=4))
    model: dict[Any, Any] = {"kind": "cooperative-market", "players": names,
                             "value": {"table": {"": 0, "a": 1, "b": 1, "a,b": 3}}}
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        model[key] = draw(junk)
    if draw(st.booleans()) and isinstance(model.get("value"), dict):
        model["value"] = dict(model["value"])
        for key in draw(st.lists(st.sampled_from(VALUE_FIELDS), max_size=2)):
            model["value"][key] = draw(junk)
    return model


MECHANISM_FIELDS = ["agents", "types", "quality", "valuation", "parameters", "allocation", "payment",
                    "misreports", "outside_option", "check", "tolerance", "exact"]


@st.composite
def near_mechanisms(draw: st.DrawFn) -> dict[Any, Any]:
    """A valid Chen et al. (2020) market-growth mechanism with a few fields replaced by junk."""
    model: dict[Any, Any] = {"kind": "mechanism-design", "agents": ["a", "b"], "types": {"step": 1, "max": 4},
                             "quality": "t", "valuation": {"family": "market-growth", "alpha": -0.7}}
    for key in draw(st.lists(st.sampled_from(MECHANISM_FIELDS), max_size=3)):
        model[key] = draw(st.one_of(junk, st.sampled_from(["t**2", "q_i", "1/t", "__import__('os')", "t +",
                                                           "linear", "formula", "efficient", "mep"])))
    return model


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(junk, near_models(), near_mechanisms()))
def test_parse_model_only_raises_invalid_model(data: Any) -> None:
    try:
        parse_model(data)
    except InvalidModel as exc:
        text = str(exc)
        assert text and "\n" not in text
    # anything else (TypeError, OverflowError, ...) fails the test


def _dump(data: Any, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(data, allow_nan=True, default=str)
    return yaml.safe_dump(data, allow_unicode=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(near_models(), junk), suffix=st.sampled_from([".yaml", ".json"]),
       noise=st.text(max_size=20))
def test_load_of_junk_files_only_raises_invalid_model(data: Any, suffix: str, noise: str,
                                                      tmp_path: Path) -> None:
    """Whole files: serialised junk, possibly with random text appended."""
    path = tmp_path / f"junk{suffix}"
    path.write_text(_dump(data, suffix) + noise, encoding="utf-8")
    try:
        load(path)
    except InvalidModel as exc:
        assert "\n" not in str(exc)


def test_junk_strategies_reach_the_validators() -> None:
    """Sanity: the near-model generator produces valid models too, so deep paths run."""
    ok = parse_model({"kind": "cooperative-market", "players": ["a", "b"],
                      "value": {"table": {"": 0, "a": 1, "b": 1, "a,b": 3}}})
    assert ok.players == ["a", "b"] and not math.isnan(ok.tolerance)
    assert os.path.isdir(CORPUS / "data")
