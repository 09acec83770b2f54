"""Which terminal payments can be refunded through the terminal, and with which word
(R-HIST, seed 000 4-2…4-4, seed 002 取消と返品の違い).

- the payment must be 決済完了 (not failed, 要確認, or already 返金済み);
- e-money: only iD and QUICPay can be refunded on the terminal; other brands are refunded
  in cash (「現金で返金してください」) and recorded as such;
- QR: refunds are possible through the end of the 90th calendar day after the day of payment
  (days of the shop's time zone: ``created_at`` and ``now`` are its wall-clock time);
- wording: 取消 on the day of the sale, 返品 later; QR always says 返金.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.errors import RegiError
from app.core.ledger.models import TerminalPayment
from app.core.payment_state import PaymentState

TERMINAL_REFUNDABLE_EMONEY = frozenset({"iD", "QUICPay"})
QR_REFUND_DAYS = 90


class CashRefundOnly(RegiError):
    """This e-money brand cannot be refunded on the terminal: offer a recorded cash refund."""


@dataclass(frozen=True)
class RefundPlan:
    wording: str  # 取消 / 返品 / 返金


def plan_refund(row: TerminalPayment, now: datetime) -> RefundPlan:
    """The refund wording, or ``RegiError`` (``CashRefundOnly`` for e-money brands the
    terminal cannot refund) saying why not. Nothing is changed either way."""
    if row.kind != "payment":
        raise RegiError("払い戻しの取引は取消できません。")
    state = PaymentState(row.state)
    if state is PaymentState.REFUNDED:
        raise RegiError("この決済はすでに返金済みです。")
    if state is not PaymentState.APPROVED:
        raise RegiError(f"この決済は「{state.label}」のため取消できません。")
    if row.method == "emoney" and row.brand not in TERMINAL_REFUNDABLE_EMONEY:
        raise CashRefundOnly(f"{row.brand or 'この電子マネー'}は決済端末で取消できません。現金で返金してください。")
    if row.method == "qr":
        if now.date() > row.created_at.date() + timedelta(days=QR_REFUND_DAYS):
            raise RegiError("QRコード決済は決済日から90日を過ぎると返金できません。")
        return RefundPlan("返金")
    return RefundPlan("取消" if row.created_at.date() == now.date() else "返品")
