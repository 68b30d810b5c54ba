"""Bad: imports a module that does not exist."""

import mechsolve_no_such_module  # noqa: F401


def value(coalition: frozenset) -> float:
    return 0.0
