"""Touch buttons. ``role`` picks the QSS style; every button carries an ``objectName``
when given one, because tests and the testing harness tap by name."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget


def touch_button(text: str, name: str | None = None, role: str = "", parent: QWidget | None = None, *,
                 checkable: bool = False, height: int | None = None, style: str = "") -> QPushButton:
    """``height``: a taller minimum than the role's. It goes into the widget's own style
    sheet, because a QSS ``min-height`` overrides ``setMinimumHeight``."""
    button = QPushButton(text, parent)
    if height or style:
        button.setStyleSheet((f"min-height: {height}px;" if height else "") + style)
    if name:
        button.setObjectName(name)
    if role:
        button.setProperty("role", role)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.NoFocus)  # no keyboard: focus rings only confuse a touch screen
    button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
    return button
