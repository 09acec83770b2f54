"""What the screens share: the ledger, the shop settings, who is logged in, the printer."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.cart import Cart
from app.core.ledger.day_close import DayClose
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Staff
from app.core.ledger.settings import ShopSettings
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.money import TaxRounding
from app.core.payments.coordinator import PaymentCoordinator
from app.core.printing.service import PrintService
from app.ui.background import BackgroundWorker
from app.ui.payments import PaymentUpdates
from app.ui.qt_bridge import QtBridge
from app.ui.threads import UiDispatcher


@dataclass
class RegisterContext:
    ledger: Ledger
    printer: PrintService
    settings: ShopSettings = field(init=False)
    staff: Staff | None = None
    devices: BackgroundWorker = field(default_factory=BackgroundWorker)
    terminal: QtBridge = field(default_factory=QtBridge)
    terminal_login_tried: bool = False  # this run has asked the terminal for a link (開局 or first top screen)
    payments: TerminalPaymentBook = field(init=False)
    data_dir: Path | None = None  # where the ledger lives; the CSV export's default folder
    coordinator: PaymentCoordinator = field(init=False)  # owns every open terminal request
    payment_updates: PaymentUpdates = field(init=False)  # its changes as a Qt signal
    current_cart: Cart | None = None  # the checkout in progress (CheckoutScreen keeps it here)

    def __post_init__(self) -> None:
        from app.ui.backups import BackupKeeper

        self.reload_settings()
        self.payments = TerminalPaymentBook(self.ledger)
        self.coordinator = PaymentCoordinator(self.payments, UiDispatcher())
        self.payment_updates = PaymentUpdates(self.coordinator)
        self.day = DayClose(self.ledger, self.payments)
        self.reconciliations: dict[int, list] = {}  # session id → the terminal's Reconciliation answers (R-CLOSE)
        self.backups = BackupKeeper(self)

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
        return Cart(eat_in=self.settings.default_eat_in if self.settings.sells_food else True,
                    rounding=TaxRounding(self.settings.tax_rounding))

    def authorize_manager(self, password: str) -> Staff:
        """ManagerAuthDialog's check: audited with who asked (the staff logged in); see
        ``staff.authorize_manager`` for the lockout. Raises ``RegiError``."""
        return self.ledger.authorize_manager(password, self.staff.id if self.staff else None)

    @property
    def staff_is_manager(self) -> bool:
        return bool(self.staff and self.staff.is_manager)
