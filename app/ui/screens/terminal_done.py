"""PaymentDoneScreen 「支払完了」 and RefundDoneScreen 「払戻完了」: 「控え印刷」 (``printSlipButton``,
not for QR) and 「OK」 (``okButton``). With お客様控え 「自動」 the slips print on arrival.
Every print after the first of the same payment carries (再) (R-SLIP)."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.money import format_yen
from app.core.printing.terminal_slip import terminal_slip_copies
from app.core.terminal.profiles import terminal_profile
from app.core.terminal_slip_data import slip_data_for
from app.ui.screens.base import Screen
from app.ui.terminal_request import tender_label
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import show_error
from app.ui.widgets.value_grid import value_grid


class TerminalDoneScreen(Screen):
    heading = ""
    amount_caption = "決済金額"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(120, 40, 120, 30)
        layout.setSpacing(20)
        heading = QLabel(self.heading, self.body)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        grid, self.values = value_grid(self.body, (("method", "決済手段"), ("amount", self.amount_caption), ("reference", "受注コード")))
        layout.addLayout(grid)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        self.print_button = touch_button("控え印刷", "printSlipButton", "secondary", self.body, size="tall")
        self.print_button.clicked.connect(self.print_slips)
        ok = touch_button("OK", "okButton", "primary", self.body, size="tall")
        ok.clicked.connect(self.ok)
        buttons.addWidget(self.print_button, 1)
        buttons.addWidget(ok, 2)
        layout.addLayout(buttons)

    def enter(self, request=None, row=None, **kwargs) -> None:
        self.request, self.row = request, row
        self.values["method"][1].setText(tender_label(row) if row.method else request.label)
        self.values["amount"][1].setText(format_yen(row.amount_yen))
        profile = terminal_profile(row.profile)
        self.values["reference"][0].setText(profile.reference_caption(row.method))
        self.values["reference"][1].setText(row.poi_transaction_id or "—")
        has_slip = self.slip_data(reprint=False) is not None and profile.register_prints_slips
        self.print_button.setVisible(has_slip)  # QR has no slip; the CT-6100 prints its own
        if has_slip and self.context.settings.customer_slip_auto:
            self.print_slips()

    def slip_data(self, reprint: bool):
        original = self.request.refund_of if self.request else None
        data = slip_data_for(self.row, self.context.settings, original=original, reprint=reprint)
        if data is not None and original is not None and self.request.wording in ("取消", "返品"):
            data = replace(data, refund_wording=self.request.wording)
        return data

    def print_slips(self) -> None:
        """Both copies; (再) once an earlier print of this payment was sent whole — a print
        counts only when both copies went out, so the retry of a failed first print is no (再)."""
        printed_before = self.context.payments.get(self.row.id).slip_prints
        data = self.slip_data(reprint=printed_before > 0)
        documents = terminal_slip_copies(data, self.context.printer.columns)

        def send():
            for document in documents:
                self.context.printer.print_document(document)

        def printed(_result):
            self.context.payments.mark_printed(self.row.id)
            self.show_message("控えを印刷しました。", done=True)

        self.context.run_device(send, on_done=printed,
                                on_error=lambda error: show_error(self, getattr(error, "message", str(error)),
                                                                  title="印刷できませんでした", retry_label="再試行",
                                                                  on_retry=self.print_slips))

    def ok(self) -> None:
        raise NotImplementedError


class PaymentDoneScreen(TerminalDoneScreen):
    title = "支払完了"
    heading = "決済が完了しました"

    def ok(self) -> None:
        """残額 0 → the slip is committed (CheckoutDoneScreen); else back to pay the rest in 現金."""
        self.navigator.go("CheckoutScreen", cart=self.request.cart)


class RefundDoneScreen(TerminalDoneScreen):
    title = "払戻完了"
    heading = "払い戻しが完了しました"
    amount_caption = "払戻金額"

    def ok(self) -> None:
        self.request.go_back(self.navigator)
