"""ReconcileDialog: the terminal requests still 要確認 (R-RECON), the 要対応 ones (the
terminal contradicted a manager, issue 9) and approved payments without a slip.

- 「再確認」 asks the terminal now (the coordinator also asks by itself);
- 「決済済み」 / 「未決済」 (manager) only when the coordinator allows a manual decision —
  the terminal answered something other than "in progress", or the link has been down a
  set time, and then the dialog says the risk; otherwise the buttons are disabled and
  the reason is shown. The terminal is still asked afterwards: a contradiction is 要対応;
- 要対応: 「返金済み」 after refunding on the terminal, or 「回収済み」 after collecting the money.
Every decision has a reason and is audited.

Each payment is named as the terminal's own history shows it (``payment_summary``): time,
method, amount and its 受注コード / 伝票番号 / 注文番号 (by the profile) — never the register's
internal TransactionID, which the cashier cannot find on the terminal. 「再確認」 is the primary."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from app.core.money import format_yen
from app.core.payment_state import PaymentState
from app.core.terminal.profiles import method_label, terminal_profile
from app.ui.keyboard import InputKind, touch_input
from app.ui.widgets.buttons import touch_button
from app.ui.ops import as_manager, ledger_write
from app.ui.widgets.dialogs import message_line

ACTION_TEXT = {
    PaymentState.DISPUTED_PAID: "「未決済」とした決済を決済端末が承認していました。決済端末で取消（返金）してから「返金済み」にしてください。",
    PaymentState.DISPUTED_UNPAID: "「決済済み」とした決済は決済端末で決済されていません。お客様から代金を回収して「回収済み」にしてください。",
}


def reference_text(row) -> str:
    """「受注コード：TSU3-0003377」 (or 伝票番号 / 注文番号, by the row's profile and method); 「未受信」
    when the terminal never answered — the time and amount then find it in the terminal's history."""
    profile = terminal_profile(row.profile)
    method = row.method or row.requested_method
    caption = profile.reference_caption(method) if method or profile.order_codes else "伝票番号・注文番号"
    return f"{caption}：{row.poi_transaction_id or '未受信'}"


def payment_summary(row) -> str:
    """What the terminal's history shows of a request: time, method, amount, reference."""
    kind = method_label(row.method or row.requested_method)
    if row.kind == "refund":
        kind = f"払い戻し（{kind}）"
    return f"{row.created_at:%m/%d %H:%M:%S}　{kind}　{format_yen(row.amount_yen)}　{reference_text(row)}"


def action_line(row) -> str:
    """One 要対応 line: amount, 受注コード and what to do (top screen and this dialog)."""
    return f"要対応　{format_yen(row.amount_yen)}　{reference_text(row)}　{ACTION_TEXT[PaymentState(row.state)]}"


class ReconcileDialog(QDialog):
    def __init__(self, parent, context):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("ReconcileDialog")
        self.setModal(True)
        self.setMinimumWidth(1000)
        self.context = context
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel("要確認の決済", self)
        title.setProperty("role", "title")
        layout.addWidget(title)
        info = QLabel("決済端末の取引履歴で、同じ日時・金額の取引の結果を確認してください。"
                      "「再確認」で決済端末に問い合わせます。", self)
        info.setWordWrap(True)
        layout.addWidget(info)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 1)  # the text takes the room; the buttons keep their words
        layout.addLayout(self.grid)
        layout.addWidget(QLabel("理由（責任者確認のとき記録されます）", self))
        self.reason_edit = QLineEdit("決済端末の取引履歴で確認", self)
        self.reason_edit.setObjectName("reasonEdit")
        touch_input(self.reason_edit, InputKind.JAPANESE)
        layout.addWidget(self.reason_edit)
        self.message_label = message_line(self)
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        close = touch_button("閉じる", "closeButton", "secondary", self)
        close.clicked.connect(self.accept)
        recheck = touch_button("再確認", "recheckButton", "primary", self)
        recheck.clicked.connect(self.recheck)
        buttons.addWidget(close, 1)
        buttons.addWidget(recheck, 2)
        layout.addLayout(buttons)
        # A bound slot, not a lambda: Qt disconnects it when this one-shot dialog is deleted.
        context.payment_updates.updated.connect(self._on_payment_update)
        self.refresh()

    def _on_payment_update(self, _update) -> None:
        self.refresh()

    def refresh(self) -> None:
        payments = self.context.payments
        rows = payments.open_requests()
        disputed = payments.needing_action()
        orphans = payments.without_slip(self.context.checkout_transaction_ids())
        verdicts = {row.id: self.context.coordinator.manual_resolution(row) for row in rows}
        shown = ([(r.id, r.state) for r in disputed + orphans + rows], [(v.allowed, v.text) for v in verdicts.values()])
        if shown == getattr(self, "_shown", None):
            return  # nothing changed (the coordinator re-asks every few seconds): no flicker
        self._shown = shown
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        if not rows and not orphans and not disputed:
            self.grid.addWidget(QLabel("要確認の決済はありません。", self), 0, 0)
        line = 0
        for row in disputed:
            label = QLabel(action_line(row), self)
            label.setWordWrap(True)
            label.setObjectName(f"needsAction_{row.id}")
            if PaymentState(row.state) is PaymentState.DISPUTED_PAID:
                button = touch_button("返金済み", f"markRefunded_{row.id}", "danger", self)
                button.clicked.connect(lambda _=False, r=row: self.mark_refunded(r))
            else:
                button = touch_button("回収済み", f"markCollected_{row.id}", "danger", self)
                button.clicked.connect(lambda _=False, r=row: self.mark_collected(r))
            self._place(label, line, 0, 1, 2)
            self._place(button, line, 2)
            line += 1
        for row in orphans:
            label = QLabel(f"決済済み・伝票なし　{payment_summary(row)}\n"
                           "決済端末で取消（返金）してから「返金済み」にしてください。", self)
            label.setWordWrap(True)
            label.setObjectName(f"withoutSlip_{row.id}")
            refunded = touch_button("返金済み", f"markRefunded_{row.id}", "secondary", self)
            refunded.clicked.connect(lambda _=False, r=row: self.mark_refunded(r))
            self._place(label, line, 0, 1, 2)
            self._place(refunded, line, 2)
            line += 1
        for row in rows:
            verdict = verdicts[row.id]
            text = f"{payment_summary(row)}\n{verdict.text}"
            label = QLabel(text, self)
            label.setWordWrap(True)
            label.setObjectName(f"openRequest_{row.id}")
            paid = touch_button("決済済み", f"markDone_{row.id}", "secondary", self)
            paid.clicked.connect(lambda _=False, r=row: self.resolve(r, True))
            unpaid = touch_button("未決済", f"markNotDone_{row.id}", "secondary", self)
            unpaid.clicked.connect(lambda _=False, r=row: self.resolve(r, False))
            for button in (paid, unpaid):
                button.setEnabled(verdict.allowed)
            self._place(label, line, 0)
            self._place(paid, line, 1)
            self._place(unpaid, line, 2)
            line += 1

    def _place(self, widget, *where) -> None:
        if isinstance(widget, QPushButton):
            widget.setMinimumWidth(160)
        self.grid.addWidget(widget, *where)

    def recheck(self) -> None:
        asked = self.context.coordinator.recheck()
        self.message_label.setText("決済端末に問い合わせました。" if asked else "問い合わせできませんでした（決済端末に接続していません）。")

    def resolve(self, row, done: bool) -> None:
        reason = self.reason_edit.text().strip()
        self._as_manager("要確認の決済の確定", lambda manager: self.context.coordinator.resolve_manually(
            row.id, done=done, manager_id=manager.id, reason=reason))

    def mark_refunded(self, row) -> None:
        reason = self.reason_edit.text().strip()
        self._as_manager("返金済みの記録", lambda manager: self.context.payments.mark_refunded_elsewhere(
            row.id, manager_id=manager.id, reason=reason, staff_id=self.context.staff.id))

    def mark_collected(self, row) -> None:
        reason = self.reason_edit.text().strip()
        self._as_manager("回収済みの記録", lambda manager: self.context.payments.record_collected(
            row.id, manager_id=manager.id, reason=reason))

    def _as_manager(self, what: str, action) -> None:
        """Run the ledger write ``action(manager)`` as a manager (``ops.as_manager``), then refresh."""
        def apply(manager) -> None:
            with ledger_write(self.message_label.setText) as write:
                action(manager)
            if write.refused:
                return
            self.message_label.setText("記録しました。")
            self.refresh()
            self.context.coordinator.recheck()  # the others refresh on its updates

        as_manager(self, self.context, what, apply)
