"""Run the ```pycon blocks of a Markdown file as doctests, in order, in one namespace (a session).

Used by tests/test_readme.py (README.md) and tests/test_docs.py (docs/*.md); the examples run from
the repository's root folder, as the pages say.
"""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```pycon\n(.*?)^```", flags=re.S | re.M)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def blocks(path: Path) -> list[tuple[int, str]]:
    """``(line number, text)`` of every pycon block of ``path``."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


def run(path: Path) -> tuple[int, int, str]:
    """Run every pycon block of ``path``; ``(failed, attempted, report)``."""
    import io

    parser = doctest.DocTestParser()
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS, verbose=False)
    globs: dict = {"__name__": "__doc_examples__"}
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        for line, text in blocks(path):
            test = parser.get_doctest(text, globs, f"{path.name}:{line}", str(path), line - 1)
            runner.run(test, out=out.write, clear_globs=False)
            globs.update(test.globs)           # DocTest copies its globals: carry the session on
    finally:
        os.chdir(old)
    r = runner.summarize(verbose=False)
    return r.failed, r.attempted, out.getvalue()
