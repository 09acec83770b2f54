"""ProcessingScreen 「決済処理中」 and RefundProcessingScreen 「払戻中」 (R-PAY 4–5, R-CT, R-DISC).

The payment coordinator (app/core/payments) sends and records; this screen only reacts
to its updates (``context.payment_updates``), so the UI stays responsive and keeps no
payment state of its own. 「▲ 切断する」 (``disconnectButton``) aborts and asks
the terminal what happened; on the CT-6100 it first asks the cashier to return the
terminal to its home screen (``DisconnectConfirmDialog``).

Captions as the manual's 決済処理中 screen: 決済手段 (``methodLabel``), 決済金額 (``amountLabel``);
the terminal's prompt (``terminalPromptLabel``) changes with every screen of the terminal. An OS
update pending on the terminal (seed 003: announced with each payment until its deadline) is its
own line (``osUpdateLabel``) for the whole payment: the next prompt would replace it at once.
"""
from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.core.money import format_yen
from app.core.payment_state import OPEN_STATES, PaymentState
from app.core.payments.coordinator import WHY_TEXT
from app.core.terminal.errors import ErrorCondition
from app.core.terminal.events import EventKind, TerminalEvent
from app.core.terminal.profiles import terminal_profile
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import MessageDialog
from app.ui.widgets.terminal_art import TerminalArt
from app.ui.widgets.value_grid import value_grid

UNKNOWN_TEXT = ("決済端末から結果を確認できませんでした。この取引は「要確認」として記録しました。\n"
                "決済端末の取引履歴を確認してください。「再確認」で決済端末にもう一度問い合わせます。")


def os_update_text(deadline: str | None, zone) -> str:
    """The OS-update line: the deadline (ISO 8601 with offset) in the shop's ``zone``, and what it means."""
    when = ""
    if deadline:
        try:
            when = f"{datetime.fromisoformat(deadline).astimezone(zone):%Y/%m/%d %H:%M}"
        except ValueError:
            when = deadline
    until = f"{when} までは更新せずに決済できますが、" if when else ""
    return (f"決済端末のOS更新があります。{until}期限を過ぎると更新が終わるまで決済できません。"
            "開店前・閉店後に更新してください。")


class ProcessingScreenBase(Screen):
    waiting_text = ""
    amount_caption = "決済金額"

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
        grid, labels = value_grid(self.body, (("method", "決済手段"), ("amount", self.amount_caption)))
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(32)
        self.method_label, self.amount_label = labels["method"][1], labels["amount"][1]
        column.addLayout(grid)
        self.prompt_label = QLabel("", self.body)
        self.prompt_label.setObjectName("terminalPromptLabel")
        self.prompt_label.setProperty("role", "prompt")
        self.prompt_label.setWordWrap(True)
        column.addWidget(self.prompt_label)
        self.os_update_label = QLabel("", self.body)
        self.os_update_label.setObjectName("osUpdateLabel")
        self.os_update_label.setProperty("role", "notice")
        self.os_update_label.setWordWrap(True)
        self.os_update_label.hide()
        column.addWidget(self.os_update_label)
        column.addStretch(1)
        # The ※ note explains the button: side by side, as in the manual.
        bottom = QHBoxLayout()
        bottom.setSpacing(20)
        note = QLabel("※ 接続が不安定なときなどに決済を中断します。"
                      "切断した場合、決済端末でのキャンセル操作が必要になることがあります。", self.body)
        note.setObjectName("disconnectNote")
        note.setProperty("role", "info")
        note.setWordWrap(True)
        bottom.addWidget(note, 1)
        self.disconnect_button = touch_button("▲ 切断する", "disconnectButton", "danger", self.body)
        self.disconnect_button.clicked.connect(self.ask_disconnect)
        bottom.addWidget(self.disconnect_button, 0)
        column.addLayout(bottom)
        row.addLayout(column, 3)
        self.row = None  # the request this screen shows (its state lives in the ledger)
        self.hung_up = False  # this screen's 「切断する」 was tapped (wording only)
        self.context.payment_updates.updated.connect(self.on_update)
        self.context.terminal.event_received.connect(self.on_event)

    def enter(self, request=None, **kwargs) -> None:
        self.request = request
        self.row = None
        self.hung_up = False
        self.method_label.setText(request.label if request.method else "決済端末で選択")  # CT-6100: the clerk picks there
        self.amount_label.setText(format_yen(request.amount_yen))
        self.prompt_label.setText("決済端末で操作してください。")
        self.os_update_label.hide()
        self.disconnect_button.setEnabled(True)
        coordinator = self.context.coordinator
        key = request.cart.key if request.cart is not None else None
        try:
            if request.refund_of is not None:
                self.row = coordinator.refund(request.refund_of, staff_id=self.context.staff.id,
                                              authorized_by_id=request.authorized_by_id, checkout_key=key)
            else:
                self.row = coordinator.pay(amount_yen=request.amount_yen, method=request.method,
                                           staff_id=self.context.staff.id, checkout_key=key)
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
        self.hung_up = True
        self.context.coordinator.hang_up(self.row.id)

    def on_event(self, event: TerminalEvent) -> None:
        """What the terminal shows, while this screen waits on it."""
        if self.navigator.current_screen is not self or self.row is None or not self.context.coordinator.busy(self.row.id):
            return
        if event.kind is EventKind.OS_UPDATE_NOTICE:
            self.os_update_label.setText(os_update_text(event.deadline, self.context.ledger.clock.zone))
            self.os_update_label.show()
        elif event.kind in (EventKind.DISPLAY, EventKind.DUPLICATE_ALERT) and event.text:
            self.prompt_label.setText(event.text)

    # --- outcomes ----------------------------------------------------------
    def on_update(self, update) -> None:
        row = update.row
        if self.navigator.current_screen is not self or self.row is None or row.id != self.row.id or update.busy:
            return
        for dialog in self.findChildren(MessageDialog):
            dialog.close()  # a 要確認 dialog settled by a later answer
        self.row = row
        state = PaymentState(row.state)
        if state is PaymentState.APPROVED:
            self.approved(row)
        elif state in OPEN_STATES:
            text = UNKNOWN_TEXT
            if update.why in WHY_TEXT:
                text = f"{UNKNOWN_TEXT}\n{WHY_TEXT[update.why]}"
            dialog = MessageDialog(self, "ErrorDialog", "決済結果の確認", text,
                                   [("closeButton", "閉じる", "secondary"), ("recheckButton", "再確認", "primary")])
            dialog.chosen.connect(lambda choice: self.recheck() if choice == "recheckButton" else self.back_to_checkout())
            dialog.open()
        elif state is not PaymentState.FAILED:
            self.back_to_checkout()  # decided elsewhere (a manager): the checkout shows it
        elif row.error_condition in (ErrorCondition.CANCEL, ErrorCondition.ABORTED) or self.hung_up or row.error_condition is None:
            if self.hung_up:
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
        if not self.context.coordinator.recheck(self.row.id):
            self.back_to_checkout()
            self.navigator.current_screen.show_message("決済端末に接続していません。接続が戻ると自動で確認します。")

    def back_to_checkout(self) -> None:
        self.request.go_back(self.navigator)

    def approved(self, row) -> None:
        raise NotImplementedError


class ProcessingScreen(ProcessingScreenBase):
    title = "決済処理中"
    waiting_text = "決済端末で決済を行ってください"

    def approved(self, row) -> None:
        self.navigator.screen("CheckoutScreen").sync_terminal(row)
        self.navigator.go("PaymentDoneScreen", request=self.request, row=row)


class RefundProcessingScreen(ProcessingScreenBase):
    title = "払戻中"
    waiting_text = "決済端末で支払取消を行ってください"
    amount_caption = "払戻金額"

    def approved(self, row) -> None:
        if self.request.cart is not None:  # in-checkout refund: the payment leaves 支払い欄
            self.navigator.screen("CheckoutScreen").sync_terminal(row)
        self.navigator.go("RefundDoneScreen", request=self.request, row=row)
