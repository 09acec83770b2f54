"""Removing rebuilt widgets (tiles, rows) safely."""
from __future__ import annotations

from PySide6.QtWidgets import QLayout, QWidget


def discard(widget: QWidget) -> None:
    """Hide now, delete later. ``deleteLater`` waits for the event loop (``processEvents``
    does not run deferred deletes), and until then the old widget would still show and
    take taps under its replacement."""
    widget.hide()
    widget.deleteLater()


def clear_layout(layout: QLayout, keep_last: int = 0) -> None:
    """Discard every widget of ``layout`` but the last ``keep_last`` items (e.g. a stretch)."""
    while layout.count() > keep_last:
        item = layout.takeAt(0)
        if item.widget() is not None:
            discard(item.widget())
