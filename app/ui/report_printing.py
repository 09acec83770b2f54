"""Printing the 点検 / 精算 reports and the 入出金票 from a screen (R-CLOSE): the document is
laid out from stored figures, sent off the UI thread, and a failure offers 「再試行」
(what it prints is already recorded)."""
from __future__ import annotations

from app.core.printing.day_report import CloseFigures, ReportHeader, layout_cash_slip, layout_day_report
from app.ui.widgets.dialogs import show_error


def report_header(context) -> ReportHeader:
    settings = context.settings
    return ReportHeader(settings.shop_name, settings.register_name, context.ledger.clock.now(),
                        context.staff.name if context.staff else "")


def columns(context) -> int:
    """The printer's own width (its model's columns: 48 / 42 / 32), as receipts use."""
    return context.printer.columns


def print_document(screen, document, on_done=None) -> None:
    """Print ``document`` in the background; on failure an ErrorDialog with 「再試行」."""
    context = screen.context
    context.run_device(lambda: context.printer.print_document(document), on_done=on_done,
                       on_error=lambda error: show_error(screen, getattr(error, "message", str(error)), title="印刷できませんでした",
                                                         retry_label="再試行", on_retry=lambda: print_document(screen, document, on_done)))


def x_report_document(context, report):
    return layout_day_report(report, report_header(context), columns(context))


def z_report_document(context, closed, *, reprint: bool):
    s = closed.settlement
    close = CloseFigures(s.settlement_number, s.closed_at, closed.staff_name, s.counted_cash_yen, s.difference_yen,
                         s.difference_reason, closed.counts)
    return layout_day_report(closed.report, report_header(context), columns(context), close=close,
                             terminal=closed.terminal, terminal_reason=closed.terminal_reason, reprint=reprint)


def cash_slip_document(context, move):
    return layout_cash_slip(move, report_header(context), columns(context))
