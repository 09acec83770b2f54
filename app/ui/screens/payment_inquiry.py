"""PaymentInquiryScreen 「決済情報照会」 (R-INQ, seed 000 4-1): search terminal payments by
period, method, amount and 受注コード / 伝票番号, all by touch; a result opens its slip.

- Period: 開始日 / 終了日 with 「◀」「▶」 (``fromPrevButton`` / ``fromNextButton`` …) and the
  date buttons (``fromDateButton`` / ``toDateButton``, ``DatePickerDialog``); today by default.
- Method: ``allMethodsButton`` / ``creditFilterButton`` / ``emoneyFilterButton`` / ``qrFilterButton``.
- 金額 (``amountField``) and 受注コード / 伝票番号 (``codeField``): tap a field, key on the
  tenkey (``app.core.ledger.payment_history.parse_payment_code`` says what a code is).
- 「検索」 (``searchButton``) validates first: a malformed value gets a message and the
  results and applied search stay as they were. 「条件クリア」 (``clearFilterButton``).
- Results ``result_<i>`` (newest first, at most 100); tapping one opens SlipDetailScreen with
  ``back_to`` this screen; ``enter(keep=True)`` re-runs the applied search.
"""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import (QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget)

from app.core.errors import RegiError
from app.core.ledger.payment_history import SEARCH_LIMIT, PaymentHistory, PaymentSearch, parse_payment_code
from app.core.ledger.slip_queries import parse_amount
from app.core.money import format_yen
from app.core.payment_state import PaymentState
from app.core.terminal.profiles import PaymentMethod, terminal_profile
from app.ui.screens.base import Screen
from app.ui.screens.payment_history import reference_caption
from app.ui.screens.slip_list import day_label
from app.ui.terminal_request import tender_label
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.touch_list import touch_list
from app.ui.widgets.date_picker import DatePickerDialog
from app.ui.widgets.discard import clear_layout
from app.ui.widgets.tenkey import TenKey

METHOD_FILTERS = ((None, "allMethodsButton", "すべて"),
                  *((m.value, f"{m.value}FilterButton", m.label) for m in (PaymentMethod.CREDIT, PaymentMethod.EMONEY, PaymentMethod.QR)))
AMOUNT_DIGITS = 7
CODE_DIGITS = 18


class PaymentInquiryScreen(Screen):
    title = "決済情報照会"

    def __init__(self, *args):
        super().__init__(*args)
        self.history = PaymentHistory(self.context.ledger)
        today = self.history.today()
        self.dates = {"from": today, "to": today}
        self.entries = {"amount": "", "code": ""}
        self.applied: PaymentSearch | None = None
        self.hits = []
        columns = QHBoxLayout(self.body)
        columns.setContentsMargins(12, 10, 12, 4)
        columns.setSpacing(12)
        columns.addLayout(self._build_results(), 5)
        columns.addWidget(self._build_conditions(), 4)

    # --- layout --------------------------------------------------------------------------
    def _build_results(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        self.count_label = QLabel("", self.body)
        self.count_label.setObjectName("resultCountLabel")
        self.count_label.setProperty("role", "heading")
        column.addWidget(self.count_label)
        scroll, self.results = touch_list(self.body, spacing=6)
        self.results_widget = scroll.widget()
        column.addWidget(scroll, 1)
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(lambda: self.navigator.go("TopScreen"))
        column.addWidget(back)
        return column

    def _date_row(self, grid: QGridLayout, row: int, key: str, caption: str, panel: QWidget) -> None:
        grid.addWidget(QLabel(caption, panel), row, 0)
        prev = touch_button("◀", f"{key}PrevButton", "toggle", panel)
        prev.clicked.connect(lambda: self.shift_date(key, -1))
        button = touch_button("", f"{key}DateButton", "toggle", panel)
        button.clicked.connect(lambda: self.pick_date(key))
        nxt = touch_button("▶", f"{key}NextButton", "toggle", panel)
        nxt.clicked.connect(lambda: self.shift_date(key, +1))
        grid.addWidget(prev, row, 1)
        grid.addWidget(button, row, 2)
        grid.addWidget(nxt, row, 3)
        grid.setColumnStretch(2, 1)
        self.date_buttons[key] = button

    def _build_conditions(self) -> QFrame:
        panel = QFrame(self.body)
        panel.setObjectName("inquiryPanel")
        panel.setProperty("role", "panel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        dates = QGridLayout()
        dates.setSpacing(6)
        self.date_buttons = {}
        self._date_row(dates, 0, "from", "開始日", panel)
        self._date_row(dates, 1, "to", "終了日", panel)
        layout.addLayout(dates)
        methods = QHBoxLayout()
        methods.setSpacing(6)
        self.method_group = QButtonGroup(self)
        self.method_buttons = {}
        for method, name, label in METHOD_FILTERS:
            button = touch_button(label, name, "toggle", panel, checkable=True)
            self.method_group.addButton(button)
            self.method_buttons[method] = button
            methods.addWidget(button)
        self.method_buttons[None].setChecked(True)
        layout.addLayout(methods)
        fields = QHBoxLayout()
        fields.setSpacing(6)
        self.field_group = QButtonGroup(self)
        self.field_buttons = {}
        for key, name in (("amount", "amountField"), ("code", "codeField")):
            button = touch_button("", name, "toggle", panel, checkable=True)
            button.setProperty("align", "left")
            button.clicked.connect(lambda _=False, k=key: self.select_field(k))
            self.field_group.addButton(button)
            self.field_buttons[key] = button
            fields.addWidget(button, 2 if key == "code" else 1)
        layout.addLayout(fields)
        self.tenkey = TenKey(CODE_DIGITS, panel, code=True)
        self.tenkey.changed.connect(self._keyed)
        self.tenkey.rejected.connect(self.show_message)
        search = touch_button("検索", "searchButton", "primary", panel)
        search.clicked.connect(self.search)
        self.tenkey.layout().addWidget(search, 1, 3, 3, 1)
        layout.addWidget(self.tenkey)
        layout.addStretch(1)
        clear = touch_button("条件クリア", "clearFilterButton", "secondary", panel)
        clear.clicked.connect(self.clear_conditions)
        layout.addWidget(clear)
        self.active_field = "code"
        return panel

    # --- entering ------------------------------------------------------------------------
    def enter(self, keep: bool = False, **kwargs) -> None:
        if keep and self.applied is not None:
            self.run(self.applied)
            return
        self.clear_conditions()

    def clear_conditions(self) -> None:
        today = self.history.today()
        self.dates = {"from": today, "to": today}
        self.entries = {"amount": "", "code": ""}
        self.method_buttons[None].setChecked(True)
        self.select_field("code")
        self._sync_dates()
        self.show_message("")
        self.run(PaymentSearch(today, today))

    # --- conditions ----------------------------------------------------------------------
    def _sync_dates(self) -> None:
        for key, button in self.date_buttons.items():
            button.setText(day_label(self.dates[key]))

    def shift_date(self, key: str, days: int) -> None:
        self.set_date(key, self.dates[key] + timedelta(days=days))

    def pick_date(self, key: str) -> None:
        dialog = DatePickerDialog(self, self.dates[key], self.history.today())
        dialog.picked.connect(lambda day: self.set_date(key, day))
        dialog.open()

    def set_date(self, key: str, day: date) -> None:
        if day > self.history.today():
            self.show_message("未来の日付は選べません。")
            return
        self.show_message("")
        self.dates[key] = day
        self._sync_dates()

    def select_field(self, key: str) -> None:
        self.active_field = key
        self.field_buttons[key].setChecked(True)
        if key == "code":
            self.tenkey.set_limit(CODE_DIGITS, f"{self._code_caption()}は{CODE_DIGITS}桁までです。")
        else:
            self.tenkey.set_limit(AMOUNT_DIGITS, f"金額は{AMOUNT_DIGITS}桁までです。")
        digits = self.entries[key]
        self.tenkey.clear()
        for digit in digits:
            self.tenkey.press(digit)
        self.entries[key] = digits
        self._sync_fields()

    def _keyed(self, _value: int) -> None:
        self.entries[self.active_field] = self.tenkey.text
        self._sync_fields()

    def _sync_fields(self) -> None:
        amount, code = self.entries["amount"], self.entries["code"]
        code_caption = terminal_profile(self.context.settings.terminal_profile).reference_caption()
        self.field_buttons["amount"].setText(f"金額　{format_yen(int(amount)) if amount else '指定なし'}")
        self.field_buttons["code"].setText(f"{code_caption}　{code or '指定なし'}")

    def _code_caption(self) -> str:
        profile = terminal_profile(self.context.settings.terminal_profile)
        return "受注コード" if profile.order_codes else "伝票番号・注文番号"

    def current_search(self) -> PaymentSearch:
        """The search the widgets describe; ``RegiError`` if malformed."""
        method = next(m for m, b in self.method_buttons.items() if b.isChecked())
        amount = parse_amount(self.entries["amount"])
        if amount == 0:
            amount = None
        return PaymentSearch(self.dates["from"], self.dates["to"], method, amount,
                             parse_payment_code(self.entries["code"], self.context.settings.terminal_profile))

    def search(self) -> None:
        try:
            search = self.current_search()
        except RegiError as error:
            self.show_message(error.message)
            return
        self.show_message("")
        self.run(search)

    # --- results -------------------------------------------------------------------------
    def run(self, search: PaymentSearch) -> None:
        self.hits = self.history.search(search)
        self.applied = search
        clear_layout(self.results, keep_last=1)
        for index, hit in enumerate(self.hits):
            self.results.insertWidget(index, self._result_button(index, hit))
        period = day_label(search.date_from) if search.date_from == search.date_to else \
            f"{day_label(search.date_from)}〜{day_label(search.date_to)}"
        if not self.hits:
            self.count_label.setText(f"{period}：該当する決済はありません")
        else:
            more = f"（先頭{SEARCH_LIMIT}件）" if len(self.hits) >= SEARCH_LIMIT else ""
            self.count_label.setText(f"{period}：{len(self.hits)}件{more}")

    def _result_button(self, index: int, hit):
        row = hit.payment
        slip = f"伝票 {hit.slip_number:06d}" if hit.slip_number else "伝票なし"
        text = (f"{row.created_at:%m/%d %H:%M}　{reference_caption(row)}：{row.poi_transaction_id or '—'}\n"
                f"{tender_label(row)}　{format_yen(row.amount_yen)}　{PaymentState(row.state).label}　{slip}")
        button = touch_button(text, f"result_{index}", "resultRow", self.results_widget)
        button.clicked.connect(lambda _=False, h=hit: self.open_slip(h))
        return button

    def open_slip(self, hit) -> None:
        if hit.slip_id is None:
            self.show_message("この決済の伝票はありません（会計中に取消された、または会計が完了していない決済です）。")
            return
        self.navigator.go("SlipDetailScreen", slip_id=hit.slip_id, back_to="PaymentInquiryScreen", back_kwargs={"keep": True})
