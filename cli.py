#!/usr/bin/env python3
"""Thin launcher: ``python cli.py ARGS`` behaves exactly like ``mechsolve ARGS``."""

from mechsolve.cli import main

if __name__ == "__main__":
    main()
