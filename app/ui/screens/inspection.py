"""InspectionScreen (R-CLOSE): the day's figures on screen.

- ``enter()``: 点検 (X report) of the open session — reading only; 「印刷」 prints it.
- ``enter(settlement_id=…)``: a stored 精算 (Z report) as it was closed, with the counted
  drawer and the terminal check; 「再印刷」 prints it again with (再). Right after 精算
  (``just_closed``) the only way on is 「ログアウト」: the day is closed.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.sales_export import export_folder
from app.core.ledger.terminal_totals import describe
from app.ui.report_printing import print_document, x_report_document, z_report_document
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.report_view import ReportView


SHOWN_DISCREPANCIES = 3


class InspectionScreen(Screen):
    title = "点検"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(24, 8, 24, 4)
        layout.setSpacing(8)
        self.heading = QLabel("", self.body)
        self.heading.setObjectName("reportHeading")
        self.heading.setProperty("role", "title")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.terminal_label = QLabel("", self.body)
        self.terminal_label.setObjectName("terminalCheckLabel")
        self.terminal_label.setWordWrap(True)
        layout.addWidget(self.terminal_label)
        self.view = ReportView(self.body)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.back_button = touch_button("戻る", "backButton", "secondary", self.body)
        self.back_button.clicked.connect(self.back)
        self.export_button = touch_button("CSV出力", "exportButton", "secondary", self.body)
        self.export_button.clicked.connect(self.export)
        self.print_button = touch_button("印刷", "printReportButton", "primary", self.body)
        self.print_button.clicked.connect(self.print_report)
        self.logout_button = touch_button("ログアウト", "logoutButton", "primary", self.body)
        self.logout_button.clicked.connect(lambda: self.navigator.go("LoginScreen"))
        for button in (self.back_button, self.export_button, self.print_button, self.logout_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def enter(self, settlement_id: int | None = None, just_closed: bool = False, **kwargs) -> None:
        self.settlement_id = settlement_id
        self.just_closed = just_closed
        self.back_button.setVisible(not just_closed)
        self.logout_button.setVisible(just_closed)
        self.print_button.setText("再印刷" if settlement_id is not None else "印刷")
        self.terminal_label.setText("")
        self.terminal_label.hide()  # 点検 has no terminal check
        if settlement_id is None:
            self.title_label.setText("点検")
            try:
                self.report = self.context.day.report()
            except RegiError as error:
                self.show_message(error.message)
                return
            self.heading.setText(f"点検（X）　{self.report.as_of:%Y/%m/%d %H:%M} 現在　開局 {self.report.opened_at:%H:%M}")
            self.view.show_report(self.report)
            return
        self.title_label.setText("精算")
        self.closed = self.context.day.closed_day(settlement_id)
        s = self.closed.settlement
        self.report = self.closed.report
        if just_closed:
            self.show_message("精算しました。次のログインで開局します。", done=True)
        self.heading.setText(f"精算 No.{s.settlement_number:04d}　{s.closed_at:%Y/%m/%d %H:%M}　責任者 {self.closed.staff_name}"
                             + (f"　過不足：{s.difference_reason}" if s.difference_reason else ""))
        self.view.show_report(self.report, s)
        self.terminal_label.setText(self._terminal_text())
        self.terminal_label.show()

    def _terminal_text(self) -> str:
        """At most three lines: the verdict, the methods that differ, the transactions."""
        check = self.closed.terminal
        if check is None:
            return "決済端末：照合なし（決済端末の取引なし）"
        if not check.differs:
            return "決済端末：合計はレジの記録と一致しました。"
        lines = [f"決済端末：差異あり（確認理由：{self.closed.terminal_reason or ''}）" + (f"　{check.error}" if check.error else "")]
        methods = [f"{row.label} 端末 {describe(row.terminal)}／レジ {describe(row.ledger)}" for row in check.rows if row.differs]
        if methods:
            lines.append("　".join(methods))
        ids = list(dict.fromkeys(d.transaction.poi_transaction_id for d in check.discrepancies))
        if ids:
            more = f" ほか{len(ids) - SHOWN_DISCREPANCIES}件" if len(ids) > SHOWN_DISCREPANCIES else ""
            lines.append("不一致の取引：" + "、".join(ids[:SHOWN_DISCREPANCIES]) + more + "（精算レポートに全件印刷）")
        return "\n".join(lines)

    def figures(self) -> dict[str, str]:
        return self.view.figures()

    def back(self) -> None:
        if self.settlement_id is not None:
            self.navigator.go("CloseHistoryScreen")
        else:
            self.navigator.go("CloseScreen", keep_count=True)

    def print_report(self) -> None:
        if self.settlement_id is None:
            print_document(self, x_report_document(self.context, self.report))
        else:
            print_document(self, z_report_document(self.context, self.closed, reprint=True))

    def export(self) -> None:
        folder = export_folder(self.context.settings.export_dir, self.context.data_dir)
        session_id = self.closed.settlement.session_id if self.settlement_id is not None else None
        try:
            path = self.context.day.export_sales(folder, session_id)
        except RegiError as error:
            self.show_message(error.message)
            return
        self.show_message(f"売上CSVを書き出しました：{path}", done=True)
