"""The cart of one checkout: lines, discounts, eat-in/take-out, taxes and payments.

Pure state with validation: every mutator either applies fully or raises
``RegiError`` and leaves the cart as it was (R-CHK bad input). The cart does not
touch the ledger; ``app.core.ledger.slips.commit_sale`` persists a settled cart.
"""
from __future__ import annotations

import uuid

from dataclasses import dataclass, field
from enum import Enum

from app.core.errors import RegiError
from app.core.money import (
    MAX_AMOUNT_YEN,
    REDUCED_RATE,
    STANDARD_RATE,
    TaxRounding,
    format_yen,
    inclusive_tax_yen,
    percent_of_yen,
)

MAX_PAYMENTS = 5
"""併用決済は5種類まで (seed 000 2-2)."""

MAX_QUANTITY = 999


class TaxClass(str, Enum):
    """FOOD is 飲食料品: 8 % (軽減税率) when taken out, 10 % eaten in. STANDARD is always 10 %."""

    FOOD = "food"
    STANDARD = "standard"


class PaymentKind(str, Enum):
    CASH = "cash"
    OTHER = "other"  # その他支払: 商品券, クレジット(手入力), …
    TERMINAL = "terminal"


@dataclass(frozen=True)
class Discount:
    """値引 (``yen`` off) or 割引 (``percent`` off); exactly one of them is non-zero."""

    yen: int = 0
    percent: int = 0

    def __post_init__(self) -> None:
        if self.yen and self.percent:
            raise ValueError("a discount is either yen or percent")
        if self.yen < 0 or self.yen > MAX_AMOUNT_YEN:
            raise RegiError(f"値引は0〜{format_yen(MAX_AMOUNT_YEN)}で指定してください。")
        if not 0 <= self.percent <= 100:
            raise RegiError("割引は0〜100%で指定してください。")

    def of(self, amount_yen: int) -> int:
        return min(amount_yen, self.yen if self.yen else percent_of_yen(amount_yen, self.percent))

    @property
    def label(self) -> str:
        return f"値引 {format_yen(self.yen)}" if self.yen else f"割引 {self.percent}%"


NO_DISCOUNT = Discount()


@dataclass
class CartLine:
    product_id: int | None
    name: str
    unit_price_yen: int
    tax_class: TaxClass
    quantity: int = 1
    discount: Discount = NO_DISCOUNT

    @property
    def gross_yen(self) -> int:
        return self.unit_price_yen * self.quantity

    @property
    def discount_yen(self) -> int:
        return self.discount.of(self.gross_yen)

    @property
    def amount_yen(self) -> int:
        return self.gross_yen - self.discount_yen


@dataclass(frozen=True)
class Payment:
    """One entry of 支払い欄. ``amount_yen`` is what was tendered (cash may exceed 残額)."""

    kind: PaymentKind
    label: str
    amount_yen: int
    tender_code: str
    reference: str | None = None  # terminal: the TerminalPayment id it settles


@dataclass(frozen=True)
class RateTotal:
    rate_percent: int
    taxable_yen: int  # tax-inclusive total at this rate, after discounts
    tax_yen: int


@dataclass
class Cart:
    """One checkout. ``key`` names it on the terminal requests it starts (so the ledger,
    not memory, says which requests of this checkout are still open)."""

    eat_in: bool = False
    rounding: TaxRounding = TaxRounding.FLOOR
    lines: list[CartLine] = field(default_factory=list)
    slip_discount: Discount = NO_DISCOUNT
    payments: list[Payment] = field(default_factory=list)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    # --- lines -------------------------------------------------------------
    def _require_editable(self) -> None:
        if self.payments:
            raise RegiError("支払い中は商品を変更できません。先に支払いを取り消してください。")

    def add_product(self, product_id: int, name: str, unit_price_yen: int, tax_class: TaxClass) -> CartLine:
        """Tapping a tile: one more of an undiscounted line of that product, else a new line."""
        self._require_editable()
        for line in self.lines:
            if line.product_id == product_id and line.discount == NO_DISCOUNT:
                self._check_total_after(lambda: setattr(line, "quantity", line.quantity + 1), line)
                return line
        line = CartLine(product_id, name, unit_price_yen, tax_class)
        self.lines.append(line)
        if self.total_yen > MAX_AMOUNT_YEN:
            self.lines.pop()
            raise RegiError(f"合計が上限 {format_yen(MAX_AMOUNT_YEN)} を超えます。")
        return line

    def set_quantity(self, index: int, quantity: int) -> None:
        self._require_editable()
        line = self.lines[index]
        if not 1 <= quantity <= MAX_QUANTITY:
            raise RegiError(f"数量は1〜{MAX_QUANTITY}で指定してください。")
        self._check_total_after(lambda: setattr(line, "quantity", quantity), line)

    def remove_line(self, index: int) -> None:
        self._require_editable()
        del self.lines[index]

    def set_line_discount(self, index: int, discount: Discount) -> None:
        self._require_editable()
        line = self.lines[index]
        _check_discount(discount, line.gross_yen)
        line.discount = discount

    def set_slip_discount(self, discount: Discount) -> None:
        self._require_editable()
        _check_discount(discount, self.subtotal_yen)
        self.slip_discount = discount

    def set_eat_in(self, eat_in: bool) -> None:
        self._require_editable()
        self.eat_in = eat_in

    def _check_total_after(self, change, line: CartLine) -> None:
        before = line.quantity
        change()
        if self.total_yen > MAX_AMOUNT_YEN:
            line.quantity = before
            raise RegiError(f"合計が上限 {format_yen(MAX_AMOUNT_YEN)} を超えます。")

    # --- totals ------------------------------------------------------------
    def rate_of(self, line: CartLine) -> int:
        if line.tax_class is TaxClass.FOOD and not self.eat_in:
            return REDUCED_RATE
        return STANDARD_RATE

    @property
    def subtotal_yen(self) -> int:
        return sum(line.amount_yen for line in self.lines)

    @property
    def slip_discount_yen(self) -> int:
        return self.slip_discount.of(self.subtotal_yen)

    @property
    def total_yen(self) -> int:
        return self.subtotal_yen - self.slip_discount_yen

    def rate_totals(self) -> list[RateTotal]:
        """Per-rate taxable totals and tax, highest rate first; rates with no lines omitted.

        The slip discount is shared between rates in proportion to their totals
        (remainder to the largest), so the taxable totals add up to ``total_yen``.
        """
        gross: dict[int, int] = {}
        for line in self.lines:
            rate = self.rate_of(line)
            gross[rate] = gross.get(rate, 0) + line.amount_yen
        discount = self.slip_discount_yen
        subtotal = self.subtotal_yen
        shares = {rate: (discount * amount // subtotal if subtotal else 0) for rate, amount in gross.items()}
        if gross:
            largest = max(gross, key=lambda rate: (gross[rate], rate))
            shares[largest] += discount - sum(shares.values())
        return [
            RateTotal(rate, gross[rate] - shares[rate], inclusive_tax_yen(gross[rate] - shares[rate], rate, self.rounding))
            for rate in sorted(gross, reverse=True)
        ]

    # --- payments ----------------------------------------------------------
    @property
    def paid_yen(self) -> int:
        return sum(payment.amount_yen for payment in self.payments)

    @property
    def remaining_yen(self) -> int:
        return max(0, self.total_yen - self.paid_yen)

    @property
    def cash_tendered_yen(self) -> int:
        """お預り: cash handed over (may exceed what cash had to cover)."""
        return sum(p.amount_yen for p in self.payments if p.kind is PaymentKind.CASH)

    @property
    def change_yen(self) -> int:
        """お釣り. Only cash may overpay, so any excess is change in cash."""
        return max(0, self.paid_yen - self.total_yen)

    @property
    def is_settled(self) -> bool:
        return bool(self.lines) and self.paid_yen >= self.total_yen

    def check_payment(self, kind: PaymentKind, amount_yen: int) -> None:
        """Raise ``RegiError`` if a payment of ``amount_yen`` may not be applied now."""
        if not self.lines:
            raise RegiError("商品が登録されていません。")
        if self.total_yen <= 0:
            raise RegiError("合計が0円のため会計できません。")
        if self.remaining_yen == 0:
            raise RegiError("残額はありません。")
        if amount_yen <= 0:
            raise RegiError("金額を入力してください。")
        if amount_yen > MAX_AMOUNT_YEN:
            raise RegiError(f"金額は {format_yen(MAX_AMOUNT_YEN)} までです。")
        if len(self.payments) >= MAX_PAYMENTS:
            raise RegiError(f"併用決済は{MAX_PAYMENTS}種類までです。")
        if kind is not PaymentKind.CASH and amount_yen > self.remaining_yen:
            raise RegiError(f"現金以外は残額（{format_yen(self.remaining_yen)}）を超えて支払えません。")

    def add_payment(self, payment: Payment) -> None:
        self.check_payment(payment.kind, payment.amount_yen)
        self.payments.append(payment)

    def payment_index(self, reference: str) -> int | None:
        """Where the payment with this ``reference`` (a terminal request's id) is, or None."""
        return next((i for i, p in enumerate(self.payments) if p.reference == reference), None)

    def remove_payment(self, index: int) -> Payment:
        """× on a cash / other line. Terminal payments are refunded first (R-REFUND-INLINE)."""
        return self.payments.pop(index)


def _check_discount(discount: Discount, base_yen: int) -> None:
    if discount.yen > base_yen:
        raise RegiError(f"値引は対象金額（{format_yen(base_yen)}）以下にしてください。")
