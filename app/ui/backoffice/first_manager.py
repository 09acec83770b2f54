"""``FirstManagerDialog``: an empty ledger has nobody to log in — its first manager (責任者) is
registered here, from LoginScreen's 「はじめての設定」; the rest of the shop is set up in 設定."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout

from app.core.errors import RegiError
from app.core.ledger.staff_admin import StaffBook
from app.ui.backoffice.page import add_row, form_grid
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import message_line, titled_layout


class FirstManagerDialog(QDialog):
    def __init__(self, parent, ledger, on_done):
        super().__init__(parent)
        self.setObjectName("FirstManagerDialog")
        self.setModal(True)
        self.setMinimumWidth(640)
        self.book, self.on_done = StaffBook(ledger), on_done
        layout = titled_layout(self, "はじめての設定",
                               "最初の責任者を登録します。ログインしたら「設定」で店舗情報・プリンター・スタッフ・商品を設定してください。")
        grid = form_grid()
        self.name_edit = text_field(self, "staffNameEdit", InputKind.JAPANESE, "例: 山田", max_length=40)
        add_row(grid, "名前", self.name_edit)
        self.password_edit = text_field(self, "passwordEdit", InputKind.PIN, "4〜8桁の数字", max_length=8)
        add_row(grid, "パスワード", self.password_edit)
        self.again_edit = text_field(self, "passwordAgainEdit", InputKind.PIN, "もう一度", max_length=8)
        add_row(grid, "パスワード（確認）", self.again_edit)
        layout.addLayout(grid)
        self.message_label = message_line(self)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        cancel = touch_button("キャンセル", "cancelButton", "secondary", self)
        cancel.clicked.connect(self.reject)
        ok = touch_button("登録", "confirmButton", "primary", self)
        ok.clicked.connect(self.submit)
        row.addWidget(cancel)
        row.addWidget(ok)
        layout.addLayout(row)

    def submit(self) -> None:
        try:
            self.book.add(self.name_edit.text(), "manager", self.password_edit.text(), self.again_edit.text(), by=None)
        except RegiError as error:
            self.message_label.setText(error.message)
            return
        self.accept()
        self.on_done()
