"""Touch buttons. ``role`` picks the QSS style; every button carries an ``objectName``
when given one, because tests and the testing harness tap by name."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSizePolicy, QWidget


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


def add_stripe(button: QPushButton, color: str, width: int = 8) -> QFrame:
    """A coloured band down the left edge of a tile (the category colour). A child frame rounded like
    the tile, not a thick ``border-left``: Qt joins a thick and a thin border with a slanted cut."""
    layout = QHBoxLayout(button)
    layout.setContentsMargins(1, 1, 0, 1)
    stripe = QFrame(button)
    stripe.setFixedWidth(width)
    stripe.setAttribute(Qt.WA_TransparentForMouseEvents)
    stripe.setStyleSheet(f"background: {color}; border: none; border-top-left-radius: 7px; border-bottom-left-radius: 7px;")
    layout.addWidget(stripe)
    layout.addStretch(1)
    return stripe
