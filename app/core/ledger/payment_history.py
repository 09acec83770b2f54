"""決済履歴 (R-HIST) and 決済情報照会 (R-INQ): reading terminal payments. Qt-free.

Contracts:
- ``slip_payments`` — the terminal payments (kind ``payment``) a slip's terminal tenders
  reference (``Tender.reference == TerminalPayment.transaction_id``), oldest first.
- ``parse_payment_code`` — the 受注コード / 伝票番号 as keyed on a tenkey (digits only):
  USEN PAY: the number of the 受注コード (``TSU3-0003377`` → ``3377``, up to 7 digits);
  CT-6100: the 5-digit 伝票番号 (leading zeros optional) or the 18-digit 注文番号.
  Anything else raises ``RegiError`` with a message saying what to key.
- ``search_payments`` — payments of one register created in ``[date_from, date_to]``
  (a range scan of ``ix_terminal_payments_created_at``; a CT-6100 code is an equality on
  ``ix_terminal_payments_poi_transaction_id``), newest first, at most ``limit``; each hit
  with the id of the slip it was tendered on (None: never committed on a slip, e.g.
  refunded during the checkout), found through the slips of the same days
  (``ix_slips_created_at``, then ``ix_tenders_slip_id``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import RegiError
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Slip, Tender, TerminalPayment
from app.core.money import MAX_AMOUNT_YEN, format_yen
from app.core.terminal.profiles import terminal_profile

SEARCH_LIMIT = 100
MAX_RANGE_DAYS = 93
ORDER_CODE_DIGITS = 7
CT_SLIP_DIGITS = 5
CT_ORDER_DIGITS = 18
METHODS = ("credit", "emoney", "qr")


@dataclass(frozen=True)
class CodeMatch:
    """How a keyed code matches ``poi_transaction_id``: exactly, or as its ``-NNNNNNN`` suffix."""

    value: str
    exact: bool


def parse_payment_code(digits: str, profile: str) -> CodeMatch | None:
    """See the module contract; ``""`` is no filter."""
    digits = digits.strip()
    if not digits:
        return None
    if not digits.isascii() or not digits.isdigit():
        raise RegiError("受注コード・伝票番号は数字で入力してください。")
    if not terminal_profile(profile).order_codes:  # 伝票番号 (5 digits) or a code payment's 注文番号 (18)
        if len(digits) == CT_ORDER_DIGITS:
            return CodeMatch(digits, True)
        if len(digits) > CT_SLIP_DIGITS or int(digits) == 0:
            raise RegiError("伝票番号は5桁（例：00119）、コード支払いの注文番号は18桁で入力してください。")
        return CodeMatch(digits.zfill(CT_SLIP_DIGITS), True)
    if len(digits.lstrip("0")) > ORDER_CODE_DIGITS or int(digits) == 0:
        raise RegiError("受注コードは末尾の番号（7桁まで）を入力してください（例：TSU3-0003377 → 3377）。")
    return CodeMatch(f"-{int(digits):0{ORDER_CODE_DIGITS}d}", False)


@dataclass(frozen=True)
class PaymentSearch:
    """Dates inclusive; ``method`` None: any; ``amount_yen`` exact; ``code`` from ``parse_payment_code``."""

    date_from: date
    date_to: date
    method: str | None = None
    amount_yen: int | None = None
    code: CodeMatch | None = None

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise RegiError(f"期間が正しくありません（開始日 {self.date_from:%Y/%m/%d} が終了日 {self.date_to:%Y/%m/%d} より後です）。")
        if (self.date_to - self.date_from).days >= MAX_RANGE_DAYS:
            raise RegiError(f"期間は{MAX_RANGE_DAYS}日以内で指定してください。")
        if self.method is not None and self.method not in METHODS:
            raise RegiError("決済手段が正しくありません。")
        if self.amount_yen is not None and not 1 <= self.amount_yen <= MAX_AMOUNT_YEN:
            raise RegiError(f"金額は¥1〜{format_yen(MAX_AMOUNT_YEN)}で指定してください。")


@dataclass(frozen=True)
class PaymentHit:
    payment: TerminalPayment
    slip_id: int | None
    slip_number: int | None


def slip_payments(db: Session, slip_id: int) -> list[TerminalPayment]:
    references = list(db.scalars(select(Tender.reference).where(Tender.slip_id == slip_id, Tender.kind == "terminal")))
    references = [ref for ref in references if ref]
    if not references:
        return []
    return list(db.scalars(select(TerminalPayment).where(TerminalPayment.transaction_id.in_(references),
                                                         TerminalPayment.kind == "payment")
                           .order_by(TerminalPayment.created_at, TerminalPayment.id)))


def payment_query(register_id: int, search: PaymentSearch, limit: int = SEARCH_LIMIT):
    """The search as one statement (newest first), for ``search_payments`` and plan checks."""
    start = datetime.combine(search.date_from, time.min)
    end = datetime.combine(search.date_to, time.min) + timedelta(days=1)
    clauses = [TerminalPayment.created_at >= start, TerminalPayment.created_at < end,
               TerminalPayment.kind == "payment", TerminalPayment.register_id == register_id]
    if search.method:
        clauses.append(TerminalPayment.method == search.method)
    if search.amount_yen is not None:
        clauses.append(TerminalPayment.amount_yen == search.amount_yen)
    if search.code is not None:
        if search.code.exact:
            clauses.append(TerminalPayment.poi_transaction_id == search.code.value)
        else:
            clauses.append(TerminalPayment.poi_transaction_id.endswith(search.code.value, autoescape=True))
    return (select(TerminalPayment).where(*clauses)
            .order_by(TerminalPayment.created_at.desc(), TerminalPayment.id.desc()).limit(limit))


def search_payments(db: Session, register_id: int, search: PaymentSearch, limit: int = SEARCH_LIMIT) -> list[PaymentHit]:
    rows = list(db.scalars(payment_query(register_id, search, limit)))
    slips = _slips_of(db, rows)
    return [PaymentHit(row, *slips.get(row.transaction_id, (None, None))) for row in rows]


def _slips_of(db: Session, rows: list[TerminalPayment]) -> dict[str, tuple[int, int]]:
    """transaction id → (slip id, 伝票番号) of the sale slip that tendered it. A slip is
    committed after its payments, within a day's business: look at slips from the first
    payment's time to a day after the last one."""
    if not rows:
        return {}
    references = {row.transaction_id for row in rows}
    start = min(row.created_at for row in rows)
    end = max(row.created_at for row in rows) + timedelta(days=1)
    query = (select(Tender.reference, Slip.id, Slip.slip_number)
             .join(Slip, Slip.id == Tender.slip_id)
             .where(Slip.created_at >= start, Slip.created_at < end, Slip.kind == "sale", Tender.kind == "terminal"))
    return {ref: (slip_id, number) for ref, slip_id, number in db.execute(query) if ref in references}


class PaymentHistory:
    """The screens' entry: each method one read-only session; rows come back detached."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def today(self) -> date:
        return self.ledger.clock.now().date()

    def slip_payments(self, slip_id: int) -> list[TerminalPayment]:
        with self.ledger.session() as db:
            return slip_payments(db, slip_id)

    def search(self, search: PaymentSearch, limit: int = SEARCH_LIMIT) -> list[PaymentHit]:
        register_id = self.ledger.register().id
        with self.ledger.session() as db:
            return search_payments(db, register_id, search, limit)
