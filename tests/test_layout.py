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


# ----------------------------------------------------------------------------- resolved models (issue 13.1)
#: A folder to resolve a model's file references against is taken only where a model is loaded: by io,
#: and by the load entry points of the Python API (the CLI calls io.load). After load nothing sees one.
BASE_DIR_PARAMS = {"base_dir", "basedir", "base_path", "model_dir"}
BASE_DIR_ENTRY_POINTS: dict[str, set[str] | None] = {
    "mechsolve.model.io": None,                                      # every function: io reads the files
    "mechsolve.api.model": {"Model.__init__", "Model.from_dict"},    # ms.Model(spec, base_dir), from_dict
}

#: io's readers of what a model names; only load entry points call them (analysis takes resolved data).
MODEL_READERS = {"load", "load_data", "resolve_model", "read_mapping", "read_value_file", "read_points",
                 "read_table", "read_npy", "read_csv_rows", "read_bytes", "read_code", "resolve",
                 "load_callable", "import_file"}
READER_ENTRY_POINTS: dict[str, set[str] | None] = {
    "mechsolve.model.io": None,
    "mechsolve.api.model": None,
    "mechsolve.verify.analysis": {"analyse_file"},                   # the main job on a model file: load + analyse
}


def _scoped(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """Every node with the qualified name of the function or class around it (``""`` at module level)."""
    out: list[tuple[str, ast.AST]] = []
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{scope}.{child.name}" if scope else child.name
            out.append((inner if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope, child))
            stack.append((child, inner))
    return out


def _allowed(table: dict[str, set[str] | None], module: str, scope: str) -> bool:
    if _room(module) == "cli" and table is READER_ENTRY_POINTS:
        return True                                                  # the CLI loads what it is given
    if module not in table:
        return False
    names = table[module]
    return names is None or scope in names or scope.split(".")[0] in names


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_base_dir_after_load(name: str) -> None:
    """No function outside io and the API's load entry points takes a folder to resolve files against."""
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    bad = []
    for scope, node in _scoped(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        a = node.args
        params = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs] + [x.arg for x in (a.vararg, a.kwarg) if x]
        if any(p in BASE_DIR_PARAMS for p in params) and not _allowed(BASE_DIR_ENTRY_POINTS, name, scope):
            bad.append(f"{scope or '<lambda>'} (line {node.lineno})")
    assert not bad, (f"{name}: {', '.join(bad)} take(s) a base_dir; a model's files are read at load "
                     "(mechsolve.model.io.load / resolve_model), so later code takes the model only")


@pytest.mark.parametrize("name", sorted(_modules()))
def test_only_load_entry_points_read_model_files(name: str) -> None:
    """io's model readers (load, read_value_file, read_code, ...) are used only where a model is loaded."""
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    bad = []
    for scope, node in _scoped(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("model.io"):
            used = sorted({a.name for a in node.names} & MODEL_READERS)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("model") \
                and any(a.name == "io" for a in node.names):
            used = ["io"]
        else:
            continue
        if used and not _allowed(READER_ENTRY_POINTS, name, scope):
            bad.append(f"{', '.join(used)} in {scope or 'module scope'} (line {node.lineno})")
    assert not bad, f"{name} reads model files after load: {'; '.join(bad)}"


def test_the_guards_see_a_base_dir_and_a_reader() -> None:
    """The two guards above flag what they are for (so an empty result means something)."""
    tree = ast.parse("def build(model, base_dir='.'):\n    from ..model.io import read_value_file\n")
    scoped = _scoped(tree)
    fn = next(n for _, n in scoped if isinstance(n, ast.FunctionDef))
    assert [x.arg for x in fn.args.args] == ["model", "base_dir"] and not _allowed(BASE_DIR_ENTRY_POINTS,
                                                                                     "mechsolve.data.market", "build")
    imp = next((s, n) for s, n in scoped if isinstance(n, ast.ImportFrom))
    assert imp[0] == "build" and {a.name for a in imp[1].names} <= MODEL_READERS
    assert _allowed(BASE_DIR_ENTRY_POINTS, "mechsolve.api.model", "Model.__init__")
    assert not _allowed(READER_ENTRY_POINTS, "mechsolve.verify.analysis", "analyse_market")
