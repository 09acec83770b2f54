"""スタッフ (SPEC §8): the list of staff, and a form to add one, rename, set the role
(責任者 / 担当者), enable / disable, and reset a password keyed twice. The last manager
can be neither demoted nor disabled (app.core.ledger.staff_admin)."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.staff_admin import ROLES, StaffBook
from app.ui.backoffice.page import SettingsPage, add_row, check_value, checked_value, choice_row, form_grid
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.discard import clear_layout
from app.ui.widgets.touch_list import touch_list


class StaffPage(SettingsPage):
    title = "スタッフ"

    def __init__(self, screen):
        super().__init__(screen)
        self.setObjectName("staffPage")
        self.book = StaffBook(self.context.ledger)
        self.selected_id: int | None = None
        columns = QHBoxLayout()
        left = QVBoxLayout()
        new = touch_button("新規登録", "newStaffButton", "secondary", self)
        new.clicked.connect(lambda: self.select(None))
        left.addWidget(new)
        scroll, self.rows = touch_list(self, spacing=6)
        left.addWidget(scroll, 1)
        columns.addLayout(left, 2)
        form = QVBoxLayout()
        self.form_title = QLabel("", self)
        self.form_title.setObjectName("staffFormTitle")
        form.addWidget(self.form_title)
        grid = form_grid()
        self.name_edit = text_field(self, "staffNameEdit", InputKind.JAPANESE, "例: 田中", max_length=40)
        add_row(grid, "名前", self.name_edit)
        roles, self.role_group = choice_row(self, tuple(ROLES.items()), "role")
        add_row(grid, "役割", roles)
        active, self.active_group = choice_row(self, (("on", "有効"), ("off", "無効")), "staffActive")
        add_row(grid, "ログイン", active)
        self.password_edit = text_field(self, "passwordEdit", InputKind.PIN, "4〜8桁の数字", max_length=8)
        add_row(grid, "パスワード", self.password_edit)
        self.again_edit = text_field(self, "passwordAgainEdit", InputKind.PIN, "もう一度", max_length=8)
        add_row(grid, "パスワード（確認）", self.again_edit)
        form.addLayout(grid)
        buttons = QHBoxLayout()
        self.reset_button = touch_button("パスワード変更", "resetPasswordButton", "secondary", self)
        self.reset_button.clicked.connect(self.reset_password)
        save = touch_button("保存", "saveStaffButton", "primary", self)
        save.clicked.connect(self.save)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(save)
        form.addLayout(buttons)
        form.addStretch(1)
        columns.addLayout(form, 3)
        self.layout_.addLayout(columns, 1)

    def load(self) -> None:
        clear_layout(self.rows, keep_last=1)  # the final stretch
        for member in self.book.all():
            label = f"{member.name}（{ROLES[member.role]}）" + ("" if member.active else " 無効")
            button = touch_button(label, f"staff_{member.id}", "toggle", self, checkable=True)
            button.setProperty("staffName", member.name)
            button.clicked.connect(lambda _=False, i=member.id: self.select(i))
            self.rows.insertWidget(self.rows.count() - 1, button)
        self.select(self.selected_id if any(m.id == self.selected_id for m in self.book.all()) else None)

    def select(self, staff_id: int | None) -> None:
        self.selected_id = staff_id
        member = next((m for m in self.book.all() if m.id == staff_id), None)
        for index in range(self.rows.count() - 1):
            button = self.rows.itemAt(index).widget()
            button.setChecked(button.objectName() == f"staff_{staff_id}")
        self.form_title.setText(f"{member.name} さん" if member else "新しいスタッフ")
        self.name_edit.setText(member.name if member else "")
        check_value(self.role_group, member.role if member else "cashier")
        check_value(self.active_group, "off" if member and not member.active else "on")
        self.password_edit.clear()
        self.again_edit.clear()
        self.reset_button.setEnabled(member is not None)

    def save(self) -> None:
        name, role = self.name_edit.text(), checked_value(self.role_group) or ""
        try:
            if self.selected_id is None:
                member = self.book.add(name, role, self.password_edit.text(), self.again_edit.text(), by=self.actor_id())
                self.selected_id = member.id
                notice = f"{member.name} さんを登録しました。"
            else:
                member = self.book.update(self.selected_id, name=name, role=role,
                                          active=checked_value(self.active_group) != "off", by=self.actor_id())
                notice = f"{member.name} さんを保存しました。"
        except RegiError as error:
            self.show_message(error.message)
            return
        self.show_message("")
        self.load()
        self.screen.show_notice(notice)

    def reset_password(self) -> None:
        try:
            self.book.reset_password(self.selected_id, self.password_edit.text(), self.again_edit.text(), by=self.actor_id())
        except RegiError as error:
            self.show_message(error.message)
            return
        self.show_message("")
        self.password_edit.clear()
        self.again_edit.clear()
        self.screen.show_notice("パスワードを変更しました。")
