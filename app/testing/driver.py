"""``RegisterDriver``: drive the real register as a cashier would — tap by ``objectName``,
key amounts on the tenkey, read the current screen, its message and the ledger.

Taps go through real mouse events on visible, enabled widgets of the frontmost dialog or
the current screen, so a test cannot tap what a cashier could not. A tap returns once a
password it sent to be checked off the UI thread has its answer on screen.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QWidget

from app.core.clock import Clock
from app.core.printing.config import PrinterConfig
from app.core.printing.printers import CapturingPrinter
from app.core.printing.service import PrintService
from app.core.terminal.config import BridgeTimings
from app.ui.app import build_register
from app.ui.keyboard import hide_keyboard
from app.ui.main_window import AHEAD, MainWindow

DEFAULT_TIMEOUT_S = 5.0
POLL_MS = 2  # a wait checks again this often: qWait sleeps its whole step even when the answer is in
TEST_TIMINGS = BridgeTimings(connect_timeout=2.0, login_timeout=2.0, request_timeout=3.0, payment_timeout=10.0,
                             reversal_timeout=10.0, heartbeat_interval=1.0, heartbeat_timeout=3.0,
                             backoff_initial=0.05, backoff_max=0.5)


class RegisterDriver:
    def __init__(self, window: MainWindow, data_dir: Path):
        self.window = window
        self.data_dir = data_dir
        self.start_args: dict = {}
        self._successor: RegisterDriver | None = None

    @classmethod
    def start(cls, data_dir: Path, *, clock: Clock | None = None, printer_config: PrinterConfig | None = None,
              settings: dict | None = None, printer_service: PrintService | None = None,
              demo: bool = True) -> "RegisterDriver":
        """A register on a fresh demo ledger in ``data_dir`` with a capturing printer, shown at 1280×800.
        ``settings``: ShopSettings fields to set first (e.g. the simulator's port); ``demo=False``:
        an empty ledger (no staff, no products), as a new shop starts."""
        printer = printer_service or PrintService(printer_config or PrinterConfig(kind="capture"))
        window = build_register(f"sqlite:///{data_dir / 'regi.db'}", clock=clock, printer=printer, data_dir=data_dir,
                                settings={"terminal_profile": "none", **(settings or {})}, terminal_timings=TEST_TIMINGS,
                                demo=demo, defer=True)
        window.resize(1280, 800)
        window.show()
        QApplication.processEvents()
        driver = cls(window, data_dir)
        driver.start_args = dict(clock=clock, printer_config=printer_config, settings=settings,
                                 printer_service=printer_service)
        # As in a shop, where logging in takes seconds: the ledger is open (after the first paint,
        # issue 13) and the screens built ahead are ready before the first tap, rather than being
        # built while a test races the terminal link. Opening imports the ledger stack: minutes
        # are allowed for a machine shared by many.
        driver.wait_until(lambda: window.context.ready, 120, "the ledger to open")
        driver.wait_until(lambda: all(name in window.screens for name in AHEAD), 120, "the screens built ahead")
        return driver

    def crash_and_restart(self) -> "RegisterDriver":
        """The register dies at once (nothing more is recorded, the link just drops — no
        Logout) and a new register starts on the same ledger file, on the login screen.
        Returns the new driver; this one is finished."""
        self.context.coordinator.halt()
        self.context.terminal.stop()
        QApplication.processEvents()
        for dialog in self._dialogs():
            dialog.close()
        self.context.devices.shutdown()
        self.context.ledger.dispose()
        self.window.close()
        self.window.deleteLater()
        QApplication.processEvents()
        self._successor = RegisterDriver.start(self.data_dir, **self.start_args)
        return self._successor

    def close(self) -> None:
        if self._successor is not None:  # crashed: the register that took over is closed instead
            self._successor.close()
            return
        hide_keyboard()
        self.context.terminal.stop()  # pending requests resolve now; their dialogs are closed below
        QApplication.processEvents()
        for dialog in self._dialogs():
            dialog.close()
        self.wait_devices()
        self.context.devices.shutdown()
        self.context.ledger.dispose()
        self.window.close()
        self.window.deleteLater()

    # --- what is there -----------------------------------------------------
    @property
    def context(self):
        return self.window.context

    @property
    def ledger(self):
        return self.context.ledger

    @property
    def printer(self) -> CapturingPrinter:
        return self.context.printer.capture

    def screen(self) -> str:
        """objectName of the current screen, e.g. ``"CheckoutScreen"``."""
        return self.window.current_screen.objectName()

    def message(self) -> str:
        """The refusal or notice shown on the current screen (empty if none)."""
        return self.window.current_screen.message_label.text()

    def _dialogs(self) -> list[QDialog]:
        """Visible dialogs of this register's window (another register's are not ours)."""
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QDialog) and w.isVisible() and self._owns(w)]

    def _owns(self, widget: QWidget) -> bool:
        # QWidget.isAncestorOf stops at window boundaries, and a dialog is its own window.
        while widget is not None:
            if widget is self.window:
                return True
            widget = widget.parentWidget()
        return False

    def dialog(self, name: str | None = None) -> QDialog | None:
        """The visible dialog named ``name`` (any visible dialog if None), else None."""
        for dialog in self._dialogs():
            if name is None or dialog.objectName() == name:
                return dialog
        return None

    def find(self, name: str, *, tappable: bool = False) -> QWidget:
        """The visible widget ``name``: in the open dialog first, then on the current screen.
        With ``tappable``, only in the open dialog if there is one (it is modal)."""
        dialogs = self._dialogs()
        scopes = dialogs if (tappable and dialogs) else [*dialogs, self.window.current_screen]
        for scope in scopes:
            for widget in scope.findChildren(QWidget, name):
                if widget.isVisible():
                    return widget
        raise AssertionError(f"no visible {name!r} on {self.screen()}" + "".join(f" / dialog {d.objectName()}" for d in dialogs))

    def text(self, name: str) -> str:
        widget = self.find(name)
        if isinstance(widget, (QLabel, QAbstractButton)):
            return widget.text()
        raise AssertionError(f"{name!r} has no text")

    # --- acting ------------------------------------------------------------
    def tap(self, name: str, timeout: float = 1.0) -> None:
        """Click ``name``. A widget that is being rebuilt (rows, tiles) shows only on the next
        event-loop pass, so this waits up to ``timeout`` seconds for it to appear."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                widget = self.find(name, tappable=True)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                QTest.qWait(POLL_MS)
        if not widget.isEnabled():
            raise AssertionError(f"{name!r} is disabled")
        QTest.mouseClick(widget, Qt.LeftButton)
        QApplication.processEvents()
        self.wait_passwords()

    def wait_passwords(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until a password being checked off the UI thread (login, manager), or ledger
        work (会計's commit, a screen's first query), is answered on screen."""
        from app.ui.background import workers_busy

        while workers_busy():  # an answer may queue more work (the done screen's reads)
            self.wait_until(lambda: not workers_busy(), timeout, "the password check or ledger work")
            QApplication.processEvents()  # widgets the answer added show on the next pass

    def enter_text(self, name: str, text: str) -> None:
        """Tap text field ``name``, empty it and commit ``text`` into it as the on-screen keyboard
        does (an input method commit: QTest's key clicks cannot type kana or kanji). The
        keyboard itself needs a real display: app.testing.keyboard."""
        from PySide6.QtGui import QInputMethodEvent
        from PySide6.QtWidgets import QLineEdit

        self.tap(name)
        edit = self.find(name, tappable=True)
        if not isinstance(edit, QLineEdit):
            raise AssertionError(f"{name!r} is not a text field")
        edit.setFocus()
        edit.selectAll()
        QTest.keyClick(edit, Qt.Key_Delete)
        if text:
            commit = QInputMethodEvent()
            commit.setCommitString(text)
            QApplication.sendEvent(edit, commit)
        QApplication.processEvents()

    def choose(self, name: str, item_text: str) -> None:
        """Pick ``item_text`` in drop-down ``name`` (as tapping it in the opened list does)."""
        from PySide6.QtWidgets import QComboBox

        combo = self.find(name, tappable=True)
        if not isinstance(combo, QComboBox) or not combo.isEnabled():
            raise AssertionError(f"{name!r} is not an enabled drop-down")
        index = combo.findText(item_text)
        if index < 0:
            raise AssertionError(f"{name!r} has no {item_text!r}: {[combo.itemText(i) for i in range(combo.count())]}")
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        QApplication.processEvents()

    def type_digits(self, digits: str) -> None:
        """Key ``digits`` on the tenkey (of the dialog in front, else of the screen)."""
        for digit in digits:
            self.tap(f"key{digit}")

    def clear_tenkey(self) -> None:
        self.tap("keyClear")

    def wait_until(self, predicate, timeout: float = DEFAULT_TIMEOUT_S, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            QTest.qWait(POLL_MS)

    def wait_devices(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Wait until queued printer / drawer work has finished and its result is on screen."""
        self.wait_until(lambda: not self.context.devices.busy, timeout, "printer and drawer work")

    def wait_screen(self, name: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.wait_until(lambda: self.screen() == name, timeout, f"screen {name} (now {self.screen()})")

    def wait_dialog(self, name: str, timeout: float = DEFAULT_TIMEOUT_S) -> QDialog:
        self.wait_until(lambda: self.dialog(name) is not None, timeout, f"dialog {name}")
        return self.dialog(name)

    # --- flows -------------------------------------------------------------
    def reset_to_login(self) -> None:
        self.window.go("LoginScreen")
        QApplication.processEvents()  # new tiles show on the next event loop pass

    def tap_staff(self, staff_name: str) -> None:
        for widget in self.window.current_screen.findChildren(QAbstractButton):
            if widget.property("staffName") == staff_name and widget.isVisible():
                self.tap(widget.objectName())
                return
        raise AssertionError(f"no staff tile for {staff_name!r}")

    def login(self, staff_name: str, password: str) -> None:
        """Log in from the login screen; ends on OpenScreen or TopScreen."""
        if self.screen() != "LoginScreen":
            self.reset_to_login()
        self.tap_staff(staff_name)
        self.type_digits(password)
        self.tap("loginButton")

    def open_register(self, total_yen: int = 30000) -> None:
        """On OpenScreen, key the float as a total and 「確定」; ends on TopScreen."""
        self.tap("modeTotalButton")
        self.type_digits(str(total_yen))
        self.tap("confirmButton")
        self.wait_screen("TopScreen")

    def start_checkout(self, staff_name: str = "佐藤", password: str = "1111", float_yen: int = 30000) -> None:
        """Log in, open the day if needed (and wait for the terminal link when one is
        configured), and go to CheckoutScreen."""
        self.login(staff_name, password)
        if self.screen() == "OpenScreen":
            self.open_register(float_yen)
        if self.context.terminal.configured:
            self.wait_until(lambda: self.context.terminal.state.linked, what="the terminal link")
        self.tap("checkoutButton")
        self.wait_screen("CheckoutScreen")

    def add_products(self, *product_names: str) -> None:
        """Tap the tile of each product (switching category as needed)."""
        for product_name in product_names:
            product = self._product(product_name)
            self.tap(f"category_{product.category_id}")
            self.tap(f"product_{product.id}")

    def _product(self, name: str):
        for category in self.ledger.catalog():
            for product in category.products:
                if product.name == name:
                    return product
        raise AssertionError(f"no product {name!r} in the catalogue")

    def pay(self, method_button: str, amount_yen: int | None = None, tender: str | None = None) -> None:
        """Pick a method (``cashMethodButton`` / ``otherMethodButton`` + ``tender``), key the
        amount (or 「残額」 when None) and tap 「会計」."""
        self.tap(method_button)
        if tender:
            self.tap(f"tender_{tender}")
        if amount_yen is None:
            self.tap("remainingButton")
        else:
            self.type_digits(str(amount_yen))
        self.tap("payButton")

    # --- ledger ------------------------------------------------------------
    def slips(self):
        return self.ledger.slips()

    def sessions(self):
        from sqlalchemy import select

        from app.core.ledger.models import RegisterSession

        with self.ledger.session() as db:
            return list(db.scalars(select(RegisterSession).order_by(RegisterSession.id)))

    # --- 伝票明細 (SlipListScreen / SlipDetailScreen) -------------------------
    def open_slip_list(self) -> None:
        """From TopScreen, 「伝票明細」; ends on SlipListScreen (today, no filter)."""
        self.tap("slipListButton")
        self.wait_screen("SlipListScreen")

    def slip_list_rows(self) -> list[dict[str, str]]:
        """The rows SlipListScreen has loaded, newest first, as shown: ``{"時刻": "12:34",
        "伝票番号": "000001", "担当者": …, "合計": "¥1,360", "支払": "現金", "状態": "通常"}``."""
        from app.ui.widgets.slip_table import COLUMNS

        table = self.find("slipTable")
        model = table.model()
        return [{COLUMNS[c]: model.index(r, c).data() for c in range(len(COLUMNS))} for r in range(model.rowCount())]

    def tap_slip_row(self, row: int) -> None:
        """Tap row ``row`` (0 = newest) of the slip table with a real click, scrolled into view first."""
        table = self.find("slipTable")
        index = table.model().index(row, 0)
        if not index.isValid():
            raise AssertionError(f"the slip table has no row {row}")
        table.scrollTo(index)
        QApplication.processEvents()
        QTest.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(index).center())
        QApplication.processEvents()

    def open_slip(self, slip_number: int) -> None:
        """On SlipListScreen: tap the row of 伝票番号 ``slip_number``, then 「詳細」; ends on SlipDetailScreen."""
        for row, shown in enumerate(self.slip_list_rows()):
            if shown["伝票番号"] == f"{slip_number:06d}":
                self.tap_slip_row(row)
                self.tap("detailButton")
                self.wait_screen("SlipDetailScreen")
                return
        raise AssertionError(f"no slip {slip_number:06d} in the loaded rows of the slip list")
