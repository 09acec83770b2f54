"""On-screen tenkey for amounts and counts. Keys: ``key0``…``key9``, ``key00``, ``keyClear``, ``keyBack``.

The value is an int; a digit that would exceed ``max_digits`` is refused with a message
(``rejected``) and the value stays as it was.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from app.ui.widgets.buttons import touch_button


class TenKey(QWidget):
    changed = Signal(int)
    rejected = Signal(str)

    def __init__(self, max_digits: int = 7, parent: QWidget | None = None, *, extra_keys: tuple = (), code: bool = False):
        """``extra_keys``: ``(row, column, button)`` placed in the grid beside the digits.
        ``code``: a password / code keypad, where leading zeros are digits like any other."""
        super().__init__(parent)
        self.setObjectName("tenKey")
        self.max_digits = max_digits
        self._code = code
        self._digits = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        layout = (("7", "8", "9"), ("4", "5", "6"), ("1", "2", "3"), ("0", "00", "C"))
        for row, keys in enumerate(layout):
            for column, key in enumerate(keys):
                name = "keyClear" if key == "C" else f"key{key}"
                button = touch_button(key, name, "key", self)
                button.clicked.connect(lambda _=False, k=key: self.press(k))
                grid.addWidget(button, row, column)
        back = touch_button("⌫", "keyBack", "key", self)
        back.clicked.connect(lambda: self.press("⌫"))
        grid.addWidget(back, 0, 3)
        for row, column, button in extra_keys:
            grid.addWidget(button, row, column)

    @property
    def value(self) -> int:
        return int(self._digits or 0)

    @property
    def text(self) -> str:
        return self._digits

    def press(self, key: str) -> None:
        if key == "C":
            self._digits = ""
        elif key == "⌫":
            self._digits = self._digits[:-1]
        else:
            digits = self._digits + key if self._code else (self._digits + key).lstrip("0")
            if len(digits) > self.max_digits:
                self.rejected.emit(f"{self.max_digits}桁までしか入力できません。")
                return
            self._digits = digits
        self.changed.emit(self.value)

    def clear(self) -> None:
        self._digits = ""
        self.changed.emit(0)

    def set_value(self, value: int) -> None:
        self._digits = str(value) if value else ""
        self.changed.emit(self.value)
