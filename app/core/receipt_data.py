"""The ``ReceiptData`` of a committed slip (laid out by ``printing/receipt.py``): the stored
slip, not the cart, is what gets printed, so a reprint shows exactly what was recorded."""
from __future__ import annotations

from app.core.ledger.models import Slip
from app.core.ledger.settings import ShopSettings
from app.core.money import REDUCED_RATE
from app.core.printing.receipt import ReceiptData, ReceiptLine, TaxBreakdown


def receipt_for_slip(slip: Slip, settings: ShopSettings, *, reprint: bool = False) -> ReceiptData:
    """``slip`` must have lines, taxes, tenders and staff loaded (``Ledger.slip``)."""
    return ReceiptData(
        shop_name=settings.shop_name,
        shop_address=settings.shop_address,
        shop_phone=settings.shop_phone,
        registration_number=settings.registration_number,
        register_name=settings.register_name,
        slip_number=f"{slip.slip_number:06d}",
        issued_at=slip.created_at,
        staff_name=slip.staff.name,
        lines=[
            ReceiptLine(
                name=line.name,
                quantity=line.quantity,
                unit_price_yen=line.unit_price_yen,
                amount_yen=line.amount_yen,
                reduced_rate=line.tax_rate_percent == REDUCED_RATE,
                discount_yen=line.discount_yen,
            )
            for line in slip.lines
        ],
        subtotal_yen=slip.subtotal_yen,
        slip_discount_yen=slip.discount_yen,
        taxes=[TaxBreakdown(t.rate_percent, t.taxable_yen, t.tax_yen) for t in slip.taxes],
        total_yen=slip.total_yen,
        # cash handed over prints as お預り / お釣り, not again as 「現金 ￥10,000」
        tenders=[(t.label, t.amount_yen) for t in slip.tenders if not (t.kind == "cash" and slip.cash_tendered_yen > 0)],
        deposit_yen=slip.cash_tendered_yen,
        change_yen=slip.change_yen,
        eat_in=slip.eat_in,
        reprint=reprint,
    )
