"""Qt's offscreen platform with a screen as big as the largest target size.

By default the offscreen platform has one 800×600 screen, and Qt fits dialogs into the
screen they open on: a dialog captured there is squeezed, not what a 1280×800 tablet shows.
``offscreen_platform()`` returns a ``QT_QPA_PLATFORM`` value naming a config file (Qt ≥ 6.3)
with a 1920×1080 screen. Set it before the QApplication exists.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

SCREEN = (1920, 1080)


def offscreen_platform() -> str:
    width, height = SCREEN
    config = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
              "screens": [{"name": "regi", "x": 0, "y": 0, "width": width, "height": height,
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    path = Path(tempfile.gettempdir()) / f"regi-offscreen-{width}x{height}.json"
    if not path.exists():
        path.write_text(json.dumps(config), encoding="utf-8")
    return f"offscreen:configfile={path}"


def use_offscreen(environ) -> None:
    """Point ``environ`` at the big offscreen screen unless a platform was chosen already
    (plain ``offscreen`` counts as not chosen: it is what CI and the tests ask for)."""
    if environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        environ["QT_QPA_PLATFORM"] = offscreen_platform()
