"""LoginScreen (R-LOGIN): 「担当者選択」 staff tiles, keypad password, 「ログイン」 (verified off the UI thread)."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.ui.background import password_checks
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.discard import discard
from app.ui.widgets.tenkey import TenKey


class LoginScreen(Screen):
    title = "ログイン"

    def __init__(self, *args):
        super().__init__(*args)
        row = QHBoxLayout(self.body)
        row.setContentsMargins(32, 24, 32, 16)
        row.setSpacing(32)

        left = QVBoxLayout()
        heading = QLabel("担当者選択", self.body)
        heading.setProperty("role", "title")
        left.addWidget(heading)
        self.staff_grid = QGridLayout()
        self.staff_grid.setSpacing(12)
        left.addLayout(self.staff_grid)
        self.first_setup_button = touch_button("はじめての設定（責任者の登録）", "firstSetupButton", "primary", self.body)
        self.first_setup_button.clicked.connect(self.first_setup)
        left.addWidget(self.first_setup_button)
        left.addStretch(1)
        row.addLayout(left, 3)

        right = QVBoxLayout()
        right.setSpacing(12)
        self.selected_label = QLabel("担当者を選んでください", self.body)
        self.selected_label.setObjectName("selectedStaffLabel")
        self.selected_label.setProperty("role", "title")
        right.addWidget(self.selected_label)
        right.addWidget(QLabel("パスワード", self.body))
        self.password_display = QLabel("", self.body)
        self.password_display.setObjectName("passwordDisplay")
        self.password_display.setProperty("role", "display")
        right.addWidget(self.password_display)
        self.keypad = TenKey(8, self.body, code=True)
        self.keypad.changed.connect(lambda _v: self.password_display.setText("●" * len(self.keypad.text)))
        self.keypad.rejected.connect(self.show_message)
        right.addWidget(self.keypad)
        right.addWidget(self.message_label)  # refusals next to where the cashier is looking
        self.login_button = touch_button("ログイン", "loginButton", "primary", self.body)
        self.login_button.clicked.connect(self.submit)
        right.addWidget(self.login_button)
        right.addStretch(1)
        row.addLayout(right, 2)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.selected_staff_id: int | None = None
        self.context.when_ready(self._ledger_opened)

    def _ledger_opened(self) -> None:
        """Tiles painted before the ledger was open stay, unless its opening added staff (the
        demo shop seeded into a ledger that had only its schema)."""
        shown = sorted(button.property("staffId") for button in self.group.buttons())
        if self.navigator.current_screen is self and shown != sorted(m.id for m in self.context.ledger.staff()):
            self.enter()

    def enter(self, **kwargs) -> None:
        self.context.staff = None
        for button in self.group.buttons():
            self.group.removeButton(button)
            discard(button)
        staff = self.context.login_staff()  # before the ledger is open: read without SQLAlchemy
        self.first_setup_button.setVisible(not staff)  # an empty ledger: nobody could log in
        for index, member in enumerate(staff):
            caption = f"{member.name}\n{'責任者' if member.is_manager else '担当者'}"
            tile = touch_button(caption, f"staffTile_{member.id}", "staff", self.body, checkable=True)
            tile.setProperty("staffName", member.name)
            tile.setProperty("staffId", member.id)
            tile.clicked.connect(lambda _=False, m=member: self.select(m.id, m.name))
            self.group.addButton(tile)
            self.staff_grid.addWidget(tile, index // 3, index % 3)
        self.selected_staff_id = None
        self.selected_label.setText("担当者を選んでください")
        self.keypad.clear()

    def first_setup(self) -> None:
        from app.ui.backoffice.first_manager import FirstManagerDialog

        self.context.request_ledger()
        ledger = self.context.ledger_future.result()  # at most the rest of the start-up
        FirstManagerDialog(self, ledger, lambda: self.enter()).open()

    def select(self, staff_id: int, name: str) -> None:
        self.selected_staff_id = staff_id
        self.selected_label.setText(f"{name} さん")
        self.keypad.clear()
        self.show_message("")

    def submit(self) -> None:
        """Check the password on the password worker (scrypt stays off the UI thread, SPEC §9);
        the screen stays responsive with its inputs disabled until the answer is back."""
        if self.selected_staff_id is None:
            self.show_message("担当者を選択してください。")
            return
        opening, staff_id, password = self.context.ledger_future, self.selected_staff_id, self.keypad.text

        def check():  # runs after the ledger's opening (same worker, issue 13): the future is resolved
            from app.core.ledger.backup import backup_due  # not before the first paint (issue 13)

            ledger = opening.result()
            staff = ledger.login(staff_id, password)
            return staff, ledger.current_day() is not None, backup_due(ledger)

        self._set_busy(True)
        self.context.request_ledger()
        password_checks().submit(check, self._logged_in, self._refused)

    def _set_busy(self, busy: bool) -> None:
        self.show_message("確認中…" if busy else "")
        for widget in self.body.findChildren(QAbstractButton):
            widget.setEnabled(not busy)

    def _logged_in(self, result) -> None:
        staff, day_open, backup_due_now = result
        self._set_busy(False)
        self.context.staff = staff
        self.context.backups.after_login(staff.id, due=backup_due_now)
        self.navigator.go("TopScreen" if day_open else "OpenScreen")

    def _refused(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, RegiError):
            raise error
        self.keypad.clear()
        self.show_message(error.message)
