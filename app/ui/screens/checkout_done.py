"""CheckoutDoneScreen: 合計, お預り, お釣り; 「レシート印刷」「領収書」「次の会計」.

The slip is already committed when this screen shows: a printer failure only gives a
message with 「再試行」, never a lost checkout (SPEC §7). Printing runs off the UI thread.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from app.core.money import format_yen
from app.core.printing.receipt import layout_formal_receipt, layout_receipt
from app.core.receipt_data import receipt_for_slip
from app.ui.keyboard import InputKind, touch_input
from app.ui.screens.base import Screen
from app.ui.widgets.buttons import touch_button
from app.ui.ops import open_drawer
from app.ui.widgets.dialogs import show_error
from app.ui.widgets.value_grid import value_grid


class CheckoutDoneScreen(Screen):
    title = "会計完了"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(80, 30, 80, 30)
        layout.setSpacing(20)
        heading = QLabel("会計が完了しました", self.body)
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        grid, labels = value_grid(self.body, (("total", "合計"), ("deposit", "お預り"), ("change", "お釣り")))
        self.values = {key: value for key, (_name, value) in labels.items()}
        # お預り alone hides a split: 「商品券 ¥1,000 ＋ 現金 ¥10,000」 says what was handed over.
        self.tenders_label = QLabel("", self.body)
        self.tenders_label.setObjectName("tendersLabel")
        self.tenders_label.setProperty("role", "detail")
        for widget in labels["change"]:  # the breakdown right under お預り, then お釣り
            grid.removeWidget(widget)
        grid.addWidget(self.tenders_label, 2, 1)
        grid.addWidget(labels["change"][0], 3, 0)
        grid.addWidget(labels["change"][1], 3, 1)
        self.slip_label = QLabel("", self.body)
        self.slip_label.setObjectName("slipNumberLabel")
        self.slip_label.setProperty("role", "info")
        grid.addWidget(self.slip_label, 4, 0, 1, 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(16)
        for label, name, handler, role in (
            ("レシート印刷", "printReceiptButton", self.print_receipt, "secondary"),
            ("領収書", "formalReceiptButton", self.ask_formal_receipt, "secondary"),
            ("トップへ", "topButton", lambda: self.navigator.go("TopScreen"), "secondary"),
            ("次の会計", "nextCheckoutButton", lambda: self.navigator.go("CheckoutScreen"), "primary"),
        ):
            button = touch_button(label, name, role, self.body, size="tall")
            button.clicked.connect(handler)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.slip_id: int | None = None

    def enter(self, committed, cart, **kwargs) -> None:
        """``committed``: the ``CommittedSlip`` of ``cart``. The figures come from the cart the
        slip was written from; the slip itself is read only to print, on the device worker
        (reading it here cost the 会計 tap a query, SPEC §9)."""
        self.slip_id = committed.slip_id
        self.receipts_printed = self.formal_receipts_printed = 0
        self.values["total"].setText(format_yen(cart.total_yen))
        self.values["deposit"].setText(format_yen(cart.paid_yen))
        self.values["change"].setText(format_yen(cart.change_yen))
        payments = cart.payments
        self.tenders_label.setVisible(len(payments) > 1)  # a split only: empty, it would leave a gap above お釣り
        self.tenders_label.setText("（" + " ＋ ".join(f"{p.label} {format_yen(p.amount_yen)}" for p in payments) + "）")
        self.slip_label.setText(f"伝票番号 {committed.slip_number:06d}")
        if cart.cash_tendered_yen and self.context.settings.printer_drawer:
            open_drawer(self, self.context)

    def _columns(self) -> int:
        return self.context.printer.columns

    def print_receipt(self) -> None:
        settings, reprint, columns = self.context.settings, self.receipts_printed > 0, self._columns()
        self._print(lambda slip: layout_receipt(receipt_for_slip(slip, settings, reprint=reprint), columns),
                    "receipts_printed")

    def ask_formal_receipt(self) -> None:
        dialog = FormalReceiptDialog(self)
        dialog.accepted.connect(lambda: self.print_formal_receipt(dialog.addressee, dialog.proviso))
        dialog.open()

    def print_formal_receipt(self, addressee: str, proviso: str) -> None:
        """A second 領収書 of the same sale is marked 再発行 (a receipt must not be issued twice unmarked)."""
        settings, reprint, columns = self.context.settings, self.formal_receipts_printed > 0, self._columns()
        self._print(lambda slip: layout_formal_receipt(receipt_for_slip(slip, settings, reprint=reprint), addressee,
                                                       proviso, columns), "formal_receipts_printed")

    def _print(self, layout, counter: str) -> None:
        """Read the slip, lay it out (``layout(slip)``) and print, all on the device worker. `counter`
        (an attribute) counts the print once it was sent whole — a failed one is not counted, so its
        「再試行」 (the same layout) is no 再発行."""
        ledger, printer, slip_id = self.context.ledger, self.context.printer, self.slip_id

        def printed(_result):
            setattr(self, counter, getattr(self, counter) + 1)
            self.show_message("印刷しました。", done=True)

        self.show_message("印刷中…")
        self.context.run_device(
            lambda: printer.print_document(layout(ledger.slip(slip_id))),
            on_done=printed,
            on_error=lambda error: self._device_failed(error, "印刷できませんでした", lambda: self._print(layout, counter)),
        )

    def _device_failed(self, error: BaseException, title: str, retry) -> None:
        self.show_message("")
        show_error(self, getattr(error, "message", str(error)), title=title, retry_label="再試行", on_retry=retry)


class FormalReceiptDialog(QDialog):
    """領収書: 宛名 (「上様」 or typed) and 但し書き."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("FormalReceiptDialog")
        self.setModal(True)
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel("領収書", self)
        title.setProperty("role", "title")
        layout.addWidget(title)
        layout.addWidget(QLabel("宛名", self))
        row = QHBoxLayout()
        self.addressee_edit = QLineEdit(self)
        self.addressee_edit.setObjectName("addresseeEdit")
        touch_input(self.addressee_edit, InputKind.JAPANESE)
        self.addressee_edit.setPlaceholderText("空欄のまま印刷できます")
        ue = touch_button("上様", "uesamaButton", "toggle", self)
        ue.setFixedWidth(120)
        ue.clicked.connect(lambda: self.addressee_edit.setText("上"))
        row.addWidget(self.addressee_edit, 1)
        row.addWidget(ue)
        layout.addLayout(row)
        layout.addWidget(QLabel("但し書き", self))
        self.proviso_edit = QLineEdit("お品代", self)
        self.proviso_edit.setObjectName("provisoEdit")
        touch_input(self.proviso_edit, InputKind.JAPANESE)
        layout.addWidget(self.proviso_edit)
        presets = QHBoxLayout()
        for text in ("お品代", "飲食代", "お食事代"):
            preset = touch_button(text, None, "toggle", self)
            preset.clicked.connect(lambda _=False, t=text: self.proviso_edit.setText(t))
            presets.addWidget(preset)
        layout.addLayout(presets)
        buttons = QHBoxLayout()
        cancel = touch_button("キャンセル", "cancelButton", "secondary", self)
        cancel.clicked.connect(self.reject)
        ok = touch_button("印刷", "printButton", "primary", self)
        ok.clicked.connect(self.accept)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout.addLayout(buttons)

    @property
    def addressee(self) -> str:
        return self.addressee_edit.text().strip()

    @property
    def proviso(self) -> str:
        return self.proviso_edit.text().strip() or "お品代"
