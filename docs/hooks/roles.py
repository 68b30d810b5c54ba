"""MkDocs hook: Sphinx roles in docstrings (``:class:`~a.b.C```) shown as code, as Sphinx would show them.

mechsolve's docstrings are numpydoc with Sphinx cross-reference roles; mkdocstrings renders a role's
target as code but leaves the role's name in front of it (``:class:Model``). This drops the role
name and, for ``~a.b.C``, keeps the last component, as Sphinx does.

>>> on_page_content("see :class:<code>~mechsolve.api.model.Model</code> and :func:<code>load</code>", None, None, None)
'see <code>Model</code> and <code>load</code>'
"""

from __future__ import annotations

import re
from typing import Any

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|ref|const|term):<code>(~?)([^<]+)</code>")


def _code(m: re.Match[str]) -> str:
    target = m.group(2)
    return f"<code>{target.rsplit('.', 1)[-1] if m.group(1) else target}</code>"


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return ROLE.sub(_code, html)
