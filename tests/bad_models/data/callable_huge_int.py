"""Bad (issue 18): see tests/bad_models/callable-huge-int.yaml."""

def value(coalition):
    return 10**400 if coalition else 0
