"""TerminalPickerScreen 「決済端末支払」 (R-PAY 1, USEN PAY profile): pick クレジット / QRコード /
電子マネー; methods not contracted are disabled; 「更新」 (bottom left) connects the terminal."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.ui.screens.base import Screen
from app.ui.terminal_dialogs import show_login_problem
from app.core.terminal.profiles import PaymentMethod, terminal_profile
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.terminal_indicator import TerminalIndicator

BUTTON_NAMES = {"credit": "usenpayCreditButton", "qr": "usenpayQrButton", "emoney": "usenpayEmoneyButton"}


class TerminalPickerScreen(Screen):
    title = "決済端末支払"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(60, 30, 60, 20)
        layout.setSpacing(20)
        heading = QLabel("お支払い方法を選択してください", self.body)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.method_buttons = {}
        for method in PaymentMethod:
            button = touch_button(method.label, BUTTON_NAMES[method], "secondary", self.body, size="pick")
            button.clicked.connect(lambda _=False, m=method: self.pick(m))
            self.method_buttons[method] = button
            row.addWidget(button)
        layout.addLayout(row)
        self.note = QLabel("※ 納品が済んでいない決済手段は選択できません。", self.body)
        self.note.setProperty("role", "info")
        layout.addWidget(self.note)
        layout.addStretch(1)
        bottom = QHBoxLayout()
        refresh = touch_button("更新", "refreshButton", "secondary", self.body)
        refresh.setMaximumWidth(220)
        refresh.clicked.connect(self.refresh_link)
        bottom.addWidget(refresh)
        bottom.addWidget(TerminalIndicator(self.context.terminal, self.body))
        bottom.addStretch(1)
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.setMaximumWidth(220)
        back.clicked.connect(lambda: self.navigator.go("CheckoutScreen", cart=self.cart))
        bottom.addWidget(back)
        layout.addLayout(bottom)
        self.cart = None

    def enter(self, cart=None, **kwargs) -> None:
        self.cart = cart
        contracted = set(self.context.settings.terminal_methods)
        profile = terminal_profile(self.context.terminal.profile)
        for method, button in self.method_buttons.items():
            button.setText(profile.request_label(method))  # 「USEN PAY クレジット」
            button.setEnabled(method in contracted)

    def pick(self, method: str) -> None:
        self.navigator.go("CheckoutScreen", cart=self.cart, terminal_method=method)

    def refresh_link(self) -> None:
        """「更新」: connect when the register could not at 開局 (seed 000 1-3)."""
        def done(result):
            if result.connected:
                self.show_message("決済端末に接続しました。", done=True)
            else:
                show_login_problem(self, result, self.refresh_link, self.context.terminal)

        if not self.context.terminal.connect_terminal(done):
            self.show_message("決済端末が設定されていません。")
