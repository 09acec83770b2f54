"""TopScreen (R-TOP): the day's menu and the terminal status indicator."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout

from app.core.money import format_yen
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.terminal_dialogs import show_login_problem
from app.ui.widgets.dialogs import ManagerAuthDialog, MessageDialog
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
        self.context.payment_updates.updated.connect(lambda _update: self.refresh_reconcile())
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
        session = self.context.ledger.current_session()
        if session:
            self.session_label.setText(f"開局 {session.opened_at:%m/%d %H:%M}　釣銭準備金 {format_yen(session.float_yen)}")
        if kwargs.get("opened") or not self.context.terminal_login_tried:
            self.connect_terminal()
        else:
            self.context.coordinator.recheck()
        self.refresh_reconcile()
        self.refresh_backup()

    def refresh_backup(self) -> None:
        text = self.context.backups.failure_text()
        self.backup_label.setText(text)
        self.backup_label.setVisible(bool(text))

    def open_reconcile(self) -> None:
        dialog = ReconcileDialog(self, self.context)
        dialog.finished.connect(lambda _result: self.refresh_reconcile())
        dialog.open()

    def refresh_reconcile(self) -> None:
        """R-RECON: 要確認 requests are listed here until resolved (they block 精算)."""
        count = len(self.context.payments.open_requests())
        orphans = len(self.context.payments.without_slip(self.context.checkout_transaction_ids()))
        disputed = self.context.payments.needing_action()
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
        self.context.terminal.connect_terminal(lambda result: show_login_problem(self, result, self.connect_terminal))

    def open(self, target: str, label: str) -> None:
        if target == "SettingsScreen" and not self.context.staff_is_manager:
            dialog = ManagerAuthDialog(self, "設定の変更", self.context.authorize_manager)
            dialog.authorized.connect(lambda manager: self.navigator.go(target, authorized_by=manager))
            dialog.open()
            return
        self.navigator.go(target)
