"""The only file I/O of mechsolve: model files, value tables, outputs.

Model files are YAML (``.yaml``/``.yml``), TOML (``.toml``) or JSON (``.json``);
value tables are JSON (bundled format), CSV (``coalition,value``) or NPY.
Every failure is an :class:`~mechsolve.errors.InvalidModel` naming the file.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import re
import shutil
import stat
import sys
import json
import math
import os
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidModel

MODEL_SUFFIXES = (".yaml", ".yml", ".toml", ".json")


def _read_text(path: Path, field: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidModel(f"file not found: {path}", field=field) from None
    except IsADirectoryError:
        raise InvalidModel(f"{path} is a directory, not a file", field=field) from None
    except UnicodeDecodeError:
        raise InvalidModel(f"{path} is not UTF-8 text", field=field) from None
    except OSError as exc:
        raise InvalidModel(f"cannot read {path}: {exc.strerror}", field=field) from None


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a valid number")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for JSON: a key given twice is an error, not "last one wins"."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


@functools.lru_cache(maxsize=1)
def _yaml_loader() -> Any:
    """A ``yaml.SafeLoader`` that refuses a mapping key given twice (PyYAML keeps the last)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
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
                            None, None, f"duplicate key {key!r}", key_node.start_mark)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def read_mapping(path: str | os.PathLike[str]) -> Any:
    """Parse a YAML, TOML or JSON file into Python data (no validation)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise InvalidModel(f"{p.name}: unknown model file type {suffix or '(none)'!r}; "
                           f"use one of {', '.join(MODEL_SUFFIXES)}", field="file")
    text = _read_text(p, "file")
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            return yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
        if suffix == ".toml":
            import tomllib

            return tomllib.loads(text)
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_pairs)
    except Exception as exc:  # parser errors of three libraries: one readable line
        detail = " ".join(str(exc).split())
        raise InvalidModel(f"{p.name} is not valid {suffix.lstrip('.').upper()}: {detail}",
                           field="file") from None


def load(path: str | os.PathLike[str]) -> Any:
    """Read and validate a model file; returns the spec object of its ``kind``.

    Examples
    --------
    >>> import mechsolve.model.io as io, pathlib
    >>> m = io.load(pathlib.Path(__file__).parents[1] / "models" / "glove-game.yaml")  # doctest: +SKIP
    """
    from .schema import parse_model

    data = read_mapping(path)
    return parse_model(data)


def resolve(base: Path, name: str, field: str) -> Path:
    """A path named in a model, relative to the model file's folder."""
    p = Path(name).expanduser()
    p = p if p.is_absolute() else base / p
    if not p.exists():
        raise InvalidModel(f"file not found: {p}", field=field)
    return p


def read_value_file(path: Path, players: list[str], field: str = "value.file"
                    ) -> tuple[np.ndarray | None, dict[str, Any] | None]:
    """Read a value table file; returns ``(values, None)`` or ``(None, table)``.

    * JSON: ``{"players": [...], "values": [...]}`` in bitmask order (players must
      match the model's), or ``{"table": {coalition: value}}``;
    * CSV: a header ``coalition,value`` then one row per coalition, names joined by
      ``;`` or ``+`` (empty for ∅);
    * NPY: a 1-D float array of length ``2^n`` (never unpickled).
    """
    suffix = path.suffix.lower()
    where = f"{field} ({path.name})"
    if path.is_dir():
        raise InvalidModel(f"{path} is a directory, not a value file (.json, .csv or .npy)", field=field)
    if suffix == ".json":
        try:
            data = json.loads(_read_text(path, field), parse_constant=_reject_constant,
                              object_pairs_hook=_unique_pairs)
        except ValueError as exc:
            raise InvalidModel(f"not valid JSON: {' '.join(str(exc).split())}", field=where) from None
        if not isinstance(data, dict):
            raise InvalidModel("a JSON value table must be an object with `values` or `table`", field=where)
        if "players" in data and (not isinstance(data["players"], list)
                                  or not all(isinstance(p, str) for p in data["players"])):
            raise InvalidModel(f"`players` must be a list of names, got {data['players']!r}", field=where)
        if "players" in data and list(data["players"]) != list(players):
            raise InvalidModel(f"the file's players {data['players']} differ from the model's {players}",
                               field=where)
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
        text = _read_text(path, field)
        rows = list(csv.reader(text.splitlines()))
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
                raise InvalidModel(f"line {line}: value {row[1]!r} is not a number", field=where) from None
            if not math.isfinite(x):
                raise InvalidModel(f"line {line}: value {row[1]!r} is not finite", field=where)
            key = row[0].strip()
            if key in table:
                raise InvalidModel(f"line {line}: coalition {key!r} is listed twice", field=where)
            table[key] = x
        return None, table
    if suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False, mmap_mode="r")
        except ValueError as exc:
            raise InvalidModel(f"not a plain numeric .npy array ({exc})", field=where) from None
        except OSError as exc:
            raise InvalidModel(f"cannot read: {exc}", field=where) from None
        if arr.ndim != 1:
            raise InvalidModel(f"array must be 1-D, got shape {arr.shape}", field=where)
        if arr.dtype.kind not in "fiu":
            raise InvalidModel(f"array must be numeric, got dtype {arr.dtype}", field=where)
        return np.asarray(arr, dtype=np.float64), None
    raise InvalidModel(f"unknown value file type {suffix!r}; use .json, .csv or .npy", field=where)


def load_callable(base: Path, spec: str, field: str = "value.callable") -> Any:
    """Import ``function`` from ``file.py`` named as ``file.py:function`` (runs user code)."""
    file_part, _, func = spec.rpartition(":")
    path = resolve(base, file_part, field)
    if path.suffix != ".py":
        raise InvalidModel(f"{path.name} is not a .py file", field=field)
    module = import_file(path, f"mechsolve_user_{abs(hash(str(path)))}", field)
    fn = getattr(module, func, None)
    if not callable(fn):
        raise InvalidModel(f"{path.name} has no function {func!r}", field=field)
    return fn


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


def _atomic_write(path: str | os.PathLike[str], write: Any) -> None:
    """``write(fh)`` into a temporary file in the same folder, then rename over ``path``.

    The file gets the mode a plain ``open()`` would give it: an existing file keeps its
    mode; a new one gets ``0o666 & ~umask`` (0644 under umask 022). :func:`tempfile.mkstemp`
    alone would leave it 0600.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(p).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> None:
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
    _atomic_write(path, lambda fh: fh.write(data))


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
    write_text(p, model_text(model, suffix=p.suffix or ".yaml", comment=comment))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes atomically (a figure, an array): a temporary file in the same folder, then rename."""
    _atomic_write(path, lambda fh: fh.write(data))


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
        raise InvalidModel(f"importing {path.name} raised {type(exc).__name__}: {exc}", field=field) from None
    return module


def available_memory_bytes() -> int:
    """Memory this process may still allocate (``MemAvailable`` of /proc/meminfo), in bytes.

    ``MECHSOLVE_MEMORY_LIMIT`` (bytes) overrides the reading.
    """
    env = os.environ.get("MECHSOLVE_MEMORY_LIMIT")
    if env:
        return int(float(env))
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30


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
    """
    suffix = path.suffix.lower()
    where = f"{field} ({path.name})"
    if path.is_dir():
        raise InvalidModel(f"{path} is a directory, not a data file (.csv or .npy)", field=field)
    if suffix == ".csv":
        rows = list(csv.reader(_read_text(path, field).splitlines()))
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
                raise InvalidModel(f"data row {line + 1} has a non-numeric entry: {row}", field=where) from None
    elif suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise InvalidModel(f"not a plain numeric .npy array ({exc})", field=where) from None
        except OSError as exc:
            raise InvalidModel(f"cannot read: {exc}", field=where) from None
        if arr.dtype.kind not in "fiu" or arr.ndim not in (1, 2):
            raise InvalidModel(f"expected a numeric 1-D or 2-D array, got {arr.dtype} {arr.shape}", field=where)
        data = np.asarray(arr, dtype=np.float64).reshape(len(arr), -1)
        header = None
    else:
        raise InvalidModel(f"unknown dataset file type {suffix!r}; use .csv or .npy", field=where)
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
        text = p.read_text(encoding="utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, ValueError):
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
