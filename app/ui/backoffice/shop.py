"""店舗情報 (SPEC §8): shop name, address, phone, 登録番号, register code and name — printed
on the next receipt. A 登録番号 whose check digit does not follow the corporate-number rule
is saved only after the manager confirms it (sole proprietors' numbers need not follow it)."""
from __future__ import annotations

from app.core.errors import RegiError
from app.core.ledger.shop_admin import SHOP_FIELDS, save_shop, shop_problem
from app.core.shop_rules import registration_check_digit_ok
from app.ui.backoffice.page import SettingsPage, add_row, form_grid
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.dialogs import MessageDialog

FIELDS = (
    # setting, label, objectName, keyboard, placeholder, max length
    ("shop_name", "店舗名", "shopNameEdit", InputKind.JAPANESE, "例: カフェ・レギ 渋谷店", 40),
    ("shop_address", "住所", "shopAddressEdit", InputKind.JAPANESE, "例: 東京都渋谷区神南1-2-3", 80),
    ("shop_phone", "電話番号", "shopPhoneEdit", InputKind.PHONE, "例: 03-1234-5678", 20),
    ("registration_number", "登録番号", "registrationNumberEdit", InputKind.LATIN, "T + 13桁（例: T1234567890123）", 14),
    ("register_code", "レジコード", "registerCodeEdit", InputKind.LATIN, "例: R01", 20),
    ("register_name", "レジ名", "registerNameEdit", InputKind.JAPANESE, "例: レジ1", 40),
)


class ShopPage(SettingsPage):
    title = "店舗情報"

    def __init__(self, screen):
        super().__init__(screen)
        self.setObjectName("shopPage")
        grid = form_grid()
        self.edits = {}
        for key, label, name, kind, placeholder, length in FIELDS:
            self.edits[key] = text_field(self, name, kind, placeholder, max_length=length)
            add_row(grid, label, self.edits[key])
        self.layout_.addLayout(grid)
        save = touch_button("保存", "saveShopButton", "primary", self)
        save.clicked.connect(self.save)
        self.layout_.addWidget(save)
        self.layout_.addStretch(1)

    def load(self) -> None:
        settings = self.context.settings
        for key in SHOP_FIELDS:
            self.edits[key].setText(getattr(settings, key))

    def values(self) -> dict:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def save(self) -> None:
        values = self.values()
        problem = shop_problem(values)
        if problem:
            self.show_message(problem)
            return
        number = values["registration_number"]
        if number and number != self.context.settings.registration_number and not registration_check_digit_ok(number):
            dialog = MessageDialog(self, "RegistrationConfirmDialog", "登録番号の確認",
                                   f"登録番号「{number}」は法人番号のチェックデジットと合いません。\n"
                                   "個人事業者の番号など、このままで正しい場合は「このまま保存」を押してください。",
                                   [("cancelButton", "入力し直す", "secondary"), ("confirmButton", "このまま保存", "primary")])
            dialog.chosen.connect(lambda choice: self._store(values) if choice == "confirmButton" else None)
            dialog.open()
            return
        self._store(values)

    def _store(self, values: dict) -> None:
        staff = self.context.staff
        authorized = getattr(self.screen, "authorized_by", None)
        try:
            save_shop(self.context.ledger, values, staff.id if staff else None, authorized.id if authorized else None)
        except RegiError as error:
            self.show_message(error.message)
            return
        self.context.reload_settings()
        self.show_message("")
        self.screen.show_notice("店舗情報を保存しました。次のレシートから使われます。")
