"""``StartupErrorWindow``: why Regi cannot start, full screen, with 「終了」 (``quitButton``).

Shown instead of the register when the ledger cannot be opened or written, the disk is
full, or another Regi holds the ledger. The message (``startupErrorMessage``) names the
path or process; nothing has been written to the ledger when it is shown.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.widgets.buttons import touch_button


class StartupErrorWindow(QWidget):
    full_screen = True  # the screenshot tour renders it at every screen size

    def __init__(self, message: str, log_file: str | None = None):
        super().__init__()
        self.setObjectName("StartupErrorWindow")
        self.setWindowTitle("Regi")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.setSpacing(24)
        layout.addStretch(1)
        title = QLabel("Regi を起動できません", self)
        title.setObjectName("startupErrorTitle")
        title.setProperty("role", "title")
        layout.addWidget(title)
        self.message_label = QLabel(message, self)
        self.message_label.setObjectName("startupErrorMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.message_label)
        if log_file:
            where = QLabel(f"記録：{log_file}", self)
            where.setObjectName("startupErrorLog")
            where.setWordWrap(True)
            layout.addWidget(where)
        layout.addStretch(1)
        quit_button = touch_button("終了", "quitButton", "primary", self)
        quit_button.clicked.connect(self.close)
        layout.addWidget(quit_button, 0, Qt.AlignHCenter)

    @property
    def message(self) -> str:
        return self.message_label.text()
