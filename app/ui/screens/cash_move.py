"""CashMoveScreen (R-CLOSE): 入金 / 出金 by any staff — amount on the tenkey, a reason
(両替 / 仕入れ / 経費 / その他 + a note), 「確定」 records the drawer movement with its
audit record, opens the drawer and prints the 入出金票. A 出金 over the shop's limit asks
for a manager; a refusal is a message and nothing is recorded."""
from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.day_close import CASH_REASONS
from app.core.money import format_yen
from app.ui.keyboard import InputKind, text_field
from app.ui.report_printing import cash_slip_document, print_document
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import ManagerAuthDialog
from app.ui.widgets.tenkey import TenKey


class CashMoveScreen(Screen):
    title = "入金・出金"

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(32, 16, 32, 8)
        row.setSpacing(32)
        left = QVBoxLayout()
        left.setSpacing(14)
        kinds = QHBoxLayout()
        self.kind_group = QButtonGroup(self)
        self.kind_buttons = {}
        for kind, label, name in (("cash_in", "入金", "cashInButton"), ("cash_out", "出金", "cashOutButton")):
            button = touch_button(label, name, "toggle", self.body, checkable=True, size="big")
            button.clicked.connect(lambda _=False, k=kind: self.set_kind(k))
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            kinds.addWidget(button)
        left.addLayout(kinds)
        self.amount_caption = QLabel("", self.body)
        left.addWidget(self.amount_caption)
        self.amount_label = QLabel("¥0", self.body)
        self.amount_label.setObjectName("cashAmountLabel")
        self.amount_label.setProperty("role", "display")
        left.addWidget(self.amount_label)
        left.addWidget(QLabel("理由", self.body))
        reasons = QGridLayout()
        reasons.setSpacing(8)
        self.reason_group = QButtonGroup(self)
        for index, reason in enumerate(CASH_REASONS):
            button = touch_button(reason, f"reason_{index}", "toggle", self.body, checkable=True)
            self.reason_group.addButton(button, index)
            reasons.addWidget(button, 0, index)
        left.addLayout(reasons)
        left.addWidget(QLabel("内容（その他は必須）", self.body))
        self.note_edit = text_field(self.body, "noteEdit", InputKind.JAPANESE, max_length=100)
        self.note_edit.setMinimumHeight(56)
        left.addWidget(self.note_edit)
        self.limit_label = QLabel("", self.body)
        self.limit_label.setObjectName("limitLabel")
        self.limit_label.setWordWrap(True)
        left.addWidget(self.limit_label)
        left.addStretch(1)
        row.addLayout(left, 3)

        right = QVBoxLayout()
        self.keypad = TenKey(7, self.body)
        self.keypad.changed.connect(lambda value: self.amount_label.setText(format_yen(value)))
        self.keypad.rejected.connect(self.show_message)
        right.addWidget(self.keypad)
        right.addStretch(1)
        buttons = QHBoxLayout()
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(lambda: self.navigator.go("TopScreen"))
        confirm = touch_button("確定", "confirmButton", "primary", self.body)
        confirm.clicked.connect(self.confirm)
        buttons.addWidget(back, 1)
        buttons.addWidget(confirm, 2)
        right.addLayout(buttons)
        row.addLayout(right, 2)

    def enter(self, **kwargs) -> None:
        self.reset()
        self.set_kind(kwargs.get("kind", "cash_in"))
        limit = self.context.settings.cash_out_approval_yen
        self.limit_label.setText(f"{format_yen(limit)}を超える出金には責任者の承認が必要です。")

    def reset(self) -> None:
        self.keypad.clear()
        self.note_edit.clear()
        checked = self.reason_group.checkedButton()
        if checked:
            self.reason_group.setExclusive(False)
            checked.setChecked(False)
            self.reason_group.setExclusive(True)

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.kind_buttons[kind].setChecked(True)
        self.amount_caption.setText("入金額" if kind == "cash_in" else "出金額")

    def confirm(self) -> None:
        amount = self.keypad.value
        index = self.reason_group.checkedId()
        reason = CASH_REASONS[index] if index >= 0 else ""
        if self.kind == "cash_out" and self.context.day.cash_out_needs_manager(amount) and not self.context.staff_is_manager:
            dialog = ManagerAuthDialog(self, f"{format_yen(self.context.settings.cash_out_approval_yen)}を超える出金",
                                       self.context.ledger.authorize_manager)
            dialog.authorized.connect(lambda manager: self.record(amount, reason, manager.id))
            dialog.rejected.connect(lambda: self.show_message("出金には責任者の承認が必要です。記録していません。"))
            dialog.open()
            return
        self.record(amount, reason, None)

    def record(self, amount: int, reason: str, manager_id: int | None) -> None:
        try:
            move = self.context.day.cash_move(self.kind, amount, reason, staff_id=self.context.staff.id,
                                              note=self.note_edit.text(), authorized_by_id=manager_id)
        except RegiError as error:
            self.show_message(error.message)
            return
        self.context.run_device(self.context.printer.kick_drawer)
        print_document(self, cash_slip_document(self.context, move))
        self.reset()
        self.show_message(f"{move.label} {format_yen(move.amount_yen)}（{move.reason}）を記録しました。", done=True)
