"""``TerminalTotalsDialog`` (R-CLOSE): the terminal's day totals beside the ledger's, per
method, differences in red, and every transaction only one side has (受注コード / 伝票番号
and the slip). A difference never passes silently: the manager picks a reason
(``reason_<i>``) and 「確認して精算」 (``confirmButton``) emits ``chosen(reason)``.

Rows are labels named ``terminal_<method>``, ``ledger_<method>`` and ``discrepancy_<i>``."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.ledger.terminal_totals import describe
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import message_line
from app.ui.widgets.touch_list import touch_list

REASONS = ("決済端末で直接操作した取引", "決済端末の履歴で確認済み", "原因不明（後日確認）", "その他")


class TerminalTotalsDialog(QDialog):
    chosen = Signal(str)

    def __init__(self, parent: QWidget, check):
        super().__init__(parent)
        self.setObjectName("TerminalTotalsDialog")
        self.setModal(True)
        self.setMinimumWidth(960)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        title = QLabel("決済端末の合計とレジの合計", self)
        title.setObjectName("dialogTitle")
        title.setProperty("role", "title")
        layout.addWidget(title)
        summary = QLabel(check.error or "決済端末の合計とレジの記録に差異があります。確認して理由を選んでください。", self)
        summary.setObjectName("dialogMessage")
        summary.setWordWrap(True)
        summary.setProperty("alert", True)  # a difference needs the manager's reason
        layout.addWidget(summary)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        for column, caption in enumerate(("決済方法", "決済端末", "レジ")):
            heading = QLabel(caption, self)
            heading.setProperty("role", "caption")
            grid.addWidget(heading, 0, column)
        for row, comparison in enumerate(check.rows, start=1):
            method = QLabel(comparison.label + ("　差異あり" if comparison.differs else ""), self)
            terminal = QLabel(describe(comparison.terminal), self)
            terminal.setObjectName(f"terminal_{comparison.method}")
            ledger = QLabel(describe(comparison.ledger), self)
            ledger.setObjectName(f"ledger_{comparison.method}")
            if comparison.differs:
                for label in (method, terminal, ledger):
                    label.setProperty("alert", True)
            grid.addWidget(method, row, 0)
            grid.addWidget(terminal, row, 1)
            grid.addWidget(ledger, row, 2)
        layout.addLayout(grid)
        if check.discrepancies:  # a busy day without the terminal's answer can list hundreds
            scroll, lines = touch_list(self, spacing=4)
            scroll.setMaximumHeight(230)
            for index, discrepancy in enumerate(check.discrepancies):
                line = QLabel(f"・{discrepancy.description}", scroll.widget())
                line.setObjectName(f"discrepancy_{index}")
                line.setWordWrap(True)
                lines.insertWidget(lines.count() - 1, line)
            layout.addWidget(scroll)
        layout.addWidget(QLabel("確認の理由", self))
        reasons = QGridLayout()
        reasons.setSpacing(8)
        self.group = QButtonGroup(self)
        for index, reason in enumerate(REASONS):
            button = touch_button(reason, f"reason_{index}", "toggle", self, checkable=True)
            self.group.addButton(button, index)
            reasons.addWidget(button, index // 2, index % 2)
        layout.addLayout(reasons)
        self.message_label = message_line(self)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        cancel = touch_button("キャンセル", "cancelButton", "secondary", self)
        cancel.clicked.connect(self.reject)
        confirm = touch_button("確認して精算", "confirmButton", "primary", self)
        confirm.clicked.connect(self._confirm)
        row.addWidget(cancel)
        row.addWidget(confirm)
        layout.addLayout(row)

    def _confirm(self) -> None:
        index = self.group.checkedId()
        if index < 0:
            self.message_label.setText("差異を確認した理由を選んでください。")
            return
        self.chosen.emit(REASONS[index])
        self.accept()
