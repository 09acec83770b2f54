"""On-screen tenkey for amounts and counts. Keys: ``key0``…``key9``, ``key00``, ``keyClear``, ``keyBack``.

The value is a Python int of any size: ``changed`` carries it as ``object``, because a
``Signal(int)`` is a C int in Qt and an 11th digit overflowed it (a crash, issue 8; an
18-digit 注文番号 is a real value). A digit that would exceed ``max_digits`` is refused with
``limit_message`` (the field's own words, if the screen set them with ``set_limit``) on
``rejected``, and the value stays as it was.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from app.ui.widgets.buttons import touch_button


class TenKey(QWidget):
    changed = Signal(object)  # int of any size; see the module doc
    rejected = Signal(str)

    def __init__(self, max_digits: int = 7, parent: QWidget | None = None, *, extra_keys: tuple = (), code: bool = False):
        """``extra_keys``: ``(row, column, button)`` placed in the grid beside the digits.
        ``code``: a password / code keypad, where leading zeros are digits like any other."""
        super().__init__(parent)
        self.setObjectName("tenKey")
        self.max_digits = max_digits
        self.limit_message: str | None = None
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

    def set_limit(self, max_digits: int, message: str | None = None) -> None:
        """The field being keyed: its digit limit and the message refusing one digit more."""
        self.max_digits = max_digits
        self.limit_message = message

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
                self.rejected.emit(self.limit_message or f"{self.max_digits}桁までしか入力できません。")
                return
            self._digits = digits
        self.changed.emit(self.value)

    def clear(self) -> None:
        self._digits = ""
        self.changed.emit(0)

    def set_value(self, value: int) -> None:
        self._digits = str(value) if value else ""
        self.changed.emit(self.value)
