"""Bad: not valid Python."""


def value(coalition frozenset):
    return 0
