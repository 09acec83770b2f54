"""The cart column of the checkout: one row per line (name, －/＋, amount, ×) and the totals.

Rows are made as the cart grows and kept: ``refresh`` shows the ``Cart``'s lines in them and
hides the rest, so a tap never pays for building widgets (nor leaves any to delete). Row
buttons are named by line index: ``lineName_0``, ``lineMinus_0``, ``linePlus_0``, ``lineDelete_0``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.core.cart import Cart
from app.core.money import REDUCED_RATE, format_yen
from app.ui.widgets.buttons import touch_button


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
        self._rows: list[_LineRow] = []

    def refresh(self, cart: Cart) -> None:
        if self.selected >= len(cart.lines):
            self.selected = -1
        while len(self._rows) < len(cart.lines):
            row = _LineRow(self, len(self._rows))
            self.rows.insertWidget(len(self._rows), row)
            self._rows.append(row)
        for index, row in enumerate(self._rows):
            if index < len(cart.lines):
                row.show_line(cart, index, index == self.selected)
            row.setVisible(index < len(cart.lines))
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

    def _select(self, index: int) -> None:
        self.selected = -1 if self.selected == index else index
        self.line_selected.emit(self.selected)


class _LineRow(QFrame):
    """Row ``index`` of the cart: made once, then shows whichever line has that index."""

    def __init__(self, view: CartView, index: int):
        super().__init__(view.rows_widget)
        self.setProperty("role", "row")
        self.setProperty("selected", "false")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(4)
        self.name = touch_button("", f"lineName_{index}", "lineName", self)
        self.name.clicked.connect(lambda: view._select(index))
        self.detail = QLabel("", self)
        self.detail.setProperty("role", "info")
        minus = touch_button("－", f"lineMinus_{index}", "line", self)
        minus.clicked.connect(lambda: view.quantity_step.emit(index, -1))
        self.quantity = QLabel("", self)
        self.quantity.setObjectName(f"lineQuantity_{index}")
        self.quantity.setAlignment(Qt.AlignCenter)
        self.quantity.setMinimumWidth(36)
        plus = touch_button("＋", f"linePlus_{index}", "line", self)
        plus.clicked.connect(lambda: view.quantity_step.emit(index, +1))
        self.amount = QLabel("", self)
        self.amount.setObjectName(f"lineAmount_{index}")
        self.amount.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.amount.setMinimumWidth(90)
        delete = touch_button("×", f"lineDelete_{index}", "line", self)
        delete.clicked.connect(lambda: view.line_deleted.emit(index))
        for widget in (minus, plus, delete):
            widget.setFixedWidth(52)
        self.name.setMinimumHeight(40)
        grid.setVerticalSpacing(0)
        self.detail.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        # The name gets four columns of six: a clipped 「ミックスサンド※」 reads as another word.
        grid.addWidget(self.name, 0, 0, 1, 4)
        grid.addWidget(self.detail, 0, 4, 1, 2)
        for column, widget in enumerate((minus, self.quantity, plus, self.amount, delete), start=1):
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(4, 1)

    def show_line(self, cart: Cart, index: int, selected: bool) -> None:
        line = cart.lines[index]
        reduced = "※" if cart.rate_of(line) == REDUCED_RATE else ""
        self.name.setText(f"{line.name}{reduced}")
        detail = f"{format_yen(line.unit_price_yen)} × {line.quantity}"
        if line.discount_yen:
            detail += f"　{line.discount.label}"
        self.detail.setText(detail)
        self.quantity.setText(str(line.quantity))
        self.amount.setText(format_yen(line.amount_yen))
        state = "true" if selected else "false"
        if self.property("selected") != state:
            self.setProperty("selected", state)
            self.style().unpolish(self)  # the QSS picks the row colour by this property
            self.style().polish(self)
