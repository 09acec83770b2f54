"""Slip data (控え) the simulated terminal returns with approved card/e-money
payments and their reversals (R-SLIP; field values as in the seeds' samples).

The register lays the slip out and prints both copies (お客様控 / 加盟店控);
the terminal only supplies the fields. QR payments have no slip (None).
Keys are the `SlipData` keys of docs/terminal-protocol.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.terminal.messages import ENTRY_MODE_LABELS

AIDS = {
    "VISA": "A0000000031010",
    "Mastercard": "A0000000041010",
    "JCB": "A0000000651010",
    "AMEX": "A000000025010402",
    "Diners": "A0000001523010",
    "銀聯": "A000000333010101",
}


@dataclass(frozen=True)
class SlipContext:
    merchant_name: str
    phone: str
    profile: str
    upper_terminal_id: str


def _when(moment: datetime) -> str:
    return moment.strftime("%Y/%m/%d %H:%M:%S")


def card_slip(ctx: SlipContext, *, moment: datetime, order_code: str | None, slip_number: str, brand: str,
              last4: str, entry_mode: str, approval_number: str, processing_number: str, amount: int,
              kind: str = "売上") -> dict[str, Any]:
    refund = kind != "売上"
    slip: dict[str, Any] = {
        "Title": "クレジットカード取消票" if refund else "クレジットカード売上票",
        "MerchantName": ctx.merchant_name,
        "Phone": ctx.phone,
        "DateTime": _when(moment),
        "CardNumber": f"****{last4}",
        "Brand": brand,
        "EntryMode": ENTRY_MODE_LABELS.get(entry_mode, entry_mode),
        "SlipNumber": slip_number,
        "Expiry": "XX/XX",
        "TransactionKind": "取消" if refund else "売上",
        "PaymentDivision": "一括",
        "HandlingDivision": "110",
        "ProductDivision": "990",
        "CardCompany": brand,
        "ApprovalNumber": approval_number,
        "ProcessingNumber": processing_number,
        "Amount": amount,
        "Total": amount,
        "AIDLine": f"{AIDS.get(brand, 'A0000000000000')} {brand}",
    }
    if order_code is not None:
        slip["OrderCode"] = order_code
    return slip


def emoney_slip(ctx: SlipContext, *, moment: datetime, order_code: str | None, slip_number: str, brand: str,
                member_last4: str, inquiry_number: str, amount: int, kind: str = "売上") -> dict[str, Any]:
    refund = kind != "売上"
    slip: dict[str, Any] = {
        "Title": "取消・返品" if refund else "領収書",
        "MerchantName": ctx.merchant_name,
        "Phone": ctx.phone,
        "DateTime": _when(moment),
        "MemberNumber": f"**** {member_last4}",
        "UpperTerminalID": ctx.upper_terminal_id,
        "TransactionKind": "取消" if refund else "売上",
        "Expiry": "XX/XX",
        "ProductDivision": "0990",
        "Brand": brand,
        "PaymentLabel": f"{brand}支払取消・返品" if refund else f"{brand}支払",
        "Amount": amount,
        "Total": amount,
        "SlipNumber": f"#{slip_number}",
        "InquiryNumber": inquiry_number,
    }
    if order_code is not None:
        slip["OrderCode"] = order_code
    return slip
