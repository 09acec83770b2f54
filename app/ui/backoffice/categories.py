"""``CategoryDialog`` (商品 > 「カテゴリ編集」, SPEC §8): the categories in checkout order — tap one,
then rename it, or move it with 「▲ 前へ」 / 「▼ 後へ」; add a new one (last). Each change is
saved and audited at once (app.core.ledger.catalog_admin); a refusal stays in the dialog's
message line and changes nothing. Categories are never deleted: products keep theirs."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout

from app.core.errors import RegiError
from app.core.ledger.catalog_admin import CatalogBook
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import message_line, titled_layout
from app.ui.widgets.discard import clear_layout
from app.ui.widgets.touch_list import touch_list


class CategoryDialog(QDialog):
    def __init__(self, parent, book: CatalogBook, actor_id: Callable[[], int | None]):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.setObjectName("CategoryDialog")
        self.setModal(True)
        self.setMinimumSize(900, 600)
        self.book, self.actor_id = book, actor_id
        self.selected_id: int | None = None
        layout = titled_layout(self, "カテゴリ編集", "会計画面のカテゴリは上からこの順に並びます。カテゴリをタップして選んでください。")
        layout.setSpacing(12)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        scroll, self.rows = touch_list(self, spacing=6)
        columns.addWidget(scroll, 1)
        form = QGridLayout()
        form.setSpacing(10)
        self.name_edit = text_field(self, "categoryNameEdit", InputKind.JAPANESE, "カテゴリ名", max_length=40)
        form.addWidget(self.name_edit, 0, 0, 1, 2)
        self.rename_button = touch_button("名前を変更", "renameCategoryButton", "secondary", self)
        self.rename_button.clicked.connect(self.rename)
        add = touch_button("新しく追加", "addCategoryButton", "secondary", self)
        add.clicked.connect(self.add)
        form.addWidget(self.rename_button, 1, 0)
        form.addWidget(add, 1, 1)
        self.up_button = touch_button("▲ 前へ", "moveCategoryUpButton", "secondary", self)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = touch_button("▼ 後へ", "moveCategoryDownButton", "secondary", self)
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        form.addWidget(self.up_button, 2, 0)
        form.addWidget(self.down_button, 2, 1)
        self.message_label = message_line(self)
        form.addWidget(self.message_label, 3, 0, 1, 2)
        form.setRowStretch(4, 1)
        columns.addLayout(form, 1)
        layout.addLayout(columns, 1)
        close = touch_button("閉じる", "closeButton", "primary", self)
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.load()

    def load(self) -> None:
        clear_layout(self.rows, keep_last=1)  # the final stretch
        categories = self.book.categories()
        for category in categories:
            button = touch_button(category.name, f"categoryRow_{category.id}", "toggle", self, checkable=True)
            button.setChecked(category.id == self.selected_id)
            button.clicked.connect(lambda _=False, c=category: self.select(c.id, c.name))
            self.rows.insertWidget(self.rows.count() - 1, button)
        chosen = [c.id for c in categories]
        position = chosen.index(self.selected_id) if self.selected_id in chosen else None
        self.rename_button.setEnabled(position is not None)
        self.up_button.setEnabled(position is not None and position > 0)
        self.down_button.setEnabled(position is not None and position < len(chosen) - 1)

    def select(self, category_id: int, name: str) -> None:
        self.selected_id = category_id
        self.name_edit.setText(name)
        self.message_label.setText("")
        self.load()

    def rename(self) -> None:
        self._save(self.selected_id)

    def add(self) -> None:
        self._save(None)

    def _save(self, category_id: int | None) -> None:
        try:
            category = self.book.save_category(category_id, self.name_edit.text(), by=self.actor_id())
        except RegiError as error:
            self.message_label.setText(error.message)
            return
        self.select(category.id, category.name)

    def move_selected(self, step: int) -> None:  # not move(): that is QWidget.move, which others call
        self.book.move_category(self.selected_id, step, by=self.actor_id())
        self.load()
