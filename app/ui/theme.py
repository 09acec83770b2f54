"""Fonts and style: the bundled Noto Sans JP (the shop tablet may have no Japanese font)
and the QSS in ``app/resources/qss``. Call ``apply_theme`` once, after the QApplication exists."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from app.core.assets import font_path, stylesheet

FONT_FAMILY = "Noto Sans JP"

# Text colours of item models (a table row's foreground cannot come from the QSS); the same as the QSS's.
ALERT_TEXT = QColor("#b42318")  # red: something to do (a refunded slip still to void)
MUTED_TEXT = QColor("#8a93a0")  # history: a voided slip, its reversing slip

# The drawn terminal of 決済処理中 (an illustration: its colours mean nothing).
TERMINAL_ART = {"edge": QColor("#24324a"), "body": QColor("#3a4a66"), "screen": QColor("#dbe7fd"),
                "card": QColor("#1f6feb"), "chip": QColor("#f2c94c")}

# Touch sizes (SPEC §1): every tappable ≥ 48 px, primary actions ≥ 64 px high.
MIN_TAP_PX = 48
PRIMARY_TAP_PX = 64


def set_style(widget: QWidget, name: str, value) -> None:
    """Set a property the QSS selects on (``alert``, ``badge``, ``linkState`` …) and restyle the widget:
    Qt applies a changed property's rules only when the widget is polished again."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def apply_theme(app: QApplication) -> None:
    if not getattr(app, "_regi_theme", False):
        for bold in (False, True):
            if QFontDatabase.addApplicationFont(str(font_path(bold))) < 0:
                raise RuntimeError(f"cannot load bundled font {font_path(bold)}")
        app._regi_theme = True
    font = QFont(FONT_FAMILY, 15)
    font.setHintingPreference(QFont.PreferNoHinting)
    if app.font() != font:
        app.setFont(font)
    sheet = stylesheet()
    if app.styleSheet() != sheet:  # setting it again re-polishes every widget: 0.25 s for nothing
        app.setStyleSheet(sheet)
