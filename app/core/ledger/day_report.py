"""The day's figures of one register session: 点検 (X report) and 精算 (Z report), R-CLOSE.

``day_report(db, session_id, now)`` reads, never writes. Conventions (the tests compute
these by hand):
- every slip of the session counts, a ``void`` slip negatively (its figures are the
  original's negated), so 純売上 = Σ slip totals; counts of net rows are sales − voids;
- 取消 / 訂正 are the void slips, split by the audit action ``slip_correct`` (伝票訂正);
- by tender: each tender row (label as on the receipt: 「現金」「商品券」「クレジット(VISA)」);
- by tax rate: ``slip_taxes`` by rate and 店内 / 持ち帰り of the slip;
- refunds: terminal refunds of the session (取消 same day, 返品 later, QR 返金) and cash
  refunds (drawer ``refund`` movements, e-money paid back in cash);
- cash: expected = float + cash sales − cash refunds + 入金 − 出金, where cash sales are
  the ``sale`` drawer movements (tendered − change) and cash refunds are ``void`` and
  ``refund`` movements. It equals the sum of every drawer movement of the session;
- terminal totals (for the terminal's own Reconciliation): per method, approved payments
  (also those refunded later) and approved refunds made in this session.

Cost: every query is bounded to one session by an index (``ix_slips_session_report``, covering,
``ix_drawer_movements_session_id``, ``ix_terminal_payments_session_id``) and joins by
``slip_id`` indexes, so it does not grow with the ledger (bench/close_report.py).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session, aliased

from app.core.ledger.models import (AuditRecord, DrawerMovement, RegisterSession, Slip, SlipLine, SlipTax, Staff, Tender,
                                    TerminalPayment)
from app.core.ledger.slip_queries import CORRECT_ACTION
from app.core.payment_state import PaymentState
from app.core.terminal.profiles import PaymentMethod, method_label

REPORT_METHOD_ORDER = (PaymentMethod.CREDIT, PaymentMethod.EMONEY, PaymentMethod.QR)  # terminal methods on reports
COUNTED_PAYMENT_STATES = tuple(state.value for state in (  # what the terminal charged, as the ledger knows it
    PaymentState.APPROVED, PaymentState.REFUNDED, PaymentState.MANUAL_PAID, PaymentState.DISPUTED_PAID))


@dataclass(frozen=True)
class Figure:
    """A labelled count and amount (yen)."""

    label: str
    count: int
    amount_yen: int


@dataclass(frozen=True)
class TaxFigure:
    rate_percent: int
    eat_in: bool
    taxable_yen: int  # tax-inclusive total at this rate
    tax_yen: int

    @property
    def label(self) -> str:
        return f"{self.rate_percent}%対象 {'店内' if self.eat_in else '持ち帰り'}"


@dataclass(frozen=True)
class MethodTotals:
    """One terminal method's day: payments and refunds (count, amount)."""

    method: str
    payment_count: int
    payment_yen: int
    refund_count: int
    refund_yen: int

    @property
    def label(self) -> str:
        return method_label(self.method, self.method)


@dataclass(frozen=True)
class CashFigures:
    float_yen: int
    cash_sales_yen: int
    cash_refunds_yen: int  # paid back: voids of cash sales and cash refunds (positive)
    cash_in_yen: int
    cash_out_yen: int  # positive

    @property
    def expected_yen(self) -> int:
        return self.float_yen + self.cash_sales_yen - self.cash_refunds_yen + self.cash_in_yen - self.cash_out_yen


@dataclass(frozen=True)
class DayReport:
    session_id: int
    opened_at: datetime
    opened_by: str
    as_of: datetime
    sales: Figure  # sale slips (総売上)
    voids: Figure  # 伝票取消 (amount positive)
    corrections: Figure  # 伝票訂正 (amount positive)
    net_sales: Figure  # 純売上
    discounts: Figure  # 値引・割引, net
    tenders: list[Figure]
    taxes: list[TaxFigure]
    staff: list[Figure]
    hours: list[Figure]  # label "09時"
    refunds: list[Figure]  # 取消 / 返品 / 返金 (terminal), 現金返金
    cash_moves: list[Figure]  # 入金, 出金 (positive amounts)
    cash: CashFigures
    terminal: list[MethodTotals] = field(default_factory=list)

    @property
    def expected_cash_yen(self) -> int:
        return self.cash.expected_yen

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> DayReport:
        data = json.loads(text)
        data["opened_at"] = datetime.fromisoformat(data["opened_at"])
        data["as_of"] = datetime.fromisoformat(data["as_of"])
        for name in ("sales", "voids", "corrections", "net_sales", "discounts"):
            data[name] = Figure(**data[name])
        for name in ("tenders", "staff", "hours", "refunds", "cash_moves"):
            data[name] = [Figure(**item) for item in data[name]]
        data["taxes"] = [TaxFigure(**item) for item in data["taxes"]]
        data["cash"] = CashFigures(**data["cash"])
        data["terminal"] = [MethodTotals(**item) for item in data.get("terminal", [])]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _signed_count(column):
    """+1 for a positive row, −1 for a negative (void) row, 0 for zero."""
    return func.coalesce(func.sum(case((column > 0, 1), (column < 0, -1), else_=0)), 0)


def day_report(db: Session, session_id: int, now: datetime) -> DayReport:
    """The figures of session ``session_id`` as of ``now`` (see the module contract)."""
    session = db.get(RegisterSession, session_id)
    opened_by = db.get(Staff, session.opened_by_id)
    in_session = Slip.session_id == session_id

    # One pass over the session's slips, grouped finely; everything slip-level is summed here.
    hour = extract("hour", Slip.created_at)
    groups = db.execute(
        select(Slip.kind, Slip.staff_id, hour, func.count(), func.sum(Slip.total_yen), _signed_count(Slip.total_yen),
               func.sum(Slip.discount_yen), _signed_count(Slip.discount_yen), func.sum(Slip.change_yen))
        .where(in_session).group_by(Slip.kind, Slip.staff_id, hour)).all()
    kinds: dict[str, list[int]] = {"sale": [0, 0], "void": [0, 0]}
    by_staff: dict[int, list[int]] = {}
    by_hour: dict[int, list[int]] = {}
    slip_discount, change = [0, 0], 0
    for kind, staff_id, h, count, total, signed, discount, discount_signed, change_yen in groups:
        kinds[kind][0] += count
        kinds[kind][1] += total
        for key, table in ((staff_id, by_staff), (int(h), by_hour)):
            sums = table.setdefault(key, [0, 0])
            sums[0] += signed
            sums[1] += total
        slip_discount[0] += discount_signed
        slip_discount[1] += discount
        change += change_yen
    (sale_count, sale_yen), (void_count, void_yen) = kinds["sale"], kinds["void"]
    in_day = [AuditRecord.at >= session.opened_at] + ([AuditRecord.at <= session.closed_at] if session.closed_at else [])
    corrected = {int(target[5:]) for target in db.scalars(
        select(AuditRecord.target).where(AuditRecord.action == CORRECT_ACTION, *in_day))}
    correction_count, correction_yen = 0, 0
    if corrected:  # a handful a day: looked up by ix_slips_voids_slip_id, not by scanning the day
        reversals = db.execute(select(Slip.session_id, Slip.total_yen)
                               .where(Slip.voids_slip_id.in_(corrected), Slip.kind == "void")).all()
        in_this = [total for sid, total in reversals if sid == session_id]
        correction_count, correction_yen = len(in_this), sum(in_this)
    voids = Figure("伝票取消", void_count - correction_count, -(void_yen - correction_yen))
    corrections = Figure("伝票訂正", correction_count, -correction_yen)

    # Only discounted lines are read (the partial index ix_slip_lines_discounted, migration 0005).
    line_discount = db.execute(
        select(_signed_count(SlipLine.discount_yen), func.coalesce(func.sum(SlipLine.discount_yen), 0))
        .join(Slip, Slip.id == SlipLine.slip_id).where(in_session, SlipLine.discount_yen != 0)).one()
    discounts = Figure("値引・割引", line_discount[0] + slip_discount[0], line_discount[1] + slip_discount[1])

    # A cash tender is what was handed over; the sale took that minus the change.
    tenders = [Figure(label, count, amount - (change if kind == "cash" else 0)) for kind, _code, label, count, amount in db.execute(
        select(Tender.kind, Tender.tender_code, Tender.label, _signed_count(Tender.amount_yen), func.sum(Tender.amount_yen))
        .join(Slip, Slip.id == Tender.slip_id).where(in_session)
        .group_by(Tender.kind, Tender.tender_code, Tender.label)
        .order_by(case((Tender.kind == "cash", 0), (Tender.kind == "terminal", 1), else_=2), Tender.tender_code, Tender.label))]

    taxes = [TaxFigure(rate, bool(eat_in), taxable, tax) for rate, eat_in, taxable, tax in db.execute(
        select(SlipTax.rate_percent, Slip.eat_in, func.sum(SlipTax.taxable_yen), func.sum(SlipTax.tax_yen))
        .join(Slip, Slip.id == SlipTax.slip_id).where(in_session)
        .group_by(SlipTax.rate_percent, Slip.eat_in).order_by(SlipTax.rate_percent.desc(), Slip.eat_in.desc()))]

    names = dict(db.execute(select(Staff.id, Staff.name).where(Staff.id.in_(by_staff))).tuples().all()) if by_staff else {}
    staff = [Figure(names.get(staff_id, str(staff_id)), *by_staff[staff_id]) for staff_id in sorted(by_staff)]
    hours = [Figure(f"{h:02d}時", *by_hour[h]) for h in sorted(by_hour)]

    refunds = _refunds(db, session_id)
    moves = dict(((kind, (count, total)) for kind, count, total in db.execute(
        select(DrawerMovement.kind, func.count(), func.sum(DrawerMovement.amount_yen))
        .where(DrawerMovement.session_id == session_id).group_by(DrawerMovement.kind))))
    cash_refund = moves.get("refund", (0, 0))
    if cash_refund[0]:
        refunds.append(Figure("現金返金", cash_refund[0], -cash_refund[1]))
    cash_in, cash_out = moves.get("cash_in", (0, 0)), moves.get("cash_out", (0, 0))
    cash = CashFigures(
        float_yen=moves.get("float", (0, 0))[1],
        cash_sales_yen=moves.get("sale", (0, 0))[1],
        cash_refunds_yen=-(moves.get("void", (0, 0))[1] + cash_refund[1]),
        cash_in_yen=cash_in[1],
        cash_out_yen=-cash_out[1],
    )
    return DayReport(
        session_id=session_id, opened_at=session.opened_at, opened_by=opened_by.name if opened_by else "", as_of=now,
        sales=Figure("総売上", sale_count, sale_yen), voids=voids, corrections=corrections,
        net_sales=Figure("純売上", sale_count - void_count, sale_yen + void_yen), discounts=discounts,
        tenders=tenders, taxes=taxes, staff=staff, hours=hours, refunds=refunds,
        cash_moves=[Figure("入金", cash_in[0], cash_in[1]), Figure("出金", cash_out[0], -cash_out[1])],
        cash=cash, terminal=terminal_totals(db, session_id),
    )


def _refunds(db: Session, session_id: int) -> list[Figure]:
    """Terminal refunds of the session by wording: QR 返金; 取消 when refunded on the day of
    the payment, else 返品 (app.core.refund_rules)."""
    original = aliased(TerminalPayment)
    rows = db.execute(
        select(TerminalPayment.amount_yen, TerminalPayment.created_at, original.created_at, original.method)
        .join(original, original.id == TerminalPayment.refund_of_id)
        .where(TerminalPayment.session_id == session_id, TerminalPayment.kind == "refund",
               TerminalPayment.state == PaymentState.APPROVED.value)).all()
    totals: dict[str, list[int]] = {"取消": [0, 0], "返品": [0, 0], "返金": [0, 0]}
    for amount, refunded_at, paid_at, method in rows:
        word = "返金" if method == "qr" else ("取消" if refunded_at.date() == paid_at.date() else "返品")
        totals[word][0] += 1
        totals[word][1] += amount
    return [Figure(word, count, amount) for word, (count, amount) in totals.items() if count]


def terminal_totals(db: Session, session_id: int) -> list[MethodTotals]:
    """The ledger's side of the terminal's day totals, per method (credit, emoney, qr)."""
    # The method the terminal reported; a payment it never answered (resolved by hand) has
    # only the one the register asked for.
    method = func.coalesce(TerminalPayment.method, TerminalPayment.requested_method)
    payments = dict(((m, (count, total)) for m, count, total in db.execute(
        select(method, func.count(), func.sum(TerminalPayment.amount_yen))
        .where(TerminalPayment.session_id == session_id, TerminalPayment.kind == "payment",
               TerminalPayment.state.in_(COUNTED_PAYMENT_STATES)).group_by(method))))
    original = aliased(TerminalPayment)
    original_method = func.coalesce(original.method, original.requested_method)
    refunds = dict(((m, (count, total)) for m, count, total in db.execute(
        select(original_method, func.count(), func.sum(TerminalPayment.amount_yen))
        .join(original, original.id == TerminalPayment.refund_of_id)
        .where(TerminalPayment.session_id == session_id, TerminalPayment.kind == "refund",
               TerminalPayment.state == PaymentState.APPROVED.value).group_by(original_method))))
    methods = [m.value for m in REPORT_METHOD_ORDER if m in payments or m in refunds]
    methods += sorted(m for m in {*payments, *refunds} if m not in methods and m)
    return [MethodTotals(m, *payments.get(m, (0, 0)), *refunds.get(m, (0, 0))) for m in methods]
