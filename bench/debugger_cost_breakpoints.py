"""Loaded by bench/debugger-cost.py, never called: the debugger's breakpoint is here."""


def never_called(x):
    y = x + 1  # the breakpoint
    return y
