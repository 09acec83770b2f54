"""Layout of the customer receipt (レシート, a 適格簡易請求書) and the 領収書 (R-RECEIPT).

Contracts:
- Money is int yen; every figure is printed as given — the cart / ledger
  computes it, the layout never recomputes or rounds tax.
- `ReceiptLine.amount_yen` is quantity × unit price *before* the line's
  `discount_yen` (a positive number that is printed as 「値引 -￥X」).
- `subtotal_yen` is after line discounts, before `slip_discount_yen`;
  `total_yen` = subtotal - slip discount.
- `TaxBreakdown.taxable_yen` is the tax-inclusive total at that rate (総額表示),
  `tax_yen` the tax contained in it (内消費税).
- `tenders` are the payments printed above お預り: the non-cash ones, and cash
  only when no cash was handed over (a reversing slip) — a cash tender beside
  お預り would print the money handed over twice (`receipts.receipt_for_slip`).
  `deposit_yen` is the cash handed over (お預り) and `change_yen` the change.
  お預り / お釣り are printed when cash was handed over (`deposit_yen > 0`).
- A reprint (`reprint=True`) carries 「再発行」 at the top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core.printing.document import PrintDocument, PrintLine, display_width, wrap
from app.core.printing.formatting import format_datetime_ja, printed_yen

REDUCED_MARK = "※"
REPRINT_MARK = "再発行"


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    quantity: int
    unit_price_yen: int
    amount_yen: int
    reduced_rate: bool = False
    discount_yen: int = 0


@dataclass(frozen=True)
class TaxBreakdown:
    rate_percent: int  # 10 or 8
    taxable_yen: int  # tax-inclusive total at this rate
    tax_yen: int  # 内消費税


@dataclass(frozen=True, kw_only=True)
class ReceiptData:
    shop_name: str
    shop_address: str
    shop_phone: str
    registration_number: str  # 登録番号 "T" + 13 digits
    register_name: str
    slip_number: str
    issued_at: datetime
    staff_name: str
    lines: list[ReceiptLine]
    subtotal_yen: int
    slip_discount_yen: int = 0
    taxes: list[TaxBreakdown]
    total_yen: int
    tenders: list[tuple[str, int]] = field(default_factory=list)
    deposit_yen: int = 0
    change_yen: int = 0
    eat_in: bool | None = None
    reprint: bool = False


def layout_receipt(data: ReceiptData, width_columns: int = 48) -> PrintDocument:
    """The customer receipt (適格簡易請求書) at `width_columns` (48 for 80 mm, 32 for 58 mm)."""
    doc = PrintDocument("receipt", width_columns, reprint=data.reprint)
    _reprint_mark(doc)
    _shop_header(doc, data)
    doc.add(format_datetime_ja(data.issued_at))
    doc.add(register_caption(data.register_name), right=f"担当 {data.staff_name}")
    doc.add(f"伝票番号 No.{data.slip_number}")
    if data.eat_in is not None:
        doc.add("店内飲食" if data.eat_in else "お持ち帰り")
    doc.lines.append(PrintLine.rule())

    for item in data.lines:
        _item(doc, item)
    doc.lines.append(PrintLine.rule())

    doc.add("小計", right=printed_yen(data.subtotal_yen))
    if data.slip_discount_yen:
        doc.add("値引", right=printed_yen(-data.slip_discount_yen))
    _big(doc, "合計", right=printed_yen(data.total_yen))
    _tax_breakdown(doc, data.taxes)
    if any(item.reduced_rate for item in data.lines):
        doc.add(f"{REDUCED_MARK}は軽減税率対象商品です")
    doc.lines.append(PrintLine.rule())

    for label, amount in data.tenders:
        doc.add(label, right=printed_yen(amount))
    if data.deposit_yen > 0:
        doc.add("お預り", right=printed_yen(data.deposit_yen))
        doc.add("お釣り", right=printed_yen(data.change_yen), bold=True)
    doc.lines.append(PrintLine.blank())
    doc.add("お買い上げありがとうございました", align="center")
    return doc


def layout_formal_receipt(
    data: ReceiptData, addressee: str = "", proviso: str = "", width_columns: int = 48
) -> PrintDocument:
    """The 領収書: addressee (a blank to write on if empty), amount, 但し書き (default お品代)."""
    doc = PrintDocument("formal_receipt", width_columns, reprint=data.reprint)
    _reprint_mark(doc)
    _big(doc, "領収書", align="center")
    doc.lines.append(PrintLine.blank())
    doc.add(addressee, right="様", bold=True)  # wrapped, never cut; empty leaves the line to write on
    doc.lines.append(PrintLine.rule())
    doc.lines.append(PrintLine.blank())
    _big(doc, f"{printed_yen(data.total_yen)}-", align="center")
    doc.lines.append(PrintLine.blank())
    doc.add(f"但し {proviso or 'お品代'} として")
    doc.add("上記正に領収いたしました")
    _tax_breakdown(doc, data.taxes)
    doc.lines.append(PrintLine.rule())
    _shop_header(doc, data)
    doc.add(format_datetime_ja(data.issued_at))
    doc.add(f"伝票番号 No.{data.slip_number}", right=f"担当 {data.staff_name}")
    return doc


def register_caption(register_name: str) -> str:
    """「レジ 01」, or the name alone when it already says レジ (「レジ1」, not 「レジ レジ1」)."""
    return register_name if register_name.startswith("レジ") else f"レジ {register_name}"


def _big(doc: PrintDocument, text: str, right: str | None = None, align: str = "left") -> None:
    """A bold line, double size if it fits in half the columns (else a Kanji printer would wrap it)."""
    needed = display_width(text) + (1 + display_width(right) if right is not None else 0)
    doc.add(text, right=right, align=align, bold=True, double=needed <= doc.width // 2)


def _reprint_mark(doc: PrintDocument) -> None:
    if doc.reprint:
        _big(doc, REPRINT_MARK, align="center")
        doc.lines.append(PrintLine.blank())


def _shop_header(doc: PrintDocument, data: ReceiptData) -> None:
    _big(doc, data.shop_name, align="center")
    for text in (data.shop_address, f"TEL {data.shop_phone}" if data.shop_phone else ""):
        if text:
            doc.add(text, align="center")
    doc.add(f"登録番号 {data.registration_number}", align="center")
    doc.lines.append(PrintLine.blank())


def _item(doc: PrintDocument, item: ReceiptLine) -> None:
    name = (REDUCED_MARK if item.reduced_rate else "") + item.name
    amount = printed_yen(item.amount_yen)
    if item.quantity == 1 and display_width(name) + 1 + display_width(amount) <= doc.width:
        doc.add(name, right=amount)
    else:
        for piece in wrap(name, doc.width):
            doc.add(piece)
        detail = f"  {printed_yen(item.unit_price_yen)} × {item.quantity}" if item.quantity != 1 else ""
        doc.add(detail, right=amount)
    if item.discount_yen:
        doc.add("  値引", right=printed_yen(-item.discount_yen))


def _tax_breakdown(doc: PrintDocument, taxes: list[TaxBreakdown]) -> None:
    """「(10%対象 ￥X 内消費税 ￥Y)」 per rate present, 10% first; split in two lines if too wide."""
    for tax in sorted(taxes, key=lambda t: -t.rate_percent):
        head = f"({tax.rate_percent}%対象 {printed_yen(tax.taxable_yen)}"
        tail = f"内消費税 {printed_yen(tax.tax_yen)})"
        if display_width(head) + 1 + display_width(tail) <= doc.width:
            doc.add(f"{head} {tail}")
        else:
            doc.add(head)
            doc.add(f" {tail}")
