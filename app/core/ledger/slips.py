"""Committing a settled cart as a slip (R-CHK), in the caller's single transaction.

A slip is insert-only (database triggers refuse UPDATE/DELETE) and sealed into the
register's hash chain with its lines, taxes and tenders (``chain.seal``). Its number is the
register's next sequential 伝票番号, allocated inside the same transaction; the unique
(register, number) constraint turns a race into a retryable error rather than a duplicate.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.cart import Cart, NO_DISCOUNT, PaymentKind
from app.core.errors import RegiError
from app.core.ledger import chain
from app.core.ledger.models import DrawerMovement, Slip, SlipLine, SlipTax, Tender


def next_slip_number(db: Session, register_id: int) -> int:
    return (db.scalar(select(func.max(Slip.slip_number)).where(Slip.register_id == register_id)) or 0) + 1


def commit_sale(db: Session, cart: Cart, *, register_id: int, session_id: int, staff_id: int, now: datetime) -> Slip:
    """Add the slip, its lines, per-rate taxes, tenders and cash drawer movement to ``db``.

    The cart must be settled (paid in full). Nothing is written if it is not.
    """
    if not cart.lines:
        raise RegiError("商品が登録されていません。")
    if not cart.is_settled:
        raise RegiError("残額があるため会計を完了できません。")
    slip = Slip(
        register_id=register_id,
        session_id=session_id,
        slip_number=next_slip_number(db, register_id),
        kind="sale",
        staff_id=staff_id,
        created_at=now,
        eat_in=cart.eat_in,
        subtotal_yen=cart.subtotal_yen,
        discount_yen=cart.slip_discount_yen,
        discount_label=cart.slip_discount.label if cart.slip_discount != NO_DISCOUNT else None,
        total_yen=cart.total_yen,
        cash_tendered_yen=cart.cash_tendered_yen,
        change_yen=cart.change_yen,
    )
    slip.lines = [
        SlipLine(
            line_no=line_no,
            product_id=line.product_id,
            name=line.name,
            unit_price_yen=line.unit_price_yen,
            quantity=line.quantity,
            discount_yen=line.discount_yen,
            discount_label=line.discount.label if line.discount != NO_DISCOUNT else None,
            tax_rate_percent=cart.rate_of(line),
            amount_yen=line.amount_yen,
        )
        for line_no, line in enumerate(cart.lines, start=1)
    ]
    slip.taxes = [SlipTax(rate_percent=r.rate_percent, taxable_yen=r.taxable_yen, tax_yen=r.tax_yen) for r in cart.rate_totals()]
    slip.tenders = [
        Tender(
            seq=seq,
            kind=payment.kind.value,
            tender_code=payment.tender_code,
            label=payment.label,
            amount_yen=payment.amount_yen,
            reference=payment.reference,
        )
        for seq, payment in enumerate(cart.payments, start=1)
    ]
    chain.seal(db, slip)  # complete now: lines, taxes and tenders are in its hash
    db.add(slip)
    db.flush()
    net_cash = cart.cash_tendered_yen - cart.change_yen
    if any(p.kind is PaymentKind.CASH for p in cart.payments):
        db.add(DrawerMovement(session_id=session_id, slip_id=slip.id, kind="sale", amount_yen=net_cash, staff_id=staff_id, created_at=now))
    db.flush()
    return slip


def load_slip(db: Session, slip_id: int) -> Slip | None:
    return db.scalar(
        select(Slip)
        .where(Slip.id == slip_id)
        .options(selectinload(Slip.lines), selectinload(Slip.taxes), selectinload(Slip.tenders), selectinload(Slip.staff))
    )
