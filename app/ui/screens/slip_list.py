"""SlipListScreen (R-HIST): a day's slips, newest first, with filters; 「詳細」 opens one.

- Day: today (the ledger's clock) by default; 「◀ 前日」「翌日 ▶」「今日」 and the date button
  (``DatePickerDialog``). Days after today cannot be chosen.
- Filters: amount 下限 / 上限 and 伝票番号 keyed on the tenkey (tap a field, then key), method
  toggles 現金 / 決済端末 / その他. 「検索」 (and each toggle) applies them after validation:
  a malformed value gets a message and the list and applied filter stay as they were.
- The table is a ``SlipListModel`` over ``SlipJournal.page`` keyset pages: the first page on
  every (re)load, more only as the view scrolls. ``enter(keep=True)`` (back from the detail)
  reloads the same day and filter; any other ``enter`` starts on today without filters.

Names: ``prevDayButton``, ``dateButton``, ``nextDayButton``, ``todayButton``, ``countLabel``,
``slipTable``, ``amountFromField``, ``amountToField``, ``slipNumberField``,
``cashFilterButton``, ``terminalFilterButton``, ``otherFilterButton``, ``clearFilterButton``,
``searchButton``, ``pageUpButton``, ``pageDownButton``, ``backButton``, ``detailButton``.
"""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout

from app.core.errors import RegiError
from app.core.ledger.journal import SlipJournal
from app.core.ledger.slip_queries import MAX_SLIP_NUMBER_DIGITS, SlipFilter, TenderMethod, parse_amount, parse_slip_number
from app.core.money import format_yen
from app.ui.background import ledger_work, reraise
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.date_picker import DatePickerDialog
from app.ui.widgets.slip_table import SlipListModel, SlipTable
from app.ui.widgets.tenkey import TenKey

WEEKDAYS = "月火水木金土日"
AMOUNT_DIGITS = 7
FIELDS = (  # key, objectName, caption
    ("from", "amountFromField", "金額 下限"),
    ("to", "amountToField", "金額 上限"),
    ("number", "slipNumberField", "伝票番号"),
)
METHOD_BUTTONS = ((TenderMethod.CASH, "cashFilterButton", "現金"), (TenderMethod.TERMINAL, "terminalFilterButton", "決済端末"),
                  (TenderMethod.OTHER, "otherFilterButton", "その他"))


def day_label(day: date) -> str:
    return f"{day:%Y/%m/%d}（{WEEKDAYS[day.weekday()]}）"


class SlipListScreen(Screen):
    title = "伝票明細"

    def __init__(self, *args):
        super().__init__(*args)
        self.journal = SlipJournal(self.context.ledger)
        self.day = self.journal.today()
        self.filter = SlipFilter()
        self.entries = {key: "" for key, _, _ in FIELDS}
        self._reload_asked = 0  # the newest query asked for is the one shown
        columns = QHBoxLayout(self.body)
        columns.setContentsMargins(12, 10, 12, 4)
        columns.setSpacing(12)
        columns.addLayout(self._build_list(), 5)
        columns.addWidget(self._build_filters(), 3)

    # --- layout --------------------------------------------------------------------------
    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        days = QHBoxLayout()
        days.setSpacing(6)
        prev_day = touch_button("◀ 前日", "prevDayButton", "secondary", self.body)
        prev_day.clicked.connect(lambda: self.set_day(self.day - timedelta(days=1)))
        self.date_button = touch_button("", "dateButton", "secondary", self.body)
        self.date_button.clicked.connect(self.pick_date)
        self.next_day_button = touch_button("翌日 ▶", "nextDayButton", "secondary", self.body)
        self.next_day_button.clicked.connect(lambda: self.set_day(self.day + timedelta(days=1)))
        today = touch_button("今日", "todayButton", "secondary", self.body)
        today.clicked.connect(lambda: self.set_day(self.journal.today()))
        days.addWidget(prev_day, 2)
        days.addWidget(self.date_button, 3)
        days.addWidget(self.next_day_button, 2)
        days.addWidget(today, 1)
        column.addLayout(days)
        self.count_label = QLabel("", self.body)
        self.count_label.setObjectName("countLabel")
        self.count_label.setProperty("role", "info")
        column.addWidget(self.count_label)
        self.model = SlipListModel(self)
        self.table = SlipTable(self.model, self.body)
        self.table.doubleClicked.connect(lambda _index: self.open_detail())
        column.addWidget(self.table, 1)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.clicked.connect(lambda: self.navigator.go("TopScreen"))
        up = touch_button("▲", "pageUpButton", "secondary", self.body)
        up.clicked.connect(lambda: self.table.page(-1))
        down = touch_button("▼", "pageDownButton", "secondary", self.body)
        down.clicked.connect(lambda: self.table.page(+1))
        detail = touch_button("詳細", "detailButton", "primary", self.body)
        detail.clicked.connect(self.open_detail)
        actions.addWidget(back, 2)
        actions.addWidget(up, 1)
        actions.addWidget(down, 1)
        actions.addWidget(detail, 3)
        column.addLayout(actions)
        return column

    def _build_filters(self) -> QFrame:
        panel = QFrame(self.body)
        panel.setObjectName("filterPanel")
        panel.setProperty("role", "panel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        heading = QLabel("絞り込み", panel)
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.field_group = QButtonGroup(self)
        self.field_buttons = {}
        for index, (key, name, _caption) in enumerate(FIELDS):
            button = touch_button("", name, "toggle", panel, checkable=True)
            button.setProperty("align", "left")
            button.clicked.connect(lambda _=False, k=key: self.select_field(k))
            self.field_group.addButton(button)
            self.field_buttons[key] = button
            grid.addWidget(button, index // 2, index % 2, 1, 2 if key == "number" else 1)
        layout.addLayout(grid)
        methods = QHBoxLayout()
        methods.setSpacing(6)
        self.method_buttons = {}
        for method, name, label in METHOD_BUTTONS:
            button = touch_button(label, name, "toggle", panel, checkable=True)
            button.clicked.connect(lambda _=False, b=button: self.apply_filters(reverting=b))
            self.method_buttons[method] = button
            methods.addWidget(button)
        layout.addLayout(methods)
        self.tenkey = TenKey(MAX_SLIP_NUMBER_DIGITS, panel, code=True)
        self.tenkey.changed.connect(self._keyed)
        self.tenkey.rejected.connect(self.show_message)
        search = touch_button("検索", "searchButton", "primary", panel)
        search.clicked.connect(lambda: self.apply_filters())
        self.tenkey.layout().addWidget(search, 1, 3, 3, 1)
        layout.addWidget(self.tenkey)
        layout.addStretch(1)
        clear = touch_button("条件クリア", "clearFilterButton", "secondary", panel)
        clear.clicked.connect(self.clear_filters)
        layout.addWidget(clear)
        self.active_field = "number"
        return panel

    # --- entering ------------------------------------------------------------------------
    def enter(self, keep: bool = False, day: date | None = None, **kwargs) -> None:
        if not keep:
            self.day = day or self.journal.today()
            self.filter = SlipFilter()
            self.entries = {key: "" for key, _, _ in FIELDS}
            self._sync_filter_widgets()
            self.select_field("number")
        selected = self.selected_slip_id()
        self.reload(then=(lambda: self.select_slip(selected)) if keep and selected is not None else None)

    def reload(self, day: date | None = None, flt: SlipFilter | None = None, then=None) -> None:
        """Show the first page of ``day`` / ``flt`` (default: the current ones), read with its
        count on the ledger worker; ``then()`` runs once it shows. The day and filter only
        become current once their query has succeeded."""
        day = day or self.day
        flt = self.filter if flt is None else flt
        journal = self.journal
        self._reload_asked += 1
        asked = self._reload_asked

        def fetch(cursor):
            return journal.page(day, flt, cursor)

        def shown(answer) -> None:
            if asked != self._reload_asked:
                return  # a newer query is on its way
            page, count = answer
            self.model.show(page, fetch)
            self.day, self.filter = day, flt
            self.date_button.setText(day_label(day))
            self.next_day_button.setEnabled(day < journal.today())
            suffix = "（絞り込み中）" if flt.active else ""
            self.count_label.setText(f"{day_label(day)}の伝票 {count}件{suffix}" if count else f"{day_label(day)}の伝票はありません{suffix}")
            self.table.scrollToTop()
            if then is not None:
                then()

        ledger_work().submit(lambda: (fetch(None), journal.count(day, flt)), shown, reraise)

    # --- day -----------------------------------------------------------------------------
    def set_day(self, day: date) -> None:
        if day > self.journal.today():
            self.show_message("未来の日付は選べません。")
            return
        self.show_message("")
        self.reload(day=day)

    def pick_date(self) -> None:
        dialog = DatePickerDialog(self, self.day, self.journal.today())
        dialog.picked.connect(self.set_day)
        dialog.open()

    # --- filters -------------------------------------------------------------------------
    def select_field(self, key: str) -> None:
        self.active_field = key
        self.field_buttons[key].setChecked(True)
        self.tenkey.max_digits = MAX_SLIP_NUMBER_DIGITS if key == "number" else AMOUNT_DIGITS
        digits = self.entries[key]
        self.tenkey.clear()
        for digit in digits:  # replayed as keyed, leading zeros included (000123 as printed)
            self.tenkey.press(digit)
        self.entries[key] = digits
        self._sync_field_texts()

    def _keyed(self, _value: int) -> None:
        self.entries[self.active_field] = self.tenkey.text
        self._sync_field_texts()

    def _sync_field_texts(self) -> None:
        for key, _name, caption in FIELDS:
            digits = self.entries[key]
            if not digits:
                shown = "指定なし"
            elif key == "number":
                shown = digits
            else:
                shown = format_yen(int(digits))
            self.field_buttons[key].setText(f"{caption}　{shown}")

    def _sync_filter_widgets(self) -> None:
        for method, button in self.method_buttons.items():
            button.setChecked(method in self.filter.methods)
        self._sync_field_texts()

    def current_filter(self) -> SlipFilter:
        """The filter the fields and toggles describe; ``RegiError`` if malformed."""
        return SlipFilter(
            min_total_yen=parse_amount(self.entries["from"]),
            max_total_yen=parse_amount(self.entries["to"]),
            methods=frozenset(m for m, b in self.method_buttons.items() if b.isChecked()),
            slip_number=parse_slip_number(self.entries["number"]),
        )

    def apply_filters(self, reverting=None) -> None:
        try:
            flt = self.current_filter()
        except RegiError as error:
            if reverting is not None:  # a toggle tapped while a field is malformed: undo the tap
                reverting.setChecked(not reverting.isChecked())
            self.show_message(error.message)
            return
        def say() -> None:
            if flt.slip_number is not None and not self.model.rowCount():
                self.show_message(f"{day_label(self.day)}に伝票番号 {flt.slip_number:06d} の伝票はありません。")
            else:
                self.show_message("")

        self.reload(flt=flt, then=say)

    def clear_filters(self) -> None:
        self.entries = {key: "" for key, _, _ in FIELDS}
        for button in self.method_buttons.values():
            button.setChecked(False)
        self.select_field(self.active_field)
        self.show_message("")
        self.reload(flt=SlipFilter())

    # --- selection -----------------------------------------------------------------------
    def selected_slip_id(self) -> int | None:
        row = self.table.selected_row()
        return self.model.row(row).slip_id if row >= 0 else None

    def select_slip(self, slip_id: int) -> None:
        for index, row in enumerate(self.model.rows):
            if row.slip_id == slip_id:
                self.table.selectRow(index)
                self.table.scrollTo(self.model.index(index, 0))
                return

    def open_detail(self) -> None:
        slip_id = self.selected_slip_id()
        if slip_id is None:
            self.show_message("伝票を選んでから「詳細」をタップしてください。")
            return
        self.navigator.go("SlipDetailScreen", slip_id=slip_id)
