"""OpenScreen (R-OPEN): 釣銭準備金 by denomination or as a total, 「確定」 opens the register.

Tap a denomination row, then key its count on the tenkey (or use ＋/－). In 「合計金額」
mode the tenkey keys the total instead. Nothing is written until 「確定」.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.business_day import float_total_yen
from app.core.money import format_yen
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.cash_count import CashCount


class OpenScreen(Screen):
    title = "開局"

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(24, 8, 24, 4)
        row.setSpacing(28)
        self.cash = CashCount(self.body, "釣銭準備金（金種別）")
        self.cash.changed.connect(lambda total: self.total_label.setText(format_yen(total)))
        self.cash.rejected.connect(self.show_message)
        row.addWidget(self.cash.table, 3)

        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(self.cash.modes)
        right.addWidget(QLabel("釣銭準備金 合計", self.body))
        self.total_label = QLabel("¥0", self.body)
        self.total_label.setObjectName("floatTotalLabel")
        self.total_label.setProperty("role", "display")
        self.total_label.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        right.addWidget(self.total_label)
        right.addWidget(self.cash.keypad, 1)  # the keys take the spare height, not the toggles or the total
        buttons = QHBoxLayout()
        logout = touch_button("ログアウト", "logoutButton", "secondary", self.body)
        logout.clicked.connect(lambda: self.navigator.go("LoginScreen"))
        confirm = touch_button("確定", "confirmButton", "primary", self.body)
        confirm.clicked.connect(self.confirm)
        buttons.addWidget(logout, 1)
        buttons.addWidget(confirm, 2)
        right.addLayout(buttons)
        row.addLayout(right, 2)

    def enter(self, **kwargs) -> None:
        self.cash.reset()

    def set_counts(self, counts: dict[int, int]) -> None:
        """Set counts as given (validated only at 「確定」): the tester's way in for bad input."""
        self.cash.set_counts(counts)

    def confirm(self) -> None:
        staff = self.context.staff
        try:
            if self.cash.total_mode:
                self.context.ledger.open_day(staff.id, total_yen=self.cash.total_yen)
            else:
                float_total_yen(self.cash.counts)  # validate before anything is written
                self.context.ledger.open_day(staff.id, counts=self.cash.given_counts())
        except RegiError as error:
            self.show_message(error.message)
            return
        self.navigator.go("TopScreen", opened=True)
