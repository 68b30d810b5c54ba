"""How results look in a notebook and as JSON: the report room's renderers, installed on every result.

Results live below the report room and never import it; this module installs
:func:`html` (the HTML report's sections and tables as one fragment) and the one JSON
encoder (:func:`mechsolve.report.encode.render_json`) as the hooks of
:class:`mechsolve.result.Result` (``_repr_html_``, ``to_json``). It runs when
:mod:`mechsolve.api` is imported (``import mechsolve`` does on first use of the API).

Examples
--------
>>> from mechsolve.games.game import Game
>>> from mechsolve.verify.analysis import analyse_game
>>> rep = analyse_game(Game.from_values(["a", "b"], [0, 1, 1, 3]), axioms=["efficiency"]).checks
>>> "<td class='holds'>holds</td>" in rep._repr_html_()
True
>>> '"all_hold": true' in rep.to_json()
True
"""

from __future__ import annotations

from typing import Any

from ..report.document import Document
from ..report.documents import document, scheme_section
from ..report.sections import checks_section
from ..report.encode import render_json
from ..report.render import render_html_fragment
from ..result import register_html, register_json
from .results import MechanismSolution, PaymentCheck, Solution


def html(result: Any) -> str | None:
    """The HTML fragment of any result that has a report document (``None`` otherwise)."""
    try:
        doc = document(result)
    except TypeError:   # no document for this result type
        return None
    return render_html_fragment(doc)


@document.register
def _solution_document(sol: Solution, *, digits: int = 6) -> Any:
    return document(sol.analysis, digits=digits)


@document.register
def _mechanism_solution_document(sol: MechanismSolution, *, digits: int = 6) -> Any:
    return document(sol.analysis, digits=digits)


@document.register
def _payment_check_document(rep: PaymentCheck, *, digits: int = 6) -> Any:
    """What was checked (the payments next to ``v({i})``), then the verdicts."""
    sol = rep.payments
    sections = [checks_section(rep, digits)]
    if sol is not None and sol.game is not None:
        sections.insert(0, scheme_section("Your payments", sol.game, sol.outcome))
    return Document(f"mechsolve — your payments: {rep.message}", sections)


register_html(html)
register_json(render_json)

__all__ = ["html"]
