"""OpenScreen (R-OPEN): 釣銭準備金 by denomination or as a total, 「確定」 opens the register.

Tap a denomination row, then key its count on the tenkey (or use ＋/－). In 「合計金額」
mode the tenkey keys the total instead. Nothing is written until 「確定」.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.business_day import float_total_yen
from app.core.money import format_yen
from app.ui.background import ledger_work
from app.ui.input_hold import InputHold
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
        self.hold = InputHold(self)  # while 開局 is written on the ledger worker

    def enter(self, **kwargs) -> None:
        self.cash.reset()

    def set_counts(self, counts: dict[int, int]) -> None:
        """Set counts as given (validated only at 「確定」): the tester's way in for bad input."""
        self.cash.set_counts(counts)

    def confirm(self) -> None:
        """Validate here, write on the ledger worker (its fsync is no UI stall); トップ follows
        once the session is committed, and the screen takes no taps meanwhile."""
        if self.hold.held:
            return
        staff, ledger = self.context.staff, self.context.ledger
        if self.cash.total_mode:
            total = self.cash.total_yen
            write = lambda: ledger.open_day(staff.id, total_yen=total)  # noqa: E731
        else:
            try:
                float_total_yen(self.cash.counts)  # validate before anything is written
            except RegiError as error:
                self.show_message(error.message)
                return
            counts = self.cash.given_counts()
            write = lambda: ledger.open_day(staff.id, counts=counts)  # noqa: E731
        self.hold.hold()
        ledger_work().submit(write, self._opened, self._refused)

    def _opened(self, _session) -> None:
        self.hold.release()
        self.navigator.go("TopScreen", opened=True)

    def _refused(self, error: BaseException) -> None:
        self.hold.release()
        if not isinstance(error, RegiError):
            raise error  # the register's excepthook shows it, as before
        self.show_message(error.message)
