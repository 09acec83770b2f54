"""What moves between the checkout and the terminal payment screens."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.cart import Cart, Payment, PaymentKind
from app.core.ledger.models import TerminalPayment
from app.core.terminal.profiles import method_label, terminal_profile



@dataclass
class TerminalRequest:
    """A terminal payment about to be sent, or the refund of ``refund_of`` (R-REFUND-INLINE)."""

    cart: Cart | None  # None for a refund from 伝票明細 (no checkout open)
    amount_yen: int
    method: str | None  # credit | qr | emoney; None: the CT-6100 picks
    refund_of: TerminalPayment | None = None
    return_to: tuple[str, dict] | None = None  # where to go afterwards; None: back to the checkout
    wording: str = "取消"  # 取消 / 返品 / 返金 (refunds from history, app.core.refund_rules)
    authorized_by_id: int | None = None  # the manager who authorised a refund from history (audited)
    profile: str | None = None  # the terminal's profile code, for the label of a new payment

    def go_back(self, navigator) -> None:
        """Leave the terminal screens: to ``return_to`` (e.g. PaymentHistoryScreen), else the checkout."""
        if self.return_to is not None:
            name, kwargs = self.return_to
            navigator.go(name, **kwargs)
        else:
            navigator.go("CheckoutScreen", cart=self.cart)

    @property
    def label(self) -> str:
        if self.refund_of is not None:
            return tender_label(self.refund_of)
        return terminal_profile(self.profile).request_label(self.method) if self.profile else "決済端末"


def tender_label(row: TerminalPayment) -> str:
    """How a terminal payment reads in 支払い欄 and on the receipt: 「クレジット(VISA)」."""
    label = method_label(row.method)
    return f"{label}({row.brand})" if row.brand else label


def tender_for(row: TerminalPayment) -> Payment:
    return Payment(PaymentKind.TERMINAL, tender_label(row), row.amount_yen, f"terminal_{row.method or 'unknown'}",
                   reference=row.transaction_id)
