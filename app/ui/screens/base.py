"""Base of every screen: a header (screen title, shop, staff, clock) and a message line.

A screen's ``objectName`` is its SPEC §3 name. ``enter(**kwargs)`` is called by the
navigator each time the screen is shown; ``show_message`` puts a refusal on the
screen's ``messageLabel`` without changing anything else.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.context import RegisterContext
from app.ui.theme import set_style
from app.ui.widgets.dialogs import message_line


class Screen(QWidget):
    title = ""

    def __init__(self, context: RegisterContext, navigator, name: str):
        super().__init__()
        self.setObjectName(name)
        self.context = context
        self.navigator = navigator
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        header = QFrame(self)
        header.setProperty("role", "header")
        header.setFixedHeight(52)
        row = QHBoxLayout(header)
        row.setContentsMargins(16, 0, 16, 0)
        self.title_label = QLabel(self.title, header)
        self.title_label.setObjectName("screenTitle")
        self.staff_label = QLabel("", header)
        self.staff_label.setObjectName("staffLabel")
        self.clock_label = QLabel("", header)
        self.clock_label.setObjectName("clockLabel")
        row.addWidget(self.title_label)
        row.addStretch(1)
        row.addWidget(self.staff_label)
        row.addSpacing(24)
        row.addWidget(self.clock_label)
        outer.addWidget(header)
        self.body = QWidget(self)
        outer.addWidget(self.body, 1)
        self.message_label = message_line(self)
        self.message_label.setContentsMargins(16, 0, 16, 6)
        outer.addWidget(self.message_label)
        self._tick = QTimer(self)  # runs only while the screen shows (see showEvent / hideEvent)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_header)

    def showEvent(self, event) -> None:
        self._refresh_header()
        self._tick.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        # Screens are built ahead and kept: a hidden one must not tick its clock every second.
        self._tick.stop()
        super().hideEvent(event)

    def _refresh_header(self) -> None:
        staff = self.context.staff
        self.staff_label.setText(f"担当者：{staff.name}" if staff else "")
        now = self.context.clock.now()  # the shop's time, not the machine's zone (the ledger's clock)
        self.clock_label.setText(f"{now.year:04d}/{now.month:02d}/{now.day:02d} {now.hour:02d}:{now.minute:02d}")

    def on_enter(self, **kwargs) -> None:
        self.show_message("")
        self._refresh_header()
        self.enter(**kwargs)

    def enter(self, **kwargs) -> None:
        """Prepare the screen each time it is shown (override)."""

    def show_message(self, text: str, *, done: bool = False) -> None:
        """The screen's message line: red for a refusal or an instruction; ``done`` (green) for
        something that went through (「印刷しました。」), which red would make read as a failure."""
        set_style(self.message_label, "tone", "done" if done else "")
        self.message_label.setText(text)
