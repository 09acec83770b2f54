"""伝票取消 / 伝票訂正 (R-HIST): a reversing slip, never an edit of the original.

``void_slip`` adds, in the caller's single transaction: a ``void`` slip linked by
``voids_slip_id`` with every line, tax and tender of the original negated (same 伝票番号
sequence), a negative ``void`` drawer movement for the cash the sale put in the drawer
(paid back to the customer), and one audit record (who, which manager authorised, why,
and whether it is a 伝票訂正). It validates everything first and raises ``RegiError``
(Japanese message) with nothing written when the slip is missing, of another register,
itself a void, already voided, not authorised by a manager, without a reason, when the
register is not open, or while a terminal payment of the slip is not refunded.

伝票訂正 = ``void_slip(..., correction=True)`` + a new checkout on ``correction_cart``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.cart import NO_DISCOUNT, Cart, CartLine, Discount, TaxClass
from app.core.errors import RegiError
from app.core.ledger import audit, business_day, chain
from app.core.ledger.models import DrawerMovement, Product, Slip, SlipLine, SlipTax, Staff, Tender, TerminalPayment
from app.core.ledger.slip_queries import CORRECT_ACTION, VOID_ACTION
from app.core.ledger.slips import load_slip, next_slip_number
from app.core.money import REDUCED_RATE, format_yen
from app.core.payment_state import PaymentState

VOID_REASONS = ("打ち間違い", "お客様都合", "返品", "金額・数量の誤り", "支払方法の誤り", "その他")
CORRECTION_REASONS = ("打ち間違い", "金額・数量の誤り", "支払方法の誤り", "店内・持ち帰りの誤り", "その他")


@dataclass(frozen=True)
class VoidResult:
    original_slip_id: int
    original_number: int
    void_slip_id: int
    void_number: int
    cash_refund_yen: int  # cash taken out of the drawer for the customer (≥ 0)
    correction: bool


# --- terminal hook ------------------------------------------------------------------------
def unrefunded_terminal_tenders(db: Session, slip: Slip) -> list[Tender]:
    """TERMINAL HOOK (R-HIST): the terminal tenders of ``slip`` that stop a void — those whose
    ``TerminalPayment`` (``Tender.reference == transaction_id``) is not ``refunded``, through
    the terminal or marked so by a manager (seed 4-5). A tender whose reference matches no
    payment row counts as unrefunded. One lookup by the unique transaction id."""
    terminal = [tender for tender in slip.tenders if tender.kind == "terminal"]
    references = [tender.reference for tender in terminal if tender.reference]
    refunded: set[str] = set()
    if references:
        refunded = set(db.scalars(select(TerminalPayment.transaction_id).where(
            TerminalPayment.transaction_id.in_(references), TerminalPayment.state == PaymentState.REFUNDED.value)))
    return [tender for tender in terminal if tender.reference not in refunded]


def check_voidable(db: Session, slip: Slip | None, register_id: int) -> None:
    """Raise ``RegiError`` if ``slip`` may not be voided now (nothing is read for writing)."""
    if slip is None:
        raise RegiError("伝票が見つかりません。")
    if slip.register_id != register_id:
        raise RegiError("他のレジの伝票は取消できません。")
    if slip.kind == "void":
        raise RegiError("取消伝票は取消できません。")
    voided_by = db.scalar(select(Slip.slip_number).where(Slip.voids_slip_id == slip.id))
    if voided_by is not None:
        raise RegiError(f"伝票番号 {slip.slip_number:06d} はすでに取消されています（取消伝票 {voided_by:06d}）。")
    pending = unrefunded_terminal_tenders(db, slip)
    if pending:
        listed = "、".join(f"{t.label} {format_yen(t.amount_yen)}" for t in pending)
        raise RegiError(f"決済端末の支払い（{listed}）が返金されていません。先に支払種別情報から取消してください。")


def void_slip(db: Session, slip_id: int, *, register_id: int, staff_id: int, authorized_by_id: int,
              reason: str, now: datetime, correction: bool = False) -> VoidResult:
    """Write the reversal of ``slip_id`` into ``db``'s transaction (see the module contract)."""
    original = load_slip(db, slip_id)
    check_voidable(db, original, register_id)
    manager = db.get(Staff, authorized_by_id)
    if manager is None or not manager.active or not manager.is_manager:
        raise RegiError("伝票取消には責任者の承認が必要です。")
    reason = (reason or "").strip()
    if not reason:
        raise RegiError("取消の理由を選んでください。")
    session = business_day.current_day(db, register_id)
    if session is None:
        raise RegiError("レジが開局していません。")
    cash_in = db.scalar(
        select(func.coalesce(func.sum(DrawerMovement.amount_yen), 0))
        .where(DrawerMovement.session_id == original.session_id, DrawerMovement.slip_id == original.id)
    ) or 0

    void = Slip(
        register_id=register_id, session_id=session.id, slip_number=next_slip_number(db, register_id), kind="void",
        voids_slip_id=original.id, staff_id=staff_id, created_at=now, eat_in=original.eat_in,
        subtotal_yen=-original.subtotal_yen, discount_yen=-original.discount_yen, discount_label=original.discount_label,
        total_yen=-original.total_yen, cash_tendered_yen=-original.cash_tendered_yen, change_yen=-original.change_yen,
    )
    void.lines = [SlipLine(
        line_no=line.line_no, product_id=line.product_id, name=line.name,
        unit_price_yen=line.unit_price_yen, quantity=-line.quantity, discount_yen=-line.discount_yen,
        discount_label=line.discount_label, tax_rate_percent=line.tax_rate_percent, amount_yen=-line.amount_yen,
    ) for line in original.lines]
    void.taxes = [SlipTax(rate_percent=tax.rate_percent, taxable_yen=-tax.taxable_yen, tax_yen=-tax.tax_yen)
                  for tax in original.taxes]
    void.tenders = [Tender(seq=tender.seq, kind=tender.kind, tender_code=tender.tender_code, label=tender.label,
                           amount_yen=-tender.amount_yen, reference=tender.reference) for tender in original.tenders]
    chain.seal(db, void)
    db.add(void)
    db.flush()
    if cash_in:
        db.add(DrawerMovement(session_id=session.id, slip_id=void.id, kind="void", amount_yen=-cash_in,
                              reason=reason, staff_id=staff_id, created_at=now))
    audit.record(
        db, now, CORRECT_ACTION if correction else VOID_ACTION, staff_id,
        target=f"slip:{original.id}", reason=reason, authorized_by_id=manager.id,
        detail={"slip_number": original.slip_number, "void_slip_id": void.id, "void_slip_number": void.slip_number,
                "total_yen": original.total_yen, "cash_refund_yen": cash_in, "correction": correction},
    )
    db.flush()
    return VoidResult(original.id, original.slip_number, void.id, void.slip_number, cash_in, correction)


_PERCENT = re.compile(r"割引\s*(\d{1,3})%")


def _discount(label: str | None, yen: int) -> Discount:
    """The discount as it was given: 割引 n% from its label, else 値引 of the stored yen."""
    if not yen and not label:
        return NO_DISCOUNT
    match = _PERCENT.search(label or "")
    return Discount(percent=int(match.group(1))) if match else Discount(yen=yen)


def correction_cart(db: Session, slip_id: int, cart: Cart) -> Cart:
    """Fill the empty ``cart`` (the shop's rounding) with the lines, discounts and 店内 /
    持ち帰り of sale slip ``slip_id``, for its re-ring. The tax class comes from the product;
    for a product gone from the catalogue it is inferred from the stored rate."""
    slip = load_slip(db, slip_id)
    if slip is None or slip.kind != "sale":
        raise RegiError("伝票が見つかりません。")
    product_ids = {line.product_id for line in slip.lines if line.product_id is not None}
    classes = dict(db.execute(select(Product.id, Product.tax_class).where(Product.id.in_(product_ids))).tuples().all()) if product_ids else {}
    cart.eat_in = slip.eat_in
    cart.lines = []
    for line in slip.lines:
        tax_class = classes.get(line.product_id)
        if tax_class is None:
            tax_class = TaxClass.FOOD.value if line.tax_rate_percent == REDUCED_RATE else TaxClass.STANDARD.value
        cart.lines.append(CartLine(line.product_id, line.name, line.unit_price_yen, TaxClass(tax_class), line.quantity,
                                   _discount(line.discount_label, line.discount_yen)))
    cart.slip_discount = _discount(slip.discount_label, slip.discount_yen)
    cart.payments = []
    return cart
