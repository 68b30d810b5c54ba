"""Bad (issue 18): see tests/bad_models/callable-exit-at-import.yaml."""

import sys

sys.exit(0)


def value(coalition):
    return 0
