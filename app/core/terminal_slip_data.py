"""The ``TerminalSlipData`` (控え, laid out by ``printing/terminal_slip.py``) of a recorded
terminal payment or refund (R-SLIP).

Only what the terminal reported is printed (the row's fields and its slip data); the
shop's name, phone and address come from the settings. QR payments have no slip.

Traps:
- ご利用日 is when the terminal took the payment (its slip's DateTime), else when the
  request was made — never the row's ``updated_at``, which a later refund moves.
- E-money has no card number: its 会員番号 comes as the slip's ``MemberNumber``
  (「**** 5678」); only its last 4 digits are kept, as for cards.
"""
from __future__ import annotations

import json
from datetime import datetime

from app.core.ledger.models import TerminalPayment
from app.core.ledger.settings import ShopSettings
from app.core.printing.terminal_slip import TerminalSlipData, last4_of, refund_wording_for
from app.core.terminal.profiles import terminal_profile

SLIP_TIME_FORMAT = "%Y/%m/%d %H:%M:%S"  # the terminal's DateTime, as printed


def slip_data_for(row: TerminalPayment, settings: ShopSettings, *, original: TerminalPayment | None = None,
                  reprint: bool = False) -> TerminalSlipData | None:
    """None for QR / code payments (no slip) and for rows without a known method."""
    method = row.method or (original.method if original else None)
    if method not in ("credit", "emoney"):
        return None
    slip = json.loads(row.slip_data) if row.slip_data else {}
    refund = row.kind == "refund"
    # the terminal's AIDLine is 「A0000000031010 VISA」: keep the AID, the layout adds the brand
    aid = (str(slip.get("AIDLine") or "").split() or [None])[0]
    return TerminalSlipData(
        shop_name=settings.shop_name,
        shop_phone=settings.shop_phone,
        shop_address=settings.shop_address,
        used_at=_used_at(row, slip),
        method=method,
        kind="refund" if refund else "sale",
        refund_wording=refund_wording_for(original.created_at, row.created_at) if refund and original else "取消",
        amount_yen=row.amount_yen,
        order_code=row.poi_transaction_id if terminal_profile(row.profile).order_codes else None,
        slip_number=str(slip.get("SlipNumber", "")).lstrip("#") or None,
        card_last4=row.card_last4 or _member_last4(slip) or (original.card_last4 if original else None),
        brand=row.brand or (original.brand if original else None),
        entry_mode=row.entry_mode or (original.entry_mode if original else None),
        handling_division=slip.get("HandlingDivision"),
        product_division=slip.get("ProductDivision"),
        issuer=slip.get("CardCompany"),
        approval_number=row.approval_number or slip.get("ApprovalNumber"),
        processing_number=slip.get("ProcessingNumber"),
        aid=aid,
        terminal_id=slip.get("UpperTerminalID") or slip.get("TerminalID"),
        inquiry_number=slip.get("InquiryNumber"),
        reprint=reprint,
    )


def _used_at(row: TerminalPayment, slip: dict) -> datetime:
    try:
        return datetime.strptime(str(slip["DateTime"]), SLIP_TIME_FORMAT)
    except (KeyError, ValueError):
        return row.created_at


def _member_last4(slip: dict) -> str | None:
    number = slip.get("MemberNumber") or slip.get("CardNumber")
    try:
        return last4_of(str(number)) if number else None
    except ValueError:
        return None
