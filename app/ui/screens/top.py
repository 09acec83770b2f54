"""TopScreen (R-TOP): the day's menu and the terminal status indicator."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout

from app.core.money import format_yen
from app.ui.background import ledger_work, reraise
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.terminal_dialogs import show_login_problem
from app.ui.ops import as_manager
from app.ui.widgets.reconcile_dialog import ReconcileDialog, action_line
from app.ui.widgets.terminal_indicator import TerminalIndicator

MENU = (
    ("会計", "checkoutButton", "CheckoutScreen"),
    ("伝票明細", "slipListButton", "SlipListScreen"),
    ("決済情報照会", "inquiryButton", "PaymentInquiryScreen"),
    ("点検・精算", "closeDayButton", "CloseScreen"),
    ("入金・出金", "cashMoveButton", "CashMoveScreen"),
    ("設定", "settingsButton", "SettingsScreen"),
    ("ログアウト", "logoutButton", "LoginScreen"),
)


class TopScreen(Screen):
    title = "トップ"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.setSpacing(20)
        info = QHBoxLayout()
        self.session_label = QLabel("", self.body)
        self.session_label.setObjectName("sessionLabel")
        self.session_label.setProperty("role", "info")
        self.terminal_status = TerminalIndicator(self.context.terminal, self.body)
        info.addWidget(self.session_label)
        info.addStretch(1)
        info.addWidget(self.terminal_status)
        layout.addLayout(info)
        banner = QHBoxLayout()
        self.reconcile_label = QLabel("", self.body)
        self.reconcile_label.setObjectName("reconcileLabel")
        self.reconcile_label.setProperty("role", "message")
        self.reconcile_label.setWordWrap(True)  # 要対応 lines are long (amount, 受注コード, action)
        self.reconcile_button = touch_button("要確認の決済を確認", "reconcileButton", "danger", self.body)
        self.reconcile_button.clicked.connect(self.open_reconcile)
        banner.addWidget(self.reconcile_label, 1)
        banner.addWidget(self.reconcile_button)
        layout.addLayout(banner)
        self.backup_label = QLabel("", self.body)  # a failed backup, until one succeeds
        self.backup_label.setObjectName("backupLabel")
        self.backup_label.setProperty("role", "message")
        self.backup_label.setWordWrap(True)
        layout.addWidget(self.backup_label)
        self.context.backups.changed.connect(self.refresh_backup)
        self._reconcile_asked = 0
        # While hidden, entering counts again: a payment's every update need not.
        self.context.payment_updates.updated.connect(lambda _update: self.refresh_reconcile() if self.isVisible() else None)
        grid = QGridLayout()
        grid.setSpacing(20)
        for index, (label, name, target) in enumerate(MENU):
            button = touch_button(label, name, "primary" if index == 0 else "secondary", self.body, size="menu")
            button.clicked.connect(lambda _=False, t=target, l=label: self.open(t, l))
            # Four to a row: seven tiles in two rows leave room for the 要確認 and backup warnings.
            grid.addWidget(button, index // 4, index % 4)
        layout.addLayout(grid)
        layout.addStretch(1)

    def enter(self, **kwargs) -> None:
        if kwargs.get("opened") or not self.context.terminal_login_tried:
            self.connect_terminal()
        else:
            self.context.coordinator.recheck()
        ledger = self.context.ledger
        ledger_work().submit(ledger.current_day, self._show_session, reraise)
        self.refresh_reconcile()
        self.refresh_backup()

    def _show_session(self, session) -> None:
        if session:
            self.session_label.setText(f"開局 {session.opened_at:%m/%d %H:%M}　釣銭準備金 {format_yen(session.float_yen)}")

    def refresh_backup(self) -> None:
        text = self.context.backups.failure_text()
        self.backup_label.setText(text)
        self.backup_label.setVisible(bool(text))

    def open_reconcile(self) -> None:
        dialog = ReconcileDialog(self, self.context)
        dialog.finished.connect(lambda _result: self.refresh_reconcile())
        dialog.open()

    def refresh_reconcile(self) -> None:
        """R-RECON: 要確認 requests are listed here until resolved (they block 精算). Counted on
        the ledger worker (three queries); the newest count asked for is the one shown."""
        self._reconcile_asked += 1
        asked = self._reconcile_asked
        payments, in_checkout = self.context.payments, self.context.checkout_transaction_ids()

        def count():
            return (len(payments.open_requests()), len(payments.without_slip(in_checkout)), payments.needing_action())

        ledger_work().submit(count, lambda counts: self._show_reconcile(asked, *counts), reraise)

    def _show_reconcile(self, asked: int, count: int, orphans: int, disputed) -> None:
        if asked != self._reconcile_asked:
            return  # a newer count is on its way
        texts = [action_line(row) for row in disputed]
        if count:
            texts.append(f"要確認の決済が{count}件あります。確認が済むまで精算できません。")
        if orphans:
            texts.append(f"伝票のない決済が{orphans}件あります。決済端末で返金してください。")
        self.reconcile_label.setText("\n".join(texts))
        self.reconcile_button.setVisible(bool(count or orphans or disputed))

    def connect_terminal(self) -> None:
        """Link the terminal (開局, or the first top screen of a run); refusals become dialogs."""
        self.context.terminal_login_tried = True
        self.context.terminal.connect_terminal(lambda result: show_login_problem(self, result, self.connect_terminal, self.context.terminal))

    def open(self, target: str, label: str) -> None:
        if target == "SettingsScreen":
            as_manager(self, self.context, "設定の変更", lambda manager: self.navigator.go(target, authorized_by=manager))
        else:
            self.navigator.go(target)
