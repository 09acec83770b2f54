"""Holding a screen's taps while its ledger work runs off the UI thread (``background.ledger_work``).

``InputHold(scope).hold()`` makes ``scope`` and everything inside it transparent to the
mouse (and to touch, which arrives as mouse events) until ``release()``: a tap meanwhile
reaches nothing. Its own dialogs are other windows and stay usable. Not
``setEnabled(False)``, which restyles and repaints every child (a stall of its own), and
not an application-wide event filter, which makes PySide wrap every object an event goes to.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget


class InputHold(QObject):
    def __init__(self, scope: QWidget):
        super().__init__(scope)
        self._scope = scope
        self.held = False

    def hold(self) -> None:
        self.held = True
        self._scope.setAttribute(Qt.WA_TransparentForMouseEvents, True)

    def release(self) -> None:
        self.held = False
        self._scope.setAttribute(Qt.WA_TransparentForMouseEvents, False)
