"""Uncaught exceptions shown to the cashier as an ErrorDialog with the log's reference,
instead of the register dying (``app.logs.install_excepthooks``).

``ErrorReporter(window)`` is the thread-safe ``show(reference, exception)``: it may be
called from any thread; the dialog opens on the UI thread (a queued signal). A ledger that
can no longer be written (disk full, read-only) is said as such, naming the file; the
transaction that failed wrote nothing. While one dialog is open, later errors are only
logged — a failing timer must not stack a dialog every second.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from app.startup_checks import storage_error_message
from app.ui.widgets.dialogs import fit_long_message, show_error

DIALOG_NAME = "ErrorDialog"
UNEXPECTED = ("予期しないエラーが発生しました。操作をやり直してください。\n"
              "続くときは、この参照番号をサポートにお伝えください。")


class ErrorReporter(QObject):
    reported = Signal(str, object)

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.reported.connect(self._show, Qt.QueuedConnection)

    def __call__(self, reference: str, error: BaseException | None) -> None:
        self.reported.emit(reference, error)

    def describe(self, error: BaseException | None) -> str:
        context = getattr(self.window, "context", None)
        if error is not None and context is not None:
            from sqlalchemy.engine import make_url

            url = make_url(context.db_url)
            where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
            storage = storage_error_message(error, where)
            if storage:
                return storage.replace("起動し直してください", "操作をやり直してください")
        return UNEXPECTED

    def _show(self, reference: str, error: BaseException | None) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
        self.dialog = show_error(self.window, self.describe(error), title="エラー", code=reference, name=DIALOG_NAME)
        fit_long_message(self.dialog)
        self.dialog.destroyed.connect(self._forget)

    def _forget(self) -> None:
        self.dialog = None
