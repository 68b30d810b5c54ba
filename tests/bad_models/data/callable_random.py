"""Bad (issue 18): see tests/bad_models/callable-random.yaml."""

import random


def value(coalition):
    return random.random() if coalition else 0
