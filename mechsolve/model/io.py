"""The only file I/O of mechsolve: model files, value tables, outputs.

Model files are YAML (``.yaml``/``.yml``), TOML (``.toml``) or JSON (``.json``);
value tables are JSON (bundled format), CSV (``coalition,value``) or NPY.
Every failure is an :class:`~mechsolve.errors.InvalidModel` naming the file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import errno
import functools
import io as _io
import json
import math
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidModel, short_list, short_repr, shorten

MODEL_SUFFIXES = (".yaml", ".yml", ".toml", ".json")

# ---------------------------------------------------------------- limits at the door (issue 18)
#: Largest file read, per kind of file (bytes). A file over its cap is refused before it is read.
MAX_FILE_BYTES: dict[str, int] = {
    "model": 16 * 2**20,        # a model file (YAML, TOML, JSON)
    "table": 1 * 2**30,         # a value table (JSON, CSV, NPY): 2^27 float64 values
    "dataset": 1 * 2**30,       # one party's data points (CSV, NPY)
    "code": 4 * 2**20,          # a user's .py file
}
_KIND_NAME = {"model": "model files", "table": "value tables", "dataset": "dataset files", "code": "Python files"}
#: Deepest nesting of lists and mappings in a model file or a JSON table.
MAX_DEPTH = 64
#: Nodes YAML aliases (``*name``) may add to a document when expanded (a "billion laughs" is refused).
MAX_ALIAS_NODES = 100_000
#: Longest CSV field (characters): the csv module's own limit, named in the error.
MAX_CSV_FIELD = 131_072


def _human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} EiB"  # pragma: no cover


def check_regular_file(path: Path, field: str, kind: str = "model") -> os.stat_result:
    """``os.stat(path)`` of a regular file within the size cap of ``kind``, else :class:`InvalidModel`.

    Devices (``/dev/zero``), FIFOs, sockets and links to them are refused: reading one
    could block forever or never end.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InvalidModel(f"{path} is a broken symbolic link", field=field) from None
        raise InvalidModel(f"file not found: {path}", field=field) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidModel(f"{path} is a symbolic link loop", field=field) from None
        raise InvalidModel(f"cannot read {path}: {exc.strerror}", field=field) from None
    if stat.S_ISDIR(st.st_mode):
        raise InvalidModel(f"{path} is a directory, not a file", field=field)
    if not stat.S_ISREG(st.st_mode):
        raise InvalidModel(f"{path} is not a regular file (a device, FIFO or socket); give a file",
                           field=field)
    cap = MAX_FILE_BYTES[kind]
    if st.st_size > cap:
        raise InvalidModel(f"{path.name} is {_human(st.st_size)}, over the {_human(cap)} limit for "
                           f"{_KIND_NAME[kind]}", field=field)
    return st


@contextlib.contextmanager
def _open_regular(path: Path, field: str, kind: str) -> Iterator[Any]:
    """A binary file object on a regular file (checked again on the open descriptor: no race)."""
    check_regular_file(path, field, kind)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InvalidModel(f"cannot read {path}: {exc.strerror}", field=field) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES[kind]:
        os.close(fd)
        check_regular_file(path, field, kind)  # says why
        raise InvalidModel(f"{path} changed while it was opened", field=field)  # pragma: no cover
    with os.fdopen(fd, "rb") as fh:
        yield fh


def read_bytes(path: str | os.PathLike[str], field: str, kind: str = "model") -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES[kind]`` bytes."""
    p = Path(path)
    cap = MAX_FILE_BYTES[kind]
    with _open_regular(p, field, kind) as fh:
        try:
            data = fh.read(cap + 1)
        except OSError as exc:
            raise InvalidModel(f"cannot read {p}: {exc.strerror}", field=field) from None
    if len(data) > cap:  # pragma: no cover - the file grew while read
        raise InvalidModel(f"{p.name} is over the {_human(cap)} limit for {_KIND_NAME[kind]}", field=field)
    return data


def _read_text(path: Path, field: str, kind: str = "model") -> str:
    data = read_bytes(path, field, kind)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidModel(f"{path} is not UTF-8 text", field=field) from None


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a valid number")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for JSON: a key given twice is an error, not "last one wins"."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {short_repr(k)}")
        out[k] = v
    return out


def parse_json(text: str) -> Any:
    """JSON without NaN/Infinity and without duplicate keys (``ValueError`` otherwise, never a recursion)."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_pairs)
    except RecursionError:
        raise ValueError(f"nested deeper than Python can parse (the limit is {MAX_DEPTH} levels)") from None


_PLAIN = (str, int, float, bool, type(None))


def check_plain_data(data: Any, where: str, field: str = "file") -> Any:
    """``data`` unchanged if it is JSON-like (mappings, lists, strings, numbers, booleans, null)
    nested at most :data:`MAX_DEPTH` deep; else :class:`InvalidModel` naming the place.

    YAML sets, binary and dates, and TOML dates, are refused here: the three formats
    describe the same data, and a set would make the order of names depend on the hash seed.
    """
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    seen = 0
    while stack:
        node, depth, at = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise InvalidModel(f"{where} is nested more than {MAX_DEPTH} levels deep (at {shorten(at or '.', 60)})",
                               field=field)
        if isinstance(node, dict):
            for k, v in node.items():
                if not isinstance(k, _PLAIN):
                    raise InvalidModel(f"{where}: a key must be a string or number, got {_kind(k)} "
                                       f"(at {shorten(at or '.', 60)})", field=field)
                stack.append((v, depth + 1, f"{at}.{k}" if at else str(k)))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                stack.append((v, depth + 1, f"{at}[{i}]"))
        elif not isinstance(node, _PLAIN):
            raise InvalidModel(f"{where}: {_kind(node)} is not allowed in a model file (at {shorten(at or '.', 60)}); "
                               "use plain strings, numbers, lists and mappings", field=field)
    return data


def _kind(x: Any) -> str:
    if isinstance(x, (set, frozenset)):
        return "a set"
    if isinstance(x, (bytes, bytearray)):
        return "binary data"
    if isinstance(x, (datetime.date, datetime.time, datetime.datetime)):
        return "a date/time"
    if isinstance(x, (tuple, list)):
        return "a sequence"
    if isinstance(x, dict):
        return "a mapping"
    return f"a {type(x).__name__}"


@functools.lru_cache(maxsize=1)
def _yaml_classes() -> tuple[Any, Any]:
    """(composer, constructor) classes for model files.

    Composing (parsing into a node graph) uses libyaml when it is installed — a 5 MB
    file takes a fraction of a second instead of ten; constructing Python data is
    PyYAML's safe constructor, after :func:`_check_yaml_nodes` has bounded the graph.
    The constructor refuses a mapping key given twice (PyYAML keeps the last) and the
    tags that are not JSON data (``!!set``, ``!!binary``, ``!!timestamp``, ``!!omap``,
    ``!!pairs``); a plain ``2001-12-14`` stays a string.
    """
    import yaml

    resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
                 for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class ModelComposer(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers = resolvers

    class ModelConstructor(yaml.SafeLoader):
        yaml_implicit_resolvers = resolvers

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):  # keys written here; `<<` merges may be overridden
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=deep)
                    try:
                        dup = key in seen
                        seen.add(key)
                    except TypeError:  # unhashable key: the base class reports it
                        continue
                    if dup:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {short_repr(key)}", key_node.start_mark)
            return super().construct_mapping(node, deep=deep)

        def refuse_tag(self, node: Any) -> Any:
            raise yaml.constructor.ConstructorError(
                None, None, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed in a model "
                "file (use plain strings, numbers, lists and mappings)", node.start_mark)

    for tag in ("set", "binary", "timestamp", "omap", "pairs"):
        ModelConstructor.add_constructor(f"tag:yaml.org,2002:{tag}", ModelConstructor.refuse_tag)
    return ModelComposer, ModelConstructor


def _check_yaml_nodes(root: Any) -> None:
    """Bound a composed YAML graph before it is turned into Python data.

    Aliases share nodes, so the graph is small even when its expansion is not: the
    expanded size and depth are computed once per node (post-order, no recursion).
    Refused: a recursive alias, nesting deeper than :data:`MAX_DEPTH`, and aliases that
    add more than :data:`MAX_ALIAS_NODES` nodes ("billion laughs").
    """
    import yaml

    seq, mapping = yaml.SequenceNode, yaml.MappingNode

    def children(node: Any) -> list[Any]:
        if isinstance(node, seq):
            return node.value
        if isinstance(node, mapping):
            return [x for pair in node.value for x in pair]
        return []

    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        k = id(node)
        if done:
            total, deepest = 1, 0
            for c in children(node):
                total += size[id(c)]
                deepest = max(deepest, depth[id(c)])
            size[k], depth[k] = total, deepest + 1
            on_path.discard(k)
            if deepest + 1 > MAX_DEPTH + 1:
                raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
            continue
        if k in size:
            continue
        on_path.add(k)
        stack.append((node, True))
        for c in children(node):
            ck = id(c)
            if ck in size:
                continue
            if not isinstance(c, (seq, mapping)):  # a scalar: a leaf, no visit needed
                size[ck], depth[ck] = 1, 1
            elif ck in on_path:
                raise ValueError("a recursive alias (a node that contains itself)")
            else:
                stack.append((c, False))
    extra = size[id(root)] - len(size)
    if extra > MAX_ALIAS_NODES:
        raise ValueError(f"aliases expand the document by {extra:,} nodes, more than {MAX_ALIAS_NODES:,} "
                         "(a YAML alias bomb?)")


def parse_yaml(text: str) -> Any:
    """Safe YAML for model files: bounded (:func:`_check_yaml_nodes`), JSON-like data only."""
    composer_cls, constructor_cls = _yaml_classes()
    composer = composer_cls(text)
    try:
        node = composer.get_single_node()
    finally:
        composer.dispose()
    if node is None:
        return None
    _check_yaml_nodes(node)
    constructor = constructor_cls("")
    try:
        return constructor.construct_document(node)
    finally:
        constructor.dispose()


def read_mapping(path: str | os.PathLike[str]) -> Any:
    """Parse a YAML, TOML or JSON file into plain Python data (no validation of the model).

    The file must be a regular file of at most ``MAX_FILE_BYTES["model"]`` bytes, and the
    data JSON-like and nested at most :data:`MAX_DEPTH` deep (:func:`check_plain_data`).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise InvalidModel(f"{shorten(p.name)}: unknown model file type {shorten(suffix or '(none)')!r}; "
                           f"use one of {', '.join(MODEL_SUFFIXES)}", field="file")
    text = _read_text(p, "file", "model")
    try:
        if suffix in (".yaml", ".yml"):
            data = parse_yaml(text)
        elif suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            data = parse_json(text)
    except RecursionError:
        raise InvalidModel(f"{p.name} is not valid {suffix.lstrip('.').upper()}: nested too deep "
                           f"(the limit is {MAX_DEPTH} levels)", field="file") from None
    except Exception as exc:  # parser errors of three libraries: one readable line
        detail = " ".join(str(exc).split())
        raise InvalidModel(f"{p.name} is not valid {suffix.lstrip('.').upper()}: {detail}",
                           field="file") from None
    return check_plain_data(data, p.name)


def load(path: str | os.PathLike[str]) -> Any:
    """Read and validate a model file; returns the **resolved** spec of its ``kind``.

    Every file the model names (value tables, datasets, code, per-party task tables) is read
    and checked now, relative to the model file's folder (:func:`resolve_model`); nothing after
    this sees a path.

    Examples
    --------
    >>> import mechsolve.model.io as io, pathlib
    >>> m = io.load(pathlib.Path(__file__).parents[2] / "models" / "mnist-5-parties.yaml")
    >>> from mechsolve.model.resolved import resolved_of
    >>> t = resolved_of(m).table("value.file")
    >>> t.file, t.values.shape, t.values.flags.writeable
    ('mnist-5-parties.json', (32,), False)
    """
    return load_data(read_mapping(path), Path(path).parent)


def load_data(data: Any, base_dir: str | os.PathLike[str] = ".") -> Any:
    """Validate a model mapping and read the files it names relative to ``base_dir`` (:func:`resolve_model`)."""
    from .schema import parse_model

    return resolve_model(parse_model(data), base_dir)


def resolve_model(spec: Any, base_dir: str | os.PathLike[str] = ".", *, reuse: Any = None) -> Any:
    """A copy of ``spec`` with every file it references read (:mod:`mechsolve.model.resolved`).

    Value tables (``value.file``, ``scheme.tasks.<party>.file``) are read as
    :func:`read_value_file` reads them, datasets as :func:`read_table`, code as
    :func:`read_code` (read and compiled, never run here). Each file is read once; ``reuse``
    (a :class:`~mechsolve.model.resolved.Resolved`) supplies items already read for the same
    field and name. The first bad reference raises :class:`InvalidModel` naming its field.
    """
    from .resolved import Resolved, attach, references

    refs = references(spec)
    if not refs:
        return attach(spec, Resolved()) if hasattr(spec, "references") else spec
    base = Path(base_dir)
    players = list(getattr(spec, "players", []) or [])
    old = dict(reuse.files) if reuse is not None else {}
    items: dict[str, Any] = {}
    for ref in refs:
        prev = old.get(ref.field)
        if prev is not None and prev.ref == ref:
            items[ref.field] = prev
            continue
        items[ref.field] = _read_reference(base, ref, players)
    return attach(spec, Resolved(items))


def _read_reference(base: Path, ref: Any, players: list[str]) -> Any:
    from .resolved import DataTable, ValueTable

    if ref.kind == "code":
        return read_code(base, ref.name, ref.field, ref=ref)
    path = resolve(base, ref.name, ref.field)
    where = os.path.abspath(path)
    if ref.kind == "table":
        values, table = read_value_file(path, players, ref.field)
        return ValueTable(ref, where, values, table)
    header, rows = read_table(path, ref.field)
    return DataTable(ref, where, header, rows)


def written_references(data: dict[str, Any], bundle: Any, out_dir: str | os.PathLike[str] | None = None
                       ) -> dict[str, Any]:
    """``data`` (a model mapping derived from a loaded model) with every file reference the
    ``bundle`` read rewritten so that the model, written into ``out_dir``, finds the same files:
    relative to ``out_dir`` when given (absolute across drives), else absolute. Paths are
    computed, never opened.
    """
    for field, item in bundle.items():
        *keys, last = item.ref.location
        node: Any = data
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if not isinstance(node, dict) or last not in node:
            continue
        p = item.path
        if out_dir is not None:
            try:
                p = os.path.relpath(p, os.path.abspath(out_dir))
            except ValueError:  # another drive
                pass
        node[last] = f"{p}:{item.function}" if item.ref.kind == "code" else p
    return data


def resolve(base: Path, name: str, field: str) -> Path:
    """A path named in a model, relative to the model file's folder (it must exist)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidModel(f"expected a file name, got {short_repr(name)}", field=field)
    if "\0" in name:
        raise InvalidModel(f"file name {short_repr(name)} contains a NUL character", field=field)
    p = Path(name).expanduser()
    p = p if p.is_absolute() else base / p
    try:
        exists = p.exists() or p.is_symlink()
    except OSError as exc:  # e.g. a name too long for the file system
        raise InvalidModel(f"cannot use the file name {short_repr(name)}: {exc.strerror}", field=field) from None
    if not exists:
        raise InvalidModel(f"file not found: {shorten(str(p), 160)}", field=field)
    return p


def read_csv_rows(path: Path, field: str, kind: str = "table") -> list[list[str]]:
    """The rows of a CSV file (regular file, size-capped); a malformed row names its line."""
    text = _read_text(path, field, kind)
    reader = csv.reader(text.splitlines())
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        why = (f"a field is longer than {MAX_CSV_FIELD:,} characters (the CSV field limit)"
               if "field limit" in str(exc) else str(exc))
        raise InvalidModel(f"line {reader.line_num}: {why}", field=f"{field} ({path.name})") from None
    return rows


def read_npy(path: Path, field: str, kind: str = "table") -> np.ndarray:
    """A plain numeric array from a ``.npy`` file: never unpickled, the header checked against the file.

    Object, structured and complex arrays are refused, and so is a header that declares
    more (or less) data than the file holds (a 1 TiB shape in a 100-byte file).
    """
    where = f"{field} ({path.name})"
    with _open_regular(path, field, kind) as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            version = np.lib.format.read_magic(fh)
            start = fh.tell()
            width = 2 if version == (1, 0) else 4
            header_len = int.from_bytes(fh.read(width), "little")
            if start + width + header_len > size:  # read before numpy allocates a 2 GiB header
                raise InvalidModel(f"not a plain numeric .npy array (the header claims {_human(header_len)} but "
                                   f"the file is {_human(size)})", field=where)
            fh.seek(start)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
        except (ValueError, EOFError, OSError, SyntaxError, TypeError) as exc:
            why = shorten(" ".join(str(exc).split()) or type(exc).__name__, 120)
            raise InvalidModel(f"not a plain numeric .npy array ({why})", field=where) from None
        if dtype.hasobject or dtype.names is not None or dtype.kind not in "fiub":
            raise InvalidModel(f"not a plain numeric .npy array (dtype {shorten(str(dtype), 40)})", field=where)
        if any(not isinstance(k, int) or k < 0 for k in shape):
            raise InvalidModel(f"not a plain numeric .npy array (shape {short_repr(shape)})", field=where)
        count = math.prod(shape)
        declared = count * dtype.itemsize
        held = size - fh.tell()
        if declared != held:
            raise InvalidModel(f"the header declares shape {short_repr(shape)} ({_human(declared)}) but the file "
                               f"holds {_human(max(held, 0))} of data", field=where)
        raw = fh.read(declared)
    arr = np.frombuffer(raw, dtype=dtype, count=count)
    return arr.reshape(shape, order="F" if fortran else "C")


def read_value_file(path: Path, players: list[str], field: str = "value.file"
                    ) -> tuple[np.ndarray | None, dict[str, Any] | None]:
    """Read a value table file; returns ``(values, None)`` or ``(None, table)``.

    * JSON: ``{"players": [...], "values": [...]}`` in bitmask order (players must
      match the model's), or ``{"table": {coalition: value}}``;
    * CSV: a header ``coalition,value`` then one row per coalition, names joined by
      ``;`` or ``+`` (empty for ∅);
    * NPY: a 1-D float array of length ``2^n`` (never unpickled).

    Every file must be a regular file within ``MAX_FILE_BYTES["table"]``.
    """
    suffix = path.suffix.lower()
    where = f"{field} ({path.name})"
    if path.is_dir():
        raise InvalidModel(f"{path} is a directory, not a value file (.json, .csv or .npy)", field=field)
    if suffix not in (".json", ".csv", ".npy"):
        raise InvalidModel(f"unknown value file type {short_repr(suffix)}; use .json, .csv or .npy", field=where)
    if suffix == ".json":
        try:
            data = parse_json(_read_text(path, field, "table"))
        except ValueError as exc:
            raise InvalidModel(f"not valid JSON: {' '.join(str(exc).split())}", field=where) from None
        check_plain_data(data, path.name, field=where)
        if not isinstance(data, dict):
            raise InvalidModel("a JSON value table must be an object with `values` or `table`", field=where)
        if "players" in data and (not isinstance(data["players"], list)
                                  or not all(isinstance(p, str) for p in data["players"])):
            raise InvalidModel(f"`players` must be a list of names, got {short_repr(data['players'])}", field=where)
        if "players" in data and list(data["players"]) != list(players):
            raise InvalidModel(f"the file's players [{short_list(data['players'])}] differ from the model's "
                               f"[{short_list(players)}]", field=where)
        if "values" in data:
            vals = data["values"]
            if not isinstance(vals, list) or any(isinstance(x, bool) or not isinstance(x, (int, float))
                                                 for x in vals):
                raise InvalidModel("`values` must be a list of numbers", field=where)
            try:
                return np.asarray(vals, dtype=np.float64), None
            except OverflowError:  # an integer beyond float range
                raise InvalidModel("`values` must be finite numbers; an integer is beyond float range",
                                   field=where) from None
        if "table" in data and isinstance(data["table"], dict):
            return None, data["table"]
        raise InvalidModel("a JSON value table needs `values` (bitmask order) or `table`", field=where)
    if suffix == ".csv":
        rows = read_csv_rows(path, field, "table")
        if not rows or [c.strip().lower() for c in rows[0]] != ["coalition", "value"]:
            raise InvalidModel("a CSV value table needs the header `coalition,value`", field=where)
        table: dict[str, Any] = {}
        for line, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != 2:
                raise InvalidModel(f"line {line}: expected 2 columns, got {len(row)}", field=where)
            try:
                x = float(row[1])
            except ValueError:
                raise InvalidModel(f"line {line}: value {short_repr(row[1])} is not a number", field=where) from None
            if not math.isfinite(x):
                raise InvalidModel(f"line {line}: value {short_repr(row[1])} is not finite", field=where)
            key = row[0].strip()
            if key in table:
                raise InvalidModel(f"line {line}: coalition {short_repr(key)} is listed twice", field=where)
            table[key] = x
        return None, table
    arr = read_npy(path, field, "table")
    if arr.ndim != 1:
        raise InvalidModel(f"array must be 1-D, got shape {arr.shape}", field=where)
    if arr.dtype.kind not in "fiu":
        raise InvalidModel(f"array must be numeric, got dtype {arr.dtype}", field=where)
    return np.asarray(arr, dtype=np.float64), None


# ---------------------------------------------------------------- user code, only with consent
#: Environment variable that gives consent to run user code (``1``, ``true`` or ``yes``).
ALLOW_CODE_ENV = "MECHSOLVE_ALLOW_CODE"
#: Environment variable with the longest time (seconds) one call of user code may take.
CODE_TIMEOUT_ENV = "MECHSOLVE_CODE_TIMEOUT"


@dataclass
class CodePolicy:
    """Whether user code (a ``.py`` named by a model file or an option) may run, and for how long.

    ``allow=None`` and ``timeout=None`` defer to the environment variables
    :data:`ALLOW_CODE_ENV` and :data:`CODE_TIMEOUT_ENV` (which worker processes inherit).
    """

    allow: bool | None = None
    timeout: float | None = None

    @property
    def allowed(self) -> bool:
        if self.allow is not None:
            return self.allow
        return os.environ.get(ALLOW_CODE_ENV, "").strip().lower() in ("1", "true", "yes", "on")

    @property
    def seconds(self) -> float | None:
        if self.timeout is not None:
            return self.timeout
        text = os.environ.get(CODE_TIMEOUT_ENV, "").strip()
        if not text:
            return None
        try:
            t = float(text)
        except ValueError:
            raise InvalidModel(f"{CODE_TIMEOUT_ENV}={short_repr(text)} is not a number of seconds",
                               field=CODE_TIMEOUT_ENV) from None
        if not (math.isfinite(t) and t > 0):
            raise InvalidModel(f"{CODE_TIMEOUT_ENV}={short_repr(text)} must be a positive number of seconds",
                               field=CODE_TIMEOUT_ENV)
        return t


_POLICY = CodePolicy()


def set_code_policy(*, allow: bool | None = None, timeout: float | None = None) -> None:
    """Give (or withdraw) consent to run user code in this process; ``None`` keeps the environment's say.

    Worker processes started afterwards inherit it (it is also put into the environment).
    """
    _POLICY.allow = allow
    _POLICY.timeout = timeout
    if allow:
        os.environ[ALLOW_CODE_ENV] = "1"
    elif allow is not None:
        os.environ.pop(ALLOW_CODE_ENV, None)
    if timeout is not None:
        os.environ[CODE_TIMEOUT_ENV] = repr(float(timeout))


@contextlib.contextmanager
def code_policy(*, allow: bool | None = None, timeout: float | None = None) -> Iterator[CodePolicy]:
    """Run a block under a code policy, restoring the previous one (and the environment) after.

    Examples
    --------
    >>> with code_policy(allow=True) as p:
    ...     p.allowed
    True
    """
    saved = (_POLICY.allow, _POLICY.timeout)
    env = {k: os.environ.get(k) for k in (ALLOW_CODE_ENV, CODE_TIMEOUT_ENV)}
    try:
        set_code_policy(allow=allow, timeout=timeout)
        yield _POLICY
    finally:
        _POLICY.allow, _POLICY.timeout = saved
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _CodeTimeout(BaseException):
    """Raised by the alarm inside user code that ran past ``--code-timeout``."""


class _Output(_io.StringIO):
    """What user code prints: kept (the first 64 KiB) but never mixed into mechsolve's output."""

    LIMIT = 65536

    def write(self, s: str) -> int:
        if self.tell() < self.LIMIT:
            super().write(s[: self.LIMIT - self.tell()])
        return len(s)


class UserCode:
    """A function from a user's ``.py`` file, run so that it cannot take mechsolve down.

    * what it prints (stdout and stderr) is captured, never mixed into reports or JSON,
      and summarised in one warning;
    * ``SystemExit``, ``KeyboardInterrupt`` raised by the code itself and any other
      ``BaseException`` become an :class:`InvalidModel` naming the file (a real Ctrl-C
      still interrupts);
    * with a timeout (``--code-timeout``), one call that runs longer is stopped and
      reported (main thread only: signals are how Python interrupts running code).

    Ordinary exceptions pass through unchanged: the caller names the coalition or game
    it was evaluating. ``with fn.session():`` runs many calls under one capture.
    """

    def __init__(self, fn: Callable[..., Any], path: Path, name: str, field: str, timeout: float | None,
                 code: Any = None) -> None:
        self.fn = fn
        self.code = code
        self.path = path
        self.name = name
        self.field = field
        self.timeout = timeout
        self._depth = 0
        self._sigint = False
        self._in_call = False
        self.__name__ = name
        self.__doc__ = getattr(fn, "__doc__", None)

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.name}" if self.name else self.path.name

    def __repr__(self) -> str:
        return f"<user code {self.where}>"

    def __reduce__(self) -> Any:  # worker processes run the source read at load, under their own consent
        if self.code is None:
            raise TypeError(f"{self!r} cannot be sent to another process")
        return (load_code, (self.code,))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._depth:
            return self._call(self.fn, *args, **kwargs)
        with self.session():
            return self._call(self.fn, *args, **kwargs)

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        timer = self.timeout is not None and threading.current_thread() is threading.main_thread()
        if timer:
            self._in_call = True
            signal.setitimer(signal.ITIMER_REAL, float(self.timeout))  # type: ignore[arg-type]
        try:
            try:
                return fn(*args, **kwargs)
            finally:
                self._in_call = False
        except _CodeTimeout:
            raise InvalidModel(f"{self.where} ran longer than the code timeout of {self.timeout:g} s "
                               "(--code-timeout)", field=self.field) from None
        except KeyboardInterrupt:
            if self._sigint:
                raise
            raise InvalidModel(f"{self.where} raised KeyboardInterrupt; user code may not interrupt mechsolve",
                               field=self.field) from None
        except SystemExit as exc:
            raise InvalidModel(f"{self.where} called sys.exit({short_repr(exc.code, 40)}); user code must return "
                               "a value, not exit", field=self.field) from None
        except Exception:
            raise
        except BaseException as exc:  # GeneratorExit or a user-defined BaseException subclass
            raise InvalidModel(f"{self.where} raised {type(exc).__name__}: {shorten(str(exc))}",
                               field=self.field) from None
        finally:
            if timer:
                signal.setitimer(signal.ITIMER_REAL, 0)

    @contextlib.contextmanager
    def session(self) -> Iterator[UserCode]:
        """Capture output and install the timeout/interrupt handlers once for many calls."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        main = threading.current_thread() is threading.main_thread()
        out = _Output()
        old_alarm = old_int = None
        self._sigint = False
        if main:
            def on_alarm(signum: int, frame: Any) -> None:
                if self._in_call:
                    raise _CodeTimeout()

            prev_int = signal.getsignal(signal.SIGINT)

            def on_int(signum: int, frame: Any) -> None:
                self._sigint = True
                if callable(prev_int):
                    prev_int(signum, frame)
                raise KeyboardInterrupt

            if self.timeout is not None:
                old_alarm = signal.signal(signal.SIGALRM, on_alarm)
            old_int = signal.signal(signal.SIGINT, on_int)
        self._depth = 1
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                yield self
        finally:
            self._depth = 0
            if main:
                if old_alarm is not None:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, old_alarm)
                if old_int is not None:
                    signal.signal(signal.SIGINT, old_int)
            printed = out.getvalue()
            if printed.strip():
                first = shorten(printed.strip().splitlines()[0], 80)
                warnings.warn(f"{self.where} printed output, which is not part of the report "
                              f"(first line: {first!r})", UserCodeOutput, stacklevel=2)


class UserCodeOutput(UserWarning):
    """User code printed something (captured, not shown in the report)."""


def session(fn: Any) -> contextlib.AbstractContextManager[Any]:
    """``fn.session()`` for :class:`UserCode`, a no-op context for any other callable."""
    return fn.session() if isinstance(fn, UserCode) else contextlib.nullcontext(fn)


_CODE_CACHE: dict[tuple[str, int, str], UserCode] = {}


def read_code(base: Path, spec: str, field: str = "value.callable", *, ref: Any = None) -> Any:
    """Read (never run) the Python file of ``file.py:function``, relative to ``base``: a
    :class:`~mechsolve.model.resolved.Code`, compiled now, run later by :func:`load_code`.

    The file must be a regular ``.py`` file within ``MAX_FILE_BYTES["code"]``.
    """
    from .resolved import Code

    if not isinstance(spec, str) or ":" not in spec:
        raise InvalidModel(f"callable must be `file.py:function`, got {short_repr(spec)}", field=field)
    file_part, _, func = spec.rpartition(":")
    path = resolve(base, file_part, field)
    if path.suffix != ".py":
        raise InvalidModel(f"{shorten(path.name)} is not a .py file", field=field)
    check_regular_file(path, field, "code")
    if not func.isidentifier():
        raise InvalidModel(f"{path.name} has no function {short_repr(func)}", field=field)
    source = read_bytes(path, field, "code")
    return Code(f"{path}:{func}", path=os.path.abspath(path), function=func, field=field, source=source, ref=ref)


def _exec_code(code: Any, module_name: str) -> Any:
    """Run a compiled user file as a fresh module (its top level runs here); failures name the file."""
    import types

    if code.code is None:
        raise InvalidModel(f"importing {code.file} raised {code.error}", field=code.field)
    module = types.ModuleType(module_name)
    module.__file__ = code.path
    try:
        exec(code.code, module.__dict__)  # noqa: S102 - the user's own file, run with consent
    except Exception as exc:  # user code failed to import
        raise InvalidModel(f"importing {code.file} raised {type(exc).__name__}: {shorten(str(exc))}",
                           field=code.field) from None
    return module


def load_code(code: Any) -> UserCode:
    """The function a :class:`~mechsolve.model.resolved.Code` names, its module run — **runs user code**.

    Only with consent (:func:`set_code_policy`, ``--allow-code`` or ``MECHSOLVE_ALLOW_CODE=1``);
    otherwise one line naming the field. The source was read at load; nothing is read here.
    The module runs under :class:`UserCode`'s guards, once per process for the same source.
    """
    field = code.field
    if not _POLICY.allowed:
        raise InvalidModel(f"{shorten(str(code).rpartition(':')[0], 120)} is Python code; running it needs "
                           f"--allow-code (or {ALLOW_CODE_ENV}=1)", field=field)
    func = code.function
    key = (code.path, hash(code.source), func)
    timeout = _POLICY.seconds
    cached = _CODE_CACHE.get(key)
    if cached is not None:
        cached.timeout, cached.field = timeout, field
        return cached
    path = Path(code.path)
    modname = f"mechsolve_user_{abs(hash(key[:2]))}"
    importer = UserCode(_exec_code, path, "", field, timeout)  # the file's top level runs here
    module = importer(code, modname)
    fn = getattr(module, func, None)
    if not callable(fn):
        raise InvalidModel(f"{path.name} has no function {func!r}", field=field)
    user = UserCode(fn, path, func, field, timeout, code)
    if len(_CODE_CACHE) > 64:
        _CODE_CACHE.clear()
    _CODE_CACHE[key] = user
    return user


def load_callable(base: Path, spec: str, field: str = "value.callable") -> UserCode:
    """:func:`read_code` then :func:`load_code`: read ``file.py:function`` and run it — **runs user code**
    (only with consent). For a file named on a command line or in a test; a model's code is read
    at load (:func:`resolve_model`) and run later by :func:`load_code`."""
    return load_code(read_code(base, spec, field))


def _umask() -> int:
    """The process umask: from /proc on Linux, else by setting and restoring it (no read-only call)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: str | os.PathLike[str], write: Any, field: str = "output") -> None:
    """``write(fh)`` into a temporary file in the same folder, then rename over ``path``.

    The file gets the mode a plain ``open()`` would give it: an existing file keeps its
    mode; a new one gets ``0o666 & ~umask`` (0644 under umask 022). :func:`tempfile.mkstemp`
    alone would leave it 0600. An existing target that is not a regular file is never
    replaced: a directory is refused, and a device or FIFO (``/dev/stdout``, a pipe) is
    written to directly. Every failure is an :class:`InvalidModel` naming ``field``.
    """
    p = Path(path)
    where = shorten(str(p), 120)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise InvalidModel(f"cannot write {where}: a file stands where a folder is needed", field=field) from None
    except OSError as exc:
        raise InvalidModel(f"cannot write {where}: {exc.strerror}", field=field) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InvalidModel(f"{where} is a directory; give a file name", field=field)
    if st is not None and not stat.S_ISREG(st.st_mode):
        buf = _io.BytesIO()
        write(buf)
        _write_special(p, buf.getvalue(), field)
        return
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name[:80]}.", suffix=".tmp")
    except (FileExistsError, NotADirectoryError):
        raise InvalidModel(f"cannot write {where}: a file stands where a folder is needed", field=field) from None
    except OSError as exc:
        raise InvalidModel(f"cannot write {where}: {exc.strerror or exc}", field=field) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise InvalidModel(f"cannot write {where}: {exc.strerror or exc}", field=field) from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike[str], text: str, field: str = "output") -> None:
    """Write a UTF-8 text file atomically (a temporary file in the same folder, then rename).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_text(d / "a.txt", "hi")
    >>> oct((d / "a.txt").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    True
    """
    data = text.encode("utf-8")
    _atomic_write(path, lambda fh: fh.write(data), field)


#: Model files mechsolve writes (TOML is read, not written: the standard library has no TOML writer).
WRITABLE_MODEL_SUFFIXES = (".yaml", ".yml", ".json")


def writable_model_path(path: str | os.PathLike[str], field: str = "output") -> Path:
    """``path`` if a model file can be written there (YAML or JSON by its suffix; no suffix: YAML)."""
    p = Path(path)
    if p.suffix and p.suffix.lower() not in WRITABLE_MODEL_SUFFIXES:
        raise InvalidModel(f"{p.name}: model files are written as {', '.join(WRITABLE_MODEL_SUFFIXES)}, "
                           f"not {p.suffix!r}", field=field)
    return p


def model_text(model: Any, *, suffix: str = ".yaml", comment: str | None = None) -> str:
    """A model mapping as file text: YAML (keys in the given order, ``# comment`` on top) or JSON.

    Examples
    --------
    >>> print(model_text({"kind": "cooperative-market", "players": ["a"]}, comment="hello"), end="")
    # hello
    kind: cooperative-market
    players:
    - a
    """
    if suffix.lower() == ".json":
        return json.dumps(model, indent=2, ensure_ascii=False) + "\n"
    import yaml

    head = f"# {comment}\n" if comment else ""
    return head + yaml.safe_dump(dict(model), sort_keys=False, allow_unicode=True, width=100)


def write_model(path: str | os.PathLike[str], model: Any, *, comment: str | None = None,
                field: str = "output") -> None:
    """Write a model mapping atomically as YAML or JSON (by the suffix); ``load`` reads it back."""
    p = writable_model_path(path, field)
    write_text(p, model_text(model, suffix=p.suffix or ".yaml", comment=comment), field)


def write_bytes(path: str | os.PathLike[str], data: bytes, field: str = "output") -> None:
    """Write bytes atomically (a figure, an array): a temporary file in the same folder, then rename."""
    _atomic_write(path, lambda fh: fh.write(data), field)


def write_npy(path: str | os.PathLike[str], arr: np.ndarray, field: str = "output") -> None:
    """Write ``arr`` as a ``.npy`` file atomically (never pickled)."""
    _atomic_write(path, lambda fh: np.save(fh, np.asarray(arr), allow_pickle=False), field)


@contextlib.contextmanager
def staged_dir(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Write a multi-file output into a temporary folder that replaces its entries in ``target`` at the end.

    The body writes into the yielded folder (beside ``target``, on the same file system).
    When it completes, each top-level entry replaces the one of the same name in
    ``target`` (files by an atomic rename; a folder such as ``rewards/`` as a whole, so no
    stale file of an earlier run stays in it); other files in ``target`` are left alone.
    If the body raises or is interrupted, the temporary folder is removed and ``target``
    is exactly as before: nothing half-done is ever visible.
    """
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        for entry in sorted(tmp.iterdir()):
            dest = out / entry.name
            if entry.is_dir() and dest.is_dir():
                old = Path(tempfile.mkdtemp(dir=out, prefix=f".{entry.name}.", suffix=".old"))
                os.rename(dest, old / entry.name)
                os.rename(entry, dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(entry, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_special(p: Path, data: bytes, field: str) -> None:
    """Write to a device or FIFO in place (a FIFO without a reader is an error, not a hang)."""
    try:
        fd = os.open(p, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        why = "nothing reads from it" if exc.errno == errno.ENXIO else exc.strerror
        raise InvalidModel(f"cannot write {shorten(str(p), 120)}: {why}", field=field) from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise InvalidModel(f"cannot write {shorten(str(p), 120)}: {exc.strerror or exc}", field=field) from None


def import_file(path: Path, module_name: str, field: str) -> Any:
    """Import a Python file as a module (runs its code); failures name the file and ``field``."""
    import importlib.util

    mspec = importlib.util.spec_from_file_location(module_name, path)
    if mspec is None or mspec.loader is None:
        raise InvalidModel(f"cannot import {path}", field=field)
    module = importlib.util.module_from_spec(mspec)
    try:
        mspec.loader.exec_module(module)
    except Exception as exc:  # user code failed to import
        raise InvalidModel(f"importing {path.name} raised {type(exc).__name__}: {shorten(str(exc))}",
                           field=field) from None
    return module


def available_memory_bytes() -> int:
    """Memory this process may still allocate, in bytes.

    The smallest of ``MemAvailable``, the address-space limit (``ulimit -v``,
    ``resource.RLIMIT_AS``) less what the process already maps, and the cgroup's
    ``memory.max`` less ``memory.current``. ``MECHSOLVE_MEMORY_LIMIT`` (bytes) overrides.
    """
    env = os.environ.get("MECHSOLVE_MEMORY_LIMIT")
    if env:
        return int(float(env))
    have = [8 * 2**30]
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    have = [int(line.split()[1]) * 1024]
                    break
    except OSError:
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft not in (resource.RLIM_INFINITY, -1):
            with open("/proc/self/statm", encoding="ascii") as fh:
                mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            have.append(max(soft - mapped, 0))
    except (ImportError, OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            cap = fh.read().strip()
        if cap.isdigit():
            with open("/sys/fs/cgroup/memory.current", encoding="ascii") as fh:
                have.append(max(int(cap) - int(fh.read().strip()), 0))
    except (OSError, ValueError):
        pass
    return min(have)


@contextlib.contextmanager
def silenced_stdout() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner even with ``msg=False``)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured stdout (tests): nothing to redirect
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)


# ------------------------------------------------------------------ dataset points
def read_table(path: Path, field: str) -> tuple[list[str] | None, np.ndarray]:
    """A numeric dataset from CSV or NPY: ``(header, rows)``, ``header`` the column names or ``None``.

    * CSV: numbers separated by commas; a first row that is not numeric is the
      header (returned, not data); every row must have the same number of columns.
    * NPY: a numeric 1-D (one column) or 2-D array (never unpickled); no header.

    Files are read through the guarded readers of this module (regular files only,
    size-capped; a ``.npy`` header is checked against the file size); an empty
    dataset is refused.
    """
    suffix = path.suffix.lower()
    where = f"{field} ({path.name})"
    if path.is_dir():
        raise InvalidModel(f"{path} is a directory, not a data file (.csv or .npy)", field=field)
    if suffix == ".csv":
        rows = read_csv_rows(path, field, "dataset")
        rows = [r for r in rows if r and any(c.strip() for c in r)]
        header: list[str] | None = None
        if rows:
            try:
                [float(c) for c in rows[0]]
            except ValueError:
                header = [c.strip() for c in rows[0]]
                rows = rows[1:]
        if not rows:
            raise InvalidModel("the CSV has no data rows", field=where)
        width = len(rows[0])
        data = np.empty((len(rows), width))
        for line, row in enumerate(rows):
            if len(row) != width:
                raise InvalidModel(f"data row {line + 1} has {len(row)} columns, expected {width}", field=where)
            try:
                data[line] = [float(c) for c in row]
            except ValueError:
                raise InvalidModel(f"data row {line + 1} has a non-numeric entry: {short_repr(row)}",
                                   field=where) from None
    elif suffix == ".npy":
        arr = read_npy(path, field, "dataset")
        if arr.dtype.kind not in "fiu" or arr.ndim not in (1, 2):
            raise InvalidModel(f"expected a numeric 1-D or 2-D array, got {arr.dtype} {arr.shape}", field=where)
        if arr.size == 0:
            raise InvalidModel(f"the array has no data points (shape {arr.shape})", field=where)
        data = np.asarray(arr, dtype=np.float64).reshape(len(arr), -1)
        header = None
    else:
        raise InvalidModel(f"unknown dataset file type {short_repr(suffix)}; use .csv or .npy", field=where)
    if not np.all(np.isfinite(data)):
        row = int(np.flatnonzero(~np.all(np.isfinite(data), axis=1))[0])
        raise InvalidModel(f"data row {row + 1} has a non-finite entry", field=where)
    if header is not None and len(header) != data.shape[1]:
        raise InvalidModel(f"the header has {len(header)} columns but the data rows have {data.shape[1]}",
                           field=where)
    return header, data


def read_points(path: Path, field: str) -> np.ndarray:
    """A dataset as a 2-D float64 array (rows = points) from CSV or NPY (:func:`read_table` without the header)."""
    return read_table(path, field)[1]


def write_points(path: str | os.PathLike[str], arr: np.ndarray) -> None:
    """Write a 2-D float array atomically as ``.csv`` (header ``x0,…``) or ``.npy``."""
    p = Path(path)
    a = np.atleast_2d(np.asarray(arr, dtype=np.float64))
    if p.suffix.lower() == ".csv":
        buf = [",".join(f"x{j}" for j in range(a.shape[1]))]
        buf += [",".join(repr(float(x)) for x in row) for row in a]
        write_text(p, "\n".join(buf) + "\n")
        return
    if p.suffix.lower() != ".npy":
        raise InvalidModel(f"unknown array file type {p.suffix!r}; use .csv or .npy", field="output")
    _atomic_write(p, lambda fh: np.save(fh, a, allow_pickle=False))


def safe_filename(name: str) -> str:
    """A party name as a file stem: letters, digits, ``-``, ``_``, ``.`` only."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "party"
    return stem


def write_rewards(result: Any, G: np.ndarray, out_dir: str | os.PathLike[str], *,
                  fmt: str = "csv") -> dict[str, Path]:
    """Write each party's synthetic points ``G_i`` (rows in draw order) to ``out_dir``.

    ``fmt``: ``csv`` (header ``x0,…,x{d−1}``) or ``npy``. Files are written
    atomically. Returns party → path (``result`` is a
    :class:`~mechsolve.data.synthetic.SamplingResult`).
    """
    if fmt not in ("csv", "npy"):
        raise InvalidModel(f"unknown format {fmt!r}; valid: csv, npy", field="format")
    out = Path(out_dir)
    paths: dict[str, Path] = {}
    used: set[str] = set()
    for r in result.rewards:
        stem = safe_filename(r.party)
        base, k = stem, 1
        while stem in used:
            k += 1
            stem = f"{base}-{k}"
        used.add(stem)
        p = out / f"{stem}.{fmt}"
        write_points(p, G[r.indices])
        paths[r.party] = p
    return paths


def write_value_table(path: str | os.PathLike[str], players: list[str], values: np.ndarray, *,
                      description: str | None = None, source: str | None = None,
                      extra: dict[str, Any] | None = None) -> None:
    """Write ``v`` in bitmask order as a value file that :func:`read_value_file` reads back.

    ``.json``: the bundled format (``players``, ``values``, ``encoding`` and the optional
    ``description``, ``source`` and ``extra`` keys); floats are written with ``repr``, so
    they read back bit for bit. ``.npy``: the 1-D float64 array (players are not stored).
    """
    p = Path(path)
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.shape[0] != 2 ** len(players):
        raise InvalidModel(f"{arr.shape[0]} values for {len(players)} players, expected 2^{len(players)}",
                           field="output")
    suffix = p.suffix.lower()
    if suffix == ".json":
        doc: dict[str, Any] = {}
        if description:
            doc["description"] = description
        if source:
            doc["source"] = source
        doc["players"] = list(players)
        doc.update(extra or {})
        doc["encoding"] = ("values[m] is v(S) for the coalition S = {players k : bit k of m is set}; "
                           "values[0] = v(empty)")
        doc["values"] = [float(x) for x in arr]
        write_text(p, json.dumps(doc, indent=1, allow_nan=False) + "\n")
        return
    if suffix != ".npy":
        raise InvalidModel(f"unknown value file type {p.suffix or '(none)'!r}; use .json or .npy", field="output")
    buf = BytesIO()
    np.save(buf, arr, allow_pickle=False)
    write_bytes(p, buf.getvalue())


# ----------------------------------------------------------------- result cache
def cache_path(root: str | os.PathLike[str], key: str) -> Path:
    """Where the record of ``key`` (a hex digest) lives: ``root/<key[:2]>/<key>.json``."""
    return Path(root) / key[:2] / f"{key}.json"


def cache_read(root: str | os.PathLike[str], key: str) -> dict[str, Any] | None:
    """The JSON record stored under ``key``, or ``None`` if absent or unreadable.

    A record that is not a JSON object naming the same ``key`` (a torn or foreign
    file) counts as absent: the cache is an optimisation, never a source of values
    it did not store itself.
    """
    p = cache_path(root, key)
    try:
        if not p.exists():
            return None
        text = _read_text(p, "--cache", "table")  # regular files only, size-capped (a FIFO never blocks)
        data = json.loads(text, parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, ValueError, InvalidModel, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data


def cache_write(root: str | os.PathLike[str], key: str, record: dict[str, Any]) -> None:
    """Store ``record`` (JSON-serialisable, finite floats) under ``key``, atomically."""
    try:
        write_text(cache_path(root, key), json.dumps({**record, "key": key}, allow_nan=False, sort_keys=True))
    except OSError as exc:
        raise InvalidModel(f"cannot write the cache at {root}: {exc.strerror or exc}; choose another "
                           "with --cache DIR (or MECHSOLVE_CACHE), or turn it off with --no-cache",
                           field="cache") from None
