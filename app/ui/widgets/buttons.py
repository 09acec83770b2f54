"""Touch buttons. ``role`` picks the QSS style; every button carries an ``objectName``
when given one, because tests and the testing harness tap by name."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget


def touch_button(text: str, name: str | None = None, role: str = "", parent: QWidget | None = None, *, checkable: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    if name:
        button.setObjectName(name)
    if role:
        button.setProperty("role", role)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.NoFocus)  # no keyboard: focus rings only confuse a touch screen
    button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
    return button
