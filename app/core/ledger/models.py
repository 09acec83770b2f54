"""SQLAlchemy 2 models of the ledger (SPEC §6). Portable to SQLite and PostgreSQL.

Invariants kept here and in the migrations:
- money columns are integers (yen);
- slips, their lines, taxes and tenders are insert-only (database triggers refuse
  UPDATE and DELETE); a void or correction is a new slip linked by ``voids_slip_id``;
- one open session per register (partial unique index);
- audit, drawer and session history is insert-only too (a session may only be closed
  once), staff rows are never deleted (migration 0004);
- slips and audit records are facts: each carries ``shop_id``, ``register_id``, a
  register-made ``uid`` (UUIDv7), the register's gap-free commit ``seq`` and a hash chain
  (``prev_hash``, ``row_hash``; ``app.core.ledger.chain``). Rows written before the chain
  existed have them NULL.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))  # cashier | manager
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("role IN ('cashier', 'manager')", name="role"),)

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


class Register(Base):
    __tablename__ = "registers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))


class RegisterSession(Base):
    """One business day of one register, from 開局 to 精算."""

    __tablename__ = "register_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    float_yen: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    float_counts: Mapped[list[FloatCount]] = relationship(back_populates="session", order_by="FloatCount.denomination_yen.desc()")

    __table_args__ = (
        Index(
            "uq_register_sessions_open",
            "register_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            # PostgreSQL's postgresql_where is in migration 0001 only (PostgreSQL ledgers are
            # always migrated): naming it here imports SQLAlchemy's whole PostgreSQL dialect
            # at every start (~10 % of the imports).
        ),
        CheckConstraint("float_yen >= 0", name="float_nonnegative"),
    )


class FloatCount(Base):
    """釣銭準備金 by denomination (金種別). Absent when the float was keyed as a total."""

    __tablename__ = "float_counts"

    session_id: Mapped[int] = mapped_column(ForeignKey("register_sessions.id", ondelete="CASCADE"), primary_key=True)
    denomination_yen: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    session: Mapped[RegisterSession] = relationship(back_populates="float_counts")

    __table_args__ = (CheckConstraint("count >= 0", name="count_nonnegative"),)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    color: Mapped[str] = mapped_column(String(9), default="#5b8def")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    products: Mapped[list[Product]] = relationship(back_populates="category", order_by="Product.sort_order")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    code: Mapped[str | None] = mapped_column(String(20), unique=True)  # 商品コード (CSV import / export)
    name: Mapped[str] = mapped_column(String(60))
    price_yen: Mapped[int] = mapped_column(Integer)
    tax_class: Mapped[str] = mapped_column(String(16))  # food | standard (app.core.cart.TaxClass)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    category: Mapped[Category] = relationship(back_populates="products")

    __table_args__ = (
        CheckConstraint("price_yen >= 0", name="price_nonnegative"),
        CheckConstraint("tax_class IN ('food', 'standard')", name="tax_class"),
    )


class Slip(Base):
    """A committed sale (kind ``sale``) or the reversal of one (kind ``void``). Insert-only."""

    __tablename__ = "slips"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("register_sessions.id"))
    slip_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    voids_slip_id: Mapped[int | None] = mapped_column(ForeignKey("slips.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    eat_in: Mapped[bool] = mapped_column(Boolean)
    subtotal_yen: Mapped[int] = mapped_column(Integer)
    discount_yen: Mapped[int] = mapped_column(Integer)
    discount_label: Mapped[str | None] = mapped_column(String(40))
    total_yen: Mapped[int] = mapped_column(Integer)
    cash_tendered_yen: Mapped[int] = mapped_column(Integer)
    change_yen: Mapped[int] = mapped_column(Integer)
    shop_id: Mapped[str | None] = mapped_column(String(36))
    uid: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))

    staff: Mapped[Staff] = relationship()
    lines: Mapped[list[SlipLine]] = relationship(order_by="SlipLine.line_no")
    taxes: Mapped[list[SlipTax]] = relationship(order_by="SlipTax.rate_percent.desc()")
    tenders: Mapped[list[Tender]] = relationship(order_by="Tender.seq")

    __table_args__ = (
        UniqueConstraint("register_id", "slip_number", name="uq_slips_register_number"),
        CheckConstraint("kind IN ('sale', 'void')", name="kind"),
        Index("ix_slips_created_at", "created_at"),
        Index("ix_slips_voids_slip_id", "voids_slip_id"),
        Index("uq_slips_register_seq", "register_id", "seq", unique=True),
        Index("uq_slips_uid", "uid", unique=True),
        # The day's report (R-CLOSE, migration 0005): one session's slips, covering what the
        # report sums so the year-long table itself is not read.
        Index("ix_slips_session_report", "session_id", "kind", "staff_id", "created_at", "total_yen", "discount_yen",
              "change_yen", "eat_in"),
    )


class SlipLine(Base):
    __tablename__ = "slip_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    slip_id: Mapped[int] = mapped_column(ForeignKey("slips.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(60))
    unit_price_yen: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    discount_yen: Mapped[int] = mapped_column(Integer)
    discount_label: Mapped[str | None] = mapped_column(String(40))
    tax_rate_percent: Mapped[int] = mapped_column(Integer)
    amount_yen: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        # The day's discounts read only discounted lines (R-CLOSE), migration 0005 (which also
        # has the postgresql_where: naming it here would import the PostgreSQL dialect at start).
        Index("ix_slip_lines_discounted", "slip_id", sqlite_where=text("discount_yen <> 0")),
    )


class SlipTax(Base):
    """Per-rate taxable total and tax of a slip (computed once per slip and rate)."""

    __tablename__ = "slip_taxes"

    slip_id: Mapped[int] = mapped_column(ForeignKey("slips.id"), primary_key=True)
    rate_percent: Mapped[int] = mapped_column(Integer, primary_key=True)
    taxable_yen: Mapped[int] = mapped_column(Integer)
    tax_yen: Mapped[int] = mapped_column(Integer)


class Tender(Base):
    """One payment of a slip (支払い欄). ``amount_yen`` is what was tendered."""

    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    slip_id: Mapped[int] = mapped_column(ForeignKey("slips.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # cash | other | terminal
    tender_code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(40))
    amount_yen: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("kind IN ('cash', 'other', 'terminal')", name="kind"),)


class DrawerMovement(Base):
    """Cash into (+) or out of (−) the drawer: float, cash sales net of change, 入金/出金, refunds."""

    __tablename__ = "drawer_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("register_sessions.id"), index=True)
    slip_id: Mapped[int | None] = mapped_column(ForeignKey("slips.id"))
    kind: Mapped[str] = mapped_column(String(16))  # float | sale | void | cash_in | cash_out | refund
    amount_yen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditRecord(Base):
    """Who did what and when (manager actions, settings changes, logins, opening)."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    authorized_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(200))
    register_id: Mapped[int | None] = mapped_column(Integer)  # no FK: added by ALTER TABLE (migration 0004)
    shop_id: Mapped[str | None] = mapped_column(String(36))
    uid: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("uq_audit_records_register_seq", "register_id", "seq", unique=True),
        Index("uq_audit_records_uid", "uid", unique=True),
    )


class RegisterSequence(Base):
    """Each register's commit sequence and the head of its hash chain (``chain.seal``).
    ``last_seq`` only ever grows by one (a trigger refuses anything else)."""

    __tablename__ = "register_sequences"

    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class Setting(Base):
    """Key → JSON value. Typed access lives in ``app.core.ledger.settings``."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TerminalPayment(Base):
    """One request to the payment terminal (a payment, or a refund of one), written and
    committed **before** it is sent (SPEC §6, R-RECON). Its ``state`` changes only through
    ``app.core.payment_state.transition``; everything the terminal reported is kept as sent
    (card numbers masked: last 4 only)."""

    __tablename__ = "terminal_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(64), unique=True)  # SaleTransactionID, chosen here
    service_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # payment | refund
    refund_of_id: Mapped[int | None] = mapped_column(ForeignKey("terminal_payments.id"), index=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("register_sessions.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    profile: Mapped[str] = mapped_column(String(16))  # usenpay | ct6100
    requested_method: Mapped[str | None] = mapped_column(String(16))  # credit | qr | emoney; None: the terminal picks
    amount_yen: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)  # app.core.payment_state.PaymentState
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    poi_transaction_id: Mapped[str | None] = mapped_column(String(40), index=True)  # 受注コード / 伝票番号
    method: Mapped[str | None] = mapped_column(String(16))
    brand: Mapped[str | None] = mapped_column(String(32))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    entry_mode: Mapped[str | None] = mapped_column(String(16))
    approval_number: Mapped[str | None] = mapped_column(String(16))
    terminal_status: Mapped[str | None] = mapped_column(String(24))
    error_condition: Mapped[str | None] = mapped_column(String(24))
    error_code: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(String(200))
    slip_data: Mapped[str | None] = mapped_column(Text)  # JSON of the terminal's slip fields
    slip_prints: Mapped[int] = mapped_column(Integer, default=0)
    resolution: Mapped[str | None] = mapped_column(String(200))  # how a 要確認 was resolved (query / manager + reason)
    journal_id: Mapped[str | None] = mapped_column(String(64))  # the terminal journal the request was sent to (issue 16)
    checkout_key: Mapped[str | None] = mapped_column(String(32), index=True)  # Cart.key of the checkout that sent it

    __table_args__ = (
        CheckConstraint("kind IN ('payment', 'refund')", name="kind"),
        CheckConstraint("amount_yen > 0", name="amount_positive"),
    )


class Settlement(Base):
    """精算 (Z report, R-CLOSE): one per closed session, insert-only (database triggers).

    ``settlement_number`` is the register's sequential 精算番号; rows are never deleted, so
    a number is never given twice. ``report`` is the JSON of the figures as printed (the
    source of every reprint), ``difference_yen`` = counted − expected (過不足)."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("register_sessions.id"), unique=True)
    settlement_number: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    authorized_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    expected_cash_yen: Mapped[int] = mapped_column(Integer)
    counted_cash_yen: Mapped[int] = mapped_column(Integer)
    difference_yen: Mapped[int] = mapped_column(Integer)
    difference_reason: Mapped[str | None] = mapped_column(String(200))
    net_sales_yen: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)

    counts: Mapped[list[SettlementCount]] = relationship(order_by="SettlementCount.denomination_yen.desc()")

    __table_args__ = (
        UniqueConstraint("register_id", "settlement_number", name="uq_settlements_register_number"),
        CheckConstraint("counted_cash_yen >= 0", name="counted_nonnegative"),
    )


class SettlementCount(Base):
    """The drawer counted at 精算 by denomination (absent when counted as a total)."""

    __tablename__ = "settlement_counts"

    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), primary_key=True)
    denomination_yen: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("count >= 0", name="count_nonnegative"),)
