"""Bad (issue 18): see tests/bad_models/callable-exit0.yaml."""

import sys


def value(coalition):
    sys.exit(0)
