"""商品 (SPEC §8): categories and products edited on the tablet, and the catalogue as CSV.

A product is picked in the list (filtered by category), edited in the form and saved; 「▲」 /
「▼」 move it among its category's tiles. 「カテゴリ編集」 renames, reorders and adds categories.

「CSV読込」 reads the file named in the path field (UTF-8 or Shift_JIS), then shows either
every broken row (line number and reason — and imports nothing) or a preview of what will
change, imported only on 「取り込む」. 「CSV書出」 writes the same format to that path.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QVBoxLayout
from shiboken6 import isValid

from app.core.catalog_csv import TAX_LABELS, NotCsvError, parse
from app.core.errors import RegiError
from app.core.ledger.catalog_admin import FIELD_LABELS, CatalogBook, PlannedChange
from app.core.money import REDUCED_RATE, STANDARD_RATE, TaxRounding, format_yen, inclusive_tax_yen
from app.core.shop_rules import price_problem
from app.ui.backoffice.categories import CategoryDialog
from app.ui.backoffice.page import SettingsPage, add_row, check_value, checked_value, choice_row, form_grid
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import message_line
from app.ui.widgets.discard import clear_layout
from app.ui.widgets.touch_list import touch_list

TAXES = (("food", "飲食料品（8%/10%）"), ("standard", "標準（10%）"))


class CatalogPage(SettingsPage):
    title = "商品"

    def __init__(self, screen):
        super().__init__(screen)
        self.setObjectName("catalogPage")
        self.book = CatalogBook(self.context.ledger)
        self.product_id: int | None = None
        columns = QHBoxLayout()
        left = QVBoxLayout()
        filter_row = QHBoxLayout()
        self.filter_combo = _combo(self, "categoryFilterCombo")
        self.filter_combo.activated.connect(lambda _i: self._list_products())
        categories = touch_button("カテゴリ編集", "editCategoriesButton", "secondary", self)
        categories.clicked.connect(self.edit_categories)
        filter_row.addWidget(self.filter_combo, 3)
        filter_row.addWidget(categories, 2)
        left.addLayout(filter_row)
        product_row = QHBoxLayout()
        new = touch_button("商品を追加", "newProductButton", "secondary", self)
        new.clicked.connect(lambda: self.select_product(None))
        self.up_button = touch_button("▲", "moveProductUpButton", "secondary", self)
        self.up_button.clicked.connect(lambda: self.move_product(-1))
        self.down_button = touch_button("▼", "moveProductDownButton", "secondary", self)
        self.down_button.clicked.connect(lambda: self.move_product(1))
        product_row.addWidget(new, 2)
        product_row.addWidget(self.up_button, 1)
        product_row.addWidget(self.down_button, 1)
        left.addLayout(product_row)
        self.list_scroll, self.rows = touch_list(self, spacing=6)
        left.addWidget(self.list_scroll, 1)
        columns.addLayout(left, 2)

        form = QVBoxLayout()
        grid = form_grid()
        self.code_edit = text_field(self, "productCodeEdit", InputKind.LATIN, "例: 101", max_length=20)
        self.name_edit = text_field(self, "productNameEdit", InputKind.JAPANESE, "例: カフェラテ", max_length=60)
        self.price_edit = text_field(self, "productPriceEdit", InputKind.DIGITS, "税込（円）", max_length=12)
        taxes, self.tax_group = choice_row(self, TAXES, "tax")
        self.category_combo = _combo(self, "productCategoryCombo")
        self.order_edit = text_field(self, "productOrderEdit", InputKind.DIGITS, "小さい順に表示", max_length=6)
        on_sale, self.active_group = choice_row(self, (("on", "販売する"), ("off", "販売しない")), "productActive")
        add_row(grid, "商品コード", self.code_edit, "表示順", self.order_edit)
        add_row(grid, "商品名", self.name_edit)
        add_row(grid, "価格（税込）", self.price_edit, "カテゴリ", self.category_combo)
        add_row(grid, "税区分", taxes)
        add_row(grid, "販売", on_sale)
        form.addLayout(grid)
        self.tax_note = QLabel("", self)  # what the price holds at each rate the product is sold at
        self.tax_note.setObjectName("productTaxNote")
        self.tax_note.setProperty("role", "info")
        self.tax_note.setWordWrap(True)
        form.addWidget(self.tax_note)
        self.price_edit.textChanged.connect(self.show_tax)
        self.tax_group.buttonClicked.connect(self.show_tax)
        save = touch_button("商品を保存", "saveProductButton", "primary", self)
        save.clicked.connect(self.save_product)
        form.addWidget(save)
        form.addStretch(1)
        columns.addLayout(form, 3)
        self.layout_.addLayout(columns, 1)

        csv_row = QHBoxLayout()
        self.path_edit = text_field(self, "csvPathEdit", InputKind.LATIN, "CSVファイル（例: /media/usb/products.csv）", max_length=300)
        import_button = touch_button("CSV読込", "importCsvButton", "secondary", self)
        import_button.clicked.connect(self.import_csv)
        export_button = touch_button("CSV書出", "exportCsvButton", "secondary", self)
        export_button.clicked.connect(self.export_csv)
        csv_row.addWidget(QLabel("CSV", self))
        csv_row.addWidget(self.path_edit, 3)
        csv_row.addWidget(import_button, 1)
        csv_row.addWidget(export_button, 1)
        self.layout_.addLayout(csv_row)

    # --- showing -----------------------------------------------------------
    def load(self) -> None:
        categories = self.book.categories()
        current = self.filter_combo.currentData()
        for combo in (self.filter_combo, self.category_combo):
            combo.clear()
        self.filter_combo.addItem("すべてのカテゴリ", None)
        for category in categories:
            self.filter_combo.addItem(category.name, category.id)
            self.category_combo.addItem(category.name, category.id)
        self.filter_combo.setCurrentIndex(max(self.filter_combo.findData(current), 0))
        if not self.path_edit.text() and self.context.data_dir is not None:
            self.path_edit.setText(str(Path(self.context.data_dir) / "products.csv"))
        self._list_products()
        self.select_product(self.product_id)

    def _list_products(self) -> None:
        clear_layout(self.rows, keep_last=1)  # the final stretch
        for product in self.book.products(self.filter_combo.currentData()):
            label = f"{product.name}  {format_yen(product.price_yen)}" + ("" if product.active else "（販売しない）")
            button = touch_button(label, f"editProduct_{product.code}", "toggle", self, checkable=True)
            button.clicked.connect(lambda _=False, i=product.id: self.select_product(i))
            self.rows.insertWidget(self.rows.count() - 1, button)

    def select_product(self, product_id: int | None) -> None:
        product = next((p for p in self.book.products() if p.id == product_id), None)
        self.product_id = product.id if product else None
        for index in range(self.rows.count() - 1):
            button = self.rows.itemAt(index).widget()
            button.setChecked(product is not None and button.objectName() == f"editProduct_{product.code}")
            if button.isChecked():  # a moved product stays in sight (once the list is laid out)
                QTimer.singleShot(0, lambda b=button: isValid(b) and self.list_scroll.ensureWidgetVisible(b))
        self.code_edit.setText(product.code or "" if product else "")
        self.name_edit.setText(product.name if product else "")
        self.price_edit.setText(str(product.price_yen) if product else "")
        check_value(self.tax_group, product.tax_class if product else "food")
        category = product.category_id if product else self.filter_combo.currentData()
        self.category_combo.setCurrentIndex(max(self.category_combo.findData(category), 0))
        self.order_edit.setText(str(product.sort_order) if product else "0")
        check_value(self.active_group, "off" if product and not product.active else "on")
        self.up_button.setEnabled(product is not None)
        self.down_button.setEnabled(product is not None)
        self.show_tax()

    def show_tax(self, *_args) -> None:
        settings = self.context.settings
        self.tax_note.setText(tax_note(self.price_edit.text(), checked_value(self.tax_group), settings.sells_food,
                                       TaxRounding(settings.tax_rounding)))

    # --- editing -----------------------------------------------------------
    def save_product(self) -> None:
        try:
            product = self.book.save_product(
                self.product_id, code=self.code_edit.text(), name=self.name_edit.text(), price=self.price_edit.text(),
                tax_class=checked_value(self.tax_group) or "", category_id=self.category_combo.currentData(),
                sort_order=self.order_edit.text(), active=checked_value(self.active_group) != "off", by=self.actor_id())
        except RegiError as error:
            self.show_message(error.message)
            return
        self.product_id = product.id
        self.show_message("")
        self.load()
        self.screen.show_notice(f"「{product.name}」を保存しました。")

    def move_product(self, step: int) -> None:
        """One place earlier (−1) or later among its category's tiles; the list follows."""
        if not self.book.move_product(self.product_id, step, by=self.actor_id()):
            self.show_message("これ以上" + ("前" if step < 0 else "後") + "には動かせません。")
            return
        self.show_message("")
        self.load()

    def edit_categories(self) -> None:
        dialog = CategoryDialog(self, self.book, self.actor_id)
        dialog.finished.connect(lambda _result: self.load())  # names and order as changed there
        dialog.open()

    # --- CSV ---------------------------------------------------------------
    def _path(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            self.show_message("CSVファイルの場所を入力してください。")
            return None
        return Path(text).expanduser()

    def import_csv(self) -> None:
        path = self._path()
        if path is None:
            return
        try:
            data = path.read_bytes()
        except OSError:
            self.show_message(f"CSVファイル「{path}」を開けません。場所を確認してください。")
            return
        try:
            rows, errors, encoding = parse(data)
        except NotCsvError as error:
            self.show_message(str(error) + " 何も取り込んでいません。")
            return
        if errors:
            self.show_message(f"CSVに誤りが{len(errors)}行あります。何も取り込んでいません。")
            CsvReportDialog(self, "CsvErrorsDialog", "CSVの誤り", [str(e) for e in errors], None).open()
            return
        plan = self.book.plan_import(rows)
        lines = [_plan_line(change) for change in plan if change.kind != "same"]
        if not lines:
            self.show_message("")
            self.screen.show_notice("CSVの内容は今の商品と同じです。変更はありません。")
            return
        summary = (f"{encoding}のCSV・{len(rows)}行：新規{sum(c.kind == 'new' for c in plan)}件、"
                   f"変更{sum(c.kind == 'change' for c in plan)}件、変更なし{sum(c.kind == 'same' for c in plan)}件")
        dialog = CsvReportDialog(self, "CsvPreviewDialog", "CSV取り込みの確認", lines, summary)
        dialog.accepted.connect(lambda: self._import(rows))
        dialog.open()

    def _import(self, rows) -> None:
        changed = self.book.import_rows(rows, by=self.actor_id())
        self.show_message("")
        self.load()
        self.screen.show_notice(f"CSVから{changed}件の商品を取り込みました。")

    def export_csv(self) -> None:
        path = self._path()
        if path is None:
            return
        try:
            path.write_bytes(self.book.export_csv())
        except OSError:
            self.show_message(f"CSVファイル「{path}」に書き出せません。場所を確認してください。")
            return
        self.show_message("")
        self.screen.show_notice(f"商品をCSVに書き出しました：{path}")


def tax_note(price_text: str, tax_class: str | None, sells_food: bool, rounding: TaxRounding) -> str:
    """「税込¥520：持ち帰り8% うち消費税¥38／店内10% うち消費税¥47」; empty while the price is not valid.
    飲食料品 is 8 % only taken out, and only where the shop asks 店内 / 持ち帰り (else it is eaten in)."""
    if price_problem(price_text) or tax_class is None:
        return ""
    price = int(price_text.strip().replace(",", ""))
    rates = ((("持ち帰り", REDUCED_RATE), ("店内", STANDARD_RATE)) if tax_class == "food" and sells_food
             else (("店内" if tax_class == "food" else "", STANDARD_RATE),))
    parts = [f"{label}{rate}% うち消費税{format_yen(inclusive_tax_yen(price, rate, rounding))}" for label, rate in rates]
    return f"税込{format_yen(price)}：" + "／".join(parts)


def _plan_line(change: PlannedChange) -> str:
    row = change.row
    if change.kind == "new":
        return f"新規 {row.code} {row.name} {format_yen(row.price_yen)} {TAX_LABELS[row.tax_class]} {row.category}"
    parts = [f"{FIELD_LABELS[key]} {_shown(key, old)} → {_shown(key, new)}" for key, (old, new) in change.changes.items()]
    return f"変更 {row.code} {row.name}：" + "、".join(parts)


def _shown(key: str, value) -> str:
    if key == "price_yen":
        return format_yen(value)
    if key == "tax_class":
        return TAX_LABELS.get(value, str(value))
    if key == "active":
        return "販売する" if value else "販売しない"
    return str(value)


def _combo(parent, name: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setMinimumHeight(56)
    return combo


class CsvReportDialog(QDialog):
    """Lines to read (errors, or the changes an import will make). With a ``summary`` it is a
    preview: 「取り込む」 accepts; without, only 「閉じる」."""

    def __init__(self, parent, name: str, title: str, lines: list[str], summary: str | None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setModal(True)
        self.setMinimumSize(760, 520)
        layout = QVBoxLayout(self)
        heading = QLabel(title, self)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        if summary:
            layout.addWidget(QLabel(summary, self))
        else:
            notice = message_line(self)
            notice.setText("誤りのある行を直してから、もう一度読み込んでください。何も取り込んでいません。")
            layout.addWidget(notice)
        scroll, rows = touch_list(self, spacing=2)
        self.lines = lines
        for index, text in enumerate(lines):
            label = QLabel(text)
            label.setObjectName(f"csvLine_{index}")
            label.setWordWrap(True)
            rows.insertWidget(rows.count() - 1, label)
        layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        close = touch_button("キャンセル" if summary else "閉じる", "cancelButton" if summary else "closeButton", "secondary", self)
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        if summary:
            ok = touch_button("取り込む", "confirmButton", "primary", self)
            ok.clicked.connect(self.accept)
            buttons.addWidget(ok)
        layout.addLayout(buttons)
