"""A vertically scrolling list for fingers: wide scroll bar, kinetic touch scrolling, rows
added above a final stretch (``layout.insertWidget(layout.count() - 1, row)``)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QScroller, QVBoxLayout, QWidget


def touch_list(parent: QWidget, spacing: int = 8) -> tuple[QScrollArea, QVBoxLayout]:
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.setProperty("role", "touchList")  # the QSS keeps it see-through: rows on the screen, no grey block
    QScroller.grabGesture(scroll.viewport(), QScroller.TouchGesture)
    holder = QWidget()
    holder.setObjectName("touchListRows")
    rows = QVBoxLayout(holder)
    rows.setContentsMargins(0, 0, 0, 0)
    rows.setSpacing(spacing)
    rows.addStretch(1)
    scroll.setWidget(holder)
    return scroll, rows
