"""伝票明細 queries (R-HIST): one day's slips of one register, newest first, in keyset pages.

Contracts:
- ``slip_page`` returns at most ``limit`` rows older than ``cursor`` in the order
  (``created_at`` DESC, ``id`` DESC) and the cursor of the next page (None after the last).
  Pages never overlap or skip rows.
- Cost does not grow with the ledger: one range scan of ``ix_slips_created_at`` bounded to
  the day (a 伝票番号 search uses ``uq_slips_register_number``), then per page a handful of
  indexed lookups (tenders by ``ix_tenders_slip_id``, voids by ``ix_slips_voids_slip_id``,
  correction marks by ``ix_audit_records_at``).
- The state is derived, never stored: a sale slip reversed by a ``void`` slip is 取消済,
  or 訂正 when that void was part of a 伝票訂正 — recorded by ``app.core.ledger.voids`` as
  an audit record (action ``slip_correct``, target ``slip:<original id>``) written in the
  void's transaction with ``at`` equal to the void slip's ``created_at``.
- The amount filter matches the absolute 合計, so a void (negative) slip is found with
  its original. The method filter keeps slips with at least one tender of a chosen kind.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.core.errors import RegiError
from app.core.ledger.models import AuditRecord, Slip, Staff, Tender, TerminalPayment
from app.core.money import MAX_AMOUNT_YEN, format_yen
from app.core.payment_state import PaymentState

PAGE_SIZE = 40
MAX_SLIP_NUMBER_DIGITS = 9
VOID_ACTION = "slip_void"
CORRECT_ACTION = "slip_correct"


class SlipState(str, Enum):
    NORMAL = "normal"
    VOIDED = "voided"
    CORRECTED = "corrected"
    VOID = "void"  # the reversing slip itself

    @property
    def label(self) -> str:
        return {"normal": "通常", "voided": "取消済", "corrected": "訂正", "void": "取消伝票"}[self.value]


class TenderMethod(str, Enum):
    """The method filter's toggles; values are ``Tender.kind``."""

    CASH = "cash"
    TERMINAL = "terminal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"cash": "現金", "terminal": "決済端末", "other": "その他"}[self.value]


@dataclass(frozen=True)
class SlipFilter:
    """Amounts are inclusive bounds on |合計|; empty ``methods`` means any method."""

    min_total_yen: int | None = None
    max_total_yen: int | None = None
    methods: frozenset[TenderMethod] = frozenset()
    slip_number: int | None = None

    def __post_init__(self) -> None:
        for bound in (self.min_total_yen, self.max_total_yen):
            if bound is not None and not 0 <= bound <= MAX_AMOUNT_YEN:
                raise RegiError(f"金額は¥0〜{format_yen(MAX_AMOUNT_YEN)}で指定してください。")
        if self.min_total_yen is not None and self.max_total_yen is not None and self.min_total_yen > self.max_total_yen:
            raise RegiError(f"金額の範囲が正しくありません（下限 {format_yen(self.min_total_yen)} が上限 "
                            f"{format_yen(self.max_total_yen)} を超えています）。")
        if self.slip_number is not None and self.slip_number < 1:
            raise RegiError("伝票番号は1以上の数字で入力してください。")

    @property
    def active(self) -> bool:
        return self != SlipFilter()


def parse_slip_number(digits: str) -> int | None:
    """伝票番号 as keyed (leading zeros allowed, as printed: ``000123``); ``""`` is no filter.

    Raises ``RegiError`` for anything but 1 to 9 digits with a value of at least 1."""
    digits = digits.strip()
    if not digits:
        return None
    if not digits.isascii() or not digits.isdigit():
        raise RegiError("伝票番号は数字で入力してください。")
    if len(digits.lstrip("0")) > MAX_SLIP_NUMBER_DIGITS:
        raise RegiError(f"伝票番号は{MAX_SLIP_NUMBER_DIGITS}桁までです。")
    number = int(digits)
    if number < 1:
        raise RegiError("伝票番号は1以上の数字で入力してください（0は使われていません）。")
    return number


def parse_amount(digits: str) -> int | None:
    """An amount bound as keyed; ``""`` is no bound. Raises ``RegiError`` when malformed."""
    digits = digits.strip()
    if not digits:
        return None
    if not digits.isascii() or not digits.isdigit() or int(digits) > MAX_AMOUNT_YEN:
        raise RegiError(f"金額は¥0〜{format_yen(MAX_AMOUNT_YEN)}で指定してください。")
    return int(digits)


@dataclass(frozen=True)
class SlipCursor:
    """Keyset position: the next page holds rows strictly older than this one."""

    created_at: datetime
    slip_id: int


@dataclass(frozen=True)
class TenderSummary:
    kind: str
    label: str
    amount_yen: int


@dataclass(frozen=True)
class SlipRow:
    slip_id: int
    slip_number: int
    created_at: datetime
    kind: str  # sale | void
    staff_name: str
    total_yen: int
    tenders: tuple[TenderSummary, ...]
    state: SlipState
    related_number: int | None = None  # a void's original, or the void of a voided sale
    needs_void: bool = False  # terminal payments refunded but the slip not voided (terminal hook)

    @property
    def tender_labels(self) -> str:
        return "・".join(dict.fromkeys(t.label for t in self.tenders))

    @property
    def state_label(self) -> str:
        label = self.state.label
        if self.state is SlipState.VOID and self.related_number is not None:
            label = f"{label}（{self.related_number:06d}）"
        return f"{label}・要伝票取消" if self.needs_void else label


@dataclass(frozen=True)
class SlipPage:
    rows: list[SlipRow]
    next_cursor: SlipCursor | None


@dataclass(frozen=True)
class SlipRelations:
    """How one slip stands: its derived state and the slip on the other side of a void."""

    state: SlipState
    related_slip_id: int | None = None
    related_number: int | None = None
    correction: bool = False  # the void was part of a 伝票訂正


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def _where(register_id: int, day: date, flt: SlipFilter) -> list:
    start, end = day_bounds(day)
    clauses = [Slip.created_at >= start, Slip.created_at < end]
    if flt.slip_number is not None:  # uq_slips_register_number finds it directly
        clauses += [Slip.register_id == register_id, Slip.slip_number == flt.slip_number]
    else:
        # ``+ 0`` keeps the planner off uq_slips_register_number: without statistics SQLite
        # prefers that equality index, which would read the register's whole year and sort it.
        clauses.append(Slip.register_id + 0 == register_id)
    if flt.min_total_yen is not None:
        clauses.append(func.abs(Slip.total_yen) >= flt.min_total_yen)
    if flt.max_total_yen is not None:
        clauses.append(func.abs(Slip.total_yen) <= flt.max_total_yen)
    if flt.methods:
        kinds = sorted(m.value for m in flt.methods)
        clauses.append(exists(select(Tender.id).where(Tender.slip_id == Slip.id, Tender.kind.in_(kinds))))
    return clauses


def slip_page(db: Session, register_id: int, day: date, flt: SlipFilter = SlipFilter(), *,
              cursor: SlipCursor | None = None, limit: int = PAGE_SIZE) -> SlipPage:
    """One page of the day's slips (see the module contract)."""
    clauses = _where(register_id, day, flt)
    if cursor is not None:
        clauses += [Slip.created_at <= cursor.created_at,
                    or_(Slip.created_at < cursor.created_at, and_(Slip.created_at == cursor.created_at, Slip.id < cursor.slip_id))]
    query = (
        select(Slip.id, Slip.slip_number, Slip.created_at, Slip.kind, Slip.total_yen, Slip.voids_slip_id, Staff.name)
        .join(Staff, Staff.id == Slip.staff_id)
        .where(*clauses)
        .order_by(Slip.created_at.desc(), Slip.id.desc())
        .limit(limit + 1)
    )
    found = db.execute(query).all()
    more = len(found) > limit
    found = found[:limit]
    ids = [r.id for r in found]
    tenders = _tenders(db, ids)
    relations = relations_of(db, found)
    needing_void = refunded_unvoided_slip_ids(db, [r.id for r in found if r.kind == "sale"])
    rows = [
        SlipRow(
            slip_id=r.id, slip_number=r.slip_number, created_at=r.created_at, kind=r.kind, staff_name=r.name,
            total_yen=r.total_yen, tenders=tenders.get(r.id, ()), state=relations[r.id].state,
            related_number=relations[r.id].related_number,
            needs_void=r.id in needing_void and relations[r.id].state is SlipState.NORMAL,
        )
        for r in found
    ]
    next_cursor = SlipCursor(found[-1].created_at, found[-1].id) if more else None
    return SlipPage(rows, next_cursor)


def count_slips(db: Session, register_id: int, day: date, flt: SlipFilter = SlipFilter()) -> int:
    """How many of the day's slips match (for the list's heading)."""
    return db.scalar(select(func.count()).select_from(Slip).where(*_where(register_id, day, flt))) or 0


def _tenders(db: Session, slip_ids: list[int]) -> dict[int, tuple[TenderSummary, ...]]:
    if not slip_ids:
        return {}
    result: dict[int, list[TenderSummary]] = {}
    query = select(Tender.slip_id, Tender.kind, Tender.label, Tender.amount_yen).where(Tender.slip_id.in_(slip_ids)).order_by(Tender.slip_id, Tender.seq)
    for row in db.execute(query):
        result.setdefault(row.slip_id, []).append(TenderSummary(row.kind, row.label, row.amount_yen))
    return {slip_id: tuple(items) for slip_id, items in result.items()}


def relations_of(db: Session, slips: Sequence) -> dict[int, SlipRelations]:
    """State of each slip (anything with ``id``, ``kind``, ``voids_slip_id``, ``created_at``:
    a ``Slip`` or a query row); a few indexed queries for the lot."""
    sale_ids = [s.id for s in slips if s.kind == "sale"]
    voids = [s for s in slips if s.kind == "void" and s.voids_slip_id is not None]
    voids_of: dict[int, tuple[int, int, datetime]] = {}  # original id -> (void id, void number, void time)
    if sale_ids:
        query = select(Slip.id, Slip.slip_number, Slip.created_at, Slip.voids_slip_id).where(Slip.voids_slip_id.in_(sale_ids))
        for row in db.execute(query):
            voids_of[row.voids_slip_id] = (row.id, row.slip_number, row.created_at)
    numbers: dict[int, int] = {}
    if voids:
        query = select(Slip.id, Slip.slip_number).where(Slip.id.in_([v.voids_slip_id for v in voids]))
        numbers = {row.id: row.slip_number for row in db.execute(query)}
    void_times = {when for _, _, when in voids_of.values()} | {v.created_at for v in voids}
    corrected = _corrected_originals(db, void_times, set(voids_of) | set(numbers))
    result: dict[int, SlipRelations] = {}
    for s in slips:
        if s.kind == "void":
            original = s.voids_slip_id
            result[s.id] = SlipRelations(SlipState.VOID, original, numbers.get(original), original in corrected)
        elif s.id in voids_of:
            void_id, void_number, _ = voids_of[s.id]
            corrected_here = s.id in corrected
            result[s.id] = SlipRelations(SlipState.CORRECTED if corrected_here else SlipState.VOIDED, void_id, void_number, corrected_here)
        else:
            result[s.id] = SlipRelations(SlipState.NORMAL)
    return result


def _corrected_originals(db: Session, void_times: set[datetime], original_ids: set[int]) -> set[int]:
    """Originals whose void was a 伝票訂正 (the audit record shares the void's timestamp)."""
    if not void_times or not original_ids:
        return set()
    targets = [f"slip:{slip_id}" for slip_id in original_ids]
    query = select(AuditRecord.target).where(AuditRecord.at.in_(sorted(void_times)), AuditRecord.action == CORRECT_ACTION,
                                             AuditRecord.target.in_(targets))
    return {int(target.split(":", 1)[1]) for target in db.scalars(query)}


def slip_relations(db: Session, slip: Slip) -> SlipRelations:
    return relations_of(db, [slip])[slip.id]


# --- terminal hook ------------------------------------------------------------------------
def refunded_unvoided_slip_ids(db: Session, slip_ids: list[int]) -> set[int]:
    """TERMINAL HOOK (R-HIST): of these sale slips, those with at least one terminal tender,
    every one of whose payments is ``refunded`` (through the terminal or marked by a manager),
    while the slip itself is not voided yet (the list flags them 「要伝票取消」). Indexed:
    tenders by ``ix_tenders_slip_id``, payments by their unique transaction id, voids by
    ``ix_slips_voids_slip_id``."""
    if not slip_ids:
        return set()
    query = (select(Tender.slip_id, TerminalPayment.state)
             .outerjoin(TerminalPayment, TerminalPayment.transaction_id == Tender.reference)
             .where(Tender.slip_id.in_(slip_ids), Tender.kind == "terminal"))
    all_refunded: dict[int, bool] = {}
    for slip_id, state in db.execute(query):
        all_refunded[slip_id] = all_refunded.get(slip_id, True) and state == PaymentState.REFUNDED.value
    candidates = {slip_id for slip_id, refunded in all_refunded.items() if refunded}
    if not candidates:
        return set()
    voided = set(db.scalars(select(Slip.voids_slip_id).where(Slip.voids_slip_id.in_(candidates))))
    return candidates - voided
