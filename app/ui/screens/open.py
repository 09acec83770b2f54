"""OpenScreen (R-OPEN): 釣銭準備金 by denomination or as a total, 「確定」 opens the register.

Tap a denomination row, then key its count on the tenkey (or use ＋/－). In 「合計金額」
mode the tenkey keys the total instead. Nothing is written until 「確定」.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.sessions import DENOMINATIONS_YEN, MAX_COUNT, float_total_yen
from app.core.money import format_yen
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.tenkey import TenKey


class OpenScreen(Screen):
    title = "開局"

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(24, 8, 24, 4)
        row.setSpacing(28)

        table = QGridLayout()
        table.setHorizontalSpacing(8)
        table.setVerticalSpacing(3)
        heading = QLabel("釣銭準備金（金種別）", self.body)
        heading.setProperty("role", "title")
        table.addWidget(heading, 0, 0, 1, 5)
        self.rows = QButtonGroup(self)
        self.count_labels: dict[int, QLabel] = {}
        self.subtotal_labels: dict[int, QLabel] = {}
        for index, denomination in enumerate(DENOMINATIONS_YEN, start=1):
            select = touch_button(f"{denomination:,}円", f"denom_{denomination}", "denom", self.body, checkable=True)
            select.clicked.connect(lambda _=False, d=denomination: self.select(d))
            self.rows.addButton(select)
            minus = touch_button("－", f"minus_{denomination}", "line", self.body)
            minus.clicked.connect(lambda _=False, d=denomination: self.step(d, -1))
            plus = touch_button("＋", f"plus_{denomination}", "line", self.body)
            plus.clicked.connect(lambda _=False, d=denomination: self.step(d, +1))
            minus.setFixedWidth(72)
            plus.setFixedWidth(72)
            count = QLabel("0 枚", self.body)
            count.setObjectName(f"count_{denomination}")
            count.setMinimumWidth(90)
            count.setAlignment(Qt.AlignCenter)
            subtotal = QLabel("¥0", self.body)
            subtotal.setMinimumWidth(130)
            subtotal.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.count_labels[denomination] = count
            self.subtotal_labels[denomination] = subtotal
            for column, widget in enumerate((select, minus, count, plus, subtotal)):
                table.addWidget(widget, index, column)
            # The rows share the height (taller targets on a big screen), not the heading.
            table.setRowStretch(index, 1)
        row.addLayout(table, 3)

        right = QVBoxLayout()
        right.setSpacing(10)
        modes = QHBoxLayout()
        self.by_denomination = touch_button("金種別", "modeDenominationButton", "toggle", self.body, checkable=True)
        self.by_total = touch_button("合計金額", "modeTotalButton", "toggle", self.body, checkable=True)
        mode_group = QButtonGroup(self)
        for button in (self.by_denomination, self.by_total):
            button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            mode_group.addButton(button)
            modes.addWidget(button)
        self.by_denomination.clicked.connect(lambda: self.set_mode(total=False))
        self.by_total.clicked.connect(lambda: self.set_mode(total=True))
        right.addLayout(modes)
        right.addWidget(QLabel("釣銭準備金 合計", self.body))
        self.total_label = QLabel("¥0", self.body)
        self.total_label.setObjectName("floatTotalLabel")
        self.total_label.setProperty("role", "display")
        self.total_label.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        right.addWidget(self.total_label)
        self.keypad = TenKey(7, self.body)
        self.keypad.changed.connect(self.on_keyed)
        self.keypad.rejected.connect(self.show_message)
        right.addWidget(self.keypad, 1)  # the keys take the spare height, not the toggles or the total
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
        self.counts = {d: 0 for d in DENOMINATIONS_YEN}
        self.total_yen = 0
        self.selected: int | None = None
        self.set_mode(total=False)
        self.select(DENOMINATIONS_YEN[0])

    def set_mode(self, *, total: bool) -> None:
        self.total_mode = total
        (self.by_total if total else self.by_denomination).setChecked(True)
        for button in self.rows.buttons():
            button.setEnabled(not total)
        self.keypad.max_digits = 7 if total else len(str(MAX_COUNT))
        self.keypad.set_value(self.total_yen if total else self.counts.get(self.selected or 0, 0))
        self.refresh()

    def select(self, denomination: int) -> None:
        self.selected = denomination
        self.findChild(type(self.by_total), f"denom_{denomination}").setChecked(True)
        self.keypad.set_value(self.counts[denomination])

    def step(self, denomination: int, delta: int) -> None:
        if self.total_mode:
            self.set_mode(total=False)
        new = self.counts[denomination] + delta
        if new < 0:
            self.show_message(f"{denomination:,}円の枚数はマイナスにできません。")
            return
        if new > MAX_COUNT:
            self.show_message(f"{denomination:,}円の枚数は{MAX_COUNT}枚までです。")
            return
        self.select(denomination)
        self.keypad.set_value(new)

    def on_keyed(self, value: int) -> None:
        if self.total_mode:
            self.total_yen = value
        elif self.selected is not None:
            self.counts[self.selected] = value
        self.show_message("")
        self.refresh()

    def refresh(self) -> None:
        for denomination, count in self.counts.items():
            self.count_labels[denomination].setText(f"{count} 枚")
            self.subtotal_labels[denomination].setText(format_yen(denomination * count))
        total = self.total_yen if self.total_mode else sum(d * c for d, c in self.counts.items())
        self.total_label.setText(format_yen(total))

    def set_counts(self, counts: dict[int, int]) -> None:
        """Set counts as given (validated only at 「確定」): the tester's way in for bad input."""
        self.set_mode(total=False)
        self.counts.update(counts)
        self.refresh()

    def confirm(self) -> None:
        staff = self.context.staff
        try:
            if self.total_mode:
                self.context.ledger.open_session(staff.id, total_yen=self.total_yen)
            else:
                float_total_yen(self.counts)  # validate before anything is written
                counts = {d: c for d, c in self.counts.items() if c}
                self.context.ledger.open_session(staff.id, counts=counts)
        except RegiError as error:
            self.show_message(error.message)
            return
        self.navigator.go("TopScreen", opened=True)
