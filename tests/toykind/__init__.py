"""A model kind written as a newcomer would (tests/test_kinds.py registers it): three modules.

``proportional-split``: a budget B is split among players by declared weights w_i ≥ 0 under a
rule (``proportional`` p_i = B·w_i/Σw, ``equal`` p_i = B/n, ``first`` all to the first player).
"""
