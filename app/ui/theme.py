"""Fonts and style: the bundled Noto Sans JP (the shop tablet may have no Japanese font)
and the QSS in ``resources/qss``. Call ``apply_theme`` once, after the QApplication exists."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
FONT_FAMILY = "Noto Sans JP"

# Touch sizes (SPEC §1): every tappable ≥ 48 px, primary actions ≥ 64 px high.
MIN_TAP_PX = 48
PRIMARY_TAP_PX = 64


def apply_theme(app: QApplication) -> None:
    if not getattr(app, "_regi_theme", False):
        for name in ("NotoSansJP-Regular.ttf", "NotoSansJP-Bold.ttf"):
            if QFontDatabase.addApplicationFont(str(RESOURCES / "fonts" / name)) < 0:
                raise RuntimeError(f"cannot load bundled font {name}")
        app._regi_theme = True
    font = QFont(FONT_FAMILY, 15)
    font.setHintingPreference(QFont.PreferNoHinting)
    app.setFont(font)
    app.setStyleSheet((RESOURCES / "qss" / "regi.qss").read_text(encoding="utf-8"))
