"""Notebook display (mechsolve/api/display.py): the HTML report's tables, scoped, for every result."""

from __future__ import annotations

import re

import mechsolve as ms
from mechsolve.report.documents import document
from mechsolve.report.render import render_html

from strategies import MODELS


def _tables(html: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", html, flags=re.S)


def test_a_solution_shows_the_tables_of_the_html_report():
    s = ms.solve(ms.load(MODELS / "mnist-5-parties.yaml"), check=True)
    frag = s._repr_html_()
    page = render_html(document(s.analysis))
    assert frag.startswith("<div class='mechsolve-report'>") and "<body" not in frag
    assert _tables(frag) == _tables(page) and _tables(frag)
    styles = re.search(r"<style>(.*?)</style>", frag, flags=re.S).group(1)
    assert all(rule.startswith(".mechsolve-report") for rule in styles.split("}") if rule.strip())


def test_check_reports_verdicts_and_searches_display():
    g = ms.Game.from_array([0, 1, 1, 3], players=["a", "b"])
    rep = ms.check(g, payments=[1, 1])
    html = rep._repr_html_()
    assert "<td class='violated'>violated</td>" in html and "efficiency" in html
    assert "<td class='violated'>violated</td>" in rep["efficiency"]._repr_html_()
    r = ms.verify("shapley", "efficiency", players=(2,), budget=10)
    assert "no-counterexample-found" in r._repr_html_()
    assert '"status": "no-counterexample-found"' in r.to_json()


def test_own_payments_show_what_was_checked():
    """A notebook shows the payments next to v({i}) above the verdicts (looked at in headless Chromium)."""
    g = ms.Game.from_array([0, 4, 4, 10, 0, 4, 4, 10], players=["alice", "bob", "carol"])
    rep = ms.check(g, payments={"alice": 5, "bob": 4, "carol": 1})
    assert isinstance(rep, ms.PaymentCheck) and isinstance(rep, ms.CheckReport)
    assert rep.payments.to_dict() == {"alice": 5, "bob": 4, "carol": 1} and rep.payments.game is g
    html = rep._repr_html_()
    first, verdicts = _tables(html)
    assert re.search(r"<td>carol</td><td class='num'>0</td><td class='num'>1</td>", first)
    assert "<td class='violated'>violated</td>" in verdicts
    assert repr(rep) == ("CheckReport(efficiency=holds, symmetry=violated, null-player=violated, "
                         "individual-rationality=holds)")


def test_settings_are_not_coloured_as_verdicts_and_verdicts_do_not_wrap():
    r = ms.design(ms.Game.from_array([0, 1, 1, 3], players=["a", "b"]))
    html = r._repr_html_()
    assert "upfront" in html and "<td class='no'>" not in html        # "lazy: no" was drawn as a red failure
    assert "td.not-applicable" in html and "white-space:nowrap" in html
