"""Building the register: ledger, printer, context, main window. Shared by ``python -m app``,
the screenshot command and the ``app.testing`` pytest plugin, so all three run the same app."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.core.clock import Clock
from app.core.demo import seed_demo
from app.core.ledger.ledger import Ledger
from app.core.ledger.settings import ShopSettings, load_settings, save_settings
from app.core.printing.config import PrinterConfig
from app.core.printing.service import PrintService
from app.core.terminal.config import BridgeTimings
from app.ui.context import RegisterContext
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme


def printer_config(settings: ShopSettings, data_dir: Path | None = None) -> PrinterConfig:
    """The configured printer; a "file" printer without a path writes into the data dir."""
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
    return PrintService(printer_config(settings, data_dir))


def build_register(db_url: str, *, clock: Clock | None = None, printer: PrintService | None = None,
                   data_dir: Path | None = None, demo: bool = True,
                   terminal_timings: BridgeTimings | None = None, settings: dict | None = None) -> MainWindow:
    """Open (migrate, seed) the ledger and build the main window on the login screen.

    A QApplication must exist. ``printer`` overrides the configured one (tests pass a
    capturing printer); ``settings`` overrides stored settings before start (set-up, not audited).
    """
    from PySide6.QtWidgets import QApplication

    apply_theme(QApplication.instance())
    ledger = Ledger(db_url, clock)
    if demo:
        seed_demo(ledger)
    if settings:
        with ledger.session() as db, db.begin():
            save_settings(db, replace(load_settings(db), **settings))
    ledger.register()
    if printer is None:
        printer = print_service(ledger.settings(), data_dir)
    context = RegisterContext(ledger=ledger, printer=printer, data_dir=data_dir)
    context.terminal.timings = terminal_timings
    context.apply_terminal_settings()
    window = MainWindow(context)
    window.start()
    return window
