"""``CashCount``: cash counted by denomination (tap a row, key its count, or ＋/－) or as
a total — the touch rows of 開局 (R-OPEN) and 精算 (R-CLOSE).

It owns three widgets the screen places where it likes: ``table`` (the denomination
rows: ``denom_<d>``, ``minus_<d>``, ``count_<d>``, ``plus_<d>``), ``modes`` (「金種別」
``modeDenominationButton`` / 「合計金額」 ``modeTotalButton``) and ``keypad`` (the tenkey).
``changed(total)`` fires on every change; ``rejected(message)`` on a refused step. Counts
are validated by the ledger at 「確定」, not here (``set_counts`` lets a test key bad ones).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.core.ledger.business_day import DENOMINATIONS_YEN, MAX_COUNT
from app.core.money import format_yen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.tenkey import TenKey


class CashCount(QObject):
    changed = Signal(int)
    rejected = Signal(str)

    def __init__(self, parent: QWidget, title: str):
        super().__init__(parent)
        self.table = QWidget(parent)
        grid = QGridLayout(self.table)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        heading = QLabel(title, self.table)
        heading.setProperty("role", "title")
        grid.addWidget(heading, 0, 0, 1, 5)
        self.rows = QButtonGroup(self)
        self.select_buttons: dict[int, object] = {}
        self.count_labels: dict[int, QLabel] = {}
        self.subtotal_labels: dict[int, QLabel] = {}
        for index, denomination in enumerate(DENOMINATIONS_YEN, start=1):
            select = touch_button(f"{denomination:,}円", f"denom_{denomination}", "denom", self.table, checkable=True)
            select.clicked.connect(lambda _=False, d=denomination: self.select(d))
            self.rows.addButton(select)
            self.select_buttons[denomination] = select
            minus = touch_button("－", f"minus_{denomination}", "line", self.table)
            minus.clicked.connect(lambda _=False, d=denomination: self.step(d, -1))
            plus = touch_button("＋", f"plus_{denomination}", "line", self.table)
            plus.clicked.connect(lambda _=False, d=denomination: self.step(d, +1))
            minus.setFixedWidth(72)
            plus.setFixedWidth(72)
            count = QLabel("0 枚", self.table)
            count.setObjectName(f"count_{denomination}")
            count.setMinimumWidth(90)
            count.setAlignment(Qt.AlignCenter)
            subtotal = QLabel("¥0", self.table)
            subtotal.setMinimumWidth(130)
            subtotal.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.count_labels[denomination] = count
            self.subtotal_labels[denomination] = subtotal
            for column, widget in enumerate((select, minus, count, plus, subtotal)):
                grid.addWidget(widget, index, column)
            grid.setRowStretch(index, 1)  # the rows share the height (taller targets on a big screen), not the heading

        self.modes = QWidget(parent)
        modes = QHBoxLayout(self.modes)
        modes.setContentsMargins(0, 0, 0, 0)
        self.by_denomination = touch_button("金種別", "modeDenominationButton", "toggle", self.modes, checkable=True)
        self.by_total = touch_button("合計金額", "modeTotalButton", "toggle", self.modes, checkable=True)
        mode_group = QButtonGroup(self)
        for button in (self.by_denomination, self.by_total):
            button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            mode_group.addButton(button)
            modes.addWidget(button)
        self.by_denomination.clicked.connect(lambda: self.set_mode(total=False))
        self.by_total.clicked.connect(lambda: self.set_mode(total=True))

        self.keypad = TenKey(7, parent)
        self.keypad.changed.connect(self.on_keyed)
        self.keypad.rejected.connect(self.rejected)
        self.reset()

    # --- state -------------------------------------------------------------------
    def reset(self) -> None:
        self.counts = {d: 0 for d in DENOMINATIONS_YEN}
        self.total_yen = 0
        self.selected: int | None = None
        self.set_mode(total=False)
        self.select(DENOMINATIONS_YEN[0])

    @property
    def total(self) -> int:
        return self.total_yen if self.total_mode else sum(d * c for d, c in self.counts.items())

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
        self.select_buttons[denomination].setChecked(True)
        self.keypad.set_value(self.counts[denomination])

    def step(self, denomination: int, delta: int) -> None:
        if self.total_mode:
            self.set_mode(total=False)
        new = self.counts[denomination] + delta
        if new < 0:
            self.rejected.emit(f"{denomination:,}円の枚数はマイナスにできません。")
            return
        if new > MAX_COUNT:
            self.rejected.emit(f"{denomination:,}円の枚数は{MAX_COUNT}枚までです。")
            return
        self.select(denomination)
        self.keypad.set_value(new)

    def on_keyed(self, value: int) -> None:
        if self.total_mode:
            self.total_yen = value
        elif self.selected is not None:
            self.counts[self.selected] = value
        self.rejected.emit("")
        self.refresh()

    def refresh(self) -> None:
        for denomination, count in self.counts.items():
            self.count_labels[denomination].setText(f"{count} 枚")
            self.subtotal_labels[denomination].setText(format_yen(denomination * count))
        self.changed.emit(self.total)

    def set_counts(self, counts: dict[int, int]) -> None:
        """Set counts as given (validated only at 「確定」): the tester's way in for bad input."""
        self.set_mode(total=False)
        self.counts.update(counts)
        self.refresh()

    def given_counts(self) -> dict[int, int]:
        """The non-zero counts (by denomination mode)."""
        return {d: c for d, c in self.counts.items() if c}
