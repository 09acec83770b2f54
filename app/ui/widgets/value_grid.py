"""Big caption / value rows (合計 ¥1,360 …) of the result screens. Each value label is
named ``<key>Label`` and its caption ``<key>Caption``, which is how tests read them."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget


def value_grid(parent: QWidget, rows: tuple[tuple[str, str], ...]) -> tuple[QGridLayout, dict[str, tuple[QLabel, QLabel]]]:
    """``rows``: ``(key, caption)``. Returns the grid and ``{key: (caption label, value label)}``."""
    grid = QGridLayout()
    grid.setVerticalSpacing(14)
    labels = {}
    for row, (key, caption) in enumerate(rows):
        name = QLabel(caption, parent)
        name.setObjectName(f"{key}Caption")
        name.setProperty("role", "big")
        value = QLabel("", parent)
        value.setObjectName(f"{key}Label")
        value.setProperty("role", "big")
        grid.addWidget(name, row, 0)
        grid.addWidget(value, row, 1)
        labels[key] = (name, value)
    return grid, labels
