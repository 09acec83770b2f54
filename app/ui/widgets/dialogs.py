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
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from app.ui.input_hold import InputHold
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
        self.info = QLabel(f"{reason}には責任者のパスワードが必要です。", self)
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
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
        self._ok, self._cancel, self._keys_hold = ok, cancel, InputHold(self.keypad)
        self._on_authorized: Callable[[object], None] | None = None  # set by ``ask``
        self._asking = 0

    @classmethod
    def ask(cls, parent: QWidget, reason: str, verify: Callable[[str], object],
            on_authorized: Callable[[object], None]) -> "ManagerAuthDialog":
        """Open the dialog over ``parent``, reusing the one it showed before once that is closed
        (a new top-level window each time cost half a frame, SPEC §9); ``on_authorized(manager)``
        is called for this asking only."""
        dialog = getattr(parent, "_manager_auth", None)
        if dialog is None or not isValid(dialog) or dialog.isVisible():
            dialog = cls.prepare(parent, reason, verify)
        else:
            dialog._verify = verify
            dialog.info.setText(f"{reason}には責任者のパスワードが必要です。")
            dialog.keypad.clear()
            dialog._set_busy(False)
        dialog._on_authorized = on_authorized
        dialog._asking += 1  # an answer to an earlier asking is not one to this
        dialog.open()
        return dialog

    @classmethod
    def prepare(cls, parent: QWidget, reason: str, verify: Callable[[str], object]) -> "ManagerAuthDialog":
        """Build (and polish) the dialog ``ask`` will show over ``parent``, hidden: in idle time,
        so that even the first asking only shows it."""
        dialog = cls(parent, reason, verify)
        dialog.setAttribute(Qt.WA_DeleteOnClose, False)  # kept with its parent for the next asking
        dialog.ensurePolished()
        parent._manager_auth = dialog
        return dialog

    def _submit(self) -> None:
        """Verify off the UI thread (scrypt); the dialog's inputs wait, disabled, for the answer."""
        from app.ui.background import password_checks

        self._set_busy(True)
        asking = self._asking
        password_checks().submit(partial(self._verify, self.keypad.text),
                                 lambda manager: self._verified(manager) if self._asking == asking else None,
                                 lambda error: self._refused(error) if self._asking == asking else None)

    def _set_busy(self, busy: bool) -> None:
        """OK and キャンセル disabled, the keypad held (not disabled: restyling its 13 keys
        twice was most of a frame)."""
        self.message_label.setText("確認中…" if busy else "")
        self._ok.setEnabled(not busy)
        self._cancel.setEnabled(not busy)
        (self._keys_hold.hold if busy else self._keys_hold.release)()

    def _verified(self, manager) -> None:
        if not isValid(self) or not self.isVisible():  # closed meanwhile (e.g. a late terminal result)
            return
        self._set_busy(False)
        on_authorized, self._on_authorized = self._on_authorized, None
        self.authorized.emit(manager)
        self.accept()
        if on_authorized is not None:
            on_authorized(manager)

    def _refused(self, error: BaseException) -> None:
        from app.core.errors import RegiError

        if not isinstance(error, RegiError):
            raise error
        if not isValid(self) or not self.isVisible():
            return
        self._set_busy(False)
        self.message_label.setText(error.message)
        self.keypad.clear()
