"""PaymentHistoryScreen 「決済履歴」 (R-HIST, R-STATUS, R-SLIP, R-CT; seed 000 4-1…4-5).

``enter(slip_id, tender_id=None, after_refund=False)``: the slip's terminal payments, one tappable
row each (``payment_<i>``) in columns under captions: 日時 (``paymentTime_<i>``), 決済手段
(``paymentMethod_<i>``: method, brand, card), 金額 (``paymentAmount_<i>``), the terminal's reference
as its history names it — 受注コード / 伝票番号 / 注文番号 by the profile (``paymentReference_<i>``) —
and 状態, a badge that is not a button (``paymentStatus_<i>``: 決済完了 / 返金済み / 要確認; only
what needs someone is red). The row of ``tender_id`` (the tender tapped on the slip) is selected.
Tapping a row opens ``OperationChoiceDialog``:

- 「取消」: a manager action (a cashier gets ``ManagerAuthDialog``). ``plan_refund`` decides:
  a refusal is shown on ``messageLabel`` and nothing changes; an e-money brand the terminal
  cannot refund gets ``CashRefundDialog`` (「現金で返金してください」, 「現金で返金を記録」 →
  a recorded cash refund, the drawer opens); otherwise ``RefundConfirmScreen`` with the
  wording 取消 / 返品 / 返金 and ``return_to`` this screen with ``after_refund``.
- 「再印刷」: both copies of the stored slip data marked (再) (USEN PAY); QR has no slip;
  disabled on the CT-6100 with the manual's reason.
- 「端末で返金済みにする」: a manager records a refund done on the terminal (seed 4-5), with a reason.

Once every terminal payment of a sale slip is refunded and the slip is not voided, 「伝票取消」
(``voidSlipButton``) is shown, and right after a refund ``VoidOfferDialog`` offers it at once;
both lead to SlipDetailScreen's void flow. 「戻る」 (``backButton``) returns to the slip.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import RegiError
from app.core.ledger.journal import SlipJournal
from app.core.ledger.payment_history import PaymentHistory
from app.core.ledger.slip_queries import SlipState
from app.core.money import format_yen
from app.core.payment_state import PaymentState
from app.core.printing.terminal_slip import terminal_slip_copies
from app.core.refund_rules import CashRefundOnly, plan_refund
from app.core.terminal.profiles import terminal_profile
from app.core.terminal_slip_data import slip_data_for
from app.ui.screens.base import Screen
from app.ui.screens.slip_detail import terminal_button_label
from app.ui.terminal_request import TerminalRequest, tender_label
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.touch_list import touch_list
from app.ui.ops import as_manager, ledger_write, open_drawer
from app.ui.widgets.dialogs import MessageDialog, show_error
from app.ui.widgets.discard import clear_layout
from app.ui.widgets.operation_choice import OperationChoiceDialog
from app.ui.widgets.void_reason import VoidReasonDialog

MARK_REASONS = ("決済端末で取消済み", "USEN PAY管理画面で取消済み", "連携エラーのため端末で取消", "その他")
# Fixed column widths (px), shared by the captions and every row; 決済手段 takes the rest.
COLUMNS = (("time", "日時", 230), ("method", "決済手段", 0), ("amount", "金額", 130), ("reference", "", 250),
           ("status", "状態", 170))


def reference_caption(row) -> str:
    return terminal_profile(row.profile).reference_caption(row.method)


class PaymentHistoryScreen(Screen):
    title = "決済履歴"

    def __init__(self, *args):
        super().__init__(*args)
        self.history = PaymentHistory(self.context.ledger)
        self.journal = SlipJournal(self.context.ledger)
        self.slip_id: int | None = None
        self.tender_id: int | None = None
        self.selected_reference: str | None = None  # the TransactionID of the tender tapped on the slip
        self.rows = []
        self.detail = None
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(16, 12, 16, 6)
        layout.setSpacing(10)
        self.heading = QLabel("", self.body)
        self.heading.setObjectName("historyHeading")
        self.heading.setProperty("role", "title")
        layout.addWidget(self.heading)
        hint = QLabel("取消・再印刷を行う決済をタップしてください。", self.body)
        hint.setProperty("role", "info")
        layout.addWidget(hint)
        captions = QWidget(self.body)
        self.captions = {}
        caption_line = self._columns(captions)
        for key, caption, _width in COLUMNS:
            label = self._cell(captions, caption_line, key, f"historyCaption_{key}", caption)
            label.setProperty("role", "caption")
            self.captions[key] = label
        layout.addWidget(captions)
        scroll, self.list = touch_list(self.body, spacing=8)
        self.list_widget = scroll.widget()
        layout.addWidget(scroll, 1)
        self.note_label = QLabel("", self.body)
        self.note_label.setObjectName("historyNoteLabel")
        self.note_label.setProperty("role", "info")
        self.note_label.setWordWrap(True)
        layout.addWidget(self.note_label)
        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(self.back)
        self.void_button = touch_button("伝票取消", "voidSlipButton", "primary", self.body)
        self.void_button.clicked.connect(self.go_void)
        buttons.addWidget(back, 1)
        buttons.addWidget(self.void_button, 2)
        layout.addLayout(buttons)
        self.context.payment_updates.updated.connect(
            lambda _update: self.load() if self.navigator.current_screen is self else None)

    # --- entering ------------------------------------------------------------------------
    def enter(self, slip_id: int, tender_id: int | None = None, after_refund: bool = False, **kwargs) -> None:
        if slip_id != self.slip_id or tender_id is not None:
            self.tender_id = tender_id  # back from a refund of this slip: the same row stays selected
        self.slip_id = slip_id
        self.load()
        if after_refund and self.void_offered():
            dialog = MessageDialog(self, "VoidOfferDialog", "伝票取消",
                                   "決済の取消が完了しました。\n伝票取消を行わないと、レジ側では支払が取消されません。\n"
                                   "続けて伝票取消を行いますか？",
                                   [("laterButton", "あとで", "secondary"), ("voidSlipButton", "伝票取消", "primary")])
            dialog.setMinimumWidth(720)
            dialog.message_label.setMinimumHeight(96)
            dialog.chosen.connect(lambda choice: self.go_void() if choice == "voidSlipButton" else None)
            dialog.open()

    def load(self) -> None:
        self.detail = self.journal.detail(self.slip_id)
        self.rows = self.history.slip_payments(self.slip_id)
        label = terminal_button_label(self.context.settings.terminal_profile)
        number = f"　伝票番号 {self.detail.slip.slip_number:06d}" if self.detail else ""
        self.heading.setText(f"{label}決済履歴{number}")
        tender = next((t for t in self.detail.slip.tenders if t.id == self.tender_id), None) if self.detail else None
        self.selected_reference = tender.reference if tender is not None else None
        # As the terminal's own history names it: 受注コード, or 伝票番号 / 注文番号 (CT-6100 QR).
        captions = dict.fromkeys(reference_caption(row) for row in self.rows)
        self.captions["reference"].setText("・".join(captions) or terminal_profile(
            self.context.settings.terminal_profile).reference_caption())
        clear_layout(self.list, keep_last=1)
        for index, row in enumerate(self.rows):
            self.list.insertWidget(index, self._row_widget(index, row))
        if not self.rows:
            self.note_label.setText("この伝票の決済端末の支払いが見つかりません。")
        elif self.void_offered():
            self.note_label.setText("すべての決済が返金済みです。「伝票取消」で伝票を取消してください"
                                    "（伝票取消を行わないと、レジ側では支払が取消されません）。")
        elif self.detail and self.detail.relations.state is not SlipState.NORMAL:
            self.note_label.setText("この伝票は取消済みです。")
        else:
            self.note_label.setText("")
        self.void_button.setVisible(self.void_offered())

    @staticmethod
    def _columns(holder: QWidget) -> QHBoxLayout:
        line = QHBoxLayout(holder)
        line.setContentsMargins(16, 4, 16, 4)
        line.setSpacing(28)
        return line

    @staticmethod
    def _cell(holder: QWidget, line: QHBoxLayout, key: str, name: str, text: str) -> QLabel:
        """One column's label. 状態 sits in a box of the column's width, so its badge hugs its words."""
        width = next(w for k, _c, w in COLUMNS if k == key)
        box = holder
        if key == "status":
            box = QWidget(holder)
            box.setAttribute(Qt.WA_TransparentForMouseEvents)
            box.setFixedWidth(width)
            inner = QHBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            line.addWidget(box)
        label = QLabel(text, box)
        label.setObjectName(name)
        label.setAttribute(Qt.WA_TransparentForMouseEvents)  # a tap on a cell is a tap on its row
        if key == "status":
            inner.addWidget(label, 0, Qt.AlignLeft | Qt.AlignVCenter)
            inner.addStretch(1)
            return label
        if key == "amount":
            label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        if width:
            label.setFixedWidth(width)
        line.addWidget(label, 0 if width else 1)
        return label

    def _row_widget(self, index: int, row) -> QPushButton:
        button = QPushButton(self.list_widget)
        button.setObjectName(f"payment_{index}")
        button.setProperty("role", "listRow")
        button.setProperty("selected", row.transaction_id == self.selected_reference)
        button.setFocusPolicy(Qt.NoFocus)
        button.clicked.connect(lambda _=False, i=index: self.choose(i))
        line = self._columns(button)
        card = f"　****{row.card_last4}" if row.card_last4 else ""
        checking = self.context.payments.open_refund_of(row.id) is not None
        state = PaymentState(row.state)
        cells = {"time": f"{row.created_at:%Y/%m/%d %H:%M:%S}", "method": f"{tender_label(row)}{card}",
                 "amount": format_yen(row.amount_yen), "reference": row.poi_transaction_id or "—",
                 "status": "払い戻し確認中" if checking else state.label}
        names = {"time": "paymentTime", "method": "paymentMethod", "amount": "paymentAmount",
                 "reference": "paymentReference", "status": "paymentStatus"}
        for key, _caption, _width in COLUMNS:
            label = self._cell(button, line, key, f"{names[key]}_{index}", cells[key])
            if key == "status":
                label.setProperty("badge", "alert" if checking or state not in (PaymentState.APPROVED, PaymentState.REFUNDED)
                                  else "neutral")
        return button
    def void_offered(self) -> bool:
        """Every terminal payment refunded, the sale slip not voided: 伝票取消 is due."""
        detail = self.detail
        return bool(detail and self.rows and detail.slip.kind == "sale" and detail.relations.state is SlipState.NORMAL
                    and detail.void_refusal is None
                    and all(PaymentState(r.state) is PaymentState.REFUNDED for r in self.rows))

    # --- navigation ----------------------------------------------------------------------
    def _slip_detail_back(self) -> dict:
        detail_screen = self.navigator.screens.get("SlipDetailScreen")
        if detail_screen is None or detail_screen.back_to == self.objectName():
            return {}
        return {"back_to": detail_screen.back_to, "back_kwargs": detail_screen.back_kwargs}

    def back(self) -> None:
        self.navigator.go("SlipDetailScreen", slip_id=self.slip_id, **self._slip_detail_back())

    def go_void(self) -> None:
        """The existing 伝票取消 flow of SlipDetailScreen (manager, reason, reversing slip)."""
        screen = self.navigator.go("SlipDetailScreen", slip_id=self.slip_id, **self._slip_detail_back())
        screen.ask_void(correction=False)

    # --- a payment -----------------------------------------------------------------------
    def choose(self, index: int) -> None:
        row = self.context.payments.get(self.rows[index].id)  # fresh: it may have moved on
        if self.context.payments.open_refund_of(row.id) is not None:
            self.refund_being_checked()
            return
        note = terminal_profile(row.profile).reprint_note
        summary = (f"{reference_caption(row)}：{row.poi_transaction_id or '—'}\n{tender_label(row)}　{format_yen(row.amount_yen)}"
                   f"　{PaymentState(row.state).label}")
        dialog = OperationChoiceDialog(self, summary, reprint_note=note)
        dialog.chosen.connect(lambda choice: self._chosen(choice, row))
        dialog.open()

    def _chosen(self, choice: str, row) -> None:
        if choice == "refundButton":
            as_manager(self, self.context, "決済の取消", lambda manager: self.refund(row, manager))
        elif choice == "reprintButton":
            self.reprint(row)
        elif choice == "markRefundedButton":
            as_manager(self, self.context, "返金済みの記録", lambda manager: self.ask_mark_reason(row, manager))

    def refund_being_checked(self) -> None:
        """Issue 16: a refund still 処理中 / 要確認 — no second refund, no void, no 返金済み; ask again."""
        dialog = MessageDialog(self, "RefundCheckingDialog", "払い戻しを確認中",
                               "この決済の払い戻しの結果を決済端末に確認中です（要確認）。\n"
                               "結果が分かるまで、もう一度取消したり返金済みにしたりはできません。",
                               [("closeButton", "閉じる", "secondary"), ("recheckButton", "再確認", "primary")])
        dialog.setMinimumWidth(720)
        dialog.chosen.connect(lambda choice: self._recheck() if choice == "recheckButton" else None)
        dialog.open()

    def _recheck(self) -> None:
        if self.context.coordinator.recheck():
            self.show_message("決済端末に問い合わせました。", done=True)
        else:
            self.show_message("決済端末に接続していません。接続が戻ると自動で確認します。")

    def refund(self, row, manager) -> None:
        row = self.context.payments.get(row.id)
        if self.context.payments.open_refund_of(row.id) is not None:
            self.refund_being_checked()
            return
        try:
            plan = plan_refund(row, self.context.ledger.clock.now())
        except CashRefundOnly as refusal:
            dialog = MessageDialog(self, "CashRefundDialog", "現金で返金してください",
                                   f"{refusal.message}\n現金 {format_yen(row.amount_yen)} をお客様にお返しし、記録します（ドロアが開きます）。",
                                   [("closeButton", "閉じる", "secondary"), ("cashRefundButton", "現金で返金を記録", "primary")])
            dialog.setMinimumWidth(720)
            dialog.message_label.setMinimumHeight(96)
            dialog.chosen.connect(lambda choice: self.record_cash_refund(row, manager) if choice == "cashRefundButton" else None)
            dialog.open()
            return
        except RegiError as refusal:
            self.show_message(refusal.message)
            return
        request = TerminalRequest(cart=None, amount_yen=row.amount_yen, method=row.method, refund_of=row,
                                  return_to=("PaymentHistoryScreen", {"slip_id": self.slip_id, "after_refund": True}),
                                  wording=plan.wording, authorized_by_id=manager.id)
        self.navigator.go("RefundConfirmScreen", request=request)

    def record_cash_refund(self, row, manager) -> None:
        reason = f"現金で返金（{row.brand or '電子マネー'}は決済端末で取消できません）"
        self._mark(row, manager, reason, cash_refund_yen=row.amount_yen)

    def ask_mark_reason(self, row, manager) -> None:
        summary = (f"{reference_caption(row)} {row.poi_transaction_id or '—'}（{format_yen(row.amount_yen)}）を、"
                   "決済端末で取消・返金済みとして記録します。")
        dialog = VoidReasonDialog(self, "端末で返金済みにする", summary, MARK_REASONS, "返金済みにする")
        dialog.chosen.connect(lambda reason: self._mark(row, manager, reason, cash_refund_yen=0))
        dialog.open()

    def _mark(self, row, manager, reason: str, *, cash_refund_yen: int) -> None:
        with ledger_write(self.show_message, refused=self.load) as write:
            self.context.payments.mark_refunded_elsewhere(row.id, manager_id=manager.id, reason=reason,
                                                          cash_refund_yen=cash_refund_yen, staff_id=self.context.staff.id)
        if write.refused:
            return
        if cash_refund_yen and self.context.settings.printer_drawer:
            open_drawer(self, self.context)
        self.enter(slip_id=self.slip_id, after_refund=True)
        done = f"現金 {format_yen(cash_refund_yen)} をお客様にお返しください。" if cash_refund_yen else "返金済みとして記録しました。"
        self.show_message(done)

    def reprint(self, row) -> None:
        note = terminal_profile(row.profile).reprint_note
        if note:
            self.show_message(note)
            return
        if row.method == "qr":
            self.show_message("QRコード決済には控えがないため、再印刷できません。")
            return
        if not row.slip_data:
            self.show_message("この決済には印刷できる控えのデータがありません。")
            return
        data = slip_data_for(row, self.context.settings, reprint=True)
        documents = terminal_slip_copies(data, self.context.printer.columns)

        def send():
            for document in documents:
                self.context.printer.print_document(document)

        def printed(_result):
            self.context.payments.mark_printed(row.id)  # counted once sent whole
            self.show_message("控えを再印刷しました。", done=True)

        self.show_message("印刷中…")
        self.context.run_device(send, on_done=printed,
                                on_error=lambda error: show_error(self, getattr(error, "message", str(error)),
                                                                  title="印刷できませんでした", retry_label="再試行",
                                                                  on_retry=lambda: self.reprint(row)))
