"""TopScreen (R-TOP): the day's menu and the terminal status indicator."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout

from app.core.money import format_yen
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import MessageDialog

MENU = (
    ("会計", "checkoutButton", "CheckoutScreen"),
    ("伝票明細", "slipListButton", None),
    ("決済情報照会", "inquiryButton", None),
    ("点検・精算", "closeDayButton", None),
    ("設定", "settingsButton", None),
    ("ログアウト", "logoutButton", "LoginScreen"),
)


class TopScreen(Screen):
    title = "トップ"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.setSpacing(20)
        info = QHBoxLayout()
        self.session_label = QLabel("", self.body)
        self.session_label.setObjectName("sessionLabel")
        self.session_label.setProperty("role", "info")
        self.terminal_status = QLabel("決済端末：未設定", self.body)
        self.terminal_status.setObjectName("terminalStatus")
        self.terminal_status.setProperty("role", "info")
        info.addWidget(self.session_label)
        info.addStretch(1)
        info.addWidget(self.terminal_status)
        layout.addLayout(info)
        grid = QGridLayout()
        grid.setSpacing(20)
        for index, (label, name, target) in enumerate(MENU):
            button = touch_button(label, name, "primary" if index == 0 else "secondary", self.body)
            button.setMinimumHeight(140)
            button.setStyleSheet("font-size: 26px;")
            button.clicked.connect(lambda _=False, t=target, l=label: self.open(t, l))
            grid.addWidget(button, index // 3, index % 3)
        layout.addLayout(grid)
        layout.addStretch(1)

    def enter(self, **kwargs) -> None:
        session = self.context.ledger.current_session()
        if session:
            self.session_label.setText(f"開局 {session.opened_at:%m/%d %H:%M}　釣銭準備金 {format_yen(session.float_yen)}")

    def open(self, target: str | None, label: str) -> None:
        if target:
            self.navigator.go(target)
            return
        dialog = MessageDialog(self, "InfoDialog", label, f"「{label}」はこのバージョンではまだ使えません。", [("closeButton", "閉じる", "secondary")])
        dialog.open()
