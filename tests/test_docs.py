"""The documentation (docs/, mkdocs.yml) is true and builds.

* every ```pycon example of every page runs as written (doctest, from the repository root);
* ``mkdocs build --strict`` succeeds: every page, link, generated registry table and API reference
  entry resolves (the `docs` extra, part of `test`);
* the tutorial notebook ``docs/tutorial.ipynb`` runs top to bottom (nbclient, the `notebook` extra);
* the generated catalogues list every registered axiom and scheme.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from doc_examples import ROOT, blocks, run

DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))
#: The pages that have ```pycon examples (the others are prose, tables or generated catalogues).
EXAMPLE_PAGES = [p for p in PAGES if blocks(p)]


def test_the_python_pages_have_examples() -> None:
    """The API page, getting started and every scheme page show Python (so the parametrization below is not empty)."""
    names = {str(p.relative_to(DOCS)) for p in EXAMPLE_PAGES}
    scheme_pages = {str(p.relative_to(DOCS)) for p in (DOCS / "schemes").glob("*.md") if p.name != "index.md"}
    assert {"index.md", "python.md"} | scheme_pages <= names, sorted(names)


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=[str(p.relative_to(DOCS)) for p in EXAMPLE_PAGES])
def test_page_examples_run_as_written(page: Path) -> None:
    failed, attempted, report = run(page)
    assert attempted and not failed, report


def _console() -> list[tuple[str, int, str]]:
    from test_readme import console_commands

    return [(f"{page.relative_to(DOCS)}: {cmd}", code, cmd) for page in PAGES
            for cmd, code, _ in console_commands(page.read_text(encoding="utf-8"))]


CONSOLE = _console()


def test_every_console_command_of_the_docs_states_its_exit_code() -> None:
    assert len(CONSOLE) >= 15
    assert not [c for c, code, _ in CONSOLE if code < 0], "docs console commands without `exit N`"


@pytest.mark.slow
@pytest.mark.parametrize("where, code, command", CONSOLE, ids=[c[0][:80] for c in CONSOLE])
def test_docs_command_exit_code(where: str, code: int, command: str, tmp_path: Path) -> None:
    import shlex

    from test_readme import run as run_cli

    (tmp_path / "models").symlink_to(ROOT / "models")
    got, out = run_cli(shlex.split(command)[1:], tmp_path)
    assert got == code, f"{where}: exit {got}, the page says {code}\n{out[-2000:]}"
    assert "Traceback" not in out


def test_every_scheme_page_has_formula_model_cli_and_python() -> None:
    for page in sorted((DOCS / "schemes").glob("*.md")):
        if page.name == "index.md":
            continue
        text = page.read_text(encoding="utf-8")
        assert "<!-- model:" in text or "```yaml" in text, f"{page.name}: no model file"
        assert "```console" in text, f"{page.name}: no command line"
        assert "```pycon" in text, f"{page.name}: no Python"


def test_registry_tables_list_everything() -> None:
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        import registry
    finally:
        sys.path.pop(0)
    from mechsolve.schemes import SCHEMES
    from mechsolve.verify.axioms import AXIOMS

    axioms, schemes = registry.render("registry", "axioms"), registry.render("registry", "schemes")
    assert all(f"`{a}`" in axioms for a in AXIOMS) and all(f"`{s}`" in schemes for s in SCHEMES)
    assert "`mechsolve solve`" in registry.render("registry", "commands")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="mkdocs not installed (docs extra)")
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-6000:]
    built = tmp_path / "site"
    assert (built / "axioms" / "index.html").exists() and (built / "reference" / "index.html").exists()
    ref = (built / "reference" / "index.html").read_text(encoding="utf-8")
    assert "mechsolve.api.functions.check" in ref and "payments" in ref
    assert (built / "tutorial.ipynb").exists()


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("nbclient") is None, reason="nbclient not installed (notebook extra)")
def test_tutorial_notebook_runs(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(DOCS / "tutorial.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in shown), "the notebook draws no plot"
    assert any("text/html" in o.get("data", {}) for o in shown), "no result displayed as HTML"
