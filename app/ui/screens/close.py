"""CloseScreen 「点検・精算」 (R-CLOSE): the drawer count of 精算, with 点検, history and CSV.

精算 (``settleButton``), in this order, each step able to stop with a message and nothing
recorded: a manager (ManagerAuthDialog for a cashier) → no 要確認 / no payment without a
slip (listed on the left instead of the count, each with 「確認」) → a valid count → the
terminal's totals (Reconciliation; a difference or no answer opens TerminalTotalsDialog
for a reason) → a 過不足 reason when counted ≠ expected → one ledger transaction closes
the day → the Z report prints and shows (InspectionScreen); the next login opens the day.
"""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.errors import RegiError
from app.core.ledger.day_close import counted_total_yen
from app.core.ledger.sales_export import export_folder
from app.core.ledger.terminal_totals import TerminalCheck, check_from_answers, compare
from app.core.money import MAX_AMOUNT_YEN, format_yen
from app.ui.report_printing import print_document, z_report_document
from app.ui.screens.base import Screen
from app.ui.theme import set_style
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.cash_count import CashCount
from app.ui.ops import as_manager
from app.ui.widgets.reconcile_dialog import ReconcileDialog, payment_summary
from app.ui.widgets.terminal_totals_dialog import TerminalTotalsDialog
from app.ui.widgets.void_reason import VoidReasonDialog

DIFFERENCE_REASONS = ("釣銭の渡し間違い", "数え間違い", "入出金の記録漏れ", "原因不明", "その他")


def signed_yen(yen: int) -> str:
    return f"+{format_yen(yen)}" if yen > 0 else format_yen(yen)


class CloseScreen(Screen):
    title = "点検・精算"

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(24, 8, 24, 4)
        row.setSpacing(24)
        self.cash = CashCount(self.body, "現金実査（金種別）")
        self.cash.changed.connect(self.refresh_difference)
        self.cash.rejected.connect(self.show_message)
        left = QVBoxLayout()
        left.addWidget(self.cash.table)
        self.blockers = QWidget(self.body)
        self.blockers.setObjectName("blockersPanel")
        self.blocker_rows = QVBoxLayout(self.blockers)
        left.addWidget(self.blockers)
        left.addStretch(1)
        row.addLayout(left, 3)

        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(self.cash.modes)
        figures = QGridLayout()
        figures.setHorizontalSpacing(10)
        self.figure_labels = {}
        for column, (key, caption) in enumerate((("expectedCash", "理論在高"), ("countedCash", "実在高"), ("difference", "過不足"))):
            figures.addWidget(QLabel(caption, self.body), 0, column)
            value = QLabel("¥0", self.body)
            value.setObjectName(f"{key}Label")
            value.setProperty("role", "display")
            figures.addWidget(value, 1, column)
            self.figure_labels[key] = value
        right.addLayout(figures)
        right.addWidget(self.cash.keypad)
        tools = QHBoxLayout()
        for label, name, slot in (("点検", "inspectButton", lambda: self.navigator.go("InspectionScreen")),
                                  ("精算履歴", "historyButton", lambda: self.navigator.go("CloseHistoryScreen")),
                                  ("CSV出力", "exportButton", self.export)):
            button = touch_button(label, name, "secondary", self.body)
            button.clicked.connect(slot)
            tools.addWidget(button)
        right.addLayout(tools)
        buttons = QHBoxLayout()
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(lambda: self.navigator.go("TopScreen"))
        self.settle_button = touch_button("精算", "settleButton", "primary", self.body)
        self.settle_button.clicked.connect(self.settle)
        buttons.addWidget(back, 1)
        buttons.addWidget(self.settle_button, 2)
        right.addLayout(buttons)
        row.addLayout(right, 2)
        self.expected_yen = 0

    # --- showing -------------------------------------------------------------------
    def enter(self, keep_count: bool = False, **kwargs) -> None:
        if not keep_count:  # back from 点検 the count in progress is kept
            self.cash.reset()
        self.settle_button.setEnabled(True)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.expected_yen = self.context.day.expected_cash_yen()  # not the whole report: a screen change
        except RegiError as error:
            self.show_message(error.message)
            self.expected_yen = 0
        self.figure_labels["expectedCash"].setText(format_yen(self.expected_yen))
        self.refresh_difference(self.cash.total)
        self.refresh_blockers()

    def refresh_difference(self, counted: int) -> None:
        self.figure_labels["countedCash"].setText(format_yen(counted))
        difference = counted - self.expected_yen
        label = self.figure_labels["difference"]
        label.setText(signed_yen(difference))
        set_style(label, "alert", bool(difference))  # a difference needs the manager's reason

    def refresh_blockers(self) -> None:
        """要確認 and payments without a slip: listed instead of the count, each with 「確認」."""
        while self.blocker_rows.count():
            widget = self.blocker_rows.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        blockers = self.context.day.blockers(self.context.checkout_transaction_ids())
        self.cash.table.setVisible(not blockers)
        self.blockers.setVisible(bool(blockers))
        if not blockers:
            return
        heading = QLabel(blockers.message(), self.blockers)
        heading.setObjectName("blockersLabel")
        heading.setWordWrap(True)
        heading.setProperty("role", "message")
        self.blocker_rows.addWidget(heading)
        items = [(r, "要確認") for r in blockers.open_requests] + [(r, "伝票なし") for r in blockers.without_slip]
        for index, (payment, what) in enumerate(items):
            line = QWidget(self.blockers)
            box = QHBoxLayout(line)
            box.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"{what}　{payment_summary(payment)}", line)  # as the terminal's history shows it
            text.setWordWrap(True)
            button = touch_button("確認", f"blocker_{index}", "danger", line)
            button.clicked.connect(self.open_reconcile)
            box.addWidget(text, 1)
            box.addWidget(button)
            self.blocker_rows.addWidget(line)

    def open_reconcile(self) -> None:
        dialog = ReconcileDialog(self, self.context)
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.open()

    def set_counts(self, counts: dict[int, int]) -> None:
        """Set counts as given (validated only at 「精算」): the tester's way in for bad input."""
        self.cash.set_counts(counts)

    # --- CSV -------------------------------------------------------------------------
    def export(self) -> None:
        folder = export_folder(self.context.settings.export_dir, self.context.data_dir)
        try:
            path = self.context.day.export_sales(folder)
        except RegiError as error:
            self.show_message(error.message)
            return
        self.show_message(f"売上CSVを書き出しました：{path}", done=True)

    # --- 精算 ------------------------------------------------------------------------
    def settle(self) -> None:
        as_manager(self, self.context, "精算", self._settle_as, verify=self.context.ledger.authorize_manager,
                   refused=lambda: self.show_message("精算には責任者の承認が必要です。精算していません。"))

    def _count(self) -> dict:
        """The count as ``close`` takes it; ``RegiError`` if it is not valid."""
        if self.cash.total_mode:
            if not 0 <= self.cash.total_yen <= MAX_AMOUNT_YEN:
                raise RegiError(f"現金の合計は¥0〜{format_yen(MAX_AMOUNT_YEN)}で入力してください。")
            return {"total_yen": self.cash.total_yen}
        counted_total_yen(self.cash.counts)
        return {"counts": self.cash.given_counts()}

    def _settle_as(self, manager) -> None:
        self.manager = manager
        self.refresh()
        blockers = self.context.day.blockers(self.context.checkout_transaction_ids())
        if blockers:
            self.show_message(blockers.message())
            return
        try:
            self.count = self._count()
        except RegiError as error:
            self.show_message(error.message)
            return
        session = self.context.ledger.current_day()
        if session is None:
            self.show_message("本日はすでに精算済みです。")
            return
        self.session_id = session.id
        if self.context.terminal.reconcile(self._on_totals):
            self.settle_button.setEnabled(False)
            self.show_message("決済端末に本日の合計を問い合わせています…")
        else:
            self._on_totals(None)

    def _on_totals(self, answer) -> None:
        """The terminal's answer (None: no terminal configured) → the check, then reasons."""
        self.settle_button.setEnabled(True)
        self.show_message("")
        report = self.context.day.report()
        ledger_list = self.context.day.terminal_transactions()
        answers = self.context.reconciliations.setdefault(self.session_id, [])
        if answer is not None:
            answers.append(answer)
            check = check_from_answers(answers, report.terminal, ledger_list)
        elif report.terminal:
            rows = compare(report.terminal, ledger_list, [], []).rows
            check = TerminalCheck(rows, [], "決済端末が設定されていないため、決済端末の合計を確認できません。")
        else:
            check = None
        if check is not None and check.differs:
            dialog = TerminalTotalsDialog(self, check)
            dialog.chosen.connect(lambda reason: self._difference_reason(check, reason))
            dialog.rejected.connect(lambda: self.show_message("精算を中止しました。"))
            dialog.open()
            return
        self._difference_reason(check, "")

    def _difference_reason(self, check, terminal_reason: str) -> None:
        counted = self.count.get("total_yen", sum(d * c for d, c in self.count.get("counts", {}).items()))
        difference = counted - self.context.day.expected_cash_yen()
        if not difference:
            self._close(check, terminal_reason, "")
            return
        dialog = VoidReasonDialog(self, "過不足の確認", f"過不足が {signed_yen(difference)} あります。理由を選んでください。",
                                  DIFFERENCE_REASONS, "精算する")
        dialog.setObjectName("DifferenceReasonDialog")
        dialog.chosen.connect(lambda reason: self._close(check, terminal_reason, reason))
        dialog.rejected.connect(lambda: self.show_message("精算を中止しました。"))
        dialog.open()

    def _close(self, check, terminal_reason: str, difference_reason: str) -> None:
        try:
            closed = self.context.day.close(staff_id=self.context.staff.id, authorized_by_id=self.manager.id,
                                            difference_reason=difference_reason, terminal=check,
                                            terminal_reason=terminal_reason,
                                            exclude=self.context.checkout_transaction_ids(), **self.count)
        except RegiError as error:
            self.show_message(error.message)
            return
        self.context.reconciliations.pop(self.session_id, None)
        print_document(self, z_report_document(self.context, closed, reprint=False))
        # The closed day is copied at once (SPEC §6); a failure stays on the top screen until one succeeds.
        self.context.backups.run("close", self.manager.id)
        self.navigator.go("InspectionScreen", settlement_id=closed.settlement.id, just_closed=True)
