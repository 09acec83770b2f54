"""支払い欄: the payments applied so far, each with × (``paymentDelete_<i>``)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.cart import MAX_PAYMENTS, Cart
from app.core.money import format_yen
from app.ui.widgets.buttons import touch_button


class PaymentsView(QFrame):
    payment_deleted = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("paymentsView")
        self.setProperty("role", "panel")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(8, 4, 8, 4)
        self.layout_.setSpacing(2)
        self.header = QLabel("", self)
        self.header.setProperty("role", "info")
        self.layout_.addWidget(self.header)
        self.layout_.addStretch(1)
        self.rows: list[tuple[QWidget, QLabel]] = []

    def refresh(self, cart: Cart) -> None:
        """Rows are made as payments are added (at most ``MAX_PAYMENTS``) and kept; extra rows hide."""
        self.header.setText(f"支払い欄（{len(cart.payments)}/{MAX_PAYMENTS}）")
        while len(self.rows) < len(cart.payments):
            self.rows.append(self._row(len(self.rows)))
        for index, (row, label) in enumerate(self.rows):
            if index < len(cart.payments):
                payment = cart.payments[index]
                label.setText(f"{payment.label}　{format_yen(payment.amount_yen)}")
            row.setVisible(index < len(cart.payments))

    def _row(self, index: int) -> tuple[QWidget, QLabel]:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel("", row)
        label.setObjectName(f"paymentLabel_{index}")
        delete = touch_button("×", f"paymentDelete_{index}", "line", row)
        delete.setFixedWidth(52)
        delete.clicked.connect(lambda: self.payment_deleted.emit(index))
        line.addWidget(label, 1)
        line.addWidget(delete)
        self.layout_.insertWidget(self.layout_.count() - 1, row)
        return row, label
