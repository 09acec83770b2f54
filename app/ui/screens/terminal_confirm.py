"""PaymentConfirmScreen 「決済情報確認」 and RefundConfirmScreen 「払い戻し確認」: method and
amount, 「決済端末連携」 (``terminalLinkButton``) sends it, 「戻る」 returns to the checkout."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.money import format_yen
from app.core.terminal.profiles import terminal_profile
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.value_grid import value_grid


class TerminalConfirmScreen(Screen):
    heading = ""
    next_screen = ""
    amount_caption = "決済金額"  # as the manual's 決済情報確認 screen

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(120, 40, 120, 30)
        layout.setSpacing(24)
        heading = QLabel(self.heading, self.body)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        grid, labels = value_grid(self.body, (("method", "決済手段"), ("amount", self.amount_caption)))
        self.method_label, self.amount_label = labels["method"][1], labels["amount"][1]
        self.reference_label = QLabel("", self.body)
        self.reference_label.setObjectName("referenceLabel")
        self.reference_label.setProperty("role", "info")
        grid.addWidget(self.reference_label, 2, 0, 1, 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(lambda: self.request.go_back(self.navigator))
        send = touch_button("決済端末連携", "terminalLinkButton", "primary", self.body, size="tall")
        send.clicked.connect(lambda: self.navigator.go(self.next_screen, request=self.request))
        buttons.addWidget(back, 1)
        buttons.addWidget(send, 2)
        layout.addLayout(buttons)
        self.request = None

    def enter(self, request=None, **kwargs) -> None:
        self.request = request
        self.method_label.setText(request.label)
        self.amount_label.setText(format_yen(request.amount_yen))
        self.reference_label.setText(self.reference_text(request))

    def reference_text(self, request) -> str:
        return ""


class PaymentConfirmScreen(TerminalConfirmScreen):
    title = "決済情報確認"
    heading = "決済手段と金額を確認してください"
    next_screen = "ProcessingScreen"


class RefundConfirmScreen(TerminalConfirmScreen):
    title = "払い戻し確認"
    heading = "払い戻しを行う決済手段と金額を確認してください"
    next_screen = "RefundProcessingScreen"
    amount_caption = "払戻金額"

    def reference_text(self, request) -> str:
        row = request.refund_of
        kind = f"取引内容：{request.wording}　"
        profile = terminal_profile(row.profile)
        number = profile.reference_caption(row.method)
        if profile.order_codes:
            return f"{kind}{number}：{row.poi_transaction_id}"
        return f"{kind}決済端末で取消する{number}：{row.poi_transaction_id}"
