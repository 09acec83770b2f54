"""The cart column of the checkout: one row per line (name, －/＋, amount, ×) and the totals.

Rows are rebuilt from the ``Cart`` on every ``refresh`` (a cart has few lines). Row
buttons are named by line index: ``lineName_0``, ``lineMinus_0``, ``linePlus_0``, ``lineDelete_0``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.core.cart import Cart
from app.core.money import REDUCED_RATE, format_yen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.discard import clear_layout


class CartView(QFrame):
    line_selected = Signal(int)  # -1 = none (the slip)
    quantity_step = Signal(int, int)  # index, +1/-1
    line_deleted = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cartView")
        self.setProperty("role", "panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.rows_widget = QWidget()
        self.rows_widget.setObjectName("cartRows")
        self.rows = QVBoxLayout(self.rows_widget)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(2)
        self.rows.addStretch(1)
        # An empty cart says what to do instead of showing a blank block.
        self.empty_hint = QLabel("商品をタップすると\nここに追加されます", self.rows_widget)
        self.empty_hint.setObjectName("cartEmptyHint")
        self.empty_hint.setProperty("role", "hint")
        self.empty_hint.setAlignment(Qt.AlignCenter)
        self.rows.addWidget(self.empty_hint)
        self.rows.addStretch(1)
        self.scroll.setWidget(self.rows_widget)
        layout.addWidget(self.scroll, 1)

        totals = QGridLayout()
        totals.setVerticalSpacing(2)
        self.labels: dict[str, QLabel] = {}
        for row, (key, caption) in enumerate((
            ("subtotal", "小計"), ("discount", "値引・割引"), ("tax10", "内消費税 10%"), ("tax8", "内消費税 8%"),
            ("total", "合計"), ("paid", "支払済"), ("remaining", "残額"),
        )):
            name_label = QLabel(caption, self)
            value = QLabel("", self)
            value.setObjectName(f"{key}Label")
            value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if key in ("total", "remaining"):
                name_label.setProperty("role", "total")
                value.setProperty("role", "total" if key == "total" else "remaining")
            totals.addWidget(name_label, row, 0)
            totals.addWidget(value, row, 1)
            self.labels[key] = value
        layout.addLayout(totals)
        self.selected = -1

    def refresh(self, cart: Cart) -> None:
        clear_layout(self.rows, keep_last=3)  # the stretch, the empty hint and the stretch below it
        if self.selected >= len(cart.lines):
            self.selected = -1
        for index, line in enumerate(cart.lines):
            self.rows.insertWidget(index, self._row(cart, index))
        self.empty_hint.setVisible(not cart.lines)
        rates = {r.rate_percent: r for r in cart.rate_totals()}
        self.labels["subtotal"].setText(format_yen(cart.subtotal_yen))
        discount = cart.slip_discount_yen
        self.labels["discount"].setText(f"{cart.slip_discount.label}（-{format_yen(discount)}）" if discount else "—")
        for rate in (10, 8):
            total = rates.get(rate)
            self.labels[f"tax{rate}"].setText(
                f"{format_yen(total.tax_yen)}（対象 {format_yen(total.taxable_yen)}）" if total else "—"
            )
        self.labels["total"].setText(format_yen(cart.total_yen))
        self.labels["paid"].setText(format_yen(cart.paid_yen))
        self.labels["remaining"].setText(format_yen(cart.remaining_yen))

    def _row(self, cart: Cart, index: int) -> QFrame:
        line = cart.lines[index]
        row = QFrame(self.rows_widget)
        row.setProperty("role", "row")
        row.setProperty("selected", "true" if index == self.selected else "false")
        grid = QGridLayout(row)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(4)
        reduced = "※" if cart.rate_of(line) == REDUCED_RATE else ""
        name = touch_button(f"{line.name}{reduced}", f"lineName_{index}", "lineName", row)
        name.clicked.connect(lambda _=False, i=index: self._select(i))
        detail = f"{format_yen(line.unit_price_yen)} × {line.quantity}"
        if line.discount_yen:
            detail += f"　{line.discount.label}"
        detail_label = QLabel(detail, row)
        detail_label.setProperty("role", "info")
        minus = touch_button("－", f"lineMinus_{index}", "line", row)
        minus.clicked.connect(lambda _=False, i=index: self.quantity_step.emit(i, -1))
        quantity = QLabel(str(line.quantity), row)
        quantity.setObjectName(f"lineQuantity_{index}")
        quantity.setAlignment(Qt.AlignCenter)
        quantity.setMinimumWidth(36)
        plus = touch_button("＋", f"linePlus_{index}", "line", row)
        plus.clicked.connect(lambda _=False, i=index: self.quantity_step.emit(i, +1))
        amount = QLabel(format_yen(line.amount_yen), row)
        amount.setObjectName(f"lineAmount_{index}")
        amount.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        amount.setMinimumWidth(90)
        delete = touch_button("×", f"lineDelete_{index}", "line", row)
        delete.clicked.connect(lambda _=False, i=index: self.line_deleted.emit(i))
        for widget in (minus, plus, delete):
            widget.setFixedWidth(52)
        name.setMinimumHeight(40)
        grid.setVerticalSpacing(0)
        # The name gets four columns of six: a clipped 「ミックスサンド※」 reads as another word.
        grid.addWidget(name, 0, 0, 1, 4)
        grid.addWidget(detail_label, 0, 4, 1, 2)
        for column, widget in enumerate((minus, quantity, plus, amount, delete), start=1):
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(4, 1)
        detail_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        return row

    def _select(self, index: int) -> None:
        self.selected = -1 if self.selected == index else index
        self.line_selected.emit(self.selected)
