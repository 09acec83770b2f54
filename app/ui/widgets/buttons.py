"""Touch buttons. ``role`` picks the QSS style; every button carries an ``objectName``
when given one, because tests and the testing harness tap by name."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget


def touch_button(text: str, name: str | None = None, role: str = "", parent: QWidget | None = None, *,
                 checkable: bool = False, size: str = "") -> QPushButton:
    """``size``: a taller button than the role's (``menu``, ``pick``, ``tall``, ``big``), styled in the QSS
    like everything else — no inline styles, so each look and colour is defined once."""
    button = QPushButton(text, parent)
    if size:
        button.setProperty("size", size)
    if name:
        button.setObjectName(name)
    if role:
        button.setProperty("role", role)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.NoFocus)  # no keyboard: focus rings only confuse a touch screen
    button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
    return button


class Stripe(QWidget):
    """A band of one colour rounded on its left like the tile it sits in. Painted, not styled: the colour
    is the shop's data (a category's), and a thick QSS ``border-left`` would join the thin border with a
    slanted cut."""

    RADIUS = 7

    def __init__(self, color: str, parent: QWidget):
        super().__init__(parent)
        self.color = QColor(color)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Qt.NoPen)
        painter.setBrush(self.color)
        painter.setClipRect(self.rect())  # round the left corners only: the right ones fall outside
        painter.drawRoundedRect(QRectF(0, 0, self.width() + 2 * self.RADIUS, self.height()), self.RADIUS, self.RADIUS)
        painter.end()


def add_stripe(button: QPushButton, color: str, width: int = 8) -> Stripe:
    """A coloured band down the left edge of a tile (the category colour)."""
    layout = QHBoxLayout(button)
    layout.setContentsMargins(1, 1, 0, 1)
    stripe = Stripe(color, button)
    stripe.setFixedWidth(width)
    stripe.setAttribute(Qt.WA_TransparentForMouseEvents)
    layout.addWidget(stripe)
    layout.addStretch(1)
    return stripe
