"""Modal dialogs over a screen. They are window-modal and opened with ``open()`` (never
``exec()``), so the event loop keeps running and tests can find and tap them by name.

- ``MessageDialog``: title, message, and a row of buttons; ``choice`` is the objectName tapped.
- ``ErrorDialog``: a refusal or a device error, with an optional code and 「再接続」/「再試行」.
- ``ManagerAuthDialog``: a manager's password on a keypad for a manager-only action (R-LOGIN);
  the password is verified on the password worker, off the UI thread.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from app.ui.widgets.buttons import touch_button
from app.ui.widgets.tenkey import TenKey


def message_line(parent: QWidget) -> QLabel:
    """The red refusal line (``messageLabel``) of a screen or dialog; tests read it by name."""
    label = QLabel("", parent)
    label.setObjectName("messageLabel")
    label.setProperty("role", "message")
    label.setWordWrap(True)
    return label


def titled_layout(dialog: QDialog, title: str, info: str = "") -> QVBoxLayout:
    """The dialog's column, begun with its title (and a wrapped line of ``info``)."""
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(24, 20, 24, 20)
    heading = QLabel(title, dialog)
    heading.setProperty("role", "title")
    layout.addWidget(heading)
    if info:
        line = QLabel(info, dialog)
        line.setWordWrap(True)
        layout.addWidget(line)
    return layout


class MessageDialog(QDialog):
    chosen = Signal(str)

    def __init__(self, parent: QWidget, name: str, title: str, message: str, buttons: list[tuple[str, str, str]]):
        """``buttons``: ``(objectName, label, role)``; the last one is the default."""
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(560)
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(16)
        heading = QLabel(title, self)
        heading.setObjectName("dialogTitle")
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        self.message_label = QLabel(message, self)
        self.message_label.setObjectName("dialogMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setMinimumHeight(60)
        self.message_label.setTextInteractionFlags(Qt.NoTextInteraction)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        row.setSpacing(12)
        for button_name, label, role in buttons:
            button = touch_button(label, button_name, role or "secondary", self)
            button.clicked.connect(lambda _=False, n=button_name: self._choose(n))
            row.addWidget(button)
        layout.addLayout(row)

    @property
    def message(self) -> str:
        return self.message_label.text()

    def _choose(self, name: str) -> None:
        self.choice = name
        self.chosen.emit(name)
        self.accept()


def show_error(parent: QWidget, message: str, *, title: str = "エラー", code: str | None = None,
               retry_label: str | None = None, on_retry: Callable[[], None] | None = None,
               name: str = "ErrorDialog") -> MessageDialog:
    """Open an ErrorDialog; 「閉じる」 (``closeButton``) always, a retry button (``retryButton``) if asked."""
    text = f"[{code}] {message}" if code else message
    buttons = [("closeButton", "閉じる", "secondary")]
    if retry_label:
        buttons.append(("retryButton", retry_label, "primary"))
    dialog = MessageDialog(parent, name, title, text, buttons)
    if on_retry:
        dialog.chosen.connect(lambda choice: on_retry() if choice == "retryButton" else None)
    dialog.open()
    return dialog


def fit_long_message(dialog: QDialog, width: int = 720) -> QDialog:
    """Widen a dialog with a long, wrapped message and give it the height that text needs:
    a top-level window does not follow its layout's height-for-width, so the message is
    otherwise clipped at the dialog's minimum width."""
    dialog.resize(width, dialog.layout().totalHeightForWidth(width))
    return dialog


class ManagerAuthDialog(QDialog):
    """Asks a manager's password. ``authorized(staff)`` fires once it is right."""

    authorized = Signal(object)

    def __init__(self, parent: QWidget, reason: str, verify: Callable[[str], object]):
        """``verify(password)`` returns the manager or raises ``RegiError``; it runs on a worker thread."""
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("ManagerAuthDialog")
        self.setModal(True)
        self._verify = verify
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel("責任者確認", self)
        title.setProperty("role", "title")
        layout.addWidget(title)
        info = QLabel(f"{reason}には責任者のパスワードが必要です。", self)
        info.setWordWrap(True)
        layout.addWidget(info)
        self.display = QLabel("", self)
        self.display.setObjectName("passwordDisplay")
        self.display.setProperty("role", "display")
        layout.addWidget(self.display)
        self.message_label = message_line(self)
        layout.addWidget(self.message_label)
        self.keypad = TenKey(8, self, code=True)
        self.keypad.changed.connect(lambda _v: self.display.setText("●" * len(self.keypad.text)))
        layout.addWidget(self.keypad)
        row = QHBoxLayout()
        cancel = touch_button("キャンセル", "cancelButton", "secondary", self)
        cancel.clicked.connect(self.reject)
        ok = touch_button("OK", "okButton", "primary", self)
        ok.clicked.connect(self._submit)
        row.addWidget(cancel)
        row.addWidget(ok)
        layout.addLayout(row)

    def _submit(self) -> None:
        """Verify off the UI thread (scrypt); the dialog's inputs wait, disabled, for the answer."""
        from app.ui.background import password_checks

        self._set_busy(True)
        password_checks().submit(partial(self._verify, self.keypad.text), self._verified, self._refused)

    def _set_busy(self, busy: bool) -> None:
        self.message_label.setText("確認中…" if busy else "")
        for widget in self.findChildren(QAbstractButton):
            widget.setEnabled(not busy)

    def _verified(self, manager) -> None:
        if not isValid(self) or not self.isVisible():  # closed meanwhile (e.g. a late terminal result)
            return
        self._set_busy(False)
        self.authorized.emit(manager)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        from app.core.errors import RegiError

        if not isinstance(error, RegiError):
            raise error
        if not isValid(self) or not self.isVisible():
            return
        self._set_busy(False)
        self.message_label.setText(error.message)
        self.keypad.clear()
