"""Bad (issue 18): see tests/bad_models/callable-sleeps.yaml."""

import time


def value(coalition):
    time.sleep(1000)
    return 0
