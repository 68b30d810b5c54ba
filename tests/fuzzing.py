"""A seeded mutation fuzzer for the command line (issue 18): hostile and broken input.

Every case starts from a bundled model (``models/*.yaml``), applies one mutation —
structure, types, numbers, YAML specials, file-system tricks (devices, FIFOs, links,
sparse files, lying ``.npy`` headers), formulas, callables, large ``n``, options — and
runs one ``mechsolve`` command on it **in a forked child of this process** (the imports
are shared, so a case costs milliseconds), with ``resource.setrlimit`` capping its
address space and a wall-clock limit enforced by the parent.

The oracle (:func:`judge`) is the contract of issue 18:

* the exit code is 0, 1 or 2, and 0/1 only when the mutation may have kept the model
  valid (a case built to be invalid must exit 2);
* exit 2 prints exactly one stderr line ``error: ...``, never ``internal error``;
* no traceback, no hang (``timeout``), no memory blow-up (``memory``), no crash;
* ``--format json`` output that exits 0/1 parses as JSON (user code cannot corrupt it);
* the error line is short (a value is quoted shortened, never a megabyte of it).

Run it by hand for a catalogue of failures::

    python tests/fuzzing.py --cases 1100 --seed 18 --jobs 2

The suite runs it in ``tests/test_fuzz.py``; each case that found a bug is kept as a
regression file in ``tests/bad_models/``.
"""

from __future__ import annotations

import argparse
import collections
import copy
import io
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"

#: Per-case limits (the fuzz test's contract: bounded time and memory). Each child gets an address space
#: of MEMORY_LIMIT (RLIMIT_AS, inherited by anything it starts), CPU_LIMIT seconds of CPU (RLIMIT_CPU, then
#: SIGXCPU/SIGKILL), FILE_LIMIT bytes per written file (RLIMIT_FSIZE) and TIME_LIMIT seconds of wall clock
#: (the parent kills its process group). A case over RSS_LIMIT of resident memory fails as "memory".
TIME_LIMIT = 30.0
CPU_LIMIT = 40
MEMORY_LIMIT = 2 * 2**30
FILE_LIMIT = 64 * 2**20
RSS_LIMIT = 1536 * 2**20
#: What the parent keeps of a case's output once judged (it never accumulates megabytes per case).
KEEP_CHARS = 4000
#: One thread per BLAS/OpenMP pool: two jobs on two cores, and no per-thread arenas inflating RLIMIT_AS.
THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}
#: Longest acceptable error line (a value is quoted shortened to ~80 characters).
MAX_ERROR_LINE = 1200

#: Bundled models too slow or needing optional data to fuzz cheaply (run by tests/test_models.py).
SKIP_MODELS = {"digits-market.yaml"}
#: Bundled models whose `report`/`inspect` alone take most of the time limit (MMD values, every scheme):
#: fuzzed with `solve` and `check` only.
HEAVY_MODELS = {"tay-gmm-market.yaml"}

CODE_ENV = "MECHSOLVE_ALLOW_CODE"


# ---------------------------------------------------------------- cases
@dataclass
class Case:
    """One fuzz case: files to create, a command line, and what it may return."""

    index: int
    base: str                         # the bundled model it came from
    op: str                           # mutation operator (the failure class's first key)
    detail: str                       # what exactly was mutated
    argv: list[str] = field(default_factory=list)
    files: dict[str, Any] = field(default_factory=dict)   # relative name → bytes | ("fifo",) | ("link", target) ...
    must_fail: bool = False           # built to be invalid: exit 2 required
    env: dict[str, str] = field(default_factory=dict)
    json_out: bool = False            # stdout must be JSON on exit 0/1

    def label(self) -> str:
        return f"#{self.index} {self.op} [{self.base}] {self.detail}"


@dataclass
class Outcome:
    case: Case
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    max_rss: int
    signal: int | None = None
    timed_out: bool = False
    kinds: list[str] | None = None    # judged when collected (stdout/stderr are then shortened)


# ---------------------------------------------------------------- the model corpus
@dataclass(frozen=True)
class Base:
    name: str
    data: Any
    uses_code: bool
    kind: str


def bases() -> list[Base]:
    out = []
    for p in sorted(MODELS.glob("*.yaml")):
        if p.name in SKIP_MODELS:
            continue
        text = p.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        uses_code = "callable" in json.dumps(data)
        out.append(Base(p.name, data, uses_code, data.get("kind", "")))
    return out


# ---------------------------------------------------------------- tree helpers
def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) in a YAML tree (dict keys and list indices)."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:40]):
            yield from _paths(v, prefix + (i,))


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _set(node: Any, path: tuple, value: Any) -> None:
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _long_strings(data: Any) -> bool:
    return any(isinstance(v, str) and len(v) > 10_000 for _, v in _paths(data))


def _dump(data: Any, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(data, allow_nan=True, default=str).encode()
    if fmt == "toml":
        return _toml(data).encode()
    if _long_strings(data):  # PyYAML's emitter takes seconds per MB; JSON is YAML's flow style
        return json.dumps(data, allow_nan=True, default=str).encode()
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9).encode()


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(x)}" for k, x in v.items()
                               if x is not None) + "}"
    return json.dumps(str(v))


def _toml(data: Any) -> str:
    if not isinstance(data, dict):
        return f"x = {_toml_value(data)}\n"
    return "".join(f"{json.dumps(str(k))} = {_toml_value(v)}\n" for k, v in data.items() if v is not None)


def _file_refs(data: Any) -> list[tuple[tuple, str]]:
    """Paths of fields naming files: value.file, datasets, reference files, callables."""
    out = []
    for path, v in _paths(data):
        if not isinstance(v, str) or not path:
            continue
        key = path[-1]
        if key in ("file", "callable") or (len(path) >= 2 and path[-2] == "parties"):
            out.append((path, v))
    return out


# ---------------------------------------------------------------- hostile ingredients
SPECIAL_NUMBERS: list[tuple[Any, bool]] = [  # (value, surely invalid wherever a number is read)
    (math.nan, True), (math.inf, False), (-math.inf, False), (0, False), (-0.0, False), (-1, False),
    (1e308, False), (1e-308, False), (5e-324, False), (10**400, False), (2**63, False), (-2**63, False),
    (1e300, False), (1e-300, False), (True, False), ("1e999", False), (".nan", False), ("inf", False),
]

HOSTILE_FORMULAS = [
    "9**9**9", "2**(10**9)", "floor(exp(10**8))", "(3/2)**(10**8)", "1/0", "log(0)", "sqrt(-1)", "10**400",
    "sin(10**400)", "10**(10**6)", "9**9**9**9", "exp(exp(exp(10)))", "(-8)**(1/3)", "0**-1", "10**-400 * 10**400",
    "exp(1000)", "floor(10**30)/3", "2**2**2**2**2", "(" * 200 + "t" + ")" * 200, "t" + "+t" * 3000,
    "max()", "log(1, 0)", "__import__('os')", "t.real", "[t]", "lambda: 0", "t if t else 1",
    "1e999", "-1e308*10", "sqrt(-t-1)", "abs(1/(t-t))", "tanh(10**400)", "cos(9**9**9)",
]

RANDOM_ATOMS = ["t", "1", "2", "0.5", "-1", "q_i", "q_1", "q_2", "alpha", "phi_i", "vN", "n", "v_i"]


def random_formula(rng: random.Random, depth: int = 3) -> str:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(RANDOM_ATOMS + [str(rng.choice([0, 1, 2, 3, 10, 100, 400, 1000, 10**6]))])
    op = rng.choice(["+", "-", "*", "/", "**", "f"])
    if op == "f":
        fn = rng.choice(["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "floor", "ceil", "min", "max"])
        args = [random_formula(rng, depth - 1) for _ in range(2 if fn in ("min", "max") else 1)]
        return f"{fn}({', '.join(args)})"
    return f"({random_formula(rng, depth - 1)}){op}({random_formula(rng, depth - 1)})"


# (behaviour, source template, must fail even with consent). {A}: the argument, {OK}/{NAN}/{HUGE}/{RAND}:
# a valid / NaN / beyond-float / random answer — a number for a value function, a list for a scheme.
CALLABLES: list[tuple[str, str, bool]] = [
    ("prints", "def f({A}):\n    print('noise on stdout')\n    return {OK}\n", False),
    ("exit0", "import sys\ndef f({A}):\n    sys.exit(0)\n", True),
    ("exit3", "import sys\ndef f({A}):\n    sys.exit(3)\n", True),
    ("exit-at-import", "import sys\nsys.exit(0)\ndef f({A}):\n    return {OK}\n", True),
    ("base-exception", "def f({A}):\n    raise BaseException('boom')\n", True),
    ("keyboard-interrupt", "def f({A}):\n    raise KeyboardInterrupt\n", True),
    ("raises", "def f({A}):\n    raise ValueError('no')\n", True),
    ("nan", "def f({A}):\n    return {NAN}\n", True),
    ("huge-int", "def f({A}):\n    return {HUGE}\n", True),
    ("string", "def f({A}):\n    return 'x'\n", True),
    ("sleeps", "import time\ndef f({A}):\n    time.sleep(1000)\n    return {OK}\n", True),
    ("inconsistent", "import random\ndef f({A}):\n    return {RAND}\n", True),
    ("recursion", "def f({A}):\n    return f({A})\n", True),
    ("ok", "def f({A}):\n    return {OK}\n", False),
    ("print-at-import", "print('hello from import')\ndef f({A}):\n    return {OK}\n", False),
    ("stderr", "import sys\ndef f({A}):\n    sys.stderr.write('noise\\n')\n    return {OK}\n", False),
]
VALUE_FILL = {"A": "s", "OK": "len(s) ** 2", "NAN": "float('nan') if s else 0", "HUGE": "10**400 if s else 0",
              "RAND": "random.random() if s else 0"}
SCHEME_FILL = {"A": "g", "OK": "[g.grand_value / g.n] * g.n", "NAN": "[float('nan')] * g.n",
               "HUGE": "[10**400] * g.n", "RAND": "[random.random() for _ in range(g.n)]"}


def callable_source(template: str, fill: dict[str, str]) -> bytes:
    for k, v in fill.items():
        template = template.replace("{" + k + "}", v)
    return template.encode()


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * width) + "]")
    return "\n".join(lines)


#: Hostile .npy arrays by kind: (dtype descr, shape as the header writes it, the data that follows).
_NPY_ARRAYS: dict[str, tuple[str, str, bytes]] = {
    "zero-rows": ("<f8", "(0, 2)", b""),
    "zero-length": ("<f8", "(0,)", b""),
    "tib-header": ("<f8", "(137438953472,)", b"\0" * 64),
    "tib-2d": ("<f8", "(68719476736, 2)", b"\0" * 64),
    "negative-shape": ("<f8", "(-1,)", b""),
    "truncated": ("<f8", "(8,)", b"\0" * 12),
    "object": ("|O", "(8,)", b"\x80\x04N."),
    "complex": ("<c16", "(8,)", b"\0" * 128),
    "big-endian": (">f8", "(8,)", b"\0" * 64),
}


def npy_bytes(kind: str) -> bytes:
    """Hostile .npy files (built by hand so no numpy is needed to make them)."""
    def header(d: str) -> bytes:
        h = d.encode("latin1")
        pad = 64 - (10 + len(h) + 1) % 64
        h = h + b" " * pad + b"\n"
        return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h

    if kind == "empty-file":
        return b""
    if kind in _NPY_ARRAYS:
        descr, shape, data = _NPY_ARRAYS[kind]
        return header(f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}") + data
    if kind == "garbage-header":
        return header("__import__('os').system('echo pwned')")
    if kind == "huge-header-len":
        return b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little") + b"{"
    raise KeyError(kind)


HOSTILE_FILES = ["dev-zero", "link-dev-zero", "fifo", "directory", "dev-null", "missing", "empty", "sparse-huge",
                 "npy:empty-file", "npy:zero-rows", "npy:zero-length", "npy:tib-header", "npy:tib-2d",
                 "npy:negative-shape", "npy:truncated", "npy:object", "npy:complex", "npy:garbage-header",
                 "npy:huge-header-len", "csv-huge-field", "csv-nul", "json-deep", "json-huge-int", "json-bomb-width",
                 "not-utf8", "link-loop"]


def hostile_file(kind: str, stem: str, suffix: str) -> tuple[str, Any]:
    """(relative name, file spec) of a hostile file meant to replace one named in a model."""
    if kind == "dev-zero":
        return "/dev/zero", None
    if kind == "dev-null":
        return "/dev/null", None
    if kind == "missing":
        return f"missing-{stem}{suffix}", None
    if kind == "link-dev-zero":
        return f"{stem}{suffix}", ("link", "/dev/zero")
    if kind == "link-loop":
        return f"{stem}{suffix}", ("link", f"{stem}{suffix}")
    if kind == "fifo":
        return f"{stem}{suffix}", ("fifo",)
    if kind == "directory":
        return f"{stem}{suffix}", ("dir",)
    if kind == "empty":
        return f"{stem}{suffix}", b""
    if kind == "sparse-huge":
        return f"{stem}{suffix}", ("sparse", 3 * 2**30)
    if kind.startswith("npy:"):
        return f"{stem}.npy", npy_bytes(kind[4:])
    if kind == "csv-huge-field":
        return f"{stem}.csv", b"coalition,value\n" + b"x" * 200_000 + b",1\n"
    if kind == "csv-nul":
        return f"{stem}.csv", b"coalition,value\n\0,1\n"
    if kind == "json-deep":
        return f"{stem}.json", b"[" * 100_000 + b"]" * 100_000
    if kind == "json-huge-int":
        return f"{stem}.json", b'{"values": [' + b"9" * 5000 + b"]}"
    if kind == "json-bomb-width":
        return f"{stem}.json", b'{"values": [' + b",".join([b"1"] * 2_000_000) + b"]}"
    if kind == "not-utf8":
        return f"{stem}{suffix}", b"\xff\xfe\x00bad"
    raise KeyError(kind)


# ---------------------------------------------------------------- mutation operators
class Fuzzer:
    """Draws cases from the bundled models with a seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.bases = bases()
        self.ops: list[tuple[Callable[[Case, Base], None], float]] = [
            (self.op_drop_key, 1.0), (self.op_misspell_key, 1.5), (self.op_retype, 2.0), (self.op_number, 3.0),
            (self.op_tolerance, 1.0), (self.op_players_set, 0.5), (self.op_many_players, 1.0),
            (self.op_long_name, 0.7), (self.op_deep, 0.7), (self.op_alias_bomb, 0.6), (self.op_yaml_special, 1.5),
            (self.op_text, 1.5), (self.op_hostile_file, 3.0), (self.op_model_file, 1.0), (self.op_formula, 3.0),
            (self.op_callable, 3.0), (self.op_option, 3.0), (self.op_scheme_param, 1.0), (self.op_grid, 1.5),
            (self.op_lengthscale, 0.5), (self.op_format, 0.6), (self.op_fill, 0.8), (self.op_huge_value, 0.7),
        ]

    def cases(self, count: int) -> Iterator[Case]:
        ops, weights = zip(*self.ops)
        for i in range(count):
            base = self.rng.choice(self.bases)
            op = self.rng.choices(ops, weights)[0]
            case = Case(i, base.name, op.__name__.removeprefix("op_"), "")
            case.files["model.yaml"] = None   # filled by the operator or by _finish
            self._data = copy.deepcopy(base.data)
            self._fmt = "yaml"
            self._text: bytes | None = None
            self._model_arg = "model.yaml"
            self._model_given = False
            self._command = self._pick_command(base)
            self._extra: list[str] = []
            if base.uses_code:
                case.env[CODE_ENV] = "1"
            op(case, base)
            self._finish(case, base)
            yield case

    # -- assembly
    def _pick_command(self, base: Base) -> str:
        r = self.rng.random()
        if base.name in HEAVY_MODELS:
            return "solve" if r < 0.6 else "check"
        if base.kind == "mechanism-design":
            return "solve" if r < 0.5 else "check" if r < 0.85 else "boundary" if r < 0.93 else "inspect"
        return ("solve" if r < 0.5 else "check" if r < 0.8 else "inspect" if r < 0.9
                else "report" if r < 0.95 else "compare")

    def _finish(self, case: Case, base: Base) -> None:
        case.files.pop("model.yaml", None)  # the placeholder
        if not self._model_given:
            self._model_arg = f"model.{self._fmt}"
            case.files[self._model_arg] = self._text if self._text is not None else _dump(self._data, self._fmt)
        if case.argv:
            return
        cmd = self._command
        if cmd == "compare" and case.detail.startswith("scheme"):
            case.must_fail = False  # compare runs the schemes it is given (-s): it may never read the model's
        argv = [cmd, self._model_arg]
        if cmd in ("solve", "check"):
            argv += ["--format", "json"]
            case.json_out = True
        elif cmd == "report":
            argv += ["-o", "out/report.html"]
        elif cmd == "compare":
            argv += ["-s", "shapley,banzhaf" if self.rng.random() < 0.5 else "shapley"]
        elif cmd == "boundary":
            argv += ["--k-max", "60", "--workers", "1"]
        case.argv = argv + self._extra
        if "-o" in self._extra:
            case.json_out = False

    def _paths(self, pred: Callable[[tuple, Any], bool] = lambda p, v: True) -> list[tuple]:
        return [p for p, v in _paths(self._data) if p and pred(p, v)]

    def _choose(self, paths: list[tuple]) -> tuple | None:
        return self.rng.choice(paths) if paths else None

    # -- structure
    def op_drop_key(self, case: Case, base: Base) -> None:
        p = self._choose(self._paths(lambda p, v: isinstance(p[-1], str)))
        if p is None:
            return
        parent = _get(self._data, p[:-1])
        del parent[p[-1]]
        case.detail = f"deleted {'.'.join(map(str, p))}"
        if p == ("kind",) or p == ("players",) or p == ("agents",) or p == ("value",) or p == ("types",):
            case.must_fail = True

    def op_misspell_key(self, case: Case, base: Base) -> None:
        paths = self._paths(lambda p, v: isinstance(p[-1], str) and len(p[-1]) >= 2)
        p = self._choose(paths)
        if p is None:
            return
        parent = _get(self._data, p[:-1])
        old = p[-1]
        for _ in range(20):
            new = self._misspell(old)
            if new != old and new not in parent and new.strip() == new:
                break
        else:
            return
        parent[new] = parent.pop(old)
        case.detail = f"{'.'.join(map(str, p))} -> {new!r}"
        free = {"parameters", "description", "expected"}
        # a misspelt key is invalid everywhere except in maps of free names (and `compare` runs its own
        # schemes, so it may never look at the model's scheme parameters)
        case.must_fail = not any(str(x) in free for x in p[:-1]) and "random" not in p[:-1] and not (
            self._command == "compare" and p[0] == "scheme")

    def _misspell(self, s: str) -> str:
        i = self.rng.randrange(len(s))
        r = self.rng.random()
        if r < 0.3 and len(s) >= 2:
            j = min(i + 1, len(s) - 1)
            lst = list(s)
            lst[i], lst[j] = lst[j], lst[i]
            return "".join(lst)
        if r < 0.6:
            return s[:i] + s[i + 1:]
        if r < 0.8:
            return s[:i] + s[i] + s[i:]
        return s[:i] + self.rng.choice("xqzk") + s[i + 1:]

    def op_retype(self, case: Case, base: Base) -> None:
        p = self._choose(self._paths())
        if p is None:
            return
        junk = self.rng.choice([None, True, 0, -3, 1.5, "", "junk", [], [1, "a"], {}, {"a": 1}, [[[]]],
                                "{a: 1}", "null", "[]"])
        _set(self._data, p, junk)
        case.detail = f"{'.'.join(map(str, p))} = {junk!r}"

    def op_number(self, case: Case, base: Base) -> None:
        paths = self._paths(lambda p, v: isinstance(v, (int, float)) and not isinstance(v, bool))
        p = self._choose(paths)
        if p is None:
            return
        value, invalid = self.rng.choice(SPECIAL_NUMBERS)
        if self.rng.random() < 0.25:  # a plausible perturbation instead
            old = _get(self._data, p)
            value, invalid = self.rng.choice([old * 2, old + 1, -old, old / 3]), False
        _set(self._data, p, value)
        case.detail = f"{'.'.join(map(str, p))} = {value!r}"[:120]
        case.must_fail = invalid
        if self.rng.random() < 0.3:
            self._fmt = self.rng.choice(["json", "toml"])

    def op_tolerance(self, case: Case, base: Base) -> None:
        value = self.rng.choice([math.inf, "inf", ".inf", math.nan, -1e-9, 1e309, "1e309", -math.inf])
        self._data["tolerance"] = value
        case.detail = f"tolerance = {value!r}"
        case.must_fail = True
        if self.rng.random() < 0.4:
            self._fmt = self.rng.choice(["json", "toml"])

    def op_players_set(self, case: Case, base: Base) -> None:
        key = "agents" if base.kind == "mechanism-design" else "players"
        names = self._data.get(key)
        if not isinstance(names, list):
            return
        text = _dump({k: v for k, v in self._data.items() if k != key}, "yaml").decode()
        text += f"{key}: !!set {{{', '.join(json.dumps(n) for n in names)}}}\n"
        self._text = text.encode()
        case.detail = f"{key}: !!set"
        case.must_fail = True

    def op_many_players(self, case: Case, base: Base) -> None:
        # (21..29 players with a filled table are legitimately heavy: 2^n values and checks over them)
        n = self.rng.choice([20, 30, 31, 40, 63, 64, 1023, 1024, 1025, 5000, 100_000])
        key = "agents" if base.kind == "mechanism-design" else "players"
        self._data[key] = [f"p{k}" for k in range(n)]
        v = self._data.get("value")
        if isinstance(v, dict) and self.rng.random() < 0.5:
            self._data["value"] = {"table": {"": 0}, "fill": "default", "default": 1}
        case.detail = f"{n} {key}"
        case.must_fail = key == "agents" or n > 60

    def op_long_name(self, case: Case, base: Base) -> None:
        key = "agents" if base.kind == "mechanism-design" else "players"
        if not isinstance(self._data.get(key), list) or not self._data[key]:
            return
        self._data[key][0] = "x" * self.rng.choice([100_000, 1_000_000])
        case.detail = f"{key}[0] of {len(self._data[key][0])} characters"
        case.must_fail = True

    def op_deep(self, case: Case, base: Base) -> None:
        depth = self.rng.choice([1000, 10_000, 100_000])
        r = self.rng.random()
        if r < 0.4:
            self._fmt = "json"
            body = json.dumps({k: v for k, v in self._data.items() if k != "check"})[:-1]
            self._text = (body + ', "check": ' + "[" * depth + "]" * depth + "}").encode()
        elif r < 0.7:
            self._text = _dump(self._data, "yaml") + b"check: " + b"[" * depth + b"]" * depth + b"\n"
        else:
            self._fmt = "toml"
            self._text = _toml(self._data).encode() + b'"check" = ' + b"[" * depth + b"]" * depth + b"\n"
        case.detail = f"check nested {depth} deep ({self._fmt})"
        case.must_fail = True

    def op_alias_bomb(self, case: Case, base: Base) -> None:
        levels = self.rng.choice([6, 8, 9])
        text = _dump(self._data, "yaml").decode() + alias_bomb(levels) + "\n"
        where = self.rng.choice(["description", "name", "check"])
        text = re.sub(rf"^{where}:.*\n", "", text, flags=re.M)
        text += f"{where}: *a{levels - 1}\n"
        self._text = text.encode()
        case.detail = f"alias bomb of 9^{levels} at {where}"
        case.must_fail = True

    def op_yaml_special(self, case: Case, base: Base) -> None:
        specials = [
            ("python-object", "name: !!python/object/apply:os.system ['echo pwned']\n", True),
            ("python-name", "name: !!python/name:os.system\n", True),
            ("binary", "name: !!binary aGVsbG8=\n", True),
            ("timestamp-tolerance", "tolerance: 2001-12-14\n", True),
            ("set-check", "check: !!set {efficiency}\n", True),
            ("merge", "x0: &m {tolerance: 1.0e-9}\n<<: *m\n", False),
            ("float-nan-tag", "tolerance: !!float .nan\n", True),
            ("int-tag-huge", f"tolerance: !!int {'9' * 5000}\n", True),
            ("null-name", "name: \"\\0bad\\0\"\n", False),
            ("control-name", "name: \"\\x1b[2J\\x07\"\n", False),
            ("tab-indent", "value:\n\ttable: {}\n", True),
            ("bom", None, False),
            ("complex-key", "? [a, b]\n: 1\n", True),
            ("omap", "check: !!omap [{efficiency: 1}]\n", True),
        ]
        name, snippet, invalid = self.rng.choice(specials)
        text = _dump(self._data, "yaml").decode()
        if name == "bom":
            self._text = b"\xef\xbb\xbf" + text.encode()
        else:
            for key in re.findall(r"^([A-Za-z_<]\w*):", snippet, flags=re.M):
                text = re.sub(rf"^{key}:.*\n(?:[ \t]+.*\n)*", "", text, flags=re.M)
            self._text = (text + snippet).encode()
        case.detail = f"yaml {name}"
        case.must_fail = invalid and not (name == "merge")

    def op_text(self, case: Case, base: Base) -> None:
        text = _dump(self._data, self.rng.choice(["yaml", "json", "toml"]))
        fmt = "json" if text.startswith(b"{") else "toml" if b' = ' in text.split(b"\n")[0] else "yaml"
        self._fmt = fmt
        r = self.rng.random()
        if r < 0.3:
            cut = self.rng.randrange(len(text) + 1)
            text, case.detail = text[:cut], f"truncated at {cut} ({fmt})"
        elif r < 0.55:
            pos = self.rng.randrange(len(text) + 1)
            junk = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 12)))
            text, case.detail = text[:pos] + junk + text[pos:], f"{len(junk)} random bytes at {pos} ({fmt})"
        elif r < 0.7:
            text, case.detail = b"", f"empty ({fmt})"
            case.must_fail = True
        elif r < 0.85:
            lines = text.split(b"\n")
            i = self.rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text, case.detail = b"\n".join(lines), f"line {i} duplicated ({fmt})"
        else:
            text, case.detail = text + b"\n" + b"#" * 3_000_000 + b"\n", f"3 MB comment ({fmt})"
            if fmt == "json":
                case.must_fail = True
        self._text = text

    def op_hostile_file(self, case: Case, base: Base) -> None:
        refs = _file_refs(self._data)
        kind = self.rng.choice(HOSTILE_FILES)
        if not refs:  # give the model a value file
            if base.kind != "cooperative-market":
                return self.op_model_file(case, base)
            path, old = ("value",), "table.json"
            self._data["value"] = {"file": old}
            refs = [(("value", "file"), old)]
        path, old = self.rng.choice(refs)
        file_part, sep, func = old.rpartition(":") if path[-1] == "callable" else (old, "", "")
        suffix = Path(file_part).suffix or ".json"
        if path[-1] == "callable" and kind.startswith(("npy:", "csv", "json")):
            kind = self.rng.choice(["dev-zero", "link-dev-zero", "fifo", "directory", "sparse-huge", "not-utf8"])
            suffix = ".py"
        name, spec = hostile_file(kind, "hostile", suffix)
        if spec is not None:
            case.files[name] = spec
        _set(self._data, path, f"{name}{sep}{func}" if sep else name)
        case.detail = f"{'.'.join(map(str, path))} -> {kind}"
        case.must_fail = True

    def op_model_file(self, case: Case, base: Base) -> None:
        kind = self.rng.choice(["fifo", "link-dev-zero", "directory", "sparse-huge", "not-utf8", "missing",
                                "link-loop", "dev-null"])
        suffix = self.rng.choice([".yaml", ".json", ".toml"])
        name, spec = hostile_file(kind, "model", suffix)
        if spec is not None:
            case.files[name] = spec
        self._model_arg = name
        self._model_given = True
        case.detail = f"MODEL is {kind}{suffix}"
        case.must_fail = True

    def op_formula(self, case: Case, base: Base) -> None:
        hostile = self.rng.random() < 0.7
        text = self.rng.choice(HOSTILE_FORMULAS) if hostile else random_formula(self.rng)
        if base.kind == "mechanism-design":
            spots = [("quality",)]
            v = self._data.get("valuation")
            if isinstance(v, dict):
                spots.append(("valuation",))
            if self.rng.random() < 0.2:
                spots.append(("allocation",))
            spot = self.rng.choice(spots)
            if spot == ("valuation",):
                self._data["valuation"] = text
            elif spot == ("allocation",):
                self._data["allocation"] = {"rule": "formula", "formula": text}
            else:
                self._data["quality"] = text
            case.detail = f"{spot[0]} = {text!r}"[:140]
        elif self.rng.random() < 0.6:
            self._data["scheme"] = {"name": "formula", "formula": text}
            self._data.pop("expected", None)
            self._data["check"] = ["efficiency", "symmetry"]
            case.detail = f"scheme.formula = {text!r}"[:140]
        else:  # verify --scheme-formula
            case.argv = ["verify", "--scheme-formula", text, "--players", "2..3", "--budget", "20",
                         "--format", "json"]
            case.json_out = True
            case.detail = f"verify --scheme-formula {text!r}"[:140]
        # these may parse (or fail): the rest of HOSTILE_FORMULAS must be refused
        maybe = ("exp(1000)", "floor(10**30)/3", "10**-400 * 10**400", "2**2**2**2**2", "t" + "+t" * 3000,
                 "(" * 200 + "t" + ")" * 200, "exp(exp(exp(10)))")
        case.must_fail = hostile and self._command != "compare" and text not in maybe

    def op_callable(self, case: Case, base: Base) -> None:
        behaviour, template, bad = self.rng.choice(CALLABLES)
        consent = self.rng.random() < 0.75
        r = self.rng.random()
        if base.kind != "cooperative-market" or r < 0.2:
            case.argv = ["verify", "--scheme-callable", "user_code.py:f", "--players", "2..3", "--budget", "10",
                         "--format", "json", "-a", "efficiency"]
            case.json_out = True
            where, fill = "verify --scheme-callable", SCHEME_FILL
        elif r < 0.45:
            self._data["scheme"] = {"name": "callable", "callable": "user_code.py:f"}
            self._data.pop("expected", None)
            self._data["check"] = ["efficiency"]
            where, fill = "scheme.callable", SCHEME_FILL
        else:
            players = self._data.get("players") or ["a", "b"]
            self._data["value"] = {"callable": "user_code.py:f"}
            self._data.pop("expected", None)
            if self.rng.random() < 0.4:
                self._data["players"] = [f"p{k}" for k in range(40)]
                self._data["scheme"] = {"name": "shapley", "method": "monte-carlo", "permutations": 50}
                where = "value.callable (Monte Carlo)"
            else:
                self._data["players"] = players[:6]
                self._data["scheme"] = "shapley"
                where = "value.callable"
            self._data["check"] = ["efficiency"]
            for k in ("budgets", "replicas"):
                self._data.pop(k, None)
            fill = VALUE_FILL
        case.files["user_code.py"] = callable_source(template, fill)
        if behaviour == "inconsistent" and fill is SCHEME_FILL:
            bad = False      # a random scheme is a (poor) scheme; a random value function is not a game
        if consent:
            case.env[CODE_ENV] = "1"
        else:
            case.env.pop(CODE_ENV, None)
        if behaviour == "sleeps":
            case.env["MECHSOLVE_CODE_TIMEOUT"] = "2"
        case.detail = f"{where}: {behaviour}{'' if consent else ' (no consent)'}"
        case.must_fail = bad or not consent

    def op_option(self, case: Case, base: Base) -> None:
        cmd = self._command
        choices: list[tuple[list[str], bool, str | None]] = [
            (["--tolerance", "inf"], True, "solve"), (["--tolerance", "nan"], True, "solve"),
            (["--tolerance", "1e309"], True, "check"), (["--tolerance", "-0"], False, "check"),
            (["--seed", str(10**30)], False, "solve"), (["--seed", "-1"], False, "solve"),
            (["--axiom", "efficiancy"], True, "check"), (["--axiom", "symetry"], True, "check"),
            (["--scheme", "shapely"], True, "solve"), (["--scheme", "nguyen-paypff"], True, "check"),
            (["-o", "/proc/version"], True, "solve"), (["-o", "readonly/out.json"], os.geteuid() != 0, "solve"),
            (["-o", "afile/out.json"], True, "solve"), (["-o", "full-link"], True, "solve"),
            (["-o", "out-fifo"], True, "solve"), (["-o", "out"], True, "solve"),
            (["--exact"], False, "check"),
        ]
        if base.kind == "mechanism-design":
            choices += [(["--alpha", "-1:1:1e-300"], True, "boundary"), (["--alpha", "nan"], True, "boundary"),
                        (["--alpha", "inf"], True, "boundary"), (["--alpha", "1:-1:0.1"], True, "boundary"),
                        (["--alpha", "-1:1:0"], True, "boundary"), (["--alpha", "-0.9:-0.8:-0.05"], True, "boundary"),
                        (["--alpha", ""], True, "boundary"), (["--alpha", "1e400"], True, "boundary"),
                        (["--scheduler", "tcp://127.0.0.1:1"], False, "boundary")]
        verify = [(["--players", "2..10^11"], True), (["--players", "0..3"], True), (["--players", "5..2"], True),
                  (["--players", "2..100"], True), (["--players", str(10**11)], True), (["--players", "2..x"], True),
                  (["--param", "budgets=x"], True), (["--param", "budgets=[1,2]"], True),
                  (["--budget", str(10**15)], False), (["--time", "inf"], True), (["--time", "nan"], True),
                  (["--tolerance", "inf"], True), (["--family", "nonsense"], True),
                  (["--family", "from-table=/dev/zero"], True), (["--table", "/dev/zero"], True),
                  (["--axiom", "efficency"], True), (["--scheme", "shapley", "--scheme-formula", "vN"], True),
                  (["--scheduler", "tcp://127.0.0.1:1"], True), (["--mechanism", "mep", "--agents", "2..10^11"], True),
                  (["--mechanism", "mep", "--grid", "1..10^9"], True),
                  (["--mechanism", "mep", "--alpha-range", "nan"], True),
                  (["--mechanism", "mep", "--quality", "9**9**9"], True),
                  (["--mechanism", "mep", "--quality", "10**400"], True),
                  (["--mechanism", "mep", "--alpha-range", "1:-1"], True)]
        if self.rng.random() < 0.4:
            extra, bad = self.rng.choice(verify)
            scheme = [] if "--scheme" in extra or "--mechanism" in extra else ["--scheme", "shapley"]
            budget = [] if "--budget" in extra or "--time" in extra else ["--budget", "20"]
            case.argv = ["verify", *scheme, *extra, *budget, "--format", "json"]
            if "--budget" in extra:
                case.argv += ["--time", "2"]
            case.json_out = True
            case.detail = " ".join(case.argv)
            case.must_fail = bad
            if "readonly" in " ".join(extra) or "afile" in " ".join(extra):
                self._prepare_out_dirs(case)
            return
        extra, bad, cmd = self.rng.choice(choices)
        self._command = cmd or self._command
        self._extra = extra
        self._prepare_out_dirs(case)
        case.detail = f"{self._command} {' '.join(extra)}"
        case.must_fail = bad

    def _prepare_out_dirs(self, case: Case) -> None:
        # never name a real device: an output written by rename would replace it (as root)
        case.files["readonly"] = ("readonly-dir",)
        case.files["afile"] = b"a regular file\n"
        case.files["full-link"] = ("link", "/dev/full")
        case.files["out-fifo"] = ("fifo",)

    def op_scheme_param(self, case: Case, base: Base) -> None:
        if base.kind != "cooperative-market":
            return self.op_number(case, base)
        value = self.rng.choice([10**12, math.inf, ".inf", -1, 0, 1e300, 10**400, "many", 2.5, 5e-324])
        self._data["scheme"] = {"name": "shapley", "method": "monte-carlo", "permutations": value, "seed": 1}
        self._data.pop("expected", None)
        case.detail = f"scheme.permutations = {value!r}"
        case.must_fail = value not in (2.5,)

    def op_grid(self, case: Case, base: Base) -> None:
        if base.kind != "mechanism-design":
            return self.op_number(case, base)
        choices = [({"step": 5e-324, "max": 1}, True), ({"step": 1, "max": math.inf}, True),
                   ({"step": 1e-300, "max": 1}, True), ({"step": 1, "max": 1e300}, True),
                   ({"step": 1, "max": 10**400}, True), ({"step": math.nan, "max": 1}, True),
                   ({"step": 0.1, "max": 0.30000000000000004}, False), ({"values": [0] * 0}, True),
                   ({"values": list(range(100_000))}, True), ({"step": 1, "max": 3}, False),
                   ({"values": [math.inf]}, True), ({"step": 1e-5, "max": 100}, True)]
        types, bad = self.rng.choice(choices)
        self._data["types"] = types
        if self.rng.random() < 0.4:
            self._fmt = "toml"
        case.detail = f"types = {str(types)[:80]} ({self._fmt})"
        case.must_fail = bad

    def op_lengthscale(self, case: Case, base: Base) -> None:
        v = self._data.get("value")
        if not (isinstance(v, dict) and isinstance(v.get("datasets"), dict)):
            return self.op_number(case, base)
        value = self.rng.choice([1e-300, 5e-324, 1e300, 1e-20, 0.5])
        v["datasets"]["lengthscale"] = value
        case.detail = f"lengthscale = {value!r}"
        case.must_fail = value in (1e-300, 5e-324, 1e300)

    def op_format(self, case: Case, base: Base) -> None:
        """The same model in JSON or TOML, with a special number the format allows."""
        self._fmt = self.rng.choice(["json", "toml"])
        p = self._choose(self._paths(lambda p, v: isinstance(v, float)))
        if p is not None:
            value = self.rng.choice([math.inf, -math.inf, math.nan])
            _set(self._data, p, value)
            case.detail = f"{'.'.join(map(str, p))} = {value} ({self._fmt})"
            case.must_fail = math.isnan(value)
        else:
            case.detail = f"as {self._fmt}"

    def op_fill(self, case: Case, base: Base) -> None:
        if base.kind != "cooperative-market":
            return self.op_number(case, base)
        n = self.rng.choice([12, 16, 18, 20])
        names = [f"p{k}" for k in range(n)]
        table = {"": 0}
        for k in range(min(n, 200)):
            table[",".join(names[: k % n + 1])] = k
        self._data = {"kind": "cooperative-market", "players": names,
                      "value": {"table": table, "fill": "monotone-closure"},
                      "exact": self.rng.random() < 0.7, "check": ["efficiency"]}
        if self._command in ("report", "compare"):  # every scheme and the replication checks, exactly: heavy
            self._command = "check"
        case.detail = f"fill: monotone-closure, n={n}, exact={self._data['exact']}"

    def op_huge_value(self, case: Case, base: Base) -> None:
        """A huge string where a short one is expected (the error must quote it shortened)."""
        key = self.rng.choice(["kind", "scheme", "check", "name"])
        junk = "z" * self.rng.choice([10_000, 5_000_000])
        self._data[key] = [junk] if key == "check" else junk
        case.detail = f"{key} = {len(junk)} characters"
        # `inspect` checks no axioms and `compare` runs other schemes: they may ignore `check`/`scheme`
        case.must_fail = key in ("kind", "name") or self._command not in ("inspect", "compare")


# ---------------------------------------------------------------- running
def _materialise(case: Case, root: Path) -> Path:
    d = root / f"c{case.index}"
    d.mkdir()
    (d / "data").symlink_to(MODELS / "data")
    for py in MODELS.glob("*.py"):
        shutil.copy(py, d / py.name)
    for name, spec in case.files.items():
        if spec is None:
            continue
        p = d / name
        if isinstance(spec, bytes):
            p.write_bytes(spec)
        elif spec[0] == "fifo":
            os.mkfifo(p)
        elif spec[0] == "link":
            p.symlink_to(spec[1])
        elif spec[0] == "dir":
            p.mkdir()
        elif spec[0] == "readonly-dir":
            p.mkdir()
            p.chmod(0o555)
        elif spec[0] == "sparse":
            with open(p, "wb") as fh:
                fh.truncate(spec[1])
    (d / "out").mkdir()
    return d


def _child(case: Case, d: Path, out: Path, err: Path) -> None:  # pragma: no cover - runs in the fork
    code = 99
    try:
        os.setpgid(0, 0)
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
        fo = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        fe = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fo, 1)
        os.dup2(fe, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
        os.chdir(d)
        for k in ("MECHSOLVE_ALLOW_CODE", "MECHSOLVE_DEBUG", "MECHSOLVE_CODE_TIMEOUT"):
            os.environ.pop(k, None)
        os.environ.update(case.env)
        os.environ.update(THREAD_ENV)
        os.environ["COLUMNS"] = "100"
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from mechsolve.cli import cli

        try:
            cli.main(case.argv, prog_name="mechsolve")
            code = 0
        except SystemExit as exc:   # what the real process would exit with
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:       # what the interpreter would print: a traceback, exit 1
            import traceback

            traceback.print_exc()
            code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code & 0xFF if code >= 0 else 1)


def run_cases(cases: Iterable[Case], *, jobs: int = 2, time_limit: float = TIME_LIMIT,
              progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run each case in a forked child, ``jobs`` at a time; returns the outcomes in case order.

    Cases are drawn lazily and their file contents dropped once written; each outcome is judged
    when collected and keeps only :data:`KEEP_CHARS` of its output, so the parent's memory stays
    flat over thousands of cases.
    """
    root = Path(tempfile.mkdtemp(prefix="mechsolve-fuzz-"))
    outcomes: dict[int, Outcome] = {}
    order: list[int] = []
    source = iter(cases)
    nxt: list[Case | None] = [next(source, None)]
    running: dict[int, tuple[Case, float, Path]] = {}

    def pop() -> Case:
        case = nxt[0]
        assert case is not None
        nxt[0] = next(source, None)
        return case

    try:
        while nxt[0] is not None or running:
            while nxt[0] is not None and len(running) < jobs:
                case = pop()
                order.append(case.index)
                d = _materialise(case, root)
                case.files = {name: None for name in case.files}  # written: the parent keeps no bytes
                out, err = d.parent / f"c{case.index}.out", d.parent / f"c{case.index}.err"
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # pragma: no cover
                    _child(case, d, out, err)
                running[pid] = (case, time.monotonic(), d)
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            now = time.monotonic()
            if pid == 0:
                for p, (case, t0, d) in list(running.items()):
                    if now - t0 > time_limit:
                        try:
                            os.killpg(p, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                        _, status, usage = os.wait4(p, 0)
                        outcomes[case.index] = _collect(case, d, None, now - t0, usage.ru_maxrss, timed_out=True)
                        del running[p]
                        _cleanup_group(p)
                        shutil.rmtree(d, ignore_errors=True)
                        if progress:
                            progress(outcomes[case.index])
                time.sleep(0.005)
                continue
            if pid not in running:
                continue
            case, t0, d = running.pop(pid)
            _cleanup_group(pid)
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
            outcomes[case.index] = _collect(case, d, code, now - t0, usage.ru_maxrss, sig=sig)
            _chmod_all(d)
            shutil.rmtree(d, ignore_errors=True)
            if progress:
                progress(outcomes[case.index])
    finally:
        for p in running:
            try:
                os.killpg(p, signal.SIGKILL)
                os.waitpid(p, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        _chmod_all(root)
        shutil.rmtree(root, ignore_errors=True)
    return [outcomes[i] for i in order]


def _chmod_all(d: Path) -> None:
    for p in d.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            try:
                p.chmod(0o755)
            except OSError:
                pass


def _cleanup_group(pgid: int) -> None:
    """Kill whatever the case left behind in its process group (worker pools)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _collect(case: Case, d: Path, code: int | None, seconds: float, maxrss_kib: int, *,
             sig: int | None = None, timed_out: bool = False) -> Outcome:
    def read(p: Path) -> str:
        try:
            with open(p, "rb") as fh:
                return fh.read(64 * 2**20).decode("utf-8", errors="replace")
        except OSError:
            return ""

    out = read(d.parent / f"c{case.index}.out")
    err = read(d.parent / f"c{case.index}.err")
    for p in (d.parent / f"c{case.index}.out", d.parent / f"c{case.index}.err"):
        p.unlink(missing_ok=True)
    o = Outcome(case, code, out, err, seconds, maxrss_kib * 1024, sig, timed_out)
    o.kinds = judge(o)
    o.stdout, o.stderr = out[:KEEP_CHARS], err[:KEEP_CHARS]
    return o


# ---------------------------------------------------------------- the oracle
def judge(o: Outcome) -> list[str]:
    """The failure classes of one outcome (empty: the case passed)."""
    if o.kinds is not None:
        return o.kinds
    c = o.case
    bad: list[str] = []
    if o.timed_out:
        return ["timeout"]
    if o.signal is not None:
        return [f"killed by signal {o.signal}"]
    if o.max_rss > RSS_LIMIT:
        bad.append("memory")
    if "Traceback (most recent call last)" in o.stderr or "Traceback (most recent call last)" in o.stdout:
        bad.append("traceback")
    if o.code not in (0, 1, 2):
        bad.append(f"exit code {o.code}")
        return bad
    lines = o.stderr.splitlines()
    if o.code == 2:
        errors = [ln for ln in lines if ln.startswith("error:")]
        if "internal error" in o.stderr:
            bad.append("internal error")
        elif "MemoryError" in o.stderr:
            bad.append("memory")
        if len(lines) != 1 or not errors:
            bad.append("not one error line")
        elif len(errors[0]) > MAX_ERROR_LINE:
            bad.append("error line too long")
        if errors and errors[0].strip() in ("error: aborted",):
            bad.append("aborted")
    else:
        if c.must_fail:
            bad.append("wrong exit code (invalid input accepted)")
        if c.json_out:
            try:
                json.loads(o.stdout)
            except ValueError:
                bad.append("stdout is not JSON")
    return bad


def failure_key(o: Outcome, kinds: list[str]) -> str:
    """A short root-cause key: the failure kind, the operator and the error's type or first words."""
    first = next((ln for ln in o.stderr.splitlines() if ln.startswith("error:")), o.stderr.strip()[:80])
    m = re.search(r"internal error \((\w+)", first)
    if m:
        hint = m.group(1)
    else:
        hint = re.sub(r"[0-9]+", "N", first[7:60])
    return f"{kinds[0]} | {o.case.op} | {hint}"


def catalogue(outcomes: list[Outcome]) -> tuple[collections.Counter, dict[str, list[Outcome]]]:
    counts: collections.Counter = collections.Counter()
    examples: dict[str, list[Outcome]] = collections.defaultdict(list)
    for o in outcomes:
        kinds = judge(o)
        if not kinds:
            continue
        for k in kinds:
            counts[k] += 1
        key = failure_key(o, kinds)
        examples[key].append(o)
    return counts, examples


def warm_up() -> None:
    """Import what the commands import lazily, so forked children start warm."""
    import importlib

    import mechsolve.cli  # noqa: F401
    import pulp  # noqa: F401
    import sympy  # noqa: F401

    for mod in ("mechsolve.verify.analysis", "mechsolve.verify.mechanism_analysis", "mechsolve.report",
                "mechsolve.verify.search", "mechsolve.schemes.user", "mechsolve.cli.report", "mechsolve.verify.compare",
                "mechsolve.mechanism.boundary", "mechsolve.data.synthetic", "mechsolve.verify.sampled",
                "mechsolve.verify.mechanism_search", "mechsolve.verify.synthesis", "mechsolve.report.documents"):
        try:
            importlib.import_module(mod)
        except ImportError:
            pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1100)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    ap.add_argument("--show", type=int, default=2, help="examples shown per failure class")
    ap.add_argument("--only", default=None, help="run only cases of this operator")
    ap.add_argument("--case", type=int, action="append", help="run only these case indices")
    ap.add_argument("--json", default=None, help="write the failures as JSON here")
    args = ap.parse_args(argv)
    os.environ.update(THREAD_ENV)  # before numpy/BLAS start their thread pools (children inherit them)
    warm_up()
    warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024   # the imports, before any case
    wanted = set(args.case or ())
    cases = (c for c in Fuzzer(args.seed).cases(args.cases)
             if (not args.only or c.op == args.only) and (not wanted or c.index in wanted))
    t0 = time.monotonic()
    done = [0]

    def tick(o: Outcome) -> None:
        done[0] += 1
        if done[0] % 50 == 0:
            print(f"  {done[0]}/{args.cases} cases, {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)

    outcomes = run_cases(cases, jobs=args.jobs, time_limit=args.time_limit, progress=tick)
    counts, examples = catalogue(outcomes)
    total = time.monotonic() - t0
    failed = sum(1 for o in outcomes if judge(o))
    print(f"{len(outcomes)} cases in {total:.0f} s; {failed} failed; "
          f"exit codes {dict(collections.Counter(o.code for o in outcomes))}; "
          f"largest child RSS {max((o.max_rss for o in outcomes), default=0) // 2**20} MiB, "
          f"slowest case {max((o.seconds for o in outcomes), default=0):.1f} s; "
          f"parent RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB "
          f"(after the imports: {warm_rss} MiB)")
    for k, v in counts.most_common():
        print(f"  {v:5d}  {k}")
    print(f"{len(examples)} failure classes:")
    for key, os_ in sorted(examples.items(), key=lambda kv: -len(kv[1])):
        print(f"\n[{len(os_)}] {key}")
        for o in os_[: args.show]:
            err = " ".join(o.stderr.split())[:300]
            if "stdout is not JSON" in judge(o):
                err += f" [stdout head: {o.stdout[:160]!r}]"
            print(f"    {o.case.label()[:200]}\n      argv={' '.join(o.case.argv)[:160]}\n"
                  f"      exit={o.code} {o.seconds:.1f}s rss={o.max_rss // 2**20}MiB stderr: {err}")
    if args.json:
        Path(args.json).write_text(json.dumps([
            {"index": o.case.index, "op": o.case.op, "base": o.case.base, "detail": o.case.detail,
             "argv": o.case.argv, "code": o.code, "kinds": judge(o), "stderr": o.stderr[:2000],
             "seconds": o.seconds} for o in outcomes if judge(o)], indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
