"""Bad (issue 18): see tests/bad_models/callable-keyboard-interrupt.yaml."""

def value(coalition):
    raise KeyboardInterrupt
