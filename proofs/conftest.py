"""Collect every proofs/*.py file (one claim each) as a pytest module."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if file_path.suffix == ".py" and file_path.name not in ("conftest.py", "_common.py") \
            and not file_path.name.startswith("test_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
