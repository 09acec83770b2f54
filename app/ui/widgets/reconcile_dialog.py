"""ReconcileDialog: the terminal requests still 要確認 (R-RECON), with 「再確認」 (ask the
terminal again) and, for a manager, 「決済済み」 / 「未決済」 after checking the terminal's
own history; the decision and its reason are recorded and audited."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from app.core.errors import RegiError
from app.core.money import format_yen
from app.ui.terminal_request import METHOD_LABELS
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import ManagerAuthDialog, message_line


class ReconcileDialog(QDialog):
    def __init__(self, parent, context):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("ReconcileDialog")
        self.setModal(True)
        self.setMinimumWidth(900)
        self.context = context
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel("要確認の決済", self)
        title.setProperty("role", "title")
        layout.addWidget(title)
        info = QLabel("決済端末の取引履歴で結果を確認してください。「再確認」で決済端末に問い合わせます。", self)
        info.setWordWrap(True)
        layout.addWidget(info)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        layout.addWidget(QLabel("理由（責任者確認のとき記録されます）", self))
        self.reason_edit = QLineEdit("決済端末の取引履歴で確認", self)
        self.reason_edit.setObjectName("reasonEdit")
        layout.addWidget(self.reason_edit)
        self.message_label = message_line(self)
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        recheck = touch_button("再確認", "recheckButton", "secondary", self)
        recheck.clicked.connect(self.recheck)
        close = touch_button("閉じる", "closeButton", "primary", self)
        close.clicked.connect(self.accept)
        buttons.addWidget(recheck)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        context.reconciler.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        rows = self.context.payments.open_requests()
        orphans = self.context.payments.without_slip(self.context.checkout_transaction_ids())
        if not rows and not orphans:
            self.grid.addWidget(QLabel("要確認の決済はありません。", self), 0, 0)
        for index, row in enumerate(orphans, start=len(rows)):
            label = QLabel(f"{row.created_at:%m/%d %H:%M}　決済済み・伝票なし　{format_yen(row.amount_yen)}　"
                           f"{row.poi_transaction_id}\n決済端末で取消（返金）してから「返金済み」にしてください。", self)
            label.setObjectName(f"withoutSlip_{row.id}")
            refunded = touch_button("返金済み", f"markRefunded_{row.id}", "secondary", self)
            refunded.clicked.connect(lambda _=False, r=row: self.mark_refunded(r))
            self.grid.addWidget(label, index, 0, 1, 2)
            self.grid.addWidget(refunded, index, 2)
        for index, row in enumerate(rows):
            kind = "払い戻し" if row.kind == "refund" else METHOD_LABELS.get(row.method or row.requested_method, "決済端末")
            text = f"{row.created_at:%m/%d %H:%M}　{kind}　{format_yen(row.amount_yen)}　{row.transaction_id}"
            label = QLabel(text, self)
            label.setObjectName(f"openRequest_{row.id}")
            paid = touch_button("決済済み", f"markDone_{row.id}", "secondary", self)
            paid.clicked.connect(lambda _=False, r=row: self.resolve(r, True))
            unpaid = touch_button("未決済", f"markNotDone_{row.id}", "secondary", self)
            unpaid.clicked.connect(lambda _=False, r=row: self.resolve(r, False))
            self.grid.addWidget(label, index, 0)
            self.grid.addWidget(paid, index, 1)
            self.grid.addWidget(unpaid, index, 2)

    def recheck(self) -> None:
        asked = self.context.reconciler.run()
        self.message_label.setText(f"{asked}件を決済端末に問い合わせました。" if asked else "問い合わせできませんでした（決済端末に接続していません）。")

    def resolve(self, row, done: bool) -> None:
        reason = self.reason_edit.text().strip()
        self._as_manager("要確認の決済の確定", lambda manager: self.context.payments.resolve_manually(
            row.id, done=done, manager_id=manager.id, reason=reason))

    def mark_refunded(self, row) -> None:
        reason = self.reason_edit.text().strip()
        self._as_manager("返金済みの記録", lambda manager: self.context.payments.mark_refunded_elsewhere(
            row.id, manager_id=manager.id, reason=reason, staff_id=self.context.staff.id))

    def _as_manager(self, what: str, action) -> None:
        """Run ``action(manager)``: at once for a manager, else after ManagerAuthDialog."""
        def apply(manager) -> None:
            try:
                action(manager)
            except RegiError as error:
                self.message_label.setText(error.message)
                return
            self.message_label.setText("記録しました。")
            self.refresh()
            self.context.reconciler.changed.emit()

        if self.context.staff_is_manager:
            apply(self.context.staff)
        else:
            dialog = ManagerAuthDialog(self, what, self.context.ledger.authorize_manager)
            dialog.authorized.connect(apply)
            dialog.open()
