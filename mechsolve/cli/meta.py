"""``schema``, ``schemes`` and ``axioms``: what mechsolve understands."""

from __future__ import annotations

import json
import textwrap

import click

from .app import cli
from .options import text_width


def _entry(head: str, source: str = "", indent: str = "    ") -> None:
    """One listing entry wrapped to the text width (``--width``, ``$COLUMNS``, the terminal), its source last."""
    text = f"{head}  [{source}]" if source else head
    click.echo(_wrap(text, indent=indent))


def _wrap(text: str, *, first: str = "", indent: str = "    ") -> str:
    return textwrap.fill(text, width=max(40, text_width()), initial_indent=first, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


@cli.command()
@click.argument("kind", required=False)
def schema(kind: str | None) -> None:
    """Print the JSON Schema of model files (all kinds, or one KIND).

    \b
    Example:
      mechsolve schema cooperative-market > market.schema.json
    """
    from ..model.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


@cli.command()
def schemes() -> None:
    """List the registered payment and reward schemes and their parameters.

    \b
    Example:
      mechsolve schemes
    """
    from ..schemes import SCHEMES

    for s in SCHEMES.values():
        _entry(f"{s.name}: {s.summary}", s.source)
        for k, v in s.params.items():
            click.echo(_wrap(f"{k}: {v}", first="    ", indent="        "))


@cli.command()
def kinds() -> None:
    """List the model kinds (the `kind:` of a model file) and whether `verify --kind` can search them.

    \b
    Example:
      mechsolve kinds
    """
    from ..kinds import KINDS

    for k in KINDS.values():
        search = "searchable with verify --kind" if k.spaces else "no search spaces"
        _entry(f"{k.name}: {k.summary}", search)


@cli.command()
def axioms() -> None:
    """List the registered axioms with their statements and sources.

    \b
    Example:
      mechsolve axioms
    """
    from ..verify.axioms import AXIOMS

    for a in AXIOMS.values():
        _entry(f"{a.name}: {a.statement}", a.source)
