"""Regi: touch POS register. `python -m app` starts it."""
