"""Shared runner of the proof files: run a claim over its n range and print the verdicts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any


def run_range(fn: Callable[..., Any], ns: Iterable[int], **kw: Any) -> list[Any]:
    """``fn(n, **kw)`` for every ``n``: a list of :class:`mechsolve.verify.symbolic.ProofResult`."""
    return [fn(n, **kw) for n in ns]


def main(claim: dict[str, Any], results: list[Any]) -> int:
    """Print the claim and its verdicts; exit 1 when a verdict differs from the expected one."""
    print(f"claim:    {claim['statement']}")
    print(f"source:   {claim['source']}")
    print(f"premises: {'; '.join(claim['premises'])}")
    print(f"n range:  {claim['n']}")
    print(f"method:   {claim['method']}")
    bad = 0
    for r in results:
        print(f"  n={r.n}: {r.status} — {r.detail} ({r.seconds:.2f} s)")
        for p in r.premise_checks:
            print(f"      drop '{p.premise}': {p.verdict}")
            if p.counterexample:
                print(f"          counterexample: {p.counterexample}")
        if r.counterexample:
            print(f"      counterexample: {r.counterexample}")
        if r.status != claim["expected"]:
            bad += 1
    print(f"verdict:  {claim['verdict']}")
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run one of the claim files instead")
