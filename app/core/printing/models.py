"""Printer models from python-escpos's capability profiles (SPEC §7), for the printer settings.

Interim: the "printing" work adds the project's own listing; this stays tiny so the two
can be unified.
"""
from __future__ import annotations

from escpos.capabilities import CAPABILITIES


def printer_models() -> list[tuple[str, int]]:
    """(profile name, printable dots across) of every profile that states its width, by name."""
    models = []
    for name, profile in CAPABILITIES["profiles"].items():
        pixels = profile.get("media", {}).get("width", {}).get("pixels")
        if isinstance(pixels, int):
            models.append((name, pixels))
    return sorted(models)
