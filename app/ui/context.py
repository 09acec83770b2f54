"""What the screens share: the ledger, the shop settings, who is logged in, the printer.

The context exists before the ledger is open (issue 13: the login screen is painted first,
from ``login_view``; ``app.ui.app.build_register``). ``ledger``, ``printer``, ``settings``,
``payments``, ``coordinator``, ``payment_updates``, ``day``, ``backups`` and ``terminal``
exist once ``attach`` has run (``ready``; ``when_ready`` callbacks then run). Only the
login screen is built before: it reads ``login_staff()`` and checks passwords with
``ledger_future``, which resolves to the open ``Ledger``; ``request_ledger()`` first, so the
opening is queued ahead of the check on the password worker (never the other way round).
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from app.core.clock import Clock
from app.ui.background import BackgroundWorker

if TYPE_CHECKING:
    from app.core.cart import Cart
    from app.core.ledger.day_close import DayClose
    from app.core.ledger.ledger import Ledger
    from app.core.ledger.models import Staff
    from app.core.ledger.settings import ShopSettings
    from app.core.ledger.startup import LoginStaff, LoginView
    from app.core.ledger.terminal_payments import TerminalPaymentBook
    from app.core.payments.coordinator import PaymentCoordinator
    from app.core.printing.service import PrintService
    from app.core.terminal.config import BridgeTimings
    from app.ui.backups import BackupKeeper
    from app.ui.payments import PaymentUpdates
    from app.ui.qt_bridge import QtBridge


@dataclass
class RegisterContext:
    clock: Clock  # the ledger's clock, from the start (the screens' header)
    db_url: str = ""
    login_view: LoginView | None = None  # the login screen's staff until the ledger is open
    ledger_future: Future = field(default_factory=Future)  # -> the open Ledger (set by whoever opens it)
    request_ledger: Callable[[], None] = field(default=lambda: None, repr=False)  # open it now (idempotent)
    ledger: Ledger = field(init=False)
    printer: PrintService = field(init=False)
    settings: ShopSettings = field(init=False)
    staff: Staff | None = None
    devices: BackgroundWorker = field(default_factory=BackgroundWorker)
    terminal: QtBridge = field(init=False)
    terminal_login_tried: bool = False  # this run has asked the terminal for a link (開局 or first top screen)
    payments: TerminalPaymentBook = field(init=False)
    data_dir: Path | None = None  # where the ledger lives; the CSV export's default folder
    coordinator: PaymentCoordinator = field(init=False)  # owns every open terminal request
    payment_updates: PaymentUpdates = field(init=False)  # its changes as a Qt signal
    day: DayClose = field(init=False)
    backups: BackupKeeper = field(init=False)
    current_cart: Cart | None = None  # the checkout in progress (CheckoutScreen keeps it here)
    ready: bool = False  # attach() has run
    _when_ready: list = field(default_factory=list, repr=False)

    def attach(self, ledger: Ledger, printer: PrintService, terminal_timings: BridgeTimings | None = None) -> None:
        """The ledger is open (UI thread): build what every screen but the login screen uses,
        link the terminal, then run the ``when_ready`` callbacks."""
        from app.core.ledger.day_close import DayClose
        from app.core.ledger.terminal_payments import TerminalPaymentBook
        from app.core.payments.coordinator import PaymentCoordinator
        from app.ui.backups import BackupKeeper
        from app.ui.payments import PaymentUpdates
        from app.ui.qt_bridge import QtBridge
        from app.ui.threads import UiDispatcher

        self.ledger, self.printer = ledger, printer
        if not self.ledger_future.done():
            self.ledger_future.set_result(ledger)
        self.reload_settings()
        self.payments = TerminalPaymentBook(self.ledger)
        self.coordinator = PaymentCoordinator(self.payments, UiDispatcher())
        self.payment_updates = PaymentUpdates(self.coordinator)
        self.day = DayClose(self.ledger, self.payments)
        self.reconciliations: dict[int, list] = {}  # session id → the terminal's Reconciliation answers (R-CLOSE)
        self.backups = BackupKeeper(self)
        self.terminal = QtBridge(terminal_timings)
        self.apply_terminal_settings()
        self.ready = True
        callbacks, self._when_ready = self._when_ready, []
        for callback in callbacks:
            callback()

    def when_ready(self, callback: Callable[[], None]) -> None:
        """``callback()`` once ``attach`` has run (at once if it has)."""
        if self.ready:
            callback()
        else:
            self._when_ready.append(callback)

    def login_staff(self) -> list[Staff] | list[LoginStaff]:
        """The login screen's tiles: active staff in order (``id``, ``name``, ``is_manager``)."""
        if self.ledger_future.done() or self.login_view is None:
            return self.ledger_future.result().staff()
        return self.login_view.staff

    def checkout_transaction_ids(self) -> set[str]:
        """Terminal payments of the checkout in progress: they are not "without a slip" yet."""
        cart = self.current_cart
        return {p.reference for p in cart.payments if p.reference} if cart is not None else set()

    def apply_terminal_settings(self) -> None:
        """(Re)configure the terminal link from the settings (start, or after 「保存」)."""
        self.terminal.configure(self.settings.terminal_config(self.terminal.timings))
        self.coordinator.attach(self.terminal.bridge)

    def apply_printer_settings(self) -> None:
        """Print with the settings' printer from the next job on (after 「保存」 in プリンター)."""
        from app.ui.app import print_service

        self.printer = print_service(self.settings, self.data_dir)

    def run_device(self, fn, on_done=None, on_error=None) -> None:
        """Printer / drawer work, in order, off the UI thread; callbacks come back on it."""
        self.devices.submit(fn, on_done, on_error)

    def reload_settings(self) -> None:
        self.settings = self.ledger.settings()

    def new_cart(self) -> Cart:
        from app.core.cart import Cart
        from app.core.money import TaxRounding

        return Cart(eat_in=self.settings.default_eat_in if self.settings.sells_food else True,
                    rounding=TaxRounding(self.settings.tax_rounding))

    def authorize_manager(self, password: str) -> Staff:
        """ManagerAuthDialog's check: audited with who asked (the staff logged in); see
        ``staff.authorize_manager`` for the lockout. Raises ``RegiError``."""
        return self.ledger.authorize_manager(password, self.staff.id if self.staff else None)

    @property
    def staff_is_manager(self) -> bool:
        return bool(self.staff and self.staff.is_manager)
