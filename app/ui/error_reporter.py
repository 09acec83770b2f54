"""Uncaught exceptions shown to the cashier as an ErrorDialog with the log's reference,
instead of the register dying (``app.logs.install_excepthooks``).

``ErrorReporter(window)`` is the thread-safe ``show(reference, summary)``: it may be called
from any thread; the dialog opens on the UI thread (a queued signal). While one is open,
later errors are only logged — a failing timer must not stack a dialog every second.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from app.ui.widgets.dialogs import fit_long_message, show_error

DIALOG_NAME = "ErrorDialog"


class ErrorReporter(QObject):
    reported = Signal(str, str)

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.reported.connect(self._show, Qt.QueuedConnection)

    def __call__(self, reference: str, summary: str) -> None:
        self.reported.emit(reference, summary)

    def _show(self, reference: str, summary: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
        self.dialog = show_error(self.window, "予期しないエラーが発生しました。操作をやり直してください。\n"
                                              "続くときは、この参照番号をサポートにお伝えください。",
                                 title="エラー", code=reference, name=DIALOG_NAME)
        fit_long_message(self.dialog)
        self.dialog.destroyed.connect(self._forget)

    def _forget(self) -> None:
        self.dialog = None
