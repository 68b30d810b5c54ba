"""Bad (issue 18): see tests/bad_models/callable-base-exception.yaml."""

def value(coalition):
    raise BaseException('boom')
