"""Text reports of real documents fit 80 and 120 columns: no line is wider, no number is split.

Each document is built from a real result (the bundled models and small searches), rendered with
:func:`mechsolve.report.render.render_text` at the width, and checked line by line: every line
fits; every number cell appears whole on one line (numbers never wrap); every number written in
a phrase (facts, notes, text cells) appears whole on some line; wide tables come out as parts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from mechsolve.model.io import load
from mechsolve.numtext import fmt
from mechsolve.report.document import Document
from mechsolve.report.documents import boundary_document, document, search_document
from mechsolve.report.render import is_number, render_html, render_markdown, render_text

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?:/\d+)?(?![\w.])")


def _analysis(name: str, **kw: Any) -> Any:
    from mechsolve.verify.analysis import analyse

    path = MODELS / name
    return analyse(load(path), source_path=str(path), **kw)


def _compare() -> Any:
    from mechsolve.verify.compare import compare

    path = MODELS / "mnist-5-parties.yaml"
    return compare(load(path), schemes=["shapley", "nguyen-payoff", "nguyen-budget",
                                                     "ohrimenko-single", "rho-shapley"], source_path=str(path))


def _verify() -> Document:
    from mechsolve.schemes import get_scheme
    from mechsolve.verify.search import search

    r = search(get_scheme("shapley"), "individual-rationality", sizes=[2, 3], families=["normalised"], budget=60,
               seed=1)
    return search_document([r], {}, {})


def _boundary() -> Document:
    from mechsolve.mechanism.boundary import sweep

    res = sweep([-1.0, -0.8, -0.7], workers=1, include_zero=True, k_max=2000, verify_limit=50)
    return boundary_document(res, model_name="chen", include_zero=True, k_max=2000, total_seconds=1.0,
                             special=True)


DOCUMENTS = {
    "nguyen-budget (10 columns, two matrices)": lambda: document(_analysis("nguyen-mnist-budget-0.3.yaml")),
    "ohrimenko-single (12 columns)": lambda: document(_analysis("ohrimenko-mnist-single.yaml")),
    "ohrimenko-multi": lambda: document(_analysis("ohrimenko-multi-task.yaml")),
    "chen, three agents (12 columns)": lambda: document(_analysis("chen-linear-example1.yaml")),
    "compare, five schemes": lambda: document(_compare()),
    "check with a violation note": lambda: document(_analysis("mnist-5-parties.yaml",
                                                              axioms=["individual-rationality"])),
    "inspect (witnesses)": lambda: document(_analysis("gmm-5-parties-mmd.yaml", inspect=True)),
    "exact fractions": lambda: document(_analysis("imdb-5-parties.yaml", exact=True)),
    "verify": _verify,
    "boundary": _boundary,
}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {k: f() for k, f in DOCUMENTS.items()}


def _cells(doc: Document) -> tuple[list[str], list[str]]:
    """(formatted number cells, every phrase of the document)"""
    nums, texts = [], [doc.title]
    for sec in doc.sections:
        texts.append(sec.heading)
        for k, v in sec.facts:
            texts += [str(k), fmt(v, 6)]
        texts += list(sec.notes)
        for t in sec.tables:
            texts += [str(c) for c in t.columns]
            for row in t.rows:
                for c in row:
                    (nums if is_number(c) else texts).append(fmt(c, 6))
    return nums, texts


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_text_fits_the_width_and_never_splits_a_number(docs: dict[str, Document], name: str, width: int) -> None:
    doc = docs[name]
    out = render_text(doc, width=width)
    lines = out.splitlines()
    wide = [ln for ln in lines if cell_len(ln) > width]
    assert not wide, f"{len(wide)} lines wider than {width}: {wide[0]!r}"
    nums, texts = _cells(doc)
    for s in nums:
        assert any(s in ln for ln in lines), f"number cell {s!r} split or missing"
    for text in texts:
        for m in NUMBER.finditer(text):
            assert any(m.group(0) in ln for ln in lines), f"number {m.group(0)!r} of {text[:60]!r} split"


def test_wide_tables_come_in_parts_that_repeat_the_row_labels(docs: dict[str, Document]) -> None:
    out = render_text(docs["nguyen-budget (10 columns, two matrices)"], width=80)
    assert "part 1 of 2" in out and "part 2 of 2" in out
    body = out.split("part 1 of 2", 1)[1]
    assert body.count("digits [6-9]") >= 2                   # the label column is in each part
    assert "payoff unconstrained" in out.replace("\n", " ") or "unconstrained" in out   # readable headers
    assert "payoff_unconstrained" not in out


def test_six_digits_by_default_and_more_on_request(docs: dict[str, Document]) -> None:
    doc = docs["check with a violation note"]
    assert "0.204598" in render_text(doc, width=120) and "0.2045983375" not in render_text(doc, width=120)
    assert "0.2045983375" in render_text(doc, width=120, digits=10)
    exact = render_text(docs["exact fractions"], width=120)
    assert re.search(r"\d+/\d+ \(≈-?\d", exact)               # exact values as a fraction with its decimal


def test_compare_shows_the_shapley_value_once(docs: dict[str, Document]) -> None:
    side = docs["compare, five schemes"].sections[1].tables[0]
    assert [c for c in side.columns if "shapley" in c and "rho" not in c] == ["shapley φ"]


def test_witnesses_are_phrases_not_python_reprs(docs: dict[str, Document]) -> None:
    for name in ("check with a violation note", "inspect (witnesses)"):
        out = render_text(docs[name], width=120)
        assert "{'" not in out and "['" not in out, out


def test_margins_never_print_as_minus_zero(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        assert not re.search(r"(?<![\w.])-0(?![\w.])", render_text(doc, width=120))


def test_html_and_markdown_use_the_same_digits(docs: dict[str, Document]) -> None:
    doc = docs["check with a violation note"]
    assert "0.204598" in render_html(doc) and "0.204598" in render_markdown(doc)
    assert "<nav class='toc'>" in render_html(doc) and "overflow-x:auto" in render_html(doc)
