"""SettingsScreen (R-CONN, SPEC §8): 「機器接続」 > 「決済端末接続」 check, the terminal
settings (profile, IP, port, pairing key, contracted methods), and the back office sections
(店舗情報, プリンター, 会計設定, スタッフ, 商品: app.ui.backoffice), one page each.

Manager-only: a cashier gets here through ManagerAuthDialog (TopScreen). 「保存」 validates
everything first; a bad value gets a message and nothing is saved. Saved changes are
audited and the terminal link is rebuilt with them.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import replace

from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from app.core.terminal.config import MIN_PAIRING_KEY_LENGTH, demo_key_allowed, new_pairing_key
from app.core.terminal.profiles import PROFILES as TERMINAL_PROFILES, PaymentMethod, terminal_profile
from app.core.terminal.results import DiagnosisResult, Outcome
from app.ui.backoffice.catalog import CatalogPage
from app.ui.backoffice.checkout_rules import CheckoutRulesPage
from app.ui.backoffice.printer import PrinterPage
from app.ui.backoffice.shop import ShopPage
from app.ui.backoffice.staff import StaffPage
from app.ui.keyboard import InputKind, touch_input
from app.ui.screens.base import Screen
from app.ui.terminal_dialogs import login_problem_text
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import MessageDialog

METHODS = tuple((method.value, method.label) for method in PaymentMethod)
BACKOFFICE_TABS = ("shopTab", "printerTab", "checkoutRulesTab", "staffTab", "catalogTab")
HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


class SettingsScreen(Screen):
    title = "設定"

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(20, 16, 20, 8)
        row.setSpacing(20)
        menu = QVBoxLayout()
        menu.setSpacing(8)
        tabs = QButtonGroup(self)
        self.pages = QStackedWidget(self.body)
        self.backoffice_pages = [cls(self) for cls in (ShopPage, PrinterPage, CheckoutRulesPage, StaffPage, CatalogPage)]
        for index, (label, name, page) in enumerate((
            ("機器接続", "deviceTab", self._device_page()),
            ("決済端末設定", "terminalSettingsTab", self._terminal_page()),
            *((page.title, tab_name, page) for page, tab_name in zip(self.backoffice_pages, BACKOFFICE_TABS)),
        )):
            tab = touch_button(label, name, "category", self.body, checkable=True)
            tab.clicked.connect(lambda _=False, i=index: self.show_page(i))
            tabs.addButton(tab)
            menu.addWidget(tab)
            self.pages.addWidget(page)
        self.device_tab = tabs.buttons()[0]
        for edit, kind in ((self.host_edit, InputKind.LATIN), (self.port_edit, InputKind.DIGITS), (self.key_edit, InputKind.LATIN)):
            touch_input(edit, kind)
        menu.addStretch(1)
        self.backup_button = touch_button("今すぐバックアップ", "backupNowButton", "secondary", self.body)
        self.backup_button.clicked.connect(self.backup_now)
        menu.addWidget(self.backup_button)
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(lambda: self.navigator.go("TopScreen"))
        menu.addWidget(back)
        row.addLayout(menu, 1)
        column = QVBoxLayout()
        column.addWidget(self.pages, 1)
        self.notice_label = QLabel("", self.body)
        self.notice_label.setObjectName("settingsNotice")
        self.notice_label.setProperty("role", "info")
        self.notice_label.setWordWrap(True)
        column.addWidget(self.notice_label)
        row.addLayout(column, 5)

    def show_page(self, index: int) -> None:
        """Show page ``index`` with its stored values (a back office page reloads them)."""
        self.show_message("")
        self.show_notice("")
        page = self.pages.widget(index)
        if page in self.backoffice_pages:
            page.load()
        self.pages.setCurrentIndex(index)

    def show_message(self, text: str) -> None:
        super().show_message(text)
        if text and hasattr(self, "notice_label"):
            self.notice_label.setText("")

    def show_notice(self, text: str) -> None:
        """A confirmation (saved, printed) below the page; a refusal goes to the message line."""
        self.notice_label.setText(text)

    # --- 今すぐバックアップ (issue 13) ----------------------------------------
    def backup_now(self) -> None:
        self.backup_button.setEnabled(False)
        self.show_message("バックアップ中…")
        staff = self.context.staff
        self.context.backups.run("manual", staff.id if staff else None, self.show_backup_result)

    def show_backup_result(self, result) -> None:
        self.backup_button.setEnabled(True)
        self.show_message("")
        if not self.isVisible():  # left 設定 meanwhile: the top screen shows a failure anyway
            return
        text = result.message if result else "この台帳（PostgreSQL）はデータベース側でバックアップしてください。"
        dialog = MessageDialog(self, "BackupResultDialog", "バックアップ", text, [("closeButton", "閉じる", "secondary")])
        dialog.setMinimumWidth(820)  # room for the backup's path
        dialog.open()

    # --- 機器接続 ------------------------------------------------------------
    def _device_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel("機器接続", page)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        check = touch_button("決済端末接続", "terminalCheckButton", "primary", page)
        check.setMaximumWidth(420)
        check.clicked.connect(self.check_terminal)
        layout.addWidget(check)
        self.check_result = QLabel("「決済端末接続」をタップすると、決済端末との接続を確認します。", page)
        self.check_result.setObjectName("terminalCheckResult")
        self.check_result.setWordWrap(True)
        self.check_result.setProperty("role", "detail")
        layout.addWidget(self.check_result)
        layout.addStretch(1)
        return page

    def check_terminal(self) -> None:
        self.check_result.setText("確認中…")  # first: a quick answer may arrive within check()
        if not self.context.terminal.check(self.show_check_result):
            self.check_result.setText("決済端末が設定されていません（「決済端末設定」で設定してください）。")

    def show_check_result(self, result: DiagnosisResult) -> None:
        self._show_check_text(result)
        # The shared hints name the dialogs' 「再接続」; on this screen the button is 「決済端末接続」.
        self.check_result.setText(self.check_result.text().replace("「再接続」", "「決済端末接続」"))

    def _show_check_text(self, result: DiagnosisResult) -> None:
        if result.outcome is Outcome.SUCCESS and result.info:
            info = result.info
            profile = TERMINAL_PROFILES[info.profile].name if info.profile in TERMINAL_PROFILES else info.profile
            self.check_result.setText(
                f"接続しました。\n端末ID：{info.poi_id}（{profile}）\nバッテリー：{info.battery}%\n状態：{info.state}"
            )
        elif result.login is not None and not result.login.connected:
            self.check_result.setText(f"接続できません。\n{login_problem_text(result.login)}")
        else:
            error = result.error
            reason = f"[{error.code}] {error.message}" if error and error.code else (error.message if error else "応答がありません。")
            self.check_result.setText(f"接続できません。\n{reason}")

    # --- 決済端末設定 ------------------------------------------------------
    def _terminal_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setVerticalSpacing(12)
        grid.setHorizontalSpacing(16)  # the captions never touch the first field
        heading = QLabel("決済端末設定", page)
        heading.setProperty("role", "title")
        grid.addWidget(heading, 0, 0, 1, 4)
        grid.addWidget(QLabel("端末の種類", page), 1, 0)
        self.profile_group = QButtonGroup(self)
        for column, (profile, spec) in enumerate(TERMINAL_PROFILES.items(), start=1):
            button = touch_button(spec.name, f"profile_{profile}", "toggle", page, checkable=True)
            button.setProperty("profile", profile)
            self.profile_group.addButton(button)
            grid.addWidget(button, 1, column)
        self.host_edit = self._edit(page, "terminalHostEdit", "例: 192.168.1.50")
        self.port_edit = self._edit(page, "terminalPortEdit", "例: 9201")
        self.key_edit = self._edit(page, "pairingKeyEdit", "決済端末に表示されたペアリングキー")
        self.key_edit.setEchoMode(QLineEdit.PasswordEchoOnEdit)
        for row, (label, edit) in enumerate((("IPアドレス", self.host_edit), ("ポート", self.port_edit), ("ペアリングキー", self.key_edit)), start=2):
            grid.addWidget(QLabel(label, page), row, 0)
            grid.addWidget(edit, row, 1, 1, 3)
        grid.addWidget(QLabel("契約済みの決済手段", page), 5, 0)
        self.method_buttons = {}
        for column, (method, label) in enumerate(METHODS, start=1):
            button = touch_button(label, f"method_{method}", "toggle", page, checkable=True)
            self.method_buttons[method] = button
            grid.addWidget(button, 5, column)
        generate = touch_button("キーを生成", "generateKeyButton", "secondary", page)
        generate.clicked.connect(self.generate_key)
        grid.addWidget(generate, 6, 1)
        save = touch_button("保存", "saveSettingsButton", "primary", page)
        save.clicked.connect(self.save_terminal_settings)
        grid.addWidget(save, 6, 3)
        grid.setRowStretch(7, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        return page

    @staticmethod
    def _edit(parent: QWidget, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def enter(self, authorized_by=None, **kwargs) -> None:
        self.authorized_by = authorized_by
        settings = self.context.settings
        for button in self.profile_group.buttons():
            button.setChecked(button.property("profile") == settings.terminal_profile)
        self.host_edit.setText(settings.terminal_host)
        self.port_edit.setText(str(settings.terminal_port))
        self.key_edit.setEchoMode(QLineEdit.PasswordEchoOnEdit)
        self.key_edit.setText(settings.terminal_pairing_key)
        for method, button in self.method_buttons.items():
            button.setChecked(method in settings.terminal_methods)
        self.device_tab.setChecked(True)
        self.pages.setCurrentIndex(0)
        self.notice_label.setText("")
        self.check_result.setText("「決済端末接続」をタップすると、決済端末との接続を確認します。")

    def terminal_form_errors(self) -> tuple[dict, str | None]:
        """The form as setting values, or the first problem in plain Japanese."""
        checked = self.profile_group.checkedButton()
        profile = checked.property("profile") if checked else None
        host = self.host_edit.text().strip()
        port_text = self.port_edit.text().strip()
        key = self.key_edit.text().strip()
        methods = [m for m, b in self.method_buttons.items() if b.isChecked()]
        if profile is None:
            return {}, "端末の種類を選んでください。"
        if terminal_profile(profile).linked:
            if not _valid_host(host):
                return {}, "IPアドレスが正しくありません（例: 192.168.1.50）。"
            if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
                return {}, "ポートは1〜65535の数字で入力してください。"
            if len(key) < MIN_PAIRING_KEY_LENGTH:
                return {}, f"ペアリングキーは{MIN_PAIRING_KEY_LENGTH}文字以上で入力してください。"
            if not demo_key_allowed(host, key):
                return {}, ("デモ用のペアリングキーは、このレジの中のシミュレーター(127.0.0.1)専用です。"
                            "お店のキーを入力するか「キーを生成」してください。")
            if not methods:
                return {}, "契約済みの決済手段を1つ以上選んでください。"
        values = {"terminal_profile": profile}
        if terminal_profile(profile).linked:
            values.update(terminal_host=host, terminal_port=int(port_text), terminal_pairing_key=key, terminal_methods=methods)
        return values, None

    def generate_key(self) -> None:
        """A fresh shop key, shown in clear so it can be keyed into the terminal too."""
        self.key_edit.setEchoMode(QLineEdit.Normal)
        self.key_edit.setText(new_pairing_key())
        self.show_message("新しいペアリングキーを作りました。決済端末にも同じキーを設定してから「保存」してください。")

    def save_terminal_settings(self) -> None:
        values, problem = self.terminal_form_errors()
        if problem:
            self.show_message(problem)
            return
        new = replace(self.context.settings, **values)
        try:
            new.terminal_config()
        except ValueError as error:
            self.show_message(f"設定が正しくありません：{error}")
            return
        staff = self.context.staff
        self.context.ledger.save_settings(new, staff.id if staff else None,
                                          authorized_by_id=self.authorized_by.id if self.authorized_by else None)
        self.context.reload_settings()
        self.context.apply_terminal_settings()
        if self.context.ledger.current_day():
            self.context.terminal.connect_terminal(lambda _result: None)
        self.show_message("")
        self.check_result.setText("保存しました。「決済端末接続」で接続を確認してください。")
        self.device_tab.setChecked(True)
        self.pages.setCurrentIndex(0)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(HOSTNAME.match(host)) and not host.replace(".", "").isdigit()
