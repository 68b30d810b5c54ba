"""MkDocs hook: pages generated from mechsolve's registries, so the documentation cannot drift from the code.

A page marks where a generated block goes with an HTML comment:

* ``<!-- registry:axioms -->`` — every registered axiom (name, statement, source, what it needs), grouped by
  the model kind it is stated for, with the schemes that check it by default;
* ``<!-- registry:schemes -->`` — every registered scheme (name, summary, source, parameters, default axioms);
* ``<!-- registry:commands -->`` — every command of the ``mechsolve`` CLI with the first line of its help;
* ``<!-- model:PATH -->`` — the bundled model file ``PATH`` (relative to the repository), verbatim.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARK = re.compile(r"<!--\s*(registry|model):([^ >]+)\s*-->")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _axioms() -> str:
    from mechsolve.schemes import SCHEMES
    from mechsolve.verify.axioms import AXIOMS
    from mechsolve.verify.axioms.mechanism import ALIASES, DEFAULT_CHECKS

    by_default: dict[str, list[str]] = {}
    for s in SCHEMES.values():
        for a in s.axioms:
            by_default.setdefault(a, []).append(s.name)
    aliases: dict[str, list[str]] = {}
    for alias, name in ALIASES.items():
        aliases.setdefault(name, []).append(alias)
    out = []
    for kind, heading in (("market", "Cooperative markets (`kind: cooperative-market`)"),
                          ("mechanism", "Mechanism design (`kind: mechanism-design`)")):
        rows = [a for a in AXIOMS.values() if a.kind == kind]
        out += [f"## {heading}", "", f"{len(rows)} axioms.", "",
                "| axiom | statement | source | needs | checked by default by |", "|---|---|---|---|---|"]
        for a in rows:
            name = f"`{a.name}`" + (f" (alias {', '.join(f'`{x}`' for x in aliases[a.name])})"
                                    if a.name in aliases else "")
            default = by_default.get(a.name, [])
            if kind == "mechanism" and a.name in DEFAULT_CHECKS:
                default = ["every mechanism-design model"]
            out.append(f"| {name} | {_cell(a.statement)} | {_cell(a.source)} | {_cell(', '.join(a.needs))} | "
                       f"{_cell(', '.join(f'`{s}`' for s in default) if kind == 'market' else ', '.join(default))} |")
        out.append("")
    return "\n".join(out)


def _schemes() -> str:
    from mechsolve.schemes import SCHEMES

    out = ["| scheme | what it computes | source | parameters | default axioms |", "|---|---|---|---|---|"]
    for s in SCHEMES.values():
        params = "<br>".join(f"`{k}`: {_cell(v)}" for k, v in s.params.items()) or "—"
        out.append(f"| `{s.name}` | {_cell(s.summary)} | {_cell(s.source)} | {params} | "
                   f"{', '.join(f'`{a}`' for a in s.axioms)} |")
    return "\n".join(out)


def _commands() -> str:
    from mechsolve.cli import cli

    out = ["| command | what it does |", "|---|---|"]
    for name, cmd in sorted(cli.commands.items()):
        out.append(f"| `mechsolve {name}` | {_cell(cmd.get_short_help_str(limit=200))} |")
    return "\n".join(out)


def _model(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8").rstrip()
    return f"```yaml\n# {path}\n{text}\n```"


def render(kind: str, arg: str) -> str:
    """The generated Markdown for one mark."""
    if kind == "model":
        return _model(arg)
    return {"axioms": _axioms, "schemes": _schemes, "commands": _commands}[arg]()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return MARK.sub(lambda m: render(m.group(1), m.group(2)), markdown)
