"""The CLI alone maps results to process exit codes.

0 — every checked axiom holds (or there was nothing to fail); 1 — some axiom is violated, a
claim does not hold, or no rule exists (the report says why); 2 — bad input or an error (one
line on stderr; raised as :class:`~mechsolve.errors.MechsolveError`, never a result).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..result import Status


def exit_code(result: Any) -> int:
    """1 when the result's status is a failure (violated, infeasible), else 0."""
    status = getattr(result, "status", None)
    return 1 if status is not None and Status(status).is_failure else 0


def with_exit_code(result: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (a result's ``to_dict()``) with its ``exit_code`` key, nested analyses included."""
    out = dict(data)
    analyses = getattr(result, "analyses", None)
    if isinstance(analyses, Mapping) and isinstance(out.get("schemes"), Mapping):   # a comparison
        out["schemes"] = {k: {**v, "exit_code": exit_code(analyses[k])} for k, v in out["schemes"].items()}
    out["exit_code"] = exit_code(result)
    return out


__all__ = ["exit_code", "with_exit_code"]
