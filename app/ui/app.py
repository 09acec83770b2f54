"""Building the register: ledger, printer, context, main window. Shared by ``python -m app``,
the screenshot command and the ``app.testing`` pytest plugin, so all three run the same app.

Start-up budget (issue 13, ``bench/startup.py``): with ``defer=True`` the login screen is
built from ``app.core.ledger.startup`` (sqlite3 only) and the ledger is opened after its
first paint, on the password worker — SQLAlchemy, the models, the printer and terminal
stacks load while the login screen is already on screen. Keep this module's imports light.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.clock import Clock
from app.ui.context import RegisterContext
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme

if TYPE_CHECKING:
    from app.core.ledger.ledger import Ledger
    from app.core.ledger.settings import ShopSettings
    from app.core.printing.config import PrinterConfig
    from app.core.printing.service import PrintService
    from app.core.terminal.config import BridgeTimings

log = logging.getLogger(__name__)


def printer_config(settings: ShopSettings, data_dir: Path | None = None) -> PrinterConfig:
    """The configured printer; a "file" printer without a path writes into the data dir."""
    from app.core.printing.config import PrinterConfig

    target = settings.printer_target
    if settings.printer_kind == "file" and not target and data_dir is not None:
        target = str(data_dir / "receipts.escpos")
    return PrinterConfig(kind=settings.printer_kind, target=target, paper_mm=settings.printer_paper_mm,
                         mode=settings.printer_mode, model=settings.printer_model)


def print_service(settings: ShopSettings, data_dir: Path | None = None) -> PrintService:
    """The configured printer: the on-screen preview, or python-escpos's printer of that kind."""
    if settings.printer_kind == "preview":
        from app.ui.print_preview import PreviewPrintService

        return PreviewPrintService(settings.printer_paper_mm, settings.printer_model)
    from app.core.printing.service import PrintService

    return PrintService(printer_config(settings, data_dir))


def build_register(db_url: str, *, clock: Clock | None = None, printer: PrintService | None = None,
                   data_dir: Path | None = None, demo: bool = True,
                   terminal_timings: BridgeTimings | None = None, settings: dict | None = None,
                   defer: bool = False) -> MainWindow:
    """Open (migrate, seed) the ledger and build the main window on the login screen.

    A QApplication must exist. ``printer`` overrides the configured one (tests pass a
    capturing printer); ``settings`` overrides stored settings before start (set-up, not audited).
    ``defer``: when the ledger is a new or current SQLite file, open it only after the login
    screen's first paint (the window must be shown); ``window.context.when_ready`` runs
    callbacks once it is open, and the screens are built ahead from then. Otherwise, and for
    any other ledger (to migrate, to refuse), it is opened here, before returning.
    """
    from PySide6.QtWidgets import QApplication

    apply_theme(QApplication.instance())
    clock = clock or Clock()
    view = None
    if defer:
        from app.core.ledger.startup import open_for_login

        view = open_for_login(db_url, demo=demo)
    if view is not None:
        try:
            clock.use_zone(view.shop_timezone)
        except ValueError:  # as Ledger does: a bad stored zone must not stop the register
            pass
    context = RegisterContext(clock=clock, db_url=db_url, data_dir=data_dir, login_view=view)

    def open_ledger() -> Ledger:
        try:
            ledger = _open_ledger(db_url, clock, demo, settings)
        except BaseException as error:
            context.ledger_future.set_exception(error)  # a login waiting for it is refused with it
            raise
        context.ledger_future.set_result(ledger)
        return ledger

    def opened(ledger: Ledger) -> None:  # UI thread: the preview printer is a QObject
        context.attach(ledger, printer or print_service(ledger.settings(), data_dir), terminal_timings)

    if view is None:
        opened(open_ledger())
    window = MainWindow(context)
    window.start()
    if view is not None:
        from app.ui.background import password_checks

        def failed(error: BaseException) -> None:
            log.error("cannot open the ledger %s", db_url)
            raise error  # to the register's excepthook: logged, ErrorDialog with a reference

        requested = []

        def request_ledger() -> None:  # on the password worker: a password check waits behind it
            if not requested:
                requested.append(True)
                password_checks().submit(open_ledger, opened, failed)

        context.request_ledger = request_ledger
        _after_first_paint(window, request_ledger)  # or at the first login, if that is sooner
    return window


def _open_ledger(db_url: str, clock: Clock, demo: bool, settings: dict | None) -> Ledger:
    """The ledger opened (migrated, seeded, ``settings`` applied): no Qt, any thread."""
    from app.core.demo import seed_demo
    from app.core.ledger.ledger import Ledger
    from app.core.ledger.settings import load_settings, save_settings

    ledger = Ledger(db_url, clock)
    if demo:
        seed_demo(ledger)
    if settings:
        with ledger.write() as db:
            save_settings(db, replace(load_settings(db), **settings))
    ledger.register()
    return ledger


def _after_first_paint(window: MainWindow, callback) -> None:
    """``callback()`` on the event-loop turn after the current screen's first paint."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Paint:
                watched.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, callback)
            return False

    window.current_screen.installEventFilter(FirstPaint(window))
