"""Layouts of the 点検 (X) and 精算 (Z) reports and the 入出金票 (R-CLOSE).

Every figure is printed as the ledger computed it (``app.core.ledger.day_report``); the
layout never adds anything up. A reprint of a 精算 carries 「(再)」 at the top (R-SLIP's
mark for reprints). Document kinds: ``x_report``, ``z_report``, ``cash_slip``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.printing.document import PrintDocument, PrintLine, display_width, wrap
from app.core.printing.formatting import YEN, format_datetime_ja, printed_yen

REPRINT_MARK = "(再)"


@dataclass(frozen=True)
class ReportHeader:
    shop_name: str
    register_name: str
    printed_at: datetime
    staff_name: str


@dataclass(frozen=True)
class CloseFigures:
    """What a Z report adds to the day's figures."""

    settlement_number: int
    closed_at: datetime
    manager_name: str
    counted_cash_yen: int
    difference_yen: int
    difference_reason: str | None
    counts: dict[int, int]


def _big(doc: PrintDocument, text: str, right: str | None = None, align: str = "left") -> None:
    """Bold, and double size when it fits in half the columns."""
    needed = display_width(text) + (1 + display_width(right) if right is not None else 0)
    doc.add(text, right=right, align=align, bold=True, double=needed <= doc.width // 2)


def _count(count: int) -> str:
    return f"{count}件"


def _section(doc: PrintDocument, title: str) -> None:
    doc.lines.append(PrintLine.rule())
    doc.add(f"【{title}】", bold=True)


def _wrapped(doc: PrintDocument, text: str, **style) -> None:
    """Free text (reasons, transactions) on as many lines as it needs, never clipped."""
    for piece in wrap(text, doc.width):
        doc.add(piece, **style)


def _figure(doc: PrintDocument, label: str, count: int | None, amount_yen: int) -> None:
    left = f"{label}" if count is None else f"{label}  {_count(count)}"
    doc.add(left, right=printed_yen(amount_yen))


def layout_day_report(report, header: ReportHeader, width_columns: int = 48, *, close: CloseFigures | None = None,
                      terminal=None, terminal_reason: str | None = None, reprint: bool = False) -> PrintDocument:
    """The X report (``close`` None) or the Z report of ``report`` (a ``DayReport``);
    ``terminal`` (a ``TerminalCheck``) adds the terminal's totals beside the ledger's."""
    doc = PrintDocument("z_report" if close else "x_report", width_columns, reprint=reprint)
    if reprint:
        _big(doc, REPRINT_MARK, align="center")
    _big(doc, "精算レポート" if close else "点検レポート", align="center")
    doc.add(header.shop_name, align="center")
    doc.add(format_datetime_ja(header.printed_at))
    doc.add(f"レジ {header.register_name}", right=f"担当 {header.staff_name}")
    doc.add(f"開局 {report.opened_at:%Y/%m/%d %H:%M}", right=report.opened_by)
    if close:
        doc.add(f"精算番号 No.{close.settlement_number:04d}", bold=True)
        doc.add(f"精算 {close.closed_at:%Y/%m/%d %H:%M}", right=f"責任者 {close.manager_name}")

    _section(doc, "売上")
    for figure in (report.sales, report.voids, report.corrections, report.net_sales, report.discounts):
        _figure(doc, figure.label, figure.count, figure.amount_yen)

    _section(doc, "支払別")
    for figure in report.tenders:
        _figure(doc, figure.label, figure.count, figure.amount_yen)

    _section(doc, "税率別")
    for tax in report.taxes:
        doc.add(tax.label, right=printed_yen(tax.taxable_yen))
        doc.add("  内消費税", right=printed_yen(tax.tax_yen))

    _section(doc, "返金")
    if not report.refunds:
        doc.add("なし")
    for figure in report.refunds:
        _figure(doc, figure.label, figure.count, figure.amount_yen)

    _section(doc, "担当者別")
    for figure in report.staff:
        _figure(doc, figure.label, figure.count, figure.amount_yen)

    _section(doc, "時間帯別")
    for figure in report.hours:
        _figure(doc, figure.label, figure.count, figure.amount_yen)

    _section(doc, "現金")
    cash = report.cash
    doc.add("釣銭準備金", right=printed_yen(cash.float_yen))
    doc.add("現金売上", right=printed_yen(cash.cash_sales_yen))
    doc.add("現金返金", right=printed_yen(-cash.cash_refunds_yen))
    for figure in report.cash_moves:
        sign = -1 if figure.label == "出金" else 1
        _figure(doc, figure.label, figure.count, sign * figure.amount_yen)
    doc.add("理論在高", right=printed_yen(cash.expected_yen), bold=True)
    if close:
        for denomination, count in sorted(close.counts.items(), reverse=True):
            doc.add(f"  {denomination:,}円 × {count}", right=printed_yen(denomination * count))
        doc.add("実在高", right=printed_yen(close.counted_cash_yen), bold=True)
        doc.add("過不足", right=printed_yen(close.difference_yen), bold=True)
        if close.difference_reason:
            _wrapped(doc, f"  理由: {close.difference_reason}")

    if terminal is not None:
        _section(doc, "決済端末 照合")
        if terminal.error:
            _wrapped(doc, f"取得できず: {terminal.error}")
        for row in terminal.rows:
            mark = " ※差異" if row.differs else ""
            doc.add(f"{row.label}{mark}")
            for side, totals in (("端末", row.terminal), ("レジ", row.ledger)):
                doc.add(f"  {side} 売上 {_count(totals.payment_count)}", right=printed_yen(totals.payment_yen))
                if totals.refund_count:
                    doc.add(f"  {side} 返金 {_count(totals.refund_count)}", right=printed_yen(-totals.refund_yen))
        for discrepancy in terminal.discrepancies:
            _wrapped(doc, f"※{discrepancy.description}".replace("¥", YEN))  # cp932 has no ¥
        if terminal_reason:
            _wrapped(doc, f"  確認理由: {terminal_reason}")
    doc.lines.append(PrintLine.blank())
    return doc


def layout_cash_slip(move, header: ReportHeader, width_columns: int = 48) -> PrintDocument:
    """The 入出金票 of a ``CashMove``."""
    doc = PrintDocument("cash_slip", width_columns)
    _big(doc, f"{move.label}票", align="center")
    doc.add(header.shop_name, align="center")
    doc.add(format_datetime_ja(move.at))
    doc.add(f"レジ {header.register_name}", right=f"No.{move.movement_id:06d}")
    doc.lines.append(PrintLine.rule())
    _big(doc, f"{move.label}額", right=printed_yen(move.amount_yen))
    _wrapped(doc, f"理由: {move.reason}")
    doc.add("担当", right=move.staff_name)
    if move.authorized_by:
        doc.add("承認", right=move.authorized_by)
    doc.lines.append(PrintLine.blank())
    return doc
