"""``OperationChoiceDialog`` (操作選択, R-HIST): what to do with one terminal payment.

Buttons: 「取消」 (``refundButton``), 「再印刷」 (``reprintButton``; disabled with the reason
in ``reprintNoteLabel`` when the register cannot reprint, R-CT), 「端末で返金済みにする」
(``markRefundedButton``, seed 4-5) and 「閉じる」 (``closeButton``). ``chosen(name)`` fires
with the objectName tapped; the dialog closes on every choice.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.ui.widgets.buttons import touch_button


class OperationChoiceDialog(QDialog):
    chosen = Signal(str)

    def __init__(self, parent: QWidget, summary: str, *, reprint_note: str | None = None):
        """``reprint_note``: why 「再印刷」 is not possible (the button is then disabled)."""
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("OperationChoiceDialog")
        self.setModal(True)
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(14)
        heading = QLabel("操作選択", self)
        heading.setObjectName("dialogTitle")
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        info = QLabel(summary, self)
        info.setObjectName("dialogMessage")
        info.setWordWrap(True)
        layout.addWidget(info)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.buttons = {}
        for index, (name, label, role) in enumerate((("refundButton", "取消", "primary"), ("reprintButton", "再印刷", "secondary"),
                                                     ("markRefundedButton", "端末で返金済みにする", "secondary"),
                                                     ("closeButton", "閉じる", "secondary"))):
            button = touch_button(label, name, role, self)
            button.clicked.connect(lambda _=False, n=name: self._choose(n))
            grid.addWidget(button, index // 2, index % 2)
            self.buttons[name] = button
        layout.addLayout(grid)
        self.note_label = QLabel(reprint_note or "", self)
        self.note_label.setObjectName("reprintNoteLabel")
        self.note_label.setProperty("role", "info")
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(bool(reprint_note))
        layout.addWidget(self.note_label)
        self.buttons["reprintButton"].setEnabled(reprint_note is None)

    def _choose(self, name: str) -> None:
        self.chosen.emit(name)
        self.accept()
