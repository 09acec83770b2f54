"""SlipDetailScreen (R-HIST): one stored slip — lines, totals, 支払種別情報 — and its actions.

- 「伝票取消」 (``voidSlipButton``) and 「伝票訂正」 (``correctSlipButton``) are manager actions:
  a cashier first gets ``ManagerAuthDialog``; then ``VoidReasonDialog`` confirms and takes
  the reason. The ledger re-checks everything (``SlipJournal.void``); a refusal is shown on
  ``messageLabel`` and nothing changes. A void pays cash back: the drawer opens.
  伝票訂正 voids, then opens ``CheckoutScreen`` with a cart of the same lines.
- 「レシート再発行」 (``reprintReceiptButton``) prints the stored slip marked 再発行.
- Each terminal tender has a button 「USEN PAY」 / 「決済端末」 (by ``terminal_profile``),
  ``paymentHistoryButton_<i>`` (``i`` = tender index): it opens ``PaymentHistoryScreen`` with
  ``slip_id`` and ``tender_id`` once that screen is registered; until then an ``InfoDialog``.
- ``enter(slip_id, back_to="SlipListScreen", back_kwargs={"keep": True})``: 「戻る」
  (``backButton``) goes back there.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QScroller, QVBoxLayout, QWidget

from app.core.ledger.journal import SlipDetail, SlipJournal
from app.core.ledger.slip_queries import SlipState
from app.core.ledger.voids import CORRECTION_REASONS, VOID_REASONS
from app.core.money import REDUCED_RATE, format_yen
from app.core.printing.receipt import layout_receipt
from app.core.receipt_data import receipt_for_slip
from app.core.terminal.profiles import terminal_profile
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.ops import as_manager, ledger_write, open_drawer
from app.ui.widgets.dialogs import show_error
from app.ui.widgets.discard import clear_layout
from app.ui.widgets.void_reason import VoidReasonDialog


def terminal_button_label(profile: str) -> str:
    return terminal_profile(profile).button_label


class SlipDetailScreen(Screen):
    title = "伝票詳細"

    def __init__(self, *args):
        super().__init__(*args)
        self.journal = SlipJournal(self.context.ledger)
        self.detail: SlipDetail | None = None
        self.back_to, self.back_kwargs = "SlipListScreen", {"keep": True}
        columns = QHBoxLayout(self.body)
        columns.setContentsMargins(12, 10, 12, 4)
        columns.setSpacing(12)
        columns.addWidget(self._build_slip(), 3)
        columns.addLayout(self._build_side(), 2)

    # --- layout --------------------------------------------------------------------------
    def _label(self, parent: QWidget, name: str | None = None, role: str | None = None, align=None) -> QLabel:
        label = QLabel("", parent)
        if name:
            label.setObjectName(name)
        if role:
            label.setProperty("role", role)
        if align is not None:
            label.setAlignment(align)
        return label

    def _build_slip(self) -> QFrame:
        panel = QFrame(self.body)
        panel.setProperty("role", "panel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.number_label = self._label(panel, "slipNumberLabel", "slipNumber")
        self.state_label = self._label(panel, "slipStateLabel", align=Qt.AlignCenter)
        self.state_label.setProperty("badge", "neutral")  # a state, not an action nor an alarm
        top.addWidget(self.number_label)
        top.addStretch(1)
        top.addWidget(self.state_label)
        layout.addLayout(top)
        self.info_label = self._label(panel, "slipInfoLabel", "info")
        layout.addWidget(self.info_label)
        scroll = QScrollArea(panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        lines_widget = QWidget()
        lines_widget.setObjectName("slipLines")
        self.lines = QVBoxLayout(lines_widget)
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.lines.setSpacing(0)
        self.lines.addStretch(1)
        scroll.setWidget(lines_widget)
        QScroller.grabGesture(scroll.viewport(), QScroller.TouchGesture)
        self.lines_widget = lines_widget
        layout.addWidget(scroll, 1)
        totals = QGridLayout()
        totals.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for row, (key, caption) in enumerate((("subtotal", "小計"), ("discount", "値引・割引"), ("tax10", "内消費税 10%"),
                                              ("tax8", "内消費税 8%"), ("total", "合計"), ("deposit", "お預り"), ("change", "お釣り"))):
            name = QLabel(caption, panel)
            value = self._label(panel, f"{key}Label", align=Qt.AlignRight | Qt.AlignVCenter)
            if key == "total":
                name.setProperty("role", "total")
                value.setProperty("role", "total")
            totals.addWidget(name, row, 0)
            totals.addWidget(value, row, 1)
            self.values[key] = value
        layout.addLayout(totals)
        return panel

    def _build_side(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(10)
        tenders = QFrame(self.body)
        tenders.setProperty("role", "panel")
        tenders_layout = QVBoxLayout(tenders)
        tenders_layout.setContentsMargins(14, 10, 14, 10)
        heading = QLabel("支払種別情報", tenders)
        heading.setProperty("role", "heading")
        tenders_layout.addWidget(heading)
        self.tenders = QVBoxLayout()
        self.tenders.setSpacing(4)
        tenders_layout.addLayout(self.tenders)
        tenders_layout.addStretch(1)
        column.addWidget(tenders, 1)
        self.note_label = self._label(self.body, "voidNoteLabel", "info")
        self.note_label.setWordWrap(True)
        column.addWidget(self.note_label)
        # After a void that pays cash back, the amount to hand over is the one thing the cashier must do:
        # big, in the side column, not squeezed into the message line.
        self.cash_back_label = self._label(self.body, "cashBackLabel", "action", align=Qt.AlignCenter)
        self.cash_back_label.setWordWrap(True)
        self.cash_back_label.hide()
        column.addWidget(self.cash_back_label)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.void_button = touch_button("伝票取消", "voidSlipButton", "secondary", self.body)
        self.void_button.clicked.connect(lambda: self.ask_void(correction=False))
        self.correct_button = touch_button("伝票訂正", "correctSlipButton", "secondary", self.body)
        self.correct_button.clicked.connect(lambda: self.ask_void(correction=True))
        reprint = touch_button("レシート再発行", "reprintReceiptButton", "secondary", self.body)
        reprint.clicked.connect(self.reprint)
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(self.back)
        for index, button in enumerate((self.void_button, self.correct_button, reprint, back)):
            grid.addWidget(button, index // 2, index % 2)
        column.addLayout(grid)
        return column

    # --- entering ------------------------------------------------------------------------
    def enter(self, slip_id: int, back_to: str = "SlipListScreen", back_kwargs: dict | None = None, **kwargs) -> None:
        self.back_to = back_to
        self.back_kwargs = {"keep": True} if back_kwargs is None else back_kwargs
        self.load(slip_id)

    def load(self, slip_id: int) -> None:
        self.cash_back_label.hide()
        self.detail = self.journal.detail(slip_id)
        if self.detail is None:
            self.show_message("伝票が見つかりません。")
            return
        slip, relations = self.detail.slip, self.detail.relations
        kind = "取消伝票" if slip.kind == "void" else "伝票"
        self.number_label.setText(f"{kind} {slip.slip_number:06d}")
        self.state_label.setText(relations.state.label)
        dining = "店内" if slip.eat_in else "持ち帰り"
        self.info_label.setText(f"{slip.created_at:%Y/%m/%d %H:%M:%S}　担当者：{slip.staff.name}　{dining}")
        self._fill_lines(slip)
        self._fill_totals(slip)
        self._fill_tenders(slip)
        self.note_label.setText(self._note())
        # A refusal that may pass (an unrefunded terminal payment) keeps the buttons: a tap says why.
        open_sale = slip.kind == "sale" and relations.state is SlipState.NORMAL
        self.void_button.setEnabled(open_sale)
        self.correct_button.setEnabled(open_sale)

    def _note(self) -> str:
        relations = self.detail.relations
        if relations.state is SlipState.VOID:
            what = "伝票訂正" if relations.correction else "伝票取消"
            number = f"{relations.related_number:06d}" if relations.related_number is not None else "—"
            return f"伝票番号 {number} の{what}で作られた取消伝票です。"
        if relations.state in (SlipState.VOIDED, SlipState.CORRECTED):
            what = "伝票訂正" if relations.correction else "伝票取消"
            return f"{what}済みです（取消伝票 {relations.related_number:06d}）。"
        return "\n".join([*self._needing_action(), self.detail.void_refusal or ""]).strip()

    def _needing_action(self) -> list[str]:
        """要対応 (issue 9): a terminal payment of this slip the terminal says it never made."""
        from app.core.payment_state import ACTION_STATES, PaymentState
        from app.ui.widgets.reconcile_dialog import action_line

        lines = []
        for tender in self.detail.slip.tenders:
            row = self.context.payments.by_transaction_id(tender.reference) if tender.kind == "terminal" else None
            if row is not None and PaymentState(row.state) in ACTION_STATES:
                lines.append(action_line(row))
        return lines

    def _fill_lines(self, slip) -> None:
        clear_layout(self.lines, keep_last=1)
        for index, line in enumerate(slip.lines):
            row = QFrame(self.lines_widget)
            row.setProperty("role", "row")
            grid = QGridLayout(row)
            grid.setContentsMargins(4, 4, 4, 4)
            reduced = "※" if line.tax_rate_percent == REDUCED_RATE else ""
            name = self._label(row, f"lineName_{index}", "body")
            name.setText(f"{line.name}{reduced}")
            detail = f"{format_yen(line.unit_price_yen)} × {line.quantity}"
            if line.discount_yen:
                detail += f"　{line.discount_label or '値引'}（-{format_yen(abs(line.discount_yen))}）"
            detail_label = self._label(row, None, "info")
            detail_label.setText(detail)
            amount = self._label(row, f"lineAmount_{index}", "body", align=Qt.AlignRight | Qt.AlignVCenter)
            amount.setText(format_yen(line.amount_yen))
            grid.addWidget(name, 0, 0)
            grid.addWidget(detail_label, 0, 1)
            grid.addWidget(amount, 0, 2)
            grid.setColumnStretch(0, 1)
            amount.setMinimumWidth(110)
            self.lines.insertWidget(index, row)

    def _fill_totals(self, slip) -> None:
        rates = {t.rate_percent: t for t in slip.taxes}
        self.values["subtotal"].setText(format_yen(slip.subtotal_yen))
        self.values["discount"].setText(
            f"{slip.discount_label or '値引'}（-{format_yen(abs(slip.discount_yen))}）" if slip.discount_yen else "—")
        for rate in (10, 8):
            tax = rates.get(rate)
            self.values[f"tax{rate}"].setText(f"{format_yen(tax.tax_yen)}（対象 {format_yen(tax.taxable_yen)}）" if tax else "—")
        self.values["total"].setText(format_yen(slip.total_yen))
        self.values["deposit"].setText(format_yen(sum(t.amount_yen for t in slip.tenders)))
        self.values["change"].setText(format_yen(slip.change_yen))

    def _fill_tenders(self, slip) -> None:
        clear_layout(self.tenders)
        button_label = terminal_button_label(self.context.settings.terminal_profile)
        for index, tender in enumerate(slip.tenders):
            row = QWidget(self.body)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = self._label(row, f"tenderLabel_{index}", "body")
            label.setText(f"{tender.label}　{format_yen(tender.amount_yen)}")
            line.addWidget(label, 1)
            if tender.kind == "terminal":
                button = touch_button(button_label, f"paymentHistoryButton_{index}", "toggle", row)
                button.setMinimumWidth(150)
                button.clicked.connect(lambda _=False, t=tender: self.open_payment_history(t))
                line.addWidget(button)
            self.tenders.addWidget(row)

    # --- actions -------------------------------------------------------------------------
    def back(self) -> None:
        self.navigator.go(self.back_to, **self.back_kwargs)

    def open_payment_history(self, tender) -> None:
        self.navigator.go("PaymentHistoryScreen", slip_id=self.detail.slip.id, tender_id=tender.id)

    def ask_void(self, *, correction: bool) -> None:
        if self.detail is None:
            return
        self.load(self.detail.slip.id)  # the ledger may have moved on (another screen, another void)
        if self.detail.void_refusal:
            self.show_message(self.detail.void_refusal)
            return
        action = "伝票訂正" if correction else "伝票取消"
        as_manager(self, self.context, action, lambda manager: self._ask_reason(manager, correction))

    def _ask_reason(self, manager, correction: bool) -> None:
        slip = self.detail.slip
        cash_back = slip.cash_tendered_yen - slip.change_yen if any(t.kind == "cash" for t in slip.tenders) else 0
        summary = f"伝票番号 {slip.slip_number:06d}（合計 {format_yen(slip.total_yen)}）を取消"
        summary += "し、同じ内容で会計をやり直します。" if correction else "します。"
        if cash_back:
            summary += f"\n現金 {format_yen(cash_back)} をお客様にお返しします（ドロアが開きます）。"
        action = "伝票訂正" if correction else "伝票取消"
        dialog = VoidReasonDialog(self, action, summary, CORRECTION_REASONS if correction else VOID_REASONS,
                                  "訂正する" if correction else "取消する")
        dialog.chosen.connect(lambda reason: self.void(manager, reason, correction))
        dialog.open()

    def void(self, manager, reason: str, correction: bool) -> None:
        slip_id = self.detail.slip.id
        with ledger_write(self.show_message, refused=lambda: self.load(slip_id)) as write:
            cart = self.journal.correction_cart(slip_id, self.context.new_cart()) if correction else None
            result = self.journal.void(slip_id, staff_id=self.context.staff.id, authorized_by_id=manager.id,
                                       reason=reason, correction=correction)
        if write.refused:
            return
        if result.cash_refund_yen and self.context.settings.printer_drawer:
            open_drawer(self, self.context)
        done = f"伝票番号 {result.original_number:06d} を取消しました（取消伝票 {result.void_number:06d}）。"
        if result.cash_refund_yen:
            done += f"現金 {format_yen(result.cash_refund_yen)} をお返しください。"
        if correction:
            screen = self.navigator.go("CheckoutScreen", cart=cart)
            screen.show_message(done + "訂正後の内容で会計してください。")
            return
        self.load(slip_id)
        self.show_message(done)
        if result.cash_refund_yen:
            self.cash_back_label.setText(f"現金 {format_yen(result.cash_refund_yen)} を\nお客様にお返しください")
            self.cash_back_label.show()

    def reprint(self) -> None:
        if self.detail is None:
            return
        data = receipt_for_slip(self.detail.slip, self.context.settings, reprint=True)
        document = layout_receipt(data, self.context.printer.columns)
        self._print(document)

    def _print(self, document) -> None:
        self.show_message("印刷中…")
        self.context.run_device(
            lambda: self.context.printer.print_document(document),
            on_done=lambda _result: self.show_message("レシートを再発行しました。", done=True),
            on_error=lambda error: self._print_failed(error, document),
        )

    def _print_failed(self, error: BaseException, document) -> None:
        self.show_message("")
        show_error(self, getattr(error, "message", str(error)), title="印刷できませんでした", retry_label="再試行",
                   on_retry=lambda: self._print(document))
