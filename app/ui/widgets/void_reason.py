"""``VoidReasonDialog``: confirm a 伝票取消 / 伝票訂正 and pick its reason (preset choices).

Names: ``reason_<i>`` (checkable preset ``i``), ``confirmButton``, ``cancelButton``,
``messageLabel``. ``chosen(reason)`` fires on 「確定」 once a reason is picked; without one
the dialog says so and stays open.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import message_line

COLUMNS = 3


class VoidReasonDialog(QDialog):
    chosen = Signal(str)

    def __init__(self, parent: QWidget, title: str, message: str, reasons: Sequence[str], confirm_label: str):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("VoidReasonDialog")
        self.setModal(True)
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(14)
        heading = QLabel(title, self)
        heading.setObjectName("dialogTitle")
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        info = QLabel(message, self)
        info.setObjectName("dialogMessage")
        info.setWordWrap(True)
        layout.addWidget(info)
        layout.addWidget(QLabel("理由を選んでください。", self))
        grid = QGridLayout()
        grid.setSpacing(8)
        self.group = QButtonGroup(self)
        self.reasons = list(reasons)
        for index, reason in enumerate(self.reasons):
            button = touch_button(reason, f"reason_{index}", "toggle", self, checkable=True)
            self.group.addButton(button, index)
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)
        layout.addLayout(grid)
        self.message_label = message_line(self)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        row.setSpacing(12)
        cancel = touch_button("キャンセル", "cancelButton", "secondary", self)
        cancel.clicked.connect(self.reject)
        confirm = touch_button(confirm_label, "confirmButton", "primary", self)
        confirm.clicked.connect(self._confirm)
        row.addWidget(cancel)
        row.addWidget(confirm)
        layout.addLayout(row)

    @property
    def reason(self) -> str | None:
        index = self.group.checkedId()
        return self.reasons[index] if index >= 0 else None

    def _confirm(self) -> None:
        if self.reason is None:
            self.message_label.setText("理由を選んでください。")
            return
        self.chosen.emit(self.reason)
        self.accept()
