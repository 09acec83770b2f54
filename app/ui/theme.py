"""Fonts and style: the bundled Noto Sans JP (the shop tablet may have no Japanese font)
and the QSS in ``app/resources/qss``. Call ``apply_theme`` once, after the QApplication exists."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.core.assets import font_path, stylesheet

FONT_FAMILY = "Noto Sans JP"

# Touch sizes (SPEC §1): every tappable ≥ 48 px, primary actions ≥ 64 px high.
MIN_TAP_PX = 48
PRIMARY_TAP_PX = 64


def apply_theme(app: QApplication) -> None:
    if not getattr(app, "_regi_theme", False):
        for bold in (False, True):
            if QFontDatabase.addApplicationFont(str(font_path(bold))) < 0:
                raise RuntimeError(f"cannot load bundled font {font_path(bold)}")
        app._regi_theme = True
    font = QFont(FONT_FAMILY, 15)
    font.setHintingPreference(QFont.PreferNoHinting)
    app.setFont(font)
    app.setStyleSheet(stylesheet())
