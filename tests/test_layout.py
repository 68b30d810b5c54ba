"""The package's shape: no import cycles, imports flow one way through the rooms, only io touches files.

The import graph is computed from the source (every ``import`` statement, also those inside
functions), so a cycle hidden in a function body fails here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PKG = Path(__file__).resolve().parents[1] / "mechsolve"

#: Rooms in pipeline order; a module may import its own room or a lower one, never a higher one.
ROOMS = {
    "errors": 0, "_version": 0, "decide": 0, "parallel": 0, "numtext": 0, "result": 0, "kinds": 0,
    "model": 1,
    "games": 2,
    "solvers": 3,
    "schemes": 4, "mechanism": 4, "data": 4,
    "verify": 5,
    "report": 6,
    "api": 7,
    "cli": 8, "__main__": 8,
    "": 9,  # the package's __init__ (the public face)
}

#: Calls that read or write files (function names and methods); only model/io.py may make them.
FILE_CALLS = {"open", "read_text", "write_text", "read_bytes", "write_bytes", "savefig", "mkdir",
              "unlink", "rmdir", "touch", "replace", "rename", "mkstemp", "mkdtemp", "load", "save",
              "savez", "loadtxt", "savetxt", "fromfile", "tofile", "exec_module", "iterdir", "glob",
              "rglob", "chmod", "stat"}
FILE_MODULES = {"np", "numpy", "os", "shutil", "tempfile", "pathlib", "Path"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_pkg else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                mod = base + ("." + node.module if node.module else "")
            else:
                mod = node.module or ""
            if not (mod == "mechsolve" or mod.startswith("mechsolve.")):
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.add(sub if sub in known else mod)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("mechsolve"))
    out.discard(name)
    return {m for m in out if m in known}


def _graph() -> nx.DiGraph:
    mods = _modules()
    g = nx.DiGraph()
    g.add_nodes_from(mods)
    for name, path in mods.items():
        for target in _imports(name, path, set(mods)):
            g.add_edge(name, target)
    return g


def _room(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycles() -> None:
    g = _graph()
    # a package __init__ importing its own submodules is how packages work; cycles through it are not
    cycles = [c for c in nx.simple_cycles(g)]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:10])


def test_imports_flow_down_the_rooms() -> None:
    bad = []
    for a, b in _graph().edges:
        ra, rb = _room(a), _room(b)
        assert ra in ROOMS, f"module {a} is in no room; add its room to ROOMS"
        if ROOMS[rb] > ROOMS[ra]:
            bad.append(f"{a} ({ra or 'package'}) imports {b} ({rb or 'package'})")
    assert not bad, "imports against the pipeline order:\n" + "\n".join(sorted(bad))


def _file_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id == "open":
            found.append(f"open() at line {node.lineno}")
        elif isinstance(f, ast.Attribute) and f.attr in FILE_CALLS:
            owner = f.value
            root = owner
            while isinstance(root, ast.Attribute):
                root = root.value
            # np.load / os.replace / tempfile.mkstemp / path.read_text(...) / fig.savefig(...)
            if (isinstance(root, ast.Name) and root.id in FILE_MODULES) or f.attr in {
                    "read_text", "write_text", "read_bytes", "write_bytes", "savefig", "mkdir",
                    "unlink", "touch", "exec_module", "iterdir", "rglob", "tofile"}:
                found.append(f"{ast.unparse(f)}() at line {node.lineno}")
    return found


#: Calls that look like file access but are not: figures render into an in-memory buffer there,
#: and model/io.py writes the bytes.
IN_MEMORY = {"mechsolve.report.figures": {"savefig"}}


@pytest.mark.parametrize("name", sorted(m for m in _modules() if m != "mechsolve.model.io"))
def test_only_io_touches_files(name: str) -> None:
    allowed = IN_MEMORY.get(name, set())
    calls = [c for c in _file_calls(_modules()[name]) if c.split("(")[0].rpartition(".")[2] not in allowed]
    assert not calls, f"{name} touches files (only mechsolve.model.io may): {', '.join(calls)}"
