"""A drawn payment terminal with a card (the manuals' illustration on 決済処理中): no image
files, and it scales with the screen."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QWidget

from app.ui.theme import TERMINAL_ART as ART


class TerminalArt(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(160, 200)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        side = min(self.width() / 0.8, float(self.height()))
        w, h = side * 0.5, side * 0.9
        x, y = (self.width() - w) / 2, (self.height() - h) / 2
        painter.setPen(QPen(ART["edge"], 3))
        painter.setBrush(ART["body"])
        painter.drawRoundedRect(QRectF(x, y, w, h), 14, 14)
        painter.setBrush(ART["screen"])
        painter.drawRoundedRect(QRectF(x + w * 0.1, y + h * 0.08, w * 0.8, h * 0.45), 6, 6)
        painter.setBrush(ART["card"])
        painter.setPen(Qt.NoPen)
        painter.drawRoundedRect(QRectF(x + w * 0.55, y + h * 0.62, w * 0.7, h * 0.28), 8, 8)
        painter.setBrush(ART["chip"])
        painter.drawRoundedRect(QRectF(x + w * 0.63, y + h * 0.68, w * 0.14, h * 0.08), 2, 2)
        painter.end()
