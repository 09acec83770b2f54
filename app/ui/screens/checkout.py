"""CheckoutScreen (R-CHK): product tiles by category, the cart, payment method, tenkey, 支払い欄.

Every action goes through ``Cart`` first, which refuses bad input with ``RegiError``
without changing anything; the refusal is shown on ``messageLabel``. When 残額 reaches 0
the slip is committed in one transaction and ``CheckoutDoneScreen`` follows.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core.cart import Cart, Discount, Payment, PaymentKind, TaxClass
from app.core.errors import RegiError
from app.core.ledger.settings import OtherTender
from app.core.money import format_yen
from app.core.terminal.profiles import terminal_profile
from app.ui.background import ledger_work, reraise
from app.ui.input_hold import InputHold
from app.ui.screens.base import Screen
from app.ui.screens.checkout_terminal import TerminalPaymentsInCart
from app.ui.widgets.buttons import add_stripe, touch_button
from app.ui.widgets.cart_view import CartView
from app.ui.widgets.discard import discard
from app.ui.ops import as_manager
from app.ui.widgets.dialogs import ManagerAuthDialog, MessageDialog
from app.ui.widgets.payments_view import PaymentsView
from app.ui.terminal_request import TerminalRequest
from app.ui.widgets.reconcile_dialog import ReconcileDialog
from app.ui.widgets.tenkey import TenKey

TILE_COLUMNS = 3
CASH = OtherTender("cash", "現金")


class CheckoutScreen(TerminalPaymentsInCart, Screen):
    title = "会計"

    def __init__(self, *args):
        super().__init__(*args)
        columns = QHBoxLayout(self.body)
        columns.setContentsMargins(12, 10, 12, 4)
        columns.setSpacing(12)
        columns.addLayout(self._build_catalog(), 5)
        self.cart_view = CartView(self.body)
        self.cart_view.line_selected.connect(self._on_line_selected)
        self.cart_view.quantity_step.connect(self.step_quantity)
        self.cart_view.line_deleted.connect(self.delete_line)
        columns.addWidget(self.cart_view, 4)
        columns.addLayout(self._build_payment(), 4)
        self.cart: Cart = self.context.new_cart()
        self.hold = InputHold(self)  # while 会計 commits on the ledger worker
        self.context.payment_updates.updated.connect(self.on_payment_update)
        self._load_catalog()

    # --- layout ------------------------------------------------------------
    def _build_catalog(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        self.category_row = QHBoxLayout()
        self.category_row.setSpacing(6)
        self.category_group = QButtonGroup(self)
        column.addLayout(self.category_row)
        self.tile_pages = QStackedWidget(self.body)  # one page of tiles per category
        self.tile_pages.setObjectName("productTiles")
        # Decided before the tiles exist, so the first show does not re-polish every tile
        # (the window has its size by the time screens are built ahead).
        self.tile_pages.setProperty("large", self.navigator.width() >= 1600)
        column.addWidget(self.tile_pages, 1)
        tools = QHBoxLayout()
        tools.setSpacing(6)
        back = touch_button("戻る", "backButton", "toggle", self.body)
        back.clicked.connect(self.back)
        self.eat_in_button = touch_button("店内", "eatInButton", "toggle", self.body, checkable=True)
        self.take_out_button = touch_button("持ち帰り", "takeOutButton", "toggle", self.body, checkable=True)
        dining = QButtonGroup(self)
        dining.addButton(self.eat_in_button)
        dining.addButton(self.take_out_button)
        self.eat_in_button.clicked.connect(lambda: self.set_eat_in(True))
        self.take_out_button.clicked.connect(lambda: self.set_eat_in(False))
        discount_yen = touch_button("値引", "discountYenButton", "toggle", self.body)
        discount_yen.clicked.connect(lambda: self.apply_discount(percent=False))
        discount_percent = touch_button("割引", "discountPercentButton", "toggle", self.body)
        discount_percent.clicked.connect(lambda: self.apply_discount(percent=True))
        for widget in (back, self.eat_in_button, self.take_out_button, discount_yen, discount_percent):
            tools.addWidget(widget)
        column.addLayout(tools)
        return column

    def _build_payment(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        methods = QHBoxLayout()
        methods.setSpacing(6)
        self.method_group = QButtonGroup(self)
        self.cash_button = touch_button("現金", "cashMethodButton", "method", self.body, checkable=True)
        self.terminal_button = touch_button("決済端末", "terminalMethodButton", "method", self.body, checkable=True)
        self.other_button = touch_button("その他支払", "otherMethodButton", "method", self.body, checkable=True)
        for button in (self.cash_button, self.terminal_button, self.other_button):
            self.method_group.addButton(button)
            methods.addWidget(button)
        self.cash_button.clicked.connect(lambda: self.select_method(CASH))
        self.terminal_button.clicked.connect(self.select_terminal)
        self.other_button.clicked.connect(self.choose_other_tender)
        column.addLayout(methods)
        amount_row = QHBoxLayout()
        self.method_label = QLabel("", self.body)
        self.method_label.setObjectName("methodLabel")
        self.amount_display = QLabel("¥0", self.body)
        self.amount_display.setObjectName("amountDisplay")
        self.amount_display.setProperty("role", "display")
        amount_row.addWidget(self.method_label)
        amount_row.addWidget(self.amount_display, 1)
        column.addLayout(amount_row)
        remaining = touch_button("残額", "remainingButton", "key", self.body)
        remaining.clicked.connect(self.fill_remaining)
        self.pay_button = touch_button("会計", "payButton", "primary", self.body)
        self.pay_button.clicked.connect(self.pay)
        self.tenkey = TenKey(7, self.body, extra_keys=((1, 3, remaining),))
        self.tenkey.layout().addWidget(self.pay_button, 2, 3, 2, 1)
        self.tenkey.changed.connect(lambda value: self.amount_display.setText(format_yen(value)))
        self.tenkey.rejected.connect(self.show_message)
        column.addWidget(self.tenkey)
        self.payments_view = PaymentsView(self.body)
        self.payments_view.payment_deleted.connect(self.delete_payment)
        column.addWidget(self.payments_view, 1)
        return column

    # --- entering ----------------------------------------------------------
    def enter(self, cart: Cart | None = None, terminal_method: str | None = None, **kwargs) -> None:
        """A new checkout, or back from the terminal screens with the same ``cart``
        (``terminal_method``: the method just picked on TerminalPickerScreen)."""
        returning = cart is not None
        self.cart = cart or self.context.new_cart()
        self.context.current_cart = self.cart
        self.cart_view.selected = -1
        if self.catalog_version != self.context.ledger.catalog_version:
            self._load_catalog()
        if not returning and self.catalog:
            self.show_category(self.catalog[0])
        sells_food = self.context.settings.sells_food
        self.eat_in_button.setVisible(sells_food)
        self.take_out_button.setVisible(sells_food)
        if terminal_method:
            self.select_method(OtherTender(f"terminal_{terminal_method}", "USEN PAY"), PaymentKind.TERMINAL, terminal_method)
        else:
            self.select_method(CASH)  # after a terminal payment the rest is paid in 現金 (R-PAY 6)
        self.refresh()
        if self.cart.is_settled:
            self.complete()

    def _load_catalog(self) -> None:
        """Category buttons and a page of product tiles per category, built once and again only
        when the back office changed the catalogue (``ledger.catalog_version``): rebuilding tiles
        on every checkout and category tap cost each tap a frame (SPEC §9)."""
        self.catalog = self.context.ledger.catalog()
        self.catalog_version = self.context.ledger.catalog_version
        for button in self.category_group.buttons():  # a rebuild after the back office changed it
            self.category_group.removeButton(button)
            discard(button)
        for page in list(getattr(self, "pages", {}).values()):
            self.tile_pages.removeWidget(page)
            discard(page)
        self.pages = {}
        for category in self.catalog:
            button = touch_button(category.name, f"category_{category.id}", "category", self.body, checkable=True)
            button.clicked.connect(lambda _=False, c=category: self.show_category(c))
            self.category_group.addButton(button)
            self.category_row.addWidget(button)
            self.pages[category.id] = self._tile_page(category)
            self.tile_pages.addWidget(self.pages[category.id])
        if self.catalog:
            self.show_category(self.catalog[0])

    def resizeEvent(self, event) -> None:
        """Tiles of about 200 px on a 1920×1080 screen get a type size to match (QSS ``large``)."""
        super().resizeEvent(event)
        large = event.size().width() >= 1600
        if self.tile_pages.property("large") != large:
            self.tile_pages.setProperty("large", large)
            for tile in self.tile_pages.findChildren(QWidget):
                tile.style().unpolish(tile)
                tile.style().polish(tile)

    def _tile_page(self, category) -> QWidget:
        page = QWidget(self.tile_pages)
        tiles = QGridLayout(page)
        tiles.setContentsMargins(0, 0, 0, 0)
        tiles.setSpacing(8)
        if not category.products:  # a new category: say so, rather than an empty grid
            hint = QLabel("このカテゴリには商品がありません。\n「設定」の「商品」で登録できます。", page)
            hint.setObjectName("emptyCategoryLabel")
            hint.setProperty("role", "hint")
            hint.setAlignment(Qt.AlignCenter)
            tiles.addWidget(hint, 0, 0, 1, TILE_COLUMNS)
        for index, product in enumerate(category.products):
            tile = touch_button(f"{product.name}\n{format_yen(product.price_yen)}", f"product_{product.id}", "tile", page)
            add_stripe(tile, category.color)
            tile.clicked.connect(lambda _=False, p=product: self.add_product(p))
            tiles.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
        rows = max(4, (len(category.products) + TILE_COLUMNS - 1) // TILE_COLUMNS)
        for row in range(rows):
            tiles.setRowStretch(row, 1)
        return page

    def show_category(self, category) -> None:
        self.findChild(QWidget, f"category_{category.id}").setChecked(True)
        self.tile_pages.setCurrentWidget(self.pages[category.id])

    # --- cart actions ------------------------------------------------------
    def _attempt(self, action) -> bool:
        try:
            action()
        except RegiError as error:
            self.show_message(error.message)
            return False
        self.show_message("")
        self.refresh()
        return True

    def add_product(self, product) -> None:
        self._attempt(lambda: self.cart.add_product(product.id, product.name, product.price_yen, TaxClass(product.tax_class)))

    def step_quantity(self, index: int, delta: int) -> None:
        quantity = self.cart.lines[index].quantity + delta
        if quantity < 1:
            self.show_message("数量を0にするには × で商品を削除してください。")
            return
        self._attempt(lambda: self.cart.set_quantity(index, quantity))

    def delete_line(self, index: int) -> None:
        self._attempt(lambda: self.cart.remove_line(index))

    def set_eat_in(self, eat_in: bool) -> None:
        if not self._attempt(lambda: self.cart.set_eat_in(eat_in)):
            self._sync_dining()

    def _on_line_selected(self, _index: int) -> None:
        self.refresh()

    def apply_discount(self, *, percent: bool) -> None:
        """値引 / 割引 of the keyed amount on the selected line, or on the slip if none is selected."""
        value = self.tenkey.value
        index = self.cart_view.selected
        try:
            discount = Discount(percent=value) if percent else Discount(yen=value)
        except RegiError as error:
            self.show_message(error.message)
            return
        if not self.cart.lines:
            self.show_message("商品が登録されていません。")
            return
        if value == 0:
            self.show_message("値引額または割引率をテンキーで入力してから押してください。")
            return

        def apply(authorized_by=None):
            target = "slip" if index < 0 else f"line:{index}"
            action = (lambda: self.cart.set_slip_discount(discount)) if index < 0 else (lambda: self.cart.set_line_discount(index, discount))
            if self._attempt(action):
                self.tenkey.clear()
                # On the ledger worker, before any commit of this sale queued after it (one thread, in order).
                ledger, staff_id = self.context.ledger, self.context.staff.id
                ledger_work().submit(lambda: ledger.record_audit(
                    "discount", staff_id, target=target, detail={"discount": discount.label},
                    authorized_by_id=authorized_by.id if authorized_by else None), on_error=reraise)

        if self.context.settings.discount_permission == "manager":
            as_manager(self, self.context, "値引・割引", apply)
        else:
            apply(None)

    def ahead(self) -> list:
        """What to build in idle time after the screen (``MainWindow.build_ahead``): the 責任者確認."""
        return [lambda: ManagerAuthDialog.prepare(self, "値引・割引", self.context.authorize_manager)]

    # --- payment -----------------------------------------------------------
    def select_method(self, tender: OtherTender, kind: PaymentKind = PaymentKind.CASH, terminal_method: str | None = None) -> None:
        self.method = (kind, tender)
        self.terminal_method = terminal_method
        button = {PaymentKind.CASH: self.cash_button, PaymentKind.OTHER: self.other_button, PaymentKind.TERMINAL: self.terminal_button}[kind]
        button.setChecked(True)
        self.other_button.setText(tender.label if kind is PaymentKind.OTHER else "その他支払")
        self.terminal_button.setText(tender.label if kind is PaymentKind.TERMINAL else "決済端末")
        self.method_label.setText(tender.label)
        self.tenkey.clear()

    def select_terminal(self) -> None:
        """USEN PAY: pick the method on TerminalPickerScreen; CT-6100: the terminal picks (R-CT)."""
        self._sync_method()
        profile = terminal_profile(self.context.terminal.profile)
        if not profile.linked:
            self.show_message("決済端末が設定されていません。「設定」から決済端末を設定してください。")
        elif self._unsettled_terminal_request():
            self.show_message("結果を確認中（要確認）の決済があります。確認が済むまで決済端末は使えません。")
        elif profile.register_picks_method:
            self.navigator.go("TerminalPickerScreen", cart=self.cart)
        else:
            self.select_method(OtherTender("terminal", "決済端末"), PaymentKind.TERMINAL, None)

    def _unsettled_terminal_request(self) -> bool:
        """A request of this checkout still 処理中 / 要確認 in the ledger: a new one would risk charging twice."""
        return bool(self.context.payments.open_of_checkout(self.cart.key))

    def choose_other_tender(self) -> None:
        self._sync_method()
        tenders = self.context.settings.active_tenders
        dialog = MessageDialog(self, "OtherTenderDialog", "その他支払", "支払方法を選んでください。",
                               [(f"tender_{t.code}", t.label, "secondary") for t in tenders] + [("cancelButton", "キャンセル", "secondary")])
        by_name = {f"tender_{t.code}": t for t in tenders}
        dialog.chosen.connect(lambda name: self.select_method(by_name[name], PaymentKind.OTHER) if name in by_name else None)
        dialog.open()

    def _sync_method(self) -> None:
        kind, _tender = self.method
        {PaymentKind.CASH: self.cash_button, PaymentKind.OTHER: self.other_button, PaymentKind.TERMINAL: self.terminal_button}[kind].setChecked(True)

    def fill_remaining(self) -> None:
        if not self.cart.lines:
            self.show_message("商品が登録されていません。")
            return
        self.tenkey.set_value(self.cart.remaining_yen)

    def pay(self) -> None:
        kind, tender = self.method
        if self.cart.is_settled:  # a commit that failed earlier: try again
            self.complete()
            return
        if self._unsettled_terminal_request():
            # The terminal may still have charged the customer: taking the money again
            # now could charge twice. Ask the terminal again and show what is open.
            self.show_message("結果を確認中（要確認）の決済があります。決済端末の結果が分かるまで会計できません。")
            self.context.coordinator.recheck()
            ReconcileDialog(self, self.context).open()
            return
        if kind is PaymentKind.TERMINAL:
            amount = self.tenkey.value
            if self._attempt(lambda: self.cart.check_payment(kind, amount)):
                self.navigator.go("PaymentConfirmScreen", request=TerminalRequest(self.cart, amount, self.terminal_method,
                                                                                     profile=self.context.terminal.profile))
            return
        payment = Payment(kind, tender.label, self.tenkey.value, tender.code)
        if not self._attempt(lambda: self.cart.add_payment(payment)):
            return
        self.tenkey.clear()
        if self.cart.is_settled:
            self.complete()
        else:
            self.select_method(CASH)

    def complete(self) -> None:
        """Commit the settled cart on the ledger worker (SPEC §9: the commit's fsync is no UI
        stall); the screen takes no taps meanwhile and 会計完了 shows only once it is committed."""
        if self.hold.held:
            return  # already committing
        cart, staff_id, ledger = self.cart, self.context.staff.id, self.context.ledger
        self.hold.hold()
        self.show_message("記録中…")
        ledger_work().submit(lambda: ledger.commit_sale(cart, staff_id),
                             lambda committed: self._committed(cart, committed), lambda error: self._not_committed(cart, error))

    def _committed(self, cart: Cart, committed) -> None:
        self.hold.release()
        self.show_message("")
        self.navigator.go("CheckoutDoneScreen", committed=committed, cart=cart)

    def _not_committed(self, cart: Cart, error: BaseException) -> None:
        """The slip is not written: undo a cash / other payment, keep the cart."""
        self.hold.release()
        if cart.payments[-1].kind is not PaymentKind.TERMINAL:
            cart.remove_payment(len(cart.payments) - 1)
            retry = ""
        else:  # a terminal payment is real money: keep it, 「会計」 tries the commit again
            retry = "「会計」で記録をやり直してください。"
        self.refresh()
        self.show_message((getattr(error, "message", None) or f"会計を記録できませんでした：{error}") + retry)

    def delete_payment(self, index: int) -> None:
        """× on 支払い欄: cash / other go at once; a terminal payment is refunded first (R-REFUND-INLINE)."""
        payment = self.cart.payments[index]
        if payment.kind is PaymentKind.TERMINAL:
            self.refund_terminal_payment(payment)
            return
        self.cart.remove_payment(index)
        self.show_message("")
        self.refresh()

    def back(self) -> None:
        if self.cart.payments or self._unsettled_terminal_request():
            self.show_message("支払い中です。支払いを取り消してから戻ってください。")
            return
        self.navigator.go("TopScreen")

    # --- view --------------------------------------------------------------
    def _sync_dining(self) -> None:
        (self.eat_in_button if self.cart.eat_in else self.take_out_button).setChecked(True)

    def refresh(self) -> None:
        self.cart_view.refresh(self.cart)
        self.payments_view.refresh(self.cart)
        self._sync_dining()
