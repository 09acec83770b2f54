"""会計設定 (SPEC §8): tax rounding, 店内 / 持ち帰り on or off, and the その他支払 tenders —
add, rename, retire (a retired tender is no longer offered; old slips keep its name, which
each slip stores with its payment)."""
from __future__ import annotations

from dataclasses import asdict

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from app.core.ledger.settings import OtherTender
from app.core.shop_rules import name_problem
from app.ui.backoffice.page import SettingsPage, add_row, check_value, checked_value, choice_row, form_grid
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.touch_list import touch_list

ROUNDINGS = (("floor", "切り捨て"), ("half_up", "四捨五入"), ("ceil", "切り上げ"))


class CheckoutRulesPage(SettingsPage):
    title = "会計設定"

    def __init__(self, screen):
        super().__init__(screen)
        self.setObjectName("checkoutRulesPage")
        grid = form_grid()
        rounding, self.rounding_group = choice_row(self, ROUNDINGS, "rounding")
        add_row(grid, "消費税の端数", rounding)
        eat_in, self.eat_in_group = choice_row(self, (("on", "使う"), ("off", "使わない")), "eatInChoice")
        add_row(grid, "店内 / 持ち帰り", eat_in)
        self.layout_.addLayout(grid)
        add = touch_button("その他支払を追加", "addTenderButton", "secondary", self)
        add.clicked.connect(lambda: self._add_row(OtherTender(self._new_code(), "")))
        self.layout_.addWidget(add)
        scroll, self.rows = touch_list(self, spacing=6)
        self.layout_.addWidget(scroll, 1)
        save = touch_button("保存", "saveCheckoutRulesButton", "primary", self)
        save.clicked.connect(self.save)
        self.layout_.addWidget(save)
        self.tender_rows: list[tuple[OtherTender, QLineEdit, QWidget]] = []

    def load(self) -> None:
        settings = self.context.settings
        check_value(self.rounding_group, settings.tax_rounding)
        check_value(self.eat_in_group, "on" if settings.sells_food else "off")
        for _tender, _edit, retire in self.tender_rows:
            retire.parentWidget().deleteLater()
        self.tender_rows = []
        for tender in settings.tenders:
            self._add_row(tender)

    def _new_code(self) -> str:
        used = {tender.code for tender, _e, _r in self.tender_rows}
        number = 1
        while f"other_{number}" in used:
            number += 1
        return f"other_{number}"

    def _add_row(self, tender: OtherTender) -> None:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        edit = text_field(row, f"tenderLabel_{tender.code}", InputKind.JAPANESE, "支払方法の名前（例: 商品券）", max_length=40)
        edit.setText(tender.label)
        retire = touch_button("廃止", f"retireTender_{tender.code}", "toggle", row, checkable=True)
        retire.setChecked(tender.retired)
        retire.setFixedWidth(140)
        line.addWidget(edit, 1)
        line.addWidget(retire)
        self.rows.insertWidget(self.rows.count() - 1, row)
        self.tender_rows.append((tender, edit, retire))

    def save(self) -> None:
        tenders, labels = [], set()
        for tender, edit, retire in self.tender_rows:
            label = edit.text().strip()
            if not label and not tender.label:
                continue  # an added row left empty
            problem = name_problem(label, "その他支払の名前", 40)
            if problem:
                self.show_message(problem)
                return
            if label in labels or label in ("現金", "決済端末"):
                self.show_message(f"その他支払の名前「{label}」が重複しています。")
                return
            labels.add(label)
            tenders.append(asdict(OtherTender(tender.code, label, retire.isChecked())))
        self.save_settings(tax_rounding=checked_value(self.rounding_group) or "floor",
                           sells_food=checked_value(self.eat_in_group) != "off", other_tenders=tenders)
        self.show_message("")
        self.load()
        self.screen.show_notice("会計設定を保存しました。次の会計から使われます。")
