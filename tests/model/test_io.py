"""mechsolve.model.io: model files in three formats, value tables in three formats, callables, atomic writes.

The bundled MNIST table (Nguyen et al. 2022, Sec. 5; models/data/mnist-5-parties.json)
is written back out as CSV and NPY and must give the same game; every failure is an
``InvalidModel`` naming the file or field.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mechsolve.errors import InvalidModel
from mechsolve.games.game import Game
from mechsolve.model.io import (ALLOW_CODE_ENV, MAX_FILE_BYTES, UserCodeOutput, code_policy, load, load_callable,
                                read_mapping, read_npy, read_value_file, resolve, write_text)
from mechsolve.data.market import build_game
from mechsolve.model.market import CooperativeMarket
from strategies import allow_code  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
MNIST_JSON = ROOT / "models" / "data" / "mnist-5-parties.json"

MODEL: dict[str, Any] = {
    "kind": "cooperative-market",
    "name": "three formats",
    "players": ["a", "b"],
    "value": {"table": {"": 0, "a": 1, "b": 1.5, "a,b": 3}},
    "budgets": {"a": 1.0},
    "scheme": {"name": "shapley", "method": "exact"},
    "check": ["efficiency"],
}


def _toml(model: dict[str, Any]) -> str:
    """A tiny TOML writer for MODEL's shape (tomllib has no writer)."""
    lines = ['kind = "cooperative-market"', 'name = "three formats"', 'players = ["a", "b"]',
             'check = ["efficiency"]', "[value.table]", '"" = 0', "a = 1", "b = 1.5", '"a,b" = 3',
             "[budgets]", "a = 1.0", "[scheme]", 'name = "shapley"', 'method = "exact"']
    return "\n".join(lines) + "\n"


def test_yaml_toml_json_are_equivalent(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(MODEL), encoding="utf-8")
    (tmp_path / "m.yml").write_text(yaml.safe_dump(MODEL), encoding="utf-8")
    (tmp_path / "m.json").write_text(json.dumps(MODEL), encoding="utf-8")
    (tmp_path / "m.toml").write_text(_toml(MODEL), encoding="utf-8")
    models = [load(tmp_path / f"m{s}") for s in (".yaml", ".yml", ".json", ".toml")]
    assert all(isinstance(m, CooperativeMarket) for m in models)
    assert all(m == models[0] for m in models)
    game = build_game(models[0])
    assert game.value(["a", "b"]) == 3.0 and game.value("b") == 1.5


@pytest.mark.parametrize(("text", "suffix", "fragment"), [
    ("a: 1\na: 2\n", ".yaml", "duplicate key 'a'"),
    ("table: {x: 1, y: 2, x: 3}\n", ".yaml", "duplicate key 'x'"),
    ('{"a": 1, "b": {"c": 1, "c": 2}}', ".json", "duplicate key 'c'"),
    ("a = 1\na = 2\n", ".toml", "is not valid TOML"),
    ("[1, 2", ".json", "is not valid JSON"),
    ('{"x": NaN}', ".json", "NaN is not a valid number"),
    ('{"x": -Infinity}', ".json", "-Infinity is not a valid number"),
    ("a: [1, 2\n", ".yaml", "is not valid YAML"),
    ("!!python/object:os.system ls\n", ".yaml", "is not valid YAML"),  # safe loader only
])
def test_read_mapping_refuses_with_one_line(tmp_path: Path, text: str, suffix: str, fragment: str) -> None:
    p = tmp_path / f"m{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidModel) as exc:
        read_mapping(p)
    assert fragment in str(exc.value) and "\n" not in str(exc.value) and exc.value.field == "file"


def test_yaml_merge_keys_still_work(tmp_path: Path) -> None:
    """The duplicate-key check must not break YAML anchors and merges."""
    p = tmp_path / "m.yaml"
    p.write_text("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n", encoding="utf-8")
    assert read_mapping(p) == {"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 3}}


def test_read_mapping_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InvalidModel, match="file not found"):
        read_mapping(tmp_path / "none.yaml")
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(InvalidModel, match="is a directory"):
        read_mapping(tmp_path / "d.yaml")
    (tmp_path / "m.txt").write_text("kind: x")
    with pytest.raises(InvalidModel, match="unknown model file type '.txt'"):
        read_mapping(tmp_path / "m.txt")
    (tmp_path / "latin.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InvalidModel, match="not UTF-8"):
        read_mapping(tmp_path / "latin.yaml")


# ---------------------------------------------------------------- value files
def _mnist() -> tuple[list[str], np.ndarray]:
    data = json.loads(MNIST_JSON.read_text(encoding="utf-8"))
    return list(data["players"]), np.asarray(data["values"], dtype=np.float64)


def _csv_text(names: list[str], values: np.ndarray, sep: str = ";") -> str:
    rows = ["coalition,value"]
    for m, x in enumerate(values):
        members = sep.join(p for k, p in enumerate(names) if m >> k & 1)
        rows.append(f'"{members}",{float(x)!r}')
    return "\n".join(rows) + "\n"


def test_bundled_json_table_round_trips_through_csv_and_npy(tmp_path: Path) -> None:
    names, values = _mnist()
    vals, table = read_value_file(MNIST_JSON, names)
    assert table is None and vals is not None and np.array_equal(vals, values)
    (tmp_path / "t.csv").write_text(_csv_text(names, values), encoding="utf-8")
    np.save(tmp_path / "t.npy", values)
    _, csv_table = read_value_file(tmp_path / "t.csv", names)
    assert csv_table is not None
    from_csv = Game.from_table(names, csv_table)
    npy_vals, _ = read_value_file(tmp_path / "t.npy", names)
    assert np.array_equal(from_csv.values, values) and np.array_equal(npy_vals, values)


def test_json_table_form_and_players_check(tmp_path: Path) -> None:
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"table": {"": 0, "a": 1, "b": 2, "a+b": 4}}), encoding="utf-8")
    vals, table = read_value_file(p, ["a", "b"])
    assert vals is None and Game.from_table(["a", "b"], table).value("a,b") == 4.0
    p.write_text(json.dumps({"players": ["b", "a"], "values": [0, 1, 2, 4]}), encoding="utf-8")
    with pytest.raises(InvalidModel, match="differ from the model's") as exc:
        read_value_file(p, ["a", "b"])
    assert "t.json" in str(exc.value)  # the file is named


def test_npy_is_never_unpickled(tmp_path: Path) -> None:
    p = tmp_path / "o.npy"
    np.save(p, np.array([0, 1, {"x": 1}, 3], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidModel, match="not a plain numeric"):
        read_value_file(p, ["a", "b"])


def test_value_file_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidModel, match="is a directory"):
        read_value_file(tmp_path, ["a"])


def test_resolve_is_relative_to_the_model(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.csv").write_text("coalition,value\n", encoding="utf-8")
    assert resolve(tmp_path, "sub/x.csv", "value.file") == tmp_path / "sub" / "x.csv"
    with pytest.raises(InvalidModel) as exc:
        resolve(tmp_path, "sub/y.csv", "value.file")
    assert exc.value.field == "value.file"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), sep=st.sampled_from([";", "+"]))
def test_csv_round_trip_any_game(tmp_path: Path, n: int, seed: int, sep: str) -> None:
    """Any float game written as CSV (either separator) reads back bit for bit."""
    names = [f"p{k}" for k in range(n)]
    values = np.random.default_rng(seed).normal(size=2**n)
    values[0] = 0.0
    p = tmp_path / "g.csv"
    p.write_text(_csv_text(names, values, sep), encoding="utf-8")
    _, table = read_value_file(p, names)
    assert table is not None
    assert np.array_equal(Game.from_table(names, table).values, values)


# ---------------------------------------------------------------- callables
def test_load_callable_runs_the_function(tmp_path: Path, allow_code: Any) -> None:
    (tmp_path / "f.py").write_text("def v(s):\n    return len(s) ** 2\n", encoding="utf-8")
    fn = load_callable(tmp_path, "f.py:v")
    g = Game.from_callable(["a", "b", "c"], fn)
    assert g.value(["a", "b", "c"]) == 9.0 and g.value("a") == 1.0


@pytest.mark.parametrize(("source", "spec", "fragment"), [
    ("def v(s):\n    return 0\n", "f.py:w", "has no function 'w'"),
    ("X = 3\n", "f.py:X", "has no function 'X'"),
    ("import not_a_module_xyz\n", "f.py:v", "raised ModuleNotFoundError"),
    ("def v(s) return 0\n", "f.py:v", "raised SyntaxError"),
    ("raise RuntimeError('at import')\n", "f.py:v", "raised RuntimeError: at import"),
    ("def v(s):\n    return 0\n", "g.py:v", "file not found"),
])
def test_load_callable_errors(tmp_path: Path, source: str, spec: str, fragment: str, allow_code: Any) -> None:
    (tmp_path / "f.py").write_text(source, encoding="utf-8")
    with pytest.raises(InvalidModel) as exc:
        load_callable(tmp_path, spec)
    assert fragment in str(exc.value) and exc.value.field == "value.callable"


def test_callable_that_is_not_python(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidModel, match="is not a .py file"):
        load_callable(tmp_path, "f.txt:v")


# ---------------------------------------------------------------- atomic writes
def test_write_text_creates_folders_and_replaces(tmp_path: Path) -> None:
    p = tmp_path / "a" / "b" / "out.json"
    write_text(p, "one")
    write_text(p, "two")
    assert p.read_text(encoding="utf-8") == "two"
    assert os.listdir(p.parent) == ["out.json"]


def test_write_text_failure_keeps_the_old_file_and_no_temporary(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "out.txt"
    write_text(p, "old")

    def fail(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(InvalidModel, match="disk full") as exc:
        write_text(p, "new")
    assert exc.value.field == "output"
    assert p.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_finite_check_on_loaded_tables_is_explicit() -> None:
    """Integers beyond float range in a table are refused, never turned into inf."""
    with pytest.raises(InvalidModel, match="finite"):
        Game.from_table(["a"], {"": 0, "a": 10**400})
    with pytest.raises(InvalidModel, match="values must be numbers"):
        Game.from_values(["a"], [0, 10**400])
    assert math.isfinite(Game.from_table(["a"], {"": 0, "a": 2**1000}).value("a"))


# ---------------------------------------------------------------- file modes and staged folders
@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_users_umask(tmp_path: Path, umask: int, expected: int) -> None:
    from mechsolve.model.io import write_bytes, write_text

    old = os.umask(umask)
    try:
        write_text(tmp_path / "a.txt", "x")
        write_bytes(tmp_path / "b.png", b"\x89PNG")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.png"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == expected, name


def test_overwriting_keeps_the_files_mode(tmp_path: Path) -> None:
    from mechsolve.model.io import write_bytes, write_text

    for mode in (0o644, 0o600, 0o664):
        p = tmp_path / f"m{mode:o}.txt"
        p.write_text("old")
        os.chmod(p, mode)
        write_text(p, "new")
        assert p.read_text() == "new" and stat.S_IMODE(p.stat().st_mode) == mode
        write_bytes(p, b"newer")
        assert stat.S_IMODE(p.stat().st_mode) == mode


def test_staged_dir_lands_everything_at_the_end_or_nothing(tmp_path: Path) -> None:
    from mechsolve.model.io import staged_dir, write_text

    out = tmp_path / "out"
    out.mkdir()
    write_text(out / "report.txt", "old report")
    write_text(out / "rewards" / "stale-party.csv", "x0\n1\n")
    write_text(out / "mine.txt", "a user's own file")
    with pytest.raises(KeyboardInterrupt):
        with staged_dir(out) as stage:
            write_text(stage / "rewards" / "a.csv", "x0\n2\n")
            write_text(stage / "report.txt", "new report")
            raise KeyboardInterrupt
    assert (out / "report.txt").read_text() == "old report"          # untouched: nothing half-done
    assert sorted(p.name for p in (out / "rewards").iterdir()) == ["stale-party.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]      # no temporary folder left
    with staged_dir(out) as stage:
        write_text(stage / "rewards" / "a.csv", "x0\n2\n")
        write_text(stage / "report.txt", "new report")
    assert (out / "report.txt").read_text() == "new report"
    assert sorted(p.name for p in (out / "rewards").iterdir()) == ["a.csv"]   # the folder is replaced whole
    assert (out / "mine.txt").read_text() == "a user's own file"              # other files stay
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt", "report.txt", "rewards"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
# ---------------------------------------------------------------- limits at the door (issue 18)
def test_only_regular_files_are_read(tmp_path: Path) -> None:
    """A FIFO would block forever and /dev/zero never ends: both are refused before a byte is read."""
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InvalidModel, match="not a regular file") as exc:
        read_mapping(fifo)
    assert exc.value.field == "file"
    (tmp_path / "z.json").symlink_to("/dev/zero")
    with pytest.raises(InvalidModel, match="not a regular file"):
        read_mapping(tmp_path / "z.json")
    with pytest.raises(InvalidModel, match="not a regular file"):
        read_value_file(tmp_path / "z.json", ["a"])
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    with pytest.raises(InvalidModel, match="symbolic link loop"):
        read_mapping(tmp_path / "loop.yaml")


def test_size_caps_per_kind_of_file(tmp_path: Path) -> None:
    p = tmp_path / "big.yaml"
    with open(p, "wb") as fh:          # sparse: no disk used
        fh.truncate(MAX_FILE_BYTES["model"] + 1)
    with pytest.raises(InvalidModel, match="over the 16.0 MiB limit for model files"):
        read_mapping(p)
    (tmp_path / "ok.yaml").write_text("a: 1\n", encoding="utf-8")
    assert read_mapping(tmp_path / "ok.yaml") == {"a": 1}


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(InvalidModel, match="aliases expand the document by"):
        read_mapping(p)
    assert time.perf_counter() - t0 < 2.0
    # a few aliases are fine: the bound is on what they add
    p.write_text("base: &b [1, 2, 3]\nx: *b\ny: *b\n", encoding="utf-8")
    assert read_mapping(p) == {"base": [1, 2, 3], "x": [1, 2, 3], "y": [1, 2, 3]}
    p.write_text("a: &a [*a]\n", encoding="utf-8")
    with pytest.raises(InvalidModel, match="recursive alias"):
        read_mapping(p)


@pytest.mark.parametrize(("text", "suffix", "fragment"), [
    ("players: !!set {a, b}\n", ".yaml", "!!set is not allowed"),
    ("name: !!binary aGVsbG8=\n", ".yaml", "!!binary is not allowed"),
    ("x: !!timestamp 2001-12-14\n", ".yaml", "!!timestamp is not allowed"),
    ('when = 2001-12-14\n', ".toml", "a date/time is not allowed"),
    ("x: " + "[" * 70 + "]" * 70 + "\n", ".yaml", "nested more than 64 levels"),
    ('{"x": ' + "[" * 70 + "]" * 70 + "}", ".json", "nested more than 64 levels"),
    ('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", ".json", "nested"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", ".toml", "nested"),
])
def test_only_plain_data_nested_a_bounded_depth(tmp_path: Path, text: str, suffix: str, fragment: str) -> None:
    p = tmp_path / f"m{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidModel, match=re.escape(fragment)) as exc:
        read_mapping(p)
    assert "\n" not in str(exc.value) and len(str(exc.value)) < 400


def test_a_plain_date_stays_a_string(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("name: 2001-12-14\n", encoding="utf-8")
    assert read_mapping(p) == {"name": "2001-12-14"}


def _npy_header(descr: str, shape: str) -> bytes:
    h = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".encode("latin1")
    h += b" " * (64 - (10 + len(h) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h


@pytest.mark.parametrize(("data", "fragment"), [
    (b"", "not a plain numeric .npy array"),
    (_npy_header("<f8", "(137438953472,)") + b"\0" * 64, "the header declares shape (137438953472,) (1.0 TiB)"),
    (_npy_header("<f8", "(8,)") + b"\0" * 12, "but the file holds 12 B"),
    (_npy_header("<c16", "(4,)") + b"\0" * 64, "dtype complex128"),
    (_npy_header("|O", "(4,)") + b"\0" * 32, "not a plain numeric"),
])
def test_npy_headers_are_checked_against_the_file(tmp_path: Path, data: bytes, fragment: str) -> None:
    p = tmp_path / "t.npy"
    p.write_bytes(data)
    with pytest.raises(InvalidModel, match=re.escape(fragment)):
        read_value_file(p, ["a", "b"])


def test_npy_byte_orders_and_fortran_order_still_read(tmp_path: Path) -> None:
    vals = np.array([0.0, 1.0, 2.0, 4.0])
    np.save(tmp_path / "be.npy", vals.astype(">f8"))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    got, _ = read_value_file(tmp_path / "be.npy", ["a", "b"])
    assert np.array_equal(got, vals)
    assert np.array_equal(read_npy(tmp_path / "f.npy", "x"), np.arange(6.0).reshape(2, 3))


def test_csv_field_over_the_limit_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("coalition,value\n\"\",0\n" + "x" * 200_000 + ",1\n", encoding="utf-8")
    with pytest.raises(InvalidModel, match="line 3: a field is longer than 131,072 characters") as exc:
        read_value_file(p, ["a"])
    assert "t.csv" in str(exc.value)


def test_outputs_never_replace_a_device_or_fifo(tmp_path: Path) -> None:
    """An atomic rename onto /dev/full replaced the device with a regular file (as root)."""
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    with pytest.raises(InvalidModel, match="No space left on device") as exc:
        write_text(link, "x", field="--output")
    assert exc.value.field == "--output" and link.is_symlink()
    null = tmp_path / "null"
    null.symlink_to("/dev/null")
    write_text(null, "discarded")
    assert null.is_symlink() and os.path.realpath(null) == "/dev/null"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidModel, match="nothing reads from it"):
        write_text(fifo, "x")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidModel, match="a file stands where a folder is needed"):
        write_text(tmp_path / "afile" / "out.json", "x")
    with pytest.raises(InvalidModel, match="is a directory"):
        write_text(tmp_path, "x")


# ---------------------------------------------------------------- user code only with consent
def test_user_code_needs_consent(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').write('yes')\ndef v(s):\n    return 0\n",
                                   encoding="utf-8")
    with code_policy(allow=False):
        with pytest.raises(InvalidModel, match=r"f.py is Python code; running it needs --allow-code") as exc:
            load_callable(tmp_path, "f.py:v")
    assert exc.value.field == "value.callable"
    assert not (tmp_path / "ran").exists(), "nothing ran"
    with code_policy(allow=None):          # the environment's say: MECHSOLVE_ALLOW_CODE=1
        os.environ[ALLOW_CODE_ENV] = "1"
        assert callable(load_callable(tmp_path, "f.py:v"))
    assert (tmp_path / "ran").exists()


@pytest.mark.parametrize(("body", "fragment"), [
    ("    import sys\n    sys.exit(0)\n", "called sys.exit(0); user code must return a value"),
    ("    import sys\n    sys.exit(3)\n", "called sys.exit(3)"),
    ("    raise KeyboardInterrupt\n", "raised KeyboardInterrupt"),
    ("    raise BaseException('deep')\n", "raised BaseException: deep"),
    ("    raise GeneratorExit\n", "raised GeneratorExit"),
])
def test_user_code_cannot_exit_or_interrupt(tmp_path: Path, allow_code: Any, body: str, fragment: str) -> None:
    (tmp_path / "f.py").write_text("def v(s):\n" + body, encoding="utf-8")
    fn = load_callable(tmp_path, "f.py:v")
    with pytest.raises(InvalidModel, match=re.escape(fragment)) as exc:
        Game.from_callable(["a", "b"], fn)
    assert "f.py" in str(exc.value) and exc.value.field == "value.callable"


def test_user_code_output_is_captured_and_summarised(tmp_path: Path, allow_code: Any,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f.py").write_text("print('at import')\nimport sys\n"
                                   "def v(s):\n    print('noise', len(s))\n    sys.stderr.write('err\\n')\n"
                                   "    return len(s)\n", encoding="utf-8")
    with pytest.warns(UserCodeOutput, match="printed output, which is not part of the report"):
        fn = load_callable(tmp_path, "f.py:v")
        g = Game.from_callable(["a", "b"], fn)
    assert g.value(["a", "b"]) == 2.0
    out, err = capfd.readouterr()
    assert "noise" not in out and "at import" not in out and "err" not in err


def test_code_timeout_stops_a_call(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("import time\ndef v(s):\n    time.sleep(60)\n    return 0\n", encoding="utf-8")
    with code_policy(allow=True, timeout=0.2):
        fn = load_callable(tmp_path, "f.py:v")
        t0 = time.perf_counter()
        with pytest.raises(InvalidModel, match="ran longer than the code timeout of 0.2 s"):
            Game.from_callable(["a"], fn)
    assert time.perf_counter() - t0 < 5


def test_a_real_interrupt_still_interrupts(tmp_path: Path, allow_code: Any) -> None:
    """Ctrl-C while user code runs is the user's interrupt, not an error of the code."""
    (tmp_path / "f.py").write_text("import os, signal\ndef v(s):\n    os.kill(os.getpid(), signal.SIGINT)\n"
                                   "    return 0\n", encoding="utf-8")
    fn = load_callable(tmp_path, "f.py:v")
    with pytest.raises(KeyboardInterrupt):
        Game.from_callable(["a"], fn)


def test_a_value_function_must_answer_the_same_twice(tmp_path: Path, allow_code: Any) -> None:
    (tmp_path / "f.py").write_text("import itertools\n_c = itertools.count()\n"
                                   "def v(s):\n    return next(_c) if s else 0\n", encoding="utf-8")
    with pytest.raises(InvalidModel, match="answered .* and then .* for the same coalition"):
        Game.from_callable(["a", "b"], load_callable(tmp_path, "f.py:v"))


def test_user_files_are_imported_once_while_unchanged(tmp_path: Path, allow_code: Any) -> None:
    src = tmp_path / "f.py"
    src.write_text("import itertools\nN = itertools.count()\nnext(N)\ndef v(s):\n    return 1\n", encoding="utf-8")
    a = load_callable(tmp_path, "f.py:v")
    assert load_callable(tmp_path, "f.py:v") is a
    src.write_text("def v(s):\n    return 2   # changed\n", encoding="utf-8")
    assert load_callable(tmp_path, "f.py:v")(frozenset()) == 2


# ----------------------------------------------------------------------------- resolved models (issue 13.1)
MODELS_DIR = ROOT / "models"
MULTI = MODELS_DIR / "ohrimenko-multi-task.yaml"


def _solve_json(path: Path, *extra: str) -> dict[str, Any]:
    from click.testing import CliRunner

    from mechsolve.cli import cli

    res = CliRunner().invoke(cli, ["solve", str(path), "--format", "json", *extra])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def _task_files_model(folder: Path) -> Path:
    """ohrimenko-multi-task.yaml with each party's task table in a file: north CSV, south JSON, east NPY."""
    inline = read_mapping(MULTI)
    players = inline["players"]
    games = {p: Game.from_table(players, t["table"]) for p, t in inline["scheme"]["tasks"].items()}
    (folder / "tasks").mkdir(parents=True)
    rows = ["coalition,value"] + [f"{';'.join(p for k, p in enumerate(players) if m >> k & 1)},{x!r}"
                                  for m, x in enumerate(games["north"].values.tolist())]
    (folder / "tasks" / "north.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "tasks" / "south.json").write_text(json.dumps({"players": players,
                                                             "values": games["south"].values.tolist()}))
    np.save(folder / "tasks" / "east.npy", games["east"].values)
    data = dict(inline)
    data["scheme"] = {**inline["scheme"], "tasks": {"north": {"file": "tasks/north.csv"},
                                                    "south": {"file": "tasks/south.json"},
                                                    "east": {"file": "tasks/east.npy"}}}
    path = folder / "multi-files.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("exact", [False, True])
def test_task_tables_from_files_give_the_inline_result_cli_and_api(tmp_path: Path, exact: bool) -> None:
    """Per-party task tables as CSV, JSON and NPY files (read at load) = the same tables inline (Ohrimenko §4.2)."""
    import mechsolve as ms

    path = _task_files_model(tmp_path)
    extra = ("--exact",) if exact else ()
    inline, files = _solve_json(MULTI, *extra), _solve_json(path, *extra)
    assert files["scheme"]["tasks"]["east"] == {"file": "tasks/east.npy"}        # reported as declared
    strip = {"scheme"}
    assert {k: v for k, v in files.items() if k not in strip} == {k: v for k, v in inline.items() if k not in strip}
    assert files["scalars"]["tasks declared"] is True
    # the Python API: ms.load and Model.from_dict(data, base_dir=...) resolve the same files
    api = ms.solve(ms.load(path), exact=exact or None).to_dict()
    again = ms.solve(ms.Model.from_dict(read_mapping(path), base_dir=tmp_path), exact=exact or None).to_dict()
    want = ms.solve(ms.load(MULTI), exact=exact or None).to_dict()
    for got in (api, again):
        assert {k: v for k, v in got.items() if k not in strip} == {k: v for k, v in want.items() if k not in strip}


def test_a_bad_task_file_is_exit_2_naming_the_field(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import mechsolve as ms
    from mechsolve.cli import cli

    path = _task_files_model(tmp_path)
    (tmp_path / "tasks" / "south.json").write_text('{"players": ["north", "south", "east"], "values": [0, 1]}')
    res = CliRunner().invoke(cli, ["solve", str(path)])
    assert res.exit_code == 2 and res.stdout == "" and "Traceback" not in res.output
    assert res.stderr.count("\n") == 1 and "scheme.tasks.south.file (south.json)" in res.stderr, res.stderr
    (tmp_path / "tasks" / "east.npy").unlink()
    res = CliRunner().invoke(cli, ["solve", str(path)])
    assert res.exit_code == 2 and res.stderr.startswith("error: scheme.tasks.east.file: file not found"), res.stderr
    with pytest.raises(InvalidModel) as exc:                 # at load: nothing else has run
        ms.load(path)
    assert exc.value.field == "scheme.tasks.east.file"


def test_task_tables_are_in_the_spec_and_json_schema() -> None:
    from mechsolve.model.schema import json_schema, parse_model

    text = json.dumps(json_schema("cooperative-market"))
    assert '"TaskTable"' in text and "per-party task gain tables" in text
    data = {**read_mapping(MULTI), "scheme": {"name": "ohrimenko-multi", "tasks": {"north": {}}}}
    with pytest.raises(InvalidModel, match="scheme.tasks.north: give exactly one of `table`, `values`, `file`"):
        parse_model(data)


def _npy_market(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = json.loads(MNIST_JSON.read_text())
    np.save(folder / "v.npy", np.asarray(doc["values"], dtype=np.float64))
    path = folder / "m.yaml"
    path.write_text(yaml.safe_dump({"kind": "cooperative-market", "players": doc["players"],
                                    "value": {"file": "v.npy"}, "scheme": "shapley"}), encoding="utf-8")
    return path


def test_files_are_read_once_at_load_a_deleted_table_still_analyses(tmp_path: Path) -> None:
    """load, delete the table and the model file, then analyse (float and exact): the data were read at load."""
    from mechsolve.model.resolved import resolved_of
    from mechsolve.verify.analysis import analyse

    path = _npy_market(tmp_path / "m")
    before = analyse(load(path))
    m = load(path)
    table = resolved_of(m).table("value.file")
    (tmp_path / "m" / "v.npy").unlink()
    path.unlink()
    (tmp_path / "m").rmdir()
    after = analyse(m)
    assert after.outcome.allocation.tolist() == before.outcome.allocation.tolist()
    exact = analyse(m, exact=True)                              # the exact twin: from the data read at load
    assert sum(exact.outcome.allocation) == exact.game.grand_value
    game = build_game(m)                                        # no copy of the table: the array read at load
    assert np.shares_memory(game.values, table.values) and not game.values.flags.writeable


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_a_moved_value_file_still_analyses(tmp_path: Path, suffix: str) -> None:
    from mechsolve.verify.analysis import analyse

    doc = json.loads(MNIST_JSON.read_text())
    if suffix == ".json":
        (tmp_path / f"v{suffix}").write_text(json.dumps(doc))
    else:
        rows = ["coalition,value"] + [f"{';'.join(p for k, p in enumerate(doc['players']) if i >> k & 1)},{x!r}"
                                      for i, x in enumerate(doc["values"])]
        (tmp_path / f"v{suffix}").write_text("\n".join(rows) + "\n")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"kind": "cooperative-market", "players": doc["players"],
                                                    "value": {"file": f"v{suffix}"}}))
    m = load(tmp_path / "m.yaml")
    (tmp_path / f"v{suffix}").rename(tmp_path / "moved")
    assert analyse(m).game.values.tolist() == doc["values"]


def test_code_is_read_at_load_and_runs_only_with_consent(tmp_path: Path) -> None:
    """The source is read at load; deleting the .py does not matter; without consent: the same refusal."""
    from mechsolve.verify.analysis import analyse

    (tmp_path / "f.py").write_text("def v(s):\n    return float(len(s)) ** 2\n")
    (tmp_path / "m.yaml").write_text("kind: cooperative-market\nplayers: [a, b]\nvalue: {callable: 'f.py:v'}\n")
    m = load(tmp_path / "m.yaml")
    (tmp_path / "f.py").unlink()
    with code_policy(allow=False), pytest.raises(InvalidModel, match="needs --allow-code") as exc:
        analyse(m)
    assert exc.value.field == "value.callable"
    with code_policy(allow=True):
        assert analyse(m).game.values.tolist() == [0.0, 1.0, 1.0, 4.0]


def test_datasets_are_read_at_load(tmp_path: Path) -> None:
    """MMD datasets (Tay et al. 2022): the party files are read at load; deleting them afterwards is harmless."""
    from mechsolve.verify.analysis import analyse

    rng = np.random.default_rng(0)
    for p in ("a", "b"):
        np.save(tmp_path / f"{p}.npy", rng.normal(size=(12, 2)))
    np.savetxt(tmp_path / "G.csv", rng.normal(size=(20, 2)), delimiter=",")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({
        "kind": "cooperative-market", "players": ["a", "b"], "normalised": False, "scheme": "shapley",
        "value": {"datasets": {"parties": {"a": "a.npy", "b": "b.npy"}, "reference": {"file": "G.csv"},
                               "lengthscale": 1.0}}}))
    before = analyse(load(tmp_path / "m.yaml")).game.values
    m = load(tmp_path / "m.yaml")
    for f in ("a.npy", "b.npy", "G.csv"):
        (tmp_path / f).unlink()
    assert analyse(m).game.values.tolist() == before.tolist()


def test_a_designed_model_names_the_files_the_loaded_one_read(tmp_path: Path) -> None:
    """design's written model (written elsewhere) resolves its value file again, relative to where it is written."""
    from mechsolve.verify.design import design

    path = _npy_market(tmp_path / "in")
    out = tmp_path / "out" / "deep"
    r = design(load(path), axioms=["efficiency"], output_dir=out)
    assert r.rule_model is not None and r.rule_model["value"]["file"] == os.path.join("..", "..", "in", "v.npy")
    out.mkdir(parents=True)
    (out / "rule.yaml").write_text(yaml.safe_dump(r.rule_model))
    assert build_game(load(out / "rule.yaml")).values.tolist() == build_game(load(path)).values.tolist()
    assert r.confirmation is not None and not r.confirmation.violated
