"""`schemes`, `axioms`, `kinds`: the listings of what mechsolve understands."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", ["schemes", "axioms", "kinds"])
def test_listings_fit_the_terminal_width(command: str) -> None:
    """Every line of a listing fits 80 columns ($COLUMNS), and nothing is lost by the wrapping."""
    from click.testing import CliRunner

    from mechsolve.cli import cli

    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(cli, [command])
    wide = CliRunner(env={"COLUMNS": "400"}).invoke(cli, [command])
    assert narrow.exit_code == wide.exit_code == 0
    assert max(len(line) for line in narrow.output.splitlines()) <= 80
    assert narrow.output.split() == wide.output.split()
