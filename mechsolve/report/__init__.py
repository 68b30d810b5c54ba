"""Render results for people and programs: text (rich tables), Markdown, HTML, JSON, figures.

Formats, never computes: every renderer takes a :class:`Document` (title, sections of
key/value facts, tables and notes) built by :mod:`mechsolve.report.documents` from a
result object, or a JSON-ready dict encoded by :mod:`mechsolve.report.encode`.
"""

from .document import Document, Section, Table
from .encode import render_json, to_jsonable
from .numbers import fmt
from .render import FORMATS, render, render_html, render_markdown, render_text

__all__ = ["Document", "Section", "Table", "fmt", "to_jsonable", "render_json", "FORMATS", "render",
           "render_text", "render_markdown", "render_html"]
