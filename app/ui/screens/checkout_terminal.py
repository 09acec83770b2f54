"""The checkout's terminal payments (R-REFUND-INLINE, R-RECON), mixed into ``CheckoutScreen``:
× on a terminal payment refunds it first (never while a refund of it is still open, issue 16),
brands the terminal cannot refund are paid back in cash, and 支払い欄 follows the ledger when a
request of this checkout settles after its screen gave up on it.

Uses the screen's ``cart``, ``context``, ``navigator``, ``refresh``, ``show_message`` and ``complete``.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog

from app.core.cart import Payment
from app.core.errors import RegiError
from app.core.ledger.terminal_payments import REFUND_DONE
from app.core.money import format_yen
from app.core.payment_state import PAID_STATES, PaymentState
from app.core.refund_rules import CashRefundOnly, plan_refund
from app.ui.ops import as_manager, open_drawer
from app.ui.terminal_request import TerminalRequest, tender_for
from app.ui.widgets.dialogs import MessageDialog
from app.ui.widgets.reconcile_dialog import ReconcileDialog


class TerminalPaymentsInCart:
    def refund_terminal_payment(self, payment: Payment) -> None:
        """× on a terminal payment of 支払い欄: to RefundConfirmScreen, or the cash refund offer."""
        row = self.context.payments.by_transaction_id(payment.reference)
        if self.context.payments.open_refund_of(row.id) is not None:  # issue 16: never refund twice
            self.show_message("この支払いの払い戻しを決済端末に確認中です（要確認）。結果が分かるまで取り消せません。")
            self.context.coordinator.recheck()
            ReconcileDialog(self, self.context).open()
            return
        try:
            plan_refund(row, self.context.ledger.clock.now())
        except CashRefundOnly as refusal:  # WAON, nanaco…: nothing is sent, as in 決済履歴
            self.offer_cash_refund(row, refusal.message)
            return
        except RegiError:
            pass  # the terminal's answer says why
        self.navigator.go("RefundConfirmScreen", request=TerminalRequest(self.cart, row.amount_yen, row.method,
                                                                           refund_of=row))

    def offer_cash_refund(self, row, why: str) -> None:
        """「現金で返金してください」 (``CashRefundDialog``) and, on 「現金で返金を記録」 (a manager's
        password for a cashier), the recorded cash refund: the payment leaves 支払い欄."""
        dialog = MessageDialog(self, "CashRefundDialog", "現金で返金してください",
                               f"{why}\n現金 {format_yen(row.amount_yen)} をお客様にお返しし、記録します（ドロアが開きます）。",
                               [("closeButton", "閉じる", "secondary"), ("cashRefundButton", "現金で返金を記録", "primary")])
        dialog.setMinimumWidth(720)
        dialog.message_label.setMinimumHeight(96)
        dialog.chosen.connect(lambda choice: as_manager(
            self, self.context, "現金で返金", lambda manager: self.record_cash_refund(row, manager))
            if choice == "cashRefundButton" else None)
        dialog.open()

    def record_cash_refund(self, row, manager) -> None:
        reason = f"現金で返金（{row.brand or '電子マネー'}は決済端末で取消できません）"
        try:
            self.context.payments.mark_refunded_elsewhere(row.id, manager_id=manager.id, reason=reason,
                                                          cash_refund_yen=row.amount_yen, staff_id=self.context.staff.id)
        except RegiError as refusal:
            self.show_message(refusal.message)
            return
        index = self.cart.payment_index(row.transaction_id)
        if index is not None:
            self.cart.remove_payment(index)
        self.refresh()
        self.show_message(f"現金 {format_yen(row.amount_yen)} をお客様にお返しください。")
        open_drawer(self, self.context)

    def sync_terminal(self, row) -> str | None:
        """Make 支払い欄 agree with the ledger for one request of this checkout (idempotent):
        a payment the terminal (or a manager) settled as paid joins it, a payment whose
        refund went through leaves it. Returns "added" / "removed" / None."""
        if row.checkout_key != self.cart.key:
            return None
        if row.kind == "payment" and PaymentState(row.state) in PAID_STATES:
            if self.cart.payment_index(row.transaction_id) is None:
                self.cart.add_payment(tender_for(row))
                return "added"
        elif row.kind == "refund" and PaymentState(row.state) in REFUND_DONE:
            original = self.context.payments.get(row.refund_of_id)
            index = self.cart.payment_index(original.transaction_id)
            if index is not None:
                self.cart.remove_payment(index)
                return "removed"
        return None

    def on_payment_update(self, update) -> None:
        """A request of this checkout settled after its screen gave up on it (R-RECON)."""
        row = update.row
        try:
            change = self.sync_terminal(row)
        except RegiError as error:  # e.g. more than the rest: shown, the row stays for a manager
            self.show_message(error.message)
            return
        if change is None:
            return
        self.refresh()
        if change == "removed":
            self.show_message("要確認だった払い戻しが完了していました。", done=True)
            return
        self.show_message(f"要確認だった決済（{row.poi_transaction_id or row.transaction_id}）が完了していました。支払い欄に追加しました。", done=True)
        if self.cart.is_settled and self.navigator.current_screen is self:
            for dialog in self.findChildren(QDialog):
                dialog.close()
            self.complete()

