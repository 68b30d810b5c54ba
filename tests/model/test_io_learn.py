"""io additions for learned values (issue 16): data tables with their header, the value-table writer
(read back bit for bit), and the record cache that never serves a record it did not store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mechsolve.errors import InvalidModel
from mechsolve.model.io import (cache_path, cache_read, cache_write, read_points, read_table, read_value_file,
                                write_value_table)


def test_read_table_keeps_the_header(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("x0, x1,label\n1,2,0\n3,4,1\n")
    header, data = read_table(p, "f")
    assert header == ["x0", "x1", "label"] and data.tolist() == [[1, 2, 0], [3, 4, 1]]
    assert read_points(p, "f").tolist() == data.tolist()
    q = tmp_path / "d.npy"
    np.save(q, data)
    assert read_table(q, "f")[0] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2,3\n")
    with pytest.raises(InvalidModel, match="header has 2 columns but the data rows have 3"):
        read_table(bad, "f")
    with pytest.raises(InvalidModel, match="is a directory"):
        read_table(tmp_path, "f")


@pytest.mark.parametrize("suffix", [".json", ".npy"])
def test_value_table_round_trips_bit_for_bit(tmp_path: Path, suffix: str) -> None:
    rng = np.random.default_rng(0)
    vals = np.concatenate([[0.0], rng.random(7) / 3])
    p = tmp_path / f"t{suffix}"
    write_value_table(p, ["a", "b", "c"], vals, description="d", extra={"learned": {"seed": 0}})
    got, table = read_value_file(p, ["a", "b", "c"])
    assert table is None and np.array_equal(got, vals)
    if suffix == ".json":
        doc = json.loads(p.read_text())
        assert doc["players"] == ["a", "b", "c"] and doc["learned"] == {"seed": 0}
    with pytest.raises(InvalidModel, match="expected 2\\^3"):
        write_value_table(p, ["a", "b", "c"], vals[:4])
    with pytest.raises(InvalidModel, match="use .json or .npy"):
        write_value_table(tmp_path / "t.csv", ["a", "b", "c"], vals)


def test_cache_serves_only_its_own_records(tmp_path: Path) -> None:
    key = "ab" * 32
    assert cache_read(tmp_path, key) is None
    cache_write(tmp_path, key, {"score": 0.25})
    assert cache_path(tmp_path, key).parent.name == "ab"
    assert cache_read(tmp_path, key) == {"score": 0.25, "key": key}
    other = "cd" * 32
    cache_path(tmp_path, other).parent.mkdir(parents=True)
    cache_path(tmp_path, other).write_text(json.dumps({"score": 1.0, "key": key}))   # a record of another key
    assert cache_read(tmp_path, other) is None
    cache_path(tmp_path, other).write_text('{"score": NaN, "key": "%s"}' % other)
    assert cache_read(tmp_path, other) is None
    with pytest.raises(ValueError):
        cache_write(tmp_path, key, {"score": float("nan")})
