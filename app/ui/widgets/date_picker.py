"""``DatePickerDialog``: pick a day by touch — a month of large day buttons (no keyboard).

Names: ``prevMonthButton``, ``nextMonthButton``, ``monthLabel``, ``day_<d>`` (day ``d`` of the
shown month), ``todayButton``, ``cancelButton``. Days after ``today`` are disabled.
``picked(date)`` fires on a tap, then the dialog closes.
"""
from __future__ import annotations

import calendar
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.widgets.buttons import touch_button

WEEKDAYS = "日月火水木金土"
_WEEKS = calendar.Calendar(firstweekday=6)  # Sunday first, as Japanese calendars are


def month_shift(day: date, months: int) -> date:
    """The first of the month ``months`` away from ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class DatePickerDialog(QDialog):
    picked = Signal(object)

    def __init__(self, parent: QWidget, selected: date, today: date):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("DatePickerDialog")
        self.setModal(True)
        self.selected = selected
        self.today = today
        self.month = selected.replace(day=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        title = QLabel("日付を選択", self)
        title.setProperty("role", "title")
        layout.addWidget(title)
        row = QHBoxLayout()
        self.prev_button = touch_button("◀ 前月", "prevMonthButton", "toggle", self)
        self.prev_button.clicked.connect(lambda: self.show_month(month_shift(self.month, -1)))
        self.month_label = QLabel("", self)
        self.month_label.setObjectName("monthLabel")
        self.month_label.setAlignment(Qt.AlignCenter)
        self.next_button = touch_button("翌月 ▶", "nextMonthButton", "toggle", self)
        self.next_button.clicked.connect(lambda: self.show_month(month_shift(self.month, 1)))
        row.addWidget(self.prev_button)
        row.addWidget(self.month_label, 1)
        row.addWidget(self.next_button)
        layout.addLayout(row)
        grid = QGridLayout()
        grid.setSpacing(6)
        for column, name in enumerate(WEEKDAYS):
            label = QLabel(name, self)
            label.setAlignment(Qt.AlignCenter)
            label.setProperty("role", "weekday")  # neutral: red means something to do
            grid.addWidget(label, 0, column)
        self.day_buttons = []
        for index in range(42):
            button = touch_button("", None, "toggle", self, checkable=True)
            button.setMinimumSize(72, 56)
            button.clicked.connect(lambda _=False, b=button: self._pick(b))
            grid.addWidget(button, 1 + index // 7, index % 7)
            self.day_buttons.append(button)
        layout.addLayout(grid)
        bottom = QHBoxLayout()
        today_button = touch_button("今日", "todayButton", "secondary", self)
        today_button.clicked.connect(lambda: self._choose(self.today))
        cancel = touch_button("キャンセル", "cancelButton", "secondary", self)
        cancel.clicked.connect(self.reject)
        bottom.addWidget(today_button)
        bottom.addWidget(cancel)
        layout.addLayout(bottom)
        self.show_month(self.month)

    def show_month(self, first: date) -> None:
        self.month = first
        self.month_label.setText(f"{first.year}年{first.month}月")
        self.next_button.setEnabled(month_shift(first, 1) <= self.today)
        days = [d for week in _WEEKS.monthdayscalendar(first.year, first.month) for d in week]
        for index, button in enumerate(self.day_buttons):
            day = days[index] if index < len(days) else 0
            button.setProperty("day", day)
            button.setObjectName(f"day_{day}" if day else "")
            button.setText(str(day) if day else "")
            button.setVisible(bool(day))
            button.setEnabled(bool(day) and first.replace(day=day or 1) <= self.today)
            button.setChecked(bool(day) and first.replace(day=day) == self.selected)

    def _pick(self, button) -> None:
        day = button.property("day")
        if day:
            self._choose(self.month.replace(day=day))

    def _choose(self, day: date) -> None:
        self.picked.emit(day)
        self.accept()
