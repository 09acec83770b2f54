"""ProcessingScreen 「決済処理中」 and RefundProcessingScreen 「払戻中」 (R-PAY 4–5, R-CT, R-DISC).

The wait happens on the bridge thread; this screen only reacts to ``PaymentAttempt``
signals, so the UI stays responsive. 「▲ 切断する」 (``disconnectButton``) aborts and asks
the terminal what happened; on the CT-6100 it first asks the cashier to return the
terminal to its home screen (``DisconnectConfirmDialog``).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.core.money import format_yen
from app.core.payment_state import PaymentState
from app.core.terminal.errors import ErrorCondition
from app.core.terminal.profiles import terminal_profile
from app.ui.payment_flow import PaymentAttempt
from app.ui.screens.base import Screen
from app.ui.terminal_request import tender_for
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import MessageDialog
from app.ui.widgets.terminal_art import TerminalArt

UNKNOWN_TEXT = ("決済端末から結果を確認できませんでした。この取引は「要確認」として記録しました。\n"
                "決済端末の取引履歴を確認してください。「再確認」で決済端末にもう一度問い合わせます。")


class ProcessingScreenBase(Screen):
    waiting_text = ""

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(60, 30, 60, 30)
        row.setSpacing(40)
        row.addWidget(TerminalArt(self.body), 2)
        column = QVBoxLayout()
        column.setSpacing(18)
        heading = QLabel(self.waiting_text, self.body)
        heading.setObjectName("waitingLabel")
        heading.setProperty("role", "title")
        heading.setWordWrap(True)
        column.addWidget(heading)
        self.method_label = QLabel("", self.body)
        self.method_label.setObjectName("methodLabel")
        self.method_label.setProperty("role", "big")
        self.amount_label = QLabel("", self.body)
        self.amount_label.setObjectName("amountLabel")
        self.amount_label.setProperty("role", "big")
        self.prompt_label = QLabel("", self.body)
        self.prompt_label.setObjectName("terminalPromptLabel")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setStyleSheet("font-size: 22px; color: #1f6feb;")
        for widget in (self.method_label, self.amount_label, self.prompt_label):
            column.addWidget(widget)
        column.addStretch(1)
        self.disconnect_button = touch_button("▲ 切断する", "disconnectButton", "danger", self.body, height=64,
                                              style="font-size: 22px; padding: 0 28px;")
        self.disconnect_button.clicked.connect(self.ask_disconnect)
        column.addWidget(self.disconnect_button, 0, Qt.AlignRight)
        note = QLabel("※ 切断した場合、決済端末でのキャンセル操作が必要になることがあります。", self.body)
        note.setProperty("role", "info")
        column.addWidget(note)
        row.addLayout(column, 3)
        self.attempt: PaymentAttempt | None = None

    def enter(self, request=None, **kwargs) -> None:
        self.request = request
        self.method_label.setText(request.label)
        self.amount_label.setText(format_yen(request.amount_yen))
        self.prompt_label.setText("決済端末で操作してください。")
        self.disconnect_button.setEnabled(True)
        attempt = PaymentAttempt(self.context, amount_yen=request.amount_yen, method=request.method,
                                 refund_of=request.refund_of, request_cart=request.cart,
                                 authorized_by_id=request.authorized_by_id)
        attempt.prompt.connect(self.prompt_label.setText)
        attempt.finished.connect(self.on_finished)
        attempt.changed.connect(self.context_late_change)
        self.attempt = attempt
        try:
            attempt.start()
        except RegiError as error:
            request.go_back(self.navigator)
            self.navigator.current_screen.show_message(error.message)

    def ask_disconnect(self) -> None:
        profile = terminal_profile(self.context.terminal.profile)
        if profile.disconnect_needs_home_screen:
            dialog = MessageDialog(self, "DisconnectConfirmDialog", "切断の確認", profile.home_screen_prompt,
                                   [("cancelButton", "キャンセル", "secondary"), ("okButton", "OK", "primary")])
            dialog.chosen.connect(lambda choice: self.hang_up() if choice == "okButton" else None)
            dialog.open()
        else:
            self.hang_up()

    def hang_up(self) -> None:
        self.disconnect_button.setEnabled(False)
        self.prompt_label.setText("決済端末に取引の結果を確認しています…")
        self.attempt.hang_up()

    # --- outcomes ----------------------------------------------------------
    def on_finished(self, row) -> None:
        if self.navigator.current_screen is not self or self.attempt is None or row.id != self.attempt.row.id:
            return
        state = PaymentState(row.state)
        if state is PaymentState.APPROVED:
            self.approved(row)
        elif state is PaymentState.UNKNOWN:
            dialog = MessageDialog(self, "ErrorDialog", "決済結果の確認", UNKNOWN_TEXT,
                                   [("closeButton", "閉じる", "secondary"), ("recheckButton", "再確認", "primary")])
            dialog.chosen.connect(lambda choice: self.recheck() if choice == "recheckButton" else self.back_to_checkout())
            dialog.open()
        elif (row.error_condition in (ErrorCondition.CANCEL, ErrorCondition.ABORTED) or self.attempt.disconnected
              or row.error_condition is None):
            if self.attempt.disconnected:
                text = "切断しました。この取引は決済されていません。"
            elif row.error_condition is None:  # settled by a status query: the terminal never charged it
                text = "決済端末に確認しました。この取引は決済されていません。もう一度お支払いください。"
            else:
                text = "決済はキャンセルされました。"
            dialog = MessageDialog(self, "CancelMessageDialog", "キャンセル", text, [("closeButton", "閉じる", "primary")])
            dialog.chosen.connect(lambda _c: self.back_to_checkout())
            dialog.open()
        else:
            busy = row.error_condition == ErrorCondition.BUSY
            title = "処理中エラー" if busy else "決済エラー"
            message = row.error_message or "決済できませんでした。"
            text = f"[{row.error_code}] {message}" if row.error_code else message
            dialog = MessageDialog(self, "ErrorDialog", title, text, [("closeButton", "閉じる", "primary")])
            dialog.setProperty("errorCode", row.error_code)
            dialog.chosen.connect(lambda _c: self.back_to_checkout())
            dialog.open()

    def recheck(self) -> None:
        self.attempt.done = False
        self.attempt.ask_status()

    def back_to_checkout(self) -> None:
        self.request.go_back(self.navigator)

    def context_late_change(self, row) -> None:
        """A 要確認 settled later (the original request's late answer, or a 再確認)."""
        if self.navigator.current_screen is self and self.attempt is not None and row.id == self.attempt.row.id:
            for dialog in self.findChildren(MessageDialog):
                dialog.close()
            self.on_finished(row)
        elif self.request.cart is not None:
            self.navigator.screen("CheckoutScreen").late_terminal_result(row, self.request)

    def approved(self, row) -> None:
        raise NotImplementedError


class ProcessingScreen(ProcessingScreenBase):
    title = "決済処理中"
    waiting_text = "決済端末で決済を行ってください"

    def approved(self, row) -> None:
        self.request.cart.add_payment(tender_for(row))
        self.navigator.go("PaymentDoneScreen", request=self.request, row=row)


class RefundProcessingScreen(ProcessingScreenBase):
    title = "払戻中"
    waiting_text = "決済端末で支払取消を行ってください"

    def approved(self, row) -> None:
        cart = self.request.cart
        if cart is not None:  # in-checkout refund: the payment leaves 支払い欄
            index = next((i for i, p in enumerate(cart.payments) if p.reference == self.request.refund_of.transaction_id), None)
            if index is not None:
                cart.remove_payment(index)
        self.navigator.go("RefundDoneScreen", request=self.request, row=row)
